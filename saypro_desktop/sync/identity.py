"""This desktop's identity toward the server: a device id (in the database) and a device key (outside it).

- The device key is a random secret kept in the OS keyring, or, without a usable keyring, in a file of the
  user's own settings folder (``SAYPRO_KEY_DIR`` overrides it), never in the data folder: a copied data
  folder must not carry it. The server registers the key with the device id at the first sign-in and
  refuses that id with any other key, so reading a desktop's database file is not enough to pose as it.
- A store whose key is missing after it has worked with a server (its data folder was copied to another
  PC, or the keyring was wiped) takes a new identity before anything is pushed (``new_identity``): a new
  device id, a new outbox and a new tag for provisional references; it drops the leased number blocks it
  holds (the original desktop still issues from them). Its queued changes go out under the new identity
  once the user signs in again (the old sign-in belonged to the old id).
- A store restored from a backup keeps its identity but starts a new outbox (``start_new_outbox``): the
  server applied other changes under the sequence numbers it would reuse. It also takes a new tag for
  provisional references and stops issuing the numbers of its blocks that it may have issued after the
  backup. ``saypro db restore`` does this; a store restored by hand is caught by the server, which answers
  "outbox reused" at the next push (see ``engine``).
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

from platformdirs import user_config_path
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from ..core.uuids import new_id
from ..models import ChangeLogEntry, DeviceState, IdBlock, Setting
from ..models.local import SYNC_ENROLLED
from ..store import Store
from .client import SyncError
from .credentials import TokenStore

log = logging.getLogger(__name__)
KEY_DIR_ENV = "SAYPRO_KEY_DIR"
KEY_PENDING = "sync.device_key_pending"  # set by migration 0003: a store enrolled before device keys existed


class KeyStore(ABC):
    @abstractmethod
    def get(self, device_id: str) -> str | None: ...

    @abstractmethod
    def set(self, device_id: str, key: str) -> None: ...


class KeyringKeyStore(KeyStore):
    """In the OS keyring, beside the refresh tokens. A keyring that cannot be read stops the sync: taking a
    missing answer for a missing key would give this desktop a new identity for nothing."""

    def __init__(self, tokens: TokenStore) -> None:
        self.tokens = tokens

    def get(self, device_id: str) -> str | None:
        try:
            return self.tokens.get(f"device-key|{device_id}")
        except Exception as exc:
            raise SyncError(f"the system keyring cannot be read ({exc}); nothing was changed, try again") from exc

    def set(self, device_id: str, key: str) -> None:
        try:
            self.tokens.set(f"device-key|{device_id}", key)
        except Exception as exc:
            raise SyncError(f"the system keyring cannot store this desktop's key ({exc})") from exc


class FileKeyStore(KeyStore):
    """One file per device id, readable by this OS account only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, device_id: str) -> Path:
        if not device_id.replace("-", "").isalnum():
            raise ValueError(f"{device_id!r} is not a device id")
        return self.folder / f"{device_id}.key"

    def get(self, device_id: str) -> str | None:
        try:
            return self._path(device_id).read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            return None

    def set(self, device_id: str, key: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".key-")
        try:
            os.chmod(tmp, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(key)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._path(device_id))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def key_dir() -> Path:
    configured = os.environ.get(KEY_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    return user_config_path("SayPro Desk", "SayPro", roaming=False) / "device-keys"


def key_store_for(tokens: TokenStore | None) -> KeyStore:
    """The keyring when the token store is one, else a file in the user's settings folder."""
    if tokens is not None and tokens.persistent:
        return KeyringKeyStore(tokens)
    return FileKeyStore(key_dir())


def new_device_key() -> str:
    return secrets.token_urlsafe(32)


def _has_worked_with_server(s: Session) -> bool:
    enrolled = s.get(Setting, SYNC_ENROLLED)
    return bool(enrolled and enrolled.value)


def ensure_identity(store: Store, keys: KeyStore) -> tuple[str, str]:
    """``(device_id, device_key)`` of this store on this PC; a store whose key is not here takes a new identity
    first (see the module docstring)."""
    with store.session() as s:
        state = s.get(DeviceState, 1)
        key = keys.get(state.device_id)
        if key is not None:
            return state.device_id, key
        pending = s.get(Setting, KEY_PENDING)
        if pending is not None:  # enrolled before device keys: its first key is registered as it is
            s.delete(pending)
        elif _has_worked_with_server(s):
            old = state.device_id
            new_identity(s)
            log.warning("device %s: its key is not on this computer (a copied data folder?); this desktop is now "
                        "device %s and signs in again", old, state.device_id)
        key = new_device_key()
        keys.set(state.device_id, key)
        return state.device_id, key


def retire_blocks(s: Session, *, keep_issued: bool) -> None:
    """Stop issuing from leased blocks: with ``keep_issued`` a block keeps the numbers issued before its
    ``next`` (the server may still be told about them when it was restored), otherwise it is dropped."""
    leased = IdBlock.source == "lease"
    if keep_issued:
        s.execute(delete(IdBlock).where(leased, IdBlock.next <= IdBlock.first))
        s.execute(update(IdBlock).where(leased, IdBlock.next <= IdBlock.last).values(last=IdBlock.next - 1))
    else:
        s.execute(delete(IdBlock).where(leased))


def start_new_outbox(s: Session) -> str:
    """After a restore: sequence numbers count afresh in a new outbox; no provisional reference or leased
    number this store may have issued after the backup is issued again."""
    state = s.get(DeviceState, 1)
    state.outbox_id = secrets.token_hex(16)
    state.device_tag = _new_tag(state.device_tag)
    retire_blocks(s, keep_issued=True)
    return state.outbox_id


def new_identity(s: Session) -> str:
    """A copied store becomes a device of its own (the original keeps the old identity)."""
    state = s.get(DeviceState, 1)
    start_new_outbox(s)
    retire_blocks(s, keep_issued=False)
    state.device_id = new_id()
    state.audit_seq, state.audit_hash = 0, None  # a new device starts its own audit chain
    s.execute(update(ChangeLogEntry).where(ChangeLogEntry.state != "acked").values(device_id=state.device_id))
    return state.device_id


def _new_tag(old: str) -> str:
    while (tag := secrets.token_hex(2).upper()) == old:
        pass
    return tag
