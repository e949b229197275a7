"""One self-contained HTML report: every script and style inline, opens offline.

Article-derived strings never reach the HTML as markup: they travel as JSON inside a
`<script type="application/json">` block (with `<`, `>` and `&` escaped as \\u003c…) and the
page's script puts them on screen with `textContent` only.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from echotrace import queries
from echotrace.queries import Connection

_HERE = Path(__file__).parent
_ENV = Environment(loader=FileSystemLoader(_HERE / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def safe_json(value: Any) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def report_data(con: Connection) -> dict[str, Any]:
    """Everything the report shows, read from the store in a few queries."""
    articles = queries.rows(con, """
        SELECT doc_id, title, text, url, outlet, outlet_evidence, published, date_kind, date_evidence,
               crawled, language, source_paths, fmt
        FROM articles ORDER BY published NULLS LAST, doc_id""")
    paragraphs = queries.rows(con, 'SELECT doc_id, start, "end", lang FROM paragraphs ORDER BY doc_id, idx')
    credits = queries.rows(con, 'SELECT doc_id, name, role, start, "end", evidence FROM credits ORDER BY doc_id, start')
    by_doc: dict[str, dict[str, Any]] = {a["doc_id"]: a for a in articles}
    for article in articles:
        article["paragraphs"] = []
        article["credits"] = []
    for p in paragraphs:
        if p["doc_id"] in by_doc:
            by_doc[p["doc_id"]]["paragraphs"].append([p["start"], p["end"], p["lang"]])
    for c in credits:
        if c["doc_id"] in by_doc:
            by_doc[c["doc_id"]]["credits"].append(c)
    return {
        "status": queries.status(con),
        "articles": articles,
        "per_month": queries.rows(con, """
            SELECT strftime(published, '%Y-%m') AS month, count(*) AS n FROM articles
            WHERE published IS NOT NULL GROUP BY 1 ORDER BY 1"""),
        "boilerplate": queries.rows(con, """
            SELECT reason, count(*) AS n, any_value(text) AS example FROM boilerplate
            GROUP BY reason ORDER BY n DESC, reason"""),
        "boilerplate_rows": queries.rows(con, "SELECT doc_id, text, reason FROM boilerplate ORDER BY doc_id, idx"),
        "skipped": queries.rows(con, "SELECT path, code, reason FROM skipped ORDER BY path"),
    }


def render_report(con: Connection) -> str:
    data = report_data(con)
    template = _ENV.get_template("report.html.j2")
    return template.render(
        data_json=safe_json(data),
        script=(_HERE / "assets" / "report.js").read_text(encoding="utf-8"),
        style=(_HERE / "assets" / "report.css").read_text(encoding="utf-8"),
        counts=data["status"]["tables"],
    )


def write_report(con: Connection, output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_report(con), encoding="utf-8")
    return output
