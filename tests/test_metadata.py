"""Article metadata: dates, credited sources, outlet, language — on the real seed pages and units.

The seed pages are read from ../shared at test time (never copied). The cleaner is not used
here: each seed test hands the annotators the raw page plus the Boilerplate items the cleaner
would produce for it (crawl stamp, legal footer), as the pipeline will.
"""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from echotrace.annotate.dates import find_dates, parse_date
from echotrace.annotate.language import article_language, detect_language, split_paragraphs
from echotrace.annotate.outlet import find_outlet, registered_domain
from echotrace.annotate.sources import find_credits, load_sources
from echotrace.records import Boilerplate, Credit, Paragraph


def _line_with(text: str, needle: str) -> str:
    return next(line.strip() for line in text.splitlines() if needle in line)


def _without(text: str, removed: str) -> str:
    return text.replace(removed, "")


def _names(credits: list[Credit]) -> set[tuple[str, str]]:
    return {(c.name, c.role) for c in credits}


def _assert_spans(text: str, credits: list[Credit]) -> None:
    for credit in credits:
        assert credit.start is not None and credit.end is not None
        assert text[credit.start : credit.end] == credit.evidence


# --- seeds -------------------------------------------------------------------------------------


def test_seed_000_byline_credits_and_dateline(seed_texts: dict[str, str]) -> None:
    text = seed_texts["000"]
    credits = find_credits(text)
    assert _names(credits) == {("RIA Novosti", "origin"), ("J. Arnoldski", "translator")}
    _assert_spans(text, credits)
    published, crawled = find_dates(text, [])
    assert published is not None and published.kind == "published"
    assert published.value.date() == datetime(2016, 12, 15).date()
    assert published.start is not None and text[published.start : published.end] == published.evidence
    assert crawled is None
    assert find_outlet(None, None, None, text, [], [])[0] == "Fort Russ"


def test_seed_001_credit_date_and_mixed_languages(seed_texts: dict[str, str]) -> None:
    text = seed_texts["001"]
    credits = find_credits(text)
    assert _names(credits) == {("Sputnik", "origin")}
    _assert_spans(text, credits)
    published, _ = find_dates(text, [])
    assert published is not None and published.value == datetime(2017, 11, 14)
    paragraphs = split_paragraphs(text)
    by_lang = {p.lang for p in paragraphs if len(text[p.start : p.end].split()) > 20}
    assert by_lang == {"en", "fr", "de"}
    french = [p for p in paragraphs if text[p.start : p.end].startswith("Le ministère")]
    german = [p for p in paragraphs if text[p.start : p.end].startswith("Laut ")]
    assert french and all(p.lang == "fr" for p in french)
    assert german and all(p.lang == "de" for p in german)
    assert article_language(paragraphs) == "en"
    # The French and German quotes together read as French: only per-paragraph labels keep German.
    assert detect_language(text[text.index("1. Le refus") :]) == "fr"


def test_seed_002_wire_credit_republisher_date_and_outlet(seed_texts: dict[str, str]) -> None:
    raw = seed_texts["002"]
    footer = _line_with(raw, "published on")
    text = _without(raw, footer)
    chrome = [Boilerplate(footer, "legal")]
    credits = find_credits(text)
    assert ("TASS", "origin") in _names(credits)
    assert {c.name for c in credits} == {"TASS"}
    _assert_spans(text, credits)
    published, _ = find_dates(text, chrome)
    assert published is not None and published.kind == "published"
    assert published.value == datetime(2017, 6, 12)  # the republisher's own date, not the wire's 9 June
    assert find_outlet(None, None, None, text, [], chrome)[0] == "Equipo Nizkor"
    # Without the footer the wire's date is the best evidence left.
    wire_only, _ = find_dates(text, [])
    assert wire_only is not None and wire_only.value == datetime(2017, 6, 9)
    # The masthead lines as a header, the footer in boilerplate, text without either.
    body = text[text.index("US-led coalition colluding") :]
    assert find_outlet(None, None, None, body, [], chrome) == (
        "Equipo Nizkor",
        footer[footer.index("published") : footer.index("Nizkor") + len("Nizkor")],
    )


