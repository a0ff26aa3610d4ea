"""Failures of the disk and of the database file, told as what happened and what to do.

A full disk shows up as SQLite's "database or disk is full" (``sqlite3.OperationalError``, wrapped by SQLAlchemy)
or as ``OSError`` ENOSPC when a file is written; a damaged file as "database disk image is malformed". Each
command and the app's task runner turn these into one message with :func:`explain`; the transaction that failed
is rolled back, so nothing of it was stored.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError

DISK_FULL = "database or disk is full"
_DAMAGED = ("database disk image is malformed", "file is not a database")


def _driver_error(exc: BaseException) -> BaseException:
    return exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc


def is_disk_full(exc: BaseException) -> bool:
    err = _driver_error(exc)
    if isinstance(err, sqlite3.OperationalError) and DISK_FULL in str(err):
        return True
    return isinstance(err, OSError) and err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def is_damaged(exc: BaseException) -> bool:
    err = _driver_error(exc)
    return isinstance(err, sqlite3.DatabaseError) and any(m in str(err) for m in _DAMAGED)


def explain(exc: BaseException, *, what: str = "the change") -> str | None:
    """One message for a full disk or a damaged database (``what`` names the work that stopped, e.g.
    "'saypro import'"); None for any other error."""
    if is_disk_full(exc):
        err = _driver_error(exc)
        where = f" writing {err.filename}" if isinstance(err, OSError) and err.filename else ""
        return (f"the disk is full{where}: {what} stopped and nothing of it was stored; the data is as it was. "
                "Free some space on the drive of the data folder (or of the file's folder), then try again.")
    if is_damaged(exc):
        return (f"the database file is damaged: {what} could not finish. Run 'saypro db check' to see what is "
                "wrong, then close SayPro Desk and 'saypro db restore' the newest good backup.")
    return None
