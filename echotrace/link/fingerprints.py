"""Word shingles, MinHash signatures (rensa) and banded LSH candidate pairs, all in bulk.

Copies across outlets differ in punctuation, quotes, case and spacing, so shingles are built
over lower-cased word tokens only: a word is a maximal run of letters and digits
(`str.isalnum`), and each CJK ideograph, kana or Hangul syllable is a word of its own because
those languages do not separate words by spaces.

Speed comes from never making a Python object per word or per shingle: many texts are joined,
lower-cased and encoded to code points once, words are found and hashed with a vectorised
polynomial hash over the code points (stable across runs and processes, unlike Python's
`hash`), shingles are a rolling numpy combination of word hashes, and rensa computes the
R-MinHash signatures of a whole flat buffer in one call. Banding is numpy too, so candidate
generation has no per-document Python call and its output order is fully deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from rensa import RMinHash

NUM_PERM = 128
SEED = 20_161_215
SHINGLE_SIZE = 5

HashSet = npt.NDArray[np.uint64]
# A shingle hash cut to its top 32 bits: what the exact overlap counts compare (`short_hashes`).
ShortHashes = npt.NDArray[np.uint32]
BandKey = np.uint32
Offsets = npt.NDArray[np.int64]
# Row pairs (i, j): 32-bit indices, half the memory of the tens of millions of candidate
# paragraph pairs at 100k documents; `pair_codes` widens them before multiplying.
Pairs = npt.NDArray[np.int32]

_U64 = np.uint64
_MIX = _U64(0x9E3779B97F4A7C15)
_POLY = _U64(0x100000001B3)  # odd, hence invertible modulo 2**64
_Int = TypeVar("_Int", np.int64, np.uint64)
_EMPTY_SLOT = np.iinfo(np.uint32).max
# Code points per vectorised pass: small enough for the temporary arrays (~40 bytes per
# character) to stay in cache, large enough to amortise numpy's per-call cost.
_CHUNK_CHARS = 1 << 16
# Rows per rensa call when signatures are converted back to numpy (Python ints are ~36 bytes each).
_SIGNATURE_ROWS = 4096
# Values per chunk of verification (a handful of 8-byte temporaries each).
_VERIFY_VALUES = 1 << 21
_KEY_BITS = _U64(32)
_KEY_MASK = (_U64(1) << _KEY_BITS) - _U64(1)
_ONE_CHARACTER_WORDS = ((0x3040, 0x30FF), (0x3400, 0x9FFF), (0xAC00, 0xD7AF))
_OTHER, _WORD, _ONE_CHARACTER_WORD = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Rows:
    """Many integer rows in one flat array: row i is `values[offsets[i]:offsets[i + 1]]`."""

    values: HashSet
    offsets: Offsets

    def __len__(self) -> int:
        return int(self.offsets.size) - 1

    def row(self, index: int) -> HashSet:
        return self.values[self.offsets[index] : self.offsets[index + 1]]

    def sizes(self) -> Offsets:
        return np.diff(self.offsets)


@functools.cache
def _character_classes() -> npt.NDArray[np.uint8]:
    """Class of every code point of the Basic Multilingual Plane (other / word character /
    one-character word), built once; rarer code points are classed on demand."""
    classes = np.fromiter((chr(c).isalnum() for c in range(0x10000)), dtype=np.uint8, count=0x10000)
    for first, last in _ONE_CHARACTER_WORDS:
        block = classes[first : last + 1]
        block[block == _WORD] = _ONE_CHARACTER_WORD
    return classes


def _classes_of(points: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    table = _character_classes()
    if int(points.max()) < table.size:
        return table[points]
    astral = points >= table.size
    classes = table[np.where(astral, 0, points)]
    found = np.unique(points[astral])
    known = np.array([chr(c).isalnum() for c in found.tolist()], dtype=np.uint8)
    classes[astral] = known[np.searchsorted(found, points[astral])]
    return classes


@functools.cache
def _powers() -> tuple[HashSet, HashSet]:
    """POLY**i and its inverse modulo 2**64 for i < _CHUNK_CHARS + 1, built once."""
    powers = np.full(_CHUNK_CHARS + 1, _POLY, dtype=_U64)
    powers[0] = 1
    with np.errstate(over="ignore"):
        powers = np.cumprod(powers, dtype=_U64)
        inverse = powers.copy()
        for _ in range(6):  # Newton's iteration doubles the correct low bits: 3 -> 96
            inverse *= _U64(2) - powers * inverse
    return powers, inverse


def _mix(values: HashSet) -> HashSet:
    """splitmix64's finaliser, in place: spreads polynomial hashes over all 64 bits."""
    with np.errstate(over="ignore"):
        values ^= values >> _U64(30)
        values *= _U64(0xBF58476D1CE4E5B9)
        values ^= values >> _U64(27)
        values *= _U64(0x94D049BB133111EB)
        values ^= values >> _U64(31)
    return values


