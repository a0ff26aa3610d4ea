"""The data folder and its files readable by their owner only (POSIX).

The store holds inquirers' personal details and password verifiers. On Linux and macOS the data folder is made
0700 and the database, its ``-wal``/``-shm``/``-journal`` files, backups and attachment files 0600, at creation
and again for an existing store at every open (a few ``stat`` calls; a backups, attachments or logs folder found
open to others also has its files tightened, once). SQLite creates ``-wal`` and ``-shm`` with the mode of the
database file, so a 0600 database keeps them 0600. On Windows the per-user ``%LOCALAPPDATA%`` folder is already
restricted to its owner by its access control list, and ``os.chmod`` only sets the read-only flag there: nothing
is done.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
POSIX = os.name == "posix"


def _chmod(path: Path, mode: int) -> bool:
    """Set ``mode`` when the path is wider; True when it was wider (or could not be narrowed)."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return False
    if current & ~mode == 0:
        return False
    try:
        os.chmod(path, current & mode)
    except OSError as exc:  # a folder of another account (an administrator's --data-dir): say so, go on
        log.warning("could not restrict %s to its owner (%s); check who may read it", path.name,
                    exc.strerror or exc)
    return True


def private_dir(path: Path, *, contents: bool = False) -> Path:
    """Create ``path`` (and parents) and make it 0700. ``contents``: a folder of ours (backups, attachments)
    found open to others also gets everything under it tightened. The data folder itself is not walked: it may
    be one the user named with ``--data-dir``, holding files that are not ours."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if POSIX and _chmod(path, PRIVATE_DIR) and contents:
        for child in path.rglob("*"):
            _chmod(child, PRIVATE_DIR if child.is_dir() else PRIVATE_FILE)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file 0600 (nothing on Windows or for a missing file)."""
    if POSIX:
        _chmod(path, PRIVATE_FILE)
    return path


def create_private_file(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 before anything writes to it (SQLite takes it as an empty database)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.close(fd)
    return private_file(path)


def private_database(db: Path) -> None:
    """The database and its companion files 0600; a missing database is created empty with that mode."""
    if not POSIX:
        return
    if not db.exists():
        create_private_file(db)
    for suffix in ("", "-wal", "-shm", "-journal"):
        private_file(Path(f"{db}{suffix}"))
