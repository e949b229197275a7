"""A fine-tuned neural token classifier whose label probabilities the attribution CRF reads.

The CRF sees words only through hand-made features, and it misses most short attributions
without a quotation mark ("Trump has insulted [women, Mexicans and Muslims]"). This classifier
reads each word in context: spaCy's small English tok2vec (pretrained weights, fine-tuned), a
wider convolution and a BiLSTM, then a softmax over the BIO attribution labels. It is trained by
bench/train_quote_tagger.py on PolNeAR train; the CRF is trained on its out-of-fold predictions
(stacking), so it learns how far to trust them on articles the classifier never saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from echotrace.annotate.quote_tokens import Token, bounded_vocabulary

TAGGER_PATH = Path(__file__).resolve().parents[1] / "data" / "quote_tagger"
ARCHITECTURE = "echotrace.AttributionTagger.v1"
WIDTH = 96
# A paragraph longer than this is read in pieces (the BiLSTM's memory grows with its length);
# beyond _MAX_TOKENS (adversarial input: PolNeAR's longest article has 6,389 tokens) the
# remaining words get no prediction.
_MAX_DOC_TOKENS = 500
_MAX_TOKENS = 20_000
# Probability buckets of the stacked features.
_EDGES = (0.05, 0.2, 0.4, 0.6, 0.8, 0.95)


def register_architecture() -> None:
    """Make the architecture known to spaCy's registry (loading and training both need it)."""
    from spacy.ml.models.tok2vec import MaxoutWindowEncoder
    from spacy.util import registry
    from thinc.api import LSTM, Model, Softmax_v2, chain, with_array, with_padded, zero_init

    if ARCHITECTURE in registry.architectures:
        return

    def build(tok2vec: Model[Any, Any], extra_depth: int = 2, extra_window: int = 2, lstm: int = 128,
              nO: int | None = None) -> Model[Any, Any]:
        layers = [tok2vec]
        if extra_depth:
            encoder: Any = MaxoutWindowEncoder(WIDTH, extra_window, 3, extra_depth)
            layers.append(with_array(encoder, pad=extra_window * extra_depth))
        width = WIDTH
        if lstm:
            layers.append(with_padded(LSTM(lstm, WIDTH, bi=True, depth=1)))
            width = lstm
        output = Softmax_v2(nO, width, init_W=zero_init, normalize_outputs=True)
        model: Model[Any, Any] = chain(*layers, with_array(output))
        model.set_ref("tok2vec", tok2vec)
        model.set_ref("output_layer", output)
        return model

    registry.architectures.register(ARCHITECTURE, func=build)


@bounded_vocabulary
def _classifier() -> Any:
    """The trained pipeline's classifier component, or None when the model is not installed."""
    if not (TAGGER_PATH / "config.cfg").is_file():
        return None
    import spacy

    register_architecture()
    return spacy.load(TAGGER_PATH, exclude=["senter"]).get_pipe("bio")  # senter: kept from the base, unused


def classifier_available() -> bool:
    return _classifier() is not None


def pieces(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token ranges the classifier reads as one sequence: paragraphs, cut at _MAX_DOC_TOKENS."""
    out: list[tuple[int, int]] = []
    begin = 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or tokens[i].para_start or i - begin == _MAX_DOC_TOKENS:
            out.append((begin, i))
            begin = i
    return out


def as_doc(vocab: Any, tokens: Sequence[Token]) -> Any:
    """A spaCy Doc whose words are exactly these tokens."""
    from spacy.tokens import Doc

    spaces = [b.start > a.end for a, b in pairwise(tokens)] + [False]
    return Doc(vocab, words=[t.text for t in tokens], spaces=spaces)


def label_probabilities(tokens: Sequence[Token],
                        pipe: Any = None) -> tuple[tuple[str, ...], npt.NDArray[np.float16]] | None:
    """(labels, probabilities per token and label), rounded to float16 as the CRF's training data
    were; rows past _MAX_TOKENS are zero. `pipe`: a classifier being trained (default: the shipped
    one; None without it)."""
    pipe = pipe if pipe is not None else _classifier()
    if pipe is None:
        return None
    labels = tuple(pipe.labels)
    probs = np.zeros((len(tokens), len(labels)), dtype=np.float16)
    ranges = [(a, b) for a, b in pieces(tokens) if b <= _MAX_TOKENS]
    if ranges:
        predicted = pipe.model.predict([as_doc(pipe.vocab, tokens[a:b]) for a, b in ranges])
        for (a, b), rows in zip(ranges, predicted, strict=True):
            probs[a:b] = np.asarray(rows, dtype=np.float32)
    return labels, probs


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
