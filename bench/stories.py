"""Benchmark: entity mentions and story clustering on a generated corpus.

Usage: python bench/stories.py [--n 100000] [--words 400] [--seed 0]
       python bench/stories.py --fakes ../shared/corpus/fa-kes/fakes.csv

Articles come from bench/generate.py (planted stories, copies and translations with known
truth). The planted copies are passed as DocLinks, as the link stage would find them. Prints
docs/s for mentions and for clustering, peak RSS, and how well the planted stories are found.
With --fakes, clusters the FA-KES CSV instead (Latin-1; article_title, article_content, source,
date m/d/yy) and prints the largest stories and the widest time span inside one story.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from datetime import datetime
from pathlib import Path

import psutil
from sklearn.metrics import adjusted_rand_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_stories import article_from_text, b_cubed_f1
from bench.generate import SCHEMA_KIND, generate
from echotrace.annotate.entities import EntityIndex, find_mentions
from echotrace.records import DocLink
from echotrace.stories.cluster import cluster_stories


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fakes(path: Path) -> None:
    """Cluster FA-KES and show the largest stories; no story may span more than 30 days."""
    with path.open(encoding="latin-1", newline="") as handle:
        rows = list(csv.DictReader(handle))
    index = EntityIndex.load()
    articles = []
    for n, row in enumerate(rows):
        published = datetime.strptime(row["date"].strip(), "%m/%d/%y") if row["date"].strip() else None
        article = article_from_text(f"fakes-{n:04d}", row["article_content"], title=row["article_title"],
                                    published=published)
        article.outlet = row["source"]
        articles.append(article)
    started = time.perf_counter()
    mentions = {a.doc_id: find_mentions(a.doc_id, a.text, index, title=a.title) for a in articles}
    members = cluster_stories(articles, mentions)
    elapsed = time.perf_counter() - started
    by_id = {a.doc_id: a for a in articles}
    stories: dict[str, list[str]] = {}
    labels = {}
    for member in members:
        stories.setdefault(member.story_id, []).append(member.doc_id)
        labels[member.story_id] = member.label
    spans = {}
    for story_id, doc_ids in stories.items():
        story_dates = [p for p in (by_id[d].published for d in doc_ids) if p is not None]
        spans[story_id] = (max(story_dates) - min(story_dates)).days if story_dates else 0
    ranked = sorted(stories, key=lambda s: (-len(stories[s]), s))
    print(f"{len(articles)} articles -> {len(stories)} stories in {elapsed:.1f} s; "
          f"{sum(1 for s in stories if len(stories[s]) > 1)} with 2+ articles")
    for story_id in ranked[:10]:
        docs = [by_id[d] for d in stories[story_id]]
        outlets = sorted({a.outlet or "?" for a in docs})
        days = sorted(a.published.date().isoformat() for a in docs if a.published)
        print(f"  {len(docs):3d} articles, {len(outlets)} outlets, {days[0]}..{days[-1]}: {labels[story_id][:110]}")
    print(json.dumps({"n_docs": len(articles), "n_stories": len(stories),
                      "largest": [len(stories[s]) for s in ranked[:5]],
                      "max_span_days": max(spans.values(), default=0)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fakes", type=Path, help="cluster this FA-KES CSV instead of a generated corpus")
    args = parser.parse_args()
    if args.fakes:
        fakes(args.fakes)
        return

    started = time.perf_counter()
    articles, truth, links = [], {}, []
    for doc in generate(args.n, seed=args.seed, words=args.words):
        published = datetime.fromisoformat(doc.published) if doc.published else None
        articles.append(article_from_text(doc.name, doc.body, title=doc.title, published=published,
                                          with_paragraphs=False))
        truth[doc.name] = doc.story_id
        if doc.link_kind and doc.link_source:
            links.append(DocLink(doc.link_source, doc.name, SCHEMA_KIND[doc.link_kind], 1.0, None, "planted"))
    generated = time.perf_counter() - started
    print(f"generated {len(articles)} articles ({len(links)} planted links) in {generated:.1f} s")

    started = time.perf_counter()
    index = EntityIndex.load()
    mentions = {a.doc_id: find_mentions(a.doc_id, a.text, index, title=a.title) for a in articles}
    mention_seconds = time.perf_counter() - started
    n_mentions = sum(len(m) for m in mentions.values())
    print(f"mentions: {n_mentions} in {mention_seconds:.1f} s ({len(articles) / mention_seconds:.0f} docs/s, 1 core)")

    rss_before = psutil.Process().memory_info().rss / 2**20
    print(f"RSS with articles and mentions loaded: {rss_before:.0f} MiB")
    started, cpu_started = time.perf_counter(), time.process_time()
    members = cluster_stories(articles, mentions, links)
    cluster_seconds = time.perf_counter() - started
    cluster_cpu = time.process_time() - cpu_started
    story_of = {m.doc_id: m.story_id for m in members}
    gold = [truth[a.doc_id] for a in articles]
    predicted = [story_of[a.doc_id] for a in articles]
    _, _, b3 = b_cubed_f1(gold, predicted)
    ari = adjusted_rand_score(gold, predicted)
    peak = _peak_rss_mib()
    print(f"clustering: {len(set(predicted))} stories ({len(set(gold))} planted) in {cluster_seconds:.1f} s "
          f"({len(articles) / cluster_seconds:.0f} docs/s; {cluster_cpu:.1f} s CPU)")
    print(f"planted-story agreement: B3 F1 {b3:.4f}, ARI {ari:.4f}; peak RSS {peak:.0f} MiB")
    print(json.dumps({
        "n_docs": len(articles), "mention_docs_per_s": round(len(articles) / mention_seconds, 1),
        "cluster_seconds": round(cluster_seconds, 1), "cluster_cpu_seconds": round(cluster_cpu, 1),
        "cluster_docs_per_s": round(len(articles) / cluster_seconds, 1),
        "peak_rss_mib": round(peak), "rss_before_clustering_mib": round(rss_before),
        "n_stories": len(set(predicted)), "b3_f1": round(b3, 4), "ari": round(ari, 4),
    }))


if __name__ == "__main__":
    main()
