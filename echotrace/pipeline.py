"""Stage order, batching, resume, counts and timings.

`run()` is the only code that writes the store. Per-document stages (clean, metadata, language,
entities, quotes) run in worker processes over batches of `RawDoc`s; corpus stages (links,
quote groups, stories, narratives) run over what the store holds once every document is in.
"""

from __future__ import annotations

import functools
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from echotrace import errors
from echotrace.annotate.dates import find_dates
from echotrace.annotate.entities import EntityIndex, entities_for, find_mentions, initial_variants, use_alias_files
from echotrace.annotate.language import article_language, split_paragraphs
from echotrace.annotate.outlet import find_outlet, outlet_names
from echotrace.annotate.quote_speakers import speaker_key
from echotrace.annotate.quotes import find_quotes, load_quote_models
from echotrace.annotate.sources import find_credits
from echotrace.clean.html import clean_html, html_metadata
from echotrace.clean.normalise import make_doc_id
from echotrace.clean.text import RepeatedLines, clean_text, strip_repeated_title_parts, strip_site_name
from echotrace.config import Settings
from echotrace.engines import get_engine
from echotrace.engines.local import start_server
from echotrace.ingest import expand_inputs, file_format, read_file
from echotrace.link import find_links
from echotrace.link.near_dup import BatchMapper
from echotrace.link.provenance import ProvenanceChain, provenance_chains
from echotrace.link.quotes import group_quotes
from echotrace.memory import release_freed_memory
from echotrace.narratives.catalogue import (
    NarrativeSpec,
    import_claimreview,
    import_claims_csv,
    load_catalogue,
)
from echotrace.narratives.discover import discover_claims
from echotrace.narratives.match import match_narratives
from echotrace.records import (
    Article,
    DocLink,
    DocResult,
    Mention,
    Narrative,
    NarrativeMatch,
    Quote,
    RawDoc,
    Skipped,
)
from echotrace.store.duckdb import StoreWriter, open_writer
from echotrace.stories.cluster import cluster_stories


@dataclass(slots=True)
class StageReport:
    name: str
    count: int = 0
    seconds: float = 0.0
    detail: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "seconds": round(self.seconds, 3), **self.detail}


@dataclass(slots=True)
class RunSummary:
    run_id: str
    resumed: bool
    db: Path
    stages: list[StageReport] = field(default_factory=list)


_DATA = Path(__file__).parent / "data"
DEFAULT_CATALOGUES = [_DATA / "narratives.yaml", _DATA / "narratives_syria.yaml"]
_MIN_UNITS_FOR_WORKERS = 300
_TASK_DOCS = 100
"""Documents per worker task; `Settings.batch_size` documents make one commit."""
_RECORD_FORMATS = frozenset({"jsonl", "json", "csv", "warc"})
# Below this the copy search fingerprints ~5,000 articles/s in this process: shipping texts to
# workers costs more than it saves.
_MIN_ARTICLES_FOR_PARALLEL_LINKS = 30_000
EVIDENCE_BLOCKS = ("related_links",)
"""Removed page blocks that narratives are also matched in."""
_HTML_EXPANSION = 20
_MASTHEAD_SCAN = 400
_MASTHEAD_MAX_CHARS = 60

ProgressHook = Callable[[str, int, int | None], None]
"""Called as (stage name, units done so far, total units or None)."""


# -- per-document stages (run in worker processes) ----------------------------------------------

@dataclass(slots=True)
class DocContext:
    settings: Settings
    repeated: dict[str, frozenset[int]]
    _entity_index: EntityIndex | None = None

    def entity_index(self) -> EntityIndex:
        """Built on first use in each worker (the Aho-Corasick automaton does not travel well)."""
        if self._entity_index is None:
            files = [Path(p) for p in self.settings.aliases]
            self._entity_index = EntityIndex.load(files)
            use_alias_files(files)  # the speaker rules' place and body names, in this process
        return self._entity_index


_CONTEXT: DocContext | None = None


def _init_worker(context: DocContext) -> None:
    """Models are loaded here, not by the first document, whose time limit they would eat."""
    global _CONTEXT
    _CONTEXT = context
    stages = context.settings.stages
    if "entities" in stages or "quotes" in stages:
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


