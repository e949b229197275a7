"""Input readers: formats, encodings, and every kind of bad input becoming a Skipped row."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from echotrace.errors import (
    E001_EMPTY,
    E002_BINARY,
    E003_TOO_LARGE,
    E004_TRUNCATED_GZIP,
    E005_BAD_WARC,
    E006_BAD_JSON,
    E007_BAD_CSV,
    E008_UNDECODABLE,
    E010_UNREADABLE,
    E011_UNSUPPORTED,
)
from echotrace.ingest import expand_inputs, read_file
from echotrace.ingest.decode import DecodeError, decode_bytes, repair_mojibake
from echotrace.records import RawDoc, Skipped

ARTICLE = (
    "Russian President Vladimir Putin said on Friday that the situation in Palmyra was the result "
    "of uncoordinated actions. “It is a pity,” he told reporters in Tokyo. "
)


def docs(items: list[RawDoc | Skipped]) -> list[RawDoc]:
    return [item for item in items if isinstance(item, RawDoc)]


def skips(items: list[RawDoc | Skipped]) -> list[Skipped]:
    return [item for item in items if isinstance(item, Skipped)]


def read(path: Path, **options: object) -> list[RawDoc | Skipped]:
    return list(read_file(str(path), **options))  # type: ignore[arg-type]


def only_skip(path: Path, **options: object) -> Skipped:
    items = read(path, **options)
    assert len(items) == 1 and isinstance(items[0], Skipped), items
    assert str(path) in items[0].reason, items[0].reason
    return items[0]


def jsonl_bytes(count: int, start: int = 0) -> bytes:
    lines = [json.dumps({"text": f"{ARTICLE} Story {start + n}.", "title": f"T{start + n}"}) for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def words(count: int) -> str:
    """Varied text that does not compress away (so cutting a gzip file's tail cuts this record)."""
    rng = random.Random(count)
    return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(count))


def write_warc(path: Path, pages: list[tuple[str, bytes]], *, gz: bool = True) -> None:
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gz)
        for number, (content_type, body) in enumerate(pages):
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                f"https://news.example/{number}", "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)


# --- every kind of bad input -------------------------------------------------------------------


def test_empty_file_is_skipped_E001(tmp_path: Path) -> None:
    for name in ("empty.txt", "empty.jsonl", "empty.csv", "empty.warc", "blank.html"):
        path = tmp_path / name
        path.write_bytes(b"" if name != "blank.html" else b"  \n\t\n")
        assert only_skip(path).code == E001_EMPTY


def test_binary_file_is_skipped_E002(tmp_path: Path) -> None:
    path = tmp_path / "junk.txt"
    rng = random.Random(3)
    path.write_bytes(bytes(rng.randrange(256) for _ in range(4000)))
    assert only_skip(path).code == E002_BINARY
    unknown = tmp_path / "blob.dat"
    unknown.write_bytes(b"\x00\x01\x02garbage\x00" * 100)
    assert only_skip(unknown).code == E002_BINARY
    image = tmp_path / "photo.bin"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    skipped = only_skip(image)
    assert skipped.code == E011_UNSUPPORTED and "PNG" in skipped.reason


def test_file_over_size_cap_is_skipped_E003(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(ARTICLE * 100)
    assert only_skip(path, max_file_bytes=1000).code == E003_TOO_LARGE
    assert docs(read(path))  # under the default cap it reads


def test_gzip_bomb_is_stopped_at_the_decompression_cap(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 5_000_000))
    assert path.stat().st_size < 100_000
    assert only_skip(path, max_decompressed_bytes=1_000_000).code == E003_TOO_LARGE
    lines = tmp_path / "bomb.jsonl.gz"
    lines.write_bytes(gzip.compress(jsonl_bytes(5) + b"{" + b" " * 5_000_000 + b"}\n"))
    items = read(lines, max_decompressed_bytes=1_000_000)
    assert len(docs(items)) == 5 and skips(items)[-1].code == E003_TOO_LARGE


