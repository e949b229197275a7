"""Story clustering against ECB+ sub-topics (two different events of the same kind per topic).

Usage: python bench/eval_stories.py PATH [--predictions-out JSONL] [--topic-halves]

PATH is a JSONL file with `doc_id`, `topic`, `subtopic`, `text`. All documents are clustered at
once with the default global settings (no per-topic tuning, no dates). `--topic-halves` also
clusters the odd and the even topics on their own with the same settings and prints both scores:
a setting fitted to some topics would show it on the others. Last line: one JSON object with
b3_f1, ari, v_measure, n_docs, n_clusters.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score, v_measure_score

from echotrace.annotate.entities import EntityIndex, find_mentions, initial_variants
from echotrace.records import Article, Mention, Paragraph
from echotrace.stories.cluster import cluster_stories


def article_from_text(
    doc_id: str, text: str, title: str | None = None, published: datetime | None = None,
    with_paragraphs: bool = True,
) -> Article:
    """A minimal Article: paragraphs split on line breaks (the eval data is already clean text).

    Clustering never reads paragraphs; benchmarks leave them out to measure its memory, not theirs.
    """
    paragraphs = []
    pos = 0
    for idx, line in enumerate(text.split("\n") if with_paragraphs else ()):
        if line.strip():
            paragraphs.append(Paragraph(idx, pos, pos + len(line), "en"))
        pos += len(line) + 1
    return Article(
        doc_id=doc_id, title=title, text=text, url=None, outlet=None, published=published,
        date_kind="published" if published else None, date_evidence=None, crawled=None,
        language="en", source_paths=[], fmt="jsonl", paragraphs=paragraphs,
    )


def b_cubed_f1(gold: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, float]:
    """B³ precision, recall, F1 (Bagga & Baldwin), averaged over items."""
    pairs = Counter(zip(gold, predicted, strict=True))
    gold_size, pred_size = Counter(gold), Counter(predicted)
    precision = sum(n * n / pred_size[p] for (_, p), n in pairs.items()) / len(gold)
    recall = sum(n * n / gold_size[g] for (g, _), n in pairs.items()) / len(gold)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(rows: Sequence[dict[str, Any]], story_of: dict[str, str]) -> tuple[float, float, float, float, float]:
    """B³ precision, recall, F1, ARI and V-measure of `story_of` against the rows' sub-topics."""
    gold = [str(r["subtopic"]) for r in rows]
    predicted = [story_of[str(r["doc_id"])] for r in rows]
    precision, recall, f1 = b_cubed_f1(gold, predicted)
    return precision, recall, f1, adjusted_rand_score(gold, predicted), v_measure_score(gold, predicted)


def _cluster(articles: Sequence[Article], mentions: dict[str, list[Mention]], outlets: set[str]) -> dict[str, str]:
    return {m.doc_id: m.story_id for m in cluster_stories(articles, mentions, outlets=outlets)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--predictions-out", type=Path)
    parser.add_argument("--topic-halves", action="store_true", help="also score odd and even topics apart")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    index = EntityIndex.load()
    articles = [article_from_text(str(r["doc_id"]), r["text"]) for r in rows]
    found = {a.doc_id: find_mentions(a.doc_id, a.text, index) for a in articles}
    # As the pipeline's "entity ids" step does: one id for a name with and without a middle initial.
    merged = initial_variants(m.entity_id for ms in found.values() for m in ms)
    mentions: dict[str, list[Mention]] = {
        doc_id: [replace(m, entity_id=merged.get(m.entity_id, m.entity_id)) for m in ms] for doc_id, ms in found.items()
    }
    outlets = {e.entity_id for e in index.entities() if e.type == "outlet"}
    story_of = _cluster(articles, mentions, outlets)
    elapsed = time.perf_counter() - started
    predicted = [story_of[str(r["doc_id"])] for r in rows]
    precision, recall, f1, ari, v_measure = score(rows, story_of)
    topic_of = {str(r["doc_id"]): str(r["topic"]) for r in rows}
    cross_topic = sum(1 for s in set(predicted)
                      if len({topic_of[d] for d, p in zip(story_of, story_of.values(), strict=True) if p == s}) > 1)
    n_gold = len({str(r["subtopic"]) for r in rows})
    print(f"{len(rows)} docs, {len(set(predicted))} clusters ({n_gold} gold) in {elapsed:.1f} s")
    print(f"B3 precision {precision:.4f} recall {recall:.4f}; clusters spanning topics: {cross_topic}")
    if args.topic_halves:
        for name, parity in (("odd", 1), ("even", 0)):
            half = [r for r in rows if _topic_number(r["topic"]) % 2 == parity]
            ids = {str(r["doc_id"]) for r in half}
            members = [a for a in articles if a.doc_id in ids]
            _, _, half_f1, half_ari, half_v = score(half, _cluster(members, mentions, outlets))
            print(f"{name} topics alone ({len(half)} docs): B3 F1 {half_f1:.4f}, ARI {half_ari:.4f}, V {half_v:.4f}")
    if args.predictions_out:
        with args.predictions_out.open("w", encoding="utf-8") as out:
            for r, cluster in zip(rows, predicted, strict=True):
                out.write(json.dumps({"doc_id": r["doc_id"], "cluster": cluster}) + "\n")
    print(json.dumps({
        "b3_f1": round(f1, 4), "ari": round(ari, 4), "v_measure": round(v_measure, 4),
        "n_docs": len(rows), "n_clusters": len(set(predicted)),
    }))


def _topic_number(topic: Any) -> int:
    """Topics are numbers in ECB+; any other label is split by a stable hash."""
    text = str(topic)
    return int(text) if text.isdigit() else int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)


if __name__ == "__main__":
    main()
