"""Is the database file sound? SQLite's checks, their findings in words, and a cheap check at open.

``PRAGMA quick_check`` reads every page (about 55 ms for a 51 MB store of 3,000 inquiries, so about a second per
GB). At open it runs only when the file changed since SayPro Desk last saw it sound: a store closed cleanly
records its size and modification time in ``last-check.json`` beside it, and the next open that finds the same
file skips the check. A crash, a file edited with another tool, copied or restored, is checked again. The result
is cached per process and file, so opening the store again in the same process costs nothing.
``saypro db check`` always runs the full ``PRAGMA integrity_check`` (which also compares indexes with tables).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

STAMP_NAME = "last-check.json"
_checked: dict[tuple[str, tuple[int, ...]], list[str]] = {}

_IN_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"non-unique entry in index (\S+)"),
     "index {0} holds one value twice though it must be unique: two rows claim the same key"),
    (re.compile(r"row (\d+) missing from index (\S+)"),
     "index {1} has no entry for row {0} of its table: the index no longer matches the table"),
    (re.compile(r"wrong # of entries in index (\S+)"),
     "index {0} has a different number of entries than its table"),
    (re.compile(r"NULL value in (\S+)\.(\S+)"), "a row of table {0} has no value in column {1}, which must have one"),
    (re.compile(r"(?:Tree \d+ )?[Pp]age (\d+).*(?:never used|used more than once)"),
     "page {0} of the file is lost or claimed twice (the file's page map is damaged)"),
    (re.compile(r"(?:Tree \d+ )?[Pp]age (\d+)"), "page {0} of the file is damaged"),
    (re.compile(r"database disk image is malformed|file is not a database"),
     "the file is damaged beyond what SQLite can check"),
]


def in_words(finding: str) -> str:
    """One finding of SQLite's integrity check as a sentence, with SQLite's own text after it for support."""
    for pattern, sentence in _IN_WORDS:
        m = pattern.search(finding)
        if m:
            return f"{sentence.format(*m.groups())} (SQLite: {finding.strip()})"
    return f"SQLite reports: {finding.strip()}"


def integrity_findings(engine: Engine, *, quick: bool) -> list[str]:
    """Every finding of ``PRAGMA quick_check`` (quick) or ``integrity_check``; [] when the file is sound. A file
    too damaged to check at all gives one finding instead of an exception."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        with engine.connect() as conn:
            rows = [str(r[0]) for r in conn.exec_driver_sql(f"PRAGMA {pragma}").fetchall()]
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        if not quick:  # the full check can stop on a page the quick one steps over: its findings say more
            return integrity_findings(engine, quick=True) or [str(getattr(exc, "orig", exc))]
        return [str(getattr(exc, "orig", exc))]
    if rows == ["ok"]:
        return []
    # One finding per row, but SQLite may also put several in one row, a line each, under a heading line.
    lines = [line.strip() for row in rows for line in row.splitlines()]
    return [line for line in lines if line and not line.startswith("*** in database")]


def _file_key(db: Path) -> tuple[int, ...] | None:
    try:
        st = db.stat()
    except FileNotFoundError:
        return None
    try:  # an empty -wal is what opening the file makes; one with pages holds commits not yet in the file
        wal = Path(f"{db}-wal").stat()
        wal_key = (wal.st_size, wal.st_mtime_ns) if wal.st_size else (0, 0)
    except FileNotFoundError:
        wal_key = (0, 0)
    return (st.st_size, st.st_mtime_ns, *wal_key)


def _read_stamp(db: Path) -> Any:
    try:
        return json.loads((db.parent / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def record_sound(db: Path) -> None:
    """Note that the file as it is now is sound (after a clean check, or a clean close of a store found sound)."""
    key = _file_key(db)
    if key is None:
        return
    stamp = db.parent / STAMP_NAME
    tmp = stamp.with_name(stamp.name + ".partial")
    try:
        tmp.write_text(json.dumps({"file": db.name, "key": list(key)}), encoding="utf-8")
        os.replace(tmp, stamp)
    except OSError:  # a read-only folder or a full disk: the next open checks again, nothing more
        log.debug("could not record the check of %s", db.name, exc_info=True)
        tmp.unlink(missing_ok=True)
    _checked[(str(db), key)] = []


def check_at_open(db: Path, engine: Engine) -> list[str]:
    """SQLite's quick check of the file, in words; skipped when the file is as it was when last seen sound."""
    key = _file_key(db)
    if key is None:
        return []
    cached = _checked.get((str(db), key))
    if cached is not None:
        return cached
    stamp = _read_stamp(db)
    if isinstance(stamp, dict) and stamp.get("file") == db.name and stamp.get("key") == list(key):
        _checked[(str(db), key)] = []
        return []
    findings = [in_words(f) for f in integrity_findings(engine, quick=True)]
    if findings:
        _checked[(str(db), key)] = findings
        log.info("the database failed its quick check: %s", "; ".join(findings[:5]))
    else:
        record_sound(db)
    return findings
