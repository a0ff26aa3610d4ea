"""Online backups with SQLite's backup API, kept to the newest few, and restore."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .paths import DataPaths
from .private_files import create_private_file, private_dir

KEEP_BACKUPS = 5


def make_backup(paths: DataPaths, label: str = "manual", keep: int = KEEP_BACKUPS) -> Path:
    """Copy the live database (consistent even while in use) to ``backups/`` and prune old copies."""
    private_dir(paths.backups, contents=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    target = paths.backups / f"saypro-{stamp}-{label}.db"
    partial = create_private_file(target.with_suffix(".partial"))  # 0600 before a byte of data is in it
    src = sqlite3.connect(paths.database)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise OSError(f"the backup copy failed its check ({check}); the database itself was not changed")
    partial.replace(target)
    prune_backups(paths, keep)
    return target


def list_backups(paths: DataPaths) -> list[Path]:
    return sorted(paths.backups.glob("saypro-*.db"))


def prune_backups(paths: DataPaths, keep: int = KEEP_BACKUPS) -> None:
    backups = list_backups(paths)
    for old in backups[: max(0, len(backups) - keep)]:
        old.unlink(missing_ok=True)


def restore_backup(paths: DataPaths, backup: Path) -> None:
    """Put ``backup`` in place of the database. Every connection to the database must be closed."""
    db = paths.database
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    partial = create_private_file(db.with_suffix(".restoring"))
    src = sqlite3.connect(backup)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(db)
