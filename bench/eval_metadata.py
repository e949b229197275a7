"""Score credited wires and publication dates against PolNeAR's metadata (labelled by its authors).

Usage: python bench/eval_metadata.py PATH/TO/polnear [--predictions-out preds.jsonl]

PolNeAR's metadata.tsv gives each article's `wire` (AP, UPI, AFP, Reuters or none) and its
`publication_date`. Wire: a document-level (doc, wire) pair is predicted when find_credits
returns an origin credit of a wire agency; an article that cites a wire in its body ("according
to AP") without being a wire story counts against precision, so precision is a lower bound.
Dates: most PolNeAR texts carry no dateline, so abstaining is right; precision is the share of
predicted dates equal to the labelled day, coverage the share of articles with a prediction.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

from echotrace.annotate.dates import find_dates
from echotrace.annotate.sources import find_credits

WIRES = {"ap": "AP", "upi": "UPI", "afp": "AFP", "reuters": "Reuters"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path, help="PolNeAR folder (with metadata.tsv and */text/*.txt)")
    parser.add_argument("--predictions-out", type=Path)
    args = parser.parse_args()
    with (args.path / "metadata.tsv").open(encoding="utf-8") as handle:
        metadata = {row["filename"]: row for row in csv.DictReader(handle, delimiter="\t")}
    gold_wires: set[tuple[str, str]] = set()
    predicted_wires: set[tuple[str, str]] = set()
    dated = correct_dates = n_docs = 0
    predictions = []
    for path in sorted(args.path.glob("*/text/*.txt")):
        row = metadata.get(path.stem)
        if row is None:
            continue
        n_docs += 1
        text = path.read_text(encoding="utf-8")
        wire = WIRES.get((row.get("wire") or "").strip().lower())
        if wire:
            gold_wires.add((path.stem, wire))
        credits = [c for c in find_credits(text) if c.role == "origin" and c.name in WIRES.values()]
        predicted_wires.update((path.stem, c.name) for c in credits)
        published, _ = find_dates(text, [])
        if published is not None:
            dated += 1
            correct_dates += published.value.date().isoformat() == (row.get("publication_date") or "")
        predictions.append(
            {
                "doc": path.stem,
                "wires": sorted({c.name for c in credits}),
                "published": published.value.isoformat() if published else None,
                "date_kind": published.kind if published else None,
            }
        )
    hits = len(gold_wires & predicted_wires)
    precision = hits / len(predicted_wires) if predicted_wires else 0.0
    recall = hits / len(gold_wires) if gold_wires else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    if args.predictions_out:
        args.predictions_out.write_text("".join(json.dumps(p) + "\n" for p in predictions), encoding="utf-8")
    missed = sorted(gold_wires - predicted_wires)[:10]
    extra = sorted(predicted_wires - gold_wires)[:10]
    print(f"wire stories: {len(gold_wires)} gold, {len(predicted_wires)} predicted, {hits} right")
    print(f"missed (first 10): {missed}")
    print(f"not in the wire column (first 10): {extra}")
    print(f"dates: {dated} predicted of {n_docs}, {correct_dates} on the labelled day")
    result = {
        "wire_precision": round(precision, 4),
        "wire_recall": round(recall, 4),
        "wire_f1": round(f1, 4),
        "date_precision": round(correct_dates / dated, 4) if dated else 1.0,
        "date_coverage": round(dated / n_docs, 4) if n_docs else 0.0,
        "n_docs": n_docs,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
