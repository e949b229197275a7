"""Copies and partial reuse: MinHash-LSH candidates, verified by exact shingle overlap.

Two levels, because a republisher often wraps a wire story in its own intro and footer:
whole documents (Jaccard -> `duplicate`) and paragraphs (containment -> `reuse`, with the
aligned paragraphs as evidence spans). LSH only proposes pairs; every reported score is an
exact Jaccard/containment over the shingle hash sets, so results do not depend on LSH luck.

Memory grows with the number of shingles, not of texts: articles are fingerprinted batch by
batch (optionally in worker processes) into flat numpy arrays, a paragraph's shingles are a
slice of its document's, and only a small stub of each article is kept for the final links.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np
import numpy.typing as npt

from echotrace.link import fingerprints as fp
from echotrace.link.provenance import earlier_of
from echotrace.memory import release_freed_memory
from echotrace.records import Article, DocLink, LinkSpan

DUPLICATE_JACCARD = 0.7
REUSE_CONTAINMENT = 0.5
PARAGRAPH_CONTAINMENT = 0.6
DOC_LSH_THRESHOLD = 0.5
PARAGRAPH_LSH_THRESHOLD = 0.5
# Permutations per level. Paragraphs (~40 shingles, ~8 per document) get 64: 2-row bands still
# find a pair at Jaccard 0.5 with probability > 0.9999, at half the signature cost; the extra
# chance candidates (about 27 % of pairs at Jaccard 0.1) are cheap to verify.
DOC_NUM_PERM = fp.NUM_PERM
PARAGRAPH_NUM_PERM = 64
MIN_PARAGRAPH_WORDS = 12
# A single shared paragraph counts as reuse only if it carries this many shingles (~30 words):
# short stock phrases ("the ministry said on Tuesday") are shared by unrelated stories.
MIN_SHARED_SHINGLES = 25
# Paragraphs shared with more articles than this are an outlet's stock text; and an outlet repeating
# its own paragraphs is not republication: neither counts as reuse evidence on its own.
MAX_PARAGRAPH_DOCS = 4
# LSH buckets larger than these are boilerplate shared by many pages: skipped, not paired
# quadratically. A paragraph bucket this big is far beyond MAX_PARAGRAPH_DOCS, i.e. stock text.
DOC_MAX_BUCKET = 200
PARAGRAPH_MAX_BUCKET = 8 * (MAX_PARAGRAPH_DOCS + 1)
# A pair the document-level LSH proposes on a single shared band is mostly a chance collision
# (generated 10k corpus: 492,372 of the 594,133 proposed pairs, mean Jaccard .16). It is verified
# only when paragraph matching cannot judge it (either page has fewer than MIN_JUDGED_PARAGRAPHS
# paragraphs, e.g. a page stored as one block of text, as FA-KES's are) or when the two share a
# matched paragraph. There, 89,996 of those pairs are verified and the links stay the same (7,210).
MIN_SHARED_BANDS = 2
MIN_JUDGED_PARAGRAPHS = 2
BATCH_SIZE = 512
# Candidate document pairs verified at a time (`_verified_links`).
VERIFY_CHUNK = 1 << 20
METHOD = "minhash-lsh+exact-shingles"

Pairs = fp.Pairs
# (shingle rows, LSH threshold, permutations, group of each row) -> candidate row pairs (i < j).
# Pluggable so the benchmark can run datasketch's MinHashLSH through the very same verification.
CandidateFinder = Callable[[fp.Rows, float, int, npt.NDArray[np.int64] | None], Pairs]
# A document as the fingerprinting needs it: text and the cleaner's paragraph spans (may be empty).
Doc = tuple[str, list[tuple[int, int]]]
# map(fn, batches) in order, e.g. `functools.partial(engines.local.map_ordered, workers=2)`.
BatchMapper = Callable[[Callable[[list[Doc]], "Fingerprints"], Iterable[list[Doc]]], Iterable["Fingerprints"]]


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Shingles and LSH band keys of a batch of articles: flat arrays, cheap to pickle.

    Document i's shingles (`fp.short_hashes`, in text order) are the slice
    [shingle_offsets[i], shingle_offsets[i + 1]) of `shingles`. Unit = a paragraph of at least
    MIN_PARAGRAPH_WORDS words; its shingles are the slice [unit_lo, unit_hi).
    """

    shingles: fp.ShortHashes
    shingle_offsets: fp.Offsets
    unit_doc: npt.NDArray[np.int64]
    unit_span: npt.NDArray[np.int64]  # (units, 2) character start, end
    unit_lo: npt.NDArray[np.int64]
    unit_hi: npt.NDArray[np.int64]
    doc_keys: npt.NDArray[fp.BandKey] | None
    unit_keys: npt.NDArray[fp.BandKey] | None


