"""Benchmark the article-metadata annotators (dates, credits, outlet, language) on generated pages.

Usage: python bench/metadata.py [N_DOCS]. Prints docs/s on one core and peak RSS. The corpus is
generated (seeded) from small vocabularies in three languages: ~600-word articles in ~15
paragraphs with a dateline, a credit line and a few mentions of wires in body sentences.
"""

from __future__ import annotations

import random
import resource
import sys
import time

from echotrace.annotate.dates import find_dates
from echotrace.annotate.language import article_language, split_paragraphs
from echotrace.annotate.outlet import find_outlet
from echotrace.annotate.sources import find_credits
from echotrace.records import Boilerplate

_VOCAB = {
    "en": "the ministry said that army forces were near city and government troops have been moving "
    "toward border while officials reported new strikes on positions of militants in province".split(),
    "fr": "le ministère a déclaré que les forces de armée étaient près de la ville et le gouvernement "
    "a annoncé des frappes contre les positions des terroristes dans la province".split(),
    "de": "das Ministerium sagte dass die Truppen der Regierung nahe der Stadt waren und die Armee "
    "hat neue Angriffe auf Stellungen der Kämpfer in der Provinz gemeldet".split(),
}
_CUES = ["Sputnik reported.", "according to TASS.", "citing RIA Novosti.", "a Syrian source told Sputnik."]


def make_article(rng: random.Random) -> str:
    lines = [f"December {rng.randint(1, 28)}, 2016 – Example News –", "RIA Novosti – translated by J. Doe –"]
    for index in range(15):
        lang = "en" if index < 10 else rng.choice(["fr", "de"])
        words = [rng.choice(_VOCAB[lang]) for _ in range(38)]
        sentence = " ".join(words).capitalize() + ". " + (rng.choice(_CUES) if lang == "en" else "")
        lines.append(sentence)
    return "\n\n".join(lines)


def main() -> None:
    n_docs = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = random.Random(13)
    docs = [make_article(rng) for _ in range(n_docs)]
    chrome = [Boilerplate("01:53 GMT04 December 2020", "crawl_stamp")]
    words = sum(len(d.split()) for d in docs) / n_docs
    find_credits(docs[0])
    split_paragraphs(docs[0])
    started = time.process_time()
    for text in docs:
        find_dates(text, chrome)
        find_credits(text)
        find_outlet(None, None, None, text, [], chrome)
        article_language(split_paragraphs(text))
    elapsed = time.process_time() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = n_docs / elapsed
    print(f"{n_docs} docs, {words:.0f} words/doc: {rate:,.0f} docs/s (CPU time, one core), peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
