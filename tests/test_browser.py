"""The report and the web app in headless Debian Chromium: click through, follow evidence, stay inert.

Driven by Playwright with the system browser (never a downloaded one). Screenshots of every
report section and app page land in tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from echotrace.config import Settings
from echotrace.pipeline import run
from echotrace.report.html import write_report
from echotrace.store.duckdb import open_reader

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "echotrace" / "data" / "demo"
ARTIFACTS = ROOT / "tests" / "artifacts"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
REPORT_SECTIONS = ("overview", "stories", "quotes", "narratives", "entities", "articles", "quality")

EVIL = {
    "title": "<script>alert('title')</script> Harbour & pier <img src=x onerror=alert(1)> &lt;b&gt;",
    "text": ("The harbour council of Eastvale met on Monday <script>alert('text')</script> to discuss the pier. "
             "Read more at javascript:alert(5) or <a href=\"javascript:alert(6)\">this link</a>. "
             "Prices rose 5 &lt; 7 &amp; more, <img src=x onerror=alert(7)> officials said.\n\n"
             "A second paragraph says the council will vote next week on the pier's future, the mayor said."),
    "url": "javascript:alert(document.domain)",
    "outlet": "Evil <b onmouseover=alert(4)>Outlet</b>",
    "date": "2025-05-01",
}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed at /usr/bin/chromium")
sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Tab:
    """A page plus everything that must stay empty: dialogs opened and script errors."""

    page: Any
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    evil_dir = tmp_path_factory.mktemp("evil_in")
    (evil_dir / "evil.jsonl").write_text(json.dumps(EVIL) + "\n", encoding="utf-8")
    db = tmp_path_factory.mktemp("browser_db") / "demo.duckdb"
    run([str(DEMO), str(evil_dir)], db, Settings(workers=1))
    return db


@pytest.fixture(scope="module")
def facts(store: Path) -> dict[str, Any]:
    """What the pages should show, read straight from the store."""
    con = open_reader(store)
    try:
        evil = con.execute("SELECT doc_id, title, text, url FROM articles WHERE text LIKE '%Eastvale met%'").fetchone()
        narrative = con.execute("""
            SELECT narrative_id, count(DISTINCT doc_id) FROM narrative_matches
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""").fetchone()
        german = con.execute("SELECT count(*) FROM articles WHERE language = 'de'").fetchone()
        pair = con.execute(
            "SELECT doc_a, doc_b, count(*) FROM link_spans GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2").fetchone()
        story = con.execute("SELECT story_id FROM stories GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()
    finally:
        con.close()
    assert evil and narrative and german and pair and story
    return {"evil": dict(zip(("doc_id", "title", "text", "url"), evil, strict=True)),
            "narrative": narrative[0], "narrative_docs": narrative[1], "german": german[0],
            "pair": pair[:2], "pair_spans": pair[2], "story": story[0]}


@pytest.fixture(scope="module")
def report_url(store: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    con = open_reader(store)
    try:
        path = write_report(con, tmp_path_factory.mktemp("report") / "report.html")
    finally:
        con.close()
    return path.as_uri()


@pytest.fixture(scope="module")
def app_url(store: Path) -> Iterator[str]:
    """`echotrace serve` on a free localhost port, stopped when the module ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "echotrace", "serve", "--db", str(store), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/api/search?q=x", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    stderr = server.stderr.read().decode() if server.stderr else ""
                    pytest.fail(f"echotrace serve did not start: {stderr}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def tab(browser: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    opened = Tab(page)

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    yield opened
    context.close()


def open_report(tab: Tab, url: str, view: str = "") -> Any:
    tab.page.goto(url + view)
    tab.page.wait_for_selector("body[data-ready]")
    return tab.page


def in_viewport(page: Any, selector: str) -> bool:
    return bool(page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
                                         return r.bottom > 0 && r.top < window.innerHeight; }""", selector))


def assert_clean_text(section: Any) -> None:
    """Something is shown, and no missing value leaked onto the screen."""
    words = set(section.inner_text().split())
    assert words and not {"null", "undefined", "NaN", "[object"} & words


def assert_inert(tab: Tab) -> None:
    """No dialog fired, no script error, no element or handler injected from article text."""
    page = tab.page
    assert tab.dialogs == []
    assert tab.errors == []
    assert page.locator("img").count() == 0
    assert page.locator("a[href^='javascript' i]").count() == 0
    assert page.evaluate("[...document.querySelectorAll('*')].filter(e => e.getAttributeNames()"
                         ".some(n => n.startsWith('on'))).length") == 0


def test_report_sections_click_through(tab: Tab, report_url: str) -> None:
    page = open_report(tab, report_url)
    for name in REPORT_SECTIONS:
        page.click(f"#tabs a[data-tab='{name}']")
        section = page.locator(f"section#{name}.active")
        section.wait_for()
        assert_clean_text(section)
        tab.shot(f"report-{name}")
    assert page.locator("section.tab.active").count() == 1
    page.click("#tabs a[data-tab='overview']")
    assert page.locator("#overview .card b").first.inner_text() == "46"
    page.click("#tabs a[data-tab='quality']")
    assert page.locator("#boilerplate-table tbody tr").count() >= 1
    assert tab.errors == [] and tab.dialogs == []


def test_report_timeline_hover_and_zoom(tab: Tab, report_url: str) -> None:
    page = open_report(tab, report_url)
    info = page.locator("#overview-timeline .chart-info")
    before = info.inner_text()
    bar = page.locator("#overview-timeline rect.bar:not([data-n='0'])").first
    bar.hover()
    assert "article" in page.locator("#tip").inner_text()
    box = page.locator("#overview-timeline svg").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] / 2)
    page.mouse.up()
    assert info.inner_text() != before
    page.click("#overview-timeline button.reset")
    assert info.inner_text() == before


def test_report_narrative_to_highlighted_evidence(tab: Tab, report_url: str, facts: dict[str, Any]) -> None:
    page = open_report(tab, report_url, "#narratives")
    page.click(f"#narrative-table a.narrative[href='#narrative/{facts['narrative']}']")
    page.locator("section#narrative.active").wait_for()
    assert page.locator("#evidence-list table.evidence tbody tr").count() >= facts["narrative_docs"]
    assert_clean_text(page.locator("section#narrative"))
    tab.shot("report-narrative")
    cell = page.locator("table.heatmap td.hit").first
    cell.click()
    page.wait_for_function("location.hash.includes('%7C')")
    assert page.locator("#evidence-list table.evidence tbody tr").count() >= int(cell.get_attribute("data-n") or "1")
    link = page.locator("#evidence-list a.evidence").first
    evidence_text = link.text_content()
    link.click()
    page.locator("section#article.active").wait_for()
    assert "/" in page.evaluate("location.hash") and page.evaluate("location.hash").startswith("#article/")
    focus = page.locator("#article-text mark.focus")
    assert focus.count() >= 1
    shown = "".join(focus.all_text_contents())
    assert shown == evidence_text
    assert in_viewport(page, "#article-text mark.focus")
    assert page.locator("#article-text mark.narrative").count() >= 1
    tab.shot("report-evidence")


def test_report_story_quotes_entities_and_side_by_side(tab: Tab, report_url: str) -> None:
    page = open_report(tab, report_url, "#stories")
    page.locator("#story-table a.story").first.click()
    page.locator("section#story.active svg.story-timeline").wait_for()
    assert page.locator("section#story .chain-steps li").count() >= 2
    assert_clean_text(page.locator("section#story"))
    tab.shot("report-story")

    page.click("#tabs a[data-tab='quotes']")
    page.locator("#speaker-table a.speaker").first.click()
    statement = page.locator("section#quotes .statement").first
    statement.wait_for()
    assert statement.locator("a.quote-link").count() >= 1
    assert_clean_text(page.locator("section#quotes"))
    tab.shot("report-speaker")

    page.click("#tabs a[data-tab='entities']")
    page.fill("#entity-filter", "Crimson")
    page.locator("#entity-table a.entity").first.click()
    mention = page.locator("section#entity.active mark.entity").first
    mention.wait_for()  # the section renders after the click: reading it at once raced the render
    assert_clean_text(page.locator("section#entity"))
    entity_name = mention.text_content()
    mention.click()
    page.locator("section#article.active").wait_for()
    assert "".join(page.locator("#article-text mark.focus").all_text_contents()) == entity_name
    tab.shot("report-entity")

    page.evaluate("location.hash = '#overview'")
    page.click("#tabs a[data-tab='stories']")
    page.locator("section#stories.active").wait_for()
    page.locator("section#stories a.story").first.click()
    page.locator("section#story a[href^='#compare/']").first.click()
    rows = page.locator("#compare-table tr.aligned")
    rows.first.wait_for()
    assert page.locator("section#compare .columns mark.shared").count() >= 2
    assert_clean_text(page.locator("section#compare"))
    tab.shot("report-compare")
    assert tab.errors == []


def test_report_shows_hostile_article_as_text(tab: Tab, report_url: str, facts: dict[str, Any]) -> None:
    evil = facts["evil"]
    page = open_report(tab, report_url, "#articles")
    page.fill("#article-search", "Eastvale met")
    page.locator("#article-list a.doc").first.click()
    page.locator("section#article.active").wait_for()
    assert page.locator("#article-title").text_content() == evil["title"]
    body = page.locator("#article-text").text_content() or ""
    assert "<script>alert('text')</script>" in body and '<a href="javascript:alert(6)">' in body
    assert "&lt; 7 &amp; more" in body
    assert page.locator(".raw-url").text_content() == evil["url"]
    assert "<b onmouseover=alert(4)>Outlet</b>" in (page.locator("section#article table.meta").text_content() or "")
    assert page.locator("script").count() == 2
    assert_inert(tab)
    tab.shot("report-hostile-article")


def test_app_search_filter_and_article(tab: Tab, app_url: str, facts: dict[str, Any]) -> None:
    page = tab.page
    page.goto(app_url + "/")
    tab.shot("app-index")
    page.fill("#filters input[name=q]", "Crimson Hand")
    page.press("#filters input[name=q]", "Enter")
    page.wait_for_url("**q=Crimson*")
    found = int(page.locator("#result-count").inner_text().split()[0])
    assert found >= 3
    tab.shot("app-search")
    page.select_option("#filters select[name=language]", "de")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**language=de*")
    results = page.locator("li.result")
    assert 1 <= results.count() <= min(found, facts["german"])
    assert all(text.strip().endswith("de") for text in results.locator(".muted").all_inner_texts())
    results.first.locator("a.doc").click()
    page.locator("#article-title").wait_for()
    assert page.locator("#article-text mark").count() >= 1
    tab.shot("app-article")
    assert tab.dialogs == []


def test_app_narrative_filter_evidence_compare_and_story(tab: Tab, app_url: str, facts: dict[str, Any]) -> None:
    page = tab.page
    page.goto(app_url + "/")
    page.select_option("#filters select[name=narrative]", facts["narrative"])
    page.click("#filters button[type=submit]")
    page.wait_for_url("**narrative=*")
    assert page.locator("li.result").count() == facts["narrative_docs"]
    tab.shot("app-narrative-filter")
    page.locator("li.result a.doc").first.click()
    page.locator("#article-title").wait_for()
    assert page.locator("#article-text mark.narrative").count() >= 1
    evidence = page.locator("a[href^='?hl=']").last
    expected = evidence.text_content()
    evidence.click()
    page.wait_for_url("**hl=*")
    assert "".join(page.locator("#article-text mark.focus").all_text_contents()) == expected
    assert in_viewport(page, "#article-text mark#focus")
    tab.shot("app-evidence")
    doc_a, doc_b = facts["pair"]
    page.goto(f"{app_url}/compare/{doc_a}/{doc_b}")
    assert page.locator("table.compare tr.aligned").count() == facts["pair_spans"]
    tab.shot("app-compare")
    page.goto(f"{app_url}/story/{facts['story']}")
    assert page.locator("svg.graph g.node").count() >= 2
    assert page.locator("ol.timeline li").count() >= 2
    tab.shot("app-story")
    assert tab.dialogs == [] and tab.errors == []


def test_app_shows_hostile_article_as_text(tab: Tab, app_url: str, facts: dict[str, Any]) -> None:
    evil = facts["evil"]
    page = tab.page
    page.goto(app_url + "/?q=Eastvale")
    assert "<script>" in (page.locator("li.result a.doc").first.text_content() or "")
    page.goto(f"{app_url}/article/{evil['doc_id']}")
    assert page.locator("#article-title").text_content() == evil["title"]
    body = page.locator("#article-text").text_content() or ""
    assert "<script>alert('text')</script>" in body and "<img src=x onerror=alert(7)>" in body
    assert "&lt; 7 &amp; more" in body
    assert evil["url"] in (page.locator("table.meta").text_content() or "")
    assert page.locator("script").count() == 0
    assert_inert(tab)
    tab.shot("app-hostile-article")
