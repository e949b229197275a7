"""The Dask engine gives the same store as the local engine, and behaves like it as a map."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Generator
from pathlib import Path

import psutil
import pytest
from distributed import LocalCluster
from distributed.core import Status

from bench.generate import write_corpus
from echotrace.config import Settings
from echotrace.engines import get_engine
from echotrace.pipeline import run

from .conftest import DEMO
from .test_pipeline import snapshot

CONTENT_TABLES = (
    "articles", "paragraphs", "boilerplate", "credits", "skipped", "inputs", "doc_links", "link_spans",
    "stories", "quotes", "quote_groups", "mentions", "entities", "narratives", "narrative_matches",
    "provenance",
)

_offset = 0


def _set_offset(value: int) -> None:
    global _offset
    _offset = value


def _add_offset(x: int) -> int:
    return x + _offset


def _worker_processes() -> set[psutil.Process]:
    """Live descendants, except multiprocessing's resource tracker (it lives as long as its parent)."""
    found = set()
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "resource_tracker" not in " ".join(process.cmdline()):
                found.add(process)
    return found


def assert_same_stores(first: Path, second: Path) -> None:
    expected, got = snapshot(first, CONTENT_TABLES), snapshot(second, CONTENT_TABLES)
    for table in CONTENT_TABLES:  # one table at a time, so a failure names it
        assert got[table] == expected[table], table


def test_results_stream_back_in_input_order_after_the_initializer() -> None:
    before = _worker_processes()
    map_ordered = get_engine("dask")
    results = map_ordered(_add_offset, itertools.count(), workers=2, initializer=_set_offset, initargs=(1000,))
    first = list(itertools.islice(results, 40))  # an endless input: nothing may read it all ahead
    assert isinstance(results, Generator)
    results.close()
    assert first == [1000 + i for i in range(40)]
    assert _worker_processes() - before == set()  # the cluster went with the iterator


def test_a_failing_batch_raises_in_the_caller() -> None:
    map_ordered = get_engine("dask")
    with pytest.raises(TypeError):
        list(map_ordered(_add_offset, [1, "not a number", 3], workers=1))


def test_an_existing_cluster_is_used_and_left_running() -> None:
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        map_ordered = get_engine("dask", cluster.scheduler_address)
        results = list(map_ordered(_add_offset, range(10), workers=8, initializer=_set_offset, initargs=(5,)))
        assert results == [5 + i for i in range(10)]
        assert cluster.status == Status.running


@pytest.mark.slow
def test_demo_corpus_gives_the_same_store_on_both_engines(tmp_path: Path) -> None:
    run([str(DEMO)], tmp_path / "local.duckdb", Settings(engine="local", workers=2))
    run([str(DEMO)], tmp_path / "dask.duckdb", Settings(engine="dask", workers=2))
    assert_same_stores(tmp_path / "local.duckdb", tmp_path / "dask.duckdb")


@pytest.mark.slow
@pytest.mark.timeout(1800)  # ~3 minutes on 2 idle cores; far more on a shared machine
def test_generated_corpus_gives_the_same_store_on_both_engines(tmp_path: Path) -> None:
    """10,000 news-length articles through the batches the engine carries (clean, metadata, entities).

    The corpus stages run in the calling process whatever the engine, and the demo test above
    runs them all; here they would cost minutes (sentence and quote embedding), so only the
    entity table is on.
    """
    corpus = tmp_path / "corpus"
    write_corpus(10_000, corpus, seed=3, formats=("jsonl",))
    stages = ["entities"]
    local = run([str(corpus / "jsonl")], tmp_path / "local.duckdb", Settings(engine="local", workers=2, stages=stages))
    dask = run([str(corpus / "jsonl")], tmp_path / "dask.duckdb", Settings(engine="dask", workers=2, stages=stages))
    ingested = {s.name: s for s in dask.stages}["ingest"]
    assert ingested.detail["articles"] >= 9_500
    assert [s.as_dict() | {"seconds": 0} for s in local.stages] == [s.as_dict() | {"seconds": 0} for s in dask.stages]
    assert_same_stores(tmp_path / "local.duckdb", tmp_path / "dask.duckdb")
