"""The HTML report's data and file: compact indexes, evidence spans, size budget, untrusted text."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from echotrace.report.html import (
    delta_mentions,
    lead_excerpt,
    pack,
    packed_report,
    render_report,
    report_data,
    safe_json,
    unpack,
    write_report,
)
from echotrace.store.duckdb import SCHEMA

EVIL_TITLE = '<script>alert("t")</script> Pier &amp; harbour <img src=x onerror=alert(1)>'
ORIGINAL = ("Harbour council votes to close the old pier\n\nThe harbour council of Eastvale voted on Tuesday "
            "to close the old pier, officials said.\n\n\"We had no choice,\" said Mayor Ana Holt.")
COPY = ("Eastvale closes pier\n\nThe harbour council of Eastvale voted on Tuesday to close the old pier, "
        "officials said, after a long debate.\n\n\"We had no choice,\" said Mayor Ana Holt.")


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple[Any, ...]]) -> None:
    marks = ", ".join("?" * len(rows[0]))
    con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _paragraphs(doc_id: str, text: str) -> list[tuple[Any, ...]]:
    out, pos = [], 0
    for idx, part in enumerate(text.split("\n\n")):
        out.append((doc_id, idx, pos, pos + len(part), "en", part))
        pos += len(part) + 2
    return out


def _article(doc_id: str, title: str, text: str, outlet: str, day: int, url: str | None = None) -> tuple[Any, ...]:
    return (doc_id, title, text, url, outlet, None, datetime(2025, 3, day, 9, 0), "published", None, None, "en",
            [f"in/{doc_id}.txt"], "txt", len(text), "r1")


@pytest.fixture()
def store(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A small store written by hand: two linked articles, a quote echoed, a narrative, an evil page."""
    con = duckdb.connect(str(tmp_path / "store.duckdb"))
    con.execute(SCHEMA)
    evil_text = "<script>document.title='pwned'</script> Visit javascript:alert(3) &lt;b&gt; now.\n\nSecond part."
    _insert(con, "articles", [
        _article("a1", ORIGINAL.split("\n")[0], ORIGINAL, "Eastvale Post", 1, "https://post.example/pier"),
        _article("b2", COPY.split("\n")[0], COPY, "Coast Wire", 2),
        _article("e3", EVIL_TITLE, evil_text, '<b onmouseover="x()">Evil</b>', 3, "javascript:alert(2)"),
    ])
    _insert(con, "paragraphs", _paragraphs("a1", ORIGINAL) + _paragraphs("b2", COPY) + _paragraphs("e3", evil_text))
    start = ORIGINAL.index("We had no choice")
    copy_start = COPY.index("We had no choice")
    _insert(con, "entities", [("p:ana-holt", "Ana Holt", "person", ["Ana Holt", "Holt"])])
    holt = ORIGINAL.index("Ana Holt")
    _insert(con, "mentions", [("a1", holt, holt + 8, "p:ana-holt", "Ana Holt", "alias", 0.9),
                              ("b2", COPY.index("Ana Holt"), COPY.index("Ana Holt") + 8, "p:ana-holt", "Ana Holt",
                               "alias", 0.9)])
    _insert(con, "quote_groups", [("g1", "a1", 2, "p:ana-holt", "Ana Holt", "We had no choice,")])
    _insert(con, "quotes", [
        ("q1", "a1", start, start + 17, "We had no choice,", "p:ana-holt", "Ana Holt", "direct",
         None, None, None, None, "said", "g1"),
        ("q2", "b2", copy_start, copy_start + 17, "We had no choice,", "p:ana-holt", "Ana Holt", "direct",
         None, None, None, None, "said", "g1"),
    ])
    _insert(con, "doc_links", [("a1", "b2", "reuse", 0.93, "a1", "minhash")])
    _insert(con, "link_spans", [("a1", 45, 120, "b2", 22, 97, 0.91)])
    _insert(con, "stories", [("s1", "a1", "Pier closes"), ("s1", "b2", "Pier closes"), ("s2", "e3", "Evil")])
    _insert(con, "narratives", [("pier-plot", "The pier was closed to hide something", "catalogue", "A claim.")])
    _insert(con, "narrative_matches", [("pier-plot", "b2", 22, 97, 0.8, COPY[22:97], None),
                                       ("pier-plot", "a1", 0, 26, 0.7, "Pier closure hid the plot", 1)])
    _insert(con, "provenance", [
        ("c1", "Eastvale Post", "a1", False, 0, "a1", "Eastvale Post", datetime(2025, 3, 1), "published", False, True,
         None, None, None),
        ("c1", "Eastvale Post", "a1", False, 1, "b2", "Coast Wire", datetime(2025, 3, 2), "published", False, False,
         "a1", "reuse", 0.93),
    ])
    _insert(con, "boilerplate", [("a1", 0, "Subscribe now", "chrome"),
                                 ("a1", 1, "Pier closure hid the plot\nMore pier news", "related_links")])
    _insert(con, "skipped", [("in/bad.bin", "E003", "binary file", "r1")])
    return con


