"""Reliability at scale: thousands of bad inputs through `echotrace run`, and kill -9 / resume trials.

Usage: python bench/reliability.py [--bad 10000] [--good 1000] [--trials 10] [--seed 0] [--workdir DIR]

1. A generated corpus of every kind of bad input (empty, binary, oversize, gzip bombs, truncated
   gzip, broken and lying WARC, bad JSON/CSV, undecodable, no text, dangling links, unsupported
   types, over-long articles) mixed with good articles, run through the CLI: counts crashes,
   bad inputs without a `skipped` row naming them (or with the wrong code), and good ones lost.
2. Kill trials: an uninterrupted reference run, then per trial a run killed with SIGKILL (the
   whole process group, workers included) at a random moment, resumed to the end and compared
   table by table with the reference (run ids and timestamps left out). Trial 0 also checks that
   a second writer is refused with "locked by PID" and that readers work during the run.

Prints figures; the last line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

# The caps the generated corpus is built against (passed to the run through a TOML file).
SETTINGS = {
    "max_file_bytes": 256 * 1024,
    "max_decompressed_bytes": 1 << 20,
    "max_text_chars": 30_000,
    "batch_size": 50,
    "workers": 2,
}

_WORDS = (
    "council budget bridge river harbour minister police court election school hospital farmers market "
    "storm flood village mayor officials residents report agency talks ceasefire border train station "
    "factory workers strike prices energy water festival museum library airport road repairs vote"
).split()
_NAMES = ("Anna Petit", "Tomas Reyval", "Maria Lenz", "Omar Haddad", "Jon Berg", "Lucia Ferro", "Ivan Sokol")
_PLACES = ("Eastvale", "Northport", "Saalfeld", "Castellon", "Ostvik", "Rivera", "Dunmoor", "Varo")


@dataclass(slots=True)
class Manifest:
    """What each input unit should become: None for a stored article, else the expected skip code."""

    expected: dict[str, str | None] = field(default_factory=dict)

    def good(self, source: Path | str) -> None:
        self.expected[str(source)] = None

    def bad(self, source: Path | str, code: str) -> None:
        self.expected[str(source)] = code

    @property
    def n_good(self) -> int:
        return sum(1 for code in self.expected.values() if code is None)

    @property
    def n_bad(self) -> int:
        return len(self.expected) - self.n_good


def article(rng: random.Random, number: int, paragraphs: int = 4) -> tuple[str, str]:
    """(title, body) of a plausible, unique news article."""
    place, name = rng.choice(_PLACES), rng.choice(_NAMES)
    title = f"{place} {rng.choice(_WORDS)} {rng.choice(_WORDS)} report {number}"
    body = []
    for index in range(paragraphs):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(18, 40)))
        # No quotation: thousands of copies of one quote are a scaling test of quote grouping, not
        # of bad input (see notes/reliability.md).
        body.append(f"The {words} in {place}, item {number}-{index}, was discussed on Tuesday. "
                    f"{name} attended the meeting.")
    return title, "\n\n".join(body)


def _html(title: str, body: str) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<nav>Home | World | Sport</nav><article><h1>{title}</h1>{paragraphs}</article></body></html>")


def _warc(pages: Sequence[tuple[str, str, bytes]]) -> bytes:
    """WARC records from (status, content type, payload), deterministic headers."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=False)
    for number, (status, content_type, payload) in enumerate(pages):
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>",
                 "WARC-Date": "2024-03-04T10:00:00Z"}
        record = writer.create_warc_record(f"https://news.example/{number}", "response", payload=io.BytesIO(payload),
                                           http_headers=headers, warc_headers_dict=fixed)
        writer.write_record(record)
    return out.getvalue()


def _lying_warc(good: bytes, delta: int) -> bytes:
    head, sep, rest = good.partition(b"Content-Length: ")
    length, newline, tail = rest.partition(b"\r\n")
    return head + sep + str(int(length) + delta).encode() + newline + tail


# -- bad input makers: each writes one file under `folder` and declares what must come out --------

Maker = Callable[[Path, str, random.Random, Manifest], None]


