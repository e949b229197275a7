"""Links between articles: copies, partial reuse, re-translations and same-story pairs.

`find_links` is pure and deterministic: articles are processed in doc_id order whatever order
they arrive in, so the same corpus always yields the same links, scores and spans.
"""

from __future__ import annotations

from collections.abc import Sequence

from echotrace.link.near_dup import BatchMapper, copy_links
from echotrace.link.provenance import ChainStep, ProvenanceChain, provenance_chains
from echotrace.link.translation import (
    SCORE_SENTENCES,
    Embedder,
    pair_similarity,
    profile_documents,
    semantic_links,
)
from echotrace.records import Article, DocLink, LinkSpan, doc_id_order

__all__ = [
    "ChainStep",
    "ProvenanceChain",
    "document_similarity",
    "find_links",
    "provenance_chains",
]


def find_links(
    articles: Sequence[Article], *, embedder: Embedder | None = None, map_batches: BatchMapper | None = None
) -> tuple[list[DocLink], list[LinkSpan]]:
    """All links between `articles`; one link per pair, the most specific kind wins
    (duplicate > reuse > translation > same_story). `doc_a` < `doc_b` always.

    `map_batches` fingerprints batches for the copy search on an engine's workers (results do
    not depend on it)."""
    ordered = doc_id_order(articles)
    links, spans = copy_links(ordered, map_batches=map_batches)
    more_links, more_spans = semantic_links(ordered, links, embedder)
    links.extend(more_links)
    spans.extend(more_spans)
    links.sort(key=lambda lk: (lk.doc_a, lk.doc_b))
    spans.sort(key=lambda s: (s.doc_a, s.doc_b, s.a_start, s.b_start, s.a_end, s.b_end))
    return links, spans


def document_similarity(a_text: str, b_text: str, a_lang: str, b_lang: str) -> float:
    """Same-story similarity of two texts in 0..1 (the score evaluated on SemEval-2022 Task 8)."""
    first, second = profile_documents([a_text, b_text], [a_lang, b_lang], max_sentences=SCORE_SENTENCES)
    return pair_similarity(first, second)