def paragraph_spans(text: str, paragraphs: Sequence[tuple[int, int]]) -> Sequence[tuple[int, int]]:
    """Paragraph spans from the cleaner, else the text's non-blank lines (trimmed)."""
    if paragraphs:
        return paragraphs
    spans: list[tuple[int, int]] = []
    pos = 0
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


def rensa_keys(rows: fp.Rows, threshold: float, num_perm: int) -> npt.NDArray[fp.BandKey]:
    return fp.band_keys(fp.flat_signatures(rows, num_perm), threshold)


def fingerprint(docs: list[Doc], with_keys: bool = True) -> Fingerprints:
    """Shingles of every (text, cleaner's paragraph spans) and of its paragraphs, from one
    tokenisation of the text.

    A paragraph's words are the document's words that start inside its span, so it owns a
    slice of the document's shingles (those that do not run past its last word).
    """
    words, word_starts = fp.located_words([text for text, _ in docs])
    doc_shingles = fp.shingle_rows(words)
    spans = [paragraph_spans(text, paragraphs) for text, paragraphs in docs]
    para_doc = np.repeat(np.arange(len(docs), dtype=np.int64), [len(s) for s in spans])
    para_span = np.array([span for doc in spans for span in doc], dtype=np.int64).reshape(-1, 2)
    # Word positions as (document, offset) keys, sorted because words come in text order.
    position_bits = 40
    word_doc = np.repeat(np.arange(len(docs), dtype=np.int64), words.sizes())
    word_keys = (word_doc << position_bits) + word_starts
    first_word = np.searchsorted(word_keys, (para_doc << position_bits) + para_span[:, 0])
    end_word = np.searchsorted(word_keys, (para_doc << position_bits) + para_span[:, 1])
    keep = end_word - first_word >= MIN_PARAGRAPH_WORDS
    # Word k of a document of >= SHINGLE_SIZE words starts that document's shingle k.
    unit_doc = para_doc[keep]
    unit_lo = doc_shingles.offsets[unit_doc] + first_word[keep] - words.offsets[unit_doc]
    unit_hi = unit_lo + (end_word - first_word)[keep] - fp.SHINGLE_SIZE + 1
    doc_keys = unit_keys = None
    if with_keys:
        doc_keys = rensa_keys(doc_shingles, DOC_LSH_THRESHOLD, DOC_NUM_PERM)
        unit_rows = fp.gather(doc_shingles.values, unit_lo, unit_hi)
        unit_keys = rensa_keys(unit_rows, PARAGRAPH_LSH_THRESHOLD, PARAGRAPH_NUM_PERM)
    return Fingerprints(fp.short_hashes(doc_shingles.values), doc_shingles.offsets, unit_doc, para_span[keep],
                        unit_lo, unit_hi, doc_keys, unit_keys)


def _fingerprint_with_keys(docs: list[Doc]) -> Fingerprints:
    return fingerprint(docs, with_keys=True)


def _fingerprint_without_keys(docs: list[Doc]) -> Fingerprints:
    return fingerprint(docs, with_keys=False)


def _batches(articles: Iterable[Article], stubs: list[Article], lengths: list[int]) -> Iterator[list[Doc]]:
    """Batches of (text, paragraph spans), all a worker needs; keeps a text-less stub of each
    article and its text length for the links."""
    iterator = iter(articles)
    while batch := list(islice(iterator, BATCH_SIZE)):
        for article in batch:
            stubs.append(dataclasses.replace(article, text="", paragraphs=[], boilerplate=[], credits=[]))
            lengths.append(len(article.text))
        yield [(a.text, [(p.start, p.end) for p in a.paragraphs]) for a in batch]


