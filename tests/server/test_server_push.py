"""Push: sequence handling, merge by stamp, conflicts, roles, append-only tables, Inquiry IDs."""

from __future__ import annotations

from sqlalchemy import func, select

from saypro_desktop.core.uuids import new_id
from saypro_server.store.schema import SYNCED, change_feed, conflict
from tests.desk_client import inquiry_fields, stamp, today


def _row(server, table, row_id):
    t = SYNCED[table]
    with server.db.read() as conn:
        return conn.execute(select(t).where(t.c.id == row_id)).mappings().first()


def _feed_size(server):
    with server.db.read() as conn:
        return conn.execute(select(func.count()).select_from(change_feed)).scalar_one()


def test_a_new_inquiry_is_stored_and_put_on_the_feed(live_server, desk):
    a = desk()
    assert a.post("/ids/lease", {"month": f"{today():%y%m}", "count": 10}).json()["first"] == 1
    row_id, m = a.insert_inquiry(inquiry_ref=f"SCMR-{today():%y%m}-0007")  # one of its leased numbers
    out = a.push(m)
    assert out == {"results": [{"seq": 1, "mutation_id": m["mutation_id"], "status": "applied", "reason": None}],
                   "last_seq": 1}
    row = _row(live_server, "inquiry", row_id)
    assert row["subject"] == "Ad still pending" and row["status"].value == "New"
    assert row["field_versions"] == {"*": m["hlc"]}
    change = a.pull_all()[-1]
    assert change["row_id"] == row_id and change["versions"] == {"*": m["hlc"]}
    assert change["fields"]["inquiry_ref"] == f"SCMR-{today():%y%m}-0007"


def test_the_same_batch_twice_is_applied_once(live_server, desk):
    a = desk()
    _, first = a.insert_inquiry()
    row_id, second = a.insert_inquiry()
    third = a.mutation("inquiry", row_id, {"status": "In Progress"})
    assert [r["status"] for r in a.push(first, second, third)["results"]] == ["applied"] * 3
    size = _feed_size(live_server)
    again = a.push(first, second, third)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 3
    assert again["last_seq"] == 3
    assert _feed_size(live_server) == size
    # A batch overlapping what was applied: the old part is acknowledged again, the new part applied.
    fourth = a.mutation("inquiry", row_id, {"status": "Resolved", "resolution": "Approved the ad."})
    assert [r["status"] for r in a.push(third, fourth)["results"]] == ["duplicate", "applied"]


def test_a_gap_is_refused_whole_with_the_expected_sequence(live_server, desk):
    a = desk()
    _, first = a.insert_inquiry()
    a.push(first)
    _, skipped = a.insert_inquiry()
    _, after_gap = a.insert_inquiry()
    size = _feed_size(live_server)
    r = a.post("/sync/push", a.envelope([after_gap]))
    assert r.status_code == 409
    assert r.json()["expected_seq"] == 2 and r.json()["code"] == "gap"
    assert _feed_size(live_server) == size
    assert [x["status"] for x in a.push(skipped, after_gap)["results"]] == ["applied", "applied"]


def test_a_batch_with_a_hole_is_refused_whole_and_never_taken_as_a_gap(live_server, desk):
    """A new device's first batch sets where it starts; a hole inside a batch is an error of the desktop,
    not a sign that the server lacks something (answering 'expected 3' would make it drop 1 and 2)."""
    a = desk()
    muts = [a.insert_inquiry()[1] for _ in range(4)]
    size = _feed_size(live_server)
    r = a.post("/sync/push", a.envelope([muts[0], muts[1], muts[3]]))
    assert r.status_code == 422 and "skips mutation 3" in r.json()["detail"] and "expected_seq" not in r.json()
    assert _feed_size(live_server) == size
    assert [x["status"] for x in a.push(*muts)["results"]] == ["applied"] * 4


