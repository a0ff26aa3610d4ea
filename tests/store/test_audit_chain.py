"""The audit trail's hash chain on the desktop: written by the write hook, checked by ``saypro audit verify``.

The forgeries are made as someone holding the file would make them: with ``sqlite3`` on the database itself.
"""

from __future__ import annotations

import itertools
import json
import sqlite3

from sqlalchemy import select

from saypro_desktop.cli.main import main as saypro
from saypro_desktop.core.audit_chain import CONTENT_FIELDS, entry_hash
from saypro_desktop.models import AuditEntry, DeviceState, Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.audit_verify import verify
from saypro_desktop.services.context import acting
from tests.audit_forgery import rewrite_whole_chain
from tests.conftest import draft


def _work(store, clock) -> list[str]:
    """Three inquiries, edits and status changes: a chain of several audit entries. Returns their Inquiry IDs."""
    refs = []
    with acting(store, clock=clock) as ctx:
        for n in range(3):
            refs.append(svc.create_inquiry(ctx, draft(subject=f"Question {n}")).display_id)
    with acting(store, clock=clock) as ctx:
        svc.update_inquiry(ctx, svc.get_inquiry(ctx, refs[0]), subject="Question 0, edited")
        svc.change_status(ctx, svc.get_inquiry(ctx, refs[1]), "In Progress")
    return refs


def _chain(store) -> list[AuditEntry]:
    with store.session() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.chain_seq)))


def _verify(store, **kw):
    with store.session() as s:
        return verify(s, **kw)


def _file(store) -> sqlite3.Connection:
    return sqlite3.connect(store.paths.database)


def _serious(result) -> list:
    return [f for f in result.findings if f.serious]


