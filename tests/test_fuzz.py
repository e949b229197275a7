"""Property tests on hostile input: every reader and every per-document stage never raises and
keeps its spans inside the text.

Random bytes per reader are covered in test_ingest.py; here the inputs are *valid* files of each
format, then mutated (truncated, bytes flipped, re-encoded), plus the classic attacks: 10 MB
single lines, deeply nested HTML, gzip bombs, WARC records whose Content-Length lies. Hypothesis
runs derandomized so CI sees the same examples every time.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from echotrace.annotate.dates import find_dates
from echotrace.annotate.language import detect_language, split_paragraphs
from echotrace.annotate.quotes import find_quotes
from echotrace.annotate.sentences import split_sentences
from echotrace.annotate.sources import find_credits
from echotrace.clean.html import clean_html
from echotrace.clean.text import clean_text
from echotrace.errors import E003_TOO_LARGE, E005_BAD_WARC, MESSAGES
from echotrace.ingest import read_file
from echotrace.records import Boilerplate, RawDoc, Skipped

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_FEW = settings(FUZZ, max_examples=25)

BODY = (
    "PARIS, June 9, 2017 (AFP) — The council met on Tuesday, officials said. “We will rebuild the bridge,” "
    "Mayor Anna Petit told reporters, according to Reuters. Translated by Jane Roe.\n\n"
    "Élan, Straße, Москва, 東京: the budget of €4.5m was approved 12–3. [Source: TASS, Moscow, 09Jun17]\n"
)
TITLE = "Council approves bridge budget"
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252", "cp1251", "shift_jis", "koi8-r", "utf-32")
SMALL_LIMITS = {"max_file_bytes": 2_000_000, "max_decompressed_bytes": 2_000_000}


def _warc(pages: list[str], *, gz: bool) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    for number, page in enumerate(pages):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>",
                 "WARC-Date": "2017-06-09T10:00:00Z"}  # same bytes every run: hypothesis replays them
        record = writer.create_warc_record(f"https://news.example/{number}", "response",
                                           payload=io.BytesIO(page.encode("utf-8")), http_headers=headers,
                                           warc_headers_dict=fixed)
        writer.write_record(record)
    return out.getvalue()


def _csv(text: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "text", "date"])
    writer.writerow([TITLE, text, "2017-06-09"])
    writer.writerow(["Second", text.upper(), "09/06/2017"])
    return out.getvalue()


def _html(text: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{TITLE}</title></head>'
            f"<body><nav>Home | World</nav><article><h1>{TITLE}</h1>{paragraphs}</article></body></html>")


def valid_file(fmt: str, encoding: str = "utf-8") -> tuple[str, bytes]:
    """(file name, bytes) of a small valid input in `fmt`, text encoded with `encoding`."""
    if fmt == "txt":
        return "page.txt", f"{TITLE}\n\n{BODY}".encode(encoding, "replace")
    if fmt == "html":
        return "page.html", _html(BODY).replace('charset="utf-8"', f'charset="{encoding}"').encode(encoding, "replace")
    if fmt == "json":
        return "page.json", json.dumps({"title": TITLE, "text": BODY}, ensure_ascii=False).encode(encoding, "replace")
    if fmt == "jsonl":
        lines = [json.dumps({"title": f"{TITLE} {n}", "text": BODY}, ensure_ascii=False) for n in range(3)]
        return "pages.jsonl", "\n".join(lines).encode(encoding, "replace")
    if fmt == "csv":
        return "pages.csv", _csv(BODY).encode(encoding, "replace")
    if fmt == "warc":
        return "pages.warc", _warc([_html(BODY), _html(BODY.lower())], gz=False)
    if fmt == "warc.gz":
        return "pages.warc.gz", _warc([_html(BODY), _html(BODY.lower())], gz=True)
    if fmt == "gz":
        return "page.txt.gz", gzip.compress(f"{TITLE}\n\n{BODY}".encode(encoding, "replace"), mtime=0)
    raise ValueError(fmt)


FORMATS = ("txt", "html", "json", "jsonl", "csv", "warc", "warc.gz", "gz")


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="echotrace-fuzz-") as folder:
        yield Path(folder)


def read_all_items(folder: Path, name: str, data: bytes, **limits: int) -> list[RawDoc | Skipped]:
    """Writes `data` as `name` and reads it back, checking the reader's contract on every item."""
    path = folder / name
    path.write_bytes(data)
    items = list(read_file(str(path), **limits))  # type: ignore[arg-type]
    for item in items:
        assert item.source.startswith(str(path))
        if isinstance(item, RawDoc):
            assert (item.text is None) != (item.html is None)
        else:
            assert isinstance(item, Skipped)
            assert item.code in MESSAGES and item.reason.startswith(item.code), item.reason
            assert str(path) in item.reason
    return items


