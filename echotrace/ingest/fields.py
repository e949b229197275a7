"""Which field of a JSON object or CSV row holds the text, title, date, outlet, URL, crawl time.

Datasets name these differently (news-please `maintext`, `date_publish`; FA-KES
`article_content`, `article_title`; Common Crawl derived `raw_content`): one alias table, tried in
order, and a user mapping that overrides it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from echotrace.ingest.decode import looks_like_html, repair_mojibake
from echotrace.records import RawDoc

ROLES = ("text", "html", "title", "date", "outlet", "url", "crawled")

ALIASES: dict[str, tuple[str, ...]] = {
    "text": (
        "text", "content", "body", "article", "raw_content", "maintext", "article_content",
        "article_text", "article_body", "full_text", "fulltext", "text_content", "story",
    ),
    "html": ("html", "raw_html", "html_content", "page_html", "content_html", "body_html"),
    "title": ("title", "article_title", "headline", "heading", "name_of_article"),
    "date": (
        "date", "published", "publish_date", "date_publish", "timestamp", "published_at",
        "pub_date", "pubdate", "publication_date", "date_published", "datetime", "created_at",
    ),
    "outlet": (
        "outlet", "source", "site", "sitename", "site_name", "domain", "publisher", "source_name",
        "media", "newspaper", "source_domain",
    ),
    "url": ("url", "link", "article_url", "uri", "source_url", "href", "web_url"),
    "crawled": (
        "crawled", "crawl_date", "date_download", "crawled_at", "date_crawled", "retrieved",
        "fetched_at", "download_date",
    ),
}


class MappingError(ValueError):
    """A user column mapping that names unknown roles."""


def normalise_name(name: str) -> str:
    return name.strip().strip("\ufeff").lower().replace(" ", "_").replace("-", "_")


def check_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """Validates a user mapping (role -> field name) at the boundary."""
    if not columns:
        return {}
    unknown = sorted(set(columns) - set(ROLES))
    if unknown:
        raise MappingError(f"unknown column role(s) {unknown}; expected some of {list(ROLES)}")
    return dict(columns)


def resolve_fields(names: list[str], columns: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Role -> actual field name for the given field names; also the user-mapped names missing."""
    by_normal: dict[str, str] = {}
    for name in names:
        by_normal.setdefault(normalise_name(name), name)
    resolved: dict[str, str] = {}
    missing: list[str] = []
    for role in ROLES:
        if role in columns:
            wanted = columns[role]
            actual = wanted if wanted in names else by_normal.get(normalise_name(wanted))
            if actual is None:
                missing.append(wanted)
            else:
                resolved[role] = actual
            continue
        for alias in ALIASES[role]:
            if alias in by_normal and by_normal[alias] not in resolved.values():
                resolved[role] = by_normal[alias]
                break
    return resolved, missing


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        # JSON may escape half a surrogate pair ("\\ud800"): no UTF-8 encoder or store accepts it.
        stripped = _LONE_SURROGATE.sub("\ufffd", value.strip())
        return stripped or None
    if isinstance(value, list):
        parts = [part for part in (_as_text(item) for item in value) if part]
        return ", ".join(parts) or None
    if isinstance(value, dict):
        return None
    return str(value)


def parse_crawled(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO 8601 text or a Unix timestamp; None when unreadable."""
    if value is None or isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            moment = datetime.fromtimestamp(float(value), tz=UTC)
        else:
            raw = str(value).strip()
            if not raw:
                return None
            if raw.isdigit() and len(raw) in (10, 13):  # Unix seconds or milliseconds as text
                return parse_crawled(int(raw) / (1000 if len(raw) == 13 else 1))
            moment = datetime.fromisoformat(raw)
    except (ValueError, OverflowError, OSError):
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _fixed(value: str | None) -> tuple[str | None, bool]:
    if value is None:
        return None, False
    return repair_mojibake(value)


def build_doc(
    record: Mapping[str, Any], fields: Mapping[str, str], *, source: str, fmt: str, encoding: str | None
) -> RawDoc | None:
    """A RawDoc from one record, or None when it has neither text nor HTML.

    A `text`-like field that is really markup (CMS exports put HTML in `content`) goes to
    `html`, so the cleaner strips tags rather than keeping them as words.
    """
    text = _as_text(record.get(fields["text"])) if "text" in fields else None
    html = _as_text(record.get(fields["html"])) if "html" in fields else None
    if text is None and html is None:
        return None
    if text is not None:
        html = None
        if looks_like_html(text):
            text, html = None, text
    text, text_fixed = _fixed(text)
    html, html_fixed = _fixed(html)
    title, title_fixed = _fixed(_as_text(record.get(fields["title"])) if "title" in fields else None)
    outlet = _as_text(record.get(fields["outlet"])) if "outlet" in fields else None
    return RawDoc(
        source=source,
        fmt=fmt,
        text=text,
        html=html,
        url=_as_text(record.get(fields["url"])) if "url" in fields else None,
        title=title,
        date=_as_text(record.get(fields["date"])) if "date" in fields else None,
        outlet=outlet,
        crawled=parse_crawled(record.get(fields["crawled"])) if "crawled" in fields else None,
        encoding=encoding,
        repaired=text_fixed or html_fixed or title_fixed,
    )
