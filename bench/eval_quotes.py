"""Score quote extraction on PolNeAR's brat format (metric definitions: ../shared/eval/README.md).

Usage: python bench/eval_quotes.py PATH [--predictions-out DIR] [--limit N]
PATH holds text/*.txt and attributions/*.ann. Last line: one JSON object with the scores.

Cross-validation on PolNeAR train, where rules and settings are chosen (every train article scored by a
model that never saw it): python bench/eval_quotes.py ../shared/eval/polnear/train --folds 4
--model 'crf_{k}.crfsuite' --stacked OOF [--parse-cache DIR], with the CRFs of
`train_quotes.py --hold-out K/4 --stacked OOF` and the classifier's out-of-fold predictions of
`train_quote_tagger.py --step oof --predictions OOF`.

Human agreement, the ceiling of these metrics: python bench/eval_quotes.py PATH --agreement scores each
annotator of a multiply-annotated article against each other one, and echotrace against each of them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from echotrace.annotate.quote_tokens import SyntaxToken, Token
from echotrace.records import Quote

Span = frozenset[int]


@dataclass(slots=True)
class GoldAttribution:
    content: list[tuple[int, int]]
    source: list[tuple[int, int]]
    cue: list[tuple[int, int]]


@dataclass(slots=True)
class Item:
    content: Span
    source: Span | None


def annotation_file(folder: Path, stem: str) -> Path | None:
    """The first annotation file of an article in sorted order (`<stem>_<annotator>.ann`)."""
    candidates = sorted(folder.glob(f"{stem}_*.ann")) or sorted(folder.glob(f"{stem}.ann"))
    return candidates[0] if candidates else None


def read_brat(path: Path) -> list[GoldAttribution]:
    """E lines of a brat file, each with its Content/Source/Cue fragments."""
    fragments: dict[str, list[tuple[int, int]]] = {}
    events: list[list[tuple[str, str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label_and_offsets = parts[1].split(" ", 1)
            if len(label_and_offsets) < 2:
                continue
            spans = []
            for frag in label_and_offsets[1].split(";"):
                start, end = frag.split()
                spans.append((int(start), int(end)))
            fragments[parts[0]] = spans
        elif line.startswith("E") and len(parts) >= 2:
            events.append([tuple(arg.split(":", 1)) for arg in parts[1].split() if ":" in arg])  # type: ignore[misc]
    out: list[GoldAttribution] = []
    for args in events:
        attribution = GoldAttribution([], [], [])
        for role, tid in args:
            spans = fragments.get(tid, [])
            if role.startswith("Content"):
                attribution.content.extend(spans)
            elif role.startswith("Source"):
                attribution.source.extend(spans)
            elif role.startswith("Cue"):
                attribution.cue.extend(spans)
        out.append(attribution)
    return out


def char_set(text: str, spans: Iterable[tuple[int, int]]) -> Span:
    """Non-whitespace character positions covered by the spans."""
    return frozenset(i for start, end in spans for i in range(start, min(end, len(text)))
                     if not text[i].isspace())


def gold_items(text: str, attributions: Sequence[GoldAttribution]) -> list[Item]:
    items = []
    for att in attributions:
        content = char_set(text, att.content)
        if not content:
            continue
        source = char_set(text, att.source) or None
        items.append(Item(content, source))
    return items


def content_fragments(quote: Quote) -> list[tuple[int, int]]:
    """The quote span minus the attribution inside it (split quotes: "…," he said, "…")."""
    holes = sorted(
        (s, e) for s, e in ((quote.speaker_start, quote.speaker_end), (quote.cue_start, quote.cue_end))
        if s is not None and e is not None and quote.start <= s and e <= quote.end
    )
    out: list[tuple[int, int]] = []
    pos = quote.start
    for s, e in holes:
        if s > pos:
            out.append((pos, s))
        pos = max(pos, e)
    if pos < quote.end:
        out.append((pos, quote.end))
    return [(_skip(quote.text, s - quote.start) + quote.start, e) if k else (s, e) for k, (s, e) in enumerate(out)]


def _skip(text: str, pos: int) -> int:
    """Past the punctuation that follows an attribution inside a quote (`", he said, "…`)."""
    while pos < len(text) and text[pos] in ",.;:—– ":
        pos += 1
    return pos


_OPENING_MARKS = frozenset("“«„\"‘'")
_CLOSING_MARKS = frozenset("”»\"’'“")


def polnear_fragments(text: str, quote: Quote) -> list[tuple[int, int]]:
    """Content fragments in PolNeAR's convention: its content spans include the quotation marks
    around a quote and the punctuation just inside the closing one (`“…,”`); echotrace's quote
    spans stop at the words. Only the outer ends move, and only onto adjacent marks."""
    fragments = content_fragments(quote)
    if not fragments:
        return fragments
    start, first_end = fragments[0]
    before = start - 1
    while before >= 0 and text[before] == " ":
        before -= 1
    marks = 0
    while before >= 0 and marks < 2 and text[before] in _OPENING_MARKS:  # “ or NYT-style ''
        start, before, marks = before, before - 1, marks + 1
    last_start, end = fragments[-1] if len(fragments) > 1 else (start, fragments[0][1])
    after = end
    while after < len(text) and after - end < 2 and text[after] in ",.;:?!":
        after += 1
    while after < len(text) and after - end < 4 and text[after] in _CLOSING_MARKS:
        after += 1
        end = after
    if len(fragments) == 1:
        return [(start, end)]
    return [(start, first_end), *fragments[1:-1], (last_start, end)]


def predicted_items(text: str, quotes: Sequence[Quote]) -> list[Item]:
    items = []
    for q in quotes:
        content = char_set(text, polnear_fragments(text, q))
        if not content:
            continue
        source = None
        if q.speaker_start is not None and q.speaker_end is not None:
            source = char_set(text, [(q.speaker_start, q.speaker_end)]) or None
        items.append(Item(content, source))
    return items


@dataclass(slots=True)
class Counts:
    n_pred: int = 0
    n_gold: int = 0
    exact: int = 0
    overlap: int = 0
    source_tp: int = 0
    source_pred: int = 0
    source_gold: int = 0
    joint: int = 0


def score_document(pred: Sequence[Item], gold: Sequence[Item], counts: Counts) -> None:
    counts.n_pred += len(pred)
    counts.n_gold += len(gold)
    unmatched_gold = list(gold)
    for p in pred:
        for g in unmatched_gold:
            if p.content == g.content:
                counts.exact += 1
                unmatched_gold.remove(g)
                break
    pairs = []
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            inter = len(p.content & g.content)
            biggest = max(len(p.content), len(g.content))
            if inter >= 0.5 * biggest:
                pairs.append((-inter / biggest, i, j))
    pairs.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        counts.overlap += 1
        p_src, g_src = pred[i].source, gold[j].source
        if p_src is not None:
            counts.source_pred += 1
        if g_src is not None:
            counts.source_gold += 1
        source_right = (p_src is None and g_src is None) or (
            p_src is not None and g_src is not None and bool(p_src & g_src))
        if p_src is not None and g_src is not None and p_src & g_src:
            counts.source_tp += 1
        if source_right:
            counts.joint += 1


def f1(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


def write_brat(path: Path, text: str, quotes: Sequence[Quote]) -> None:
    """Predictions as brat standoff, readable by any PolNeAR scorer."""

    def surface(start: int, end: int) -> str:
        return " ".join(text[start:end].split())

    lines: list[str] = []
    tid = 0
    for eid, q in enumerate(quotes, start=1):
        args = []
        frags = polnear_fragments(text, q)
        if not frags:
            continue
        tid += 1
        offsets = ";".join(f"{s} {e}" for s, e in frags)
        lines.append(f"T{tid}\tContent {offsets}\t{' '.join(surface(a, b) for a, b in frags)}")
        args.append(f"Content:T{tid}")
        if q.cue_start is not None and q.cue_end is not None:
            tid += 1
            lines.append(f"T{tid}\tCue {q.cue_start} {q.cue_end}\t{surface(q.cue_start, q.cue_end)}")
            args.append(f"Cue:T{tid}")
        if q.speaker_start is not None and q.speaker_end is not None:
            tid += 1
            lines.append(f"T{tid}\tSource {q.speaker_start} {q.speaker_end}\t{surface(q.speaker_start, q.speaker_end)}")
            args.append(f"Source:T{tid}")
        anchor = (q.cue_start, q.cue_end) if q.cue_start is not None and q.cue_end is not None else frags[0]
        tid += 1
        lines.append(f"T{tid}\tAttribution {anchor[0]} {anchor[1]}\t{surface(anchor[0], anchor[1])}")
        lines.append(f"E{eid}\tAttribution:T{tid} " + " ".join(args))
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")


def fold_arg(value: str) -> tuple[int, int]:
    """`K/N` on the command line: fold K of N."""
    k, n = (int(x) for x in value.split("/"))
    if not 0 <= k < n:
        raise argparse.ArgumentTypeError(f"fold {value}: need 0 <= K < N")
    return k, n


def in_fold(paths: Sequence[Path], fold: tuple[int, int] | None, held_out: bool) -> list[Path]:
    """The articles of fold K of N (every N-th in sorted order, from the K-th), or all the others:
    the cross-validation folds on which the tagger's settings are chosen."""
    if fold is None:
        return list(paths)
    k, n = fold
    return [p for i, p in enumerate(paths) if (i % n == k) == held_out]


