"""Story clustering: articles about the same real-world event, across outlets, languages and time.

Each article becomes one sparse vector with two blocks: word TF-IDF over the title and lead
(what happened) and entity TF-IDF weighted by salience (who and where; canonical ids are
language-free, so "Daech" and "ISIS" meet, and an ad-hoc name also counts as its last words, so
"Boston Red Sox" meets "Red Sox"). Words found in a large share of the corpus are
dropped: they cannot tell events apart and would make the neighbour search dense.

Two events of the same kind (two earthquakes, two Oscar hosts) share most words, so similarity
is discounted when two articles' time references (years) never overlap, or when neither names
any of the other's key entities at all (not merely less centrally). Pairs
come from chunked sparse products (top neighbours per article, within the time window), then
weighted average linkage merges groups above one global threshold.

An event has a time window: a merge never makes a story span more than `max_days`, except
copies linked by the link stage, which start as one group: duplicates, and reuse or translation
links that cover most of the text. A shared background paragraph or a few aligned sentences do
not force a merge (two events in one place share them); the articles' own similarity decides.
Existing stories are never split or merged with each other; new articles join them or form new
ones.
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from echotrace.annotate.entities import ADHOC_PREFIX
from echotrace.records import Article, DocLink, Mention, StoryMember, doc_id_order

__all__ = ["StorySettings", "cluster_stories", "story_id_for"]

FORCING_LINKS = frozenset({"duplicate", "reuse", "translation"})
# Least score at which a reuse or translation link forces one story: for reuse the share of the
# shorter article that is copied, for translation the same-story similarity. On the generated 10k
# corpus, links that join two planted stories score .04-.39 (median .34 reuse, .15 translation),
# links within one .49-.90; forcing every link chained them: B3 .35, forcing from .45 to .60: .86.
FORCE_SCORE = 0.5
_LINK_BOOST = "same_story"
_EXTRA_STOP = frozenset(
    """
    said says say told according reported report reports news new year years day days week time
    le la les un une des du de et en au aux il elle est sont dans pour par sur avec qui que pas plus
    der die das ein eine und ist sind im am zu zum zur mit auf den dem des von nicht sich auch
    el los las y en con por para es son del al que se una
    и в во на с по что это как из за к от не для
    """.split()
)
_STOP_WORDS = sorted(ENGLISH_STOP_WORDS | _EXTRA_STOP)
_TOKEN = r"(?u)\b\w\w+\b"
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_MAX_FORMS = 3  # an ad-hoc name, its last three and its last two words (see _name_forms)


_Edges = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float32]]


@dataclass(frozen=True, slots=True)
class StorySettings:
    """One global setting for every corpus (no per-topic tuning).

    `threshold` is the average similarity at which two groups still form one story;
    `entity_weight` the share of the similarity that comes from shared entities.
    """

    threshold: float = 0.1
    entity_weight: float = 0.2
    year_conflict: float = 0.5
    entity_conflict: float = 0.6
    key_salience: float = 0.5
    key_entities: int = 3
    key_max_df_share: float = 0.05
    key_max_df_floor: int = 10
    max_days: int = 30
    neighbours: int = 20
    min_edge: float = 0.08
    max_df_share: float = 0.05
    max_df_floor: int = 50
    max_df_cap: int = 1000
    chunk: int = 1000
    lead_chars: int = 1500
    label_entities: int = 3


@dataclass(slots=True)
class _Group:
    members: list[int]
    first: datetime | None
    last: datetime | None
    story_id: str | None
    edges: dict[int, float] = field(default_factory=dict)
    version: int = 0


def story_id_for(first_doc_id: str) -> str:
    """Stable story id: a hash of the story's first document."""
    return "s" + hashlib.sha1(first_doc_id.encode("utf-8")).hexdigest()[:15]