def test_every_entry_is_chained_to_the_one_before_by_the_write_hook(store, clock):
    _work(store, clock)
    chain = _chain(store)
    with store.session() as s:
        state = s.get(DeviceState, 1)
        device, head = state.device_id, (state.audit_seq, state.audit_hash)
    assert len(chain) >= 6
    assert [e.chain_seq for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash is None and all(e.device_id == device for e in chain)
    for before, entry in itertools.pairwise(chain):
        assert entry.prev_hash == before.entry_hash
    for e in chain:  # the hash covers the content, the device, the place and the previous hash
        content = {n: getattr(e, n) for n in CONTENT_FIELDS}
        assert e.entry_hash == entry_hash(content, device, e.chain_seq, e.prev_hash)
    assert head == (chain[-1].chain_seq, chain[-1].entry_hash)
    result = _verify(store)
    assert result.ok and result.findings == [] and result.checked == len(chain)


def test_an_audit_entry_edited_in_the_file_is_named(store, clock):
    _work(store, clock)
    victim = next(e for e in _chain(store) if e.action == "update")
    with _file(store) as con:
        changes = json.loads(con.execute("SELECT changes FROM audit_entry WHERE id = ?", (victim.id,)).fetchone()[0])
        field = next(iter(changes))
        changes[field][1] = "forged"
        con.execute("UPDATE audit_entry SET changes = ? WHERE id = ?", (json.dumps(changes), victim.id))
    result = _verify(store)
    assert not result.ok
    first = _serious(result)[0]
    assert first.entry_id == victim.id and first.kind == "edited" and first.seq == victim.chain_seq
    assert victim.id in first.text


def test_an_audit_entry_whose_time_or_author_was_changed_is_named(store, clock):
    _work(store, clock)
    victim = _chain(store)[2]
    with _file(store) as con:
        con.execute("UPDATE audit_entry SET at = '2024-01-01 09:00:00.000000', actor_id = NULL WHERE id = ?",
                    (victim.id,))
    assert [f.entry_id for f in _serious(_verify(store))] == [victim.id]


def test_a_deleted_audit_entry_is_named_and_so_is_a_deleted_newest_one(store, clock):
    _work(store, clock)
    chain = _chain(store)
    gone = chain[3]
    with _file(store) as con:
        con.execute("DELETE FROM audit_entry WHERE id = ?", (gone.id,))
    first = _serious(_verify(store))[0]
    assert first.kind == "missing" and first.seq == gone.chain_seq and f"#{gone.chain_seq} " in first.text
    with _file(store) as con:  # and the newest: nothing follows it, but the store recorded where its chain ended
        con.execute("DELETE FROM audit_entry WHERE id = ?", (chain[-1].id,))
    kinds = {(f.kind, f.seq) for f in _serious(_verify(store))}
    assert ("tail", chain[-1].chain_seq) in kinds


def test_two_swapped_audit_entries_are_named(store, clock):
    _work(store, clock)
    chain = _chain(store)
    a, b = chain[1], chain[4]
    with _file(store) as con:  # swap their places in the chain (as their times would be swapped in the history)
        con.execute("UPDATE audit_entry SET chain_seq = -1 WHERE id = ?", (a.id,))
        con.execute("UPDATE audit_entry SET chain_seq = ? WHERE id = ?", (a.chain_seq, b.id))
        con.execute("UPDATE audit_entry SET chain_seq = ? WHERE id = ?", (b.chain_seq, a.id))
    found = _serious(_verify(store))
    assert found[0].entry_id == b.id and found[0].seq == a.chain_seq  # the first broken one first
    assert {a.id, b.id} <= {f.entry_id for f in found}
    with _file(store) as con:  # moving the whole link with it does not help: the hash covers the content
        for e, other in ((a, b), (b, a)):
            con.execute("UPDATE audit_entry SET chain_seq = ?, prev_hash = ?, entry_hash = ? WHERE id = ?",
                        (other.chain_seq, other.prev_hash, other.entry_hash, e.id))
    assert {a.id, b.id} <= {f.entry_id for f in _serious(_verify(store))}


def test_a_whole_chain_rewritten_consistently_passes_the_local_check(store, clock):
    """The limit of an offline check, said in docs/SECURITY.md: the server's copy is the witness."""
    _work(store, clock)
    victim = next(e for e in _chain(store) if e.action == "update")
    rewrite_whole_chain(store.paths.database, victim.id, {"subject": ["Question 0", "Something else"]})
    assert _verify(store).findings == []


def test_an_inquiry_edited_in_the_file_is_named_when_the_trail_recorded_that_field(store, clock):
    refs = _work(store, clock)
    with store.session() as s:
        row_id = s.scalar(select(Inquiry.id).where(Inquiry.inquiry_ref == refs[0]))
    assert _verify(store).unexplained == []
    with _file(store) as con:
        con.execute("UPDATE inquiry SET subject = 'Forged subject' WHERE id = ?", (row_id,))
    result = _verify(store)
    assert not result.ok
    assert [(u.label, u.fields) for u in result.unexplained] == [(refs[0], ("subject",))]
    with _file(store) as con:  # a value the field once held is explained (the trail's old value)
        con.execute("UPDATE inquiry SET subject = 'Question 0' WHERE id = ?", (row_id,))
    assert _verify(store).unexplained == []


def test_saypro_audit_verify_names_the_first_broken_entry_and_fails(store, clock, capsys):
    _work(store, clock)
    data = ["--data-dir", str(store.paths.root)]
    assert saypro(["audit", "verify", *data]) == 0
    assert capsys.readouterr().out.strip().endswith("ok")
    victim = _chain(store)[2]
    with _file(store) as con:
        con.execute("UPDATE audit_entry SET summary = 'nothing happened' WHERE id = ?", (victim.id,))
    assert saypro(["audit", "verify", *data]) == 1
    out = capsys.readouterr().out
    assert f"the first broken entry: audit entry {victim.id} (#3 of device" in out and "NOT OK" in out
    assert saypro(["audit", "verify", "--json", *data]) == 1
    got = json.loads(capsys.readouterr().out)
    assert got["ok"] is False and got["findings"][0]["entry_id"] == victim.id


def test_entries_written_before_the_chain_are_chained_by_the_migration_in_their_order(paths, clock):
    from alembic import command

    from saypro_desktop.store import open_store
    from saypro_desktop.store.database import alembic_config

    store = open_store(paths)
    _work(store, clock)
    written = [(e.id, e.at) for e in _chain(store)]
    with store.engine.connect() as conn:  # back to the schema before the chain (0006): the entries lose it
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        with conn.begin():
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
        raw.execute("PRAGMA foreign_keys = ON")
    store.close()
    store = open_store(paths)  # migrates to the head again: 0007 chains what is held, by time then insertion
    try:
        chain = _chain(store)
        assert [e.id for e in chain] == [i for i, _ in sorted(written, key=lambda x: x[1])]
        assert _verify(store).findings == []
        with acting(store, clock=clock) as ctx:  # and the next entry follows them
            svc.change_status(ctx, svc.get_inquiry(ctx, "SCMR-2501-0003"), "In Progress")
        assert _chain(store)[-1].chain_seq == len(chain) + 1 and _verify(store).ok
    finally:
        store.close()


def test_db_check_reports_an_edited_audit_trail(store, clock, capsys):
    _work(store, clock)
    data = ["--data-dir", str(store.paths.root)]
    assert saypro(["db", "check", *data]) == 0
    assert "audit chain ok" in capsys.readouterr().out
    victim = _chain(store)[1]
    with _file(store) as con:
        con.execute("UPDATE audit_entry SET entity_id = 'someone-else' WHERE id = ?", (victim.id,))
    assert saypro(["db", "check", *data]) == 1
    out = capsys.readouterr().out
    assert "integrity ok" in out and "audit trail: 1 problem(s)" in out and victim.id in out
