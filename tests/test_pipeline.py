"""End to end: inputs -> store; idempotent re-runs, kill -9 and resume, export, report, locking."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from echotrace.config import Settings
from echotrace.pipeline import RunSummary, StageReport, run
from echotrace.records import doc_id_order
from echotrace.store.duckdb import StoreLocked, open_writer

from .conftest import DEMO

CONTENT_TABLES = ("articles", "paragraphs", "boilerplate", "credits", "skipped", "inputs")


def snapshot(db: Path, tables: tuple[str, ...] = CONTENT_TABLES) -> dict[str, list[tuple[object, ...]]]:
    """Table contents without the run ids, in a total order: what two equal stores share."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in tables:
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall() if r[0] != "run_id"]
            cols = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(f"SELECT {cols} FROM {table} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def ingest_report(summary: RunSummary) -> StageReport:
    return next(stage for stage in summary.stages if stage.name == "ingest")


def small_corpus(folder: Path, n: int = 60) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = "\n\n".join(
            f"Paragraph {j} of report {i}: the council of Eastvale met on Tuesday and agreed the budget "
            f"for district {i * 7 + j}, officials said." for j in range(4))
        (folder / f"page_{i:03d}.txt").write_text(f"Council report number {i}\n\n{body}\n", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 20)
    return folder


def test_run_is_idempotent_and_records_skips(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "in")
    db = tmp_path / "store.duckdb"
    settings = Settings(workers=1, batch_size=16)
    first = run([str(corpus)], db, settings)
    assert ingest_report(first).detail["articles"] == 60
    before = snapshot(db)
    assert len(before["articles"]) == 60
    assert {str(row[0]).rsplit("/", 1)[-1] for row in before["skipped"]} == {"empty.txt", "junk.bin"}
    second = run([str(corpus)], db, settings)
    assert ingest_report(second).detail.get("articles", 0) == 0
    assert snapshot(db) == before


def test_commits_follow_batch_size_not_worker_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker tasks hold at most 100 documents; the store gets one commit per `batch_size` documents."""
    from echotrace.store.duckdb import StoreWriter

    commits: list[int] = []
    write_batch = StoreWriter.write_batch

    def counted(self: StoreWriter, run_id: str, results: list[object]) -> tuple[int, int, int]:
        commits.append(len(results))
        return write_batch(self, run_id, results)  # type: ignore[arg-type]

    monkeypatch.setattr(StoreWriter, "write_batch", counted)
    corpus = small_corpus(tmp_path / "in", 318)  # + empty.txt and junk.bin: 320 inputs
    run([str(corpus)], tmp_path / "a.duckdb", Settings(workers=1, batch_size=150, stages=[]))
    assert commits == [200, 120]  # tasks of 100: the first commit waits for the second task
    commits.clear()
    run([str(corpus)], tmp_path / "b.duckdb", Settings(workers=1, batch_size=64, stages=[]))
    assert commits == [64] * 5


def test_same_text_from_two_files_is_one_document(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    text = "A headline\n\nThe same wire story, published twice by two sites, is one document."
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    (corpus / "b.txt").write_text(text.replace("  ", " "), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    run([str(corpus)], db, Settings(workers=1))
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute("SELECT source_paths FROM articles").fetchall()
    con.close()
    assert len(rows) == 1 and len(rows[0][0]) == 2


def test_second_writer_gets_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with open_writer(db), pytest.raises(StoreLocked, match=r"locked by PID \d+"):
        run([str(small_corpus(tmp_path / "in", 2))], db, Settings(workers=1))


def _run_cli(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
    process: subprocess.Popen[bytes] = subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "echotrace", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)
    return process


@pytest.mark.slow
def test_kill_and_resume_gives_the_same_store(tmp_path: Path) -> None:
    corpus = small_corpus(tmp_path / "in", 240)
    reference = tmp_path / "ref.duckdb"
    run([str(corpus)], reference, Settings(workers=1, batch_size=8))
    expected = snapshot(reference)

    db = tmp_path / "killed.duckdb"
    args = ["run", str(corpus), "--db", str(db), "--workers", "1", "--batch-size", "8"]
    proc = _run_cli(args)
    deadline = time.time() + 120
    while time.time() < deadline:  # kill once some batches, not all, are committed
        time.sleep(0.2)
        if db.exists():
            try:
                con = duckdb.connect(str(db), read_only=True)
                n = con.execute("SELECT count(*) FROM inputs").fetchone()[0]  # type: ignore[index]
                con.close()
            except duckdb.Error:
                continue
            if n >= 24:
                break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = snapshot(db)
    assert 0 < len(partial["inputs"]) < len(expected["inputs"]), "kill landed before or after the run"

    resumed = _run_cli(args)
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read() if resumed.stderr else ""
    assert snapshot(db) == expected
    con = duckdb.connect(str(db), read_only=True)
    runs = con.execute("SELECT status FROM runs").fetchall()
    con.close()
    assert runs == [("finished",)], "the resumed run continues the killed one"


def test_export_parquet_and_jsonl(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    run([str(small_corpus(tmp_path / "in", 5))], db, Settings(workers=1))
    out = subprocess.run([sys.executable, "-m", "echotrace", "export", "--db", str(db),
                          "--parquet", str(tmp_path / "pq"), "--jsonl", str(tmp_path / "all.jsonl")],
                         capture_output=True, text=True, check=True)
    assert "parquet" in out.stderr
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path / 'pq' / 'articles.parquet'}')").fetchone()
    assert n == (5,)
    lines = [json.loads(x) for x in (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(1 for x in lines if x["table"] == "articles") == 5
    assert any(x["table"] == "skipped" for x in lines)


def test_report_escapes_untrusted_text(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(
        "<script>alert(1)</script> headline\n\nBody with </script><img src=x onerror=alert(2)> and "
        "<!-- a comment --> and &amp; entities, long enough to be an article paragraph.",
        encoding="utf-8")
    db = tmp_path / "s.duckdb"
    run([str(corpus)], db, Settings(workers=1))
    report = tmp_path / "r.html"
    subprocess.run([sys.executable, "-m", "echotrace", "report", "--db", str(db), "-o", str(report)],
                   check=True, capture_output=True)
    html = report.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "</script><img" not in html
    assert html.count("<script") == 2  # the JSON block and the page script, nothing else


@pytest.mark.slow
def test_demo_corpus_runs(tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    summary = run([str(DEMO)], db, Settings(workers=2))
    assert ingest_report(summary).detail["articles"] >= 40
    con = duckdb.connect(str(db), read_only=True)
    languages = {r[0] for r in con.execute("SELECT DISTINCT lang FROM paragraphs").fetchall()}
    con.close()
    assert {"en", "fr", "de"} <= languages


def test_query_commands_print_bracketed_text_as_it_is(tmp_path: Path) -> None:
    """Titles and outlets like "[/bold] [Source: X]" are article text, not terminal markup."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(json.dumps({
        "title": "Talks [/bold] resume [red]", "outlet": "[/b] Wire", "date": "2024-05-01",
        "text": "The talks resumed on Monday, officials said, after a week of delays over the agenda.",
    }) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    run([str(corpus)], db, Settings(workers=1))
    result = subprocess.run([sys.executable, "-m", "echotrace", "status", "--db", str(db)],
                            capture_output=True, text=True, check=True)
    assert "[/b] Wire 1" in result.stdout