def _page_name(raw: RawDoc) -> str:
    """The last part of the page's address, else its file's name without the extension: what a scraper
    names a page after ("…/o-malley-campaign-to-shift-staff")."""
    if raw.url:
        return urlsplit(raw.url).path.rstrip("/").rpartition("/")[2]
    return Path(raw.source.split("#", 1)[0]).stem


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
    repeated = frozenset().union(*(context.repeated.get(g, frozenset()) for g in outlet_groups(raw)))
    if is_html:
        cleaned = clean_html(body, raw.url)
        markup = html_metadata(body, raw.url)
    else:
        cleaned = clean_text(body, repeated, raw.title, _page_name(raw))
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
        title=strip_repeated_title_parts(
            strip_site_name(raw.title or cleaned.title or markup.get("title"), outlet_names(outlet)), repeated),
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
    # Loaded for the speaker rules too: it declares the user's alias files to them (use_alias_files).
    index = context.entity_index() if "entities" in stages or "quotes" in stages else None
    mentions = (find_mentions(article.doc_id, text, index, article.language, article.title, paragraphs)
                if index is not None and "entities" in stages else [])
    quotes = (find_quotes(article.doc_id, text, article.language, paragraphs, syntax=settings.quote_syntax)
              if "quotes" in stages else [])
    if quotes and index is not None and "entities" in stages:
        by_name = mentions_by_name(mentions)
        by_end: dict[int, list[Mention]] = {}
        for mention in mentions:
            by_end.setdefault(mention.end, []).append(mention)
        for quote in quotes:
            entity_id = speaker_entity(quote, by_name, index) or described_speaker(quote, by_end, text, index)
            quote.speaker_entity_id = entity_id
            # A speaker named by a spelling of the alias table goes by the table's name, whatever spelling or
            # language the article used ("Sergei Rudskoy", "ministère russe de la Défense", "SOHR"): their
            # statements group and list together; so does one named by a description the entity stage tied
            # to a listed entity ("the monitor"). A name the table does not spell keeps its own: it was tied
            # to the entity by surname only ("Doctor Ibrahim al-Assad" is no Bashar al-Assad). The spelling is
            # the name's or the source's as written: the name may be a longer one the text gave the same speaker
            # elsewhere ("Sochi Russia" where this source reads "Russia").
            entity = index.entity(entity_id) if entity_id else None
            as_written = text[quote.speaker_start:quote.speaker_end] if quote.speaker_start is not None else ""
            if entity is not None and (quote.speaker_name is None or entity_id in (
                    index.canonical(quote.speaker_name), index.canonical(as_written))):
                quote.speaker_name = entity.name
    return DocResult(source=raw.source, article=article, mentions=mentions, quotes=quotes)


def mentions_by_name(mentions: Sequence[Mention]) -> dict[str, list[Mention]]:
    """An article's mentions by the name key a speaker is compared with (`speaker_key`), in text order."""
    out: dict[str, list[Mention]] = {}
    for mention in mentions:
        out.setdefault(speaker_key(mention.text), []).append(mention)
    return out


def speaker_entity(quote: Quote, by_name: Mapping[str, Sequence[Mention]], index: EntityIndex) -> str | None:
    """The entity a quote's speaker names: a mention of that name under the speaker span, else the
    alias table, else a mention of the same name elsewhere in the article ("Reyval" -> "Tomas
    Reyval"). Other mentions under the span name someone else: "U.S. President Barack Obama" holds
    the United States, "Observatory chief Rami Abdel Rahman" the Observatory."""
    if not quote.speaker_name:
        return None
    same_name = by_name.get(speaker_key(quote.speaker_name), ())
    if quote.speaker_start is not None and quote.speaker_end is not None:
        for mention in same_name:
            if mention.start < quote.speaker_end and quote.speaker_start < mention.end:
                return mention.entity_id
    return index.canonical(quote.speaker_name) or (same_name[0].entity_id if same_name else None)


_BODY_TYPES = frozenset(("org", "group", "outlet"))


def described_speaker(quote: Quote, by_end: Mapping[int, Sequence[Mention]], text: str,
                      index: EntityIndex) -> str | None:
    """The listed body a speakerless quote's whole source names or describes, as the entity stage read it:
    a description the alias table ties to a body the article names ("the monitor said", "the Britain-based
    monitor said"), a lone organisation word ("the Observatory said"), or the body's own listed name where
    the speaker rules read a description ("The US-led coalition said", "the Russian defense ministry
    said"). Only a mention that is the whole source counts: in "the head of the monitor" someone else speaks;
    a place is where, not who ("Aleppo" left at a source's end). `by_end`: the article's mentions by the
    offset they end at."""
    if quote.speaker_name or quote.speaker_start is None or quote.speaker_end is None:
        return None
    for mention in by_end.get(quote.speaker_end, ()):
        if (quote.speaker_start <= mention.start
                and text[quote.speaker_start:mention.start].strip().lower() in ("", "the")
                and (mention.method == "context" or index.type_of(mention.entity_id) in _BODY_TYPES)):
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


