"""Recurring claims found without a catalogue: who is said to do what to whom, and how widely.

A claim-bearing sentence has an actor, a predicate and a target (`roles.extract_triples` over
entity mentions and a small lexicon of predicate frames). Sentences with the same
(actor, frame, target) form a claim; claims with the same frame that share the actor or the
target and whose sentences read alike (centroid cosine) are merged, so "the United States
shields ISIS" and "the US-led coalition shields Daesh" end as one claim. Claims are ranked by
spread — stories x outlets x months — because a claim repeated by many outlets over many months
is what an analyst wants first, not one article's repetitions.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from echotrace.annotate.sentences import split_sentences
from echotrace.narratives.roles import Span, SpanFinder, extract_triples, inflections
from echotrace.records import Article, Narrative, NarrativeMatch, doc_id_order

__all__ = ["FRAMES", "discover_claims", "load_alias_groups"]

Embedder = Callable[[Sequence[str]], npt.NDArray[np.float32]]

MIN_DOCS = 2
MERGE_MIN_COSINE = 0.80
MAX_CLAIMS = 200
MAX_SENTENCE_CHARS = 1000

# Predicate frames: the label verb, then trigger words (inflections are derived).
FRAMES: dict[str, tuple[str, list[str]]] = {
    "support": ("supports", [
        "support", "backs", "backed", "backing", "help", "assist", "aid", "arm", "fund", "finance", "sponsor",
        "protect", "shield", "provide cover", "collude", "collusion", "conspire", "cooperate", "cooperation",
        "let", "allow", "enable", "spare", "strengthen", "enhance", "supply", "equip",
    ]),
    "attack": ("attacks", [
        "attack", "bomb", "strike", "shell", "kill", "target", "raid", "shoot", "destroy", "massacre",
        "airstrike", "air strike", "fire on", "gas", "use chemical weapons", "besiege",
    ]),
    "accuse": ("accuses", ["accuse", "blame", "charge"]),
    "capture": ("captures", ["capture", "seize", "recapture", "retake", "liberate", "storm", "take control"]),
    "condemn": ("condemns", ["condemn", "denounce", "criticize", "criticise", "slam"]),
    "threaten": ("threatens", ["threaten", "warn"]),
    "fight": ("fights", ["fight", "clash", "battle", "combat"]),
}

# Group nouns that act in news claims without a proper name; each is its own entity.
_GROUP_NOUNS: dict[str, list[str]] = {
    "group:terrorists": ["terrorists", "terrorist groups", "terrorist organizations"],
    "group:militants": ["militants", "jihadists", "extremists", "insurgents", "radicals"],
    "group:rebels": ["rebels", "rebel groups", "opposition fighters", "armed opposition", "moderate opposition",
                     "opposition forces", "opposition groups"],
    "group:civilians": ["civilians", "residents", "children", "women"],
    "group:regime": ["regime", "Syrian regime", "Assad regime", "government forces", "pro-government forces",
                     "regime forces"],
}
_ENTITY_TYPES = frozenset({"person", "org", "group", "place"})
# Never the doer of a claim: victims, and (for violent frames) places, which in casualty reports
# are where things happen ("Syria air strikes kill 42"), not who acts.
_NEVER_ACTORS = frozenset({"group:civilians"})
_PHYSICAL_FRAMES = frozenset({"attack", "capture", "fight"})
_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*(?:[ \t]+(?:of[ \t]+|al-|the[ \t]+)?[A-Z][\w'’.-]*)*")
_DEMONYM = re.compile(r"(?:an|ish|ese|i)$")
_NEXT_LOWER = re.compile(r"[ \t]+[a-z]")
_POSSESSIVE = re.compile(r"['’]s$")
# Capitalised words that name no one: days, months, times of day, and the chrome words of news pages.
_NOT_NAMES = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    today tonight yesterday tomorrow morning afternoon evening night week weekend month year
    related tags tag photo photos video videos image images file source read more click published updated
    breaking live watch share follow subscribe advertisement
    mr mrs ms dr
    """.split()
)
_SENTENCE_START_WORDS = frozenset(
    """
    the a an in on at as after before but however this that these those it he she they we i you
    according when while if since although though there here today yesterday also meanwhile
    earlier later last next some many most several all both each his her their its our my
    """.split()
)


# Guarded aliases are common words in capitals ("IS" in "THIS IS"); only the entity annotator's
# context check can use them safely.
_GUARDED_FORMS = frozenset({"IS"})


@lru_cache(maxsize=1)
def _place_ids() -> frozenset[str]:
    try:
        from echotrace.annotate.entities import EntityIndex
    except ImportError:
        return frozenset()
    return frozenset(e.entity_id for e in EntityIndex.load().entities() if e.type == "place")


@lru_cache(maxsize=1)
def load_alias_groups() -> dict[str, tuple[str, tuple[str, ...]]]:
    """entity id -> (display name, aliases) from the project alias table (echotrace.annotate.entities)."""
    try:
        from echotrace.annotate.entities import EntityIndex
    except ImportError:  # the annotator is optional for discovery: capitalised names still work
        return {}
    return {
        entity.entity_id: (entity.name, tuple(a for a in [entity.name, *entity.aliases] if a not in _GUARDED_FORMS))
        for entity in EntityIndex.load().entities()
        if entity.type in _ENTITY_TYPES
    }


