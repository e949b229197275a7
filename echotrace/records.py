"""The data model: typed records every stage reads and returns.

Stages are pure functions over these records; only `pipeline.py` moves them in and out of
the store. Spans (`start`, `end`) are character offsets into `Article.text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

DATE_KINDS = ("published", "updated", "event", "crawled")
CREDIT_ROLES = ("origin", "translator", "via")
LINK_KINDS = ("duplicate", "reuse", "translation", "same_story")
QUOTE_KINDS = ("direct", "indirect")


@dataclass(slots=True)
class RawDoc:
    """One input page, decoded to text but not yet cleaned.

    `source` names where it came from precisely enough to find it again: a file path, or
    `path#line=12` for a JSONL/CSV row, or `path#record=<WARC-Record-ID>`.
    Exactly one of `text` (plain text) and `html` is set.
    """

    source: str
    fmt: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    crawled: datetime | None = None
    encoding: str | None = None
    repaired: bool = False


@dataclass(slots=True)
class Skipped:
    """An input that could not be used, with a stable error code and a readable reason."""

    source: str
    code: str
    reason: str


@dataclass(slots=True)
class Paragraph:
    """`text[start:end]` of its article: offsets only, so a corpus loaded back holds each
    article's text once (the store's paragraphs table keeps the text for queries)."""

    idx: int
    start: int
    end: int
    lang: str


@dataclass(slots=True)
class Boilerplate:
    """A block the cleaner removed, kept so a user can audit what was dropped."""

    text: str
    reason: str


@dataclass(slots=True)
class Cleaned:
    """What the cleaner makes of a page: title apart, main text, what it removed."""

    title: str | None
    text: str
    boilerplate: list[Boilerplate] = field(default_factory=list)
    header: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Credit:
    """A source the page credits: a wire or origin outlet, a translator, a relay."""

    name: str
    role: str
    start: int | None
    end: int | None
    evidence: str


@dataclass(slots=True)
class DateInfo:
    """A date with its kind and the words it was read from (`evidence`)."""

    value: datetime
    kind: str
    evidence: str
    start: int | None = None
    end: int | None = None


@dataclass(slots=True)
class Article:
    doc_id: str
    title: str | None
    text: str
    url: str | None
    outlet: str | None
    published: datetime | None
    date_kind: str | None
    date_evidence: str | None
    crawled: datetime | None
    language: str
    source_paths: list[str]
    fmt: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    boilerplate: list[Boilerplate] = field(default_factory=list)
    credits: list[Credit] = field(default_factory=list)
    outlet_evidence: str | None = None


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(slots=True)
class Entity:
    entity_id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Mention:
    doc_id: str
    start: int
    end: int
    entity_id: str
    text: str
    method: str
    salience: float = 0.0


@dataclass(slots=True)
class Quote:
    quote_id: str
    doc_id: str
    start: int
    end: int
    text: str
    speaker_name: str | None
    speaker_entity_id: str | None
    kind: str
    speaker_start: int | None = None
    speaker_end: int | None = None
    cue_start: int | None = None
    cue_end: int | None = None
    cue: str | None = None
    group_id: str | None = None


@dataclass(slots=True)
class QuoteGroup:
    group_id: str
    first_doc_id: str
    n_docs: int
    speaker_entity_id: str | None
    speaker_name: str | None
    text: str


@dataclass(slots=True)
class DocLink:
    """Two related articles; `earlier` is the doc_id published first (None when unknown)."""

    doc_a: str
    doc_b: str
    kind: str
    score: float
    earlier: str | None
    method: str


@dataclass(slots=True)
class LinkSpan:
    doc_a: str
    a_start: int
    a_end: int
    doc_b: str
    b_start: int
    b_end: int
    score: float


@dataclass(slots=True)
class StoryMember:
    story_id: str
    doc_id: str
    label: str


@dataclass(slots=True)
class Narrative:
    narrative_id: str
    title: str
    origin: str
    description: str = ""


@dataclass(slots=True)
class NarrativeMatch:
    """One evidence passage. `start`/`end` are offsets into the article text, or, when
    `boilerplate_idx` is set, into that removed page block (a page's related-headline list can
    carry a narrative its body does not)."""

    narrative_id: str
    doc_id: str
    start: int
    end: int
    score: float
    text: str
    boilerplate_idx: int | None = None


@dataclass(slots=True)
class DocResult:
    """Everything the per-document stages make of one input unit."""

    source: str
    article: Article
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


def doc_id_order(articles: Sequence[Article]) -> Sequence[Article]:
    """`articles` sorted by doc_id, one per doc_id (the last given wins): the sequence itself when it
    already is (the store's corpus, `StoredArticles`), so stored articles are not all built at once."""
    ids = [a.doc_id for a in articles]
    if all(a < b for a, b in pairwise(ids)):
        return articles
    return sorted({a.doc_id: a for a in articles}.values(), key=lambda a: a.doc_id)
