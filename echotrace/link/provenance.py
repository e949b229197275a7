"""Provenance chains: who carried a story first, and which wire it is credited to.

A chain is one connected group of linked articles, ordered by publication date. When only the
crawl date is known the step says so (`date_is_fallback`), because a crawl date is an upper
bound, not evidence of who was first. The root is the credited origin (Credit role "origin",
e.g. TASS) even when the wire's own page is not in the corpus: republishers name their source
far more often than the source page survives in a crawl.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from echotrace.records import Article, DocLink


@dataclass(slots=True)
class ChainStep:
    """One article of a chain, in order; `via` is the link that ties it to an earlier step."""

    doc_id: str
    outlet: str | None
    date: datetime | None
    date_kind: str | None
    date_is_fallback: bool
    first_appearance: bool
    via_doc_id: str | None = None
    via_kind: str | None = None
    via_score: float | None = None


@dataclass(slots=True)
class ProvenanceChain:
    """A connected group of linked articles, earliest first, rooted at the credited origin."""

    chain_id: str
    root: str
    root_doc_id: str | None
    root_is_credited: bool
    first_doc_id: str | None
    steps: list[ChainStep] = field(default_factory=list)


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def article_date(article: Article) -> tuple[datetime | None, str | None, bool]:
    """(date, kind, is_fallback): publication date when known, else the crawl date, flagged."""
    if article.published is not None and article.date_kind != "crawled":
        return _naive_utc(article.published), article.date_kind or "published", False
    if article.published is not None:
        return _naive_utc(article.published), "crawled", True
    if article.crawled is not None:
        return _naive_utc(article.crawled), "crawled", True
    return None, None, True


def earlier_of(a: Article, b: Article) -> str | None:
    """The doc_id published first; None when a date is missing or both dates are equal."""
    date_a, _, _ = article_date(a)
    date_b, _, _ = article_date(b)
    if date_a is None or date_b is None or date_a == date_b:
        return None
    return a.doc_id if date_a < date_b else b.doc_id


def linked_groups(doc_ids: Sequence[str], links: Sequence[DocLink]) -> list[list[str]]:
    """Connected groups (two or more members, each sorted) of `doc_ids` joined by `links`."""
    parent = {doc_id: doc_id for doc_id in doc_ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links:
        if link.doc_a in parent and link.doc_b in parent:
            ra, rb = find(link.doc_a), find(link.doc_b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for doc_id in sorted(parent):
        groups.setdefault(find(doc_id), []).append(doc_id)
    return [members for members in groups.values() if len(members) > 1]


def _order_key(article: Article) -> tuple[int, datetime, int, str]:
    date, _, fallback = article_date(article)
    # Known publication dates before crawl-date fallbacks on ties; unknown dates last.
    return (date is None, date or datetime.max, int(fallback), article.doc_id)


_KIND_RANK = {"duplicate": 0, "reuse": 1, "translation": 2, "same_story": 3}


def provenance_chains(articles: Sequence[Article], links: Sequence[DocLink]) -> list[ProvenanceChain]:
    """One chain per connected group of linked articles, sorted by chain_id."""
    position = {article.doc_id: k for k, article in enumerate(articles)}  # not the articles: their texts
    ranked: dict[str, list[DocLink]] = {}
    for link in sorted(links, key=lambda lk: (_KIND_RANK.get(lk.kind, 9), -lk.score, lk.doc_a, lk.doc_b)):
        ranked.setdefault(link.doc_a, []).append(link)
        ranked.setdefault(link.doc_b, []).append(link)
    chains: list[ProvenanceChain] = []
    for members in linked_groups(sorted(position), links):
        ordered = sorted((articles[position[d]] for d in members), key=_order_key)
        origin_votes = Counter(
            credit.name for article in ordered for credit in article.credits if credit.role == "origin"
        )
        origin = min(origin_votes, key=lambda name: (-origin_votes[name], name)) if origin_votes else None
        origin_article = next((a for a in ordered if origin and a.outlet == origin), None)
        first = ordered[0]
        steps: list[ChainStep] = []
        placed: set[str] = set()
        for article in ordered:
            date, kind, fallback = article_date(article)
            via = _best_link_to(article.doc_id, placed, ranked.get(article.doc_id, []))
            steps.append(
                ChainStep(
                    doc_id=article.doc_id,
                    outlet=article.outlet,
                    date=date,
                    date_kind=kind,
                    date_is_fallback=fallback,
                    first_appearance=article.doc_id == first.doc_id,
                    via_doc_id=via.doc_a if via and via.doc_b == article.doc_id else (via.doc_b if via else None),
                    via_kind=via.kind if via else None,
                    via_score=via.score if via else None,
                )
            )
            placed.add(article.doc_id)
        if origin_article is not None:
            root, root_doc, credited = origin_article.outlet or origin_article.doc_id, origin_article.doc_id, True
        elif origin is not None:
            root, root_doc, credited = origin, None, True
        else:
            root, root_doc, credited = first.outlet or first.doc_id, first.doc_id, False
        chain_id = hashlib.sha1("\n".join(members).encode()).hexdigest()[:16]
        chains.append(ProvenanceChain(chain_id, root, root_doc, credited, first.doc_id, steps))
    return sorted(chains, key=lambda chain: chain.chain_id)


def _best_link_to(doc_id: str, placed: set[str], ranked_links: Sequence[DocLink]) -> DocLink | None:
    """The strongest of `doc_id`'s links (ranked: most specific kind, then score) to an
    article already placed earlier in the chain."""
    for link in ranked_links:
        other = link.doc_b if link.doc_a == doc_id else link.doc_a
        if other in placed:
            return link
    return None
