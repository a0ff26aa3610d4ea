"""Access tokens (HMAC-SHA256 signed, short-lived, stateless) and refresh tokens (random, stored hashed).

An access token is ``base64url(JSON payload) "." base64url(HMAC)``; the payload names the user, the
device, the device's token generation (bumped on sign-out, revoke, password reset and refresh-token
reuse, which kills older access tokens at once) and the expiry in Unix seconds.

A refresh token is ``<family>.<random>``: the family is made at sign-in and shared by every token rotated
from it, so a replayed old token is recognised as one of the family (and ends it) even after its own
hash has been forgotten. The server stores the family id and the hashes of the current and the previous
token, never a token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass


class TokenInvalid(Exception):
    pass


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    device_id: str
    generation: int
    expires: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode(), body.encode("ascii"), hashlib.sha256).digest())


def issue_access(secret: str, claims: AccessClaims) -> str:
    payload = {"u": claims.user_id, "d": claims.device_id, "g": claims.generation, "exp": claims.expires}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{body}.{_sign(secret, body)}"


def read_access(secret: str, token: str, now_s: float) -> AccessClaims:
    try:
        body, signature = token.split(".")
        if not hmac.compare_digest(signature, _sign(secret, body)):
            raise TokenInvalid("the access token's signature does not match")
        payload = json.loads(_unb64(body))
        claims = AccessClaims(str(payload["u"]), str(payload["d"]), int(payload["g"]), int(payload["exp"]))
    except TokenInvalid:
        raise
    except (ValueError, KeyError, TypeError, UnicodeError) as exc:
        raise TokenInvalid("the access token cannot be read") from exc
    if claims.expires <= now_s:
        raise TokenInvalid("the access token has expired; refresh it")
    return claims


def new_family() -> str:
    return secrets.token_hex(16)  # 32 characters: device.refresh_family


def new_refresh_token(family: str, count: int = 0) -> str:
    """``<family>.<rotation number>.<random>``: the family and the number are not secret, the random part is."""
    return f"{family}.{count}.{secrets.token_urlsafe(32)}"


def family_of(token: str) -> str:
    """The family part of a refresh token ("" when it has none: a token from before families, or junk)."""
    family, dot, _ = token.partition(".")
    return family if dot else ""


def count_of(token: str) -> int | None:
    """The rotation number a refresh token claims (None: none). Unauthenticated: only ever used to tell a
    token this database cannot know (newer than its last rotation) from a replaced one."""
    parts = token.split(".")
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() and len(parts[1]) < 10 else None


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def device_key_hash(device_key: str) -> str:
    """What the server keeps of a desktop's device key (``device.key_hash``)."""
    return hashlib.sha256(device_key.encode("utf-8", "replace")).hexdigest()
