"""The per-document stages (clean, metadata, language, entities, quotes), run in worker processes.

A module of their own: the fork server and every worker import only this, not the corpus
stages (scikit-learn, SciPy, the store), which saves ~1.5 s of start-up and ~80 MB per worker.
"""

from __future__ import annotations

import re
import signal
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

from echotrace import errors
from echotrace.annotate.dates import find_dates
from echotrace.annotate.entities import EntityIndex, find_mentions
from echotrace.annotate.language import article_language, split_paragraphs
from echotrace.annotate.outlet import find_outlet
from echotrace.annotate.quotes import find_quotes, load_quote_models
from echotrace.annotate.sources import find_credits
from echotrace.clean.html import clean_html, html_metadata
from echotrace.clean.normalise import make_doc_id
from echotrace.clean.text import clean_text
from echotrace.config import Settings
from echotrace.records import Article, DocResult, Mention, Quote, RawDoc, Skipped

_HTML_EXPANSION = 20
_MASTHEAD_SCAN = 400
_MASTHEAD_MAX_CHARS = 60


@dataclass(slots=True)
class DocContext:
    settings: Settings
    repeated: dict[str, frozenset[int]]
    _entity_index: EntityIndex | None = None

    def entity_index(self) -> EntityIndex:
        """Built on first use in each worker (the Aho-Corasick automaton does not travel well)."""
        if self._entity_index is None:
            self._entity_index = EntityIndex.load([Path(p) for p in self.settings.aliases])
        return self._entity_index


_CONTEXT: DocContext | None = None


def init_worker(context: DocContext) -> None:
    """Models are loaded here, not by the first document, whose time limit they would eat."""
    global _CONTEXT
    _CONTEXT = context
    stages = context.settings.stages
    if "entities" in stages:
        context.entity_index()
    if "quotes" in stages:
        load_quote_models(context.settings.quote_syntax)


def outlet_groups(raw: RawDoc) -> list[str]:
    """Pages of one site share chrome: group by declared outlet, else URL host, else folder.

    A folder often mixes sites, so pages that open with the same short masthead line
    ("THE CASTELLON HERALD") form a second group of their own.
    """
    if raw.outlet:
        return ["outlet:" + raw.outlet.strip().lower()]
    if raw.url:
        host = urlsplit(raw.url).hostname
        if host:
            return ["host:" + host.removeprefix("www.")]
    groups = ["dir:" + str(Path(raw.source.split("#", 1)[0]).parent)]
    first_line = next((line.strip() for line in (raw.text or "")[:_MASTHEAD_SCAN].splitlines() if line.strip()), "")
    if 0 < len(first_line) <= _MASTHEAD_MAX_CHARS:
        groups.append("masthead:" + " ".join(first_line.casefold().split()))
    return groups


class _DocTimeout(Exception):
    pass


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise _DocTimeout


