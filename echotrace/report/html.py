"""One self-contained HTML report: every script and style inline, opens offline.

Article-derived strings never reach the HTML as markup. All data travels as one JSON document
(with `<`, `>` and `&` escaped as \\u003c…), gzip-compressed and base64-encoded inside a
`<script type="application/octet-stream">` block; the page decompresses it with the browser's
own `DecompressionStream('gzip')` and puts strings on screen with `textContent` only.

Size: paragraphs are flat [start, end, …] offsets (languages only where one differs from the
article's), high-volume facts (mentions, quotes, spans) are compact arrays that index into the
article list, and quote or evidence text is sliced from the article text in the page instead of
being stored twice. When the packed data would exceed `size_budget`, articles that no
finding points into (no shared passage, cross-outlet quote, narrative evidence or provenance
step) carry only their lead paragraphs, so 10k articles stay under 15 MB.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from echotrace import queries
from echotrace.annotate.quotes import cue_label
from echotrace.queries import Connection

_HERE = Path(__file__).parent
_ENV = Environment(loader=FileSystemLoader(_HERE / "templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True))
# Bytes of the packed data block above which uncited articles shrink to their lead (the page
# around it adds ~60 kB; the target is < 15 MB for 10k articles).
SIZE_BUDGET = 13_500_000
LEAD_CHARS = 600


def _json_default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def safe_json(value: Any) -> str:
    """JSON that cannot close its <script> element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def pack(value: Any) -> str:
    """safe_json, gzip-compressed, base64-encoded: what the page's data block holds."""
    raw = safe_json(value).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


def unpack(packed: str) -> Any:
    """The inverse of `pack` (tests and tools read a report's data with it)."""
    return json.loads(gzip.decompress(base64.b64decode(packed)).decode("utf-8"))


def lead_excerpt(text: str, paragraphs: Sequence[Sequence[Any]], limit: int = LEAD_CHARS) -> str:
    """Whole leading paragraphs up to about `limit` characters, so spans stay valid offsets."""
    end = 0
    for paragraph in paragraphs:
        if end and paragraph[1] > limit:
            break
        end = int(paragraph[1])
    return text[: end or limit]


