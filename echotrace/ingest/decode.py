"""Bytes to text: BOM, declared charset, UTF-8, then detection; and mojibake repair.

Crawled news is often mis-declared (Latin-1 headers on UTF-8 pages) or double-encoded
("Ã©", "â€™"), so the order of trust below is deliberate and every fix is guarded: a repair is
kept only when it removes mojibake markers, so correct text is never changed.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer
import ftfy

from echotrace.errors import E002_BINARY, E008_UNDECODABLE

__all__ = [
    "DecodeError",
    "binary_kind",
    "declared_html_charset",
    "decode_bytes",
    "decode_text",
    "detect_encoding",
    "looks_binary",
    "looks_like_html",
    "repair_mojibake",
    "utf16_without_bom",
]

SAMPLE_BYTES = 64 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG: pages declaring Latin-1 or ASCII are decoded as windows-1252.
_ENCODING_ALIASES = {
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "x-user-defined": "cp1252",
}
_SINGLE_BYTE_FAMILY = ("cp125", "iso8859", "latin", "koi8", "mac", "cp8", "cp4", "tis")

_META_CHARSET = re.compile(rb"""<meta[^>]{0,400}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]{1,40})""", re.I)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_HTML_START = re.compile(r"\s{0,200}(?:<!--|<!doctype\s+html|<html|<head|<body|<meta|<title|<p[\s>]|<div)", re.I)
_HTML_TAG = re.compile(r"<(?:p|div|br|html|body|span|a\s|article|h[1-6]|table|li)\b", re.I)

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"),
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"7z\xbc\xaf", "7z archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ", "xz archive"),
    (b"\x7fELF", "ELF executable"),
    (b"RIFF", "RIFF media"),
)


class DecodeError(ValueError):
    """Bytes that are not text: `code` is E002 (binary) or E008 (encoding not determinable)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Map bytes cp1252 leaves undefined (0x81, 0x8D …) to their Latin-1 code points, as browsers do."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("latin-1"), error.end


codecs.register_error("echotrace-latin1", _latin1_fallback)


def _normalise_encoding(name: str) -> str | None:
    """A Python codec name for a declared charset, or None when Python has no such codec."""
    cleaned = name.strip().strip("\"'").lower()
    cleaned = _ENCODING_ALIASES.get(cleaned, cleaned)
    try:
        canonical = codecs.lookup(cleaned).name
    except LookupError:
        return None
    return _ENCODING_ALIASES.get(canonical, canonical)


def declared_html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a `<meta>` tag within its first 4 KB, if any."""
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def looks_like_html(text: str) -> bool:
    """True for markup: starts like a page, or carries common block tags early on."""
    head = text[:2048]
    if _HTML_START.match(head):
        return True
    stripped = head.lstrip()
    return stripped.startswith("<") and _HTML_TAG.search(head) is not None


def binary_kind(data: bytes) -> str | None:
    """A name for well-known binary formats recognised by their first bytes."""
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            return kind
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text without BOM has NUL in nearly every other byte (ASCII-range characters)."""
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def looks_binary(sample: bytes) -> bool:
    """More than a stray NUL, or many control bytes: not text in any encoding we would accept."""
    if not sample:
        return False
    if sample.count(0) > len(sample) // 1000:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls / len(sample) > 0.02


