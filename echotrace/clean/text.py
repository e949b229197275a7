"""Boilerplate removal for plain-text pages as crawlers save them.

Crawled text keeps the page chrome flattened into lines: mastheads, menus, share and newsletter
calls, ads, comment counters, CSS that leaked from the markup, related-headline lists and legal
footers. The cleaner decides per line with general rules (line shape, position relative to the
article body, a multilingual phrase lexicon in `echotrace/data/boilerplate.yaml`, and lines an
outlet repeats on many pages), never with page-specific strings. Every removed line is kept in
`Cleaned.boilerplate` with its reason, so a user can audit what was dropped and later stages can
read what they need from it (the crawl stamp carries the crawl date).

Datelines and credit lines ("December 15, 2016 – Fort Russ News –", "[Source: Itar Tass, …]") stay
in the text: the metadata stage needs them with spans.
"""

from __future__ import annotations

import bisect
import hashlib
import math
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import ahocorasick
import numpy as np
import yaml

from echotrace.annotate.dates import date_end
from echotrace.clean.normalise import normalise_for_id
from echotrace.records import Boilerplate, Cleaned

__all__ = ["RepeatedLines", "clean_text", "line_fingerprint", "strip_chrome_lines", "strip_repeated_title_parts",
           "strip_site_name"]

