"""Benchmark: narrative matching of generated articles against a 50-narrative catalogue.

Usage: python bench/narratives.py [--n 20000] [--words 400] [--seed 0]

The generator (bench/generate.py) plants four narratives in about 30 % of its originals, in
four languages. The catalogue holds those four (examples in every language, no roles, as an
imported claim database would give them) plus 46 role-based distractor narratives whose
aliases and actions are ordinary news words, so the lexical prefilter and the role check do
real work. Prints docs/s, peak RSS, and article-level precision/recall of the planted
narratives; last line JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_stories import article_from_text
from bench.generate import NARRATIVES, generate
from echotrace.narratives.catalogue import NarrativeSpec, Roles
from echotrace.narratives.match import article_presence, match_narratives

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    docs = list(generate(args.n, seed=args.seed, words=args.words))
    articles = [
        article_from_text(d.name, d.text, d.title, datetime.fromisoformat(d.published) if d.published else None)
        for d in docs
    ]
    specs = catalogue()
    cpu_before = time.process_time()
    started = time.perf_counter()
    matches = match_narratives(articles, specs)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_before
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    planted = {(nid, d.name) for d in docs for nid in d.narrative_ids}
    found = {key for key in article_presence(matches) if not key[0].startswith("distractor-")}
    hits = len(planted & found)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(planted) if planted else 0.0
    docs_per_s = len(articles) / elapsed if elapsed else 0.0
    print(f"{len(articles)} articles x {len(specs)} narratives: {elapsed:.1f} s, {docs_per_s:.0f} docs/s, "
          f"peak RSS {peak_mib:.0f} MiB; {cpu:.1f} CPU s (wall time suffers on a shared machine)")
    print(f"planted narratives: {len(planted)} article-level, found {len(found)}, "
          f"precision {precision:.3f}, recall {recall:.3f}; {len(matches)} evidence passages")
    print(json.dumps({
        "n_docs": len(articles), "n_narratives": len(specs), "seconds": round(elapsed, 1),
        "docs_per_s": round(docs_per_s, 1), "cpu_seconds": round(cpu, 1),
        "peak_rss_mib": round(peak_mib), "precision": round(precision, 4),
        "recall": round(recall, 4), "n_matches": len(matches),
    }))


if __name__ == "__main__":
    main()
