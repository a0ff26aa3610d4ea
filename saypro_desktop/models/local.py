"""Tables that stay on this desktop: the outbox, the device's clock, ID blocks, settings, sign-in verifiers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UtcDateTime


class ChangeLogEntry(Base):
    """One local mutation waiting for (or acknowledged by) the server: the sync outbox.

    Written in the same transaction as the change it describes. ``seq`` is the per-device sequence
    the server uses to detect replays and gaps.
    """

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_state_seq", "state", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mutation_id: Mapped[str] = mapped_column(String(36), unique=True)
    device_id: Mapped[str] = mapped_column(String(36))
    table_name: Mapped[str] = mapped_column(String(40))
    row_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(10))  # insert, update, delete
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # field -> new value (JSON-encoded form)
    hlc: Mapped[str] = mapped_column(String(64))  # the stamp every field of this mutation carries
    # field -> the stamp it had before this edit: lets the server tell "both sides changed" (a conflict)
    # from "we changed what we had last seen of the server's value" (not one)
    base: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(10), default="pending")  # pending, acked, rejected
    reason: Mapped[str | None] = mapped_column(Text)


class DeviceState(Base):
    """This desktop's identity and its persisted hybrid logical clock (one row)."""

    __tablename__ = "device_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(36))
    device_tag: Mapped[str] = mapped_column(String(4))  # 4 hex digits for provisional references
    hlc_wall_ms: Mapped[int] = mapped_column(Integer, default=0)
    hlc_counter: Mapped[int] = mapped_column(Integer, default=0)
    provisional_counter: Mapped[int] = mapped_column(Integer, default=0)
    # The outbox this store's sequence numbers count in. A restored store starts a new one, so the server
    # never mistakes its new changes for ones it applied before the restore.
    outbox_id: Mapped[str] = mapped_column(String(32))
    # The newest entry of this device's audit chain (core/audit_chain.py): the next one follows it, and
    # `saypro audit verify` sees the newest entries deleted.
    audit_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_hash: Mapped[str | None] = mapped_column(String(64))


class SetAsideChange(Base):
    """A pulled change this desktop could not apply (a newer server's value, a row that breaks a rule here).

    Kept with its reason and shown in the sync status; the rest of the feed applies without it. It is
    tried again when the app or its schema changes (an upgrade that understands it), and dropped once
    applied."""

    __tablename__ = "set_aside_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    server_seq: Mapped[int] = mapped_column(Integer)
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(64))
    change: Mapped[dict[str, Any]] = mapped_column(JSON)  # the change as the server sent it
    reason: Mapped[str] = mapped_column(Text)
    build: Mapped[str] = mapped_column(String(40))  # app version and schema it failed on
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_tried: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)


class IdBlock(Base):
    """A block of inquiry sequence numbers for one month that this desktop may issue."""

    __tablename__ = "id_block"
    __table_args__ = (UniqueConstraint("month_key", "first"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month_key: Mapped[str] = mapped_column(String(4))  # YYMM
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))  # standalone, lease


SYNC_USERNAME = "sync.username"  # the Setting that names the server user this desktop is enrolled as
SYNC_ENROLLED = "sync.enrolled"  # the Setting that says this desktop has been enrolled with a server


class Setting(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class LocalCredential(Base):
    """The local sign-in verifier of a staff user (scrypt), so staff can sign in offline."""

    __tablename__ = "local_credential"

    user_id: Mapped[str] = mapped_column(ForeignKey("staff_user.id"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
