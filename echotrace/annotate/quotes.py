"""Who said what: direct quotes, reported speech and their speakers.

Two layers. A CRF tagger trained on PolNeAR train (bench/train_quotes.py) finds English
attributions, most of which carry no quotation mark; it reads a dependency parse (spaCy) of the
sentences with a cue and the label probabilities of a fine-tuned neural classifier
(quote_nn.py), or only word features when spaCy is missing or `syntax=False`. Rules
find quoted spans in any language and reported speech in fr/de/es/ru from the cue table
(data/cues.yaml). Speakers are then resolved in reading order: a pronoun or a description
("the ministry said", "the Russian president remarked") takes the nearest earlier compatible
named speaker; nothing compatible means the speaker stays unknown. A cue the tagger gave no
source takes its grammatical subject from the parse, and a direct quote with no cue of its own
carries on the speaker of the direct quote just before it.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import attrgetter
from pathlib import Path
from typing import Any

from echotrace.annotate.entities import NOT_NAMES, place_names
from echotrace.annotate.language import language_at, language_regions
from echotrace.annotate.quote_nn import classifier_available, label_probabilities, stacked_features
from echotrace.annotate.quote_rules import (
    CuePatterns,
    Found,
    attribute_direct,
    cue_patterns,
    labelled_lines,
    quoted_spans,
    reported_speech,
    signed_lines,
    subject_after,
    transcript_turns,
)
from echotrace.annotate.quote_speakers import dateline_end, resolve_speakers
from echotrace.annotate.quote_tokens import (
    COMPLEMENTIZER,
    QUOTE_CHARS,
    SyntaxToken,
    Token,
    cue_table,
    cue_words,
    is_title_word,
    parse_cue_sentences,
    quotes_words,
    syntax_available,
    token_features,
    tokenize,
)
from echotrace.annotate.sentences import split_sentences
from echotrace.records import Paragraph, Quote

__all__ = ["MODEL_PATH", "find_quotes", "load_quote_models", "statement_text"]

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "quote_model.crfsuite"
FAST_MODEL_PATH = MODEL_PATH.with_name("quote_model_fast.crfsuite")
_MIN_QUOTE_WORDS = 4
# How far (tokens, each sentence between costing _SENTENCE_PENALTY) a content may sit from its cue.
# PolNeAR train, 4 folds, with the stacked tagger: 6 -> 12, overlap +0.0010, joint +0.0016; flat to 25.
_MAX_CUE_GAP = 12
_MAX_SOURCE_GAP = 15
_MAX_CONTENT_HOLE = 2
_SENTENCE_PENALTY = 3
_CUE_SEARCH_TOKENS = 60
# Words besides the speaker between two parts of one quote: `“…,” Mr. Dalton said in an interview that
# showed off the renovations. “…”` (PolNeAR train, 4 folds: 4 -> 16 words, overlap +0.0034, joint
# +0.0031; flat from 16 on, where the 200-character limit of _merge_continued binds).
_MAX_WORDS_AFTER_CUE = 16
_RECOVER_SOURCE = 0.15
_PARAGRAPH_BREAK = re.compile(r"\n\s*")  # one break, whether pages separate paragraphs by \n or \n\n
# The rest of a name after the tagger's source: " for Policy Research", " of Foreign Affairs".
# One blank between words, so that a run of blanks cannot backtrack (tests/test_regex_safety.py).
_NAME_REST = re.compile(r"[ \t](?:of|for)(?:[ \t](?:(?:of|for|the|and)[ \t])?[A-Z][\w’'-]*)+")


@lru_cache(maxsize=2)
def _tagger(syntax: bool) -> tuple[Any, bool]:
    """The CRF tagger, loaded once per process, and whether it reads dependency features.

    The syntax model reads spaCy's parse and the neural classifier (quote_nn.py); without them
    (or when the caller asks for speed) the word-feature model runs instead: several times
    faster, lower F1 on PolNeAR dev (bench/RESULTS.md)."""
    import pycrfsuite

    use_syntax = syntax and MODEL_PATH.is_file() and syntax_available() and classifier_available()
    path = MODEL_PATH if use_syntax else FAST_MODEL_PATH
    if not path.is_file():
        return None, False
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger, use_syntax


def load_quote_models(syntax: bool = True) -> None:
    """Load the tagger (and the parser it reads) now, so that a worker's first document does not
    spend its time budget on model loading."""
    _tagger(syntax)


def find_quotes(doc_id: str, text: str, lang: str = "en",
                paragraphs: Sequence[Paragraph] = (), syntax: bool = True) -> list[Quote]:
    """Quotes of one article, in text order, with spans into `text`.

    `syntax=False` skips the dependency parse and the neural classifier of English text (bulk
    runs: ~10x faster on English, fewer reported-speech attributions found)."""
    regions = language_regions(paragraphs, lang, len(text))
    found: list[Found] = []
    common_word_starts: set[int] = set()
    readers: list[tuple[int, int]] = []
    tagger, stacked_model = _tagger(syntax)
    merged = _merge_regions(regions)
    for start, end, region_lang in merged:
        if region_lang == "en" and tagger is not None:
            found.extend(_tagged_attributions(text, start, end, syntax, common_word_starts, readers))
    turns = [turn for start, end, region_lang in merged for turn in transcript_turns(text, start, end, region_lang)]
    spans = _outside_turns(quoted_spans(text), turns)
    _complete_from_rules(text, found, regions)
    found = _join_paragraphs(text, spans, found)
    found.extend(_direct_quotes(text, spans, regions, found))
    found.extend(_labelled_lines(text, regions, found))
    found.extend(_reported_speech(text, regions, found, all_english=not stacked_model))
    found = _with_turns(text, found, turns, language_at(regions))
    for item in found:
        item.start, item.end = _trim_marks(text, dateline_end(text, item.start, item.end), item.end)
    _mark_quoted(found, spans)
    found.sort(key=lambda f: (f.start, f.end))
    found = _merge_continued(text, found)
    _extend_joined_sources(text, found)
    mentioned = _drop_unnamed_sources(text, found, language_at(regions)) + readers
    _inherit_sources(text, found)
    speakers = resolve_speakers(text, found, language_at(regions), frozenset(common_word_starts), mentioned)
    quotes: list[Quote] = []
    seen: set[tuple[int, int]] = set()
    for item, speaker in zip(found, speakers, strict=True):
        if item.end <= item.start or (item.start, item.end) in seen:
            continue
        seen.add((item.start, item.end))
        quotes.append(Quote(
            quote_id=_quote_id(doc_id, item.start, item.end),
            doc_id=doc_id,
            start=item.start,
            end=item.end,
            text=text[item.start:item.end],
            speaker_name=speaker,
            speaker_entity_id=None,
            kind=item.kind,
            speaker_start=item.source_start,
            speaker_end=item.source_end,
            cue_start=item.cue_start,
            cue_end=item.cue_end,
            cue=text[item.cue_start:item.cue_end] if item.cue_start is not None else None,
        ))
    return quotes


def _merge_continued(text: str, found: list[Found]) -> list[Found]:
    """`“…,” he said. “…”`: a quote with no cue of its own that follows, in the same paragraph,
    a quote and its attribution with nothing else between is the same statement going on."""
    merged: list[Found] = []
    for item in found:
        prev = merged[-1] if merged else None
        if (prev is not None and prev.kind == "direct" and item.kind == "direct"
                and item.cue_start in (None, prev.cue_start)
                and prev.cue_start is not None and prev.cue_end is not None and prev.cue_start >= prev.end
                and prev.cue_end <= item.start and item.start - prev.end < 200
                and _only_attribution_between(text, prev, item)):
            prev.end = item.end
            continue
        merged.append(item)
    return merged


def _extend_joined_sources(text: str, found: Sequence[Found]) -> None:
    """A source the tagger cut at "for"/"of" runs back over the joiner to the first capitalised word
    of the name ("the Syrian Observatory for [Human Rights] said"), or on to the name's last one
    ("[The Syrian Center] for Policy Research said"), never into the cue or the content."""
    for item in found:
        start, end = item.source_start, item.source_end
        if start is None or end is None:
            continue
        rest = _NAME_REST.match(text, end)
        last_word = (text[start:end].split() or [""])[-1]
        if rest is not None and last_word[:1].isupper() and last_word[-1:].isalpha():
            limits = [p for p in (item.cue_start, item.start) if p is not None and p >= end]
            if rest.end() <= min(limits, default=len(text)):
                item.source_end = rest.end()
        if not text[start:start + 1].isupper():
            continue
        before = text[max(0, start - 80):start]
        words = before.split()
        if len(words) < 2 or not before[-1:].isspace() or words[-1] not in ("of", "for"):
            continue
        first = len(words) - 1
        while (first > 0 and words[first - 1][:1].isupper() and words[first - 1][-1] not in ".!?:;,"
               and words[first - 1].lower() not in NOT_NAMES):
            first -= 1
        if first == len(words) - 1:
            continue
        offset = len(before)
        for word in reversed(words[first:]):
            offset = before.rfind(word, 0, offset)
        item.source_start = start - len(before) + offset


def _drop_unnamed_sources(text: str, found: Sequence[Found], lang_of: Callable[[int], str]) -> list[tuple[int, int]]:
    """Attributions whose grammatical subject is not who speaks lose their source: the one spoken to
    (`_spoken_to`) and the subject of the writer's own reading (`_writers_reading`). Returns the
    dropped spans: still names for later references ("the mayor said")."""
    dropped: list[tuple[int, int]] = []
    for item in found:
        if item.cue_start is None or item.cue_end is None or item.source_start is None:
            continue
        cues = cue_patterns(lang_of(item.cue_start))
        cue, before, after = _cue_context(text, item.cue_start, item.cue_end)
        if not cue:
            continue
        if _spoken_to(cue, before, after, cues) or _writers_reading([w.lower() for w in cue], before, after, cues):
            dropped.append((item.source_start, item.source_end or item.source_start))
            item.source_start = item.source_end = None
    return dropped


def _cue_context(text: str, cue_start: int, cue_end: int) -> tuple[list[str], list[str], list[str]]:
    """A cue's words, and the lower-case word just before it and just after it."""
    return (text[cue_start:cue_end].split(), text[max(0, cue_start - 40):cue_start].lower().split()[-1:],
            text[cue_end:cue_end + 4].lower().split()[:1])


