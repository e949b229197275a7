"""Entity mentions with one canonical id per actor: a gazetteer first, cheap patterns second.

Statistical NER runs at ~5k words/s per core and misses most Syrian places and ISIL/Daesh, so
the first pass is an Aho-Corasick scan over the alias table (`echotrace/data/aliases.yaml`,
extensible by users). A second, pattern pass catches unlisted names (capitalised sequences,
"Col. Gen. Sergei Rudskoy") as ad-hoc entities whose id is derived from the name, so the same
name gets the same id in every article. Descriptions and anaphors ("the Russian president",
"the ministry") resolve only to an entity that the same article names.
"""

from __future__ import annotations

import bisect
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from echotrace.annotate.given_names import given_name_locales, is_known_surname
from echotrace.annotate.language import language_at, language_regions
from echotrace.annotate.morphology import nominative
from echotrace.annotate.outlet import default_outlets
from echotrace.annotate.quote_tokens import cue_table, is_title_word
from echotrace.records import Entity, Mention, Paragraph

__all__ = ["EntityIndex", "entities_for", "find_mentions", "slug"]

ENTITY_TYPES = ("person", "org", "group", "place", "outlet", "misc")
ADHOC_PREFIX = "x:"

_NAME, _GUARDED, _CONTEXT = "name", "guarded", "context"
_KIND_RANK = {_NAME: 0, _GUARDED: 1, _CONTEXT: 2}

# Words after a guarded alias ("IS") that show it names the group, not the verb.
_GROUP_NOUNS = frozenset(
    """
    militant militants fighter fighters terrorist terrorists group jihadist jihadists position positions
    member members leader leaders stronghold strongholds commander commanders force forces extremist
    extremists attack attacks caliphate convoy convoys unit units cell cells propaganda supporters
    kämpfer miliz terrormiliz anhänger dschihadisten terroristen stellungen combattants djihadistes
    """.split()
)
_GROUP_BEFORE = re.compile(r"(?:^|[^\w])(?:the|The|der|des|dem|den|die|vom|zum|against|by|of|from|l')\s?$")

