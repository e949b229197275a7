"""How far a narrative travelled: first appearance, outlets by month, stories, quoted speakers.

Counts are of articles (not sentences), so one article repeating a claim ten times weighs
as much as one that says it once; what analysts compare is reach.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from echotrace.records import Article, NarrativeMatch, Quote, StoryMember

__all__ = ["Spread", "narrative_spread"]

UNKNOWN = "unknown"


@dataclass(slots=True)
class Spread:
    narrative_id: str
    n_docs: int
    n_outlets: int
    n_months: int
    n_stories: int
    first_seen: datetime | None
    first_doc_id: str | None
    month_outlet: dict[tuple[str, str], int] = field(default_factory=dict)
    outlets: Counter[str] = field(default_factory=Counter)
    stories: list[tuple[str, int]] = field(default_factory=list)
    speakers: list[tuple[str, int]] = field(default_factory=list)

    @property
    def spread(self) -> int:
        """stories x outlets x months: the ranking figure."""
        return self.n_stories * self.n_outlets * self.n_months


def _story_map(stories: Mapping[str, str] | Sequence[StoryMember] | None) -> dict[str, str]:
    if stories is None:
        return {}
    if isinstance(stories, Mapping):
        return dict(stories)
    return {member.doc_id: member.story_id for member in stories}


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def narrative_spread(
    matches: Sequence[NarrativeMatch],
    articles: Sequence[Article],
    stories: Mapping[str, str] | Sequence[StoryMember] | None = None,
    quotes: Sequence[Quote] | None = None,
) -> dict[str, Spread]:
    """Per narrative: reach over outlets, months and stories, and who is quoted in its evidence.

    A speaker counts when a quote overlaps an evidence span of the same article.
    """
    by_doc = {a.doc_id: a for a in articles}
    story_of = _story_map(stories)
    quotes_by_doc: dict[str, list[Quote]] = {}
    for quote in quotes or []:
        quotes_by_doc.setdefault(quote.doc_id, []).append(quote)
    by_narrative: dict[str, list[NarrativeMatch]] = {}
    for match in matches:
        by_narrative.setdefault(match.narrative_id, []).append(match)

    result: dict[str, Spread] = {}
    for narrative_id in sorted(by_narrative):
        evidence = by_narrative[narrative_id]
        doc_ids = sorted({m.doc_id for m in evidence})
        month_outlet: Counter[tuple[str, str]] = Counter()
        outlets: Counter[str] = Counter()
        story_counts: Counter[str] = Counter()
        months: set[str] = set()
        dated: list[tuple[datetime, str]] = []
        for doc_id in doc_ids:
            article = by_doc.get(doc_id)
            outlet = (article.outlet if article else None) or UNKNOWN
            published = article.published if article else None
            month = published.strftime("%Y-%m") if published else UNKNOWN
            month_outlet[(month, outlet)] += 1
            outlets[outlet] += 1
            months.add(month)
            story_counts[story_of.get(doc_id, doc_id)] += 1
            if published is not None:
                dated.append((published.replace(tzinfo=None), doc_id))
        speakers: Counter[str] = Counter()
        for match in evidence:
            for quote in quotes_by_doc.get(match.doc_id, []):
                if quote.start < match.end and match.start < quote.end:
                    name = quote.speaker_name or quote.speaker_entity_id
                    if name:
                        speakers[name] += 1
        first = min(dated) if dated else None
        result[narrative_id] = Spread(
            narrative_id=narrative_id,
            n_docs=len(doc_ids),
            n_outlets=len(outlets),
            n_months=len(months),
            n_stories=len(story_counts),
            first_seen=first[0] if first else None,
            first_doc_id=first[1] if first else (doc_ids[0] if doc_ids else None),
            month_outlet=dict(sorted(month_outlet.items())),
            outlets=outlets,
            stories=_ranked(story_counts),
            speakers=_ranked(speakers),
        )
    return result
