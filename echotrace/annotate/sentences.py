"""Sentence spans for multilingual news text.

A rule splitter, not a model: it runs on every paragraph of every article, so it must be fast
and safe on adversarial input (no nested quantifiers). It splits after . ! ? … when the next
token starts like a sentence, and never after common abbreviations, initials or numbers.
"""

from __future__ import annotations

import re

from echotrace.records import Sentence

_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen col lt maj capt sgt adm gov sen rep rev st sr jr mt ft
    inc ltd co corp dept univ assn bros vs etc al approx est fig no nos vol pp
    jan feb mar apr jun jul aug sep sept oct nov dec
    u.s u.k u.n e.u u.s.a a.m p.m i.e e.g
    m mme mlle dr st
    hr fr frau nr bzw ca dt ggf usw vgl z.b d.h
    sr sra srta dña
    г гг т.е т.д ул им
    """.split()
)

# A boundary candidate: terminal punctuation, optional closing quotes/brackets, whitespace.
# The lookbehind starts a match only at the head of a punctuation run (linear on "......").
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]+[\"'”’»)\]]*\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
_NEXT_STARTS_SENTENCE = re.compile(r"[\"'“‘«„(\[¿¡—–-]?\s?[A-ZÀ-ÖØ-ÞА-ЯЁ0-9\u0600-\u06FF\u4e00-\u9fff]")
_WORD_BEFORE = re.compile(r"([\w.]+)$")


def is_abbreviation(text: str, dot_pos: int) -> bool:
    """Whether the "." at `dot_pos` ends an abbreviation or an initial rather than a sentence."""
    match = _WORD_BEFORE.search(text, max(0, dot_pos - 20), dot_pos)
    if not match:
        return False
    word = match.group(1).lower().strip(".")
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    # Initials ("J. Arnoldski") and single letters.
    return len(word) == 1 and word.isalpha()


def starts_sentence(text: str, pos: int) -> bool:
    """Whether the text at `pos` starts like a sentence (capital, digit, opening mark)."""
    return _NEXT_STARTS_SENTENCE.match(text, pos) is not None


def _split_block(text: str, offset: int, out: list[Sentence]) -> None:
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end >= len(text):
            break
        if not starts_sentence(text, end):
            continue
        punct = text[match.start()]
        if punct == "." and is_abbreviation(text, match.start()):
            continue
        _emit(text, start, end, offset, out)
        start = end
    _emit(text, start, len(text), offset, out)


def _emit(text: str, start: int, end: int, offset: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(offset + start, offset + end, text[start:end]))


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences of `text`, never crossing a line break; spans are offset by `offset`."""
    out: list[Sentence] = []
    pos = 0
    for brk in _PARAGRAPH_BREAK.finditer(text):
        _split_block(text[pos : brk.start()], offset + pos, out)
        pos = brk.end()
    _split_block(text[pos:], offset + pos, out)
    return out
