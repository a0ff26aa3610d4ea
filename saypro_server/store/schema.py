"""The server's tables: the desktop's synced tables (copied from its models) plus the server's own.

The synced tables are the desktop's model definitions copied with ``Table.to_metadata``, so a column
added to a synced model shows up here too (a test compares this metadata with the migrations). The
desktop's local tables and its FTS triggers are not on the server.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
)

from saypro_desktop.models import SYNCED_MODELS
from saypro_desktop.models.base import NAMING, UtcDateTime

metadata = MetaData(naming_convention=NAMING)



def _copy_synced(table: Table) -> Table:
    """Columns and constraints (keys, unique, foreign keys) as the desktop has them, without its indexes:
    those serve the desktop's list screens (some are SQLite expressions). The server reads rows by id."""
    copy = table.to_metadata(metadata)
    for index in list(copy.indexes):
        copy.indexes.discard(index)
    return copy


SYNCED: dict[str, Table] = {name: _copy_synced(model.__table__) for name, model in SYNCED_MODELS.items()}
# Attachment bytes are served only while an attachment row names them (blobs.servable_size): by hash.
Index("ix_attachment_sha256", SYNCED["attachment"].c.sha256)
# Claims take pending ads oldest first; renewal reminders look for approved ads by expiry (moderation.py).
Index("ix_ad_status_submitted_at", SYNCED["ad"].c.status, SYNCED["ad"].c.submitted_at)
Index("ix_ad_status_expires_at", SYNCED["ad"].c.status, SYNCED["ad"].c.expires_at)
# The decisions of one ad (the decision rule walks them when one is undone).
Index("ix_ad_decision_ad_id", SYNCED["ad_decision"].c.ad_id)

# A 64-bit counter that is still SQLite's rowid (only INTEGER PRIMARY KEY aliases it).
Serial = BigInteger().with_variant(Integer(), "sqlite")

