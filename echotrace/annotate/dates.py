"""Publication dates: parse structured date strings and find the page's own date in its text.

A news page carries many dates: the outlet's dateline, an "updated" stamp, a republisher's
"published on" footer, the wire's date in a credit line, the crawler's clock printed in the
chrome, and event dates in the story itself. Only the first four say when the text appeared, so
the finder ranks evidence by how directly it states publication and never reads a date out of a
body sentence ("on December 10th" is an event, not the article's date).

All datetimes returned are naive: as printed when the page gives no zone, else converted to UTC.
"""

from __future__ import annotations

import email.utils
import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from echotrace.records import Boilerplate, DateInfo

__all__ = ["date_end", "find_dates", "parse_date"]

# Month names and abbreviations in en, fr, de, es, it, pt and ru (genitive and nominative).
_MONTHS: dict[int, list[str]] = {
    1: "january jan janvier janv januar jänner enero ene gennaio janeiro января январь янв".split(),
    2: "february feb février fevrier févr fevr februar febrero febbraio fevereiro февраля февраль фев".split(),
    3: "march mar mars märz maerz marzo março marco марта март".split(),
    4: "april apr avril avr abril aprile апреля апрель апр".split(),
    5: "may mai mayo maggio maio мая май".split(),
    6: "june jun juin juni junio giugno junho июня июнь июн".split(),
    7: "july jul juillet juil juli julio luglio julho июля июль июл".split(),
    8: "august aug août aout agosto ago августа август авг".split(),
    9: "september sep sept septembre septiembre setiembre settembre setembro сентября сентябрь сен сент".split(),
    10: "october oct octobre oktober okt octubre ottobre outubro out октября октябрь окт".split(),
    11: "november nov novembre noviembre novembro ноября ноябрь ноя".split(),
    12: "december dec décembre decembre déc dezember dez diciembre dic dicembre dezembro декабря декабрь дек".split(),
}
_MONTH_BY_NAME = {name: number for number, names in _MONTHS.items() for name in names}
# Longest first so "juni" wins over "jun"; a month must not run on into a letter ("Marseille").
# Each name list opens with a letter lookahead: without it the engine tries ~200 alternatives at
# every digit or space of a long text (linear, but 10 s a megabyte).
_MONTH = (r"(?=[^\W\d_])(?:" + "|".join(sorted(map(re.escape, _MONTH_BY_NAME), key=lambda n: (-len(n), n)))
          + r")\.?")
_WEEKDAY = (
    r"(?:(?<![^\W\d_])(?=[^\W\d_])(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues"
    r"|wed|thu|thur|thurs|fri|sat|sun|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag"
    r"|freitag|samstag|sonntag|lunes|martes|miércoles|miercoles|jueves|viernes|sábado|sabado|domingo"
    r"|понедельник|вторник|среда|четверг|пятница|суббота|воскресенье)\.?,?\s{1,3})?"
)
_TIME = r"(?P<{p}h>[01]?\d|2[0-3])[:h.](?P<{p}m>[0-5]\d)(?::[0-5]\d)?(?:\s?(?P<{p}ap>[ap]\.?m\.?))?"
_YEAR = r"(?P<y>(?:19|20)\d\d)(?!\d)"

