"""The command line: `echotrace run | status | export | report | …`.

Commands other than `run` only read the store.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import duckdb
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from echotrace import queries
from echotrace.config import Settings, parse_columns
from echotrace.store.duckdb import StoreLocked, StoreMissing, open_reader

if TYPE_CHECKING:  # the pipeline's imports (spaCy, scikit-learn, …) cost ~1.4 s: only `run` pays them
    from echotrace.pipeline import ProgressHook, RunSummary

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Trace how stories, quotes and narratives echo across outlets, languages and time.")
console = Console(stderr=True)
# Query results go to stdout, wide enough to read when piped into a file or a pager.
# Article-derived strings ("[Source: TASS]", titles with brackets) are printed as they are: no markup.
out = Console(width=None if sys.stdout.isatty() else 160, markup=False, highlight=False)
DbOption = Annotated[Path, typer.Option("--db", help="DuckDB store file.")]


@contextmanager
def _progress() -> Iterator[ProgressHook]:
    tasks: dict[str, TaskID] = {}
    with Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        def hook(stage: str, done: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)
        yield hook


def _print_summary(summary: RunSummary) -> None:
    table = Table(title=f"run {summary.run_id}" + (" (resumed)" if summary.resumed else ""))
    table.add_column("stage")
    table.add_column("units", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("units/s", justify="right")
    table.add_column("details")
    for stage in summary.stages:
        rate = f"{stage.count / stage.seconds:,.0f}" if stage.seconds > 0 else "-"
        details = ", ".join(f"{k} {v:,}" for k, v in stage.detail.items())
        table.add_row(stage.name, f"{stage.count:,}", f"{stage.seconds:.2f}", rate, details)
    console.print(table)


@app.command()
def run(
    paths: Annotated[list[str], typer.Argument(help="Folders (recursive), files or globs.")],
    db: DbOption = Path("corpus.duckdb"),
    columns: Annotated[str | None, typer.Option(
        help="CSV/JSON field names, e.g. text=body,title=headline,date=pubdate,outlet=site")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 2).")] = None,
    engine: Annotated[str | None, typer.Option(help="local (process pool) or dask.")] = None,
    scheduler: Annotated[str | None, typer.Option(
        help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster).")] = None,
    batch_size: Annotated[int | None, typer.Option(
        help="Documents per commit to the store (default 1000): a killed run redoes at most these.")] = None,
    max_file_mb: Annotated[int | None, typer.Option(help="Skip files larger than this.")] = None,
    aliases: Annotated[list[Path] | None, typer.Option(help="Extra alias table (YAML).")] = None,
    catalogue: Annotated[list[Path] | None, typer.Option(help="Narrative catalogue (YAML/CSV/JSON).")] = None,
    config: Annotated[Path | None, typer.Option(help="TOML settings file ([echotrace] table).")] = None,
    fast_quotes: Annotated[bool, typer.Option(
        "--fast-quotes", help="Tag English quotes from word features alone (no parse, no neural classifier): "
        "~12x faster on English, fewer found.")] = False,
) -> None:
    """Ingest pages into the store and run every stage; re-running never duplicates."""
    from echotrace.pipeline import run as run_pipeline

    try:
        settings = Settings.load(
            config, workers=workers, engine=engine, scheduler=scheduler, batch_size=batch_size,
            columns=parse_columns(columns) or None,
            max_file_bytes=max_file_mb * 2**20 if max_file_mb else None,
            aliases=[str(p) for p in aliases] if aliases else None,
            catalogues=[str(p) for p in catalogue] if catalogue else None,
            quote_syntax=False if fast_quotes else None)
        with _progress() as hook:
            summary = run_pipeline(paths, db, settings, progress=hook)
    except (FileNotFoundError, ValueError, StoreLocked) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    _print_summary(summary)
    console.print(f"store: {db}")


@app.command()
def status(db: DbOption = Path("corpus.duckdb")) -> None:
    """Counts per table, languages, outlets, date range, skipped inputs and their reasons."""
    with _reader(db) as con:
        info = queries.status(con)
    table = Table(title=f"store {db}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in info["tables"].items():
        table.add_row(name, f"{count:,}")
    out.print(table)
    out.print(f"published: {info['date_range'][0]} … {info['date_range'][1]}")
    for key in ("languages", "outlets", "date_kinds"):
        out.print(f"{key}: " + ", ".join(f"{k} {v}" for k, v in info[key]))
    if info["skipped"]:
        skipped = Table(title="skipped inputs")
        skipped.add_column("path")
        skipped.add_column("reason")
        for path, reason in info["skipped"]:
            skipped.add_row(path, reason)
        out.print(skipped)
    for run_row in info["runs"]:
        out.print(f"run {run_row[0]}: {run_row[1]} … {run_row[2] or '(unfinished)'} {run_row[3]}")


@app.command()
def export(
    db: DbOption = Path("corpus.duckdb"),
    parquet: Annotated[Path | None, typer.Option(help="Folder: one Parquet file per table.")] = None,
    partitioned: Annotated[bool, typer.Option(
        help="With --parquet: split per-article tables by publication month (hive layout month=YYYY-MM).")] = False,
    jsonl: Annotated[Path | None, typer.Option(
        help="A .jsonl file (one line per row, with its table) or a folder (one .jsonl per table).")] = None,
) -> None:
    """Export every table to Parquet or JSONL. Every read command also takes the Parquet folder as --db."""
    if parquet is None and jsonl is None:
        console.print("[red]error:[/red] give --parquet DIR and/or --jsonl FILE|DIR")
        raise typer.Exit(2)
    with _reader(db) as con:
        if parquet is not None:
            written = queries.export_parquet(con, parquet, partitioned=partitioned)
            console.print(f"parquet: {len(written)} tables in {parquet}")
        if jsonl is not None:
            rows = queries.export_jsonl(con, jsonl)
            console.print(f"jsonl: {rows:,} rows in {jsonl}")


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL over the tables (articles, quotes, doc_links, …); read-only.")],
    db: DbOption = Path("corpus.duckdb"),
    fmt: Annotated[str, typer.Option("--format", help="table, csv or jsonl.")] = "table",
) -> None:
    """Run your own query on the store, or in place on a Parquet export (--db FOLDER)."""
    if fmt not in ("table", "csv", "jsonl"):
        console.print(f"[red]error:[/red] --format must be table, csv or jsonl, not {escape(repr(fmt))}")
        raise typer.Exit(2)
    with _reader(db) as con:
        try:
            names, result = queries.run_sql(con, query)
        except duckdb.Error as exc:
            console.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(2) from exc
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(result)
    elif fmt == "jsonl":
        for row in result:
            sys.stdout.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False, default=str) + "\n")
    else:
        table = Table(*names)
        for row in result:
            table.add_row(*(Text("" if value is None else str(value)) for value in row))
        out.print(table)
        out.print(f"{len(result):,} rows")


@app.command()
def report(
    db: DbOption = Path("corpus.duckdb"),
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
) -> None:
    """Write one self-contained HTML report (no network needed to open it)."""
    from echotrace.report.html import write_report

    with _reader(db) as con:
        write_report(con, output)
    console.print(f"report: {output.resolve()}")


def _day(value: object) -> str:
    return str(value)[:10] if value else "—"


@app.command()
def provenance(
    doc_id: Annotated[str, typer.Argument(help="Article id (a unique prefix is enough).")],
    db: DbOption = Path("corpus.duckdb"),
) -> None:
    """The republication chain of an article: credited origin first, then every copy in date order."""
    with _reader(db) as con:
        matches = queries.resolve_doc_id(con, doc_id)
        if len(matches) != 1:
            found = ", ".join(matches)
            console.print(f"[red]error:[/red] {len(matches)} articles match {escape(repr(doc_id))}: {found}")
            raise typer.Exit(2)
        steps = queries.provenance(con, matches[0])
        if not steps:
            out.print(f"{matches[0]} is not linked to any other article.")
            return
        root = steps[0]
        origin = root["root"] + ("" if root["root_is_credited"] else " (first in corpus)")
        out.print(origin + ("  (credited origin, page not in the corpus)"
                                                   if root["root_is_credited"] and not root["root_doc_id"] else ""))
        for step in steps:
            marker = "first appearance" if step["first_appearance"] else f"{step['via_kind']} {step['via_score']:.2f}"
            fallback = " [crawl date]" if step["date_is_fallback"] else ""
            out.print(f"  → {step['outlet'] or '(unknown outlet)'} ({_day(step['date'])}{fallback}) "
                          f"{step['doc_id'][:12]}  {step['title'] or ''}  [{marker}]")
            if step["via_doc_id"]:
                for passage in queries.shared_passages(con, step["via_doc_id"], step["doc_id"], limit=2):
                    out.print(f"      shared ({passage['score']:.2f}): “{passage['a_text'][:120]}”")
                    out.print(f"                     “{passage['b_text'][:120]}”")


def _statement(text: str, kind: str | None, cue: str | None) -> str:
    """A speaker's own words in quotation marks; reported speech (the outlet's words, or its words
    around a quoted fragment) after its cue ("(denied) that …"), never dressed as a verbatim quote.
    Imported here: the quote rules load their tables, which only `quotes --speaker` needs."""
    from echotrace.annotate.quote_tokens import opens_inside_quote, quotes_words
    from echotrace.annotate.quotes import cue_label

    if kind == "indirect":
        return f"({cue_label(cue)}) {text}"
    return f"“{text}”" if not quotes_words(text) or opens_inside_quote(text) else text


@app.command()
def quotes(
    speaker: Annotated[str, typer.Option(help="Speaker name or entity id (substring).")],
    db: DbOption = Path("corpus.duckdb"),
) -> None:
    """A speaker's statements, each with every outlet and language that carried it, first appearance first."""
    with _reader(db) as con:
        statements = queries.speaker_statements(con, speaker)
    if not statements:
        out.print(f"no statements by {speaker!r}")
        return
    for st in statements:
        out.print(f"{st['speaker_name']} · {st['n_docs']} article{'' if st['n_docs'] == 1 else 's'} · "
                  f"first {_day(st['first_published'])} ({st['first_doc_id'][:12]})")
        out.print(f"  {_statement(st['text'], st['kind'], st['cue'])}")
        out.print(f"  outlets: {', '.join(st['outlets'])} · languages: {', '.join(st['languages'])}")


