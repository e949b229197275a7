"""Stage order, batching, resume, counts and timings.

`run()` is the only code that writes the store. Per-document stages (clean, metadata, language,
entities, quotes) run in worker processes over batches of `RawDoc`s; corpus stages (links,
quote groups, stories, narratives) run over what the store holds once every document is in.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from echotrace.annotate.entities import EntityIndex, entities_for
from echotrace.clean.text import RepeatedLines
from echotrace.config import Settings
from echotrace.documents import DocContext, init_worker, outlet_groups, process_batch
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

ProgressHook = Callable[[str, int, int | None], None]
"""Called as (stage name, units done so far, total units or None)."""


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
                counter.add(group, item.text)
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
        start_server([process_batch.__module__])  # workers are likely: their imports overlap the scan
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
                               initializer=init_worker, initargs=(context,)):
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
    before the next one starts: only the articles, mentions and links stay for the whole run.
    Mentions are loaded after the links and quote-group stages, which never read them: loading
    the 3.7M mentions of 100k generated articles peaked 1.5 GB above the articles."""
    reports: list[StageReport] = []
    stages = settings.stages
    if not stages:  # ingest only: loading the whole corpus back would be wasted
        return reports
    with _Timer("load", progress, reports) as report:
        articles = writer.load_articles()
        report.count = len(articles)
    if not articles:
        return reports
    links: list[DocLink] = []
    if "links" in stages:
        with _Timer("links", progress, reports) as report:
            links = _links_stage(writer, settings, articles, report)
    if "quotes" in stages:
        with _Timer("quote groups", progress, reports) as report:
            _quote_groups_stage(writer, articles, report)
    mentions: dict[str, list[Mention]] = {}
    if "entities" in stages or "stories" in stages:
        with _Timer("load mentions", progress, reports) as report:
            mentions = writer.load_mentions()
            report.count = sum(len(found) for found in mentions.values())
    if "entities" in stages:
        with _Timer("entities", progress, reports) as report:
            _entities_stage(writer, settings, mentions, report)
            report.count = len(articles)
    story_of: dict[str, str] = {}
    if "stories" in stages:
        with _Timer("stories", progress, reports) as report:
            members = cluster_stories(articles, mentions, links, existing=writer.load_stories())
            writer.replace_corpus_results(stories=members)
            story_of = {m.doc_id: m.story_id for m in members}
            report.count = len(articles)
            report.detail = {"stories": len(set(story_of.values()))}
    if "narratives" in stages:
        with _Timer("narratives", progress, reports) as report:
            _narratives_stage(writer, settings, articles, story_of, report)
    return reports


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


def _entities_stage(writer: StoreWriter, settings: Settings, mentions: Mapping[str, Sequence[Mention]],
                    report: StageReport) -> None:
    index = EntityIndex.load([Path(p) for p in settings.aliases])
    entities = entities_for([m for ms in mentions.values() for m in ms], index)
    writer.replace_corpus_results(entities=entities)
    report.detail = {"entities": len(entities), "mentions": sum(len(m) for m in mentions.values())}


def _quote_groups_stage(writer: StoreWriter, articles: Sequence[Article], report: StageReport) -> None:
    quotes = writer.load_quotes()
    published = {a.doc_id: a.published or a.crawled for a in articles}
    grouped, groups = group_quotes(quotes, published)
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


__all__ = ["RunSummary", "StageReport", "run"]
