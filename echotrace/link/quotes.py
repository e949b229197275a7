"""The same statement across outlets and translations: quote groups.

Re-translations of one statement share few words ("join forces" / "combine efforts"), so
quotes are compared with multilingual sentence embeddings, helped by lexical overlap when the
wording is shared. A group holds one speaker and one statement: two quotes with different known
speakers never meet in a group; a quote whose speaker is unknown may join a group on a stricter
threshold (its own speaker_name stays None: grouping is evidence, not attribution). A group holds
at most one quote per document, so a speaker's related statements do not chain into one group;
pairs are merged best-first, so each quote joins its closest counterpart.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from echotrace.annotate.quote_speakers import speaker_key
from echotrace.embed import embed
from echotrace.records import Quote, QuoteGroup

__all__ = ["group_quotes"]

SAME_SPEAKER_THRESHOLD = 0.62
UNKNOWN_SPEAKER_THRESHOLD = 0.75
LEXICAL_WEIGHT = 0.35
_MIN_WORDS = 4
_CHUNK = 512
_NEIGHBOURS = 50
_WORD = re.compile(r"\w+")


def group_quotes(quotes: Sequence[Quote], published: Mapping[str, datetime | None],
                 canonical: Mapping[str, str] | None = None) -> tuple[list[Quote], list[QuoteGroup]]:
    """Quotes with `group_id` set (every quote belongs to one group) and the groups."""
    ordered = sorted(quotes, key=lambda q: (q.doc_id, q.start, q.end, q.quote_id))
    if not ordered:
        return [], []
    keys = [_key(q.speaker_name, canonical) for q in ordered]
    word_sets = [frozenset(w.lower() for w in _WORD.findall(q.text)) for q in ordered]
    # Cheap first: quotes too short to group are never embedded, and a statement carried verbatim
    # by many outlets is embedded once.
    groupable = [i for i, words in enumerate(word_sets) if len(words) >= _MIN_WORDS]
    pairs = [(score, groupable[i], groupable[j]) for score, i, j in _candidate_pairs(
        [ordered[i] for i in groupable], [keys[i] for i in groupable],
        _unique_embeddings([ordered[i].text for i in groupable]), [word_sets[i] for i in groupable])]
    parent = list(range(len(ordered)))
    group_key: list[str | None] = list(keys)
    group_docs: list[set[str]] = [{q.doc_id} for q in ordered]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _score, i, j in pairs:
        root_i, root_j = find(i), find(j)
        if root_i == root_j:
            continue
        key_i, key_j = group_key[root_i], group_key[root_j]
        if key_i is not None and key_j is not None and key_i != key_j:
            continue
        if group_docs[root_i] & group_docs[root_j]:
            continue  # one statement per document: stops chains through a speaker's other quotes
        low, high = sorted((root_i, root_j))
        parent[high] = low
        group_key[low] = key_i if key_i is not None else key_j
        group_docs[low] |= group_docs[high]
    members: dict[int, list[int]] = {}
    for i in range(len(ordered)):
        members.setdefault(find(i), []).append(i)
    out_quotes: list[Quote] = list(ordered)
    groups: list[QuoteGroup] = []
    for root, indices in sorted(members.items()):
        group = _make_group([ordered[i] for i in indices], published, group_key[root], canonical)
        groups.append(group)
        for i in indices:
            out_quotes[i] = replace(ordered[i], group_id=group.group_id)
    groups.sort(key=lambda g: g.group_id)
    return out_quotes, groups


def _key(name: str | None, canonical: Mapping[str, str] | None) -> str | None:
    if not name:
        return None
    if canonical is not None:
        name = canonical.get(name, name)
    return speaker_key(name) or None


def _unique_embeddings(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """One vector per text, each distinct whitespace-normalised text embedded once."""
    normalised = [" ".join(text.split()) for text in texts]
    distinct = sorted(set(normalised))
    row = {text: i for i, text in enumerate(distinct)}
    return embed(distinct)[[row[text] for text in normalised]] if texts else embed([])


def _candidate_pairs(quotes: Sequence[Quote], keys: Sequence[str | None], vectors: npt.NDArray[np.float32],
                     word_sets: Sequence[frozenset[str]]) -> list[tuple[float, int, int]]:
    """Pairs from different documents whose score passes the threshold for their speakers."""
    pairs: list[tuple[float, int, int]] = []
    n = len(quotes)
    if n == 0:
        return pairs
    k = min(_NEIGHBOURS, n)
    seen: set[tuple[int, int]] = set()
    for start in range(0, n, _CHUNK):
        block = vectors[start:start + _CHUNK] @ vectors.T
        # Only each quote's nearest neighbours: a statement repeated in 10,000 articles still forms
        # one group through chains of neighbours, without 10,000² candidate pairs.
        top = np.argpartition(-block, k - 1, axis=1)[:, :k] if n > k else np.tile(np.arange(n), (len(block), 1))
        near = np.take_along_axis(block, top, axis=1)
        rows, positions = np.nonzero(near >= SAME_SPEAKER_THRESHOLD - LEXICAL_WEIGHT)
        cols = top[rows, positions]
        for row, col in sorted(zip(rows.tolist(), cols.tolist(), strict=True)):
            i, j = sorted((start + row, col))
            if i == j or (i, j) in seen or quotes[i].doc_id == quotes[j].doc_id:
                continue
            seen.add((i, j))
            key_i, key_j = keys[i], keys[j]
            if key_i is not None and key_j is not None and key_i != key_j:
                continue
            score = float(block[row, col]) + LEXICAL_WEIGHT * _overlap(word_sets[i], word_sets[j])
            threshold = SAME_SPEAKER_THRESHOLD if key_i is not None and key_j is not None else UNKNOWN_SPEAKER_THRESHOLD
            if score >= threshold:
                pairs.append((-score, i, j))
    pairs.sort()
    return [(-neg, i, j) for neg, i, j in pairs]


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller word set found in the other (wording kept across outlets)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def _make_group(members: Sequence[Quote], published: Mapping[str, datetime | None], key: str | None,
                canonical: Mapping[str, str] | None) -> QuoteGroup:
    def when(q: Quote) -> tuple[int, str, str, int]:
        date = published.get(q.doc_id)
        return (0, date.isoformat(), q.doc_id, q.start) if date is not None else (1, "", q.doc_id, q.start)

    first = min(members, key=when)
    group_id = hashlib.sha1("|".join(sorted(q.quote_id for q in members)).encode()).hexdigest()[:16]
    names = sorted(
        {canonical.get(q.speaker_name, q.speaker_name) if canonical else q.speaker_name
         for q in members if q.speaker_name and _key(q.speaker_name, canonical) == key},
        key=lambda name: (-len(name), name))
    entity_ids = sorted({q.speaker_entity_id for q in members if q.speaker_entity_id})
    return QuoteGroup(
        group_id=group_id,
        first_doc_id=first.doc_id,
        n_docs=len({q.doc_id for q in members}),
        speaker_entity_id=entity_ids[0] if len(entity_ids) == 1 else None,
        speaker_name=names[0] if names else None,
        text=first.text,
    )
