"""Narrative catalogues: the YAML users write, and importers for known-claim databases.

Everything ends up as `NarrativeSpec`, so the matcher does not care whether a narrative was
written by an analyst, imported from EUvsDisinfo, or taken from a fact-checker's ClaimReview.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "NarrativeSpec",
    "Roles",
    "expand_roles",
    "import_claimreview",
    "import_claims_csv",
    "load_catalogue",
]


@dataclass(slots=True)
class Roles:
    """Who does what to whom: each role is a list of aliases (first one is the display name).

    `action` holds verbs or nouns ("support", "collude", "cover"); inflected forms are derived
    by the matcher. Multi-word phrases ("turn a blind eye") are allowed.
    """

    actor: list[str]
    action: list[str]
    target: list[str]


@dataclass(slots=True)
class NarrativeSpec:
    narrative_id: str
    title: str
    description: str
    examples: list[str]
    roles: Roles | None = None
    origin: str = "catalogue"
    keywords: list[str] = field(default_factory=list)
    date: str | None = None
    source: str | None = None
    outlets: list[str] = field(default_factory=list)


class CatalogueError(ValueError):
    """A catalogue file that cannot be used, with the entry and field at fault."""


def _stable_id(prefix: str, text: str) -> str:
    digest = hashlib.sha1(text.strip().lower().encode("utf-8")).hexdigest()[:12]
    return f"{prefix}:{digest}"


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    raise CatalogueError(f"{where}: expected a string or a list of strings, got {type(value).__name__}")


def _roles(raw: Any, where: str) -> Roles | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}.roles: expected a mapping with actor, action, target")
    roles = Roles(
        actor=_str_list(raw.get("actor"), f"{where}.roles.actor"),
        action=_str_list(raw.get("action"), f"{where}.roles.action"),
        target=_str_list(raw.get("target"), f"{where}.roles.target"),
    )
    missing = [name for name in ("actor", "action", "target") if not getattr(roles, name)]
    if missing:
        raise CatalogueError(f"{where}.roles: missing {', '.join(missing)}")
    return roles


def load_catalogue(path: Path) -> list[NarrativeSpec]:
    """Read a user catalogue: a YAML list of narratives, or a mapping with a `narratives` list."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("narratives")
    if not isinstance(data, list):
        raise CatalogueError(f"{path}: expected a list of narratives (or `narratives:` with a list)")
    specs: list[NarrativeSpec] = []
    seen: set[str] = set()
    for idx, entry in enumerate(data):
        where = f"{path}[{idx}]"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: expected a mapping")
        title = str(entry.get("title") or "").strip()
        examples = _str_list(entry.get("examples"), f"{where}.examples")
        if not title:
            raise CatalogueError(f"{where}: `title` is required")
        narrative_id = str(entry.get("id") or _stable_id("catalogue", title))
        if narrative_id in seen:
            raise CatalogueError(f"{where}: duplicate id {narrative_id!r}")
        seen.add(narrative_id)
        specs.append(
            NarrativeSpec(
                narrative_id=narrative_id,
                title=title,
                description=str(entry.get("description") or "").strip(),
                examples=examples or [title],
                roles=_roles(entry.get("roles"), where),
                origin=str(entry.get("origin") or "catalogue"),
                keywords=_str_list(entry.get("keywords"), f"{where}.keywords"),
                date=str(entry["date"]) if entry.get("date") else None,
                source=str(entry["source"]) if entry.get("source") else None,
                outlets=_str_list(entry.get("outlets"), f"{where}.outlets"),
            )
        )
    return specs


_CASE_SLUG = re.compile(r"/report/([^/?#]+)")


def _plus_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split("+") if part.strip()]


def import_claims_csv(path: Path) -> list[NarrativeSpec]:
    """EUvsDisinfo export (`date,id,title,countries,keywords,languages,outlets`, lists joined by `+`).

    Also accepts `summary`/`claim` for the claim text and `url` for the id, as other
    known-claim exports name them. Rows without a claim are skipped.
    """
    specs: list[NarrativeSpec] = []
    seen: set[str] = set()
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            claim = (row.get("title") or row.get("claim") or row.get("summary") or "").strip()
            if not claim:
                continue
            url = (row.get("id") or row.get("url") or "").strip()
            slug = _CASE_SLUG.search(url)
            narrative_id = f"euvsdisinfo:{slug.group(1)}" if slug else _stable_id("claim", url or claim)
            if narrative_id in seen:
                continue
            seen.add(narrative_id)
            summary = (row.get("summary") or "").strip()
            countries = _plus_list(row.get("countries"))
            keywords = _plus_list(row.get("keywords"))
            description = summary or "; ".join(
                part for part in (
                    f"countries: {', '.join(countries)}" if countries else "",
                    f"keywords: {', '.join(keywords)}" if keywords else "",
                    f"languages: {row.get('languages')}" if row.get("languages") else "",
                ) if part
            )
            specs.append(
                NarrativeSpec(
                    narrative_id=narrative_id,
                    title=claim,
                    description=description,
                    examples=[claim] + ([summary] if summary and summary != claim else []),
                    roles=None,
                    origin="catalogue",
                    keywords=keywords,
                    date=(row.get("date") or "").strip() or None,
                    source=url or None,
                    outlets=_plus_list(row.get("outlets")),
                )
            )
    return specs