# -- readers on mutated valid files ---------------------------------------------------------------


@FUZZ
@given(fmt=st.sampled_from(FORMATS), encoding=st.sampled_from(ENCODINGS), data=st.data())
def test_readers_survive_truncation(scratch: Path, fmt: str, encoding: str, data: st.DataObject) -> None:
    name, content = valid_file(fmt, encoding)
    cut = data.draw(st.integers(0, len(content)), label="cut")
    read_all_items(scratch, name, content[:cut])


@FUZZ
@given(fmt=st.sampled_from(FORMATS), encoding=st.sampled_from(ENCODINGS), data=st.data())
def test_readers_survive_flipped_bytes(scratch: Path, fmt: str, encoding: str, data: st.DataObject) -> None:
    name, content = valid_file(fmt, encoding)
    mutated = bytearray(content)
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(content) - 1), st.integers(0, 255)),
                               min_size=1, max_size=12), label="flips")
    for position, value in flips:
        mutated[position] = value
    read_all_items(scratch, name, bytes(mutated))


@FUZZ
@given(fmt=st.sampled_from(FORMATS), data=st.data())
def test_readers_survive_inserted_and_deleted_spans(scratch: Path, fmt: str, data: st.DataObject) -> None:
    name, content = valid_file(fmt)
    start = data.draw(st.integers(0, len(content)), label="start")
    end = data.draw(st.integers(start, min(len(content), start + 200)), label="end")
    insert = data.draw(st.binary(max_size=64) | st.sampled_from(
        [b"\x00" * 8, b"\r", b"\n\n", b'"', b"\xef\xbb\xbf", b"\x1f\x8b", b"WARC/1.0\r\n", b"{", b"]"]),
        label="insert")
    read_all_items(scratch, name, content[:start] + insert + content[end:])


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("fmt", ["txt", "html", "json", "jsonl", "csv", "gz"])
def test_every_encoding_of_a_valid_file_is_read(scratch: Path, fmt: str, encoding: str) -> None:
    name, content = valid_file(fmt, encoding)
    items = read_all_items(scratch, f"{encoding}-{name}", content)
    assert items, "a valid file yields at least one record"
    docs = [item for item in items if isinstance(item, RawDoc)]
    if encoding.startswith(("utf", "latin", "cp1252")):
        assert docs, items  # Latin-script and Unicode encodings must decode
        text = docs[0].text or docs[0].html or ""
        assert "council" in text.lower()


# -- the classic attacks ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["txt", "html", "jsonl", "csv"])
def test_ten_megabyte_single_line(scratch: Path, fmt: str) -> None:
    line = ("word " * 2_000_000)[:10_000_000]
    content = {
        "txt": line.encode(),
        "html": f"<html><body><p>{line}</p></body></html>".encode(),
        "jsonl": (json.dumps({"text": line}) + "\n" + json.dumps({"text": "after " * 20}) + "\n").encode(),
        "csv": f"title,text\nbig,{line}\nsmall,{'after ' * 20}\n".encode(),
    }[fmt]
    started = time.perf_counter()
    items = read_all_items(scratch, f"long.{fmt}", content)
    assert time.perf_counter() - started < 60
    assert sum(1 for item in items if isinstance(item, RawDoc)) == (2 if fmt in ("jsonl", "csv") else 1)
    capped = read_all_items(scratch, f"long.{fmt}", content, max_file_bytes=1_000_000)
    assert [item.code for item in capped if isinstance(item, Skipped)] == [E003_TOO_LARGE]