# -- the run ------------------------------------------------------------------------------------

def _read_all(files: Sequence[str], settings: Settings) -> Iterator[RawDoc | Skipped]:
    for path in files:
        yield from read_file(path, columns=settings.columns or None, max_file_bytes=settings.max_file_bytes,
                             max_decompressed_bytes=settings.max_decompressed_bytes)


def scan_repeated_lines(files: Sequence[str], settings: Settings,
                        progress: ProgressHook | None = None) -> tuple[dict[str, frozenset[int]], int]:
    """Pass 1: lines repeated across many pages of one outlet; also counts the input units."""
    counter = RepeatedLines(min_docs=settings.repeated_line_min_docs,
                            min_share=settings.repeated_line_min_share)
    groups: set[str] = set()
    units = 0
    for item in _read_all(files, settings):
        units += 1
        if isinstance(item, RawDoc) and item.text is not None:
            for group in outlet_groups(item):
                groups.add(group)
                counter.add(group, item.text, item.title)
        if progress and units % 500 == 0:
            progress("scan", units, None)
    if progress:
        progress("scan", units, units)
    return {group: counter.repeated(group) for group in sorted(groups)}, units


def _batches(items: Iterator[RawDoc | Skipped], seen: set[str], size: int,
             counter: StageReport) -> Iterator[list[RawDoc | Skipped]]:
    batch: list[RawDoc | Skipped] = []
    for item in items:
        if item.source in seen:
            counter.detail["already_stored"] = counter.detail.get("already_stored", 0) + 1
            continue
        seen.add(item.source)
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _may_hold(files: Sequence[str], units: int) -> bool:
    """Whether the input may hold `units` documents, known before reading: enough files, or a file of records."""
    return len(files) >= units or any(file_format(f) in _RECORD_FORMATS for f in files)


def ingest(writer: StoreWriter, run_id: str, files: Sequence[str], settings: Settings,
           progress: ProgressHook | None = None) -> list[StageReport]:
    started = time.perf_counter()
    if settings.engine == "local" and settings.workers > 1 and _may_hold(files, _MIN_UNITS_FOR_WORKERS):
        start_server([__name__])  # workers are likely: their imports overlap the scan
    repeated, units = scan_repeated_lines(files, settings, progress)
    scan = StageReport("scan", units, time.perf_counter() - started, {"groups": len(repeated)})

    started = time.perf_counter()
    report = StageReport("ingest")
    seen = writer.seen_sources()

    def commit(results: list[DocResult | Skipped]) -> None:
        new, merged, skipped = writer.write_batch(run_id, results)
        report.detail["articles"] = report.detail.get("articles", 0) + new
        report.detail["same_text_other_source"] = report.detail.get("same_text_other_source", 0) + merged
        report.detail["skipped"] = report.detail.get("skipped", 0) + skipped

    # Workers get small tasks (even load, short tail); the store gets few commits, each of which
    # costs ~0.15 CPU-s in this process whatever its size (opening the store, checkpointing it).
    tasks = _batches(_read_all(files, settings), seen, min(settings.batch_size, _TASK_DOCS), report)
    context = DocContext(settings=settings, repeated=repeated)
    # Starting worker processes costs seconds (imports, language model): not worth it for a few pages.
    workers = settings.workers if units >= _MIN_UNITS_FOR_WORKERS or settings.engine != "local" else 1
    map_ordered = get_engine(settings.engine, settings.scheduler)
    pending: list[DocResult | Skipped] = []
    for results in map_ordered(process_batch, tasks, workers=workers,
                               initializer=_init_worker, initargs=(context,)):
        pending.extend(results)
        report.count += len(results)
        if len(pending) >= settings.batch_size:
            commit(pending)
            pending = []
        if progress:
            progress("ingest", report.count + report.detail.get("already_stored", 0), units)
    if pending:
        commit(pending)
    report.seconds = time.perf_counter() - started
    return [scan, report]


def _catalogue(settings: Settings) -> list[NarrativeSpec]:
    paths = [Path(p) for p in settings.catalogues] or DEFAULT_CATALOGUES
    specs: list[NarrativeSpec] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix == ".csv":
            specs.extend(import_claims_csv(path))
        elif suffix == ".json":
            specs.extend(import_claimreview(path))
        else:
            specs.extend(load_catalogue(path))
    return specs


