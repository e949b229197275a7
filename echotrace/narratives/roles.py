"""Who does what to whom, read from one sentence with cheap rules.

Embeddings cannot tell "the coalition supports ISIS" from "ISIS attacks the coalition" (both
score high against each other), so narrative matching and claim discovery also check roles:
an actor mention, an action trigger, a target mention, in an order English grammar allows
(active "A supports T", passive "T supported by A", nominal "T ... thanks to A support",
"support for T by A", possessive "A's support for T"). Mentions and triggers are found with
Aho-Corasick automata, so the check costs microseconds per sentence and runs as a prefilter
before any embedding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import ahocorasick

__all__ = ["Span", "SpanFinder", "Triple", "extract_triples", "inflections"]


@dataclass(frozen=True, slots=True)
class Span:
    """A matched surface form: character offsets into the searched text, and the group key."""

    start: int
    end: int
    key: str


@dataclass(frozen=True, slots=True)
class Triple:
    actor: Span
    trigger: Span
    target: Span


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters (İ) lower to two code points; keep offsets aligned with the original.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _is_case_sensitive(alias: str) -> bool:
    """Short all-caps forms ("US", "IS", "SDF") are words in lower case: match them exactly."""
    letters = [ch for ch in alias if ch.isalpha()]
    return bool(letters) and len(letters) <= 4 and all(ch.isupper() for ch in letters)


class SpanFinder:
    """Finds whole-word occurrences of many phrases at once, each phrase mapped to a key.

    Overlapping hits resolve to the longest, then leftmost, so "US-led coalition" wins over "US".
    """

    def __init__(self, groups: Mapping[str, Iterable[str]]) -> None:
        self._automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, str, bool]]] = {}
        for key, phrases in groups.items():
            for phrase in phrases:
                phrase = " ".join(phrase.split())
                if not phrase:
                    continue
                low = _lower_same_length(phrase)
                entries.setdefault(low, []).append((key, phrase, _is_case_sensitive(phrase)))
        for low, values in entries.items():
            self._automaton.add_word(low, (len(low), tuple(values)))
        self.empty = not entries
        if not self.empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Span]:
        if self.empty or not text:
            return []
        low = _lower_same_length(text)
        hits: list[Span] = []
        for end_idx, (length, values) in self._automaton.iter(low):
            start, end = end_idx - length + 1, end_idx + 1
            if start > 0 and low[start - 1].isalnum():
                continue
            if end < len(low) and low[end].isalnum():
                continue
            for key, phrase, exact in values:
                if exact and text[start:end] != phrase:
                    continue
                hits.append(Span(start, end, key))
                break
        hits.sort(key=lambda s: (-(s.end - s.start), s.start, s.key))
        kept: list[Span] = []
        taken: list[tuple[int, int]] = []
        for span in hits:
            if any(span.start < e and s < span.end for s, e in taken):
                continue
            kept.append(span)
            taken.append((span.start, span.end))
        kept.sort(key=lambda s: (s.start, s.end))
        return kept


_VOWELS = set("aeiou")


def inflections(phrase: str) -> list[str]:
    """English inflected forms of a verb or noun phrase (the first word is inflected)."""
    words = phrase.split()
    if not words:
        return []
    head, rest = words[0], words[1:]
    low = head.lower()
    forms = {low, low + "s", low + "es", low + "ed", low + "d", low + "ing"}
    if low.endswith("e"):
        forms |= {low[:-1] + "ing", low[:-1] + "ion"}
    if low.endswith("y") and len(low) > 2 and low[-2] not in _VOWELS:
        forms |= {low[:-1] + "ies", low[:-1] + "ied"}
    consonant_before = len(low) >= 3 and (low[-3] not in _VOWELS or low[-4:-2] == "qu")  # "equip"
    if consonant_before and low[-1] not in _VOWELS | {"w", "x", "y"} and low[-2] in _VOWELS:
        forms |= {low + low[-1] + "ing", low + low[-1] + "ed"}
    tail = " ".join(rest)
    return sorted(f"{form} {tail}".strip() for form in forms)


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_PREPOSITIONS = frozenset(
    "against of on to from in at with for by near into towards toward between among over under "
    "about including like than through across around behind beside inside outside within via "
    "amid despite after before since until upon onto".split()
)
_DETERMINERS = frozenset("the a an its their his her our this that these those some all".split())
_GEO_ADJECTIVES = frozenset(
    "northern southern eastern western central northeastern northwestern southeastern southwestern "
    "north south east west rural greater and".split()
)
_NEGATIONS = frozenset("not n't never no neither nor deny denies denied denying".split())
_CLAUSE_BREAKS = re.compile(r"[;:!?]|\.\s")
_NOMINAL_LEFT = _DETERMINERS | frozenset(
    "direct indirect full covert open military financial logistical active tacit clear".split()
)
_AGENT_PREPS = frozenset({"of", "from"})
_AUXILIARIES = frozenset("was were been be being is are get got gets getting".split())
_CIRCUMSTANCE_PREPS = frozenset(
    "in at near during since after before inside outside across around within throughout".split()
)
_LIGHT_VERBS = frozenset(
    """provide provides provided providing give gives gave given giving offer offers offered offering
    launch launches launched launching carry carries carried carrying conduct conducts conducted conducting
    enter enters entered entering lend lends lent extend extends extended stage stages staged mount mounts
    mounted out into""".split()
)
_KEEP_VERBS = frozenset("keep keeps kept continue continues continued start started stop stopped".split())
_MAX_BEFORE_WORDS = 24
_MAX_GAP_AFTER_WORDS = 6


def _words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _is_subject_like(text: str, span: Span, floor: int) -> bool:
    """A mention not governed by a preposition ("against ISIS", "with the coalition")."""
    words = _words(text[max(floor, span.start - 60) : span.start])
    while words and (words[-1] in _DETERMINERS or words[-1] in _GEO_ADJECTIVES):
        words.pop()
    return not words or words[-1] not in _PREPOSITIONS


def _clause_floor(text: str, trigger: Span) -> int:
    """Where the trigger's clause starts on the left: after the last ; : ! ? or sentence stop."""
    floor = max(0, trigger.start - 400)
    last = floor
    for match in _CLAUSE_BREAKS.finditer(text, floor, trigger.start):
        last = match.end()
    return last