def _spoken_to(cue: Sequence[str], before: Sequence[str], after: Sequence[str], cues: CuePatterns) -> bool:
    """"Christie was asked whether …", "When asked about the charges, Rubio said …", "Asked if …":
    the subject of a passive speech verb, or of the clause that a participle opens, is the one
    spoken to (unless "by X" follows the verb). PolNeAR train, 4 folds: joint F1 +0.0025."""
    lower = [w.lower() for w in cue]
    verb = next((k for k, w in enumerate(lower) if w in cues.addressee_verbs), None)
    if verb is None:
        return False
    following = [*lower[verb + 1:], *after][:1]
    # "was asked", "was once asked" (the cue's own words), "who was asked" (the word before it)
    passive = any(w in cues.passive_auxiliaries for w in (lower[:verb] if verb else before))
    participle = verb == 0 and (cue[0][:1].isupper() or any(w in cues.adjunct_openers for w in before))
    return (passive or participle) and following != ["by"]


def _writers_reading(lower: Sequence[str], before: Sequence[str], after: Sequence[str], cues: CuePatterns) -> bool:
    """"Sanders appeared to dismiss …", "The bill is expected to pass": the writer's own reading, or a
    claim nobody is named for (cues.yaml `sourceless_cues`, `sourceless_passives`; in PolNeAR train
    150 of 154 such attributions have no source; train joint +0.0020)."""
    passive = (lower[-1] in cues.sourceless_passives and after != ["by"]
               and any(w in cues.passive_auxiliaries for w in (lower[:-1] or before)))
    return passive or any(w in cues.sourceless_cues for w in lower)


