"""Speaker names for attributions: names read from the source phrase, pronouns and descriptions
resolved to the nearest earlier compatible named speaker. Unknown stays None (never guess):
"a source", "officials", or a pronoun with no named speaker before it give no name.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property
from itertools import islice

from echotrace.annotate.entities import (
    DATE_WORDS,
    NAME_PARTICLES,
    NOT_NAMES,
    ORG_HEADS,
    apostrophes_lost,
    body_names,
    place_names,
)
from echotrace.annotate.given_names import Gender, given_name_gender, given_name_locales, is_known_surname
from echotrace.annotate.morphology import nominative
from echotrace.annotate.outlet import is_outlet_name, masthead_outlet
from echotrace.annotate.quote_rules import (
    ARTICLES,
    POSSESSIVE,
    SUBJECTLESS,
    TITLE_ABBREVIATIONS,
    CuePatterns,
    Found,
    cue_patterns,
    is_adjective,
)
from echotrace.annotate.quote_tokens import compound_head, is_title_word

# Acronyms with dots ("U.N.", "U.S.") stay one word: joined as words they would read "U N". French
# elided articles are words of their own ("l'Observatoire": "l'" and the name); "D'Amato" is a name.
_WORD = re.compile(r"(?:\w\.){2,}|(?<![\w’'])[ldL][’'](?=\w)|\w+(?:[’'\-]\w+)*|[^\w\s]")
_ENGLISH_ARTICLES = cue_patterns("en").articles
_PLACE_BEFORE = ARTICLES | {"at", "in", "into", "near", "à", "au", "en", "im"}
# An Arabic "servant of" name written as one word, in any of its transliterations ("Abdurrahman",
# "Abdulrahman", "Abdel-Rahman"), and the name it is of; not "Abdullah", one name.
_GLUED_ABD = re.compile(r"abd(?:el|ul|al|ur|ar|er|u|e)?-?(?:al-|el-|ar-|ur-)?([^\W\d_]{4,})")
# First words of two-word surnames ("Abdel Rahman", "Abu Leith", "de Mistura", "Le Pen").
_SURNAME_STARTS = frozenset("abdel abdul abd abu bin ibn al el de del della di da van von le la".split())
# "of"/"for"/"on" inside a capitalised run: an organisation ("Syrian Observatory for Human Rights"),
# or after a title the office it names ("Secretary of State John Kerry").
_OFFICE_JOINERS = frozenset(("of", "for", "on"))
_BARE_POSSESSIVE = re.compile(r"^([A-Z]{2,})s$")
# One of an outlet's staff (plurals name no one: "two American journalists").
_PRESS_ROLES = frozenset("reporter correspondent journalist photographer cameraman stringer".split())
# Before these, a name is where something happens ("peace talks in Geneva"), not who speaks.
_PLACE_PREPOSITIONS = frozenset("in at near inside outside across around".split())
# Between a place preposition and the place ("in eastern Aleppo"); a closed list, since other words
# there ("at the scene Muaz al-Shami", "advisers to Clinton") start what speaks.
_PLACE_ADJECTIVES = frozenset("eastern western northern southern northeastern northwestern southeastern "
                              "southwestern central rural besieged coastal nearby neighbouring neighboring "
                              "rebel-held government-held opposition-held war-torn".split())
# A broadcaster named only by its medium ("Syrian state TV", "regime TV"): the medium is no name.
_MEDIA_WORDS = frozenset("tv television radio".split())
_STATE_MEDIA = _MEDIA_WORDS | {"media"}
_APPOSITION_MARKS = frozenset(",(—–:")  # "Mohamad Sabra, the …"; not "U.S.-based"
# "The city of Phoenix is demanding", "the government of President Bashar al-Assad says": the
# place or person after "of" speaks through the body these words name.
_BODY_NOUNS = frozenset("city state town county province country region village government administration "
                        "regime office cabinet".split())
# "75 percent of Democrats said", "a majority of Republicans" (_share_of).
_SHARE_NOUNS = frozenset("percent cent % majority minority half third quarter most many some all none share "
                         "plurality".split())
# "-ish" names a nationality only in these; "Jaish al-Islam" is an army's name.
_ISH_DEMONYMS = frozenset("british english irish scottish turkish kurdish spanish danish polish finnish swedish "
                          "jewish flemish cornish amish".split())
# Members of a party, a faith or a people whose plural `_is_demonym` does not read ("Democrats",
# "Christians": a given name too, "Israelis", "Kurds").
_GROUP_MEMBERS = frozenset("democrat republican conservative liberal progressive libertarian evangelical "
                           "hispanic latino latina kurd druze alawite sunni shiite israeli iraqi saudi pakistani "
                           "yemeni kuwaiti qatari emirati omani somali bangladeshi afghan arab jew muslim "
                           "christian catholic protestant".split())
_MAX_ORG_WORDS = 6
# A party's member before a name says which side the person is on, not who ("Republican Donald Trump").
_PARTY_MEMBERS = frozenset(("democrat", "republican"))
# A given name in this many locales' lists ("Hillary", "Dorothy") surely opens the name after a word that is
# in none ("Rival", "Widow"); a rarer one may be a second given name.
_COMMON_GIVEN_NAME = 3
# Between a lower-case title and the name of its office ("ministro degli Esteri Luigi Bianchi", "sindaco di
# South Bend Pete Buttigieg", "segretario alla Difesa Mark Esper"); not the English "for", after which a
# person's whole name may follow ("a spokesman for Mary Ann Smith").
_OFFICE_OF = frozenset("de del della degli dei di dello alla ai agli do da des du".split())
_SAME_GIVEN_NAME = 0.75  # spelling similarity of two transliterations ("Ahmad", "Ahmed": 0.8; "Muhammad", "Mohammed")
_MAX_NAME_WORDS = 3  # "John F Kerry"; longer runs are a title or a place before the name
_MAX_ACRONYM = 5  # "WHO" said, even where "who" is a word of the text too
# A contraction ("They’re", "I'd") or a party-and-state tag ("R-Fla", "D-Mo") read as a one-word name.
_NOT_A_SURNAME = re.compile(r"[’'](?:re|d|ve|m|ll)$|^[DRI]-[A-Z][a-z]*$")
# A capitalised pair in a title-case headline is a name only when its first word is a given name in
# this many locales' lists: "Hillary Clinton", not "Exploits Trump" or "Rich Trump".
_HEADLINE_GIVEN_NAME_LOCALES = 2
# A given name before "Given Surname" makes a three-word name only when many locales list it: "John Ellis
# Bush", not "Will Jeb Bush win?" (Will: one locale); so does one before a middle initial ("John G
# Roberts Jr", not "Author J K Rowling": Author, one locale).
_MIDDLE_NAME_GIVEN_LOCALES = 3


@dataclass(slots=True)
class Speaker:
    name: str
    is_org: bool
    key: str
    position: int
    context: frozenset[str]
    gender: Gender | None
    # Word stems of the phrases that named the speaker ("the Syrian Observatory for Human Rights monitoring
    # group"): the kind of body it is, for a description later ("the monitor said").
    kinds: frozenset[str] = frozenset()


def speaker_key(name: str) -> str:
    """Comparison key of a speaker name: a person's surname ("Vladimir Putin" = "Putin"),
    an organisation's full name, lower-cased, without Arabic article or possessive."""
    words = [w for w in _WORD.findall(name) if w[0].isalnum()]
    if not words:
        return ""
    low = [w.lower() for w in words]
    if len(words) >= 2 and (_looks_like_org(low) or any(w in _OFFICE_JOINERS or w == "and" for w in low[1:-1])):
        return " ".join(low)  # a body's full name, or two speakers ("John Bolton and Sebastian Gorka")
    last = POSSESSIVE.sub("", low[-1])
    for particle in ("al-", "el-", "ad-", "as-"):
        if last.startswith(particle):
            last = last[len(particle):]
    glued = _GLUED_ABD.fullmatch(last)  # "Abdurrahman", "Abdulrahman": the "Rahman" of "Abdel Rahman"
    return glued.group(1) if glued and not glued.group(1).startswith(("lah", "llah")) else last


def _looks_like_org(lower_words: Sequence[str]) -> bool:
    heads = cue_patterns("en").org_heads
    return lower_words[-1] in heads or lower_words[-1] in _STATE_MEDIA or any(w in heads for w in lower_words[-2:])


def _stem(word: str) -> str:
    return POSSESSIVE.sub("", word.lower())[:5]


_ARABIC_ARTICLES = frozenset(("al-", "el-", "ad-", "as-"))