def cluster_stories(
    articles: Sequence[Article],
    mentions: Mapping[str, Sequence[Mention]],
    links: Sequence[DocLink] = (),
    existing: Sequence[StoryMember] = (),
    settings: StorySettings | None = None,
    outlets: Collection[str] = (),
) -> list[StoryMember]:
    """One StoryMember per article (plus every `existing` member), sorted by story then doc id.

    `existing` memberships are kept as they are; their articles, when passed in `articles`,
    let new articles join those stories. Mentions of `outlets` (entity ids) are left out: who
    reports an event is not what it is about ("Syria, AFP, IS: …" labelled a story by its credit).
    """
    settings = settings or StorySettings()
    if outlets:
        mentions = {doc_id: [m for m in found if m.entity_id not in outlets] for doc_id, found in mentions.items()}
    docs = doc_id_order(articles)
    if not docs:
        return sorted(existing, key=lambda m: (m.story_id, m.doc_id))
    position = {a.doc_id: i for i, a in enumerate(docs)}
    vectors = _vectors(docs, mentions, settings)
    conflicts = _Conflicts(docs, mentions, settings)
    edges = _candidate_edges(vectors, docs, conflicts, settings)
    edges = _with_story_links(edges, links, position, settings)
    groups = _initial_groups(docs, position, links, existing)
    _average_linkage(groups, edges, settings)
    return _members(docs, groups, mentions, existing, settings)


def _strongest_per_pair(
    first: npt.NDArray[np.int64], second: npt.NDArray[np.int64], sims: npt.NDArray[np.float32]
) -> _Edges:
    """One row per (first, second) pair, keeping its largest similarity, sorted by pair."""
    order = np.lexsort((-sims, second, first))
    first, second, sims = first[order], second[order], sims[order]
    unique = np.ones(first.size, dtype=bool)
    unique[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1])
    return first[unique], second[unique], sims[unique]


def _with_story_links(
    edges: _Edges, links: Sequence[DocLink], position: Mapping[str, int], settings: StorySettings
) -> _Edges:
    """A `same_story` link (same event, not a copy) lifts the pair at least to the threshold."""
    boosted = [
        (min(position[k.doc_a], position[k.doc_b]), max(position[k.doc_a], position[k.doc_b]),
         settings.threshold + 0.5 * float(k.score))
        for k in links
        if k.kind == _LINK_BOOST and k.doc_a in position and k.doc_b in position and k.doc_a != k.doc_b
    ]
    if not boosted:
        return edges
    first = np.concatenate([edges[0], np.array([b[0] for b in boosted], dtype=np.int64)])
    second = np.concatenate([edges[1], np.array([b[1] for b in boosted], dtype=np.int64)])
    sims = np.concatenate([edges[2], np.array([b[2] for b in boosted], dtype=np.float32)])
    return _strongest_per_pair(first, second, sims)


def _vectors(
    docs: Sequence[Article], mentions: Mapping[str, Sequence[Mention]], settings: StorySettings
) -> sp.csr_matrix:
    texts = [_lead(a, settings.lead_chars) for a in docs]
    words = HashingVectorizer(
        n_features=2**20, alternate_sign=False, norm=None, token_pattern=_TOKEN,
        stop_words=_STOP_WORDS, dtype=np.float32,
    ).transform(texts)
    entity_bags = []
    for article in docs:
        bag: dict[str, float] = {}
        for mention in mentions.get(article.doc_id, ()):
            for form in _name_forms(mention.entity_id):  # "Boston Red Sox" also counts as "Red Sox"
                bag[form] = bag.get(form, 0.0) + 0.5 + mention.salience
        entity_bags.append(bag)
    entities = FeatureHasher(n_features=2**18, alternate_sign=False, dtype=np.float32).transform(entity_bags)
    # Words in a large share of articles cannot tell events apart; dropping them keeps the
    # neighbour search sparse (entities are kept: their ids are few and informative).
    df = np.bincount(words.indices, minlength=words.shape[1])
    max_df = max(settings.max_df_floor, min(settings.max_df_cap, int(settings.max_df_share * len(docs))))
    words = words[:, np.flatnonzero((df > 0) & (df <= max_df))]
    blocks = []
    for matrix, weight in ((words, 1.0 - settings.entity_weight), (entities, settings.entity_weight)):
        tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(matrix)
        blocks.append(tfidf * np.float32(np.sqrt(weight)))
    combined: sp.csr_matrix = normalize(sp.hstack(blocks, format="csr"), copy=False).astype(np.float32)
    return combined


