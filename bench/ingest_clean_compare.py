"""Measure the cleaners: HTML extractors compared on realistic news pages, plain-text speed, memory.

Usage: python bench/ingest_clean_compare.py [--repeat N] [--repeated-docs N]

HTML: trafilatura alone, resiliparse alone (main_content=True) and echotrace's `clean_html`, on the
news-page fixtures of tests/test_clean.py: body precision/recall/F1 over 4-token shingles (the
article-extraction-benchmark metric), chrome strings leaked, title leaked, ms/doc.
Plain text: `clean_text` docs/s (CPU time, one core) on generated 600-word crawled pages.
RepeatedLines: peak RSS while adding N generated documents of one outlet.
Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura
from resiliparse.extract.html2text import extract_plain_text

from echotrace.clean.html import clean_html
from echotrace.clean.normalise import normalise_for_id
from echotrace.clean.text import RepeatedLines, clean_text
from tests.test_clean import EN, fixtures


def shingles(text: str, size: int = 4) -> set[tuple[str, ...]]:
    tokens = normalise_for_id(text).split()
    return {tuple(tokens[i : i + size]) for i in range(max(0, len(tokens) - size + 1))}


def prf(predicted: str, gold: str) -> tuple[float, float, float]:
    p_set, g_set = shingles(predicted), shingles(gold)
    if not p_set or not g_set:
        return 0.0, 0.0, 0.0
    hit = len(p_set & g_set)
    precision, recall = hit / len(p_set), hit / len(g_set)
    return precision, recall, (2 * precision * recall / (precision + recall) if hit else 0.0)


def html_compare(repeat: int) -> dict[str, dict[str, float]]:
    extractors: dict[str, Callable[[str], str]] = {
        "trafilatura": lambda h: trafilatura.extract(
            h, favor_precision=False, include_comments=False, include_tables=True
        )
        or "",
        "resiliparse": lambda h: str(extract_plain_text(h, main_content=True, preserve_formatting=True)),
        "echotrace": lambda h: clean_html(h).text,
    }
    pages = fixtures()
    results: dict[str, dict[str, float]] = {}
    for name, extract in extractors.items():
        scores, leaks, title_leaks = [], 0, 0
        start = time.process_time()
        for _ in range(repeat):
            outputs = [extract(page.html) for page in pages]
        elapsed = time.process_time() - start
        for page, text in zip(pages, outputs, strict=True):
            scores.append(prf(text, "\n".join(page.body)))
            normalised = normalise_for_id(text)
            leaks += sum(1 for chrome in page.chrome if normalise_for_id(chrome) in normalised)
            title_leaks += normalise_for_id(page.title) in normalised
        n = len(pages)
        results[name] = {
            "precision": round(sum(s[0] for s in scores) / n, 3),
            "recall": round(sum(s[1] for s in scores) / n, 3),
            "f1": round(sum(s[2] for s in scores) / n, 3),
            "chrome_leaked": leaks,
            "chrome_total": sum(len(p.chrome) for p in pages),
            "title_leaked": title_leaks,
            "ms_per_doc": round(1000 * elapsed / (repeat * n), 2),
        }
        print(name, results[name])
    return results


def crawled_page(rng: random.Random, outlet: int) -> str:
    """A 600-word plain-text page as a crawler saves it: masthead, title, dateline, body, chrome."""
    body = [" ".join(rng.sample(EN, 3)) for _ in range(6)]
    return "\n".join(
        [
            f"Outlet {outlet} News",
            "Home | World | Politics | Business",
            "",
            f"Officials announce new measures number {rng.randint(1, 10**6)}",
            "",
            "March 3, 2023 \u2013 Staff Reporter",
            "",
            *(f"{p}\n" for p in body),
            "- Advertisement -",
            "",
            "Subscribe to our newsletter",
            "Sign up here to get the latest news delivered directly to your inbox.",
            "",
            f"\u00a9 2023 Outlet {outlet}. All rights reserved.",
        ]
    )


def text_speed(n_docs: int) -> float:
    rng = random.Random(7)
    pages = [crawled_page(rng, 1) for _ in range(200)]
    words = sum(len(p.split()) for p in pages) / len(pages)
    clean_text(pages[0])
    start = time.process_time()
    for i in range(n_docs):
        clean_text(pages[i % len(pages)])
    rate = n_docs / (time.process_time() - start)
    print(f"clean_text: {rate:.0f} docs/s (CPU, one core), {words:.0f} words/page")
    return rate


def repeated_memory(n_docs: int) -> tuple[float, float]:
    rng = random.Random(11)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    index = RepeatedLines()
    start = time.process_time()
    for _ in range(n_docs):
        index.add("outlet-1", crawled_page(rng, 1))
    found = index.repeated("outlet-1")
    elapsed = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RepeatedLines: {n_docs} docs in {elapsed:.1f} s, {len(found)} repeated lines, "
          f"peak RSS {peak:.0f} MB (+{peak - before:.0f} MB)")
    return peak, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--text-docs", type=int, default=5000)
    parser.add_argument("--repeated-docs", type=int, default=100_000)
    args = parser.parse_args()
    html = html_compare(args.repeat)
    rate = text_speed(args.text_docs)
    peak, seconds = repeated_memory(args.repeated_docs)
    print(json.dumps({"html": html, "clean_text_docs_per_s": round(rate), "repeated_lines_peak_rss_mb": round(peak),
                      "repeated_lines_seconds": round(seconds, 1)}))


if __name__ == "__main__":
    main()
