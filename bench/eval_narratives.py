"""Narrative similarity on SemEval-2022 Task 8 pairs: Pearson r against -Narrative.

Usage: python bench/eval_narratives.py PATH.csv [--predictions-out CSV] [--limit N]
Last line: JSON {"pearson_narrative", "n_pairs", ...}. Mojibake is repaired, not dropped.
Nothing in echotrace.narratives.similarity is fitted to labels (see its docstring); documents are
profiled with their language (`lang1`/`lang2`), so vectors are centred per language as in a corpus run.
`pearson_raw_mean` is the plain mean of the signals, before they are read on their fixed scales;
`pearson_cv5` / `pearson_cv_language_pair` pick that scale's floor and ceiling on training folds only
(the scale of language-centred pairs; pairs compared raw keep theirs).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr

from echotrace.narratives.similarity import (
    narrative_similarity,
    profile_documents,
    read_signals,
    reading_scale,
    signals,
)


def _repair(text: str) -> str:
    try:
        from echotrace.ingest.decode import repair_mojibake

        return repair_mojibake(text)[0]
    except ImportError:
        import ftfy

        return str(ftfy.fix_encoding(text))


_FLOORS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
_CEILINGS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def _held_out(raw: list[dict[str, float]], scales: list[tuple[float, float] | None], gold: list[float],
              pair_langs: list[str]) -> dict[str, float]:
    """Pearson when the scale's floor and ceiling are picked from a grid on training folds only
    (5 folds, and leave-one-language-pair-out): what the fixed values would give on unseen data.
    `scales[i]` is None for centred pairs (the grid applies) and the fixed raw scale otherwise."""
    if len(gold) < 50:
        return {}
    order = np.random.default_rng(0).permutation(len(gold))
    folds = {"pearson_cv5": [order[k::5] for k in range(5)],
             "pearson_cv_language_pair": [np.array([i for i, p in enumerate(pair_langs) if p == held])
                                          for held in sorted(set(pair_langs))]}
    target = np.asarray(gold)
    out: dict[str, float] = {}
    for name, tests in folds.items():
        predicted = np.zeros(len(gold))
        for test in tests:
            train = np.setdiff1d(np.arange(len(gold)), test)
            floor, ceiling = max(
                ((f, c) for f in _FLOORS for c in _CEILINGS),
                key=lambda fc: float(pearsonr([read_signals(raw[i], *(scales[i] or fc)) for i in train],
                                              target[train])[0]),
            )
            predicted[test] = [read_signals(raw[i], *(scales[i] or (floor, ceiling))) for i in test]
        out[name] = round(float(pearsonr(predicted, target)[0]), 4)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--predictions-out", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="first N pairs only (quick checks)")
    args = parser.parse_args(argv)

    csv.field_size_limit(sys.maxsize)
    with args.path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if (r.get("Narrative") or "").strip()]
    if args.limit:
        rows = rows[: args.limit]
    started = time.perf_counter()
    lang_of = {_repair(r[f"text{k}"] or ""): r.get(f"lang{k}") or "?" for r in rows for k in (1, 2)}
    texts = sorted(lang_of)
    index = {t: i for i, t in enumerate(texts)}
    profiles = profile_documents(texts, langs=[lang_of[t] for t in texts])
    scores: list[float] = []
    raw: list[float] = []  # mean of the cosines, for comparison
    raw_signals: list[dict[str, float]] = []
    raw_scales: list[tuple[float, float] | None] = []  # None: centred pair
    gold: list[float] = []
    for row in rows:
        a = profiles[index[_repair(row["text1"] or "")]]
        b = profiles[index[_repair(row["text2"] or "")]]
        scores.append(narrative_similarity(a, b))
        raw_signals.append(signals(a, b))
        raw_scales.append(None if a.centred is not None and b.centred is not None else reading_scale(a, b))
        raw.append(float(np.mean(list(raw_signals[-1].values()))))
        gold.append(-float(row["Narrative"]))
    elapsed = time.perf_counter() - started
    if args.predictions_out:
        with args.predictions_out.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(["pair_id", "score"])
            for row, score in zip(rows, scores, strict=True):
                writer.writerow([row["pair_id"], f"{score:.6f}"])
    by_pair: dict[str, tuple[list[float], list[float]]] = {}
    for row, score, g in zip(rows, scores, gold, strict=True):
        key = f"{row.get('lang1', '?')}-{row.get('lang2', '?')}"
        by_pair.setdefault(key, ([], []))
        by_pair[key][0].append(score)
        by_pair[key][1].append(g)
    per_pair = {k: round(float(pearsonr(s, g)[0]), 4) for k, (s, g) in sorted(by_pair.items()) if len(s) >= 5}
    print(f"{len(rows)} pairs, {len(texts)} documents, {elapsed:.1f} s")
    for key, value in per_pair.items():
        print(f"  {key}: r = {value}")
    result = {
        "pearson_narrative": round(float(pearsonr(scores, gold)[0]), 4),
        "pearson_raw_mean": round(float(pearsonr(raw, gold)[0]), 4),
        "n_pairs": len(rows),
        "per_language_pair": per_pair,
        "n_pairs_centred": raw_scales.count(None),
        **_held_out(raw_signals, raw_scales, gold, [f"{r.get('lang1', '?')}-{r.get('lang2', '?')}" for r in rows]),
        "seconds": round(elapsed, 1),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
