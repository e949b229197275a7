"""Every regex that runs over article text stays linear on hostile 1 MB input.

Patterns are discovered, not listed: module-level `re.Pattern`s anywhere in `echotrace`
(also inside module-level containers and dataclass instances), plus the patterns built at run
time from data files (boilerplate lexicon, quote cue tables). Each pattern is screened on ~400
adversarial strings (runs of one unit, odd last character) at 2 KB, then its two slowest run at
1 MB; the check runs in a forked child so a catastrophic pattern fails instead of hanging.
"""

from __future__ import annotations

import dataclasses
import importlib
import multiprocessing
import pkgutil
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

import echotrace

# Not article-text code: the web app and report render stored values, the CLI parses flags.
SKIPPED_MODULES = ("echotrace.web", "echotrace.report", "echotrace.cli", "echotrace.__main__")
SCREEN_CHARS = 2 * 1024
FULL_CHARS = 1 << 20
FULL_CHECKS = 2
MAX_SECONDS = 2.0
CHILD_DEADLINE_S = 60.0

# Patterns only ever used with .match()/.fullmatch() at one position (never scanned with
# search/finditer): a scan would try every start position, which the code never does.
ANCHORED_ONLY = {
    "echotrace.narratives.discover._NEXT_LOWER": "only .match(text, end) right after one word",
    "echotrace.ingest.decode._HTML_START": "only .match() at the start of a 2 KB head",
    "echotrace.annotate.sentences._WORD_BEFORE": "only .search() over the 20 characters before a dot",
    "echotrace.annotate.entities._SENTENCE_END": "only .search() over the 3 characters before a name",
    "echotrace.annotate.outlet._DATE_FIRST": "only .match() on one short line",
}
# A linear pattern may still be slow on a loaded machine: compared with `\w+` on the same text,
# a catastrophic one is thousands of times slower, a linear one tens.
MAX_TIMES_BASELINE = 60.0

_UNITS = (
    " ", "\t", "\n", "\n\n", " \n", "\r\n", "\u00a0", "\u2009", ".", "..", "…", "!", "?", ",", ";", ":",
    "-", "–", "—", "_", "/", "\\", "|", "*", "#", "@", "&", "=", "+", "%", "'", '"', "“", "”", "‘", "’",
    "«", "»", "„", "(", ")", "[", "]", "{", "}", "<", ">", "<p>", "</p>", "<div>", "<!--", "&amp;", "1",
    "12", "1.", "1,", "12:", "2024-", "1/", "0", "a", "A", "Ab", "AB", "aa ", "Word ", "WORD ", "A. ",
    "a.", "a-", "a'", "Mr. ", "Jan. ", "Jan ", "said ", "the ", "of ", "Ã©", "Ã", "â€™", "é", "ß", "Я",
    "я ", "ü", "中", "\u0627", "http://", "www.", "a@b", "©", "\ufffd", "\x00", "\u200b",
)
_MIXES = (
    'Mr. Smith said "', "The Minister said: “", "12 Jan. 2024 ", "09Jun17 ", "A B C D ", "a. b. c. ",
    "(((", "[[[]", "<div><span>", "Hello World ", "by AFP via Reuters ", "[Source: TASS ", "translated by ",
    "\"\"'' ", "--  --", "1 2 3 4 ", "Paris, (AFP) — ", "© 2024 ", "http://a.b/c?d=e&", "ÃƒÂ©",
    "Published on 12 ", "Updated: ", "Al-Assad's ", "U.S. ", "« » ", "— « ", "said. “", ". . ",
    "said, adding that ", "according to ", "Quelle: ", "#tag ", "Share Tweet ", "Read more ",
)
_ENDINGS = ("", "\x00", "a")


def _adversarial_recipes() -> dict[str, tuple[str, str]]:
    """Name -> (unit repeated, last character): runs of each unit, each with a few odd endings."""
    recipes = {f"{unit!r}*n+{ending!r}": (unit, ending) for unit in _UNITS + _MIXES for ending in _ENDINGS}
    recipes["all units"] = ("".join(_UNITS), "")
    return recipes


RECIPES = _adversarial_recipes()


