"""Benchmark: ingest + clean + metadata (+ store writes) on a generated corpus.

Usage: python bench/ingest.py [N] [--formats txt,html,jsonl] [--workers 2] [--keep DIR]

Prints docs/s per input format, the CPU seconds spent by the main process and by the workers
(docs per CPU-second does not depend on what else shares the machine, wall-clock docs/s does: print
the load average next to it), and the peak RSS of the main process and of the largest worker.
Targets (issue 2): >= 500 plain-text docs/s and >= 200 HTML docs/s on 2 cores; RSS < 1 GiB at 100k.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import write_corpus
from echotrace.config import Settings
from echotrace.pipeline import run


class RssSampler(threading.Thread):
    """Samples the RSS and CPU time of this process's workers (forkserver children are grandchildren).

    Workers are terminated, never waited for, so getrusage(RUSAGE_CHILDREN) misses them: their CPU
    time is the last sample per process (up to 0.1 s per worker is lost at the end).
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_worker_mb = 0.0
        self._cpu_by_pid: dict[int, float] = {}
        self._stop_event = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self._stop_event.wait(0.1):
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    self.peak_worker_mb = max(self.peak_worker_mb, child.memory_info().rss / 2**20)
                    times = child.cpu_times()
                    self._cpu_by_pid[child.pid] = times.user + times.system

    def stop(self) -> tuple[float, float]:
        """(peak worker RSS in MiB, CPU seconds of all workers)."""
        self._stop_event.set()
        self.join()
        return self.peak_worker_mb, sum(self._cpu_by_pid.values())


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def bench_format(n: int, fmt: str, workers: int, root: Path) -> dict[str, float | int | str]:
    corpus = root / f"corpus-{fmt}"
    started = time.perf_counter()
    write_corpus(n, corpus, seed=7, formats=(fmt,))
    generated = time.perf_counter() - started
    db = root / f"{fmt}.duckdb"
    settings = Settings(workers=workers, stages=[])
    sampler = RssSampler()
    sampler.start()
    started, own_cpu = time.perf_counter(), _own_cpu_seconds()
    summary = run([str(corpus / fmt)], db, settings)
    wall = time.perf_counter() - started
    own_cpu = _own_cpu_seconds() - own_cpu
    worker_mb, worker_cpu = sampler.stop()
    stages = {s.name: s for s in summary.stages}
    ingest = stages["ingest"]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "format": fmt, "docs": n, "articles": ingest.detail.get("articles", 0),
        "skipped": ingest.detail.get("skipped", 0), "generate_s": round(generated, 1),
        "scan_s": round(stages["scan"].seconds, 2), "ingest_s": round(ingest.seconds, 2),
        "wall_s": round(wall, 2), "docs_per_s": round(n / wall, 1),
        "cpu_main_s": round(own_cpu, 2), "cpu_workers_s": round(worker_cpu, 2),
        "docs_per_cpu_s": round(n / (own_cpu + worker_cpu), 1), "load_avg": round(os.getloadavg()[0], 1),
        "peak_rss_main_mb": round(own), "peak_rss_worker_mb": round(worker_mb),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("n", type=int, nargs="?", default=2000)
    parser.add_argument("--formats", default="txt,html")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="keep the corpus and stores in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        results = [bench_format(args.n, fmt, args.workers, root) for fmt in args.formats.split(",")]
    for r in results:
        print(f"{r['format']:>5}: {r['docs']:,} docs in {r['wall_s']} s = {r['docs_per_s']} docs/s "
              f"(scan {r['scan_s']} s, ingest {r['ingest_s']} s; load {r['load_avg']}); CPU main "
              f"{r['cpu_main_s']} s + workers {r['cpu_workers_s']} s = {r['docs_per_cpu_s']} docs per CPU-s; "
              f"peak RSS main {r['peak_rss_main_mb']} MiB, worker {r['peak_rss_worker_mb']} MiB; "
              f"{r['articles']} articles, {r['skipped']} skipped")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