def test_seed_003_crawl_stamp_is_never_the_publication_date(seed_texts: dict[str, str]) -> None:
    text = seed_texts["003"]
    stamp = _line_with(text, "GMT")
    chrome = [Boilerplate(stamp, "crawl_stamp"), Boilerplate("Listen Live", "chrome")]
    for page in (text, _without(text, stamp)):
        published, crawled = find_dates(page, chrome)
        assert crawled == datetime(2020, 12, 4, 1, 53)
        assert published is None or (published.value.year, published.value.month) == (2016, 12)
    assert find_outlet(None, None, None, _without(text, stamp), [], chrome) == (None, None)


def test_seed_004_dateline_with_update_and_interview_is_not_a_credit(seed_texts: dict[str, str]) -> None:
    text = seed_texts["004"]
    published, _ = find_dates(text, [])
    assert published is not None and published.kind == "published"
    assert published.value == datetime(2017, 6, 9, 16, 48)
    assert published.evidence is not None and "updated" in published.evidence
    assert find_outlet(None, None, None, text, [], []) == ("Sputnik", "Sputnik News")
    interview = text.index("A Syrian source told Sputnik")
    for credit in find_credits(text):
        assert credit.start is not None and credit.end is not None
        assert not credit.start <= interview + len("A Syrian source told Sputnik") <= credit.end + 1


def test_seed_languages(seed_texts: dict[str, str]) -> None:
    for key, text in seed_texts.items():
        assert article_language(split_paragraphs(text)) == "en", key


# --- parse_date --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2017-06-09", datetime(2017, 6, 9)),
        ("2017-06-09T16:48:00Z", datetime(2017, 6, 9, 16, 48)),
        ("2017-06-09T16:48:00+03:00", datetime(2017, 6, 9, 13, 48)),  # aware -> naive UTC
        ("Fri, 09 Jun 2017 16:48:00 +0300", datetime(2017, 6, 9, 13, 48)),
        ("4/5/17", datetime(2017, 4, 5)),  # FA-KES: month/day/yy
        ("12/31/16", datetime(2016, 12, 31)),
        ("31/12/2016", datetime(2016, 12, 31)),  # impossible as m/d: read d/m
        ("09Jun17", datetime(2017, 6, 9)),
        ("09.06.2017", datetime(2017, 6, 9)),
        ("09.06.2017 16:48", datetime(2017, 6, 9, 16, 48)),
        ("December 15, 2016", datetime(2016, 12, 15)),
        ("Dec. 15th, 2016", datetime(2016, 12, 15)),
        ("Tuesday, November 14, 2017", datetime(2017, 11, 14)),
        ("Jun 9, 2017 4:48 PM", datetime(2017, 6, 9, 16, 48)),
        ("15 décembre 2016", datetime(2016, 12, 15)),
        ("1er juin 2017", datetime(2017, 6, 1)),
        ("15. Dezember 2016", datetime(2016, 12, 15)),
        ("15 de diciembre de 2016", datetime(2016, 12, 15)),
        ("15 декабря 2016", datetime(2016, 12, 15)),
        ("9 июня 2017 г.", datetime(2017, 6, 9)),
        ("12 giugno 2017", datetime(2017, 6, 12)),
    ],
)
def test_parse_date_formats(value: str, expected: datetime) -> None:
    assert parse_date(value) == expected


def test_parse_date_dayfirst_and_garbage() -> None:
    assert parse_date("4/5/17", dayfirst=True) == datetime(2017, 5, 4)
    assert parse_date("04-05-2017") == datetime(2017, 5, 4)
    for junk in ("", "   ", "garbage", "yesterday", "31/31/2017", "2017-13-45", "Sputnik"):
        assert parse_date(junk) is None, junk


