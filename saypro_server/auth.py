"""Sign-in, token refresh and sign-out; the per-request check of token, user and device.

Passwords are checked outside any transaction (scrypt at production cost takes a quarter of a second
and 128 MiB, so at most ``MAX_PASSWORD_CHECKS`` run at once per process). The attempt is reserved first
(``lockout``): five failures for one user name within the window lock further tries for the window's
length. A device id is bound to the desktop that first signed in with it by the hash of its device key.
Every sign-in, refusal, refresh failure, token reuse and sign-out is written to ``auth_event``.
"""

from __future__ import annotations

import hmac
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from saypro_desktop.core.access import access_refusal
from saypro_desktop.core.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from saypro_desktop.core.permissions import Role

from . import lockout
from .accounts import audit, staff_user
from .config import ServerSettings
from .store.db import Database, get_meta
from .store.schema import credential, device
from .tokens import (
    AccessClaims,
    TokenInvalid,
    count_of,
    device_key_hash,
    family_of,
    issue_access,
    new_family,
    new_refresh_token,
    read_access,
    refresh_hash,
)

MAX_PASSWORD_CHECKS = 4  # scrypt runs at once in one process: 4 x 128 MiB at most
_PASSWORD_CHECKS = threading.BoundedSemaphore(MAX_PASSWORD_CHECKS)


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


def _usable(user: Any, now: datetime, settings: ServerSettings) -> str | None:
    """Why the user may not work now (deactivated, access expired at the end of its day, office time), or None.
    Checked at sign-in, at every refresh and on every request (a push or pull by such a user is refused)."""
    return access_refusal(user["active"], user["deleted"], user["access_expires_on"], now, settings.office_tz)


def _tokens(conn: Connection, settings: ServerSettings, secret: str, user: Any, device_id: str,
            generation: int, refresh: str, now: datetime) -> dict[str, Any]:
    claims = AccessClaims(user["id"], device_id, generation, int(now.timestamp()) + settings.access_ttl_s)
    return {"access_token": issue_access(secret, claims), "access_expires_in": settings.access_ttl_s,
            "refresh_token": refresh, "user": user_json(user), "server_epoch": get_meta(conn, "epoch")}


def _check_password(password: str, stored: str | None) -> tuple[bool, str | None]:
    """Whether the password matches, and a new verifier when the stored one is below today's cost."""
    with _PASSWORD_CHECKS:
        good = verify_password(password, stored or dummy_hash()) and stored is not None
        rehashed = hash_password(password) if good and stored and needs_rehash(stored) else None
    return good, rehashed


def _fresh_sign_in(family: str, refresh: str, now: datetime, settings: ServerSettings) -> dict[str, Any]:
    """The device columns of a new sign-in: a new refresh-token family whose first token is ``refresh``."""
    return {"refresh_family": family, "refresh_hash": refresh_hash(refresh), "prev_refresh_hash": None,
            "prev_refresh_used": False, "refresh_count": 0, "refreshed_at": None, "last_seen": now,
            "refresh_expires_at": now + timedelta(days=settings.refresh_ttl_days)}


def login(db: Database, settings: ServerSettings, secret: str, username: str, password: str, device_id: str,
          device_name: str, device_key: str, ip: str | None) -> dict[str, Any]:
    try:
        attempt = lockout.reserve(db, settings, username, device_id, ip, settings.clock())
    except lockout.Locked as exc:
        raise AuthError(429, exc.detail, retry_after=exc.retry_after) from None
    with db.read() as conn:
        user = conn.execute(select(staff_user).where(func.lower(staff_user.c.username) == username.lower())
                            .order_by(staff_user.c.deleted)).mappings().first()
        stored = conn.execute(select(credential.c.password_hash).where(credential.c.user_id == user["id"])
                              ).scalar_one_or_none() if user is not None else None
    good, rehashed = _check_password(password, stored)  # outside any transaction: it is slow
    now = settings.clock()
    refusal, status, event = ("wrong user name or password", 401, "login_failed") if not good else \
        (_usable(user, now, settings), 403, "login_refused")
    key_hash = device_key_hash(device_key)
    with db.write(feed_lock=False) as conn:
        lockout.serialise(conn, db, username)  # first: the lock-out lock, then the device row
        known = None
        if refusal is None:
            known = conn.execute(select(device).where(device.c.id == device_id).with_for_update()).mappings().first()
            if known is not None and known["key_hash"] is not None \
                    and not hmac.compare_digest(known["key_hash"], key_hash):
                # Another desktop holds this id (a copied data folder, or someone posing as it). Nothing about
                # the device changes: its real holder keeps its user and its tokens.
                refusal, event = ("this device id is registered to another desktop; this PC's SayPro Desk data "
                                  "was probably copied or restored from another PC and needs a device id of its "
                                  "own (ask IT). Nothing was changed on the server"), "device_key_mismatch"
            elif known is not None and known["revoked"]:
                refusal = "this device was revoked by an Admin; reinstall to enrol it again"
        if refusal is not None:
            lockout.resolve(conn, attempt, event, now, user_id=user["id"] if user else None, detail=refusal)
        else:
            family = new_family()
            refresh = new_refresh_token(family)
            values = {"user_id": user["id"], "name": device_name, **_fresh_sign_in(family, refresh, now, settings)}
            if known is None:
                generation = 0
                conn.execute(insert(device).values(id=device_id, created_at=now, token_gen=0, revoked=False,
                                                   key_hash=key_hash, **values))
            else:
                generation = known["token_gen"] + 1  # the previous user's tokens for this desktop end here
                if known["key_hash"] is None:
                    # Trust on first use: the device signed in before device keys existed, so the first
                    # desktop to present a key for it now owns it; later sign-ins must bring the same key.
                    values["key_hash"] = key_hash
                conn.execute(update(device).where(device.c.id == device_id).values(token_gen=generation, **values))
                if known["user_id"] != user["id"]:
                    audit(conn, now, "device_reassigned", username, user_id=user["id"], device_id=device_id,
                          ip=ip, detail=f"previously used by {known['user_id']}")
            if rehashed is not None:  # made at a lower cost: store today's (unless it changed meanwhile)
                conn.execute(update(credential).where(credential.c.user_id == user["id"],
                                                      credential.c.password_hash == stored)
                             .values(password_hash=rehashed))
            lockout.resolve(conn, attempt, "login_ok", now, user_id=user["id"])
            return _tokens(conn, settings, secret, user, device_id, generation, refresh, now)
    raise AuthError(status, refusal)


