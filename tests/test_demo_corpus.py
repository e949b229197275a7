"""The demo corpus and its expected facts stay consistent, original, and the generator plants what it claims."""

from __future__ import annotations

import csv
import html
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from bench.generate import LINK_KINDS, generate, write_corpus

DEMO = Path(__file__).resolve().parents[1] / "echotrace" / "data" / "demo"
EXPECTED = json.loads((DEMO.parent / "demo_expected.json").read_text(encoding="utf-8"))
FILES: dict[str, dict[str, object]] = EXPECTED["files"]
ALIASES = {alias: entity["aliases"] for entity in EXPECTED["entities"] for alias in entity["aliases"]}


def _record(key: str) -> dict[str, str]:
    """A record addressed as ingest names it: `name.jsonl#line=N` (file line), `name.csv#line=N` (data row)."""
    name, line = key.split("#line=")
    lines = (DEMO / name).read_text(encoding="utf-8").splitlines()
    if name.endswith(".jsonl"):
        record: dict[str, str] = json.loads(lines[int(line) - 1])
        return record
    return next(csv.DictReader([lines[0], lines[int(line)]]))


def _text(key: str) -> str:
    if "#line=" in key:
        record = _record(key)
        return record["title"] + "\n" + record["text"]
    return html.unescape((DEMO / key).read_text(encoding="utf-8"))


def test_corpus_has_enough_articles_in_several_languages() -> None:
    pages = [p for p in DEMO.iterdir() if p.suffix in (".txt", ".html")]
    records = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in DEMO.glob("*.jsonl"))
    rows = sum(len(p.read_text(encoding="utf-8").splitlines()) - 1 for p in DEMO.glob("*.csv"))
    assert len(pages) + records + rows >= 40
    assert len(FILES) == len(pages) + records + rows
    languages = Counter(str(fact["language"]) for fact in FILES.values())
    assert {"en", "fr", "de", "es"} <= set(languages)
    assert {p.suffix for p in DEMO.iterdir()} >= {".txt", ".html", ".jsonl", ".csv"}


def test_every_expected_file_exists_with_its_title_and_outlet() -> None:
    for key, fact in FILES.items():
        if "#line=" in key:
            record = _record(key)
            assert record["title"] == fact["title"], key
            assert record["outlet"] == fact["outlet"], key
            assert set(record) >= {"title", "text", "date", "outlet"}
        else:
            assert (DEMO / key).is_file(), key
        assert str(fact["title"]) in _text(key), key


def test_dates_credits_and_kinds_are_well_formed() -> None:
    iso_day = re.compile(r"\d{4}-\d{2}-\d{2}")
    kinds: Counter[object] = Counter()
    for key, fact in FILES.items():
        kinds[fact["date_kind"]] += 1
        if fact["published"] is not None:
            assert iso_day.fullmatch(str(fact["published"])), key
            assert "2024-01-01" <= str(fact["published"]) <= "2025-12-31", key
        else:
            assert fact["date_kind"] == "crawled" and fact["crawled"], key
        for credit in fact["credits"]:  # type: ignore[attr-defined]
            assert credit["role"] in ("origin", "translator", "via"), key
            names = [credit["name"], *ALIASES.get(credit["name"], [])]
            assert any(name in _text(key) for name in names), key
    assert kinds["crawled"] >= 1
    html_pages = list(DEMO.glob("*.html"))
    assert all("og:site_name" in p.read_text(encoding="utf-8") for p in html_pages)
    assert all("article:published_time" in p.read_text(encoding="utf-8") for p in html_pages)


def test_mixed_language_page_has_its_paragraphs() -> None:
    mixed = [k for k, fact in FILES.items() if "paragraph_languages" in fact]
    assert len(mixed) == 1
    text = _text(mixed[0])
    paragraph_languages = FILES[mixed[0]]["paragraph_languages"]
    assert {p["lang"] for p in paragraph_languages} == {"en", "fr", "de"}  # type: ignore[attr-defined]
    for paragraph in paragraph_languages:  # type: ignore[attr-defined]
        assert re.search(r"^" + re.escape(paragraph["starts_with"]), text, re.M), paragraph


