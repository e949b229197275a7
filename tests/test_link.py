"""Links between articles: copies, wrapped wire stories, re-translations, provenance chains."""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from echotrace import link
from echotrace.link import document_similarity, find_links, provenance_chains, translation
from echotrace.link import fingerprints as fp
from echotrace.records import Article, Credit, DocLink, LinkSpan, Paragraph

ROOT = Path(__file__).resolve().parents[1]
# Eval gate: Pearson r vs -Overall measured 0.685 on the first 120 SemEval-2022 dev pairs by
# pair_id (0.768 on all 1,283) on 2026-12-02 (was 0.634 / 0.744 before the strongest-view share,
# the alignment background and headline-length fallback titles; 0.630 / 0.725 before language
# centring, the opening view and idf-weighted names); pinned a bit below so quality can only go up.
FLOOR_OVERALL = 0.68

SEED_DATES = {
    "000": datetime(2016, 12, 15),
    "001": datetime(2017, 11, 14),
    "002": datetime(2017, 6, 12),
    "003": datetime(2016, 12, 16),
    "004": datetime(2017, 6, 9),
}

# A made-up wire story (fictional places and people), written for these tests.
WIRE = [
    "The regional water authority of Velmora said on Thursday that the northern reservoir had "
    "fallen to its lowest level in forty years after a third dry winter in a row.",
    "Authority chairman Ostin Calder told reporters that rationing would start on Monday in "
    "eleven districts and that farms would receive water only two days a week until further notice.",
    "Engineers are testing a temporary pipeline from the Darrow river, which could supply about "
    "a fifth of the city's daily needs by the end of the month if the trials succeed.",
    "Opposition councillors accused the authority of ignoring warnings issued two years ago and "
    "called for an independent inquiry into how the reserves were managed during the drought.",
]
INTRO = (
    "Our readers in the valley have asked what the new rules mean for them, so here is the full "
    "agency report as we received it this morning from the capital."
)
OUTRO = (
    "Send your questions about rationing to our newsroom and we will answer the most common ones "
    "in a live blog on Friday afternoon together with the local council."
)
WIRE_FR = [
    "L'autorité régionale de l'eau de Velmora a annoncé jeudi que le réservoir du nord était "
    "tombé à son plus bas niveau depuis quarante ans, après un troisième hiver sec d'affilée.",
    "Le président de l'autorité, Ostin Calder, a déclaré aux journalistes que le rationnement "
    "commencerait lundi dans onze districts et que les fermes ne recevraient de l'eau que deux jours "
    "par semaine jusqu'à nouvel ordre.",
    "Des ingénieurs testent une conduite provisoire depuis la rivière Darrow, qui pourrait couvrir "
    "environ un cinquième des besoins quotidiens de la ville d'ici la fin du mois si les essais réussissent.",
    "Des conseillers de l'opposition ont accusé l'autorité d'avoir ignoré des avertissements émis il y a "
    "deux ans et réclamé une enquête indépendante sur la gestion des réserves pendant la sécheresse.",
]
UNRELATED = [
    "The city orchestra opened its winter season with a programme of early symphonies that drew "
    "a full house and long applause for the young conductor from the coastal academy.",
    "Tickets for the remaining concerts are on sale at the box office, and students can buy seats "
    "at half price on weekday evenings until the end of February.",
]


def make_article(doc_id: str, blocks: list[str], published: datetime | None = None,
                 credits: list[Credit] | None = None, outlet: str | None = None, language: str = "en") -> Article:
    """An Article with one paragraph per block, as the cleaner would hand it over."""
    text = "\n\n".join(blocks)
    paragraphs: list[Paragraph] = []
    pos = 0
    for idx, block in enumerate(blocks):
        start = text.index(block, pos)
        paragraphs.append(Paragraph(idx, start, start + len(block), language))
        pos = start + len(block)
    return Article(doc_id=doc_id, title=None, text=text, url=None, outlet=outlet, published=published,
                   date_kind="published" if published else None, date_evidence=None, crawled=None,
                   language=language, source_paths=[], fmt="txt", paragraphs=paragraphs, credits=credits or [])


def seed_article(key: str, text: str, credits: list[Credit] | None = None) -> Article:
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    return make_article(f"seed{key}", blocks, SEED_DATES[key], credits)


def link_between(links: list[DocLink], a: str, b: str) -> DocLink | None:
    return next((lk for lk in links if {lk.doc_a, lk.doc_b} == {a, b}), None)


def spans_between(spans: list[LinkSpan], a: str, b: str) -> list[LinkSpan]:
    return [s for s in spans if {s.doc_a, s.doc_b} == {a, b}]