def _lead(article: Article, limit: int) -> str:
    """Title and the first part of the text: where news says what happened, and cheap to vectorise."""
    text = article.text[:limit]
    cut = text.rfind(" ")
    if len(article.text) > limit and cut > 0:
        text = text[:cut]
    return f"{article.title or ''}\n{article.title or ''}\n{text}"


def _candidate_edges(
    vectors: sp.csr_matrix, docs: Sequence[Article], conflicts: _Conflicts, settings: StorySettings
) -> _Edges:
    """Top neighbours per article from chunked sparse products (no dense all-pairs matrix).

    Pairs outside the time window are dropped before ranking. Returns (i, j, similarity) arrays
    with i < j, one row per pair: compact, since a large corpus has millions of pairs.
    """
    n = vectors.shape[0]
    transposed = vectors.T.tocsr()
    days = np.array([_day(a.published) for a in docs], dtype=np.float64)
    shortlist = 3 * settings.neighbours
    parts_i: list[npt.NDArray[np.int64]] = []
    parts_j: list[npt.NDArray[np.int64]] = []
    parts_s: list[npt.NDArray[np.float32]] = []
    for lo in range(0, n, settings.chunk):
        hi = min(n, lo + settings.chunk)
        candidates = (vectors[lo:hi] @ transposed).tocsr()
        for row in range(hi - lo):
            i = lo + row
            start, end = candidates.indptr[row], candidates.indptr[row + 1]
            cols, sims = candidates.indices[start:end], candidates.data[start:end]
            keep = (cols != i) & (sims >= settings.min_edge)
            if not np.isnan(days[i]):
                keep &= ~(np.abs(days[cols] - days[i]) > settings.max_days)
            cols, sims = cols[keep], sims[keep]
            if cols.size == 0:
                continue
            if cols.size > shortlist:
                top = np.argpartition(-sims, shortlist)[:shortlist]
                cols, sims = cols[top], sims[top]
            scored = (sims * conflicts.penalties(i, cols)).astype(np.float32)
            order = np.lexsort((cols, -scored))[: settings.neighbours]
            order = order[scored[order] >= settings.min_edge]
            parts_i.append(np.minimum(cols[order], i).astype(np.int64))
            parts_j.append(np.maximum(cols[order], i).astype(np.int64))
            parts_s.append(scored[order])
    if not parts_i:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
    first, second, sims = np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_s)
    return _strongest_per_pair(first, second, sims)