@pytest.mark.parametrize("fmt", ["txt.gz", "html.gz", "json.gz", "jsonl.gz", "csv.gz", "warc.gz"])
def test_gzip_bomb_in_every_format_stops_at_the_cap(scratch: Path, fmt: str) -> None:
    payload = b"A" * 50_000_000
    if fmt == "csv.gz":
        payload = b"title,text\nx," + payload
    elif fmt in ("json.gz", "jsonl.gz"):
        payload = b'{"text": "' + payload + b'"}'
    elif fmt == "warc.gz":
        content = _warc(["<p>" + "A" * 30_000_000 + "</p>"], gz=True)
        payload = b""
    if payload:
        content = gzip.compress(payload, compresslevel=9, mtime=0)
    assert len(content) < 200_000
    started = time.perf_counter()
    items = read_all_items(scratch, f"bomb.{fmt}", content, **SMALL_LIMITS)
    assert time.perf_counter() - started < 30
    assert [item.code for item in items if isinstance(item, Skipped)] == [E003_TOO_LARGE], items
    assert len(items) == 1


def _lying_warc(delta: int) -> bytes:
    """Three records; the second's Content-Length is off by `delta` bytes."""
    records = [_warc([_html(f"{BODY} page {n}")], gz=False) for n in range(3)]
    head, sep, rest = records[1].partition(b"Content-Length: ")
    length, newline, tail = rest.partition(b"\r\n")
    records[1] = head + sep + str(max(0, int(length) + delta)).encode() + newline + tail
    return b"".join(records)


# A length 1-3 bytes too long only eats into the blank lines between records, which warcio
# tolerates: the payload is intact and nothing is lost, so nothing needs skipping.
_HARMLESS = range(1, 4)


@pytest.mark.parametrize("delta", [-500, -40, -1, 4, 40, 500, 10**9])
def test_warc_record_with_lying_content_length(scratch: Path, delta: int) -> None:
    items = read_all_items(scratch, f"lying{delta}.warc", _lying_warc(delta))
    docs = [item for item in items if isinstance(item, RawDoc)]
    skipped = [item for item in items if isinstance(item, Skipped)]
    assert docs and docs[0].source.endswith("#record=1"), items  # the honest record before it is kept
    assert skipped and skipped[-1].code == E005_BAD_WARC, items


@FUZZ_FEW
@given(delta=st.integers(-2000, 2000).filter(bool))
def test_warc_any_wrong_length_is_a_skipped_row(scratch: Path, delta: int) -> None:
    items = read_all_items(scratch, "lying.warc", _lying_warc(delta))
    if delta in _HARMLESS:
        assert [item.source[-9:] for item in items if isinstance(item, RawDoc)] == [
            "#record=1", "#record=2", "#record=3"]
    else:
        assert any(isinstance(item, Skipped) for item in items)


def test_json_escaped_lone_surrogate_is_stored_as_replacement(scratch: Path) -> None:
    line = json.dumps({"title": "A \udfff title", "text": f"{BODY} \ud800 end"})  # ensure_ascii keeps the escape
    items = read_all_items(scratch, "surrogate.jsonl", line.encode())
    doc = items[0]
    assert isinstance(doc, RawDoc) and doc.text is not None and doc.title is not None
    assert "\ufffd" in doc.text and "\ufffd" in doc.title
    doc.text.encode("utf-8")  # storable


def test_ids_and_fingerprints_accept_lone_surrogates() -> None:
    from echotrace.clean.normalise import make_doc_id
    from echotrace.clean.text import line_fingerprint

    assert make_doc_id("text \ud800") != make_doc_id("text")  # hashing never raises
    assert line_fingerprint("line \udfff") != line_fingerprint("line")


def test_file_name_that_is_not_utf8_gets_a_storable_source(scratch: Path) -> None:
    raw_name = bytes(scratch) + b"/caf\xe9-report.txt"
    with open(raw_name, "wb") as handle:
        handle.write(f"{TITLE}\n\n{BODY}".encode())
    path = raw_name.decode("utf-8", "surrogateescape")
    (doc,) = list(read_file(path))
    assert doc.source == str(scratch) + "/caf\\xe9-report.txt"
    doc.source.encode("utf-8")


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_html_is_cleaned_quickly(depth: int) -> None:
    html = "<html><body>" + "<div><span>" * depth + "Deep text of a page. " * 30 + "</span></div>" * depth
    started = time.perf_counter()
    cleaned = clean_html(html)
    assert time.perf_counter() - started < 30
    assert isinstance(cleaned.text, str)
    unclosed = "<html><body>" + "<b><i>" * depth + "Never closed. " * 30
    assert isinstance(clean_html(unclosed).text, str)


