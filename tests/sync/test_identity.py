"""A desktop's identity: the device key outside the database, copies, restores (no server needed)."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select

from saypro_desktop.models import ChangeLogEntry, DeviceState, IdBlock, Setting
from saypro_desktop.models.local import SYNC_ENROLLED
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.sync.client import SyncError
from saypro_desktop.sync.credentials import MemoryTokenStore, TokenStore
from saypro_desktop.sync.identity import (
    KEY_PENDING,
    FileKeyStore,
    KeyringKeyStore,
    ensure_identity,
    key_store_for,
    start_new_outbox,
)
from tests.conftest import draft


def _state(store):
    with store.session() as s:
        st = s.get(DeviceState, 1)
        return st.device_id, st.device_tag, st.outbox_id


def _enrolled(store, *, blocks: bool = True) -> None:
    with store.session() as s:
        s.add(Setting(key=SYNC_ENROLLED, value=True))
        if blocks:
            s.add(IdBlock(month_key="2501", first=201, last=400, next=211, source="lease"))


def test_a_new_store_gets_a_key_and_keeps_its_identity(store, tmp_path):
    keys = FileKeyStore(tmp_path / "keys")
    before = _state(store)
    device, key = ensure_identity(store, keys)
    assert device == before[0] and len(key) >= 40 and keys.get(device) == key
    assert ensure_identity(store, keys) == (device, key), "the same on the next sync"
    if os.name == "posix":
        mode = (tmp_path / "keys" / f"{device}.key").stat().st_mode
        assert not mode & (stat.S_IRWXG | stat.S_IRWXO), "readable by this account only"
    assert key_store_for(MemoryTokenStore()).__class__ is FileKeyStore, "no keyring: a file outside the data"


def test_an_enrolled_store_without_its_key_is_a_copy_and_becomes_a_device_of_its_own(store, tmp_path, clock):
    _enrolled(store)
    with acting(store, clock=clock) as ctx:
        svc.create_inquiry(ctx, draft())
    device, tag, outbox = _state(store)
    other_pc = FileKeyStore(tmp_path / "other-pc")
    new_device, key = ensure_identity(store, other_pc)
    assert new_device != device and other_pc.get(new_device) == key
    with store.session() as s:
        st = s.get(DeviceState, 1)
        assert (st.device_tag, st.outbox_id) != (tag, outbox)
        assert s.scalars(select(IdBlock).where(IdBlock.source == "lease")).all() == [], \
            "the original desktop still issues from its blocks"
        pending = s.scalars(select(ChangeLogEntry).where(ChangeLogEntry.state == "pending")).all()
        assert pending and {e.device_id for e in pending} == {new_device}, "queued changes go out as the copy"


def test_a_store_enrolled_before_device_keys_registers_its_first_key_as_it_is(store, tmp_path):
    _enrolled(store)
    with store.session() as s:
        s.add(Setting(key=KEY_PENDING, value=True))  # what migration 0003 leaves on an existing store
    device = _state(store)[0]
    assert ensure_identity(store, FileKeyStore(tmp_path / "keys"))[0] == device
    with store.session() as s:
        assert s.get(Setting, KEY_PENDING) is None


def test_a_restored_store_starts_a_new_outbox_and_issues_no_number_twice(store):
    _enrolled(store)
    device, tag, outbox = _state(store)
    with store.session() as s:
        s.add(IdBlock(month_key="2502", first=401, last=600, next=401, source="lease"))  # nothing issued yet
    with store.session() as s:
        start_new_outbox(s)
    with store.session() as s:
        st = s.get(DeviceState, 1)
        assert st.device_id == device and st.outbox_id != outbox and st.device_tag != tag
        blocks = {b.month_key: (b.first, b.last, b.next) for b in s.scalars(select(IdBlock))}
    assert blocks == {"2501": (201, 210, 211)}, "issued numbers stay claimable, the rest is never issued"


class _BrokenKeyring(TokenStore):
    persistent = True

    def get(self, key: str) -> str | None:
        raise RuntimeError("the keyring is locked")

    def set(self, key: str, secret: str) -> None:
        raise RuntimeError("the keyring is locked")

    def delete(self, key: str) -> None:
        pass


def test_a_keyring_that_cannot_be_read_stops_the_sync_and_changes_nothing(store):
    _enrolled(store)
    before = _state(store)
    with pytest.raises(SyncError, match="keyring cannot be read"):
        ensure_identity(store, KeyringKeyStore(_BrokenKeyring()))
    assert _state(store) == before
