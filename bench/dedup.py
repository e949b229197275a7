"""Copy / partial-reuse detection benchmark: planted-link recall and precision, speed, memory.

Usage: python bench/dedup.py N [--seed S] [--backend rensa|datasketch|both] [--workers W] [--stream]

The corpus is generated here: Zipf-distributed synthetic words in sentences and paragraphs, with
planted exact copies (new page header), near copies (~3 % of words replaced, case and
punctuation changed), wrapped reuses (own intro and paragraphs around a contiguous run of the
source's paragraphs) and paraphrases (40 % of words replaced, sentences shuffled; these must NOT
come out as copies). bench/generate.py is not used: its independent articles render the same
story from the same two templates, so they are verbatim copies of each other and would make
"precision of planted links" meaningless for copy detection. Copy detection (`echotrace.link.near_dup.copy_links`) is
scored on the planted exact/near copies (expected `duplicate`) and reuses (expected `reuse`):
- recall: planted (source, copy) pairs found with any copy kind; kind accuracy is printed too;
- precision: predicted pairs that are planted, or two copies of one planted source (a true
  relation the generator does not list), over all predicted pairs.
`--backend both` runs each backend in its own process so peak RSS is measured separately;
datasketch's `MinHashLSH` gets the same shingle hashes, thresholds, permutations and verification, so the
only difference is signatures + LSH. rensa runs the production path (`copy_links` with batched
fingerprints), on `--workers` processes through the local engine. The corpus is generated up
front (timings exclude it), or with `--stream` article by article as `copy_links` consumes it, so
peak RSS is that of the stage (CPU spent generating is subtracted). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from echotrace.engines.local import map_ordered  # noqa: E402
from echotrace.link import fingerprints as fp  # noqa: E402
from echotrace.link import near_dup  # noqa: E402
from echotrace.link.near_dup import copy_links  # noqa: E402
from echotrace.records import Article  # noqa: E402

COPY_KINDS = {"exact_copy": "duplicate", "near_copy": "duplicate", "reuse": "reuse"}
VOCABULARY = 30_000
PLANTED_SHARE = 0.3
RECENT = 2000


def datasketch_candidates(
    rows: fp.Rows, threshold: float, num_perm: int, groups: npt.NDArray[np.int64] | None
) -> fp.Pairs:
    """The reference: datasketch MinHash + MinHashLSH over the same shingle hashes.

    The identity-like hash function spares datasketch its SHA-1 pass, which favours it."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = [[int(v) & 0xFFFFFFFF for v in rows.row(i).tolist()] or [0] for i in range(len(rows))]
    sketches = MinHash.bulk(hashes, num_perm=num_perm, hashfunc=lambda v: v, seed=1)
    for key, sketch in enumerate(sketches):
        lsh.insert(key, sketch)
    pairs = {
        (min(key, other), max(key, other))
        for key, sketch in enumerate(sketches)
        for other in lsh.query(sketch)
        if other != key and (groups is None or groups[key] != groups[other])
    }
    return np.array(sorted(pairs), dtype=np.int32).reshape(-1, 2)