def _is_capitalised(word: str) -> bool:
    """Name-like: "Putin", "al-Assad"; not "US-led" (an adjective compound)."""
    if word[2:3] == "-" and word[:3].lower() in _ARABIC_ARTICLES:
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
    while len(words) > 2 and words[-1].lower() in NOT_NAMES and words[-2].islower():
        words = words[:-2] if words[-2] in _JOINERS else words[:-1]  # "Gabbard on Wednesday"
    words = words[:_adjunct_after_name(words, cues)]  # "Igor Konashenkov in an emailed statement"
    article_before = ""
    while (words and words[0].lower() in ARTICLES and not _is_initials(words[0])
           and not _is_name_article(words, 0, cues)):  # "the UN" is no French "un"
        article_before, words = words[0].lower(), words[1:]
    if not words:
        return None
    if (article_before and len(words) == 1 and len(words[0]) > 1 and _is_acronym(words[0])
            and words[0].lower() not in _MEDIA_WORDS):
        # "the WHO", "The SDF": a body's initials, no person; "an NGO": one the text does not name
        return None if article_before in cues.indefinite else (words[0], True)
    lead = _leading_name(words, cues)
    if lead is not None:  # "Lena Fischer, a reporter for Radio Eastvale": the name the apposition follows
        return _name_in(lead, cues)
    if _names_body(words, cues):
        # "ministère russe de la Défense", "Pressedienst von X"; a document is no body: "report published
        # by Human Rights Watch"
        return " ".join(words), True
    body = next((k for k in range(2, len(words) - 1) if words[k - 1].lower() in _JOINERS and words[k].islower()
                 and _names_body(words[k:], cues) and any(w in _JOINERS for w in words[k + 1:])), None)
    if body is not None:  # "le porte-parole du ministère russe de la Défense": a body's people speak for it
        return " ".join(words[body:]), True
    if (_is_capitalised(words[0]) and _is_org_head(words[0], cues) and 1 < len(words) <= _MAX_ORG_WORDS + 2
            and (words[1] in _JOINERS | _OFFICE_OF or is_adjective(words[1])
                 or (len(words) > 2 and words[2] in _JOINERS | _OFFICE_OF))
            and all(w.islower() for w in words[1:])):
        # "Observatoire syrien des droits de l'homme", "Organisation mondiale de la santé", "Organizzazione
        # mondiale della sanità": French and Italian names go on in lower case
        return " ".join(words).replace("' ", "'").replace("’ ", "’"), True
    if not _is_capitalised(words[-1]):
        return _named_with_kind(words, article_before, cues)
    run = _final_run(words, cues)
    owner = max((i + 1 for i, w in enumerate(run[:-1]) if POSSESSIVE.search(w)), default=0)
    if owner and len(run) - owner >= 2 and given_name_locales(run[owner].lower()) > 0 and not any(
            _is_org_head(w, cues) for w in run[owner:]):
        run = run[owner:]  # "CNN’s Jake Tapper", "The Post’s Chris Cillizza": the person, not the outlet
    dated = max((i + 1 for i, w in enumerate(run) if w.lower() in DATE_WORDS), default=0)
    if len(run) - dated >= 2:
        run = run[dated:]  # "Early Sunday Abdel Rahman said", "In July Human Rights Watch said"
    if len(words) > len(run) and words[-len(run) - 1].lower() == "via":
        return _name_in(words[:-len(run) - 1], cues)  # "activist Ibrahim Khatib via Skype": the medium
    if len(run) == 1 and run[0].lower() in _MEDIA_WORDS:
        return _state_broadcaster(words)
    if len(run) == 1 and _names_group(run[0]):
        return run[0], True  # "Democrats said", "Syrians say": a group speaks as a body ("they", not "he")
    titles = [i for i, w in enumerate(run) if _is_title(w, cues) and not _is_initial(run, i)]
    joined = [i for i, w in enumerate(run) if w in _OFFICE_JOINERS and i - 1 not in titles]
    heads = [i for i, w in enumerate(run) if _is_org_head(w, cues)]
    named = _titled_person_of(run, titles, joined, heads)
    if named is not None:  # "Sen. Bernie Sanders of Vermont": the person, then where they serve
        return " ".join(_name_tail(named)), False
    if not heads and not titles and _share_of(words, len(words) - len(run)):
        return " ".join(run), True
    if not heads and not titles and _modifies(words, len(words) - len(run), cues):
        return None  # "the local council in Daraya": no name opens the phrase (see _leading_name above)
    if not heads and _of_someone(words, len(words) - len(run), cues):
        return None  # "the main rival of Prime Minister Benjamin Netanyahu": the rival, whom the text does not name
    if heads and heads[0] >= 2 and run[heads[0] - 1].lower() in _JOINERS and not titles and not joined:
        return " ".join(run[heads[0]:]), True  # "Fuentes del Ministerio de Defensa": those of a body speak for it
    if heads and not joined and len(run) - heads[-1] > 2 and run[heads[-1] + 1].lower() not in _JOINERS:
        run = run[heads[-1] + 1:]  # "Syrian Coalition Anas al-Abdah": a member, named after the body
        titles = [i for i, w in enumerate(run) if _is_title(w, cues)]
    elif (joined or heads) and not (titles and heads and titles[-1] > heads[-1] and len(run) - titles[-1] > 2):
        return _said_by_body(words, run, titles, heads, cues)
    # else a person after the body's title: "Syrian Observatory for Human Rights Director Rami Abdel Rahman"
    person = run[titles[-1] + 1:] if titles else run
    before = words[:len(words) - len(run)]
    office = not titles and len(before) >= 2 and before[-1].lower() in _OFFICE_OF and _is_title(before[-2], cues)
    title = before[-2].lower().strip(".") if office else ""
    if (office and not any(given_name_locales(w.lower()) > 0 for w in person)
            and title not in cues.body_titles and title not in TITLE_ABBREVIATIONS):
        return None  # "el ministro de Educación": the office, where no person is named; not "le Dr di Lollo"
    if office and len(person) >= 3:
        given = next((k for k in range(1, len(person) - 1) if given_name_locales(person[k].lower()) > 0), 1)
        person = person[given:]  # "ministro degli Esteri Luigi Bianchi": the office's name, then the person
    if person and person[0] in _OFFICE_JOINERS:  # "of State John Kerry": the office, then the name
        start = max(2, len(person) - 2)
        while start > 2 and len(person[start]) == 1:  # "of State John F Kerry": an initial needs its name
            start -= 1
        person = person[start:]
    while len(person) > 1 and person[0].lower() in NOT_NAMES and (
            len(person) > 2 or person[0].lower() not in DATE_WORDS):
        person = person[1:]  # "Early Sunday Abdel Rahman said", "For Trump" (not "Jan Kowalski")
    place = max((k + 1 for k, w in enumerate(person[:-2])
                 if w.casefold() in place_names() and given_name_locales(person[k + 1].lower()) > 0), default=0)
    person = person[place:]  # "МИД России Мария Захарова", "in Damascus Rami Abdel Rahman" (punctuation lost)
    if not person:
        return None
    return " ".join(_name_tail(person)), False


# Prepositions that open how or where a named source spoke, not who it is.
_ADJUNCT_PREPOSITIONS = frozenset("in at on during via through from after before with over".split())


def _adjunct_after_name(words: Sequence[str], cues: CuePatterns) -> int | None:
    """Where lower-case words after a source's name start an adjunct ("Igor Konashenkov in an emailed
    statement", "Josh Earnest in" where the tagger cut the phrase short), or None (the whole phrase). Only
    after a phrase that is the name and its titles: a name inside a clause or after a preposition is not the
    source ("The union, which endorsed Hillary Clinton in November", "an executive at the Clinton Foundation
    in 2009", "violence in Syria through …"), nor is a lone word that is no known surname ("Footage from the
    game", "Six in 10")."""
    last = max((i for i, w in enumerate(words) if _is_capitalised(w)), default=-1)
    if last < 0 or last + 1 >= len(words) or words[last + 1].lower() not in _ADJUNCT_PREPOSITIONS:
        return None
    first = last
    while first > 0 and (_is_capitalised(words[first - 1])
                         or (words[first - 1] in _JOINERS and first >= 2 and _is_capitalised(words[first - 2]))):
        first -= 1
    before = [w for w in words[:first] if w.lower() not in ARTICLES]
    if any(not w[0].isalpha() for w in before):
        return None
    lower = [w for w in before if not _is_capitalised(w)]
    if lower and not (_is_title(lower[-1], cues) or _is_role(lower[-1].lower(), cues)):
        return None
    if not before and first == last and not (is_known_surname(words[last]) or _is_acronym(words[last])):
        return None
    return last + 1


def _named_with_kind(words: Sequence[str], article: str, cues: CuePatterns) -> tuple[str, bool] | None:
    """The body a phrase names before one or two lower-case words of what kind of body it is: the name alone
    when it names the body ("SANA news agency", "the Syrian Observatory for Human Rights monitoring group"),
    with the kind when it names a person ("the Trump campaign", "Gowdy’s office"), and a nation's body by its
    nationality or place ("the Syrian government", "Russia's military", "China’s foreign ministry"). Any other
    phrase ending in a lower-case word describes someone it does not name ("the Russian general", "a Syrian
    group", "the newspaper", "His campaign", "Opposition forces"). `article`: the one the phrase opened with,
    if any."""
    if _is_state_media(words):
        return _state_broadcaster(words)  # "Syrian state television", "Iran's state media"
    tail = next((k for k in (len(words) - 1, len(words) - 2)
                 if k > 0 and all(w.islower() for w in words[k:]) and _is_capitalised(words[k - 1])), None)
    if (tail is None or not (_is_org_head(words[-1], cues) or words[-1] in cues.state_bodies)
            or any(POSSESSIVE.search(w) for w in words[tail:])
            or words[tail].endswith("ed")):  # "the London based monitor": a description
        return None
    kind, owner = words[tail:], words[tail - 1]
    before = words[tail - 2].lower() if tail >= 2 else article
    if owner.lower() in ARTICLES or article in cues.indefinite or before in cues.indefinite:
        return None
    if _names_nation(owner) or owner.lower() in _PARTY_MEMBERS:
        alone = tail == 1 or before in ARTICLES
        one_body = ((len(kind) == 1 and kind[0] in cues.state_bodies)
                    or (len(kind) == 2 and kind[1] in cues.state_offices))  # "Russia’s defence ministry"
        return (f"{_nationality(owner)} {' '.join(kind)}", True) if alone and one_body else None
    named = _name_in(words[:tail], cues)
    if named is None:
        return None
    name, is_org = named
    if not name[:1].isupper() or not name.endswith(owner):
        return None
    if not (" " in name or _is_acronym(name) or POSSESSIVE.search(owner) or before in ARTICLES):
        return None  # a sentence's first word, which may be no name at all
    return (name, True) if is_org or _is_acronym(name) else (f"{name} {' '.join(kind)}", True)


def _nationality(owner: str) -> str:
    """"Syria’s" → "Syrian", "Russia’s" → "Russian": the possessive of a place whose name ends in "-ia" as the
    nationality its bodies are also written with, so that "Syria’s government" and "Syrian government" are
    one speaker; other places as written ("China’s", "Israel’s": their adjectives are irregular)."""
    place = POSSESSIVE.sub("", owner)
    if place != owner and place.endswith("ia") and place.casefold() in place_names():
        return place + "n"
    return owner


def _names_nation(word: str) -> bool:
    """"Syrian", "Russia's", "Syria": a nationality or a place, whose government, army or media a phrase names."""
    return _is_demonym(word) or POSSESSIVE.sub("", word).casefold() in place_names()


