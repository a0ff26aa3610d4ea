"""The server as the witness of the desktops' audit chains (real server and desktops, SQLite and PostgreSQL).

A desktop's own check cannot see a whole chain rewritten consistently in its file; the server's copy of what it
received can. A desktop restored from a backup, which sends its entries again and goes on from its backup, is not
tampering and is not reported as such.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from saypro_desktop.cli.main import main as saypro
from saypro_desktop.models import AuditEntry, DeviceState
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.audit_verify import verify as verify_local
from saypro_desktop.store import open_store
from saypro_desktop.store.backup import make_backup
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.sync.engine import make_client
from saypro_server import cli as server_cli
from saypro_server.audit_chain import verify as verify_server
from saypro_server.store.schema import SYNCED, audit_link
from tests.audit_forgery import rewrite_whole_chain
from tests.sync.conftest import Desktop, edit
from tests.sync.helpers import draft


def _device(desk: Desktop) -> str:
    with desk.store.session() as s:
        return s.get(DeviceState, 1).device_id


def _local(desk: Desktop) -> Any:
    with desk.store.session() as s:
        return verify_local(s)


def _server_chains(live_server) -> dict[str, Any]:
    with live_server.db.read() as conn:
        return {c.device_id: c for c in verify_server(conn)}


def _own_entries(desk: Desktop) -> list[AuditEntry]:
    device = _device(desk)
    with desk.store.session() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.device_id == device)
                              .order_by(AuditEntry.chain_seq)))


def _work(desk: Desktop, tag: str) -> list[str]:
    with desk.work() as ctx:
        refs = [svc.create_inquiry(ctx, draft(f"{tag} question {k}")).display_id for k in range(2)]
    with desk.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, refs[0]), subject=f"{tag} question 0, edited")
        svc.change_status(ctx, edit(ctx, refs[1]), "In Progress")
    return refs


def test_the_server_keeps_each_desktops_chain_as_received_and_finds_it_whole(desktops, live_server, capsys):
    a, b = desktops("a", "anna"), desktops("b", "ben")
    _work(a, "A")
    _work(b, "B")
    for desk in (a, b, a):
        assert desk.sync().rejected == []
    chains = _server_chains(live_server)
    for desk in (a, b):
        mine = _own_entries(desk)
        chain = chains[_device(desk)]
        assert chain.ok and chain.findings == [] and chain.notes == []
        assert (chain.first, chain.last, chain.entries) == (1, mine[-1].chain_seq, len(mine))
        assert _local(desk).ok
    with live_server.db.read() as conn:
        assert {r.status for r in conn.execute(select(audit_link))} == {"ok"}
    assert server_cli.main(["--database-url", live_server.db_url, "verify-audit"]) == 0
    assert capsys.readouterr().out.strip().endswith("2 device chain(s) checked; all ok")


def test_a_chain_rewritten_whole_in_the_file_passes_locally_but_forks_from_the_servers_copy(desktops, live_server,
                                                                                           capsys):
    a = desktops("a", "anna")
    refs = _work(a, "A")
    a.sync()
    original = next(e for e in _own_entries(a) if e.action == "update" and "subject" in e.changes)
    # A forger who knows the rows are compared with the trail keeps the value the row holds: another old one.
    forged = {"subject": ["Something else entirely", "A question 0, edited"]}
    rewrite_whole_chain(a.store.paths.database, original.id, forged)
    assert _local(a).ok, "a consistent rewrite is beyond a local check (docs/SECURITY.md)"
    with a.work() as ctx:  # the desktop goes on working: its next entry follows the rewritten chain
        svc.change_status(ctx, edit(ctx, refs[0]), "In Progress")
    after = _own_entries(a)[-1]
    a.sync()
    chain = _server_chains(live_server)[_device(a)]
    assert not chain.ok
    fork = next(f for f in chain.findings if f.serious)
    assert fork.kind == "fork" and fork.entry_id == after.id and fork.seq == after.chain_seq
    with live_server.db.read() as conn:  # the server's copy still says what happened
        row = conn.execute(select(SYNCED["audit_entry"]).where(SYNCED["audit_entry"].c.id == original.id)).one()
        assert row.changes == original.changes
        status = conn.execute(select(audit_link.c.status).where(audit_link.c.entry_id == after.id)).scalar()
        assert status == "fork"
    assert server_cli.main(["--database-url", live_server.db_url, "verify-audit", "--device", _device(a)]) == 1
    out = capsys.readouterr().out
    assert "BROKEN" in out and after.id in out and "forks from the server's copy" in out


def test_an_audit_row_edited_or_deleted_on_the_server_is_named(desktops, live_server):
    a = desktops("a", "anna")
    _work(a, "A")
    a.sync()
    entries = _own_entries(a)
    table = SYNCED["audit_entry"]
    with live_server.db.write() as conn:
        conn.execute(update(table).where(table.c.id == entries[1].id).values(summary="edited on the server"))
        conn.execute(delete(table).where(table.c.id == entries[3].id))
    chain = _server_chains(live_server)[_device(a)]
    named = {(f.kind, f.entry_id) for f in chain.findings if f.serious}
    assert named == {("edited", entries[1].id), ("deleted", entries[3].id)}


def test_a_desktop_restored_from_a_backup_that_sends_its_entries_again_is_not_flagged(desktops, live_server,
                                                                                      tmp_path):
    a = desktops("a", "anna")
    _work(a, "A")
    a.sync()
    backup = make_backup(a.store.paths, "test")
    _work(a, "After the backup")  # sent, then lost locally with the restore
    a.sync()
    a.client.close()
    a.store.close()
    assert saypro(["db", "restore", str(backup), "--data-dir", str(a.store.paths.root)]) == 0
    store = open_store(a.store.paths)
    a = Desktop("a", store, "anna", make_client(store, live_server.url, MemoryTokenStore(), "anna"))
    try:
        from saypro_desktop.sync.engine import enroll
        from tests.server_fixtures import DEFAULT_PASSWORD

        enroll(store, a.client, "anna", DEFAULT_PASSWORD)
        _work(a, "After the restore")  # goes on from where its backup ended: a branch of its chain
        report = a.sync()
        assert report.rejected == []
        a.sync()
        chain = _server_chains(live_server)[_device(a)]
        assert chain.ok, [f.text for f in chain.findings]
        assert [f.kind for f in chain.findings] == ["branch"]  # a notice, not tampering
        with live_server.db.read() as conn:
            statuses = set(conn.execute(select(audit_link.c.status)).scalars())
        assert statuses <= {"ok", "branch"}
        local = _local(a)  # it pulled back the entries it had sent after the backup: both branches, no forgery
        assert local.ok, [f.text for f in local.findings] + [u.text for u in local.unexplained]
    finally:
        a.client.close()
        a.store.close()