def span_texts(span: LinkSpan, by_id: dict[str, Article]) -> tuple[str, str]:
    return (by_id[span.doc_a].text[span.a_start : span.a_end], by_id[span.doc_b].text[span.b_start : span.b_end])


@pytest.fixture(scope="module")
def seed_articles(seed_texts: dict[str, str]) -> list[Article]:
    credits = {
        "000": [Credit("RIA Novosti", "origin", None, None, "RIA Novosti – translated by")],
        "002": [Credit("TASS", "origin", None, None, "[Source: Itar Tass, Moscow, 09Jun17]")],
    }
    return [seed_article(key, text, credits.get(key)) for key, text in sorted(seed_texts.items())]


@pytest.fixture(scope="module")
def seed_links(seed_articles: list[Article]) -> tuple[list[DocLink], list[LinkSpan]]:
    return find_links(seed_articles)


def test_retranslated_surovikin_statements_are_linked_and_aligned(
    seed_articles: list[Article], seed_links: tuple[list[DocLink], list[LinkSpan]]
) -> None:
    links, spans = seed_links
    link = link_between(links, "seed002", "seed004")
    assert link is not None and link.kind in {"translation", "same_story"}
    assert link.earlier == "seed004"
    by_id = {a.doc_id: a for a in seed_articles}
    aligned = [span_texts(s, by_id) for s in spans_between(spans, "seed002", "seed004")]
    # The same Surovikin statement, translated twice: "groundless(ly) ultimatum".
    assert any("ultimatum" in a and "ultimatum" in b for a, b in aligned)
    assert any("sovereign right" in a and "sovereign right" in b for a, b in aligned)


def test_putin_tokyo_reports_are_linked(
    seed_articles: list[Article], seed_links: tuple[list[DocLink], list[LinkSpan]]
) -> None:
    links, spans = seed_links
    link = link_between(links, "seed000", "seed003")
    assert link is not None and link.kind in {"translation", "same_story"}
    by_id = {a.doc_id: a for a in seed_articles}
    aligned = [span_texts(s, by_id) for s in spans_between(spans, "seed000", "seed003")]
    assert any("foothold" in a and "foothold" in b for a, b in aligned)


def test_different_story_is_not_a_copy(seed_links: tuple[list[DocLink], list[LinkSpan]]) -> None:
    links, _ = seed_links
    for other in ("seed000", "seed002", "seed003", "seed004"):
        link = link_between(links, "seed001", other)
        assert link is None or link.kind not in {"duplicate", "reuse"}


def test_chains_are_rooted_at_the_credited_wire(
    seed_articles: list[Article], seed_links: tuple[list[DocLink], list[LinkSpan]]
) -> None:
    chains = provenance_chains(seed_articles, seed_links[0])
    by_member = {step.doc_id: chain for chain in chains for step in chain.steps}
    ria = by_member["seed000"]
    assert ria.root == "RIA Novosti" and ria.root_is_credited and ria.root_doc_id is None
    assert [s.doc_id for s in ria.steps] == ["seed000", "seed003"]
    assert ria.steps[0].first_appearance and not ria.steps[1].first_appearance
    assert ria.steps[1].via_doc_id == "seed000"
    tass = by_member["seed002"]
    assert tass.root == "TASS"
    assert tass.first_doc_id == "seed004"


def test_chain_without_credit_falls_back_to_crawl_date_and_says_so() -> None:
    first = make_article("a", WIRE, None)
    first.crawled = datetime(2024, 3, 2)
    second = make_article("b", WIRE, datetime(2024, 3, 1))
    link = DocLink("a", "b", "duplicate", 1.0, None, "test")
    (chain,) = provenance_chains([first, second], [link])
    assert [s.doc_id for s in chain.steps] == ["b", "a"]
    assert chain.root_doc_id == "b" and not chain.root_is_credited
    assert chain.steps[1].date_is_fallback and not chain.steps[0].date_is_fallback


def test_exact_copy_is_a_duplicate_and_wrapped_wire_story_is_reuse() -> None:
    original = make_article("wire", WIRE, datetime(2024, 5, 2), outlet="Velmora Press Agency")
    copy = make_article("copy", WIRE, datetime(2024, 5, 3))
    wrapped = make_article("wrapped", [INTRO, *WIRE[:3], OUTRO], datetime(2024, 5, 4))
    concert = make_article("concert", UNRELATED, datetime(2024, 5, 2))
    links, spans = find_links([original, copy, wrapped, concert])
    duplicate = link_between(links, "wire", "copy")
    assert duplicate is not None and duplicate.kind == "duplicate" and duplicate.earlier == "wire"
    reuse = link_between(links, "wire", "wrapped")
    assert reuse is not None and reuse.kind == "reuse" and 0.6 <= reuse.score <= 0.8  # 3 of 4 paragraphs
    assert all(link_between(links, "concert", other) is None for other in ("wire", "copy", "wrapped"))
    by_id = {a.doc_id: a for a in (original, copy, wrapped)}
    aligned = sorted(span_texts(s, by_id) for s in spans_between(spans, "wire", "wrapped"))
    assert aligned == sorted((p, p) for p in WIRE[:3])


