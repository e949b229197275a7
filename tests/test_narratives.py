"""Narratives: catalogue formats, role direction, matching and discovery on the seeds, eval gate."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from echotrace.narratives.catalogue import (
    CatalogueError,
    NarrativeSpec,
    Roles,
    import_claimreview,
    import_claims_csv,
    load_catalogue,
)
from echotrace.narratives.discover import discover_claims
from echotrace.narratives.match import article_presence, match_narratives
from echotrace.narratives.roles import SpanFinder, extract_triples, inflections
from echotrace.narratives.spread import narrative_spread
from echotrace.records import Article, NarrativeMatch, Paragraph, Quote

ROOT = Path(__file__).resolve().parents[1]
SYRIA_CATALOGUE = ROOT / "echotrace" / "data" / "narratives_syria.yaml"
NARRATIVE = "us-coalition-supports-isis"
SEED_DATES = {"000": "2016-12-15", "001": "2017-11-14", "002": "2017-06-12", "003": "2016-12-15", "004": "2017-06-09"}
SEED_STORIES = {"000": "palmyra-2016", "003": "palmyra-2016", "002": "raqqa-2017", "004": "raqqa-2017",
                "001": "albu-kamal-2017"}
SEED_OUTLETS = {"000": "Fort Russ", "001": "Only News", "002": "Equipo Nizkor", "003": "Sputnik",
                "004": "GlobalSecurity"}


def _article(doc_id: str, text: str, published: str | None = None, outlet: str | None = None) -> Article:
    paragraphs = [
        Paragraph(idx, m.start(), m.end(), "en")
        for idx, m in enumerate(re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", text))
    ]
    return Article(
        doc_id=doc_id, title=None, text=text, url=None, outlet=outlet,
        published=datetime.fromisoformat(published) if published else None,
        date_kind="published" if published else None, date_evidence=None, crawled=None,
        language="en", source_paths=[], fmt="txt", paragraphs=paragraphs,
    )


def _flat_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Every text alike: isolates the lexical and role logic from the embedding model."""
    vectors = np.ones((len(texts), 4), dtype=np.float32)
    return vectors / 2.0


ROLE_SPEC = NarrativeSpec(
    narrative_id="coalition-supports-isis",
    title="The coalition supports ISIS",
    description="",
    examples=["The coalition supports ISIS."],
    roles=Roles(actor=["coalition", "US-led coalition", "United States", "US"],
                action=["support", "shield", "let", "collude"],
                target=["ISIS", "Daesh", "Islamic State"]),
)


@pytest.fixture(scope="module")
def seed_articles(seed_texts: dict[str, str]) -> list[Article]:
    return [_article(k, seed_texts[k], SEED_DATES[k], SEED_OUTLETS[k]) for k in sorted(seed_texts)]


@pytest.fixture(scope="module")
def seed_matches(seed_articles: list[Article]) -> list[NarrativeMatch]:
    return match_narratives(seed_articles, load_catalogue(SYRIA_CATALOGUE))


# --- roles -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The coalition supports ISIS in eastern Syria.", True),
        ("ISIS supports the coalition.", False),
        ("ISIS attacks the coalition near Raqqa.", False),
        ("The coalition attacks ISIS near Raqqa.", False),
        ("The coalition does not support ISIS.", False),
        ("ISIS was supported by the coalition.", True),
        ("The coalition was supported by ISIS.", False),
        ("The coalition's support for Daesh is obvious, the ministry said.", True),
        ("The militants arrived thanks to US support, Daesh said.", False),
        ("US-led coalition colluding with Daesh instead of fighting terrorism", True),
        ("The United States lets Islamic State fighters leave the city.", True),
    ],
)
def test_role_direction(sentence: str, expected: bool) -> None:
    article = _article("doc", sentence)
    found = match_narratives([article], [ROLE_SPEC], embedder=_flat_embedder)
    assert bool(found) is expected, sentence


def test_triples_read_passive_nominal_and_possessive_forms() -> None:
    finder = SpanFinder({"actor": ["coalition"], "target": ["ISIS", "terrorists"]})
    actions = SpanFinder({"action": inflections("support")})

    def readings(text: str) -> list[tuple[str, str]]:
        return [(t.actor.key, t.target.key) for t in extract_triples(text, finder.find(text), actions.find(text))]

    assert readings("the terrorists came with the direct support of the coalition") == [("actor", "target")]
    assert readings("support for ISIS terrorists by the coalition") == [("actor", "target")]
    assert readings("ISIS supported the coalition") == [("target", "actor")]


