"""Attachments by content hash, stored in the database in chunks (so one database backup holds every
attachment, and every server process sees the same files).

An upload is resumable: chunks arrive in order with ``Content-Range``; a retried chunk that overlaps
what is stored only adds its new tail. When the last byte arrives the whole is hashed; a mismatch
discards the upload. Blobs are not written in the feed-locked transaction: hashing a large file must
not hold up pushes.

An unfinished upload belongs to the user who began it (``user_id``) and records when its last chunk came
(``updated_at``). Each user may hold a limited total of declared bytes in unfinished uploads; an upload idle
longer than a limit is deleted, a few at a time whenever an upload begins, and all at once by
``saypro-server prune-uploads``.

Bytes are served only while an attachment row that is not deleted names them, or an ad's image entry
(``servable_size``), so the store is not a drop box for files no inquiry or ad holds. The classified site
uploads the images of the ads it posted (``names_image``) with its integration key.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, text, true, update

from .store.db import Database
from .store.schema import SYNCED, ad_image, blob, blob_chunk

# Idle unfinished uploads deleted when an upload begins (the rest wait for the next one or prune-uploads).
PRUNE_ON_BEGIN = 20
# pg_advisory_xact_lock(class, key): one user's uploads begin one at a time, so the quota holds exactly.
# (The two-key form is a key space apart from the one-key locks in store.db.)
_UPLOAD_LOCK_CLASS = 0x5350

_RANGE_RE = re.compile(r"^bytes (\d{1,15})-(\d{1,15})/(\d{1,15})$")
_REQUEST_RANGE_RE = re.compile(r"^bytes=(\d{0,15})-(\d{0,15})$")


class BlobError(Exception):
    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.extra = status, detail, extra


def status(db: Database, sha: str) -> dict[str, Any]:
    with db.read() as conn:
        row = conn.execute(select(blob).where(blob.c.sha256 == sha)).mappings().first()
    if row is None:
        return {"sha256": sha, "size": None, "received": 0, "complete": False}
    return {"sha256": sha, "size": row["size"], "received": row["received"], "complete": row["complete"]}


def complete_size(db: Database, sha: str) -> int | None:
    with db.read() as conn:
        row = conn.execute(select(blob.c.size, blob.c.complete).where(blob.c.sha256 == sha)).first()
    return row.size if row is not None and row.complete else None


def servable_size(db: Database, sha: str, *, attachments: bool = True, ad_images: bool = False) -> int | None:
    """The size of a complete blob that an attachment row not deleted names (``attachments``), or an ad's image
    entry (``ad_images``); None: not to be served."""
    att, ad = SYNCED["attachment"], SYNCED["ad"]
    named = []
    if attachments:
        named.append(select(att.c.id).where(att.c.sha256 == sha, att.c.deleted.is_not(true())).exists())
    if ad_images:
        named.append(select(ad_image.c.ad_id).join(ad, ad.c.id == ad_image.c.ad_id)
                     .where(ad_image.c.sha256 == sha, ad.c.deleted.is_not(true())).exists())
    if not named:
        return None
    with db.read() as conn:
        row = conn.execute(select(blob.c.size).where(blob.c.sha256 == sha, blob.c.complete.is_(true()),
                                                      or_(*named))).first()
    return row.size if row is not None else None


def names_image(db: Database, sha: str, source: str) -> bool:
    """Whether an ad that ``source`` (an integration) posted names this file among its images."""
    with db.read() as conn:
        return conn.execute(select(ad_image.c.ad_id).where(ad_image.c.sha256 == sha, ad_image.c.source == source)
                            .limit(1)).first() is not None


@dataclass(frozen=True)
class UploadLimits:
    """``max_size``: one file; ``quota``: declared bytes one user may hold in unfinished uploads;
    ``idle``: how long an unfinished upload may wait for its next chunk before it is deleted."""

    max_size: int
    quota: int
    idle: timedelta


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MiB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _last_activity() -> Any:
    return func.coalesce(blob.c.updated_at, blob.c.created_at)


def prune_idle(db: Database, now: datetime, idle: timedelta, limit: int | None = None) -> tuple[int, int]:
    """Delete unfinished uploads whose last chunk came more than ``idle`` ago (at most ``limit`` of them,
    oldest first); returns (uploads, bytes received) removed."""
    idle_unfinished = (blob.c.complete.is_not(true()), _last_activity() < now - idle)
    with db.read() as conn:  # most calls find nothing: no write transaction (SQLite's one writer) for that
        if conn.execute(select(blob.c.sha256).where(*idle_unfinished).limit(1)).first() is None:
            return 0, 0
    query = select(blob.c.sha256, blob.c.received).where(*idle_unfinished).order_by(_last_activity())
    if limit is not None:
        query = query.limit(limit)
    with db.write(feed_lock=False) as conn:
        stale = conn.execute(query.with_for_update(skip_locked=True)).all()
        if not stale:
            return 0, 0
        shas = [row.sha256 for row in stale]
        conn.execute(delete(blob_chunk).where(blob_chunk.c.sha256.in_(shas)))
        conn.execute(delete(blob).where(blob.c.sha256.in_(shas)))
    return len(stale), sum(row.received for row in stale)


def _lock_user(conn: Connection, user_id: str) -> None:
    if conn.dialect.name == "postgresql":  # SQLite: BEGIN IMMEDIATE already lets one writer in at a time
        conn.execute(text("SELECT pg_advisory_xact_lock(CAST(:cls AS integer), CAST(:key AS integer))"),
                     {"cls": _UPLOAD_LOCK_CLASS, "key": zlib.crc32(user_id.encode()) - 2**31})


def _check_quota(conn: Connection, sha: str, total: int, user_id: str, now: datetime, limits: UploadLimits) -> None:
    _lock_user(conn, user_id)
    held = int(conn.execute(select(func.coalesce(func.sum(blob.c.size), 0)).where(
        blob.c.user_id == user_id, blob.c.complete.is_not(true()), blob.c.sha256 != sha,
        _last_activity() >= now - limits.idle)).scalar_one())
    if held + total > limits.quota:
        hours = limits.idle.total_seconds() / 3600
        raise BlobError(413, f"your unfinished uploads already hold {_mib(held)} of the {_mib(limits.quota)} "
                             f"allowed, and this file declares {_mib(total)} more: let SayPro Desk finish "
                             f"sending the files it has begun (sync again) and then try once more; unfinished "
                             f"uploads left idle for {hours:g} hours are deleted",
                        held=held, quota=limits.quota)


def parse_content_range(header: str | None, length: int) -> tuple[int, int]:
    """``(start, total)`` of a chunk; no header means the whole file in one request."""
    if header is None:
        return 0, length
    m = _RANGE_RE.match(header.strip())
    if not m:
        raise BlobError(400, "Content-Range must look like 'bytes 0-1048575/5242880'")
    start, end, total = (int(g) for g in m.groups())
    if end < start or end >= total:
        raise BlobError(400, "Content-Range ends before it starts or past the total size")
    if end - start + 1 != length:
        raise BlobError(400, f"Content-Range names {end - start + 1} bytes but the body has {length}")
    return start, total


def put_chunk(db: Database, sha: str, content_range: str | None, data: bytes, now: datetime,
              limits: UploadLimits, user_id: str) -> dict[str, Any]:
    start, total = parse_content_range(content_range, len(data))
    if total > limits.max_size:
        raise BlobError(413, f"attachments are limited to {_mib(limits.max_size)} ({limits.max_size:,} bytes); "
                             f"this file has {total:,}")
    with db.read() as conn:
        begun = conn.execute(select(blob.c.size).where(blob.c.sha256 == sha)).first()
    if begun is None or begun.size != total:
        prune_idle(db, now, limits.idle, PRUNE_ON_BEGIN)  # an upload begins: clear a few abandoned ones
    with db.write(feed_lock=False) as conn:
        row = conn.execute(select(blob).where(blob.c.sha256 == sha).with_for_update()).mappings().first()
        if row is not None and row["complete"]:
            return {"sha256": sha, "size": row["size"], "received": row["size"], "complete": True}
        if row is not None and row["size"] != total:
            if start != 0:
                raise BlobError(409, f"an upload of {row['size']} bytes was begun; continue it or start again "
                                     "from byte 0", received=row["received"])
            conn.execute(delete(blob_chunk).where(blob_chunk.c.sha256 == sha))
            conn.execute(delete(blob).where(blob.c.sha256 == sha))
            row = None
        if row is None:
            _check_quota(conn, sha, total, user_id, now, limits)
            conn.execute(insert(blob).values(sha256=sha, size=total, received=0, complete=False, created_at=now,
                                             user_id=user_id, updated_at=now))
            received = 0
        else:
            received = row["received"]
        if start > received:
            raise BlobError(409, f"bytes {received} to {start - 1} are missing: resume at {received}",
                            received=received)
        tail = data[received - start:]
        if tail:
            conn.execute(insert(blob_chunk).values(sha256=sha, start=received, length=len(tail), data=tail))
            received += len(tail)
            conn.execute(update(blob).where(blob.c.sha256 == sha).values(received=received, updated_at=now))
    if received < total:
        return {"sha256": sha, "size": total, "received": received, "complete": False}
    return _finish(db, sha, total, now)


def _finish(db: Database, sha: str, total: int, now: datetime) -> dict[str, Any]:
    digest = hashlib.sha256()
    with db.read() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=4).execute(
            select(blob_chunk.c.data).where(blob_chunk.c.sha256 == sha).order_by(blob_chunk.c.start))
        for (data,) in rows:
            digest.update(data)
    with db.write(feed_lock=False) as conn:
        if digest.hexdigest() != sha:
            conn.execute(delete(blob_chunk).where(blob_chunk.c.sha256 == sha))
            conn.execute(delete(blob).where(blob.c.sha256 == sha))
            mismatch = True
        else:
            conn.execute(update(blob).where(blob.c.sha256 == sha).values(complete=True, completed_at=now,
                                                                         updated_at=now))
            mismatch = False
    if mismatch:
        raise BlobError(422, "the bytes received do not have this SHA-256; the upload was discarded, send it again")
    return {"sha256": sha, "size": total, "received": total, "complete": True}


def parse_request_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte range asked for; None for the whole file. A malformed header is ignored (RFC 9110)."""
    if header is None:
        return None
    m = _REQUEST_RANGE_RE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if not m.group(1):  # the last N bytes
        n = int(m.group(2))
        if n == 0 or size == 0:
            raise BlobError(416, "the range is empty", size=size)
        return max(0, size - n), size - 1
    first = int(m.group(1))
    last = int(m.group(2)) if m.group(2) else size - 1
    if first >= size or last < first:
        raise BlobError(416, f"the range is outside the file's {size} bytes", size=size)
    return first, min(last, size - 1)


def iter_bytes(db: Database, sha: str, first: int, last: int) -> Iterator[bytes]:
    """The bytes ``first..last`` chunk by chunk; each chunk is read in its own short transaction."""
    pos = first
    while pos <= last:
        with db.read() as conn:
            row = conn.execute(select(blob_chunk.c.start, blob_chunk.c.data)
                               .where(blob_chunk.c.sha256 == sha, blob_chunk.c.start <= pos)
                               .order_by(blob_chunk.c.start.desc()).limit(1)).first()
        if row is None:
            return
        piece = row.data[pos - row.start: pos - row.start + (last - pos + 1)]
        if not piece:
            return
        yield bytes(piece)
        pos += len(piece)
