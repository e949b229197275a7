"""Credited sources: which wire or outlet a page says its story came from, and who translated it.

A credit needs a cue: a reporting verb ("…, Sputnik reported"), an attribution phrase ("according
to TASS", "selon l'agence", "передает ТАСС"), a byline ("RIA Novosti – translated by …") or a
source line ("[Source: Itar Tass, Moscow, 09Jun17]"). A bare mention is not a credit: in "a Syrian
source told Sputnik" Sputnik is the interviewer, not the origin of the text. Names are matched from
a user-extensible table (echotrace/data/sources.yaml); cues are searched only in short windows
around each name, so cost stays linear on any input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick
import yaml

from echotrace.records import Credit

__all__ = ["SourceTable", "find_credits", "load_sources"]

DEFAULT_SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources.yaml"

_WINDOW = 80
# A name glued to these is part of a handle, path or compound ("@Reuters", "afp.com", "pro-TASS").
_GLUED_BEFORE = "_@/.-"
# "the news agency", "l'agence", "die Nachrichtenagentur", "агентство": words between a cue and a name.
_AGENCY = (
    r"(?:(?:the|l'|l’|la|le|die|der|des|la|el|de\s+la|del)\s{0,2})?"
    r"(?:(?:russian|state|state-run|official|news|information|press|wire)\s+){0,2}"
    r"(?:news\s+agency|agency|agence(?:\s+de\s+presse)?|agence\s+russe|Nachrichtenagentur|Agentur"
    r"|agencia(?:\s+de\s+noticias)?|агентство|агентства|информагентство)?\s{0,3}"
)
_CUE_BEFORE = re.compile(
    r"(?:(?<![^\W\d_])(?P<via>via)"
    r"|\[\s{0,2}(?:source|quelle|fuente|источник)\s{0,2}:"
    r"|(?<![^\W\d_])(?:according\s+to|citing|cited\s+by|quoted\s+by|reported\s+by|reports\s+from|source:"
    r"|selon|d'après|d’après|cité\s+par|citée\s+par|rapporté\s+par|rapporte|a\s+rapporté|indique"
    r"|laut|berichtete|berichtet|meldete|meldet|zitiert\s+von|zitiert|unter\s+Berufung\s+auf"
    r"|según|citado\s+por|citada\s+por|de\s+acuerdo\s+con|informó|informa|reportó|con\s+información\s+de"
    r"|передает|передаёт|сообщает|сообщило|сообщил|сообщила|по\s+данным|по\s+информации|со\s+ссылкой\s+на"
    r"|пишет|цитирует))"
    r"\s{1,3}" + _AGENCY + r"\Z",
    re.IGNORECASE,
)
# A substring of every cue above: the (slow, end-anchored) search runs only when one is present.
_CUE_BEFORE_STEMS = (
    "via source quelle fuente источник accord citing cited quoted report selon après cité rapport indique "
    "laut bericht meldet zitiert berufung según citad acuerdo inform переда сообщ данным информац ссылк пишет цитир"
).split()
_CUE_AFTER = re.compile(
    r"\A(?:\s{0,2},?\s{0,2}(?:the\s+|a\s+)?(?:news\s+|state\s+|russian\s+)?agency,?)?\s{1,3}"
    r"(?:has\s+|had\s+|was\s+)?"
    r"(?:reported|reports|reporting|writes|wrote|informed|informs|said|says|quoted|cited|announced"
    r"|rapporte|a\s+rapporté|indique|annonce|berichtet|berichtete|meldet|meldete|zufolge|informó|informa"
    r"|reportó|señaló|сообщает|сообщил|сообщило|передает|передаёт|пишет)(?![^\W\d_])",
    re.IGNORECASE,
)
# "(Reuters) -", "(AFP) —": the wire dateline form.
_WIRE_PARENS_BEFORE = re.compile(r"\(\s{0,2}\Z")
_WIRE_PARENS_AFTER = re.compile(r"\A\s{0,2}\)\s{0,3}[-–—]")
# "RIA Novosti – translated by …" at the start of a short line.
_BYLINE_AFTER = re.compile(r"\A\s{0,3}[-–—:|]")
_BYLINE_MAX = 120
# "(…outlawed in Russia - TASS)": an editor's note signed by the wire.
_NOTE_BEFORE = re.compile(r"\s[-–—]\s{0,2}\Z")
_NOTE_AFTER = re.compile(r"\A\s{0,2}[)\]]")

_NAME_TOKEN = r"(?:[A-ZÀ-ÖØ-ÞА-ЯЁ][\w’'-]{0,30}\.?)"
_TRANSLATOR = re.compile(
    r"(?<![^\W\d_])(?:translated\s+by|translation\s+by|translation:|traduit\s+par|traduction\s*:?|traduction\s+par"
    r"|übersetzt\s+von|übersetzung\s*:?|übersetzung\s+von|traducido\s+por|traducción\s*:?|traducción\s+de"
    r"|traducido\s+al\s+\w{1,20}\s+por|перевод\s*:?|перевела|перевёл|перевел|в\s+переводе)"
    r"\s{1,3}(?P<name>(?-i:" + _NAME_TOKEN + r"(?:[ \t]{1,2}" + _NAME_TOKEN + r"){0,3}))",
    re.IGNORECASE,
)

# Substrings every translator cue contains: the regex runs only on texts that have one.
_TRANSLATOR_STEMS = ("transl", "tradu", "übersetz", "перев")
_CUE_LEAD = 4  # "в переводе": the cue starts before its stem
_CUE_REACH = 160


@dataclass(frozen=True, slots=True)
class SourceTable:
    """Canonical source names and an Aho-Corasick automaton over all their spellings."""

    canonical: Mapping[str, str]
    automaton: ahocorasick.Automaton

    def mentions(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, canonical name) of every spelling standing as a whole word."""
        for last, spelling in self.automaton.iter_long(text):
            start, end = last + 1 - len(spelling), last + 1
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] in _GLUED_BEFORE):
                continue
            if end < len(text) and (text[end].isalnum() or text[end] in "_-"):
                continue
            yield start, end, self.canonical[spelling]


