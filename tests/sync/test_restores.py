"""Restores and copies lose no acknowledged work (real server and desktops, SQLite and PostgreSQL).

Each runs the whole sequence: backup, more work, restore, more work, sync of every desktop; then every change
made anywhere is on the server and on every desktop, and no Inquiry ID is issued twice.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from saypro_desktop.cli.main import main as saypro
from saypro_desktop.core.vocab import ActionKind
from saypro_desktop.models import ChangeLogEntry, DeviceState, IdBlock, Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.store.backup import make_backup
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.sync.engine import SyncEngine, enroll, make_client
from saypro_desktop.sync.identity import FileKeyStore
from saypro_desktop.sync.protocol import PROTOCOL_VERSION
from tests.server_fixtures import DEFAULT_PASSWORD, LiveServer
from tests.sync.conftest import Desktop, edit
from tests.sync.helpers import (
    assert_converged,
    assert_nothing_applied_twice,
    backup_server,
    draft,
    restore_server,
)


def _notes(inquiry: Inquiry) -> list[str]:
    """The steps people wrote (writing one also takes an unassigned inquiry on: an Assignment step)."""
    return [s.text for s in inquiry.action_steps if s.kind == ActionKind.NOTE]


def _subjects(desk: Desktop) -> dict[str, tuple[str, str]]:
    """subject -> (status, Inquiry ID)."""
    with desk.store.session() as s:
        return {i.subject: (i.status.value, i.inquiry_ref) for i in s.scalars(select(Inquiry))}


def _reopen(desk: Desktop, live_server: LiveServer, keys: FileKeyStore | None = None) -> Desktop:
    """The desktop app started again on the same data folder (and on the same PC unless ``keys`` says)."""
    tokens = getattr(desk, "tokens", None) or MemoryTokenStore()
    store = open_store(desk.store.paths)
    client = make_client(store, live_server.url, tokens, desk.username, keys=keys)
    again = Desktop(desk.name, store, desk.username, client)
    again.tokens = tokens  # type: ignore[attr-defined]
    return again


@pytest.fixture
def remembered(live_server: LiveServer, tmp_path: Path) -> Any:
    """Desktops whose sign-in is remembered (as in the keyring), so they can be closed and opened again."""
    made: list[Desktop] = []

    def make(name: str, username: str, role: str = "Support Agent") -> Desktop:
        live_server.create_user(username, role)
        store = open_store(DataPaths(tmp_path / name))
        tokens = MemoryTokenStore()
        client = make_client(store, live_server.url, tokens, username)
        enroll(store, client, username, DEFAULT_PASSWORD)
        desk = Desktop(name, store, username, client)
        desk.tokens = tokens  # type: ignore[attr-defined]
        desk.sync()
        made.append(desk)
        return desk

    yield make, made
    for d in made:
        d.client.close()
        d.store.close()


def test_a_server_restored_from_a_backup_loses_no_acknowledged_change(remembered, live_server, tmp_path, request):
    """Case 4: A's changes after the backup were acknowledged; the server is restored and given a new epoch;
    A has a new pending change when it first syncs again. Nothing A did may be 'already on the server'."""
    make, _ = remembered
    a, b = make("a", "anna"), make("b", "ben")
    with a.work() as ctx:
        kept = svc.create_inquiry(ctx, draft("Logged before the backup"))
    a.sync()
    b.sync()
    saved = backup_server(live_server, tmp_path, request)
    with a.work() as ctx:
        after = svc.create_inquiry(ctx, draft("Logged after the backup"))
        svc.change_status(ctx, edit(ctx, kept.id), "In Progress")
    report = a.sync()
    assert report.pushed >= 2, "acknowledged by the server that is about to be lost"
    restore_server(live_server, saved)
    with a.work() as ctx:
        svc.add_action_step(ctx, edit(ctx, after.id), "Called the user back after the restore")
    report = a.sync()
    assert report.duplicates == 0 or report.pushed >= 3, report
    b.sync()
    a.sync()
    for desk in (a, b):
        got = _subjects(desk)
        assert got["Logged before the backup"][0] == "In Progress", f"{desk.name}: the status change is lost"
        assert "Logged after the backup" in got, f"{desk.name}: the inquiry logged after the backup is lost"
    with b.work() as ctx:
        assert _notes(edit(ctx, after.id))[-1] == "Called the user back after the restore"
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_a_local_restore_sends_its_new_changes_as_new(remembered, live_server, tmp_path):
    """Case 5, with 'saypro db restore': the restored store reuses sequence numbers the server has seen; its
    new changes must not be answered 'duplicate', and no number it issued after the backup is issued again."""
    make, made = remembered
    a, b = make("a", "anna"), make("b", "ben")
    with a.work() as ctx:
        first = svc.create_inquiry(ctx, draft("Logged before the local backup"))
    a.sync()
    backup = make_backup(a.store.paths, "test")
    with a.work() as ctx:
        lost_locally = svc.create_inquiry(ctx, draft("Logged after the local backup, synced"))
    a.sync()
    a.client.close()
    a.store.close()
    made.remove(a)
    assert saypro(["db", "restore", str(backup), "--data-dir", str(a.store.paths.root)]) == 0
    a = _reopen(a, live_server)
    made.append(a)
    with a.work() as ctx:
        new = svc.create_inquiry(ctx, draft("Logged after the restore"))
        svc.change_status(ctx, edit(ctx, first.id), "In Progress")
    assert new.inquiry_ref != lost_locally.inquiry_ref, "a number issued after the backup is issued again"
    report = a.sync()
    assert report.rejected == [] and report.set_aside == []
    b.sync()
    a.sync()
    for desk in (a, b):
        got = _subjects(desk)
        assert "Logged after the restore" in got, f"{desk.name}: the change after the restore was dropped"
        assert got["Logged before the local backup"][0] == "In Progress"
        assert "Logged after the local backup, synced" in got, "the server gives back what the backup lacks"
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_a_store_restored_by_hand_is_caught_by_the_server_and_loses_nothing(remembered, live_server, tmp_path):
    """A backup file copied over the database by hand (no 'saypro db restore'): the server sees numbers it
    applied being used for other changes and the desktop starts a new outbox."""
    make, made = remembered
    a, b = make("a", "anna"), make("b", "ben")
    a.sync()
    backup = make_backup(a.store.paths, "by-hand")
    with a.work() as ctx:
        svc.create_inquiry(ctx, draft("Synced after the backup"))
    a.sync()
    a.client.close()
    a.store.close()
    made.remove(a)
    for suffix in ("-wal", "-shm"):
        Path(f"{a.store.paths.database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, a.store.paths.database)
    a = _reopen(a, live_server)
    made.append(a)
    with a.work() as ctx:
        svc.create_inquiry(ctx, draft("Logged after the restore by hand"))
    report = a.sync()
    assert report.new_outbox and report.rejected == []
    b.sync()
    a.sync()
    for desk in (a, b):
        assert {"Synced after the backup", "Logged after the restore by hand"} <= set(_subjects(desk))
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_another_desktops_device_id_is_refused_without_its_key(remembered, live_server):
    """Case 6: the device id is readable in the database file; signing in with it needs the device key."""
    make, _ = remembered
    a = make("a", "anna")
    live_server.create_user("mallory", "Support Agent")
    with a.store.session() as s:
        stolen = s.get(DeviceState, 1).device_id
    r = httpx.post(f"{live_server.api}/auth/login", headers={"X-SayPro-Protocol": str(PROTOCOL_VERSION)}, json={
        "username": "mallory", "password": DEFAULT_PASSWORD, "device_id": stolen, "device_name": "not a",
        "device_key": "x" * 43})
    assert r.status_code == 403 and "another desktop" in r.json()["detail"]
    with a.work() as ctx:
        svc.create_inquiry(ctx, draft("Still mine"))
    report = a.sync()  # the real desktop is untouched: still signed in, and its changes are applied
    assert report.pushed >= 1 and report.duplicates == 0


def test_a_data_folder_copied_to_another_pc_gets_its_own_identity(remembered, live_server, tmp_path):
    """Case 6, by accident: both copies go on working; each one's changes reach the server and the other."""
    make, made = remembered
    a, b = make("a", "anna"), make("b", "ben")
    with a.work() as ctx:
        svc.create_inquiry(ctx, draft("Logged before the copy"))
    with a.store.session() as s:
        original = s.get(DeviceState, 1).device_id
    shutil.copytree(a.store.paths.root, tmp_path / "copy")  # the app was open: the copy is as of a moment
    store = open_store(DataPaths(tmp_path / "copy"))
    other_pc = FileKeyStore(tmp_path / "other-pc-keys")
    client = make_client(store, live_server.url, MemoryTokenStore(), "anna", keys=other_pc)
    assert client.device_id != original, "a copy never pushes as the desktop it was copied from"
    assert client.refresh_token is None, "the copy signs in again"
    enroll(store, client, "anna", DEFAULT_PASSWORD)
    copy = Desktop("copy", store, "anna", client)
    made.append(copy)
    with copy.store.session() as s:
        assert {e.device_id for e in s.scalars(select(ChangeLogEntry).where(ChangeLogEntry.state == "pending"))} \
            == {client.device_id}
    with copy.work() as ctx:
        on_copy = svc.create_inquiry(ctx, draft("Logged on the copy"))
    with a.work() as ctx:
        on_a = svc.create_inquiry(ctx, draft("Logged on the original"))
    assert on_copy.inquiry_ref != on_a.inquiry_ref, "the copy does not issue the original's numbers"
    for desk in (copy, a, b, copy, a, b):
        report = SyncEngine(desk.store, desk.client).run()
        assert report.rejected == [] and report.set_aside == [], report
    for desk in (a, b, copy):
        assert {"Logged before the copy", "Logged on the copy", "Logged on the original"} <= set(_subjects(desk))
    assert_converged(a, b, copy)
    assert_nothing_applied_twice(live_server, a, b, copy)


