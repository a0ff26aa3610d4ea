"""Attachments travel by content hash, apart from rows, in 1 MiB chunks that resume where a broken link
stopped. A file the server already has is not sent again; a file this desktop lacks is fetched.

Files never hold up a sync: what cannot be done for one file (a damaged row, a local copy that no longer
matches its hash, a file the server refuses or does not have) is skipped and said in words, and the run
goes on; a file that arrives damaged is discarded and fetched again next time. Only a refusal that
concerns every file (a role the server does not let read or send files, an unreachable server) ends the
transfers of that run early; a sign-in that is no longer valid still ends the run (the push would fail too).
Fetching needs a role that sees inquirers' personal details: other roles do not try.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select

from ..core.file_names import safe_file_name
from ..core.permissions import Permission, Role, can
from ..core.row_checks import MAX_ATTACHMENT_BYTES
from ..models import Ad, Attachment, Setting
from ..models.local import SYNC_USERNAME
from ..services.links_and_files import blob_path
from ..services.staff import find_staff
from ..store.private_files import PRIVATE_FILE
from .client import AuthError, SyncClient, SyncError, UpgradeRequired

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()  # an empty file: known by its hash, never transferred
_STATUS = re.compile(r"^the server (?:refused|failed) \((\d{3})\)")

RunDb = Callable[[Callable[[Any], Any]], Any]


class FileSync(NamedTuple):
    """What one pass over the attachment files did: how many files were sent (or fetched), and what could
    not be done, one sentence per file. Unpacks as ``done, problems``."""

    done: int
    problems: list[str]


class _File(NamedTuple):
    sha256: str
    sizes: frozenset[int]  # as the attachment rows naming the file say
    name: str  # for messages: a plain name of one of its rows


def _files(run_db: RunDb, *, attachments: bool = True, ad_images: bool = True) -> list[_File]:
    """The files rows name: inquiries' attachments and ads' images (each with the size its row gives)."""
    def read(s: Any) -> list[_File]:
        rows: list[tuple[Any, Any, Any]] = []
        if attachments:
            rows += s.execute(select(Attachment.sha256, Attachment.size, Attachment.filename)
                              .where(Attachment.deleted.is_(False))).all()
        if ad_images:
            for (images,) in s.execute(select(Ad.images).where(Ad.deleted.is_(False))):
                rows += [(i.get("sha256"), i.get("size"), i.get("filename") or "ad image")
                         for i in images or [] if isinstance(i, dict)]
        by_sha: dict[str, tuple[set[int], str]] = {}
        for sha, size, name in rows:
            if isinstance(size, int):
                by_sha.setdefault(str(sha), (set(), safe_file_name(name)))[0].add(size)
        return [_File(sha, frozenset(sizes), name) for sha, (sizes, name) in sorted(by_sha.items())]

    return run_db(read)


def signed_in_role(run_db: RunDb) -> Role | None:
    """The role of the server user this desktop is enrolled as (None: not enrolled, or that user is not here)."""
    def read(s: Any) -> Role | None:
        enrolled = s.get(Setting, SYNC_USERNAME)
        user = find_staff(s, str(enrolled.value)) if enrolled is not None and enrolled.value else None
        return user.role if user is not None else None

    return run_db(read)


def _label(f: _File) -> str:
    return f"{f.name} ({f.sha256[:12]}…)" if len(f.sha256) >= 12 else f"{f.name} ({f.sha256!r})"


def _checked_path(root: Path, f: _File, problems: list[str]) -> Path | None:
    """The file's place under ``root``, or None (and a problem) for a row that cannot name a file."""
    try:
        path = blob_path(root, f.sha256)
    except ValueError:
        problems.append(f"{f.name}: skipped, its attachment row has no valid SHA-256 ({f.sha256[:70]!r})")
        return None
    if not any(0 <= size <= MAX_ATTACHMENT_BYTES for size in f.sizes):
        sizes = ", ".join(f"{size:,}" for size in sorted(f.sizes))
        problems.append(f"{_label(f)}: skipped, its attachment row gives an impossible size ({sizes} bytes)")
        return None
    return path


