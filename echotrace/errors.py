"""Stable codes for every reason an input is skipped (spaCy's habit: one place, one code each)."""

from __future__ import annotations

E001_EMPTY = "E001"
E002_BINARY = "E002"
E003_TOO_LARGE = "E003"
E004_TRUNCATED_GZIP = "E004"
E005_BAD_WARC = "E005"
E006_BAD_JSON = "E006"
E007_BAD_CSV = "E007"
E008_UNDECODABLE = "E008"
E009_NO_TEXT = "E009"
E010_UNREADABLE = "E010"
E011_UNSUPPORTED = "E011"
E012_TEXT_TOO_LONG = "E012"
E013_TIMEOUT = "E013"
E014_PROCESSING_ERROR = "E014"

MESSAGES: dict[str, str] = {
    E001_EMPTY: "empty input",
    E002_BINARY: "binary content, not text or HTML",
    E003_TOO_LARGE: "file larger than the size cap",
    E004_TRUNCATED_GZIP: "truncated or corrupt gzip stream",
    E005_BAD_WARC: "malformed WARC record",
    E006_BAD_JSON: "malformed JSON line",
    E007_BAD_CSV: "malformed CSV row",
    E008_UNDECODABLE: "text encoding could not be determined",
    E009_NO_TEXT: "no article text after cleaning",
    E010_UNREADABLE: "file could not be read",
    E011_UNSUPPORTED: "unsupported file type",
    E012_TEXT_TOO_LONG: "article text longer than the per-article cap",
    E013_TIMEOUT: "per-document work took longer than the time limit",
    E014_PROCESSING_ERROR: "unexpected error while processing the document",
}


def describe(code: str, detail: str = "") -> str:
    """The reason stored in `skipped`: the stable message, then what exactly went wrong."""
    base = f"{code} {MESSAGES[code]}"
    return f"{base}: {detail}" if detail else base