@app.command()
def narratives(db: DbOption = Path("corpus.duckdb")) -> None:
    """Narratives (catalogued and discovered) with their spread: articles, outlets, stories, months."""
    with _reader(db) as con:
        spread = queries.narrative_spread(con)
    table = Table(title="narratives")
    for column in ("id", "title", "origin", "articles", "outlets", "stories", "months", "first seen"):
        table.add_column(column)
    for n in spread:
        table.add_row(n["narrative_id"], n["title"], n["origin"], str(n["n_docs"]), str(n["n_outlets"]),
                      str(n["n_stories"]), str(n["n_months"]), _day(n["first_seen"]))
    out.print(table)


@app.command()
def narrative(
    narrative_id: Annotated[str, typer.Argument(help="Narrative id (see `echotrace narratives`).")],
    db: DbOption = Path("corpus.duckdb"),
) -> None:
    """The evidence passages of one narrative, earliest first, and its outlet × month spread."""
    with _reader(db) as con:
        evidence = queries.narrative_evidence(con, narrative_id)
        spread = queries.narrative_month_outlet(con, narrative_id)
    if not evidence:
        out.print(f"no evidence for narrative {narrative_id!r}")
        raise typer.Exit(1)
    for e in evidence:
        who = f" · quoting {e['speakers']}" if e["speakers"] else ""
        where = (f"[{e['start']}:{e['end']}]" if e["boilerplate_idx"] is None
                 else "[in the page's related headlines, removed from the text]")
        out.print(f"{_day(e['published'])} · {e['outlet'] or '(unknown outlet)'} · {e['doc_id'][:12]} "
                  f"{where} score {e['score']:.2f}{who}")
        out.print(f"  “{e['text']}”")
    out.print("\nby month and outlet: " + ", ".join(f"{r['month']} {r['outlet']} {r['n']}" for r in spread))


@app.command()
def serve(
    db: DbOption = Path("corpus.duckdb"),
    host: Annotated[str, typer.Option(help="Interface to bind; anything but localhost is exposed.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8765,
) -> None:
    """A local web app over the store: search, filters, evidence, side-by-side, story graphs."""
    import uvicorn

    from echotrace.web.app import create_app

    if not db.exists():
        console.print(f"[red]error:[/red] no store at {db}")
        raise typer.Exit(2)
    if host not in ("127.0.0.1", "localhost", "::1"):
        console.print(f"[yellow]warning:[/yellow] binding {host}: the app will be reachable from other machines")
    console.print(f"echotrace app on http://{'[' + host + ']' if ':' in host else host}:{port}/  (Ctrl-C stops)")
    uvicorn.run(create_app(db), host=host, port=port, log_level="warning")


@contextmanager
def _reader(db: Path) -> Iterator[queries.Connection]:
    try:
        con = open_reader(db)
    except StoreMissing as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from exc
    try:
        yield con
    finally:
        con.close()


def main() -> None:
    app()