class _Timer:
    """Times one corpus stage and reports it to the progress hook."""

    def __init__(self, name: str, progress: ProgressHook | None, reports: list[StageReport]) -> None:
        self.report = StageReport(name)
        self.progress = progress
        reports.append(self.report)

    def __enter__(self) -> StageReport:
        self.started = time.perf_counter()
        if self.progress:
            self.progress(self.report.name, 0, 1)
        return self.report

    def __exit__(self, *exc: object) -> None:
        release_freed_memory()  # what the stage freed, before the next one allocates
        self.report.seconds = time.perf_counter() - self.started
        if self.progress:
            self.progress(self.report.name, 1, 1)


def _link_mapper(settings: Settings, n_articles: int) -> BatchMapper | None:
    """The engine's workers for the copy search's fingerprinting, when the corpus is worth it."""
    if settings.engine == "local" and (n_articles < _MIN_ARTICLES_FOR_PARALLEL_LINKS or settings.workers <= 1):
        return None
    return functools.partial(get_engine(settings.engine, settings.scheduler), workers=settings.workers)


def corpus_stages(writer: StoreWriter, settings: Settings,
                  progress: ProgressHook | None = None) -> list[StageReport]:
    """Stages over the whole stored corpus; each replaces its tables in one transaction.

    Each stage runs in its own function, so what it built (spans, quotes, matches) is freed
    before the next one starts: only the articles' metadata (their texts are read from disk when
    a stage asks, `StoredArticles`), mentions and links stay for the whole run.
    Mentions are loaded after the links and quote-group stages, which never read them: loading
    the 3.7M mentions of 100k generated articles peaked 1.5 GB above the articles."""
    reports: list[StageReport] = []
    stages = settings.stages
    if not stages:  # ingest only: loading the whole corpus back would be wasted
        return reports
    with _Timer("load", progress, reports) as report:
        articles = writer.load_articles()
        report.count = len(articles)
    with articles:
        if articles:
            _run_corpus_stages(writer, settings, articles, progress, reports)
    return reports


def _run_corpus_stages(writer: StoreWriter, settings: Settings, articles: Sequence[Article],
                       progress: ProgressHook | None, reports: list[StageReport]) -> None:
    stages = settings.stages
    if "links" in stages:
        with _Timer("links", progress, reports) as report:
            links = _links_stage(writer, settings, articles, report)
    else:  # quote groups and stories read the links of an earlier run
        links = writer.load_links()
    if "entities" in stages:  # before quote groups, which keep their speakers' entity ids
        with _Timer("entity ids", progress, reports) as report:
            merged = initial_variants(writer.load_entity_ids())
            writer.merge_entities(merged)
            report.count = len(merged)
    if "quotes" in stages:
        with _Timer("quote groups", progress, reports) as report:
            _quote_groups_stage(writer, articles, links, report)
    mentions: dict[str, list[Mention]] = {}
    index: EntityIndex | None = None
    if "entities" in stages or "stories" in stages:
        with _Timer("load mentions", progress, reports) as report:
            mentions = writer.load_mentions()
            index = EntityIndex.load([Path(p) for p in settings.aliases])
            report.count = sum(len(found) for found in mentions.values())
    if "entities" in stages and index is not None:
        with _Timer("entities", progress, reports) as report:
            _entities_stage(writer, index, mentions, report)
            report.count = len(articles)
    story_of: dict[str, str] = {}
    if "stories" in stages and index is not None:
        with _Timer("stories", progress, reports) as report:
            outlets = {e.entity_id for e in index.entities() if e.type == "outlet"}
            members = cluster_stories(articles, mentions, links, existing=writer.load_stories(), outlets=outlets)
            writer.replace_corpus_results(stories=members)
            story_of = {m.doc_id: m.story_id for m in members}
            report.count = len(articles)
            report.detail = {"stories": len(set(story_of.values()))}
    if "narratives" in stages:
        with _Timer("narratives", progress, reports) as report:
            _narratives_stage(writer, settings, articles, story_of, report)


def _links_stage(writer: StoreWriter, settings: Settings, articles: Sequence[Article],
                 report: StageReport) -> list[DocLink]:
    links, spans = find_links(articles, map_batches=_link_mapper(settings, len(articles)))
    chains = provenance_chains(articles, links)
    writer.replace_corpus_results(links=links, link_spans=spans)
    writer.replace_rows("provenance", _provenance_columns(chains))
    report.count = len(articles)
    report.detail = {"links": len(links), "spans": len(spans), "chains": len(chains)}
    for kind in sorted({link.kind for link in links}):
        report.detail[kind] = sum(1 for link in links if link.kind == kind)
    return links


