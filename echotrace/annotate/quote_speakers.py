"""Speaker names for attributions: names read from the source phrase, pronouns and descriptions
resolved to the nearest earlier compatible named speaker. Unknown stays None (never guess):
"a source", "officials", or a pronoun with no named speaker before it give no name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from echotrace.annotate.quote_rules import CuePatterns, Found, cue_patterns

_WORD = re.compile(r"\w+(?:[’'\-]\w+)*|[^\w\s]")
_DETERMINERS = frozenset("the a an le la les l un une der die das den dem des el los las una".split())
_INDEFINITE = frozenset("a an un une ein eine einer uno una некий".split())
_NAME_PARTICLES = ("al-", "el-", "ad-", "as-", "bin", "ibn", "de", "von", "van", "da", "di", "le", "la")
_TITLE_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen col lt maj capt sgt adm gov sen rep rev president minister general chief "
    "commander secretary senator spokesman spokeswoman ambassador deputy director colonel admiral "
    "governor mayor chairman premier prime vice head leader lieutenant major sergeant "
    "president-elect m mme herr frau sr sra".split())
_GENERIC_PERSONS = frozenset(
    "source sources official officials analyst analysts expert experts observers witnesses residents "
    "people critics aides aide advisers reports report media insiders spokesperson someone".split())
_POSSESSIVE = re.compile(r"[’']s$")


@dataclass(slots=True)
class Speaker:
    name: str
    is_org: bool
    key: str
    position: int
    context: frozenset[str]


def speaker_key(name: str) -> str:
    """Comparison key of a speaker name: a person's surname ("Vladimir Putin" = "Putin"),
    an organisation's full name, lower-cased, without Arabic article or possessive."""
    words = [w for w in _WORD.findall(name) if w[0].isalnum()]
    if not words:
        return ""
    low = [w.lower() for w in words]
    if len(words) >= 2 and _looks_like_org(low):
        return " ".join(low)
    last = _POSSESSIVE.sub("", low[-1])
    for particle in ("al-", "el-", "ad-", "as-"):
        if last.startswith(particle):
            last = last[len(particle):]
    return last


def _looks_like_org(lower_words: Sequence[str]) -> bool:
    heads = cue_patterns("en").org_heads
    return lower_words[-1] in heads or any(w in heads for w in lower_words[-2:])


def _stem(word: str) -> str:
    return _POSSESSIVE.sub("", word.lower())[:5]


def _is_capitalised(word: str) -> bool:
    """Name-like: "Putin", "al-Assad"; not "US-led" (an adjective compound)."""
    if word.lower().startswith(("al-", "el-", "ad-", "as-")):
        return len(word) > 3
    return word[:1].isupper() and not ("-" in word and word.rsplit("-", 1)[1][:1].islower())


def _name_in(phrase_words: Sequence[str], cues: CuePatterns) -> tuple[str, bool] | None:
    """The proper name a source phrase ends with, and whether it names an organisation.

    A phrase ending in a lower-case word ("the Russian general", "some Western news agencies")
    is a description, not a name. Organisation: a capitalised run holding an organisation word
    ("Russian Center for Reconciliation", "ministère russe de la Défense"); person: the words
    after the last title or nationality ("Russian President Vladimir Putin" -> "Vladimir Putin").
    """
    words = [w for w in phrase_words if w[0].isalnum() or w not in ".’'"]
    while words and not words[-1][0].isalnum():
        words = words[:-1]
    while words and words[0].lower() in _DETERMINERS:
        words = words[1:]
    if not words:
        return None
    if _is_org_head(words[0], cues) and any(_is_capitalised(w) for w in words[1:]):
        return " ".join(words), True  # "ministère russe de la Défense", "Pressedienst von X"
    if not _is_capitalised(words[-1]):
        return None
    run = [words[-1]]
    for index in range(len(words) - 2, -1, -1):
        word = words[index]
        joiner = word.lower() in _JOINERS and index > 0 and _is_capitalised(words[index - 1])
        if not (_is_capitalised(word) or joiner) or word.lower() in _DETERMINERS:
            break
        run.insert(0, word)
    if any(_is_org_head(w, cues) for w in run):
        return " ".join(run), True
    titles = [i for i, w in enumerate(run) if _is_title(w, cues)]
    person = run[titles[-1] + 1:] if titles else run
    if not person:
        return None
    return " ".join(person[-3:]), False


_JOINERS = frozenset("of for on de du des la von der del".split())


def _is_title(word: str, cues: CuePatterns) -> bool:
    low = word.lower().strip(".")
    return low in _TITLE_ABBREVIATIONS or low in cues.titles or _is_demonym(word)


_ORG_HEADS_EN = frozenset(cue_patterns("en").org_heads)


def _is_org_head(word: str, cues: CuePatterns) -> bool:
    low = word.lower()
    return low in cues.org_heads or low in _ORG_HEADS_EN


def _is_demonym(word: str) -> bool:
    low = word.lower()
    return low in ("us", "u.s", "uk", "eu", "un") or (len(low) > 4 and low.endswith(("ian", "ese", "ish", "ean")))


