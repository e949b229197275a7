"""Tokens and CRF features for attribution tagging (shared by training and inference).

Training (bench/train_quotes.py) and tagging (quotes.py) must compute exactly the same
features, so both import them from here. Features are plain strings ("name=value"), which is
what python-crfsuite consumes fastest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

CUES_PATH = Path(__file__).resolve().parents[1] / "data" / "cues.yaml"

# A word (letters/digits, with inner apostrophes, dots or hyphens) or one other non-space char.
# The inner group always starts with a separator, so matching is linear.
_TOKEN = re.compile(r"\w+(?:[’'.\-]\w+)*|[^\w\s]")

OPENING_DOUBLE = frozenset("“«„")
CLOSING_DOUBLE = frozenset("”»")
STRAIGHT_DOUBLE = '"'
QUOTE_CHARS = frozenset("“”«»„\"‚‘’'")
_SENTENCE_END = frozenset(".!?…")
_PRONOUNS = frozenset("he she they it we i you him her them his their its".split())


@lru_cache(maxsize=1)
def cue_table() -> dict[str, dict[str, list[str]]]:
    """The per-language cue table (data/cues.yaml), lower-cased."""
    raw: dict[str, dict[str, Any]] = yaml.safe_load(CUES_PATH.read_text(encoding="utf-8"))
    return {lang: {key: [str(v).lower() for v in (values or [])] for key, values in table.items()}
            for lang, table in raw.items()}


@cache
def cue_words(lang: str) -> frozenset[str]:
    """Single-word cue verbs of a language (multi-word cues contribute their last word)."""
    verbs = cue_table().get(lang, {}).get("verbs", [])
    return frozenset(v.split()[-1] for v in verbs)


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    para_start: bool
    in_quote: bool
    sent_pos: int


def tokenize(text: str) -> list[Token]:
    """Tokens with paragraph starts, double-quote state and position in sentence."""
    tokens: list[Token] = []
    in_quote = False
    opener = ""
    sent_pos = 0
    last_end = 0
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        word = match.group()
        para_start = not tokens or "\n" in text[last_end:start]
        if para_start:
            sent_pos = 0
            # A quote left open at a paragraph end continues only if the next paragraph opens again.
            in_quote = False
        state_inside = in_quote
        if word in OPENING_DOUBLE and not (word == "“" and opener == "„"):
            in_quote, opener = True, word
            state_inside = True
        elif word in CLOSING_DOUBLE or word == "“":
            in_quote, opener = False, ""
        elif word == STRAIGHT_DOUBLE:
            opening = start == 0 or text[start - 1].isspace() or text[start - 1] in "([—–-"
            if opening and not in_quote:
                in_quote, opener = True, word
                state_inside = True
            else:
                in_quote, opener = False, ""
        tokens.append(Token(start, end, word, para_start, state_inside, sent_pos))
        sent_pos = 0 if word in _SENTENCE_END else sent_pos + 1
        last_end = end
    return tokens


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper() and len(word) > 1:
        return "AA"
    if word[:1].isupper():
        return "Aa"
    if word.islower():
        return "a"
    if not word[:1].isalnum():
        return "p"
    return "x"


def token_features(tokens: Sequence[Token], cue_words: frozenset[str]) -> list[list[str]]:
    """One feature list per token: word, shape, cue lexicon, quote state, position, neighbours."""
    lowers = [t.text.lower() for t in tokens]
    shapes = [_shape(t.text) for t in tokens]
    is_cue = [w in cue_words for w in lowers]
    # Distance (in tokens, capped) to the nearest cue word in the same sentence, each side.
    n = len(tokens)
    cue_left = [99] * n
    cue_right = [99] * n
    last = -1
    for i in range(n):
        if tokens[i].sent_pos == 0:
            last = -1
        if last >= 0:
            cue_left[i] = i - last
        if is_cue[i]:
            last = i
    nxt = -1
    for i in range(n - 1, -1, -1):
        if nxt >= 0:
            cue_right[i] = nxt - i
        if is_cue[i]:
            nxt = i
        if tokens[i].sent_pos == 0:
            nxt = -1
    # Sentence-level evidence: does the sentence hold a cue word / a quotation mark at all?
    sentence_cue = [False] * n
    sentence_quote = [False] * n
    sentence_len = [0] * n
    begin = 0
    for i in range(n + 1):
        if i == n or (i > begin and tokens[i].sent_pos == 0):
            has_cue = any(is_cue[begin:i])
            has_quote = any(tokens[k].text in QUOTE_CHARS for k in range(begin, i))
            for k in range(begin, i):
                sentence_cue[k] = has_cue
                sentence_quote[k] = has_quote
                sentence_len[k] = i - k
            begin = i
    # Built column by column (list comprehensions), then zipped: this runs on every token of
    # every English article, so it must stay cheap.
    columns: list[list[str]] = [
        ["b"] * n,
        ["w=" + w for w in lowers],
        ["s=" + sh for sh in shapes],
        ["suf=" + w[-3:] for w in lowers],
        ["q=1" if t.in_quote else "q=0" for t in tokens],
        ["cue=1" if c else "cue=0" for c in is_cue],
        ["pos=" + (str(t.sent_pos) if t.sent_pos < 4 else "n") for t in tokens],
        ["cl=" + _bucket(d) for d in cue_left],
        ["cr=" + _bucket(d) for d in cue_right],
        ["sc=" + ("1" if c else "0") + ("q" if q else "") for c, q in zip(sentence_cue, sentence_quote, strict=True)],
        ["left=" + (str(k) if k < 4 else "n") for k in sentence_len],
    ]
    for off in (-3, -2, -1, 1, 2, 3):
        pad_word = [f"w{off}=<pad>"] * min(abs(off), n)
        words = [f"w{off}=" + w for w in (lowers[off:] if off > 0 else lowers[:off])]
        columns.append(pad_word + words if off < 0 else words + pad_word)
    feats = [list(row) for row in zip(*columns, strict=True)]
    for off in (-3, -2, -1, 1, 2, 3):
        name = f"s{off}="
        for i in range(max(0, -off), min(n, n - off)):
            feats[i].append(name + shapes[i + off])
            if is_cue[i + off]:
                feats[i].append(f"cue{off}")
    for i in range(n):
        if tokens[i].para_start:
            feats[i].append("para")
        if lowers[i] in _PRONOUNS:
            feats[i].append("pron")
        if i > 0:
            feats[i].append("bi-1=" + lowers[i - 1] + "|" + lowers[i])
        if i + 1 < n:
            feats[i].append("bi+1=" + lowers[i] + "|" + lowers[i + 1])
    return feats


def _bucket(distance: int) -> str:
    if distance >= 99:
        return "none"
    if distance <= 3:
        return str(distance)
    if distance <= 8:
        return "near"
    return "far"
