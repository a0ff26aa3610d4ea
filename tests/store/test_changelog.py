"""The outbox: every change of a synced row is logged in its own transaction, stamped, never lost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saypro_desktop.core.hlc import Stamp
from saypro_desktop.models import ActionStep, AuditEntry, ChangeLogEntry, DeviceState, Inquiry
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import add_action_step, change_status, create_inquiry
from saypro_desktop.store.changelog import ImmutableField, TombstoneRequired
from tests.conftest import draft


def _log(store, table=None):
    with store.session() as s:
        q = select(ChangeLogEntry).order_by(ChangeLogEntry.seq)
        if table:
            q = q.where(ChangeLogEntry.table_name == table)
        return list(s.scalars(q))


def test_insert_and_update_are_logged_with_fields_and_increasing_stamps(store, clock):
    with acting(store, clock=clock) as ctx:
        inquiry = create_inquiry(ctx, draft())
        row_id = inquiry.id
    with acting(store, clock=clock) as ctx:
        inquiry = ctx.session.get(Inquiry, row_id)
        change_status(ctx, inquiry, "In Progress")
    entries = _log(store, "inquiry")
    assert [e.op for e in entries] == ["insert", "update"]
    assert entries[0].row_id == row_id and entries[0].fields["subject"] == "Ad still pending approval"
    assert entries[0].fields["status"] == "New" and entries[0].fields["inquiry_ref"] == "SCMR-2501-0001"
    assert "resolution" not in entries[0].fields  # an insert leaves out what is NULL
    assert set(entries[1].fields) == {"status", "acknowledged_at", "assigned_to_id", "assigned_at"}  # taken on
    assert entries[1].fields["status"] == "In Progress"
    assert Stamp.parse(entries[0].hlc) < Stamp.parse(entries[1].hlc)
    assert all(e.state == "pending" for e in entries)
    with store.session() as s:
        row = s.get(Inquiry, row_id)
        assert row.field_versions["*"] == entries[0].hlc
        assert row.field_versions["status"] == entries[1].hlc
        state = s.get(DeviceState, 1)
        assert Stamp.parse(entries[-1].hlc).wall_ms <= state.hlc_wall_ms  # the clock is persisted


def test_sequences_are_per_device_and_gapless(store, clock):
    with acting(store, clock=clock) as ctx:
        for n in range(3):
            create_inquiry(ctx, draft(subject=f"Question {n}"))
    seqs = [e.seq for e in _log(store)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len({e.device_id for e in _log(store)}) == 1


def test_a_rolled_back_change_leaves_no_log_entry(store, clock):
    before = len(_log(store))
    with pytest.raises(RuntimeError), acting(store, clock=clock) as ctx:
        create_inquiry(ctx, draft())
        raise RuntimeError("crash before commit")
    assert len(_log(store)) == before
    with store.session() as s:
        assert s.scalar(select(Inquiry.id)) is None


def test_hard_delete_of_a_synced_row_is_refused(store, clock):
    with acting(store, clock=clock) as ctx:
        inquiry = create_inquiry(ctx, draft())
        ctx.session.flush()
        ctx.session.delete(inquiry)
        with pytest.raises(TombstoneRequired):
            ctx.session.flush()
        ctx.session.rollback()


def test_tombstone_is_logged_as_delete(store, clock):
    with acting(store, clock=clock) as ctx:
        rid = create_inquiry(ctx, draft()).id
    with acting(store, clock=clock) as ctx:
        ctx.session.get(Inquiry, rid).deleted = True
    last = _log(store, "inquiry")[-1]
    assert (last.op, last.fields) == ("delete", {"deleted": True})


def test_the_inquiry_id_never_changes_once_issued(store, clock):
    with acting(store, clock=clock) as ctx:
        inquiry = create_inquiry(ctx, draft())
        ctx.session.flush()
        inquiry.inquiry_ref = "SCMR-2501-0999"
        with pytest.raises(ImmutableField, match="cannot change"):
            ctx.session.flush()
        ctx.session.rollback()


def test_audit_trail_records_who_and_old_to_new(store, clock):
    with acting(store, clock=clock) as ctx:
        inquiry = create_inquiry(ctx, draft())
        change_status(ctx, inquiry, "In Progress")
        actor = ctx.actor.id
        rid = inquiry.id
    with store.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity_id == rid).order_by(AuditEntry.at)).all()
    assert [(r.action, r.actor_id) for r in rows] == [("create", actor), ("update", actor)]
    assert rows[0].summary == "SCMR-2501-0001"
    assert rows[1].changes["status"] == ["New", "In Progress"]
    assert rows[1].changes["acknowledged_at"][0] is None


def test_action_steps_are_logged_too(store, clock):
    with acting(store, clock=clock) as ctx:
        inquiry = create_inquiry(ctx, draft())
        step = add_action_step(ctx, inquiry, "Asked for the ad number")
        ctx.session.flush()
        sid = step.id
    entries = _log(store, "action_step")  # the step, then the assignment it made (the writer took it on)
    assert [(e.row_id, e.op, e.fields["text"]) for e in entries[:1]] == [(sid, "insert", "Asked for the ad number")]
    assert entries[1].fields["kind"] == "Assignment" and len(entries) == 2
    with store.session() as s:
        assert s.get(ActionStep, sid).field_versions["*"] == entries[0].hlc


def test_every_synced_table_may_be_named_by_an_audit_entry():
    from saypro_desktop.core.row_checks import AUDIT_ENTITIES
    from saypro_desktop.models import SYNCED_MODELS

    assert set(SYNCED_MODELS) <= AUDIT_ENTITIES
