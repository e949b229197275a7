"""Opening input files within limits: size caps, transparent gzip, bounded decompression.

Every failure becomes an `InputProblem` carrying a skip code, so readers can turn it into a
`Skipped` row instead of stopping the run.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from echotrace.errors import (
    E001_EMPTY,
    E003_TOO_LARGE,
    E004_TRUNCATED_GZIP,
    E010_UNREADABLE,
)

CHUNK_BYTES = 1 << 20

# What a broken gzip stream raises: EOFError when cut short, BadGzipFile/zlib.error when corrupt.
GZIP_ERRORS: tuple[type[BaseException], ...] = (EOFError, zlib.error, gzip.BadGzipFile)


class InputProblem(Exception):
    """A reason to skip (part of) an input, with its stable code."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_bytes: int
    max_decompressed_bytes: int


def check_size(path: str, limits: Limits) -> int:
    """The file's size on disk; refuses directories, unreadable, empty and over-cap files."""
    try:
        size = os.stat(path).st_size
    except OSError as error:
        raise InputProblem(E010_UNREADABLE, f"{error.strerror or error}") from error
    if os.path.isdir(path):
        raise InputProblem(E010_UNREADABLE, "is a directory")
    if size == 0:
        raise InputProblem(E001_EMPTY, "0 bytes")
    if size > limits.max_file_bytes:
        raise InputProblem(E003_TOO_LARGE, f"{size:,} bytes > cap {limits.max_file_bytes:,}")
    return size


def open_binary(path: str) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as error:
        raise InputProblem(E010_UNREADABLE, f"{error.strerror or error}") from error


class CappedReader:
    """A read-only stream over (possibly gzip) bytes that refuses to yield more than `cap` bytes.

    Streaming readers use it so a gzip bomb or a truncated archive is noticed where it happens,
    after the records before it have been yielded.
    """

    def __init__(self, raw: BinaryIO, *, gzipped: bool, cap: int) -> None:
        self._raw = raw
        self._stream: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw  # type: ignore[assignment]
        self._gzipped = gzipped
        self._cap = cap
        self.consumed = 0

    def _account(self, data: bytes) -> bytes:
        self.consumed += len(data)
        if self.consumed > self._cap:
            raise InputProblem(
                E003_TOO_LARGE, f"decompressed data exceeds cap {self._cap:,} bytes (gzip bomb?)"
            )
        return data

    def _guard(self, action: str, size: int) -> bytes:
        try:
            data = self._stream.readline(size) if action == "line" else self._stream.read(size)
        except GZIP_ERRORS as error:
            raise InputProblem(E004_TRUNCATED_GZIP, f"{type(error).__name__}: {error}") from error
        except OSError as error:
            raise InputProblem(E010_UNREADABLE, f"{error.strerror or error}") from error
        return self._account(data)

    def read(self, size: int = -1) -> bytes:
        if size < 0 and not self._gzipped:
            return self._guard("read", self._cap - self.consumed + 1)
        if size < 0:
            parts = []
            while chunk := self._guard("read", CHUNK_BYTES):
                parts.append(chunk)
            return b"".join(parts)
        return self._guard("read", size)

    def readline(self, size: int = -1) -> bytes:
        return self._guard("line", size)

    def lines(self) -> Iterator[bytes]:
        """Lines with their ending, streamed; a line is never longer than the cap allows."""
        while line := self.readline(self._cap - self.consumed + 1):
            yield line

    def close(self) -> None:
        if self._gzipped:
            self._stream.close()
        self._raw.close()


GZIP_MAGIC = b"\x1f\x8b"


def _starts_with_gzip_magic(raw: BinaryIO) -> bool:
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError as error:
        raise InputProblem(E010_UNREADABLE, f"{error.strerror or error}") from error
    return magic == GZIP_MAGIC


def open_capped(path: str, limits: Limits) -> CappedReader:
    """Checks the size on disk, then opens the file, decompressing gzip on the fly.

    Gzip is recognised by its magic bytes, not only by a `.gz` name: downloads often lose or
    keep the suffix wrongly. A `.gz` file without the magic is corrupt (E004).
    """
    check_size(path, limits)
    raw = open_binary(path)
    gzipped = _starts_with_gzip_magic(raw)
    if path.lower().endswith(".gz") and not gzipped:
        raw.close()
        raise InputProblem(E004_TRUNCATED_GZIP, "named .gz but not gzip data")
    cap = limits.max_decompressed_bytes if gzipped else limits.max_file_bytes
    return CappedReader(raw, gzipped=gzipped, cap=cap)


def read_all(path: str, limits: Limits) -> bytes:
    """The whole (decompressed) content of a file, refusing empty, truncated and oversize input."""
    reader = open_capped(path, limits)
    try:
        data = reader.read()
    finally:
        reader.close()
    if not data or data.isspace():
        raise InputProblem(E001_EMPTY, "no content" if not data else "only whitespace")
    return data
