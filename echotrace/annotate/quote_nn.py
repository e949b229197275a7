"""A fine-tuned transformer token classifier whose label probabilities the attribution CRF reads.

The CRF sees words only through hand-made features, and it misses most short attributions
without a quotation mark ("Trump has insulted [women, Mexicans and Muslims]"). This classifier
reads each word in context: MiniLM-L6 (the weights of all-MiniLM-L6-v2, Apache-2.0) fine-tuned
with a softmax over the BIO attribution labels by bench/train_quote_tagger.py on PolNeAR train,
exported to ONNX with int8 weights, so it runs on onnxruntime without torch. The CRF is trained on
its out-of-fold predictions (stacking), so it learns how far to trust them on articles the
classifier never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from echotrace.annotate.quote_tokens import Token

TAGGER_PATH = Path(__file__).resolve().parents[1] / "data" / "quote_tagger"
LABELS = ("B-CON", "B-CUE", "B-SRC", "I-CON", "I-CUE", "I-SRC", "O")
# Word pieces per sequence, [CLS] and [SEP] aside: whole paragraphs are packed up to it (context
# across paragraphs: a quote's speaker is often named one paragraph earlier), longer ones cut.
MAX_PIECES = 254
# Beyond this many tokens (adversarial input: PolNeAR's longest article has 6,389) the remaining
# words get no prediction.
_MAX_TOKENS = 20_000
# Probability buckets of the stacked features.
_EDGES = (0.05, 0.2, 0.4, 0.6, 0.8, 0.95)


@dataclass(frozen=True, slots=True)
class Classifier:
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer


def load_classifier(folder: Path) -> Classifier:
    """The classifier exported to `folder` (bench/train_quote_tagger.py), on one thread: workers
    are processes."""
    import onnxruntime
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return Classifier(session, tokenizer)


@cache
def _classifier() -> Classifier | None:
    """The shipped classifier, or None when it or onnxruntime is not installed."""
    if not (TAGGER_PATH / "model.onnx").is_file():
        return None
    try:
        return load_classifier(TAGGER_PATH)
    except ImportError:
        import warnings

        warnings.warn("onnxruntime or tokenizers not installed: the quote tagger runs without its neural "
                      "classifier, less accurately (pip install onnxruntime tokenizers)", stacklevel=2)
        return None


def classifier_available() -> bool:
    return _classifier() is not None


def word_pieces(tokenizer: Any, words: Sequence[str]) -> list[list[int]]:
    """The word-piece ids of each word (none for a word the normaliser erases)."""
    if not words:
        return []
    encoding = tokenizer.encode(list(words), is_pretokenized=True, add_special_tokens=False)
    out: list[list[int]] = [[] for _ in words]
    for piece, word in zip(encoding.ids, encoding.word_ids, strict=True):
        if word is not None:
            out[word].append(piece)
    return out


def pieces(tokens: Sequence[Token], lengths: Sequence[int]) -> list[tuple[int, int]]:
    """Token ranges read as one sequence: whole paragraphs packed up to MAX_PIECES word pieces
    (`lengths`: pieces per token); a longer paragraph is cut where it reaches the limit."""
    out: list[tuple[int, int]] = []
    begin, used = 0, 0
    paragraph_start = 0
    for i, token in enumerate(tokens):
        if token.para_start:
            paragraph_start = i
        if i > begin and used + lengths[i] > MAX_PIECES:
            # Start the sequence at this paragraph when it began inside the current one.
            cut = paragraph_start if begin < paragraph_start <= i else i
            out.append((begin, cut))
            begin, used = cut, sum(lengths[cut:i])
        used += lengths[i]
    if begin < len(tokens):
        out.append((begin, len(tokens)))
    return out


def label_probabilities(tokens: Sequence[Token],
                        classifier: Classifier | None = None) -> tuple[tuple[str, ...], npt.NDArray[np.float16]] | None:
    """(labels, probabilities per token and label), rounded to float16 as the CRF's training data
    were; a token without word pieces, or past _MAX_TOKENS, gets a row of zeros. `classifier`:
    default the shipped one (None without it)."""
    classifier = classifier if classifier is not None else _classifier()
    if classifier is None:
        return None
    probs = np.zeros((len(tokens), len(LABELS)), dtype=np.float16)
    read = tokens[:_MAX_TOKENS]
    ids = [word[:MAX_PIECES] for word in word_pieces(classifier.tokenizer, [t.text for t in read])]
    # One sequence per call: padding a batch to its longest member cost more (189 against 147 ms
    # per PolNeAR article with batches of 16) than the calls save.
    for a, b in pieces(read, [len(word) for word in ids]):
        inputs = encode(classifier.tokenizer, ids, a, b)
        predicted = classifier.session.run(None, {"input_ids": inputs, "attention_mask": np.ones_like(inputs)})[0][0]
        position = 1  # after [CLS]
        for i in range(a, b):
            if ids[i]:
                probs[i] = predicted[position]
                position += len(ids[i])
    return LABELS, probs


def encode(tokenizer: Any, ids: Sequence[Sequence[int]], begin: int, end: int) -> npt.NDArray[np.int64]:
    """The model's input for tokens begin..end: one row of [CLS], their pieces, [SEP]."""
    row = [tokenizer.token_to_id("[CLS]"), *(p for i in range(begin, end) for p in ids[i]),
           tokenizer.token_to_id("[SEP]")]
    return np.asarray([row], dtype=np.int64)


def stacked_features(labels: Sequence[str], probs: npt.NDArray[np.float16]) -> list[list[str]]:
    """Per token: the classifier's best label, bucketed probabilities of content / cue / source
    and of a span beginning, and its best labels at the neighbours."""
    n = probs.shape[0]
    if n == 0:
        return []
    values = probs.astype(np.float32)
    best = [labels[j] if values[i, j] > 0 else "none" for i, j in enumerate(values.argmax(1))]
    columns = {role: [k for k, label in enumerate(labels) if label.endswith(role)] for role in ("CON", "CUE", "SRC")}
    groups = {role: np.searchsorted(_EDGES, values[:, ks].sum(1), side="right") for role, ks in columns.items()}
    begin = np.searchsorted(_EDGES, values[:, [k for k, lb in enumerate(labels) if lb.startswith("B-")]].sum(1),
                            side="right")
    out: list[list[str]] = []
    for i in range(n):
        before = best[i - 1] if i else "<pad>"
        after = best[i + 1] if i + 1 < n else "<pad>"
        out.append(["nn=" + best[i], f"nnCON={groups['CON'][i]}", f"nnCUE={groups['CUE'][i]}",
                    f"nnSRC={groups['SRC'][i]}", f"nnB={begin[i]}", "nn-1=" + before, "nn+1=" + after,
                    "nn-1|0=" + before + "|" + best[i]])
    return out