def test_groups_refer_to_known_files_and_stories_partition_the_corpus() -> None:
    for group in ("copies", "reuse", "translations"):
        assert EXPECTED[group], group
        for pair in EXPECTED[group]:
            assert len(pair["files"]) == 2 and all(f in FILES for f in pair["files"])
    assert {t["kind"] for t in EXPECTED["translations"]} == {"cross_lingual", "retranslation"}
    members = [f for story in EXPECTED["stories"] for f in story]
    assert sorted(members) == sorted(FILES)
    flood_words = ("flood", "inondation", "inundacion")
    flood_stories = [s for s in EXPECTED["stories"] if any(w in f for f in s for w in flood_words)]
    assert len(flood_stories) >= 3, "several distinct events of the same kind"


def test_exact_copy_shares_the_wire_body() -> None:
    exact = next(p for p in EXPECTED["copies"] if p["kind"] == "exact")
    wire, copy = (_text(f) for f in exact["files"])
    body = [para for para in wire.split("\n\n") if len(para) > 120 and "\n" not in para]
    assert body and all(para in copy for para in body)


def test_quote_fragments_are_in_their_files() -> None:
    assert any(len(q["files"]) >= 4 for q in EXPECTED["quotes"])
    for quote in EXPECTED["quotes"]:
        assert quote["speaker"]
        for key, fragment in quote["fragment_per_file"].items():
            assert fragment in _text(key), (key, fragment)


def test_entity_aliases_occur_and_narratives_are_pushed_across_months() -> None:
    corpus = "\n".join(_text(k) for k in FILES)
    for entity in EXPECTED["entities"]:
        for alias in entity["aliases"]:
            assert re.search(r"\b" + re.escape(alias) + r"\b", corpus), alias
    assert max(len(e["aliases"]) for e in EXPECTED["entities"]) >= 5
    main = max(EXPECTED["narratives"], key=lambda n: len(n["files"]))
    months = {str(FILES[f]["published"] or FILES[f]["crawled"])[:7] for f in main["files"]}
    assert len(main["files"]) >= 4 and len(months) >= 3


def test_no_seed_text_in_the_demo(seed_texts: dict[str, str]) -> None:
    """Publishers' text must never be copied: no 8-word run of any seed page appears in the demo."""
    corpus = "\n".join(p.read_text(encoding="utf-8") for p in DEMO.iterdir() if p.is_file())
    corpus_words = " ".join(corpus.split())
    for name, seed in seed_texts.items():
        words = seed.split()
        for i in range(0, max(0, len(words) - 7)):
            shingle = " ".join(words[i:i + 8])
            assert shingle not in corpus_words, f"seed {name} text found in the demo corpus"


def test_generate_is_deterministic_and_plants_every_link_kind() -> None:
    first = list(generate(600, seed=3))
    assert first == list(generate(600, seed=3))
    assert first != list(generate(600, seed=4))
    by_name = {d.name: d for d in first}
    assert {d.link_kind for d in first if d.link_kind} == set(LINK_KINDS)
    assert {d.lang for d in first} == {"en", "fr", "de", "es"}
    for doc in first:
        if doc.link_kind is None:
            continue
        source = by_name[str(doc.link_source)]
        assert source.name < doc.name and source.story_id == doc.story_id
        if doc.link_kind == "exact_copy":
            assert doc.body == source.body and doc.outlet != source.outlet
        elif doc.link_kind == "translation":
            assert doc.lang != source.lang
        elif doc.link_kind == "reuse":
            assert source.body.split("\n\n")[0] in doc.body and doc.body != source.body
        else:
            assert doc.lang == source.lang and doc.body != source.body
    words = sum(len(d.body.split()) for d in first) / len(first)
    assert 450 <= words <= 800


def test_write_corpus_writes_files_and_truth(tmp_path: Path) -> None:
    counts = write_corpus(120, tmp_path, seed=1, formats=("jsonl", "txt", "html"))
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    assert len(truth["docs"]) == 120 and sum(counts.values()) == len(truth["links"]) > 0
    for doc in truth["docs"]:
        for ref in doc["files"]:
            assert (tmp_path / ref.split("#")[0]).is_file()
    first_line = (tmp_path / "jsonl" / "part-0000.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert set(json.loads(first_line)) == {"title", "text", "date", "outlet", "url"}
    assert any(doc["crawled"] and doc["published"] is None for doc in truth["docs"])
    with pytest.raises(ValueError):
        write_corpus(1, tmp_path / "bad", formats=("pdf",))