def test_what_only_copies_hold_goes_back_to_a_restored_server(remembered, live_server, tmp_path, request):
    """A row and a field value made after the server's backup whose outbox entries are gone (dropped after 30
    days here; a desktop restored to an older backup does the same): the desktops that pulled them send them
    back once they have pulled everything from the restored server, and a re-pull never takes them away."""
    make, _ = remembered
    a, b = make("a", "anna"), make("b", "ben")
    with a.work() as ctx:
        old = svc.create_inquiry(ctx, draft("Logged before the backup"))
    a.sync()
    saved = backup_server(live_server, tmp_path, request)
    with a.work() as ctx:
        new = svc.create_inquiry(ctx, draft("Logged after the backup"))
        svc.add_action_step(ctx, new, "Called the user")
        svc.change_status(ctx, edit(ctx, old.id), "In Progress")
    a.sync()
    b.sync()  # b holds copies of all of it
    with a.store.session() as s:  # as if 30 days had passed: a no longer holds the entries
        s.execute(ChangeLogEntry.__table__.delete())
    restore_server(live_server, saved)
    report = b.sync()  # b sends back the value; the row and its note are anna's, her desktop sends them
    assert report.reset and report.repaired == 1, report
    report = a.sync()
    assert report.reset and report.repaired >= 2, report  # the row, its note, their audit entries
    b.sync()
    for desk in (a, b):
        got = _subjects(desk)
        assert got["Logged before the backup"][0] == "In Progress", f"{desk.name}: the value went back"
        assert "Logged after the backup" in got, f"{desk.name}: the row is lost"
    with a.work() as ctx:
        assert _notes(edit(ctx, new.id)) == ["Called the user"]
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_a_provisional_reference_issued_twice_by_a_store_restored_by_hand_breaks_nothing(remembered, live_server):
    """Case 5: the restored store issues a provisional reference again that the server already holds for
    another inquiry. Neither the push nor the pull fails, no error shows SQL or personal details, and both
    inquiries stay findable by it."""
    make, made = remembered
    a, b = make("a", "anna"), make("b", "ben")
    with a.store.session() as s:  # offline for long: no numbers left, provisional references
        s.execute(IdBlock.__table__.delete())
    backup = make_backup(a.store.paths, "by-hand")
    with a.work() as ctx:
        first = svc.create_inquiry(ctx, draft("Logged offline before the restore"))
    assert "-P" in first.display_id
    a.sync()
    a.client.close()
    a.store.close()
    made.remove(a)
    for suffix in ("-wal", "-shm"):
        Path(f"{a.store.paths.database}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup, a.store.paths.database)
    a = _reopen(a, live_server)
    made.append(a)
    with a.store.session() as s:
        s.execute(IdBlock.__table__.delete())
    with a.work() as ctx:
        second = svc.create_inquiry(ctx, draft("Logged offline after the restore"))
    assert second.provisional_ref == first.provisional_ref, "the scenario: the same reference twice"
    report = a.sync()
    assert report.rejected == [] and report.set_aside == [], report
    b.sync()
    a.sync()
    for desk in (a, b):
        with desk.store.session() as s:
            rows = {i.subject: i for i in s.scalars(select(Inquiry))}
            mine, theirs = rows["Logged offline before the restore"], rows["Logged offline after the restore"]
            assert mine.inquiry_ref and theirs.inquiry_ref and mine.inquiry_ref != theirs.inquiry_ref
            assert mine.provisional_ref == first.provisional_ref
            assert theirs.provisional_ref.startswith(f"{first.provisional_ref}~")
        with desk.work() as ctx:
            assert edit(ctx, first.provisional_ref).id == first.id
            assert edit(ctx, theirs.provisional_ref).id == second.id
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)


