"""Read-only questions to the store, shared by the CLI, the report and the web app.

Every query is parameterised; table names come from the fixed schema list, never from input.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb

from echotrace.store.duckdb import PARTITION_COLUMN, TABLES

Connection = duckdb.DuckDBPyConnection


def rows(con: Connection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def table_counts(con: Connection) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in TABLES:
        result = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        counts[name] = int(result[0]) if result else 0
    return counts


def status(con: Connection) -> dict[str, Any]:
    date_range = con.execute("SELECT min(published), max(published) FROM articles").fetchone() or (None, None)
    return {
        "tables": table_counts(con),
        "date_range": (date_range[0], date_range[1]),
        "languages": con.execute(
            "SELECT coalesce(language, '?'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1").fetchall(),
        "outlets": con.execute(
            "SELECT coalesce(outlet, '(unknown)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall(),
        "date_kinds": con.execute(
            "SELECT coalesce(date_kind, '(none)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall(),
        "skipped": con.execute("SELECT path, reason FROM skipped ORDER BY path").fetchall(),
        "runs": con.execute("SELECT run_id, started, finished, status FROM runs ORDER BY started").fetchall(),
    }


def export_parquet(con: Connection, folder: Path, partitioned: bool = False) -> list[Path]:
    """One Parquet file per table; `partitioned` splits every per-article table by publication month
    (hive layout `table/month=2017-06/`, `month=unknown` for undated articles), so a tool reading
    one period opens only its files. `open_reader(folder)` queries either layout in place."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        if partitioned and _has_column(con, name, "doc_id"):
            target = folder / name
            _drop_old_partitions(target)
            month = ("SELECT t.*, coalesce(strftime(a.published, '%Y-%m'), 'unknown') AS "
                     f'{PARTITION_COLUMN} FROM "{name}" t LEFT JOIN articles a USING (doc_id)')
            con.execute(f"COPY ({month}) TO '{_sql_path(target)}' "
                        f"(FORMAT PARQUET, PARTITION_BY ({PARTITION_COLUMN}), OVERWRITE_OR_IGNORE)")
        else:
            target = folder / f"{name}.parquet"
            con.execute(f"COPY \"{name}\" TO '{_sql_path(target)}' (FORMAT PARQUET)")
        written.append(target)
    return written


def _drop_old_partitions(dataset: Path) -> None:
    """A re-export must not leave months of an earlier export behind; only our own layout is removed."""
    if dataset.is_dir():
        for part in dataset.glob(f"{PARTITION_COLUMN}=*"):
            if part.is_dir():
                shutil.rmtree(part)


def _has_column(con: Connection, table: str, column: str) -> bool:
    found = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
                        [table, column]).fetchone()
    return bool(found and found[0])


def run_sql(con: Connection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """A user's own query on a read-only store (or in-memory views over a Parquet export)."""
    cur = con.execute(sql)
    if cur.description is None:
        return [], []
    return [d[0] for d in cur.description], cur.fetchall()


def export_jsonl(con: Connection, target: Path) -> int:
    """One file with a `table` key per line (target ends in .jsonl), else one file per table."""
    total = 0
    if target.suffix == ".jsonl":
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "w", encoding="utf-8") as out:
            for name in TABLES:
                for row in rows(con, f'SELECT * FROM "{name}"'):
                    out.write(json.dumps({"table": name, **row}, ensure_ascii=False, default=str) + "\n")
                    total += 1
        return total
    target.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        with open(target / f"{name}.jsonl", "w", encoding="utf-8") as out:
            for row in rows(con, f'SELECT * FROM "{name}"'):
                out.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
                total += 1
    return total


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def provenance(con: Connection, doc_id: str) -> list[dict[str, Any]]:
    """The chain holding `doc_id`, earliest first, with each step's article title."""
    return rows(con, """
        SELECT p.*, a.title FROM provenance p JOIN articles a USING (doc_id)
        WHERE p.chain_id IN (SELECT chain_id FROM provenance WHERE doc_id = ?)
        ORDER BY p.step""", [doc_id])


def shared_passages(con: Connection, doc_a: str, doc_b: str, limit: int = 5) -> list[dict[str, Any]]:
    """Aligned passages of two linked articles, best first, with their text."""
    return rows(con, """
        SELECT substr(a.text, s.a_start + 1, s.a_end - s.a_start) AS a_text,
               substr(b.text, s.b_start + 1, s.b_end - s.b_start) AS b_text, s.score
        FROM link_spans s JOIN articles a ON a.doc_id = s.doc_a JOIN articles b ON b.doc_id = s.doc_b
        WHERE (s.doc_a = ? AND s.doc_b = ?) OR (s.doc_a = ? AND s.doc_b = ?)
        ORDER BY s.score DESC LIMIT ?""", [doc_a, doc_b, doc_b, doc_a, limit])


