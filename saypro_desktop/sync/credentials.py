"""Where the desktop keeps its refresh token: the OS keyring, behind an interface that says whether it is
one (after Vorta's keyring/abc.py). Without a usable keyring the token lives in memory only and the
user is asked to sign in again each time the app starts; a secret never goes to a plain file or a log."""

from __future__ import annotations

import contextlib
import logging
import threading
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)
SERVICE = "SayPro Desk"


class TokenStore(ABC):
    persistent: bool

    @abstractmethod
    def get(self, key: str) -> str | None: ...

    @abstractmethod
    def set(self, key: str, secret: str) -> None: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @property
    def description(self) -> str:
        return type(self).__name__


class MemoryTokenStore(TokenStore):
    persistent = False

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._secrets.get(key)

    def set(self, key: str, secret: str) -> None:
        self._secrets[key] = secret

    def delete(self, key: str) -> None:
        self._secrets.pop(key, None)

    @property
    def description(self) -> str:
        return "memory only (no system keyring: sign in again after a restart)"


class KeyringTokenStore(TokenStore):
    persistent = True

    def __init__(self, backend: object) -> None:
        self.backend = backend

    def get(self, key: str) -> str | None:
        return self.backend.get_password(SERVICE, key)  # type: ignore[attr-defined]

    def set(self, key: str, secret: str) -> None:
        self.backend.set_password(SERVICE, key, secret)  # type: ignore[attr-defined]

    def delete(self, key: str) -> None:
        import keyring.errors

        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(SERVICE, key)  # type: ignore[attr-defined]

    @property
    def description(self) -> str:
        return f"system keyring ({type(self.backend).__name__})"


class SystemTokenStore(TokenStore):
    """The OS keyring, looked for on first use: finding keyring's backend loads its plugins (0.1-0.3 s), which a
    desk that never signs in to a server should not pay at start."""

    def __init__(self) -> None:
        self._found: TokenStore | None = None
        self._lock = threading.Lock()

    def _store(self) -> TokenStore:
        with self._lock:  # the first use may be on a worker thread (a sync) and the GUI thread at once
            if self._found is None:
                self._found = _detect_token_store()
            return self._found

    @property  # type: ignore[override]
    def persistent(self) -> bool:
        return self._store().persistent

    def get(self, key: str) -> str | None:
        return self._store().get(key)

    def set(self, key: str, secret: str) -> None:
        self._store().set(key, secret)

    def delete(self, key: str) -> None:
        self._store().delete(key)

    @property
    def description(self) -> str:
        return self._store().description


def system_token_store() -> TokenStore:
    """The OS keyring when a real backend exists, else memory with a warning (both found on first use)."""
    return SystemTokenStore()


def _detect_token_store() -> TokenStore:
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or "null" in type(backend).__module__:
            raise RuntimeError(f"no usable keyring backend ({type(backend).__name__})")
        return KeyringTokenStore(backend)
    except Exception as exc:  # any keyring trouble means: do not persist secrets
        log.warning("tokens will not be remembered: %s", exc)
        return MemoryTokenStore()


def token_key(server_url: str, username: str, device_id: str) -> str:
    return f"{server_url.rstrip('/')}|{username}|{device_id}"