def test_data_is_compact_and_points_at_evidence(store: duckdb.DuckDBPyConnection) -> None:
    data = report_data(store)
    ids = [a["doc_id"] for a in data["articles"]]
    assert ids == ["a1", "b2", "e3"]
    assert "text" not in data["articles"][0]
    assert data["texts"][0] == ORIGINAL
    assert data["excerpted"] == []
    a1, b2 = ids.index("a1"), ids.index("b2")
    # Quote text is not stored twice: the page slices it from the article text by span.
    for doc, start, end, group, kind, speaker in data["quotes"]:
        assert data["texts"][doc][start:end] == "We had no choice,"
        assert data["groups"][group]["n_docs"] == 2 and kind == "direct" and speaker == "Ana Holt"
        assert data["groups"][group]["kind"] == "direct" and data["groups"][group]["cue"] == "said"
    assert data["spans"] == [[a1, 45, 120, b2, 22, 97, 0.91]]
    assert data["links"] == [[a1, b2, "reuse", 0.93, a1, "minhash"]]
    in_text, in_block = sorted(data["matches"], key=len)
    narrative, doc, start, end, _score = in_text
    assert data["narratives"][narrative]["narrative_id"] == "pier-plot"
    assert data["texts"][doc][start:end] == COPY[22:97]
    # Evidence in a removed related-headline block carries its own text: it is not in the article's.
    assert in_block[1] == a1 and in_block[5] == "Pier closure hid the plot"
    assert [(p["step"], p["doc"], p["via"], p["first"]) for p in data["provenance"]] == [(0, a1, None, True),
                                                                                      (1, b2, a1, False)]
    assert [m[3] for m in data["mentions"]] == [0, 0]
    assert data["articles"][a1]["story_id"] == "s1"
    first_end = len(ORIGINAL.split("\n")[0])
    assert data["articles"][a1]["p"][:4] == [0, first_end, first_end + 2, ORIGINAL.index("\n\n\"")]
    assert "pl" not in data["articles"][a1]
    assert [s["story_id"] for s in data["stories"]] == ["s1", "s2"]
    assert data["skipped"] == [{"path": "in/bad.bin", "code": "E003", "reason": "binary file"}]
    assert data["boilerplate"][0]["reason"] == "chrome"


def test_untrusted_text_cannot_become_markup(store: duckdb.DuckDBPyConnection) -> None:
    html = render_report(store)
    # Only the page's own two script elements exist; article strings travel compressed.
    assert len(re.findall(r"<script\b", html)) == 2
    assert "onerror" not in html and "javascript:" not in html and "pwned" not in html
    block = re.search(r'<script id="echotrace-data"[^>]*>([^<]*)</script>', html)
    assert block is not None
    data = unpack(block.group(1))
    assert data["articles"][2]["title"] == EVIL_TITLE
    assert data["articles"][2]["url"] == "javascript:alert(2)"
    assert "\\u003cscript\\u003e" in safe_json(EVIL_TITLE)
    assert "<" not in safe_json({"t": EVIL_TITLE}) and "&" not in safe_json("&amp;")


def test_report_is_self_contained(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    output = write_report(store, tmp_path / "out" / "report.html")
    html = output.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|link|iframe)[^>]+(src|href)=", html)
    assert "@import" not in html and "url(" not in html
    assert "default-src 'none'" in html
    for section in ("overview", "stories", "quotes", "narratives", "entities", "articles", "quality", "compare"):
        assert f'id="{section}"' in html


