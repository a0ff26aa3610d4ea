"""Full-text search over inquiries (FTS5), with exact matches on Inquiry IDs first."""

from __future__ import annotations

import re

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..core.inquiry_ids import looks_like_reference
from ..models import Inquiry

_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(user_text: str) -> str | None:
    """Each word must appear (prefix match on the last one, so results come while typing)."""
    words = _TOKEN.findall(user_text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def search_inquiry_ids(session: Session, user_text: str, limit: int = 50) -> list[str]:
    """Row ids of matching inquiries, best first: an exact reference, then FTS rank."""
    found: list[str] = []
    stripped = user_text.strip().upper()
    if looks_like_reference(stripped):
        found += session.scalars(select(Inquiry.id).where(
            (Inquiry.inquiry_ref == stripped) | (Inquiry.provisional_ref == stripped),
            Inquiry.deleted.is_(False))).all()
    query = fts_query(user_text)
    if query:
        rows = session.execute(text(
            "SELECT inquiry.id FROM inquiry_fts JOIN inquiry ON inquiry.rowid = inquiry_fts.rowid "
            "WHERE inquiry_fts MATCH :q AND inquiry.deleted = 0 ORDER BY rank LIMIT :n"),
            {"q": query, "n": limit}).scalars().all()
        found += [r for r in rows if r not in found]
    return found[:limit]


def search_inquiries(session: Session, user_text: str, limit: int = 50) -> list[Inquiry]:
    ids = search_inquiry_ids(session, user_text, limit)
    if not ids:
        return []
    by_id = {i.id: i for i in session.scalars(select(Inquiry).where(Inquiry.id.in_(ids)))}
    return [by_id[i] for i in ids if i in by_id]


def rebuild_index(session: Session) -> None:
    """Re-create the index from the inquiries (after a VACUUM, which may renumber rowids)."""
    session.execute(text("DELETE FROM inquiry_fts"))
    session.execute(text(
        "INSERT INTO inquiry_fts(rowid, ref, subject, description, actions, resolution, user_name, user_email) "
        "SELECT i.rowid, trim(coalesce(i.inquiry_ref, '') || ' ' || coalesce(i.provisional_ref, '')), i.subject, "
        "i.description, (SELECT coalesce(group_concat(a.text, ' '), '') FROM action_step a "
        "WHERE a.inquiry_id = i.id AND a.deleted = 0), coalesce(i.resolution, ''), i.user_full_name, "
        "coalesce(i.user_email, '') FROM inquiry i WHERE i.deleted = 0"))