class _Conflicts:
    """Signs that two similar articles report two different events of the same kind.

    Years they mention (or were published in) that never overlap: "the 2005 quake" vs "the
    2008 quake". Key entities (central in an article, rare in the corpus) that the other article
    never names at all, either way: Hugh Jackman vs Ellen DeGeneres hosting the Oscars. An entity
    central to one report that the other does not even mention is strong evidence of a different
    event; one that is merely less central there is not. Each sign multiplies the similarity.
    """

    def __init__(
        self, docs: Sequence[Article], mentions: Mapping[str, Sequence[Mention]], settings: StorySettings
    ) -> None:
        self._settings = settings
        # Years 1900..2099 as a 200-bit mask in four 64-bit words: disjoint = all ANDs are zero.
        self._years = np.zeros((len(docs), 4), dtype=np.uint64)
        for row, article in enumerate(docs):
            years = {int(y) for y in _YEAR.findall(article.text)}
            if article.published is not None and 1900 <= article.published.year < 2100:
                years.add(article.published.year)
            for year in years:
                bit = year - 1900
                self._years[row, bit // 64] |= np.uint64(1 << (bit % 64))
        self._has_years: npt.NDArray[np.bool_] = np.asarray(self._years.any(axis=1))
        named = [{m.entity_id for m in mentions.get(a.doc_id, ())} for a in docs]
        df = Counter(e for ids in named for e in ids)
        max_df = max(settings.key_max_df_floor, int(settings.key_max_df_share * len(docs)))
        codes: dict[str, int] = {}
        width = settings.key_entities * _MAX_FORMS
        # Per article, the codes of its key entities' name forms (-1 = none), padded to one width.
        self._keys = np.full((len(docs), width), -1, dtype=np.int64)
        for row, article in enumerate(docs):
            salience = {m.entity_id: m.salience for m in mentions.get(article.doc_id, ())
                        if 1 < df[m.entity_id] <= max_df and m.salience >= settings.key_salience}
            ranked = sorted(salience, key=lambda e: (-salience[e], e))[: settings.key_entities]
            forms = sorted({codes.setdefault(f, len(codes)) for e in ranked for f in _name_forms(e)})
            self._keys[row, : len(forms)] = forms
        self._has_keys: npt.NDArray[np.bool_] = np.asarray(self._keys[:, 0] >= 0)
        # Per article, the sorted codes of every key form it names; per key form, the sorted rows
        # that name it: both directions of the check are lookups.
        names: list[npt.NDArray[np.int64]] = []
        naming: dict[int, list[int]] = {}
        for row, ids in enumerate(named):
            found = sorted({codes[form] for e in ids for form in _name_forms(e) if form in codes})
            names.append(np.array(found, dtype=np.int64))
            for code in found:
                naming.setdefault(code, []).append(row)
        self._names = names
        self._naming = {code: np.array(rows, dtype=np.int64) for code, rows in naming.items()}

    def penalties(self, i: int, cols: npt.NDArray[np.int32]) -> npt.NDArray[np.float32]:
        """Similarity multipliers for the pairs (i, j) for j in `cols`."""
        out = np.ones(len(cols), dtype=np.float32)
        if self._has_years[i]:
            disjoint = ~(self._years[cols] & self._years[i]).any(axis=1)
            out[self._has_years[cols] & disjoint] *= self._settings.year_conflict
        if self._has_keys[i]:
            theirs_here = np.isin(self._keys[cols], self._names[i]).any(axis=1)
            mine_there = np.zeros(len(cols), dtype=bool)
            for code in self._keys[i][self._keys[i] >= 0].tolist():
                rows = self._naming.get(code)
                if rows is not None:
                    at = np.minimum(np.searchsorted(rows, cols), rows.size - 1)
                    mine_there |= rows[at] == cols
            out[self._has_keys[cols] & ~theirs_here & ~mine_there] *= self._settings.entity_conflict
        return out


def _name_forms(entity_id: str) -> list[str]:
    """The id, and for an ad-hoc name its last three and last two words: one report's "Boston Red Sox"
    is another's "Red Sox" (the entity stage links such forms only within one article).

    One-word tails are left out: ad-hoc names often open with a word that is no part of the name
    ("Bewohner Selcaska", "en Micas"), and their last word is then a place named everywhere.
    """
    if not entity_id.startswith(ADHOC_PREFIX):
        return [entity_id]
    words = entity_id[len(ADHOC_PREFIX):].split("-")
    tails = range(min(len(words) - 1, _MAX_FORMS), 1, -1)
    return [entity_id] + [ADHOC_PREFIX + "-".join(words[-n:]) for n in tails]


def _day(value: datetime | None) -> float:
    if value is None:
        return float("nan")
    return value.replace(tzinfo=None).toordinal() + 0.0


def _initial_groups(
    docs: Sequence[Article], position: Mapping[str, int], links: Sequence[DocLink],
    existing: Sequence[StoryMember],
) -> list[_Group]:
    """Existing stories and linked copies start as one group each; every other article alone."""
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    story_of: dict[int, str] = {}
    first_in_story: dict[str, int] = {}
    for member in sorted(existing, key=lambda m: (m.story_id, m.doc_id)):
        i = position.get(member.doc_id)
        if i is None:
            continue
        story_of[i] = member.story_id
        if member.story_id in first_in_story:
            union(first_in_story[member.story_id], i)
        else:
            first_in_story[member.story_id] = i
    for link in sorted(links, key=lambda k: (k.doc_a, k.doc_b, k.kind)):
        if not _forces(link) or link.doc_a not in position or link.doc_b not in position:
            continue
        a, b = position[link.doc_a], position[link.doc_b]
        if story_of.get(find(a)) and story_of.get(find(b)) and find(a) != find(b):
            continue  # two existing stories stay apart
        union(a, b)
        root = find(a)
        story_of.setdefault(root, story_of.get(a) or story_of.get(b) or "")
        if not story_of[root]:
            del story_of[root]
    members: dict[int, list[int]] = {}
    for i in range(len(docs)):
        members.setdefault(find(i), []).append(i)
    groups: list[_Group] = []
    for root in sorted(members):
        idx = members[root]
        dates = [d for d in (docs[i].published for i in idx) if d is not None]
        stories = sorted({story_of[i] for i in idx if i in story_of})
        groups.append(
            _Group(idx, min(dates, default=None), max(dates, default=None), stories[0] if stories else None)
        )
    return groups


def _forces(link: DocLink) -> bool:
    """Whether a link makes its two articles one story before clustering."""
    return link.kind == "duplicate" or (link.kind in FORCING_LINKS and link.score >= FORCE_SCORE)


def _average_linkage(groups: list[_Group], edges: _Edges, settings: StorySettings) -> None:
    """Merge the most similar pair of groups while it is similar enough, in place.

    Weighted average linkage (WPGMA): a merged group's similarity to a third is the mean of its
    two parts' similarities, so a big story does not swallow a small event of the same kind
    just by size. Unseen pairs count as 0. Starting groups score the mean over member pairs.
    """
    owner = np.empty(sum(len(g.members) for g in groups), dtype=np.int64)
    for g, group in enumerate(groups):
        owner[group.members] = g
    ids = list(range(len(groups)))  # shared int objects: millions of dict keys cost pointers only
    first, second, sims = edges
    for a, b, sim in zip(owner[first].tolist(), owner[second].tolist(), sims.tolist(), strict=True):
        if a != b:
            ga, gb = groups[a], groups[b]
            ga.edges[ids[b]] = ga.edges.get(b, 0.0) + sim
            gb.edges[ids[a]] = gb.edges.get(a, 0.0) + sim
    for group in groups:
        for other in group.edges:
            group.edges[other] /= len(group.members) * len(groups[other].members)
    alive = [True] * len(groups)
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        ga, gb = groups[a], groups[b]
        similarity = ga.edges[b]
        if similarity >= settings.threshold and _may_merge(ga, gb, settings.max_days):
            lo, hi = min(a, b), max(a, b)
            heapq.heappush(heap, (-similarity, lo, hi, groups[lo].version, groups[hi].version))

    for a, group in enumerate(groups):
        for b in group.edges:
            if a < b:
                push(a, b)
    while heap:
        _, a, b, version_a, version_b = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or groups[a].version != version_a or groups[b].version != version_b:
            continue
        ga, gb = groups[a], groups[b]
        alive[b] = False
        ga.members.extend(gb.members)
        ga.story_id = ga.story_id or gb.story_id
        ga.first = _earliest(ga.first, gb.first)
        ga.last = _latest(ga.last, gb.last)
        ga.version += 1
        ga.edges.pop(b, None)
        gb.edges.pop(a, None)
        for other in set(ga.edges) | set(gb.edges):
            merged = (ga.edges.get(other, 0.0) + gb.edges.get(other, 0.0)) / 2
            groups[other].edges.pop(b, None)
            ga.edges[other] = groups[other].edges[a] = merged
        gb.edges = {}
        for other in sorted(ga.edges):
            push(a, other)
    groups[:] = [g for g, keep in zip(groups, alive, strict=True) if keep]


def _may_merge(a: _Group, b: _Group, max_days: int) -> bool:
    if a.story_id and b.story_id:
        return False
    first, last = _earliest(a.first, b.first), _latest(a.last, b.last)
    return first is None or last is None or _day(last) - _day(first) <= max_days


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b, key=_day)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b, key=_day)