def test_truncated_gzip_keeps_earlier_records_E004(tmp_path: Path) -> None:
    payload = gzip.compress(jsonl_bytes(2000))
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(payload[: len(payload) // 2])
    items = read(path)
    good = docs(items)
    assert 0 < len(good) < 2000
    assert good[0].title == "T0" and good[0].source == f"{path}#line=1"
    last = items[-1]
    assert isinstance(last, Skipped) and last.code == E004_TRUNCATED_GZIP and str(path) in last.reason
    text = tmp_path / "cut.txt.gz"
    compressed = gzip.compress((ARTICLE * 50).encode())
    text.write_bytes(compressed[:-30])
    assert only_skip(text).code == E004_TRUNCATED_GZIP
    corrupt = tmp_path / "corrupt.html.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage that is not deflate")
    assert only_skip(corrupt).code == E004_TRUNCATED_GZIP


def test_malformed_warc_is_skipped_E005(tmp_path: Path) -> None:
    path = tmp_path / "notwarc.warc"
    path.write_text("this is not a WARC file at all\n" * 5)
    skipped = only_skip(path)
    assert skipped.code == E005_BAD_WARC and skipped.source == f"{path}#record=1"


def test_warc_two_good_records_then_a_truncated_one(tmp_path: Path) -> None:
    pages = [
        ("text/html; charset=windows-1251", "<html><body><p>Путин заявил</p></body></html>".encode("cp1251")),
        ("text/plain", ARTICLE.encode()),
        ("text/html", ("<html><body><p>" + words(800) + "</p></body></html>").encode()),
    ]
    for gz in (True, False):
        path = tmp_path / ("a.warc.gz" if gz else "a.warc")
        write_warc(path, pages, gz=gz)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) - 500])
        items = read(path)
        good = docs(items)
        assert [doc.source for doc in good] == [f"{path}#record=1", f"{path}#record=2"]
        assert good[0].html is not None and "Путин" in good[0].html and good[0].encoding == "cp1251"
        assert good[1].text == ARTICLE.strip() or good[1].text == ARTICLE
        assert good[0].url == "https://news.example/0"
        assert isinstance(good[0].crawled, datetime) and good[0].crawled.tzinfo is not None
        assert good[0].crawled.utcoffset() == UTC.utcoffset(None)
        bad = skips(items)
        assert len(bad) == 1 and bad[0].code == E005_BAD_WARC
        assert bad[0].source == f"{path}#record=3" and f"{path} record 3" in bad[0].reason


def test_warc_non_html_payloads_are_reported_E011(tmp_path: Path) -> None:
    path = tmp_path / "mixed.warc.gz"
    write_warc(path, [("image/png", b"\x89PNG...."), ("text/css", b"body{}"), ("text/html", b"<p>x</p>")])
    items = read(path)
    assert [type(item).__name__ for item in items] == ["Skipped", "Skipped", "RawDoc"]
    assert "image/png" in items[0].reason and "text/css" in items[1].reason  # type: ignore[union-attr]
    assert all(item.code == E011_UNSUPPORTED for item in skips(items))