def _said_by_body(words: Sequence[str], run: Sequence[str], titles: Sequence[int], heads: Sequence[int],
                  cues: CuePatterns) -> tuple[str, bool] | None:
    """Who speaks in a phrase whose final capitalised run names a body: a person named after the body, the
    holder of an office named before it, the body for its spokesperson, no one for an office holder the text
    does not name, else the body."""
    member = _person_at_end(run, heads[-1] + 1 if heads else len(run)) or _person_after_known_body(run, cues)
    if member is not None:  # "the Director of the Syrian Observatory for Human Rights Karim Abu Saleh"
        return " ".join(_name_tail(member)), False
    roles = [i for i in titles if _is_role(run[i].lower(), cues)]  # not "Russian" (a nationality)
    ahead = list(words[:len(words) - len(run)])
    while len(ahead) >= 3 and ahead[-1].lower() in ARTICLES and ahead[-2].lower() in _JOINERS | _OFFICE_OF:
        ahead = ahead[:-1]  # "of the", "de la"; not the "des" of "Präsident des"
    if (not roles and heads and len(ahead) >= 2 and ahead[-1].lower() in _JOINERS | _OFFICE_OF
            and _is_role(ahead[-2].lower(), cues)):
        # "der Präsident des Bundesverbandes Großhandel", "the commander of the Army": the office again, held
        # by the person named before it ("Nasr al-Hariri Secretary General of the Syrian Coalition", its
        # commas lost), or a body's spokesperson speaking for it, or no one the text names
        holder = _name_before_office(ahead[:-1], cues)
        if holder is not None:
            return " ".join(_name_tail(holder)), False
        return (" ".join(run), True) if ahead[-2].lower() in cues.body_titles else None
    if roles and heads and roles[-1] < heads[0] and run[roles[-1] + 1].lower() in _JOINERS:
        # "el Comandante de la Oficina de Seguridad": the same inside the run
        if run[roles[-1]].lower() not in cues.body_titles:
            return None
        start = roles[-1] + 1
        while start < heads[0] and (run[start].lower() in _JOINERS or run[start].lower() in ARTICLES):
            start += 1
        return " ".join(run[start:]), True
    if roles and heads and roles[-1] == len(run) - 1 and run[-1].lower() in cues.body_titles:
        return " ".join(run[:-1]), True  # "the Defense Ministry Spokesman": the body the spokesman speaks for
    return " ".join(run), True


def _person_at_end(words: Sequence[str], start: int) -> list[str] | None:
    """The two or three last words when they name a person by a known given name, from `start` on
    ("… for Human Rights Karim Abu Saleh"), else None; not a name's words after "the" or "of" ("of the
    Red Cross")."""
    for k in range(max(start, len(words) - 3, 1), len(words) - 1):
        if (all(_is_capitalised(w) for w in words[k:]) and given_name_locales(words[k].lower()) > 0
                and words[k - 1].lower() not in ARTICLES and words[k - 1].lower() not in _JOINERS):
            return list(words[k:])
    return None


def _person_after_known_body(run: Sequence[str], cues: CuePatterns) -> list[str] | None:
    """The two or three capitalised words after a body the alias table spells ("Syrian Observatory for
    Human Rights Rami Abdel Rahman": the given name is in no list, the body's name is in the table);
    not another body's words ("UN Security Council")."""
    for k in (len(run) - 3, len(run) - 2):
        if k > 0 and " ".join(run[:k]).casefold() in body_names() and all(
                _is_capitalised(w) and not _is_org_head(w, cues) and not _is_title(w, cues) for w in run[k:]):
            return list(run[k:])
    return None


def _name_before_office(words: Sequence[str], cues: CuePatterns) -> list[str] | None:
    """The person named right before the title words that end `words` ("Nasr al-Hariri Secretary
    General"): two or three capitalised words that are no title, body or nationality, else None."""
    end = len(words)
    while end and _is_role(words[end - 1].lower(), cues):
        end -= 1
    start = end
    while start > max(0, end - 3) and _is_capitalised(words[start - 1]) and not (
            _is_title(words[start - 1], cues) or _is_org_head(words[start - 1], cues)):
        start -= 1
    return list(words[start:end]) if end < len(words) and end - start >= 2 else None


def _names_body(words: Sequence[str], cues: CuePatterns) -> bool:
    """Whether the words name a body by an organisation word and capitalised words after it
    ("ministère russe de la Défense", "Landesamt für Umwelt"), not a document or a titled person."""
    return (_is_org_head(words[0], cues) and words[0].lower() not in cues.documents and not _role_then_person(words)
            and any(_is_capitalised(w) for w in words[1:]) and _is_capitalised(words[-1])
            and len(words) <= _MAX_ORG_WORDS and not any(_is_title(w, cues) or not w[0].isalnum() for w in words))


def _name_tail(person: Sequence[str]) -> list[str]:
    """A person's name from the words that end with it: the last three words, a run of particles
    counted as one ("Alexander Van Der Bellen", not "Van Der Bellen"; "Staffan de Mistura"), and the
    given name before a middle initial ("John G Roberts Jr", not "G Roberts Jr"; "J K Rowling" has none)."""
    counted = 0
    start = len(person)
    while start > 0:
        inside_run = person[start - 1].lower() in NAME_PARTICLES and start > 1 and (
            person[start - 2].lower() in NAME_PARTICLES)
        if not inside_run:
            if counted >= _MAX_NAME_WORDS and (len(person[start]) > 1 or given_name_locales(
                    person[start - 1].lower()) < _MIDDLE_NAME_GIVEN_LOCALES):
                break
            counted += 1
        start -= 1
    return list(person[start:])


_JOINERS = frozenset("of for on de du des la von für der del al".split())  # "al": "Jaish al Islam"


def _press_outlet(words: Sequence[str], cues: CuePatterns) -> list[str] | None:
    """The news outlet whose unnamed staff a phrase names ("SANA reporter in Homs", "an AFP
    photographer in Douma", "a reporter for USA Today"): the outlet speaks through them. Not when
    the role's phrase is an apposition or a name follows the role ("Christopher Heath, a reporter
    for WFTV" and "Reuters reporter John Smith" are the persons)."""

    def apposition(start: int) -> bool:
        if start > 0 and words[start - 1].lower() in ARTICLES:
            start -= 1
        return start > 0 and words[start - 1] == ","

    for k, word in enumerate(words):
        if word.lower() not in _PRESS_ROLES:
            continue
        if k + 1 < len(words) and _is_capitalised(words[k + 1]):
            return None
        if k > 0 and _is_capitalised(words[k - 1]) and words[k - 1].lower() not in ARTICLES:
            run = _final_run(words[:k], cues)
            if apposition(k - len(run)):
                return None
            while len(run) > 1 and (run[0].lower() in NOT_NAMES or run[0].lower() == "another"):
                run = run[1:]
            # "SANA’s correspondent", and "SANAs correspondent" where the apostrophe was lost.
            run[-1] = POSSESSIVE.sub("", _BARE_POSSESSIVE.sub(r"\1", run[-1])) or run[-1]
            return None if len(run) == 1 and _is_demonym(run[0]) else run  # "American journalists"
        if (not apposition(k) and k + 2 < len(words) and words[k + 1].lower() in ("for", "with", "of", "from")
                and _is_capitalised(words[k + 2])):
            end = k + 3
            while end < len(words) and (_is_capitalised(words[end]) or (
                    words[end].lower() in _JOINERS and end + 1 < len(words) and _is_capitalised(words[end + 1]))):
                end += 1
            return list(words[k + 2:end])
        return None
    return None


def _final_run(words: Sequence[str], cues: CuePatterns) -> list[str]:
    """The capitalised words a phrase ends with, joining words inside a name included ("Syrian
    Observatory for Human Rights", "Jaish al Islam", "Marine Le Pen")."""
    run = [words[-1]]
    for index in range(len(words) - 2, -1, -1):
        word = words[index]
        # "von der", "de la" inside a name ("Ursula von der Leyen"): the second particle joins too
        second = (index > 1 and word.lower() in NAME_PARTICLES and words[index - 1].lower() in NAME_PARTICLES
                  and _is_capitalised(words[index - 2]))
        joiner = second or (word.lower() in _JOINERS and index > 0 and _is_capitalised(words[index - 1]))
        if not _joined_article(words, index, cues) and not _is_initial(words, index) and (
                not (_is_capitalised(word) or joiner)
                or (word.lower() in ARTICLES and not second and not _is_name_article(words, index, cues))):
            break
        run.insert(0, word)
    return run


def _is_initial(words: Sequence[str], index: int) -> bool:
    """A single capital between a given name and another capitalised word is a middle initial, even
    one that is an article or a title elsewhere: "Julie A Diaz Martinez", "Virgie M Rollins" (not the
    French "M." of "M. Hollande")."""
    return (len(words[index]) == 1 and words[index].isupper() and 0 < index < len(words) - 1
            and given_name_locales(words[index - 1].lower()) > 0 and _is_capitalised(words[index + 1]))


def _role_then_person(words: Sequence[str]) -> bool:
    """A phrase ending in a role and a person's name: "Radio talk host Rush Limbaugh", "campaign manager
    Jeff Weaver" (a given name after a lower-case word that joins nothing)."""
    return (len(words) >= 3 and _is_capitalised(words[-1]) and _is_capitalised(words[-2])
            and given_name_locales(words[-2].lower()) > 0 and words[-3].islower()
            and words[-3] not in _JOINERS and words[-3] not in ARTICLES)


def _joined_article(words: Sequence[str], index: int, cues: CuePatterns) -> bool:
    """A lower-case "the" inside an organisation's name, after its organisation word and "of"/"for"
    ("International Committee of the Red Cross", "Organisation for the Prohibition of Chemical
    Weapons"); not after a person or a title ("Rami Abdel Rahman of the Syrian Observatory", "Director
    of the …")."""
    return (words[index] == "the" and 1 < index < len(words) - 1 and words[index - 1].lower() in _JOINERS
            and _is_org_head(words[index - 2], cues) and _is_capitalised(words[index + 1]))


