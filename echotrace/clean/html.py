"""Main text and cheap markup metadata from HTML pages.

Extractor choice (measured in bench/ingest_clean_compare.py): trafilatura keeps the article body
and drops navigation, share bars, related lists, comments and cookie banners best on news pages,
and reaches F1 0.96 on the article-extraction-benchmark; resiliparse is about 3× faster but keeps
more chrome. So trafilatura runs first; resiliparse is the fallback when trafilatura returns
nothing (its parser gives up on very deep nesting) and the first choice on huge pages, where
trafilatura's cost grows to seconds. A last pass drops lines the boilerplate lexicon recognises
(share calls, ads, cookie notices) that survived extraction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from copy import copy
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html
import trafilatura
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree
from trafilatura.settings import Extractor

from echotrace.clean.normalise import normalise_for_id
from echotrace.clean.text import strip_chrome_lines, strip_site_name
from echotrace.records import Cleaned

__all__ = ["clean_html", "html_metadata"]

# Above this size trafilatura takes seconds per page; resiliparse stays near 0.1 s for 20 MB.
_TRAFILATURA_MAX_CHARS = 2_000_000
# Metadata lives in <head> and early JSON-LD: parsing the first 1 MB is enough and bounds the cost.
_METADATA_MAX_CHARS = 1_000_000
_MAX_JSON_LD_CHARS = 200_000
# resiliparse's main-content heuristics slow down to seconds on pathologically deep trees.
_DEEP_TREE = 400

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]{0,40})[^<>]{0,2000}?(/?)>")
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr p li td tr th option dt dd".split()
)
_MAX_TITLE_CHARS = 300
# A table cell holding this many words is page layout, not a data table: extract again without tables.
_LAYOUT_TABLE_CELL_WORDS = 60
_ISO_DATE_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}")

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "citation_publication_date",
    "date",
)
_UPDATED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "lastmod",
)
_ARTICLE_TYPES = frozenset(
    {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "webpage"}
)


def clean_html(html: str, url: str | None = None) -> Cleaned:
    """Main text of an HTML page: title apart (from markup), paragraphs joined by blank lines.

    Returns text "" when the page has no main text (the pipeline records it as skipped, E009).
    """
    if not html or not html.strip():
        return Cleaned(title=None, text="")
    title = _cached_metadata(html, url).get("title")
    lines, boilerplate = strip_chrome_lines(_main_text(html, url))
    if title:
        lines = _without_headline(lines, title)
    return Cleaned(title=title, text="\n\n".join(lines), boilerplate=boilerplate)


def _without_headline(lines: list[str], title: str) -> list[str]:
    """Extractors often keep the <h1> as the first line; the title lives in `Cleaned.title` only.

    Matches the title itself or the title without a site suffix ("Headline | Outlet" vs "Headline"),
    among the first two lines (a kicker or date may come first).
    """
    wanted = normalise_for_id(title)
    for index, line in enumerate(lines[:2]):
        candidate = normalise_for_id(line)
        if candidate == wanted or (
            len(candidate) >= max(15, len(wanted) // 2) and wanted.startswith(candidate)
        ):
            return lines[:index] + lines[index + 1 :]
    return lines


def _main_text(html: str, url: str | None) -> str:
    if len(html) <= _TRAFILATURA_MAX_CHARS:
        text = _trafilatura_text(html, url, include_tables=True)
        if _has_layout_table(text):
            text = _trafilatura_text(html, url, include_tables=False) or text
        if text.strip():
            return text
    tree = HTMLTree.parse(html)
    deep = _nesting_depth(html) > _DEEP_TREE
    text = _resiliparse_text(tree, main_content=not deep)
    if not text.strip() and not deep:
        text = _resiliparse_text(tree, main_content=False)
    return text


def _has_layout_table(text: str) -> bool:
    """Old sites lay out whole pages in tables; trafilatura then returns the chrome cells as table rows."""
    for line in text.split("\n"):
        if line.startswith("|") and any(
            len(cell.split()) > _LAYOUT_TABLE_CELL_WORDS for cell in line.split(" | ")
        ):
            return True
    return False


@lru_cache(maxsize=2)
def _extractor_template(include_tables: bool) -> Extractor:
    """trafilatura's options object: building one reads its config (~0.15 ms), so build it once."""
    return Extractor(precision=False, comments=False, tables=include_tables, dedup=False, with_metadata=False)


def _trafilatura_text(html: str, url: str | None, include_tables: bool) -> str:
    # Per page only the address changes (set as trafilatura's own command line does).
    options = copy(_extractor_template(include_tables))
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    try:
        text = trafilatura.extract(html, url=url, options=options)
    except (ValueError, TypeError, RecursionError, lxml.etree.LxmlError):
        return ""
    return text or ""


def _resiliparse_text(tree: HTMLTree, main_content: bool) -> str:
    return str(
        extract_plain_text(
            tree,
            preserve_formatting=True,
            main_content=main_content,
            list_bullets=False,
            alt_texts=False,
            links=False,
            form_fields=False,
            noscript=False,
            comments=False,
        )
    )


