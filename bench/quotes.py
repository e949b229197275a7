"""Speed of quote extraction: docs/s and peak RSS on a generated corpus (2 worker processes).

Usage: python bench/quotes.py [--docs 1000] [--workers 2] [--no-syntax] [--corpus generated [--lang en]]
Prints wall-clock docs/s with the load average and, because the machine may be shared, docs/s
computed from the CPU time the workers spent in find_quotes (models loaded beforehand). The default
corpus is generated here and is dense on purpose: half of its sentences are attributions (news-like
English and French paragraphs with direct quotes, split quotes and reported speech), about 750
words per article. `--corpus generated` reads the article bodies of bench/generate.py instead, the
corpus of the pipeline benchmarks (~600 words; en, fr, de, es; `--lang en` keeps the English ones,
the only ones the tagger reads).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import resource
import sys
import time
from multiprocessing import Pool
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import generate
from echotrace.annotate.quotes import find_quotes, load_quote_models

_NAMES = ["Anna Berg", "Omar Haddad", "Lena Fischer", "Pavel Orlov", "Maria Lopez", "John Carter"]
_TITLES = ["the minister", "the general", "the spokesman", "the governor", "the senator"]
_ORGS = ["the Defense Ministry", "the Interior Ministry", "the State Department", "the city council"]
_CLAUSES = [
    "the talks would resume next week after a short pause",
    "the convoy had left the city before the strikes began",
    "nobody could have predicted the scale of the flooding",
    "the budget leaves too little for schools and hospitals",
    "the agreement must be respected by every side of the conflict",
    "more evidence would be published in the coming days",
]
_FILLER = [
    "Traffic was heavy on the main road into the capital on Tuesday morning.",
    "The committee meets twice a month in a building near the old harbour.",
    "Prices for grain rose for the third week in a row, according to market data.",
    "Several hundred people gathered in the square as the rain stopped.",
]


def _paragraph(rng: random.Random) -> str:
    name, title, org = rng.choice(_NAMES), rng.choice(_TITLES), rng.choice(_ORGS)
    clause, other = rng.choice(_CLAUSES), rng.choice(_CLAUSES)
    forms = [
        f'"{clause.capitalize()}," {name} said at a news conference.',
        f"{name} said that {clause}, and added that {other}.",
        f"According to {org}, {clause}.",
        f'"{clause.capitalize()}," {title} added, "and {other}."',
        f"{org.capitalize()} warned that {clause}.",
        f"« {clause.capitalize()} », a déclaré {name}.",
    ]
    sentences = [rng.choice(forms), rng.choice(_FILLER), rng.choice(forms), rng.choice(_FILLER)]
    return " ".join(sentences)


def make_corpus(n_docs: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["\n\n".join(_paragraph(rng) for _ in range(12)) for _ in range(n_docs)]


def generated_corpus(n_docs: int, lang: str | None, seed: int = 7) -> list[tuple[str, str]]:
    """(body, language) of the first `n_docs` articles of bench/generate.py (in `lang` only, if given)."""
    docs = (doc for doc in generate(n_docs * 20 if lang else n_docs, seed=seed) if lang in (None, doc.lang))
    return [(doc.body, doc.lang) for doc in itertools.islice(docs, n_docs)]


def _warm_up(syntax: bool) -> None:
    """What a pipeline worker has loaded after its first document: the models, and the alias, place and
    speaker tables that load on first use."""
    load_quote_models(syntax)
    find_quotes("warm-up", '"We will rebuild the bridge," Mayor Anna Berg said on Monday.', "en", syntax=syntax)


def _extract(item: tuple[int, str, str, bool]) -> tuple[int, float]:
    """Quotes found and the CPU seconds spent (wall time lies on a shared, loaded machine)."""
    index, text, lang, syntax = item
    started = time.process_time()
    found = len(find_quotes(f"doc{index}", text, lang, syntax=syntax))
    return found, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-syntax", action="store_true", help="word-feature model, no dependency parse")
    parser.add_argument("--corpus", choices=("attributions", "generated"), default="attributions",
                        help="this script's attribution-dense articles, or bench/generate.py's")
    parser.add_argument("--lang", default=None, help="with --corpus generated: only articles in this language")
    args = parser.parse_args()
    corpus = (generated_corpus(args.docs, args.lang) if args.corpus == "generated"
              else [(text, "en") for text in make_corpus(args.docs)])
    if not corpus:
        parser.error(f"no generated article in language {args.lang!r}")
    words = sum(len(text.split()) for text, _ in corpus) / len(corpus)
    started = time.perf_counter()
    # Models and tables load in each worker before the clock starts, as in a pipeline worker after its
    # first document: the CPU figure is the per-document cost, not ~1.5 CPU-s of spaCy and CRF loading
    # and ~0.3 CPU-s of tables spread over the sample.
    with Pool(args.workers, initializer=_warm_up, initargs=(not args.no_syntax,)) as pool:
        results = pool.map(_extract, [(i, text, lang, not args.no_syntax) for i, (text, lang) in enumerate(corpus)],
                           chunksize=16)
    elapsed = time.perf_counter() - started
    n_quotes = sum(found for found, _ in results)
    cpu = sum(seconds for _, seconds in results)
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    mode = "word features only" if args.no_syntax else "with dependency parse"
    print(f"{len(corpus)} {args.corpus} docs (~{words:.0f} words each, {mode}), {n_quotes} quotes, "
          f"{args.workers} workers: "
          f"{len(corpus) / elapsed:.0f} docs/s wall (load average {os.getloadavg()[0]:.1f}), "
          f"{len(corpus) / cpu:.1f} docs/CPU-s = {len(corpus) * args.workers / cpu:.0f} docs/s on "
          f"{args.workers} dedicated cores (CPU time); peak RSS main {rss_self:.0f} MB, "
          f"worker {rss_children:.0f} MB")


if __name__ == "__main__":
    main()