def _negated(text: str, trigger: Span) -> bool:
    words = _words(text[max(0, trigger.start - 40) : trigger.start])[-3:]
    return any(w in _NEGATIONS or w.endswith("n't") for w in words)


def extract_triples(text: str, mentions: Sequence[Span], triggers: Sequence[Span]) -> list[Triple]:
    """(actor, trigger, target) readings of one sentence, in text order; negated triggers dropped.

    `mentions` and `triggers` are spans in `text` (from `SpanFinder.find`), sorted by start.
    """
    triples: list[Triple] = []
    for trigger in triggers:
        if _negated(text, trigger):
            continue
        floor = _clause_floor(text, trigger)
        before = [m for m in mentions if floor <= m.start and m.end <= trigger.start
                  and len(_words(text[m.end : trigger.start])) <= _MAX_BEFORE_WORDS]
        after = [m for m in mentions if m.start >= trigger.end]
        reading = _read(text, trigger, before, after, floor)
        if reading is not None:
            actor, target = reading
            if actor.key != target.key:
                triples.append(Triple(actor, trigger, target))
    return triples


def _read(text: str, trigger: Span, before: list[Span], after: list[Span],
          floor: int) -> tuple[Span, Span] | None:
    # Hyphen compound: "US-backed rebels" reads (US, backed, rebels); "Turkish-backed" names no actor.
    if trigger.start > 0 and text[trigger.start - 1] == "-":
        actor = before[-1] if before and before[-1].end == trigger.start - 1 else None
        target = _first_after(text, trigger, after, max_gap=2)
        return (actor, target) if actor is not None and target is not None else None
    subjects = [m for m in before if _is_subject_like(text, m, floor)]
    if not subjects and before and len(_words(text[floor : before[0].start])) <= 3:
        # The actor modifies the subject: "Pause in US-led offensive was designed to let Daesh ...".
        subjects = [before[0]]
    subject = subjects[-1] if subjects else None
    left_gap = _words(text[before[-1].end : trigger.start]) if before else []
    left_word = (_words(text[max(0, trigger.start - 30) : trigger.start]) or [""])[-1]

    # Possessive: "the coalition's support for ISIS".
    if before and text[before[-1].end : trigger.start].strip().lower().replace("’", "'") in {"'s", "'"}:
        target = _first_after(text, trigger, after)
        if target is not None:
            return before[-1], target

    recent = _words(text[max(floor, trigger.start - 40) : trigger.start])
    gerund = text[trigger.start : trigger.end].split()[0].lower().endswith("ing")
    passive = bool(set(recent[-2:]) & _AUXILIARIES) and not gerund
    if gerund and left_gap == ["of"]:
        # "accused the coalition of letting Daesh escape": the mention before "of" acts.
        target = _first_after(text, trigger, after)
        return (before[-1], target) if target is not None else None
    # Objects and agents after the trigger, until a clause break or a long gap.
    cursor = trigger.end
    objects: list[Span] = []
    for mention in after:
        gap_text = text[cursor : mention.start]
        if _CLAUSE_BREAKS.search(gap_text) or (not objects and gap_text.lstrip().startswith(",")):
            break
        gap = _words(gap_text)
        if len(gap) > _MAX_GAP_AFTER_WORDS:
            break
        if "by" in gap[-3:]:  # passive or nominal agent: "supported by A", "support for T by A"
            target = objects[0] if objects else subject
            return (mention, target) if target is not None else None
        if not objects and gap and gap[0] in _AGENT_PREPS and left_word in _NOMINAL_LEFT \
                and before:
            return mention, subject or before[-1]  # "T came with the direct support of A"
        if not objects and gap and gap[0] in _CIRCUMSTANCE_PREPS:
            cursor = mention.end  # "killed in Aleppo": a place or time, not the target
            continue
        objects.append(mention)
        cursor = mention.end

    adjacent = bool(before) and not left_gap and not text[before[-1].end : trigger.start].strip()
    if adjacent:
        # "US-led coalition colluding with IS", "regime airstrikes on Aleppo", "thanks to US support".
        if objects:
            return before[-1], objects[0]
        earlier = [m for m in subjects if m.end <= before[-1].start]
        participle = text[trigger.start : trigger.end].split()[0].lower().endswith("ed")
        return (before[-1], earlier[-1]) if earlier and not passive and not participle else None
    if passive:
        return None  # "civilians were killed in strikes": the subject is the target, the agent unnamed
    light_verb = bool(set(recent[-3:]) & _LIGHT_VERBS)
    if left_word != "to" and left_word in _PREPOSITIONS | _DETERMINERS and not light_verb:
        return None  # a noun ("in attacks on Aleppo") whose agent is not named
    if _participle_after_noun(text, trigger) and not light_verb:
        return None  # "raids targeting Aleppo": the raids do the targeting, not the subject
    if objects and subject is not None:
        return subject, objects[0]
    return None


def _participle_after_noun(text: str, trigger: Span) -> bool:
    """An -ing form right after a plain word reads as a reduced relative clause."""
    form = text[trigger.start : trigger.end].split()[0].lower()
    if not form.endswith("ing"):
        return False
    left = text[max(0, trigger.start - 30) : trigger.start]
    if not left.strip() or not left.rstrip()[-1].isalnum():
        return False
    words = _words(left)
    return bool(words) and words[-1] not in _AUXILIARIES and not words[-1].endswith("ly") \
        and words[-1] not in _PREPOSITIONS and words[-1] not in _KEEP_VERBS


def _first_after(text: str, trigger: Span, after: list[Span], max_gap: int = _MAX_GAP_AFTER_WORDS) -> Span | None:
    for mention in after:
        gap_text = text[trigger.end : mention.start]
        if _CLAUSE_BREAKS.search(gap_text) or len(_words(gap_text)) > max_gap:
            return None
        return mention
    return None
