"""The five real seed pages through the whole pipeline: what a user sees after `echotrace run`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from echotrace.config import Settings
from echotrace.pipeline import run


@pytest.fixture(scope="module")
def store(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    db = tmp_path_factory.mktemp("seeds") / "seeds.duckdb"
    run([str(seeds_dir)], db, Settings(workers=1))
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def ids(store: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return {Path(p).name[:3]: d for d, p in store.execute("SELECT doc_id, source_paths[1] FROM articles").fetchall()}


def test_dates_credits_and_languages(store: duckdb.DuckDBPyConnection, ids: dict[str, str]) -> None:
    dates = {k: store.execute("SELECT published, date_kind, crawled FROM articles WHERE doc_id = ?", [v]).fetchone()
             for k, v in ids.items()}
    assert dates["000"][0].date().isoformat() == "2016-12-15"  # type: ignore[index]
    assert dates["003"][0] is None and dates["003"][1] == "crawled"  # type: ignore[index]
    assert dates["003"][2].year == 2020  # type: ignore[index]
    credits = {k: set(store.execute("SELECT name, role FROM credits WHERE doc_id = ?", [v]).fetchall())
               for k, v in ids.items()}
    assert {("RIA Novosti", "origin"), ("J. Arnoldski", "translator")} <= credits["000"]
    assert ("TASS", "origin") in credits["002"]
    assert ("Sputnik", "origin") in credits["001"]
    langs = dict(store.execute("SELECT lang, count(*) FROM paragraphs WHERE doc_id = ? GROUP BY 1",
                               [ids["001"]]).fetchall())
    assert set(langs) == {"en", "fr", "de"}


def test_retranslations_are_linked_and_rooted_at_the_wire(store: duckdb.DuckDBPyConnection,
                                                          ids: dict[str, str]) -> None:
    rows = store.execute("SELECT doc_a, doc_b, kind FROM doc_links").fetchall()
    links = {frozenset((a, b)): kind for a, b, kind in rows}
    assert links[frozenset((ids["002"], ids["004"]))] in ("translation", "same_story")
    assert links[frozenset((ids["000"], ids["003"]))] in ("translation", "same_story")
    for pair, kind in links.items():
        if ids["001"] in pair:
            assert kind not in ("duplicate", "reuse")
    roots = dict(store.execute("SELECT doc_id, root FROM provenance").fetchall())
    assert roots[ids["000"]] == "RIA Novosti"
    assert roots[ids["002"]] == "TASS"


def test_stories_entities_and_quotes(store: duckdb.DuckDBPyConnection, ids: dict[str, str]) -> None:
    story = dict(store.execute("SELECT doc_id, story_id FROM stories").fetchall())
    assert story[ids["000"]] == story[ids["003"]]
    assert story[ids["002"]] == story[ids["004"]]
    assert len({story[ids[k]] for k in ("000", "001", "002")}) == 3
    with_isis = {d for (d,) in store.execute(
        "SELECT DISTINCT doc_id FROM mentions WHERE entity_id = 'islamic-state'").fetchall()}
    assert with_isis == set(ids.values())
    putin = store.execute("""
        SELECT count(DISTINCT doc_id) FROM quotes WHERE group_id IN (
            SELECT group_id FROM quotes WHERE text ILIKE '%join forces%')""").fetchone()
    assert putin == (2,)


def test_narrative_evidence(store: duckdb.DuckDBPyConnection, ids: dict[str, str]) -> None:
    docs = {d for (d,) in store.execute(
        "SELECT DISTINCT doc_id FROM narrative_matches WHERE narrative_id = 'us-coalition-supports-isis'").fetchall()}
    assert {ids[k] for k in ("000", "001", "002", "004", "003")} <= docs
    # 003 states the narrative only in its list of related headlines: the cleaner removes the list
    # from the text (issue 2), and the evidence points into that removed block instead.
    in_blocks = store.execute("""
        SELECT m.text, b.reason FROM narrative_matches m
        JOIN boilerplate b ON b.doc_id = m.doc_id AND b.idx = m.boilerplate_idx
        WHERE m.narrative_id = 'us-coalition-supports-isis' AND m.doc_id = ?""", [ids["003"]]).fetchall()
    assert in_blocks and all(reason == "related_links" for _, reason in in_blocks)
    assert all(text in block for text, block in store.execute("""
        SELECT m.text, b.text FROM narrative_matches m
        JOIN boilerplate b ON b.doc_id = m.doc_id AND b.idx = m.boilerplate_idx""").fetchall())
    texts = [t for (t,) in store.execute("SELECT text FROM narrative_matches").fetchall()]
    assert not any("uncoordinated" in t or "discordant" in t for t in texts)
