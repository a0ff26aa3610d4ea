"""Administration done on the server itself (the ``saypro-server`` command): staff users, passwords,
devices, and a new epoch after restoring a backup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from saypro_desktop.core.passwords import check_strength, hash_password
from saypro_desktop.core.permissions import Role
from saypro_desktop.core.uuids import new_id
from saypro_desktop.sync.protocol import encode

from . import feed, numbers
from .store.db import Database, ServerClock, new_epoch, set_meta
from .store.schema import SYNCED, auth_event, credential, device

staff_user = SYNCED["staff_user"]
audit_entry = SYNCED["audit_entry"]


class AdminError(ValueError):
    """Bad input to an administration command; the message says what to fix."""


def audit(conn: Connection, now: datetime, event: str, username: str, *, user_id: str | None = None,
          device_id: str | None = None, ip: str | None = None, detail: str | None = None) -> None:
    conn.execute(insert(auth_event).values(at=now, username=username.casefold()[:64], user_id=user_id,
                                           device_id=device_id, event=event, ip=ip, detail=detail))


def find_user(conn: Connection, username: str) -> Any:
    return conn.execute(select(staff_user).where(staff_user.c.username == username,
                                                 staff_user.c.deleted.is_(False))).mappings().first()


def _insert_synced(conn: Connection, clock: ServerClock, table: str, values: dict[str, Any], now: datetime) -> str:
    """A row the server itself creates: stamped by the server's clock and put on the feed for every desktop."""
    row_id = new_id()
    stamp = str(clock.tick())
    conn.execute(insert(SYNCED[table]).values(id=row_id, created_at=now, updated_at=now, deleted=False,
                                              field_versions={"*": stamp}, **values))
    wire = {k: encode(v) for k, v in values.items() if v is not None} | {"deleted": False}
    feed.append(conn, table, row_id, wire, {"*": stamp}, now)
    return row_id


def create_user(db: Database, username: str, role: Role, password: str, now: datetime, *,
                display_name: str | None = None, email: str | None = None) -> str:
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise AdminError("a user name needs 1 to 64 characters and no spaces")
    weak = check_strength(password)
    if weak:
        raise AdminError(weak)
    display = (display_name or username).strip()[:120]
    digest = hash_password(password)  # slow: not while holding the feed lock
    with db.write() as conn:
        existing = conn.execute(select(staff_user.c.id, staff_user.c.deleted)
                                .where(func.lower(staff_user.c.username) == username.lower())).first()
        if existing is not None:
            raise AdminError(f"a staff user named {username!r} already exists; use 'saypro-server set-password'")
        clock = ServerClock(conn, now)
        user_id = _insert_synced(conn, clock, "staff_user", {"username": username, "display_name": display,
                                                             "role": role, "email": email, "active": True,
                                                             "access_expires_on": None}, now)
        conn.execute(insert(credential).values(user_id=user_id, password_hash=digest, updated_at=now))
        _insert_synced(conn, clock, "audit_entry", {"at": now, "actor_id": None, "entity": "staff_user",
                                                    "entity_id": user_id, "action": "create",
                                                    "summary": f"{display} ({role.value}) created on the server",
                                                    "changes": {}}, now)
        audit(conn, now, "user_created", username, user_id=user_id, detail=role.value)
        clock.save()
    return user_id


def set_password(db: Database, username: str, password: str, now: datetime) -> int:
    """Set the password and end the user's sign-ins everywhere (returns on how many devices): a reset usually
    means the old password, or a desktop signed in with it, is in the wrong hands, so the access and refresh
    tokens issued before stop working at once."""
    weak = check_strength(password)
    if weak:
        raise AdminError(weak)
    digest = hash_password(password)  # slow: before the transaction
    with db.write(feed_lock=False) as conn:
        user = find_user(conn, username)
        if user is None:
            raise AdminError(f"there is no staff user named {username!r}")
        if conn.execute(select(credential.c.user_id).where(credential.c.user_id == user["id"])).first():
            conn.execute(update(credential).where(credential.c.user_id == user["id"])
                         .values(password_hash=digest, updated_at=now))
        else:
            conn.execute(insert(credential).values(user_id=user["id"], password_hash=digest, updated_at=now))
        ended = conn.execute(update(device).where(device.c.user_id == user["id"]).values(
            refresh_hash=None, prev_refresh_hash=None, refresh_family=None, prev_refresh_used=False,
            token_gen=device.c.token_gen + 1)).rowcount
        audit(conn, now, "password_set", username, user_id=user["id"],
              detail=f"signed out of {ended} device(s): their access and refresh tokens ended")
    return ended


def revoke_device(db: Database, device_id: str, now: datetime) -> dict[str, Any]:
    with db.write(feed_lock=False) as conn:
        row = conn.execute(select(device, staff_user.c.username).join(staff_user, staff_user.c.id == device.c.user_id)
                           .where(device.c.id == device_id)).mappings().first()
        if row is None:
            raise AdminError(f"there is no device {device_id!r}; 'saypro-server list-devices' shows them")
        conn.execute(update(device).where(device.c.id == device_id).values(
            revoked=True, refresh_hash=None, prev_refresh_hash=None, refresh_family=None,
            token_gen=device.c.token_gen + 1))
        audit(conn, now, "device_revoked", row["username"], user_id=row["user_id"], device_id=device_id)
        return dict(row)


def list_devices(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(select(device.c.id, device.c.name, device.c.revoked, device.c.last_seen,
                                   device.c.last_seq, staff_user.c.username)
                            .join(staff_user, staff_user.c.id == device.c.user_id)
                            .order_by(staff_user.c.username, device.c.created_at)).mappings().all()
    return [dict(r) for r in rows]


def rotate_epoch(db: Database, now: datetime, number_gap: int = numbers.DEFAULT_RESTORE_GAP) -> str:
    """After restoring a backup: desktops start their pull again and the server forgets their push cursors
    (a restored database may hold older ones; each device's next sequence is then taken as new). Inquiry
    numbers leased after the backup are skipped by ``number_gap`` per month (see ``numbers``)."""
    if not 0 <= number_gap <= numbers.MAX_GAP:
        raise AdminError(f"--number-gap must be 0 to {numbers.MAX_GAP}")
    epoch = new_epoch()
    with db.write() as conn:
        set_meta(conn, "epoch", epoch)
        set_meta(conn, "restored_at", now.isoformat())  # changes that refer to rows lost in it wait a while
        conn.execute(update(device).values(last_seq=None, pulled_seq=None))
        numbers.skip_after_restore(conn, number_gap, now)
    return epoch
