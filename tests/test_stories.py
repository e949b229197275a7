"""Story clustering: same event across outlets, never across time windows, incremental and stable."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from echotrace.annotate.entities import EntityIndex, find_mentions
from echotrace.records import Article, DocLink, Mention, Paragraph, StoryMember
from echotrace.stories.cluster import StorySettings, _Conflicts, cluster_stories, story_id_for

SEED_DATES = {
    "000": datetime(2016, 12, 15), "003": datetime(2016, 12, 15), "001": datetime(2017, 11, 14),
    "002": datetime(2017, 6, 12), "004": datetime(2017, 6, 9),
}
# Measured 0.938 / 0.918 on ECB+ dev (bench/RESULTS.md); pinned a little below.
ECB_FLOORS = {"b3_f1": 0.93, "ari": 0.905}


def make_article(doc_id: str, text: str, published: datetime | None = None, title: str | None = None) -> Article:
    """An Article with paragraphs split on blank lines, as the cleaner would hand it over."""
    paragraphs = []
    pos = 0
    for idx, block in enumerate(text.split("\n\n")):
        if block.strip():
            paragraphs.append(Paragraph(idx, pos, pos + len(block), "en"))
        pos += len(block) + 2
    return Article(
        doc_id=doc_id, title=title, text=text, url=None, outlet=None, published=published,
        date_kind="published" if published else None, date_evidence=None, crawled=None, language="en",
        source_paths=[], fmt="txt", paragraphs=paragraphs,
    )


@pytest.fixture(scope="module")
def index() -> EntityIndex:
    return EntityIndex.load()


@pytest.fixture(scope="module")
def seeds(seed_texts: dict[str, str], index: EntityIndex) -> tuple[list[Article], dict[str, list[Mention]]]:
    articles = [make_article(key, text, SEED_DATES[key]) for key, text in sorted(seed_texts.items())]
    mentions = {a.doc_id: find_mentions(a.doc_id, a.text, index) for a in articles}
    return articles, mentions


def _groups(members: list[StoryMember]) -> set[frozenset[str]]:
    stories: dict[str, set[str]] = {}
    for member in members:
        stories.setdefault(member.story_id, set()).add(member.doc_id)
    return {frozenset(docs) for docs in stories.values()}


def test_seed_stories(seeds: tuple[list[Article], dict[str, list[Mention]]]) -> None:
    articles, mentions = seeds
    members = cluster_stories(articles, mentions)
    assert _groups(members) == {frozenset({"000", "003"}), frozenset({"002", "004"}), frozenset({"001"})}
    story_000 = next(m for m in members if m.doc_id == "000")
    assert story_000.story_id == story_id_for("000")  # hash of the first document (earliest, then id)
    assert "Palmyra" in story_000.label and "Putin" in story_000.label


def test_clustering_is_deterministic_under_input_order(
    seeds: tuple[list[Article], dict[str, list[Mention]]]
) -> None:
    articles, mentions = seeds
    shuffled = list(articles)
    random.Random(7).shuffle(shuffled)
    assert cluster_stories(shuffled, mentions) == cluster_stories(articles, mentions)


def test_new_articles_join_existing_stories(seeds: tuple[list[Article], dict[str, list[Mention]]]) -> None:
    articles, mentions = seeds
    first_batch = [a for a in articles if a.doc_id in ("000", "001", "002")]
    existing = cluster_stories(first_batch, mentions)
    renamed = [StoryMember(m.story_id, m.doc_id, "kept label") for m in existing]
    second = cluster_stories(articles, mentions, existing=renamed)
    story_of = {m.doc_id: m.story_id for m in second}
    before = {m.doc_id: m.story_id for m in existing}
    assert {d: story_of[d] for d in before} == before
    assert story_of["003"] == before["000"] and story_of["004"] == before["002"]
    assert {m.label for m in second if m.doc_id in before} == {"kept label"}
    # Members whose articles are not passed again are kept as they were.
    only_new = cluster_stories([a for a in articles if a.doc_id in ("003", "004")], mentions, existing=renamed)
    assert {m.doc_id for m in only_new} == {"000", "001", "002", "003", "004"}


def test_time_window_unless_linked_copies(index: EntityIndex) -> None:
    text = ("Floods hit the town of Varenka on Monday, killing 12 people, Governor Ilya Moravin said.\n\n"
            "Rescue teams from Kessel evacuated 3,400 residents as the river Ostra rose 4 metres.")
    early = make_article("a", text, datetime(2020, 3, 1))
    late = make_article("b", text + " ", datetime(2020, 5, 1))
    near = make_article("c", text + "  ", datetime(2020, 3, 20))
    articles = [early, late, near]
    mentions = {a.doc_id: find_mentions(a.doc_id, a.text, index) for a in articles}
    assert _groups(cluster_stories(articles, mentions)) == {frozenset({"a", "c"}), frozenset({"b"})}
    # A linked copy joins across the window; "c" stays out: it is 42 days from "b" and no copy of it.
    copy = DocLink("a", "b", "duplicate", 1.0, "a", "test")
    assert _groups(cluster_stories(articles, mentions, [copy])) == {frozenset({"a", "b"}), frozenset({"c"})}
    # Reuse of most of the text forces one story too; a shared paragraph or a few aligned
    # sentences (low scores) do not: two events in one town share background text.
    for kind, score, joined in (("reuse", 0.8, True), ("translation", 0.7, True),
                                ("reuse", 0.3, False), ("translation", 0.2, False)):
        link = DocLink("a", "b", kind, score, "a", "test")
        expected = ({frozenset({"a", "b"}), frozenset({"c"})} if joined
                    else {frozenset({"a", "c"}), frozenset({"b"})})
        assert _groups(cluster_stories(articles, mentions, [link])) == expected, (kind, score)


def test_different_events_of_one_kind_stay_apart(index: EntityIndex) -> None:
    first = ("A magnitude 6.1 earthquake struck near Qarabel on Tuesday in 2011, the Geological Survey said. "
             "Governor Timur Alsek said 14 people died in Qarabel and 200 homes collapsed.")
    second = ("Doruna was shaken by a 5.4 quake early on Sunday in 2016, seismologists reported. "
              "Mayor Selin Varga said three residents were killed in Doruna and dozens of buildings damaged.")
    articles = [make_article(f"{k}{n}", text + f" Report {n}.") for k, text in (("q", first), ("d", second))
                for n in range(3)]
    mentions = {a.doc_id: find_mentions(a.doc_id, a.text, index) for a in articles}
    groups = _groups(cluster_stories(articles, mentions))
    assert groups == {frozenset({"q0", "q1", "q2"}), frozenset({"d0", "d1", "d2"})}


def _mention(doc_id: str, entity_id: str, salience: float) -> Mention:
    return Mention(doc_id, 0, 1, entity_id, entity_id, "pattern", salience)


def test_key_entity_conflict_needs_the_other_never_to_name_it() -> None:
    """A key entity the other report names only in passing, or by a shorter form, is shared."""
    cast = {
        "quake": [("x:mark-teixeira", 0.9), ("x:boston-red-sox", 0.8)],
        "quake-copy": [("x:mark-teixeira", 0.9), ("x:boston-red-sox", 0.8)],
        "passing": [("x:scott-boras", 0.9), ("x:theo-epstein", 0.8), ("x:mark-teixeira", 0.1)],
        "short-form": [("x:scott-boras", 0.9), ("x:theo-epstein", 0.8), ("x:red-sox", 0.2)],
        "other": [("x:scott-boras", 0.9), ("x:theo-epstein", 0.8), ("x:sox", 0.2)],
    }
    articles = [make_article(doc_id, "text") for doc_id in cast]
    mentions = {d: [_mention(d, e, s) for e, s in pairs] for d, pairs in cast.items()}
    settings = StorySettings()
    conflicts = _Conflicts(articles, mentions, settings)
    rows = {a.doc_id: i for i, a in enumerate(articles)}
    cols = np.array([rows["quake-copy"], rows["passing"], rows["short-form"], rows["other"]], dtype=np.int32)
    penalties = conflicts.penalties(rows["quake"], cols).tolist()
    # A one-word tail ("Sox") is too weak a name to count as the same entity.
    assert penalties == pytest.approx([1.0, 1.0, 1.0, settings.entity_conflict])


def test_an_outlet_credited_by_a_storys_articles_is_no_key_entity_of_it(index: EntityIndex) -> None:
    """Who reports an event is not what it is about: "(AFP)" in every article labels no story."""
    texts = [
        "Car bomb kills 12 in Homs\n\nA car bomb killed 12 people in Homs on Sunday, AFP reported. The blast hit "
        "a market in the city centre, AFP said.",
        "Homs market bombing toll rises\n\nThe toll of Sunday's car bomb in a Homs market rose to 12, AFP said. "
        "Rescuers searched the rubble of the market in Homs (AFP).",
    ]
    articles = [make_article(f"d{k}", text) for k, text in enumerate(texts)]
    mentions = {a.doc_id: find_mentions(a.doc_id, a.text, index) for a in articles}
    assert any(m.entity_id == "afp" for found in mentions.values() for m in found)
    outlets = {e.entity_id for e in index.entities() if e.type == "outlet"}
    members = cluster_stories(articles, mentions, outlets=outlets)
    assert len({m.story_id for m in members}) == 1
    assert "Homs" in members[0].label and "AFP" not in members[0].label.split(":")[0]


def test_ecbplus_dev_gate(shared_dir: Path, index: EntityIndex) -> None:
    """Eval gate: ECB+ dev sub-topics, all documents at once, one global setting."""
    path = shared_dir / "eval" / "ecbplus-dev.jsonl"
    if not path.is_file():
        pytest.skip("ecbplus-dev.jsonl is not present")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = [make_article(str(r["doc_id"]), r["text"]) for r in rows]
    mentions = {a.doc_id: find_mentions(a.doc_id, a.text, index) for a in articles}
    outlets = {e.entity_id for e in index.entities() if e.type == "outlet"}
    story_of = {m.doc_id: m.story_id for m in cluster_stories(articles, mentions, outlets=outlets)}
    gold = [r["subtopic"] for r in rows]
    predicted = [story_of[str(r["doc_id"])] for r in rows]
    from bench.eval_stories import b_cubed_f1

    assert b_cubed_f1(gold, predicted)[2] >= ECB_FLOORS["b3_f1"]
    assert adjusted_rand_score(gold, predicted) >= ECB_FLOORS["ari"]
