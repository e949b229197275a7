"""Narratives and claims: catalogue matching, claim discovery, spread, narrative similarity."""

from echotrace.narratives.catalogue import (
    NarrativeSpec,
    Roles,
    expand_roles,
    import_claimreview,
    import_claims_csv,
    load_catalogue,
)
from echotrace.narratives.discover import discover_claims
from echotrace.narratives.match import article_presence, match_narratives
from echotrace.narratives.spread import Spread, narrative_spread

__all__ = [
    "NarrativeSpec",
    "Roles",
    "Spread",
    "article_presence",
    "discover_claims",
    "expand_roles",
    "import_claimreview",
    "import_claims_csv",
    "load_catalogue",
    "match_narratives",
    "narrative_spread",
]