# -- per-document stages on hostile text ----------------------------------------------------------

FRAGMENTS = (
    " ", "  ", "\n", "\n\n", "\r\n", "\t", "\u00a0", "\u200b", ".", "...", "…", ",", ":", ";", "!", "?", "-", "—",
    "–", '"', "'", "“", "”", "‘", "’", "«", "»", "„", "(", ")", "[", "]", "<p>", "</p>", "<script>", "&amp;",
    "said", "says", "told reporters", "according to", "Mr.", "Dr.", "U.S.", "He", "She", "The", "the", "Minister",
    "Vladimir Putin", "Anna Petit", "AFP", "Reuters", "TASS", "Sputnik", "via", "Source:", "[Source: TASS,",
    "translated by", "Published on", "Updated:", "12 June 2024", "09Jun17", "2017-06-09", "09.06.2017",
    "June 9, 2017", "16:48", "©", "a", "of", "Москва", "сказал", "заявил", "a déclaré", "sagte", "dijo",
    "東京", "中文", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "Ã©", "â€™", "\ufffd", "\x00", "\x1b", "\ud800",
)
hostile_text = st.one_of(
    st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join),
    st.text(max_size=400),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join).flatmap(
        lambda unit: st.integers(1, 3000).map(lambda n: unit * n)),
)


def _inside(text: str, start: int | None, end: int | None) -> None:
    if start is None or end is None:
        return
    assert 0 <= start <= end <= len(text), (start, end, len(text))


@FUZZ
@given(text=hostile_text)
def test_clean_text_never_raises(text: str) -> None:
    cleaned = clean_text(text)
    assert isinstance(cleaned.text, str)
    for block in cleaned.boilerplate:
        assert isinstance(block.text, str) and block.reason


@FUZZ_FEW
@given(text=hostile_text)
def test_clean_html_never_raises(text: str) -> None:
    assert isinstance(clean_html(text).text, str)
    assert isinstance(clean_html(f"<html><body><article><p>{text}</p></article></body></html>").text, str)


@FUZZ
@given(text=hostile_text, stamp=hostile_text)
def test_find_dates_spans_are_inside(text: str, stamp: str) -> None:
    date, _crawled = find_dates(text, [Boilerplate(stamp, "crawl_stamp"), Boilerplate(stamp, "footer")],
                                given=stamp[:300] or None, markup={"date": stamp[:100]})
    if date is not None and date.start is not None:
        _inside(text, date.start, date.end)
        assert date.evidence == text[date.start:date.end]


@FUZZ
@given(text=hostile_text)
def test_find_credits_spans_are_inside(text: str) -> None:
    for credit in find_credits(text):
        _inside(text, credit.start, credit.end)
        if credit.start is not None and credit.end is not None:
            assert credit.evidence == text[credit.start:credit.end]


@FUZZ
@given(text=hostile_text)
def test_language_paragraphs_and_sentences(text: str) -> None:
    assert isinstance(detect_language(text), str)
    for paragraph in split_paragraphs(text):
        _inside(text, paragraph.start, paragraph.end)
        chunk = text[paragraph.start:paragraph.end]
        assert chunk.strip() == chunk != ""
    for sentence in split_sentences(text, offset=7):
        _inside(text, sentence.start - 7, sentence.end - 7)
        assert sentence.text == text[sentence.start - 7:sentence.end - 7]


@FUZZ
@given(text=hostile_text, lang=st.sampled_from(["en", "fr", "de", "es", "ru", "und", "zh", "xx"]))
def test_find_quotes_spans_are_inside(text: str, lang: str) -> None:
    paragraphs = split_paragraphs(text)
    for quote in find_quotes("doc", text, lang, paragraphs) + find_quotes("doc", text, lang):
        _inside(text, quote.start, quote.end)
        assert quote.text == text[quote.start:quote.end]
        _inside(text, quote.speaker_start, quote.speaker_end)
        _inside(text, quote.cue_start, quote.cue_end)
