"""Find the passages of a corpus that carry a catalogued narrative, with evidence spans.

Three signals, cheapest first, so 100k articles against 50 narratives stay within minutes:
1. lexical prefilter over whole articles (one Aho-Corasick pass for every alias, action and
   keyword of every narrative): most articles never get split into sentences;
2. role check per candidate sentence (`roles.extract_triples`): an actor alias acting on a
   target alias through an action, in that direction;
3. multilingual sentence embeddings of the surviving sentences only, compared with the
   narrative's example statements.

Calibration (thresholds below) was set on the five seed pages and on FA-KES by reading the
sentences around each threshold, not fitted to an evaluation file: with roles, a passage needs
the right triple and an example cosine of at least ROLE_MIN_COSINE (rules out triples that are
grammatical accidents in an unrelated sentence); without roles (imported claim databases), a
passage needs shared content words and a cosine of at least FREE_MIN_COSINE.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from echotrace.annotate.sentences import split_sentences
from echotrace.narratives.catalogue import NarrativeSpec, expand_roles
from echotrace.narratives.roles import Span, SpanFinder, extract_triples, inflections
from echotrace.records import Article, NarrativeMatch

__all__ = [
    "FREE_MIN_COSINE",
    "ROLE_MIN_COSINE",
    "article_presence",
    "match_narratives",
]

Embedder = Callable[[Sequence[str]], npt.NDArray[np.float32]]

ROLE_MIN_COSINE = 0.20
FREE_MIN_COSINE = 0.72
MIN_SHARED_TERMS = 3
MAX_SENTENCE_CHARS = 1500
CHUNK_ARTICLES = 2000

_TERM = re.compile(r"[^\W\d_][^\W_]{3,}")
_STOPWORDS = frozenset(
    """
    that this with from have has had were was been being their there they them then than what when
    which while will would could should about after before into over under also only just more most
    other some such very said says according against between among during without within because
    these those where whose your ours here
    """.split()
)


def _terms(text: str) -> set[str]:
    return {w.lower() for w in _TERM.findall(text) if w.lower() not in _STOPWORDS}


def _default_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    from echotrace.embed import embed

    return embed(texts)


@dataclass(slots=True)
class _Compiled:
    """All narratives' surface forms in three automata; keys say which narrative and role."""

    roles: SpanFinder
    actions: SpanFinder
    terms: SpanFinder
    role_keys: list[tuple[frozenset[str], frozenset[str], frozenset[str]]]
    term_sets: list[frozenset[str]]


def _compile(specs: Sequence[NarrativeSpec]) -> _Compiled:
    role_groups: dict[str, set[str]] = {}
    action_groups: dict[str, set[str]] = {}
    term_groups: dict[str, set[str]] = {}
    role_keys: list[tuple[frozenset[str], frozenset[str], frozenset[str]]] = []
    term_sets: list[frozenset[str]] = []
    for spec in specs:
        if spec.roles is not None:
            actors = {" ".join(a.split()).lower() for a in spec.roles.actor}
            targets = {" ".join(t.split()).lower() for t in spec.roles.target}
            actions = {form for a in spec.roles.action for form in inflections(a)}
            for alias in spec.roles.actor + spec.roles.target:
                role_groups.setdefault(" ".join(alias.split()).lower(), set()).add(alias)
            for form in actions:
                action_groups.setdefault(form, set()).add(form)
            role_keys.append((frozenset(actors), frozenset(actions), frozenset(targets)))
            term_sets.append(frozenset())
        else:
            terms = set().union(*(_terms(t) for t in [spec.title, *spec.examples]))
            for term in terms:
                term_groups.setdefault(term, set()).add(term)
            role_keys.append((frozenset(), frozenset(), frozenset()))
            term_sets.append(frozenset(terms))
    return _Compiled(
        roles=SpanFinder(role_groups),
        actions=SpanFinder(action_groups),
        terms=SpanFinder(term_groups),
        role_keys=role_keys,
        term_sets=term_sets,
    )


@dataclass(slots=True)
class _Candidate:
    spec_idx: int
    doc_id: str
    start: int
    end: int
    text: str
    role_ok: bool


def _in_sentence(spans: Sequence[Span], starts: Sequence[int], start: int, end: int) -> list[Span]:
    """Spans inside [start, end), re-based to the sentence; `starts` is the sorted span starts."""
    lo, hi = bisect_left(starts, start), bisect_left(starts, end)
    return [Span(s.start - start, s.end - start, s.key) for s in spans[lo:hi] if s.end <= end]