# --- find_dates units --------------------------------------------------------------------------


def test_priority_given_then_markup_then_dateline() -> None:
    text = "Posted on June 9, 2017 by admin\n\nThe army advanced on June 8, 2017 near the border."
    published, _ = find_dates(text, [], given="2017-06-10", markup={"article:published_time": "2017-06-11"})
    assert published is not None and (published.value, published.kind) == (datetime(2017, 6, 10), "published")
    published, _ = find_dates(text, [], markup={"article:modified_time": "2017-06-11T08:00:00"})
    assert published is not None and (published.value, published.kind) == (datetime(2017, 6, 11, 8), "updated")
    published, _ = find_dates(text, [])
    assert published is not None and published.value == datetime(2017, 6, 9)


def test_body_dates_are_events_not_publication() -> None:
    text = (
        "Coalition strikes army positions\n\nOn June 8, 2017, the coalition bombed forces near al-Tanf.\n\n"
        "Troops advanced on December 10th, officials said."
    )
    assert find_dates(text, [])[0] is None
    assert find_dates("Army retakes city on June 8, 2017\n\nTroops entered.", [])[0] is None


def test_dates_after_the_crawl_or_in_the_future_are_rejected() -> None:
    assert find_dates("March 3, 2021\n\nText.", [], crawled=datetime(2020, 12, 4))[0] is None
    assert find_dates("March 3, 2999\n\nText.", [])[0] is None
    published, crawled = find_dates("March 3, 2019\n\nText.", [], crawled=datetime(2020, 12, 4))
    assert published is not None and crawled == datetime(2020, 12, 4)


def test_only_updated_dateline_keeps_its_kind() -> None:
    published, _ = find_dates("Title\n\nUpdated: 12 June 2017\n\nBody text here.", [])
    assert published is not None and (published.kind, published.value) == ("updated", datetime(2017, 6, 12))


# --- credits units -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        ("MOSCOW, June 9 (Reuters) - Russia's army said", ("Reuters", "origin")),
        ("The ministry said so, AFP reported.", ("AFP", "origin")),
        ("according to the Associated Press, the talks failed", ("AP", "origin")),
        ("the ministry said, citing RIA Novosti.", ("RIA Novosti", "origin")),
        ("The report came via Al Masdar News.", ("Al Masdar", "via")),
        ("Le ministère l'a annoncé, selon l'agence RIA Novosti.", ("RIA Novosti", "origin")),
        ("Les frappes continuent, a rapporté l'agence TASS.", ("TASS", "origin")),
        ("Das berichtete die Nachrichtenagentur dpa am Montag.", ("dpa", "origin")),
        ("Dies meldet Interfax unter Berufung auf das Ministerium.", ("Interfax", "origin")),
        ("Los ataques continúan, según la agencia EFE.", ("EFE", "origin")),
        ("Об этом передает ТАСС.", ("TASS", "origin")),
        ("Об этом сообщает РИА Новости со ссылкой на министерство.", ("RIA Novosti", "origin")),
        ("[Source: Itar Tass, Moscow, 09Jun17]", ("TASS", "origin")),
        ("Texte traduit par Marie Dupont.", ("Marie Dupont", "translator")),
        ("Aus dem Russischen übersetzt von Hans Müller", ("Hans Müller", "translator")),
        ("Artículo traducido por Juan Pérez.", ("Juan Pérez", "translator")),
    ],
)
def test_credit_cues(text: str, credit: tuple[str, str]) -> None:
    found = find_credits(text)
    assert credit in _names(found)
    _assert_spans(text, found)


@pytest.mark.parametrize(
    "text",
    [
        "A Syrian source told Sputnik on Tuesday that two soldiers died.",
        "Sputnik is a news agency.",
        "The RIA building and the APC were hit.",
        "Follow @Reuters on social media or visit afp.com today.",
        "The text was translated by the team overnight.",
    ],
)
def test_mentions_without_a_cue_are_not_credits(text: str) -> None:
    assert find_credits(text) == []


