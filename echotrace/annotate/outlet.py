"""The outlet that published a page: from the input's metadata, its URL, or its own masthead.

Flat-text pages (pasted articles, scraped dumps) have no URL or site name, yet most still name
their publisher: in a dateline ("December 15, 2016 – Fort Russ News –"), a masthead line near the
top ("Sputnik News"), a header, or a republication footer ("published … by the Equipo Nizkor").
The outlet table (echotrace/data/outlets.yaml) maps hosts and masthead spellings to one name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from echotrace.records import Boilerplate

__all__ = ["OutletTable", "default_outlets", "find_outlet", "load_outlets", "registered_domain"]

DEFAULT_OUTLETS = Path(__file__).resolve().parents[1] / "data" / "outlets.yaml"

_MARKUP_KEYS = "sitename og:site_name application-name publisher site_name dc.publisher".split()
# Second-level labels under which registrations happen one level deeper (bbc.co.uk, aa.com.tr).
_SECOND_LEVEL = frozenset("co com net org gov edu ac gob mil nic or ne go info biz sch".split())
_TOP_LINES = 8
_TOP_CHARS = 1500
_MASTHEAD_MAX = 80
_SEPARATORS = re.compile(r"\s{0,3}[|–—·•]\s{0,3}|\s[-:]\s")
_FOOTER = re.compile(
    r"(?i:published|republished|publié|veröffentlicht|publicado)\b[^\n.]{0,60}?"
    r"\b(?i:by|par|von|por)\s{1,3}(?i:the\s{1,3}|l'|le\s|la\s|die\s|der\s|el\s)?"
    r"(?P<name>[A-Z][\w.&'-]{0,40}(?:[ \t]{1,2}[A-Z][\w.&'-]{0,40}){0,4})"
)
_DATE_FIRST = re.compile(r"[^\n]{0,40}?\d{4}\s{0,3}[-–—|]\s{0,3}(?P<name>[^\n\d–—|]{2,60}?)\s{0,3}[-–—|]")
_MAX_NAME_WORDS = 5
# An unknown name between dashes after a date is an outlet only if it reads like one: the same
# slot holds places ("June 9, 2017 – MOSCOW –").
_MEDIA_WORD = re.compile(
    r"\b(?:news|times|post|press|herald|journal|daily|tv|radio|agency|today|gazette|tribune|telegraph|observer"
    r"|review|insider|report|media|network|online|info|blog|magazine|chronicle|courier|dispatch|wire)\b"
    r"|\.(?:com|org|net|info|ru|de|fr)\b",
    re.IGNORECASE,
)
_NAME_PARTICLES = frozenset("of the and de du des la le el der die das".split())
# Republication footers sit at the end; "a report published by Amnesty" in the body is not one.
_FOOTER_TAIL = 1000


@dataclass(frozen=True, slots=True)
class OutletTable:
    """Outlet names by host and by lower-cased masthead spelling."""

    by_host: Mapping[str, str]
    by_name: Mapping[str, str]
    mastheads: Mapping[str, tuple[str, ...]]  # per outlet, its name and spellings as written
    by_code: Mapping[str, str]  # `_codes` of every masthead and of every host's name ("dailysabah")


def load_outlets(path: Path | None = None) -> OutletTable:
    """Read the outlet table (default: echotrace/data/outlets.yaml)."""
    data = yaml.safe_load((path or DEFAULT_OUTLETS).read_text(encoding="utf-8")) or {}
    by_host: dict[str, str] = {}
    by_name: dict[str, str] = {}
    mastheads: dict[str, tuple[str, ...]] = {}
    by_code: dict[str, str] = {}
    for name, entry in (data.get("outlets") or {}).items():
        entry = entry or {}
        hosts = [str(host).lower() for host in entry.get("hosts") or []]
        for host in hosts:
            by_host.setdefault(host, str(name))
        spellings = tuple(dict.fromkeys(str(spelling) for spelling in [name, *(entry.get("names") or [])]))
        for spelling in spellings:
            by_name.setdefault(_key(spelling), str(name))
        mastheads[str(name)] = spellings
        for form in [*spellings, *(registered_domain(host).split(".")[0] for host in hosts)]:
            for code in _codes(form):
                by_code.setdefault(code, str(name))
    return OutletTable(by_host, by_name, mastheads, by_code)


@lru_cache(maxsize=1)
def default_outlets() -> OutletTable:
    """The packaged outlet table, read once."""
    return load_outlets()


def outlet_names(outlet: str | None) -> tuple[str, ...]:
    """An outlet's name and every masthead the default table spells it with ("The Jordan Times",
    "Jordan Times"); an outlet the table does not know, by its name alone."""
    if not outlet:
        return ()
    return default_outlets().mastheads.get(outlet, (outlet,))


def is_outlet_name(name: str) -> bool:
    """Whether `name` is a masthead of the default outlet table ("Le Monde", "El País")."""
    return masthead_outlet(name) is not None


def masthead_outlet(name: str) -> str | None:
    """The outlet of the default table that `name` spells ("the Guardian" -> "The Guardian")."""
    return default_outlets().by_name.get(_key(name))


def _key(name: str) -> str:
    return " ".join(name.casefold().split())


def registered_domain(host: str) -> str:
    """The registrable part of a host: www.fort-russ.com -> fort-russ.com, news.bbc.co.uk -> bbc.co.uk."""
    labels = [label for label in host.lower().strip(".").split(".") if label]
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _host(url: str) -> str | None:
    candidate = url.strip()
    if "//" not in candidate:
        candidate = "//" + candidate
    try:
        host = urlsplit(candidate).hostname
    except ValueError:
        return None
    return host if host and "." in host else None


def _from_host(host: str, table: OutletTable) -> str:
    labels = host.split(".")
    for index in range(len(labels) - 1):
        known = table.by_host.get(".".join(labels[index:]))
        if known:
            return known
    return registered_domain(host)


def _canonical(name: str, table: OutletTable) -> str:
    """The table's name for `name`: a masthead as written, or a data export's code for one ("dailysabah",
    "asharqalawsat", "manar" for Al-Manar, "nytimes" for the host nytimes.com)."""
    known = table.by_name.get(_key(name)) or next(
        (table.by_code[code] for code in _codes(name) if code in table.by_code), None)
    return known or name.strip()


# Words a data export's code leaves out of a masthead: "manar" for Al-Manar, "guardian" for The Guardian.
_CODE_ARTICLES = ("the", "al", "el", "le", "la", "die", "der")
_MIN_CODE = 3


def _codes(name: str) -> list[str]:
    """`name` in lower-case letters and digits only, with and without a leading article: the forms in
    which data exports write an outlet ("Daily Sabah" -> "dailysabah", "Al-Manar" -> "almanar", "manar")."""
    words = re.findall(r"[^\W_]+", name.casefold())
    forms = ["".join(words)]
    if len(words) > 1 and words[0] in _CODE_ARTICLES:
        forms.append("".join(words[1:]))
    return [form for form in forms if len(form) >= _MIN_CODE]


def _top_lines(text: str) -> Iterator[str]:
    count = 0
    for line in text[:_TOP_CHARS].splitlines():
        stripped = line.strip()
        if stripped:
            yield stripped
            count += 1
            if count >= _TOP_LINES:
                return


def _known_masthead(line: str, table: OutletTable) -> str | None:
    """A line that is an outlet name, or whose separated parts include one ("Derechos | Equipo Nizkor")."""
    if len(line) > _MASTHEAD_MAX:
        return None
    whole = table.by_name.get(_key(line))
    if whole:
        return whole
    for part in _SEPARATORS.split(line):
        known = table.by_name.get(_key(part))
        if known:
            return known
    return None


def _masthead_name(line: str) -> str | None:
    """The first line above a headline, when it reads as a name: "THE CASTELLON HERALD",
    "Valdorian News Agency · VNA", "HARBOUR LINE NEWS | Independent news…"."""
    first = _SEPARATORS.split(line.strip(), maxsplit=1)[0].strip()
    words = first.split()
    if not 1 < len(words) <= _MAX_NAME_WORDS + 1 or len(first) > _MASTHEAD_MAX:
        return None
    if any(ch.isdigit() for ch in first) or first[-1] in ".!?:,;":
        return None
    if not all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words):
        return None
    if not (first.isupper() or _MEDIA_WORD.search(first) or len(words) <= 3):
        return None
    if first.isupper():
        words = [w.lower() if i and w.lower() in _NAME_PARTICLES else w.capitalize() for i, w in enumerate(words)]
    return " ".join(words)


def find_outlet(
    url: str | None,
    given: str | None,
    markup: Mapping[str, str] | None,
    text: str,
    header: Sequence[str],
    boilerplate: Sequence[Boilerplate],
    *,
    table: OutletTable | None = None,
) -> tuple[str | None, str | None]:
    """Return (canonical outlet name, evidence) or (None, None) when the page does not say.

    Order: the input's own outlet field > markup site name > URL host > the page's masthead
    (dateline, a name line near the top, header or chrome) > a "published … by X" footer.
    """
    table = table or default_outlets()
    if given and given.strip():
        return _canonical(given, table), f"given={given.strip()}"
    for key in _MARKUP_KEYS:
        value = (markup or {}).get(key)
        if value and value.strip().lstrip("@"):
            return _canonical(value.strip().lstrip("@"), table), f"markup:{key}={value.strip()}"
    host = _host(url) if url else None
    if host:
        return _from_host(host, table), f"url:{host}"
    for line in _top_lines(text):
        dateline = _DATE_FIRST.match(line)
        if dateline and len(line) <= _MASTHEAD_MAX:
            name = dateline.group("name").strip()
            known = table.by_name.get(_key(name))
            # Places fill the same slot ("June 9, 2017 – MOSCOW –"): a single or all-caps word is not a name.
            if known or (len(name.split()) <= _MAX_NAME_WORDS and _MEDIA_WORD.search(name)) or (
                    1 < len(name.split()) <= 3 and not name.isupper() and name.istitle()):
                return known or name, line
        known = _known_masthead(line, table)
        if known:
            return known, line
    chrome = [*header, *(b.text for b in boilerplate if b.reason != "crawl_stamp")]
    for block in chrome:
        for line in _top_lines(block):
            known = _known_masthead(line, table)
            if known:
                return known, line
    if header:
        name = _masthead_name(header[0])
        if name:
            return _canonical(name, table), header[0]
    for block in [text[-_FOOTER_TAIL:], *(b[-_FOOTER_TAIL:] for b in chrome)]:
        footer = _FOOTER.search(block)
        if footer:
            name = footer.group("name").rstrip(".")
            known = table.by_name.get(_key(name))
            return (known or name), footer.group(0)
    return None, None