def _candidates(article: Article, specs: Sequence[NarrativeSpec], compiled: _Compiled) -> list[_Candidate]:
    text = article.text
    role_hits = compiled.roles.find(text)
    action_hits = compiled.actions.find(text)
    term_hits = compiled.terms.find(text)
    hit_roles = {s.key for s in role_hits}
    hit_actions = {s.key for s in action_hits}
    hit_terms = {s.key for s in term_hits}
    live: list[int] = []
    for idx, spec in enumerate(specs):
        actors, actions, targets = compiled.role_keys[idx]
        if spec.roles is not None:
            if hit_roles & actors and hit_roles & targets and hit_actions & actions:
                live.append(idx)
        elif len(hit_terms & compiled.term_sets[idx]) >= min(MIN_SHARED_TERMS, len(compiled.term_sets[idx])):
            live.append(idx)
    if not live:
        return []
    role_starts = [s.start for s in role_hits]
    action_starts = [s.start for s in action_hits]
    term_starts = [s.start for s in term_hits]
    out: list[_Candidate] = []
    for sentence in split_sentences(text):
        if sentence.end - sentence.start > MAX_SENTENCE_CHARS:
            continue
        roles = _in_sentence(role_hits, role_starts, sentence.start, sentence.end)
        actions_in = _in_sentence(action_hits, action_starts, sentence.start, sentence.end)
        terms_in = {s.key for s in _in_sentence(term_hits, term_starts, sentence.start, sentence.end)}
        if not roles and not terms_in:
            continue
        for idx in live:
            actors, actions, targets = compiled.role_keys[idx]
            if specs[idx].roles is None:
                needed = min(MIN_SHARED_TERMS, len(compiled.term_sets[idx]))
                if len(terms_in & compiled.term_sets[idx]) >= needed:
                    out.append(_Candidate(idx, article.doc_id, sentence.start, sentence.end, sentence.text, False))
                continue
            mentions = [m for m in roles if m.key in actors or m.key in targets]
            triggers = [t for t in actions_in if t.key in actions]
            if not triggers or not mentions:
                continue
            ok = any(
                tri.actor.key in actors and tri.target.key in targets
                for tri in extract_triples(sentence.text, mentions, triggers)
            )
            if ok:
                out.append(_Candidate(idx, article.doc_id, sentence.start, sentence.end, sentence.text, True))
    return out


def match_narratives(
    articles: Iterable[Article],
    specs: Sequence[NarrativeSpec],
    embedder: Embedder | None = None,
    expand_aliases: bool = True,
    chunk_size: int = CHUNK_ARTICLES,
) -> list[NarrativeMatch]:
    """Evidence passages (one sentence each) for every narrative found in `articles`.

    Sorted by (narrative_id, doc_id, start). `articles` may be a lazy iterable: it is read in
    chunks of `chunk_size`, so only one chunk's candidate sentences are held and embedded at a
    time (100k articles stream through in bounded memory). `embedder` defaults to
    echotrace.embed.embed; tests and benchmarks may pass another function with the same contract.
    With `expand_aliases`, role aliases gain their other names from the project alias table.
    """
    if not specs:
        return []
    if expand_aliases:
        specs = expand_roles(list(specs))
    compiled = _compile(specs)
    embed_fn = embedder or _default_embedder
    example_vectors: dict[int, npt.NDArray[np.float32]] = {}
    matches: list[NarrativeMatch] = []
    chunk: list[_Candidate] = []
    in_chunk = 0
    for article in articles:
        chunk.extend(_candidates(article, specs, compiled))
        in_chunk += 1
        if in_chunk >= chunk_size:
            matches.extend(_score(chunk, specs, embed_fn, example_vectors))
            chunk, in_chunk = [], 0
    matches.extend(_score(chunk, specs, embed_fn, example_vectors))
    matches.sort(key=lambda m: (m.narrative_id, m.doc_id, m.start, m.end))
    return matches


def _score(
    candidates: Sequence[_Candidate],
    specs: Sequence[NarrativeSpec],
    embed_fn: Embedder,
    example_vectors: dict[int, npt.NDArray[np.float32]],
) -> list[NarrativeMatch]:
    """Embed one chunk's candidate sentences and keep those close enough to their narrative."""
    if not candidates:
        return []
    texts = sorted({c.text for c in candidates})
    row_of = {t: i for i, t in enumerate(texts)}
    sentence_vectors = embed_fn(texts)
    for idx in sorted({c.spec_idx for c in candidates} - example_vectors.keys()):
        example_vectors[idx] = embed_fn([*specs[idx].examples, specs[idx].title])
    matches: list[NarrativeMatch] = []
    for cand in candidates:
        cosine = float(np.max(example_vectors[cand.spec_idx] @ sentence_vectors[row_of[cand.text]]))
        if cand.role_ok and cosine >= ROLE_MIN_COSINE:
            score = 0.5 + 0.5 * max(0.0, cosine)
        elif not cand.role_ok and cosine >= FREE_MIN_COSINE:
            score = cosine
        else:
            continue
        matches.append(
            NarrativeMatch(
                narrative_id=specs[cand.spec_idx].narrative_id,
                doc_id=cand.doc_id,
                start=cand.start,
                end=cand.end,
                score=round(score, 4),
                text=cand.text,
            )
        )
    return matches


def article_presence(matches: Sequence[NarrativeMatch]) -> dict[tuple[str, str], float]:
    """Article-level presence: (narrative_id, doc_id) -> best passage score."""
    best: dict[tuple[str, str], float] = {}
    for match in matches:
        key = (match.narrative_id, match.doc_id)
        best[key] = max(best.get(key, 0.0), match.score)
    return best