def _is_name_article(words: Sequence[str], index: int, cues: CuePatterns) -> bool:
    """A capitalised article that is a word of the name it opens: inside a name ("Marine Le Pen",
    "Alexander Van Der Bellen"), opening a known masthead ("El País dijo"), or opening a name in
    another language's text ("Die Welt" in English), but not in its own ("Le Kremlin a déclaré").
    English articles never are: "The Washington Post", and "Aleppo The Syrian Observatory" where
    punctuation was lost."""
    word = words[index]
    low = word.lower()
    if (not word[:1].isupper() or index + 1 >= len(words) or not _is_capitalised(words[index + 1])
            or low in _ENGLISH_ARTICLES):
        return False
    previous = words[index - 1] if index > 0 else ""
    mastheads = (" ".join(words[index:end]) for end in range(index + 2, min(len(words), index + 4) + 1))
    return ((_is_capitalised(previous) and previous.lower() not in ARTICLES) or low not in cues.articles
            or any(is_outlet_name(name) for name in mastheads))


def _is_state_media(words: Sequence[str]) -> bool:
    """ "Syrian state television", "Iran's state media": a nation's broadcaster, a body even where its last word
    alone is a generic source ("media reports")."""
    return len(words) >= 3 and words[-2] == "state" and words[-1] in _STATE_MEDIA and _names_nation(words[-3])


def _state_broadcaster(words: Sequence[str]) -> tuple[str, bool] | None:
    """ "Syrian state TV" as one name; None for a medium with no capitalised word just before its
    modifier ("regime TV", "government run TV")."""
    if len(words) >= 3 and words[-2].islower() and _is_capitalised(words[-3]):
        return " ".join(words[-3:]), True
    return None


def _titled_person_of(run: Sequence[str], titles: Sequence[int], joined: Sequence[int],
                      heads: Sequence[int]) -> list[str] | None:
    """The name between a title and an "of" that follows it ("Rep. Elijah Cummings of Maryland",
    "President Bashar al-Assad of Syria"), unless an organisation word stands in it; None otherwise.
    A nationality is no title here: "Syrian Obervatory for Human Rights" (misspelt) is a body."""
    if not joined or run[joined[0]].lower() != "of":
        return None
    before = [t for t in titles if t < joined[0] and not _is_demonym(run[t])]
    if not before or joined[0] - before[-1] < 2 or any(before[-1] < h < joined[0] for h in heads):
        return None
    return list(run[before[-1] + 1:joined[0]])


def _modifies(words: Sequence[str], start: int, cues: CuePatterns) -> bool:
    """Whether the name at `words[start:]` is the object of a modifier, not the phrase's speaker:
    after a place preposition ("the local council in Daraya") or after "of"/"for" that follows no
    title ("an ally of Syria's Bashar al-Assad", "the capture of Palmyra"; but "a spokesman for
    Hamas", "the head of the Observatory", "the city of Phoenix" speak for the name)."""
    if start == 0:
        return False
    k = start - 1
    while k > 0 and start - k <= 3 and words[k] in _PLACE_ADJECTIVES:  # "in northern rural Homs"
        k -= 1
    if words[k].lower() in _PLACE_PREPOSITIONS:
        return True
    before = words[start - 1].lower()
    if before not in ("of", "for"):
        return False
    if start >= 2 and words[start - 2].lower() in _BODY_NOUNS:  # the body speaks unless it is itself a place:
        return _modifies(words, _noun_phrase_start(words, start - 2), cues)  # "near the Syrian city of Homs"
    return start < 2 or not (_is_title(words[start - 2], cues) or _share_of(words, start))


def _of_someone(words: Sequence[str], start: int, cues: CuePatterns) -> bool:
    """Whether the titled person at or after `words[start:]` is whose, not who: after "of" (or "du", "de", …) that
    follows a lower-case noun that is no title or body ("the wife of President X", "an ally of President X",
    "le principal rival du Premier ministre X"; but "a spokesman for President X", "the office of President X")."""
    person = start
    while start > 0 and (_is_title(words[start - 1], cues) or is_adjective(words[start - 1])):
        start -= 1  # "du Premier ministre israélien Benjamin Netanyahu": back to the "of"
    titled = start < person or any(_is_title(w, cues) for w in words[person:])
    if not titled or start < 2 or words[start - 1].lower() not in _OFFICE_OF | {"of"}:
        return False  # untitled: "Según estimaciones de UBS" speaks for UBS (_modifies reads the English "of")
    noun = words[start - 2]
    return (noun.isalpha() and noun.islower() and not _is_title(noun, cues) and noun not in _BODY_NOUNS
            and not _share_of(words, start))


def _noun_phrase_start(words: Sequence[str], noun: int) -> int:
    """Where the phrase of the noun at `noun` starts: its article and the adjectives of place or
    nationality before it ("the western Syrian city")."""
    start = noun
    while start > 0 and noun - start < 4 and (words[start - 1].lower() in ARTICLES
                                             or words[start - 1] in _PLACE_ADJECTIVES or _is_demonym(words[start - 1])):
        start -= 1
    return start


def _share_of(words: Sequence[str], start: int) -> bool:
    """Whether the name at `words[start:]` is the group a share is of ("75 percent of Democrats",
    "a majority of Republicans"): the group speaks, as a body ("they", never "he" or "she")."""
    if start < 2 or words[start - 1].lower() != "of":
        return False
    head = words[start - 2].lower()
    return head in _SHARE_NOUNS or head.endswith("%")


def _two_people(first: str, second: str) -> bool:
    """Two full names of one surname with different given names: two people ("Ivanka Trump",
    "Donald Trump"), never merged into one speaker; "Ahmad Jarba" and "Ahmed al-Jarba" are spellings,
    "Ken Starr" short for "Kenneth Starr", "Kay Henry" the end of "Mary Kay Henry"."""
    given_a, given_b = first.split()[0].lower(), second.split()[0].lower()
    return (_opens_with_given_name(first) and _opens_with_given_name(second)
            and SequenceMatcher(None, given_a, given_b).ratio() < _SAME_GIVEN_NAME
            and not given_a.startswith(given_b) and not given_b.startswith(given_a)  # "Ken", "Kenneth"
            and not first.endswith(" " + second) and not second.endswith(" " + first))  # "Mary Kay Henry"


def _fuller_name(first: str, second: str, is_org: bool) -> str:
    """Which of two names of one speaker to show: the longer, except that a person's name opening
    with a given name beats a longer one opening with no given name that does not end with it
    ("Donald Trump", not "Blaming Assad Trump" from a headline that lost its punctuation, but
    "Zaradesht Mustafa Fatimi"), and one as long opening with a sentence's word ("Bernie Sanders",
    not "Why Sanders"; but "Jeh Johnson" and "Gary Johnson" are two people: the first seen stays)."""
    longer, shorter = sorted((first, second), key=lambda n: (len(n.split()), n), reverse=True)
    if is_org or longer.endswith(" " + shorter) or not _opens_with_given_name(shorter):
        return longer
    if len(shorter.split()) == len(longer.split()):
        return shorter if longer.split()[0].lower() in NOT_NAMES else first
    return longer if _opens_with_given_name(longer) else shorter


def _unnamed_reached_by(lower: Sequence[str], cues: CuePatterns) -> bool:
    """Unnamed people the agent after "by" reached: "residents contacted by Reuters", "sources quoted
    by AFP" (not "a report published by Human Rights Watch", whose author speaks)."""
    by = lower.index("by") if "by" in lower else -1
    return by > 1 and lower[by - 1].endswith("ed") and any(
        w in cues.generic_sources and w not in cues.documents for w in lower[:by - 1])


def _after_dateline(words: list[str]) -> list[str]:
    """A source phrase that opens its line without the dateline before it: "WASHINGTON — Sen. Bernie
    Sanders", "RANGOON, Burma - Aung San Suu Kyi's allies", "BRENHOLM, May 29 (KPS) – Foreign Minister
    Henrik Saalfeld" name the senator, the allies and the minister, not the city."""
    return words[_dateline_length(words):]


def dateline_end(text: str, start: int, end: int) -> int:
    """Where a passage starting at `start` begins once the dateline opening its line is left out
    ("BRENHOLM, Oct 9 (KPS) – The Aldra river …", also from "Oct 9 (KPS) – …"); `start` when none covers it."""
    line = text.rfind("\n", 0, start) + 1
    if start - line > _DATELINE_CHARS:
        return start
    matches = list(islice(_WORD.finditer(text, line, end), _DATELINE_WORDS + 4))
    length = _dateline_length([m.group() for m in matches])
    return matches[length].start() if 0 < length < len(matches) and matches[length].start() > start else start


def _dateline_length(words: Sequence[str]) -> int:
    """How many of the words a dateline takes: the city in capitals, then what follows its comma (the
    country or state, the date, the agency), up to the dash; 0 without one."""
    end = 0
    while end < len(words) and words[end].isupper() and words[end].isalpha():
        end += 1
    if end == 0 or (end == 1 and len(words[0]) < 3):
        return 0
    if end < len(words) and words[end] == ",":  # the country or state, the date, the agency after the city
        limit = end + _DATELINE_WORDS
        end += 1
        while end < min(len(words), limit) and (
                _is_capitalised(words[end]) or words[end].isdigit() or words[end] in _DATELINE_MARKS):
            end += 1
    if end == len(words) or words[end] not in _DASHES:
        return 0
    while end < len(words) and words[end] in _DASHES:  # "--" is two words
        end += 1
    return end


_DASHES = frozenset("—–-")
# What a dateline carries between its city and its dash: "RANGOON, Burma -", "CASTELLON, May 28 (VNA) –".
_DATELINE_WORDS = 8
_DATELINE_MARKS = frozenset(",.()/")
_DATELINE_CHARS = 60


def _leading_name(words: Sequence[str], cues: CuePatterns) -> list[str] | None:
    """The capitalised run a phrase opens with when an apposition, a relative clause or the post a full
    name holds follows it ("Mohamad Sabra, the head negotiator …", "Russia, a key ally of …", "the
    Observatory which relies on contacts inside Syria", "Hadi al-Bahra president of the …"); None when
    the phrase opens with a lower-case word or the run modifies a noun ("AFP photographer")."""
    end = 0
    while end < len(words) and (_is_capitalised(words[end]) or _joined_article(words, end, cues) or (
            0 < end < len(words) - 1 and words[end].lower() in _JOINERS
            and (_is_capitalised(words[end + 1]) or _joined_article(words, end + 1, cues)))):
        end += 1
    if end == 0 or end == len(words) or (end == 1 and words[0].lower() in NOT_NAMES):
        return None  # nothing, all of it, or a sentence's opening word ("Later the ministry, which")
    following = words[end]
    low = following.lower()
    appositive = following in _APPOSITION_MARKS or low in ARTICLES or low in cues.relatives
    return list(words[:end]) if appositive or _post_follows(words, end, cues) else None


