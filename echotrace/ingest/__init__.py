"""Input readers: paths to RawDoc records, every problem a Skipped row and never an exception.

`expand_inputs` turns user arguments (files, folders, globs) into a sorted file list;
`read_file` dispatches on the extension (a trailing `.gz` is read transparently) and sniffs
files whose extension it does not know.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Mapping, Sequence

from echotrace.errors import E011_UNSUPPORTED, describe
from echotrace.ingest.decode import (
    DecodeError,
    binary_kind,
    declared_html_charset,
    decode_bytes,
    looks_like_html,
    repair_mojibake,
)
from echotrace.ingest.fields import check_columns
from echotrace.ingest.jsonl import read_json, read_jsonl
from echotrace.ingest.opening import InputProblem, Limits, read_all
from echotrace.ingest.tabular import read_csv
from echotrace.ingest.warc import read_warc
from echotrace.records import RawDoc, Skipped

__all__ = ["decode_bytes", "expand_inputs", "file_format", "read_file", "repair_mojibake"]

TEXT_EXTENSIONS = ("txt", "text")
HTML_EXTENSIONS = ("html", "htm", "xhtml", "shtml")
JSON_EXTENSIONS = ("json",)
JSONL_EXTENSIONS = ("jsonl", "ndjson")
CSV_EXTENSIONS = ("csv", "tsv", "tab")
WARC_EXTENSIONS = ("warc",)
_GLOB_CHARS = frozenset("*?[")


def _walk(folder: str) -> Iterator[str]:
    """Files under a folder, hidden files and folders (.git, .DS_Store) left out."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        for name in files:
            if not name.startswith("."):
                yield os.path.join(root, name)


def expand_inputs(paths: Sequence[str]) -> list[str]:
    """Files, folders (recursive) and glob patterns to a sorted, de-duplicated list of files.

    Raises FileNotFoundError for a path that does not exist or a pattern that matches nothing:
    a typo in a path should stop a run before it starts, not produce an empty report.
    """
    found: dict[str, str] = {}
    for given in paths:
        if os.path.exists(given):
            matches = [given]
        elif _GLOB_CHARS & set(given):
            matches = sorted(glob.glob(given, recursive=True))
            if not matches:
                raise FileNotFoundError(f"no file matches the pattern {given!r}")
        else:
            raise FileNotFoundError(f"input path does not exist: {given!r}")
        for match in matches:
            files = _walk(match) if os.path.isdir(match) else [match]
            for file in files:
                found.setdefault(os.path.realpath(file), os.path.normpath(file))
    return sorted(set(found.values()))


def file_format(path: str) -> str | None:
    """'txt', 'html', 'json', 'jsonl', 'csv' or 'warc' from the extension (after `.gz`); None if unknown."""
    name = os.path.basename(path).lower().removesuffix(".gz")
    _, dot, extension = name.rpartition(".")
    if not dot:
        return None
    for fmt, extensions in (
        ("txt", TEXT_EXTENSIONS),
        ("html", HTML_EXTENSIONS),
        ("json", JSON_EXTENSIONS),
        ("jsonl", JSONL_EXTENSIONS),
        ("csv", CSV_EXTENSIONS),
        ("warc", WARC_EXTENSIONS),
    ):
        if extension in extensions:
            return fmt
    return None


def _whole_file(path: str, fmt: str | None, limits: Limits) -> Iterator[RawDoc | Skipped]:
    """A page stored alone in a file (text or HTML); an unknown extension is sniffed."""
    try:
        data = read_all(path, limits)
        if fmt is None:
            kind = binary_kind(data[:16])
            if kind is not None:
                yield Skipped(path, E011_UNSUPPORTED, describe(E011_UNSUPPORTED, f"{path}: {kind}"))
                return
            fmt = "html" if looks_like_html(data[:2048].decode("latin-1")) else "txt"
        declared = declared_html_charset(data) if fmt == "html" else None
        text, encoding, repaired = decode_bytes(data, declared)
    except (InputProblem, DecodeError) as problem:
        yield Skipped(path, problem.code, describe(problem.code, f"{path}: {problem.detail}"))
        return
    yield RawDoc(
        source=path,
        fmt=fmt,
        text=text if fmt == "txt" else None,
        html=text if fmt == "html" else None,
        encoding=encoding,
        repaired=repaired,
    )


def read_file(
    path: str,
    *,
    columns: Mapping[str, str] | None = None,
    max_file_bytes: int = 200 * 2**20,
    max_decompressed_bytes: int = 1 * 2**30,
) -> Iterator[RawDoc | Skipped]:
    """Records of one file, streamed. Bad content never raises: it becomes Skipped rows.

    `columns` maps roles (text, html, title, date, outlet, url, crawled) to field names of a
    CSV/JSON input and overrides the automatic detection; an unknown role raises ValueError
    here, at the call, before anything is read.
    """
    mapping = check_columns(columns)
    limits = Limits(max_file_bytes=max_file_bytes, max_decompressed_bytes=max_decompressed_bytes)
    fmt = file_format(path)
    if fmt == "jsonl":
        items = read_jsonl(path, mapping, limits)
    elif fmt == "json":
        items = read_json(path, mapping, limits)
    elif fmt == "csv":
        items = read_csv(path, mapping, limits)
    elif fmt == "warc":
        items = read_warc(path, limits)
    else:
        items = _whole_file(path, fmt, limits)
    label = storable_path(path)
    return items if label == path else _relabelled(items, path, label)


def storable_path(path: str) -> str:
    """A Linux file name need not be UTF-8 (b"caf\\xe9.txt" arrives as "caf\\udce9.txt"); no store accepts
    the lone surrogate, so sources name such a file with a backslash escape: "caf\\xe9.txt"."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _relabelled(items: Iterator[RawDoc | Skipped], path: str, label: str) -> Iterator[RawDoc | Skipped]:
    for item in items:
        item.source = label + item.source[len(path):]
        if isinstance(item, Skipped):
            item.reason = item.reason.replace(path, label)
        yield item