def _word_hashes_of_joined(joined: str) -> tuple[HashSet, Offsets]:
    """Hashes and start offsets of the words of one folded string (<= _CHUNK_CHARS long)."""
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if points.size == 0:
        return np.zeros(0, dtype=_U64), np.zeros(0, dtype=np.int64)
    classes = _classes_of(points)
    word = classes != _OTHER
    first_letter = word.copy()
    first_letter[1:] &= ~word[:-1]
    last_letter = word.copy()
    last_letter[:-1] &= ~word[1:]
    single = classes == _ONE_CHARACTER_WORD
    if single.any():  # a one-character word is cut from its neighbours on both sides
        first_letter |= single
        first_letter[1:] |= word[1:] & single[:-1]
        last_letter |= single
        last_letter[:-1] |= word[:-1] & single[1:]
    starts = np.flatnonzero(first_letter)
    ends = np.flatnonzero(last_letter) + 1
    powers, inverse = _powers()
    prefix = np.zeros(points.size + 1, dtype=_U64)
    with np.errstate(over="ignore"):
        np.cumsum(points * powers[: points.size], out=prefix[1:])
        hashes = (prefix[ends] - prefix[starts]) * inverse[starts]
    return _mix(hashes), starts.astype(np.int64)


def _fold(text: str) -> str:
    """Lower case of the same length, so word offsets hold in the original text.

    `str.lower` keeps lengths except for U+0130 (Turkish dotted capital I)."""
    folded = text.lower()
    return folded if len(folded) == len(text) else text.replace("\u0130", "i").lower()


