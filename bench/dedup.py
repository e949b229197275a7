"""Copy / partial-reuse detection benchmark: planted-link recall and precision, speed, memory.

Usage: python bench/dedup.py N [--seed S] [--backend rensa|datasketch|both]

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
datasketch's `MinHashLSH` gets the same shingle hashes, thresholds and exact verification, so the
only difference is signatures + LSH. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from echotrace.link import fingerprints as fp  # noqa: E402
from echotrace.link.near_dup import copy_links, rensa_candidates  # noqa: E402
from echotrace.records import Article  # noqa: E402

COPY_KINDS = {"exact_copy": "duplicate", "near_copy": "duplicate", "reuse": "reuse"}
VOCABULARY = 30_000
PLANTED_SHARE = 0.3
RECENT = 2000


def datasketch_candidates(
    sets: Sequence[fp.HashSet], threshold: float, groups: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.int64]:
    """The reference: datasketch MinHash + MinHashLSH over the same shingle hashes.

    The identity-like hash function spares datasketch its SHA-1 pass, which favours it."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=fp.NUM_PERM)
    hashes = [[int(v) & 0xFFFFFFFF for v in s.tolist()] or [0] for s in sets]
    sketches = MinHash.bulk(hashes, num_perm=fp.NUM_PERM, hashfunc=lambda v: v, seed=1)
    for key, sketch in enumerate(sketches):
        lsh.insert(key, sketch)
    pairs = {
        (min(key, other), max(key, other))
        for key, sketch in enumerate(sketches)
        for other in lsh.query(sketch)
        if other != key and (groups is None or groups[key] != groups[other])
    }
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


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


def build_corpus(n: int, seed: int) -> tuple[list[Article], dict[tuple[str, str], str], dict[str, str]]:
    """Articles, planted copy pairs -> expected kind, and each document's copy family."""
    writer = _Writer(seed)
    rng = writer.rng
    # Only recent originals can be copied: older bodies are dropped to keep the generator small.
    bodies: dict[int, list[list[list[int]]]] = {}
    articles: list[Article] = []
    planted: dict[tuple[str, str], str] = {}
    family: dict[str, str] = {}
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
            family[name] = articles[source].doc_id
            if kind in COPY_KINDS:
                planted[(articles[source].doc_id, name)] = COPY_KINDS[kind]
        else:
            body = [writer.paragraph() for _ in range(int(rng.integers(4, 12)))]
            originals.append(index)
            family[name] = name
            bodies[index] = body
            if len(originals) > RECENT:
                bodies.pop(originals[-RECENT - 1], None)
        paragraphs = [writer.render(p) for p in body]
        if kind == "near_copy":
            paragraphs = [p.lower() if i % 2 else p.replace(".", " ;") for i, p in enumerate(paragraphs)]
        text = header + "\n\n" + "\n\n".join(paragraphs)
        articles.append(
            Article(doc_id=name, title=None, text=text, url=None, outlet=header.split(" |")[0],
                    published=datetime(2024, 1, 1 + index % 28), date_kind="published", date_evidence=None,
                    crawled=None, language="xx", source_paths=[], fmt="txt")
        )
    return articles, planted, family


def run(n: int, seed: int, backend: str) -> dict[str, object]:
    articles, planted, family = build_corpus(n, seed)
    backend_finder = rensa_candidates if backend == "rensa" else datasketch_candidates
    lsh_cpu = [0.0]

    def finder(
        sets: Sequence[fp.HashSet], threshold: float, groups: npt.NDArray[np.int64] | None
    ) -> npt.NDArray[np.int64]:
        """The backend, timed: signatures + LSH is the only stage the backends differ in."""
        before = time.process_time()
        pairs = backend_finder(sets, threshold, groups)
        lsh_cpu[0] += time.process_time() - before
        return pairs

    started, cpu_started = time.perf_counter(), time.process_time()
    links, spans = copy_links(sorted(articles, key=lambda a: a.doc_id), finder)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    predicted = {(lk.doc_a, lk.doc_b): lk.kind for lk in links}
    found = [pair for pair in planted if pair in predicted]
    right_kind = sum(predicted[pair] == planted[pair] for pair in found)
    confusion = Counter(f"{planted[pair]}->{predicted.get(pair, 'missed')}" for pair in planted)
    correct = sum(pair in planted or family[pair[0]] == family[pair[1]] for pair in predicted)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "backend": backend,
        "n_docs": n,
        "planted": len(planted),
        "predicted": len(predicted),
        "recall": round(len(found) / max(1, len(planted)), 4),
        "precision": round(correct / max(1, len(predicted)), 4),
        "kind_accuracy": round(right_kind / max(1, len(found)), 4),
        "planted_vs_predicted_kind": dict(sorted(confusion.items())),
        "link_spans": len(spans),
        "seconds": round(seconds, 2),
        "docs_per_s": round(n / seconds, 1),
        # CPU time: on a shared machine wall time measures the neighbours, not this code.
        "cpu_seconds": round(cpu_seconds, 2),
        "docs_per_cpu_s": round(n / cpu_seconds, 1),
        "signature_lsh_cpu_seconds": round(lsh_cpu[0], 2),
        "signature_lsh_docs_per_cpu_s": round(n / max(1e-9, lsh_cpu[0]), 1),
        "peak_rss_mb": round(peak_mb),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", choices=("rensa", "datasketch", "both"), default="both")
    args = parser.parse_args(argv)
    if args.backend != "both":
        print(json.dumps(run(args.n, args.seed, args.backend)))
        return
    results = {}
    for backend in ("rensa", "datasketch"):
        out = subprocess.run(
            [sys.executable, __file__, str(args.n), "--seed", str(args.seed), "--backend", backend],
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]
        results[backend] = json.loads(out)
        print(out)
    speedup = results["rensa"]["docs_per_cpu_s"] / max(1e-9, results["datasketch"]["docs_per_cpu_s"])
    stage_speedup = (results["rensa"]["signature_lsh_docs_per_cpu_s"]
                     / max(1e-9, results["datasketch"]["signature_lsh_docs_per_cpu_s"]))
    print(json.dumps({**results, "speedup_vs_datasketch": round(speedup, 2),
                      "signature_lsh_speedup_vs_datasketch": round(stage_speedup, 2)}))


if __name__ == "__main__":
    main()
