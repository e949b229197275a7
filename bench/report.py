"""Report build time and size, and web-app search latency over HTTP on localhost.

    python bench/report.py ../shared/corpus/fa-kes/fakes.csv      # runs the pipeline first
    python bench/report.py /tmp/fakes.duckdb                        # an existing store

Targets (issue 7): FA-KES report in < 30 s, app search answered in < 200 ms (median and p95
over ~50 queries, the HTML results page a person sees, with the tantivy index already built).
Prints figures, then ONE JSON object as the last line.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from echotrace.config import Settings
from echotrace.pipeline import run
from echotrace.report.html import write_report
from echotrace.store.duckdb import open_reader

# Mixed query shapes: single words, phrases, boolean, prefixes and filters; not tuned to any corpus.
QUERIES = [
    "attack", "civilians", "government", "army", "killed", "city", "hospital", "children", "minister",
    "president", "police", "rebels", "airstrike", "bombing", "ceasefire", "refugees", "election", "protest",
    "border", "security", "water", "school", "market", "bridge", "train", "council", "report", "said",
    '"security forces"', '"local residents"', '"human rights"', '"the government"', "army AND city",
    "killed OR wounded", "attack -police", "gov*", "minist*", "title:attack", "a", "the",
    "zzzz-no-such-word", "civilians killed hospital", "military operation north", "aid convoy",
    "United Nations", "opposition groups", "foreign ministry", "state media", "news agency", "press conference",
]
FILTERS: list[dict[str, str]] = [{}, {"language": "en"}, {"date_from": "2000-01-01"}]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def search_latency(db: Path) -> dict[str, Any]:
    """Start `echotrace serve`, warm it (index build), then time every query once."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "echotrace", "serve", "--db", str(db), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                first_ms = _get(base + "/api/search?q=warmup")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("echotrace serve did not start") from None
                time.sleep(0.2)
        page_ms, api_ms = [], []
        for i, query in enumerate(QUERIES):
            params = urllib.parse.urlencode({"q": query, **FILTERS[i % len(FILTERS)]})
            page_ms.append(_get(f"{base}/?{params}"))
            api_ms.append(_get(f"{base}/api/search?{params}"))
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"first_request_ms": round(first_ms, 1), "queries": len(QUERIES),
            "page_median_ms": round(statistics.median(page_ms), 1), "page_p95_ms": round(_percentile(page_ms, 0.95), 1),
            "api_median_ms": round(statistics.median(api_ms), 1), "api_p95_ms": round(_percentile(api_ms, 0.95), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", help="a store (.duckdb) or any input `echotrace run` accepts")
    parser.add_argument("--out", type=Path, default=None, help="where to write the report (default: a temp dir)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench_report_"))
    source = Path(args.path)
    pipeline_s = None
    if source.suffix == ".duckdb":
        db = source
    else:
        db = workdir / "store.duckdb"
        started = time.perf_counter()
        run([str(source)], db, Settings())
        pipeline_s = round(time.perf_counter() - started, 1)
        print(f"pipeline: {pipeline_s} s")
    con = open_reader(db)
    try:
        n_articles = int((con.execute("SELECT count(*) FROM articles").fetchone() or (0,))[0])
        output = args.out or workdir / "report.html"
        started = time.perf_counter()
        write_report(con, output)
        report_s = time.perf_counter() - started
    finally:
        con.close()
    size = output.stat().st_size
    print(f"report: {n_articles} articles in {report_s:.2f} s ({n_articles / max(report_s, 1e-9):.0f} docs/s), "
          f"{size / 1e6:.2f} MB -> {output}")
    latency = search_latency(db)
    print(f"app search over {latency['queries']} queries: page median {latency['page_median_ms']} ms, "
          f"p95 {latency['page_p95_ms']} ms; api median {latency['api_median_ms']} ms, p95 {latency['api_p95_ms']} ms "
          f"(first request incl. index build {latency['first_request_ms']} ms)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS (this process): {peak_mb:.0f} MB")
    print(json.dumps({
        "articles": n_articles, "pipeline_seconds": pipeline_s, "report_seconds": round(report_s, 2),
        "report_docs_per_s": round(n_articles / max(report_s, 1e-9), 1), "report_bytes": size,
        "report_mb_linear_per_10k": round(size / 1e6 * 10_000 / max(n_articles, 1), 2),
        **{f"search_{k}": v for k, v in latency.items()}, "peak_rss_mb": round(peak_mb),
        "targets": {"report_seconds": 30, "search_ms": 200, "report_mb_for_10k": 15},
    }))


if __name__ == "__main__":
    main()