def test_merge_is_per_field_and_the_older_stamp_loses(live_server, desk):
    a, b = desk("anna"), desk("ben")
    row_id, m = a.insert_inquiry()
    a.push(m)
    wall = int(m["hlc"].split("-")[0])
    newer = a.mutation("inquiry", row_id, {"status": "In Progress", "priority": "High"},
                       hlc=stamp(a.device_id, wall + 2000))
    older = b.mutation("inquiry", row_id, {"status": "Escalated", "escalation_tier": "Tier 2"},
                       hlc=stamp(b.device_id, wall + 1000))
    a.push(newer)
    result = b.push(older)["results"][0]
    assert result["status"] == "applied"
    row = _row(live_server, "inquiry", row_id)
    assert row["status"].value == "In Progress"  # the newer stamp kept it
    assert row["priority"].value == "High"
    assert row["escalation_tier"].value == "Tier 2"  # nobody else changed that field
    assert row["field_versions"]["status"] == newer["hlc"]
    assert row["field_versions"]["escalation_tier"] == older["hlc"]
    # The losing field goes out again with the server's value, so b drops its own.
    last = b.pull_all()[-1]
    assert last["fields"] == {"escalation_tier": "Tier 2", "status": "In Progress"}
    assert last["versions"]["status"] == newer["hlc"]


def test_two_edits_of_a_text_field_record_a_conflict_and_other_edits_do_not(live_server, desk):
    a, b = desk("anna"), desk("ben")
    row_id, m = a.insert_inquiry()
    a.push(m)
    created = m["hlc"]
    wall = int(created.split("-")[0])
    # Both edit the subject and the status from the same starting point (base = the creation stamp).
    a_edit = a.mutation("inquiry", row_id, {"subject": "Ad pending (A)", "status": "In Progress"},
                        hlc=stamp(a.device_id, wall + 1000), base={"subject": created})
    b_edit = b.mutation("inquiry", row_id, {"subject": "Ad pending (B)", "status": "Escalated",
                                            "escalation_tier": "Tier 2"},
                        hlc=stamp(b.device_id, wall + 2000), base={"subject": created})
    a.push(a_edit)
    result = b.push(b_edit)["results"][0]
    assert result["status"] == "applied" and "conflict" in result["reason"]
    assert _row(live_server, "inquiry", row_id)["subject"] == "Ad pending (B)"
    listed = b.get("/conflicts").json()["conflicts"]
    assert len(listed) == 1  # only the text field, not the status
    c = listed[0]
    assert (c["field"], c["kept"]["value"], c["losing"]["value"]) == ("subject", "Ad pending (B)", "Ad pending (A)")
    assert c["kept"]["stamp"] == b_edit["hlc"] and c["losing"]["stamp"] == a_edit["hlc"]
    # A later edit made after seeing B's subject is no conflict.
    follow = a.mutation("inquiry", row_id, {"subject": "Ad pending (A2)"}, hlc=stamp(a.device_id, wall + 3000),
                        base={"subject": b_edit["hlc"]})
    assert a.push(follow)["results"][0]["reason"] is None
    assert len(a.get("/conflicts").json()["conflicts"]) == 1


def test_without_a_base_a_losing_text_edit_is_kept_as_a_conflict(live_server, desk):
    a, b = desk("anna"), desk("ben")
    row_id, m = a.insert_inquiry()
    a.push(m)
    wall = int(m["hlc"].split("-")[0])
    a.push(a.mutation("inquiry", row_id, {"description": "New text"}, hlc=stamp(a.device_id, wall + 5000)))
    late = b.mutation("inquiry", row_id, {"description": "Offline text"}, hlc=stamp(b.device_id, wall + 1000))
    b.push(late)
    assert _row(live_server, "inquiry", row_id)["description"] == "New text"
    (c,) = b.get("/conflicts").json()["conflicts"]
    assert (c["kept"]["value"], c["losing"]["value"]) == ("New text", "Offline text")
    # A sequential edit without a base (newer stamp) is not a conflict.
    b.push(b.mutation("inquiry", row_id, {"description": "Later text"}, hlc=stamp(b.device_id, wall + 9000)))
    assert len(b.get("/conflicts").json()["conflicts"]) == 1


