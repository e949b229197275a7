"""Read-only questions to the store, shared by the CLI, the report and the web app.

Every query is parameterised; table names come from the fixed schema list, never from input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from echotrace.store.duckdb import TABLES

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


def export_parquet(con: Connection, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        target = folder / f"{name}.parquet"
        con.execute(f"COPY \"{name}\" TO '{_sql_path(target)}' (FORMAT PARQUET)")
        written.append(target)
    return written


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
