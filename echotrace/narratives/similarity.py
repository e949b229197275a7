"""How alike two articles' narratives are, from their headlines, leads and best-aligned sentences.

News puts its framing first (headline, lead), so the semantic signals read the beginning:
- `opening`, `passage` and `lead`: one vector for the first 3,000 / 800 / 600 characters;
- `headline_best`: the headline against the other article's closest sentence, both ways (does
  the other article make the statement this one leads with?);
- `headline_lead`: the headline plus a position-weighted mean of the sentences (first ones count most);
and `names`: shared names and numbers weighted by rarity among the documents profiled together
(`link.translation.name_overlap`; a name in every article says little).

Every embedding model puts a language's texts in one region of the space, so, as for story links
(`link.translation`), each vector is moved off its language's mean over the documents profiled
together, when that language has enough of them; two profiles compare centred vectors only if both are.

Each signal is read on a fixed scale: at or below the floor it says nothing (unrelated news in the same
language already shares that much: topic words, news register), at or above the ceiling it is a full
match; the score is the mean of the six. No weight is fitted. The floors sit near the 90th percentile of
random same-language document pairs of SemEval-2022 Task 8 dev: raw cosines .23-.31 per signal (FLOOR
.25), centred cosines .11-.16 (CENTRED_FLOOR .10), names .05. Ceilings are round values near the median
of same-narrative pairs: CEILING .70 raw; centring takes a random pair's cosine from about .15 to 0,
c -> (c - .15) / .85 roughly, which maps .70 to CENTRED_CEILING .65; names .30.
On that file (1,283 pairs, Pearson r vs -Narrative) the fixed scales give .748; picking every floor and
ceiling from a grid inside each training fold gives .747 held out (5-fold), .744 (leave-one-language-
pair-out), .744 / .751 (odd / even pair-id halves): the values are not tuned to the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from echotrace.annotate.sentences import split_sentences
from echotrace.link.translation import (
    CJK_STOP,
    centred_rows,
    idf_name_weights,
    language_centres,
    name_overlap,
    name_tokens,
)
from echotrace.link.translation import OPENING_CHARS as PASSAGE_CHARS

__all__ = [
    "NarrativeProfile",
    "NarrativeVectors",
    "narrative_similarity",
    "profile_documents",
    "read_signals",
    "reading_scale",
    "signals",
]

Vectors = npt.NDArray[np.float32]
Embedder = Callable[[Sequence[str]], Vectors]

LEAD_CHARS = 600
OPENING_CHARS = 3000
HEADLINE_CHARS = 300
MAX_SENTENCES = 40
MIN_SENTENCE_CHARS = 20
POSITION_DECAY = 0.7
HEADLINE_WEIGHT = 0.5
FLOOR = 0.25
CEILING = 0.70
CENTRED_FLOOR = 0.10
CENTRED_CEILING = 0.65
NAMES_FLOOR = 0.05
NAMES_CEILING = 0.30

# A headline is the first line, or what comes before the first run of two spaces ("Title  Body").
_HEADLINE_BREAK = re.compile(r"\n|\s{2,}")


@dataclass(slots=True)
class NarrativeVectors:
    """One document's unit vectors, each signal's own."""

    headline: Vectors
    sentences: Vectors
    headline_lead: Vectors
    lead: Vectors
    passage: Vectors
    opening: Vectors


@dataclass(slots=True)
class NarrativeProfile:
    """What the similarity needs from one document, embedded once: raw vectors, the same moved
    off the language's mean when its language had enough documents (else None), and its names
    and numbers weighted by rarity among the documents profiled together."""

    raw: NarrativeVectors
    centred: NarrativeVectors | None
    names: dict[str, float]
    name_damping: float


def _default_embedder(texts: Sequence[str]) -> Vectors:
    from echotrace.embed import embed

    return embed(texts)


def _sentences(text: str) -> list[str]:
    pieces = [p.strip() for s in split_sentences(text) for p in CJK_STOP.split(s.text)]
    long_enough = [p for p in pieces if len(p) >= MIN_SENTENCE_CHARS]
    return (long_enough or [p for p in pieces if p] or [text[:LEAD_CHARS] or " "])[:MAX_SENTENCES]


def _headline(text: str) -> str:
    return _HEADLINE_BREAK.split(text.strip(), maxsplit=1)[0][:HEADLINE_CHARS] or " "


def _passage(text: str) -> str:
    return " ".join(text[:PASSAGE_CHARS].split()) or " "


def _normalised(vector: Vectors) -> Vectors:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


def _headline_lead(headline: Vectors, sentences: Vectors) -> Vectors:
    weights = POSITION_DECAY ** np.arange(len(sentences))
    weighted = _normalised((sentences * weights[:, None]).sum(axis=0))
    return _normalised(weighted + HEADLINE_WEIGHT * headline)


def _centred(docs: Sequence[NarrativeVectors], langs: Sequence[str]) -> list[NarrativeVectors | None]:
    """Every vector moved off its language's mean (one mean per signal) where the language has
    enough documents among `docs` (`link.translation.MIN_CENTERING_DOCS`)."""
    if not docs:
        return []
    dim = docs[0].lead.shape[0]
    single = ("headline", "headline_lead", "lead", "passage", "opening")
    centres = {name: language_centres(langs, [getattr(d, name)[None, :] for d in docs], dim) for name in single}
    sentence_centres = language_centres(langs, [d.sentences for d in docs], dim)
    return [
        NarrativeVectors(
            sentences=centred_rows(doc.sentences, sentence_centres[lang]),
            **{name: centred_rows(getattr(doc, name), centres[name][lang]) for name in single},
        )
        if lang in sentence_centres
        else None
        for doc, lang in zip(docs, langs, strict=True)
    ]


def profile_documents(
    texts: Sequence[str],
    embedder: Embedder | None = None,
    headlines: Sequence[str | None] | None = None,
    langs: Sequence[str] | None = None,
) -> list[NarrativeProfile]:
    """Embed headlines, leads, openings and sentences of many documents in one batched call.

    `headlines` are the cleaner's titles where known; otherwise the text's first line stands in.
    With `langs`, vectors are also centred per language over these documents, so profile a corpus
    in one call.
    """
    embed_fn = embedder or _default_embedder
    per_doc = [_sentences(t) for t in texts]
    heads = [(headlines[i] if headlines is not None else None) or _headline(t) for i, t in enumerate(texts)]
    pieces = sorted(
        {*heads, *(t[:LEAD_CHARS] or " " for t in texts), *(t[:OPENING_CHARS] or " " for t in texts),
         *(_passage(t) for t in texts), *(s for doc in per_doc for s in doc)}
    )
    row = {p: i for i, p in enumerate(pieces)}
    vectors = embed_fn(pieces)
    raw = []
    for i, t in enumerate(texts):
        headline, sentences = vectors[row[heads[i]]], vectors[[row[s] for s in per_doc[i]]]
        raw.append(NarrativeVectors(
            headline=headline,
            sentences=sentences,
            headline_lead=_headline_lead(headline, sentences),
            lead=vectors[row[t[:LEAD_CHARS] or " "]],
            passage=vectors[row[_passage(t)]],
            opening=vectors[row[t[:OPENING_CHARS] or " "]],
        ))
    centred = _centred(raw, langs) if langs is not None else [None] * len(raw)
    all_names = [name_tokens(t) for t in texts]
    weights, damping = idf_name_weights(all_names)
    return [
        NarrativeProfile(r, c, {name: weights[name] for name in names}, damping)
        for r, c, names in zip(raw, centred, all_names, strict=True)
    ]


def _compared(a: NarrativeProfile, b: NarrativeProfile) -> tuple[NarrativeVectors, NarrativeVectors] | None:
    """The centred vectors of both, when both have them."""
    return (a.centred, b.centred) if a.centred is not None and b.centred is not None else None


def signals(a: NarrativeProfile, b: NarrativeProfile) -> dict[str, float]:
    """The cosines the score is built from (useful to explain a score); centred when both are."""
    x, y = _compared(a, b) or (a.raw, b.raw)
    headline_best = (float((x.headline @ y.sentences.T).max()) + float((y.headline @ x.sentences.T).max())) / 2
    return {
        "opening": float(x.opening @ y.opening),
        "passage": float(x.passage @ y.passage),
        "lead": float(x.lead @ y.lead),
        "headline_best": headline_best,
        "headline_lead": float(x.headline_lead @ y.headline_lead),
        "names": name_overlap(a.names, b.names, max(a.name_damping, b.name_damping)),
    }


def reading_scale(a: NarrativeProfile, b: NarrativeProfile) -> tuple[float, float]:
    """(floor, ceiling) for the cosines of `signals(a, b)`: centred cosines run lower."""
    return (CENTRED_FLOOR, CENTRED_CEILING) if _compared(a, b) else (FLOOR, CEILING)


def _read(value: float, floor: float, ceiling: float) -> float:
    return min(1.0, max(0.0, (value - floor) / (ceiling - floor)))


def read_signals(raw: Mapping[str, float], floor: float = FLOOR, ceiling: float = CEILING) -> float:
    """The score from `signals`: each cosine read on the [floor, ceiling] scale, the names share
    on its own, then averaged."""
    read = [_read(v, NAMES_FLOOR, NAMES_CEILING) if k == "names" else _read(v, floor, ceiling) for k, v in raw.items()]
    return round(sum(read) / len(read), 6) if read else 0.0


def narrative_similarity(a: NarrativeProfile, b: NarrativeProfile) -> float:
    """0 (different narratives) .. 1 (same narrative)."""
    return read_signals(signals(a, b), *reading_scale(a, b))