def resolve_doc_id(con: Connection, prefix: str) -> list[str]:
    """Doc ids starting with `prefix` (users paste short ids)."""
    return [r[0] for r in con.execute(
        "SELECT doc_id FROM articles WHERE starts_with(doc_id, ?) ORDER BY doc_id LIMIT 5", [prefix]).fetchall()]


# A quote group's kind and cue are its first appearance's, the quote its text comes from: kind "direct" (its
# words are the speaker's) or "indirect" (reported speech, the outlet's words); the cue says what the speaker
# did with them ("said", "denied", "did not say", "according to").
_FIRST_QUOTE = "FROM quotes f WHERE f.group_id = g.group_id AND f.doc_id = g.first_doc_id"
FIRST_KIND = f"(SELECT min_by(f.kind, f.start) {_FIRST_QUOTE})"
FIRST_CUE = f"(SELECT min_by(f.cue, f.start) {_FIRST_QUOTE})"


def speaker_statements(con: Connection, speaker: str) -> list[dict[str, Any]]:
    """Quote groups of speakers whose name or entity matches, each with every outlet that carried it."""
    return rows(con, f"""
        SELECT g.group_id, g.speaker_name, g.n_docs, g.text, g.first_doc_id, {FIRST_KIND} AS kind,
               {FIRST_CUE} AS cue,
               list(DISTINCT coalesce(a.outlet, '(unknown)') ORDER BY coalesce(a.outlet, '(unknown)')) AS outlets,
               list(DISTINCT a.language ORDER BY a.language) AS languages,
               min(a.published) AS first_published, count(*) AS n_quotes
        FROM quote_groups g JOIN quotes q USING (group_id) JOIN articles a ON a.doc_id = q.doc_id
        WHERE g.speaker_name ILIKE '%' || ? || '%' OR g.speaker_entity_id ILIKE '%' || ? || '%'
        GROUP BY ALL ORDER BY g.n_docs DESC, first_published NULLS LAST, g.group_id""", [speaker, speaker])


def narrative_spread(con: Connection) -> list[dict[str, Any]]:
    """Every narrative with its reach: articles, outlets, stories, months, first appearance."""
    return rows(con, """
        WITH docs AS (
            SELECT DISTINCT m.narrative_id, m.doc_id FROM narrative_matches m
        )
        SELECT n.narrative_id, n.title, n.origin,
               count(DISTINCT d.doc_id) AS n_docs,
               count(DISTINCT a.outlet) AS n_outlets,
               count(DISTINCT s.story_id) AS n_stories,
               count(DISTINCT strftime(a.published, '%Y-%m')) AS n_months,
               min(a.published) AS first_seen,
               arg_min(a.doc_id, coalesce(a.published, a.crawled)) AS first_doc_id
        FROM narratives n LEFT JOIN docs d USING (narrative_id)
        LEFT JOIN articles a ON a.doc_id = d.doc_id
        LEFT JOIN stories s ON s.doc_id = d.doc_id
        GROUP BY ALL ORDER BY n_docs DESC, n.origin, n.narrative_id""")


def narrative_evidence(con: Connection, narrative_id: str) -> list[dict[str, Any]]:
    """Evidence passages of one narrative, earliest article first, with the speaker quoted there."""
    return rows(con, """
        SELECT m.doc_id, m.start, m."end", m.score, m.text, m.boilerplate_idx, a.title, a.outlet, a.published,
               a.date_kind,
               (SELECT string_agg(DISTINCT q.speaker_name, ', ') FROM quotes q
                 WHERE q.doc_id = m.doc_id AND m.boilerplate_idx IS NULL
                   AND q.start < m."end" AND m.start < q."end") AS speakers
        FROM narrative_matches m JOIN articles a USING (doc_id)
        WHERE m.narrative_id = ?
        ORDER BY a.published NULLS LAST, m.doc_id, m.start""", [narrative_id])


def narrative_month_outlet(con: Connection, narrative_id: str) -> list[dict[str, Any]]:
    return rows(con, """
        SELECT strftime(a.published, '%Y-%m') AS month, coalesce(a.outlet, '(unknown)') AS outlet,
               count(DISTINCT a.doc_id) AS n
        FROM narrative_matches m JOIN articles a USING (doc_id)
        WHERE m.narrative_id = ? AND a.published IS NOT NULL
        GROUP BY ALL ORDER BY month, outlet""", [narrative_id])
