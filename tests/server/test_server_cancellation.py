"""The status Cancelled through sync: the server keeps a cancellation only with its reason, from a role that may
change an inquiry's status."""

from __future__ import annotations

from sqlalchemy import select

from saypro_server.store.schema import SYNCED


def _row(server, row_id):
    t = SYNCED["inquiry"]
    with server.db.read() as conn:
        return conn.execute(select(t).where(t.c.id == row_id)).mappings().first()


def test_a_cancellation_is_kept_with_its_reason_and_refused_without(live_server, desk):
    a = desk()
    kept_id, kept = a.insert_inquiry()
    row_id, m = a.insert_inquiry()
    bare = a.mutation("inquiry", row_id, {"status": "Cancelled"})
    self_duplicate = a.mutation("inquiry", row_id, {"status": "Cancelled", "cancel_reason": "Duplicate",
                                                    "duplicate_of_id": row_id})
    good = a.mutation("inquiry", row_id, {"status": "Cancelled", "cancel_reason": "Duplicate",
                                          "duplicate_of_id": kept_id, "cancelled_at": "2025-01-14T09:00:00Z"})
    results = a.push(kept, m, bare, self_duplicate, good)["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "rejected", "applied"], results
    assert "cancel_reason is required" in results[2]["reason"]
    assert "cannot name the inquiry itself" in results[3]["reason"]
    row = _row(live_server, row_id)
    assert (row["status"].value, row["cancel_reason"].value, row["duplicate_of_id"]) == (
        "Cancelled", "Duplicate", kept_id)


def test_a_moderator_may_not_cancel(live_server, desk):
    mod = desk("mo", "Moderator")
    row_id, m = mod.insert_inquiry()
    cancel = mod.mutation("inquiry", row_id, {"status": "Cancelled", "cancel_reason": "Spam"})
    results = mod.push(m, cancel)["results"]
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert _row(live_server, row_id)["status"].value == "New"