def _entities_stage(writer: StoreWriter, index: EntityIndex, mentions: Mapping[str, Sequence[Mention]],
                    report: StageReport) -> None:
    entities = entities_for([m for ms in mentions.values() for m in ms], index)
    writer.replace_corpus_results(entities=entities)
    report.detail = {"entities": len(entities), "mentions": sum(len(m) for m in mentions.values())}


def _quote_groups_stage(writer: StoreWriter, articles: Sequence[Article], links: Sequence[DocLink],
                        report: StageReport) -> None:
    quotes = writer.load_quotes()
    published = {a.doc_id: a.published or a.crawled for a in articles}
    grouped, groups = group_quotes(quotes, published, linked=[(link.doc_a, link.doc_b) for link in links])
    writer.assign_quote_groups(grouped, groups)
    report.count = len(quotes)
    report.detail = {"quotes": len(quotes), "groups": len(groups),
                     "across_documents": sum(1 for g in groups if g.n_docs > 1)}


def _narratives_stage(writer: StoreWriter, settings: Settings, articles: Sequence[Article],
                      story_of: Mapping[str, str], report: StageReport) -> None:
    specs = _catalogue(settings)
    matches = match_narratives(articles, specs)
    matches += _block_matches(articles, writer.load_boilerplate(EVIDENCE_BLOCKS), specs)
    matches.sort(key=lambda m: (m.narrative_id, m.doc_id, m.boilerplate_idx is not None, m.start, m.end))
    discovered, discovered_matches = discover_claims(articles, story_of or None)
    narratives = [Narrative(s.narrative_id, s.title, s.origin, s.description) for s in specs]
    writer.replace_corpus_results(narratives=narratives + discovered,
                                  narrative_matches=matches + discovered_matches)
    report.count = len(articles)
    report.detail = {"catalogued": len(specs), "matched": len({m.narrative_id for m in matches}),
                     "evidence": len(matches), "discovered": len(discovered)}


def _block_matches(articles: Sequence[Article], blocks: dict[str, list[tuple[int, str]]],
                   specs: Sequence[NarrativeSpec]) -> list[NarrativeMatch]:
    """Narrative evidence in removed related-headline lists: the cleaner keeps them out of the text,
    yet they are what an outlet chose to push beside a story, and sometimes its only statement of a
    narrative. Each block is matched as a page of its own; matches point back into the block."""
    language = {a.doc_id: a.language for a in articles}
    where: dict[str, tuple[str, int]] = {}
    pages: list[Article] = []
    for doc_id, items in sorted(blocks.items()):
        for idx, text in items:
            key = f"{doc_id}#boilerplate={idx}"
            where[key] = (doc_id, idx)
            pages.append(Article(doc_id=key, title=None, text=text, url=None, outlet=None, published=None,
                                 date_kind=None, date_evidence=None, crawled=None,
                                 language=language.get(doc_id, "und"), source_paths=[], fmt="boilerplate"))
    return [replace(m, doc_id=where[m.doc_id][0], boilerplate_idx=where[m.doc_id][1])
            for m in match_narratives(pages, specs)]


def _provenance_columns(chains: Sequence[ProvenanceChain]) -> dict[str, list[Any]]:
    rows = [(c.chain_id, c.root, c.root_doc_id, c.root_is_credited, i, s.doc_id, s.outlet, s.date, s.date_kind,
             s.date_is_fallback, s.first_appearance, s.via_doc_id, s.via_kind, s.via_score)
            for c in chains for i, s in enumerate(c.steps)]
    names = ("chain_id", "root", "root_doc_id", "root_is_credited", "step", "doc_id", "outlet", "date",
             "date_kind", "date_is_fallback", "first_appearance", "via_doc_id", "via_kind", "via_score")
    return {name: [row[i] for row in rows] for i, name in enumerate(names)}


def run(paths: Sequence[str], db: str | Path, settings: Settings | None = None,
        progress: ProgressHook | None = None) -> RunSummary:
    """Ingest `paths` into the store at `db` and run the corpus stages; resumable."""
    settings = settings or Settings()
    files = expand_inputs(paths)
    with open_writer(db) as writer:
        state = writer.start_run([str(p) for p in paths], settings.result_settings())
        summary = RunSummary(run_id=state.run_id, resumed=state.resumed, db=Path(db))
        summary.stages.extend(ingest(writer, state.run_id, files, settings, progress))
        summary.stages.extend(corpus_stages(writer, settings, progress))
        writer.finish_run(state.run_id, {s.name: s.as_dict() for s in summary.stages})
    return summary


__all__ = ["DocContext", "RunSummary", "StageReport", "process_document", "run"]
