"""Attachments by content hash, stored in the database in chunks (so one database backup holds every
attachment, and every server process sees the same files).

An upload is resumable: chunks arrive in order with ``Content-Range``; a retried chunk that overlaps
what is stored only adds its new tail. When the last byte arrives the whole is hashed; a mismatch
discards the upload. Blobs are not written in the feed-locked transaction: hashing a large file must
not hold up pushes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from .store.db import Database
from .store.schema import blob, blob_chunk

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
              max_size: int) -> dict[str, Any]:
    start, total = parse_content_range(content_range, len(data))
    if total > max_size:
        raise BlobError(413, f"attachments are limited to {max_size} bytes")
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
            conn.execute(insert(blob).values(sha256=sha, size=total, received=0, complete=False, created_at=now))
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
            conn.execute(update(blob).where(blob.c.sha256 == sha).values(received=received))
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
            conn.execute(update(blob).where(blob.c.sha256 == sha).values(complete=True, completed_at=now))
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
