"""Moderation on the server against the real server (SQLite and PostgreSQL): which decision stands when two
desktops' decisions meet on one ad, decisions in order, undo, the checks the server owns (undo by its author,
settling, appeals and audits by someone else), claims that never overlap, and what a Moderator is not sent.

One server per database kind for the module (each test posts ads of its own); the claims tests, which take
the oldest pending ads there are, get servers of their own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from saypro_desktop.core.moderation import ad_row_id, audit_row_id
from saypro_desktop.core.uuids import new_id
from saypro_server.config import ServerSettings
from tests.conftest import FakeClock
from tests.desk_client import Desk
from tests.server.test_site_api import Office, ad_body, decide, decision_fields, now_utc, office_fixture


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    yield from office_fixture(request, tmp_path_factory)


def _state(office: Office, ad_id: str) -> tuple[str, str | None]:
    row = office.row("ad", ad_id)
    return row["status"].value, row["decision_id"]


def _standing(office: Office, *decision_ids: str) -> list[bool]:
    return [office.row("ad_decision", d)["standing"] for d in decision_ids]


def _undo(d: Desk, decision_id: str) -> dict[str, Any]:
    return d.push(d.mutation("ad_decision", decision_id, {"deleted": True}, op="delete"))["results"][0]


def test_two_desktops_deciding_one_ad_the_first_stands_the_second_is_a_conflict_a_supervisor_settles(office):
    ana, ben = office.desk("ana", "Moderator"), office.desk("ben", "Moderator")
    sup = office.desk("sipho", "Supervisor")
    ad_id = office.new_ad()
    # Both reviewed the ad while offline: neither saw a decision on it.
    first, r1 = decide(ana, ad_id, "Approve")
    second, r2 = decide(ben, ad_id, "Reject", reasons=["scam"])
    assert r1["status"] == "applied" and r1["reason"] is None
    assert r2["status"] == "applied" and "conflict" in r2["reason"] and "Supervisor" in r2["reason"]
    assert _state(office, ad_id) == ("Approved", first)
    assert _standing(office, first, second) == [True, False]
    assert office.row("ad_decision", second)["conflict_with_id"] == first
    ad = office.row("ad", ad_id)
    assert ad["decided_by_id"] == ana.login["user"]["id"] and ad["decided_at"] is not None
    # Every desktop learns it: the second decision does not stand, the ad is approved by the first.
    changes = [c for c in ana.pull_all() if c["row_id"] in (ad_id, second)]
    ben_decision = [c for c in changes if c["row_id"] == second]
    assert ben_decision[0]["fields"]["standing"] is False and ben_decision[0]["fields"]["conflict_with_id"] == first
    assert [c["fields"].get("status") for c in changes if c["row_id"] == ad_id][-1] == "Approved"
    # A Moderator may not settle; a Supervisor's settling decision stands and ends the conflict.
    refused = decide(ben, ad_id, "Reject", settles=second, follows=first)[1]
    assert refused["status"] == "rejected" and "settles_id" in refused["reason"]
    settling, r3 = decide(sup, ad_id, "Reject", settles=second, reasons=["scam"])
    assert r3["status"] == "applied" and r3["reason"] is None
    assert _state(office, ad_id) == ("Rejected", settling)
    assert _standing(office, first, second, settling) == [False, False, True]
    assert office.row("ad", ad_id)["decided_by_id"] == sup.login["user"]["id"]
    wrong_ad = decide(sup, office.new_ad(), "Approve", settles=second)[1]
    assert wrong_ad["status"] == "rejected" and "same ad" in wrong_ad["reason"]


def test_decisions_made_in_order_each_stand(office):
    ana, sup = office.desk("ana", "Moderator"), office.desk("sipho", "Supervisor")
    ad_id = office.new_ad()
    escalation, r1 = decide(ana, ad_id, "Escalate", reasons=["prohibited"])
    assert r1["status"] == "applied" and _state(office, ad_id) == ("Escalated", escalation)
    approval, r2 = decide(sup, ad_id, "Approve", follows=escalation)
    assert r2["status"] == "applied" and r2["reason"] is None
    assert _state(office, ad_id) == ("Approved", approval)
    assert _standing(office, escalation, approval) == [False, True]
    # A third, in order, after a pull; a desktop that had not seen the approval makes a conflict.
    removal, r3 = decide(ana, ad_id, "Remove", follows=approval, reasons=["expired"])
    assert r3["status"] == "applied" and _state(office, ad_id) == ("Removed", removal)
    stale, r4 = decide(ana, ad_id, "Request changes", follows=escalation, reasons=["missing_details"])
    assert "conflict" in r4["reason"] and office.row("ad_decision", stale)["conflict_with_id"] == removal
    assert _state(office, ad_id) == ("Removed", removal)


def test_undo_by_its_author_makes_the_decision_it_followed_stand_again(office):
    ana, sup = office.desk("ana", "Moderator"), office.desk("sipho", "Supervisor")
    ad_id = office.new_ad()
    escalation, _ = decide(ana, ad_id, "Escalate")
    approval, _ = decide(sup, ad_id, "Approve", follows=escalation)
    assert _undo(sup, approval)["status"] == "applied"
    assert _state(office, ad_id) == ("Escalated", escalation)
    assert _standing(office, escalation, approval) == [True, False]
    assert office.row("ad_decision", approval)["deleted"] is True
    assert _undo(ana, escalation)["status"] == "applied"
    ad = office.row("ad", ad_id)
    assert (ad["status"].value, ad["decision_id"], ad["decided_at"], ad["decided_by_id"]) == ("Pending", None, None,
                                                                                             None)
    # Sent again (a desktop replaying its outbox): the insert is a duplicate, the undo changes nothing.
    fields = decision_fields(ad_id, "Escalate")
    ana.push(ana.mutation("ad_decision", (again := new_id()), fields, op="insert"))
    assert _undo(ana, again)["status"] == "applied"
    replay = ana.push(ana.mutation("ad_decision", again, fields, op="insert"))["results"][0]
    assert replay["status"] == "duplicate", replay
    assert _state(office, ad_id) == ("Pending", None)
    # Undone stays undone.
    revived = ana.push(ana.mutation("ad_decision", again, {"deleted": False}))["results"][0]
    assert revived["status"] == "rejected" and "stays undone" in revived["reason"]
    # Anything but the tombstone is still refused on a decision (append-only).
    edit = ana.push(ana.mutation("ad_decision", again, {"note": "changed my mind"}))["results"][0]
    assert edit["status"] == "rejected" and "append-only" in edit["reason"]


def test_undo_by_someone_else_is_refused(office):
    ana, ben = office.desk("ana", "Moderator"), office.desk("ben", "Moderator")
    viewer = office.desk("vera", "Viewer")
    ad_id = office.new_ad()
    approval, _ = decide(ana, ad_id, "Approve")
    refused = _undo(ben, approval)
    assert refused["status"] == "rejected" and "only the person who made" in refused["reason"]
    assert _state(office, ad_id) == ("Approved", approval) and office.row("ad_decision", approval)["deleted"] is False
    assert viewer.post("/sync/push", viewer.envelope([viewer.mutation("ad_decision", approval, {"deleted": True},
                                                                      op="delete")])).status_code == 403
    # The feed corrects ben's desktop: the decision is not undone.
    back = [c for c in ben.pull_all() if c["row_id"] == approval]
    assert back[-1]["fields"] == {"deleted": False}


def test_an_appeal_or_an_audit_is_never_decided_by_the_decisions_moderator(office):
    # (Made in the order they write: a test desk's clock stamps from when it was made.)
    agent = office.desk("agnes", "Support Agent")
    ana, ben = office.desk("ana", "Moderator"), office.desk("ben", "Moderator")
    sup, sue = office.desk("sipho", "Supervisor"), office.desk("sue", "Supervisor")
    ad_id = office.new_ad()
    rejection, _ = decide(sup, ad_id, "Reject", reasons=["scam"])
    appeal_id = new_id()
    appeal = {"ad_id": ad_id, "decision_id": rejection, "kind": "Appeal", "text": "It is not a scam.",
              "received_at": now_utc().isoformat(), "recorded_by_id": None, "inquiry_id": None, "outcome": None,
              "decided_by_id": None, "decided_at": None, "outcome_note": None, "deleted": False}
    decided = {**appeal, "outcome": "Upheld", "decided_at": now_utc().isoformat()}
    early = agent.push(agent.mutation("appeal", new_id(), decided, op="insert"))["results"][0]
    assert early["status"] == "rejected" and "may not set appeal.decided_at" in early["reason"]
    assert agent.push(agent.mutation("appeal", appeal_id, appeal, op="insert"))["results"][0]["status"] == "applied"
    outcome = {"outcome": "Overturned", "decided_at": now_utc().isoformat(), "outcome_note": "Checked the seller."}
    own = sup.push(sup.mutation("appeal", appeal_id, outcome))["results"][0]
    assert own["status"] == "rejected" and "someone other than the moderator" in own["reason"]
    assert office.row("appeal", appeal_id)["outcome"] is None
    # Naming the decision's moderator as the one who decided is refused too.
    named = sue.push(sue.mutation("appeal", appeal_id, {**outcome, "decided_by_id": sup.login["user"]["id"]}))
    assert named["results"][0]["status"] == "rejected"
    assert sue.push(sue.mutation("appeal", appeal_id, outcome))["results"][0]["status"] == "applied"
    row = office.row("appeal", appeal_id)
    assert row["outcome"].value == "Overturned" and row["decided_by_id"] == sue.login["user"]["id"]
    # The weekly audit: drawn by anyone who audits, marked by someone other than the decision's moderator.
    approval, _ = decide(ana, office.new_ad(), "Approve")
    audit_id = audit_row_id(approval)
    draw = {"week": "2026-W48", "decision_id": approval, "seed": "s1", "drawn_by_id": None,
            "drawn_at": now_utc().isoformat(), "auditor_id": None, "verdict": None, "note": None, "marked_at": None,
            "deleted": False}
    wrong_id = ana.push(ana.mutation("moderation_audit", new_id(), draw, op="insert"))["results"][0]
    assert wrong_id["status"] == "rejected" and "audit_row_id" in wrong_id["reason"]
    assert ana.push(ana.mutation("moderation_audit", audit_id, draw, op="insert"))["results"][0]["status"] == "applied"
    mark = {"verdict": "Correct", "note": "Fine.", "marked_at": now_utc().isoformat()}
    self_audit = ana.push(ana.mutation("moderation_audit", audit_id, mark))["results"][0]
    assert self_audit["status"] == "rejected" and "audited by someone other" in self_audit["reason"]
    # Ben marks it, naming Ana as the auditor: the server records Ben (he cannot import).
    by_ben = ben.push(ben.mutation("moderation_audit", audit_id, {**mark, "auditor_id": ana.login["user"]["id"]}))
    assert by_ben["results"][0]["status"] == "applied" and "signed-in user" in by_ben["results"][0]["reason"]
    row = office.row("moderation_audit", audit_id)
    assert row["verdict"].value == "Correct" and row["auditor_id"] == ben.login["user"]["id"]
    # A decision's moderator may not re-mark it either (changing the verdict names the pusher as auditor).
    again = ana.push(ana.mutation("moderation_audit", audit_id, {"verdict": "Wrong"}))["results"][0]
    assert again["status"] == "rejected" and office.row("moderation_audit", audit_id)["verdict"].value == "Correct"


def test_a_moderator_is_not_sent_the_advertisers_contact_details_or_the_reporter(office):
    ad_id = office.new_ad()
    ad = office.row("ad", ad_id)
    report = {"external_id": ad["external_id"], "version": 1, "reason": "scam", "reporter": "thabo@example.org"}
    assert office.site("POST", "/ads/reports", json=report).json()["created"] == 1
    mod, sup = office.desk("mona", "Moderator"), office.desk("sipho", "Supervisor")
    seen = [c for c in mod.pull_all() if c["table"] in ("ad", "ad_report")
            and ad_id in (c["row_id"], c["fields"].get("ad_id"))]
    assert {c["table"] for c in seen} == {"ad", "ad_report"}
    hidden = {"advertiser_email", "advertiser_phone", "reporter"}
    for c in seen:
        assert not hidden & set(c["fields"]) and not hidden & set(c["versions"]), c
    created = next(c for c in seen if c["table"] == "ad")
    assert created["fields"]["advertiser_name"] == "Sipho Dlamini" and created["fields"]["title"]
    full = [c for c in sup.pull_all() if c["row_id"] == ad_id]
    assert full[0]["fields"]["advertiser_email"] == "sipho@example.org"
    assert full[0]["fields"]["advertiser_phone"] == "+27 82 555 0199"
    # Nor the stamps of those fields, nor may it write them.
    stamps = mod.post("/sync/versions", {"table": "ad", "ids": [ad_id]}).json()["versions"][ad_id]
    assert "advertiser_email" not in stamps
    edit = mod.push(mod.mutation("ad", ad_id, {"advertiser_email": "x@example.org"}))["results"][0]
    assert edit["status"] == "rejected"


def test_the_ad_state_is_the_servers_whatever_a_desktop_pushes(office):
    ana = office.desk("ana", "Moderator")
    ad_id = office.new_ad()
    out = ana.push(ana.mutation("ad", ad_id, {"status": "Approved", "report_count": 7}))["results"][0]
    assert out["status"] == "applied" and "stays as the server recorded it" in out["reason"]
    assert _state(office, ad_id) == ("Pending", None) and office.row("ad", ad_id)["report_count"] == 0
    # A decision the desktop says stands, but that meets another: the server decides.
    first, _ = decide(ana, ad_id, "Approve")
    ben = office.desk("ben", "Moderator")
    fields = {**decision_fields(ad_id, "Reject"), "standing": True, "conflict_with_id": None}
    second = new_id()
    ben.push(ben.mutation("ad_decision", second, fields, op="insert"))
    row = office.row("ad_decision", second)
    assert row["standing"] is False and row["conflict_with_id"] == first
    assert row["moderator_id"] == ben.login["user"]["id"]


def test_an_offline_import_of_ads_and_a_phoned_in_report_follow_the_same_rules(office):
    sup, mod = office.desk("sipho", "Supervisor"), office.desk("mona", "Moderator")
    body = ad_body()
    ext = body["external_id"]
    fields = {**{k: v for k, v in body.items() if k != "price"}, "price_minor": 125000, "source": "import",
              "status": "Approved", "decision_id": None, "decided_at": None, "decided_by_id": None,
              "claimed_by_id": None, "claim_expires_at": None, "report_count": 3, "deleted": False}
    wrong = sup.push(sup.mutation("ad", new_id(), fields, op="insert"))["results"][0]
    assert wrong["status"] == "rejected" and "ad_row_id" in wrong["reason"]
    v1 = office.row("ad", office.new_ad(**body))  # the site posts it as well: the same row
    assert v1["source"] == "site"
    v2_id = ad_row_id(ext, 2)
    out = sup.push(sup.mutation("ad", v2_id, {**fields, "version": 2}, op="insert"))["results"][0]
    assert out["status"] == "applied", out
    v2 = office.row("ad", v2_id)
    assert (v2["status"].value, v2["report_count"], v2["source"]) == ("Pending", 0, "import")
    assert office.row("ad", v1["id"])["status"].value == "Superseded"
    assert mod.push(mod.mutation("ad", v2_id, {"title": "Renamed"}))["results"][0]["status"] == "rejected"
    report = {"ad_id": v2_id, "reported_at": now_utc().isoformat(), "reason": "scam", "text": "Caller said so.",
              "reporter": "caller on 082 555 0100", "recorded_by_id": None, "deleted": False}
    assert mod.push(mod.mutation("ad_report", new_id(), report, op="insert"))["results"][0]["status"] == "applied"
    assert office.row("ad", v2_id)["report_count"] == 1
    # A Moderator's decision on the superseded version is kept but does not stand.
    kept, result = decide(mod, v1["id"], "Approve")
    assert result["status"] == "applied" and "newer version" in result["reason"]
    assert _standing(office, kept) == [False] and _state(office, v1["id"]) == ("Superseded", None)


# -- claims (servers of their own: a claim takes the oldest pending ads there are) -------------------------------------

def _pending_ads(office: Office, n: int) -> list[str]:
    base = now_utc() - timedelta(days=2)
    bodies = [ad_body(submitted_at=(base + timedelta(minutes=i)).isoformat()) for i in range(n)]
    results = office.post_ads({"ads": bodies})["results"]
    assert all(r["status"] == "created" for r in results)
    return [r["ad_id"] for r in results]  # oldest submitted first


def test_claims_never_overlap_and_take_the_oldest_first(live_server):
    office = Office(live_server)
    try:
        ads = _pending_ads(office, 40)
        mods = [office.desk(f"mod{i}", "Moderator") for i in range(4)]
        start = threading.Barrier(len(mods))

        def claim(d: Desk) -> list[str]:
            start.wait()
            got: list[str] = []
            for _ in range(3):
                r = d.post("/moderation/claim", {"count": 4})
                assert r.status_code == 200, r.text
                got += r.json()["ad_ids"]
            return got

        with ThreadPoolExecutor(len(mods)) as pool:
            taken = list(pool.map(claim, mods))
        every = [a for got in taken for a in got]
        assert len(every) == len(set(every)) == 40 and set(every) == set(ads)
        for d, got in zip(mods, taken, strict=True):
            for ad_id in got:
                assert office.row("ad", ad_id)["claimed_by_id"] == d.login["user"]["id"]
        # Nothing is left; other desktops learn who holds what.
        assert mods[0].post("/moderation/claim", {"count": 5}).json()["ad_ids"] == []
        holders = {c["row_id"]: c["fields"]["claimed_by_id"] for c in mods[1].pull_all()
                   if c["table"] == "ad" and "claimed_by_id" in c["fields"]}
        assert holders == {a: d.login["user"]["id"] for d, got in zip(mods, taken, strict=True) for a in got}
        agent = office.desk("agnes", "Support Agent")
        assert agent.post("/moderation/claim", {"count": 5}).status_code == 403
        assert mods[0].post("/moderation/claim", {"count": 0}).status_code == 422
    finally:
        office.http.close()


def test_a_claim_asked_again_gets_the_same_ads_and_an_expired_claim_is_taken_again(live_server_factory):
    clock = FakeClock(datetime.now(UTC))
    server = live_server_factory(settings=replace(ServerSettings(), clock=clock, claim_ttl_s=600))
    office = Office(server)
    try:
        ads = _pending_ads(office, 6)
        ana, ben = office.desk("ana", "Moderator"), office.desk("ben", "Moderator")
        request_id = new_id()
        first = ana.post("/moderation/claim", {"count": 2, "request_id": request_id}).json()
        assert first["ad_ids"] == ads[:2]
        assert datetime.fromisoformat(first["expires_at"]) == clock.t + timedelta(seconds=600)
        assert ana.post("/moderation/claim", {"count": 2, "request_id": request_id}).json() == first
        assert ben.post("/moderation/claim", {"count": 3}).json()["ad_ids"] == ads[2:5]
        # A decision does not wait for the claim; once it stands the ad is no longer pending.
        assert decide(ben, ads[5], "Approve")[1]["status"] == "applied"
        clock.advance(minutes=11)  # Ana's and Ben's claims have expired
        again = ben.post("/moderation/claim", {"count": 10}).json()["ad_ids"]
        assert again == ads[:5]
        assert office.row("ad", ads[0])["claimed_by_id"] == ben.login["user"]["id"]
    finally:
        office.http.close()
