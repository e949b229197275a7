"""Links between articles: copies, partial reuse, re-translations and same-story pairs.

`find_links` is pure and deterministic: articles are processed in doc_id order whatever order
they arrive in, so the same corpus always yields the same links, scores and spans.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait

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

# Up to this many articles the copy search (one core, mostly Python) runs beside pass 1 of the
# semantic links, whose embedding threads spend most of their time outside the GIL: the links
# stage of the generated corpora takes 8-15 % less time (2k, 10k) for ~200 MiB more at 10k.
# Larger corpora search first, as the two steps' memory peaks would add up (at 100k: +2.7 GB
# and +2.1 GB over the corpus, against a 4 GiB budget).
SIDE_BY_SIDE_MAX_DOCS = 25_000

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
    with ThreadPoolExecutor(1, thread_name_prefix="copy-search") as search:
        copies = search.submit(copy_links, ordered, map_batches=map_batches)
        if len(ordered) > SIDE_BY_SIDE_MAX_DOCS:
            wait([copies])
        more_links, more_spans = semantic_links(ordered, lambda: copies.result()[0], embedder)
        links, spans = copies.result()
    links.extend(more_links)
    spans.extend(more_spans)
    links.sort(key=lambda lk: (lk.doc_a, lk.doc_b))
    spans.sort(key=lambda s: (s.doc_a, s.doc_b, s.a_start, s.b_start, s.a_end, s.b_end))
    return links, spans


def document_similarity(a_text: str, b_text: str, a_lang: str, b_lang: str) -> float:
    """Same-story similarity of two texts in 0..1 (the score evaluated on SemEval-2022 Task 8)."""
    first, second = profile_documents([a_text, b_text], [a_lang, b_lang], max_sentences=SCORE_SENTENCES)
    return pair_similarity(first, second)