def test_facts_conflict_tells_a_filled_template_from_a_translation() -> None:
    conflict = translation.facts_conflict
    assert conflict("Schools in Linmi will remain closed until further notice.",
                    "Schools in Tekadu will remain closed until further notice.")
    assert conflict("Local businesses estimate the damage at 130 million.",
                    "The damage could reach 133 million, according to local business groups.")
    assert conflict("Der Krisenstab will am Dienstag erneut zusammenkommen.",
                    "Der Krisenstab will am Mittwoch erneut zusammenkommen.")
    # A retranslation keeps names and numbers and changes the wording; a translation shares no wording.
    assert not conflict("Authority chairman Ostin Calder said rationing would start in 11 districts.",
                        "Rationing will begin in 11 districts, chairman Ostin Calder told reporters.")
    assert not conflict(WIRE[0], WIRE_FR[0])
    assert not conflict("Russia's Defense Ministry said on Friday.", "The Russian Defence Ministry said on Friday.")


def test_a_widely_republished_story_stays_evidence_for_its_translation() -> None:
    """Six outlets carry the wire story word for word: its sentences are not stock phrases, and the
    French translation is still linked to it."""
    copies = [make_article(f"copy{k}", WIRE, datetime(2024, 5, 2 + k), outlet=f"Outlet {k}") for k in range(6)]
    french = make_article("fr", WIRE_FR, datetime(2024, 5, 4), outlet="Le Courrier", language="fr")
    links, spans = find_links([*copies, french])
    to_french = [lk for lk in links if "fr" in (lk.doc_a, lk.doc_b)]
    assert to_french and all(lk.kind == "translation" for lk in to_french)
    assert len(spans_between(spans, "copy0", "fr")) >= 2


def test_reports_from_one_template_about_other_events_are_not_linked() -> None:
    def report(town: str, day: str, level: int, districts: int, river: str) -> list[str]:
        return [f"The water authority of {town} said on {day} that the reservoir had fallen to {level} percent.",
                f"Rationing will start next week in {districts} districts of {town}, the authority said.",
                f"Engineers are testing a temporary pipeline from the {river} river to supply {town}.",
                f"Farms around {town} will receive water only two days a week until further notice."]
    first = make_article("a", report("Velmora", "Monday", 31, 11, "Darrow"), datetime(2024, 5, 2), outlet="A")
    second = make_article("b", report("Dunmere", "Friday", 18, 7, "Ashby"), datetime(2024, 8, 9), outlet="B")
    links, spans = find_links([first, second])
    assert links == [] and spans == []


def test_same_input_in_any_order_gives_the_same_links(seed_articles: list[Article]) -> None:
    corpus = [*seed_articles, make_article("wire", WIRE, datetime(2024, 5, 2)),
              make_article("wrapped", [INTRO, *WIRE[1:], OUTRO], datetime(2024, 5, 4))]
    results = []
    for seed in (1, 2):
        shuffled = corpus[:]
        random.Random(seed).shuffle(shuffled)
        results.append(find_links(shuffled))
    assert results[0] == results[1]
    assert results[0] == find_links(corpus)


def test_evidence_cosines_stop_at_one() -> None:
    """A sentence against itself: its int8 vector's cosine is 1.0003 unclipped (the third)."""
    text = "\n\n".join(WIRE)
    p, q = translation.profile_documents([text, text], ["en", "en"])
    assert float(np.max(np.sum(p.sentence_vectors() ** 2, axis=1))) > 1.0
    matches = translation.aligned_sentences(p, q)
    assert [(i, j) for i, j, _ in matches] == [(k, k) for k in range(len(WIRE))]
    assert all(0.999 <= cosine <= 1.0 for _, _, cosine in matches)