def _members(
    docs: Sequence[Article], groups: Sequence[_Group], mentions: Mapping[str, Sequence[Mention]],
    existing: Sequence[StoryMember], settings: StorySettings,
) -> list[StoryMember]:
    out: list[StoryMember] = []
    clustered = {a.doc_id for a in docs}
    labels = {m.story_id: m.label for m in existing}
    for group in groups:
        articles = [docs[i] for i in group.members]
        first = min(articles, key=lambda a: (_day(a.published) if a.published else float("inf"), a.doc_id))
        story_id = group.story_id or story_id_for(first.doc_id)
        label = labels.get(story_id) or _label(articles, first, mentions, settings.label_entities)
        out.extend(StoryMember(story_id, a.doc_id, label) for a in articles)
    out.extend(m for m in existing if m.doc_id not in clustered)
    return sorted(out, key=lambda m: (m.story_id, m.doc_id))


def _label(
    articles: Sequence[Article], first: Article, mentions: Mapping[str, Sequence[Mention]], n_entities: int
) -> str:
    """Key entities (summed salience over the story) and the headline that names most of them."""
    weight: dict[str, float] = {}
    surface: dict[str, Counter[str]] = {}
    for article in articles:
        seen: set[str] = set()
        for mention in mentions.get(article.doc_id, ()):
            if mention.method != "context":
                surface.setdefault(mention.entity_id, Counter())[mention.text] += 1
            if mention.entity_id not in seen:
                seen.add(mention.entity_id)
                weight[mention.entity_id] = weight.get(mention.entity_id, 0.0) + mention.salience
    ranked = sorted((e for e in weight if e in surface), key=lambda e: (-weight[e], e))[:n_entities]
    names = [min(surface[e].items(), key=lambda kv: (-kv[1], kv[0]))[0] for e in ranked]
    phrase = _phrase(articles, first, mentions, set(ranked))
    return f"{', '.join(names)}: {phrase}" if names else phrase