def test_partitioned_parquet_export_is_queried_in_place(tmp_path: Path) -> None:
    """`export --parquet --partitioned` splits per-article tables by month; every read command and
    `sql` take the folder as --db and see the same rows as the store."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    records = [{"title": f"Budget talks, round {i}", "outlet": "Eastvale Courier",
                "date": f"2024-0{1 + i % 3}-1{i}",
                "text": f"Round {i} of the budget talks in Eastvale ended on Monday without a deal, "
                        f"officials said, and district {i} will wait another week."} for i in range(6)]
    records.append({"title": "Undated note", "outlet": "Eastvale Courier",
                    "text": "A note with no date about the harbour works, long enough to be an article."})
    (corpus / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    run([str(corpus)], db, Settings(workers=1, stages=[]))
    folder = tmp_path / "pq"
    cli = [sys.executable, "-m", "echotrace"]
    subprocess.run([*cli, "export", "--db", str(db), "--parquet", str(folder), "--partitioned"],
                   capture_output=True, text=True, check=True)
    months = sorted(p.name for p in (folder / "articles").iterdir())
    assert months == ["month=2024-01", "month=2024-02", "month=2024-03", "month=unknown"]
    assert (folder / "skipped.parquet").is_file()  # no doc_id: one file

    query = "SELECT outlet, count(*) AS n FROM articles GROUP BY outlet"
    from_store = subprocess.run([*cli, "sql", query, "--db", str(db), "--format", "csv"],
                                capture_output=True, text=True, check=True).stdout
    in_place = subprocess.run([*cli, "sql", query, "--db", str(folder), "--format", "csv"],
                              capture_output=True, text=True, check=True).stdout
    assert from_store == in_place == "outlet,n\nEastvale Courier,7\n"
    status = subprocess.run([*cli, "status", "--db", str(folder)], capture_output=True, text=True, check=True)
    assert "articles" in status.stdout and "7" in status.stdout

    refused = subprocess.run([*cli, "sql", "DELETE FROM articles", "--db", str(db)],
                             capture_output=True, text=True)
    assert refused.returncode == 2 and "read-only" in refused.stderr.lower()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM articles").fetchone() == (7,)
    con.close()


def test_fast_quotes_setting_is_recorded_and_still_finds_direct_quotes(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "bridge.txt").write_text(
        "Eastvale bridge to reopen\n\n“We will reopen the bridge before the spring floods arrive,” Mayor Ana "
        "Ortiz said on Monday. Engineers said the repairs had cost twice the estimate.\n", encoding="utf-8")
    quotes = {}
    for fast in (False, True):
        db = tmp_path / f"fast-{fast}.duckdb"
        run([str(corpus)], db, Settings(workers=1, quote_syntax=not fast, stages=["quotes"]))
        con = duckdb.connect(str(db), read_only=True)
        try:
            quotes[fast] = con.execute("SELECT text, speaker_name FROM quotes ORDER BY start").fetchall()
            row = con.execute("SELECT settings FROM runs").fetchone()
            assert row is not None
            settings = json.loads(row[0])
        finally:
            con.close()
        assert settings["quote_syntax"] is (not fast)
    for found in quotes.values():
        assert any("reopen the bridge" in text and speaker and "Ortiz" in speaker for text, speaker in found)


def test_stored_articles_read_texts_back_from_disk(tmp_path: Path) -> None:
    """The corpus stages' view of the store: every article as ingested (texts in any script,
    paragraphs, credits), in doc_id order, with no text held in memory and no file left behind."""
    corpus = small_corpus(tmp_path / "in", n=5)
    (corpus / "page_ru.txt").write_text(
        "Путин: «Нужно объединить усилия» 🙂\n\nТАСС сообщил об этом во вторник.\n", encoding="utf-8")
    db = tmp_path / "store.duckdb"
    run([str(corpus)], db, Settings(workers=1, stages=[]))
    con = duckdb.connect(str(db), read_only=True)
    texts = dict(con.execute("SELECT doc_id, text FROM articles").fetchall())
    paragraphs = dict(con.execute("SELECT doc_id, count(*) FROM paragraphs GROUP BY 1").fetchall())
    con.close()
    with open_writer(db) as writer, writer.load_articles() as articles:
        assert [a.doc_id for a in articles] == sorted(texts)
        assert all(a.text == texts[a.doc_id] for a in articles)
        assert all(len(a.paragraphs) == paragraphs.get(a.doc_id, 0) for a in articles)
        assert all(a.text[p.start:p.end].strip() for a in articles for p in a.paragraphs)
        assert articles[-1] == articles[len(articles) - 1] and articles[1:3] == list(articles)[1:3]
        assert not any(texts[a.doc_id] in fields for a, fields in zip(articles, articles._fields, strict=True))
        assert doc_id_order(articles) is articles  # the stages do not build them all into a list
        assert [a.doc_id for a in doc_id_order(list(reversed(articles)))] == sorted(texts)
        with pytest.raises(IndexError):
            articles[len(articles)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "store.duckdb", "store.duckdb.lock"]


def test_quotes_command_names_speakers_by_the_alias_table_and_marks_reported_speech(tmp_path: Path) -> None:
    """Two spellings of one person in the alias table are one speaker under its name (one with an initial,
    which the speaker's words read without its full stop); her reported
    statements are shown after their cue, so a denial never reads as a claim, without their "that", and
    her own words in quotation marks."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Dam repairs before the rains\n\nMayor Lena Fisher said that the dam on the Varo river would be repaired "
        "before the autumn rains came back. She denied that the town had ignored the engineers' warnings.\n",
        encoding="utf-8")
    (corpus / "b.txt").write_text(
        "Town prepares for winter\n\n\"The dam will hold this winter, and the town will not flood again,\" "
        "Lena M. Fischer told reporters on Monday.\n", encoding="utf-8")
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("entities:\n  - id: lena-fischer\n    name: Lena Fischer\n    type: person\n"
                       "    aliases: [Lena Fischer, Lena Fisher, Lena M. Fischer]\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    run([str(corpus)], db, Settings(workers=1, aliases=[str(aliases)]))
    con = duckdb.connect(str(db), read_only=True)
    assert {r[0] for r in con.execute("SELECT speaker_name FROM quotes").fetchall()} == {"Lena Fischer"}
    con.close()
    result = subprocess.run([sys.executable, "-m", "echotrace", "quotes", "--speaker", "Fischer", "--db", str(db)],
                            capture_output=True, text=True, check=True)
    lines = [" ".join(line.split()) for line in result.stdout.splitlines()]
    assert "(said) the dam on the Varo river would be repaired before the autumn rains came back" in lines
    assert "(denied) the town had ignored the engineers' warnings" in lines
    assert "“The dam will hold this winter, and the town will not flood again”" in lines
    assert sum(line.startswith("Lena Fischer · 1 article ·") for line in lines) == 3


def test_a_person_named_with_and_without_a_middle_initial_is_one_entity(tmp_path: Path) -> None:
    """Outlets that write "Tomas K. Varga" and outlets that write "Tomas Varga" name one person: one entity,
    whose mentions and statements, in both spellings, carry its id."""
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "Port tariffs to rise\n\nHarbour commissioner Tomas K. Varga said on Monday that tariffs at the Eastvale "
        "port would rise in March. Shipping firms were told by letter.\n", encoding="utf-8")
    (corpus / "b.txt").write_text(
        "Shippers protest new tariffs\n\n\"The rise is needed to pay for the new quay,\" Tomas Varga told "
        "reporters in Eastvale on Tuesday. Three shipping firms said they would protest.\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    summary = run([str(corpus)], db, Settings(workers=1))
    assert next(stage for stage in summary.stages if stage.name == "entity ids").count == 1
    con = duckdb.connect(str(db), read_only=True)
    try:
        entity = con.execute("SELECT entity_id, name, aliases FROM entities WHERE name LIKE '%Varga%'").fetchall()
        assert entity == [("x:tomas-varga", "Tomas K. Varga", ["Tomas K. Varga", "Tomas Varga"])]
        assert {r[0] for r in con.execute("SELECT entity_id FROM mentions WHERE text LIKE '%Varga'").fetchall()} \
            == {"x:tomas-varga"}
        speakers = con.execute("SELECT speaker_name, speaker_entity_id FROM quotes WHERE speaker_name LIKE '%Varga' "
                               "ORDER BY doc_id").fetchall()
        assert speakers == [("Tomas K. Varga", "x:tomas-varga"), ("Tomas Varga", "x:tomas-varga")]
    finally:
        con.close()