def _use_parse_cache(folder: Path) -> None:
    """Dependency parses from bench/train_quotes.py's pickle cache instead of spaCy (experiments)."""
    import echotrace.annotate.quotes as quotes
    from bench.train_quotes import parsed

    def cached(text: str, tokens: Sequence[Token], cues: frozenset[str]) -> list[SyntaxToken]:
        return parsed(text, folder)

    quotes.parse_cue_sentences = cached  # type: ignore[attr-defined]  # the name find_quotes calls


class _StackedFromCache:
    """The classifier's features read from its out-of-fold predictions for the article being scored
    (keyed by the whole text, as train_quotes.py reads them) instead of running it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.text = ""

    def __call__(self, tokens: Sequence[Token]) -> list[list[str]]:
        from bench.train_quotes import stacked

        return stacked(self.text, self.folder)


def _summary(counts: Counts) -> dict[str, float]:
    _, _, exact_f1 = f1(counts.exact, counts.n_pred, counts.n_gold)
    precision, recall, overlap_f1 = f1(counts.overlap, counts.n_pred, counts.n_gold)
    _, _, source_f1 = f1(counts.source_tp, counts.source_pred, counts.source_gold)
    _, _, joint_f1 = f1(counts.joint, counts.n_pred, counts.n_gold)
    return {
        "content_exact_f1": round(exact_f1, 4),
        "content_overlap_f1": round(overlap_f1, 4),
        "source_f1": round(source_f1, 4),
        "joint_f1": round(joint_f1, 4),
        "content_overlap_precision": round(precision, 4),
        "content_overlap_recall": round(recall, 4),
    }


def _print_agreement(paths: Sequence[Path], ann_dir: Path,
                     find_quotes: Callable[[str, str, str], list[Quote]]) -> None:
    """Humans against humans and echotrace against humans, on the articles with several annotation
    files: every ordered pair of annotators counts once each way, so the human figure is symmetric."""
    humans, system = Counts(), Counts()
    n_docs = 0
    for text_path in paths:
        files = sorted(ann_dir.glob(f"{text_path.stem}_*.ann"))
        if len(files) < 2:
            continue
        text = text_path.read_text(encoding="utf-8")
        labelled = [gold_items(text, read_brat(path)) for path in files]
        predicted = predicted_items(text, find_quotes(text_path.stem, text, "en"))
        for k, gold in enumerate(labelled):
            score_document(predicted, gold, system)
            for j, other in enumerate(labelled):
                if j != k:
                    score_document(other, gold, humans)
        n_docs += 1
    print(f"{n_docs} articles with several annotators")
    print(json.dumps({"annotators_against_each_other": _summary(humans),
                      "echotrace_against_each_annotator": _summary(system), "n_docs": n_docs}))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--predictions-out", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=0, help="score only the first N articles (of each fold)")
    parser.add_argument("--fold", type=fold_arg, default=None, metavar="K/N",
                        help="score only fold K of N (a model trained with train_quotes.py --hold-out K/N)")
    parser.add_argument("--folds", type=int, default=0, metavar="N",
                        help="score every fold k of N with its own model: --model with {k} in its name")
    parser.add_argument("--model", type=str, default=None, help="CRF model file instead of the shipped one")
    parser.add_argument("--stacked", type=Path, default=None, metavar="DIR",
                        help="the classifier's out-of-fold predictions (train_quote_tagger.py --step oof)")
    parser.add_argument("--parse-cache", type=Path, default=None, help="pickled parses (train_quotes.py)")
    parser.add_argument("--classifier", type=Path, default=None,
                        help="neural classifier folder instead of the shipped one (train_quote_tagger.py)")
    parser.add_argument("--agreement", action="store_true",
                        help="on the articles several annotators labelled: each annotator scored against each "
                             "other one, and echotrace against each of them (the human ceiling of the metric)")
    args = parser.parse_args(argv)
    if args.folds and (args.model is None or "{k}" not in args.model or args.fold is not None):
        parser.error("--folds N needs --model with {k} in its name, and no --fold")
    import echotrace.annotate.quotes as extraction  # the training script imports this module too

    stacked = None
    if args.stacked is not None:
        stacked = _StackedFromCache(args.stacked)
        extraction._stacked = stacked  # the name _tagged_attributions calls
    if args.classifier is not None:
        import echotrace.annotate.quote_nn as quote_nn

        quote_nn.TAGGER_PATH = args.classifier
    if args.parse_cache is not None:
        _use_parse_cache(args.parse_cache)

    text_dir = args.path / "text"
    ann_dir = args.path / "attributions"
    if args.predictions_out:
        args.predictions_out.mkdir(parents=True, exist_ok=True)
    counts = Counts()
    paths = sorted(text_dir.glob("*.txt"))
    if args.agreement:
        _print_agreement(paths, ann_dir, extraction.find_quotes)
        return
    runs = [((k, args.folds), args.model.format(k=k)) for k in range(args.folds)] if args.folds else [
        (args.fold, args.model)]
    started = time.perf_counter()
    n_docs = 0
    for fold, model in runs:
        if model is not None:
            extraction.MODEL_PATH = Path(model)
            extraction._tagger.cache_clear()
        texts = in_fold(paths, fold, held_out=True)
        if args.limit:
            texts = texts[: args.limit]
        for text_path in texts:
            ann = annotation_file(ann_dir, text_path.stem)
            if ann is None:
                continue
            text = text_path.read_text(encoding="utf-8")
            if stacked is not None:
                stacked.text = text
            quotes = extraction.find_quotes(text_path.stem, text, "en")
            if args.predictions_out:
                write_brat(args.predictions_out / f"{text_path.stem}.ann", text, quotes)
            score_document(predicted_items(text, quotes), gold_items(text, read_brat(ann)), counts)
            n_docs += 1
    elapsed = time.perf_counter() - started
    print(f"{n_docs} articles, {counts.n_gold} gold attributions, {counts.n_pred} predicted, "
          f"{elapsed:.1f} s")
    print(json.dumps({**_summary(counts), "n_docs": n_docs}))


if __name__ == "__main__":
    main()
