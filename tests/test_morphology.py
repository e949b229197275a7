"""Russian and Ukrainian speakers in the nominative (annotate/morphology.py)."""

import pytest

from echotrace.annotate.morphology import nominative


@pytest.mark.parametrize(("name", "is_org", "governed", "expected"), [
    ("Сергея Лаврова", False, True, "Сергей Лавров"),  # the given name tells the case
    ("Марии Захаровой", False, True, "Мария Захарова"),  # and the gender
    ("Марка Макгоуэна", False, True, "Марк Макгоуэн"),  # a surname the dictionary lacks follows it
    ("Мария Лаврова", False, False, "Мария Лаврова"),  # a nominative stays
    ("Лаврова", False, False, "Лаврова"),  # a woman, or Лавров's genitive: only "по словам" tells
    ("Лаврова", False, True, "Лавров"),
    ("Захаровой", False, False, "Захарова"),  # no nominative reading
    ("Амос Гилад", False, False, "Амос Гилад"),  # foreign names read as Russian words stay
    ("Дю Вен", False, False, "Дю Вен"),
    ("Кремле", True, True, "Кремль"),
    ("Министерства обороны", True, True, "Министерство обороны"),  # the head, not its genitive
    ("МИДа России", True, True, "МИД России"),
    ("Star Tribune", True, True, "Star Tribune"),
])
def test_russian_names_in_the_nominative(name: str, is_org: bool, governed: bool, expected: str) -> None:
    assert nominative(name, "ru", is_org, governed) == expected


@pytest.mark.parametrize(("name", "is_org", "expected"), [
    ("Юрія Ігната", False, "Юрій Ігнат"),
    ("Дмитра Кулеби", False, "Дмитро Кулеба"),
    ("Кремлі", True, "Кремль"),
])
def test_ukrainian_names_in_the_nominative(name: str, is_org: bool, expected: str) -> None:
    assert nominative(name, "uk", is_org, governed=True) == expected


def test_other_languages_keep_their_names() -> None:
    assert nominative("Sergeja Lavrova", "en", False, True) == "Sergeja Lavrova"