def _post_follows(words: Sequence[str], end: int, cues: CuePatterns) -> bool:
    """A full name words[:end], then the post it holds in a body: "Rami Abdel Rahman head of the Syrian
    Observatory" (commas lost); not "Duncan Hunter’s chief of staff", nor "Reagan chief of staff Don Regan"."""
    body = words[end + 2:end + 3]
    return (end >= 2 and words[end].islower() and words[end] in cues.titles and words[end + 1:end + 2] == ["of"]
            and bool(body) and (body[0] == "the" or _is_capitalised(body[0]))
            and not POSSESSIVE.search(words[end - 1]))


def _is_title(word: str, cues: CuePatterns) -> bool:
    return _is_role(word.lower().strip("."), cues) or _is_demonym(word)


def _is_role(low: str, cues: CuePatterns) -> bool:
    """"the general", "Bundeskanzlerin", and a hyphenated title ending in one ("Secretary-General",
    "vice-president", "co-chairman"); not a name whose article is hyphenated ("al-Sheikh")."""
    return low in TITLE_ABBREVIATIONS or is_title_word(
        low, cues.titles, cues.titles if "titles" in cues.compounds else frozenset())


def _is_org_head(word: str, cues: CuePatterns) -> bool:
    low = word.lower()
    return low in ORG_HEADS or _listed(low, cues, "org_heads")  # "the ministry", "Verteidigungsministerium"


def _is_generic(word: str, cues: CuePatterns) -> bool:
    return _listed(word, cues, "generic_sources")  # "Activists", "Experten", "Regierungskreise"


def _listed(low: str, cues: CuePatterns, column: str) -> bool:
    """Whether `low` is a word of the cue table's `column`, or ends a compound of one in a language whose
    table lists that column among its `compounds`."""
    words: frozenset[str] = getattr(cues, column)
    return low in words or (column in cues.compounds and compound_head(low, words) is not None)


def _without_genitive(name: str, cues: CuePatterns) -> str:
    """An organisation named in the genitive ("des Verteidigungsministeriums", where a spokesman speaks
    for it; "des Landesamtes für Umwelt": its head word) in the form it is known by."""
    head, space, rest = name.partition(" ")
    ending = compound_head(head.lower(), cues.org_heads) if "org_heads" in cues.compounds else None
    return head[: len(head) - len(ending)] + space + rest if ending else name


def _names_group(word: str) -> bool:
    """A plural that names a people or a party's members ("Americans", "Syrians", "Democrats",
    "Kurds"), not a person ("Rogers", "Williams": no demonym or member word before the "s")."""
    if len(word) < 4 or not word.endswith("s") or word.isupper() or not word[0].isupper():
        return False
    member = word[:-1]
    return member.lower() in _GROUP_MEMBERS or _is_demonym(member)


def _is_demonym(word: str) -> bool:
    """"Syrian", "Lebanese", "European": by their endings, unless a given name ends so too ("Brian",
    "Christian", "Therese"; "Georgian" is in one locale's list, so it stays a demonym)."""
    low = word.lower()
    return (low in ("us", "u.s", "uk", "eu", "un") or low in _ISH_DEMONYMS
            or (len(low) > 4 and low.endswith(("ian", "ese", "ean")) and given_name_locales(low) < 2))


def resolve_speakers(text: str, found: Sequence[Found], lang_of: Callable[[int], str],
                     common_word_starts: frozenset[int] = frozenset(),
                     mentioned: Sequence[tuple[int, int]] = ()) -> list[str | None]:
    """One speaker name (or None) per attribution, resolving references in reading order.
    `common_word_starts`: where a parse read a capitalised word as no proper noun ("Polls show").
    `mentioned`: subjects of attributions that have no source ("Mayor Bill de Blasio was asked …",
    "… appeared to …"): named for later references ("the mayor said"), speakers of nothing."""
    named: list[Speaker] = []
    out: list[str | None] = []
    sources = [(item.source_start, item.source_end, index) for index, item in enumerate(found)
               if item.source_start is not None and item.source_end is not None]
    subjectless = [(item.cue_start, item.cue_start, index) for index, item in enumerate(found)
                   if item.rule == SUBJECTLESS and item.cue_start is not None]
    names: dict[int, str | None] = {}
    facts: _TextNames | None = None
    for start, end, index in sorted([*sources, *subjectless, *((s, e, -1) for s, e in mentioned)]):
        if index >= 0 and found[index].rule == SUBJECTLESS:  # "Añadió que …": whoever was named last goes on
            names[index] = next((s.name for s in reversed(named) if s.position < start), None)
            continue
        cues = cue_patterns(lang_of(start))
        phrase = text[start:end]
        if facts is None:
            facts = _TextNames(text, cues)
        common = frozenset(m.group() for m in _WORD.finditer(phrase) if start + m.start() in common_word_starts)
        name = _resolve(text, _WORD.findall(phrase), start, cues, named, facts, common) or _masthead(phrase)
        if index >= 0:
            names[index] = name
    people = Counter(s.key for s in named)
    longest = {s.key: s.name for s in named}
    for index in range(len(found)):
        name = names.get(index)
        key = speaker_key(name) if name else ""
        chosen = longest.get(key, name) if name and people[key] == 1 else name
        out.append(_as_written_initials(chosen, text) if chosen else chosen)
    return out


_BARE_INITIAL = re.compile(r"(?<=\b[A-Z])(?= [A-Z])")


def _as_written_initials(name: str, text: str) -> str:
    """ "Paul D. Ryan", where the words of a name ("Paul D Ryan") lost the full stop of an initial the text
    gives it."""
    dotted = _BARE_INITIAL.sub(".", name)
    return dotted if dotted != name and dotted in text else name


def _restored_possessive(word: str) -> str:
    """"Russias" → "Russia’s" where a scrape lost every apostrophe, when "Russia" is a place or body the alias
    table lists (entities read such names the same way)."""
    stem, whole = word[:-1].casefold(), word.casefold()
    if (len(word) > 3 and word.endswith("s") and word[:1].isupper() and (stem in place_names() or stem in body_names())
            and whole not in place_names() and whole not in body_names()):  # not "Euphrates"
        return word[:-1] + "’s"
    return word


def _masthead(phrase: str) -> str | None:
    """A news outlet the source names by its masthead where the name rules read none ("the Guardian":
    a guardian is a person's role elsewhere), shown without an English article as other outlets are
    ("New York Times")."""
    phrase = phrase.strip()
    outlet = masthead_outlet(phrase) if phrase[-1:].isalnum() and phrase.split()[-1][:1].isupper() else None
    if outlet is None:
        return None
    first, _, rest = outlet.partition(" ")
    return rest if rest and first == "The" else outlet  # "Le Monde" keeps its article


@dataclass(frozen=True, slots=True)
class _Words:
    """The words of a text, scanned once for every pass over them."""

    matches: list[re.Match[str]]
    capitalised: list[bool]
    line_start: list[bool]  # a line break stands between the word and the one before


def _scan_words(text: str) -> _Words:
    matches = list(_WORD.finditer(text))
    ends = [0, *(m.end() for m in matches)]
    line_start = [text.find("\n", end, m.start()) >= 0 for end, m in zip(ends, matches, strict=False)]
    if line_start:
        line_start[0] = True
    return _Words(matches, [_is_capitalised(m.group()) for m in matches], line_start)


class _TextNames:
    """What the whole text tells about names, each read on first need, once per text."""

    def __init__(self, text: str, cues: CuePatterns) -> None:
        self.text = text
        self.cues = cues

    @cached_property
    def words(self) -> _Words:
        return _scan_words(self.text)

    @cached_property
    def lost_apostrophes(self) -> bool:
        """No possessive "s" has its apostrophe ("Russias military")."""
        return apostrophes_lost(self.text)

    @cached_property
    def headlines(self) -> list[tuple[int, int]]:
        return _title_case_lines(self.text)

    @cached_property
    def full_names(self) -> dict[str, tuple[int, str]]:
        return _first_full_names(self.cues, self.words, self.headlines)

    @cached_property
    def first_words(self) -> dict[str, list[tuple[int, str]]]:
        """Per first word, lower-cased, the full names (`full_names`) that open with it."""
        out: dict[str, list[tuple[int, str]]] = {}
        for position, full in self.full_names.values():
            out.setdefault(full.split()[0].lower(), []).append((position, full))
        return out

    @cached_property
    def compound_surnames(self) -> dict[str, tuple[int, str]]:
        return _first_compound_surnames(self.cues, self.words, self.headlines)

    @cached_property
    def org_names(self) -> dict[str, list[tuple[int, str]]]:
        return _org_names(self.cues, self.words)

    @cached_property
    def word_cases(self) -> tuple[frozenset[str], frozenset[str]]:
        """The words capitalised mid-sentence somewhere, and the words written in lower case."""
        return _word_cases(self.words)

    @cached_property
    def gendered_persons(self) -> list[tuple[int, str, Gender]]:
        """Where the text names a person of known gender, speaker or not."""
        return _gendered_persons(self.cues, self.full_names, self.words, self.headlines)