@dataclass(slots=True)
class _Claim:
    actor: str
    frame: str
    target: str
    doc_id: str
    start: int
    end: int
    text: str
    trigger: str
    actor_text: str
    target_text: str


@dataclass(slots=True)
class _Cluster:
    key: tuple[str, str, str]
    claims: list[_Claim] = field(default_factory=list)


def _capitalised_spans(text: str, taken: Sequence[Span]) -> list[Span]:
    """Proper-name-looking phrases the alias table does not know, keyed by their lower-case form."""
    spans: list[Span] = []
    for match in _CAPITALISED.finditer(text):
        start, end = match.start(), match.end()
        phrase = _POSSESSIVE.sub("", match.group()).rstrip(".'’")
        end = start + len(phrase)  # "Kestria's support": the name ends before 's, the role reader sees it
        words = phrase.split()
        if words and words[0].lower() in _SENTENCE_START_WORDS:
            words = words[1:]
            start = end - len(" ".join(words)) if words else end
        if not words or len(phrase) < 3:
            continue
        if all(w.lower().strip("'’.") in _NOT_NAMES for w in words):
            continue  # "Sunday", "March", "Related": dates and page chrome, never an actor or a target
        if start == 0 and len(words) == 1 and not words[0].isupper():
            continue  # a capitalised first word is usually not a name
        if len(words) == 1 and _DEMONYM.search(words[0]) and _NEXT_LOWER.match(text, end):
            continue  # "Syrian civilians": an adjective, the noun names the group
        if any(start < e and s < end for s, e in ((t.start, t.end) for t in taken)):
            continue
        spans.append(Span(start, end, "name:" + " ".join(words).lower()))
    return spans


_GENERIC_NAME_WORDS = frozenset("the of al el forces force group groups syrian syria army international led".split())


def _name_tokens(forms: Sequence[str]) -> frozenset[str]:
    words = {w for form in forms for w in re.findall(r"[^\W_]+", form.lower())}
    return frozenset(w for w in words if w not in _GENERIC_NAME_WORDS and len(w) > 1)


class _Extractor:
    def __init__(self, aliases: Mapping[str, tuple[str, Sequence[str]]]) -> None:
        groups: dict[str, list[str]] = {key: list(forms) for key, (_, forms) in aliases.items()}
        for key, forms in _GROUP_NOUNS.items():
            groups.setdefault(key, []).extend(forms)
        self.display = {key: name for key, (name, _) in aliases.items()}
        self.places = _place_ids() & set(aliases)
        self.tokens: dict[str, frozenset[str]] = {key: _name_tokens(forms) for key, forms in groups.items()}
        self.entities = SpanFinder(groups)
        self.triggers = SpanFinder({
            frame: [form for word in words for form in inflections(word)] for frame, (_, words) in FRAMES.items()
        })

    def claims(self, article: Article) -> list[_Claim]:
        out: list[_Claim] = []
        for sentence in split_sentences(article.text):
            if len(sentence.text) > MAX_SENTENCE_CHARS:
                continue
            triggers = self.triggers.find(sentence.text)
            if not triggers:
                continue
            known = self.entities.find(sentence.text)
            names = _capitalised_spans(sentence.text, known)
            mentions = sorted([*known, *names], key=lambda s: (s.start, s.end))
            if len(mentions) < 2:
                continue
            seen: set[tuple[str, str, str]] = set()
            for name in names:
                self.tokens.setdefault(name.key, _name_tokens([name.key.split(":", 1)[1]]))
            for triple in extract_triples(sentence.text, mentions, triggers):
                if triple.actor.key in _NEVER_ACTORS or (
                        triple.trigger.key in _PHYSICAL_FRAMES and triple.actor.key in self.places):
                    continue
                key = (triple.actor.key, triple.trigger.key, triple.target.key)
                if key in seen:
                    continue
                seen.add(key)
                out.append(_Claim(
                    actor=triple.actor.key, frame=triple.trigger.key, target=triple.target.key,
                    doc_id=article.doc_id, start=sentence.start, end=sentence.end, text=sentence.text,
                    trigger=sentence.text[triple.trigger.start : triple.trigger.end].lower(),
                    actor_text=sentence.text[triple.actor.start : triple.actor.end],
                    target_text=sentence.text[triple.target.start : triple.target.end],
                ))
        return out