# Person titles and ranks: stripped from the front of a name, and a sign the name is a person.
_TITLES = frozenset(
    """
    mr mrs ms miss dr prof sir lord lady president vice minister premier chancellor king queen prince
    general gen lieutenant lt colonel col major maj captain capt sergeant sgt admiral adm commander
    chief senator sen congressman congresswoman representative rep governor gov mayor ambassador
    spokesman spokeswoman secretary deputy judge pope sheikh emir ayatollah colonel-general
    m mme monsieur madame président ministre général herr frau präsident minister señor presidente
    """.split()
) | frozenset(w for table in cue_table().values() for w in table["titles"] if " " not in w)
# Titles that also label a line ("Source: Reuters"): a name after one is no person ("Source TRTWorld and agencies").
_LABEL_TITLES = frozenset(w for table in cue_table().values() for w in table.get("line_labels", ())) & _TITLES
# German titles, which end compound ones ("Innenminister", "Regierungssprecher").
_COMPOUND_TITLES = frozenset(cue_table()["de"]["titles"])
_GERMAN_ARTICLES = frozenset(cue_table()["de"]["articles"])
# A party before a person's given name is no part of the name ("Democrat Hillary Clinton", "Republican Ted
# Cruz"); before other words it may open a body's ("Democratic National Committee").
_AFFILIATIONS = frozenset("democrat democratic republican gop libertarian conservative liberal labour tory".split())
# Words that qualify the title after them ("Special Envoy", "Executive Director").
_TITLE_MODIFIERS = frozenset("special supreme executive senior acting interim former assistant associate".split())
# Days, months and times of day: capitalised, never a name's first word ("Early Sunday Abdel Rahman").
DATE_WORDS = frozenset(
    """
    today yesterday tomorrow tonight gmt utc cst est pst edt pdt bst cet mon tue wed thu fri sat sun
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    mondays tuesdays wednesdays thursdays fridays saturdays sundays
    august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)
# Capitalised words that start sentences or headlines but are not names.
NOT_NAMES = DATE_WORDS | frozenset(
    """
    the a an and but or if in on at to of for from by with as after before during since while when where
    what who why how this that these those there here it its he she they we you i his her their our my
    according earlier later meanwhile however also despite instead although though because then
    last next all some many most more other such no not one two three updated posted published
    is was even yet plus still now only just so both either neither whether unlike without about against
    among amid under over into through toward towards within including especially
    un une et il elle ils elles nous dans pour par sur avec selon
    ein eine und im am zum zur laut nach mit auf für ab wegen bis seit ohne gegen durch über unter zwischen bei vor
    y con por para según
    photo video read more share comments advertisement subscribe click source sources via
    get url tags related editing governorate i’m i’ve i’ll i’d i'm i've i'll i'd
    """.split()
)
# Articles and prepositions of every cue-table language: "Le Vietnam", "En México" name no person.
_FUNCTION_WORDS = NOT_NAMES | frozenset(w for table in cue_table().values()
                                        for key in ("articles", "prepositions") for w in table.get(key, ()))
# Endings of adjectives of places and peoples, which alone name nobody ("Syrian", "Lebanese"); so do the
# compass adjectives of seven letters or more ("Western", "Northern"), tested apart, and adherents
# (`_is_adherent`).
_DEMONYM_END = ("ian", "ians", "ean", "eans", "ese", "ish", "ans", "ais", "aise", "isch", "ische", "ischen")
# The adjectives of faiths and of peoples without a state that those endings miss ("Arab", "Shiite",
# "Takfiri"; `_drop_common_words`); not those that are also names ("Christian"). A nation's adjective stays:
# "Greek" tells which story an article is (ECB+ B³ .9382 -> .9362 without them).
_PEOPLE_ADJECTIVES = frozenset("""
    arab arabic shiite shiites shia shii sunni sunnis alawite alawites takfiri takfiris salafi salafist wahhabi
    islamic muslim muslims catholic orthodox protestant coptic maronite druze yazidi yezidi sufi hindu sikh
    pashtun baloch uyghur uighur tatar chechen
""".split())
# Lower-case words inside a person's name: "Charles de Gaulle", "Alexander van der Bellen".
NAME_PARTICLES = frozenset("de van von bin ibn da di du del der la al el ez".split())
# English organisation words, one word each (cues.yaml): such a word keeps the "for"/"of" after it in a name.
ORG_HEADS = frozenset(w for w in cue_table()["en"]["org_heads"] if " " not in w)
_ORG_JOINERS = frozenset(("for", "of"))
_MODIFIER_ENDINGS = frozenset(
    "based led backed run held controlled linked affiliated allied dominated occupied sponsored funded owned born"
    .split()
)

# One capitalised token; the optional joined parts ("-Zor", "’s") cannot overlap the first part,
# so the pattern stays linear on adversarial input.
_CAP_TOKEN = re.compile(
    r"(?:(?:al|el|ez|as|ad|ash|at|an|ad-d)-)?[A-ZÀ-ÖØ-ÞА-ЯЁ][^\W\d_]*(?:[-'’][^\W\d_]+)*\.?"
)
# A sentence, quotation, bracketed line or a dateline's text opens here ("(Reporting by …", "[Source: …",
# "CASTELLON, July 22 (VNA) – Temperatures …").
_SENTENCE_END = re.compile(r"(?:[.!?…:\"“”«»\n]|\n[(\[]|\) [–—])\s*$")
_LINE = re.compile(r"[^\n]+")
_SLUG_STRIP = re.compile(r"[^\w]+")
_SHORT_CAPS_MAX = 5
_MASK = "\x00"
_TENTATIVE = "tentative"


@lru_cache(maxsize=65536)
def slug(name: str) -> str:
    """Lowercase ASCII-ish id part: 'Sergei Rudskoy' -> 'sergei-rudskoy' (deterministic)."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _SLUG_STRIP.sub("-", folded).strip("-")


# The Arabic article inside a name, which news writes or drops at will ("Talal al-Barazi", "Talal Barazi").
# Hyphenated, or capitalised before a space: the Spanish and Italian "el" and "al" are other words.
_INNER_ARTICLE = re.compile(r"(?<= )(?:[aAeE]l-|Al |El )(?=\w)")


def adhoc_id(name: str) -> str:
    """The id of a name the alias table does not list: one for the spellings with and without the Arabic
    article inside the name ("Talal al-Barazi", "Talal Barazi": 'x:talal-barazi')."""
    return ADHOC_PREFIX + slug(_INNER_ARTICLE.sub("", name) if "l" in name else name)


def _is_short_caps(alias: str) -> bool:
    letters = [ch for ch in alias if ch.isalpha()]
    return 0 < len(letters) <= _SHORT_CAPS_MAX and alias == alias.upper() and " " not in alias


def _lower_same_length(text: str) -> str:
    """`text.lower()` with offsets preserved (a few characters lowercase to two code points), and the
    typographic apostrophe read as the plain one ("Russia’s Defense Ministry" is "Russia's Defense Ministry")."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(ch.lower()[:1] or ch for ch in text)
    return lowered.replace("’", "'")


@dataclass(slots=True)
class _Spec:
    entity_id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    guarded: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    # Spellings never scanned for, each with the language whose text writes it (`_add_world_places`).
    found_only: list[tuple[str, str]] = field(default_factory=list)


Payload = tuple[tuple[str, str], ...]  # ((entity_id, kind), ...)


class EntityIndex:
    """The alias table compiled into two Aho-Corasick automata (case-folded and exact-case)."""

    def __init__(self, specs: Sequence[_Spec]) -> None:
        self._specs = {spec.entity_id: spec for spec in specs}
        folded: dict[str, list[tuple[str, str]]] = {}
        exact: dict[str, list[tuple[str, str]]] = {}
        self._canonical: dict[str, str] = {}
        self._canonical_exact: dict[str, str] = {}
        for spec in specs:
            scanned = [spec.name] if ("en", spec.name) not in spec.found_only else []
            forms = [(a, _NAME) for a in [*scanned, *spec.aliases]]
            forms += [(a, _GUARDED) for a in spec.guarded] + [(a, _CONTEXT) for a in spec.context]
            for alias, kind in forms:
                alias = alias.strip()
                if not alias:
                    continue
                exact_case = kind == _GUARDED or _is_short_caps(alias)
                table, key = (exact, alias) if exact_case else (folded, _lower_same_length(alias))
                entry = (spec.entity_id, kind)
                if entry not in table.setdefault(key, []):
                    table[key].append(entry)
                if kind != _CONTEXT:
                    names = self._canonical_exact if exact_case else self._canonical
                    names.setdefault(key, spec.entity_id)
        self._found_only: dict[tuple[str, str], str] = {}
        for spec in specs:
            for lang, alias in spec.found_only:
                self._found_only.setdefault((lang, _lower_same_length(alias)), spec.entity_id)
        self._folded = _automaton(folded)
        self._exact = _automaton(exact)

    @classmethod
    def load(cls, extra: Sequence[Path] = ()) -> EntityIndex:
        """The packaged alias table, extended (and overridden per id) by user files in order."""
        packaged = resources.files("echotrace.data").joinpath("aliases.yaml").read_text(encoding="utf-8")
        specs: dict[str, _Spec] = {}
        _merge(specs, yaml.safe_load(packaged), "echotrace/data/aliases.yaml")
        _add_world_places(specs)
        _add_outlets(specs)
        for path in extra:
            _merge(specs, yaml.safe_load(Path(path).read_text(encoding="utf-8")), str(path))
        return cls(list(specs.values()))

    def entities(self) -> list[Entity]:
        """Every table entity, with its aliases (context descriptions excluded)."""
        return [_record(spec) for spec in self._specs.values()]

    def entity(self, entity_id: str) -> Entity | None:
        spec = self._specs.get(entity_id)
        return None if spec is None else _record(spec)

    def type_of(self, entity_id: str) -> str | None:
        """The type of a listed entity ("place", "org", …), without building its record; None if unlisted."""
        spec = self._specs.get(entity_id)
        return None if spec is None else spec.type

    def canonical(self, name: str) -> str | None:
        """entity_id for a surface form ("Daesh", "Russian MoD", "Col. Gen. Sergei Rudskoy"), else None."""
        name = " ".join(name.split())
        if name in self._canonical_exact:
            return self._canonical_exact[name]
        found = self._canonical.get(_lower_same_length(name))
        if found is not None:
            return found
        words = name.split()
        while len(words) > 1 and _is_title(words[0]):
            words = words[1:]
            found = self._canonical.get(_lower_same_length(" ".join(words)))
            if found is not None:
                return found
        return None

    def found_only(self, name: str, lang: str) -> str | None:
        """entity_id for a name the reader found whole, spelled as text in `lang` (or English) writes it and
        never scanned for ("Allemagne" in French, "Island" in German: Iceland; not in English)."""
        key = _lower_same_length(" ".join(name.split()))
        return self._found_only.get((lang, key)) or self._found_only.get(("en", key))

    def scan(self, text: str) -> Iterable[tuple[int, int, Payload]]:
        """Raw alias hits (start, end, payload), word-boundary checked, overlaps included."""
        for automaton, haystack in ((self._folded, _lower_same_length(text)), (self._exact, text)):
            if len(automaton) == 0:
                continue
            for last, (length, payload) in automaton.iter(haystack):
                start, end = last - length + 1, last + 1
                if _at_word_boundary(text, start, end):
                    yield start, end, payload


def _record(spec: _Spec) -> Entity:
    return Entity(spec.entity_id, spec.name, spec.type,
                  sorted({*spec.aliases, *spec.guarded, *(alias for _, alias in spec.found_only)}))


# The user alias files `place_names` and `body_names` read besides the packaged table (use_alias_files).
_alias_files: list[tuple[Path, ...]] = [()]


def use_alias_files(paths: Sequence[Path]) -> None:
    """Let `place_names` and `body_names` read these user alias files too (`run --aliases`): the speaker rules
    then know a user's places and bodies ("Kestria’s government" is the Kestrian government). Called once per
    process by whatever loads the user's alias table for it."""
    files = tuple(Path(path) for path in paths)
    if files != _alias_files[0]:
        _alias_files[0] = files
        _spellings.cache_clear()


def place_names() -> frozenset[str]:
    """Every spelling of a place in the alias table (with `use_alias_files`'s) and of the world's countries,
    case-folded ("russia", "дамаск", "allemagne")."""
    return _spellings(("place",))


def body_names() -> frozenset[str]:
    """Every spelling of an organisation, group or outlet in the alias table (with `use_alias_files`'s),
    case-folded ("syrian observatory for human rights")."""
    return _spellings(("org", "group", "outlet"))


@lru_cache(maxsize=4)
def _spellings(types: tuple[str, ...]) -> frozenset[str]:
    return frozenset(alias.casefold() for entity in EntityIndex.load(_alias_files[0]).entities()
                     if entity.type in types for alias in (entity.name, *entity.aliases))


# CLDR's territories that are no place: the European Union speaks as a body, ZZ is "Unknown Region".
_NOT_PLACES = frozenset(("EU", "ZZ"))
_TERRITORY_NAME = re.compile(r"[^\W\d_][\w.'’ -]*\w")


@lru_cache(maxsize=1)
def world_places() -> dict[str, tuple[str, frozenset[tuple[str, str]]]]:
    """The world's countries and territories, code -> (English name, its (language, name) pairs) for every
    language of the cue table, from CLDR (Babel): "Germany", "Allemagne", "Deutschland", "Alemania", "Германия". A
    name that joins two places ("Congo - Kinshasa", "Trinidad & Tobago") is left out, and so is a name in
    another language than English that is a given name ("Maurice", "Dominique": Mauritius and Dominica in
    French)."""
    from babel import Locale
    from babel.core import get_global

    territories = {lang: Locale(lang).territories for lang in cue_table()}
    codes = [code for code in get_global("territory_currencies")
             if len(code) == 2 and code.isalpha() and code not in _NOT_PLACES]
    places: dict[str, tuple[str, frozenset[tuple[str, str]]]] = {}
    for code in codes:
        english = _territory_names(territories["en"].get(code, ""))
        if english:
            places[code] = (english[0], frozenset(
                (lang, name) for lang, names_in_language in territories.items()
                for name in _territory_names(names_in_language.get(code, ""))
                if lang == "en" or not given_name_locales(name.lower())))
    return places


def _territory_names(name: str) -> list[str]:
    """"Myanmar (Burma)": both words; not "Cocos (Keeling) Islands", "RAE de Hong Kong (China)" or "Макао
    (САР)", whose brackets hold a part of the name, the place it belongs to or an abbreviation."""
    main, bracket, qualifier = name.partition(" (")
    if bracket and (not qualifier.endswith(")") or " " in main or " " in qualifier or qualifier[:-1].isupper()):
        return []
    return [n for n in (main, qualifier[:-1]) if _TERRITORY_NAME.fullmatch(n)]


@lru_cache(maxsize=1)
def world_place_names() -> frozenset[str]:
    """Every name of `world_places`, case-folded."""
    return frozenset(name.casefold() for _, names in world_places().values() for _, name in names)


def _by_spelling(specs: dict[str, _Spec]) -> dict[str, _Spec]:
    """Each scanned spelling of the table (name, aliases, guarded aliases), case-folded, with its entry."""
    known: dict[str, _Spec] = {}
    for spec in specs.values():
        for alias in (spec.name, *spec.aliases, *spec.guarded):
            known.setdefault(alias.casefold(), spec)
    return known


def _add_world_places(specs: dict[str, _Spec]) -> None:
    """The world's countries as places of the table, known by their names in every cue-table language but
    never scanned for: the name reader must find the whole name ("Chad" and "Jordan" are given names too,
    "turkey" a bird, "Georgia" a state). A country the table lists already ("Syria") gains its other names;
    one whose name the table gives to something other than a place is left alone."""
    known = _by_spelling(specs)
    for english, names in world_places().values():
        spelled = sorted(names)
        listed = next((known[name.casefold()] for _, name in spelled if name.casefold() in known), None)
        if listed is None and slug(english) not in specs:
            listed = specs[slug(english)] = _Spec(slug(english), english, "place")
        if listed is not None and listed.type == "place":
            listed.found_only.extend(entry for entry in spelled
                                     if entry[1].casefold() not in known and entry not in listed.found_only)


def _add_outlets(specs: dict[str, _Spec]) -> None:
    """The outlets of the outlet table (echotrace/data/outlets.yaml) as outlets of this table, known by their
    mastheads but never scanned for ("The Hill", "The Independent" and "Bloomberg" are common words or a
    person too): a name the reader finds whole ("TRT World and Agencies") is the outlet. An outlet this table
    lists already ("Sputnik") gains its other mastheads; a masthead the table gives to something other than
    an outlet is left to it."""
    known = _by_spelling(specs)
    for name, mastheads in default_outlets().mastheads.items():
        listed = next((known[masthead.casefold()] for masthead in mastheads if masthead.casefold() in known), None)
        if listed is None and slug(name) not in specs:
            listed = specs[slug(name)] = _Spec(slug(name), name, "outlet")
        if listed is not None and listed.type == "outlet":
            listed.found_only.extend(("en", masthead) for masthead in mastheads if masthead.casefold() not in known
                                     and ("en", masthead) not in listed.found_only)


def _automaton(table: dict[str, list[tuple[str, str]]]) -> Any:
    automaton = ahocorasick.Automaton()
    for key, entries in table.items():
        automaton.add_word(key, (len(key), tuple(entries)))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def _as_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: expected a list of strings, got {value!r}")
    return list(value)


def _merge(specs: dict[str, _Spec], data: Any, source: str) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("entities"), list):
        raise ValueError(f"{source}: alias file needs a top-level 'entities' list")
    for raw in data["entities"]:
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise ValueError(f"{source}: every entity needs a string 'id': {raw!r}")
        entity_id = raw["id"]
        where = f"{source}: entity {entity_id!r}"
        kind = raw.get("type", specs[entity_id].type if entity_id in specs else "misc")
        if kind not in ENTITY_TYPES:
            raise ValueError(f"{where}: type must be one of {ENTITY_TYPES}")
        spec = specs.get(entity_id)
        if spec is None:
            spec = specs[entity_id] = _Spec(entity_id, str(raw.get("name") or entity_id), kind)
        else:
            spec.name, spec.type = str(raw.get("name") or spec.name), kind
        for attr in ("aliases", "guarded", "context"):
            values: list[str] = getattr(spec, attr)
            values.extend(v for v in _as_list(raw.get(attr), where) if v not in values)