def _inherit_sources(text: str, found: Sequence[Found]) -> None:
    """`“…,” Trump told Vogue. “There was a previous generation…”`: a direct quote with no cue
    of its own, next after an attributed direct quote in the same or the following paragraph
    (attributions with no known source between are passed over), carries on its speaker (cue and
    source spans are shared). After reported speech it stays unattributed (the quote may be the
    outlet's own summary), unless that reported speech has the direct quote's source: `“…,” Clinton
    said, recalling a bill that failed. “Obama and I voted for it.”` (PolNeAR train, 4 folds: joint
    F1 +0.0015)."""
    attributed: Found | None = None
    attributed_direct: Found | None = None
    for item in found:
        if (item.kind == "direct" and item.cue_start is None and item.source_start is None
                and attributed is not None and attributed_direct is not None
                and (attributed.source_start, attributed.source_end)
                == (attributed_direct.source_start, attributed_direct.source_end)
                and attributed.end <= item.start and item.start - attributed.end < 300
                and len(_PARAGRAPH_BREAK.findall(text, attributed.end, item.start)) <= 1):
            item.cue_start, item.cue_end = attributed_direct.cue_start, attributed_direct.cue_end
            item.source_start, item.source_end = attributed.source_start, attributed.source_end
        if item.source_start is not None:
            attributed = item
            if item.kind == "direct":
                attributed_direct = item


def _only_attribution_between(text: str, prev: Found, item: Found) -> bool:
    """Whether the text between two quotes is prev's source and cue, punctuation and a few more
    words ("he said in an interview")."""
    between = text[prev.end:item.start]
    if "\n" in between:
        return False
    words = len(between.split())
    if prev.source_start is not None and prev.source_end is not None:
        words -= len(text[prev.source_start:prev.source_end].split())
    return words - 1 <= _MAX_WORDS_AFTER_CUE


def _mark_quoted(found: Sequence[Found], spans: Sequence[tuple[int, int]]) -> None:
    """A tagged content that opens a quoted span is a direct quote, whatever marks it has: the
    tagger's quote state follows double marks only, not NYT's ''…'' or single ‘…’ (PolNeAR train,
    4 folds: joint F1 +0.0012)."""
    starts = [s for s, _ in spans]
    for item in found:
        k = bisect_right(starts, item.start) - 1
        if item.kind == "indirect" and k >= 0 and item.start - spans[k][0] <= 2 and item.end <= spans[k][1]:
            item.kind = "direct"


def _trim_marks(text: str, start: int, end: int) -> tuple[int, int]:
    """The words of a content without the quotation marks around it (NYT's '' counts as one) and
    trailing commas."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start > 2 and text[start] in QUOTE_CHARS - {"’"}:
        start += 2 if text.startswith("''", start) and end - start > 3 else 1
        while end > start and (text[end - 1] in QUOTE_CHARS or text[end - 1] in ",;: "):
            end -= 1
    return start, end


def statement_text(text: str, kind: str) -> str:
    """A quote's words as a statement to show: reported speech (also when it quotes some words)
    without the word that opened its clause ("that the coalition …", "qu'il …"), and no comma or
    stray closing mark left where the span ended inside a quotation ("… in southern Syria,\"")."""
    text = text.strip()
    if kind == "indirect" or quotes_words(text):
        opener = COMPLEMENTIZER.match(text)
        if opener and len(text) - opener.end() > 2:
            text = text[opener.end():]
    closing = _COMMA_BEFORE_CLOSE.search(text)
    if closing:
        text = text[:closing.start()] + closing.group(1)
    while text and _closes_nothing(text):
        text = text[:-1].rstrip()
    return text.rstrip(",;:").rstrip()


def cue_label(cue: str | None) -> str:
    """What a speaker did with reported words, as a label before them: the cue as written ("did not say",
    "denied", "according to"), since "reported" alone would present a denial or a refusal as a claim."""
    words = " ".join((cue or "").split())
    if not words:
        return "reported"
    return words[0].lower() + words[1:] if words[1:2].islower() else words  # "According to", not "AFP"


def _closes_nothing(text: str) -> bool:
    """Whether the text ends with a closing mark that no mark inside it opened."""
    last = text[-1]
    if last == '"':
        return text.count('"') % 2 == 1
    return last in _OPENER_OF and text.count(last) > text.count(_OPENER_OF[last])


_COMMA_BEFORE_CLOSE = re.compile(r"[,;:]\s*([\"”»]+)$")
_OPENER_OF = {"”": "“", "»": "«"}


def _merge_regions(regions: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Consecutive paragraphs of one language tagged as one sequence (quotes span paragraphs)."""
    merged: list[tuple[int, int, str]] = []
    for start, end, lang in sorted(regions):
        if merged and merged[-1][2] == lang:
            merged[-1] = (merged[-1][0], end, lang)
        else:
            merged.append((start, end, lang))
    return merged


