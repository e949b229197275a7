"""Benchmark: ingest + clean + metadata (+ store writes) on a generated corpus.

Usage: python bench/ingest.py [N] [--formats txt,html,jsonl] [--workers 2] [--keep DIR]

Prints docs/s per input format and the peak RSS of the main process and of the largest worker.
Targets (issue 2): >= 500 plain-text docs/s and >= 200 HTML docs/s on 2 cores; RSS < 1 GiB at 100k.
"""

from __future__ import annotations

import argparse
import contextlib
import json
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
    """Samples the RSS of this process's workers (forkserver children are grandchildren)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_worker_mb = 0.0
        self._stop_event = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self._stop_event.wait(0.2):
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    self.peak_worker_mb = max(self.peak_worker_mb, child.memory_info().rss / 2**20)

    def stop(self) -> float:
        self._stop_event.set()
        self.join()
        return self.peak_worker_mb


def bench_format(n: int, fmt: str, workers: int, root: Path) -> dict[str, float | int | str]:
    corpus = root / f"corpus-{fmt}"
    started = time.perf_counter()
    write_corpus(n, corpus, seed=7, formats=(fmt,))
    generated = time.perf_counter() - started
    db = root / f"{fmt}.duckdb"
    settings = Settings(workers=workers, batch_size=500, stages=[])
    sampler = RssSampler()
    sampler.start()
    started = time.perf_counter()
    summary = run([str(corpus / fmt)], db, settings)
    wall = time.perf_counter() - started
    worker_mb = sampler.stop()
    stages = {s.name: s for s in summary.stages}
    ingest = stages["ingest"]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "format": fmt, "docs": n, "articles": ingest.detail.get("articles", 0),
        "skipped": ingest.detail.get("skipped", 0), "generate_s": round(generated, 1),
        "scan_s": round(stages["scan"].seconds, 2), "ingest_s": round(ingest.seconds, 2),
        "wall_s": round(wall, 2), "docs_per_s": round(n / wall, 1),
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
              f"(scan {r['scan_s']} s, ingest {r['ingest_s']} s); peak RSS main {r['peak_rss_main_mb']} MiB, "
              f"worker {r['peak_rss_worker_mb']} MiB; {r['articles']} articles, {r['skipped']} skipped")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
