"""Benchmark: the full pipeline (every stage on) on a generated news corpus, speed and link quality.

Usage: python bench/pipeline.py N [--engine local|dask] [--workers 2] [--scheduler ADDR]
                                  [--stages links,entities,...] [--corpus DIR] [--store DB] [--keep DIR]
                                  [--profile OUT] [--fast-quotes]

Prints docs/s per stage (from the pipeline's own StageReports), the peak RSS of the main process,
of the largest worker and of the whole process tree (forkserver and Dask workers are
grandchildren, so the tree is sampled), the load average (the machine may be shared), and the
precision and recall of `doc_links` against the generator's planted links and of quote groups
on the planted statements (`quote_group_quality`), and B³ of stories against the planted stories
(`story_quality`). Last line: one JSON
object. Targets (issue 8): >= 100 docs/s end to end on 2 cores; ingest+clean+metadata >= 500
docs/s; near-duplicate stage >= 5,000 docs/s; peak RSS < 4 GiB at 100k; Dask within 1.5x.

`--fast-quotes` tags English quotes from word features alone (`echotrace run --fast-quotes`): for
runs too large to ingest with the parse and the neural classifier in the time at hand; the corpus
stages do the same work on fewer reported-speech quotes.

`--store` starts from a copy of a store already ingested from `--corpus` (a 100k ingest takes
~40 min): ingest finds every document stored, so only the corpus stages do work.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_stories import b_cubed_f1
from bench.generate import QUOTES, SCHEMA_KIND, write_corpus
from echotrace import embed
from echotrace.config import Settings
from echotrace.pipeline import StageReport, run

ALL_STAGES = ["links", "entities", "quotes", "stories", "narratives"]
PLANTED_SCHEMA_KINDS = sorted(set(SCHEMA_KIND.values()))


class TreeSampler(threading.Thread):
    """Peak RSS of this process, of its largest descendant and of the whole tree, and the CPU
    seconds the tree has used, sampled every second (forkserver and Dask workers are grandchildren).

    CPU seconds matter because the machine may be shared: wall time then says little, while
    docs per CPU second says what two dedicated cores would do.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_main_mb = 0.0
        self.peak_worker_mb = 0.0
        self.peak_tree_mb = 0.0
        # Peak RSS of this process per stage (set by StageClock): which stage holds the most.
        self.stage: str | None = None
        self.peak_main_by_stage: dict[str, float] = {}
        self._child_cpu: dict[int, float] = {}
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._me = psutil.Process()

    def cpu_seconds(self) -> tuple[float, float]:
        """(this process, all descendants ever seen) CPU seconds so far."""
        self._sample_children()
        own = self._me.cpu_times()
        with self._lock:
            return own.user + own.system, sum(self._child_cpu.values())

    def _sample_children(self) -> float:
        tree_mb = 0.0
        for child in self._me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child_mb = child.memory_info().rss / 2**20
                times = child.cpu_times()
                with self._lock:
                    self._child_cpu[child.pid] = times.user + times.system
                tree_mb += child_mb
                self.peak_worker_mb = max(self.peak_worker_mb, child_mb)
        return tree_mb

    def run(self) -> None:
        while True:
            self.sample()
            if self._stop_event.wait(1.0):
                return

    def sample(self) -> None:
        main_mb = self._me.memory_info().rss / 2**20
        tree_mb = main_mb + self._sample_children()
        self.peak_main_mb = max(self.peak_main_mb, main_mb)
        self.peak_tree_mb = max(self.peak_tree_mb, tree_mb)
        if self.stage is not None:
            self.peak_main_by_stage[self.stage] = max(self.peak_main_by_stage.get(self.stage, 0.0), main_mb)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class StageClock:
    """Progress hook that notes wall and CPU time, and the texts embedded in this process, at
    every stage boundary.

    The time between one stage's last report and the next stage's first (worker start-up,
    the first batch) belongs to the next stage, so a finished stage leaves an open mark that
    the next stage claims.
    """

    def __init__(self, sampler: TreeSampler) -> None:
        self.sampler = sampler
        self.marks: list[tuple[str | None, float, float, float]] = []
        self.embedded: list[tuple[int, int]] = []

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        current = self.marks[-1][0] if self.marks else None
        if total is not None and done >= total and stage == current:
            self.mark(None)
        elif self.marks and current is None:
            self.marks[-1] = (stage, *self.marks[-1][1:])
            self.sampler.stage = stage
        elif current != stage:
            self.mark(stage)

    def mark(self, stage: str | None) -> None:
        self.sampler.sample()  # the stage that ends gets its last sample
        self.sampler.stage = stage
        own, children = self.sampler.cpu_seconds()
        self.marks.append((stage, time.perf_counter(), own, children))
        self.embedded.append((embed.counts.requested, embed.counts.encoded))

    def cpu_by_stage(self) -> dict[str, tuple[float, float]]:
        """Stage -> (main process CPU s, worker CPU s), from one mark to the next."""
        out: dict[str, tuple[float, float]] = {}
        for (stage, _, own, kids), (_, _, next_own, next_kids) in zip(self.marks, self.marks[1:], strict=False):
            if stage is None:
                continue
            before = out.get(stage, (0.0, 0.0))
            out[stage] = (before[0] + next_own - own, before[1] + next_kids - kids)
        return out

    def embedded_by_stage(self) -> dict[str, tuple[int, int]]:
        """Stage -> (texts asked to embed, texts encoded) in the main process."""
        out: dict[str, tuple[int, int]] = {}
        for (stage, *_), (asked, encoded), (next_asked, next_encoded) in zip(
                self.marks, self.embedded, self.embedded[1:], strict=False):
            if stage is not None:
                before = out.get(stage, (0, 0))
                out[stage] = (before[0] + next_asked - asked, before[1] + next_encoded - encoded)
        return out