def _name_of(value: Any) -> str | None:
    if isinstance(value, dict):
        name = value.get("name")
        return str(name) if name else None
    if isinstance(value, str):
        return value
    return None


def _claimreview_items(data: Any) -> list[dict[str, Any]]:
    """Flatten the shapes ClaimReview arrives in: one object, a list, JSON-LD @graph,
    or the Google Fact Check Tools API response (`claims: [{text, claimReview: [...]}]`)."""
    if isinstance(data, list):
        return [item for entry in data for item in _claimreview_items(entry)]
    if not isinstance(data, dict):
        return []
    if "@graph" in data:
        return _claimreview_items(data["@graph"])
    if "claims" in data and isinstance(data["claims"], list):
        items: list[dict[str, Any]] = []
        for claim in data["claims"]:
            if not isinstance(claim, dict):
                continue
            reviews = claim.get("claimReview") or [{}]
            review = reviews[0] if isinstance(reviews, list) and reviews else {}
            items.append({
                "claimReviewed": claim.get("text"),
                "url": review.get("url"),
                "datePublished": claim.get("claimDate") or review.get("reviewDate"),
                "author": review.get("publisher"),
                "reviewRating": {"alternateName": review.get("textualRating")},
                "itemReviewed": {"author": claim.get("claimant")},
            })
        return items
    kind = data.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [data] if "ClaimReview" in kinds or "claimReviewed" in data else []


def import_claimreview(path: Path) -> list[NarrativeSpec]:
    """schema.org ClaimReview JSON (one object, a list, JSON-LD @graph, or Fact Check Tools output)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    specs: list[NarrativeSpec] = []
    seen: set[str] = set()
    for item in _claimreview_items(data):
        claim = str(item.get("claimReviewed") or "").strip()
        if not claim:
            continue
        url = str(item.get("url") or "").strip()
        narrative_id = _stable_id("claimreview", url or claim)
        if narrative_id in seen:
            continue
        seen.add(narrative_id)
        rating = item.get("reviewRating") or {}
        verdict = rating.get("alternateName") if isinstance(rating, dict) else None
        reviewed = item.get("itemReviewed") or {}
        claimant = _name_of(reviewed.get("author")) if isinstance(reviewed, dict) else None
        reviewer = _name_of(item.get("author"))
        description = "; ".join(
            part for part in (
                f"rated {verdict!s} by {reviewer or 'a fact-checker'}" if verdict else "",
                f"claimed by {claimant}" if claimant else "",
            ) if part
        )
        specs.append(
            NarrativeSpec(
                narrative_id=narrative_id,
                title=claim,
                description=description,
                examples=[claim],
                roles=None,
                origin="catalogue",
                date=str(item.get("datePublished") or "").strip() or None,
                source=url or None,
            )
        )
    return specs


_GUARDED_FORMS = frozenset({"IS"})


def expand_roles(specs: list[NarrativeSpec]) -> list[NarrativeSpec]:
    """Add the alias table's other names for every role alias it knows ("Daesh" -> ISIL, ИГИЛ ...).

    Uses echotrace.annotate.entities when present; a catalogue works without it.
    """
    try:
        from echotrace.annotate.entities import EntityIndex
    except ImportError:
        return specs
    index = EntityIndex.load()

    def expanded(aliases: list[str]) -> list[str]:
        out = list(aliases)
        for alias in aliases:
            entity_id = index.canonical(alias)
            entity = index.entity(entity_id) if entity_id else None
            if entity is not None:
                out.extend(a for a in [entity.name, *entity.aliases] if a not in _GUARDED_FORMS)
        return list(dict.fromkeys(out))

    result: list[NarrativeSpec] = []
    for spec in specs:
        if spec.roles is None:
            result.append(spec)
            continue
        roles = Roles(expanded(spec.roles.actor), list(spec.roles.action), expanded(spec.roles.target))
        result.append(NarrativeSpec(spec.narrative_id, spec.title, spec.description, list(spec.examples), roles,
                                    spec.origin, list(spec.keywords), spec.date, spec.source, list(spec.outlets)))
    return result
