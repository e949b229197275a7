"""Reliability through `echotrace run`: hundreds of bad inputs, kill -9 and resume, a second writer,
readers during a run, and the per-file, per-article and per-document limits.

The corpus generator and the store checks are bench/reliability.py's (the benchmark runs the same
at 10,000 inputs and 10 kill points); here a ~500-unit corpus and 3 kill points keep CI short.
test_pipeline.py has the single-kill test over clean input and the in-process lock test.
"""

from __future__ import annotations

import gzip
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

import echotrace.pipeline as pipeline
from bench.reliability import (
    BAD_KINDS,
    Manifest,
    check_store,
    cli,
    committed_inputs,
    kill_group,
    kill_trial,
    make_corpus,
    run_to_end,
    snapshot,
    start,
    write_config,
)
from echotrace.config import Settings
from echotrace.errors import E003_TOO_LARGE, E012_TEXT_TOO_LONG, E013_TIMEOUT, E014_PROCESSING_ERROR
from echotrace.pipeline import run

KILL_POINTS = 3


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest, Path]:
    """~520 input units: every kind of bad input (each ~17 times) and good articles in mixed formats."""
    folder = tmp_path_factory.mktemp("reliability")
    manifest = make_corpus(folder / "corpus", n_bad=400, n_good=80, seed=11)
    return folder / "corpus", manifest, write_config(folder / "settings.toml", batch_size=25)


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_bad_inputs_are_all_skipped_with_reasons_and_good_ones_all_stored(
        bad_corpus: tuple[Path, Manifest, Path], tmp_path: Path) -> None:
    corpus, manifest, config = bad_corpus
    assert manifest.n_bad >= 400 and manifest.n_good >= 80
    db = tmp_path / "bad.duckdb"
    code, _seconds, err = run_to_end(cli(corpus, db, config), timeout=900)
    assert code == 0, err  # no crash
    check = check_store(db, manifest)
    assert not check.bad_without_skip_row, check.bad_without_skip_row[:5]
    assert not check.bad_wrong_code, check.bad_wrong_code[:5]
    assert not check.reason_missing_path, check.reason_missing_path[:5]
    assert not check.good_lost, check.good_lost[:5]
    expected_codes = {code for code in manifest.expected.values() if code}
    assert set(check.codes) == expected_codes and len(expected_codes) >= 12
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT count(*) FROM articles").fetchone()
    skipped = con.execute("SELECT count(*) FROM skipped").fetchone()
    con.close()
    assert stored == (manifest.n_good,) and skipped == (manifest.n_bad,)  # count check, nothing extra


def test_generator_covers_every_kind_deterministically(tmp_path: Path) -> None:
    first = make_corpus(tmp_path / "a", n_bad=2 * len(BAD_KINDS), n_good=10, seed=3)
    second = make_corpus(tmp_path / "b", n_bad=2 * len(BAD_KINDS), n_good=10, seed=3)
    moved = {source.replace(str(tmp_path / "b"), str(tmp_path / "a")): code
             for source, code in second.expected.items()}
    assert moved == first.expected
    kinds = {Path(source.split("#")[0]).name.split("_", 2)[2].split(".")[0] for source, code in
             first.expected.items() if code}
    assert kinds == set(BAD_KINDS)


# -- crash safety ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trial_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, Any], float]:
    """A corpus big enough for the worker pool (>= 300 units), small batches, and its reference store.

    Per-document stages only: corpus stages are recomputed whole at the end of every run (the
    benchmark kills runs with every stage on, here they would only make CI slower).
    """
    folder = tmp_path_factory.mktemp("trials")
    corpus = folder / "corpus"
    make_corpus(corpus, n_bad=240, n_good=40, seed=5)
    config = write_config(folder / "trial.toml", batch_size=15, stages=["entities", "quotes"])
    reference = folder / "reference.duckdb"
    code, seconds, err = run_to_end(cli(corpus, reference, config), timeout=900)
    assert code == 0, err
    return corpus, config, snapshot(reference), seconds


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_kill_at_random_points_and_resume_gives_the_reference_store(
        trial_setup: tuple[Path, Path, dict[str, Any], float], tmp_path: Path) -> None:
    corpus, config, expected, seconds = trial_setup
    assert len(expected["articles"]) >= 80 and len(expected["skipped"]) >= 240
    rng = random.Random(2024)
    for number in range(KILL_POINTS):
        delay = rng.uniform(0.1, 0.9) * seconds
        trial, _ = kill_trial(corpus, tmp_path / f"killed{number}.duckdb", config, delay, expected)
        assert trial.resumed_ok and trial.identical, (delay, trial.diff)


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_second_writer_is_refused_and_readers_work_during_a_run(
        trial_setup: tuple[Path, Path, dict[str, Any], float], tmp_path: Path) -> None:
    corpus, config, expected, _seconds = trial_setup
    db = tmp_path / "busy.duckdb"
    writer = start(cli(corpus, db, config))
    counts: list[int] = []
    refused: subprocess.CompletedProcess[str] | None = None
    try:
        deadline = time.time() + 600
        while writer.poll() is None and time.time() < deadline:
            count = committed_inputs(db)  # open_reader: a read-only connection between batches
            if count is not None:
                counts.append(count)
                if count and refused is None:
                    # Paused, the run cannot end (and free its lock) before the second writer has
                    # asked for it, however slowly that one starts on a loaded machine.
                    os.killpg(writer.pid, signal.SIGSTOP)
                    try:
                        refused = subprocess.run(cli(corpus, db, config), capture_output=True, text=True, timeout=300)
                    finally:
                        os.killpg(writer.pid, signal.SIGCONT)
            time.sleep(0.1)
        assert writer.wait(timeout=600) == 0
    finally:
        if writer.poll() is None:
            kill_group(writer)
    assert refused is not None, "the run ended before a batch was committed"
    message = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 2 and f"locked by PID {writer.pid}" in message, message
    assert len(counts) >= 2 and counts == sorted(counts), counts  # readers saw progress, never a rollback
    assert snapshot(db) == expected  # the refused writer changed nothing


