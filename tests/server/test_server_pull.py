"""Pull: paging by bytes, zstd, filtering by role, reset on another epoch or a cursor ahead."""

from __future__ import annotations

import json

import httpx
import zstandard
from sqlalchemy import delete

from saypro_desktop.core.uuids import new_id
from saypro_server.store.schema import SYNCED, push_log
from tests.desk_client import inquiry_fields


def _fill(desk, n=60):
    rows = []
    for i in range(0, n, 20):
        batch = []
        for j in range(i, min(n, i + 20)):
            row_id, m = desk.insert_inquiry(description=f"Inquiry number {j}. " + "Details of the problem. " * 20)
            rows.append(row_id)
            batch.append(m)
        desk.push(*batch)
    return rows


def test_pull_pages_by_bytes_in_order_and_compresses_with_zstd(live_server, desk):
    a = desk()
    rows = _fill(a)
    cursor = None
    pages = []
    raw = httpx.Client(base_url=live_server.api)
    while True:
        r = raw.post("/sync/pull", json={"cursor": cursor, "max_bytes": 8192},
                     headers={**a.headers, "Accept-Encoding": "zstd"})
        assert r.status_code == 200
        assert r.headers["content-encoding"] == "zstd"
        compressed = r.num_bytes_downloaded
        page = r.json()  # httpx undoes the zstd
        plain = len(json.dumps(page, separators=(",", ":")).encode())
        assert compressed < plain / 2
        pages.append(page)
        cursor = page["next"]
        if not page["more"]:
            break
    raw.close()
    assert len(pages) >= 5
    for page in pages[:-1]:
        size = sum(len(json.dumps(c, separators=(",", ":"))) for c in page["changes"])
        assert size <= 8192 or len(page["changes"]) == 1
    seqs = [c["seq"] for p in pages for c in p["changes"]]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    assert [c["row_id"] for p in pages for c in p["changes"] if c["table"] == "inquiry"] == rows
    assert pages[-1]["next"]["seq"] == pages[-1]["high_water"]