def test_credits_deduplicate_per_name_and_role_and_accept_extra_sources() -> None:
    text = "TASS reported the strike. Later, according to Itar-Tass, talks resumed."
    found = find_credits(text)
    assert [(c.name, c.role) for c in found] == [("TASS", "origin")]
    table = load_sources(extra={"Example Wire": ["ExWire"]})
    assert _names(find_credits("Talks resumed, ExWire reported.", table=table)) == {("Example Wire", "origin")}


# --- outlet units ------------------------------------------------------------------------------


def test_outlet_order_and_hosts() -> None:
    text = "Sputnik News\n\nBody."
    assert find_outlet(None, "RT", {"og:site_name": "Sputnik"}, text, [], [])[0] == "RT"
    assert find_outlet(None, None, {"og:site_name": "Sputnik International"}, "", [], [])[0] == "Sputnik"
    assert find_outlet("https://fr.sputniknews.com/x", None, None, "", [], [])[0] == "Sputnik"
    assert find_outlet("https://www.unknown-paper.co.uk/a/b", None, None, text, [], [])[0] == "unknown-paper.co.uk"
    assert find_outlet(None, None, None, text, [], []) == ("Sputnik", "Sputnik News")
    assert find_outlet(None, None, None, "Body only.", ["Derechos | Equipo Nizkor"], [])[0] == "Equipo Nizkor"
    body = "A report published by Amnesty International said the strikes killed civilians.\n\n" + "Body. " * 300
    assert find_outlet(None, None, None, body, [], []) == (None, None)


def test_a_data_exports_outlet_code_is_the_tables_outlet() -> None:
    """CSV exports write outlets as codes ("dailysabah", "manar", "nytimes"): a masthead or a host's name in
    lower-case letters, with or without its article; an unknown code stays as given."""
    def given(code: str) -> str | None:
        return find_outlet(None, code, None, "Body.", [], [])[0]

    assert given("dailysabah") == "Daily Sabah"
    assert given("asharqalawsat") == "Asharq Al-Awsat"
    assert given("manar") == given("Al Manar") == "Al-Manar"
    assert given("nytimes") == given("New York Times") == "The New York Times"
    assert given("harbourline") == "harbourline"
    assert given("x") == "x"


def test_registered_domain() -> None:
    assert registered_domain("www.fort-russ.com") == "fort-russ.com"
    assert registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert registered_domain("aa.com.tr") == "aa.com.tr"


# --- language units ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Bonjour", "fr"),
        ("Merci beaucoup", "fr"),
        ("la guerre", "fr"),
        ("Guten Tag", "de"),
        ("der Krieg", "de"),
        ("Danke schön", "de"),
        ("Hello world", "en"),
        ("the war", "en"),
        ("Buenos días", "es"),
        ("Gracias", "es"),
        ("Спасибо", "ru"),
        ("Привет мир", "ru"),
        ("LA GUERRE EN SYRIE", "fr"),
        ("中国", "zh"),
        ("Ciao a tutti", "it"),
    ],
)
def test_short_strings(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Este año, todos los bebés nacidos en el Saint Mary Hospital de Riverside recibieron un regalo "
         "de la Golden Gate Foundation.", "es"),
        ("Castleberry dirige la Little Rock Valley School a Green Bay ed è istruttore presso il Northern "
         "Lakes Center for Entrepreneurship.", "it"),
        ("La causa dell'incendio non è stata immediatamente nota.", "it"),
        ("Sony sagt Tech-Messe wegen Corona-Virus ab", "de"),
    ],
)
def test_names_do_not_fool_the_cheap_detector(text: str, lang: str) -> None:
    """CLD2 reads these as English (97-99 %); the function words veto it and fastText decides."""
    assert detect_language(text) == lang
    assert detect_language(text, cheap_first=False) == lang