# -- limits, each a skipped row -------------------------------------------------------------------

BODY = "\n\n".join(
    f"Paragraph {n}: the council of Eastvale met on Tuesday and agreed the budget for the bridge, "
    f"officials said, adding that repairs would start in spring." for n in range(4))


def _skips(db: Path) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT path, code FROM skipped").fetchall()
        return {path.rsplit("/", 1)[-1]: code for path, code in rows}
    finally:
        con.close()


def _articles(db: Path) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def test_file_size_and_decompressed_size_caps(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "ok.txt").write_text(f"Budget agreed\n\n{BODY}\n", encoding="utf-8")
    (corpus / "big.txt").write_text(f"Budget agreed twice\n\n{BODY * 40}\n", encoding="utf-8")
    (corpus / "bomb.txt.gz").write_bytes(gzip.compress(b"A" * 500_000, mtime=0))
    db = tmp_path / "s.duckdb"
    run([str(corpus)], db, Settings(workers=1, stages=[], max_file_bytes=4_000, max_decompressed_bytes=100_000))
    assert _skips(db) == {"big.txt": E003_TOO_LARGE, "bomb.txt.gz": E003_TOO_LARGE}
    assert _articles(db) == 1


def test_article_text_cap(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "ok.txt").write_text(f"Budget agreed\n\n{BODY}\n", encoding="utf-8")
    (corpus / "long.txt").write_text(f"Budget agreed again\n\n{BODY}\n\n{BODY.upper()}\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    run([str(corpus)], db, Settings(workers=1, stages=[], max_text_chars=len(BODY) + 50))
    assert _skips(db) == {"long.txt": E012_TEXT_TOO_LONG}
    assert _articles(db) == 1


def test_per_document_timeout_and_errors_skip_only_that_document(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_quotes = pipeline.find_quotes  # type: ignore[attr-defined]

    def hostile_stage(doc_id: str, text: str, *args: Any, **kwargs: Any) -> Any:
        if "HANGS" in text:
            time.sleep(30)  # stands for a pathological page: interrupted by the per-document alarm
        if "BREAKS" in text:
            raise RuntimeError("stage bug")
        return real_find_quotes(doc_id, text, *args, **kwargs)

    monkeypatch.setattr(pipeline, "find_quotes", hostile_stage)
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "a_ok.txt").write_text(f"Budget agreed\n\n{BODY}\n", encoding="utf-8")
    (corpus / "b_slow.txt").write_text(f"Budget HANGS\n\n{BODY} HANGS\n", encoding="utf-8")
    (corpus / "c_broken.txt").write_text(f"Budget BREAKS\n\n{BODY} BREAKS\n", encoding="utf-8")
    (corpus / "d_ok.txt").write_text(f"Bridge repairs\n\n{BODY.lower()}\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    started = time.perf_counter()
    run([str(corpus)], db, Settings(workers=1, stages=["quotes"], doc_timeout_s=1.0))
    assert time.perf_counter() - started < 25
    assert _skips(db) == {"b_slow.txt": E013_TIMEOUT, "c_broken.txt": E014_PROCESSING_ERROR}
    assert _articles(db) == 2
    con = duckdb.connect(str(db), read_only=True)
    reasons = dict(con.execute("SELECT code, reason FROM skipped").fetchall())
    con.close()
    assert "b_slow.txt" in reasons[E013_TIMEOUT] and "1 s" in reasons[E013_TIMEOUT]
    assert "RuntimeError: stage bug" in reasons[E014_PROCESSING_ERROR]


def test_cli_reports_a_missing_input_without_a_traceback(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "echotrace", "run", str(tmp_path / "nope"), "--db",
                           str(tmp_path / "s.duckdb")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr + proc.stdout