def test_sentence_shingles_are_the_same_when_the_store_fills_up() -> None:
    """A full store starts again: sentences kept from earlier calls must be computed anew (a
    100k-document run once failed on a sentence dropped with the rest)."""
    shingles = translation._SentenceShingles(limit=3)
    expected = dict(zip(WIRE, fp.shingle_sets(WIRE), strict=True))
    for sentences in ([WIRE[0], WIRE[1]], [WIRE[1], WIRE[2], WIRE[1]], [WIRE[0], WIRE[3]], [WIRE[3], WIRE[0]]):
        got = shingles(sentences)
        assert [g.tolist() for g in got] == [expected[s].tolist() for s in sentences]


def test_copy_search_beside_pass_one_or_before_it_gives_the_same_links(
        seed_articles: list[Article], monkeypatch: pytest.MonkeyPatch) -> None:
    """Small corpora search for copies while pass 1 embeds, large ones first: the same links."""
    corpus = [*seed_articles, make_article("wire", WIRE, datetime(2024, 5, 2)),
              make_article("wrapped", [INTRO, *WIRE[1:], OUTRO], datetime(2024, 5, 4)),
              make_article("fr", WIRE_FR, datetime(2024, 5, 4), outlet="Le Courrier", language="fr")]
    side_by_side = find_links(corpus)
    monkeypatch.setattr(link, "SIDE_BY_SIDE_MAX_DOCS", 0)
    assert find_links(corpus) == side_by_side
    assert {lk.kind for lk in side_by_side[0]} >= {"reuse", "translation"}


def test_shingle_hashes_are_stable_and_lsh_finds_near_copies() -> None:
    texts = [" ".join(WIRE), " ".join(WIRE).upper().replace(".", " !"), " ".join(UNRELATED)]
    sets = fp.shingle_sets(texts)
    assert fp.jaccard(sets[0], sets[1]) == 1.0
    assert fp.jaccard(sets[0], sets[2]) == 0.0
    pairs = fp.candidate_pairs(fp.signatures(sets), 0.5)
    assert pairs.tolist() == [[0, 1]]
    assert fp.shingle_sets(["one two"])[0].size == 1


def test_document_similarity_ranks_the_same_story_first(seed_texts: dict[str, str]) -> None:
    same = document_similarity(seed_texts["002"], seed_texts["004"], "en", "en")
    other = document_similarity(seed_texts["002"], " ".join(UNRELATED), "en", "en")
    assert same > other + 0.2


def _letter_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """A stand-in model, fast and deterministic: unit vectors of letter counts (a-z)."""
    counts = np.zeros((len(texts), 26), dtype=np.float32)
    for row, text in enumerate(texts):
        for char in text.lower():
            if "a" <= char <= "z":
                counts[row, ord(char) - ord("a")] += 1.0
    counts += 1e-3
    normalised: npt.NDArray[np.float32] = counts / np.linalg.norm(counts, axis=1, keepdims=True)
    return normalised


