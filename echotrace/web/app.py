"""The local web app: search, filters, article view with evidence, side-by-side, story graphs.

Read-only on the store (a connection is opened per request, read-only, so a run can go on
writing between its batches). Every query is parameterised; no request value reaches the file
system; templates autoescape everything; responses carry a strict Content-Security-Policy.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from echotrace import queries
from echotrace.store.duckdb import open_reader
from echotrace.web.search import ArticleSearch, snippet

_HERE = Path(__file__).parent
_CSS = (_HERE / "templates" / "app.css").read_text(encoding="utf-8")
CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")
PAGE_SIZE = 50
FACETS = {
    "outlets": "SELECT outlet, count(*) FROM articles WHERE outlet IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
    "languages": "SELECT language, count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC, 1",
    "stories": "SELECT story_id, any_value(label), count(*) FROM stories GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 300",
    "narratives": "SELECT narrative_id, title FROM narratives ORDER BY title",
    "speakers": "SELECT coalesce(speaker_entity_id, speaker_name), any_value(speaker_name), count(*) FROM quotes "
                "WHERE speaker_name IS NOT NULL GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 300",
    "entities": "SELECT e.entity_id, e.name, count(*) FROM mentions m JOIN entities e USING (entity_id) "
                "GROUP BY 1, 2 ORDER BY 3 DESC, 2 LIMIT 300",
}


@dataclass(slots=True)
class Segment:
    text: str
    kinds: str = ""
    title: str = ""


def segments(text: str, start: int, end: int, marks: list[tuple[int, int, str, str]]) -> list[Segment]:
    """Cut text[start:end] at every mark boundary; each piece knows which marks cover it."""
    cuts = {start, end}
    for m_start, m_end, _, _ in marks:
        if m_end > start and m_start < end:
            cuts.add(max(start, m_start))
            cuts.add(min(end, m_end))
    points = sorted(cuts)
    out = []
    for left, right in itertools.pairwise(points):
        covering = [m for m in marks if m[0] <= left and m[1] >= right]
        kinds = " ".join(sorted({m[2] for m in covering}))
        title = "; ".join(dict.fromkeys(m[3] for m in covering))
        out.append(Segment(text[left:right], kinds, title))
    return out


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def create_app(db: Path) -> Starlette:
    env = Environment(loader=FileSystemLoader(_HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True))
    search = ArticleSearch()

    def render(name: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context))

    def connect() -> queries.Connection:
        con = open_reader(db)
        search.refresh(con)
        return con

    def filters(request: Request) -> dict[str, Any]:
        params = request.query_params
        return {
            "q": params.get("q", "").strip()[:500],
            "outlet": params.get("outlet") or None,
            "language": params.get("language") or None,
            "date_from": _parse_day(params.get("date_from")),
            "date_to": _parse_day(params.get("date_to")),
            "story": params.get("story") or None,
            "narrative": params.get("narrative") or None,
            "speaker": params.get("speaker") or None,
            "entity": params.get("entity") or None,
        }

    def find_articles(con: queries.Connection, f: dict[str, Any], page: int) -> tuple[list[dict[str, Any]], int]:
        where = ["TRUE"]
        params: list[Any] = []
        ranked: list[str] | None = None
        if f["q"]:
            ranked = [hit.doc_id for hit in search.search(f["q"])]
            where.append("a.doc_id IN (SELECT unnest(?))")
            params.append(ranked)
        for column, key in (("a.outlet", "outlet"), ("a.language", "language")):
            if f[key]:
                where.append(f"{column} = ?")
                params.append(f[key])
        if f["date_from"]:
            where.append("a.published >= ?")
            params.append(f["date_from"])
        if f["date_to"]:
            where.append("a.published < ? + INTERVAL 1 DAY")
            params.append(f["date_to"])
        if f["story"]:
            where.append("a.doc_id IN (SELECT doc_id FROM stories WHERE story_id = ?)")
            params.append(f["story"])
        if f["narrative"]:
            where.append("a.doc_id IN (SELECT doc_id FROM narrative_matches WHERE narrative_id = ?)")
            params.append(f["narrative"])
        if f["speaker"]:
            where.append("a.doc_id IN (SELECT doc_id FROM quotes WHERE speaker_entity_id = ? OR speaker_name = ?)")
            params.extend([f["speaker"], f["speaker"]])
        if f["entity"]:
            where.append("a.doc_id IN (SELECT doc_id FROM mentions WHERE entity_id = ?)")
            params.append(f["entity"])
        sql_where = " AND ".join(where)
        found = queries.rows(con, f"""
            SELECT a.doc_id, a.title, a.text, a.outlet, a.language, a.published, a.date_kind
            FROM articles a WHERE {sql_where}
            ORDER BY a.published NULLS LAST, a.doc_id""", params)
        if ranked is not None:
            order = {doc_id: i for i, doc_id in enumerate(ranked)}
            found.sort(key=lambda r: order.get(r["doc_id"], len(order)))
        total = len(found)
        page_rows = found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        for row in page_rows:
            row["snippet"] = snippet(row.pop("text"), f["q"])
        return page_rows, total

    facet_cache: dict[str, Any] = {}

    def facets(con: queries.Connection) -> dict[str, Any]:
        """Filter lists and counts, recomputed only when the store file changes (a run committed)."""
        stat = db.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        if facet_cache.get("version") != version:
            facet_cache.clear()
            facet_cache.update({name: con.execute(sql).fetchall() for name, sql in FACETS.items()})
            facet_cache["counts"] = queries.table_counts(con)
            facet_cache["version"] = version
        return {k: v for k, v in facet_cache.items() if k != "version"}

    async def index(request: Request) -> Response:
        started = time.perf_counter()
        f = filters(request)
        try:
            page = max(0, int(request.query_params.get("page", "0")))
        except ValueError:
            page = 0
        con = connect()
        try:
            results, total = find_articles(con, f, page)
            context = {"f": f, "results": results, "total": total, "page": page, "page_size": PAGE_SIZE,
                       **facets(con)}
        finally:
            con.close()
        kept = {k: str(v) for k, v in f.items() if v}
        context["next_query"] = urlencode({**kept, "page": page + 1})
        context["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return render("index.html.j2", **context)

    async def api_search(request: Request) -> Response:
        f = filters(request)
        con = connect()
        try:
            results, total = find_articles(con, f, 0)
        finally:
            con.close()
        return JSONResponse({"total": total, "results": [
            {**r, "published": r["published"].isoformat() if r["published"] else None} for r in results]})

    async def article(request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        focus = request.query_params.get("hl", "")
        con = connect()
        try:
            found = queries.rows(con, "SELECT * FROM articles WHERE doc_id = ?", [doc_id])
            if not found:
                return PlainTextResponse("no such article", status_code=404)
            a = found[0]
            marks: list[tuple[int, int, str, str]] = []
            for r in con.execute('SELECT start, "end", name, role FROM credits WHERE doc_id = ? AND start IS NOT NULL',
                                 [doc_id]).fetchall():
                marks.append((r[0], r[1], "credit", f"credit: {r[2]} ({r[3]})"))
            for r in con.execute('SELECT m.start, m."end", coalesce(e.name, m.entity_id) FROM mentions m '
                                 'LEFT JOIN entities e USING (entity_id) WHERE m.doc_id = ?', [doc_id]).fetchall():
                marks.append((r[0], r[1], "entity", f"entity: {r[2]}"))
            quotes = queries.rows(con, 'SELECT * FROM quotes WHERE doc_id = ? ORDER BY start', [doc_id])
            for q in quotes:
                speaker = q["speaker_name"] or "unknown"
                marks.append((q["start"], q["end"], "quote", f"quote ({q['kind']}) by {speaker}"))
            evidence = queries.rows(con, 'SELECT m.*, n.title FROM narrative_matches m JOIN narratives n '
                                         'USING (narrative_id) WHERE doc_id = ? ORDER BY start', [doc_id])
            for m in evidence:
                if m["boilerplate_idx"] is None:  # evidence in a removed block has no place in the text
                    marks.append((m["start"], m["end"], "narrative", f"narrative: {m['title']}"))
            for r in con.execute('SELECT a_start, a_end FROM link_spans WHERE doc_a = ? UNION ALL '
                                 'SELECT b_start, b_end FROM link_spans WHERE doc_b = ?', [doc_id, doc_id]).fetchall():
                marks.append((r[0], r[1], "shared", "passage shared with another article"))
            if focus:
                start_s, _, end_s = focus.partition("-")
                if start_s.isdigit() and end_s.isdigit():
                    marks.append((int(start_s), int(end_s), "focus", "evidence"))
            paragraphs = queries.rows(con, 'SELECT idx, start, "end", lang FROM paragraphs WHERE doc_id = ? '
                                           'ORDER BY idx', [doc_id]) or [
                {"idx": 0, "start": 0, "end": len(a["text"]), "lang": a["language"]}]
            for p in paragraphs:
                p["segments"] = segments(a["text"], p["start"], p["end"], marks)
            links = queries.rows(con, """
                SELECT CASE WHEN doc_a = ? THEN doc_b ELSE doc_a END AS other, kind, score, earlier,
                       o.title AS other_title, o.outlet AS other_outlet, o.published AS other_published
                FROM doc_links JOIN articles o ON o.doc_id = CASE WHEN doc_a = ? THEN doc_b ELSE doc_a END
                WHERE doc_a = ? OR doc_b = ? ORDER BY score DESC""", [doc_id] * 4)
            context = {
                "a": a, "paragraphs": paragraphs, "quotes": quotes, "evidence": evidence, "links": links,
                "credits": queries.rows(con, "SELECT * FROM credits WHERE doc_id = ?", [doc_id]),
                "stories": queries.rows(con, "SELECT story_id, label FROM stories WHERE doc_id = ?", [doc_id]),
                "boilerplate": queries.rows(con, "SELECT text, reason FROM boilerplate WHERE doc_id = ? "
                                                 "ORDER BY idx", [doc_id]),
            }
        finally:
            con.close()
        return render("article.html.j2", **context)

    async def compare(request: Request) -> Response:
        a_id, b_id = request.path_params["a"], request.path_params["b"]
        con = connect()
        try:
            docs = {r["doc_id"]: r for r in queries.rows(
                con, "SELECT doc_id, title, text, outlet, published FROM articles WHERE doc_id IN (?, ?)",
                [a_id, b_id])}
            if a_id not in docs or b_id not in docs:
                return PlainTextResponse("no such article", status_code=404)
            pairs = queries.rows(con, """
                SELECT a_start, a_end, b_start, b_end, score FROM link_spans WHERE doc_a = ? AND doc_b = ?
                UNION ALL
                SELECT b_start, b_end, a_start, a_end, score FROM link_spans WHERE doc_a = ? AND doc_b = ?
                ORDER BY 1""", [a_id, b_id, b_id, a_id])
            link = queries.rows(con, "SELECT kind, score, earlier FROM doc_links WHERE (doc_a = ? AND doc_b = ?) "
                                     "OR (doc_a = ? AND doc_b = ?)", [a_id, b_id, b_id, a_id])
        finally:
            con.close()
        aligned = [{"a": docs[a_id]["text"][p["a_start"]:p["a_end"]],
                    "b": docs[b_id]["text"][p["b_start"]:p["b_end"]], "score": p["score"],
                    "a_span": f"{p['a_start']}-{p['a_end']}", "b_span": f"{p['b_start']}-{p['b_end']}"}
                   for p in pairs]
        return render("compare.html.j2", a=docs[a_id], b=docs[b_id], aligned=aligned,
                      link=link[0] if link else None)

    async def story(request: Request) -> Response:
        story_id = request.path_params["story_id"]
        con = connect()
        try:
            members = queries.rows(con, """
                SELECT a.doc_id, a.title, a.outlet, a.published, a.date_kind, a.crawled, s.label
                FROM stories s JOIN articles a USING (doc_id) WHERE s.story_id = ?
                ORDER BY coalesce(a.published, a.crawled) NULLS LAST, a.doc_id""", [story_id])
            if not members:
                return PlainTextResponse("no such story", status_code=404)
            ids = [m["doc_id"] for m in members]
            edges = queries.rows(con, """
                SELECT doc_a, doc_b, kind, score, earlier FROM doc_links
                WHERE doc_a IN (SELECT unnest(?)) AND doc_b IN (SELECT unnest(?))""", [ids, ids])
            origins = queries.rows(con, """
                SELECT DISTINCT name FROM credits WHERE role = 'origin' AND doc_id IN (SELECT unnest(?))
                ORDER BY name""", [ids])
        finally:
            con.close()
        return render("story.html.j2", members=members, edges=edges, origins=origins,
                      graph=provenance_graph(members, edges, [o["name"] for o in origins]),
                      label=members[0]["label"], story_id=story_id)

    async def stylesheet(_request: Request) -> Response:
        return Response(_CSS, media_type="text/css")

    routes = [
        Route("/", index),
        Route("/api/search", api_search),
        Route("/article/{doc_id}", article),
        Route("/compare/{a}/{b}", compare),
        Route("/story/{story_id}", story),
        Route("/static/app.css", stylesheet),
    ]
    return Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)])


def provenance_graph(members: list[dict[str, Any]], edges: list[dict[str, Any]],
                     origins: list[str]) -> dict[str, Any]:
    """Node positions for an SVG: credited origins on the left, then articles in date order."""
    nodes = [{"id": "origin:" + name, "label": name, "x": 20, "y": 30 + 50 * i, "origin": True}
             for i, name in enumerate(origins)]
    for i, member in enumerate(members):
        nodes.append({"id": member["doc_id"], "label": f"{member['outlet'] or '?'} "
                      f"{member['published'].date() if member['published'] else '?'}",
                      "x": 220 + 160 * (i % 4), "y": 30 + 50 * i, "origin": False})
    where = {n["id"]: n for n in nodes}
    lines = [{"x1": where[e["doc_a"]]["x"], "y1": where[e["doc_a"]]["y"], "x2": where[e["doc_b"]]["x"],
              "y2": where[e["doc_b"]]["y"], "kind": e["kind"]}
             for e in edges if e["doc_a"] in where and e["doc_b"] in where]
    if nodes and origins:
        first = members[0]["doc_id"]
        for name in origins:
            lines.append({"x1": where["origin:" + name]["x"], "y1": where["origin:" + name]["y"],
                          "x2": where[first]["x"], "y2": where[first]["y"], "kind": "credited"})
    height = 60 + 50 * max(len(members), len(origins))
    return {"nodes": nodes, "lines": lines, "height": height}