def load_sources(path: Path | None = None, extra: Mapping[str, Sequence[str]] | None = None) -> SourceTable:
    """Read the alias table (default: echotrace/data/sources.yaml), plus `extra` canonical -> spellings."""
    data = yaml.safe_load((path or DEFAULT_SOURCES).read_text(encoding="utf-8")) or {}
    table: dict[str, list[str]] = {str(k): [str(a) for a in v or []] for k, v in data.get("sources", {}).items()}
    for name, aliases in (extra or {}).items():
        table.setdefault(name, []).extend(aliases)
    canonical: dict[str, str] = {}
    for name, aliases in table.items():
        for alias in [name, *aliases]:
            canonical.setdefault(alias, name)
    automaton = ahocorasick.Automaton()
    for spelling in canonical:
        automaton.add_word(spelling, spelling)
    automaton.make_automaton()
    return SourceTable(canonical, automaton)


@lru_cache(maxsize=1)
def _default_table() -> SourceTable:
    return load_sources()


def _translator_name(raw: str) -> str:
    name = raw.strip().rstrip(",;:")
    last = name.rsplit(None, 1)[-1]
    # A final period belongs to the sentence, not to a surname ("by John Smith."), unless an initial.
    if name.endswith(".") and len(last) > 2:
        name = name[:-1]
    return name


def _starts_short_line(text: str, start: int) -> bool:
    """Whether text[start] opens a line of at most _BYLINE_MAX characters (bounded look-around)."""
    line_start = text.rfind("\n", max(0, start - _BYLINE_MAX), start) + 1
    if (line_start == 0 and start > _BYLINE_MAX) or text[line_start:start].strip():
        return False
    reach = min(len(text), line_start + _BYLINE_MAX + 1)
    return text.find("\n", start, reach) >= 0 or reach == len(text)


def _credit_for(text: str, start: int, end: int, name: str) -> tuple[int, Credit] | None:
    """The credit a name carries, ranked: 0 for an explicit cue, 1 for an editor's-note signature."""
    before = text[max(0, start - _WINDOW) : start]
    after = text[end : end + _WINDOW]
    lowered = before.lower()
    cue = _CUE_BEFORE.search(before) if any(stem in lowered for stem in _CUE_BEFORE_STEMS) else None
    if cue is not None:
        role = "via" if cue.group("via") else "origin"
        cue_start = start - len(before) + cue.start()
        return 0, Credit(name, role, cue_start, end, text[cue_start:end])
    cue = _CUE_AFTER.match(after)
    if cue is not None:
        return 0, Credit(name, "origin", start, end + cue.end(), text[start : end + cue.end()])
    if _WIRE_PARENS_BEFORE.search(before) and (cue := _WIRE_PARENS_AFTER.match(after)):
        return 0, Credit(name, "origin", start - 1, end + cue.end(), text[start - 1 : end + cue.end()])
    if (cue := _BYLINE_AFTER.match(after)) and _starts_short_line(text, start):
        return 0, Credit(name, "origin", start, end + cue.end(), text[start : end + cue.end()])
    if (note := _NOTE_BEFORE.search(before)) and _NOTE_AFTER.match(after):
        note_start = start - len(before) + note.start() + 1
        return 1, Credit(name, "origin", note_start, end, text[note_start:end])
    return None


