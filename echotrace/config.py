"""One settings object for a run: defaults, overridden by an optional TOML file, then by CLI flags."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(slots=True)
class Settings:
    """What a run needs to know. Fields that change results go into `result_settings()`."""

    workers: int = 2
    engine: str = "local"
    scheduler: str | None = None
    batch_size: int = 1000
    max_file_bytes: int = 200 * 2**20
    max_decompressed_bytes: int = 2**30
    max_text_chars: int = 2_000_000
    doc_timeout_s: float = 60.0
    columns: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)
    catalogues: list[str] = field(default_factory=list)
    repeated_line_min_docs: int = 3
    repeated_line_min_share: float = 0.3
    # Quote tagging reads a dependency parse of English cue sentences: 4x the cost, +3 points F1.
    quote_syntax: bool = True
    stages: list[str] = field(
        default_factory=lambda: ["links", "entities", "quotes", "stories", "narratives"])

    def result_settings(self) -> dict[str, Any]:
        """The settings that change what is stored (a resumed run must use the same)."""
        keep = {"max_file_bytes", "max_decompressed_bytes", "max_text_chars", "columns", "aliases",
                "repeated_line_min_docs", "repeated_line_min_share", "quote_syntax"}
        return {k: v for k, v in asdict(self).items() if k in keep}

    @classmethod
    def load(cls, path: Path | None, **overrides: Any) -> Settings:
        values: dict[str, Any] = {}
        if path is not None:
            with open(path, "rb") as handle:
                values.update(tomllib.load(handle).get("echotrace", {}))
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        return cls(**values)


def parse_columns(spec: str | None) -> dict[str, str]:
    """`text=body,title=headline` -> {"text": "body", "title": "headline"}."""
    if not spec:
        return {}
    out: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"bad --columns entry {part!r}: expected field=column")
        out[key.strip()] = value.strip()
    return out