def resolve_speakers(text: str, found: Sequence[Found], lang_of: Callable[[int], str]) -> list[str | None]:
    """One speaker name (or None) per attribution, resolving references in reading order."""
    named: list[Speaker] = []
    out: list[str | None] = []
    order = sorted(range(len(found)), key=lambda i: _source_pos(found[i]))
    names: dict[int, str | None] = {}
    full_names: dict[str, tuple[int, str]] | None = None
    for index in order:
        item = found[index]
        if item.source_start is None or item.source_end is None:
            names[index] = None
            continue
        cues = cue_patterns(lang_of(item.source_start))
        phrase = text[item.source_start:item.source_end]
        words = _WORD.findall(phrase)
        if full_names is None:
            full_names = _first_full_names(text, cues)
        name = _resolve(text, words, item.source_start, cues, named, full_names)
        names[index] = name
    longest = {s.key: s.name for s in named}
    for index in range(len(found)):
        name = names.get(index)
        out.append(longest.get(speaker_key(name), name) if name else None)
    return out


def _source_pos(item: Found) -> int:
    return item.source_start if item.source_start is not None else item.start


def _resolve(text: str, words: Sequence[str], position: int, cues: CuePatterns,
             named: list[Speaker], full_names: Mapping[str, tuple[int, str]]) -> str | None:
    if not words:
        return None
    lower = [w.lower() for w in words if w[0].isalnum()]
    if not lower:
        return None
    if len(lower) == 1 and lower[0] in cues.pronouns:
        return _nearest(named, position, is_org=False)
    if len(lower) == 1 and lower[0] in cues.org_pronouns:
        return _nearest(named, position, is_org=True)
    proper = _name_in(words, cues)
    if proper is not None:
        name, is_org = proper
        key = speaker_key(name)
        if not is_org and " " not in name:
            first_seen = full_names.get(key)
            if first_seen is not None and first_seen[0] < position:
                name = first_seen[1]
        context = _context(text, position, words)
        for earlier in reversed(named):
            if earlier.key == key or (is_org and earlier.is_org and set(key.split()) <= set(earlier.key.split())):
                name, key = max((earlier.name, name), key=lambda n: (len(n.split()), n)), earlier.key
                context |= earlier.context
                named.remove(earlier)
                break
        named.append(Speaker(name, is_org, key, position, context))
        return name
    plural = len(lower) > 1 and lower[-1].endswith("s") and not _is_org_head(lower[-1], cues)
    if lower[0] in _INDEFINITE or lower[-1] in _GENERIC_PERSONS or plural:
        return None  # "a source", "officials": someone unnamed, not a known speaker
    head = lower[-1]
    if head in cues.org_heads or head in _ORG_HEADS_EN:
        return _best_match(named, position, lower, is_org=True, head=head)
    if head in cues.titles or head in _TITLE_ABBREVIATIONS:
        return _best_match(named, position, lower, is_org=False, head=None)
    return None


def _first_full_names(text: str, cues: CuePatterns) -> dict[str, tuple[int, str]]:
    """Per surname key, the first "Firstname Surname" in the text and where it stands, so a later
    "Assad" reads "Bashar al-Assad". One pass over the words."""
    out: dict[str, tuple[int, str]] = {}
    previous = ""
    for match in _WORD.finditer(text):
        word = match.group()
        if (_is_capitalised(word) and previous[:1].isupper() and previous.isalpha()
                and not _is_title(previous, cues) and previous.lower() not in _DETERMINERS
                and not _is_org_head(previous, cues)):
            key = speaker_key(word)
            if key and key not in out:
                out[key] = (match.start(), f"{previous} {word}")
        previous = word
    return out


def _context(text: str, position: int, words: Sequence[str]) -> frozenset[str]:
    """Words describing a speaker: its own source phrase and the words just before it."""
    before = _WORD.findall(text[max(0, position - 60):position])
    return frozenset(_stem(w) for w in (*before[-4:], *words) if w[0].isalnum())


def _nearest(named: Sequence[Speaker], position: int, is_org: bool) -> str | None:
    for speaker in reversed(named):
        if speaker.position < position and speaker.is_org == is_org:
            return speaker.name
    return None


def _best_match(named: Sequence[Speaker], position: int, description: Sequence[str], is_org: bool,
                head: str | None) -> str | None:
    """The earlier speaker sharing most description words; ties go to the nearest.

    Every modifier must fit ("the Russian president" is not the Syrian president)."""
    wanted = {_stem(w) for w in description if w not in _DETERMINERS}
    modifiers = {_stem(w) for w in description[:-1] if w not in _DETERMINERS}
    best: tuple[int, int] | None = None
    best_name: str | None = None
    for distance, speaker in enumerate(reversed(named)):
        if speaker.position >= position or speaker.is_org != is_org:
            continue
        if head is not None and head not in speaker.name.lower():
            continue
        if not modifiers <= speaker.context:
            continue
        score = len(wanted & speaker.context)
        if best is None or (score, -distance) > best:
            best = (score, -distance)
            best_name = speaker.name
    return best_name