def _nesting_depth(html: str) -> int:
    """Deepest open-tag nesting, counted naively over the tag stream (no tree, no recursion)."""
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if name.lower() in _VOID_TAGS or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def html_metadata(html: str, url: str | None = None) -> dict[str, str]:
    """Metadata the markup states: title, date (ISO) with date_kind, sitename, canonical url, author.

    Only keys found are returned. `date_kind` is "published" or "updated" (a page that states only
    its modification date gets "updated", never a silent "published").
    """
    return dict(_cached_metadata(html, url))


@lru_cache(maxsize=8)
def _cached_metadata(html: str, url: str | None) -> dict[str, str]:
    """The pipeline asks for a page's metadata right after `clean_html` did: parse the page once."""
    tree = _parse(html[:_METADATA_MAX_CHARS])
    found: dict[str, str] = {}
    if tree is None:
        if url:
            found["url"] = url
        return found
    metas = _meta_values(tree)
    ld_article = _json_ld_article(tree)
    sitename = metas.get("og:site_name") or metas.get("application-name") or _ld_name(ld_article.get("publisher"))
    if sitename:
        found["sitename"] = sitename
    title = (
        metas.get("og:title")
        or metas.get("twitter:title")
        or _text_str(ld_article.get("headline"))
        or _title_from_markup(tree, sitename)
    )
    if title:
        found["title"] = strip_site_name(title, [sitename or ""]) or title
    date_and_kind = _date(metas, ld_article, tree)
    if date_and_kind:
        found["date"], found["date_kind"] = date_and_kind
    canonical = _first_attribute(tree, "//link[@rel='canonical']/@href") or metas.get("og:url")
    if canonical:
        found["url"] = urljoin(url, canonical) if url else canonical
    elif url:
        found["url"] = url
    author = _author(metas, ld_article)
    if author:
        found["author"] = author
    return found


def _parse(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _meta_values(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """First non-empty content per meta key (property, name or itemprop), keys lower-cased."""
    values: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), " ".join(content.split()))
    return values


def _json_ld_objects(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    for script in tree.xpath("//script[@type='application/ld+json']"):
        raw = script.text or ""
        if len(raw) > _MAX_JSON_LD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))


def _json_ld_article(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """The JSON-LD object describing the article (NewsArticle, Article, BlogPosting…), else {}."""
    fallback: dict[str, Any] = {}
    for item in _json_ld_objects(tree):
        kinds = item.get("@type")
        names = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
        if names & _ARTICLE_TYPES:
            if "webpage" not in names:
                return item
            fallback = fallback or item
    return fallback


def _text_str(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [name for name in (_ld_name(v) for v in value) if name]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _text_str(value.get("name"))
    return _text_str(value)


def _first_text(tree: lxml.html.HtmlElement, xpath: str) -> str | None:
    for element in tree.xpath(xpath):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _first_attribute(tree: lxml.html.HtmlElement, xpath: str) -> str | None:
    for value in tree.xpath(xpath):
        if str(value).strip():
            return str(value).strip()
    return None


def _title_from_markup(tree: lxml.html.HtmlElement, sitename: str | None) -> str | None:
    """The longest heading that <title> contains ("Site: Headline"), else <title> minus the site name.

    <h1> alone is unreliable: blogs put the site name there and the headline in an <h3>.
    """
    headings = [
        text
        for text in (" ".join(h.text_content().split()) for h in tree.xpath("(//h1|//h2|//h3)[position() <= 30]"))
        if 3 <= len(text) <= _MAX_TITLE_CHARS
    ]
    page_title = _first_text(tree, "//title")
    if page_title:
        normalised_title = normalise_for_id(page_title)
        inside = [h for h in headings if normalise_for_id(h) in normalised_title]
        return max(inside, key=len) if inside else strip_site_name(page_title, [sitename or ""])
    h1 = [text for text in (" ".join(h.text_content().split()) for h in tree.xpath("//h1")) if text]
    return h1[0] if h1 and len(h1[0]) <= _MAX_TITLE_CHARS else None


def _iso(value: str | None) -> str | None:
    """A stated date as ISO 8601; None when it is not a recognisable date."""
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    prefix = _ISO_DATE_PREFIX.match(value)
    if prefix:
        try:
            return datetime.fromisoformat(prefix.group()).date().isoformat()
        except ValueError:
            return None
    return None


def _date(
    metas: dict[str, str], ld_article: dict[str, Any], tree: lxml.html.HtmlElement
) -> tuple[str, str] | None:
    published = [_text_str(ld_article.get("datePublished")), _text_str(ld_article.get("dateCreated"))]
    published += [metas.get(key) for key in _PUBLISHED_META]
    published += [
        _first_attribute(tree, "//time[@itemprop='datePublished']/@datetime"),
        _first_attribute(tree, "//time[@pubdate]/@datetime"),
    ]
    for candidate in published:
        iso = _iso(candidate)
        if iso:
            return iso, "published"
    updated = [_text_str(ld_article.get("dateModified"))] + [metas.get(key) for key in _UPDATED_META]
    for candidate in updated:
        iso = _iso(candidate)
        if iso:
            return iso, "updated"
    return None


def _author(metas: dict[str, str], ld_article: dict[str, Any]) -> str | None:
    author = _ld_name(ld_article.get("author"))
    if author:
        return author
    for key in ("author", "article:author", "byl", "dc.creator", "sailthru.author", "parsely-author"):
        value = metas.get(key)
        if value and not value.startswith(("http://", "https://")):
            return value.removeprefix("By ").removeprefix("by ")
    return None