class _Writer:
    """Seeded synthetic prose: Zipf word frequencies like real text, no real text copied."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
        lengths = self.rng.integers(2, 11, VOCABULARY)
        self.words = ["".join(self.rng.choice(letters, size=n)) for n in lengths.tolist()]
        weights = 1.0 / np.arange(1, VOCABULARY + 1) ** 1.05
        self.cumulative = np.cumsum(weights / weights.sum())

    def word_ids(self, n: int) -> list[int]:
        ids = np.searchsorted(self.cumulative, self.rng.random(n))
        return [int(i) for i in np.minimum(ids, VOCABULARY - 1)]

    def sentence(self) -> list[int]:
        return self.word_ids(int(self.rng.integers(8, 28)))

    def paragraph(self) -> list[list[int]]:
        return [self.sentence() for _ in range(int(self.rng.integers(2, 5)))]

    def render(self, paragraph: list[list[int]]) -> str:
        return " ".join(" ".join(self.words[w] for w in s).capitalize() + "." for s in paragraph)

    def edit(self, paragraph: list[list[int]], share: float) -> list[list[int]]:
        out = []
        for sentence in paragraph:
            replace = self.rng.random(len(sentence)) < share
            fresh = self.word_ids(len(sentence))
            out.append([f if r else w for w, f, r in zip(sentence, fresh, replace.tolist(), strict=True)])
        return out


def generate(
    n: int, seed: int, planted: dict[tuple[str, str], str], family: dict[str, str]
) -> Iterator[Article]:
    """Articles in doc_id order; fills planted copy pairs -> expected kind, and copy families."""
    writer = _Writer(seed)
    rng = writer.rng
    # Only recent originals can be copied: older bodies are dropped to keep the generator small.
    bodies: dict[int, list[list[list[int]]]] = {}
    names: dict[int, str] = {}
    originals: list[int] = []
    for index in range(n):
        name = f"d{seed}_{index:07d}"
        header = f"Outlet {int(rng.integers(0, 500))} | {index}"
        kind = None
        if originals and rng.random() < PLANTED_SHARE:
            source = originals[int(rng.integers(max(0, len(originals) - RECENT), len(originals)))]
            kind = str(rng.choice(["exact_copy", "near_copy", "reuse", "paraphrase"]))
            src = bodies[source]
            if kind == "exact_copy":
                body = src
            elif kind == "near_copy":
                body = [writer.edit(p, 0.03) for p in src]
            elif kind == "reuse":
                take = max(2, int(len(src) * rng.uniform(0.4, 0.8)))
                first = int(rng.integers(0, len(src) - take + 1))
                own = [writer.paragraph() for _ in range(int(rng.integers(1, 4)))]
                body = [own[0], *src[first : first + take], *own[1:]]
            else:
                body = [writer.edit(p, 0.4) for p in src]
                order = rng.permutation(len(body))
                body = [body[i] for i in order.tolist()]
            family[name] = names[source]
            if kind in COPY_KINDS:
                planted[(names[source], name)] = COPY_KINDS[kind]
        else:
            body = [writer.paragraph() for _ in range(int(rng.integers(4, 12)))]
            originals.append(index)
            names[index] = name
            bodies[index] = body
            if len(originals) > RECENT:
                dropped = originals[-RECENT - 1]
                bodies.pop(dropped, None)
                names.pop(dropped, None)
        paragraphs = [writer.render(p) for p in body]
        if kind == "near_copy":
            paragraphs = [p.lower() if i % 2 else p.replace(".", " ;") for i, p in enumerate(paragraphs)]
        text = header + "\n\n" + "\n\n".join(paragraphs)
        yield Article(doc_id=name, title=None, text=text, url=None, outlet=header.split(" |")[0],
                      published=datetime(2024, 1, 1 + index % 28), date_kind="published", date_evidence=None,
                      crawled=None, language="xx", source_paths=[], fmt="txt")


def _timed_call(fn: Callable[[Any], Any], item: Any) -> tuple[Any, float]:
    """fn(item) and the CPU time it took (in a worker process)."""
    before = time.process_time()
    result = fn(item)
    return result, time.process_time() - before


class _TimedStream:
    """Yields the generated articles and counts the time spent generating them."""

    def __init__(self, articles: Iterator[Article]) -> None:
        self.articles = articles
        self.cpu = 0.0
        self.wall = 0.0

    def __iter__(self) -> Iterator[Article]:
        while True:
            cpu, wall = time.process_time(), time.perf_counter()
            article = next(self.articles, None)
            self.cpu += time.process_time() - cpu
            self.wall += time.perf_counter() - wall
            if article is None:
                return
            yield article


def run(n: int, seed: int, backend: str, workers: int, stream: bool) -> dict[str, object]:
    planted: dict[tuple[str, str], str] = {}
    family: dict[str, str] = {}
    generated = generate(n, seed, planted, family)
    source = _TimedStream(generated)
    articles: Iterable[Article] = source if stream else list(generated)
    stage_cpu = [0.0]

    def timed(fn: Callable[..., Any]) -> Callable[..., Any]:
        """Signatures + LSH: the only part the backends differ in (in this process)."""
        def wrapper(*args: Any) -> Any:
            before = time.process_time()
            out = fn(*args)
            stage_cpu[0] += time.process_time() - before
            return out
        return wrapper

    map_batches = None
    worker_cpu = [0.0]
    if workers > 1:
        def map_batches(fn: Callable[[Any], Any], batches: Iterable[Any]) -> Iterator[Any]:
            """The local engine's pool, with the CPU time each batch took in its worker."""
            for result, cpu in map_ordered(functools.partial(_timed_call, fn), batches, workers=workers):
                worker_cpu[0] += cpu
                yield result
    started, cpu_started = time.perf_counter(), time.process_time()
    if backend == "rensa":
        with (mock.patch.object(near_dup, "rensa_keys", timed(near_dup.rensa_keys)),
              mock.patch.object(fp, "pairs_from_keys", timed(fp.pairs_from_keys))):
            links, spans = copy_links(articles, None, map_batches)
    else:
        links, spans = copy_links(articles, timed(datasketch_candidates), map_batches)
    seconds = time.perf_counter() - started - source.wall
    cpu_seconds = time.process_time() - cpu_started - source.cpu
    predicted = {(lk.doc_a, lk.doc_b): lk.kind for lk in links}
    found = [pair for pair in planted if pair in predicted]
    right_kind = sum(predicted[pair] == planted[pair] for pair in found)
    confusion = Counter(f"{planted[pair]}->{predicted.get(pair, 'missed')}" for pair in planted)
    correct = sum(pair in planted or family.get(pair[0], pair[0]) == family.get(pair[1], pair[1])
                  for pair in predicted)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "backend": backend,
        "n_docs": n,
        "workers": workers,
        "streamed": stream,
        "planted": len(planted),
        "predicted": len(predicted),
        "recall": round(len(found) / max(1, len(planted)), 4),
        "precision": round(correct / max(1, len(predicted)), 4),
        "kind_accuracy": round(right_kind / max(1, len(found)), 4),
        "planted_vs_predicted_kind": dict(sorted(confusion.items())),
        "link_spans": len(spans),
        "seconds": round(seconds, 2),
        "docs_per_s": round(n / seconds, 1),
        # CPU time of this process: on a shared machine wall time measures the neighbours too.
        # With workers > 1 the fingerprinting runs in the workers and is not counted here.
        "cpu_seconds": round(cpu_seconds, 2),
        "docs_per_cpu_s": round(n / cpu_seconds, 1) if workers == 1 else None,
        "worker_cpu_seconds": round(worker_cpu[0], 2) if workers > 1 else None,
        # What `workers` free cores would give if this process and the workers never overlapped.
        "free_cores_docs_per_s_estimate": round(n / (cpu_seconds + worker_cpu[0] / workers), 1)
        if workers > 1 else None,
        "signature_lsh_cpu_seconds": round(stage_cpu[0], 2) if workers == 1 else None,
        "signature_lsh_docs_per_cpu_s": round(n / max(1e-9, stage_cpu[0]), 1) if workers == 1 else None,
        "peak_rss_mb": round(peak_mb),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", choices=("rensa", "datasketch", "both"), default="both")
    parser.add_argument("--workers", type=int, default=1, help="processes for rensa's fingerprinting")
    parser.add_argument("--stream", action="store_true", help="never hold the corpus in memory")
    args = parser.parse_args(argv)
    if args.backend != "both":
        print(json.dumps(run(args.n, args.seed, args.backend, args.workers, args.stream)))
        return
    results = {}
    for backend in ("rensa", "datasketch"):
        command = [sys.executable, __file__, str(args.n), "--seed", str(args.seed), "--backend", backend]
        if args.stream:
            command.append("--stream")
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        results[backend] = json.loads(out)
        print(out)
    speedup = results["rensa"]["docs_per_cpu_s"] / max(1e-9, results["datasketch"]["docs_per_cpu_s"])
    stage_speedup = (results["rensa"]["signature_lsh_docs_per_cpu_s"]
                     / max(1e-9, results["datasketch"]["signature_lsh_docs_per_cpu_s"]))
    if args.workers > 1:
        command = [sys.executable, __file__, str(args.n), "--seed", str(args.seed), "--backend", "rensa",
                   "--workers", str(args.workers)]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        results[f"rensa_{args.workers}_workers"] = json.loads(out)
        print(out)
    print(json.dumps({**results, "speedup_vs_datasketch": round(speedup, 2),
                      "signature_lsh_speedup_vs_datasketch": round(stage_speedup, 2)}))


if __name__ == "__main__":
    main()
