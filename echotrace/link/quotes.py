"""The same statement across outlets and translations: quote groups.

Re-translations of one statement share few words ("join forces" / "combine efforts"), so
quotes are compared with multilingual sentence embeddings, helped by lexical overlap when the
wording is shared. A group holds one speaker and one statement: two quotes with different known
speakers never meet in a group; a quote whose speaker is unknown may join a group on a stricter
threshold (its own speaker_name stays None: grouping is evidence, not attribution). Apart from
verbatim repeats, a group takes one quote per document, and two groups merge only when their
founding statements fit each other too: a speaker's related statements ("12 people were killed in
Idlib", "the toll rose to 20 in Hama") do not chain into one group of hundreds of articles. Two
statements that both hold numbers but share none are different statements, however alike their
words (a monitor's daily death tolls). Below a near-verbatim score, a paraphrase or re-translation
joins only when the articles carrying the two are linked (`linked`: copies, translations, the same
story): what tells "join forces" / "combine efforts" from a monitor's reports of two other events,
which embed just as close, is that the re-translations report one story. Pairs are merged
best-first, so each quote joins its closest counterpart.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np
import numpy.typing as npt

from echotrace.annotate.quote_speakers import speaker_key
from echotrace.annotate.quotes import statement_text
from echotrace.embed import embed
from echotrace.records import Quote, QuoteGroup

__all__ = ["group_quotes"]

SAME_SPEAKER_THRESHOLD = 0.62
UNKNOWN_SPEAKER_THRESHOLD = 0.75
LEXICAL_WEIGHT = 0.35
# Two groups merge when their founding statements score the threshold less this margin: 0.1 keeps
# every planted statement group of the generated 3k corpus whole (recall .9949 as without the
# check; 0.0 loses 1 point, the founder and a translation of a translation fit less well) and cuts
# FA-KES's largest group of one monitor's statements from 219 to 67 articles.
FOUNDER_MARGIN = 0.1
# Below this score two statements group only when articles carrying them are linked (a copy, a
# translation or the same story). A monitor's reports of other events score up to ~1.1 against
# each other (cosine ~.7, half their words shared: "terrorists fired rocket shells at the X
# neighborhood in Aleppo city, killing …"), as high as the seeds' re-translations of one Putin
# statement (0.63–1.03), whose articles are linked. On FA-KES, of the 17,549 cross-article pairs
# grouped at the old 0.62 everywhere, 16,700 are not grouped any more; 30 of them sampled and read:
# all 30 different statements. 30 sampled of the 908 still grouped: 27 the same statement.
ANYWHERE_THRESHOLD = 1.2
_MIN_WORDS = 4
_CHUNK = 512
_NEIGHBOURS = 50
_WORD = re.compile(r"\w+")
# Thousands are grouped by ",", "." or a (thin, no-break) space: "1,000", "1.000", "1 000".
_NUMBER = re.compile(r"\d+(?:(?:[.,]|[ \u00a0\u2009\u202f](?=\d{3}\b))\d+)*")
_THOUSANDS = re.compile(r"[., \u00a0\u2009\u202f](?=\d{3}\b)")


def group_quotes(quotes: Sequence[Quote], published: Mapping[str, datetime | None],
                 canonical: Mapping[str, str] | None = None,
                 linked: Collection[tuple[str, str]] = ()) -> tuple[list[Quote], list[QuoteGroup]]:
    """Quotes with `group_id` set (every quote belongs to one group) and the groups; `linked`
    holds the (doc_a, doc_b) pairs of the links stage.

    Work is done per distinct statement (whitespace-normalised text), not per quote: a
    statement carried verbatim by 500 outlets is embedded and searched once, and its copies are
    grouped directly, so the cost grows with the distinct statements of a corpus."""
    ordered = sorted(quotes, key=lambda q: (q.doc_id, q.start, q.end, q.quote_id))
    if not ordered:
        return [], []
    key_of = {name: _key(name, canonical) for name in {q.speaker_name for q in ordered}}
    groups = _Groups(ordered, [key_of[q.speaker_name] for q in ordered])
    carriers: dict[str, list[int]] = {}
    for i, q in enumerate(ordered):
        carriers.setdefault(" ".join(q.text.split()), []).append(i)
    # Cheap first: quotes too short to group are never embedded.
    words = {text: _words(text) for text in carriers}
    statements = sorted(text for text in carriers if len(words[text]) >= _MIN_WORDS)
    # Verbatim copies first (they score above any paraphrase): each joins the first earlier
    # group of its statement with a compatible speaker, else opens one. A statement repeated
    # within one article is still one statement.
    heads = [_verbatim_groups(groups, carriers[text]) for text in statements]
    vectors = embed(statements)
    word_sets = [words[text] for text in statements]
    numbers = [_numbers(text) for text in statements]
    for i, text in enumerate(statements):
        for quote in carriers[text]:
            groups.statement[quote] = i
    partners: dict[str, set[str]] = {}
    for doc_a, doc_b in linked:
        partners.setdefault(doc_a, set()).add(doc_b)
        partners.setdefault(doc_b, set()).add(doc_a)
    docs_of = [{groups.doc[q] for q in carriers[text]} for text in statements]

    def reported_together(a: int, b: int) -> bool:
        """Whether an article carrying statement a is linked to one carrying b."""
        small, large = sorted((docs_of[a], docs_of[b]), key=len)
        return any(not partners[doc].isdisjoint(large) for doc in small if doc in partners)

    def fit(root_a: int, root_b: int, threshold: float) -> bool:
        """Whether the founding statements of two groups score the threshold (no chains)."""
        a, b = groups.statement[root_a], groups.statement[root_b]
        if a == b or a < 0 or b < 0:
            return True
        return (not _numbers_differ(numbers[a], numbers[b])
                and float(vectors[a] @ vectors[b]) + LEXICAL_WEIGHT * _overlap(word_sets[a], word_sets[b]) >= threshold)

    for score, a, b in _candidate_pairs(vectors, word_sets):
        if _numbers_differ(numbers[a], numbers[b]) or (score < ANYWHERE_THRESHOLD and not reported_together(a, b)):
            continue
        by_key_a, by_key_b = groups.by_key(heads[a]), groups.by_key(heads[b])
        # Groups of one speaker meet on the lower threshold, a group of unknown speakers on the
        # stricter one; groups of two known speakers never meet.
        for key in sorted(k for k in by_key_a.keys() & by_key_b.keys() if k is not None):
            for root_a, root_b in itertools.product(by_key_a[key], by_key_b[key]):
                if fit(groups.find(root_a), groups.find(root_b), SAME_SPEAKER_THRESHOLD - FOUNDER_MARGIN):
                    groups.merge(root_a, root_b)
        if score >= UNKNOWN_SPEAKER_THRESHOLD:
            for unknown, others in ((by_key_a.get(None, []), heads[b]), (by_key_b.get(None, []), heads[a])):
                for root in unknown:
                    # An unknown speaker's group joins the first group it fits; once that gives
                    # it a speaker, no other speaker's group fits any more.
                    for other in others:
                        if (fit(groups.find(root), groups.find(other), UNKNOWN_SPEAKER_THRESHOLD - FOUNDER_MARGIN)
                                and groups.merge(root, other) and groups.key[groups.find(root)] is not None):
                            break
        heads[a], heads[b] = groups.roots(heads[a]), groups.roots(heads[b])
    members: dict[int, list[int]] = {}
    for i in range(len(ordered)):
        members.setdefault(groups.find(i), []).append(i)
    out_quotes: list[Quote] = list(ordered)
    out_groups: list[QuoteGroup] = []
    for root, indices in sorted(members.items()):
        group = _make_group([ordered[i] for i in indices], published, groups.key[root], canonical)
        out_groups.append(group)
        for i in indices:
            out_quotes[i] = replace(ordered[i], group_id=group.group_id)
    out_groups.sort(key=lambda g: g.group_id)
    return out_quotes, out_groups


def _verbatim_groups(groups: _Groups, carriers: Sequence[int]) -> list[int]:
    """Group the quotes carrying one statement: each joins the first earlier group with a
    compatible speaker, else opens one; returns the first quote of each group.

    Only the first group can lack a speaker (an unknown speaker's quote opens a group only when
    there is none), so the search is a dict lookup, not a scan."""
    heads: list[int] = []
    of_key: dict[str | None, int] = {}
    for i in carriers:
        key = groups.key[i]
        first_unknown = bool(heads) and groups.key[groups.find(heads[0])] is None
        target = heads[0] if heads and (key is None or first_unknown) else of_key.get(key)
        if target is None:
            heads.append(i)
        else:
            groups.merge(target, i, verbatim=True)
        of_key.setdefault(groups.key[groups.find(i)], target if target is not None else i)
    return heads


class _Groups:
    """Union-find over quotes that keeps a group to one speaker and one quote per document
    (the latter stops chains through a speaker's other, related statements)."""

    def __init__(self, quotes: Sequence[Quote], keys: Sequence[str | None]) -> None:
        self.parent = list(range(len(quotes)))
        self.key: list[str | None] = list(keys)
        self.doc: list[str] = [q.doc_id for q in quotes]
        # Per quote its statement's index (-1: too short to compare); at a root, the group's
        # founding statement, which every later merge must fit.
        self.statement: list[int] = [-1] * len(quotes)
        # Documents of the groups that merged, by root; a single quote's is its own document
        # (a set per quote took ~300 MiB at 1.4M quotes).
        self.docs: dict[int, set[str]] = {}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def roots(self, heads: Sequence[int]) -> list[int]:
        """The current groups of a statement's quotes, given one quote of each."""
        return sorted({self.find(i) for i in heads})

    def by_key(self, heads: Sequence[int]) -> dict[str | None, list[int]]:
        """The current groups of a statement's quotes by speaker key."""
        out: dict[str | None, list[int]] = {}
        for root in self.roots(heads):
            out.setdefault(self.key[root], []).append(root)
        return out

    def merge(self, i: int, j: int, verbatim: bool = False) -> bool:
        """Join the groups of i and j when their speakers and documents allow; True if joined.
        `verbatim`: i and j carry the same words, which may repeat within one document."""
        root_i, root_j = self.find(i), self.find(j)
        if root_i == root_j:
            return True
        key_i, key_j = self.key[root_i], self.key[root_j]
        if key_i is not None and key_j is not None and key_i != key_j:
            return False
        if not verbatim and self._docs(root_i) & self._docs(root_j):
            return False
        low, high = sorted((root_i, root_j))
        self.parent[high] = low
        self.key[low] = key_i if key_i is not None else key_j
        self.statement[low] = self.statement[root_i]
        merged = self._docs(low)
        merged |= self._docs(high)
        self.docs.pop(high, None)
        self.docs[low] = merged
        return True

    def _docs(self, root: int) -> set[str]:
        return self.docs.get(root) or {self.doc[root]}


def _key(name: str | None, canonical: Mapping[str, str] | None) -> str | None:
    if not name:
        return None
    if canonical is not None:
        name = canonical.get(name, name)
    return speaker_key(name) or None


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


def _candidate_pairs(vectors: npt.NDArray[np.float32],
                     word_sets: Sequence[frozenset[str]]) -> Iterator[tuple[float, int, int]]:
    """Pairs of distinct statements (a < b) scoring at least the lower threshold, best first
    (ties by a, then b). Held as arrays: a real crawl has about as many distinct statements as
    quotes, ~50 candidate pairs each."""
    n = len(vectors)
    if n < 2:
        return
    k = min(_NEIGHBOURS, n)
    # Pairs as a * n + b codes and their cosines, in the order rows are read: a pair found from
    # both its statements keeps the cosine of the first.
    codes: list[npt.NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    cosines: list[npt.NDArray[np.float32]] = [np.zeros(0, dtype=np.float32)]
    for start in range(0, n, _CHUNK):
        block = vectors[start:start + _CHUNK] @ vectors.T
        # Only each statement's nearest neighbours: related statements still meet through
        # chains of neighbours, without n² candidate pairs.
        top = np.argpartition(-block, k - 1, axis=1)[:, :k] if n > k else np.tile(np.arange(n), (len(block), 1))
        near = np.take_along_axis(block, top, axis=1)
        rows, positions = np.nonzero(near >= SAME_SPEAKER_THRESHOLD - LEXICAL_WEIGHT)
        here, there = start + rows.astype(np.int64), top[rows, positions].astype(np.int64)
        apart = here != there
        codes.append((np.minimum(here, there) * n + np.maximum(here, there))[apart])
        cosines.append(near[rows, positions][apart])
    code = np.concatenate(codes)
    order = np.argsort(code, kind="stable")
    first = order[np.r_[True, code[order][1:] != code[order][:-1]]] if code.size else order
    first_a, first_b = np.divmod(code[first], n)
    pairs = zip(first_a.tolist(), first_b.tolist(), strict=True)
    lexical = np.fromiter((_overlap(word_sets[a], word_sets[b]) for a, b in pairs), dtype=np.float64, count=first.size)
    scores = np.concatenate(cosines)[first].astype(np.float64) + LEXICAL_WEIGHT * lexical
    keep = scores >= SAME_SPEAKER_THRESHOLD
    scores, first_a, first_b = scores[keep], first_a[keep], first_b[keep]
    best_first = np.lexsort((first_b, first_a, -scores))
    for lo in range(0, best_first.size, _CHUNK):
        part = best_first[lo:lo + _CHUNK]
        yield from zip(scores[part].tolist(), first_a[part].tolist(), first_b[part].tolist(), strict=True)


def _numbers(text: str) -> frozenset[str]:
    """The numbers a statement states, without their thousands separators ("1,000" = "1 000" = "1000")."""
    return frozenset(_THOUSANDS.sub("", n) for n in _NUMBER.findall(text))


def _numbers_differ(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and not a & b


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
        text=statement_text(first.text, first.kind),
    )