# Wires the source table does not know still show in fixed places: "[Source: VNA, Castellon, 03Mar24]",
# a dateline "CASTELLON, March 3 (VNA) –", an editor's "(With VNA)", "selon l'agence VNA".
_STRUCTURAL = re.compile(
    r"\[Source:[ \t]{0,3}(?P<name>[A-Z][\w.&'-]{0,30}(?:[ \t][A-Z][\w.&'-]{0,30}){0,3})[ \t]{0,3}[,\]]"
    r"|^[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ .'-]{1,40},[ \t][A-Z][a-zé]{2,9}\.?[ \t]\d{1,2}[ \t]"
    r"\((?P<dateline>[A-Z][A-Za-z]{1,12})\)[ \t]{0,2}[-–—]"
    r"|\((?:[Ww]ith|[Aa]vec|[Mm]it|[Cc]on)[ \t](?P<with>[A-Z][\w.-]{1,20}(?:[ \t][A-Z][\w.-]{1,20}){0,3})\)",
    re.MULTILINE,
)
# Kept apart because a case-insensitive alternation scanned over a whole page costs ~0.4 ms: it
# is searched only around the stems every phrase holds. Its matches cannot overlap the structural
# ones (they hold no bracket).
_AGENCY_PHRASES = (
    "selon l'agence", "according to the agency", "berichtete die Nachrichtenagentur", "meldete die Agentur",
    "según la agencia", "informó la agencia", "por la agencia",
)
_AGENCY_PHRASE = re.compile(
    "(?i:" + "|".join(map(re.escape, _AGENCY_PHRASES)) + r")[ \t](?P<agency>[A-Z][A-Z0-9-]{1,9})\b"
)
_AGENCY_STEMS = ("agenc", "agentur")
_AGENCY_LEAD = max(phrase.lower().find(stem) for phrase in _AGENCY_PHRASES for stem in _AGENCY_STEMS)
_AGENCY_REACH = 40  # stem to the end of "agentur VNA-12345"-sized names, with room for the \b


def _translator_cues(text: str) -> Iterator[re.Match[str]]:
    """Translator cues ("translated by …")."""
    return _matches_near_stems(text, _TRANSLATOR, _TRANSLATOR_STEMS, _CUE_LEAD, _CUE_REACH)


def _agency_phrases(text: str) -> Iterator[re.Match[str]]:
    """"selon l'agence VNA" and kin."""
    return _matches_near_stems(text, _AGENCY_PHRASE, _AGENCY_STEMS, _AGENCY_LEAD, _AGENCY_REACH)


def _matches_near_stems(text: str, pattern: re.Pattern[str], stems: Sequence[str], lead: int,
                        reach: int) -> Iterator[re.Match[str]]:
    """`pattern`'s matches, searched only in windows around the stems every match contains (a full
    scan of a long page is slow): from `lead` characters before a stem to `reach` after it."""
    lowered = text.lower()
    if len(lowered) != len(text):  # lower() changed offsets ("İ"): scan the whole text instead
        yield from pattern.finditer(text)
        return
    starts = sorted({i for stem in stems for i in _occurrences(lowered, stem)})
    searched_to = 0
    for index in starts:
        match = pattern.search(text, max(searched_to, index - lead), min(len(text), index + reach))
        if match is not None:
            searched_to = match.end()
            yield match


def _occurrences(text: str, needle: str) -> Iterator[int]:
    index = text.find(needle)
    while index >= 0:
        yield index
        index = text.find(needle, index + 1)


def find_credits(text: str, *, table: SourceTable | None = None) -> list[Credit]:
    """Credited origins, relays (`via`) and translators, in text order, one per (name, role)."""
    table = table or _default_table()
    best: dict[tuple[str, str], tuple[int, Credit]] = {}
    for start, end, name in table.mentions(text):
        ranked = _credit_for(text, start, end, name)
        if ranked is not None:
            key = (ranked[1].name, ranked[1].role)
            if key not in best or ranked[0] < best[key][0]:
                best[key] = ranked
    structural = list(_STRUCTURAL.finditer(text))
    agency = list(_agency_phrases(text))
    if agency:
        structural = sorted([*structural, *agency], key=lambda m: m.start())
    for match in structural:
        raw = next(value for value in match.groupdict().values() if value).strip()
        name = table.canonical.get(raw, raw)
        credit = Credit(name, "origin", match.start(), match.end(), match.group(0))
        best.setdefault((name, "origin"), (0, credit))
    for match in _translator_cues(text):
        name = _translator_name(match.group("name"))
        end = match.start("name") + len(name)
        credit = Credit(name, "translator", match.start(), end, text[match.start() : end])
        best.setdefault((name, "translator"), (0, credit))
    found = [credit for _, credit in best.values()]
    found.sort(key=lambda c: (c.start if c.start is not None else -1, c.name, c.role))
    return found