def _ends_the_pass(exc: SyncError) -> bool:
    """A refusal that every other file would meet too (403: the role; 5xx, an unreachable server or an
    answer that cannot be placed: do not press on) ends this run's transfers; another 4xx concerns one file."""
    status = getattr(exc, "status", None)  # the client's refusals carry their HTTP status
    if not isinstance(status, int):
        m = _STATUS.match(str(exc))
        status = int(m.group(1)) if m else None
    if status is None:
        return not str(exc).startswith("the server refused")
    return status == 403 or status >= 500


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def upload_missing(client: SyncClient, root: Path, run_db: RunDb) -> FileSync:
    """Send every local attachment file the server does not have complete, resuming a partial upload.
    Files not on this desktop yet are left alone; files that cannot be sent are skipped with a problem."""
    sent, problems = 0, []
    for f in _files(run_db):
        path = _checked_path(root, f, problems)
        if path is None or not path.is_file() or f.sha256 == EMPTY_SHA256:
            continue  # pulled from elsewhere and not downloaded yet (or empty: nothing to send)
        try:
            status = client.blob_status(f.sha256)
            if status.get("complete"):
                continue
            if _sha256_of(path) != f.sha256:
                problems.append(f"{_label(f)}: not sent, the copy on this desktop no longer matches its hash "
                                "(damaged on disk)")
                continue
            size = path.stat().st_size
            offset = int(status.get("received") or 0) if status.get("size") == size else 0
            with path.open("rb") as fh:
                while offset < size:
                    fh.seek(offset)
                    data = fh.read(CHUNK)
                    if not data:
                        break
                    status = client.put_blob_chunk(f.sha256, data, offset, size)
                    offset = int(status.get("received", offset + len(data)))
            if not status.get("complete"):
                problems.append(f"{_label(f)}: not sent, the file changed on disk while it was being sent")
                continue
            sent += 1
        except OSError as exc:
            problems.append(f"{_label(f)}: not sent, it cannot be read ({exc.strerror or exc})")
        except (AuthError, UpgradeRequired):
            raise  # the sign-in or the protocol: the whole sync cannot go on
        except SyncError as exc:
            problems.append(f"{_label(f)}: not sent: {exc}")
            if _ends_the_pass(exc):
                break
    for p in problems:
        log.warning("attachment upload: %s", p)
    return FileSync(sent, problems)


def download_missing(client: SyncClient, root: Path, run_db: RunDb, role: Role | None = None) -> FileSync:
    """Fetch attachment files and ad images this desktop lacks; a partial download resumes from its ``.part``
    file.

    ``role``: the signed-in user's role (default: that of the user this desktop is enrolled as); a role that
    does not see inquirers' personal details does not fetch attachments (the server would refuse), one that
    does not see ads does not fetch their images."""
    role = role if role is not None else signed_in_role(run_db)
    attachments = role is None or can(role, Permission.VIEW_PERSONAL_DETAILS)
    ad_images = role is None or can(role, Permission.VIEW_ADS)
    if not attachments and not ad_images:
        return FileSync(0, [])
    fetched, problems = 0, []
    for f in _files(run_db, attachments=attachments, ad_images=ad_images):
        target = _checked_path(root, f, problems)
        if target is None or target.exists():
            continue
        part = target.with_suffix(".part")
        try:
            if f.sha256 == EMPTY_SHA256:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.touch()
                fetched += 1
                continue
            status = client.blob_status(f.sha256)
            if not status.get("complete"):
                continue  # its desktop has not finished uploading it
            size = status.get("size")
            if not isinstance(size, int) or size < 0:
                problems.append(f"{_label(f)}: not fetched, the server gives no size for it")
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            have = part.stat().st_size if part.exists() else 0
            if have > size:
                part.unlink()
                have = 0
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)  # owner only
            with os.fdopen(fd, "ab") as out:
                while have < size:
                    data = client.get_blob_range(f.sha256, have, min(size, have + CHUNK) - 1)
                    if not data:
                        break
                    out.write(data)
                    have += len(data)
                out.flush()
                os.fsync(out.fileno())
            if have < size:
                problems.append(f"{_label(f)}: not fetched completely, the server sent no more bytes (it "
                                "resumes at the next sync)")
                continue
            if _sha256_of(part) != f.sha256:
                part.unlink()
                problems.append(f"{_label(f)}: arrived damaged and was discarded; it is fetched again at the "
                                "next sync")
                continue
            os.replace(part, target)
            fetched += 1
        except OSError as exc:
            problems.append(f"{_label(f)}: not fetched, it cannot be written ({exc.strerror or exc})")
        except (AuthError, UpgradeRequired):
            raise  # the sign-in or the protocol: the whole sync cannot go on
        except SyncError as exc:
            problems.append(f"{_label(f)}: not fetched: {exc}")
            if _ends_the_pass(exc):
                break
    for p in problems:
        log.warning("attachment download: %s", p)
    return FileSync(fetched, problems)