def _day(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def report_data(con: Connection) -> dict[str, Any]:
    """Everything the report shows, read from the store, compacted for a single file."""
    articles = queries.rows(con, """
        SELECT a.doc_id, a.title, a.text, a.url, a.outlet, a.outlet_evidence, a.published, a.date_kind,
               a.date_evidence, a.crawled, a.language, a.source_paths,
               (SELECT min(s.story_id) FROM stories s WHERE s.doc_id = a.doc_id) AS story_id
        FROM articles a ORDER BY a.published NULLS LAST, a.doc_id""")
    index = {a["doc_id"]: i for i, a in enumerate(articles)}

    paragraphs: list[list[list[Any]]] = [[] for _ in articles]
    for doc_id, start, end, lang in con.execute(
            'SELECT doc_id, start, "end", lang FROM paragraphs ORDER BY doc_id, idx').fetchall():
        if doc_id in index:
            paragraphs[index[doc_id]].append([start, end, lang])
    credits: list[list[list[Any]]] = [[] for _ in articles]
    for doc_id, name, role, start, end in con.execute(
            'SELECT doc_id, name, role, start, "end" FROM credits ORDER BY doc_id, start NULLS LAST, name').fetchall():
        if doc_id in index:
            credits[index[doc_id]].append([name, role, start, end])

    entities = queries.rows(con, "SELECT entity_id, name, type, aliases FROM entities ORDER BY entity_id")
    entity_index = {e["entity_id"]: i for i, e in enumerate(entities)}
    mentions = [[index[d], s, e, entity_index[eid]] for d, s, e, eid in con.execute(
        'SELECT doc_id, start, "end", entity_id FROM mentions ORDER BY doc_id, start, "end", entity_id').fetchall()
        if d in index and eid in entity_index]

    groups = queries.rows(con, f"""
        SELECT group_id, first_doc_id, n_docs, speaker_entity_id, speaker_name, text, {queries.FIRST_KIND} AS kind,
               {queries.FIRST_CUE} AS cue
        FROM quote_groups g ORDER BY n_docs DESC, group_id""")
    for group in groups:
        group["cue"] = cue_label(group["cue"])
    group_index = {g["group_id"]: i for i, g in enumerate(groups)}
    quotes = [[index[d], s, e, group_index.get(g), kind, name] for d, s, e, g, kind, name in con.execute("""
        SELECT doc_id, start, "end", group_id, kind, speaker_name FROM quotes
        ORDER BY doc_id, start, quote_id""").fetchall() if d in index]

    links = [[index[a], index[b], kind, score, index.get(earlier), method] for a, b, kind, score, earlier, method
             in con.execute("SELECT doc_a, doc_b, kind, score, earlier, method FROM doc_links "
                            "ORDER BY doc_a, doc_b, kind").fetchall() if a in index and b in index]
    spans = [[index[a], sa, ea, index[b], sb, eb, score] for a, sa, ea, b, sb, eb, score in con.execute("""
        SELECT doc_a, a_start, a_end, doc_b, b_start, b_end, score FROM link_spans
        ORDER BY doc_a, doc_b, a_start, b_start""").fetchall() if a in index and b in index]

    narratives = queries.rows(con, "SELECT narrative_id, title, origin, description FROM narratives "
                                   "ORDER BY origin, narrative_id")
    narrative_index = {n["narrative_id"]: i for i, n in enumerate(narratives)}
    # Evidence found in a removed block (related headlines) carries its own text: it is not in the article's.
    matches = [[narrative_index[n], index[d], s, e, score] + ([] if block is None else [text])
               for n, d, s, e, score, block, text in con.execute("""
        SELECT narrative_id, doc_id, start, "end", score, boilerplate_idx, text FROM narrative_matches
        ORDER BY narrative_id, doc_id, boilerplate_idx NULLS FIRST, start""").fetchall()
               if n in narrative_index and d in index]

    provenance = [{"chain": r["chain_id"], "root": r["root"], "credited": r["root_is_credited"],
                   "step": r["step"], "doc": index[r["doc_id"]], "date": _day(r["date"]),
                   "date_kind": r["date_kind"], "fallback": r["date_is_fallback"],
                   "first": r["first_appearance"], "via": index.get(r["via_doc_id"]),
                   "via_kind": r["via_kind"], "via_score": r["via_score"]}
                  for r in queries.rows(con, "SELECT * FROM provenance ORDER BY chain_id, step")
                  if r["doc_id"] in index]

    stories = queries.rows(con, "SELECT story_id, any_value(label) AS label, count(*) AS n FROM stories "
                                "GROUP BY story_id ORDER BY n DESC, story_id")

    texts = [a.pop("text") for a in articles]
    for i, a in enumerate(articles):
        a["published"] = _day(a["published"])
        a["crawled"] = _day(a["crawled"])
        a["p"] = [offset for paragraph in paragraphs[i] for offset in paragraph[:2]]
        if any(paragraph[2] != a["language"] for paragraph in paragraphs[i]):
            a["pl"] = [paragraph[2] for paragraph in paragraphs[i]]
        a["credits"] = credits[i]
    return {
        "status": queries.status(con),
        "articles": articles,
        "texts": texts,
        "excerpted": [],
        "entities": entities,
        "mentions": mentions,
        "groups": groups,
        "quotes": quotes,
        "links": links,
        "spans": spans,
        "narratives": narratives,
        "matches": matches,
        "provenance": provenance,
        "stories": stories,
        "boilerplate": queries.rows(con, """
            SELECT reason, count(*) AS n, count(DISTINCT doc_id) AS docs, any_value(text) AS example
            FROM boilerplate GROUP BY reason ORDER BY n DESC, reason"""),
        "boilerplate_rows": [[index[d], reason, text] for d, reason, text in con.execute(
            "SELECT doc_id, reason, text FROM boilerplate ORDER BY doc_id, idx").fetchall() if d in index],
        "skipped": queries.rows(con, "SELECT path, code, reason FROM skipped ORDER BY path, code"),
    }


def cited_articles(data: dict[str, Any]) -> set[int]:
    """Articles some finding points into: they keep their full text whatever the size."""
    cited = {m[1] for m in data["matches"]} | {p["doc"] for p in data["provenance"]}
    cited |= {s[0] for s in data["spans"]} | {s[3] for s in data["spans"]}
    groups = data["groups"]
    cited |= {q[0] for q in data["quotes"] if q[3] is not None and (groups[q[3]]["n_docs"] or 0) > 1}
    return cited


def shrink_to_leads(data: dict[str, Any]) -> None:
    """Uncited articles keep only their lead paragraphs, and the facts that fall inside them."""
    texts: list[str] = data["texts"]
    cited = cited_articles(data)
    excerpted = []
    for i, article in enumerate(data["articles"]):
        if i in cited:
            continue
        flat = article["p"]
        lead = lead_excerpt(texts[i], [flat[k:k + 2] for k in range(0, len(flat), 2)])
        if len(lead) < len(texts[i]):
            texts[i] = lead
            kept = sum(1 for k in range(1, len(flat), 2) if flat[k] <= len(lead))
            article["p"] = flat[: 2 * kept]
            if "pl" in article:
                article["pl"] = article["pl"][:kept]
            excerpted.append(i)
    short = set(excerpted)
    data["mentions"] = [m for m in data["mentions"] if m[0] not in short or m[2] <= len(texts[m[0]])]
    data["excerpted"] = excerpted


def delta_mentions(mentions: list[list[int]]) -> list[list[int]]:
    """[doc, start, end, entity] as [doc, start minus the previous start in that doc, length, entity]:
    small numbers compress about a third better. The page undoes it on load."""
    out, previous_doc, previous_start = [], -1, 0
    for doc, start, end, entity in mentions:
        out.append([doc, start - previous_start if doc == previous_doc else start, end - start, entity])
        previous_doc, previous_start = doc, start
    return out


def packed_report(con: Connection, size_budget: int = SIZE_BUDGET) -> tuple[str, dict[str, Any]]:
    """The page's data block, shrunk to article leads where the full texts would pass the budget."""
    data = report_data(con)
    packed = pack({**data, "mentions": delta_mentions(data["mentions"])})
    if len(packed) > size_budget:
        shrink_to_leads(data)
        packed = pack({**data, "mentions": delta_mentions(data["mentions"])})
    return packed, data


def render_report(con: Connection, size_budget: int = SIZE_BUDGET) -> str:
    packed, data = packed_report(con, size_budget)
    template = _ENV.get_template("report.html.j2")
    return template.render(
        packed=packed,
        script=(_HERE / "assets" / "report.js").read_text(encoding="utf-8"),
        style=(_HERE / "assets" / "report.css").read_text(encoding="utf-8"),
        counts={**data["status"]["tables"], "stories": len(data["stories"])},
    )


def write_report(con: Connection, output: Path, size_budget: int = SIZE_BUDGET) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_report(con, size_budget), encoding="utf-8")
    return output
