"""Benchmark: narrative matching of generated articles against a 50-narrative catalogue.

Usage: python bench/narratives.py [--n 20000] [--words 400] [--seed 0]   (100k: --n 100000)

The generator (bench/generate.py) plants four narratives in about 30 % of its originals, in
four languages. The catalogue holds those four (examples in every language, no roles, as an
imported claim database would give them) plus 46 role-based distractor narratives whose
aliases and actions are ordinary news words, so the lexical prefilter and the role check do
real work. Articles are generated lazily and streamed through the matcher in chunks, so
memory stays flat at any --n. Prints docs/s, CPU seconds (generation counted apart), load
average, peak RSS, and article-level precision/recall of the planted narratives; last line JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_stories import article_from_text
from bench.generate import NARRATIVES, generate
from echotrace.narratives.catalogue import NarrativeSpec, Roles
from echotrace.narratives.match import article_presence, match_narratives
from echotrace.records import Article

_FILL = {"alliance": "the alliance", "group": "group", "ev": "the disaster"}
_ACTORS = ("government", "army", "police", "ministry", "mayor", "council", "rebels", "company", "union",
           "opposition", "governor", "court", "parliament", "president", "agency")
_ACTIONS = ("support", "fund", "attack", "blame", "protect", "accuse", "hide", "help", "arm", "block")
_TARGETS = ("residents", "workers", "victims", "journalists", "farmers", "students", "protesters",
            "officials", "investors", "refugees")


def catalogue() -> list[NarrativeSpec]:
    specs = [
        NarrativeSpec(narrative_id, forms["en"].format(**_FILL), "",
                      [form.format(**_FILL) for form in forms.values()])
        for narrative_id, forms in NARRATIVES
    ]
    for i in range(50 - len(specs)):
        actor = _ACTORS[i % len(_ACTORS)]
        action = _ACTIONS[(i * 7) % len(_ACTIONS)]
        target = _TARGETS[(i * 3) % len(_TARGETS)]
        specs.append(NarrativeSpec(
            f"distractor-{i:02d}", f"The {actor} secretly {action}s the {target}", "",
            [f"The {actor} secretly {action}s the {target}."],
            Roles(actor=[actor, f"the {actor}"], action=[action], target=[target]),
        ))
    return specs


class _TimedArticles:
    """Generates articles lazily and counts the CPU time spent generating them, so the figure
    for matching can leave out the generator; only the planted labels are kept."""

    def __init__(self, n: int, seed: int, words: int) -> None:
        self.n, self.seed, self.words = n, seed, words
        self.generator_cpu = 0.0
        self.count = 0
        self.planted: set[tuple[str, str]] = set()

    def __iter__(self) -> Iterator[Article]:
        docs = generate(self.n, seed=self.seed, words=self.words)
        while True:
            before = time.process_time()
            doc = next(docs, None)
            if doc is None:
                return
            article = article_from_text(doc.name, doc.text, doc.title,
                                        datetime.fromisoformat(doc.published) if doc.published else None)
            self.generator_cpu += time.process_time() - before
            self.count += 1
            self.planted.update((nid, doc.name) for nid in doc.narrative_ids)
            yield article


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    articles = _TimedArticles(args.n, args.seed, args.words)
    specs = catalogue()
    load_before = _load()
    cpu_before = time.process_time()
    started = time.perf_counter()
    matches = match_narratives(articles, specs)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    match_cpu = cpu - articles.generator_cpu
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load_after = _load()

    planted = articles.planted
    found = {key for key in article_presence(matches) if not key[0].startswith("distractor-")}
    hits = len(planted & found)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(planted) if planted else 0.0
    docs_per_s = articles.count / elapsed if elapsed else 0.0
    print(f"{articles.count} articles x {len(specs)} narratives (streamed, generated on the fly): "
          f"{elapsed:.1f} s wall, {docs_per_s:.0f} docs/s, {cpu:.1f} CPU s of which generating "
          f"{articles.generator_cpu:.1f} and matching {match_cpu:.1f}; peak RSS {peak_mib:.0f} MiB; "
          f"load {load_before} -> {load_after}")
    print(f"planted narratives: {len(planted)} article-level, found {len(found)}, "
          f"precision {precision:.3f}, recall {recall:.3f}; {len(matches)} evidence passages")
    print(json.dumps({
        "n_docs": articles.count, "n_narratives": len(specs), "seconds": round(elapsed, 1),
        "docs_per_s": round(docs_per_s, 1), "cpu_seconds": round(cpu, 1),
        "generator_cpu_seconds": round(articles.generator_cpu, 1), "match_cpu_seconds": round(match_cpu, 1),
        "peak_rss_mib": round(peak_mib), "load_before": load_before, "load_after": load_after,
        "precision": round(precision, 4), "recall": round(recall, 4), "n_matches": len(matches),
    }))


if __name__ == "__main__":
    main()
