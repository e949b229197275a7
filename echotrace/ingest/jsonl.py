"""JSON Lines (streamed, one record a line) and JSON files (one object or a list of objects)."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator, Mapping
from typing import Any

from echotrace.errors import E001_EMPTY, E006_BAD_JSON, E009_NO_TEXT, describe
from echotrace.ingest.decode import DecodeError, decode_text, utf16_without_bom
from echotrace.ingest.fields import build_doc, resolve_fields
from echotrace.ingest.opening import CappedReader, InputProblem, Limits, open_capped, read_all
from echotrace.records import RawDoc, Skipped


class _FieldCache:
    """Field resolution per distinct key set: records of one file nearly always share keys."""

    def __init__(self, columns: Mapping[str, str]) -> None:
        self._columns = columns
        self._cache: dict[tuple[str, ...], dict[str, str]] = {}

    def fields(self, record: Mapping[str, Any]) -> dict[str, str]:
        keys = tuple(record)
        found = self._cache.get(keys)
        if found is None:
            found, _missing = resolve_fields(list(keys), self._columns)
            if len(self._cache) < 1024:
                self._cache[keys] = found
        return found


def _record_to_doc(
    record: Any, cache: _FieldCache, *, source: str, where: str, fmt: str, encoding: str | None
) -> RawDoc | Skipped:
    if not isinstance(record, dict):
        kind = type(record).__name__
        return Skipped(source, E006_BAD_JSON, describe(E006_BAD_JSON, f"{where}: expected an object, got {kind}"))
    doc = build_doc(record, cache.fields(record), source=source, fmt=fmt, encoding=encoding)
    if doc is None:
        keys = ", ".join(sorted(map(str, record))[:12])
        return Skipped(source, E009_NO_TEXT, describe(E009_NO_TEXT, f"{where}: no text or html field (keys: {keys})"))
    return doc


def _decode_line(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(raw)[0]


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _wide_encoding(first_line: bytes) -> str | None:
    """UTF-16/32 (Windows tools write JSON Lines that way): NUL bytes make b"\\n" splitting useless."""
    for bom, encoding in _WIDE_BOMS:
        if first_line.startswith(bom):
            return encoding
    return utf16_without_bom(first_line[:4096])


def _raw_lines(reader: CappedReader) -> Iterator[bytes]:
    """Lines as UTF-8 bytes; a UTF-16/32 file is decoded whole (its size is capped) and re-encoded."""
    lines = reader.lines()
    first = next(lines, b"")
    encoding = _wide_encoding(first)
    if encoding is None:
        if first:
            yield first
        yield from lines
        return
    text = (first + reader.read()).decode(encoding, errors="replace").removeprefix("\ufeff")
    for line in text.splitlines(keepends=True):
        yield line.encode("utf-8", errors="replace")


def read_jsonl(path: str, columns: Mapping[str, str], limits: Limits) -> Iterator[RawDoc | Skipped]:
    """Streams line by line; a bad line is skipped with its number and reading goes on."""
    cache = _FieldCache(columns)
    try:
        reader = open_capped(path, limits)
    except InputProblem as problem:
        yield Skipped(path, problem.code, describe(problem.code, f"{path}: {problem.detail}"))
        return
    line_number = 0
    records = 0
    try:
        for raw in _raw_lines(reader):
            line_number += 1
            if line_number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            records += 1
            source = f"{path}#line={line_number}"
            try:
                record = json.loads(_decode_line(raw))
            except (ValueError, DecodeError) as error:
                detail = f"{path} line {line_number}: {error}"
                yield Skipped(source, E006_BAD_JSON, describe(E006_BAD_JSON, detail[:300]))
                continue
            yield _record_to_doc(
                record, cache, source=source, where=f"{path} line {line_number}", fmt="jsonl", encoding="utf-8"
            )
        if not records:  # a file of blank lines would otherwise vanish without a trace
            yield Skipped(path, E001_EMPTY, describe(E001_EMPTY, f"{path}: only blank lines"))
    except InputProblem as problem:
        detail = f"{path} after line {line_number}: {problem.detail}"
        yield Skipped(f"{path}#line={line_number + 1}", problem.code, describe(problem.code, detail))
    finally:
        reader.close()


def _records_in(document: Any) -> list[Any] | None:
    """The records of a JSON document: a list, one object, or an object wrapping one list."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        has_text = any(isinstance(value, str) for value in document.values())
        if len(lists) == 1 and not has_text and all(isinstance(item, dict) for item in lists[0]):
            return lists[0]
        return [document]
    return None


def read_json(path: str, columns: Mapping[str, str], limits: Limits) -> Iterator[RawDoc | Skipped]:
    """A whole JSON document; falls back to JSON Lines when it holds several top-level values."""
    try:
        text, encoding = decode_text(read_all(path, limits))
    except (InputProblem, DecodeError) as problem:
        yield Skipped(path, problem.code, describe(problem.code, f"{path}: {problem.detail}"))
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            yield from read_jsonl(path, columns, limits)
            return
        yield Skipped(path, E006_BAD_JSON, describe(E006_BAD_JSON, f"{path}: {error}"))
        return
    records = _records_in(document)
    if records is None:
        detail = f"{path}: top level is {type(document).__name__}, expected an object or a list"
        yield Skipped(path, E006_BAD_JSON, describe(E006_BAD_JSON, detail))
        return
    if not records:
        yield Skipped(path, E001_EMPTY, describe(E001_EMPTY, f"{path}: no records"))
        return
    cache = _FieldCache(columns)
    single = len(records) == 1 and isinstance(document, dict)
    for index, record in enumerate(records, start=1):
        source = path if single else f"{path}#item={index}"
        where = path if single else f"{path} item {index}"
        yield _record_to_doc(record, cache, source=source, where=where, fmt="json", encoding=encoding)
