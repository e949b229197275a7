"""The whole pipeline on the shipped demo corpus, checked against the facts in demo_expected.json.

Floors are pinned at what the pipeline reaches today, so quality can only go up.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from echotrace.config import Settings
from echotrace.pipeline import run

from .conftest import DEMO

EXPECTED: dict[str, Any] = json.loads((DEMO.parent / "demo_expected.json").read_text(encoding="utf-8"))
DEMO_ALIASES = DEMO.parent / "demo_aliases.yaml"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    run([str(DEMO)], db, Settings(workers=1, aliases=[str(DEMO_ALIASES)]))
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="module")
def doc_of(store: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = store.execute("SELECT doc_id, unnest(source_paths) FROM articles").fetchall()
    return {path.split("/demo/")[-1]: doc_id for doc_id, path in rows}


def _facts(store: duckdb.DuckDBPyConnection, doc_id: str) -> dict[str, Any]:
    row = store.execute("SELECT title, outlet, published, date_kind, crawled, language FROM articles "
                        "WHERE doc_id = ?", [doc_id]).fetchone()
    assert row is not None
    credits = {(n, r) for n, r in store.execute("SELECT name, role FROM credits WHERE doc_id = ?", [doc_id]).fetchall()}
    return {"title": row[0], "outlet": row[1], "published": row[2].date().isoformat() if row[2] else None,
            "date_kind": row[3], "crawled": row[4].isoformat(timespec="minutes") if row[4] else None,
            "language": row[5], "credits": credits}


def test_every_article_is_stored(doc_of: dict[str, str]) -> None:
    assert set(EXPECTED["files"]) <= set(doc_of)


def test_article_facts(store: duckdb.DuckDBPyConnection, doc_of: dict[str, str]) -> None:
    right: dict[str, int] = defaultdict(int)
    for name, expected in EXPECTED["files"].items():
        got = _facts(store, doc_of[name])
        crawled = expected["crawled"][:16] if expected["crawled"] else None
        right["title"] += got["title"] == expected["title"]
        right["outlet"] += got["outlet"] == expected["outlet"]
        right["published"] += got["published"] == expected["published"]
        right["date_kind"] += got["date_kind"] == expected["date_kind"]
        right["crawled"] += got["crawled"] == crawled
        right["language"] += got["language"] == expected["language"]
        right["credits"] += got["credits"] == {(c["name"], c["role"]) for c in expected["credits"]}
    n = len(EXPECTED["files"])
    for field in ("title", "published", "date_kind", "crawled", "language"):
        assert right[field] == n, field
    assert right["outlet"] >= n - 2
    assert right["credits"] >= n - 2


def _link_kind(store: duckdb.DuckDBPyConnection, a: str, b: str) -> str | None:
    row = store.execute("SELECT kind FROM doc_links WHERE (doc_a = ? AND doc_b = ?) OR (doc_a = ? AND doc_b = ?)",
                        [a, b, b, a]).fetchone()
    return row[0] if row else None


def test_copies_reuse_and_translations_are_linked(store: duckdb.DuckDBPyConnection, doc_of: dict[str, str]) -> None:
    for item in EXPECTED["copies"]:
        assert _link_kind(store, *(doc_of[f] for f in item["files"])) == "duplicate", item
    for item in EXPECTED["reuse"]:
        assert _link_kind(store, *(doc_of[f] for f in item["files"])) == "reuse", item
    for item in EXPECTED["translations"]:
        assert _link_kind(store, *(doc_of[f] for f in item["files"])) in ("translation", "same_story"), item


def test_stories_match_the_expected_partition(store: duckdb.DuckDBPyConnection, doc_of: dict[str, str]) -> None:
    story = dict(store.execute("SELECT doc_id, story_id FROM stories").fetchall())
    gold = {doc_of[f]: i for i, group in enumerate(EXPECTED["stories"]) for f in group}
    precision = recall = 0.0
    for doc in gold:
        predicted = {d for d in gold if story[d] == story[doc]}
        expected = {d for d in gold if gold[d] == gold[doc]}
        precision += len(predicted & expected) / len(predicted)
        recall += len(predicted & expected) / len(expected)
    precision, recall = precision / len(gold), recall / len(gold)
    assert 2 * precision * recall / (precision + recall) >= 0.89


def test_aliases_map_to_one_entity(store: duckdb.DuckDBPyConnection) -> None:
    mentions = store.execute("SELECT text, entity_id FROM mentions").fetchall()
    for entity in EXPECTED["entities"]:
        ids = {entity_id for text, entity_id in mentions if text in entity["aliases"]}
        assert len(ids) == 1, (entity["canonical"], ids)


def test_quotes_are_found_and_grouped_across_outlets(store: duckdb.DuckDBPyConnection,
                                                       doc_of: dict[str, str]) -> None:
    quotes = store.execute("SELECT doc_id, text, group_id FROM quotes").fetchall()
    found = total = grouped = multi = 0
    for item in EXPECTED["quotes"]:
        groups: defaultdict[str, int] = defaultdict(int)
        for name, fragment in item["fragment_per_file"].items():
            total += 1
            hits = [q for q in quotes if q[0] == doc_of[name] and fragment in q[1]]
            if hits:
                found += 1
                groups[hits[0][2]] += 1
        if len(item["files"]) > 1:
            multi += 1
            grouped += max(groups.values(), default=0) >= 2
    assert found / total >= 0.95
    assert grouped / multi >= 0.6


def test_catalogued_narrative_has_evidence(store: duckdb.DuckDBPyConnection, doc_of: dict[str, str]) -> None:
    matched = defaultdict(set)
    for narrative_id, doc_id in store.execute("SELECT narrative_id, doc_id FROM narrative_matches").fetchall():
        matched[narrative_id].add(doc_id)
    arms = EXPECTED["narratives"][0]
    assert len({doc_of[f] for f in arms["files"]} & matched["alliance-arms-crimson-hand"]) >= 3
    floods = EXPECTED["narratives"][1]
    assert {doc_of[f] for f in floods["files"]} <= matched["kestria-caused-floods"]
