"""Benchmark the article-metadata annotators (dates, credits, outlet, language) on generated pages.

Usage: python bench/metadata.py [N_DOCS] [--language-eval CSV]. Prints docs/s on one core and peak
RSS. The corpus is generated (seeded) from small vocabularies in three languages: ~600-word
articles in ~15 paragraphs with a dateline, a credit line and a few mentions of wires in body
sentences.

`--language-eval ../shared/eval/semeval2022-t8-dev.csv` instead scores language ID per paragraph
on labelled articles (CSV columns lang1, lang2, text1, text2 as in SemEval-2022 Task 8): texts are
repaired for mojibake, split into paragraphs at runs of two or more spaces or line breaks, and
every paragraph of three words or more must carry its article's language. It prints the accuracy
and speed of the cascade and of fastText alone, the share CLD2 settles, and as last line a JSON
object.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from echotrace.annotate.dates import find_dates
from echotrace.annotate.language import _cld2_sure, article_language, detect_language, split_paragraphs
from echotrace.annotate.outlet import find_outlet
from echotrace.annotate.sources import find_credits
from echotrace.ingest import repair_mojibake
from echotrace.records import Boilerplate

_PARAGRAPH_GAP = re.compile(r"\s{2,}")

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


def labelled_paragraphs(path: Path) -> list[tuple[str, str]]:
    """(paragraph, its article's language) for every paragraph of three words or more."""
    csv.field_size_limit(2**31 - 1)
    items: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for side in ("1", "2"):
                text, _ = repair_mojibake(row["text" + side])
                items.extend((p, row["lang" + side]) for p in _PARAGRAPH_GAP.split(text) if len(p.split()) >= 3)
    return items


def language_eval(path: Path) -> dict[str, float | int]:
    items = labelled_paragraphs(path)
    result: dict[str, float | int] = {"n_paragraphs": len(items)}
    for name, cheap_first in (("fasttext_only", False), ("cascade", True)):
        started = time.process_time()
        correct = sum(detect_language(text, cheap_first=cheap_first) == lang for text, lang in items)
        elapsed = time.process_time() - started
        result[f"{name}_accuracy"] = round(correct / len(items), 4)
        result[f"{name}_paragraphs_per_s"] = round(len(items) / elapsed)
        print(f"{name}: {correct / len(items):.2%} of {len(items)} paragraphs, "
              f"{len(items) / elapsed:,.0f} paragraphs/s (CPU time, one core)")
    settled = sum(_cld2_sure(" ".join(text[:800].split())[:400]) is not None for text, _ in items)
    result["cld2_share"] = round(settled / len(items), 4)
    print(f"CLD2 settles {settled / len(items):.1%} of paragraphs; fastText reads the rest")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n_docs", type=int, nargs="?", default=2000)
    parser.add_argument("--language-eval", type=Path, metavar="CSV")
    args = parser.parse_args()
    if args.language_eval:
        print(json.dumps(language_eval(args.language_eval)))
        return
    n_docs = args.n_docs
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