def _resolve(text: str, words: Sequence[str], position: int, cues: CuePatterns,
             named: list[Speaker], facts: _TextNames, common: frozenset[str] = frozenset()) -> str | None:
    words = list(words)
    if position == 0 or text[position - 1] == "\n":
        words = _after_dateline(words)
    while words and not words[-1][0].isalnum():  # a source span the tagger ended at a comma
        words.pop()
    governed = False
    while words and words[0].lower() in cues.source_prepositions:
        words, governed = words[1:], True  # "В Кремле заявили": the Kremlin
    if not words:
        return None
    if facts.lost_apostrophes:
        words = [_restored_possessive(w) for w in words]
    # "Donald Trump’s", "He’s": the name or pronoun without its possessive or contraction.
    words[-1] = POSSESSIVE.sub("", words[-1]) or words[-1]
    lower = [w.lower() for w in words if w[0].isalnum()]
    if not lower:
        return None
    if len(lower) == 1 and lower[0] in cues.relatives and words[-1].islower():  # not "WHO said"
        antecedent = _antecedent(text, position, cues)
        return None if antecedent is None else _resolve(text, antecedent, position, cues, named, facts)
    if len(lower) == 1 and lower[0] in cues.pronouns:
        return _nearest(named, position, is_org=False, gender=_pronoun_gender(lower[0], cues), facts=facts)
    if len(lower) == 1 and lower[0] in cues.org_pronouns:
        return _nearest(named, position, is_org=True, gender=None, facts=facts,
                        group=lower[0] in cues.group_pronouns)
    if (len(lower) == 1 and lower[0] in cues.self_pronouns) or (_is_generic(lower[-1], cues)
                                                                 and not _is_state_media(words)):
        return None  # "we pledge", "Activists said": nobody the text names
    if _unnamed_reached_by(lower, cues):
        return None  # "Residents contacted by Reuters": the residents speak, not the agency
    outlet = _press_outlet(words, cues)
    if outlet is not None:  # not kept as an antecedent: "it said" later is rarely the news agency
        return " ".join(outlet)
    joint = _joint_speakers(text, words, position, cues, named, facts, common)
    if joint is not None:
        return joint
    proper = _name_in(words, cues)
    unglued = (_after_glued_place(proper[0], facts, cues, _runs_on_into(text, position, words, proper[0]))
               if proper is not None and " " in proper[0] else None)
    if unglued is not None:
        proper = _name_in(unglued, cues)
    before = _WORD.findall(text[max(0, position - 30):position])
    if (proper is not None and proper[0].casefold() in place_names() and before
            and before[-1].lower() in _PLACE_PREPOSITIONS):
        return None  # "the manager of Al-Quds hospital in Aleppo told": a source cut at the place it is in
    if proper is not None and len(proper[0]) > 1:  # not an interview's "Q:"
        name, is_org = proper
        head = next((w for w in words[1:] if not w[0].isdigit()), "")
        if (lower[0] in cues.indefinite and not is_org and name.split()[0] == head
                and not any(given_name_locales(w.lower()) for w in name.split())):
            return None  # "so eine Kollegin am Schalter": someone unnamed (German capitalises nouns); not "un
            # porte-parole du Blue Lagoon", who speaks for the name
        governors = [w.lower() for w in (*before[-1:], *words[:len(words) - len(name.split())])]
        name = nominative(name, cues.lang, is_org, governed or any(w in cues.case_governors for w in governors))
        if is_org:
            name = _full_org_name(_without_genitive(name, cues), position, facts.org_names)
        key = speaker_key(name)
        surname = facts.compound_surnames.get(name.lower()) if not is_org else None
        if surname is not None and surname[0] <= position:
            name = surname[1]  # "Abdel Rahman said", after "Rami Abdel Rahman" (or a source cut before "Rami")
        if is_org and _names_group(name) and name not in facts.word_cases[0] and name.lower() in facts.word_cases[1]:
            return None  # "Politicians say" (and "politicians" elsewhere): a sentence's first word, no group's name
        parts = name.split()
        party = len(parts) >= 2 and parts[0].lower() in _PARTY_MEMBERS  # "Republican Trump", "Democrat Clinton"
        if not is_org and given_name_locales(parts[0].lower()) == 0 and (party or (
                len(parts) >= 3 and given_name_locales(parts[1].lower()) >= _COMMON_GIVEN_NAME
                and (parts[0] not in facts.word_cases[0] or parts[0].lower() in _GROUP_MEMBERS)
                and not {parts[0].lower(), parts[1].lower()} & _SURNAME_STARTS)):
            name = " ".join(parts[1:])  # "Rival Hillary Clinton", "Democrat Hillary Clinton": a description
        if not is_org and " " not in name:
            first_seen = facts.full_names.get(key)
            if (first_seen is not None and name.casefold() in place_names()
                    and first_seen[1].split()[0].casefold() in place_names()):
                first_seen = None  # "Tags Syria Aleppo Russia has accused": two places, no full name
            if first_seen is not None and first_seen[0] < position:
                name = first_seen[1]
            elif name.casefold() in place_names():
                is_org = True  # "Russia said", "Damascus denied": a state speaks as a body, never "he"
            elif (first_seen is None and len(owners := facts.first_words.get(name.lower(), [])) == 1
                  and owners[0][0] < position and _person_named_first(owners[0][1], words, facts, cues)):
                name = owners[0][1]  # "Xi said" after "Xi Jinping": the one person's name opening with it
            elif name.lower() in NOT_NAMES and not name.isupper():
                return None  # a sentence's first word ("Monday", "If"), not a surname ("Theresa May")
            elif first_seen is None and name not in facts.word_cases[0] and (
                    (name.lower() in facts.word_cases[1] and not _is_acronym(name))
                    or _NOT_A_SURNAME.search(name)):
                return None  # "Polls show" (and "the polls" elsewhere), "They’re", "R-Fla": no name
            elif (first_seen is None and name not in facts.word_cases[0] and name in common and not name.isupper()
                  and not is_known_surname(name)):
                return None  # "Demonstrators chanted", not "Sanders said": the parse's reading
        context = _context(text, position, words)
        kinds = frozenset(_stem(w) for w in words if w[0].isalpha() and w.islower()) if is_org else frozenset()
        gender = None if is_org else _person_gender(name, text, position, words, cues)
        for earlier in reversed(named):
            if _two_people(earlier.name, name):
                continue
            if earlier.key == key or (is_org and earlier.is_org and set(key.split()) <= set(earlier.key.split())):
                name, key = _fuller_name(earlier.name, name, is_org and earlier.is_org), earlier.key
                context |= earlier.context
                kinds |= earlier.kinds
                gender = earlier.gender if gender is None else gender if earlier.gender in (None, gender) else None
                named.remove(earlier)
                break
        named.append(Speaker(name, is_org, key, position, context, gender, kinds))
        return name
    plural = len(lower) > 1 and lower[-1].endswith("s") and not _is_org_head(lower[-1], cues)
    if lower[0] in cues.indefinite or plural:
        return None  # "a source", "officials": someone unnamed, not a known speaker
    head = lower[-1]
    if _is_org_head(head, cues):
        return _best_match(named, position, lower, is_org=True, head=head, gender=None)
    if _is_role(head, cues):  # "the general said", "der CDU-Politiker sagte"
        return _best_match(named, position, lower, is_org=False, head=None, gender=_title_gender(lower, cues))
    return None


def _person_named_first(full: str, source: Sequence[str], facts: _TextNames, cues: CuePatterns) -> bool:
    """Whether the one word of a source names the person of a full name (`_TextNames.full_names`) that opens
    with it: a title right before it says the word is a person ("Mr. Lou" after "Lou Jiwei", "President Xi"),
    or the full name is a common given name and a known surname ("Donald" of "Donald Trump"); its last word is
    no common word of the text, date, title, body or initials ("Berlin Wall", "Ohio State", "Census Bureau",
    "SOHR ISIS")."""
    parts = full.split()
    last = parts[-1]
    if (last.lower() in facts.word_cases[1] or last.lower() in DATE_WORDS or last.isupper()
            or _is_title(last, cues) or _is_org_head(last, cues)):
        return False
    before = [word for word in source[:-1] if word[0].isalnum()]
    return (bool(before) and _is_role(before[-1].lower(), cues)) or (
        len(parts) == 2 and given_name_locales(parts[0].lower()) >= _COMMON_GIVEN_NAME
        and is_known_surname(last.lower()))


def _runs_on_into(text: str, position: int, words: Sequence[str], name: str) -> bool:
    """Whether a phrase runs into the name with no punctuation between ("operations in Syria OCHA has",
    "In Paris Fabius said"), as where a text lost its commas, rather than the name opening the phrase."""
    first = name.split()[0]
    k = max((i for i, w in enumerate(words) if w == first), default=None)
    if k is None:
        return False
    before = words[k - 1] if k > 0 else _word_before(text, position)
    return bool(before) and before.lower() not in ARTICLES and (before.islower() or before.lower() in NOT_NAMES)


def _word_before(text: str, position: int) -> str:
    """The word right before `position` with only spaces between, else "" (read within `_RUN_ON_REACH`)."""
    limit = max(0, position - _RUN_ON_REACH)
    end = position
    while end > limit and text[end - 1] == " ":
        end -= 1
    start = end
    while start > limit and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    return text[start:end] if end < position else ""


_RUN_ON_REACH = 40


def _after_glued_place(name: str, facts: _TextNames, cues: CuePatterns, run_on: bool) -> list[str] | None:
    """The name a place runs into where a text lost its punctuation ("Tags Syria Aleppo Russia has accused";
    and where the phrase ran on into the place, `_runs_on_into`: "operations in Syria OCHA has", "In Paris
    Fabius said", "the governor of Homs Talal Barazi told"): the words after a place of the alias table, when
    they are a place too, or name someone on their own, and the whole is no name the table knows ("Syria
    Civil Defence")."""
    words = name.split()
    if name.casefold() in place_names() or name.casefold() in body_names():
        return None
    for k in range(1, len(words)):
        if " ".join(words[:k]).casefold() not in place_names():
            continue
        rest = words[k:]
        if " ".join(rest).casefold() in place_names() or (run_on and _names_alone(rest, name, facts, cues)):
            return rest
        deeper = _after_glued_place(" ".join(rest), facts, cues, run_on)
        if deeper is not None:
            return deeper
    return None