def test_short_caps_aliases_match_case_sensitively() -> None:
    finder = SpanFinder({"us": ["US"], "is": ["IS"]})
    assert [s.key for s in finder.find("The US said IS fighters left; let us see what is next.")] == ["us", "is"]


def test_inflections_cover_verb_forms() -> None:
    assert {"supports", "supported", "supporting"} <= set(inflections("support"))
    assert {"lets", "letting"} <= set(inflections("let"))
    assert {"colluding", "colluded", "colludes"} <= set(inflections("collude"))


# --- seeds -------------------------------------------------------------------------------------

def test_catalogue_matches_all_five_seeds_with_evidence(
    seed_articles: list[Article], seed_matches: list[NarrativeMatch]
) -> None:
    texts = {a.doc_id: a.text for a in seed_articles}
    ours = [m for m in seed_matches if m.narrative_id == NARRATIVE]
    assert {m.doc_id for m in ours} == set(SEED_DATES)
    support_words = re.compile(r"support|let|collu|conspir|cover|shield|enhanc", re.IGNORECASE)
    for doc_id in SEED_DATES:
        evidence = [m for m in ours if m.doc_id == doc_id]
        for m in evidence:
            assert texts[doc_id][m.start : m.end] == m.text
            assert 0.5 <= m.score <= 1.0
        assert any(support_words.search(m.text) for m in evidence), doc_id


def test_uncoordinated_actions_is_not_evidence(seed_matches: list[NarrativeMatch]) -> None:
    for match in seed_matches:
        assert "uncoordinated actions" not in match.text
        assert "discordant actions" not in match.text
        assert "lack of coordination" not in match.text


def test_seed_003_carries_the_narrative_only_in_its_related_headlines(seed_texts: dict[str, str]) -> None:
    """Through the cleaner, 003's body holds Putin's 'uncoordinated actions' framing and no sentence
    saying the coalition helps ISIS; the narrative is on the page only in Sputnik's related-headline
    block, which the cleaner keeps apart (reason `related_links`). The body must give no evidence."""
    from echotrace.clean.text import clean_text

    cleaned = clean_text(seed_texts["003"])
    specs = load_catalogue(SYRIA_CATALOGUE)
    body = [m for m in match_narratives([_article("003", cleaned.text)], specs) if m.narrative_id == NARRATIVE]
    assert body == []
    related = "\n".join(b.text for b in cleaned.boilerplate if b.reason == "related_links")
    evidence = [m for m in match_narratives([_article("003", related)], specs) if m.narrative_id == NARRATIVE]
    assert evidence and all(re.search(r"\blet\b", m.text, re.IGNORECASE) for m in evidence)


def test_article_presence_comes_from_passages(seed_matches: list[NarrativeMatch]) -> None:
    presence = article_presence(seed_matches)
    assert set(presence) == {(NARRATIVE, d) for d in SEED_DATES}
    assert all(0.5 <= v <= 1.0 for v in presence.values())


def test_discovery_finds_the_cross_story_claim(seed_articles: list[Article]) -> None:
    narratives, matches = discover_claims(seed_articles, SEED_STORIES)
    spanning = []
    for narrative in narratives:
        assert narrative.origin == "discovered"
        docs = {m.doc_id for m in matches if m.narrative_id == narrative.narrative_id}
        if len(docs) >= 3 and len({SEED_STORIES[d] for d in docs}) >= 2:
            spanning.append(narrative)
    assert spanning, [n.title for n in narratives]
    assert "coalition" in spanning[0].title.lower()
    assert "supports" in spanning[0].title


def test_discovery_rejects_dates_and_possessive_fragments_as_actors() -> None:
    texts = [
        "Police said Sunday's attacks on Varo killed four people.",
        "The mayor condemned Sunday's attacks on Varo.",
        "Witnesses said on Friday that March shelling of Varo went on.",
        "Officials said Monday attacks on Varo were planned. Witnesses said March shelling of Varo went on.",
        "Police said Reyval's attacks on Varo went on for a week.",
        "The report said Reyval's attacks on Varo were planned.",
    ]
    articles = [_article(f"d{i}", text) for i, text in enumerate(texts)]
    narratives, _ = discover_claims(articles, embedder=_flat_embedder, aliases={})
    labels = [n.title for n in narratives]
    assert labels == ["Reyval — attacks — Varo"], labels