def _quote_id(doc_id: str, start: int, end: int) -> str:
    return hashlib.sha1(f"{doc_id}:{start}:{end}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class _Segment:
    role: str
    first: int
    last: int


def _segments(labels: Sequence[str], tokens: Sequence[Token]) -> list[_Segment]:
    """Runs of one role; a paragraph break always ends a run (quotes over several paragraphs
    are joined later from their quotation marks), and so does a sentence start outside quotes
    (the decoder then keeps the sentence nearest the cue)."""
    segments: list[_Segment] = []
    for i, label in enumerate(labels):
        if label == "O":
            continue
        prefix, role = label.split("-", 1)
        if (prefix == "I" and segments and segments[-1].role == role and segments[-1].last == i - 1
                and not tokens[i].para_start and (tokens[i].sent_pos > 0 or tokens[i].in_quote)):
            segments[-1].last = i
        else:
            segments.append(_Segment(role, i, i))
    return segments


def _gap(a: _Segment, b: _Segment) -> int:
    return b.first - a.last - 1 if a.last < b.first else a.first - b.last - 1


def _tagged_attributions(text: str, start: int, end: int, syntax: bool,
                         common_word_starts: set[int], readers: list[tuple[int, int]]) -> list[Found]:
    """CRF tags over one English region, decoded into content/cue/source triples. Adds to
    `common_word_starts` where the parse reads a capitalised word as no proper noun, and to `readers`
    the subjects of cues that name nobody whose content went to a named cue (`_to_named_cues`)."""
    region = text[start:end]
    tokens = tokenize(region)
    if not tokens:
        return []
    lexicon = cue_words("en")
    tagger, use_syntax = _tagger(syntax)
    parse = parse_cue_sentences(region, tokens, lexicon) if use_syntax else None
    common_word_starts.update(start + t.start for t in parse or ()
                              if t.tag in _COMMON_WORD_TAGS and t.word[:1].isalpha())
    stacked = _stacked(tokens) if use_syntax else None
    labels: list[str] = _recover_sources(tagger, tagger.tag(token_features(tokens, lexicon, parse, stacked)))
    segments = _close_gaps(_segments(labels, tokens), tokens)
    cues = [s for s in segments if s.role == "CUE"]
    sources = [s for s in segments if s.role == "SRC"]
    by_cue: dict[int, list[_Segment]] = {}
    sentence_of: list[int] = []
    paragraph_of: list[int] = []
    sentence = paragraph = 0
    for tok in tokens:
        sentence += tok.sent_pos == 0
        paragraph += tok.para_start
        sentence_of.append(sentence)
        paragraph_of.append(paragraph)
    cue_index = _Index(cues)
    source_index = _Index(sources)
    segment_index = _Index(segments)
    for seg in (s for s in segments if s.role == "CON"):
        # A cue in a later paragraph never introduces this content: "…" [new paragraph] X said that…
        # (fold 0 of PolNeAR train: +0.002 overlap, +0.004 joint F1); one in an earlier paragraph only
        # introduces a quote, or what follows a colon ending its paragraph ("He said:"), not a paragraph's
        # reported speech ("REUTERS/Rodi Said" [new paragraph] The advance is …: a photo credit).
        near = [c for c in cue_index.between(seg.first - _CUE_SEARCH_TOKENS, seg.last + _CUE_SEARCH_TOKENS)
                if paragraph_of[c.first] == paragraph_of[seg.last] or (c.first < seg.first and (
                    tokens[seg.first].in_quote or _ends_with_colon(tokens, c, paragraph_of)))]
        distances = [(_cue_distance(seg, c, source_index, sentence_of), c.first, c) for c in near]
        if distances:
            distance, _, nearest = min(distances, key=lambda d: (d[0], d[1]))
            if distance <= _MAX_CUE_GAP:
                by_cue.setdefault(nearest.first, []).append(seg)
    for reader in _to_named_cues(text, start, tokens, cues, by_cue, source_index, segment_index, sentence_of):
        readers.append((start + tokens[reader.first].start, start + tokens[reader.last].end))
    # Every PolNeAR attribution has a cue: a content the tagger ties to no cue is dropped (keeping
    # them lowered F1 on PolNeAR dev); quoted ones come back through the quote rules.
    out: list[Found] = []
    for cue in cues:
        contents = by_cue.get(cue.first)
        if not contents:
            continue
        source = _source_of(cue, source_index, segment_index, sentence_of)
        statement = _one_statement(tokens, contents, cue, source_index, sentence_of)
        glued = None if source is not None else _source_glued_to_content(tokens, statement, cue, lexicon)
        if glued is not None:
            statement, source = glued
        item = _found(text, tokens, start, statement, cue, source)
        if source is None and parse:
            subject = _subject_of_cue(parse, tokens[cue.first].start, tokens[cue.last].end)
            if subject is not None and not (subject[0] < item.end - start and item.start - start < subject[1]):
                item.source_start, item.source_end = start + subject[0], start + subject[1]
        out.append(item)
    return out


# After one of these a name is where or whose, not who speaks ("the race in Central Asia was questioned").
_PREPOSITIONS = frozenset("in at from of to on for by near into with across".split())
# Words inside a body's name ("the Syrian Observatory for Human Rights").
_NAME_JOINERS = frozenset(("for", "of"))


def _source_glued_to_content(tokens: Sequence[Token], statement: Sequence[_Segment], cue: _Segment,
                             lexicon: frozenset[str]) -> tuple[list[_Segment], _Segment] | None:
    """A source the tagger read as the end of its content, in text that lost its commas ("… killed 15
    civilians the Syrian Observatory for Human Rights said", "… the war observatory director Rami Abdel Rahman
    said"): the capitalised name right before a speech verb, with its titles and article, as the source, when
    nothing stands between it and the verb, three words of the statement remain, and the name is no listed
    place and follows no preposition or form of "to be" ("in Central Asia", "Raqqa is Being …")."""
    last = max(statement, key=attrgetter("last"))
    if last.last + 1 != cue.first or tokens[last.last].in_quote or tokens[cue.first].text.lower() not in lexicon:
        return None
    cues = cue_patterns("en")
    begin = last.last
    if not tokens[begin].text[:1].isupper():
        return None
    while begin > last.first and (tokens[begin - 1].text[:1].isupper() or (
            tokens[begin - 1].text in _NAME_JOINERS and begin - 2 >= last.first
            and tokens[begin - 2].text[:1].isupper())):
        begin -= 1
    if begin - last.first < 3:
        return None  # too little left of the statement
    name = " ".join(t.text for t in tokens[begin:last.last + 1])
    if name.casefold() in place_names() or tokens[begin - 1].text.lower() in cues.passive_auxiliaries:
        return None  # "… in opposition-held eastern Aleppo told", "Raqqa is Being Slaughtered Silently said"
    while begin > last.first and (is_title_word(tokens[begin - 1].text.lower(), cues.titles)
                                  or tokens[begin - 1].text.endswith("-based")
                                  or tokens[begin - 1].text[:1].isupper()):
        begin -= 1  # "observatory director Rami Abdel Rahman", "White House spokesman Sean Spicer"
    if begin > last.first and tokens[begin - 1].text.lower() in cues.articles:
        begin -= 1
    if begin - last.first < 3 or tokens[begin - 1].text.lower() in _PREPOSITIONS:
        return None
    kept = [s for s in statement if s is not last] + [_Segment(last.role, last.first, begin - 1)]
    return kept, _Segment("SRC", begin, last.last)


_NAMED_CUE_GAP = 2


def _to_named_cues(text: str, offset: int, tokens: Sequence[Token], cues: Sequence[_Segment],
                   by_cue: dict[int, list[_Segment]], sources: _Index, segments: _Index,
                   sentence_of: Sequence[int]) -> list[_Segment]:
    """"Rain is expected across the valleys, the Met Office said": a content tied to a cue that names
    nobody (`_writers_reading`: "is expected", "appeared to") goes to the cue right after it in its
    sentence that has a source and no content of its own (between them only punctuation, that source
    and at most _NAMED_CUE_GAP other words). PolNeAR train, 4 folds: joint F1 .6506 -> .6508, dev
    unchanged; a looser version (any such cue of the sentence) scored +.0002 / +.0005 but gave contents
    to cues before them ("Mr. Mannix reported daily …; (he was said to have been handed …)"). Returns
    the sources of the cues that lost their content ("Clinton" of "Clinton seemed irritated: “…,” she
    wrote"): no speakers, but names for later references."""
    english = cue_patterns("en")
    subjects: list[_Segment] = []
    ending_in: dict[int, list[_Segment]] = {}  # per sentence, the cues whose contents end in it
    for cue in cues:
        if by_cue.get(cue.first):
            ending_in.setdefault(sentence_of[by_cue[cue.first][-1].last], []).append(cue)
    for cue in cues:
        source = _source_of(cue, sources, segments, sentence_of)
        if by_cue.get(cue.first) or source is None:
            continue
        for other in ending_in.get(sentence_of[cue.first], []):
            contents = by_cue.get(other.first)
            if not contents or cue.first <= contents[-1].last or sum(
                    1 for k in range(contents[-1].last + 1, cue.first)
                    if tokens[k].text[:1].isalnum() and not source.first <= k <= source.last) > _NAMED_CUE_GAP:
                continue
            words, before, after = _cue_context(text, offset + tokens[other.first].start,
                                                offset + tokens[other.last].end)
            if _writers_reading([w.lower() for w in words], before, after, english):
                by_cue[cue.first] = by_cue.pop(other.first)
                subject = _source_of(other, sources, segments, sentence_of)
                if subject is not None:
                    subjects.append(subject)
                break
    return subjects


def _ends_with_colon(tokens: Sequence[Token], cue: _Segment, paragraph_of: Sequence[int]) -> bool:
    """Whether a colon closes the cue's paragraph: "Dr. Ward stated:", "the following statement:"."""
    last = cue.last
    while last + 1 < len(tokens) and paragraph_of[last + 1] == paragraph_of[cue.last]:
        last += 1
    return tokens[last].text == ":"


def _stacked(tokens: Sequence[Token]) -> list[list[str]] | None:
    predicted = label_probabilities(tokens)
    return None if predicted is None else stacked_features(*predicted)


# Tags of a capitalised sentence opener that is no name: "Polls show", "Addressing the council Liu said",
# "Internationally, …". A lone NN is left out: the tagger reads unknown surnames so ("Siheybi said").
_COMMON_WORD_TAGS = frozenset("NNS VBG VBD VBN VBZ VBP RB RBR RBS IN JJ JJR JJS DT".split())
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
_RELATIVE = frozenset("who that which".split())
# A cue in these shares its governor's subject; "pcomp" then "prep": "before explaining why …"
# (PolNeAR train, 4 folds: joint F1 +0.0021 with pcomp/prep and four steps up).
_SUBJECT_SHARED = frozenset({"xcomp", "conj", "advcl", "pcomp", "prep"})
_SUBJECT_STEPS = 4


def _subject_of_cue(parse: Sequence[SyntaxToken], cue_start: int, cue_end: int) -> tuple[int, int] | None:
    """The grammatical subject of a cue the tagger gave no source: "Trump … opposes allowing …".

    A relative pronoun stands for the noun it hangs on ("officials who warned"); a cue in an
    xcomp/conj/advcl, or after a preposition, shares its governor's subject ("Trump plans to oppose
    …", "Sanders called him a hero before explaining why …"). Character span in the parsed region,
    or None."""
    first = bisect_left(parse, cue_start, key=attrgetter("start"))
    last = bisect_left(parse, cue_end, lo=first, key=attrgetter("start"))
    cue = [k for k in range(first, last) if parse[k].tag.startswith("VB")] or list(range(first, last))
    for k in cue[::-1]:
        node = k
        for _ in range(_SUBJECT_STEPS):
            subject = next((j for j in range(parse[node].left, parse[node].right + 1)
                            if parse[j].head == node and j != node and parse[j].dep in _SUBJECTS), None)
            if subject is not None:
                if parse[subject].word in _RELATIVE:
                    if parse[node].dep != "relcl":
                        return None
                    noun = parse[node].head
                    return parse[parse[noun].left].start, parse[noun].end
                return parse[parse[subject].left].start, parse[parse[subject].right].end
            if parse[node].dep not in _SUBJECT_SHARED or parse[node].head == node:
                break
            node = parse[node].head
    return None


def _recover_sources(tagger: Any, labels: list[str]) -> list[str]:
    """Viterbi labels, plus as source the words near a cue that the best path left out but whose
    marginal probability of being a source is at least 0.15 (threshold and gain, +0.014 joint F1, from
    fold 0 of 4 on PolNeAR train; recovering content or cue words the same way gained < 0.003)."""
    cues = [i for i, label in enumerate(labels) if label.endswith("CUE")]
    out = list(labels)
    for i, label in enumerate(labels):
        if label != "O":
            continue
        k = bisect_left(cues, i)
        near = (k < len(cues) and cues[k] - i <= _MAX_SOURCE_GAP) or (k > 0 and i - cues[k - 1] <= _MAX_SOURCE_GAP)
        if near and tagger.marginal("B-SRC", i) + tagger.marginal("I-SRC", i) >= _RECOVER_SOURCE:
            out[i] = "I-SRC" if i and out[i - 1].endswith("SRC") else "B-SRC"
    return out


class _Index:
    """Segments sorted by first token, for range look-ups in O(log n) (long adversarial input)."""

    def __init__(self, segments: Sequence[_Segment]) -> None:
        self.segments = sorted(segments, key=lambda s: s.first)
        self.firsts = [s.first for s in self.segments]

    def between(self, low: int, high: int) -> list[_Segment]:
        """Segments whose first token lies in [low, high]."""
        return self.segments[bisect_left(self.firsts, low):bisect_right(self.firsts, high)]


def _source_of(cue: _Segment, sources: _Index, segments: _Index, sentence_of: Sequence[int]) -> _Segment | None:
    """The nearest source with no other content or cue between it and the cue, and not in a later
    sentence: "No document was cited. Minister Tomas Reyval's own words …" cites no minister."""
    best: _Segment | None = None
    for src in sources.between(cue.first - _MAX_SOURCE_GAP - 50, cue.last + _MAX_SOURCE_GAP + 1):
        if _gap(src, cue) > _MAX_SOURCE_GAP or sentence_of[src.first] > sentence_of[cue.last]:
            continue
        low, high = sorted((src.first, cue.first))
        if any(seg.role != "SRC" for seg in segments.between(low + 1, high - 1)):
            continue
        if best is None or (_gap(src, cue), src.first) < (_gap(best, cue), best.first):
            best = src
    return best


def _close_gaps(segments: list[_Segment], tokens: Sequence[Token]) -> list[_Segment]:
    """Content segments a word or two apart in one sentence are one content: the tagger
    dropped a word."""
    merged: list[_Segment] = []
    for seg in segments:
        if (merged and seg.role == "CON" and merged[-1].role == "CON"
                and seg.first - merged[-1].last - 1 <= _MAX_CONTENT_HOLE
                and all(tokens[i].sent_pos > 0 and tokens[i].text not in QUOTE_CHARS
                        for i in range(merged[-1].last + 1, seg.first + 1))):
            merged[-1].last = seg.last
        else:
            merged.append(seg)
    return merged


def _one_statement(tokens: Sequence[Token], contents: Sequence[_Segment], cue: _Segment,
                   sources: _Index, sentence_of: Sequence[int]) -> list[_Segment]:
    """The contents of one cue that form one statement (split quotes).

    The nearest content always belongs to the cue; another joins it only inside one paragraph,
    and when it is in the same sentence or both are quoted ("…," he said. "…")."""
    ordered = sorted(contents, key=lambda c: (_cue_distance(c, cue, sources, sentence_of), c.first))
    kept = [ordered[0]]
    for seg in ordered[1:]:
        low = min(seg.last, kept[0].last)
        high = max(seg.first, kept[0].first)
        sentence_break = sentence_of[high] != sentence_of[low]
        paragraph_break = any(tokens[i].para_start for i in range(low + 1, high + 1))
        quoted = tokens[seg.first].in_quote and tokens[kept[0].first].in_quote
        if not paragraph_break and (quoted or not sentence_break):
            kept.append(seg)
    return kept


def _cue_distance(content: _Segment, cue: _Segment, sources: _Index, sentence_of: Sequence[int]) -> int:
    """Tokens between a content and a cue, not counting a source standing between them."""
    low, high = sorted((content, cue), key=lambda s: s.first)
    between = _gap(low, high)
    for src in sources.between(low.last + 1, high.first - 1):
        if src.last < high.first:
            between -= src.last - src.first + 1
    between += _SENTENCE_PENALTY * (sentence_of[high.first] - sentence_of[low.last])
    return between


def _found(text: str, tokens: Sequence[Token], offset: int, contents: Sequence[_Segment],
           cue: _Segment | None, source: _Segment | None) -> Found:
    first = min(s.first for s in contents)
    last = max(s.last for s in contents)
    content_start = offset + tokens[first].start
    content_end = offset + tokens[last].end
    kind = "direct" if any(tokens[i].in_quote for i in range(first, last + 1)) else "indirect"
    source_start = offset + tokens[source.first].start if source else None
    source_end = offset + tokens[source.last].end if source else None
    if source is not None and source.last + 2 < len(tokens) and tokens[source.last + 1].text == ".":
        # The tokenizer ends a source at "Col." in "Col. Gen. Sergei Rudskoy": read the name on.
        limit = offset + tokens[cue.first].start if cue and cue.first > source.last else offset + tokens[
            min(source.last + 8, len(tokens) - 1)].end
        longer = subject_after(text, offset + tokens[source.first].start, limit, cue_patterns("en"))
        if longer is not None and longer[1] > (source_end or 0):
            source_end = longer[1]
    return Found(
        content_start, content_end, kind,
        offset + tokens[cue.first].start if cue else None,
        offset + tokens[cue.last].end if cue else None,
        source_start, source_end,
        rule="crf",
    )


def _complete_from_rules(text: str, found: list[Found], regions: Sequence[tuple[int, int, str]]) -> None:
    """`According to him, the terrorists…`: the tagger often swallows the source into the content."""
    lang_of = language_at(regions)
    for item in found:
        if item.source_start is None and item.cue_start is not None and item.cue_end is not None \
                and item.cue_end <= item.start:
            cue = text[item.cue_start:item.cue_end].lower()
            if cue.startswith(("according", "selon", "laut", "según", "по словам")):
                _source_from_content(text, item, lang_of(item.start))


def _join_paragraphs(text: str, spans: Sequence[tuple[int, int]], found: list[Found]) -> list[Found]:
    """A quote running over several paragraphs is one content, whatever the tagger split."""
    found = sorted(found, key=lambda f: (f.start, f.end))
    starts = [f.start for f in found]
    dropped: set[int] = set()
    for q_start, q_end in spans:
        if "\n" not in text[q_start:q_end]:
            continue
        inside = found[bisect_left(starts, q_start):bisect_left(starts, q_end)]
        if not inside:
            continue
        keep = next((f for f in inside if f.cue_start is not None), inside[0])
        keep.start, keep.end = min(keep.start, q_start), max(keep.end, q_end)
        dropped.update(id(f) for f in inside if f is not keep)
    return [f for f in found if id(f) not in dropped]


def _source_from_content(text: str, item: Found, lang: str) -> None:
    """`According to him, the terrorists…`: the words before the comma are the source."""
    comma = text.find(",", item.start, min(item.end, item.start + 60))
    if comma < 0:
        return
    subject = subject_after(text, item.start, comma, cue_patterns(lang))
    if subject is not None and text[subject[1]:comma].strip() == "":
        item.source_start, item.source_end = subject
        item.start = comma + 1
        while item.start < item.end and text[item.start].isspace():
            item.start += 1


class _Covered:
    """Spans already taken, answering "does [start, end) overlap one?" in O(log n)."""

    def __init__(self, found: Sequence[Found]) -> None:
        pairs = sorted((f.start, f.end) for f in found if f.end > f.start)
        self.starts = [a for a, _ in pairs]
        self.max_end = list(accumulate((b for _, b in pairs), max))

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self.starts, end)
        return k > 0 and self.max_end[k - 1] > start