def test_malformed_json_line_E006_and_neighbours_survive(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(jsonl_bytes(2) + b'{"text": "broken\n' + b"[1, 2]\n\n" + jsonl_bytes(1, start=2))
    items = read(path)
    assert [doc.title for doc in docs(items)] == ["T0", "T1", "T2"]
    assert [doc.source for doc in docs(items)] == [f"{path}#line=1", f"{path}#line=2", f"{path}#line=6"]
    bad = skips(items)
    assert [item.code for item in bad] == [E006_BAD_JSON, E006_BAD_JSON]
    assert bad[0].source == f"{path}#line=3" and "line 3" in bad[0].reason and str(path) in bad[0].reason
    assert "line 4" in bad[1].reason


def test_bad_csv_rows_E007_and_neighbours_survive(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "title,text,date\n"
        'First,"A first article, with a comma",1/2/17\n'
        "Second,too,many,fields,here\n"
        'Third,"bad "quote" inside",3/4/17\n'
        'Fourth,"multi\nline text",5/6/17\n'
    )
    items = read(path)
    assert [doc.title for doc in docs(items)] == ["First", "Fourth"]
    assert docs(items)[1].text == "multi\nline text" and docs(items)[1].source == f"{path}#line=4"
    bad = skips(items)
    assert [item.code for item in bad] == [E007_BAD_CSV, E007_BAD_CSV]
    assert all(str(path) in item.reason for item in bad)
    assert bad[0].source == f"{path}#line=2" and "row 2" in bad[0].reason


def test_undecodable_bytes_E008(tmp_path: Path) -> None:
    rng = random.Random(7)
    path = tmp_path / "garbled.txt"
    path.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    assert only_skip(path).code == E008_UNDECODABLE


def test_unreadable_inputs_E010(tmp_path: Path) -> None:
    dangling = tmp_path / "gone.txt"
    dangling.symlink_to(tmp_path / "missing-target.txt")
    assert only_skip(dangling).code == E010_UNREADABLE
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert only_skip(folder).code == E010_UNREADABLE
    if os.geteuid() != 0:  # root reads everything
        locked = tmp_path / "locked.txt"
        locked.write_text(ARTICLE)
        locked.chmod(0)
        assert only_skip(locked).code == E010_UNREADABLE


# --- encodings ---------------------------------------------------------------------------------


def test_mojibake_is_repaired_and_flagged(tmp_path: Path) -> None:
    original = "Der Bürgermeister sagte: „Wir können das schaffen.“ It’s a café in Zürich."
    garbled = original.encode("utf-8").decode("cp1252", errors="replace")
    assert "Ã¼" in garbled and "â€™" in garbled
    path = tmp_path / "moji.txt"
    path.write_text(garbled, encoding="utf-8")
    (doc,) = read(path)
    assert isinstance(doc, RawDoc) and doc.repaired and doc.text == original


def test_repair_mojibake_leaves_correct_text_alone() -> None:
    correct = "SPÖ’s plan — café “naïve” Ärger, Österreich; Привет; 東京"
    assert repair_mojibake(correct) == (correct, False)
    mixed = "Horoz dÃ¶vÃ¼ÅŸÃ¼ yakalandÄ±\nHoroz dövüşü yakalandı"
    assert repair_mojibake(mixed) == ("Horoz dövüşü yakalandı\nHoroz dövüşü yakalandı", True)
    assert repair_mojibake("Demo in MÃ1⁄4nchen")[0] == "Demo in München"


def test_latin1_and_utf16_files_are_decoded(tmp_path: Path) -> None:
    text = "Le président a déclaré à Paris que la situation était très grave. Über alles."
    latin = tmp_path / "latin.txt"
    latin.write_bytes(text.encode("latin-1"))
    (doc,) = read(latin)
    assert isinstance(doc, RawDoc) and doc.text == text and not doc.repaired
    utf16 = tmp_path / "wide.txt"
    utf16.write_bytes(text.encode("utf-16"))  # writes a BOM
    (doc,) = read(utf16)
    assert isinstance(doc, RawDoc) and doc.text == text and doc.encoding and doc.encoding.startswith("utf-16")


def test_legacy_cyrillic_and_damaged_utf8_are_decoded(tmp_path: Path) -> None:
    russian = "Президент России Владимир Путин заявил в пятницу, что ситуация в Пальмире сложная."
    assert decode_bytes(russian.encode("cp1251"))[:2] == (russian, "cp1251")
    german = "Der Bürgermeister von München sagte, die Lage in Köln sei schwierig. " * 20
    damaged = german.encode("utf-8")[:500] + b"\xff\x00" + german.encode("utf-8")[500:]
    path = tmp_path / "damaged.csv"
    path.write_bytes(b'title,text\nOne,"' + damaged + b'"\nTwo,fine\n')
    first, second = read(path)
    assert isinstance(first, RawDoc) and "München" in (first.text or "") and not first.repaired
    assert isinstance(second, RawDoc) and second.text == "fine"


def test_html_meta_charset_is_used_and_kept(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1251"><title>Новости</title></head><body><p>Путин</p></body></html>'
    path = tmp_path / "page.HTM"
    path.write_bytes(page.encode("cp1251"))
    (doc,) = read(path)
    assert isinstance(doc, RawDoc) and doc.fmt == "html" and doc.text is None and doc.html == page
    assert doc.encoding == "cp1251"
    declared_latin = "<html><head><meta charset=iso-8859-1></head><body>Zürich</body></html>"
    assert decode_bytes(declared_latin.encode("utf-8"), "iso-8859-1")[0] == declared_latin


def test_decode_bytes_raises_its_own_error_with_a_code() -> None:
    with pytest.raises(DecodeError) as caught:
        decode_bytes(b"\x00\x01\x02\x03" * 50)
    assert caught.value.code == E002_BINARY


# --- formats -----------------------------------------------------------------------------------


def test_json_list_object_and_alternative_field_names(tmp_path: Path) -> None:
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([
        {"maintext": ARTICLE, "title": "A", "date_publish": "2017-06-09 16:48:00", "source_domain": "sputniknews.com",
         "url": "https://sputniknews.com/x", "date_download": "2017-06-10T08:00:00Z"},
        {"body": "<div><p>Markup in a body field</p></div>", "headline": "B"},
        {"nothing": "here"},
    ]))
    items = read(listing)
    first, second = docs(items)
    assert (first.title, first.date, first.outlet, first.url) == (
        "A", "2017-06-09 16:48:00", "sputniknews.com", "https://sputniknews.com/x"
    )
    assert first.crawled == datetime(2017, 6, 10, 8, 0, tzinfo=UTC)
    assert first.source == f"{listing}#item=1"
    assert second.html is not None and second.text is None and second.title == "B"
    assert [item.code for item in skips(items)] == ["E009"]
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"content": ARTICLE, "published": "2016-12-15"}))
    (doc,) = read(single)
    assert isinstance(doc, RawDoc) and doc.source == str(single) and doc.date == "2016-12-15"
    broken = tmp_path / "broken.json"
    broken.write_text('{"text": ')
    assert only_skip(broken).code == E006_BAD_JSON