@dataclass(slots=True)
class _Corpus:
    """All batches' fingerprints in flat arrays, laid out as in `Fingerprints`. The search sorts
    the shingles of paragraphs and documents in candidate pairs in place (`_contained_paragraphs`,
    `_verified_links`), so their text order holds only until then."""

    shingles: fp.ShortHashes
    shingle_offsets: fp.Offsets
    unit_doc: npt.NDArray[np.int64]
    unit_span: npt.NDArray[np.int64]
    unit_lo: npt.NDArray[np.int64]
    unit_hi: npt.NDArray[np.int64]
    doc_keys: npt.NDArray[fp.BandKey] | None
    unit_keys: npt.NDArray[fp.BandKey] | None

    @classmethod
    def join(cls, parts: list[Fingerprints]) -> _Corpus:
        """One corpus from batches (emptying `parts`): indices shifted by the batches before.

        The arrays are allocated at their final size and each batch is released once copied.
        glibc keeps the released batches' heap pages until `release_freed_memory` (RSS on the
        100k generated store: 2,343 -> 2,893 MiB while joining)."""
        n_docs = sum(p.shingle_offsets.size - 1 for p in parts)
        n_values = sum(p.shingles.size for p in parts)
        n_units = sum(p.unit_doc.size for p in parts)
        keyed = bool(parts) and all(p.doc_keys is not None and p.unit_keys is not None for p in parts)
        doc_bands = DOC_NUM_PERM // fp.rows_per_band(DOC_LSH_THRESHOLD, DOC_NUM_PERM)
        unit_bands = PARAGRAPH_NUM_PERM // fp.rows_per_band(PARAGRAPH_LSH_THRESHOLD, PARAGRAPH_NUM_PERM)
        corpus = cls(
            shingles=np.empty(n_values, dtype=np.uint32),
            shingle_offsets=np.zeros(n_docs + 1, dtype=np.int64),
            unit_doc=np.empty(n_units, dtype=np.int64),
            unit_span=np.empty((n_units, 2), dtype=np.int64),
            unit_lo=np.empty(n_units, dtype=np.int64),
            unit_hi=np.empty(n_units, dtype=np.int64),
            doc_keys=np.empty((n_docs, doc_bands), dtype=fp.BandKey) if keyed else None,
            unit_keys=np.empty((n_units, unit_bands), dtype=fp.BandKey) if keyed else None,
        )
        doc, value, unit = 0, 0, 0
        parts.reverse()
        while parts:
            part = parts.pop()
            docs, values, units = part.shingle_offsets.size - 1, part.shingles.size, part.unit_doc.size
            corpus.shingles[value : value + values] = part.shingles
            corpus.shingle_offsets[doc + 1 : doc + docs + 1] = part.shingle_offsets[1:] + value
            corpus.unit_doc[unit : unit + units] = part.unit_doc + doc
            corpus.unit_span[unit : unit + units] = part.unit_span
            corpus.unit_lo[unit : unit + units] = part.unit_lo + value
            corpus.unit_hi[unit : unit + units] = part.unit_hi + value
            if corpus.doc_keys is not None and part.doc_keys is not None:
                corpus.doc_keys[doc : doc + docs] = part.doc_keys
            if corpus.unit_keys is not None and part.unit_keys is not None:
                corpus.unit_keys[unit : unit + units] = part.unit_keys
            doc, value, unit = doc + docs, value + values, unit + units
        return corpus