def _direct_quotes(text: str, spans: Sequence[tuple[int, int]], regions: Sequence[tuple[int, int, str]],
                   found: Sequence[Found]) -> list[Found]:
    """Quoted spans the tagger did not cover, attributed by the cue rules of their language."""
    lang_of = language_at(regions)
    out: list[Found] = []
    covered = _Covered(found)
    for span in spans:
        if covered.overlaps(span[0], span[1]):
            continue
        item = attribute_direct(text, span, lang_of(span[0]))
        if item.cue_start is None and len(text[item.start:item.end].split()) < _MIN_QUOTE_WORDS:
            continue  # scare quotes and titles, not statements
        out.append(item)
    return _merge_split(text, out)


def _labelled_lines(text: str, regions: Sequence[tuple[int, int, str]], found: Sequence[Found]) -> list[Found]:
    """"Paul Ryan: FBI Decision Defies Explanation", "TAPPER: Why not debate?": the label speaks the
    line. It becomes the source of what was found on the line without one, or a new attribution.
    A signature ("“…” ― Pamela Padilla", "… — Paul Ryan (@SpeakerRyan)") is the source of the
    statement it signs, overriding the tagger, which reads a vox pop's line as said by the name that
    signed the line before: of what was found covering most of it (a quote that opened paragraphs before
    its signed line included), or of the signed text as a new attribution. A signed quote's line is all
    the signer's; what was found inside a post keeps its own source (the slogan a post quotes)."""
    out: list[Found] = []
    covered = _Covered(found)
    for start, end, lang in regions:
        for item in labelled_lines(text, start, end, lang):
            on_line = [f for f in found if item.start <= f.start < item.end]
            for other in on_line:
                if other.source_start is None:
                    other.source_start, other.source_end = item.source_start, item.source_end
                    if other.cue_start is None:  # a cue of its own ("TAPPER: He said …") stays
                        other.cue_start, other.cue_end = item.cue_start, item.cue_end
            if not on_line and not covered.overlaps(item.start, item.end):
                out.append(item)
        for item in signed_lines(text, start, end, lang):
            inside = [f for f in found if f.start < item.end and item.start < f.end]
            whole = [f for f in inside
                     if 2 * (min(f.end, item.end) - max(f.start, item.start)) >= item.end - item.start]
            for other in whole if item.rule == "post" else inside:
                other.source_start, other.source_end = item.source_start, item.source_end
                other.cue_start, other.cue_end = item.cue_start, item.cue_end
            if not whole:
                out.append(item)
    return out