def _pieces(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of a text cut at whitespace into pieces of at most _CHUNK_CHARS."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > _CHUNK_CHARS:
        end = start + _CHUNK_CHARS
        cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
        end = cut + 1 if cut > start else end
        pieces.append((start, text[start:end]))
        start = end
    pieces.append((start, text[start:]))
    return pieces


def located_words(texts: Sequence[str]) -> tuple[Rows, Offsets]:
    """64-bit hashes of each text's lower-cased words in order, one row per text, and the
    character offset in its text where each word starts.

    Texts are joined by a newline, which is never part of a word, and hashed in chunks of at
    most _CHUNK_CHARS characters.
    """
    values: list[HashSet] = []
    positions: list[Offsets] = []
    owners: list[Offsets] = []
    chunk: list[tuple[int, int, str]] = []  # (text index, offset in text, folded piece)
    size = 0

    def flush() -> None:
        joined_starts = np.cumsum([0, *(len(piece) + 1 for _, _, piece in chunk[:-1])])
        hashes, starts = _word_hashes_of_joined("\n".join(piece for _, _, piece in chunk))
        piece = np.searchsorted(joined_starts, starts, side="right") - 1
        values.append(hashes)
        positions.append(starts - joined_starts[piece] + np.array([o for _, o, _ in chunk])[piece])
        owners.append(np.array([t for t, _, _ in chunk], dtype=np.int64)[piece])
        chunk.clear()

    for index, text in enumerate(texts):
        for offset, piece in _pieces(_fold(text)):
            if chunk and size + len(piece) >= _CHUNK_CHARS:
                flush()
                size = 0
            chunk.append((index, offset, piece))
            size += len(piece) + 1
    if chunk:
        flush()
    counts = np.bincount(np.concatenate([*owners, np.zeros(0, dtype=np.int64)]), minlength=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    flat = np.concatenate([*values, np.zeros(0, dtype=_U64)])
    return Rows(flat, offsets), np.concatenate([*positions, np.zeros(0, dtype=np.int64)]).astype(np.int64)


def word_hashes(texts: Sequence[str]) -> Rows:
    """64-bit hashes of each text's lower-cased words, in order, one row per text."""
    return located_words(texts)[0]


def shingle_rows(words: Rows, size: int = SHINGLE_SIZE) -> Rows:
    """Hashes of each row's word `size`-grams, in text order (repeats kept).

    A row shorter than `size` words is one shingle of all its words; an empty row has none.
    Row r's shingle k starts at word k, so a run of words [a, b) of the row owns the shingle
    slice [a, b - size + 1): paragraphs are slices of their document's shingles.
    """
    tokens = words.values
    counts = words.sizes()
    total = tokens.size
    combined = tokens.copy()
    short_rows = np.flatnonzero((counts > 0) & (counts < size))
    short_values = np.zeros(short_rows.size, dtype=_U64)
    short_starts = words.offsets[short_rows]
    short_counts = counts[short_rows]
    done = short_counts == 1
    short_values[done] = tokens[short_starts[done]]
    with np.errstate(over="ignore"):
        for offset in range(1, min(size, total)):
            combined = combined[: total - offset] * _MIX + tokens[offset:]
            combined ^= combined >> _U64(31)
            done = short_counts == offset + 1
            short_values[done] = combined[short_starts[done]]
    per_row = np.where(counts >= size, counts - size + 1, np.minimum(counts, 1))
    offsets = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(per_row, out=offsets[1:])
    values = np.empty(int(offsets[-1]), dtype=_U64)
    long_rows = np.flatnonzero(counts >= size)
    values[ranges(offsets[long_rows], per_row[long_rows])] = combined[
        ranges(words.offsets[long_rows], per_row[long_rows])
    ]
    values[offsets[short_rows]] = short_values
    return Rows(values, offsets)


def ranges(starts: Offsets, lengths: Offsets) -> Offsets:
    """Concatenated `arange(start, start + length)` for every pair, without a Python loop."""
    lengths = lengths.astype(np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    shift = np.repeat(starts.astype(np.int64) - (np.cumsum(lengths) - lengths), lengths)
    return shift + np.arange(total, dtype=np.int64)


def gather(values: HashSet, starts: Offsets, ends: Offsets) -> Rows:
    """New rows made of the slices [starts[i], ends[i]) of `values`."""
    lengths = np.maximum(ends - starts, 0)
    offsets = np.zeros(lengths.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return Rows(values[ranges(starts, lengths)], offsets)


def shingle_sets(texts: Sequence[str], size: int = SHINGLE_SIZE) -> list[HashSet]:
    """Sorted unique 64-bit hashes of each text's word `size`-grams (see `shingle_rows`)."""
    rows = shingle_rows(word_hashes(texts), size)
    return [np.unique(rows.row(i)) for i in range(len(rows))]


def flat_signatures(rows: Rows, num_perm: int = NUM_PERM) -> npt.NDArray[np.uint32]:
    """R-MinHash signatures, one per row (repeats in a row do not matter to a minimum).

    An empty row gets an all-max signature that `band_keys` never puts in a bucket."""
    out = np.empty((len(rows), num_perm), dtype=np.uint32)
    for first in range(0, len(rows), _SIGNATURE_ROWS):
        last = min(len(rows), first + _SIGNATURE_ROWS)
        lo, hi = int(rows.offsets[first]), int(rows.offsets[last])
        offsets = (rows.offsets[first : last + 1] - lo).astype(np.uint64)
        matrix = RMinHash.digest_matrix_from_flat_token_hashes(
            np.ascontiguousarray(rows.values[lo:hi]), offsets, num_perm, SEED
        )
        out[first:last] = np.asarray(matrix.to_rows(), dtype=np.uint32).reshape(last - first, num_perm)
    out[rows.sizes() == 0] = _EMPTY_SLOT
    return out


def signatures(sets: Sequence[HashSet]) -> npt.NDArray[np.uint32]:
    """R-MinHash signatures of separate hash arrays, one row per array."""
    sizes = np.array([s.size for s in sets], dtype=np.int64)
    offsets = np.zeros(len(sets) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    values = np.concatenate(list(sets)) if sets else np.zeros(0, dtype=_U64)
    return flat_signatures(Rows(values.astype(_U64), offsets))


def rows_per_band(threshold: float, num_perm: int = NUM_PERM) -> int:
    """The widest band (fewest chance candidates) that still finds a pair at `threshold`
    with probability >= 0.99; bands = num_perm // rows (a few leftover slots go unused)."""
    for rows in range(8, 1, -1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= 0.99:
            return rows
    return 1


def band_keys(sigs: npt.NDArray[np.uint32], threshold: float) -> npt.NDArray[BandKey]:
    """One 32-bit key per (row, band), multiply-xor mixed; 0 marks a row that never bands.

    32 bits halve the memory of the largest index (paragraphs); chance collisions only add
    candidates (~n**2 / 2**33 per band), and every candidate is verified exactly."""
    rows = rows_per_band(threshold, sigs.shape[1])
    bands = sigs.shape[1] // rows
    keys = np.zeros((sigs.shape[0], bands), dtype=_U64)
    with np.errstate(over="ignore"):
        for col in range(rows):
            keys = (keys ^ sigs[:, col : bands * rows : rows].astype(_U64)) * _MIX
            keys ^= keys >> _U64(29)
    out = (keys >> _U64(32)).astype(BandKey)
    out[out == 0] = 1
    out[np.all(sigs == _EMPTY_SLOT, axis=1)] = 0
    return out


def shared_bands(keys: npt.NDArray[BandKey], pairs: Pairs, chunk: int = 1 << 18) -> npt.NDArray[np.uint8]:
    """How many bands (at most 255) each row pair shares a key in: a similarity estimate that
    reads no shingles (a pair of Jaccard s shares a band with probability s ** rows). Computed
    `chunk` pairs at a time: the gathered keys of ten million pairs would take ~3 GB."""
    counts = np.zeros(len(pairs), dtype=np.uint8)
    for lo in range(0, len(pairs), chunk):
        first, second = keys[pairs[lo : lo + chunk, 0]], keys[pairs[lo : lo + chunk, 1]]
        counts[lo : lo + chunk] = np.minimum(((first == second) & (first != 0)).sum(axis=1), 255)
    return counts


def pairs_from_keys(
    keys: npt.NDArray[BandKey],
    groups: npt.NDArray[np.int64] | None = None,
    max_bucket: int = 200,
) -> Pairs:
    """Row pairs (i < j) that share a key in at least one band (column), sorted, unique.

    `groups` (e.g. the document of each paragraph) drops pairs inside one group. Buckets larger
    than `max_bucket` are boilerplate shared by many pages ("Subscribe to our newsletter"):
    they are skipped rather than exploding into quadratic pair lists.

    Each band's pairs are merged into the distinct pairs so far before the next band is read:
    two copies of a paragraph share every band, so all bands' pairs at once held each pair up to
    32 times (168 MiB for 1.1M distinct paragraph pairs of the generated 2k corpus).
    """
    n = keys.shape[0]
    codes = np.zeros(0, dtype=np.int64)
    for band in range(keys.shape[1] if n >= 2 else 0):
        found: list[npt.NDArray[np.int64]] = []
        column = np.ascontiguousarray(keys[:, band])
        # Order inside a bucket does not matter: pairs are sorted and made unique below.
        order = np.argsort(column).astype(np.int64)
        sorted_keys = column[order]
        valid = sorted_keys != 0
        order, sorted_keys = order[valid], sorted_keys[valid]
        if order.size < 2:
            continue
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, order.size])
        # Buckets of one size are paired in one vectorised step; most shared buckets hold two.
        for size in np.unique(sizes[(sizes >= 2) & (sizes <= max_bucket)]).tolist():
            members = order[starts[sizes == size][:, None] + np.arange(size)]
            left, right = np.triu_indices(size, k=1)
            found.append(np.stack([members[:, left].ravel(), members[:, right].ravel()], axis=1))
        if not found:
            continue
        pairs = np.vstack(found)
        del found
        pairs.sort(axis=1)
        if groups is not None:
            pairs = pairs[groups[pairs[:, 0]] != groups[pairs[:, 1]]]
        band_codes = sorted_unique(pairs[:, 0] * n + pairs[:, 1])
        del pairs
        codes = _merged(codes, band_codes)
    return decode_pairs(codes, n)


def _merged(codes: npt.NDArray[np.int64], more: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The union of two sorted unique arrays, sorted: the new values are placed by binary search
    into one output array (~2.3x the codes at the peak, against ~3.5x for concatenate, sort and
    unique; the codes reach tens of millions at 100k documents)."""
    at = np.minimum(np.searchsorted(codes, more), max(0, codes.size - 1))
    fresh = more[codes[at] != more] if codes.size else more
    if not fresh.size:
        return codes
    out = np.empty(codes.size + fresh.size, dtype=np.int64)
    fresh_at = np.searchsorted(codes, fresh) + np.arange(fresh.size)
    old = np.ones(out.size, dtype=bool)
    old[fresh_at] = False
    out[fresh_at] = fresh
    out[old] = codes
    return out


def decode_pairs(codes: npt.NDArray[np.int64], n: int) -> Pairs:
    """Rows (i, j) of pair codes i * n + j, decoded in place (tens of millions of paragraph pairs
    at 100k documents: no temporaries of that size)."""
    if n > np.iinfo(np.int32).max:
        raise ValueError(f"{n} rows do not fit 32-bit pair indices")
    pairs = np.empty((codes.size, 2), dtype=np.int32)
    np.floor_divide(codes, n, out=pairs[:, 0], casting="same_kind")
    np.remainder(codes, n, out=pairs[:, 1], casting="same_kind")
    return pairs


def pair_codes(pairs: Pairs, n: int) -> npt.NDArray[np.int64]:
    """i * n + j of each pair, in 64 bits (a product of two row counts overflows 32)."""
    codes: npt.NDArray[np.int64] = pairs[:, 0].astype(np.int64) * n + pairs[:, 1]
    return codes


def candidate_pairs(
    sigs: npt.NDArray[np.uint32],
    threshold: float,
    groups: npt.NDArray[np.int64] | None = None,
    max_bucket: int = 200,
) -> Pairs:
    """Row pairs (i < j) whose signatures share at least one LSH band at `threshold`."""
    return pairs_from_keys(band_keys(sigs, threshold), groups, max_bucket)


def sorted_unique(values: npt.NDArray[_Int]) -> npt.NDArray[_Int]:
    """Sorted distinct values: `np.unique` by sorting (numpy 2's hash path is slow on keys
    with regular bit patterns such as row << 32 | rank). Values already in order are not
    sorted again (one pass to check)."""
    ordered = values if bool(np.all(values[1:] >= values[:-1])) else np.sort(values)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if ordered.size else ordered


def sort_rows(values: ShortHashes, starts: Offsets, ends: Offsets) -> None:
    """Sort every slice `values[starts[k]:ends[k]]` in place (slices must not overlap), a
    bounded number of values at a time. Set operations over the slices then read them in
    order: `intersection_sizes` no longer sorts a slice again for every chunk of pairs it is in
    (the copy search of the generated 10k corpus sorted 10.5 s for that)."""
    lengths = np.maximum(ends - starts, 0)
    first = 0
    while first < len(starts):
        last = first + max(1, int(np.searchsorted(np.cumsum(lengths[first : first + _VERIFY_VALUES]), _VERIFY_VALUES)))
        rows = slice(first, min(last, len(starts)))
        positions = ranges(starts[rows], lengths[rows])
        owner = np.repeat(np.arange(rows.stop - rows.start, dtype=_U64), lengths[rows])
        keys = np.sort((owner << _KEY_BITS) | values[positions])
        values[positions] = (keys & _KEY_MASK).astype(values.dtype)
        first = rows.stop


def short_hashes(values: HashSet) -> ShortHashes:
    """The top 32 bits of each 64-bit hash: half the memory of the corpus's shingles, which the
    copy search holds from fingerprinting to the end of its verification."""
    short: ShortHashes = (values >> _U64(32)).astype(np.uint32)
    return short


def intersection_sizes(
    values: ShortHashes, starts: Offsets, ends: Offsets, pairs: Pairs
) -> tuple[Offsets, Offsets, Offsets]:
    """For pairs (i, j) of slices `values[starts[k]:ends[k]]`: distinct values of slice i, of
    slice j, and shared by both.

    Vectorised over all pairs (no Python call per pair): each slice's values become sorted
    (slice, value) keys in one sort, and the smaller side of every pair is looked up among the
    other's keys with one `searchsorted`. Values are 32-bit shingle hashes (`short_hashes`): a
    false match needs two of a pair's shingles to agree on 32 random bits, ~1e-4 for two
    1,000-shingle documents and ~4e-7 for two paragraphs, one extra shared shingle among
    hundreds when it happens. Pairs go in chunks of bounded size.
    """
    sizes_a = np.zeros(len(pairs), dtype=np.int64)
    sizes_b = np.zeros(len(pairs), dtype=np.int64)
    shared = np.zeros(len(pairs), dtype=np.int64)
    for chunk, chunk_a, chunk_b, chunk_shared in intersection_chunks(values, starts, ends, pairs):
        sizes_a[chunk], sizes_b[chunk], shared[chunk] = chunk_a, chunk_b, chunk_shared
    return sizes_a, sizes_b, shared


def intersection_chunks(
    values: ShortHashes, starts: Offsets, ends: Offsets, pairs: Pairs
) -> Iterator[tuple[slice, Offsets, Offsets, Offsets]]:
    """`intersection_sizes` a chunk of pairs at a time (the chunk, then its three arrays), for
    callers that keep only some pairs and need not hold three figures for every one."""
    row_sizes = ends - starts
    first = 0
    while first < len(pairs):
        # At most ~_VERIFY_VALUES values, hence < 2**24 slices: a slice id fits above the 32 bits.
        # Cumulative lengths over a bounded window: the chunk never needs more than that.
        window = pairs[first : first + _VERIFY_VALUES]
        lengths = row_sizes[window[:, 0]] + row_sizes[window[:, 1]]
        last = first + max(1, int(np.searchsorted(np.cumsum(lengths), _VERIFY_VALUES)))
        chunk = slice(first, min(last, len(pairs)))
        yield (chunk, *_intersections(values, starts, ends, pairs[chunk]))
        first = chunk.stop


def _intersections(
    values: ShortHashes, starts: Offsets, ends: Offsets, pairs: Pairs
) -> tuple[Offsets, Offsets, Offsets]:
    involved, local = np.unique(pairs, return_inverse=True)
    local = local.reshape(pairs.shape)
    lengths = np.maximum(ends[involved] - starts[involved], 0)
    owner = np.repeat(np.arange(involved.size, dtype=_U64), lengths)
    keys = sorted_unique((owner << _KEY_BITS) | values[ranges(starts[involved], lengths)])
    first_key = np.searchsorted(keys, np.arange(involved.size + 1, dtype=_U64) << _KEY_BITS)
    distinct = np.diff(first_key)
    size_a, size_b = distinct[local[:, 0]], distinct[local[:, 1]]
    small = np.where(size_a <= size_b, local[:, 0], local[:, 1])
    large = np.where(size_a <= size_b, local[:, 1], local[:, 0])
    positions = ranges(first_key[small], distinct[small])
    pair_of = np.repeat(np.arange(len(pairs)), distinct[small])
    wanted = (large[pair_of].astype(_U64) << _KEY_BITS) | (keys[positions] & _KEY_MASK)
    found = np.minimum(np.searchsorted(keys, wanted), max(0, keys.size - 1))
    hits = keys[found] == wanted if keys.size else np.zeros(0, dtype=bool)
    shared = np.bincount(pair_of[hits], minlength=len(pairs)).astype(np.int64)
    return size_a, size_b, shared


def overlap(a: HashSet, b: HashSet) -> int:
    return int(np.intersect1d(a, b, assume_unique=True).size)


def jaccard(a: HashSet, b: HashSet) -> float:
    if not a.size or not b.size:
        return 0.0
    inter = overlap(a, b)
    return inter / (a.size + b.size - inter)


def containment(a: HashSet, b: HashSet) -> float:
    """Share of the smaller set found in the other: a wire story wrapped in a longer page."""
    if not a.size or not b.size:
        return 0.0
    return overlap(a, b) / min(a.size, b.size)