def copy_links(
    articles: Iterable[Article],
    candidates: CandidateFinder | None = None,
    map_batches: BatchMapper | None = None,
) -> tuple[list[DocLink], list[LinkSpan]]:
    """`duplicate` and `reuse` links between `articles` (expected sorted by doc_id).

    `articles` may be a stream: texts are dropped once fingerprinted. `map_batches` runs the
    fingerprinting (tokens, shingles, signatures, band keys) on several processes; `candidates`
    replaces rensa + numpy banding (the benchmark's datasketch reference).
    """
    stubs: list[Article] = []
    lengths: list[int] = []
    work = _fingerprint_with_keys if candidates is None else _fingerprint_without_keys
    batches = _batches(articles, stubs, lengths)
    parts = list(map_batches(work, batches) if map_batches is not None else map(work, batches))
    if not parts:
        return [], []
    corpus = _Corpus.join(parts)
    release_freed_memory()  # the workers' unpickled batches
    if candidates is None:
        assert corpus.doc_keys is not None and corpus.unit_keys is not None
        doc_pairs = fp.pairs_from_keys(corpus.doc_keys, None, DOC_MAX_BUCKET)
        bands: npt.NDArray[np.uint8] | None = fp.shared_bands(corpus.doc_keys, doc_pairs)
        corpus.doc_keys = None
        unit_pairs = fp.pairs_from_keys(corpus.unit_keys, corpus.unit_doc, PARAGRAPH_MAX_BUCKET)
        corpus.unit_keys = None  # 32 keys of 4 bytes per paragraph: ~130 MB at 100k documents
    else:
        rows = fp.Rows(corpus.shingles.astype(np.uint64), corpus.shingle_offsets)
        doc_pairs = candidates(rows, DOC_LSH_THRESHOLD, DOC_NUM_PERM, None)
        bands = None  # another candidate finder: its pairs are all verified
        unit_rows = fp.gather(rows.values, corpus.unit_lo, corpus.unit_hi)
        unit_pairs = candidates(unit_rows, PARAGRAPH_LSH_THRESHOLD, PARAGRAPH_NUM_PERM, corpus.unit_doc)
        del rows, unit_rows
    release_freed_memory()
    contained = _contained_paragraphs(corpus, unit_pairs)
    del unit_pairs  # the largest array of the search (tens of millions of pairs at 100k documents)
    aligned = _Aligned.build(corpus, stubs, *contained)
    del contained
    if bands is not None:
        doc_pairs = _worth_verifying(doc_pairs, bands, corpus.unit_doc, aligned.keys, len(stubs))
        del bands
    release_freed_memory()
    found = _verified_links(corpus, stubs, lengths, doc_pairs, aligned)
    del corpus, doc_pairs, aligned
    release_freed_memory()  # the search's arrays: ~1 GiB of heap pages at 100k documents, kept otherwise
    return found


def _worth_verifying(pairs: Pairs, bands: npt.NDArray[np.uint8], unit_doc: npt.NDArray[np.int64],
                     matched: npt.NDArray[np.int64], n_docs: int) -> Pairs:
    """Document-LSH pairs worth the exact check: those sharing MIN_SHARED_BANDS bands, and those
    sharing fewer that paragraph matching cannot judge or that share a matched paragraph
    (`matched`: sorted pair codes of the matched paragraphs' documents)."""
    paragraphs = np.bincount(unit_doc, minlength=n_docs)
    keep = bands >= MIN_SHARED_BANDS
    keep |= (paragraphs[pairs[:, 0]] < MIN_JUDGED_PARAGRAPHS) | (paragraphs[pairs[:, 1]] < MIN_JUDGED_PARAGRAPHS)
    weak = np.flatnonzero(~keep)
    if weak.size and matched.size:
        codes = fp.pair_codes(pairs[weak], n_docs)
        keep[weak] = matched[np.minimum(np.searchsorted(matched, codes), matched.size - 1)] == codes
    return pairs[keep]


def _verified_links(
    corpus: _Corpus, stubs: Sequence[Article], lengths: Sequence[int], doc_pairs: Pairs, aligned: _Aligned
) -> tuple[list[DocLink], list[LinkSpan]]:
    """Links of the document pairs that pass, VERIFY_CHUNK pairs at a time: all at once, the
    per-pair figures of every candidate pair (2.3 million at 25k documents) took 1.3 GB at 100k."""
    # Document pairs as sorted codes, not Python tuples (~150 bytes a pair: 200 MiB at 10k).
    # Pairs that share only stock or same-outlet paragraphs are not candidates of their own
    # (they would be millions at 100k documents); the document-level LSH may still propose them.
    n_docs = len(stubs)
    codes = fp.sorted_unique(np.concatenate([fp.pair_codes(doc_pairs, n_docs), aligned.keys[aligned.overlap > 0]]))
    used = np.zeros(n_docs, dtype=bool)
    for lo in range(0, codes.size, VERIFY_CHUNK):
        used[fp.decode_pairs(codes[lo : lo + VERIFY_CHUNK], n_docs).ravel()] = True
    # The paragraphs are done with: a document's shingles need not stay in paragraph order.
    fp.sort_rows(corpus.shingles, corpus.shingle_offsets[:-1][used], corpus.shingle_offsets[1:][used])
    links: list[DocLink] = []
    spans: list[LinkSpan] = []
    for lo in range(0, codes.size, VERIFY_CHUNK):
        _verify_chunk(corpus, stubs, lengths, aligned, codes[lo : lo + VERIFY_CHUNK], links, spans)
    return links, spans


