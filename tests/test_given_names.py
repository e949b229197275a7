from echotrace.annotate.given_names import given_name_gender, given_name_locales, is_known_surname


def test_gender_only_when_the_locales_clearly_agree() -> None:
    assert given_name_gender("Maria") == "f"
    assert given_name_gender("Sergei") == "m"
    assert given_name_gender("Ali") == "m"  # listed as female in one locale of a dozen
    assert given_name_gender("Мария") == "f"
    assert given_name_gender("Kim") is None  # about as often either
    assert given_name_gender("Exploits") is None


def test_locale_count_tells_given_names_from_headline_words() -> None:
    assert given_name_locales("hillary") == given_name_locales("Hillary") >= 2
    assert given_name_locales("Against") == given_name_locales("Exploits") == 0


def test_surnames_tell_names_from_plural_nouns() -> None:
    assert is_known_surname("Sanders") and is_known_surname("rice")
    assert not any(is_known_surname(w) for w in ("Demonstrators", "Activists", "Officials", "Polls", "Witnesses"))