def _phrase(
    articles: Sequence[Article], first: Article, mentions: Mapping[str, Sequence[Mention]], key: set[str],
    max_words: int = 12,
) -> str:
    """A title if the first article has one, else the opening line (of any member) naming most key entities."""
    if first.title:
        words = first.title.split()
    else:
        best: tuple[float, int, int, str] | None = None
        ordered = sorted(articles, key=lambda a: (a.doc_id != first.doc_id, a.doc_id))
        for rank, article in enumerate(ordered):
            for line in _opening_lines(article.text):
                start, end, text = line
                hits = {m.entity_id for m in mentions.get(article.doc_id, ())
                        if m.entity_id in key and start <= m.start and m.end <= end}
                # Entities named, minus a little per word: headlines beat long lead sentences.
                candidate = (0.1 * len(text.split()) - len(hits), rank, start, text)
                best = candidate if best is None or candidate < best else best
        words = best[3].split() if best else []
    return " ".join(words[:max_words]) + (" …" if len(words) > max_words else "")


def _opening_lines(text: str, limit: int = 8) -> list[tuple[int, int, str]]:
    """The first few lines that could be a headline or lead (4 to 40 words)."""
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for raw in text[:5000].split("\n"):
        stripped = raw.strip()
        if 4 <= len(stripped.split()) <= 40:
            lines.append((pos, pos + len(raw), stripped))
            if len(lines) == limit:
                break
        pos += len(raw) + 1
    return lines