def _at_word_boundary(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (end >= len(text) or not text[end].isalnum())


def _group_context(text: str, start: int, end: int) -> bool:
    """Is the guarded alias at [start, end) the group ("IS militants", "(IS,", "the IS") and not a verb?"""
    after = text[end : end + 1]
    if after == "-" and text[end + 1 : end + 2].isalpha():
        return True
    if text[start - 1 : start] == "(" and after in (",", ")", ";"):
        return True
    next_word = re.match(r"\s{1,3}([^\W\d_]{2,20})", text[end : end + 30])
    if next_word and next_word.group(1).lower() in _GROUP_NOUNS:
        return True
    return bool(_GROUP_BEFORE.search(text[max(0, start - 12) : start]))


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    entity_id: str
    method: str


def find_mentions(
    doc_id: str, text: str, index: EntityIndex, lang: str = "en", title: str | None = None,
    paragraphs: Sequence[Paragraph] = (),
) -> list[Mention]:
    """Entity mentions in `text`, sorted by offset, each with the entity's salience in this article.

    `title` (when the article's title is not part of `text`) counts towards salience. Unlisted names
    are read by the rules of each paragraph's language (`paragraphs`; else `lang` for all).
    """
    if not text:
        return []
    named, contextual = _gazetteer(text, index)
    covered = sorted((f.start, f.end) for f in named) + sorted((s, e) for s, e, _ in contextual)
    headlines = _mostly_capitalised_lines(text)
    lang_of = language_at(language_regions(paragraphs, lang, len(text)))
    body = _patterns(text, covered, headlines, lang_of)
    body_ids = {f.entity_id for f in body}
    # Headlines capitalise every word: keep only names the body confirms.
    if headlines:
        body += [f for f in _patterns(text, covered, headlines, lang_of, headlines_only=True)
                 if f.entity_id in body_ids]
    _found_only(body, text, index, lang_of)
    _lost_apostrophes(body, text, index)
    named += body
    _bodies_named_after_places(named, text, index)
    _link_short_names(named, text, index)
    _link_body_heads(named, text, index)
    _place_adjectives(named, text, index)
    _drop_common_words(named, text)
    found = named + _resolve_context(contextual, named)
    found.sort(key=lambda f: (f.start, f.end))
    salience = _salience(found, text, index if title else None, title)
    return [
        Mention(doc_id, f.start, f.end, sys.intern(f.entity_id), text[f.start : f.end], f.method,
                salience[f.entity_id])
        for f in found
    ]


def _found_only(found: list[_Found], text: str, index: EntityIndex, lang_of: Callable[[int], str]) -> None:
    """A name the reader found whole that the table knows by a spelling it never scans for ("Allemagne" in
    French, "Czechia": `_add_world_places`), a sentence's first word included ("France said …"), in any case
    the language inflects it ("Frankreichs", "Франции", "Україні"); not the surname of a person the reader found
    in the article by a full name ("Bloomberg" after "Michael Bloomberg")."""
    surnames = {words[-1] for item in found if item.entity_id.startswith(ADHOC_PREFIX)
                and len(words := text[item.start:item.end].split()) > 1 and all(w[:1].isupper() for w in words)
                and words[0].lower() not in _FUNCTION_WORDS and given_name_locales(words[0].lower())}
    for item in found:
        if item.entity_id.startswith(ADHOC_PREFIX) and text[item.start:item.end] not in surnames:
            name, lang = text[item.start:item.end], lang_of(item.start)
            base = _uninflected(name, lang)
            known = index.found_only(name, lang) or (
                (index.found_only(base, lang) or index.canonical(base)) if base != name else None)
            if known is not None:
                item.entity_id, item.method = known, "gazetteer"


def _names_world_place(word: str, lang: str) -> bool:
    return any(form.casefold() in world_place_names() for form in (word, _uninflected(word, lang)))


def _uninflected(name: str, lang: str) -> str:
    """A place's name without the ending its case gave it: the German genitive "-s", and Russian and
    Ukrainian cases by their dictionaries ("Германии" → Германия)."""
    if lang == "de" and name.endswith("s"):
        return name[:-1]
    return nominative(name, lang, is_org=True, governed=True)


_NAME_WORD = re.compile(r"\S+")


def apostrophes_lost(text: str) -> bool:
    """No possessive "s" in `text` has its apostrophe: a scrape stripped them all, as FA-KES's did."""
    return "'s" not in text and "’s" not in text


def _lost_apostrophes(found: list[_Found], text: str, index: EntityIndex) -> None:
    """"Syrias army", "Bashar al-Assads forces": in a text that lost its apostrophes (`apostrophes_lost`), a
    listed name whose possessive lost it is that name, not a new one, also where the name reader ran it on
    into the words around it ("Al Qaedas Syrian branch", "Once Syrias largest city"): the longest such."""
    if not apostrophes_lost(text):
        return
    for item in found:
        if not item.entity_id.startswith(ADHOC_PREFIX) or "s" not in text[item.start:item.end]:
            continue
        words = [match.span() for match in _NAME_WORD.finditer(text, item.start, item.end)]
        possessives = [(start, end - 1) for k, (start, _) in enumerate(words) for _, end in words[k:]
                       if text[end - 1] == "s" and end - 1 > start]
        listed = [(end - start, start, end, known) for start, end in possessives
                  if (known := index.canonical(text[start:end])) is not None]
        if listed:
            _, item.start, item.end, item.entity_id = max(listed)
            item.method = "gazetteer"


def _gazetteer(text: str, index: EntityIndex) -> tuple[list[_Found], list[tuple[int, int, list[str]]]]:
    """Names first (leftmost-longest), then descriptions in the gaps the names leave. A place where a body is
    based is no place the article is about ("the Britain-based Syrian Observatory", FA-KES 158 times), and
    leaves the description whole ("the Britain-based monitor": the Syrian Observatory)."""
    names: list[tuple[int, int, Payload]] = []
    descriptions: list[tuple[int, int, Payload]] = []
    for start, end, payload in index.scan(text):
        best = min(_KIND_RANK[kind] for _, kind in payload)
        if best == _KIND_RANK[_GUARDED] and not _group_context(text, start, end):
            continue
        (descriptions if best == _KIND_RANK[_CONTEXT] else names).append((start, end, payload))
    names = [(start, end, payload) for start, end, payload in names
             if not (_BASED.match(text, end) and _is_place(payload, index))]
    named = [
        _Found(start, end, next(eid for eid, kind in payload if kind != _CONTEXT), "gazetteer")
        for start, end, payload in _leftmost_longest(names, [])
    ]
    taken = [(f.start, f.end) for f in named]
    contextual = [
        (start, end, sorted({eid for eid, _ in payload}))
        for start, end, payload in _leftmost_longest(descriptions, taken)
    ]
    return named, contextual


_BASED = re.compile(r"[-‐ ]based\b", re.IGNORECASE)


def _is_place(payload: Payload, index: EntityIndex) -> bool:
    return all(index.type_of(eid) == "place" for eid, _ in payload)


def _leftmost_longest(
    hits: list[tuple[int, int, Payload]], taken: Sequence[tuple[int, int]]
) -> list[tuple[int, int, Payload]]:
    blocked = sorted(taken)
    blocked_starts = [s for s, _ in blocked]
    kept: list[tuple[int, int, Payload]] = []
    last_end = -1
    for start, end, payload in sorted(hits, key=lambda h: (h[0], -h[1])):
        if start < last_end:
            continue
        # `taken` spans do not overlap each other: only the one starting just before `end` can clash.
        i = bisect.bisect_left(blocked_starts, end) - 1
        if i >= 0 and blocked[i][1] > start:
            continue
        kept.append((start, end, payload))
        last_end = end
    return kept


def _patterns(
    text: str, covered: Sequence[tuple[int, int]], headlines: Sequence[tuple[int, int]],
    lang_of: Callable[[int], str] = lambda _: "en", headlines_only: bool = False,
) -> list[_Found]:
    """Unlisted names: capitalised sequences outside gazetteer hits, titles stripped.

    Headline-style lines are left out, or (`headlines_only`) are the only lines looked at.
    """
    hidden = list(covered) + (_complement(headlines, len(text)) if headlines_only else list(headlines))
    source = _masked(text, hidden)
    groups: list[list[tuple[int, int]]] = []
    prev_end = -1
    for match in _CAP_TOKEN.finditer(source):
        start, end = match.start(), match.end()
        if start > 0 and text[start - 1].isalnum():
            continue
        gap = source[prev_end:start] if prev_end >= 0 else ""
        word = source[start:end]
        if groups and _joins(gap, source, groups[-1], lang_of(start)):
            if gap.strip() in _ORG_JOINERS:  # the joiner is a word of the name: "Army of Conquest"
                joiner = prev_end + gap.index(gap.strip())
                groups[-1].append((joiner, joiner + len(gap.strip())))
            groups[-1].append((start, end))
        else:
            groups.append([(start, end)])
        prev_end = end
        if word.endswith(".") and not _keeps_dot(word):
            groups[-1][-1] = (start, end - 1)
            prev_end = -1  # a sentence ended: never join across it
    found: list[_Found] = []
    for tokens in groups:
        entity = _name_from_tokens(text, tokens, lang_of(tokens[0][0]))
        if entity is not None:
            found.append(entity)
    return found


def _masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with the spans blanked out, offsets unchanged (built from slices: text can be 1 MB)."""
    pieces: list[str] = []
    position = 0
    for start, end in sorted(spans):
        start = max(start, position)
        if end <= start:
            continue
        pieces.append(text[position:start])
        pieces.append(_MASK * (end - start))
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _complement(spans: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    position = 0
    for start, end in sorted(spans):
        if start > position:
            out.append((position, start))
        position = max(position, end)
    if position < length:
        out.append((position, length))
    return out


def _keeps_dot(word: str) -> bool:
    """An initial or a title's abbreviation ("Gen."), not a sentence's end ("… der Innenminister.")."""
    core = word.rstrip(".")
    return len(core) == 1 or core.lower() in _TITLES


def _joins(gap: str, source: str, group: list[tuple[int, int]], lang: str) -> bool:
    if gap in (" ", "  ", "\t"):
        return True
    parts = gap.split(" ")
    if len(parts) != 3 or parts[0] or parts[2]:
        return False
    last_start, last_end = group[-1]
    if parts[1] in _ORG_JOINERS:  # "Syrian Network for Human Rights", not "Syrian Network" and "Human Rights"
        return source[last_start:last_end].lower() in ORG_HEADS
    if lang == "de":  # "Ursula von Berg", not "Angaben der Armee": every German noun is capitalised
        return parts[1] in NAME_PARTICLES and given_name_locales(source[last_start:last_end].lower()) > 0
    return parts[1] in NAME_PARTICLES


def _mostly_capitalised_lines(text: str) -> list[tuple[int, int]]:
    """Headline-style lines ("US Coalition Bombs Syrian Army"): capitals there do not mark names.

    Looser than the speaker resolver's `_title_case_lines` (every long word capitalised): a body
    sentence dense with names ("… Donald Trump met with Mexican President Enrique Peña Nieto on
    Wednesday") counts here, which costs mentions little, but the speaker resolver would lose the
    full name its pronouns resolve to (PolNeAR train: 3 quotes given to the wrong person)."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        words = line.group().split()
        if len(words) >= 4 and len(words) <= 40:
            capitalised = sum(1 for w in words if w[:1].isupper())
            if capitalised >= 0.6 * len(words):
                spans.append((line.start(), line.end()))
    return spans


def _is_adherent(word: str) -> bool:
    """"Islamist", "Activists", "Socialist": a word of seven letters or more ending in -ist(s) is what someone
    is, not who ("Syrian Islamist insurgents"); not a surname ("Lindqvist", "Ahlquist"), nor "Christ"."""
    lower = word.lower()
    return (len(lower) > 6 and lower.endswith(("ist", "ists")) and not lower.endswith(("qvist", "quist", "kvist"))
            and not word.isupper() and not is_known_surname(lower))


@lru_cache(maxsize=1 << 16)
def _is_title(word: str) -> bool:
    """A person's title or rank, in any language of the cue table: "Gen.", "Coach", "Innenminister",
    "Secretary-General"; not a name whose article is hyphenated ("al-Sheikh"). Cached: asked of every
    capitalised word, and news repeats its names."""
    return is_title_word(word.lower().rstrip("."), _TITLES, _COMPOUND_TITLES)


def _name_from_tokens(text: str, tokens: list[tuple[int, int]], lang: str) -> _Found | None:
    if _office_of_title(text, tokens[0], lang):  # "Secretary of State Tomas Reyval": the office is no name
        tokens = tokens[1:]
        if not tokens:
            return None
    if len(tokens) == 1:  # most groups: one sentence-initial "The", "He", "Monday", "Los"
        lone = text[tokens[0][0]:tokens[0][1]].lower()
        if lone in NOT_NAMES or _is_title(lone) or lone in cue_table().get(lang, {}).get("articles", ()):
            return None
    tokens = [(s, e - 2) if text[e - 2 : e] in ("'s", "’s") and e - s > 3 else (s, e) for s, e in tokens]
    words = [text[s:e] for s, e in tokens]
    titled = False
    # "Turkish General Staff", "General Command", "Syrian Revolution General Commission": a rank in a body's name.
    body = len(words) > 1 and words[-1].lower() in ORG_HEADS
    # "Interior Secretary Ken Salazar": the name is what follows the last title word.
    last_title = -1 if body else max((k for k, w in enumerate(words[:-1]) if _is_title(w)), default=-1)
    if last_title > 0:
        words, tokens = words[last_title:], tokens[last_title:]
        titled = words[0].lower() not in _LABEL_TITLES
    sentence_start = _SENTENCE_END.search(text[max(0, tokens[0][0] - 4) : tokens[0][0]]) is not None
    sentence_start = sentence_start or tokens[0][0] == 0
    modified = max((k + 1 for k, w in enumerate(words) if _is_compound_modifier(w)), default=0)
    if modified:  # "The Britain-based Syrian Observatory for Human Rights", "Kurdish-led"
        words, tokens, sentence_start = words[modified:], tokens[modified:], False
    prepositions = cue_table().get(lang, {}).get("prepositions", ())
    while words and ((_is_title(words[0]) and not body) or words[0].lower() in NOT_NAMES
                     or (len(words) > 1 and sentence_start and words[0].lower() in prepositions)  # "В Германии"
                     or (lang == "de" and sentence_start and words[0].lower() in _GERMAN_ARTICLES)
                     or _party_before_person(words)):
        titled = titled or (_is_title(words[0]) and words[0].lower() not in _LABEL_TITLES)
        sentence_start = False
        words, tokens = words[1:], tokens[1:]
    title_after = False
    capitalised = all(w[:1].isupper() for w in words)  # "Union of Concerned Scientists" keeps its last word
    while words and (words[-1].lower() in NOT_NAMES or _is_title(words[-1])
                     or (capitalised and _is_adherent(words[-1]))):
        title_after = title_after or _is_title(words[-1])
        words, tokens = words[:-1], tokens[:-1]
    while title_after and words and words[-1].lower() in _TITLE_MODIFIERS:
        words, tokens = words[:-1], tokens[:-1]  # "Peter Salama, Executive Director"
    # German capitalises every noun: a lone capitalised word says nothing there, unless it names a country
    # ("Deutschland"; "die Regierung Frankreichs": the country in the genitive alone, not "Love Island" or
    # "New Jersey"); nor does what is left of a title ("Special Envoy", "Supreme Commander-in-Chief").
    if (lang == "de" and len(words) > 1 and words[-1].casefold() not in world_place_names()
            and _names_world_place(words[-1], lang)):
        words, tokens = words[-1:], tokens[-1:]
    if not words or (len(words) < 2 and not titled and (lang == "de" or title_after)
                     and not _names_world_place(words[0], lang)):
        return None
    if len(words) == 1:
        word = words[0]
        lower = word.lower()
        if sentence_start and not titled:
            # Kept only if a full name in the article ends with it ("Velikodny added ...").
            return _Found(tokens[0][0], tokens[-1][1], adhoc_id(word), _TENTATIVE)
        if (len(word) < 3 or lower.endswith(_DEMONYM_END) or (lower.endswith("ern") and len(lower) > 6)
                or (word.isupper() and len(word) > _SHORT_CAPS_MAX)):
            return None
    name = " ".join(words)
    method = "pattern-title" if titled else "pattern"
    return _Found(tokens[0][0], tokens[-1][1], adhoc_id(name), method)


_OFFICE_DOMAINS = {lang: frozenset(table.get("office_domains", ())) for lang, table in cue_table().items()}


def _party_before_person(words: Sequence[str]) -> bool:
    """ "Democrat Hillary Clinton": a party (`_AFFILIATIONS`), then a given name and more."""
    return len(words) > 2 and words[0].lower() in _AFFILIATIONS and given_name_locales(words[1].lower()) > 0


def _office_of_title(text: str, token: tuple[int, int], lang: str) -> bool:
    """Whether the word `token` completes a title as the office it names ("Secretary of State", "Chief of
    Staff"; cues.yaml `office_domains`)."""
    if text[token[0]:token[1]].lower() not in _OFFICE_DOMAINS.get(lang, ()):
        return False
    before = text[max(0, token[0] - 40) : token[0]].rstrip(" ")
    words = before.split()
    return len(words) > 1 and words[-1] == "of" and _is_title(words[-2])


def _is_compound_modifier(word: str) -> bool:
    """ "Britain-based", "al-Qaeda-linked", the "Based" of "London Based": a modifier before a name,
    never a name or part of one."""
    head, dash, ending = word.rpartition("-")
    return (bool(head) and bool(dash) and ending in _MODIFIER_ENDINGS) or word == "Based"


def _link_body_heads(found: list[_Found], text: str, index: EntityIndex) -> None:
    """"the Observatory said" after "the Syrian Observatory for Human Rights": a lone capitalised
    organisation word found by pattern, not linked to a longer name already (`_link_short_names`), is the
    nearest body named before it whose name holds that word. Most articles have none: the table's
    entries are looked up only when one does."""
    lone = [item for item in found if (_unlinked_word(item, text) or "").lower() in ORG_HEADS]
    if not lone:
        return
    bodies: list[tuple[int, str, str]] = []  # (start, entity id, " its name, case-folded ")
    for item in found:
        known = None if item.entity_id.startswith(ADHOC_PREFIX) else index.entity(item.entity_id)
        if known is not None and known.type in ("org", "group", "outlet"):
            bodies.append((item.start, item.entity_id, f" {known.name.casefold()} "))
    bodies.sort()
    for item in lone:
        word = f" {text[item.start:item.end].casefold()} "
        body = next((eid for start, eid, name in reversed(bodies) if start < item.start and word in name), None)
        if body is not None:
            item.entity_id, item.method = body, "context"


def _unlinked_word(item: _Found, text: str) -> str | None:
    """The word of a one-word name found by pattern and linked to no longer name or listed entity, else None."""
    word = text[item.start:item.end]
    return word if " " not in word and item.entity_id == adhoc_id(word) else None


def _place_adjectives(found: list[_Found], text: str, index: EntityIndex) -> None:
    """A lone word found by pattern that is a listed place's adjective ("Iraqi" of Iraq, "Somali" of
    Somalia) is that place: "Somali pirates" tell which story an article is."""
    for item in found:
        word = _unlinked_word(item, text)
        place = _place_of_adjective(word, index) if word else None
        if place is not None:
            item.entity_id, item.method = place, "gazetteer"


# A word of running text ("anti-government", "l'opération" whole): after another word and a space (not in
# an address's "host - oscars /" or a "#hashtag"), and not part of a domain ("twitter.com").
_RUNNING_WORD = re.compile(r"(?<=[^\W\d_] )[^\W\d_]+(?:[-'’][^\W\d_]+)*(?![\w-])(?!\.\w)")


# Not "Monitor": "… in Syrias Aleppo Monitor" is a headline's source, no body of Aleppo.
_PLACE_BODY_HEADS = ORG_HEADS - {"monitor"}


def _bodies_named_after_places(found: list[_Found], text: str, index: EntityIndex) -> None:
    """"Aleppo Police Command", "Aleppo Media Center", "US Air Force": a place of the table one space before a
    name of two words or more found by pattern that ends in an organisation word is the first word of that
    body's name, not a place the text mentions there; else every city's police command is one "Police
    Command". Not a lone word ("Daraa Army units": a section's place glued to a sentence), nor a name that opens
    with a people's adjective ("in Moscow Russian Foreign Ministry said": punctuation lost)."""
    places = {f.end: f for f in found if index.type_of(f.entity_id) == "place"}
    joined: list[_Found] = []
    for item in found:
        place = places.get(item.start - 1)
        words = text[item.start:item.end].lower().split()
        if (place is None or text[item.start - 1] != " " or not item.entity_id.startswith(ADHOC_PREFIX)
                or len(words) < 2 or words[-1] not in _PLACE_BODY_HEADS or words[0].endswith(_DEMONYM_END)):
            continue
        item.start = place.start
        item.entity_id = adhoc_id(text[item.start:item.end])
        joined.append(place)
    if joined:
        found[:] = [f for f in found if all(f is not place for place in joined)]


def _drop_common_words(found: list[_Found], text: str) -> None:
    """"Airstrikes Kill 11", "Western powers": a lone capitalised word found by pattern and
    linked to no longer name is no name when the article's running text also writes it in lower case (a
    headline's or a sentence's common word), or when it is the adjective of a people or faith the table does
    not link to a place ("Arab", "Shiite"; "Iraqi" is Iraq). The text is read once, and only when it has such
    a word."""
    lone = {item.entity_id: word.lower() for item in found
            if (word := _unlinked_word(item, text)) and not word.isupper()}
    if not lone:
        return
    common = {entity_id for entity_id, word in lone.items() if word in _PEOPLE_ADJECTIVES}
    if len(common) < len(lone):
        running = set(_RUNNING_WORD.findall(text))  # a lone word's lower-case form found here is written so
        common |= {entity_id for entity_id, word in lone.items() if word in running}
    if common:
        found[:] = [item for item in found if item.entity_id not in common]


def _place_of_adjective(word: str, index: EntityIndex) -> str | None:
    """The listed place whose adjective `word` is, by the "-i" of "Iraqi", "Israeli", "Somali"."""
    if not word.endswith("i"):
        return None
    for stem in (word[:-1], word + "a"):
        place = index.canonical(stem) or index.found_only(stem, "en")
        if place is not None and index.type_of(place) == "place":
            return place
    return None


def _link_short_names(found: list[_Found], text: str, index: EntityIndex) -> None:
    """'Lohan' after 'Lindsay Lohan' (anywhere in the article) is the same ad-hoc person; 'Abdel Rahman' after
    the listed 'Rami Abdel Rahman' is that person (the end of a listed person's name as the article writes it).

    Tentative single words (sentence-initial, could be any capitalised word) survive only so linked.
    """
    full: dict[str, str] = {}
    for item in sorted(found, key=lambda f: (f.start, f.end)):
        if item.entity_id.startswith(ADHOC_PREFIX) and "-" in item.entity_id[len(ADHOC_PREFIX) :]:
            parts = item.entity_id[len(ADHOC_PREFIX) :].split("-")
            full.setdefault(parts[-1], item.entity_id)
            if item.method == "pattern-title":
                full.setdefault(parts[0], item.entity_id)
        elif " " in text[item.start:item.end] and index.type_of(item.entity_id) == "person":
            words = text[item.start:item.end].split()
            for k in range(1, len(words)):
                full.setdefault(slug(" ".join(words[k:])), item.entity_id)
    for item in found:
        short = item.entity_id[len(ADHOC_PREFIX) :]
        if item.entity_id.startswith(ADHOC_PREFIX) and short in full:
            item.entity_id = full[short]
            if item.method == _TENTATIVE:
                item.method = "pattern"
    found[:] = [item for item in found if item.method != _TENTATIVE]


def _resolve_context(
    contextual: Sequence[tuple[int, int, list[str]]], named: Sequence[_Found]
) -> list[_Found]:
    """A description refers to the candidate entity named nearest before it (or anywhere in the article)."""
    positions: dict[str, list[int]] = {}
    for item in named:
        positions.setdefault(item.entity_id, []).append(item.start)
    resolved: list[_Found] = []
    for start, end, candidates in contextual:
        best: tuple[int, str] | None = None
        for entity_id in candidates:
            before = [p for p in positions.get(entity_id, ()) if p < start]
            if before:
                key = (start - max(before), entity_id)
            elif entity_id in positions:
                key = (len(positions) * 10**9 + min(positions[entity_id]) - start, entity_id)
            else:
                continue
            best = key if best is None or key < best else best
        if best is not None:
            resolved.append(_Found(start, end, best[1], "context"))
    return resolved


def _salience(
    found: Sequence[_Found], text: str, index: EntityIndex | None, title: str | None
) -> dict[str, float]:
    """Frequency (relative to the most frequent entity), earliness of the first mention, title presence."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for item in found:
        counts[item.entity_id] = counts.get(item.entity_id, 0) + 1
        first.setdefault(item.entity_id, item.start)
    if title is not None and index is not None:
        in_title = {f.entity_id for f in _gazetteer(title, index)[0] + _patterns(title, [], [])}
    else:
        head_end = text.find("\n", 0, 300)
        head_end = head_end if head_end > 0 else min(len(text), 200)
        in_title = {f.entity_id for f in found if f.end <= head_end}
    top = max(counts.values(), default=1)
    length = max(1, len(text))
    return {
        entity_id: round(
            0.5 * count / top + 0.25 * (1.0 - first[entity_id] / length) + 0.25 * (entity_id in in_title), 4
        )
        for entity_id, count in counts.items()
    }


def initial_variants(entity_ids: Iterable[str]) -> dict[str, str]:
    """Ad-hoc ids of names written with one middle initial, mapped to the id the corpus gives the same
    name without it: one person, whom some outlets name "Paul D. Ryan" ('x:paul-d-ryan') and others
    "Paul Ryan" ('x:paul-ryan'). A name that goes with two initials in the corpus ("George W. Bush",
    "George P. Bush") keeps its ids: without the initial it could be either."""
    ids = set(entity_ids)
    candidates: dict[str, set[str]] = {}
    for entity_id in ids:
        if not entity_id.startswith(ADHOC_PREFIX):
            continue
        parts = entity_id[len(ADHOC_PREFIX):].split("-")
        middle = [i for i in range(1, len(parts) - 1) if len(parts[i]) == 1 and parts[i].isalpha()]
        # Words around the initial, not letters: "D-W.Va." (a senator's party and state) is no name.
        if len(middle) != 1 or any(len(p) < 2 for i, p in enumerate(parts) if i != middle[0]):
            continue
        plain = ADHOC_PREFIX + "-".join(p for i, p in enumerate(parts) if i != middle[0])
        if plain in ids:
            candidates.setdefault(plain, set()).add(entity_id)
    return {variant: plain for plain, variants in candidates.items() if len(variants) == 1 for variant in variants}


def entities_for(mentions: Iterable[Mention], index: EntityIndex) -> list[Entity]:
    """Entity records for every id in `mentions`: table entries as they are, ad-hoc ones from their text."""
    by_id: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_id.setdefault(mention.entity_id, []).append(mention)
    out: list[Entity] = []
    for entity_id in sorted(by_id):
        known = index.entity(entity_id)
        if known is not None:
            out.append(known)
            continue
        group = by_id[entity_id]
        forms = sorted({m.text for m in group if m.method != "context"})
        name = max(forms, key=lambda f: (len(f.split()), len(f), f)) if forms else group[0].text
        kind = "person" if any(m.method == "pattern-title" for m in group) else "misc"
        out.append(Entity(entity_id, name, kind, forms))
    return out