def test_cheap_detector_settles_plain_paragraphs_without_fasttext(monkeypatch: pytest.MonkeyPatch) -> None:
    from echotrace.annotate import language

    def no_fasttext(sample: str, k: int) -> list[tuple[str, float]]:
        raise AssertionError("fastText should not be needed")

    monkeypatch.setattr(language, "_fasttext", no_fasttext)
    paragraphs = {
        "en": "The regional water authority said on Monday that the northern reservoir had fallen to its "
              "lowest level in eleven years.",
        "fr": "Les autorités ont indiqué mardi que le niveau du réservoir du nord était le plus bas depuis "
              "onze ans et que les agriculteurs recevraient moins d'eau.",
        "de": "Die Behörden teilten am Dienstag mit, dass der Stausee im Norden den niedrigsten Stand seit "
              "elf Jahren erreicht habe und die Bauern weniger Wasser bekämen.",
        "es": "Las autoridades dijeron el martes que el embalse del norte había caído a su nivel más bajo "
              "en once años y que los agricultores recibirían menos agua.",
        "ru": "Власти сообщили во вторник, что уровень воды в северном водохранилище упал до самой низкой "
              "отметки за одиннадцать лет.",
        "zh": "地区水务局星期一表示，北部水库的水位已降至十一年来的最低点，河谷的农民将减少三分之一的灌溉用水。",
    }
    for lang, text in paragraphs.items():
        assert detect_language(text) == lang


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=" a\t\n\u00a0\u2028x", max_size=12), st.integers(0, 14))
def test_irregular_space_test_matches_its_regex_definition(text: str, end: int) -> None:
    """Re-spacing a language sample is decided by plain string tests, which must agree with the
    regex they replaced: whitespace other than single inner spaces in text[:end]."""
    import re

    from echotrace.annotate.language import _irregular_spaces

    expected = re.compile(r"[^\S ]|  |^ | $").search(text, 0, end) is not None
    assert _irregular_spaces(text, end) == expected


def test_unknown_wires_in_agency_phrases_found_in_text_order() -> None:
    """The agency phrases are searched only near their stems; results must not depend on that."""
    text = (
        "CASTELLON, March 3 (VNA) – Die Ermittler brauchen noch Tagen.\n"
        "Le bilan a été revu, selon l'agence KORA. SELON L'AGENCE KORA, rien ne change.\n"
        "Der Rat tagte, berichtete die Nachrichtenagentur ZEPA-2 am Abend (With Harbour Wire)."
    )
    credits = find_credits(text)
    _assert_spans(text, credits)
    assert [c.name for c in credits if c.role == "origin"] == ["VNA", "KORA", "ZEPA-2", "Harbour Wire"]
    assert find_credits("Die Bilanz soll binnen sechs Tagen vorliegen, sagte die Agentur.") == []


def test_no_letters_is_undetermined() -> None:
    assert detect_language("") == "und"
    assert detect_language("12 345 — 67") == "und"
    assert article_language([]) == "und"


def test_short_paragraphs_inherit_and_share_is_by_characters() -> None:
    long_en = "The ministry said the army had taken positions near the city after heavy fighting overnight."
    text = (f"Advertisement\n\n{long_en}\n\nRead more\n\nLa guerre continue.\n\nDie Armee rückt vor.\n\n"
            "Mon Oct 31 2016")
    paragraphs = split_paragraphs(text)
    assert [p.lang for p in paragraphs] == ["en", "en", "en", "fr", "de", "de"]
    credits = f"{long_en}\n\nDeerfield Beach, Fla.\n\n{long_en}\n\nPrzemysław Nowak, Kraków.\n\n{long_en}"
    assert {p.lang for p in split_paragraphs(credits)} == {"en"}  # a place or a name amid English is no Italian
    assert [text[p.start : p.end] for p in paragraphs][:2] == ["Advertisement", long_en]
    many_small = [Paragraph(i, 0, 10, "fr") for i in range(3)]
    assert article_language([*many_small, Paragraph(3, 0, 100, "en")]) == "en"