def _outside_turns(spans: Sequence[tuple[int, int]], turns: Sequence[Found]) -> list[tuple[int, int]]:
    """Quoted spans that hold no transcript line: a transcript quoted whole, every paragraph opening with a
    mark, reads as one quote over many paragraphs; its turns are the statements."""
    labels = sorted(t.source_start for t in turns if t.source_start is not None)
    return [s for s in spans if bisect_left(labels, s[0]) == bisect_left(labels, s[1])]


def _with_turns(text: str, found: Sequence[Found], turns: Sequence[Found],
                lang_of: Callable[[int], str]) -> list[Found]:
    """A transcript's turns in place of what was found inside them: the turn is its speaker's statement
    (PolNeAR annotates the turn, not "I think" or "do you think" inside it). What a named source says
    inside a turn stays ("TAPPER: Donald Trump said …")."""
    if not turns:
        return list(found)
    firsts = [t.start if t.source_start is None else t.source_start for t in turns]
    kept: list[Found] = []
    for item in found:
        k = bisect_right(firsts, item.start) - 1
        turn = turns[k] if k >= 0 else None
        inside = turn is not None and item.start < turn.end
        told = (item.source_start is not None and turn is not None and item.source_start >= turn.start
                and _names_someone(text[item.source_start:item.source_end], cue_patterns(lang_of(item.source_start))))
        if not inside or told:
            kept.append(item)
    return kept + list(turns)