def test_csv_column_mapping_and_tsv(tmp_path: Path) -> None:
    path = tmp_path / "custom.tsv"
    path.write_text("headline\tstory_body\twhen\tpaper\nH1\tSome body text\t12/15/16\tFort Russ\n")
    (doc,) = read(path, columns={"text": "story_body", "date": "when", "outlet": "paper", "title": "headline"})
    assert isinstance(doc, RawDoc) and (doc.title, doc.text, doc.date, doc.outlet) == (
        "H1", "Some body text", "12/15/16", "Fort Russ"
    )
    huge = tmp_path / "huge.csv"
    huge.write_text("text,title\n\"" + "word " * 100_000 + "\",Long\n")
    (long_doc,) = read(huge)
    assert isinstance(long_doc, RawDoc) and len(long_doc.text or "") > 400_000 and long_doc.title == "Long"
    gzipped_without_suffix = tmp_path / "feed.jsonl"
    gzipped_without_suffix.write_bytes(gzip.compress(jsonl_bytes(3)))
    assert len(docs(read(gzipped_without_suffix))) == 3
    missing = only_skip(path, columns={"text": "no_such_column"})
    assert missing.code == E007_BAD_CSV and "no_such_column" in missing.reason
    with pytest.raises(ValueError, match="unknown column role"):
        read_file(str(path), columns={"body": "story_body"})


def test_fakes_loads_with_auto_detection(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "fa-kes" / "fakes.csv"
    items = read(path)
    good = docs(items)
    assert len(good) == 804 and not skips(items)
    assert all(doc.title and doc.date and doc.outlet and doc.text for doc in good)
    assert {doc.outlet for doc in good} >= {"sana", "reuters", "tass"}
    assert all(doc.date.count("/") == 2 for doc in good if doc.date)
    assert good[0].source == f"{path}#line=1" and good[-1].source == f"{path}#line=804"


def test_seeds_are_five_text_docs(seeds_dir: Path, seed_texts: dict[str, str]) -> None:
    files = expand_inputs([str(seeds_dir)])
    good = [doc for file in files for doc in docs(list(read_file(file)))]
    assert len(good) == 5
    assert all(doc.fmt == "txt" and doc.html is None and doc.crawled is None for doc in good)
    assert [doc.text for doc in good] == [seed_texts[key] for key in sorted(seed_texts)]


def test_unknown_extension_is_sniffed(tmp_path: Path) -> None:
    page = tmp_path / "page.asp"
    page.write_text("<!DOCTYPE html><html><body><p>Hi</p></body></html>")
    note = tmp_path / "README"
    note.write_text(ARTICLE)
    assert docs(read(page))[0].html is not None
    assert docs(read(note))[0].text == ARTICLE


def test_big_jsonl_is_streamed_not_loaded(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    record = json.dumps({"text": "x" * 100_000}) + "\n"
    with path.open("w") as handle:
        for _ in range(300):
            handle.write(record)
    assert path.stat().st_size > 30_000_000
    tracemalloc.start()
    count = sum(1 for _ in read_file(str(path)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 300 and peak < 5_000_000


# --- input expansion ---------------------------------------------------------------------------


def test_expand_inputs_folders_globs_dedup_and_order(tmp_path: Path) -> None:
    for relative in ("b/2.txt", "b/deep/3.jsonl", "a/1.txt", "a/.hidden.txt", ".git/x.txt", "c.csv"):
        file = tmp_path / relative
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(ARTICLE)
    expected = [str(tmp_path / name) for name in ("a/1.txt", "b/2.txt", "b/deep/3.jsonl", "c.csv")]
    assert expand_inputs([str(tmp_path)]) == expected
    mixed = [str(tmp_path / "c.csv"), str(tmp_path / "b"), str(tmp_path / "**" / "*.txt"), str(tmp_path / "a")]
    assert expand_inputs(mixed) == expected
    assert expand_inputs(list(reversed(mixed))) == expected
    with pytest.raises(FileNotFoundError, match="nope"):
        expand_inputs([str(tmp_path / "nope.txt")])
    with pytest.raises(FileNotFoundError, match="pattern"):
        expand_inputs([str(tmp_path / "*.xml")])


def test_reading_is_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress(jsonl_bytes(50) + b"{bad\n"))
    assert read(path) == read(path)


# --- never raises ------------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=3000),
        st.text(max_size=500).map(lambda text: text.encode("utf-8", errors="surrogatepass")),
        st.binary(max_size=500).map(gzip.compress),
    ),
    name=st.sampled_from(
        ["x.txt", "x.html", "x.json", "x.jsonl", "x.csv", "x.tsv", "x.warc", "x.warc.gz", "x.jsonl.gz", "x.bin"]
    ),
)
def test_read_file_never_raises_on_random_bytes(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    for item in read_file(str(path)):
        assert isinstance(item, RawDoc | Skipped)
        if isinstance(item, RawDoc):
            assert (item.text is None) != (item.html is None)
        else:
            assert str(path) in item.reason
