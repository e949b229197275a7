"""The store: one embedded DuckDB file holding the public schema.

Only the pipeline writes (through `StoreWriter`); the report, the web app and the query commands
open it read-only. A writer holds an OS lock on `<db>.lock` for the whole run, so a second writer
fails at once with the PID that holds it, and opens the database only while it commits a batch,
so readers can look at a store while a run is going on. Every batch is one transaction that also
records which input units it covered: a run killed at any point resumes without losing or
doubling anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

import duckdb
import pyarrow as pa

from echotrace.records import (
    Article,
    Credit,
    DocLink,
    DocResult,
    Entity,
    LinkSpan,
    Mention,
    Narrative,
    NarrativeMatch,
    Paragraph,
    Quote,
    QuoteGroup,
    Skipped,
    StoryMember,
)
from echotrace.store.articles import StoredArticles

SCHEMA = (Path(__file__).with_name("schema.sql")).read_text(encoding="utf-8")
TABLES = (
    "articles", "paragraphs", "boilerplate", "credits", "skipped", "entities", "mentions",
    "quotes", "quote_groups", "doc_links", "link_spans", "stories", "narratives",
    "narrative_matches", "provenance", "runs", "inputs",
)
_CONNECT_RETRIES = 50


class StoreLocked(RuntimeError):
    """Another process is writing this store."""


class StoreMissing(FileNotFoundError):
    """A reader was pointed at a store that does not exist."""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


PARTITION_COLUMN = "month"
"""Partitioned Parquet exports split per-article tables by the article's publication month."""


def open_reader(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection; waits briefly while a writer commits a batch.

    A folder written by `echotrace export --parquet` is read in place: every table becomes a view
    over its Parquet file or partitioned dataset, so every read command works on either.
    """
    path = Path(path)
    if not path.exists():
        raise StoreMissing(f"no store at {path}: run `echotrace run PATH --db {path}` first")
    if path.is_dir():
        return _open_parquet(path)
    for attempt in range(_CONNECT_RETRIES):
        try:
            return duckdb.connect(str(path), read_only=True)
        except duckdb.IOException:
            if attempt == _CONNECT_RETRIES - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


def _open_parquet(folder: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    found = 0
    for name in TABLES:
        single, dataset = folder / f"{name}.parquet", folder / name
        if single.is_file():
            source = f"read_parquet('{_sql_literal(single)}')"
        elif dataset.is_dir() and any(dataset.rglob("*.parquet")):
            source = (f"(SELECT * EXCLUDE ({PARTITION_COLUMN}) FROM read_parquet("
                      f"'{_sql_literal(dataset)}/**/*.parquet', hive_partitioning = true))")
        else:
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM ({_empty_table(name)})')
            continue
        con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM {source}')
        found += 1
    if not found:
        con.close()
        raise StoreMissing(f"{folder} holds no echotrace Parquet export (`echotrace export --parquet DIR`)")
    return con


def _empty_table(name: str) -> str:
    """An empty relation with the table's schema, for a table the export did not include."""
    schema = duckdb.connect(":memory:")
    schema.execute(SCHEMA)
    columns = schema.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [name]).fetchall()
    schema.close()
    return "SELECT " + ", ".join(f'CAST(NULL AS {kind}) AS "{column}"' for column, kind in columns) + " WHERE false"


def _sql_literal(path: Path) -> str:
    return str(path).replace("'", "''")


@dataclass(slots=True)
class RunState:
    run_id: str
    resumed: bool