def _names_someone(source: str, cues: CuePatterns) -> bool:
    """Whether a source phrase holds a capitalised word that is no pronoun ("Donald Trump", not "I", "He")."""
    pronouns = cues.pronouns | cues.org_pronouns | cues.self_pronouns
    return any(w[:1].isupper() and w.lower() not in pronouns for w in source.split())


def _merge_split(text: str, items: list[Found]) -> list[Found]:
    """`"…," he said, "…"`: a quote whose cue sits between it and the next quote becomes one quote."""
    merged: list[Found] = []
    for item in items:
        if merged:
            prev = merged[-1]
            between = text[prev.end:item.start]
            if (prev.cue_end is not None and prev.cue_start is not None and prev.cue_start > prev.end
                    and item.cue_start in (None, prev.cue_start) and "\n" not in between and len(between) < 120
                    and between.rstrip(" \"'”’»“").endswith((",", ":"))):
                prev.end = item.end
                continue
        merged.append(item)
    return merged


def _reported_speech(text: str, regions: Sequence[tuple[int, int, str]], found: Sequence[Found],
                     all_english: bool) -> list[Found]:
    """Reported speech from the cue table: its languages other than English, and English sentences the
    tagger left without any attribution. Behind the stacked tagger only the plainest cues (cues.yaml
    `plain_cues`: "said", "according to") are kept, unless `all_english`: the rules' other English finds
    cost more than they add there (PolNeAR train, 4 folds: overlap +0.0021, joint +0.0051 without them;
    all English finds off: +0.0019 / +0.0050), while behind the word-feature tagger they help (dev
    overlap +0.006). Text without punctuation (FA-KES: "… killed 1102 people said the Observatory adding
    that …") leans on them."""
    out: list[Found] = []
    covered = _Covered(found)
    plain = cue_patterns("en").plain_cues
    for start, end, lang in regions:
        if lang not in cue_table():  # a language without cues (cues.yaml) has no reported speech to read
            continue
        previous: tuple[int, int] | None = None  # a sentence no attribution holds ("Об этом сообщает ТАСС")
        for sentence in split_sentences(text[start:end], start):
            if covered.overlaps(sentence.start, sentence.end):
                previous = None
                continue
            items = reported_speech(text, sentence.start, sentence.end, lang, previous)
            previous = None if items else (sentence.start, sentence.end)
            for item in items:
                cue = text[item.cue_start:item.cue_end].lower() if item.cue_start is not None else ""
                if lang != "en" or all_english or cue in plain:
                    out.append(item)
    return out