def _pairs(rows: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {(a, b) if a < b else (b, a) for a, b in rows if a != b}


def _components(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find over planted links: a copy of a copy is related to the original too."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[find(a)] = find(b)
    return {x: find(x) for x in list(parent)}


def _truth_and_rows(db: Path, corpus: Path, query: str) -> tuple[dict[str, Any], dict[str, str], list[Any]]:
    """The generator's truth, the stored doc id of each of its files (through `inputs`), and the
    rows of `query` on the store."""
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    con = duckdb.connect(str(db), read_only=True)
    try:
        source_doc = dict(con.execute("SELECT source, doc_id FROM inputs WHERE doc_id IS NOT NULL").fetchall())
        rows = con.execute(query).fetchall()
    finally:
        con.close()
    return truth, {src.split(str(corpus) + os.sep, 1)[-1]: doc for src, doc in source_doc.items()}, rows


def link_quality(db: Path, corpus: Path) -> dict[str, Any]:
    """Precision and recall of stored duplicate/reuse/translation links against the planted ones.

    Planted docs are mapped to doc ids through the `inputs` table. Two planted docs that became
    one document (same clean text) count as found. `precision_related` also accepts a predicted
    pair inside one planted family (a copy of a copy), which the truth lists only as two links.
    `precision_same_story` also accepts a pair of one planted story: the generator renders every
    article of a story from the same facts and templates, so two of them share sentences verbatim
    or translated even where no link was planted.
    """
    truth, doc_of_file, predicted_rows = _truth_and_rows(db, corpus, "SELECT doc_a, doc_b, kind FROM doc_links")
    doc_of_name = {d["name"]: doc_of_file.get(d["files"][0]) for d in truth["docs"]}
    planted: dict[tuple[str, str], str] = {}
    merged: Counter[str] = Counter()
    unmapped = 0
    for link in truth["links"]:
        a, b = doc_of_name.get(link["a"]), doc_of_name.get(link["b"])
        if a is None or b is None:
            unmapped += 1
        elif a == b:
            merged[link["schema_kind"]] += 1
        else:
            planted[(a, b) if a < b else (b, a)] = link["schema_kind"]
    predicted = {(a, b) if a < b else (b, a): kind for a, b, kind in predicted_rows
                 if kind in PLANTED_SCHEMA_KINDS}
    family = _components(planted)
    found = set(predicted) & set(planted)
    related = {p for p in predicted if p[0] in family and family[p[0]] == family.get(p[1])}
    story_of = {doc_of_name[d["name"]]: d["story_id"] for d in truth["docs"] if doc_of_name.get(d["name"])}
    same_story = related | {p for p in predicted
                            if story_of.get(p[0]) is not None and story_of.get(p[0]) == story_of.get(p[1])}
    out: dict[str, Any] = {
        "planted": len(planted) + sum(merged.values()), "merged_into_one_doc": sum(merged.values()),
        "unmapped": unmapped, "predicted": len(predicted),
        "precision": round(len(found) / len(predicted), 4) if predicted else None,
        "precision_related": round(len(related) / len(predicted), 4) if predicted else None,
        "precision_same_story": round(len(same_story) / len(predicted), 4) if predicted else None,
        "recall": round((len(found) + sum(merged.values())) / (len(planted) + sum(merged.values())), 4)
        if planted or merged else None,
        "kind_agreement": round(sum(1 for p in found if predicted[p] == planted[p]) / len(found), 4)
        if found else None,
    }
    for kind in PLANTED_SCHEMA_KINDS:
        of_kind = [p for p, k in planted.items() if k == kind]
        hit = sum(1 for p in of_kind if p in predicted) + merged[kind]
        total = len(of_kind) + merged[kind]
        out[f"recall_{kind}"] = round(hit / total, 4) if total else None
    return out


def quote_group_quality(db: Path, corpus: Path) -> dict[str, Any]:
    """Pairwise precision and recall of stored quote groups on the planted statements.

    The generator plants a few stock statements (QUOTES, in each language) spoken by a story's
    person; the truth group of such a quote is (that person, statement index), whatever the
    language or outlet. Quotes of other text (reported speech rendered from templates) are
    not scored: the truth does not say which of them are one statement."""
    truth, doc_of_file, rows = _truth_and_rows(db, corpus, "SELECT doc_id, text, group_id FROM quotes")
    speaker_of = {doc_of_file.get(d["files"][0]): d["quote_speakers"][0] for d in truth["docs"]
                  if d["quote_speakers"]}
    statement = {" ".join(text.split()).lower(): k for table in QUOTES.values() for k, text in enumerate(table)}
    planted: list[tuple[tuple[str, int], str]] = []
    for doc_id, text, group_id in rows:
        k = statement.get(" ".join(text.strip(" ,.“”«»„\"").split()).lower())
        if k is not None and doc_id in speaker_of:
            planted.append(((speaker_of[doc_id], k), group_id))

    def same_pairs(counts: Counter[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in counts.values())

    true_pairs = same_pairs(Counter(label for label, _ in planted))
    predicted_pairs = same_pairs(Counter(group for _, group in planted))
    both = same_pairs(Counter(planted))
    return {"planted_quotes": len(planted),
            "precision": round(both / predicted_pairs, 4) if predicted_pairs else None,
            "recall": round(both / true_pairs, 4) if true_pairs else None}


def story_quality(db: Path, corpus: Path) -> dict[str, Any]:
    """B³ precision, recall and F1 of stored stories against the generator's planted stories."""
    truth, doc_of_file, rows = _truth_and_rows(db, corpus, "SELECT doc_id, story_id FROM stories")
    story_of = dict(rows)
    planted: dict[str, str] = {}
    for doc in truth["docs"]:
        doc_id = doc_of_file.get(doc["files"][0])
        if doc_id is not None and doc_id in story_of:
            planted.setdefault(doc_id, doc["story_id"])
    docs = sorted(planted)
    precision, recall, f1 = b_cubed_f1([planted[d] for d in docs], [story_of[d] for d in docs])
    return {"planted_stories": len(set(planted.values())), "stories": len({story_of[d] for d in docs}),
            "b3_precision": round(precision, 4), "b3_recall": round(recall, 4), "b3_f1": round(f1, 4)}


def _stage_rows(stages: list[StageReport], docs: int, cpu: dict[str, tuple[float, float]],
                embedded: dict[str, tuple[int, int]], peak_mb: dict[str, float]) -> list[dict[str, Any]]:
    """Per stage: seconds, docs/s over the corpus size (corpus stages count the whole corpus),
    CPU seconds in the main process and in workers, texts embedded per document (asked for,
    and encoded once each distinct text), and the peak RSS of the main process."""
    rows = []
    for stage in stages:
        main_cpu, worker_cpu = cpu.get(stage.name, (0.0, 0.0))
        total_cpu = main_cpu + worker_cpu
        asked, encoded = embedded.get(stage.name, (0, 0))
        rows.append({"stage": stage.name, "seconds": round(stage.seconds, 2),
                     "embedded_per_doc": round(asked / docs, 1), "encoded_per_doc": round(encoded / docs, 1),
                     "docs_per_s": round(docs / stage.seconds, 1) if stage.seconds > 0 else None,
                     "cpu_main_s": round(main_cpu, 1), "cpu_workers_s": round(worker_cpu, 1),
                     "docs_per_cpu_s": round(docs / total_cpu, 1) if total_cpu > 0 else None,
                     "peak_rss_main_mb": round(peak_mb.get(stage.name, 0.0)),
                     "count": stage.count, **stage.detail})
    return rows


def bench(n: int, engine: str, workers: int, scheduler: str | None, stages: list[str], root: Path,
          corpus: Path | None, profile: Path | None, store: Path | None = None,
          fast_quotes: bool = False) -> dict[str, Any]:
    generated_s = 0.0
    if corpus is None or not (corpus / "truth.json").exists():
        corpus = corpus or root / f"corpus-{n}"
        started = time.perf_counter()
        write_corpus(n, corpus, seed=11, formats=("jsonl",))
        generated_s = time.perf_counter() - started
    n_docs = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))["n"]
    db = root / f"{engine}-{n_docs}.duckdb"
    if store is not None and store.resolve() == db.resolve():
        raise SystemExit(f"--store {store} is the store this run writes: give a store outside --keep")
    for stale in (db, db.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    if store is not None:
        shutil.copyfile(store, db)
    settings = Settings(engine=engine, workers=workers, scheduler=scheduler, stages=stages,
                        quote_syntax=not fast_quotes)
    load_before = os.getloadavg()
    sampler = TreeSampler()
    sampler.start()
    clock = StageClock(sampler)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    clock.mark("scan")  # the pipeline's first stage
    summary = run([str(corpus / "jsonl")], db, settings, progress=clock)
    clock.mark("end")
    main_cpu, worker_cpu = sampler.cpu_seconds()
    if profiler and profile:
        profiler.disable()
        profiler.dump_stats(profile)
    wall = time.perf_counter() - started
    sampler.stop()
    load_after = os.getloadavg()
    by_name = {s.name: s for s in summary.stages}
    front = sum(by_name[s].seconds for s in ("scan", "ingest") if s in by_name)
    quality = link_quality(db, corpus) if "links" in stages else {}
    quote_quality = quote_group_quality(db, corpus) if "quotes" in stages else {}
    stories = story_quality(db, corpus) if "stories" in stages else {}
    return {
        "docs": n_docs, "engine": engine, "workers": workers, "stages_on": stages, "fast_quotes": fast_quotes,
        "date": time.strftime("%Y-%m-%d %H:%M"), "generate_s": round(generated_s, 1),
        "wall_s": round(wall, 1), "docs_per_s": round(n_docs / wall, 1),
        "scan_ingest_docs_per_s": round(n_docs / front, 1) if front else None,
        "articles": by_name["ingest"].detail.get("articles", 0),
        "peak_rss_main_mb": round(sampler.peak_main_mb), "peak_rss_worker_mb": round(sampler.peak_worker_mb),
        "peak_rss_tree_mb": round(sampler.peak_tree_mb),
        "load_before": [round(x, 1) for x in load_before], "load_after": [round(x, 1) for x in load_after],
        "cpu_main_s": round(main_cpu, 1), "cpu_workers_s": round(worker_cpu, 1),
        "docs_per_cpu_s": round(n_docs / (main_cpu + worker_cpu), 1),
        "stages": _stage_rows(summary.stages, n_docs, clock.cpu_by_stage(), clock.embedded_by_stage(),
                              sampler.peak_main_by_stage),
        "links": quality, "quote_groups": quote_quality, "stories": stories,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int)
    parser.add_argument("--engine", choices=("local", "dask"), default="local")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", help="Dask scheduler address (default: a local cluster)")
    parser.add_argument("--stages", default=",".join(ALL_STAGES), help="corpus stages to run ('' for none)")
    parser.add_argument("--corpus", type=Path, help="reuse a corpus written by bench/generate.py here")
    parser.add_argument("--store", type=Path, help="start from a copy of this store, ingested from --corpus")
    parser.add_argument("--keep", type=Path, help="keep the corpus and the store in this folder")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the main process here")
    parser.add_argument("--fast-quotes", action="store_true", help="English quotes from word features alone")
    args = parser.parse_args()
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        result = bench(args.n, args.engine, args.workers, args.scheduler, stages, root, args.corpus, args.profile,
                       args.store, args.fast_quotes)
    print(f"{result['docs']:,} docs, {result['engine']} engine, {result['workers']} workers: "
          f"{result['wall_s']} s = {result['docs_per_s']} docs/s end to end; scan+ingest "
          f"{result['scan_ingest_docs_per_s']} docs/s; peak RSS main {result['peak_rss_main_mb']} MiB, "
          f"largest worker {result['peak_rss_worker_mb']} MiB, tree {result['peak_rss_tree_mb']} MiB; "
          f"load {result['load_before']} -> {result['load_after']}; CPU main {result['cpu_main_s']} s, "
          f"workers {result['cpu_workers_s']} s = {result['docs_per_cpu_s']} docs/CPU-s")
    for row in result["stages"]:
        print(f"  {row['stage']:>12}: {row['seconds']:>8} s  {row['docs_per_s']} docs/s; CPU main "
              f"{row['cpu_main_s']} s, workers {row['cpu_workers_s']} s = {row['docs_per_cpu_s']} docs/CPU-s; "
              f"embedded {row['embedded_per_doc']}/doc, encoded {row['encoded_per_doc']}/doc; "
              f"peak main {row['peak_rss_main_mb']} MiB")
    if result["links"]:
        print(f"  links: {result['links']}")
    if result["quote_groups"]:
        print(f"  quote groups on planted statements: {result['quote_groups']}")
    if result["stories"]:
        print(f"  stories vs planted stories: {result['stories']}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
