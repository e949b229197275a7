"""Near-duplicate stage: bulk tokens, shingles, LSH and exact verification, and the planted-copy
benchmark corpus at a small size (recall, precision, determinism, streaming, worker processes)."""

from __future__ import annotations

import functools
import random
import subprocess
import sys
from datetime import datetime

import numpy as np
import numpy.typing as npt
import pytest

from bench.dedup import generate
from bench.generate import generate as generate_news
from echotrace.engines.local import map_ordered
from echotrace.link import fingerprints as fp
from echotrace.link.near_dup import _worth_verifying, copy_links
from echotrace.records import Article

ONE_CHARACTER = tuple(range(a, b + 1) for a, b in fp._ONE_CHARACTER_WORDS)


def reference_words(text: str) -> list[str]:
    """The documented rule, one character at a time: runs of letters/digits; CJK one each."""
    words: list[str] = []
    current = ""
    for char in text.replace("\u0130", "i").lower():
        single = char.isalnum() and any(ord(char) in block for block in ONE_CHARACTER)
        if char.isalnum() and not single:
            current += char
            continue
        if current:
            words.append(current)
            current = ""
        if single:
            words.append(char)
    return [*words, current] if current else words


def hashes_of(words: list[str]) -> list[int]:
    rows = fp.word_hashes(words)
    assert rows.sizes().tolist() == [1] * len(words)
    return [int(v) for v in rows.values.tolist()]


def test_words_follow_the_rule_on_mixed_scripts_punctuation_and_surrogates() -> None:
    alphabet = "ab cé,.;ß İ’“”\n_1-—日本語한국\ud800xΣ\U00020000\U0001F600"
    rng = random.Random(7)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 50))) for _ in range(400)]
    rows, starts = fp.located_words(texts)
    for index, text in enumerate(texts):
        assert rows.row(index).tolist() == hashes_of(reference_words(text)), text
    # Offsets point at the words in the original (not lower-cased) text.
    row = rows.row(1)
    assert row.size == starts[rows.offsets[1] : rows.offsets[2]].size


def test_case_punctuation_and_spacing_do_not_change_words() -> None:
    first = fp.word_hashes(["The “Velmora” dam — closed, officials said."]).values
    second = fp.word_hashes(["THE velmora DAM closed;   officials said !"]).values
    assert first.tolist() == second.tolist() and first.size == 6


def test_word_offsets_hold_across_chunk_edges_and_dotted_capital_i() -> None:
    big = "İstanbul river " * 80_000 + "end"  # longer than one vectorised chunk
    rows, starts = fp.located_words(["x", big])
    offsets = starts[rows.offsets[1] : rows.offsets[2]]
    assert rows.sizes().tolist() == [1, 160_001]
    assert [big[o : o + 5] for o in offsets[:3].tolist()] == ["İstan", "river", "İstan"]
    assert big[int(offsets[-1]) :] == "end"
    assert rows.row(1)[:2].tolist() == hashes_of(["istanbul", "river"])


def test_hashes_are_the_same_in_another_process() -> None:
    code = ("from echotrace.link import fingerprints as fp; "
            "print(fp.shingle_rows(fp.word_hashes(['Río de la Plata, 日本 and more words here'])).values.tolist())")
    runs = {
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                       env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
        for seed in ("1", "2")
    }
    assert len(runs) == 1
    here = fp.shingle_rows(fp.word_hashes(["Río de la Plata, 日本 and more words here"])).values.tolist()
    assert runs == {f"{here}\n"}


def test_shingles_of_a_run_of_words_are_a_slice_of_the_document_shingles() -> None:
    words = "one two three four five six seven eight nine ten eleven twelve".split()
    document = fp.shingle_rows(fp.word_hashes([" ".join(words)]))
    paragraph = fp.shingle_rows(fp.word_hashes([" ".join(words[3:10])]))
    assert document.values[3 : 10 - fp.SHINGLE_SIZE + 1].tolist() == paragraph.values.tolist()
    short = fp.shingle_rows(fp.word_hashes(["one two", "", "one two three four five"]))
    assert short.sizes().tolist() == [1, 0, 1]