# Only whitespace is unified in the output text; quotes and dashes stay as the page wrote them.
_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff]")
_ODD_OR_ZERO_WIDTH = re.compile("[\u00a0\u2000-\u200d\u202f\u205f\u3000\t\f\v\u2060\ufeff]")
_SPACES = re.compile(r" {2,}")
_DIGIT = re.compile(r"\d")
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_OTHER_SPLITLINES_BREAK = re.compile("[\v\f\x1c\x1d\x1e\x85]")
_PUNCT_TO_SPACE = re.compile(r"[^\w\s'-]+|_")

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    "|janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre"
    "|januar|jänner|februar|märz|juni|juli|oktober|dezember"
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    "|январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
)
_MONTH_NAMES = frozenset(_MONTHS.split("|"))
# Dates in digits (09.06.2017, 2017-06-09, 12 / 16 / 08, 09Jun17) and clock times with am/pm or a zone.
_NUMERIC_DATE = re.compile(
    r"\d{1,2} ?[./-] ?\d{1,2} ?[./-] ?\d{2,4}\b"
    r"|\d{4}-\d{2}-\d{2}\b"
    r"|\d{1,2} ?: ?\d{2} ?(?i:[ap]\. ?m\b|[ap]m\b|gmt\b|utc\b|et\b|edt\b|est\b|cet\b|msk\b)"
    r"|\d{1,2}(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\d{2,4}\b"
)
_DATELINE_START = re.compile(
    r"(?:updated|posted|published|last modified|mis à jour|publié|aktualisiert|veröffentlicht|actualizado"
    r"|publicado|обновлено|опубликовано)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
# Credit lines: a cue anywhere (searched only when the line holds one of its stems: a scan with
# this case-insensitive alternation costs ~30 µs a line) or a source/byline opening the line.
_CREDIT_ANYWHERE = re.compile(
    r"translated by|traduit par|traduction|übersetzt von|übersetzung|traducido por|traducción|перевод"
    r"|\((?:reporting|writing|editing|additional reporting) by",
    re.IGNORECASE,
)
_CREDIT_STEMS = ("transl", "tradu", "übersetz", "перевод", "(")
_CREDIT_OPENING = re.compile(
    r"\W{0,3}(?:source|sources|quelle|fuente|источник)\b|(?:by|par|von|por|автор:?)\s[A-ZÀ-ÞА-ЯЁ]",
    re.IGNORECASE,
)
_TIMEZONES = "GMT|UTC|MSK|CET|CEST|EET|EEST|EST|EDT|CST|CDT|PST|PDT|BST|IST"
_CRAWL_STAMP = re.compile(
    rf"\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s?(?:{_TIMEZONES})(?:[+-]\d{{1,2}}(?::\d{{2}})?)?\s?"
    rf"\d{{1,2}}\s(?:{_MONTHS})\s\d{{4}}"
    rf"|\d{{1,2}}\s(?:{_MONTHS})\s\d{{4}},?\s\d{{1,2}}:\d{{2}}(?::\d{{2}})?\s?(?:{_TIMEZONES})",
    re.IGNORECASE,
)
# A page address on its own line (some crawls prefix it; tokenised corpora space it out: "http: / / www. x").
_URL_LINE = re.compile(r"(?:https?\s?:\s?/\s?/|www\s?\.)\s?\S")
_COUNTER = re.compile(r"\d{1,7}(?: \d{1,7}){0,5}")
_CSS_SELECTOR = re.compile(r"[@\w\s.#:,>*+~\[\]=\"'()-]{1,300}")
_SENTENCE_TERMINALS = frozenset(".!?…")
_SEPARATORS = re.compile(r"\s[|•·]\s|\s?\|\s?")

_HEADER_SCAN_LINES = 10
_MENU_ITEM_WORDS = 8
_DATELINE_MAX_WORDS = 12
_MAX_TITLE_WORDS = 30
# A related-articles marker only ends the article when it sits in the last 40 % of the page.
_RELATED_TAIL_START = 0.6
_MAX_FINGERPRINT_LINE = 300
# Lengths, in words, of the edges `RepeatedLines` also counts: the opening words of a page's first line and
# the closing words of its last. Exports that lost the page's layout glue an outlet's header or footer to
# its text ("… Tags Damascus Community standardsDiscussion Comment via FacebookComment via Sputnik News",
# "… Editing by Andrew Roche Our Standards:The Thomson Reuters Trust Principles."; TRT World's runs to 102 words).
_EDGE_WORDS = (*range(3, 13), 14, 16, 20, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192)


@dataclass(frozen=True, slots=True)
class _Lexicon:
    automaton: ahocorasick.Automaton
    max_words_any: int
    chrome_words: dict[str, str]
    related_markers: frozenset[str]
    tag_label: re.Pattern[str]


@cache
def _lexicon() -> _Lexicon:
    """Load the phrase lexicon once per process (the YAML is package data)."""
    raw = yaml.safe_load(resources.files("echotrace").joinpath("data/boilerplate.yaml").read_text("utf-8"))
    automaton = ahocorasick.Automaton()
    max_words_any = 0
    for group, phrases in raw["phrases"].items():
        spec = raw["groups"][group]
        max_words_any = max(max_words_any, int(spec["max_words"]))
        for phrase in phrases:
            key = str(phrase).lower()
            previous = automaton.get(key, None)
            # One phrase in two groups: keep the more permissive length limit.
            if previous is None or previous[1] < spec["max_words"]:
                automaton.add_word(key, (str(spec["reason"]), int(spec["max_words"]), len(key)))
    automaton.make_automaton()
    chrome_words = {str(w).lower(): reason for reason, words in raw["words"].items() for w in words}
    labels = sorted((re.escape(str(label)) for label in raw["tag_labels"]), key=len, reverse=True)
    return _Lexicon(
        automaton=automaton,
        max_words_any=max_words_any,
        chrome_words=chrome_words,
        related_markers=frozenset(str(m).lower() for m in raw["related_markers"]),
        tag_label=re.compile(rf"(?:{'|'.join(labels)})\s?:", re.IGNORECASE),
    )


def line_fingerprint(line: str) -> int:
    """Stable unsigned 64-bit hash of a line after identity normalisation (case, quotes, spaces)."""
    return _hash64(normalise_for_id(line))


def _hash64(normalised: str) -> int:
    digest = hashlib.blake2b(normalised.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class RepeatedLines:
    """Lines an outlet repeats on many of its pages (mastheads, menus, footers).

    Pass 1 calls `add` for every document of a group; `repeated` then names the fingerprints found
    in at least max(min_docs, min_share × documents) documents. Only 64-bit fingerprints are kept,
    in compact arrays (8 bytes per distinct line per document), so 100k documents fit in tens of MB.
    """

    def __init__(self, min_docs: int = 3, min_share: float = 0.3) -> None:
        if min_docs < 1 or not 0.0 < min_share <= 1.0:
            raise ValueError("min_docs must be >= 1 and min_share in (0, 1]")
        self.min_docs = min_docs
        self.min_share = min_share
        self._fingerprints: dict[str, array[int]] = {}
        self._documents: dict[str, int] = {}
        self._cache: dict[str, frozenset[int]] = {}
        # A page belongs to several groups (folder and masthead): its lines are hashed once.
        self._last_text: str | None = None
        self._last_fingerprints: list[int] = []
        self._last_identity = 0
        self._texts: dict[str, set[int]] = {}  # per group, the texts counted (copies count once)

    def add(self, group: str, text: str, title: str | None = None) -> None:
        """Count each distinct line of `text`, its edges (`_EDGE_WORDS`) and the parts its `title` sets off
        (`_title_edges`), once for `group`; a text the group has already counted (a copy) counts once."""
        if text is not self._last_text:
            seen: set[int] = {fingerprint for _, fingerprint in _title_edges(title or "")}
            lines = [line for line in (raw_line.strip() for raw_line in _LINE_BREAK.split(text)) if line]
            for line in lines:
                if len(line) < 3 or len(line) >= _MAX_FINGERPRINT_LINE:
                    continue
                normalised = normalise_for_id(line)
                if len(normalised) >= 3:
                    seen.add(_hash64(normalised))
            if lines:
                seen.update(fingerprint for _, fingerprint in _edge_fingerprints(lines[0], _HEAD))
                seen.update(fingerprint for _, fingerprint in _edge_fingerprints(lines[-1], _TAIL))
            self._last_text, self._last_fingerprints = text, sorted(seen)
            self._last_identity = _hash64(normalise_for_id(text))
        texts = self._texts.setdefault(group, set())
        if self._last_identity in texts:
            return
        texts.add(self._last_identity)
        self._fingerprints.setdefault(group, array("Q")).extend(self._last_fingerprints)
        self._documents[group] = self._documents.get(group, 0) + 1
        self._cache.pop(group, None)

    def documents(self, group: str) -> int:
        return self._documents.get(group, 0)

    def repeated(self, group: str) -> frozenset[int]:
        """Fingerprints of lines that are boilerplate for `group` (empty for unknown groups)."""
        cached = self._cache.get(group)
        if cached is not None:
            return cached
        stored = self._fingerprints.get(group)
        result: frozenset[int] = frozenset()
        if stored:
            threshold = max(self.min_docs, math.ceil(self.min_share * self._documents[group]))
            values, counts = np.unique(np.frombuffer(stored, dtype=np.uint64), return_counts=True)
            result = frozenset(int(v) for v in values[counts >= threshold])
        self._cache[group] = result
        return result


@dataclass(slots=True)
class _Line:
    text: str
    block: int
    n_words: int
    reason: str | None = None
    protected: bool = False
    phrase_candidate: bool = False


def _has_date(text: str) -> bool:
    """A date or clock time in the line: digits, or a month name next to a number ("15 de diciembre")."""
    if _NUMERIC_DATE.search(text) or _DATELINE_START.match(text):
        return True
    tokens = _WORD.findall(text.lower())
    for index, token in enumerate(tokens):
        if token in _MONTH_NAMES:
            skip_de = index >= 2 and tokens[index - 1] == "de"
            before = tokens[index - 2] if skip_de else tokens[index - 1] if index else ""
            after = tokens[index + 1] if index + 1 < len(tokens) else ""
            if before[:1].isdigit() or after[:1].isdigit():
                return True
    return False


def _few_alphabetic_words(text: str, limit: int) -> bool:
    """At most `limit` words start with a letter; body lines are rejected after 2 × limit words."""
    head = text.split(None, 2 * limit)
    alphabetic = sum(1 for word in head[: 2 * limit] if word[0].isalpha())
    if alphabetic <= limit and len(head) > 2 * limit:
        alphabetic += sum(1 for word in head[-1].split() if word[0].isalpha())
    return alphabetic <= limit


def _is_credit_line(text: str) -> bool:
    """A translator, source or byline credit ("translated by …", "Source: …", "By Jane Doe")."""
    if _CREDIT_OPENING.match(text):
        return True
    folded = text.casefold()
    return any(stem in folded for stem in _CREDIT_STEMS) and _CREDIT_ANYWHERE.search(text) is not None


def _normalise_spaces(text: str) -> str:
    """Odd spaces to plain spaces, zero-width characters out (whole text at once: cheaper than per line)."""
    if not _ODD_OR_ZERO_WIDTH.search(text):  # most pages: one scan instead of two substitutions
        return text
    return _ODD_SPACE.sub(" ", _ZERO_WIDTH.sub("", text))


def _normalise_line(raw: str) -> str:
    line = raw.strip()
    return _SPACES.sub(" ", line) if "  " in line else line


def _is_boundary(line: str, low: str, before: int, after: int) -> bool:
    """Word boundary in `low` between `before` and `after`, also at camel-case joins ("standardsDiscussion")."""
    if before < 0 or after >= len(low):
        return True
    if not (low[before].isalnum() and low[after].isalnum()):
        return True
    return len(low) == len(line) and line[before].islower() and line[after].isupper()


def _lexicon_reason(line: str, n_words: int, lex: _Lexicon, phrase_candidate: bool) -> str | None:
    if n_words > 6 and not phrase_candidate:
        return "tags" if n_words <= 60 and lex.tag_label.match(line) else None
    low = line.lower()
    if n_words <= 6:
        tokens = _PUNCT_TO_SPACE.sub(" ", low).replace("-", " ").split()
        words = [t for t in tokens if not t.isdigit()]
        if words and all(w in lex.chrome_words for w in words):
            return lex.chrome_words[words[0]]
        if " ".join(words) in lex.related_markers:
            return "related_marker"
    for end, (reason, max_words, length) in lex.automaton.iter(low) if phrase_candidate else ():
        start = end - length + 1
        if n_words <= max_words and _is_boundary(line, low, start - 1, start) and _is_boundary(
            line, low, end, end + 1
        ):
            return str(reason)
    if lex.tag_label.match(line) and n_words <= 60:
        return "tags"
    return None


def _split_lines(text: str) -> list[tuple[str, int]]:
    """Each line with the length of the break after it (0 after the last), to keep character offsets.

    Breaks are those of `_LINE_BREAK`; `str.splitlines` (several times faster) also breaks at a
    few control characters, so it serves only texts without them.
    """
    if _OTHER_SPLITLINES_BREAK.search(text):
        separators = [*(len(m.group()) for m in _LINE_BREAK.finditer(text)), 0]
        return list(zip(_LINE_BREAK.split(text), separators, strict=True))
    lines: list[tuple[str, int]] = []
    for piece in text.splitlines(keepends=True):
        separator = 2 if piece.endswith("\r\n") else 1 if piece[-1] in "\r\n\u2028\u2029" else 0
        lines.append((piece[: len(piece) - separator], separator))
    if not lines or lines[-1][1]:
        lines.append(("", 0))
    return lines


def _mark_phrase_candidates(text: str, lines: list[_Line], starts: list[int], lex: _Lexicon) -> None:
    """One Aho-Corasick pass over the whole page; only lines holding a phrase are checked one by one."""
    low = text.lower()
    if len(low) != len(text):  # a rare case mapping changed lengths: check every line
        for line in lines:
            line.phrase_candidate = True
        return
    for end, _value in lex.automaton.iter(low):
        index = bisect.bisect_right(starts, end) - 1
        if index >= 0:
            lines[index].phrase_candidate = True


def _join_wrapped_lines(lines: list[_Line]) -> list[_Line]:
    """Hard-wrapped paragraphs back to one line each, so rules judge whole paragraphs.

    A line continues the previous one when it starts in lower case and the previous one stopped
    mid-sentence; keyword lines ("anti-Daesh coalition, Palmyra, …") and CSS never continue anything.
    """
    joined: list[_Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous.block == line.block
            and line.text[0].islower()
            and not _ends_sentence(previous.text)
            and previous.text[-1] not in ":{};"
            and "{" not in line.text
            and line.text.count(",") < 4
        ):
            previous.text = f"{previous.text} {line.text}"
            previous.n_words += line.n_words
            previous.phrase_candidate = previous.phrase_candidate or line.phrase_candidate
        else:
            joined.append(line)
    return joined


def _is_css(line: str) -> bool:
    brace = line.find("{")
    return brace > 0 and line.endswith("}") and ":" in line[brace:] and bool(
        _CSS_SELECTOR.fullmatch(line, 0, brace)
    )


def _opens_css_block(line: str) -> bool:
    return line.endswith("{") and bool(_CSS_SELECTOR.fullmatch(line, 0, len(line) - 1))


def _is_tag_list(line: str, n_words: int) -> bool:
    """A keyword line: many short comma-separated items and no sentence ending."""
    if n_words > 60 or line.count(",") < 4 or _ends_sentence(line):
        return False
    items = [item.strip() for item in line.split(",")]
    sizes = [len(item.split()) for item in items if item]
    return len(sizes) >= 5 and max(sizes) <= 4 and sum(sizes) / len(sizes) <= 3.0


def _is_pipe_nav(line: str) -> bool:
    """Menu items joined by separators: "Bookshop | Donate", "Home • World • Politics"."""
    parts = [p for p in _SEPARATORS.split(line) if p.strip()]
    return len(parts) >= 2 and all(len(p.split()) <= 3 for p in parts) and not _ends_sentence(line)


def _is_body(line: _Line) -> bool:
    return line.n_words >= 25 or (line.n_words >= 10 and _ends_sentence(line.text))


def _title_case_share(text: str) -> float:
    words = [w for w in text.split() if len(w) >= 4 and w[0].isalpha()]
    if not words:
        return 0.0
    return sum(1 for w in words if w[0].isupper()) / len(words)


def _is_headline_shaped(line: _Line) -> bool:
    """Title-case words, no closing punctuation, mostly words (not "Joe Louis 26 - 1" table rows)."""
    return (
        3 <= line.n_words <= 25
        and _final_char(line.text) not in (".", ",", ";", ":", "…", "")
        and sum(1 for word in line.text.split() if word[0].isalpha()) >= 3
        and _title_case_share(line.text) >= 0.5
    )


def _final_char(text: str) -> str:
    """Last character before closing quotes and brackets ("" when there is none)."""
    return text.rstrip("\"'”’»)] ")[-1:]


def _ends_sentence(text: str) -> bool:
    """Ends in . ! ? … possibly followed by closing quotes or brackets ('… he said."', 'pirates. "')."""
    return _final_char(text) in _SENTENCE_TERMINALS


def _is_title_candidate(line: _Line) -> bool:
    text = line.text
    return (
        line.reason is None
        and not line.protected
        and 3 <= line.n_words <= _MAX_TITLE_WORDS
        and 15 <= len(text) <= 250
        and _final_char(text) not in (".", ",", ";", ":", "…", "")
        and not text[0].islower()
        and any(ch.isalpha() for ch in text)
    )


def _classify(lines: list[_Line], repeated: frozenset[int], lex: _Lexicon) -> None:
    """First pass: what each line is on its own (CSS, stamp, lexicon, counters, lists)."""
    in_css_block = False
    for position, line in enumerate(lines):
        text = line.text
        if in_css_block:
            line.reason = "css"
            in_css_block = "}" not in text
            continue
        if _is_css(text):
            line.reason = "css"
            continue
        if _opens_css_block(text):
            line.reason, in_css_block = "css", True
            continue
        if position < 5 and _CRAWL_STAMP.fullmatch(text):
            line.reason = "crawl_stamp"
            continue
        line.protected = (
            line.n_words <= 3 * _DATELINE_MAX_WORDS
            and (line.n_words <= _DATELINE_MAX_WORDS or _few_alphabetic_words(text, _DATELINE_MAX_WORDS))
            and ((_DIGIT.search(text) is not None and _has_date(text)) or _is_credit_line(text))
        )
        if (
            repeated
            and not line.protected
            and len(text) < _MAX_FINGERPRINT_LINE
            and line_fingerprint(text) in repeated
        ):
            line.reason = "repeated_line"
            continue
        if _URL_LINE.match(text) and not _ends_sentence(text):
            line.reason = "url"
            continue
        if _COUNTER.fullmatch(text):
            line.reason = "counter"
            continue
        if line.n_words <= lex.max_words_any:
            reason = _lexicon_reason(text, line.n_words, lex, line.phrase_candidate)
            if reason is not None:
                line.reason = reason
                continue
        if _is_tag_list(text, line.n_words):
            line.reason = "tags"
        elif (
            not line.protected
            and not text.startswith("|")  # a table row, as extractors print tables
            and ("|" in text or "•" in text or "·" in text)
            and _is_pipe_nav(text)
        ):
            line.reason = "nav"


def _drop_related_tails(lines: list[_Line]) -> None:
    """After a "Featured Post"/"Read also" marker near the end, the rest is other articles' teasers."""
    total_chars = sum(len(line.text) for line in lines) or 1
    chars_before = 0
    for index, line in enumerate(lines):
        if line.reason == "related_marker":
            rest = lines[index + 1 :]
            body_after = sum(1 for other in rest if other.reason is None and _is_body(other))
            if chars_before >= _RELATED_TAIL_START * total_chars and body_after <= 2:
                for other in lines[index:]:
                    if other.reason is None or other.reason == "related_marker":
                        other.reason = "related_links"
                return
            line.reason = "related_links"
        chars_before += len(line.text)


def _mark_headline_runs(lines: list[_Line]) -> None:
    """Three or more consecutive headline-shaped lines in one block: a list of links to other articles.

    Only after the article has started: above the first paragraph, a headline with its kickers is
    the title zone's business.
    """
    first_body = next((i for i, line in enumerate(lines) if line.reason is None and _is_body(line)), len(lines))
    run: list[_Line] = []
    for line in [*lines[first_body:], None]:
        qualifies = line is not None and line.reason is None and not line.protected and _is_headline_shaped(line)
        if qualifies and line is not None and (not run or run[-1].block == line.block):
            run.append(line)
            continue
        if len(run) >= 3:
            for member in run:
                member.reason = "related_links"
        run = [line] if qualifies and line is not None else []


def _title_index(lines: list[_Line], end: int) -> int | None:
    """The headline: the longest of the last run of adjacent headline-like lines above the body.

    Section labels and mastheads sit above the headline ("Weapons of Mass Destruction (WMD)"),
    kickers below it; the headline is the longest of its group unless a sentence-case standfirst
    follows it.
    """
    group: list[int] = []
    adjacent = False  # datelines between a headline and its standfirst do not split the group
    for index in range(end):
        if _is_title_candidate(lines[index]):
            group = [*group, index] if group and adjacent else [index]
            adjacent = True
        elif not lines[index].protected:
            adjacent = False
    if not group:
        return None
    if len(group) >= 2:
        headline, last = lines[group[-2]], lines[group[-1]]
        # A longer sentence-case line under a headline is its standfirst, not the headline.
        if headline.n_words >= 4 and len(last.text) > len(headline.text) and _title_case_share(last.text) < 0.5:
            return group[-2]
    return max(group, key=lambda i: len(lines[i].text))


def _mark_zones(lines: list[_Line]) -> int | None:
    """Title, masthead above it and site chrome after the last body paragraph; returns the title index."""
    body = [i for i, line in enumerate(lines) if line.reason is None and _is_body(line)]
    if not body:
        return None
    first_body, last_body = body[0], body[-1]
    title_index = _title_index(lines, min(first_body, _HEADER_SCAN_LINES))
    if title_index is not None:
        for line in lines[:title_index]:
            if line.reason is None and not line.protected:
                line.reason = "chrome"
    # A short closing sentence ("He declined to comment.") is article text; menu items have no full
    # stop and are either a few words or headline-shaped links.
    tail = [
        line
        for line in lines[last_body + 1 :]
        if line.reason is None
        and not line.protected
        and not _ends_sentence(line.text)
        and (line.n_words <= _MENU_ITEM_WORDS or _is_headline_shaped(line))
    ]
    tail_reason = "related_links" if len(tail) >= 3 else "nav"
    for line in tail:
        line.reason = tail_reason
    return title_index


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Kept lines to paragraphs: a block's lines stay apart unless a line visibly continues the previous one."""
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line in lines:
        continues = (
            previous is not None
            and previous.block == line.block
            and line.text[0].islower()
            and not _ends_sentence(previous.text)
            and not previous.text.endswith(":")
        )
        if continues:
            paragraphs[-1] = f"{paragraphs[-1]} {line.text}"
        else:
            paragraphs.append(line.text)
        previous = line
    return paragraphs


def _boilerplate(lines: list[_Line]) -> list[Boilerplate]:
    """Removed lines, consecutive lines of one reason merged into one block."""
    blocks: list[Boilerplate] = []
    previous_reason: str | None = None
    for line in lines:
        reason = line.reason
        if reason is None or reason == "title":
            previous_reason = None
            continue
        if reason == previous_reason and reason != "crawl_stamp":
            blocks[-1].text = f"{blocks[-1].text}\n{line.text}"
        else:
            blocks.append(Boilerplate(text=line.text, reason=reason))
        previous_reason = reason
    return blocks


def clean_text(text: str, repeated: frozenset[int] = frozenset(), given_title: str | None = None,
               page_name: str = "") -> Cleaned:
    """Main text of a crawled plain-text page: title apart, chrome in `boilerplate` with reasons.

    `repeated` holds fingerprints (see `RepeatedLines`) of lines this page's outlet repeats on
    many pages; they are removed as "repeated_line" unless they are datelines or credit lines.
    `given_title`: the title a record carries beside its text (a CSV or JSONL column), which
    leaves the text where the export glued it to the body (`_cut_title_echo`). `page_name`: the file's
    name or the address's last part, whose words may spell the headline (`_spelled_by_page_name`).
    """
    lex = _lexicon()
    text = _normalise_spaces(text)
    lines: list[_Line] = []
    starts: list[int] = []
    block = offset = 0
    for raw, separator in _split_lines(text):
        stripped = _normalise_line(raw)
        if stripped:
            lines.append(_Line(text=stripped, block=block, n_words=stripped.count(" ") + 1))
            starts.append(offset)
        else:
            block += 1
        offset += len(raw) + separator
    _mark_phrase_candidates(text, lines, starts, lex)
    lines = _join_wrapped_lines(lines)
    _classify(lines, repeated, lex)
    _drop_related_tails(lines)
    _mark_headline_runs(lines)
    title_index = _mark_zones(lines)
    if title_index is None and given_title is None:
        first = next((i for i, line in enumerate(lines) if line.reason is None), None)
        if (first is not None and any(line.reason is None for line in lines[first + 1:])
                and _spelled_by_page_name(lines[first], page_name)):
            title_index = first
    for line in lines:
        if line.reason == "related_marker":
            line.reason = "related_links"
    title = None
    header: list[str] = []
    if title_index is not None:
        title = lines[title_index].text
        lines[title_index].reason = "title"
        header = [line.text for line in lines[:title_index]]
    kept = [line for line in lines if line.reason is None]
    edges = _cut_repeated_edges(kept, repeated, lex) + _cut_title_echo(kept, given_title)
    _split_leading_dateline(kept)
    return Cleaned(
        title=title,
        text="\n\n".join(_paragraphs(kept)),
        boilerplate=_boilerplate(lines) + edges,
        header=header,
    )


_SLUG_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d")
# Words of a page's name that must spell the opening of its first line for that line to be the headline, and
# the most words that line may have: a lead sentence that opens as its headline does runs longer.
_MIN_SLUG_WORDS = 3
_MAX_SLUG_TITLE_WORDS = 20


def _spelled_by_page_name(line: _Line, page_name: str) -> bool:
    """A first line whose opening words the page's name spells is its headline, even one ending in a full
    stop, which the title rule reads as body text ("O’Malley campaign to shift staff, resources to Iowa."
    in "breitbart_2015-11-16_o-malley-campaign-to-shift-staff.txt"): at least `_MIN_SLUG_WORDS` words of
    the name's end, the last one perhaps cut short ("…-the-hellish-vie"), digits left out; not a line of
    over `_MAX_SLUG_TITLE_WORDS` words."""
    if not page_name or line.n_words > _MAX_SLUG_TITLE_WORDS:
        return False
    name, words = _slug_words(page_name), _slug_words(line.text)
    for start in range(len(name) - _MIN_SLUG_WORDS + 1):
        tail = name[start:]
        if (len(tail) <= len(words) and words[: len(tail) - 1] == tail[:-1]
                and words[len(tail) - 1].startswith(tail[-1])):
            return True
    return False


def _slug_words(text: str) -> list[str]:
    """Words as addresses spell them: case-folded, without digits, which slugs often drop ("only-percent-of"
    for "Only 24 Percent of")."""
    return [word for word in (_DIGITS.sub("", w).casefold() for w in _SLUG_WORD.findall(text)) if word]


# A title shorter than this may open a text by chance ("Syria talks resume"): it stays.
_ECHO_MIN_WORDS = 4
# At most this many words, with a date among them, may stand before the title ("Tuesday 4 Apr 2017").
_ECHO_LEAD_WORDS = 6


def _cut_title_echo(kept: list[_Line], title: str | None) -> list[Boilerplate]:
    """A record's title repeated at the start of its text, glued to the body by an export that lost the
    layout ("Strike kills 15 in Syrias Idlib Monitor At least 15 civilians …"), leaves as "title_echo" when
    what follows starts a sentence (a capital, a digit, a quotation mark): a lead sentence the title was cut
    from goes on in lower case ("… respond to US strikes on Syria, the Kremlin said") and stays whole. A
    dateline before the title stays, as a paragraph of its own. Words are compared case-folded without
    punctuation. A text that is nothing but its title keeps it."""
    if not kept or not title:
        return []
    title_words = [word.casefold() for word in _WORD.findall(title)]
    n = len(title_words)
    if n < _ECHO_MIN_WORDS:
        return []
    line = kept[0]
    matches = list(_WORD.finditer(line.text))
    words = [match.group().casefold() for match in matches]
    lead = next((k for k in range(min(_ECHO_LEAD_WORDS, len(words) - n) + 1) if words[k : k + n] == title_words),
                None)
    if lead is None or (lead and not _has_date(line.text[: matches[lead].start()])):
        return []
    before = line.text[: matches[lead].start()].rstrip()
    after = line.text[matches[lead + n - 1].end() :].lstrip(" .:;,-–—|")
    if not after:
        if len(kept) == 1:
            return []
    elif not (after[0].isupper() or after[0].isdigit() or after[0] in "\"“”«„‘'"):
        return []
    echo = line.text[matches[lead].start() : matches[lead + n - 1].end()]
    line.text = after
    if not after:
        kept.remove(line)
    if before:  # the page's dateline, a paragraph of its own as the page had it
        kept.insert(0, _Line(text=before, block=line.block, n_words=before.count(" ") + 1))
    return [Boilerplate(text=echo, reason="title_echo")]


# The fewest words of the sentence after a dateline glued to it.
_MIN_SENTENCE_WORDS = 5


def _split_leading_dateline(kept: list[_Line]) -> None:
    """A dateline glued to the text's first sentence ("Tuesday 25 April 2017 Airstrikes on a rebel-held
    village …", "Published July 21 2015 A young Syrian boy …") becomes a paragraph of its own, so that no
    quote or paragraph language starts with it: a date the date reader reads (`date_end`), after an
    "updated"/"published" word if one opens the line, then a sentence that starts with a capital."""
    if not kept:
        return
    line = kept[0]
    cue = _DATELINE_START.match(line.text)
    start = len(line.text) - len(line.text[cue.end():].lstrip(" :")) if cue else 0
    end = date_end(line.text, start)
    if end is None:
        return
    rest = line.text[end:].lstrip(" ,.")
    if not rest[:1].isupper() or len(rest.split(None, _MIN_SENTENCE_WORDS)) < _MIN_SENTENCE_WORDS:
        return
    dateline = line.text[:end].rstrip()
    line.text = rest
    kept.insert(0, _Line(text=dateline, block=line.block, n_words=dateline.count(" ") + 1))


_HEAD, _TAIL = "head", "tail"
# Where a credit may start inside an edge: "… ends here. Source: Itar Tass", "… (Reporting by …)".
_CLAUSE_BREAK = re.compile(r"(?<=[.;:!?])\s+|\s(?=\()")


def _edge_fingerprints(line: str, end: str) -> list[tuple[int, int]]:
    """(words, fingerprint) of the opening (`_HEAD`) or closing (`_TAIL`) words of `line`, for each length of
    `_EDGE_WORDS` shorter than the line."""
    words = line.split()
    return [(k, _hash64(f"{end}:{normalise_for_id(' '.join(words[:k] if end == _HEAD else words[-k:]))}"))
            for k in _EDGE_WORDS if k < len(words)]


def _cut_repeated_edges(kept: list[_Line], repeated: frozenset[int], lex: _Lexicon) -> list[Boilerplate]:
    """The longest opening of the first kept line and closing of the last that the outlet repeats on many
    pages (`RepeatedLines`) leave the text, as "repeated_head" / "repeated_tail". Only chrome, not a template
    the outlet writes its stories in ("Rain is expected … on day 3, forecasters said …"):
    - the pages go on from the edge differently (when the longest edge counted is shared too, they are
      versions of one story) and it is under half of its line;
    - a closing starts a sentence or a capitalised run ("… Andrew Roche | Our Standards: …"; the longest
      such within the shared words: "… a thousand words. | Follow us on Instagram. …"), an opening of at most
      `_MAX_HEAD_WORDS` words is followed by a capital or a digit ("Date of publication | 12 …");
    - a line whose opening and closing are both shared is a template: neither leaves;
    - no edge that credits a source ("Source TRTWorld and agencies"): the credits stage reads it, as a
      repeated credit line stays."""
    if not kept or not repeated:
        return []
    found: list[tuple[_Line, str, int]] = []
    for line, end in ((kept[-1], _TAIL), (kept[0], _HEAD)):
        if line.protected:  # a dateline or a credit line
            continue
        words = line.text.split()
        edges = _edge_fingerprints(line.text, end)
        shared = [k for k, fingerprint in edges if fingerprint in repeated]
        if shared:
            found.append((line, end, shared[-1] if shared[-1] != edges[-1][0] and 2 * shared[-1] < len(words) else 0))
    if len(found) == 2 and found[0][0] is found[1][0]:
        return []  # both ends of one line shared: the outlet's template
    cut: list[Boilerplate] = []
    for line, end, k in found:
        words = line.text.split()
        if end == _TAIL:  # every closing shorter than a shared one is shared: the longest at a boundary
            k = next((j for j in range(k, _EDGE_WORDS[0] - 1, -1) if _at_boundary(words, j, end)), 0)
        if not k or not _at_boundary(words, k, end):
            continue
        edge, rest = (words[:k], words[k:]) if end == _HEAD else (words[-k:], words[:-k])
        if not any(_is_credit_line(piece) for piece in _CLAUSE_BREAK.split(" ".join(edge))):
            line.text = " ".join(rest)
            cut.append(Boilerplate(text=" ".join(edge), reason=f"repeated_{end}"))
            if end == _TAIL:
                cut.extend(_cut_related_run_on(line, sum(len(other.text) for other in kept), lex))
    return cut


# A full stop with more text after it: headlines carry none ("… a better life Are Donald Trumps …").
_SENTENCE_GOES_ON = re.compile(r"[.!] +\S")


def _cut_related_run_on(line: _Line, page_chars: int, lex: _Lexicon) -> list[Boilerplate]:
    """Other articles' headlines glued before a footer that left (`_cut_repeated_edges`): from the last
    related-articles marker of two words or more, written capitalised ("… Source TRTWorld and agencies Related
    News Iraqs vote violations | …"), in the last 40 % of the page, when no sentence goes on after it."""
    low = line.text.lower()
    found = ((low.rfind(marker), len(marker)) for marker in lex.related_markers if " " in marker)
    start = max((i for i, n in found if i > 0 and line.text[i].isupper() and not low[i - 1].isalnum()
                 and not low[i + n:i + n + 1].isalnum()), default=-1)
    if start < 0 or page_chars - len(line.text) + start < _RELATED_TAIL_START * page_chars:
        return []
    related = line.text[start:]
    if _SENTENCE_GOES_ON.search(related):
        return []  # the article goes on after a box of links ("Related Coverage … Lavrov said … reported. …")
    line.text = line.text[:start].rstrip()
    return [Boilerplate(text=related, reason="related_links")]


_MAX_HEAD_WORDS = 8


def _at_boundary(words: list[str], k: int, end: str) -> bool:
    """Whether the first or last `k` words of `words` stand apart from the rest (`_cut_repeated_edges`)."""
    if end == _HEAD:
        following = words[k]
        return k <= _MAX_HEAD_WORDS and (following[:1].isupper() or following[:1].isdigit())
    before, first = words[-k - 1], words[-k]
    return before[-1:] in ".!?" or (first[:1].isupper() and before[-1:] not in ",;:")


# A title's parts: "Headline | Site", "Headline - Section - Site", "Site :: Headline".
_TITLE_SEPARATOR = re.compile(r"\s(?:\||-|–|—|::)\s")
# At most this many parts set off at a title's end or start are counted: "Headline - Region - World - Ahram
# Online".
_MAX_TITLE_PARTS = 3


def _title_parts(title: str) -> tuple[list[str], list[str]]:
    """A title's parts and the separators between them."""
    return _TITLE_SEPARATOR.split(title), _TITLE_SEPARATOR.findall(title)


def _joined(parts: list[str], separators: list[str], head: int, tail: int) -> str:
    """The parts without `head` of them at the start and `tail` at the end, with their own separators."""
    kept = parts[head:len(parts) - tail]
    return (kept[0] + "".join(sep + part for sep, part in zip(separators[head:], kept[1:], strict=False))).strip()


def _title_edges(title: str) -> list[tuple[int, int]]:
    """(parts, fingerprint) of the last and first parts a title sets off, for `RepeatedLines`: a tail as a
    negative count, a head as a positive one."""
    parts, _ = _title_parts(title.strip())
    out: list[tuple[int, int]] = []
    for k in range(1, min(_MAX_TITLE_PARTS, len(parts) - 1) + 1):
        out.append((-k, _hash64("title-tail:" + normalise_for_id(" | ".join(parts[-k:])))))
        out.append((k, _hash64("title-head:" + normalise_for_id(" | ".join(parts[:k])))))
    return out


def strip_repeated_title_parts(title: str | None, repeated: frozenset[int]) -> str | None:
    """"Air strikes kill 22 - Region - World" -> "Air strikes kill 22": the parts a title sets off at its end
    or start that many of its outlet's titles share (`RepeatedLines`: site names, sections), the longest
    first; what the titles do not share stays."""
    if not title or not repeated:
        return title
    edges = [k for k, fingerprint in _title_edges(title) if fingerprint in repeated]
    if not edges:
        return title
    parts, separators = _title_parts(title.strip())
    tail = max((-k for k in edges if k < 0), default=0)
    head = max((k for k in edges if k > 0), default=0)
    return title if head + tail >= len(parts) else _joined(parts, separators, head, tail)


def strip_site_name(title: str | None, names: Iterable[str]) -> str | None:
    """"Headline | Jordan Times" and "National News Agency - Headline" -> "Headline", when the part set off
    is one of `names` (the site's or outlet's names; compared as normalised for identity)."""
    wanted = {normalise_for_id(name) for name in names if name}
    if not title or not wanted:
        return title
    parts, separators = _title_parts(title)
    if len(parts) > 1 and normalise_for_id(parts[-1]) in wanted:
        return _joined(parts, separators, 0, 1)
    if len(parts) > 1 and normalise_for_id(parts[0]) in wanted:
        return _joined(parts, separators, 1, 0)
    return title


def strip_chrome_lines(text: str) -> tuple[list[str], list[Boilerplate]]:
    """Lines of already-extracted main text minus those the lexicon and line shapes call chrome.

    For HTML extractor output: each line is a paragraph and the page structure is already gone, so
    only rules that judge a line on its own apply (no title, masthead or tail zones).
    """
    lex = _lexicon()
    text = _normalise_spaces(text)
    lines: list[_Line] = []
    starts: list[int] = []
    offset = 0
    for raw, separator in _split_lines(text):
        stripped = _normalise_line(raw)
        if stripped:
            lines.append(_Line(text=stripped, block=len(lines), n_words=stripped.count(" ") + 1))
            starts.append(offset)
        offset += len(raw) + separator
    _mark_phrase_candidates(text, lines, starts, lex)
    _classify(lines, frozenset(), lex)
    for line in lines:
        if line.reason == "related_marker":
            line.reason = "related_links"
    return [line.text for line in lines if line.reason is None], _boilerplate(lines)
