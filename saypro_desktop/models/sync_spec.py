"""What the sync path knows of a synced table, declared once on its model as ``__sync__``.

The desktop's outbox hook, the wire codec, the server's role rules, authorship, merge and feed filter all
read these declarations (docs/ARCHITECTURE.md, "Adding a synced entity"); nothing else lists tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..core.permissions import Permission

# Every change a role with any of these makes is audited, so each may add audit entries.
WRITE_PERMISSIONS = frozenset({
    Permission.CREATE_INQUIRY, Permission.EDIT_INQUIRY, Permission.ADD_NOTE, Permission.CHANGE_STATUS,
    Permission.ASSIGN_INQUIRY, Permission.MANAGE_USERS, Permission.MODERATE_ADS, Permission.MANAGE_MODERATION,
    Permission.EDIT_ARTICLES, Permission.SUGGEST_ARTICLE_EDITS, Permission.MANAGE_REPLIES, Permission.IMPORT,
    Permission.DECIDE_APPEALS, Permission.AUDIT_MODERATION, Permission.RECORD_FEEDBACK,
})  # every permission a SyncSpec names (tests/sync/test_knowledge_sync.py checks it)


@dataclass(frozen=True)
class SyncSpec:
    """Who may do what to the table through sync and which fields are special. A permission set means "any
    one of these"; an empty set means nobody."""

    insert: frozenset[Permission]  # who may add a row
    update: frozenset[Permission] | None = None  # who may change a row's fields (None: as insert)
    delete: frozenset[Permission] = frozenset()  # who may set or clear ``deleted`` (a tombstone)
    delete_own_only: bool = False  # ... and only on rows they wrote (``author``)
    # Fields whose change needs other permissions than ``update`` (e.g. an inquiry's status).
    field_permissions: Mapping[str, frozenset[Permission]] = field(default_factory=dict)
    append_only: bool = False  # rows are added, never changed (notes, the audit trail, decisions)
    audited: bool = False  # the outbox hook writes an audit entry for every insert and change
    author: str | None = None  # the field naming who wrote the row: the server sets it to the signed-in user
    event_time: str | None = None  # when it happened (append-only rows): never later than the server's clock
    immutable: frozenset[str] = frozenset()  # fixed once the row exists (changing them makes another record)
    write_once: frozenset[str] = frozenset()  # set once from empty, never changed (an Inquiry ID once shown)
    # Another person's details: withheld from roles without VIEW_PERSONAL_DETAILS, in every change sent.
    personal: frozenset[str] = frozenset()
    conflict_text: frozenset[str] = frozenset()  # two edits of these keep both: the loser becomes a conflict
    server_set: frozenset[str] = frozenset()  # fields the server decides; a desktop's value never replaces them

    def updaters(self) -> frozenset[Permission]:
        return frozenset() if self.append_only else (self.insert if self.update is None else self.update)
