"""Names in the form they are known by: a Russian or Ukrainian source is often named in another case ("по
словам Марии Захаровой", "за словами Дмитра Кулеби", "в Кремле заявили"), and one speaker must keep one name."""

from functools import cache
from typing import Any

import pymorphy3

# Languages whose names are inflected and that have an analyser with its dictionary on PyPI.
_ANALYSED = frozenset({"ru", "uk"})
_NAME_TAGS = ("Name", "Surn", "Patr")


@cache
def _analyzer(lang: str) -> Any:
    return pymorphy3.MorphAnalyzer(lang=lang)


def nominative(name: str, lang: str, is_org: bool, governed: bool) -> str:
    """`name` with its words in the nominative: every word of a person's name, in the case and gender its
    given name shows ("Сергея Лаврова" → Сергей Лавров, "Марии Захаровой" → Мария Захарова, while "Мария
    Лаврова" stays); an organisation's words up to its first noun ("Министерства обороны" → Министерство
    обороны, "Кремле" → Кремль). A lone surname that may be a nominative ("Лаврова": a woman, or Лавров's
    genitive) changes only when `governed`, after a word that takes another case ("по словам Лаврова").
    Words in other scripts, with digits or hyphens stay as they are."""
    if lang not in _ANALYSED:
        return name
    words = name.split()
    if not any(_inflectable(w) for w in words):
        return name
    morph = _analyzer(lang)
    parses = [morph.parse(w) if _inflectable(w) else [] for w in words]
    return " ".join(_organisation(words, parses) if is_org else _person(words, parses, governed))


def _inflectable(word: str) -> bool:
    return word.isalpha() and all("а" <= c.lower() <= "я" or c.lower() in "ёіїєґ" for c in word)


def _person(words: list[str], parses: list[list[Any]], governed: bool) -> list[str]:
    """A given name the dictionary knows tells the case of the whole name, so an unknown surname after it
    may be inflected too ("Марка Макгоуэна"); without one, only names the dictionary knows change, and
    those that may be nominatives only after a word that takes another case. Foreign names read as Russian
    words stay ("Амос Гилад")."""
    given = next((p for p in (_name_parse(ps) for ps in parses if ps) if "Name" in p.tag and p.is_known), None)
    if given is not None and given.tag.case == "nomn":
        return words
    case, gender = (given.tag.case, given.tag.gender) if given is not None else (None, None)
    out = []
    for word, word_parses in zip(words, parses, strict=True):
        parse = _name_parse(word_parses, case, gender, oblique=True) if word_parses else None
        if parse is None or parse.tag.case == "nomn" or (given is None and not _is_known_name(parse)) or (
                given is None and not governed and any(p.tag.case == "nomn" for p in _named(word_parses))):
            out.append(word)  # "Лаврова заявила": a woman, or Лавров's genitive only after "по словам"
        else:
            out.append(_in_nominative(word, parse))
    return out


def _organisation(words: list[str], parses: list[list[Any]]) -> list[str]:
    out = list(words)
    for k, word_parses in enumerate(parses):
        if not word_parses:
            break
        parse = word_parses[0]
        if parse.tag.case != "nomn":
            out[k] = _in_nominative(words[k], parse)
        if parse.tag.POS == "NOUN":
            break  # "Министерства обороны": the head, then its genitive
    return out


def _is_known_name(parse: Any) -> bool:
    return bool(parse.is_known) and any(t in parse.tag for t in _NAME_TAGS)


def _named(parses: list[Any]) -> list[Any]:
    return [p for p in parses if any(t in p.tag for t in _NAME_TAGS)] or parses


def _name_parse(parses: list[Any], case: str | None = None, gender: str | None = None,
                oblique: bool = False) -> Any:
    """The likeliest reading as a name (given name, surname, patronymic), in `case` and `gender` when one
    fits them, in another case than the nominative if `oblique`."""
    named = _named(parses)
    fitting = [p for p in named if (case is None or p.tag.case == case)
               and (gender is None or p.tag.gender in (gender, None)) and not (oblique and p.tag.case == "nomn")]
    return (fitting or named)[0]


def _in_nominative(word: str, parse: Any) -> str:
    inflected = parse.inflect({"nomn"})
    if inflected is None:
        return word
    form = str(inflected.word)
    if sum(c.isupper() for c in word) > 1:  # "МИДа" → МИД
        return form.upper()
    return form[:1].upper() + form[1:] if word[:1].isupper() else form
