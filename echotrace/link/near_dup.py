"""Copies and partial reuse: MinHash-LSH candidates, verified by exact shingle overlap.

Two levels, because a republisher often wraps a wire story in its own intro and footer:
whole documents (Jaccard -> `duplicate`) and paragraphs (containment -> `reuse`, with the
aligned paragraphs as evidence spans). LSH only proposes pairs; every reported score is an
exact Jaccard/containment over the shingle sets, so results do not depend on hash luck.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from echotrace.link import fingerprints as fp
from echotrace.link.provenance import earlier_of
from echotrace.records import Article, DocLink, LinkSpan

DUPLICATE_JACCARD = 0.7
REUSE_CONTAINMENT = 0.5
PARAGRAPH_CONTAINMENT = 0.6
DOC_LSH_THRESHOLD = 0.5
PARAGRAPH_LSH_THRESHOLD = 0.5
MIN_PARAGRAPH_WORDS = 12
# A single shared paragraph counts as reuse only if it carries this many shingles (~30 words):
# short stock phrases ("the ministry said on Tuesday") are shared by unrelated stories.
MIN_SHARED_SHINGLES = 25
# Paragraphs shared with more articles than this are an outlet's stock text; and an outlet repeating
# its own paragraphs is not republication: neither counts as reuse evidence on its own.
MAX_PARAGRAPH_DOCS = 4
METHOD = "minhash-lsh+exact-shingles"


# (shingle sets, LSH threshold, group of each set) -> candidate index pairs (i < j). Pluggable
# so the benchmark can run datasketch's MinHashLSH through the very same verification.
CandidateFinder = Callable[
    [Sequence[fp.HashSet], float, npt.NDArray[np.int64] | None], npt.NDArray[np.int64]
]


def rensa_candidates(
    sets: Sequence[fp.HashSet], threshold: float, groups: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.int64]:
    return fp.candidate_pairs(fp.signatures(sets), threshold, groups)


@dataclass(slots=True)
class _Unit:
    doc: int
    start: int
    end: int
    shingles: fp.HashSet


def paragraph_spans(article: Article) -> list[tuple[int, int]]:
    """Paragraph spans from the cleaner, else blank-line/line blocks of the text."""
    if article.paragraphs:
        return [(p.start, p.end) for p in article.paragraphs]
    spans: list[tuple[int, int]] = []
    pos = 0
    text = article.text
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _paragraph_units(articles: Sequence[Article]) -> list[_Unit]:
    located: list[tuple[int, int, int]] = []
    texts: list[str] = []
    for index, article in enumerate(articles):
        for start, end in paragraph_spans(article):
            located.append((index, start, end))
            texts.append(article.text[start:end])
    sets = fp.shingle_sets(texts)
    # n words give n - 4 five-word shingles: the size filter is a word-count filter.
    min_shingles = MIN_PARAGRAPH_WORDS - fp.SHINGLE_SIZE + 1
    return [
        _Unit(doc, start, end, hashes)
        for (doc, start, end), hashes in zip(located, sets, strict=True)
        if hashes.size >= min_shingles
    ]


def copy_links(
    articles: Sequence[Article], candidates: CandidateFinder = rensa_candidates
) -> tuple[list[DocLink], list[LinkSpan]]:
    """`duplicate` and `reuse` links between `articles` (expected sorted by doc_id)."""
    doc_shingles = fp.shingle_sets([a.text for a in articles])
    doc_pairs = candidates(doc_shingles, DOC_LSH_THRESHOLD, None)

    units = _paragraph_units(articles)
    unit_docs = np.array([u.doc for u in units], dtype=np.int64)
    unit_pairs = candidates([u.shingles for u in units], PARAGRAPH_LSH_THRESHOLD, unit_docs)
    aligned: dict[tuple[int, int], list[tuple[_Unit, _Unit, float, int]]] = {}
    matched: list[tuple[int, int, float]] = []
    partners: dict[int, set[int]] = {}
    for i, j in unit_pairs.tolist():
        score = fp.containment(units[i].shingles, units[j].shingles)
        if score >= PARAGRAPH_CONTAINMENT:
            matched.append((i, j, score))
            partners.setdefault(i, set()).add(units[j].doc)
            partners.setdefault(j, set()).add(units[i].doc)
    for i, j, score in matched:
        first, second = units[i], units[j]
        # A paragraph found in many articles is stock text (background, "Follow us on…"), not a copy.
        stock = len(partners[i]) > MAX_PARAGRAPH_DOCS or len(partners[j]) > MAX_PARAGRAPH_DOCS
        same_outlet = articles[first.doc].outlet is not None and (
            articles[first.doc].outlet == articles[second.doc].outlet)
        shared = 0 if stock or same_outlet else fp.overlap(first.shingles, second.shingles)
        key = (min(first.doc, second.doc), max(first.doc, second.doc))
        if first.doc > second.doc:
            first, second = second, first
        aligned.setdefault(key, []).append((first, second, score, shared))

    to_verify = sorted({(int(i), int(j)) for i, j in doc_pairs.tolist()} | set(aligned))
    links: list[DocLink] = []
    spans: list[LinkSpan] = []
    for i, j in to_verify:
        a, b = articles[i], articles[j]
        jac = fp.jaccard(doc_shingles[i], doc_shingles[j])
        con = fp.containment(doc_shingles[i], doc_shingles[j])
        pairs = aligned.get((i, j), [])
        shared_in_paragraphs = sum(shared for _, _, _, shared in pairs)
        if jac >= DUPLICATE_JACCARD:
            kind, score = "duplicate", jac
        elif con >= REUSE_CONTAINMENT or shared_in_paragraphs >= MIN_SHARED_SHINGLES:
            # Score: the share of the shorter article that is copied (one shared paragraph of
            # ten scores ~.1, a wrapped wire story ~1).
            kind, score = "reuse", con
        else:
            continue
        links.append(DocLink(a.doc_id, b.doc_id, kind, round(score, 4), earlier_of(a, b), METHOD))
        if pairs:
            spans.extend(
                LinkSpan(a.doc_id, ua.start, ua.end, b.doc_id, ub.start, ub.end, round(s, 4))
                for ua, ub, s, _ in sorted(pairs, key=lambda p: (p[0].start, p[1].start))
            )
        else:
            spans.append(LinkSpan(a.doc_id, 0, len(a.text), b.doc_id, 0, len(b.text), round(score, 4)))
    return links, spans