# --- robustness and speed ----------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_never_raise_on_random_text(text: str) -> None:
    published, _ = find_dates(text, [Boilerplate(text[:30], "crawl_stamp")], given=text[:20] or None)
    assert published is None or isinstance(published.value, datetime)
    _assert_spans(text, [c for c in find_credits(text) if c.start is not None])
    assert isinstance(detect_language(text), str)
    paragraphs = split_paragraphs(text)
    assert all(text[p.start : p.end].strip() == text[p.start : p.end] != "" for p in paragraphs)
    find_outlet(text[:40], None, None, text, [text[:10]], [])
    parse_date(text)


_CUE_SOUP = (
    "TASS|Sputnik| reported|according to |(|)| - |\n|\n\n|translated by |J. |Doe|09Jun17|December 15, 2016| – "
    "|[Source: |16:48|09.06.2017|updated |published on | by the |Equipo| |ТАСС|передает |selon l'agence "
).split("|")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(_CUE_SOUP),
        max_size=40,
    )
)
def test_never_raise_on_cue_soup(parts: list[str]) -> None:
    text = "".join(parts)
    find_dates(text, [])
    _assert_spans(text, find_credits(text))
    find_outlet(None, None, None, text, [], [Boilerplate(text, "legal")])
    article_language(split_paragraphs(text))


@pytest.mark.parametrize(
    "page",
    [
        "1" * 300_000,
        "9." * 150_000,
        "December " * 40_000,
        "according to the news agency " * 10_000,
        ("TASS - " * 40_000),
        "translated by " + "Aa " * 100_000,
        "[Source: " * 30_000,
        "published on by the " * 15_000,
        "a\n" * 150_000,
    ],
)
def test_adversarial_pages_stay_fast(page: str) -> None:
    started = time.perf_counter()
    find_dates(page, [Boilerplate(page[:1000], "legal")])
    find_credits(page)
    find_outlet(None, None, None, page, [page[:500]], [])
    article_language(split_paragraphs(page))
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    "text",
    [
        "Oct. 31, 2012 The first debate\n\nBody text.",
        "In the July 9, 2012, cable, the envoy wrote\n\nBody text.",
        '<tweet id="1" datetime="2015-12-02">#UPDATE</tweet>.\n\nBody text.',
    ],
)
def test_section_headers_and_embeds_are_not_datelines(text: str) -> None:
    assert find_dates(text, [])[0] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MOSCOW, June 9, 2017\n\nBody.", datetime(2017, 6, 9)),
        ("By Jane Doe | June 9, 2017 10:00 ET\n\nBody.", datetime(2017, 6, 9, 10)),
        ("Posted on June 9, 2017 by admin\n\nBody.", datetime(2017, 6, 9)),
        ("9 июня 2017 г.\n\nТекст.", datetime(2017, 6, 9)),
        ("Publié le 15 décembre 2016 à 10h30\n\nTexte.", datetime(2016, 12, 15, 10, 30)),
    ],
)
def test_dateline_forms(text: str, expected: datetime) -> None:
    published, _ = find_dates(text, [])
    assert published is not None and published.value == expected


def test_dateline_outlet_names() -> None:
    assert find_outlet(None, None, None, "June 9, 2017 – Example Daily News –\n\nBody.", [], [])[0] == (
        "Example Daily News"
    )
    assert find_outlet(None, None, None, "June 9, 2017 – MOSCOW –\n\nBody.", [], []) == (None, None)


def test_published_on_in_the_body_is_not_a_footer() -> None:
    text = "Title\n\nThe report, published on June 8, 2017 by the monitor, said civilians died.\n\n" + "Body. " * 300
    assert find_dates(text, [])[0] is None
    published, _ = find_dates(text + "\n\nThis article was published on 12Jun17 by Example Org.", [])
    assert published is not None and published.value == datetime(2017, 6, 12)
