"""Story clustering against ECB+ sub-topics (two different events of the same kind per topic).

Usage: python bench/eval_stories.py PATH [--predictions-out JSONL]

PATH is a JSONL file with `doc_id`, `topic`, `subtopic`, `text`. All documents are clustered at
once with the default global settings (no per-topic tuning, no dates). Last line: one JSON
object with b3_f1, ari, v_measure, n_docs, n_clusters.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sklearn.metrics import adjusted_rand_score, v_measure_score

from echotrace.annotate.entities import EntityIndex, find_mentions
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
            paragraphs.append(Paragraph(idx, pos, pos + len(line), "en", line))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--predictions-out", type=Path)
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.path.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    index = EntityIndex.load()
    articles = [article_from_text(str(r["doc_id"]), r["text"]) for r in rows]
    mentions: dict[str, list[Mention]] = {
        a.doc_id: find_mentions(a.doc_id, a.text, index) for a in articles
    }
    members = cluster_stories(articles, mentions)
    elapsed = time.perf_counter() - started
    story_of = {m.doc_id: m.story_id for m in members}
    gold = [str(r["subtopic"]) for r in rows]
    predicted = [story_of[str(r["doc_id"])] for r in rows]

    precision, recall, f1 = b_cubed_f1(gold, predicted)
    ari = adjusted_rand_score(gold, predicted)
    v_measure = v_measure_score(gold, predicted)
    topic_of = {str(r["doc_id"]): str(r["topic"]) for r in rows}
    cross_topic = sum(1 for s in set(predicted)
                      if len({topic_of[d] for d, p in zip(story_of, story_of.values(), strict=True) if p == s}) > 1)
    print(f"{len(rows)} docs, {len(set(predicted))} clusters ({len(set(gold))} gold) in {elapsed:.1f} s")
    print(f"B3 precision {precision:.4f} recall {recall:.4f}; clusters spanning topics: {cross_topic}")
    if args.predictions_out:
        with args.predictions_out.open("w", encoding="utf-8") as out:
            for r, cluster in zip(rows, predicted, strict=True):
                out.write(json.dumps({"doc_id": r["doc_id"], "cluster": cluster}) + "\n")
    print(json.dumps({
        "b3_f1": round(f1, 4), "ari": round(ari, 4), "v_measure": round(v_measure, 4),
        "n_docs": len(rows), "n_clusters": len(set(predicted)),
    }))


if __name__ == "__main__":
    main()