def _empty(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.{rng.choice(['txt', 'html', 'json', 'jsonl', 'csv', 'warc'])}"
    path.write_bytes(b"")
    manifest.bad(path, "E001")


def _blank(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.{rng.choice(['txt', 'html', 'json', 'jsonl', 'csv', 'warc'])}"
    path.write_bytes(rng.choice([b" ", b"\n\n\t\n", b"\r\n" * 50, b"   \n  "]))
    manifest.bad(path, "E001")


def _header_only_csv(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.csv"
    path.write_text("title,text,date\n", encoding="utf-8")
    manifest.bad(path, "E001")


def _empty_json_list(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.json"
    path.write_text(rng.choice(["[]", "{\"items\": []}", " [ ] "]), encoding="utf-8")
    manifest.bad(path, "E001")


def _binary(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.{rng.choice(['txt', 'html'])}"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randint(200, 3000))))
    manifest.bad(path, "E002")


def _control_bytes(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.txt"
    path.write_bytes(b"".join(rng.choice([b"\x01\x02", b"\x00", b"text ", b"\x07\x08\x0b"]) for _ in range(400)))
    manifest.bad(path, "E002")


def _oversize(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.{rng.choice(['txt', 'jsonl', 'csv', 'warc', 'html'])}"
    path.write_bytes(b"x" * (SETTINGS["max_file_bytes"] + rng.randint(1, 5000)))
    manifest.bad(path, "E003")


def _gzip_bomb(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    ext = rng.choice(["txt", "html", "json"])
    path = folder / f"{stem}.{ext}.gz"
    path.write_bytes(_BOMB)
    manifest.bad(path, "E003")


_BOMB = gzip.compress(b"A" * (3 << 20), compresslevel=9, mtime=0)


def _truncated_gzip(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    title, body = article(rng, 0)
    data = gzip.compress(f"{title}\n\n{body}".encode(), mtime=0)
    path = folder / f"{stem}.txt.gz"
    path.write_bytes(data[: rng.randint(12, len(data) - 9)])
    manifest.bad(path, "E004")


def _not_gzip(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.txt.gz"
    path.write_text("This file claims to be gzip but is plain text. " * 5, encoding="utf-8")
    manifest.bad(path, "E004")


def _bad_warc(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.warc"
    path.write_bytes(rng.choice([b"WARC/1.0\r\nContent-Length: zz\r\n\r\nhello",
                                 b"not a warc file at all\n" * 20,
                                 b"WARC/1.0\r\nWARC-Type: response\r\n\r\n" + bytes(range(256))]))
    manifest.bad(f"{path}#record=1", "E005")


def _lying_warc_file(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    """A good capture, then one whose Content-Length lies: the first is kept, the second skipped."""
    title, body = article(rng, rng.randrange(10**9))
    honest = _warc([("200 OK", "text/html; charset=utf-8", _html(title, body).encode())])
    title2, body2 = article(rng, rng.randrange(10**9))
    lying = _lying_warc(_warc([("200 OK", "text/html", _html(title2, body2).encode())]), rng.choice([-60, 60, 900]))
    path = folder / f"{stem}.warc"
    path.write_bytes(honest + lying + honest)
    manifest.good(f"{path}#record=1")
    manifest.bad(f"{path}#record=2", "E005")


def _warc_not_a_page(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.warc"
    kind = rng.choice([("200 OK", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(300)),
                       ("200 OK", "application/pdf", b"%PDF-1.4 " + bytes(300))])
    path.write_bytes(_warc([kind]))
    manifest.bad(f"{path}#record=1", "E011")


def _warc_http_error(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.warc"
    status = rng.choice(["404 Not Found", "500 Internal Server Error", "301 Moved Permanently"])
    path.write_bytes(_warc([(status, "text/html", b"<html><body><p>gone</p></body></html>")]))
    manifest.bad(f"{path}#record=1", "E009")


def _bad_json(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.json"
    path.write_text(rng.choice(['{"text": "unterminated', "{'single': 'quotes'}", "42", '"just a string"', "nul"]),
                    encoding="utf-8")
    manifest.bad(path, "E006")


def _jsonl_with_bad_line(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.jsonl"
    lines = []
    for number in (1, 2, 3):
        if number == 2:
            lines.append(rng.choice(['{"text": broken}', "[1, 2", '{"text": "x",}', "\x00\x01"]))
        else:
            title, body = article(rng, rng.randrange(10**9))
            lines.append(json.dumps({"title": title, "text": body}, ensure_ascii=False))
            manifest.good(f"{path}#line={number}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest.bad(f"{path}#line=2", "E006")


def _jsonl_no_text_field(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.jsonl"
    path.write_text(json.dumps({"id": 7, "views": 1234, "tags": ["a"]}) + "\n", encoding="utf-8")
    manifest.bad(f"{path}#line=1", "E009")


def _csv_bad_row(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.csv"
    title, body = article(rng, rng.randrange(10**9))
    rows = ["title,text", f'"{title}","{body}"', 'extra,fields,"in",this,row', f'"{title} bis","{body} Again."']
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    manifest.good(f"{path}#line=1")
    manifest.bad(f"{path}#line=2", "E007")
    manifest.good(f"{path}#line=3")


def _csv_no_text_column(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.csv"
    path.write_text("id,views,likes\n1,2,3\n4,5,6\n", encoding="utf-8")
    manifest.bad(path, "E009")


def _undecodable(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.txt"
    path.write_bytes(bytes(rng.randrange(0x80, 0x100) for _ in range(3000)))
    manifest.bad(path, "E008")


def _no_text_html(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.html"
    path.write_text(rng.choice([
        "<html><head><script>var a = 1;</script></head><body><nav><a href='/'>Home</a></nav></body></html>",
        "<html><body><div></div><span> </span><img src='x.png'></body></html>",
        "<!doctype html><html><head><title></title><style>p{color:red}</style></head><body></body></html>",
    ]), encoding="utf-8")
    manifest.bad(path, "E009")


def _dangling_link(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.txt"
    os.symlink(folder / f"{stem}-missing-target.txt", path)
    manifest.bad(path, "E010")


def _unsupported(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    path = folder / f"{stem}.{rng.choice(['bin', 'dat', 'docx', 'pdf'])}"
    path.write_bytes(rng.choice([b"\x89PNG\r\n\x1a\n", b"%PDF-1.7\n", b"PK\x03\x04", b"\x7fELF"]) + bytes(500))
    manifest.bad(path, "E011")


def _too_long(folder: Path, stem: str, rng: random.Random, manifest: Manifest) -> None:
    title, body = article(rng, rng.randrange(10**9), paragraphs=6)
    text = body
    while len(text) <= SETTINGS["max_text_chars"]:
        text += "\n\n" + article(rng, rng.randrange(10**9), paragraphs=6)[1]
    path = folder / f"{stem}.txt"
    path.write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    manifest.bad(path, "E012")


BAD_KINDS: dict[str, Maker] = {
    "empty": _empty,
    "blank": _blank,
    "header_only_csv": _header_only_csv,
    "empty_json_list": _empty_json_list,
    "binary": _binary,
    "control_bytes": _control_bytes,
    "oversize": _oversize,
    "gzip_bomb": _gzip_bomb,
    "truncated_gzip": _truncated_gzip,
    "not_gzip": _not_gzip,
    "bad_warc": _bad_warc,
    "lying_warc": _lying_warc_file,
    "warc_not_a_page": _warc_not_a_page,
    "warc_http_error": _warc_http_error,
    "bad_json": _bad_json,
    "jsonl_bad_line": _jsonl_with_bad_line,
    "jsonl_no_text": _jsonl_no_text_field,
    "csv_bad_row": _csv_bad_row,
    "csv_no_text_column": _csv_no_text_column,
    "undecodable": _undecodable,
    "no_text_html": _no_text_html,
    "dangling_link": _dangling_link,
    "unsupported": _unsupported,
    "too_long": _too_long,
}


def _good(folder: Path, stem: str, rng: random.Random, manifest: Manifest, number: int) -> None:
    title, body = article(rng, number)
    kind = number % 6
    if kind == 0:
        path = folder / f"{stem}.txt"
        path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    elif kind == 1:
        path = folder / f"{stem}.html"
        path.write_text(_html(title, body), encoding="utf-8")
    elif kind == 2:
        path = folder / f"{stem}.json"
        path.write_text(json.dumps({"title": title, "text": body, "date": "2024-03-04"}), encoding="utf-8")
    elif kind == 3:  # legacy encodings and UTF-16 must decode, not be skipped
        path = folder / f"{stem}.txt"
        path.write_bytes(f"{title}\n\n{body}\n".replace("“", '"').replace("”", '"').encode(
            rng.choice(["utf-16", "cp1252", "latin-1"])))
    elif kind == 4:
        path = folder / f"{stem}.txt.gz"
        path.write_bytes(gzip.compress(f"{title}\n\n{body}\n".encode(), mtime=0))
    else:
        path = folder / f"{stem}.warc"
        path.write_bytes(_warc([("200 OK", "text/html; charset=utf-8", _html(title, body).encode())]))
        manifest.good(f"{path}#record=1")
        return
    manifest.good(path)


def make_corpus(folder: Path, n_bad: int, n_good: int, seed: int = 0) -> Manifest:
    """`n_bad` bad input units (every kind in turn) and `n_good` good articles, interleaved."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    manifest = Manifest()
    kinds = sorted(BAD_KINDS)
    made_bad = made_good = 0
    while manifest.n_bad < n_bad or made_good < n_good:
        number = made_bad + made_good
        sub = folder / f"d{number // 500:03d}"
        sub.mkdir(exist_ok=True)
        if made_good < n_good and (manifest.n_bad >= n_bad or rng.random() < n_good / (n_good + n_bad)):
            _good(sub, f"good_{made_good:05d}", rng, manifest, made_good)
            made_good += 1
        else:
            kind = kinds[made_bad % len(kinds)]
            BAD_KINDS[kind](sub, f"bad_{made_bad:05d}_{kind}", rng, manifest)
            made_bad += 1
    return manifest


# -- checking a store against the manifest ----------------------------------------------------------


@dataclass(slots=True)
class Check:
    bad_inputs: int = 0
    good_inputs: int = 0
    bad_without_skip_row: list[str] = field(default_factory=list)
    bad_wrong_code: list[str] = field(default_factory=list)
    reason_missing_path: list[str] = field(default_factory=list)
    good_lost: list[str] = field(default_factory=list)
    codes: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.bad_without_skip_row or self.bad_wrong_code or self.reason_missing_path or self.good_lost)


def check_store(db: Path, manifest: Manifest) -> Check:
    con = duckdb.connect(str(db), read_only=True)
    try:
        skipped = {path: (code, reason) for path, code, reason in
                   con.execute("SELECT path, code, reason FROM skipped").fetchall()}
        stored = {row[0] for row in con.execute("SELECT unnest(source_paths) FROM articles").fetchall()}
    finally:
        con.close()
    check = Check(bad_inputs=manifest.n_bad, good_inputs=manifest.n_good)
    for source, code in sorted(manifest.expected.items()):
        if code is None:
            if source not in stored:
                check.good_lost.append(f"{source}: {skipped.get(source, ('not stored', ''))}")
            continue
        found = skipped.get(source)
        if found is None:
            check.bad_without_skip_row.append(source)
            continue
        check.codes[found[0]] = check.codes.get(found[0], 0) + 1
        if found[0] != code:
            check.bad_wrong_code.append(f"{source}: expected {code}, got {found[1][:200]}")
        if source.split("#", 1)[0] not in found[1]:
            check.reason_missing_path.append(f"{source}: {found[1][:200]}")
    return check


def snapshot(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table but `runs`, without run ids, sorted: what must not depend on crashes."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main' ORDER BY table_name").fetchall()]
        out = {}
        for table in tables:
            if table == "runs":
                continue
            columns = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall() if r[0] != "run_id"]
            cols = ", ".join(f'"{c}"' for c in columns)
            out[table] = con.execute(f'SELECT {cols} FROM "{table}" ORDER BY ALL').fetchall()
        return out
    finally:
        con.close()


def differences(expected: dict[str, list[tuple[Any, ...]]], got: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    out = []
    for table in sorted(set(expected) | set(got)):
        a, b = expected.get(table, []), got.get(table, [])
        if a != b:
            out.append(f"{table}: {len(a)} rows expected, {len(b)} got, "
                       f"{len(set(a) - set(b))} missing, {len(set(b) - set(a))} unexpected")
    return out


# -- running the CLI ----------------------------------------------------------------------------------


def write_config(path: Path, **overrides: Any) -> Path:
    values = {**SETTINGS, **overrides}
    path.write_text("[echotrace]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()),
                    encoding="utf-8")
    return path


def cli(corpus: Path, db: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "echotrace", "run", str(corpus), "--db", str(db), "--config", str(config)]


def start(command: list[str]) -> subprocess.Popen[bytes]:
    """In its own process group, so a kill takes the worker processes down with it (a power cut)."""
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def run_to_end(command: list[str], timeout: float = 3600) -> tuple[int, float, str]:
    started = time.perf_counter()
    proc = start(command)
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, time.perf_counter() - started, err.decode("utf-8", "replace")[-2000:]


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def committed_inputs(db: Path) -> int | None:
    """Rows in `inputs` seen by a reader (None while the writer holds the file or it does not exist)."""
    from echotrace.store.duckdb import open_reader

    if not db.exists():
        return None
    try:
        con = open_reader(db)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT count(*) FROM inputs").fetchone()
        return int(row[0]) if row else 0
    except duckdb.Error:
        return None
    finally:
        con.close()


def second_writer_refused(corpus: Path, db: Path, config: Path, holder: int) -> bool:
    proc = subprocess.run(cli(corpus, db, config), capture_output=True, text=True, timeout=300)
    message = " ".join((proc.stdout + proc.stderr).split())
    return proc.returncode != 0 and f"locked by PID {holder}" in message


@dataclass(slots=True)
class Trial:
    kill_after_s: float
    committed_at_kill: int | None
    resumed_ok: bool
    identical: bool
    diff: list[str]


def kill_trial(corpus: Path, db: Path, config: Path, delay: float, expected: dict[str, list[tuple[Any, ...]]],
               probe: bool = False, after_inputs: int | None = None) -> tuple[Trial, dict[str, Any]]:
    """Kills the run after `delay` seconds, or (with `after_inputs`) once that many inputs are committed."""
    extra: dict[str, Any] = {}
    started = time.perf_counter()
    proc = start(cli(corpus, db, config))
    deadline = started + delay
    reads: list[int] = []
    while time.perf_counter() < deadline and proc.poll() is None:
        if probe or after_inputs is not None:
            count = committed_inputs(db)
            if count is not None:
                reads.append(count)
                if after_inputs is not None and count >= after_inputs:
                    break
            if probe and count and "second_writer_refused" not in extra:
                extra["second_writer_refused"] = second_writer_refused(corpus, db, config, proc.pid)
        time.sleep(0.05)
    delay = time.perf_counter() - started
    kill_group(proc)
    committed = committed_inputs(db)
    if probe:
        extra["reader_reads_during_run"] = len(reads)
        extra["reader_counts_monotonic"] = reads == sorted(reads)
    code, _, err = run_to_end(cli(corpus, db, config))
    got = snapshot(db) if code == 0 else {}
    diff = differences(expected, got) if code == 0 else [f"resume failed ({code}): {err}"]
    return Trial(round(delay, 2), committed, code == 0, not diff, diff), extra


def peak_rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(usage / 1024, 1)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bad", type=int, default=10_000)
    parser.add_argument("--good", type=int, default=1_000)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--trial-bad", type=int, default=300)
    parser.add_argument("--trial-good", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--parts", default="bad,kill", help="bad (the bad-input run), kill (the trials) or both")
    parser.add_argument("--trial-stages", default=None,
                        help="corpus stages during the kill trials, comma-separated (default: all)")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress lines of a long run
    parts = set(args.parts.split(","))
    work = args.workdir or Path(tempfile.mkdtemp(prefix="echotrace-reliability-"))
    work.mkdir(parents=True, exist_ok=True)
    config = write_config(work / "settings.toml")
    result: dict[str, Any] = {}

    if "bad" in parts:
        result.update(bad_input_run(work, config, args.bad, args.good, args.seed))
    if "kill" in parts:
        stages = args.trial_stages.split(",") if args.trial_stages is not None else None
        result.update(kill_trials(work, args.trials, args.trial_bad, args.trial_good, args.seed, stages))
    result["peak_rss_mb_children"] = peak_rss_mb()
    print(json.dumps(result, sort_keys=True))


def bad_input_run(work: Path, config: Path, n_bad: int, n_good: int, seed: int) -> dict[str, Any]:
    """Part 1: bad inputs at scale, through the CLI."""
    corpus = work / "bad-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    manifest = make_corpus(corpus, n_bad, n_good, seed=seed)
    db = work / "bad.duckdb"
    for stale in (db, db.with_name(db.name + ".wal"), db.with_name(db.name + ".lock")):
        stale.unlink(missing_ok=True)
    code, seconds, err = run_to_end(cli(corpus, db, config))
    check = check_store(db, manifest) if code == 0 else Check(manifest.n_bad, manifest.n_good)
    units = manifest.n_bad + manifest.n_good
    print(f"bad-input run: {manifest.n_bad:,} bad + {manifest.n_good:,} good units "
          f"({len(BAD_KINDS)} kinds), exit {code}, {seconds:.1f} s, {units / seconds:.1f} units/s")
    if code != 0:
        print(err)
    print(f"  skip codes: {json.dumps(dict(sorted(check.codes.items())))}")
    for label, items in (("bad without skipped row", check.bad_without_skip_row),
                         ("bad with another code", check.bad_wrong_code),
                         ("reason not naming the input", check.reason_missing_path),
                         ("good lost", check.good_lost)):
        print(f"  {label}: {len(items)}")
        for item in items[:5]:
            print(f"    {item}")
    return {
        "inputs_tried": units, "bad_inputs": manifest.n_bad, "good_inputs": manifest.n_good,
        "bad_kinds": len(BAD_KINDS), "crashes": int(code != 0),
        "bad_without_skip_row": len(check.bad_without_skip_row), "bad_wrong_code": len(check.bad_wrong_code),
        "reason_not_naming_input": len(check.reason_missing_path),
        "lost_documents": len(check.good_lost), "bad_run_seconds": round(seconds, 1),
    }


def kill_trials(work: Path, n_trials: int, n_bad: int, n_good: int, seed: int,
                stages: list[str] | None) -> dict[str, Any]:
    """Part 2: kill -9 at random moments and resume; each final store compared with the reference."""
    trial_corpus = work / "trial-corpus"
    shutil.rmtree(trial_corpus, ignore_errors=True)
    make_corpus(trial_corpus, n_bad, n_good, seed=seed + 1)
    overrides: dict[str, Any] = {"batch_size": 20}
    if stages is not None:
        overrides["stages"] = stages
    trial_config = write_config(work / "trial.toml", **overrides)
    reference = work / "reference.duckdb"
    for stale in (reference, reference.with_name(reference.name + ".wal")):
        stale.unlink(missing_ok=True)
    code, ref_seconds, err = run_to_end(cli(trial_corpus, reference, trial_config))
    if code != 0:
        raise SystemExit(f"reference run failed: {err}")
    expected = snapshot(reference)
    print(f"kill trials: reference run {ref_seconds:.1f} s, {sum(len(v) for v in expected.values()):,} rows "
          f"in {len(expected)} tables")
    rng = random.Random(seed)
    trials: list[Trial] = []
    extras: dict[str, Any] = {}
    for number in range(n_trials):
        db = work / f"trial{number}.duckdb"
        for stale in (db, db.with_name(db.name + ".wal"), db.with_name(db.name + ".lock")):
            stale.unlink(missing_ok=True)
        # Odd trials die at a random moment (start-up, scan, ingest or corpus stages alike); even ones
        # after a random number of committed inputs, so mid-ingest kills are not left to chance.
        if number % 2:
            delay, target = rng.uniform(0.05, 0.95) * ref_seconds, None
        else:
            delay, target = 2 * ref_seconds, rng.randrange(1, len(expected["inputs"]))
        trial, extra = kill_trial(trial_corpus, db, trial_config, delay, expected, probe=number == 0,
                                  after_inputs=target)
        extras.update(extra)
        trials.append(trial)
        print(f"  trial {number}: killed at {trial.kill_after_s:.1f} s with {trial.committed_at_kill} inputs "
              f"committed, resumed {'ok' if trial.resumed_ok else 'FAILED'}, "
              f"{'identical' if trial.identical else 'DIFFERENT: ' + '; '.join(trial.diff)}")
    passed = sum(1 for t in trials if t.identical)
    print(f"  {passed}/{len(trials)} resumed stores identical to the uninterrupted run; {extras}")
    return {
        "resume_trials": len(trials), "resume_identical": passed,
        "trial_units": len(expected["inputs"]), "trial_stages": stages if stages is not None else "all",
        "kill_points_s": [t.kill_after_s for t in trials],
        "committed_at_kill": [t.committed_at_kill for t in trials],
        "reference_run_seconds": round(ref_seconds, 1), **extras,
    }


if __name__ == "__main__":
    main()
