"""WARC archives (plain or gzip per record) through warcio: one RawDoc per HTML or text capture.

`source` is `path#record=N`, N counting every record of the file from 1, so it is stable across
runs. A truncated or malformed record ends the file with a Skipped row; captures read before it
are kept.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from echotrace.errors import (
    E001_EMPTY,
    E003_TOO_LARGE,
    E005_BAD_WARC,
    E009_NO_TEXT,
    E011_UNSUPPORTED,
    describe,
)
from echotrace.ingest.decode import DecodeError, declared_html_charset, decode_bytes, looks_like_html
from echotrace.ingest.opening import InputProblem, Limits, check_size, open_binary
from echotrace.records import RawDoc, Skipped

PAGE_RECORD_TYPES = ("response", "resource")
HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml+xhtml")
TEXT_TYPES = ("text/plain",)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _content_type(record: ArcWarcRecord) -> str:
    if record.rec_type == "response" and record.http_headers is not None:
        return str(record.http_headers.get_header("Content-Type") or "")
    return str(record.rec_headers.get_header("Content-Type") or "")


def _payload_kind(media_type: str, payload: bytes) -> str | None:
    """'html' or 'txt' for pages, None for anything else (images, scripts, style sheets, PDFs)."""
    if media_type in HTML_TYPES:
        return "html"
    if media_type in TEXT_TYPES:
        return "txt"
    if media_type in ("", "application/octet-stream", "unk", "text/unknown"):
        head = payload[:2048].decode("latin-1")
        return "html" if looks_like_html(head) else None
    return None


def _record_doc(record: ArcWarcRecord, payload: bytes, source: str, where: str) -> RawDoc | Skipped:
    content_type = _content_type(record)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if record.rec_type == "response" and record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return Skipped(source, E009_NO_TEXT, describe(E009_NO_TEXT, f"{where}: HTTP status {status}"))
    if not payload.strip():
        return Skipped(source, E001_EMPTY, describe(E001_EMPTY, f"{where}: empty payload"))
    kind = _payload_kind(media_type, payload)
    if kind is None:
        shown = content_type or "no Content-Type"
        return Skipped(source, E011_UNSUPPORTED, describe(E011_UNSUPPORTED, f"{where}: content type {shown}"))
    declared = _charset(content_type) or (declared_html_charset(payload) if kind == "html" else None)
    try:
        text, encoding, repaired = decode_bytes(payload, declared)
    except DecodeError as error:
        return Skipped(source, error.code, describe(error.code, f"{where}: {error.detail}"))
    return RawDoc(
        source=source,
        fmt="warc",
        text=text if kind == "txt" else None,
        html=text if kind == "html" else None,
        url=record.rec_headers.get_header("WARC-Target-URI"),
        crawled=_warc_date(record.rec_headers.get_header("WARC-Date")),
        encoding=encoding,
        repaired=repaired,
    )


def _read_payload(record: ArcWarcRecord, budget: int) -> bytes:
    """The (de-chunked, decompressed) payload; raises when the record ends before its Content-Length."""
    payload: bytes = record.content_stream().read(budget + 1)
    if len(payload) > budget:
        raise InputProblem(E003_TOO_LARGE, "decompressed WARC payloads exceed the cap (gzip bomb?)")
    remaining = getattr(record.raw_stream, "limit", 0)
    if remaining:
        raise InputProblem(E005_BAD_WARC, f"record truncated: {remaining:,} bytes of its Content-Length missing")
    return payload


class _QuietArchiveIterator(ArchiveIterator):  # type: ignore[misc]
    """warcio writes a warning to stderr when a record's Content-Length is wrong; `err_count`
    still counts it, and `read_warc` reports it as a Skipped row instead of printing."""

    INC_RECORD = ""


def _broken(source: str, where: str, code: str, detail: str) -> Skipped:
    return Skipped(source, code, describe(code, f"{where}: {detail}"[:400]))


def read_warc(path: str, limits: Limits) -> Iterator[RawDoc | Skipped]:
    """Yields page captures; stops at the first broken record after reporting it.

    A record is yielded only once warcio has read past it, because a wrong Content-Length
    shows only then (the next record does not start where it should).
    """
    try:
        check_size(path, limits)
        handle = open_binary(path)
    except InputProblem as problem:
        yield Skipped(path, problem.code, describe(problem.code, f"{path}: {problem.detail}"))
        return
    budget = limits.max_decompressed_bytes
    held: RawDoc | Skipped | None = None
    pages = 0
    try:
        records = _QuietArchiveIterator(handle, check_digests=False, arc2warc=False)
        for index in itertools.count(1):
            source, where = f"{path}#record={index}", f"{path} record {index}"
            errors_before = records.err_count
            failure: Skipped | None = None
            record: ArcWarcRecord | None = None
            try:
                record = next(records)
            except StopIteration:
                pass
            except Exception as error:  # warcio raises many types on broken input; none may stop a run
                failure = _broken(source, where, E005_BAD_WARC, f"{type(error).__name__}: {error}")
            if records.err_count > errors_before:
                detail = "its Content-Length does not match the bytes that follow"
                yield _broken(f"{path}#record={index - 1}", f"{path} record {index - 1}", E005_BAD_WARC, detail)
                return
            if held is not None:
                yield held
                held = None
            if record is None:
                if failure is not None:
                    yield failure
                elif not pages:  # only warcinfo/request records: say so rather than vanish
                    yield _broken(path, path, E001_EMPTY, "no page captures (response or resource records)")
                return
            if not str(record.format).startswith("warc"):
                yield _broken(source, where, E005_BAD_WARC, f"not a WARC record (format {record.format})")
                return
            if record.rec_type not in PAGE_RECORD_TYPES:
                continue
            try:
                payload = _read_payload(record, budget)
            except InputProblem as problem:
                yield _broken(source, where, problem.code, problem.detail)
                return
            except Exception as error:  # as above: broken compressed data surfaces while reading
                yield _broken(source, where, E005_BAD_WARC, f"{type(error).__name__}: {error}")
                return
            budget -= len(payload)
            pages += 1
            held = _record_doc(record, payload, source, where)
    finally:
        handle.close()
