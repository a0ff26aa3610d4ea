"""Full-text search over inquiries (FTS5), with exact matches on Inquiry IDs first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..core.inquiry_ids import looks_like_reference
from ..core.personal_details import sees_personal_details
from ..models import Inquiry
from .context import ServiceContext
from .withholding import shown

_TOKEN = re.compile(r"\w+", re.UNICODE)


# The index's columns of the inquirer's personal details (store/migrations 0001, ``inquiry_fts``).
PERSONAL_COLUMNS = ("user_name", "user_email")


def fts_query(user_text: str, *, personal: bool = True) -> str | None:
    """Each word must appear (prefix match on the last one, so results come while typing). Without
    ``personal`` the inquirer's name and email are not searched: a role that may not see them cannot find an
    inquiry by them either (a hit would tell whose it is)."""
    words = _TOKEN.findall(user_text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    query = " ".join(quoted)
    return query if personal else f"-{{{' '.join(PERSONAL_COLUMNS)}}} : ({query})"


def search_inquiry_ids(session: Session, user_text: str, limit: int = 50, *, personal: bool = True) -> list[str]:
    """Row ids of matching inquiries, best first: an exact reference, then FTS rank (without ``personal``, in
    the columns that are not the inquirer's details)."""
    found: list[str] = []
    stripped = user_text.strip().upper()
    if looks_like_reference(stripped):
        found += session.scalars(select(Inquiry.id).where(
            (Inquiry.inquiry_ref == stripped) | (Inquiry.provisional_ref == stripped),
            Inquiry.deleted.is_(False))).all()
    query = fts_query(user_text, personal=personal)
    if query:
        rows = session.execute(text(
            "SELECT inquiry.id FROM inquiry_fts JOIN inquiry ON inquiry.rowid = inquiry_fts.rowid "
            "WHERE inquiry_fts MATCH :q AND inquiry.deleted = 0 ORDER BY rank LIMIT :n"),
            {"q": query, "n": limit}).scalars().all()
        found += [r for r in rows if r not in found]
    return found[:limit]


def search_inquiries(session: Session, user_text: str, limit: int = 50, *, personal: bool = True) -> list[Inquiry]:
    ids = search_inquiry_ids(session, user_text, limit, personal=personal)
    if not ids:
        return []
    by_id = {i.id: i for i in session.scalars(select(Inquiry).where(Inquiry.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


@dataclass(frozen=True)
class SearchHit:
    id: str
    ref: str
    logged_at: datetime
    status: str
    priority: str
    category: str
    subject: str
    user_name: str  # the placeholder for a role that may not see it


def search_hits(ctx: ServiceContext, user_text: str, limit: int = 50) -> list[SearchHit]:
    """What the quick search and ``saypro inquiry search`` show, as the acting role may see it: a role without
    VIEW_PERSONAL_DETAILS searches only the inquiry's own text (an email finds nothing) and sees hits without
    the inquirer's name."""
    role = ctx.actor.role
    found = search_inquiries(ctx.session, user_text, limit, personal=sees_personal_details(role))
    return [SearchHit(i.id, i.display_id, i.logged_at, i.status.value, i.priority.value, i.category.value, i.subject,
                      shown(role, i.user_full_name)) for i in found]


def rebuild_index(session: Session) -> None:
    """Re-create the index from the inquiries (after a VACUUM, which may renumber rowids)."""
    session.execute(text("DELETE FROM inquiry_fts"))
    session.execute(text(
        "INSERT INTO inquiry_fts(rowid, ref, subject, description, actions, resolution, user_name, user_email) "
        "SELECT i.rowid, trim(coalesce(i.inquiry_ref, '') || ' ' || coalesce(i.provisional_ref, '')), i.subject, "
        "i.description, (SELECT coalesce(group_concat(a.text, ' '), '') FROM action_step a "
        "WHERE a.inquiry_id = i.id AND a.deleted = 0), coalesce(i.resolution, ''), i.user_full_name, "
        "coalesce(i.user_email, '') FROM inquiry i WHERE i.deleted = 0"))