def _verify_chunk(corpus: _Corpus, stubs: Sequence[Article], lengths: Sequence[int], aligned: _Aligned,
                  codes: npt.NDArray[np.int64], links: list[DocLink], spans: list[LinkSpan]) -> None:
    """Append to `links` and `spans` those of the document pairs `codes` (sorted) that pass."""
    verify = fp.decode_pairs(codes, len(stubs))
    offsets = corpus.shingle_offsets
    size_a, size_b, shared = fp.intersection_sizes(corpus.shingles, offsets[:-1], offsets[1:], verify)
    jaccards = shared / np.maximum(1, size_a + size_b - shared)
    starts, stops, paragraph_overlaps, stock = aligned.of(codes)
    # Stock text shared is no copying: a short page that is mostly an outlet's sign-off does
    # not reuse every page that carries it.
    containments = np.maximum(0, shared - stock) / np.maximum(1, np.minimum(size_a, size_b))
    linked = ((jaccards >= DUPLICATE_JACCARD) | (containments >= REUSE_CONTAINMENT)
              | (paragraph_overlaps >= MIN_SHARED_SHINGLES))
    for (i, j), jac, con, start, stop in zip(
        verify[linked].tolist(), jaccards[linked].tolist(), containments[linked].tolist(),
        starts[linked].tolist(), stops[linked].tolist(), strict=True
    ):
        a, b = stubs[i], stubs[j]
        part = slice(start, stop)
        if jac >= DUPLICATE_JACCARD:
            kind, score = "duplicate", jac
        else:
            # Score: the share of the shorter article that is copied (one shared paragraph of
            # ten scores ~.1, a wrapped wire story ~1).
            kind, score = "reuse", con
        links.append(DocLink(a.doc_id, b.doc_id, kind, round(score, 4), earlier_of(a, b), METHOD))
        if part.stop > part.start:
            located = list(zip(corpus.unit_span[aligned.first[part]].tolist(),
                               corpus.unit_span[aligned.second[part]].tolist(),
                               aligned.score[part].tolist(), strict=True))
            spans.extend(
                LinkSpan(a.doc_id, sa[0], sa[1], b.doc_id, sb[0], sb[1], round(s, 4))
                for sa, sb, s in sorted(located, key=lambda p: (p[0][0], p[1][0]))
            )
        else:
            spans.append(LinkSpan(a.doc_id, 0, lengths[i], b.doc_id, 0, lengths[j], round(score, 4)))