def test_intersections_match_python_sets() -> None:
    rng = np.random.default_rng(3)
    sizes = rng.integers(0, 50, 300)
    values = fp.short_hashes(rng.integers(0, 150, int(sizes.sum())).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    pairs = rng.integers(0, 300, (2000, 2)).astype(np.int32)
    size_a, size_b, shared = fp.intersection_sizes(values, offsets[:-1], offsets[1:], pairs)
    for k, (i, j) in enumerate(pairs.tolist()):
        a = set(values[offsets[i] : offsets[i + 1]].tolist())
        b = set(values[offsets[j] : offsets[j + 1]].tolist())
        assert (size_a[k], size_b[k], shared[k]) == (len(a), len(b), len(a & b))


def test_rows_sorted_in_place_keep_their_sets_and_what_lies_between(monkeypatch: pytest.MonkeyPatch) -> None:
    """Disjoint slices with gaps between them (a document's paragraphs); a small block size makes
    `sort_rows` work in several blocks. Intersections read after sorting are the same."""
    monkeypatch.setattr(fp, "_VERIFY_VALUES", 64)
    rng = np.random.default_rng(7)
    values = fp.short_hashes(rng.integers(0, 80, 4000).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    starts = np.sort(rng.choice(np.arange(0, 4000, 20), 120, replace=False)).astype(np.int64)
    ends = starts + rng.integers(0, 15, starts.size)
    pairs = rng.integers(0, starts.size, (500, 2)).astype(np.int32)
    before = fp.intersection_sizes(values, starts, ends, pairs)
    sorted_values = values.copy()
    fp.sort_rows(sorted_values, starts, ends)
    inside = np.zeros(values.size, dtype=bool)
    for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
        assert sorted_values[lo:hi].tolist() == sorted(values[lo:hi].tolist())
        inside[lo:hi] = True
    assert sorted_values[~inside].tolist() == values[~inside].tolist()
    after = fp.intersection_sizes(sorted_values, starts, ends, pairs)
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))


def test_band_pairs_match_brute_force_with_groups_and_bucket_cap() -> None:
    rng = np.random.default_rng(5)
    keys = rng.integers(1, 6, (40, 3)).astype(np.uint32)
    keys[7] = 0  # never bands
    groups = rng.integers(0, 10, 40)
    expected = {
        (i, j) for i in range(40) for j in range(i + 1, 40)
        if groups[i] != groups[j] and any(keys[i, b] == keys[j, b] != 0 for b in range(3))
    }
    assert {tuple(p) for p in fp.pairs_from_keys(keys, groups, 40).tolist()} == expected
    capped = fp.pairs_from_keys(np.ones((30, 1), dtype=np.uint32), None, 20)
    assert capped.size == 0


def test_shared_bands_match_brute_force() -> None:
    rng = np.random.default_rng(9)
    keys = rng.integers(0, 3, (30, 8)).astype(np.uint32)  # 0 = a band that never keys
    pairs = np.array([(i, j) for i in range(30) for j in range(i + 1, 30)], dtype=np.int32)
    expected = [sum(keys[i, b] == keys[j, b] != 0 for b in range(8)) for i, j in pairs.tolist()]
    assert fp.shared_bands(keys, pairs, chunk=11).tolist() == expected


def test_single_band_pairs_are_verified_only_where_paragraphs_cannot_judge_them() -> None:
    # Documents 0-3 have three paragraphs each, 4 is one block of text, 5 has two paragraphs.
    unit_doc = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 5, 5], dtype=np.int64)
    pairs = np.array([(0, 1), (2, 3), (0, 4), (1, 5)], dtype=np.int32)
    bands = np.array([1, 1, 1, 2], dtype=np.uint8)
    none_matched = np.zeros(0, dtype=np.int64)
    kept = _worth_verifying(pairs, bands, unit_doc, none_matched, 6)
    assert kept.tolist() == [[0, 4], [1, 5]]  # a block of text, and two shared bands
    matched = np.array([2 * 6 + 3, 2 * 6 + 3], dtype=np.int64)  # sorted codes, one per matched paragraph
    kept = _worth_verifying(pairs, bands, unit_doc, matched, 6)
    assert kept.tolist() == [[2, 3], [0, 4], [1, 5]]


