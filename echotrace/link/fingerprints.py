"""Word shingles, MinHash signatures (rensa) and banded LSH candidate pairs.

Copies across outlets differ in punctuation, quotes, case and spacing, so shingles are built
over case-folded word tokens only. Signatures come from rensa's R-MinHash (Rust, ~20x
datasketch); the banding is done here in numpy so candidate generation is one vectorised pass,
has no per-document Python call, and its output order is fully deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rensa import RMinHash

NUM_PERM = 128
SEED = 20_161_215
SHINGLE_SIZE = 5

# Letters and digits of any script; CJK characters count one word each because those
# languages do not separate words by spaces.
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\W_]+")

_U64 = np.uint64
_MIX = _U64(0x9E3779B97F4A7C15)
_CHUNK = 256


def words(text: str) -> list[str]:
    """Case-folded word tokens: what survives re-typesetting of a copied text."""
    return _WORD.findall(text.casefold())


HashSet = npt.NDArray[np.uint64]


def shingle_sets(texts: Sequence[str], size: int = SHINGLE_SIZE) -> list[HashSet]:
    """Sorted unique 64-bit hashes of each text's word `size`-grams.

    Words are hashed in Rust (rensa's FxHash, stable across runs, unlike Python's `hash`) and
    combined into n-gram hashes with numpy; integer sets keep 100k documents in well under a
    GiB where sets of shingle strings would take several. A text shorter than `size` words is
    one shingle of all its words.
    """
    out: list[HashSet] = []
    # In chunks: the token lists and Python ints of a whole corpus would dwarf the result.
    for first in range(0, len(texts), _CHUNK):
        token_hashes = RMinHash.hash_token_sets([words(text) for text in texts[first : first + _CHUNK]])
        out.extend(_ngram_hashes(hashes, size) for hashes in token_hashes)
    return out


def _ngram_hashes(hashes: list[int], size: int) -> HashSet:
    vector = np.asarray(hashes, dtype=_U64)
    if vector.size == 0:
        return np.zeros(0, dtype=_U64)
    width = min(size, vector.size)
    count = vector.size - width + 1
    combined = vector[:count].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, width):
            combined = combined * _MIX + vector[offset : offset + count]
            combined ^= combined >> _U64(31)
    return np.unique(combined)


def signatures(sets: Sequence[HashSet]) -> npt.NDArray[np.uint32]:
    """R-MinHash signatures, one row per set (empty sets get an all-max row that never bands)."""
    if not sets:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    placeholder = np.zeros(1, dtype=_U64)
    rows = np.empty((len(sets), NUM_PERM), dtype=np.uint32)
    # In chunks: the digest matrix comes back as Python lists of ints (~36 bytes per slot).
    for first in range(0, len(sets), _CHUNK * 16):
        chunk = sets[first : first + _CHUNK * 16]
        matrix = RMinHash.digest_matrix_from_token_hash_sets(
            [s if s.size else placeholder for s in chunk], NUM_PERM, SEED
        )
        rows[first : first + len(chunk)] = np.asarray(matrix.to_rows(), dtype=np.uint32)
    for row, hash_set in enumerate(sets):
        if not hash_set.size:
            rows[row] = np.iinfo(np.uint32).max
    return rows


def rows_per_band(threshold: float, num_perm: int = NUM_PERM) -> int:
    """The widest band (fewest chance candidates) that still finds a pair at `threshold`
    with probability >= 0.99; bands = num_perm // rows (a few leftover slots go unused)."""
    for rows in range(8, 1, -1):
        bands = num_perm // rows
        if 1.0 - (1.0 - threshold**rows) ** bands >= 0.99:
            return rows
    return 1


def _band_keys(band: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    """A 64-bit key per row of one band (multiply-xor mix; collisions only add candidates)."""
    key = np.zeros(band.shape[0], dtype=_U64)
    with np.errstate(over="ignore"):
        for col in range(band.shape[1]):
            key = (key ^ band[:, col].astype(_U64)) * _MIX
            key ^= key >> _U64(29)
    return key


def candidate_pairs(
    sigs: npt.NDArray[np.uint32],
    threshold: float,
    groups: npt.NDArray[np.int64] | None = None,
    max_bucket: int = 200,
) -> npt.NDArray[np.int64]:
    """Row pairs (i < j) that share at least one LSH band, sorted, without repeats.

    `groups` (e.g. the document of each paragraph) drops pairs inside one group. Buckets larger
    than `max_bucket` are boilerplate shared by many pages ("Subscribe to our newsletter"):
    they are skipped rather than exploding into quadratic pair lists.
    """
    n = sigs.shape[0]
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    rows = rows_per_band(threshold)
    bands = NUM_PERM // rows
    empty = np.all(sigs == np.iinfo(np.uint32).max, axis=1)
    found: list[npt.NDArray[np.int64]] = []
    for b in range(bands):
        keys = _band_keys(sigs[:, b * rows : (b + 1) * rows])
        order = np.argsort(keys, kind="stable").astype(np.int64)
        order = order[~empty[order]]
        sorted_keys = keys[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, order.size])
        # Most shared buckets hold exactly two rows: pair them in one vectorised step.
        two = starts[sizes == 2]
        found.append(np.sort(np.stack([order[two], order[two + 1]], axis=1), axis=1))
        for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist(), strict=True):
            if size > max_bucket:
                continue
            members = np.sort(order[start : start + size])
            left, right = np.triu_indices(size, k=1)
            found.append(np.stack([members[left], members[right]], axis=1))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.unique(np.vstack(found), axis=0)
    if groups is not None:
        pairs = pairs[groups[pairs[:, 0]] != groups[pairs[:, 1]]]
    return pairs


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
