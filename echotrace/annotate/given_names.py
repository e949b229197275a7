"""Given names and the gender they usually carry, and surnames, from the name lists Faker ships for
~90 locales (MIT licence, offline, no model). They let a speaker resolver skip male speakers for "she",
tell "Hillary Clinton" from "Exploits Trump" in a headline, and keep "Sanders said" a name where a
parse read the word as a plural noun.

A name counts as one gender when at least two locales list it so and they outnumber the others at
least three to one ("Ali": 11 male, 1 female); "Jean", "Kim" or "Morgan" (as often either) and "Gwyn"
(one locale's list, and a man in the news) stay unknown, never guessed.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from functools import cache
from typing import Any, Literal

Gender = Literal["m", "f"]

_CLEAR_MAJORITY = 3
_MIN_LOCALES = 2


def _person_providers() -> Iterator[Any]:
    """Faker's person provider of every locale."""
    import faker.providers.person as person

    for module in pkgutil.iter_modules(person.__path__):
        yield importlib.import_module(f"{person.__name__}.{module.name}").Provider


@cache
def _locale_votes() -> dict[str, tuple[int, int, int]]:
    """Per case-folded given name: how many locales list it as male, as female, and at all."""
    votes: dict[str, list[int]] = {}
    for provider in _person_providers():
        male = {str(n).casefold() for n in getattr(provider, "first_names_male", ())}
        female = {str(n).casefold() for n in getattr(provider, "first_names_female", ())}
        for name in male | female:
            counts = votes.setdefault(name, [0, 0, 0])
            counts[0] += name in male
            counts[1] += name in female
            counts[2] += 1
    return {name: (male, female, locales) for name, (male, female, locales) in votes.items()}


def given_name_gender(word: str) -> Gender | None:
    """'m' or 'f' when the locales that list `word` as a given name clearly agree, else None."""
    male, female, _ = _locale_votes().get(word.casefold(), (0, 0, 0))
    if male >= _MIN_LOCALES and male >= _CLEAR_MAJORITY * female:
        return "m"
    if female >= _MIN_LOCALES and female >= _CLEAR_MAJORITY * male:
        return "f"
    return None


def given_name_locales(word: str) -> int:
    """In how many locales' lists `word` is a given name (0: not a known given name)."""
    return _locale_votes().get(word.casefold(), (0, 0, 0))[2]


@cache
def _surnames() -> frozenset[str]:
    """Every locale's surnames, case-folded (~28,000)."""
    names: set[str] = set()
    for provider in _person_providers():
        names.update(str(n).casefold() for n in getattr(provider, "last_names", ()))
    return frozenset(names)


def is_known_surname(word: str) -> bool:
    """Whether some locale lists `word` as a surname ("Sanders", "Rice"; not "Demonstrators")."""
    return word.casefold() in _surnames()
