"""Password verifiers: scrypt (memory-hard), from the standard library.

Production cost is N=2**17, r=8, p=1 (OWASP's scrypt setting): one hash takes about 128 MiB and a quarter
of a second. A verifier made at a lower cost still verifies; ``needs_rehash`` tells the caller to store a
new one after the next successful sign-in.

Tests sign in thousands of times, so they may lower the cost with ``SAYPRO_SCRYPT_TEST_COST`` (N, a power
of two; ``tests/conftest.py`` sets it). It is only read when set, and a hash made with it is below the
production cost, so a production process without the variable rehashes it at the next sign-in.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
import secrets

PRODUCTION_N = 2**17
_R, _P = 8, 1
# scrypt needs 128 * r * N bytes (128 MiB at N=2**17); hashlib refuses anything over 32 MiB unless told.
# The limit also stops a damaged stored verifier with a huge N from taking all the memory.
MAXMEM = 256 * 1024 * 1024
TEST_COST_ENV = "SAYPRO_SCRYPT_TEST_COST"
MIN_LENGTH = 8


def check_strength(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    if password.isdigit() or password.isalpha():
        return "a password needs letters and at least one digit or symbol"
    return None


def current_n() -> int:
    """scrypt's N for new hashes: the production cost, unless the test suite lowered it."""
    raw = os.environ.get(TEST_COST_ENV)
    if not raw:
        return PRODUCTION_N
    n = int(raw) if raw.isdigit() else 0
    if n < 2 or n & (n - 1) or n > PRODUCTION_N:
        raise ValueError(f"{TEST_COST_ENV}={raw!r}: it must be a power of two from 2 to {PRODUCTION_N}; "
                         "it is for the test suite only, so unset it anywhere else")
    return n


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=MAXMEM)


def hash_password(password: str, *, n: int | None = None) -> str:
    """A new verifier at the current cost (``n`` only for tests that need an old, cheaper one)."""
    n = n or current_n()
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, _R, _P, 32)
    b64 = base64.b64encode
    return f"scrypt${n}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError, MemoryError):  # unreadable, or parameters over MAXMEM
        return False
    return hmac.compare_digest(actual, expected)


def cost_of(stored: str) -> tuple[int, int, int] | None:
    """(N, r, p) of a stored scrypt verifier, or None when it is not one."""
    try:
        scheme, n, r, p, _salt, _digest = stored.split("$")
        return (int(n), int(r), int(p)) if scheme == "scrypt" else None
    except ValueError:
        return None


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made at a lower cost than new hashes get (call after it verified)."""
    cost = cost_of(stored)
    return cost is None or cost[0] < current_n() or cost[1:] != (_R, _P)


@functools.lru_cache(maxsize=4)
def _dummy(n: int) -> str:
    return hash_password("not-a-password-1", n=n)


def dummy_hash() -> str:
    """A verifier no password matches, at the current cost: checking an unknown user against it costs
    the same time as checking a known one, so the answer's timing does not tell which user names exist."""
    return _dummy(current_n())