def test_pack_round_trips_unicode() -> None:
    value = {"t": "Ο Πειραιάς «λιμάνι» – 港口 </script><!--", "n": [1, 2.5, None]}
    packed = pack(value)
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", packed)
    assert unpack(packed) == value


def test_lead_excerpt_keeps_whole_paragraphs() -> None:
    text = "First paragraph.\n\n" + "Second one is longer. " * 10 + "\n\nThird."
    paragraphs = [[0, 16, "en"], [18, 18 + 220, "en"], [240, 246, "en"]]
    assert lead_excerpt(text, paragraphs, limit=100) == "First paragraph."
    assert lead_excerpt(text, paragraphs, limit=5) == "First paragraph."
    assert lead_excerpt(text, paragraphs, limit=10_000) == text[:246]
    assert lead_excerpt("no paragraphs here", [], limit=5) == "no pa"


def test_budget_keeps_full_text_only_where_findings_point(store: duckdb.DuckDBPyConnection) -> None:
    store.execute("UPDATE articles SET text = text || repeat(' filler words', 200) WHERE doc_id = 'e3'")
    assert report_data(store)["excerpted"] == []
    packed, data = packed_report(store, size_budget=10)
    assert unpack(packed)["excerpted"] == data["excerpted"]
    ids = [a["doc_id"] for a in data["articles"]]
    evil = ids.index("e3")
    assert data["excerpted"] == [evil]
    assert data["texts"][evil].startswith("<script>") and "filler" not in data["texts"][evil]
    assert data["texts"][ids.index("a1")] == ORIGINAL and data["texts"][ids.index("b2")] == COPY
    assert data["articles"][evil]["p"][-1] == len(data["texts"][evil])


def test_size_budget_holds_for_many_articles(tmp_path: Path) -> None:
    """Poorly compressible articles over the budget keep only their lead paragraph."""
    con = duckdb.connect(str(tmp_path / "big.duckdb"))
    con.execute(SCHEMA)
    con.execute("""
        CREATE TABLE parts AS
        SELECT d, j, (SELECT string_agg(md5(d || '-' || j || '-' || k), ' ') FROM range(12) t(k)) AS body
        FROM range(1000) a(d), range(12) b(j)""")
    con.execute("""
        INSERT INTO paragraphs
        SELECT 'd' || d, j, j * (len(body) + 2), j * (len(body) + 2) + len(body), 'en', body FROM parts""")
    con.execute("""
        INSERT INTO articles (doc_id, title, text, outlet, published, language, source_paths)
        SELECT 'd' || d, 'Title ' || d, string_agg(body, chr(10) || chr(10) ORDER BY j), 'Outlet ' || (d % 40),
               TIMESTAMP '2025-03-01' + INTERVAL (d % 28) DAY, 'en', ['in/' || d]
        FROM parts GROUP BY d""")
    full_size = len(pack(report_data(con)))
    packed, data = packed_report(con, size_budget=full_size // 2)
    assert len(data["excerpted"]) == 1000
    assert all(len(text) < 800 and text == text.split("\n\n")[0] for text in data["texts"])
    assert len(packed) < full_size // 4


def test_paragraph_languages_kept_where_they_differ(store: duckdb.DuckDBPyConnection) -> None:
    store.execute("UPDATE paragraphs SET lang = 'fr' WHERE doc_id = 'b2' AND idx = 1")
    data = report_data(store)
    b2 = data["articles"][[a["doc_id"] for a in data["articles"]].index("b2")]
    assert b2["pl"] == ["en", "fr", "en"]
    assert len(b2["p"]) == 6


def test_mentions_are_delta_coded_within_each_document() -> None:
    mentions = [[0, 5, 9, 1], [0, 12, 20, 0], [0, 12, 14, 2], [3, 7, 8, 1], [1, 2, 4, 0]]
    assert delta_mentions(mentions) == [[0, 5, 4, 1], [0, 7, 8, 0], [0, 0, 2, 2], [3, 7, 1, 1], [1, 2, 2, 0]]