server_meta = Table(
    "server_meta", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

credential = Table(
    "credential", metadata,
    Column("user_id", String(36), ForeignKey("staff_user.id"), primary_key=True),
    Column("password_hash", String(255), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

device = Table(
    "device", metadata,
    Column("id", String(36), primary_key=True),  # the desktop's own device id (UUIDv7)
    Column("user_id", String(36), ForeignKey("staff_user.id"), nullable=False),
    Column("name", String(120), nullable=False),
    Column("refresh_hash", String(64)),  # SHA-256 of the current refresh token
    Column("prev_refresh_hash", String(64)),  # the one before, accepted once more if a rotation's answer was lost
    Column("refresh_expires_at", UtcDateTime),
    Column("token_gen", Integer, nullable=False, default=0),  # bumped on sign-out/revoke: old access tokens die
    Column("revoked", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen", UtcDateTime),
    Column("last_seq", BigInteger),  # the device's last applied push sequence; NULL: no record (new or restored)
    Column("pulled_seq", BigInteger),  # the last cursor the device presented on pull
    # The outbox last_seq counts in: a desktop whose store was restored or copied starts a new one.
    Column("outbox_id", String(40)),
    # SHA-256 of the device key, a secret kept outside the desktop's database (keyring): proves the device.
    Column("key_hash", String(64)),
    # Refresh-token rotation (RFC 9700): every token of one sign-in shares a family; reuse of a rotated
    # token outside the single allowed retry ends the family.
    Column("refresh_family", String(32)),
    Column("prev_refresh_used", Boolean, nullable=False, default=False, server_default=false()),
    # How many times the family was rotated: each token carries its number, so a token newer than any this
    # database issued (it was restored from a backup) is told to sign in again, not taken for reuse.
    Column("refresh_count", Integer, nullable=False, default=0, server_default="0"),
    Column("refreshed_at", UtcDateTime),
    Column("schema", String(40)),
    Column("build", String(40)),
    Index("ix_device_user_id", "user_id"),
)

auth_event = Table(
    "auth_event", metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(64), nullable=False),  # folded to lower case: the lock-out key
    Column("user_id", String(36)),
    Column("device_id", String(36)),
    Column("event", String(30), nullable=False),
    Column("ip", String(64)),
    Column("detail", Text),
    Index("ix_auth_event_username_id", "username", "id"),
)

number_counter = Table(
    "number_counter", metadata,
    Column("month", String(4), primary_key=True),  # YYMM
    Column("next", Integer, nullable=False),  # the lowest number never leased nor issued
)

number_lease = Table(
    "number_lease", metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("month", String(4), nullable=False),
    Column("first", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    Column("device_id", String(36)),  # NULL: a number the server issued itself (provisional inquiry)
    Column("user_id", String(36)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("used", Integer, nullable=False, default=0, server_default="0"),  # inquiries pushed with its numbers
    Column("request_id", String(40)),  # the desktop's id of the lease request: asked again, the same block
    Index("ix_number_lease_month_first", "month", "first"),
    Index("ix_number_lease_device_id_request_id", "device_id", "request_id"),
)

number_gap = Table(
    "number_gap", metadata,  # numbers skipped by rotate-epoch after a restore: the only ones a desktop may claim
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("month", String(5), nullable=False),  # YYMM, or *YYMM: every month up to YYMM it had not seen
    Column("first", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_number_gap_month_first", "month", "first"),
)

change_feed = Table(
    "change_feed", metadata,
    Column("seq", Serial, primary_key=True, autoincrement=True),
    Column("table_name", String(40), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("fields", JSON, nullable=False),  # field -> value in its wire (JSON) form
    Column("versions", JSON, nullable=False),  # field -> clock stamp; "*" when the entry creates the row
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_change_feed_table_name_seq", "table_name", "seq"),
    sqlite_autoincrement=True,  # a sequence number is never handed out twice, even after deletes
)

conflict = Table(
    "conflict", metadata,
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("table_name", String(40), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("field", String(64), nullable=False),
    Column("kept_value", JSON),
    Column("kept_stamp", String(64), nullable=False),
    Column("losing_value", JSON),
    Column("losing_stamp", String(64), nullable=False),
    Column("kept_device", String(36)),
    Column("losing_device", String(36)),
    Column("pushed_by", String(36)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("settled", Boolean, nullable=False, default=False),
    Column("settled_at", UtcDateTime),
    Column("settled_by", String(36)),
    Column("settled_value", JSON),
    Index("ix_conflict_settled_id", "settled", "id"),
    Index("ix_conflict_row_id", "row_id"),
)

blob = Table(
    "blob", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("received", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False, default=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("completed_at", UtcDateTime),
    Column("user_id", String(36)),  # who began the upload (quota of unfinished uploads)
    Column("updated_at", UtcDateTime),  # the last chunk received (unfinished uploads expire)
)

push_log = Table(
    "push_log", metadata,  # every pushed mutation as received: who, from which device, what, and the answer
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime, nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("outbox_id", String(40), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("mutation_id", String(64), nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("row_id", String(64), nullable=False),
    Column("op", String(16), nullable=False),
    Column("fields", JSON, nullable=False),  # the names of the fields it carried
    Column("status", String(10), nullable=False),
    Column("reason", Text),
    Index("ix_push_log_device_id_outbox_id_seq", "device_id", "outbox_id", "seq"),
    Index("ix_push_log_at", "at"),
    sqlite_autoincrement=True,
)

blob_chunk = Table(
    "blob_chunk", metadata,
    Column("sha256", String(64), ForeignKey("blob.sha256"), primary_key=True),
    Column("start", BigInteger, primary_key=True),
    Column("length", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# -- the classified site (site.py, site_feed.py) and moderation (moderation.py) --

integration = Table(
    "integration", metadata,  # a system that posts ads and reads the moderation feed (the classified site)
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False),  # one active key per name; a revoked name may get a new key
    Column("key_hash", String(64), nullable=False, unique=True),  # SHA-256 of the key; the key is shown once
    Column("key_hint", String(12), nullable=False),  # the key's first characters, to tell keys apart
    Column("created_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
    Index("ix_integration_name", "name"),
)

site_event = Table(
    "site_event", metadata,  # what the site learns: decisions that stand or are withdrawn, sanctions, reminders
    Column("seq", Serial, primary_key=True, autoincrement=True),  # the site's cursor; written under the feed lock
    Column("kind", String(30), nullable=False),
    Column("ad_id", String(36)),
    Column("subject_id", String(36)),  # the decision or sanction the event is about
    Column("payload", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_site_event_ad_id_kind", "ad_id", "kind"),
    sqlite_autoincrement=True,  # a cursor is never handed out twice
)

ad_image = Table(
    "ad_image", metadata,  # the image files an ad names: desktops that see ads may download them
    Column("sha256", String(64), primary_key=True),
    Column("ad_id", String(36), ForeignKey("ad.id"), primary_key=True),
    Column("source", String(80)),  # the integration that posted the ad (it may upload the bytes); NULL: a desktop
)

ad_claim = Table(
    "ad_claim", metadata,  # a moderator's claim of pending ads; asked again with its request id, the same answer
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("device_id", String(36), nullable=False),
    Column("user_id", String(36), nullable=False),
    Column("request_id", String(40), nullable=False),
    Column("ad_ids", JSON, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_ad_claim_device_id_request_id", "device_id", "request_id", unique=True),
)

# -- the audit trail's witness (audit_chain.py) --

audit_link = Table(
    "audit_link", metadata,  # every chained audit entry as the server received it: its link and its content
    Column("id", Serial, primary_key=True, autoincrement=True),
    Column("device_id", String(36), nullable=False),  # the chain's device (the desktop that wrote the entry)
    Column("seq", BigInteger, nullable=False),
    Column("entry_id", String(36), nullable=False),
    Column("prev_hash", String(64)),
    Column("entry_hash", String(64), nullable=False),
    Column("content", JSON, nullable=False),  # the hashed fields as received, in their JSON form
    Column("stored_hash", String(64), nullable=False),  # SHA-256 of the audit_entry row as the server stored it
    Column("status", String(12), nullable=False),  # ok, start, branch, fork, gap, bad_hash at receipt
    Column("note", Text),
    Column("pushed_by", String(36), nullable=False),  # the signed-in user
    Column("pushed_from", String(36), nullable=False),  # the device that sent it (another one: a repair, a copy)
    Column("received_at", UtcDateTime, nullable=False),
    Index("ix_audit_link_device_id_seq", "device_id", "seq"),
    Index("ix_audit_link_entry_id", "entry_id"),
    sqlite_autoincrement=True,
)