def _is_western_single_byte(data: bytes) -> bool:
    """Latin-script text in a legacy code page: accented letters come alone between ASCII letters.

    Cyrillic, Greek or Arabic code pages (and CJK multi-byte ones) have whole words of high bytes;
    Western text rarely has runs longer than two. charset-normalizer misreads short French or
    German Latin-1 text as cp1250 or Big5, so this check comes first.
    """
    sample = data[:SAMPLE_BYTES]
    high_runs = re.findall(rb"[\x80-\xff]+", sample)
    if not high_runs:
        return True
    short = sum(1 for run in high_runs if len(run) <= 2)
    return short / len(high_runs) >= 0.9


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few corrupt bytes (a damaged download) rather than a legacy encoding.

    In Latin-1 or cp1251 text nearly every non-ASCII byte is invalid UTF-8; here at most 2 %
    of the non-ASCII characters may be, so a stray byte does not cost the whole file.
    """
    text = data.decode("utf-8", errors="replace")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    replaced = text.count("\ufffd")
    return text if non_ascii and replaced <= 0.02 * non_ascii else None


def _decode_cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="echotrace-latin1")


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\ue000-\uf8ff]")


def _unprintable_ratio(text: str) -> float:
    """Share of control and private-use characters in the first part of a decoded text."""
    sample = text[:SAMPLE_BYTES]
    if not sample:
        return 0.0
    return len(_UNPRINTABLE.findall(sample)) / len(sample)


def _decode_raw(data: bytes, declared: str | None) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(encoding, errors="replace")
            return text, encoding
    utf16 = utf16_without_bom(data[:SAMPLE_BYTES])
    if utf16 is not None:
        text_or_none = _strict(data, utf16)
        if text_or_none is not None:
            return text_or_none, utf16
    kind = binary_kind(data[:16])
    if kind is not None or looks_binary(data[:SAMPLE_BYTES]):
        raise DecodeError(E002_BINARY, kind or "NUL or control bytes")
    utf8 = _strict(data, "utf-8")
    declared_codec = _normalise_encoding(declared) if declared else None
    if declared_codec is not None:
        single_byte = declared_codec.startswith(_SINGLE_BYTE_FAMILY)
        if utf8 is not None and single_byte and not data.isascii():
            return utf8, "utf-8"  # mis-declared UTF-8 page, the most common case on the web
        if declared_codec == "cp1252":
            return _decode_cp1252(data), "cp1252"
        declared_text = _strict(data, declared_codec)
        if declared_text is not None:
            return declared_text, declared_codec
    if utf8 is not None:
        return utf8, "utf-8"
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return mostly_utf8, "utf-8"
    if _is_western_single_byte(data):
        return _decode_cp1252(data), "cp1252"
    best = charset_normalizer.from_bytes(data[: 4 * SAMPLE_BYTES]).best()
    if best is None or best.encoding is None:
        raise DecodeError(E008_UNDECODABLE, "not UTF-8 and no detector recognised the encoding")
    detected = best.encoding
    text = data.decode(detected, errors="replace")
    if _unprintable_ratio(text) > 0.05 or text.count("\ufffd") > max(8, len(text) // 100):
        raise DecodeError(E008_UNDECODABLE, f"not UTF-8; best guess {detected} gives unreadable text")
    return text, detected


def detect_encoding(sample: bytes) -> str:
    """The encoding of a stream judged from its first bytes (the sample may end mid-character).

    Same order as `decode_text` minus the declared charset; raises DecodeError.
    """
    for bom, encoding in _BOMS:
        if sample.startswith(bom):
            return "utf-8-sig" if encoding == "utf-8" else encoding.removesuffix("-le").removesuffix("-be")
    utf16 = utf16_without_bom(sample)
    if utf16 is not None:
        return utf16
    kind = binary_kind(sample[:16])
    if kind is not None or looks_binary(sample):
        raise DecodeError(E002_BINARY, kind or "NUL or control bytes")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if _mostly_utf8(sample) is not None:
        return "utf-8"
    if _is_western_single_byte(sample):
        return "cp1252"
    best = charset_normalizer.from_bytes(sample).best()
    if best is None or best.encoding is None:
        raise DecodeError(E008_UNDECODABLE, "not UTF-8 and no detector recognised the encoding")
    return best.encoding


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode untrusted bytes without mojibake repair: (text, encoding name).

    Order of trust: BOM, then the declared charset (HTML meta, HTTP header; ignored when a
    single-byte charset is declared for valid multi-byte UTF-8), then strict UTF-8, then a
    Latin-script check, then charset-normalizer. Raises DecodeError (E002 binary, E008 unknown).
    """
    text, encoding = _decode_raw(data, declared)
    if _unprintable_ratio(text) > 0.1:
        raise DecodeError(E002_BINARY, f"decoded as {encoding} but mostly control characters")
    return text, encoding


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str, bool]:
    """Decode untrusted bytes: (text, encoding name, whether mojibake was repaired).

    See `decode_text` for the order of trust; raises DecodeError (E002 binary, E008 unknown).
    """
    text, encoding = decode_text(data, declared)
    repaired_text, repaired = repair_mojibake(text)
    return repaired_text, encoding, repaired


def _cp1252_char(value: int) -> str:
    return _decode_cp1252(bytes([value]))