def adversarial_text(name: str, size: int) -> str:
    unit, ending = RECIPES[name]
    return (unit * (size // len(unit) + 1))[: size - len(ending)] + ending


def _patterns_in(value: Any, name: str, depth: int = 0) -> Iterator[tuple[str, re.Pattern[Any]]]:
    if isinstance(value, re.Pattern):
        yield name, value
    elif depth < 2 and isinstance(value, (list, tuple, frozenset, set)):
        for index, item in enumerate(value):
            yield from _patterns_in(item, f"{name}[{index}]", depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for key, item in value.items():
            yield from _patterns_in(item, f"{name}[{key!r}]", depth + 1)
    elif depth < 2 and dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _patterns_in(getattr(value, field.name), f"{name}.{field.name}", depth + 1)


def _runtime_patterns() -> Iterator[tuple[str, re.Pattern[Any]]]:
    """Patterns compiled from package data on first use."""
    from echotrace.annotate import quote_rules
    from echotrace.annotate.quote_tokens import cue_table
    from echotrace.clean import text

    yield from _patterns_in(text._lexicon(), "echotrace.clean.text._lexicon()")
    for lang in sorted(cue_table()):
        name = f"echotrace.annotate.quote_rules.cue_patterns({lang!r})"
        yield from _patterns_in(quote_rules.cue_patterns(lang), name)


def discover_patterns() -> dict[str, re.Pattern[Any]]:
    """Every compiled pattern of the package, by a readable name, each pattern once."""
    found: dict[str, re.Pattern[Any]] = {}
    seen: set[int] = set()
    for info in sorted(pkgutil.walk_packages(echotrace.__path__, "echotrace."), key=lambda i: i.name):
        if info.name.startswith(SKIPPED_MODULES):
            continue
        module = importlib.import_module(info.name)
        for attribute, value in sorted(vars(module).items()):
            for name, pattern in _patterns_in(value, f"{info.name}.{attribute}"):
                if id(pattern) not in seen:
                    seen.add(id(pattern))
                    found[name] = pattern
    for name, pattern in _runtime_patterns():
        if id(pattern) not in seen:
            seen.add(id(pattern))
            found[name] = pattern
    return found


def _subject(pattern: re.Pattern[Any], text: str) -> Any:
    return text.encode("utf-8", "surrogatepass") if isinstance(pattern.pattern, bytes) else text


def _time_once(pattern: re.Pattern[Any], text: str, anchored: bool) -> float:
    subject = _subject(pattern, text)
    started = time.perf_counter()
    if anchored:
        pattern.match(subject)
        pattern.fullmatch(subject)
    else:
        for _ in pattern.finditer(subject):
            pass
    return time.perf_counter() - started


_BASELINE = re.compile(r"\w+")


def worst_timings(pattern: re.Pattern[Any], anchored: bool = False) -> list[tuple[float, float, str]]:
    """(seconds, seconds of the baseline word regex on the same text, input name) of the slowest
    1 MB inputs, slowest first."""
    ranked = sorted(((_time_once(pattern, adversarial_text(name, SCREEN_CHARS), anchored), name)
                     for name in RECIPES), reverse=True)
    timings = []
    for _, name in ranked[:FULL_CHECKS]:
        text = adversarial_text(name, FULL_CHARS)
        timings.append((_time_once(pattern, text, anchored), _time_once(_BASELINE, text, False), name))
    return sorted(timings, reverse=True)


def _child(name: str, anchored: bool, sender: Any) -> None:
    sender.send(worst_timings(PATTERNS[name], anchored))
    sender.close()


PATTERNS = discover_patterns()


def test_discovery_finds_the_known_text_patterns() -> None:
    names = set(PATTERNS)
    assert {"echotrace.annotate.sentences._BOUNDARY", "echotrace.annotate.dates._TEXT_DATE",
            "echotrace.clean.text._lexicon().tag_label"} <= names
    assert any(name.startswith("echotrace.annotate.quote_rules.cue_patterns('en')") for name in names)
    assert len(PATTERNS) >= 60


# Linear but slow, in files this suite's author may not edit: reported with a fix (a first-letter
# lookahead before the alternation takes 9 s/MB down to 0.15 s/MB). Not strict: passes once fixed.
@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_is_linear_on_adversarial_megabyte(name: str) -> None:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(name, name in ANCHORED_ONLY, sender))
    child.start()
    sender.close()
    try:
        if not receiver.poll(CHILD_DEADLINE_S):
            pytest.fail(f"{name} ({PATTERNS[name].pattern[:300]!r}) did not finish within "
                        f"{CHILD_DEADLINE_S:g} s: catastrophic backtracking")
        timings = receiver.recv()
    finally:
        child.kill()
        child.join()
    for seconds, baseline, text in timings:
        assert seconds < MAX_SECONDS or seconds < MAX_TIMES_BASELINE * baseline, (
            f"{name} took {seconds:.2f} s (\\w+: {baseline:.3f} s) on 1 MB of {text}: {PATTERNS[name].pattern[:300]!r}")
