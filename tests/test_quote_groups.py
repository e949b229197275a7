"""Quote groups: one speaker + one statement, across outlets, translations and verbatim repeats."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timedelta

from echotrace.link.quotes import group_quotes
from echotrace.records import Quote

STATEMENT = "We will rebuild every bridge that the floods destroyed in the valley"
TRANSLATION = "Nous reconstruirons chaque pont que les inondations ont détruit dans la vallée"
OTHER = "The price of bread has doubled since the start of the year in the capital"


def _quote(doc: str, start: int, text: str, speaker: str | None) -> Quote:
    return Quote(f"{doc}-{start}", doc, start, start + len(text), text, speaker, None, "direct")


def _members(quotes: list[Quote]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for q in quotes:
        assert q.group_id is not None
        groups[q.group_id].add(q.quote_id)
    return groups


def test_verbatim_repeats_translations_and_unknown_speakers_join_one_group() -> None:
    quotes = [
        _quote("a", 0, STATEMENT, "Maria Lenk"),
        _quote("a", 500, STATEMENT, "Lenk"),  # the article repeats the quote: still one statement
        _quote("b", 10, STATEMENT, "Maria Lenk"),
        _quote("c", 40, TRANSLATION, "Maria Lenk"),
        _quote("d", 0, STATEMENT, None),  # unattributed copy: joins, its speaker stays unknown
        _quote("a", 900, OTHER, "Maria Lenk"),
    ]
    published = {"a": datetime(2024, 3, 2), "b": datetime(2024, 3, 1), "c": datetime(2024, 3, 3), "d": None}
    grouped, groups = group_quotes(quotes, published, linked=[("a", "c")])  # c translates a's story
    by_id = {q.quote_id: q for q in grouped}
    statement = {by_id[k].group_id for k in ("a-0", "a-500", "b-10", "c-40", "d-0")}
    assert len(statement) == 1
    group = next(g for g in groups if g.group_id in statement)
    assert group.n_docs == 4 and group.first_doc_id == "b"
    assert group.speaker_name == "Maria Lenk"
    assert by_id["d-0"].speaker_name is None
    assert by_id["a-900"].group_id not in statement  # the speaker's other statement stays apart


def test_two_speakers_never_share_a_group() -> None:
    quotes = [_quote(f"d{k}", 0, STATEMENT, "Maria Lenk" if k % 2 else "Omar Fadil") for k in range(6)]
    grouped, groups = group_quotes(quotes, {})
    assert len(groups) == 2
    for members in _members(grouped).values():
        speakers = {q.speaker_name for q in grouped if q.quote_id in members}
        assert len(speakers) == 1


def test_input_order_does_not_change_groups() -> None:
    quotes = [_quote(f"d{k}", 7 * k, text, speaker)
              for k, (text, speaker) in enumerate([(STATEMENT, "Maria Lenk"), (TRANSLATION, None),
                                                   (OTHER, "Omar Fadil"), (STATEMENT, None),
                                                   (OTHER, None), (TRANSLATION, "Maria Lenk")])]
    linked = [("d0", "d1"), ("d3", "d5")]
    first, _ = group_quotes(quotes, {}, linked=linked)
    again, _ = group_quotes(list(reversed(quotes)), {}, linked=list(reversed(linked)))
    assert len({q.group_id for q in first if q.doc_id in ("d0", "d1", "d3", "d5")}) == 1
    assert sorted((q.quote_id, q.group_id) for q in first) == sorted((q.quote_id, q.group_id) for q in again)


def test_a_statement_carried_by_thousands_of_articles_is_grouped_in_linear_time() -> None:
    """A press-office line repeated by 4,000 articles of 40 speakers: 40 groups, and the work
    is per distinct statement (once an n² pair search over copies took minutes)."""
    speakers = [f"Speaker Number{k}" for k in range(40)]
    quotes = [_quote(f"doc{k:05d}", 0, STATEMENT, speakers[k % 40]) for k in range(4000)]
    published = {f"doc{k:05d}": datetime(2024, 1, 1) + timedelta(hours=k) for k in range(4000)}
    started = time.process_time()
    _, groups = group_quotes(quotes, published)
    assert time.process_time() - started < 20
    assert len(groups) == 40
    assert {g.n_docs for g in groups} == {100}
    assert {g.first_doc_id for g in groups} == {f"doc{k:05d}" for k in range(40)}


def test_a_speakers_death_tolls_do_not_chain_into_one_group() -> None:
    """Formulaic statements of one source (a monitor's daily tolls) are different statements
    when their numbers differ, however alike their words."""
    tolls = ["At least 12 people were killed in air strikes on the town of Ariha on Monday",
             "At least 31 people were killed in air strikes on the town of Ariha on Monday",
             "At least 12 people were killed in air strikes on the town of Ariha on Monday, most of them civilians"]
    quotes = [_quote(f"d{k}", 0, text, "Syrian Observatory for Human Rights") for k, text in enumerate(tolls)]
    grouped, _ = group_quotes(quotes, {})
    group = {q.quote_id: q.group_id for q in grouped}
    assert group["d0-0"] == group["d2-0"]
    assert group["d1-0"] != group["d0-0"]


def test_a_number_written_the_french_or_russian_way_is_the_same_number() -> None:
    quotes = [_quote("en", 0, "More than 1,000 fighters were killed in the battle for the city last month",
                     "Ivan Petrov"),
              _quote("fr", 0, "Plus de 1 000 combattants ont été tués dans la bataille pour la ville le mois dernier",
                     "Ivan Petrov"),
              _quote("ru", 0, "Более 1\u00a0000 боевиков погибли в битве за город в прошлом месяце", "Ivan Petrov")]
    _, groups = group_quotes(quotes, {}, linked=[("en", "fr"), ("en", "ru")])
    assert [g.n_docs for g in groups] == [3]


def test_a_paraphrase_joins_only_when_the_articles_are_linked() -> None:
    """A re-translation embeds no closer than one speaker's statement about another event; what
    tells them apart is that the re-translation's article reports the same story."""
    said = "To be effective in the fight against terrorists, we have to join our forces"
    retranslated = "It is necessary to combine efforts in order to fight terrorism effectively"
    quotes = [_quote("ria", 0, said, "Vladimir Putin"), _quote("sputnik", 0, retranslated, "Vladimir Putin")]
    apart, _ = group_quotes(quotes, {})
    assert apart[0].group_id != apart[1].group_id
    together, _ = group_quotes(quotes, {}, linked=[("ria", "sputnik")])
    assert together[0].group_id == together[1].group_id
    # Near-verbatim repeats need no link: a stock line recurs across unrelated articles.
    repeat = [_quote("x", 0, STATEMENT, "Maria Lenk"), _quote("y", 0, STATEMENT + " again", "Maria Lenk")]
    grouped, _ = group_quotes(repeat, {})
    assert grouped[0].group_id == grouped[1].group_id