def _contained_paragraphs(
    corpus: _Corpus, unit_pairs: Pairs
) -> tuple[Pairs, npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Candidate paragraph pairs that pass PARAGRAPH_CONTAINMENT, with their containment and
    shared shingles. Kept chunk by chunk: only these are held (a third of the candidates on the
    generated corpus, whose stock paragraphs make most of them)."""
    pairs: list[Pairs] = [np.zeros((0, 2), dtype=np.int32)]
    scores: list[npt.NDArray[np.float64]] = [np.zeros(0)]
    overlaps: list[npt.NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    used = np.zeros(len(corpus.unit_lo), dtype=bool)
    used[unit_pairs.ravel()] = True
    fp.sort_rows(corpus.shingles, corpus.unit_lo[used], corpus.unit_hi[used])  # text order is not read again
    chunks = fp.intersection_chunks(corpus.shingles, corpus.unit_lo, corpus.unit_hi, unit_pairs)
    for chunk, size_a, size_b, shared in chunks:
        containment = shared / np.maximum(1, np.minimum(size_a, size_b))
        keep = containment >= PARAGRAPH_CONTAINMENT
        pairs.append(unit_pairs[chunk][keep])
        scores.append(containment[keep])
        overlaps.append(shared[keep])
    return np.concatenate(pairs), np.concatenate(scores), np.concatenate(overlaps)


@dataclass(slots=True)
class _Aligned:
    """Matched paragraph pairs grouped by document pair, in arrays sorted by (doc_a, doc_b) with
    the match order kept inside a pair. Python tuples per pair cost ~1 KB each: the generated 2k
    corpus has 322,723 matched pairs, most of them stock paragraphs."""

    keys: npt.NDArray[np.int64]  # doc_a * n_docs + doc_b
    first: npt.NDArray[np.int32]  # unit in doc_a
    second: npt.NDArray[np.int32]  # unit in doc_b
    score: npt.NDArray[np.float64]
    overlap: npt.NDArray[np.int32]  # shared shingles, 0 for stock text or the same outlet
    stock_shared: npt.NDArray[np.int32]  # shared shingles of stock text, else 0

    @classmethod
    def build(cls, corpus: _Corpus, stubs: Sequence[Article], pairs: Pairs,
              score: npt.NDArray[np.float64], shared: npt.NDArray[np.int64]) -> _Aligned:
        doc_i, doc_j = corpus.unit_doc[pairs[:, 0]], corpus.unit_doc[pairs[:, 1]]
        # A paragraph found in many articles is stock text (background, "Follow us on…"), not a copy.
        n_docs = len(stubs)
        unit_partner = fp.sorted_unique(np.concatenate([pairs[:, 0].astype(np.int64) * n_docs + doc_j,
                                                        pairs[:, 1].astype(np.int64) * n_docs + doc_i]))
        partners = np.bincount(unit_partner // n_docs, minlength=len(corpus.unit_doc))
        del unit_partner
        stock = (partners[pairs[:, 0]] > MAX_PARAGRAPH_DOCS) | (partners[pairs[:, 1]] > MAX_PARAGRAPH_DOCS)
        del partners
        codes: dict[str, int] = {}
        outlet = np.array([-1 if a.outlet is None else codes.setdefault(a.outlet, len(codes)) for a in stubs],
                          dtype=np.int64)
        same_outlet = (outlet[doc_i] >= 0) & (outlet[doc_i] == outlet[doc_j])
        # Temporaries the size of `pairs` are released as soon as used: 100k documents give
        # tens of millions of matched paragraph pairs.
        swap = doc_i > doc_j
        keys = np.minimum(doc_i, doc_j) * n_docs + np.maximum(doc_i, doc_j)
        del doc_i, doc_j
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        first = np.where(swap, pairs[:, 1], pairs[:, 0])[order]
        second = np.where(swap, pairs[:, 0], pairs[:, 1])[order]
        del swap
        overlap = np.where(stock | same_outlet, 0, shared).astype(np.int32)[order]
        stock_shared = np.where(stock, shared, 0).astype(np.int32)[order]
        return cls(keys, first, second, score[order], overlap, stock_shared)

    def of(self, keys: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], ...]:
        """For each document pair (sorted keys doc_a * n_docs + doc_b): where its matches start
        and stop, their summed overlap and their summed stock shingles. Sums run over the matches
        between the first and the last key only, so a chunk of keys costs its own matches."""
        if not keys.size:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        lo, hi = np.searchsorted(self.keys, keys[0], "left"), np.searchsorted(self.keys, keys[-1], "right")
        starts = np.searchsorted(self.keys[lo:hi], keys, "left")
        stops = np.searchsorted(self.keys[lo:hi], keys, "right")
        overlap = _range_sums(self.overlap[lo:hi], starts, stops)
        stock = _range_sums(self.stock_shared[lo:hi], starts, stops)
        return starts + lo, stops + lo, overlap, stock


def _range_sums(values: npt.NDArray[np.int32], starts: npt.NDArray[np.int64],
                stops: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """values[starts[k]:stops[k]].sum() for every k, from one cumulative sum."""
    cumulative = np.zeros(values.size + 1, dtype=np.int64)
    np.cumsum(values, out=cumulative[1:])
    sums: npt.NDArray[np.int64] = cumulative[stops] - cumulative[starts]
    return sums