def test_the_band_gate_skips_chance_pairs_and_loses_no_link(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated news (stories told by many outlets from one set of facts) gives many pairs that
    share one document band by chance: they are skipped, and the links stay the same."""
    articles = sorted((Article(d.name, d.title, d.text, None, d.outlet, datetime.fromisoformat(d.published)
                               if d.published else None, "published", None, None, d.lang, [], "txt")
                       for d in generate_news(1000, seed=3)), key=lambda a: a.doc_id)
    verified: list[tuple[int, int]] = []

    def counted(pairs: fp.Pairs, bands: npt.NDArray[np.uint8], unit_doc: npt.NDArray[np.int64],
                matched: npt.NDArray[np.int64], n_docs: int) -> fp.Pairs:
        kept = _worth_verifying(pairs, bands, unit_doc, matched, n_docs)
        verified.append((len(pairs), len(kept)))
        return kept

    monkeypatch.setattr("echotrace.link.near_dup._worth_verifying", counted)
    gated = copy_links(articles)
    proposed, kept = verified[0]
    assert kept < 0.8 * proposed
    monkeypatch.setattr("echotrace.link.near_dup.MIN_SHARED_BANDS", 1)
    assert copy_links(articles) == gated
    assert gated[0]


@functools.cache
def small_corpus() -> tuple[list[Article], dict[tuple[str, str], str], dict[str, str]]:
    planted: dict[tuple[str, str], str] = {}
    family: dict[str, str] = {}
    articles = list(generate(1200, 3, planted, family))
    return articles, planted, family


def test_planted_copies_are_found_with_high_precision() -> None:
    articles, planted, family = small_corpus()
    links, spans = copy_links(articles)
    predicted = {(lk.doc_a, lk.doc_b): lk.kind for lk in links}
    recall = sum(pair in predicted for pair in planted) / len(planted)
    correct = sum(pair in planted or family.get(pair[0], pair[0]) == family.get(pair[1], pair[1])
                  for pair in predicted)
    assert recall >= 0.95 and correct / len(predicted) >= 0.98
    kinds = [predicted[pair] == kind for pair, kind in planted.items() if pair in predicted]
    assert sum(kinds) / len(kinds) >= 0.85
    assert spans and all(s.a_end > s.a_start and s.b_end > s.b_start for s in spans)


def test_stream_batches_and_worker_processes_give_the_same_links(monkeypatch: pytest.MonkeyPatch) -> None:
    articles, _, _ = small_corpus()
    expected = copy_links(articles)
    monkeypatch.setattr("echotrace.link.near_dup.BATCH_SIZE", 97)
    assert copy_links(iter(articles)) == expected
    assert copy_links(articles, map_batches=functools.partial(map_ordered, workers=2)) == expected


def test_verification_in_small_chunks_gives_the_same_links(monkeypatch: pytest.MonkeyPatch) -> None:
    articles, _, _ = small_corpus()
    expected = copy_links(articles)
    monkeypatch.setattr("echotrace.link.near_dup.VERIFY_CHUNK", 7)
    assert copy_links(articles) == expected


def test_empty_and_degenerate_inputs() -> None:
    assert copy_links([]) == ([], [])
    when = datetime(2024, 1, 1)
    odd = [Article(f"d{i}", None, text, None, None, when, "published", None, None, "xx", [], "txt")
           for i, text in enumerate(["", "   ", "\ud800 lone", "日本語" * 5_000, "word" * 300_000])]
    links, _ = copy_links(odd)
    assert links == []


def test_pages_sharing_only_stock_paragraphs_are_not_copies() -> None:
    """A sign-off that many pages carry is no evidence of copying, even for a short page made
    mostly of it; a page that copies another's paragraphs still is."""
    rng = random.Random(5)

    def paragraph(words: int) -> str:
        return " ".join("".join(rng.choice("abcdefghijklmnoprstuvz") for _ in range(rng.randint(3, 9)))
                        for _ in range(words)).capitalize() + "."

    stock = paragraph(40)
    when = datetime(2024, 1, 1)
    pages = ["\n\n".join([*(paragraph(40) for _ in range(5)), stock]) for _ in range(6)]
    short = f"{stock}\n\n{paragraph(15)}"
    copier = "\n\n".join([*pages[0].split("\n\n")[:3], paragraph(40), paragraph(40)])
    articles = [Article(f"d{k}", None, text, None, f"outlet{k}", when, "published", None, None, "en", [], "txt")
                for k, text in enumerate([*pages, short, copier])]
    links, _ = copy_links(articles)
    assert [(lk.doc_a, lk.doc_b, lk.kind) for lk in links] == [("d0", "d7", "reuse")]
