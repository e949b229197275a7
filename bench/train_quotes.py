"""Train the attribution tagger (CRF, python-crfsuite) on PolNeAR train; never on dev or test.

Usage: python bench/train_quotes.py PATH [--out echotrace/data/quote_model.crfsuite]
Tokens get BIO tags for Source / Cue / Content from the first annotation file of each article;
features come from echotrace/annotate/quote_tokens.py. L-BFGS (c1 0.1, c2 0.3, 120 iterations,
features seen at least 3 times) is deterministic: the same data gives the same model file
(~12 MB, ~5 min on one idle core). Tried and not kept: averaged perceptron (20 epochs, 0.57
overlap F1 on dev, 19 MB), c1 = c2 = 0.03 with 200 iterations (0.611 vs 0.614, old features);
with the broad-cue / sentence features, dev overlap / joint F1 for c2 0.01: 0.624 / 0.467,
0.1: 0.640 / 0.486, 0.3: 0.651 / 0.507 (kept), 1.0: 0.655 / 0.516 but it tags the speaker of a
split quote as content (tests/test_quotes.py::test_split_quote_is_one_quote fails).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pycrfsuite

from bench.eval_quotes import annotation_file, read_brat
from echotrace.annotate.quote_tokens import cue_words, token_features, tokenize

MODEL_PATH = Path(__file__).resolve().parents[1] / "echotrace" / "data" / "quote_model.crfsuite"
ROLE_TAG = {"content": "CON", "source": "SRC", "cue": "CUE"}


def bio_labels(text: str, ann: Path) -> tuple[list[list[str]], list[str]]:
    """Features and gold BIO tags of one article."""
    role_at: dict[int, tuple[int, str]] = {}
    for index, att in enumerate(read_brat(ann)):
        for role, spans in (("content", att.content), ("source", att.source), ("cue", att.cue)):
            for start, end in spans:
                for i in range(start, end):
                    role_at.setdefault(i, (index, role))
    tokens = tokenize(text)
    labels: list[str] = []
    previous: tuple[int, str] | None = None
    for tok in tokens:
        current = role_at.get(tok.start)
        if current is None:
            labels.append("O")
        else:
            prefix = "I" if current == previous else "B"
            labels.append(f"{prefix}-{ROLE_TAG[current[1]]}")
        previous = current
    return token_features(tokens, cue_words("en")), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--iterations", type=int, default=120)
    parser.add_argument("--c1", type=float, default=0.1)
    parser.add_argument("--c2", type=float, default=0.3)
    args = parser.parse_args()
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    n_docs = 0
    for text_path in sorted((args.path / "text").glob("*.txt")):
        ann = annotation_file(args.path / "attributions", text_path.stem)
        if ann is None:
            continue
        feats, labels = bio_labels(text_path.read_text(encoding="utf-8"), ann)
        trainer.append(feats, labels)
        n_docs += 1
    trainer.set_params({
        "c1": args.c1,
        "c2": args.c2,
        "max_iterations": args.iterations,
        "feature.possible_transitions": True,
        "feature.minfreq": 3,
    })
    started = time.perf_counter()
    trainer.train(str(args.out))
    print(f"trained on {n_docs} articles in {time.perf_counter() - started:.0f} s -> {args.out} "
          f"({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