def _end_family(conn: Connection, device_id: str) -> None:
    """Every refresh token of the device's sign-in and every access token issued to it stop working."""
    conn.execute(update(device).where(device.c.id == device_id).values(
        refresh_hash=None, prev_refresh_hash=None, refresh_family=None, prev_refresh_used=False,
        token_gen=device.c.token_gen + 1))


def _one_retry(row: Any, digest: str, now: datetime, settings: ServerSettings) -> bool:
    """Whether ``digest`` is the token just replaced, presented for the first time again within the grace
    window (the answer carrying its successor may have been lost), while that successor is still unused."""
    return (row["prev_refresh_hash"] is not None and hmac.compare_digest(digest, row["prev_refresh_hash"])
            and not row["prev_refresh_used"] and row["refreshed_at"] is not None
            and now - row["refreshed_at"] <= timedelta(seconds=settings.refresh_retry_grace_s))


def refresh(db: Database, settings: ServerSettings, secret: str, token: str, device_id: str,
            ip: str | None) -> dict[str, Any]:
    """Rotate the refresh token (RFC 9700 section 4.14): the current token gets a successor; the one just
    replaced gets one retry (see ``_one_retry``); any other token of the family ends the family."""
    now = settings.clock()
    digest, family = refresh_hash(token), family_of(token)
    with db.write(feed_lock=False) as conn:
        row = conn.execute(select(device).where(device.c.id == device_id).with_for_update()).mappings().first()
        user = conn.execute(select(staff_user).where(staff_user.c.id == row["user_id"])).mappings().first() \
            if row is not None else None
        refusal, event, retry = None, "refresh_failed", False
        if row is None or user is None or row["revoked"]:
            refusal = "this device is not signed in; sign in again"
        elif not family or row["refresh_family"] is None or not hmac.compare_digest(family, row["refresh_family"]):
            refusal = "this sign-in has ended; sign in again"  # an ended family: nothing else happens
        elif row["refresh_hash"] is not None and hmac.compare_digest(digest, row["refresh_hash"]):
            pass
        elif _one_retry(row, digest, now, settings):
            retry = True
        elif (count_of(token) or 0) > row["refresh_count"]:
            # Newer than any token this database issued: the server was restored from a backup. It cannot
            # check the token, but nobody replayed an old one either: sign in again, nothing is ended.
            refusal, event = "the server was restored from a backup and no longer knows this sign-in; sign in " \
                             "again", "refresh_unknown"
        else:
            # A replaced token came back after its one retry, after its successor was used, or two or more
            # rotations late: a copy is in other hands. End the sign-in; the desktop signs in again.
            _end_family(conn, device_id)
            refusal, event = "this refresh token was already used, so this device's sign-in was ended for " \
                             "safety; sign in again", "refresh_reuse"
        if refusal is None:
            if row["refresh_expires_at"] is not None and row["refresh_expires_at"] < now:
                refusal = "the sign-in has expired; sign in again"
            else:
                refusal = _usable(user, now, settings)
        if refusal is not None:
            audit(conn, now, event, user["username"] if user else "",
                  user_id=row["user_id"] if row else None, device_id=device_id, ip=ip, detail=refusal)
        else:
            count = row["refresh_count"] + 1
            new = new_refresh_token(row["refresh_family"], count)
            # Normally the current token becomes the previous one (one retry left); a retry keeps the previous
            # one, now spent, so presenting it again, or the successor the lost answer carried, is reuse.
            prev, used = (row["prev_refresh_hash"], True) if retry else (row["refresh_hash"], False)
            conn.execute(update(device).where(device.c.id == device_id).values(
                refresh_hash=refresh_hash(new), prev_refresh_hash=prev, prev_refresh_used=used, refreshed_at=now,
                refresh_count=count,
                last_seen=now, refresh_expires_at=now + timedelta(days=settings.refresh_ttl_days)))
            return _tokens(conn, settings, secret, user, device_id, row["token_gen"], new, now)
    raise AuthError(401, refusal)


def logout(db: Database, settings: ServerSettings, caller: Caller, ip: str | None) -> None:
    now = settings.clock()
    with db.write(feed_lock=False) as conn:
        _end_family(conn, caller.device_id)
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
    refusal = _usable(user, now, settings)
    if refusal:
        raise AuthError(401, refusal)
    if not device_header:
        raise AuthError(403, "send X-SayPro-Device with this desktop's device id")
    if device_header != claims.device_id or dev["user_id"] != claims.user_id:
        raise AuthError(403, "X-SayPro-Device is not a device of the signed-in user")
    return Caller(user["id"], user["username"], user["display_name"], user["role"], claims.device_id)