def _name(key: str, display: Mapping[str, str], surface: Counter[str]) -> str:
    if key in display:
        return display[key]
    if surface:
        return sorted(surface.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return key.split(":", 1)[-1]


def _month(article: Article | None) -> str:
    return article.published.strftime("%Y-%m") if article is not None and article.published else "unknown"


def _related(a: str, b: str, tokens: Mapping[str, frozenset[str]]) -> bool:
    return a == b or bool(tokens.get(a, frozenset()) & tokens.get(b, frozenset()))


def _merge(clusters: list[_Cluster], embed_fn: Embedder, tokens: Mapping[str, frozenset[str]]) -> list[_Cluster]:
    """Fold a claim into a larger one with the same frame, one identical role, a related other role
    (names sharing a word: "US-led coalition" / "US") and alike sentences. Greedy by size, no chaining,
    so "regime attacks civilians" never absorbs "rebels attack civilians"."""
    if len(clusters) < 2:
        return clusters
    texts = sorted({c.text for cluster in clusters for c in cluster.claims})
    row = {t: i for i, t in enumerate(texts)}
    vectors = embed_fn(texts)
    centroids = np.vstack([vectors[[row[c.text] for c in cl.claims]].mean(axis=0) for cl in clusters])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
    order = sorted(range(len(clusters)), key=lambda i: (-len({c.doc_id for c in clusters[i].claims}), clusters[i].key))
    heads: list[int] = []
    members: dict[int, list[int]] = {}
    for i in order:
        actor, frame, target = clusters[i].key
        home = next((h for h in heads
                     if clusters[h].key[1] == frame
                     and ((clusters[h].key[0] == actor and _related(clusters[h].key[2], target, tokens))
                          or (clusters[h].key[2] == target and _related(clusters[h].key[0], actor, tokens)))
                     and float(centroids[h] @ centroids[i]) >= MERGE_MIN_COSINE), None)
        if home is None:
            heads.append(i)
            members[i] = [i]
        else:
            members[home].append(i)
    return [_Cluster(clusters[h].key, [c for i in members[h] for c in clusters[i].claims]) for h in heads]


def _default_embedder(texts: Sequence[str]) -> npt.NDArray[np.float32]:
    from echotrace.embed import embed

    return embed(texts)


def discover_claims(
    articles: Sequence[Article],
    stories: Mapping[str, str] | None = None,
    *,
    aliases: Mapping[str, tuple[str, Sequence[str]]] | None = None,
    embedder: Embedder | None = None,
    max_claims: int = MAX_CLAIMS,
) -> tuple[list[Narrative], list[NarrativeMatch]]:
    """Recurring claims (origin "discovered"), best spread first, with one match per evidence sentence.

    `stories` maps doc_id -> story_id (each article is its own story when absent); `aliases`
    maps entity id -> (display name, aliases) and defaults to the project alias table.
    Ids are hashes of the (actor, frame, target) key, so re-runs give the same ids.
    """
    extractor = _Extractor(load_alias_groups() if aliases is None else aliases)
    story_of = dict(stories or {})
    groups: dict[tuple[str, str, str], _Cluster] = {}
    outlet_month: dict[str, tuple[str, str]] = {}
    for article in doc_id_order(articles):
        outlet_month[article.doc_id] = (article.outlet or "unknown", _month(article))
        for claim in extractor.claims(article):
            key = (claim.actor, claim.frame, claim.target)
            groups.setdefault(key, _Cluster(key)).claims.append(claim)
    recurring = [c for _, c in sorted(groups.items()) if len({x.doc_id for x in c.claims}) >= MIN_DOCS]
    merged = _merge(recurring, embedder or _default_embedder, extractor.tokens)

    ranked: list[tuple[tuple[int, int, str], Narrative, list[_Claim]]] = []
    for cluster in merged:
        docs = {c.doc_id for c in cluster.claims}
        n_stories = len({story_of.get(d, d) for d in docs})
        n_outlets = len({outlet_month[d][0] for d in docs})
        n_months = len({outlet_month[d][1] for d in docs})
        keys = Counter((c.actor, c.frame, c.target) for c in cluster.claims)
        actor_key, frame, target_key = sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        actors = Counter(c.actor_text for c in cluster.claims if c.actor == actor_key)
        targets = Counter(c.target_text for c in cluster.claims if c.target == target_key)
        label = (f"{_name(actor_key, extractor.display, actors)} — {FRAMES[frame][0]} — "
                 f"{_name(target_key, extractor.display, targets)}")
        narrative_id = "discovered:" + hashlib.sha1("|".join(cluster.key).encode("utf-8")).hexdigest()[:12]
        triggers = ", ".join(t for t, _ in Counter(c.trigger for c in cluster.claims).most_common(4))
        description = (f"{len(docs)} articles, {n_stories} stories, {n_outlets} outlets, {n_months} months; "
                       f"predicates: {triggers}")
        spread = n_stories * n_outlets * n_months
        ranked.append(((-spread, -len(docs), narrative_id), Narrative(narrative_id, label, "discovered", description),
                       cluster.claims))
    ranked.sort(key=lambda item: item[0])
    narratives: list[Narrative] = []
    matches: list[NarrativeMatch] = []
    for _, narrative, claims in ranked[:max_claims]:
        narratives.append(narrative)
        seen: set[tuple[str, int]] = set()
        for claim in sorted(claims, key=lambda c: (c.doc_id, c.start)):
            if (claim.doc_id, claim.start) in seen:
                continue
            seen.add((claim.doc_id, claim.start))
            matches.append(
                NarrativeMatch(narrative.narrative_id, claim.doc_id, claim.start, claim.end, 1.0, claim.text)
            )
    return narratives, matches