def test_settling_a_conflict_writes_the_choice_through_the_feed(live_server, desk):
    a, b = desk("anna"), desk("ben")
    row_id, m = a.insert_inquiry()
    a.push(m)
    wall = int(m["hlc"].split("-")[0])
    a.push(a.mutation("inquiry", row_id, {"resolution": "A's words"}, hlc=stamp(a.device_id, wall + 1000),
                      base={"resolution": m["hlc"]}))
    b.push(b.mutation("inquiry", row_id, {"resolution": "B's words"}, hlc=stamp(b.device_id, wall + 2000),
                      base={"resolution": m["hlc"]}))
    (c,) = a.get("/conflicts").json()["conflicts"]
    before = a.pull_all()
    r = a.post(f"/conflicts/{c['id']}/settle", {"choice": "losing"})
    assert r.status_code == 200 and r.json()["settled"] and r.json()["settled_value"] == "A's words"
    assert _row(live_server, "inquiry", row_id)["resolution"] == "A's words"
    after = a.pull_all(cursor=a.cursor)
    assert after[-1]["fields"] == {"resolution": "A's words"} and before
    assert a.post(f"/conflicts/{c['id']}/settle", {"choice": "kept"}).status_code == 409
    assert a.get("/conflicts").json()["conflicts"] == []
    assert len(a.get("/conflicts", params={"show": "all"}).json()["conflicts"]) == 1