_TEXT_DATE = re.compile(
    # optional leading time: "16:48 09.06.2017", "01:53 GMT04 December 2020"
    r"(?:(?<!\d)"
    + _TIME.format(p="t1")
    + r"(?:\s?(?:GMT|UTC|MSK|CET|CEST)(?:[+-]\d{1,2})?)?[\s,]{0,3})?"
    + r"(?:"
    # Tuesday, November 14, 2017 / Nov. 14th 2017
    + r"(?<![^\W\d_])"
    + _WEEKDAY
    + r"(?P<mon1>"
    + _MONTH
    + r")(?![^\W\d_])\s{1,3}(?P<d1>[0-3]?\d)"
    r"(?:st|nd|rd|th)?,?\s{1,3}"
    + _YEAR.replace("P<y>", "P<y1>")
    # 15 décembre 2016 / 15. Dezember 2016 / 15 de diciembre de 2016 / 15 декабря 2016 г.
    + r"|(?<!\d)"
    + _WEEKDAY
    + r"(?P<d2>[0-3]?\d)(?:\.|st|nd|rd|th|er)?\s{0,3}(?:de\s)?(?P<mon2>"
    + _MONTH
    + r")(?![^\W\d_]),?\s{1,3}(?:de\s|del\s)?"
    + _YEAR.replace("P<y>", "P<y2>")
    # 09Jun17, 09 Jun 2017 handled above; compact wire form only here
    + r"|(?<!\d)(?P<d3>[0-3]?\d)(?P<mon3>[A-Za-z]{3})(?P<y3>\d\d(?:\d\d)?)(?![\d\w])"
    # 2017-06-09, 2017/06/09
    + r"|(?<!\d)(?P<y4>(?:19|20)\d\d)[-/.](?P<m4>[01]?\d)[-/.](?P<d4>[0-3]?\d)(?!\d)"
    # 09.06.2017, 6/9/2017, 09-06-2017
    + r"|(?<![\d.])(?P<a5>[0-3]?\d)(?P<s5>[./-])(?P<b5>[01]?\d)(?P=s5)(?P<y5>(?:19|20)\d\d)(?![\d])"
    + r")"
    # optional trailing time: "December 15, 2016 10:30", "09.06.2017, 16:48"
    + r"(?:(?:,|\sat|\s-|\sà|\sum|\sa\slas|\sв)?\s{1,3}"
    + _TIME.format(p="t2")
    + r"(?![\d]))?",
    re.IGNORECASE,
)

_NUMERIC_ONLY = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:[T\s,]{1,3}(?P<h>\d{1,2}):(?P<m>\d\d)(?::(?P<s>\d\d))?)?"
)

# RFC 2822 as in feeds and mail headers: "Fri, 09 Jun 2017 16:48:00 +0300".
_RFC_2822 = re.compile(
    r"(?:[A-Za-z]{3},\s{0,3})?\d{1,2}\s[A-Za-z]{3}\s\d{2,4}\s\d\d:\d\d(?::\d\d)?\s[+-]?[A-Za-z0-9]{1,5}"
)