class StoreWriter:
    """Holds the write lock; opens the database per transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock_file: Any = None

    # -- lock -----------------------------------------------------------------------------
    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the run
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise StoreLocked(f"store {self.path} is locked by PID {holder} (a run is writing it)") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock_file = handle
        with self.transaction() as con:
            con.execute(SCHEMA)

    def release(self) -> None:
        if self._lock_file is not None:
            with contextlib.suppress(OSError):
                self._lock_file.seek(0)
                self._lock_file.truncate()
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._connect()
        try:
            con.execute("BEGIN TRANSACTION")
            yield con
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        for attempt in range(_CONNECT_RETRIES):
            try:
                return duckdb.connect(str(self.path))
            except duckdb.IOException:
                # A reader holds the file for a moment; readers are short-lived.
                if attempt == _CONNECT_RETRIES - 1:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    # -- runs -----------------------------------------------------------------------------
    def start_run(self, inputs: Sequence[str], settings: dict[str, Any]) -> RunState:
        """Resume the last run when it did not finish and was given the same inputs and settings."""
        inputs_json = json.dumps(list(inputs))
        settings_json = json.dumps(settings, sort_keys=True)
        with self.transaction() as con:
            last = con.execute(
                "SELECT run_id, status, inputs, settings FROM runs ORDER BY started DESC LIMIT 1"
            ).fetchone()
            if last and last[1] == "running" and last[2] == inputs_json and last[3] == settings_json:
                return RunState(run_id=last[0], resumed=True)
            run_id = _now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
            con.execute(
                "INSERT INTO runs (run_id, started, status, inputs, settings) VALUES (?, ?, 'running', ?, ?)",
                [run_id, _now(), inputs_json, settings_json],
            )
        return RunState(run_id=run_id, resumed=False)

    def finish_run(self, run_id: str, counts: dict[str, Any]) -> None:
        with self.transaction() as con:
            con.execute(
                "UPDATE runs SET finished = ?, status = 'finished', counts = ? WHERE run_id = ?",
                [_now(), json.dumps(counts), run_id],
            )

    def seen_sources(self) -> set[str]:
        with self.transaction() as con:
            return {row[0] for row in con.execute("SELECT source FROM inputs").fetchall()}

    # -- per-document results --------------------------------------------------------------
    def write_batch(self, run_id: str, results: Sequence[DocResult | Skipped]) -> tuple[int, int, int]:
        """One transaction: new articles and their rows, extra sources of known ones, skips.

        Returns (new articles, extra sources merged into known articles, skipped).
        """
        docs = [r for r in results if isinstance(r, DocResult)]
        skips = [r for r in results if isinstance(r, Skipped)]
        with self.transaction() as con:
            ids = sorted({d.article.doc_id for d in docs})
            known: set[str] = set()
            if ids:
                con.register("batch_ids", pa.table({"doc_id": ids}))
                known = {r[0] for r in con.execute(
                    "SELECT doc_id FROM articles JOIN batch_ids USING (doc_id)").fetchall()}
                con.unregister("batch_ids")
            new: dict[str, DocResult] = {}
            extra: dict[str, set[str]] = {}
            for doc in docs:
                doc_id = doc.article.doc_id
                if doc_id in known or doc_id in new:
                    extra.setdefault(doc_id, set()).add(doc.source)
                else:
                    new[doc_id] = doc
            self._insert_documents(con, run_id, list(new.values()))
            for doc_id, sources in sorted(extra.items()):
                con.execute(
                    "UPDATE articles SET source_paths = list_sort(list_distinct(list_concat(source_paths, ?)))"
                    " WHERE doc_id = ?",
                    [sorted(sources), doc_id],
                )
            if skips:
                _append(con, "skipped", {
                    "path": [s.source for s in skips], "code": [s.code for s in skips],
                    "reason": [s.reason for s in skips], "run_id": [run_id] * len(skips),
                })
            units = [(d.source, d.article.doc_id) for d in docs] + [(s.source, None) for s in skips]
            if units:
                _append(con, "inputs", {
                    "source": [u[0] for u in units], "doc_id": [u[1] for u in units],
                    "run_id": [run_id] * len(units),
                })
        return len(new), sum(len(v) for v in extra.values()), len(skips)

    def _insert_documents(self, con: duckdb.DuckDBPyConnection, run_id: str, docs: list[DocResult]) -> None:
        if not docs:
            return
        arts = [d.article for d in docs]
        _append(con, "articles", {
            "doc_id": [a.doc_id for a in arts], "title": [a.title for a in arts],
            "text": [a.text for a in arts], "url": [a.url for a in arts],
            "outlet": [a.outlet for a in arts], "outlet_evidence": [a.outlet_evidence for a in arts],
            "published": [_naive_utc(a.published) for a in arts], "date_kind": [a.date_kind for a in arts],
            "date_evidence": [a.date_evidence for a in arts],
            "crawled": [_naive_utc(a.crawled) for a in arts], "language": [a.language for a in arts],
            "source_paths": [sorted(set(a.source_paths) | {d.source}) for a, d in zip(arts, docs, strict=True)],
            "fmt": [a.fmt for a in arts], "n_chars": [len(a.text) for a in arts],
            "run_id": [run_id] * len(arts),
        })
        _append(con, "paragraphs", _columns(
            ("doc_id", "idx", "start", "end", "lang", "text"),
            [(a.doc_id, p.idx, p.start, p.end, p.lang, a.text[p.start : p.end]) for a in arts for p in a.paragraphs]))
        _append(con, "boilerplate", _columns(
            ("doc_id", "idx", "text", "reason"),
            [(a.doc_id, i, b.text, b.reason) for a in arts for i, b in enumerate(a.boilerplate)]))
        _append(con, "credits", _columns(
            ("doc_id", "name", "role", "start", "end", "evidence"),
            [(a.doc_id, c.name, c.role, c.start, c.end, c.evidence) for a in arts for c in a.credits]))
        _append(con, "mentions", _columns(
            ("doc_id", "start", "end", "entity_id", "text", "method", "salience"),
            [(m.doc_id, m.start, m.end, m.entity_id, m.text, m.method, m.salience)
             for d in docs for m in d.mentions]))
        _append(con, "quotes", _quote_columns([q for d in docs for q in d.quotes]))

    # -- corpus-level results: replaced whole, in one transaction --------------------------
    def replace_corpus_results(
        self,
        *,
        entities: Sequence[Entity] | None = None,
        links: Sequence[DocLink] | None = None,
        link_spans: Sequence[LinkSpan] | None = None,
        stories: Sequence[StoryMember] | None = None,
        narratives: Sequence[Narrative] | None = None,
        narrative_matches: Sequence[NarrativeMatch] | None = None,
    ) -> None:
        tables: dict[str, dict[str, list[Any]] | None] = {
            "entities": None if entities is None else _columns(
                ("entity_id", "name", "type", "aliases"),
                [(e.entity_id, e.name, e.type, list(e.aliases)) for e in entities]),
            "doc_links": None if links is None else _columns(
                ("doc_a", "doc_b", "kind", "score", "earlier", "method"),
                [(lk.doc_a, lk.doc_b, lk.kind, lk.score, lk.earlier, lk.method) for lk in links]),
            "link_spans": None if link_spans is None else _columns(
                ("doc_a", "a_start", "a_end", "doc_b", "b_start", "b_end", "score"),
                [(s.doc_a, s.a_start, s.a_end, s.doc_b, s.b_start, s.b_end, s.score) for s in link_spans]),
            "stories": None if stories is None else _columns(
                ("story_id", "doc_id", "label"), [(s.story_id, s.doc_id, s.label) for s in stories]),
            "narratives": None if narratives is None else _columns(
                ("narrative_id", "title", "origin", "description"),
                [(n.narrative_id, n.title, n.origin, n.description) for n in narratives]),
            "narrative_matches": None if narrative_matches is None else _columns(
                ("narrative_id", "doc_id", "start", "end", "score", "text", "boilerplate_idx"),
                [(m.narrative_id, m.doc_id, m.start, m.end, m.score, m.text, m.boilerplate_idx)
                 for m in narrative_matches]),
        }
        with self.transaction() as con:
            for name, columns in tables.items():
                if columns is None:
                    continue
                con.execute(f"DELETE FROM {name}")
                _append(con, name, columns)

    def assign_quote_groups(self, quotes: Sequence[Quote], groups: Sequence[QuoteGroup]) -> None:
        """Set the stored quotes' group ids and replace the quote groups. Only the group column
        is written: rewriting the whole quotes table (1.4M rows at 100k generated documents)
        held every quote's columns twice over."""
        assignments = pa.table({"quote_id": [q.quote_id for q in quotes],  # noqa: F841 - read by the SQL
                                "group_id": [q.group_id for q in quotes]})
        with self.transaction() as con:
            con.execute("UPDATE quotes SET group_id = assignments.group_id FROM assignments "
                        "WHERE quotes.quote_id = assignments.quote_id")
            con.execute("DELETE FROM quote_groups")
            _append(con, "quote_groups", _columns(
                ("group_id", "first_doc_id", "n_docs", "speaker_entity_id", "speaker_name", "text"),
                [(g.group_id, g.first_doc_id, g.n_docs, g.speaker_entity_id, g.speaker_name, g.text)
                 for g in groups]))

    def merge_entities(self, merged: Mapping[str, str]) -> None:
        """Rewrite the entity ids of mentions and quote speakers: `merged` maps an id to the one that
        stands for it from now on (entities.initial_variants)."""
        if not merged:
            return
        ids = pa.table({"old": list(merged), "new": list(merged.values())})  # noqa: F841 - read by the SQL
        with self.transaction() as con:
            con.execute("UPDATE mentions SET entity_id = ids.new FROM ids WHERE mentions.entity_id = ids.old")
            con.execute("UPDATE quotes SET speaker_entity_id = ids.new FROM ids "
                        "WHERE quotes.speaker_entity_id = ids.old")

    def replace_rows(self, table: str, columns: dict[str, list[Any]]) -> None:
        """Replace a derived table whose rows are not one record type (e.g. provenance)."""
        if table not in TABLES:
            raise ValueError(f"unknown table {table}")
        with self.transaction() as con:
            con.execute(f"DELETE FROM {table}")
            _append(con, table, columns)

    # -- reading back what the per-document stages stored, for the corpus stages -----------
    def load_articles(self) -> StoredArticles:
        """The stored articles in doc_id order, their texts in a file beside the store
        (`StoredArticles`: close it, or use it as a context manager). One streaming pass:
        paragraphs and credits are merged in by doc_id from their own sorted results, so no table
        is held whole."""
        pool = _Pool()
        articles = StoredArticles(self.path.parent)
        try:
            with self.transaction() as con:
                paragraphs = _ByDoc(con.cursor().execute(
                    'SELECT doc_id, idx, start, "end", lang FROM paragraphs ORDER BY doc_id, idx'))
                credits = _ByDoc(con.cursor().execute(
                    'SELECT doc_id, name, role, start, "end", evidence FROM credits ORDER BY doc_id, start'))
                for r in _rows(con.execute("""
                        SELECT doc_id, title, text, url, outlet, published, date_kind, date_evidence, crawled,
                               language, source_paths, fmt, outlet_evidence
                        FROM articles ORDER BY doc_id""")):
                    articles.append(Article(
                        doc_id=pool(r[0]), title=r[1], text=r[2], url=r[3], outlet=pool(r[4]), published=r[5],
                        date_kind=pool(r[6]), date_evidence=r[7], crawled=r[8], language=pool(r[9]),
                        source_paths=list(r[10]), fmt=pool(r[11]),
                        paragraphs=[Paragraph(idx, start, end, pool(lang))
                                    for _, idx, start, end, lang in paragraphs.take(r[0])],
                        credits=[Credit(pool(name), pool(role), start, end, evidence)
                                 for _, name, role, start, end, evidence in credits.take(r[0])],
                        outlet_evidence=pool(r[12])))
        except BaseException:
            articles.close()
            raise
        return articles

    def load_boilerplate(self, reasons: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
        """Removed blocks of the given kinds per article, as (idx, text)."""
        out: dict[str, list[tuple[int, str]]] = {}
        with self.transaction() as con:
            for doc_id, idx, text in con.execute(
                    "SELECT doc_id, idx, text FROM boilerplate WHERE list_contains(?, reason) ORDER BY doc_id, idx",
                    [list(reasons)]).fetchall():
                out.setdefault(doc_id, []).append((idx, text))
        return out

    def load_entity_ids(self) -> list[str]:
        """The distinct entity ids the mentions name."""
        with self.transaction() as con:
            return [r[0] for r in con.execute("SELECT DISTINCT entity_id FROM mentions ORDER BY entity_id").fetchall()]

    def load_mentions(self) -> dict[str, list[Mention]]:
        out: dict[str, list[Mention]] = {}
        with self.transaction() as con:
            pool = _Pool()
            for doc_id, start, end, entity_id, text, method, salience in _rows(con.execute(
                    'SELECT doc_id, start, "end", entity_id, text, method, salience FROM mentions '
                    'ORDER BY doc_id, start, "end", entity_id')):
                doc_id = pool(doc_id)
                out.setdefault(doc_id, []).append(
                    Mention(doc_id, start, end, pool(entity_id), pool(text), pool(method), salience))
        return out

    def load_quotes(self) -> list[Quote]:
        pool = _Pool()
        with self.transaction() as con:
            return [Quote(quote_id, pool(doc_id), start, end, pool(text), pool(speaker), pool(entity), pool(kind),
                          speaker_start, speaker_end, cue_start, cue_end, pool(cue), pool(group_id))
                    for (quote_id, doc_id, start, end, text, speaker, entity, kind, speaker_start, speaker_end,
                         cue_start, cue_end, cue, group_id) in _rows(con.execute("""
                SELECT quote_id, doc_id, start, "end", text, speaker_name, speaker_entity_id, kind,
                       speaker_start, speaker_end, cue_start, cue_end, cue, group_id
                FROM quotes ORDER BY doc_id, start, quote_id"""))]

    def load_links(self) -> list[DocLink]:
        """The stored links, for corpus stages run without the links stage."""
        with self.transaction() as con:
            rows = con.execute("SELECT doc_a, doc_b, kind, score, earlier, method FROM doc_links "
                               "ORDER BY doc_a, doc_b").fetchall()
        return [DocLink(*r) for r in rows]

    def load_stories(self) -> list[StoryMember]:
        with self.transaction() as con:
            rows = con.execute("SELECT story_id, doc_id, label FROM stories ORDER BY story_id, doc_id").fetchall()
        return [StoryMember(*r) for r in rows]


@contextlib.contextmanager
def open_writer(path: str | Path) -> Iterator[StoreWriter]:
    writer = StoreWriter(Path(path))
    writer.acquire()
    try:
        yield writer
    finally:
        writer.release()


_FETCH_ROWS = 20_000


def _rows(cursor: duckdb.DuckDBPyConnection) -> Iterator[tuple[Any, ...]]:
    """A result's rows in chunks: the full list of tuples never sits beside the records built from it."""
    while chunk := cursor.fetchmany(_FETCH_ROWS):
        yield from chunk


class _ByDoc:
    """A result sorted by its first column (doc_id), handed out one doc_id at a time."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._rows = _rows(cursor)
        self._next: tuple[Any, ...] | None = next(self._rows, None)

    def take(self, doc_id: str) -> list[tuple[Any, ...]]:
        """The rows of `doc_id`; rows of smaller ids (no such article) are skipped."""
        out: list[tuple[Any, ...]] = []
        while self._next is not None and self._next[0] <= doc_id:
            if self._next[0] == doc_id:
                out.append(self._next)
            self._next = next(self._rows, None)
        return out


class _Pool:
    """One string object per distinct value (doc ids, entity ids, speakers, languages repeat tens
    of times per article): loading a corpus back costs memory per distinct value, not per row."""

    def __init__(self) -> None:
        self._seen: dict[str, str] = {}

    @overload
    def __call__(self, value: str) -> str: ...
    @overload
    def __call__(self, value: None) -> None: ...
    def __call__(self, value: str | None) -> str | None:
        return value if value is None else self._seen.setdefault(value, value)


def _columns(names: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> dict[str, list[Any]]:
    materialised = list(rows)
    return {name: [row[i] for row in materialised] for i, name in enumerate(names)}


def _quote_columns(quotes: list[Quote]) -> dict[str, list[Any]]:
    return _columns(
        ("quote_id", "doc_id", "start", "end", "text", "speaker_entity_id", "speaker_name", "kind",
         "speaker_start", "speaker_end", "cue_start", "cue_end", "cue", "group_id"),
        [(q.quote_id, q.doc_id, q.start, q.end, q.text, q.speaker_entity_id, q.speaker_name, q.kind,
          q.speaker_start, q.speaker_end, q.cue_start, q.cue_end, q.cue, q.group_id) for q in quotes])


def _append(con: duckdb.DuckDBPyConnection, table: str, columns: dict[str, list[Any]]) -> None:
    """Bulk insert through Arrow (row-by-row executemany is ~100x slower in DuckDB)."""
    if not columns or not next(iter(columns.values())):
        return
    batch = pa.table(columns)  # noqa: F841 - read by name in the SQL below
    names = ", ".join(f'"{n}"' for n in columns)
    con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM batch")
