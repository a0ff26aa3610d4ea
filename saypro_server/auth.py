"""Sign-in, token refresh and sign-out; the per-request check of token, user and device.

Passwords are checked outside any write transaction (scrypt takes tens of milliseconds and must not
hold the writers' lock). Five failures for one user name within the window lock further tries for the
window's length; every sign-in, refusal, refresh failure and sign-out is written to ``auth_event``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from saypro_desktop.core.passwords import hash_password, verify_password
from saypro_desktop.core.permissions import Role

from .accounts import audit, staff_user
from .config import ServerSettings
from .store.db import Database, get_meta
from .store.schema import auth_event, credential, device
from .tokens import AccessClaims, TokenInvalid, issue_access, new_refresh_token, read_access, refresh_hash

_DUMMY_HASH = hash_password("not-a-password-1")  # unknown users cost the same scrypt as known ones


class AuthError(Exception):
    def __init__(self, status: int, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.retry_after = status, detail, retry_after


@dataclass(frozen=True)
class Caller:
    user_id: str
    username: str
    display_name: str
    role: Role
    device_id: str


def user_json(user: Any) -> dict[str, Any]:
    return {"id": user["id"], "username": user["username"], "display_name": user["display_name"],
            "role": user["role"].value}


def _usable(user: Any, today: date) -> str | None:
    if user["deleted"] or not user["active"]:
        return "this account is deactivated; ask an Admin"
    if user["access_expires_on"] is not None and user["access_expires_on"] < today:
        return "this account's access has expired; ask an Admin"
    return None


def _lock_remaining(conn: Connection, username: str, now: datetime, settings: ServerSettings) -> int:
    """Seconds the user name stays locked (0: not locked)."""
    events = conn.execute(select(auth_event.c.event, auth_event.c.at)
                          .where(auth_event.c.username == username.casefold()[:64],
                                 auth_event.c.event.in_(("login_failed", "login_ok")))
                          .order_by(auth_event.c.id.desc()).limit(settings.lock_failures)).all()
    if len(events) < settings.lock_failures or any(e.event != "login_failed" for e in events):
        return 0
    window = timedelta(seconds=settings.lock_window_s)
    newest, oldest = events[0].at, events[-1].at
    if newest - oldest > window:
        return 0
    remaining = (newest + window - now).total_seconds()
    return int(remaining) + 1 if remaining > 0 else 0


def _tokens(conn: Connection, settings: ServerSettings, secret: str, user: Any, device_id: str,
            generation: int, refresh: str, now: datetime) -> dict[str, Any]:
    claims = AccessClaims(user["id"], device_id, generation, int(now.timestamp()) + settings.access_ttl_s)
    return {"access_token": issue_access(secret, claims), "access_expires_in": settings.access_ttl_s,
            "refresh_token": refresh, "user": user_json(user), "server_epoch": get_meta(conn, "epoch")}


def login(db: Database, settings: ServerSettings, secret: str, username: str, password: str, device_id: str,
          device_name: str, ip: str | None) -> dict[str, Any]:
    now = settings.clock()
    with db.read() as conn:
        locked = _lock_remaining(conn, username, now, settings)
        user = conn.execute(select(staff_user).where(func.lower(staff_user.c.username) == username.lower())
                            .order_by(staff_user.c.deleted)).mappings().first()
        stored = conn.execute(select(credential.c.password_hash).where(credential.c.user_id == user["id"])
                              ).scalar_one_or_none() if user is not None else None
    if locked:
        with db.write(feed_lock=False) as conn:
            audit(conn, now, "login_locked", username, device_id=device_id, ip=ip)
        raise AuthError(429, f"too many failed sign-ins for {username!r}; try again in {locked // 60 + 1} minutes",
                        retry_after=locked)
    good = verify_password(password, stored or _DUMMY_HASH) and stored is not None
    refusal = None if good else "wrong user name or password"
    status = 401
    if good:
        refusal = _usable(user, now.date())
        status = 403
    with db.write(feed_lock=False) as conn:
        if refusal is None:
            known = conn.execute(select(device).where(device.c.id == device_id)).mappings().first()
            if known is not None and known["revoked"]:
                refusal, status = "this device was revoked by an Admin; reinstall to enrol it again", 403
        if refusal is not None:
            audit(conn, now, "login_failed" if status == 401 else "login_refused", username,
                  user_id=user["id"] if user else None, device_id=device_id, ip=ip, detail=refusal)
        else:
            refresh = new_refresh_token()
            values = {"user_id": user["id"], "name": device_name, "refresh_hash": refresh_hash(refresh),
                      "prev_refresh_hash": None, "last_seen": now,
                      "refresh_expires_at": now + timedelta(days=settings.refresh_ttl_days)}
            if known is None:
                generation = 0
                conn.execute(insert(device).values(id=device_id, created_at=now, token_gen=0, revoked=False,
                                                   **values))
            else:
                generation = known["token_gen"] + 1  # the previous user's tokens for this desktop end here
                conn.execute(update(device).where(device.c.id == device_id).values(token_gen=generation, **values))
                if known["user_id"] != user["id"]:
                    audit(conn, now, "device_reassigned", username, user_id=user["id"], device_id=device_id,
                          ip=ip, detail=f"previously used by {known['user_id']}")
            audit(conn, now, "login_ok", username, user_id=user["id"], device_id=device_id, ip=ip)
            return _tokens(conn, settings, secret, user, device_id, generation, refresh, now)
    raise AuthError(status, refusal)


def refresh(db: Database, settings: ServerSettings, secret: str, token: str, device_id: str,
            ip: str | None) -> dict[str, Any]:
    now = settings.clock()
    digest = refresh_hash(token)
    with db.write(feed_lock=False) as conn:
        row = conn.execute(select(device).where(device.c.id == device_id).with_for_update()).mappings().first()
        user = conn.execute(select(staff_user).where(staff_user.c.id == row["user_id"])).mappings().first() \
            if row is not None else None
        refusal = None
        if row is None or user is None or row["revoked"]:
            refusal = "this device is not signed in; sign in again"
        elif digest not in (row["refresh_hash"], row["prev_refresh_hash"]):
            refusal = "the refresh token is not valid for this device; sign in again"
        elif row["refresh_expires_at"] is not None and row["refresh_expires_at"] < now:
            refusal = "the sign-in has expired; sign in again"
        else:
            refusal = _usable(user, now.date())
        if refusal is not None:
            audit(conn, now, "refresh_failed", user["username"] if user else "",
                  user_id=row["user_id"] if row else None, device_id=device_id, ip=ip, detail=refusal)
        else:
            new = new_refresh_token()
            # The current token moves to "previous": if this answer is lost on a bad line, the desktop can
            # retry with the token it has. A token older than that is dead.
            prev = row["refresh_hash"] if digest == row["refresh_hash"] else row["prev_refresh_hash"]
            conn.execute(update(device).where(device.c.id == device_id).values(
                refresh_hash=refresh_hash(new), prev_refresh_hash=prev, last_seen=now,
                refresh_expires_at=now + timedelta(days=settings.refresh_ttl_days)))
            return _tokens(conn, settings, secret, user, device_id, row["token_gen"], new, now)
    raise AuthError(401, refusal)


def logout(db: Database, settings: ServerSettings, caller: Caller, ip: str | None) -> None:
    now = settings.clock()
    with db.write(feed_lock=False) as conn:
        conn.execute(update(device).where(device.c.id == caller.device_id).values(
            refresh_hash=None, prev_refresh_hash=None, token_gen=device.c.token_gen + 1))
        audit(conn, now, "logout", caller.username, user_id=caller.user_id, device_id=caller.device_id, ip=ip)


def authenticate(db: Database, settings: ServerSettings, secret: str, token: str | None,
                 device_header: str | None) -> Caller:
    """The caller of an API request, or AuthError (401: sign in or refresh; 403: not this user's device)."""
    if not token:
        raise AuthError(401, "sign in first: send Authorization: Bearer <access token>")
    now = settings.clock()
    try:
        claims = read_access(secret, token, now.timestamp())
    except TokenInvalid as exc:
        raise AuthError(401, str(exc)) from exc
    with db.read() as conn:
        user = conn.execute(select(staff_user).where(staff_user.c.id == claims.user_id)).mappings().first()
        dev = conn.execute(select(device.c.user_id, device.c.revoked, device.c.token_gen)
                           .where(device.c.id == claims.device_id)).mappings().first()
    if user is None or dev is None or dev["revoked"] or dev["token_gen"] != claims.generation:
        raise AuthError(401, "this sign-in has ended; sign in again")
    refusal = _usable(user, now.date())
    if refusal:
        raise AuthError(401, refusal)
    if not device_header:
        raise AuthError(403, "send X-SayPro-Device with this desktop's device id")
    if device_header != claims.device_id or dev["user_id"] != claims.user_id:
        raise AuthError(403, "X-SayPro-Device is not a device of the signed-in user")
    return Caller(user["id"], user["username"], user["display_name"], user["role"], claims.device_id)