def process_document(raw: RawDoc, context: DocContext) -> DocResult | Skipped:
    """RawDoc -> clean text, title, dates, outlet, credits, languages."""
    settings = context.settings
    is_html = raw.html is not None
    body = raw.html if raw.html is not None else (raw.text or "")
    # Cleaning a 200 MB page only to reject it costs minutes: HTML shrinks ~20x, plain text hardly.
    if len(body) > settings.max_text_chars * (_HTML_EXPANSION if is_html else 1):
        return Skipped(raw.source, errors.E012_TEXT_TOO_LONG, errors.describe(
            errors.E012_TEXT_TOO_LONG, f"{raw.source}: {len(body):,} chars before cleaning"))
    body = _storable(body)
    if is_html:
        cleaned = clean_html(body, raw.url)
        markup = html_metadata(body, raw.url)
    else:
        repeated = frozenset().union(*(context.repeated.get(g, frozenset()) for g in outlet_groups(raw)))
        cleaned = clean_text(body, repeated)
        markup = {}
    text = cleaned.text
    if not text.strip():
        return Skipped(raw.source, errors.E009_NO_TEXT, errors.describe(errors.E009_NO_TEXT, raw.source))
    if len(text) > settings.max_text_chars:
        return Skipped(raw.source, errors.E012_TEXT_TOO_LONG, errors.describe(
            errors.E012_TEXT_TOO_LONG, f"{raw.source}: {len(text):,} > {settings.max_text_chars:,} chars"))
    paragraphs = split_paragraphs(text)
    crawled = raw.crawled
    date, page_crawled = find_dates(text, cleaned.boilerplate, given=raw.date, markup=markup, crawled=crawled)
    outlet, outlet_evidence = find_outlet(raw.url, raw.outlet, markup, text, cleaned.header, cleaned.boilerplate)
    credits = [c for c in find_credits(text) if not _is_own_name(c.name, outlet, outlet_evidence)]
    article = Article(
        doc_id=make_doc_id(text),
        title=raw.title or cleaned.title or markup.get("title"),
        text=text,
        url=raw.url or markup.get("url"),
        outlet=outlet,
        published=date.value if date else None,
        date_kind=date.kind if date else ("crawled" if page_crawled else None),
        date_evidence=date.evidence if date else None,
        crawled=page_crawled or crawled,
        language=article_language(paragraphs),
        source_paths=[raw.source],
        fmt=raw.fmt,
        paragraphs=paragraphs,
        boilerplate=cleaned.boilerplate,
        credits=credits,
        outlet_evidence=outlet_evidence,
    )
    stages = settings.stages
    mentions = (find_mentions(article.doc_id, text, context.entity_index(), article.language, article.title)
                if "entities" in stages else [])
    quotes = (find_quotes(article.doc_id, text, article.language, paragraphs, syntax=settings.quote_syntax)
              if "quotes" in stages else [])
    if quotes and "entities" in stages:
        for quote in quotes:
            quote.speaker_entity_id = speaker_entity(quote, mentions, context.entity_index())
    return DocResult(source=raw.source, article=article, mentions=mentions, quotes=quotes)


def speaker_entity(quote: Quote, mentions: Sequence[Mention], index: EntityIndex) -> str | None:
    """The entity a quote's speaker names: the mention under the speaker span, else the alias table,
    else a mention in the same article ending with the same name ("Reyval" -> "Tomas Reyval")."""
    if not quote.speaker_name:
        return None
    if quote.speaker_start is not None and quote.speaker_end is not None:
        for mention in mentions:
            if mention.start < quote.speaker_end and quote.speaker_start < mention.end:
                return mention.entity_id
    known = index.canonical(quote.speaker_name)
    if known:
        return known
    last = quote.speaker_name.split()[-1].lower()
    for mention in mentions:
        if mention.text.split()[-1].lower() == last:
            return mention.entity_id
    return None


def _storable(text: str) -> str:
    """Lone surrogates (from broken JSON escapes) cannot be stored as UTF-8: replace them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _is_own_name(name: str, outlet: str | None, masthead: str | None) -> bool:
    """An outlet crediting itself ("VNA" on the page of "Valdorian News Agency · VNA") is no credit."""
    if outlet and name.casefold() in (outlet.casefold(), "".join(w[0] for w in outlet.split()).casefold()):
        return True
    return bool(masthead) and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", masthead or "") is not None


def process_batch(batch: list[RawDoc | Skipped]) -> list[DocResult | Skipped]:
    """Per-document stages over one batch; one bad document never sinks its batch."""
    context = _CONTEXT
    assert context is not None, "worker not initialised"
    timeout = context.settings.doc_timeout_s
    # SIGALRM exists only in a process's main thread: Dask workers that run tasks in a thread pool
    # (a remote cluster) get no per-document timeout.
    can_alarm = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGALRM, _on_alarm) if can_alarm else None
    out: list[DocResult | Skipped] = []
    try:
        for item in batch:
            if isinstance(item, Skipped):
                out.append(item)
                continue
            if can_alarm:
                signal.setitimer(signal.ITIMER_REAL, timeout)
            try:
                out.append(process_document(item, context))
            except _DocTimeout:
                out.append(Skipped(item.source, errors.E013_TIMEOUT, errors.describe(
                    errors.E013_TIMEOUT, f"{item.source}: over {timeout:g} s")))
            except Exception as exc:  # a bug or a pathological page: record it, go on
                out.append(Skipped(item.source, errors.E014_PROCESSING_ERROR, errors.describe(
                    errors.E014_PROCESSING_ERROR, f"{item.source}: {type(exc).__name__}: {exc}")))
            finally:
                if can_alarm:
                    signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        if can_alarm:
            signal.signal(signal.SIGALRM, previous)
    return out


__all__ = ["DocContext", "init_worker", "outlet_groups", "process_batch", "process_document"]