def _char_class(values: range) -> str:
    return "[" + re.escape("".join(_cp1252_char(value) for value in values)) + "]"


_CONTINUATION = _char_class(range(0x80, 0xC0))
# Continuations that are also everyday typography: "Ö’" or "É”" in correct upper-case text.
_TYPOGRAPHIC = "‘’“”–—…•"
# A UTF-8 lead byte then one continuation byte, as seen after a cp1252/Latin-1 misdecode
# (or with "¼" already broken into "1⁄4" by NFKC).
_MOJIBAKE = re.compile("[\u00c2-\u00ef](?:" + _CONTINUATION + "|[13]\u2044[24])")
_EVIDENT_MOJIBAKE = re.compile(
    _char_class(range(0xC2, 0xE0)) + "[" + re.escape("".join(
        _cp1252_char(value) for value in range(0x80, 0xC0) if _cp1252_char(value) not in _TYPOGRAPHIC
    )) + "]|â€"
)
# Whole UTF-8 sequences (2, 3 or 4 bytes) in misdecoded form, for lines ftfy leaves alone
# because they mix correct and double-encoded characters.
_MOJIBAKE_SEQUENCE = re.compile(
    f"{_char_class(range(0xC2, 0xE0))}{_CONTINUATION}"
    f"|{_char_class(range(0xE0, 0xF0))}{_CONTINUATION}{{2}}"
    f"|{_char_class(range(0xF0, 0xF5))}{_CONTINUATION}{{3}}"
)
_CP1252_BYTE = {_cp1252_char(value): value for value in range(0x80, 0x100)}
# Unicode NFKC turns "¼" into "1⁄4", which breaks the "Ã¼" (ü) pair; seen in real scraped text.
_NFKC_FRACTIONS = (("Ã1⁄4", "Ã¼"), ("Ã1⁄2", "Ã½"), ("Ã3⁄4", "Ã¾"))


def _count_markers(text: str) -> int:
    return len(_MOJIBAKE.findall(text))


def _plausible(char: str) -> bool:
    """Characters double-encoding really produces: Latin, Greek, Cyrillic, Hebrew/Arabic letters."""
    code = ord(char)
    if 0xA0 <= code <= 0x24F or 0x370 <= code <= 0x4FF:
        return True
    return 0x590 <= code <= 0x6FF and char.isalpha()


def _undo_sequence(match: re.Match[str], *, evident: bool) -> str:
    """One misdecoded UTF-8 sequence back to its character, when that is safe.

    A two-character sequence ending in typographic punctuation is only undone on a line that
    has unambiguous mojibake elsewhere, so "SPÖ’s" in correct text stays as it is.
    """
    chunk = match.group(0)
    try:
        char = bytes(_CP1252_BYTE[part] for part in chunk).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return chunk
    if len(chunk) == 2 and (not _plausible(char) or (chunk[1] in _TYPOGRAPHIC and not evident)):
        return chunk
    return char


def _repair_line(line: str) -> str:
    for broken, pair in _NFKC_FRACTIONS:
        if broken in line:
            line = line.replace(broken, pair)
    fixed: str = ftfy.fix_encoding(line)
    if _MOJIBAKE.search(fixed) is not None:
        evident = _EVIDENT_MOJIBAKE.search(fixed) is not None
        fixed = _MOJIBAKE_SEQUENCE.sub(lambda match: _undo_sequence(match, evident=evident), fixed)
    return fixed


def repair_mojibake(text: str) -> tuple[str, bool]:
    """Undo UTF-8 text that was decoded as Latin-1/cp1252 ("Ã©" -> "é", "â€™" -> "’").

    Works line by line (pages mix a double-encoded title with a correct body) and keeps a
    line's repair only when it lowers the count of mojibake markers, so ftfy never gets to
    "improve" text that was correct.
    """
    if text.isascii() or _MOJIBAKE.search(text) is None:
        return text, False
    lines = text.splitlines(keepends=True)
    changed = False
    for index, line in enumerate(lines):
        before = _count_markers(line)
        if before == 0:
            continue
        fixed = _repair_line(line)
        if fixed != line and _count_markers(fixed) < before:
            lines[index] = fixed
            changed = True
    return ("".join(lines), True) if changed else (text, False)