def test_a_server_restored_to_before_what_a_desktop_still_holds_takes_its_data_back(remembered, live_server,
                                                                                    tmp_path, request):
    """The server lost changes that the desktop has dropped from its outbox since (30 days): no numbering can
    fill that gap. The desktop starts a new outbox for what it holds and, once it has pulled everything
    again, sends back what its data knows newer than the server: it never stops at "contact IT"."""
    make, _ = remembered
    a, b = make("a", "anna"), make("b", "ben")
    with a.work() as ctx:
        svc.create_inquiry(ctx, draft("Logged before the backup"))
    a.sync()
    saved = backup_server(live_server, tmp_path, request)
    with a.work() as ctx:
        later = [svc.create_inquiry(ctx, draft(f"Logged after the backup {k}")) for k in range(3)]
        svc.change_status(ctx, edit(ctx, later[0].id), "In Progress")
    a.sync()
    with a.store.session() as s:  # 30 days later: only the newest acknowledged entry is still held
        newest = s.scalar(select(func.max(ChangeLogEntry.seq)))
        s.execute(ChangeLogEntry.__table__.delete().where(ChangeLogEntry.seq < newest))
    with a.work() as ctx:
        svc.add_action_step(ctx, edit(ctx, later[1].id), "Called back")
    restore_server(live_server, saved)
    report = a.sync()
    assert report.new_outbox and report.repaired >= 3 and report.rejected == [], report
    b.sync()
    a.sync()
    for desk in (a, b):
        got = _subjects(desk)
        assert {f"Logged after the backup {k}" for k in range(3)} <= set(got), desk.name
        assert got["Logged after the backup 0"][0] == "In Progress", desk.name
    with b.work() as ctx:
        assert _notes(edit(ctx, later[1].id)) == ["Called back"]
    assert_converged(a, b)
    assert_nothing_applied_twice(live_server, a, b)
