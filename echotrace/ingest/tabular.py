"""CSV and TSV files: streamed rows, header-based column detection, one bad row never stops the file.

The encoding is judged on the first megabyte; bytes further on that do not fit it are kept
(surrogate escapes) and re-decoded per field, so one stray Latin-1 byte deep in a UTF-8 file
neither aborts the file nor turns into U+FFFD.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping

from echotrace.errors import E001_EMPTY, E007_BAD_CSV, E009_NO_TEXT, describe
from echotrace.ingest.decode import DecodeError, decode_text, detect_encoding
from echotrace.ingest.fields import build_doc, resolve_fields
from echotrace.ingest.opening import CappedReader, InputProblem, Limits, open_capped
from echotrace.records import RawDoc, Skipped

DETECTION_BYTES = 1 << 20
FIELD_SIZE_LIMIT = 2**31 - 1
_ESCAPED = re.compile("[\udc80-\udcff]")
_DELIMITERS = (",", "\t", ";", "|")

csv.field_size_limit(FIELD_SIZE_LIMIT)  # article bodies exceed csv's 128 KB default


def _unescape(value: str) -> str:
    """Re-decode a field that held bytes the file's encoding could not read."""
    if _ESCAPED.search(value) is None:
        return value
    raw = value.encode("utf-8", errors="surrogateescape")
    try:
        return decode_text(raw)[0]
    except DecodeError:
        return raw.decode("cp1252", errors="echotrace-latin1")


def _text_lines(reader: CappedReader, head: bytes, encoding: str) -> Iterator[str]:
    """Decoded lines (with their endings) from the detection sample and then the rest of the stream."""
    if encoding.startswith(("utf-16", "utf-32")):
        # NUL-bearing encodings cannot be split on b"\n": decode everything (size is capped).
        yield from io.StringIO((head + reader.read()).decode(encoding, errors="replace"), newline="")
        return
    errors = "echotrace-latin1" if encoding == "cp1252" else "surrogateescape"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
    pending = ""
    for chunk in _chunks(reader, head):
        pending += decoder.decode(chunk)
        if "\n" in pending or "\r" in pending:
            lines = pending.splitlines(keepends=True)
            pending = lines.pop() if not lines[-1].endswith(("\n", "\r")) else ""
            yield from lines
    pending += decoder.decode(b"", final=True)
    if pending:
        yield pending


def _chunks(reader: CappedReader, head: bytes) -> Iterable[bytes]:
    yield head
    while chunk := reader.read(DETECTION_BYTES):
        yield chunk


def _delimiter(path: str, header_line: str) -> str:
    name = path.lower().removesuffix(".gz")
    if name.endswith(".tsv") or name.endswith(".tab"):
        return "\t"
    counts = {delimiter: header_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > 0 else ","


def _skip(path: str, source: str, code: str, detail: str) -> Skipped:
    return Skipped(source, code, describe(code, f"{path}: {detail}"))


def read_csv(path: str, columns: Mapping[str, str], limits: Limits) -> Iterator[RawDoc | Skipped]:
    """One RawDoc per data row; `path#line=N` counts data rows from 1 (the header is not a row)."""
    try:
        reader = open_capped(path, limits)
    except InputProblem as problem:
        yield Skipped(path, problem.code, describe(problem.code, f"{path}: {problem.detail}"))
        return
    try:
        head = reader.read(DETECTION_BYTES)
        if not head.strip():
            yield _skip(path, path, E001_EMPTY, "no content")
            return
        encoding = detect_encoding(head)
        lines = _text_lines(reader, head, encoding)
        first = next(lines, "")
        rows = csv.reader(_prepend(first, lines), delimiter=_delimiter(path, first), strict=True)
        header = [_unescape(name) for name in next(rows)]
        fields, missing = resolve_fields(header, columns)
        if missing:
            yield _skip(path, path, E007_BAD_CSV, f"mapped column(s) {missing} not in header {header[:20]}")
            return
        if "text" not in fields and "html" not in fields:
            yield _skip(path, path, E009_NO_TEXT, f"no text column in header {header[:20]}")
            return
        yield from _rows(path, rows, header, fields, encoding)
    except (InputProblem, DecodeError) as problem:
        yield _skip(path, path, problem.code, f"(header): {problem.detail}")
    except csv.Error as error:
        yield _skip(path, path, E007_BAD_CSV, f"header: {error}")
    except StopIteration:
        yield _skip(path, path, E007_BAD_CSV, "no header row")
    finally:
        reader.close()


def _prepend(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def _rows(
    path: str, rows: Iterator[list[str]], header: list[str], fields: Mapping[str, str], encoding: str
) -> Iterator[RawDoc | Skipped]:
    width = len(header)
    used = {role: header.index(name) for role, name in fields.items()}
    row_number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            if not row_number:  # a header alone would otherwise vanish without a trace
                yield _skip(path, path, E001_EMPTY, "a header but no data rows")
            return
        except (InputProblem, DecodeError) as problem:
            source = f"{path}#line={row_number + 1}"
            yield _skip(path, source, problem.code, f"after data row {row_number}: {problem.detail}")
            return
        except csv.Error as error:
            row_number += 1
            yield _skip(path, f"{path}#line={row_number}", E007_BAD_CSV, f"row {row_number}: {error}")
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        row_number += 1
        source = f"{path}#line={row_number}"
        if len(row) > width:
            detail = f"row {row_number}: {len(row)} fields but the header has {width}"
            yield _skip(path, source, E007_BAD_CSV, detail)
            continue
        record = {header[index]: _unescape(row[index]) for index in used.values() if index < len(row)}
        doc = build_doc(record, fields, source=source, fmt="csv", encoding=encoding)
        if doc is None:
            yield _skip(path, source, E009_NO_TEXT, f"row {row_number}: empty text column")
            continue
        yield doc
