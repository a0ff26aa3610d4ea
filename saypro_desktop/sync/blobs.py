"""Attachments travel by content hash, apart from rows, in 1 MiB chunks that resume where a broken link
stopped. A file the server already has is not sent again; a file this desktop lacks is fetched."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..models import Attachment
from ..services.links_and_files import blob_path
from .client import SyncClient, SyncError

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024


def _hashes(run_db: Callable[[Callable[[Any], Any]], Any]) -> list[tuple[str, int]]:
    return run_db(lambda s: sorted({(sha, size) for sha, size in s.execute(
        select(Attachment.sha256, Attachment.size).where(Attachment.deleted.is_(False)))}))


def upload_missing(client: SyncClient, root: Path, run_db: Callable[[Callable[[Any], Any]], Any]) -> int:
    """Send every local attachment file the server does not have complete; returns how many were sent."""
    sent = 0
    for sha, size in _hashes(run_db):
        path = blob_path(root, sha)
        if not path.exists():
            continue  # pulled from elsewhere and not downloaded yet
        status = client.blob_status(sha)
        if status.get("complete"):
            continue
        offset = int(status.get("received") or 0)
        with path.open("rb") as fh:
            fh.seek(offset)
            while offset < size:
                data = fh.read(CHUNK)
                if not data:
                    raise SyncError(f"attachment {sha[:12]}… is shorter on disk than recorded")
                status = client.put_blob_chunk(sha, data, offset, size)
                offset = int(status.get("received", offset + len(data)))
                fh.seek(offset)
        sent += 1
    return sent


def download_missing(client: SyncClient, root: Path, run_db: Callable[[Callable[[Any], Any]], Any]) -> int:
    """Fetch attachment files this desktop lacks; a partial download resumes from its ``.part`` file."""
    fetched = 0
    for sha, size in _hashes(run_db):
        target = blob_path(root, sha)
        if target.exists():
            continue
        status = client.blob_status(sha)
        if not status.get("complete"):
            continue  # its desktop has not finished uploading it
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        have = part.stat().st_size if part.exists() else 0
        with part.open("ab") as out:
            while have < size:
                data = client.get_blob_range(sha, have, min(size, have + CHUNK) - 1)
                if not data:
                    raise SyncError(f"the server sent no bytes of attachment {sha[:12]}…")
                out.write(data)
                have += len(data)
            out.flush()
            os.fsync(out.fileno())
        digest = hashlib.sha256()
        with part.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        if digest.hexdigest() != sha:
            part.unlink()
            raise SyncError(f"attachment {sha[:12]}… arrived damaged; it will be fetched again")
        os.replace(part, target)
        fetched += 1
    return fetched