def test_append_only_rows_are_inserted_never_changed(live_server, desk):
    a = desk()
    row_id, m = a.insert_inquiry()
    step_id = new_id()
    step = a.mutation("action_step", step_id, {"inquiry_id": row_id, "at": inquiry_fields()["logged_at"],
                                               "kind": "Note", "text": "Called the user", "deleted": False},
                      op="insert")
    edit = a.mutation("action_step", step_id, {"text": "Rewritten history"})
    hide = a.mutation("action_step", step_id, {"deleted": True}, op="delete")
    results = a.push(m, step, edit, hide)["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "rejected"]
    assert "append-only" in results[2]["reason"]
    assert _row(live_server, "action_step", step_id)["text"] == "Called the user"
    # The same insert sent again (a retry after the server lost its record) changes nothing.
    resend = dict(step, seq=a.seq + 1)
    a.seq += 1
    assert a.push(resend)["results"][0]["status"] == "duplicate"


def test_a_viewer_cannot_push_and_its_queue_is_left_alone(live_server, desk):
    v = desk("vera", "Viewer")
    _, m = v.insert_inquiry()
    r = v.post("/sync/push", v.envelope([m]))
    assert r.status_code == 403 and "Viewer" in r.json()["detail"]
    assert _feed_size(live_server) == 2  # the user and its audit entry only


def test_only_admins_write_staff_users(live_server, desk):
    agent, admin = desk("anna"), desk("root", "Admin")
    user_id = new_id()
    fields = {"username": "newbie", "display_name": "New Bie", "role": "Admin", "active": True, "deleted": False}
    refused = agent.push(agent.mutation("staff_user", user_id, fields, op="insert"))["results"][0]
    assert refused["status"] == "rejected" and "Admin" in refused["reason"]
    assert _row(live_server, "staff_user", user_id) is None
    assert admin.push(admin.mutation("staff_user", user_id, fields, op="insert"))["results"][0]["status"] == "applied"
    promote = agent.mutation("staff_user", agent.login["user"]["id"], {"role": "Admin"})
    assert agent.push(promote)["results"][0]["status"] == "rejected"
    assert _row(live_server, "staff_user", agent.login["user"]["id"])["role"].value == "Support Agent"


def test_a_moderator_logs_inquiries_and_notes_but_cannot_edit_personal_details(live_server, desk):
    mod = desk("mo", "Moderator")
    row_id, m = mod.insert_inquiry()
    note = mod.mutation("action_step", new_id(), {"inquiry_id": row_id, "at": inquiry_fields()["logged_at"],
                                                  "kind": "User contact", "text": "Phoned", "deleted": False},
                        op="insert")
    ack = mod.mutation("inquiry", row_id, {"acknowledged_at": inquiry_fields()["logged_at"]})
    personal = mod.mutation("inquiry", row_id, {"user_email": "someone@else.example"})
    status = mod.mutation("inquiry", row_id, {"status": "Closed"})
    results = mod.push(m, note, ack, personal, status)["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "applied", "rejected", "rejected"]
    assert "personal details" in results[3]["reason"]
    assert _row(live_server, "inquiry", row_id)["user_email"] == "thandiwe@example.org"


def test_bad_mutations_are_rejected_one_by_one_with_reasons(live_server, desk):
    a = desk()
    row_id, good = a.insert_inquiry()
    bad = [
        a.mutation("ticket", new_id(), {"x": 1}, op="insert"),
        a.mutation("inquiry", row_id, {"colour": "red"}),
        a.mutation("inquiry", row_id, {"reopen_count": "three"}),
        a.mutation("inquiry", row_id, {"status": "Lost"}),
        a.mutation("inquiry", row_id, {"subject": None}),
        a.mutation("inquiry", row_id, {"reopen_count": 2**40}),
        a.mutation("inquiry", row_id, {"subject": "nul \x00 inside"}),
        a.mutation("inquiry", row_id, {"logged_at": "2025-01-01T10:00:00"}),
        a.mutation("inquiry", row_id, {"subject": "x"}, op="upsert"),
        a.mutation("inquiry", "not-a-uuid", {"subject": "x"}),
        a.mutation("inquiry", row_id, {"subject": "x"}, hlc="yesterday"),
        a.mutation("inquiry", new_id(), {"subject": "only a subject"}, op="insert"),
        a.mutation("inquiry", new_id(), {"subject": "x"}),
        a.mutation("inquiry", row_id, {"assigned_to_id": new_id()}),
    ]
    results = a.push(good, *bad)["results"]
    assert results[0]["status"] == "applied"
    reasons = [r["reason"] for r in results[1:]]
    assert all(r["status"] == "rejected" for r in results[1:]), results
    for expected, reason in zip(["unknown table", "no field", "whole number", "Lost", "cannot be empty",
                                 "out of range", "NUL", "time zone", "op must be", "UUID", "clock stamp", "needs",
                                 "has no inquiry", "does not have"], reasons, strict=True):
        assert expected in reason, (expected, reason)
    assert _row(live_server, "inquiry", row_id)["subject"] == "Ad still pending"


def test_a_provisional_inquiry_gets_a_real_id_from_numbers_never_leased(live_server, desk):
    a, b = desk("anna"), desk("ben")
    month = f"{today():%y%m}"
    lease = a.post("/ids/lease", {"month": month, "count": 3}).json()
    assert (lease["first"], lease["last"]) == (1, 3)
    row_id, m = b.insert_inquiry(provisional_ref=f"SCMR-{month}-PB0B0-1")
    result = b.push(m)["results"][0]
    assert result["status"] == "applied"
    row = _row(live_server, "inquiry", row_id)
    assert row["inquiry_ref"] == f"SCMR-{month}-0004"
    assert row["provisional_ref"] == f"SCMR-{month}-PB0B0-1"
    assert row["field_versions"]["inquiry_ref"] > m["hlc"]
    assert a.post("/ids/lease", {"month": month, "count": 2}).json()["first"] == 5
    change = b.pull_all()[-1]
    assert change["fields"]["inquiry_ref"] == f"SCMR-{month}-0004"
    # The ID never changes once given, and no other inquiry takes it: one pushed with it (after a restored
    # server leased a block twice) gets the next free number and keeps the taken one as provisional.
    other_id = b.push(b.mutation("inquiry", row_id, {"inquiry_ref": f"SCMR-{month}-0099"}))["results"][0]
    assert other_id["status"] == "applied" and "stays" in other_id["reason"]
    assert _row(live_server, "inquiry", row_id)["inquiry_ref"] == f"SCMR-{month}-0004"
    assert b.pull_all(cursor=b.cursor)[-1]["fields"] == {"inquiry_ref": f"SCMR-{month}-0004"}, "told the server's"
    clash_id, clash = b.insert_inquiry(inquiry_ref=f"SCMR-{month}-0004")
    assert b.push(clash)["results"][0]["status"] == "applied"
    renumbered = _row(live_server, "inquiry", clash_id)
    assert (renumbered["inquiry_ref"], renumbered["provisional_ref"]) == (f"SCMR-{month}-0007", f"SCMR-{month}-0004")
    assert _row(live_server, "inquiry", row_id)["inquiry_ref"] == f"SCMR-{month}-0004"
    assert b.pull_all()[-1]["fields"]["inquiry_ref"] == f"SCMR-{month}-0007"


def test_a_pushed_id_of_a_leased_block_is_kept_and_never_leased_again(live_server, desk):
    a = desk()
    month = f"{today():%y%m}"
    assert a.post("/ids/lease", {"month": month, "count": 50}).json() == {"month": month, "first": 1, "last": 50}
    row_id, m = a.insert_inquiry(inquiry_ref=f"SCMR-{month}-0042")
    assert a.push(m)["results"][0]["reason"] is None
    assert _row(live_server, "inquiry", row_id)["inquiry_ref"] == f"SCMR-{month}-0042"
    assert a.post("/ids/lease", {"month": month, "count": 10}).json()["first"] == 51


def test_tombstones_travel_like_any_field(live_server, desk):
    a = desk()
    (one, m1), (two, m2) = a.insert_inquiry(), a.insert_inquiry()
    low, high = sorted([one, two])
    link_id = new_id()
    link = a.mutation("inquiry_link", link_id, {"inquiry_id": low, "linked_inquiry_id": high, "deleted": False},
                      op="insert")
    a.push(m1, m2, link, a.mutation("inquiry_link", link_id, {"deleted": True}, op="delete"))
    assert _row(live_server, "inquiry_link", link_id)["deleted"] is True
    assert a.pull_all()[-1]["fields"] == {"deleted": True}


def test_a_clock_far_ahead_is_clamped_not_refused_and_keeps_its_order(live_server, desk):
    a = desk()
    row_id, m = a.insert_inquiry()
    a.push(m)
    ahead = int(m["hlc"].split("-")[0]) + 5 * 24 * 3600 * 1000
    first = a.mutation("inquiry", row_id, {"status": "In Progress"}, hlc=stamp(a.device_id, ahead))
    second = a.mutation("inquiry", row_id, {"status": "Resolved", "resolution": "Done."},
                        hlc=stamp(a.device_id, ahead + 10))
    results = a.push(first, second)["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert "clamped" in results[0]["reason"]
    row = _row(live_server, "inquiry", row_id)
    assert row["status"].value == "Resolved"
    assert int(row["field_versions"]["status"].split("-")[0]) < ahead


def test_conflict_rows_are_only_made_for_text_fields(live_server, desk):
    a, b = desk("anna"), desk("ben")
    row_id, m = a.insert_inquiry()
    a.push(m)
    wall = int(m["hlc"].split("-")[0])
    a.push(a.mutation("inquiry", row_id, {"priority": "High"}, hlc=stamp(a.device_id, wall + 2000)))
    b.push(b.mutation("inquiry", row_id, {"priority": "Low"}, hlc=stamp(b.device_id, wall + 1000)))
    with live_server.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(conflict)).scalar_one() == 0
