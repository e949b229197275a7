"""JSON Lines (streamed, one record a line) and JSON files (one object or a list of objects)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from echotrace.errors import E006_BAD_JSON, E009_NO_TEXT, describe
from echotrace.ingest.decode import DecodeError, decode_text
from echotrace.ingest.fields import build_doc, resolve_fields
from echotrace.ingest.opening import InputProblem, Limits, open_capped, read_all
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


def read_jsonl(path: str, columns: Mapping[str, str], limits: Limits) -> Iterator[RawDoc | Skipped]:
    """Streams line by line; a bad line is skipped with its number and reading goes on."""
    cache = _FieldCache(columns)
    try:
        reader = open_capped(path, limits)
    except InputProblem as problem:
        yield Skipped(path, problem.code, describe(problem.code, f"{path}: {problem.detail}"))
        return
    line_number = 0
    try:
        for raw in reader.lines():
            line_number += 1
            if line_number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
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
    cache = _FieldCache(columns)
    single = len(records) == 1 and isinstance(document, dict)
    for index, record in enumerate(records, start=1):
        source = path if single else f"{path}#item={index}"
        where = path if single else f"{path} item {index}"
        yield _record_to_doc(record, cache, source=source, where=where, fmt="json", encoding=encoding)
