"""The server trusts nothing a desktop claims (SQLite and PostgreSQL): what one ordinary account can send, and
what the server makes of it. Each test is an attack from the sync trust issue; none may stop anyone else."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from saypro_desktop.core.uuids import new_id
from saypro_server.numbers import MAX_UNUSED_PER_USER
from saypro_server.store.schema import SYNCED, change_feed, number_counter, push_log
from tests.desk_client import inquiry_fields, today


def _row(server, table, row_id):
    t = SYNCED[table]
    with server.db.read() as conn:
        return conn.execute(select(t).where(t.c.id == row_id)).mappings().first()


def _attachment(a, inquiry_id, **fields):
    values = {"inquiry_id": inquiry_id, "filename": "screenshot.png", "sha256": hashlib.sha256(b"x").hexdigest(),
              "size": 1, "media_type": "image/png", "deleted": False, **fields}
    return a.mutation("attachment", new_id(), values, op="insert")


def test_poisoned_attachment_rows_are_refused_alone_and_everyone_still_pulls(live_server, desk):
    agent, other = desk("mallory"), desk("anna")
    row_id, inquiry = agent.insert_inquiry()
    bad = [_attachment(agent, row_id, sha256="../../etc/passwd"),
           _attachment(agent, row_id, sha256="A" * 64),
           _attachment(agent, row_id, size=-5),
           _attachment(agent, row_id, size=2**31 - 1),
           _attachment(agent, row_id, filename="../../../../tmp/x.sh"),
           _attachment(agent, row_id, filename="..\\..\\evil.bat"),
           _attachment(agent, row_id, filename="C:\\Windows\\x.dll"),
           _attachment(agent, row_id, media_type="text/html\r\nX-Evil: 1")]
    good = _attachment(agent, row_id)
    results = agent.push(inquiry, *bad, good)["results"]
    assert [r["status"] for r in results] == ["applied"] + ["rejected"] * len(bad) + ["applied"]
    for expected, r in zip(["sha256", "sha256", "negative", "over the", "plain file name", "plain file name",
                            "plain file name", "media type"], results[1:], strict=False):
        assert expected in r["reason"], r
    for m in bad:
        assert _row(live_server, "attachment", m["row_id"]) is None
    # Every desktop still pulls everything (and the one good attachment row).
    pulled = other.pull_all()
    assert [c["row_id"] for c in pulled if c["table"] == "attachment"] == [good["row_id"]]


def test_an_inquiry_id_that_was_not_leased_is_renumbered_and_cannot_use_up_a_month(live_server, desk):
    agent, other = desk("mallory"), desk("anna")
    month = f"{today():%y%m}"
    row_id, m = agent.insert_inquiry(inquiry_ref=f"SCMR-{month}-99999")
    result = agent.push(m)["results"][0]
    assert result["status"] == "applied" and "not leased" in result["reason"]
    row = _row(live_server, "inquiry", row_id)
    assert row["inquiry_ref"] == f"SCMR-{month}-0001" and row["provisional_ref"] == f"SCMR-{month}-99999"
    with live_server.db.read() as conn:
        assert conn.scalar(select(number_counter.c.next).where(number_counter.c.month == month)) == 2
    assert other.post("/ids/lease", {"month": month, "count": 200}).json()["first"] == 2
    # The old ID still travels, so what the inquirer was told still finds the inquiry.
    change = [c for c in other.pull_all() if c["row_id"] == row_id][-1]
    assert change["fields"]["provisional_ref"] == f"SCMR-{month}-99999"


def test_made_up_claims_under_a_made_up_epoch_claim_nothing(live_server, desk):
    agent, other = desk("mallory"), desk("anna")
    months = [f"{y:02d}{m:02d}" for y in range(26, 43) for m in range(1, 13)][:200]
    answer = agent.post("/ids/claim", {"epoch": "not-the-servers", "blocks": [
        {"month": month, "first": 1, "last": 99_999} for month in months]})
    assert answer.status_code == 200
    assert answer.json()["claimed"] == [] and len(answer.json()["refused"]) == 200
    assert "not skipped" in answer.json()["refused"][0]["reason"]
    # After a real restore only the skipped numbers can be claimed, never more.
    live_server.rotate_epoch(number_gap=100)
    month = f"{today():%y%m}"
    answer = agent.post("/ids/claim", {"epoch": "old", "blocks": [{"month": month, "first": 1, "last": 99_999},
                                                                  {"month": month, "first": 1, "last": 100}]})
    assert [(b["first"], b["last"]) for b in answer.json()["claimed"]] == [(1, 100)]
    assert other.post("/ids/lease", {"month": month, "count": 10}).json()["first"] == 101


def test_leases_stop_at_what_a_user_has_not_used_and_others_still_get_numbers(live_server, desk):
    greedy, other = desk("mallory"), desk("anna")
    month = f"{today():%y%m}"
    granted = 0
    for _ in range(100):
        r = greedy.post("/ids/lease", {"month": month, "count": 1000})
        if r.status_code != 200:
            break
        granted += r.json()["last"] - r.json()["first"] + 1
    assert r.status_code == 409 and "unused" in r.json()["detail"]
    assert granted == MAX_UNUSED_PER_USER
    assert other.post("/ids/lease", {"month": month, "count": 200}).status_code == 200
    # A second device of the same user does not get around it.
    second = desk("mallory")
    assert second.post("/ids/lease", {"month": month, "count": 10}).status_code == 409
    # Provisional inquiries are still numbered by the server.
    row_id, m = greedy.insert_inquiry(provisional_ref=f"SCMR-{month}-PBAD0-1")
    assert greedy.push(m)["results"][0]["status"] == "applied"
    assert _row(live_server, "inquiry", row_id)["inquiry_ref"] is not None
    # Inquiries that use leased numbers free room for more.
    lease = greedy.post("/ids/lease", {"month": "2701", "count": 5}).json()
    used = [greedy.insert_inquiry(inquiry_ref=f"SCMR-2701-{n:04d}", logged_date="2027-01-05")[1]
            for n in range(lease["first"], lease["last"] + 1)]
    assert all(r["reason"] is None for r in greedy.push(*used)["results"])


def test_per_role_operations_are_refused_and_what_is_accepted_is_logged(live_server, desk):
    agent = desk("mallory")
    row_id, m = agent.insert_inquiry()
    delete = agent.mutation("inquiry", row_id, {"deleted": True}, op="delete")
    step_id = new_id()
    step = agent.mutation("action_step", step_id, {"inquiry_id": row_id, "at": inquiry_fields()["logged_at"],
                                                   "kind": "Note", "text": "Called", "deleted": False}, op="insert")
    hide_step = agent.mutation("action_step", step_id, {"deleted": True}, op="delete")
    swap = _attachment(agent, row_id)
    change_file = agent.mutation("attachment", swap["row_id"], {"sha256": "b" * 64})
    remove_file = agent.mutation("attachment", swap["row_id"], {"deleted": True}, op="delete")
    results = agent.push(m, delete, step, hide_step, swap, change_file, remove_file)["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "rejected", "applied", "rejected",
                                              "applied"]
    assert "never deleted" in results[1]["reason"] and "append-only" in results[3]["reason"]
    assert "cannot change" in results[5]["reason"]
    assert _row(live_server, "inquiry", row_id)["deleted"] is False
    assert _row(live_server, "attachment", swap["row_id"])["deleted"] is True
    with live_server.db.read() as conn:
        log = conn.execute(select(push_log.c.seq, push_log.c.user_id, push_log.c.device_id, push_log.c.op,
                                  push_log.c.status, push_log.c.table_name).order_by(push_log.c.seq)).all()
    assert [(x.op, x.status) for x in log] == [("insert", "applied"), ("delete", "rejected"), ("insert", "applied"),
                                               ("delete", "rejected"), ("insert", "applied"),
                                               ("update", "rejected"), ("delete", "applied")]
    assert {(x.user_id, x.device_id) for x in log} == {(agent.login["user"]["id"], agent.device_id)}


def test_a_new_row_may_not_carry_what_its_role_could_not_change(live_server, desk):
    """A Moderator logs inquiries and records user contacts, but does not change status or assign: a new
    inquiry that arrives already resolved or assigned is refused, one that is New (with a contact) is not."""
    mod, agent = desk("mo", "Moderator"), desk("anna")
    _, resolved = mod.insert_inquiry(status="Resolved")
    _, assigned = mod.insert_inquiry(assigned_to_id=agent.login["user"]["id"])
    plain_id, plain = mod.insert_inquiry(acknowledged_at=inquiry_fields()["logged_at"])
    results = mod.push(resolved, assigned, plain)["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert "may not set inquiry.status" in results[0]["reason"]
    assert "may not set inquiry.assigned_to_id" in results[1]["reason"]
    assert _row(live_server, "inquiry", plain_id)["acknowledged_at"] is not None
    assert _row(live_server, "inquiry", resolved["row_id"]) is None


def test_the_server_sets_authorship_and_bounds_times(live_server, desk):
    agent, boss = desk("mallory"), desk("boss", "Supervisor")
    victim = boss.login["user"]["id"]
    row_id, m = agent.insert_inquiry(received_by_id=victim)
    future = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    step = agent.mutation("action_step", new_id(), {"inquiry_id": row_id, "at": future, "author_id": victim,
                                                    "kind": "Note", "text": "Boss promised a refund",
                                                    "deleted": False}, op="insert")
    long_ago = agent.mutation("action_step", new_id(), {"inquiry_id": row_id, "at": "2001-01-01T00:00:00+00:00",
                                                        "kind": "Note", "text": "Backdated", "deleted": False},
                              op="insert")
    audit = agent.mutation("audit_entry", new_id(), {"at": future, "actor_id": victim, "entity": "inquiry",
                                                     "entity_id": row_id, "action": "update",
                                                     "changes": {"status": ["New", "Closed"]}, "deleted": False},
                           op="insert")
    mine = agent.mutation("action_step", new_id(), {"inquiry_id": row_id, "at": future, "kind": "Note",
                                                    "text": "Called the user", "deleted": False}, op="insert")
    results = agent.push(m, step, long_ago, audit, mine)["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied", "rejected", "applied"]
    assert "signed-in user" in results[0]["reason"], "a new inquiry records who sent it"
    assert "the person who wrote it" in results[1]["reason"] and "the person who wrote it" in results[3]["reason"], \
        "notes and audit entries naming someone else are evidence forged: refused"
    assert "future" in results[4]["reason"]
    me = agent.login["user"]["id"]
    now = datetime.now(UTC)
    assert _row(live_server, "inquiry", row_id)["received_by_id"] == me
    assert _row(live_server, "action_step", step["row_id"]) is None
    assert _row(live_server, "audit_entry", audit["row_id"]) is None
    assert _row(live_server, "action_step", long_ago["row_id"])["at"] > now - timedelta(days=2)
    stored = _row(live_server, "action_step", mine["row_id"])
    assert stored["author_id"] == me and stored["at"] <= now, "no author named: the sender, at the server's time"
    # The corrected values travel: every desktop (the author's too) holds the server's version.
    pulled = {c["row_id"]: c for c in boss.pull_all()}
    assert pulled[mine["row_id"]]["fields"]["author_id"] == me
    assert pulled[row_id]["fields"]["received_by_id"] == me
    # Someone who may import (a Supervisor) records history as it was.
    old = boss.mutation("action_step", new_id(), {"inquiry_id": row_id, "at": "2025-03-01T09:00:00+00:00",
                                                  "author_id": me, "kind": "Note", "text": "Imported",
                                                  "deleted": False}, op="insert")
    assert boss.push(old)["results"][0]["reason"] is None
    assert _row(live_server, "action_step", old["row_id"])["author_id"] == me


def test_a_compensating_change_goes_through_the_role_filter(live_server, desk):
    agent, mod = desk("anna"), desk("mo", "Moderator")
    row_id, m = agent.insert_inquiry()
    audit_id = new_id()
    trail = agent.mutation("audit_entry", audit_id, {
        "at": inquiry_fields()["logged_at"], "entity": "inquiry", "entity_id": row_id, "action": "update",
        "changes": {"user_email": ["thandiwe@example.org", "t@example.net"], "subject": ["A", "B"]},
        "deleted": False}, op="insert")
    agent.push(m, trail)
    mod.pull_all()
    # The moderator re-pushes the audit row's id with a field: refused, and the server sends the row's values
    # back to correct the desktop.
    probe = mod.mutation("audit_entry", audit_id, {"changes": {}})
    assert mod.push(probe)["results"][0]["status"] == "rejected"
    with live_server.db.read() as conn:
        last = conn.execute(select(change_feed).order_by(change_feed.c.seq.desc()).limit(1)).mappings().one()
    assert last["row_id"] == audit_id and set(last["fields"]) == {"changes"}, "a compensating change"
    seen = [c for c in mod.pull_all(cursor=mod.cursor) if c["row_id"] == audit_id]
    assert seen and all("user_email" not in c["fields"].get("changes", {}) for c in seen)
    assert seen[-1]["fields"]["changes"] == {"subject": ["A", "B"]}
    assert "t@example.net" not in str(mod.pull_all())


def test_a_store_restored_or_copied_by_hand_is_told_to_start_a_new_outbox(live_server, desk):
    """Numbers the server applied, used again for other changes: answered 'outbox reused', never 'duplicate'."""
    a = desk()
    sent = [a.insert_inquiry()[1] for _ in range(3)]
    a.push(*sent)
    a.seq = 1  # the store went back to a backup taken after change 1
    again = a.insert_inquiry()[1]  # a new change numbered 2
    r = a.post("/sync/push", a.envelope([again]))
    assert r.status_code == 409 and r.json()["code"] == "outbox_reused"
    assert _row(live_server, "inquiry", again["row_id"]) is None
    # Retrying what was applied is still a plain duplicate.
    assert [x["status"] for x in a.push(*sent)["results"]] == ["duplicate"] * 3
    # In a new outbox the server asks for everything held, then applies the new change.
    a.outbox_id = "0" * 31 + "1"
    assert a.post("/sync/push", a.envelope([again])).json()["code"] == "replay"
    results = a.push(sent[0], again)["results"]
    assert [x["status"] for x in results] == ["applied", "applied"]
    assert _row(live_server, "inquiry", again["row_id"]) is not None


def test_nothing_an_agent_pushes_changes_another_desktops_feed_position(live_server, desk):
    """The feed only grows by what was accepted: refused mutations add only compensations for rows that exist."""
    agent = desk("mallory")
    with live_server.db.read() as conn:
        before = conn.scalar(select(func.count()).select_from(change_feed))
    junk = [agent.mutation("inquiry", new_id(), {"subject": "x"}),
            agent.mutation("staff_user", new_id(), {"username": "root2", "role": "Admin"}, op="insert"),
            agent.mutation("audit_entry", new_id(), {"entity": "secrets"}, op="insert")]
    assert {r["status"] for r in agent.push(*junk)["results"]} == {"rejected"}
    with live_server.db.read() as conn:
        assert conn.scalar(select(func.count()).select_from(change_feed)) == before