def _names_alone(words: Sequence[str], whole: str, facts: _TextNames, cues: CuePatterns) -> bool:
    """Words that name someone without what stood before them: initials that are no title ("OCHA", not
    "PM"), a body of the alias table, a common given name and more, a full name the text gives elsewhere
    ("Talal Barazi"), or a surname the text gives in full after another first name ("Moumtzis" after
    "Panos Moumtzis"; not "Hilton" of "Paris Hilton", nor "Governorate" of "Homs Governorate")."""
    if " ".join(words).casefold() in body_names():
        return True
    full = facts.full_names.get(speaker_key(" ".join(words)))
    if len(words) > 1:
        return given_name_locales(words[0].lower()) >= _COMMON_GIVEN_NAME or (
            full is not None and full[1] == " ".join(words))
    if _is_initials(words[0]):
        return not _is_title(words[0], cues)
    return (full is not None and full[1] != whole and not _is_org_head(words[0], cues)
            and full[1].split()[0].casefold() not in place_names())


def _joint_speakers(text: str, words: Sequence[str], position: int, cues: CuePatterns, named: list[Speaker],
                    facts: _TextNames, common: frozenset[str]) -> str | None:
    """Two speakers of one statement ("Bolton and Gorka said", "Fox News and NBC News reported"): both
    names, each resolved as a source of its own, when both sides of the "and" name someone ("Russia and the
    Syrian regime", "Felicia Sanders and Polly Sheppard, two of the survivors,")."""
    joins = [k for k, w in enumerate(words) if w.lower() in cues.conjunctions]
    if len(joins) != 1 or not 0 < joins[0] < len(words) - 1:
        return None  # one "and" only: "Greenstone and Covert of the University of Chicago and Knittel" is a list
    left, right = list(words[:joins[0]]), list(words[joins[0] + 1:])
    while len(left) > 1 and left[0].lower() in NOT_NAMES:
        left = left[1:]  # "Both Bolton and Gorka"
    if (not _is_capitalised(left[-1]) or left[0].lower() in NOT_NAMES
            or any(not w[0].isalnum() and w not in ".’'" for w in left)  # "Kevin Brady, chairman of … Ways and"
            or _is_title(left[-1], cues) or left[-1].lower() in _GROUP_MEMBERS  # "CEO and", "Christian and"
            or right.count(")") > right.count("(")  # "(TRT World and Agencies) The US military"
            or _name_in(left, cues) is None or _name_in(right, cues) is None):
        return None
    names = [_resolve(text, side, position, cues, named, facts, common) for side in (left, right)]
    if not all(name is not None and (" " in name or name in facts.word_cases[0]) for name in names):
        return None  # a side that is one word opening the sentence ("Filmmaker and … Dinesh D’Souza")
    first, second = names
    return first if first == second else f"{first} and {second}"


def _pronoun_gender(pronoun: str, cues: CuePatterns) -> Gender | None:
    if pronoun in cues.male_pronouns:
        return "m"
    return "f" if pronoun in cues.female_pronouns else None


def _title_gender(lower_words: Sequence[str], cues: CuePatterns) -> Gender | None:
    """The gender the words' titles tell ("Mrs.", "spokeswoman"), None if they tell none or both."""
    words = {w.strip(".") for w in lower_words}
    male, female = bool(words & cues.male_titles), bool(words & cues.female_titles)
    return None if male == female else "m" if male else "f"


def _person_gender(name: str, text: str, position: int, words: Sequence[str], cues: CuePatterns) -> Gender | None:
    """A named person's gender: from a title in the source phrase or just before it ("spokeswoman
    Maria Zakharova", "Mrs. Clinton"), else from the given name that opens the full name."""
    before = _WORD.findall(text[max(0, position - 30):position])[-3:]
    cut = max((k + 1 for k, w in enumerate(before) if not w[0].isalnum() and w != ","), default=0)
    titled = _title_gender([w.lower() for w in (*before[cut:], *words) if w[0].isalnum()], cues)
    if titled is not None:
        return titled
    parts = name.split()
    return given_name_gender(parts[0]) if len(parts) >= 2 else None


def _antecedent(text: str, position: int, cues: CuePatterns) -> list[str] | None:
    """What a relative pronoun at `position` stands for: the name or the described person just before
    it and a comma ("Mayor John Smith, who said" -> "Mayor John Smith"; "the ministry, which said" ->
    "the ministry"). Without the comma ("critics who say") the clause narrows a group that the text
    does not name: None."""
    before = text[max(text.rfind("\n", 0, position) + 1, position - 120):position].rstrip()
    if not before.endswith(","):
        return None
    words = _WORD.findall(before[:-1])
    # The phrase starts after the last punctuation, but not after the point of a title ("asked Sen.
    # Barbara Mikulski of Maryland, who" keeps the title that makes "of Maryland" a place she serves).
    cut = max((k + 1 for k, w in enumerate(words) if not w[0].isalnum()
               and not (w == "." and k and words[k - 1].lower() in TITLE_ABBREVIATIONS)), default=0)
    words = words[cut:]
    if not words or words[-1].lower() in cues.relatives:
        return None
    if _is_capitalised(words[-1]):
        run = _final_run(words, cues)
        if _modifies(words, len(words) - len(run), cues):
            words = run  # "the rise of Donald Trump, who": the pronoun stands for the nearest name
    if _name_in(words, cues) is not None:
        return words
    # A description: only the phrase from its determiner on, so that no word of the clause before it
    # counts as a modifier ("met by the minister" -> "the minister").
    start = max((k for k, w in enumerate(words) if w.lower() in ARTICLES), default=None)
    return words[start:] if start is not None else None


def _first_compound_surnames(cues: CuePatterns, words: _Words,
                             headlines: Sequence[tuple[int, int]]) -> dict[str, tuple[int, str]]:
    """Per two-word surname ("abdel rahman"), the first "Given Abdel Rahman" in the text and where it
    starts, so a later "Abdel Rahman said" reads the whole name. The given name is a capitalised word
    on the same line that is no title, nationality, organisation word or sentence opener ("Meanwhile
    Abdel Rahman"); headlines give none."""
    out: dict[str, tuple[int, str]] = {}
    matches = words.matches
    for k in range(1, len(matches) - 1):
        particle = matches[k].group()
        if particle.lower() not in _SURNAME_STARTS or words.line_start[k] or words.line_start[k + 1]:
            continue
        given, rest = matches[k - 1].group(), POSSESSIVE.sub("", matches[k + 1].group())
        if not (words.capitalised[k - 1] and words.capitalised[k + 1] and given.isalpha()):
            continue
        if _is_title(given, cues) or _is_org_head(given, cues) or given.lower() in NOT_NAMES:
            continue
        h = bisect_right(headlines, (matches[k - 1].start(), sys.maxsize)) - 1
        if h >= 0 and matches[k - 1].start() < headlines[h][1]:
            continue
        out.setdefault(f"{particle} {rest}".lower(), (matches[k - 1].start(), f"{given} {particle} {rest}"))
    return out


def _first_full_names(cues: CuePatterns, words: _Words,
                      headlines: Sequence[tuple[int, int]]) -> dict[str, tuple[int, str]]:
    """Per surname key, the first "Firstname Surname" ("Firstname X. Surname", "John Ellis Bush") in
    the text and where it stands, so a later "Assad" reads "Bashar al-Assad". One pass over the words;
    title-case lines (headlines: "Washington Post Hit Piece Exploits Trump Supporter") give only pairs
    opening with a known given name, as their other capitalised pairs are rarely names. Initials after
    a word not in capitals are a body, no surname ("Deir Ezzor SANA reported", "Elizabeth Hoff WHO"). A
    masthead is read whole ("a New York Times article", then "the Times wrote"), as the outlet is a
    later bare "Times" or "Post" ("Washington Post")."""
    out: dict[str, tuple[int, str]] = {}
    previous = two_back = three_back = ""
    for match, capitalised in zip(words.matches, words.capitalised, strict=True):
        word = match.group()
        k = bisect_right(headlines, (match.start(), sys.maxsize)) - 1
        in_headline = k >= 0 and match.start() < headlines[k][1]
        first = ""
        if (capitalised and previous == "." and len(two_back) == 1 and two_back.isupper()
                and three_back.isalpha() and given_name_locales(three_back) > 0):
            first = f"{three_back} {two_back}"  # "Donald J. Trump"
        elif (capitalised and previous[:1].isupper() and previous.isalpha()
                and (word.isupper() or not previous.isupper() or len(previous) == 1)  # not "WILL LEAVE Damascus"
                and not _is_title(previous, cues) and previous.lower() not in ARTICLES
                and (previous.lower() not in NOT_NAMES or previous.lower() in DATE_WORDS)  # "When Francis": no name
                and not _is_org_head(previous, cues)
                and (not in_headline or (given_name_locales(previous) >= _HEADLINE_GIVEN_NAME_LOCALES
                                         and previous.lower() not in NOT_NAMES))):
            first = previous
            if (two_back.istitle() and two_back.isalpha() and not in_headline and two_back.lower() not in NOT_NAMES
                    and given_name_locales(two_back) >= _MIDDLE_NAME_GIVEN_LOCALES):
                first = f"{two_back} {previous}"  # "John Ellis Bush", "Hillary Rodham Clinton"
        if first and two_back[:1].isupper() and two_back.lower() not in ARTICLES and is_outlet_name(
                f"{two_back} {previous} {word}"):
            first = f"{two_back} {previous}"  # "a New York Times article": "the Times" is the paper
        if first and not (_is_acronym(word) and not previous.isupper()):
            surname = POSSESSIVE.sub("", word)  # "Donald Trump’s"
            key = speaker_key(surname)
            if key and key not in out:
                out[key] = (match.start(), f"{first} {surname}")
        three_back, two_back, previous = two_back, previous, word
    return out


