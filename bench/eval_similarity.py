"""Evaluate echotrace's document similarity on SemEval-2022 Task 8 format.

Usage: python bench/eval_similarity.py PATH [--predictions-out CSV] [--limit N] [--features]

Gold scores run 1 (same) .. 4 (different), so the Pearson r reported is between our similarity
and -Overall / -Narrative. The score is the fixed combination `combined_score` of
`echotrace.link.translation` (not fitted on this file). All documents of the file are
profiled in one call, as the link stage profiles a corpus: language centring and name weights
come from those texts (never from the gold scores), so a split is scored on its own texts.
`--features` also prints each
feature's own r, the score's r on the odd and even halves (by pair_id order), and a weight fit
(every feature plus the strongest semantic view) scored by leave-one-language-pair-out CV and across
the halves, to show what fitting would add without reporting an in-sample number as held out.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from echotrace.link.translation import (  # noqa: E402
    SCORE_SENTENCES,
    SEMANTIC_VIEWS,
    combined_score,
    pair_features,
    profile_documents,
)


def _repair(text: str) -> str:
    """Undo double-encoded UTF-8 with the ingest helper when present, else ftfy directly."""
    try:
        from echotrace.ingest.decode import repair_mojibake
    except ImportError:
        import ftfy

        return str(ftfy.fix_encoding(text))
    repaired, _ = repair_mojibake(text)
    return repaired


def load_pairs(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row.get("Overall")]
    rows.sort(key=lambda r: r["pair_id"])
    return rows[:limit] if limit else rows


def _pearson(x: Sequence[float], y: Sequence[float]) -> float:
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(pearsonr(x, y).statistic)


def _cv_by_language_pair(features: np.ndarray, target: np.ndarray, groups: list[str]) -> float:
    """Pearson r of least-squares weights, each language pair predicted by a fit on the others."""
    design = np.hstack([features, np.ones((features.shape[0], 1))])
    predicted = np.zeros_like(target)
    for group in sorted(set(groups)):
        held = np.array([g == group for g in groups])
        weights, *_ = np.linalg.lstsq(design[~held], target[~held], rcond=None)
        predicted[held] = design[held] @ weights
    return _pearson(predicted.tolist(), target.tolist())


def _halves_fit(features: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """Pearson r of least-squares weights fitted on one half (even / odd rows), scored on the other."""
    design = np.hstack([features, np.ones((features.shape[0], 1))])
    even = np.arange(len(target)) % 2 == 0
    scores = []
    for fit, held in ((even, ~even), (~even, even)):
        weights, *_ = np.linalg.lstsq(design[fit], target[fit], rcond=None)
        scores.append(_pearson((design[held] @ weights).tolist(), target[held].tolist()))
    return scores[0], scores[1]


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--predictions-out", type=Path)
    parser.add_argument("--limit", type=int, help="first N pairs by pair_id (for quick gates)")
    parser.add_argument("--features", action="store_true", help="per-feature r and CV fit")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rows = load_pairs(args.path, args.limit)
    texts: list[str] = []
    langs: list[str] = []
    for row in rows:
        texts += [_repair(row["text1"]), _repair(row["text2"])]
        langs += [row["lang1"], row["lang2"]]
    profiles = profile_documents(texts, langs, max_sentences=SCORE_SENTENCES)
    pair_rows = [pair_features(profiles[2 * k], profiles[2 * k + 1]) for k in range(len(rows))]
    names = sorted(pair_rows[0]) if pair_rows else []
    features = np.array([[row[n] for n in names] for row in pair_rows]).reshape(len(rows), len(names))
    scores = np.array([combined_score(row) for row in pair_rows])
    overall = np.array([-float(r["Overall"]) for r in rows])
    narrative = np.array([-float(r["Narrative"]) for r in rows])
    groups = [f"{r['lang1']}-{r['lang2']}" for r in rows]

    per_pair: dict[str, dict[str, float]] = {}
    by_group: dict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        by_group[group].append(index)
    print(f"{'pair':8} {'n':>4} {'overall':>8} {'narrative':>9}")
    for group in sorted(by_group):
        idx = by_group[group]
        r_overall = _pearson(scores[idx].tolist(), overall[idx].tolist())
        r_narrative = _pearson(scores[idx].tolist(), narrative[idx].tolist())
        per_pair[group] = {"pearson_overall": round(r_overall, 4), "pearson_narrative": round(r_narrative, 4),
                           "n_pairs": len(idx)}
        print(f"{group:8} {len(idx):>4} {r_overall:8.3f} {r_narrative:9.3f}")

    if args.features:
        for column, name in enumerate(names):
            print(f"feature {name:10} r_overall={_pearson(features[:, column].tolist(), overall.tolist()):.3f}")
        even = np.arange(len(rows)) % 2 == 0
        print(f"score on halves: even r_overall={_pearson(scores[even].tolist(), overall[even].tolist()):.4f} "
              f"odd r_overall={_pearson(scores[~even].tolist(), overall[~even].tolist()):.4f}")
        strongest = features[:, [names.index(n) for n in SEMANTIC_VIEWS]].max(axis=1, keepdims=True)
        fitted = np.hstack([features, strongest])
        cv = _cv_by_language_pair(fitted, overall, groups)
        fit_even, fit_odd = _halves_fit(fitted, overall)
        print(f"least-squares weights (views + strongest), leave-one-language-pair-out CV: r_overall={cv:.4f}; "
              f"fit on odd, scored on even: {fit_even:.4f}; fit on even, scored on odd: {fit_odd:.4f}")

    if args.predictions_out:
        with args.predictions_out.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["pair_id", "score"])
            for row, score in zip(rows, scores.tolist(), strict=True):
                writer.writerow([row["pair_id"], f"{score:.6f}"])

    result: dict[str, object] = {
        "pearson_overall": round(_pearson(scores.tolist(), overall.tolist()), 4),
        "pearson_narrative": round(_pearson(scores.tolist(), narrative.tolist()), 4),
        "n_pairs": len(rows),
        "per_language_pair": per_pair,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