def _word_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """A stand-in model: bags of hashed words, so texts sharing words point alike."""
    vectors = np.zeros((len(texts), 256), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            vectors[row, sum(map(ord, word)) % 256] += 1.0
    vectors[np.linalg.norm(vectors, axis=1) == 0, 0] = 1.0
    normalised: npt.NDArray[np.float32] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return normalised


def test_cascade_embeds_the_rest_only_of_documents_that_may_be_translations() -> None:
    """Pass 1 embeds headline, opening and lead of every document; pass 2 the other sentences
    only of documents in a pair that could still be a translation."""
    tail = [f"Spokesman Ostin Calder listed district {k} of Velmora among those under rationing." for k in range(8)]
    concerts = [f"The orchestra plays symphony number {k} on stage {k} with a guest soloist." for k in range(20)]
    wire = make_article("wire", [*WIRE, *UNRELATED[:1], *WIRE, *tail], datetime(2024, 5, 2), outlet="A")
    retold = make_article("retold", [*reversed(WIRE), *WIRE, *UNRELATED[1:], *tail], datetime(2024, 5, 3), outlet="B")
    other = make_article("concert", concerts, datetime(2024, 5, 3), outlet="C")
    asked: list[str] = []

    def counting(texts: Sequence[str]) -> npt.NDArray[np.float32]:
        asked.extend(texts)
        return _word_embedder(texts)

    links, spans = translation.semantic_links([other, retold, wire], list, counting)
    assert [(lk.doc_a, lk.doc_b) for lk in links] == [("retold", "wire")]
    assert tail[-1] in asked  # past the lead of a possible translation
    # The concert review's lead and opening were embedded; nothing past them.
    assert concerts[translation.LEAD_SENTENCES - 1] in asked and concerts[-1] not in asked
    assert any(wire.text[s.b_start : s.b_end] == tail[-1] for s in spans)


def test_glued_sentences_and_arabic_question_marks_are_split() -> None:
    text = "Biblioteka zaprasza na spotkanie klubu.Podczas spotkania porozmawiamy o życiu w mieście."
    spans, _ = translation._sentence_spans(text, 10)
    assert [text[s:e] for s, e in spans] == ["Biblioteka zaprasza na spotkanie klubu.",
                                               "Podczas spotkania porozmawiamy o życiu w mieście."]
    arabic = "هل ارتفع سعر الدولار اليوم في البنوك؟ قال الخبراء إن السعر استقر بعد أسبوع من التراجع."
    parts = [arabic[s:e] for s, e in translation._sentence_spans(arabic, 10)[0]]
    assert len(parts) == 2 and parts[0].endswith("؟") and not parts[1][0].isspace()
    # Decimals, domain names and lower-case joins stay whole.
    assert len(translation._sentence_spans("The index rose 3.5 points, the analysts of example.com said.", 10)[0]) == 1


def test_rare_shared_names_weigh_more_than_common_ones() -> None:
    filler = [f"Reporters in Velmora covered meeting number {k} of the Velmora council on Monday." for k in range(30)]
    rare = ["Officials in Velmora met Ostin Calder and Darrow engineers on Monday.",
            "On Monday Ostin Calder told Velmora that Darrow engineers had finished."]
    common = ["Officials in Velmora met on Monday to discuss the budget for schools.",
              "Residents of Velmora complained on Monday about the state of roads."]
    profiles = translation.profile_documents([*rare, *common, *filler], ["en"] * 34, _letter_embedder)
    rare_score = translation.pair_features(profiles[0], profiles[1])["entities"]
    common_score = translation.pair_features(profiles[2], profiles[3])["entities"]
    assert rare_score > 2 * common_score > 0
    assert profiles[0].name_weights["calde"] > profiles[0].name_weights["velmo"]


def test_language_centring_needs_enough_documents() -> None:
    texts = [f"Story {k}: the council of Velmora met {k} times about water and roads." for k in range(60)]
    many = translation.profile_documents(texts, ["en"] * 60, _letter_embedder)
    few = translation.profile_documents(texts[:2], ["en"] * 2, _letter_embedder)
    def raw_mean(profile: translation.DocumentProfile) -> np.ndarray:
        mean = profile.sentence_vectors(translation.SCORE_SENTENCES).mean(axis=0)
        unit: np.ndarray = mean / float(np.linalg.norm(mean))
        return unit

    # Two documents alone are compared raw: centring on their own mean would erase what they share.
    assert np.allclose(few[0].centered_mean, raw_mean(few[0]), atol=1e-3)
    assert many[0].centred and not few[0].centred
    assert not np.allclose(many[0].centered_mean, raw_mean(many[0]), atol=1e-3)
    assert translation.pair_similarity(few[0], few[1]) > 0.5


def test_fallback_title_is_a_headline_length_prefix() -> None:
    glued = "Velmora rations water as reservoir falls to a forty year low The water authority said on Thursday"
    assert translation._title_text(glued) == "Velmora rations water as reservoir falls to a forty year"
    assert translation._title_text("Short headline\nBody text follows here.") == "Short headline"
    assert len(translation._title_text("維爾莫拉" * 30)) == 3 * translation.TITLE_WORDS


def test_combined_score_rewards_the_strongest_view_above_the_background() -> None:
    identical = {"title": 1.0, "mean": 1.0, "opening": 1.0, "entities": 1.0, "alignment": 1.0}
    assert translation.combined_score(identical) == pytest.approx(1.0)
    # Same mix of views, one of them strong: the strong one lifts the score.
    spread = {"title": 0.9, "mean": 0.3, "opening": 0.3, "entities": 0.2, "alignment": 0.4}
    flat = {"title": 0.5, "mean": 0.5, "opening": 0.4, "entities": 0.2, "alignment": 0.4}
    assert translation.combined_score(spread) > translation.combined_score(flat)
    # Sentences alike everywhere (one outlet's template) lower the score for the same views.
    assert translation.combined_score({**flat, "alignment": 0.8}) < translation.combined_score(flat)


def test_eval_gate_semeval_subset(shared_dir: Path) -> None:
    """Eval gate: Pearson on the first 120 SemEval-2022 dev pairs (by pair_id) stays above a floor."""
    data = shared_dir / "eval" / "semeval2022-t8-dev.csv"
    if not data.is_file():
        pytest.skip("SemEval dev file absent")
    sys.path.insert(0, str(ROOT / "bench"))
    from eval_similarity import main

    result = main([str(data), "--limit", "120"])
    assert result["n_pairs"] == 120
    assert float(result["pearson_overall"]) >= FLOOR_OVERALL