def _gendered_persons(cues: CuePatterns, full_names: Mapping[str, tuple[int, str]], scanned: _Words,
                      headlines: Sequence[tuple[int, int]]) -> list[tuple[int, str, Gender]]:
    """(position, name, gender) of each person the text names whose gender it tells: after a title
    ("Ms. LaBelle", "Mrs. Clinton"), or with a given name ("Janet Yellen", "Michelle F. Tanzer"); a
    later bare surname of such a person counts too. Headlines and runs holding an organisation word
    ("Clinton Foundation") are left out. In text order."""
    out: list[tuple[int, str, Gender]] = []
    known: dict[str, tuple[str, Gender]] = {}
    words = scanned.matches
    k = 0
    while k < len(words):
        start = words[k].start()
        h = bisect_right(headlines, (start, sys.maxsize)) - 1
        run, used = _capitalised_run(words, k)
        if not run or (h >= 0 and start < headlines[h][1]) or any(_is_org_head(w, cues) for w in run):
            k += max(1, used)
            continue
        # "Former Pennsylvania Gov. Ed Rendell", "Mrs. Clinton": the person after the last title
        cut = max((i + 1 for i, w in enumerate(run) if _is_title(w, cues) or _title_gender([w.lower()], cues)),
                  default=0)
        person, titles = run[cut:], [w.lower() for w in run[:cut]]
        previous = words[k - 1].group().lower() if k else ""
        if person:
            key = speaker_key(person[-1])
            name = " ".join(person) if len(person) > 1 else full_names.get(key, (0, person[0]))[1]
            gender = _title_gender([*titles, previous], cues)
            if gender is None and len(person) > 1 and previous not in _PLACE_BEFORE:
                gender = given_name_gender(person[0])  # not "at Madison Square Garden", "The Washington Post"
            if gender is not None:
                known[key] = (name, gender)
                out.append((start, name, gender))
            elif len(person) == 1 and key in known:
                out.append((start, *known[key]))
        k += used
    return out


def _capitalised_run(words: Sequence[re.Match[str]], k: int) -> tuple[list[str], int]:
    """The capitalised name words from `words[k]` on ("Gov Ed Rendell", "Michelle F Tanzer"), at most
    six, and how many tokens they took: a full stop joins a run only after an initial or a title
    abbreviation ("in Washington. Maria Zakharova said" gives two runs), and a possessive ends it."""
    run: list[str] = []
    used = 0
    for match in words[k:k + 12]:
        word = POSSESSIVE.sub("", match.group())
        if word == "." and run and (len(run[-1]) == 1 or run[-1].lower() in TITLE_ABBREVIATIONS):
            used += 1
            continue
        if (len(run) == 6 or not (_is_capitalised(word) and word.replace("-", "").isalpha())
                or word.lower() in NOT_NAMES):
            break
        run.append(word)
        used += 1
        if word != match.group():  # "Clinton’s Iraq vote": a possessive ends the name
            break
    return run, used


def _is_acronym(word: str) -> bool:
    return word.isupper() and len(word) <= _MAX_ACRONYM


def _is_initials(word: str) -> bool:
    """Two or more capital letters and nothing else ("UN", "SANA"; not the article "L'")."""
    return len(word) > 1 and word.isalpha() and word.isupper()


def _word_cases(words: _Words) -> tuple[frozenset[str], frozenset[str]]:
    """The capitalised words that stand somewhere after a word or a comma on their line, or after a
    title abbreviation ("Mr. Trump"), so names, not words capitalised only as a sentence's first; and
    the words written in lower case."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    before: list[str] = ["", ""]
    for match, is_capitalised, line_start in zip(words.matches, words.capitalised, words.line_start, strict=True):
        word = match.group()
        if line_start:
            before = ["", ""]
        if is_capitalised and (before[-1][:1].isalnum() or before[-1] == ","
                               or (before[-1] == "." and before[-2].lower() in TITLE_ABBREVIATIONS)):
            capitalised.add(POSSESSIVE.sub("", word))
        elif word.islower():
            lower.add(word)
        before = [before[-1], word]
    return frozenset(capitalised), frozenset(lower)


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """Spans of the lines of at least four words whose words, short ones aside, are all capitalised."""
    out: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        words = [w for w in _WORD.findall(line) if w[0].isalpha() and len(w) > 3]
        if len(words) >= 4 and all(w[0].isupper() for w in words):
            out.append((start, start + len(line)))
        start += len(line) + 1
    return out


def _org_names(cues: CuePatterns, words: _Words) -> dict[str, list[tuple[int, str]]]:
    """Per organisation word, the capitalised names holding it in the text ("observatory": the
    Syrian Observatory for Human Rights at 517), in order, so a later "the Observatory said"
    reads the full name. One pass over the words; a name ends at its organisation word or the
    "for …"/"of …" after it ("Syrian Coalition Demands UN Action": a headline)."""
    out: dict[str, list[tuple[int, str]]] = {}
    run: list[tuple[int, str]] = []
    for match, capitalised, line_start in zip(words.matches, words.capitalised, words.line_start, strict=True):
        word = match.group()
        if line_start and run:
            _add_org_name(run, cues, out)
            run = []
        if word.lower() not in ARTICLES and (
                capitalised or (word in _OFFICE_JOINERS and run and run[-1][1][:1].isupper())):
            run.append((match.start(), word))
        elif run:
            _add_org_name(run, cues, out)
            run = []
    if run:
        _add_org_name(run, cues, out)
    return out


def _add_org_name(run: list[tuple[int, str]], cues: CuePatterns, out: dict[str, list[tuple[int, str]]]) -> None:
    words = [w for _, w in run]
    first, last = 0, len(words)
    while first < last and words[first].lower() in NOT_NAMES:
        first += 1
    while last > first and (words[last - 1].lower() in NOT_NAMES or words[last - 1] in _OFFICE_JOINERS):
        last -= 1
    heads = [k for k in range(first, last) if _is_org_head(words[k], cues)]
    if not heads:
        return
    if heads[-1] + 1 < last and words[heads[-1] + 1] not in _OFFICE_JOINERS:
        last = heads[-1] + 1
    if last - first < 2:
        return
    name = " ".join(words[first:last])
    for k in heads:
        names = out.setdefault(words[k].lower(), [])
        if name not in (n for _, n in names):
            names.append((run[first][0], name))


def _full_org_name(name: str, position: int, org_names: Mapping[str, Sequence[tuple[int, str]]]) -> str:
    """The organisation name earlier in the text that holds every word of `name` ("Observatory",
    "Syrian Observatory") and no other such name does; `name` itself when there are several.

    The shortest fit wins over its longer variants, which are usually runs into a neighbouring
    capitalised word ("Meanwhile Human Rights Watch", a title-case headline)."""
    if _is_acronym(name):
        return name  # "the UN", not the "UN Security Council" named before
    wanted = set(name.lower().split())
    fits = {frozenset(full.lower().split()): full for head in wanted for at, full in org_names.get(head, ())
            if at < position and len(full.split()) <= _MAX_ORG_WORDS and wanted <= set(full.lower().split())}
    smallest = [full for words, full in fits.items() if not any(other < words for other in fits)]
    return smallest[0] if len(smallest) == 1 else name


def _context(text: str, position: int, words: Sequence[str]) -> frozenset[str]:
    """Words describing a speaker: its own source phrase and the words just before it."""
    before = _WORD.findall(text[max(0, position - 60):position])
    return frozenset(_stem(w) for w in (*before[-4:], *words) if w[0].isalnum())


def _nearest(named: Sequence[Speaker], position: int, is_org: bool, gender: Gender | None,
             facts: _TextNames, group: bool = True) -> str | None:
    """The nearest earlier speaker of that kind whose gender fits, news outlets and places aside ("it
    said" after "SANA reported" is rarely the agency, after "Russia said" rarely the state). Once "she"
    has skipped a man (Putin), a speaker of unknown gender will do only if a given name opens its name
    ("Hillary Clinton"), not a far capitalised word the tagger took for a name ("Iowa", "Team Trump");
    and a person the text names with that gender since, speaker or not, comes first ("Ms. LaBelle got a
    roar when she added …"). Without `group` the pronoun is singular and skips a group of people
    ("Democrats" for "it")."""
    skipped = False
    found: Speaker | None = None
    for speaker in reversed(named):
        if (speaker.position >= position or speaker.is_org != is_org or is_outlet_name(speaker.name)
                or speaker.name.casefold() in place_names()
                or (not group and _names_group(speaker.name.rsplit(" ", 1)[-1]))):
            continue
        if (gender is None or speaker.gender == gender
                or (speaker.gender is None and (not skipped or _opens_with_given_name(speaker.name)))):
            found = speaker
            break
        skipped = True
    if gender is None or (found is not None and not skipped):
        if found is not None and found.gender is None and gender is not None:
            found.gender = gender  # "Clinton said …; she added": later pronouns know it
        return found.name if found else None
    persons = facts.gendered_persons
    after = found.position if found else -1
    k = bisect_right(persons, (position,)) - 1
    while k >= 0 and persons[k][0] > after:
        if persons[k][2] == gender:
            return persons[k][1]
        k -= 1
    return found.name if found else None


def _opens_with_given_name(name: str) -> bool:
    words = name.split()
    return len(words) >= 2 and words[0].lower() not in NOT_NAMES and given_name_locales(words[0]) > 0


def _fits(speaker: Speaker, gender: Gender | None) -> bool:
    return gender is None or speaker.gender is None or speaker.gender == gender


def _best_match(named: Sequence[Speaker], position: int, description: Sequence[str], is_org: bool,
                head: str | None, gender: Gender | None) -> str | None:
    """The earlier speaker sharing most description words; ties go to the nearest; a person is no
    outlet or place.

    Every modifier must fit ("the Russian president" is not the Syrian president), and so must the
    gender a title tells ("the spokeswoman")."""
    wanted = {_stem(w) for w in description if w not in ARTICLES}
    modifiers = {_stem(w) for w in description[:-1] if w not in ARTICLES}
    best: tuple[int, int] | None = None
    best_name: str | None = None
    for distance, speaker in enumerate(reversed(named)):
        if speaker.position >= position or speaker.is_org != is_org or not _fits(speaker, gender):
            continue
        if not is_org and (is_outlet_name(speaker.name) or speaker.name.casefold() in place_names()):
            continue  # "the mayor said" after "according to the New York Times" (a masthead no rule read as a body)
        if head is not None and head not in speaker.name.lower() and _stem(head) not in speaker.kinds:
            continue  # "the monitor said" after "the Syrian Observatory for Human Rights monitor said"
        if not modifiers <= speaker.context:
            continue
        score = len(wanted & speaker.context)
        if best is None or (score, -distance) > best:
            best = (score, -distance)
            best_name = speaker.name
    return best_name