def test_zstd_is_only_used_when_asked_for(live_server, desk):
    a = desk()
    r = httpx.post(f"{live_server.api}/sync/pull", json={}, headers={**a.headers, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers and r.json()["changes"]
    r = httpx.post(f"{live_server.api}/sync/pull", json={},
                   headers={**a.headers, "Accept-Encoding": "zstd;q=0, gzip"})
    assert "content-encoding" not in r.headers


def test_a_zstd_compressed_push_body_is_accepted(live_server, desk):
    a = desk()
    _, m = a.insert_inquiry()
    body = zstandard.ZstdCompressor().compress(json.dumps(a.envelope([m])).encode())
    r = httpx.post(f"{live_server.api}/sync/push", content=body,
                   headers={**a.headers, "Content-Encoding": "zstd", "Content-Type": "application/json"})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied"


def test_moderators_and_marketing_get_inquiries_without_personal_details(live_server, desk):
    agent = desk("anna")
    row_id, m = agent.insert_inquiry()
    edit = agent.mutation("inquiry", row_id, {"user_phone": "+27 82 000 0000", "subject": "Phone changed"})
    audit = agent.mutation("audit_entry", new_id(), {
        "at": inquiry_fields()["logged_at"], "entity": "inquiry", "entity_id": row_id, "action": "update",
        "changes": {"user_phone": ["+27 82 555 0101", "+27 82 000 0000"], "subject": ["Ad still pending",
                                                                                       "Phone changed"]},
        "deleted": False}, op="insert")
    agent.push(m, edit, audit)
    full = [c for c in agent.pull_all() if c["row_id"] == row_id]
    assert full[0]["fields"]["user_full_name"] == "Thandiwe Nkosi"
    for role in ("Moderator", "Marketing"):
        other = desk(role.lower(), role)
        changes = other.pull_all()
        inquiry = [c for c in changes if c["row_id"] == row_id]
        assert inquiry[0]["fields"]["subject"] == "Ad still pending"
        personal = {"user_full_name", "user_email", "user_phone", "user_account_id", "user_location"}
        for c in inquiry:
            assert not personal & set(c["fields"]) and not personal & set(c["versions"])
        assert inquiry[1]["fields"] == {"subject": "Phone changed"}
        trail = [c for c in changes if c["table"] == "audit_entry" and c["fields"]["entity_id"] == row_id]
        assert trail[0]["fields"]["changes"] == {"subject": ["Ad still pending", "Phone changed"]}


def test_a_new_desktop_may_start_without_knowing_the_epoch(live_server, desk):
    a = desk()
    first = a.post("/sync/pull", {"cursor": {"epoch": None, "seq": 0}}).json()
    assert first["reset"] is False and first["changes"] and first["next"]["epoch"]
    unknown = a.post("/sync/pull", {"cursor": {"epoch": None, "seq": 5}}).json()
    assert unknown["reset"] is True


def test_another_epoch_or_a_cursor_ahead_answers_reset(live_server, desk):
    a = desk()
    a.push(a.insert_inquiry()[1])
    changes = a.pull_all()
    cursor = a.cursor
    page = a.post("/sync/pull", {"cursor": cursor}).json()
    assert page["reset"] is False and page["changes"] == []
    ahead = a.post("/sync/pull", {"cursor": {**cursor, "seq": cursor["seq"] + 10}}).json()
    assert ahead["reset"] is True and ahead["changes"] == [] and ahead["next"] == {"epoch": cursor["epoch"], "seq": 0}
    live_server.rotate_epoch()
    other = a.post("/sync/pull", {"cursor": cursor}).json()
    assert other["reset"] is True and other["epoch"] != cursor["epoch"]
    again = a.pull_all(cursor=other["next"])
    assert [c["seq"] for c in again] == [c["seq"] for c in changes]


def test_after_a_restore_the_server_goes_by_what_it_holds_and_asks_for_the_rest(live_server, desk):
    """rotate-epoch forgets each device's last sequence; the server then goes by its push log, which a restore
    brings back as of the backup. It never takes a desktop's next change as the start when it lacks earlier
    ones (they would be lost): it asks for them, or, knowing nothing of the outbox, for everything held."""
    a = desk()
    first, second = a.insert_inquiry()[1], a.insert_inquiry()[1]
    a.push(first, second)
    held = [a.insert_inquiry()[1] for _ in range(7)]  # 3..9: acknowledged, then lost by the restore
    a.push(*held)
    with live_server.db.write() as conn:  # as the backup had it: 1 and 2 only
        conn.execute(delete(push_log).where(push_log.c.seq > 2))
        conn.execute(delete(SYNCED["inquiry"]).where(SYNCED["inquiry"].c.id.in_([m["row_id"] for m in held])))
    live_server.rotate_epoch()
    new = a.insert_inquiry()[1]  # 10
    r = a.post("/sync/push", a.envelope([new]))
    assert r.status_code == 409 and r.json() | {"detail": ""} == {"detail": "", "expected_seq": 3, "code": "gap"}
    assert [x["status"] for x in a.push(*held, new)["results"]] == ["applied"] * 8
    # Restored to before this desktop's first change: nothing known of its outbox, everything held is asked for.
    with live_server.db.write() as conn:
        conn.execute(delete(push_log))
    live_server.rotate_epoch()
    a.oldest_held = 1
    later = a.insert_inquiry()[1]  # 11
    r = a.post("/sync/push", a.envelope([later]))
    assert r.status_code == 409 and r.json() | {"detail": ""} == {"detail": "", "expected_seq": 1, "code": "replay"}
    results = a.push(first, second, *held, new, later)["results"]
    assert [x["status"] for x in results] == ["applied"] * 11
    assert a.push(later)["results"][0]["status"] == "duplicate"


def test_pull_can_be_limited_to_some_tables(live_server, desk):
    a = desk()
    _fill(a, 3)
    changes = a.post("/sync/pull", {"tables": ["staff_user"]}).json()
    assert {c["table"] for c in changes["changes"]} == {"staff_user"}
    assert changes["more"] is False and changes["next"]["seq"] == changes["high_water"]
    r = a.post("/sync/pull", {"tables": ["staff_user", "secrets"]})
    assert r.status_code == 422 and "secrets" in r.json()["detail"]


def test_the_server_survives_a_restart_with_its_data(live_server, desk):
    a = desk()
    a.push(a.insert_inquiry()[1])
    before = a.pull_all()
    live_server.stop()
    live_server.start()
    assert a.pull_all() == before
    assert a.push(a.insert_inquiry()[1])["results"][0]["status"] == "applied"
