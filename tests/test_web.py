"""The web app at the HTTP level: search, filters, evidence view, escaping, headers, injection."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from echotrace.config import Settings
from echotrace.pipeline import run
from echotrace.web.app import CSP, create_app, segments

EVIL_TITLE = '<script>alert("t")</script> Harbour council <img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("web_in")
    (folder / "evil.txt").write_text(
        f"{EVIL_TITLE}\n\nThe harbour council of Eastvale voted on Tuesday to close the old pier, "
        "officials said. <script>document.title='pwned'</script> Visit javascript:alert(3) for more.\n",
        encoding="utf-8")
    for i in range(5):
        (folder / f"plain_{i}.txt").write_text(
            f"Weather report {i}\n\nRain is expected across the northern valleys on day {i}, "
            "forecasters said on Monday, with winds from the west.\n", encoding="utf-8")
    db = tmp_path_factory.mktemp("web_db") / "store.duckdb"
    run([str(folder)], db, Settings(workers=1))
    return TestClient(create_app(db))


def test_search_finds_and_counts(client: TestClient) -> None:
    page = client.get("/", params={"q": "forecasters"})
    assert page.status_code == 200
    assert "5 articles" in page.text
    api = client.get("/api/search", params={"q": "harbour pier"}).json()
    assert api["total"] == 1


def test_filters_combine_with_search(client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "forecasters", "language": "fr"}).json()["total"] == 0
    assert client.get("/api/search", params={"q": "forecasters", "language": "en"}).json()["total"] == 5
    assert client.get("/api/search", params={"date_from": "not-a-date"}).status_code == 200


def test_article_text_is_escaped(client: TestClient) -> None:
    doc_id = client.get("/api/search", params={"q": "harbour"}).json()["results"][0]["doc_id"]
    page = client.get(f"/article/{doc_id}")
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "<img src=x" not in page.text
    assert "&lt;script&gt;" in page.text
    assert 'href="javascript:' not in page.text


def test_security_headers(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["content-security-policy"] == CSP
    assert "script-src" not in CSP or "'unsafe-inline'" not in CSP
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("query", ["' OR 1=1 --", "\"; DROP TABLE articles; --", "title:(", "*", "a" * 5000])
def test_hostile_queries_are_harmless(client: TestClient, query: str) -> None:
    response = client.get("/", params={"q": query, "outlet": "x' OR '1'='1", "story": "'; DROP TABLE stories"})
    assert response.status_code == 200
    assert client.get("/api/search", params={"q": "forecasters"}).json()["total"] == 5


@pytest.mark.parametrize("path", ["/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
                                  "/article/..%2F..%2Fetc%2Fpasswd", "/story/nope", "/compare/a/b"])
def test_no_path_reaches_the_file_system(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "root:" not in response.text


def test_segments_cut_at_every_mark() -> None:
    text = "abcdefghij"
    out = segments(text, 0, 10, [(2, 6, "quote", "q"), (4, 8, "entity", "e")])
    assert "".join(s.text for s in out) == text
    assert [(s.text, s.kinds) for s in out] == [
        ("ab", ""), ("cd", "quote"), ("ef", "entity quote"), ("gh", "entity"), ("ij", "")]


def test_article_quotes_show_their_cue(client: TestClient) -> None:
    doc_id = client.get("/api/search", params={"q": "harbour"}).json()["results"][0]["doc_id"]
    page = client.get(f"/article/{doc_id}").text
    assert "<th>cue</th>" in page and "<td>indirect</td><td>said</td>" in page
