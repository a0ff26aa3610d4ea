"""Linked inquiries and attachments stored by content hash in the data folder."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import select

from ..core.file_names import safe_file_name
from ..core.permissions import Permission, PermissionDenied, Role
from ..core.personal_details import sees_personal_details
from ..core.row_checks import MAX_ATTACHMENT_BYTES, SHA256_RE
from ..models import Attachment, Inquiry, InquiryLink
from .context import ServiceContext

_LINKS = uuid.UUID("5a7e0c4e-1d2b-4c39-9a61-6c1f0e3b8d27")  # the namespace of link ids


def link_id(low: str, high: str) -> str:
    """The id of the link between two inquiries, the same on every desktop: two desktops that link the same pair
    while apart make one row, not two that clash."""
    return str(uuid.uuid5(_LINKS, f"{low}|{high}"))


def link_inquiries(ctx: ServiceContext, a: Inquiry, b: Inquiry) -> InquiryLink:
    ctx.require(Permission.EDIT_INQUIRY)
    if a.id == b.id:
        raise ValueError("an inquiry cannot be linked to itself")
    low, high = sorted((a.id, b.id))
    link = ctx.session.scalar(select(InquiryLink).where(InquiryLink.inquiry_id == low,
                                                        InquiryLink.linked_inquiry_id == high))
    if link is None:
        link = InquiryLink(id=link_id(low, high), inquiry_id=low, linked_inquiry_id=high)
        ctx.session.add(link)
    elif link.deleted:
        link.deleted = False
    else:
        raise ValueError(f"{a.display_id} and {b.display_id} are already linked")
    return link


def unlink_inquiries(ctx: ServiceContext, a: Inquiry, b: Inquiry) -> None:
    ctx.require(Permission.EDIT_INQUIRY)
    low, high = sorted((a.id, b.id))
    link = ctx.session.scalar(select(InquiryLink).where(InquiryLink.inquiry_id == low,
                                                        InquiryLink.linked_inquiry_id == high,
                                                        InquiryLink.deleted.is_(False)))
    if link is None:
        raise ValueError(f"{a.display_id} and {b.display_id} are not linked")
    link.deleted = True


def blob_path(root: Path, sha256: str) -> Path:
    """Where the file with this SHA-256 lives under ``root``. Anything but 64 lower-case hex digits is refused
    (ValueError): hashes come from synced rows, and no row may make a path outside the attachments folder."""
    if not isinstance(sha256, str) or not SHA256_RE.match(sha256):
        shown = repr(sha256)[:80]
        raise ValueError(f"{shown} is not a SHA-256 (64 lower-case hexadecimal characters); no attachment file "
                         "has that name")
    return root / sha256[:2] / sha256


def store_blob(root: Path, source: Path) -> tuple[str, int]:
    """Copy ``source`` into the content store; returns (sha256, size). Same bytes are stored once."""
    size = source.stat().st_size
    if size > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"{source.name} is {size / 1e6:.0f} MB; attachments are limited to "
                         f"{MAX_ATTACHMENT_BYTES // 1_000_000} MB")
    digest = hashlib.sha256()
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out, source.open("rb") as src:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        target = blob_path(root, digest.hexdigest())
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp_name)
        else:
            os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size


def add_attachment(ctx: ServiceContext, inquiry: Inquiry, source: Path, filename: str | None = None) -> Attachment:
    ctx.require(Permission.EDIT_INQUIRY)
    if ctx.attachments_dir is None:
        raise RuntimeError("no attachments folder in this context")
    if not source.is_file():
        raise FileNotFoundError(f"{source} is not a file")
    sha, size = store_blob(ctx.attachments_dir, source)
    name = safe_file_name(filename or source.name)  # the name travels to every desktop: a plain name only
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    att = Attachment(inquiry_id=inquiry.id, filename=name, sha256=sha, size=size, media_type=media,
                     added_by_id=ctx.actor.id)
    ctx.session.add(att)
    return att


def remove_attachment(ctx: ServiceContext, attachment: Attachment) -> None:
    """A tombstone: the file stays in the content store (another inquiry may share the bytes)."""
    ctx.require(Permission.EDIT_INQUIRY)
    attachment.deleted = True


def export_attachment(root: Path, attachment: Attachment, target: Path) -> Path:
    """Copy the attachment's file to ``target``, a path the user chose (see ``suggested_name`` for a default)."""
    src = blob_path(root, attachment.sha256)
    if not src.exists():
        raise FileNotFoundError(f"the file of {suggested_name(attachment.filename)} is not on this desktop yet "
                                "(it syncs separately)")
    shutil.copyfile(src, target)
    return target


def suggested_name(filename: str | None) -> str:
    """The attachment's name as a plain file name (the row's name is never used as a path)."""
    return safe_file_name(filename)


def copy_for_opening(root: Path, sha256: str, filename: str | None, open_dir: Path, *,
                     role: Role | None = None) -> Path:
    """A named copy of an attachment's file inside ``open_dir`` to hand to the system's opener (so the viewer
    shows the right name and type): ``open_dir/<hash prefix>/<safe name>``. Only a safe base name of the row's
    ``filename`` is used, and the copy is checked to lie inside ``open_dir`` (ValueError otherwise).

    An attachment (a screenshot, the template PDF) may show the inquirer's details: a ``role`` without
    VIEW_PERSONAL_DETAILS may not open it, as the server never sends such a role the bytes."""
    if role is not None and not sees_personal_details(role):
        raise PermissionDenied(f"attachments may show the inquirer's personal details, which the {role.value} role "
                               "may not see")
    src = blob_path(root, sha256)
    name = safe_file_name(filename)
    if not src.exists():
        raise FileNotFoundError(f"{name} is not on this desktop yet (files sync separately)")
    base = open_dir.resolve()
    target = base / sha256[:16] / name
    if target.resolve().parent != base / sha256[:16] or not target.resolve().is_relative_to(base):
        raise ValueError(f"refusing to write {name} outside {base}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    shutil.copyfile(src, target)
    return target