_UPDATED_CUE = re.compile(
    r"(?:updated|update|modified|last\s+modified|edited|mis\s+à\s+jour|mise\s+à\s+jour|modifié|aktualisiert"
    r"|geändert|actualizado|actualización|modificado|обновлено|обновлен|изменено)\W{0,3}\Z",
    re.IGNORECASE,
)
_PUBLISHED_FOOTER = re.compile(
    r"\b(?:published|posted|publié|publiée|mis\s+en\s+ligne|veröffentlicht|publicado|publicada"
    r"|опубликовано|опубликован|опубликована)\b",
    re.IGNORECASE,
)
# Substrings the cues contain: the regexes run only on texts that have one.
_FOOTER_STEMS = ("publi", "posted", "veröffentlicht", "опубликован")
_SOURCE_STEMS = ("source", "quelle", "fuente", "источник")
# The lookbehind starts a match only at the head of a whitespace run (linear on long runs).
_SOURCE_LINE = re.compile(r"[\[(]?(?<!\s)\s*(?:source|quelle|fuente|источник)\s*:", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DATEPARSER_MAX = 60
_WORD = re.compile(r"[^\W\d_]{2,}")
# A dateline's date stands at the start of its line or after a separator or a publication cue
# ("Posted on", "By Jane Doe |", "MOSCOW,"), and is followed by nothing, a separator or a byline.
# "… bombed forces on June 8, 2017" and "Oct. 31, 2012 The Obama hug" are headlines or sections.
_DATELINE_CUE = re.compile(
    r"(?:posted|published|publié|publiée|veröffentlicht|publicado|publicada|опубликовано|updated|date)\b",
    re.IGNORECASE,
)
_LEAD_SEPARATOR = re.compile(r"[-–—|,·•:/(\[]\s{0,3}\Z")
_TAIL_ALLOWED = re.compile(r"[-–—|,·•/():\[\]]|(?:by|par|von|por|от)\b|г\.|(?-i:[A-Z]{2,4}\b)", re.IGNORECASE)
_MARKUP_TAG = re.compile(r"<[a-zA-Z/][^<>]{0,200}>")

_MARKUP_PUBLISHED = (
    "article:published_time datepublished og:published_time published_time pubdate publishdate publish_date "
    "publication_date dc.date.issued dcterms.issued dc.date dcterms.date date sailthru.date parsely-pub-date "
    "citation_publication_date article.published datecreated"
).split()
_MARKUP_UPDATED = (
    "article:modified_time datemodified og:updated_time modified_time last-modified dcterms.modified article.updated"
).split()

_DATELINE_LINES = 8
_DATELINE_CHARS = 1500
_DATELINE_MAX_LEN = 140
_DATELINE_MAX_WORDS = 8
_FOOTER_REACH = 40
_FOOTER_TAIL = 1000
_SOURCE_REACH = 120
_MAX_CUES = 50  # real pages have a handful; bounds the cost on adversarial ones
_MIN_YEAR = 1900


@dataclass(frozen=True, slots=True)
class _Found:
    value: datetime
    start: int
    end: int
    updated: bool


def _two_digit_year(year: int) -> int:
    """Pivot like strptime's %y: 69-99 -> 1900s, 00-68 -> 2000s (deterministic, no clock)."""
    return year + (1900 if year >= 69 else 2000)


def _build(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime | None:
    if year < 100:
        year = _two_digit_year(year)
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _hour(hour: str | None, minute: str | None, meridiem: str | None) -> tuple[int, int]:
    if hour is None or minute is None:
        return 0, 0
    h = int(hour)
    if meridiem:
        is_pm = meridiem.lower().startswith("p")
        h = (h % 12) + (12 if is_pm else 0)
    return h, int(minute)


def _day_month(a: int, b: int, sep: str, dayfirst: bool | None) -> tuple[int, int]:
    """Order an ambiguous a/b pair: impossible readings first, then the caller, then the separator.

    Slashes read month first (US style, as in FA-KES "4/5/17"); dots and dashes read day first
    (European "09.06.2017").
    """
    if a > 12 >= b:
        return a, b
    if b > 12 >= a:
        return b, a
    if dayfirst is None:
        dayfirst = sep != "/"
    return (a, b) if dayfirst else (b, a)


def _from_match(match: re.Match[str], *, dayfirst: bool | None = None) -> datetime | None:
    groups = match.groupdict()
    hour, minute = _hour(groups["t1h"], groups["t1m"], groups["t1ap"])
    if groups["t2h"] is not None:
        hour, minute = _hour(groups["t2h"], groups["t2m"], groups["t2ap"])
    if groups["y1"]:
        month = _MONTH_BY_NAME.get(groups["mon1"].lower().rstrip("."))
        return _build(int(groups["y1"]), month, int(groups["d1"]), hour, minute) if month else None
    if groups["y2"]:
        month = _MONTH_BY_NAME.get(groups["mon2"].lower().rstrip("."))
        return _build(int(groups["y2"]), month, int(groups["d2"]), hour, minute) if month else None
    if groups["y3"]:
        month = _MONTH_BY_NAME.get(groups["mon3"].lower())
        return _build(int(groups["y3"]), month, int(groups["d3"]), hour, minute) if month else None
    if groups["y4"]:
        return _build(int(groups["y4"]), int(groups["m4"]), int(groups["d4"]), hour, minute)
    day, month = _day_month(int(groups["a5"]), int(groups["b5"]), groups["s5"], dayfirst)
    return _build(int(groups["y5"]), month, day, hour, minute)


def _to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _parse_numeric(value: str, dayfirst: bool | None) -> datetime | None:
    match = _NUMERIC_ONLY.fullmatch(value)
    if not match:
        return None
    a, b, c = match["a"], match["b"], match["c"]
    hour, minute, second = int(match["h"] or 0), int(match["m"] or 0), int(match["s"] or 0)
    if len(a) == 4:
        return _build(int(a), int(b), int(c), hour, minute, second)
    if len(c) not in (2, 4):
        return None
    day, month = _day_month(int(a), int(b), match["sep"], dayfirst)
    return _build(int(c), month, day, hour, minute, second)


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    """Absolute dates only: relative phrases ("yesterday") would make results depend on the clock."""
    from dateparser.date import DateDataParser

    return DateDataParser(
        settings={
            "PARSERS": ["custom-formats", "absolute-time"],
            "REQUIRE_PARTS": ["day", "month", "year"],
            "RETURN_AS_TIMEZONE_AWARE": False,
        }
    )


@lru_cache(maxsize=4096)
def parse_date(value: str, *, dayfirst: bool | None = None) -> datetime | None:
    """Parse a date string from a structured field (feed, CSV column, meta tag); None if unreadable.

    Tries, in order: ISO 8601, RFC 2822, all-numeric forms (slash = month first unless `dayfirst`),
    dates with month names in en/fr/de/es/it/pt/ru, the wire form "09Jun17", then dateparser
    restricted to absolute dates.
    """
    text = " ".join(value.split())[:200]
    if not text or not any(ch.isdigit() for ch in text):
        return None
    try:
        return _to_naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    numeric = _parse_numeric(text, dayfirst)
    if numeric is not None or _NUMERIC_ONLY.fullmatch(text):
        return numeric
    if _RFC_2822.fullmatch(text):
        try:
            return _to_naive_utc(email.utils.parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
    match = _TEXT_DATE.search(text)
    if match:
        found = _from_match(match, dayfirst=dayfirst)
        if found is not None:
            return found
    if len(text) > _DATEPARSER_MAX or not _FOUR_DIGITS.search(text):
        return None  # dateparser costs ~40 ms a call: only for short strings that carry a year
    try:
        parsed = _dateparser().get_date_data(text).date_obj
    except (ValueError, TypeError, OverflowError, KeyError, AttributeError):
        return None
    return _to_naive_utc(parsed) if isinstance(parsed, datetime) else None


def _dates_in(text: str, start: int = 0, end: int | None = None) -> Iterator[_Found]:
    """Every date written in text[start:end]; `updated` when an update cue stands right before it."""
    end = len(text) if end is None else end
    if not _DIGIT.search(text, start, end):
        return
    for match in _TEXT_DATE.finditer(text, start, end):
        value = _from_match(match)
        if value is None:
            continue
        before = text[max(start, match.start() - 25) : match.start()]
        yield _Found(value, match.start(), match.end(), bool(_UPDATED_CUE.search(before)))


def date_end(text: str, start: int = 0) -> int | None:
    """Where a date written right at `start` ends ("Tuesday 25 April 2017", "Mon Oct 31 2016 18:41",
    "04-09-2014"), else None."""
    match = _TEXT_DATE.match(text, start)
    return match.end() if match is not None and _from_match(match) is not None else None


def _plausible(value: datetime, limit: datetime) -> bool:
    return value.year >= _MIN_YEAR and value <= limit


def _lines(text: str, limit: int) -> Iterator[tuple[int, int]]:
    """(start, end) of the first non-empty lines, stripped, within the first `limit` characters."""
    position = 0
    head = min(len(text), limit)
    while position < head:
        newline = text.find("\n", position, head)
        line_end = head if newline < 0 else newline
        raw = text[position:line_end]
        stripped = raw.strip()
        if stripped:
            offset = position + raw.index(stripped[0])
            yield offset, offset + len(stripped)
        position = line_end + 1


def _dateline(text: str, excluded: frozenset[str], limit: datetime) -> DateInfo | None:
    """A short line near the top that is mostly a date ("December 15, 2016 – Fort Russ News –")."""
    for count, (start, end) in enumerate(_lines(text, _DATELINE_CHARS)):
        if count >= _DATELINE_LINES:
            break
        line = text[start:end]
        if len(line) > _DATELINE_MAX_LEN or line in excluded:
            continue
        found = [f for f in _dates_in(text, start, end) if _plausible(f.value, limit)]
        if not found:
            continue
        lead = text[start : found[0].start].strip()
        if lead and not _LEAD_SEPARATOR.search(lead) and not _DATELINE_CUE.search(lead):
            continue
        tail = text[found[-1].end : end].strip()
        if (tail and not _TAIL_ALLOWED.match(tail)) or _MARKUP_TAG.search(line):
            continue
        rest = line
        for item in reversed(found):
            rest = rest[: item.start - start] + " " + rest[item.end - start :]
        if len(_WORD.findall(rest)) > _DATELINE_MAX_WORDS:
            continue
        published = [f for f in found if not f.updated]
        best = published[0] if published else found[0]
        return DateInfo(best.value, "published" if published else "updated", line, start, end)
    return None


def _has_any(text: str, stems: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(stem in lowered for stem in stems)


def _footer(text: str, limit: datetime) -> tuple[datetime, int, int] | None:
    """ "This document has been published on 12Jun17 by …": a republisher's own date.

    Only the end of the text is searched: "the report, published on June 8, 2017, said" in the
    body dates the report, not the page.
    """
    if not _has_any(text, _FOOTER_STEMS):
        return None
    tail_start = max(0, len(text) - _FOOTER_TAIL)
    for cue in itertools.islice(_PUBLISHED_FOOTER.finditer(text, tail_start), _MAX_CUES):
        for found in _dates_in(text, cue.end(), min(len(text), cue.end() + _FOOTER_REACH)):
            if _plausible(found.value, limit):
                return found.value, cue.start(), found.end
            break
    return None


def _source_line(text: str, limit: datetime) -> tuple[datetime, int, int] | None:
    """The wire's date in a credit line: "[Source: Itar Tass, Moscow, 09Jun17]"."""
    if not _has_any(text, _SOURCE_STEMS):
        return None
    for cue in itertools.islice(_SOURCE_LINE.finditer(text), _MAX_CUES):
        reach = min(len(text), cue.end() + _SOURCE_REACH)
        line_end = text.find("\n", cue.end(), reach)
        line_end = reach if line_end < 0 else line_end
        for found in _dates_in(text, cue.end(), line_end):
            if _plausible(found.value, limit):
                close = text.find("]", found.end, line_end)
                return found.value, cue.start(), (close + 1) if close >= 0 else found.end
    return None


def _from_markup(markup: Mapping[str, str], limit: datetime) -> DateInfo | None:
    lowered = {key.lower(): value for key, value in markup.items() if isinstance(value, str)}
    for keys, kind in ((_MARKUP_PUBLISHED, "published"), (_MARKUP_UPDATED, "updated")):
        for key in keys:
            raw = lowered.get(key)
            value = parse_date(raw) if raw else None
            if value is not None and _plausible(value, limit):
                return DateInfo(value, kind, f"{key}={raw}")
    return None


def _crawl_stamp(boilerplate: Sequence[Boilerplate]) -> datetime | None:
    for block in boilerplate:
        if block.reason == "crawl_stamp":
            for found in _dates_in(block.text):
                return found.value
    return None


def find_dates(
    text: str,
    boilerplate: Sequence[Boilerplate],
    *,
    given: str | None = None,
    markup: Mapping[str, str] | None = None,
    crawled: datetime | None = None,
) -> tuple[DateInfo | None, datetime | None]:
    """Return (the page's publication date with its kind and evidence, the crawl date).

    Evidence ranks: a structured date given by the input > page markup > a dateline in the first
    lines > a "published on …" footer > the wire's date in a "[Source: …]" line. A crawl stamp
    moved to boilerplate is the crawl date, never the publication date; dates later than the
    crawl (or than tomorrow) are rejected; dates inside body sentences are never used.
    """
    crawled = _to_naive_utc(crawled) if crawled is not None else _crawl_stamp(boilerplate)
    limit = (crawled or datetime.now(UTC).replace(tzinfo=None)) + timedelta(days=1)
    if given:
        value = parse_date(given)
        if value is not None and _plausible(value, limit):
            return DateInfo(value, "published", f"given={given}"), crawled
    if markup:
        from_markup = _from_markup(markup, limit)
        if from_markup is not None:
            return from_markup, crawled
    stamps = frozenset(" ".join(b.text.split()) for b in boilerplate if b.reason == "crawl_stamp")
    excluded = stamps | frozenset(b.text.strip() for b in boilerplate if b.reason == "crawl_stamp")
    dateline = _dateline(text, excluded, limit)
    if dateline is not None:
        return dateline, crawled
    footer = _footer(text, limit)
    if footer is not None:
        value, start, end = footer
        return DateInfo(value, "published", text[start:end], start, end), crawled
    for block in boilerplate:
        if block.reason != "crawl_stamp":
            in_chrome = _footer(block.text, limit)
            if in_chrome is not None:
                value, start, end = in_chrome
                return DateInfo(value, "published", block.text[start:end]), crawled
    wire = _source_line(text, limit)
    if wire is not None:
        value, start, end = wire
        return DateInfo(value, "published", text[start:end], start, end), crawled
    return None, crawled