def test_discovery_and_matching_are_deterministic(seed_articles: list[Article]) -> None:
    first = discover_claims(seed_articles, SEED_STORIES)
    again = discover_claims(list(reversed(seed_articles)), SEED_STORIES)
    assert first == again
    specs = load_catalogue(SYRIA_CATALOGUE)
    assert match_narratives(seed_articles, specs) == match_narratives(list(reversed(seed_articles)), specs)


def test_spread_of_the_seed_narrative(seed_articles: list[Article], seed_matches: list[NarrativeMatch]) -> None:
    evidence = next(m for m in seed_matches if m.doc_id == "001")
    quote = Quote("q1", "001", evidence.start, evidence.end, evidence.text, "Russian Defense Ministry",
                  "russian-defense-ministry", "direct")
    spread = narrative_spread(seed_matches, seed_articles, SEED_STORIES, [quote])[NARRATIVE]
    assert spread.n_docs == 5 and spread.n_stories == 3 and spread.n_outlets == 5
    assert spread.first_seen == datetime(2016, 12, 15)
    assert spread.first_doc_id in {"000", "003"}
    assert spread.month_outlet[("2017-06", "GlobalSecurity")] == 1
    assert sum(spread.month_outlet.values()) == 5
    assert spread.n_months == 3
    assert spread.speakers[0][0] == "Russian Defense Ministry"
    assert spread.spread == 3 * 5 * 3


def test_default_catalogue_on_the_demo_corpus() -> None:
    demo = ROOT / "echotrace" / "data" / "demo"
    if not any(demo.glob("*.txt")):
        pytest.skip("demo corpus not present")
    articles = [_article(p.name, p.read_text(encoding="utf-8")) for p in sorted(demo.glob("*.txt"))]
    matches = match_narratives(articles, load_catalogue(ROOT / "echotrace" / "data" / "narratives.yaml"))
    arms = {m.doc_id for m in matches if m.narrative_id == "alliance-arms-crimson-hand"}
    assert len(arms) >= 3
    assert not any("never armed" in m.text for m in matches)


# --- catalogue formats -------------------------------------------------------------------------

def test_load_catalogue_yaml(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.yaml"
    path.write_text(
        "narratives:\n"
        "  - id: sanctions-hurt\n"
        "    title: Sanctions only hurt ordinary people\n"
        "    examples: [Sanctions only hurt ordinary people, Les sanctions ne frappent que la population]\n"
        "    roles:\n"
        "      actor: [EU, European Union]\n"
        "      action: [punish, starve]\n"
        "      target: [civilians, ordinary people]\n"
        "  - title: A narrative without id or examples\n",
        encoding="utf-8",
    )
    specs = load_catalogue(path)
    assert specs[0].narrative_id == "sanctions-hurt"
    assert specs[0].roles is not None and specs[0].roles.target == ["civilians", "ordinary people"]
    assert specs[1].narrative_id.startswith("catalogue:") and specs[1].examples == [specs[1].title]
    assert load_catalogue(path) == specs


def test_load_catalogue_rejects_broken_entries(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- title: x\n  roles: {actor: [A], target: [B]}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="action"):
        load_catalogue(path)


def test_shipped_catalogues_load() -> None:
    specs = load_catalogue(SYRIA_CATALOGUE)
    assert specs[0].narrative_id == NARRATIVE and specs[0].roles is not None
    default = ROOT / "echotrace" / "data" / "narratives.yaml"
    assert load_catalogue(default)


def test_import_claims_csv_small(tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "id", "title", "countries", "keywords", "languages", "outlets"])
        writer.writerow(["2020-11-03", "https://euvsdisinfo.eu/report/coalition-helped-isis/",
                         "The coalition secretly helped ISIS", "US+Syria", "Daesh+Syrian War", "English",
                         "Outlet A+Outlet B"])
        writer.writerow(["2020-11-04", "https://euvsdisinfo.eu/report/empty/", "", "", "", "", ""])
    specs = import_claims_csv(path)
    assert len(specs) == 1
    spec = specs[0]
    assert spec.narrative_id == "euvsdisinfo:coalition-helped-isis"
    assert spec.outlets == ["Outlet A", "Outlet B"] and spec.keywords == ["Daesh", "Syrian War"]
    assert spec.date == "2020-11-03" and spec.roles is None and "US" in spec.description


def test_import_claims_csv_real_file(shared_dir: Path) -> None:
    specs = import_claims_csv(shared_dir / "corpus" / "euvsdisinfo" / "posts.csv")
    assert len(specs) > 10_000
    assert len({s.narrative_id for s in specs}) == len(specs)
    assert any("supported ISIS" in s.title for s in specs)


def test_imported_claim_matches_without_roles() -> None:
    spec = NarrativeSpec("claim:1", "The coalition secretly armed Daesh fighters", "",
                         ["The coalition secretly armed Daesh fighters"])
    article = _article("d", "Weather was fine.\n\nOfficials say the coalition secretly armed Daesh fighters.")
    found = match_narratives([article], [spec], embedder=_flat_embedder)
    assert [m.text for m in found] == ["Officials say the coalition secretly armed Daesh fighters."]


def test_import_claimreview_shapes(tmp_path: Path) -> None:
    review = {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://factcheck.example/1", "claimReviewed": "The coalition flies ISIS leaders to safety",
        "datePublished": "2017-09-01", "author": {"@type": "Organization", "name": "Checker"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization", "name": "Outlet X"}},
    }
    api = {"claims": [{"text": "Another claim", "claimant": "Someone", "claimDate": "2018-01-01T00:00:00Z",
                       "claimReview": [{"url": "https://factcheck.example/2", "textualRating": "Misleading",
                                        "publisher": {"name": "Checker 2"}}]}]}
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([review, {"@graph": [review]}, api]), encoding="utf-8")
    specs = import_claimreview(path)
    assert [s.title for s in specs] == ["The coalition flies ISIS leaders to safety", "Another claim"]
    assert "rated False by Checker" in specs[0].description and "Outlet X" in specs[0].description
    assert specs[1].source == "https://factcheck.example/2"


def _hashed_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Bag of hashed words: texts sharing words point alike, and a shared word ('Report') puts
    every text of the corpus in one region, as a language does for a real model."""
    vectors = np.zeros((len(texts), 64), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            vectors[row, sum(map(ord, word)) % 64] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: npt.NDArray[np.float32] = vectors / norms
    return unit


def test_narrative_similarity_centres_languages_with_enough_documents() -> None:
    from echotrace.narratives.similarity import narrative_similarity, profile_documents, reading_scale

    english = [f"Report {i}. Mayor Kowalczyk{i} opened bridge number {100 + i} in town{i} today." for i in range(60)]
    french = ["Rapport. Le maire Kowalczyk1 a ouvert le pont numéro 101 aujourd'hui.", "Rapport. Il pleut à Lyon."]
    profiles = profile_documents(english + french, _hashed_embedder, langs=["en"] * 60 + ["fr"] * 2)
    assert all(p.centred is not None for p in profiles[:60])
    assert all(p.centred is None for p in profiles[60:])  # too few French documents to estimate a mean
    assert reading_scale(profiles[0], profiles[1]) != reading_scale(profiles[0], profiles[60])
    assert narrative_similarity(profiles[1], profiles[1]) == 1.0
    assert narrative_similarity(profiles[1], profiles[2]) < narrative_similarity(profiles[1], profiles[1])
    # The shared rare name and number make the French article closer to its English counterpart.
    assert narrative_similarity(profiles[1], profiles[60]) > narrative_similarity(profiles[1], profiles[61])


# --- evaluation gate ---------------------------------------------------------------------------

@pytest.mark.slow
def test_eval_gate_semeval_subset(shared_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Pinned a little below the measured value on the first 100 dev pairs (about a minute on idle cores)."""
    from bench.eval_narratives import main

    predictions = tmp_path / "pred.csv"
    assert main([str(shared_dir / "eval" / "semeval2022-t8-dev.csv"), "--limit", "100",
                 "--predictions-out", str(predictions)]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["n_pairs"] == 100
    assert result["pearson_narrative"] >= GATE_PEARSON
    assert predictions.read_text(encoding="utf-8").startswith("pair_id,score")


GATE_PEARSON = 0.77  # measured 0.799 on these 100 pairs (full dev 0.748, 5-fold CV 0.746; nothing fitted to labels)
