"""The classified site's API against the real server (SQLite and PostgreSQL): integration keys, posting ads
(one, a batch with a bad ad, the same again, new versions), users' reports, the site's feed (cursor,
decisions, sanctions, reminders once) and the images of ads.

One server per database kind for the module (the tests use ads of their own, so they share it); the tests
that need a server of their own (the CLI's keys, restarts) make one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from saypro_desktop.core.moderation import ad_row_id
from saypro_desktop.core.uuids import new_id
from saypro_server import site
from saypro_server.cli import main
from saypro_server.store.schema import SYNCED, integration
from tests.desk_client import Desk
from tests.server_fixtures import LiveServer, _fresh_url

# -- shared by tests/server/test_moderation_server.py ---------------------------------------------------------------


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def ad_body(**overrides: Any) -> dict[str, Any]:
    """A valid ad as the site posts it (a new site id each time)."""
    body: dict[str, Any] = {
        "external_id": f"A-{new_id()[-12:]}", "version": 1, "title": "Toyota Corolla 2015, 120 000 km",
        "description": "One owner, full service history.", "price": "125000.50", "currency": "ZAR",
        "category": "Vehicles", "subcategory": "Cars", "ad_type": "Offer", "advertiser_id": "U-4711",
        "advertiser_name": "Sipho Dlamini", "advertiser_email": "sipho@example.org",
        "advertiser_phone": "+27 82 555 0199", "location": "Pretoria",
        "images": [], "submitted_at": (now_utc() - timedelta(hours=1)).astimezone().isoformat(),
    }
    body.update(overrides)
    return body


class Office:
    """A live server, an integration key for it, and desktops signed in as staff (made once per name)."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.key = site.create_integration(server.db, f"site-{new_id()[-8:]}", datetime.now(UTC))
        self.http = httpx.Client(base_url=server.api, timeout=30)
        self._users: set[str] = set()
        self._desks: list[Desk] = []

    def site(self, method: str, path: str, key: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key or self.key}", **kw.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kw)

    def post_ads(self, body: Any, expect: int = 200) -> dict[str, Any]:
        r = self.site("POST", "/ads", json=body)
        assert r.status_code == expect, r.text
        return r.json()

    def new_ad(self, **overrides: Any) -> str:
        """Post one ad; its row id."""
        result = self.post_ads(ad_body(**overrides))["results"][0]
        assert result["status"] == "created", result
        return result["ad_id"]

    def feed(self, after: int, limit: int = 1000) -> dict[str, Any]:
        r = self.site("GET", "/moderation/feed", params={"after": after, "limit": limit})
        assert r.status_code == 200, r.text
        return r.json()

    def cursor(self) -> int:
        page = self.feed(0)
        while page["more"]:
            page = self.feed(page["next"])
        return page["next"]

    def desk(self, username: str, role: str) -> Desk:
        if username not in self._users:
            self.server.create_user(username, role)
            self._users.add(username)
        d = Desk(self.server, username)
        self._desks.append(d)
        return d

    def row(self, table: str, row_id: str) -> Any:
        t = SYNCED[table]
        with self.server.db.read() as conn:
            return conn.execute(select(t).where(t.c.id == row_id)).mappings().first()

    def close(self) -> None:
        for d in self._desks:
            d.close()
        self.http.close()
        self.server.close()


def office_fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    urls = _fresh_url(request, tmp_path_factory.mktemp("office"), request.param)
    office = Office(LiveServer(next(urls)).start())
    try:
        yield office
    finally:
        office.close()
        next(urls, None)  # drops the PostgreSQL database


def decision_fields(ad_id: str, kind: str = "Approve", *, follows: str | None = None, settles: str | None = None,
                    reasons: list[str] | None = None, message: str | None = None) -> dict[str, Any]:
    return {"ad_id": ad_id, "moderator_id": None, "decided_at": now_utc().isoformat(), "decision": kind,
            "reasons": reasons or [], "message": message, "note": None, "rules_version": 1, "risk": 0, "flags": [],
            "follows_id": follows, "settles_id": settles, "standing": True, "conflict_with_id": None,
            "deleted": False}


def decide(d: Desk, ad_id: str, kind: str = "Approve", **kw: Any) -> tuple[str, dict[str, Any]]:
    """Push one decision; (its row id, the push result)."""
    row_id = new_id()
    fields = {**decision_fields(ad_id, kind, **kw), "moderator_id": d.login["user"]["id"]}  # as a desktop names it
    result = d.push(d.mutation("ad_decision", row_id, fields, op="insert"))["results"][0]
    return row_id, result


# -- the module's server --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def office(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    yield from office_fixture(request, tmp_path_factory)


# -- keys -----------------------------------------------------------------------------------------------------------

def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_key_is_printed_once_kept_only_as_its_hash_and_ends_when_revoked(live_server_factory, server_db_url,
                                                                           capsys):
    server = live_server_factory()
    url = server.db_url
    code, out, _ = _run(capsys, "--database-url", url, "create-integration", "classified-site")
    assert code == 0
    key = next(word for word in out.split() if word.startswith("spk_"))
    assert len(key) > 40 and "cannot be shown again" in out
    with server.db.read() as conn:
        stored = conn.execute(select(integration)).mappings().one()
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest() and key not in str(dict(stored))
    code, out, _ = _run(capsys, "--database-url", url, "list-integrations")
    assert code == 0 and "classified-site" in out and "active" in out and key not in out
    # One active key per name.
    code, _, err = _run(capsys, "--database-url", url, "create-integration", "classified-site")
    assert code == 1 and "revoke it first" in err

    def post(k: str) -> httpx.Response:
        return httpx.post(f"{server.api}/ads", json=ad_body(), headers={"Authorization": f"Bearer {k}"})

    assert post(key).status_code == 200
    assert post(key[:-1] + ("A" if key[-1] != "A" else "B")).status_code == 401
    assert httpx.post(f"{server.api}/ads", json=ad_body()).status_code == 401
    # A desktop's access token is not a site's key.
    server.create_user("mo", "Moderator")
    mo = Desk(server, "mo")
    assert httpx.post(f"{server.api}/ads", json=ad_body(), headers=mo.headers).status_code == 401
    mo.close()
    code, out, _ = _run(capsys, "--database-url", url, "revoke-integration", "classified-site")
    assert code == 0 and "revoked" in out
    r = post(key)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]
    code, out, _ = _run(capsys, "--database-url", url, "list-integrations")
    assert "revoked" in out
    code, _, err = _run(capsys, "--database-url", url, "revoke-integration", "classified-site")
    assert code == 1 and "no active integration" in err
    code, out, _ = _run(capsys, "--database-url", url, "create-integration", "classified-site")
    new_key = next(word for word in out.split() if word.startswith("spk_"))
    assert new_key != key and post(new_key).status_code == 200 and post(key).status_code == 401
    code, _, err = _run(capsys, "--database-url", url, "create-integration", "no spaces please")
    assert code == 1 and "name" in err


# -- posting ads ----------------------------------------------------------------------------------------------------

def test_one_ad_lands_as_a_synced_row_that_desktops_pull(office):
    body = ad_body(price=125000.5, expires_at=(now_utc() + timedelta(days=30)).isoformat())
    out = office.post_ads(body)
    assert out["created"] == 1 and out["refused"] == 0 and out["duplicate"] == 0
    result = out["results"][0]
    assert result == {"index": 0, "external_id": body["external_id"], "version": 1, "status": "created",
                      "ad_id": ad_row_id(body["external_id"], 1)}
    row = office.row("ad", result["ad_id"])
    assert row["source"] == "site" and row["status"].value == "Pending" and row["price_minor"] == 12500050
    assert row["report_count"] == 0 and row["decision_id"] is None and row["field_versions"]["*"]
    assert row["submitted_at"] == datetime.fromisoformat(body["submitted_at"])
    supervisor = office.desk("sipho", "Supervisor")
    change = [c for c in supervisor.pull_all() if c["row_id"] == result["ad_id"]]
    assert len(change) == 1 and change[0]["table"] == "ad"
    assert change[0]["fields"]["advertiser_email"] == "sipho@example.org"
    assert change[0]["fields"]["status"] == "Pending" and change[0]["fields"]["category"] == "Vehicles"


def test_a_batch_with_a_bad_ad_lands_the_others_and_names_the_bad_fields(office):
    good = [ad_body(), ad_body(price="1 250,50"), ad_body(price=None)]
    bad = ad_body(title="x" * 201, category="Spaceships", submitted_at="2026-01-05T10:00:00",
                  images=[{"sha256": "ABC", "filename": "a.jpg", "size": 10}], colour="red")
    out = office.post_ads({"ads": [good[0], bad, good[1], good[2]]})
    assert [r["status"] for r in out["results"]] == ["created", "refused", "created", "created"]
    assert (out["created"], out["refused"]) == (3, 1)
    refused = out["results"][1]
    fields = {p["field"] for p in refused["problems"]}
    assert {"title", "category", "submitted_at", "images", "colour"} <= fields, refused
    assert "title" in refused["reason"] and "200 characters" in refused["reason"]
    assert "zone offset" in refused["reason"] and "sha256" in refused["reason"]
    assert "ad_id" not in refused and office.row("ad", ad_row_id(bad["external_id"], 1)) is None
    assert office.row("ad", out["results"][2]["ad_id"])["price_minor"] == 125050
    assert office.row("ad", out["results"][3]["ad_id"])["price_minor"] is None
    # Each kind of problem, alone.
    cases = {
        "price": ad_body(price="-5"), "currency": ad_body(currency="RANDS"), "ad_type": ad_body(ad_type="Barter"),
        "subcategory": ad_body(subcategory="Cars\nand bikes"),
        "version": ad_body(version="2"), "advertiser_email": ad_body(advertiser_email="not-an-address"),
        "expires_at": ad_body(expires_at=(now_utc() - timedelta(days=400)).isoformat()),
        "external_id": ad_body(external_id="has spaces/and slashes"),
        "advertiser_name": ad_body(advertiser_name=None),
    }
    results = office.post_ads({"ads": list(cases.values())})["results"]
    for (field, _), result in zip(cases.items(), results, strict=True):
        assert result["status"] == "refused" and field in {p["field"] for p in result["problems"]}, (field, result)
    for image, word in (({"sha256": "a" * 64, "filename": "../../etc/passwd", "size": 10}, "filename"),
                        ({"sha256": "a" * 64, "filename": "a.jpg"}, "size"),
                        ({"sha256": "a" * 64, "filename": "a.jpg", "size": 10, "exif": {}}, "exif")):
        result = office.post_ads(ad_body(images=[image]))["results"][0]
        assert result["status"] == "refused" and word in result["reason"], result
    huge = office.post_ads(ad_body(price="100000000000.01"))["results"][0]  # past any sane price (R 100 billion)
    assert huge["status"] == "refused" and [p["field"] for p in huge["problems"]] == ["price"], huge
    future = office.post_ads(ad_body(submitted_at=(now_utc() + timedelta(hours=2)).isoformat()))["results"][0]
    assert future["status"] == "refused" and "future" in future["reason"]
    # The request's shape: a list of ads, capped.
    assert office.site("POST", "/ads", json=[ad_body()]).status_code == 422
    assert office.site("POST", "/ads", json={"ads": {}}).status_code == 422
    r = office.site("POST", "/ads", json={"ads": [ad_body() for _ in range(site.MAX_ADS + 1)]})
    assert r.status_code == 413 and str(site.MAX_ADS) in r.json()["detail"]


def test_the_same_ad_again_is_a_duplicate_and_new_versions_supersede_pending_ones(office):
    v1 = ad_body()
    ext = v1["external_id"]
    first = office.post_ads(v1)["results"][0]
    again = office.post_ads(v1)["results"][0]
    assert again["status"] == "duplicate" and again["ad_id"] == first["ad_id"]
    # The same moment written in another zone is the same ad.
    shifted = {**v1, "submitted_at": datetime.fromisoformat(v1["submitted_at"]).astimezone(UTC).isoformat()}
    assert office.post_ads(shifted)["results"][0]["status"] == "duplicate"
    changed = office.post_ads({**v1, "title": "Toyota Corolla 2015, low mileage"})["results"][0]
    assert changed["status"] == "refused" and "title" in changed["reason"] and "next version" in changed["reason"]
    assert office.row("ad", first["ad_id"])["title"] == v1["title"]
    # A second version: the first, still pending, is superseded (and desktops learn it).
    v2 = office.post_ads({**v1, "version": 2, "title": "Toyota Corolla 2015, price lowered"})["results"][0]
    assert v2["status"] == "created" and v2["superseded"] == [1]
    assert office.row("ad", first["ad_id"])["status"].value == "Superseded"
    assert office.row("ad", v2["ad_id"])["status"].value == "Pending"
    viewer = office.desk("vera", "Viewer")
    states = [c["fields"]["status"] for c in viewer.pull_all() if c["row_id"] == first["ad_id"]
              and "status" in c["fields"]]
    assert states == ["Pending", "Superseded"]
    # An older version arriving late is stored superseded; both in one batch: the older one superseded.
    assert office.post_ads({**v1, "external_id": ext, "version": 1})["results"][0]["status"] == "duplicate"
    newer = ad_body(version=2)
    office.new_ad(**newer)
    late = office.post_ads({**newer, "version": 1})["results"][0]
    assert late["status"] == "created" and office.row("ad", late["ad_id"])["status"].value == "Superseded"
    other = ad_body()
    batch = office.post_ads({"ads": [{**other, "version": 3}, {**other, "version": 2}]})["results"]
    assert [r["status"] for r in batch] == ["created", "created"]
    assert office.row("ad", batch[1]["ad_id"])["status"].value == "Superseded"
    assert office.row("ad", batch[0]["ad_id"])["status"].value == "Pending"
    # A decided version is not superseded: the new version waits for its own decision.
    mod = office.desk("mona", "Moderator")
    decided = office.new_ad()
    _, result = decide(mod, decided, "Approve")
    assert result["status"] == "applied", result
    row = office.row("ad", decided)
    out = office.post_ads(ad_body(external_id=row["external_id"], version=2))["results"][0]
    assert out["status"] == "created" and "superseded" not in out
    assert office.row("ad", decided)["status"].value == "Approved"


# -- reports --------------------------------------------------------------------------------------------------------

def test_reports_count_on_their_ad_and_the_reporter_is_personal(office):
    ad_id = office.new_ad()
    ad = office.row("ad", ad_id)
    report = {"external_id": ad["external_id"], "version": 1, "reason": "scam", "text": "Asked for a deposit first.",
              "reporter": "user-991 (thabo@example.org)", "report_id": f"R-{new_id()[-10:]}"}
    r = office.site("POST", "/ads/reports", json=report)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["created"] == 1 and out["results"][0]["status"] == "created"
    report_row = office.row("ad_report", out["results"][0]["row_id"])
    assert report_row["reason"] == "scam" and report_row["recorded_by_id"] is None
    assert office.row("ad", ad_id)["report_count"] == 1
    # The same report again (the site retried): a duplicate, counted once. Another report: counted.
    again = office.site("POST", "/ads/reports", json={"reports": [report, {**report, "report_id": None,
                                                                           "reason": "offensive"}]}).json()
    assert [x["status"] for x in again["results"]] == ["duplicate", "created"]
    assert office.row("ad", ad_id)["report_count"] == 2
    bad = office.site("POST", "/ads/reports", json={"reports": [
        {**report, "report_id": None, "version": 9}, {**report, "report_id": None, "reason": ""},
        {**report, "report_id": None, "reported_at": "yesterday"}]}).json()["results"]
    assert [x["status"] for x in bad] == ["refused"] * 3
    assert "post the ad first" in bad[0]["reason"] and "reason" in bad[1]["reason"]
    assert "reported_at" in bad[2]["reason"]
    # Desktops learn the report and the count; a Moderator without the reporter.
    mod, sup = office.desk("mona", "Moderator"), office.desk("sipho", "Supervisor")
    seen_by_mod = [c for c in mod.pull_all() if c["row_id"] in (report_row["id"], ad_id)]
    reports = [c for c in seen_by_mod if c["table"] == "ad_report"]
    assert reports and all("reporter" not in c["fields"] and "reporter" not in c["versions"] for c in reports)
    assert [c["fields"]["report_count"] for c in seen_by_mod if "report_count" in c["fields"]][-1] == 2
    by_sup = [c for c in sup.pull_all() if c["row_id"] == report_row["id"]]
    assert by_sup[0]["fields"]["reporter"] == "user-991 (thabo@example.org)"


# -- the site's feed ------------------------------------------------------------------------------------------------

def _events(office: Office, after: int, ad_id: str | None = None, limit: int = 1000) -> tuple[list[dict], int]:
    events, cursor = [], after
    while True:
        page = office.feed(cursor, limit)
        assert page["reset"] is False
        events += page["events"]
        assert page["next"] >= cursor
        cursor = page["next"]
        if not page["more"]:
            break
    cursors = [e["cursor"] for e in events]
    assert cursors == sorted(set(cursors)) and all(c > after for c in cursors)
    return [e for e in events if ad_id is None or e.get("ad_id") == ad_id or e.get("ad", {}).get("ad_id") == ad_id
            ], cursor


def test_the_feed_tells_the_site_decisions_withdrawals_and_sanctions_in_order(office):
    start = office.cursor()
    mod, sup = office.desk("mona", "Moderator"), office.desk("sipho", "Supervisor")
    ad_id = office.new_ad()
    ad = office.row("ad", ad_id)
    assert _events(office, start, ad_id)[0] == []  # a new ad is nothing to tell the site
    rejected, _ = decide(mod, ad_id, "Reject", reasons=["scam"], message="Your ad was not published: scam.")
    events, cursor = _events(office, start, ad_id)
    assert [e["type"] for e in events] == ["decision"]
    e = events[0]
    assert (e["external_id"], e["version"], e["decision_id"], e["decision"], e["status"]) == \
        (ad["external_id"], 1, rejected, "Reject", "Rejected")
    assert e["reasons"] == ["scam"] and e["message"] == "Your ad was not published: scam." and e["at"]
    # Its moderator undoes it: withdrawn, the ad is pending again.
    undo = mod.push(mod.mutation("ad_decision", rejected, {"deleted": True}, op="delete"))["results"][0]
    assert undo["status"] == "applied", undo
    events, cursor = _events(office, cursor, ad_id)
    assert [(e["type"], e["decision_id"], e["status"], e["standing_decision_id"]) for e in events] == \
        [("decision_withdrawn", rejected, "Pending", None)]
    # A conflicting decision is not told; the one that stands is.
    approved, _ = decide(mod, ad_id, "Approve")
    conflict, result = decide(sup, ad_id, "Remove", reasons=["prohibited"])
    assert "conflict" in result["reason"]
    events, cursor = _events(office, cursor, ad_id)
    assert [(e["type"], e["decision_id"]) for e in events] == [("decision", approved)]
    # Sanctions and their lifting.
    sanction_id = new_id()
    issued = now_utc()
    fields = {"advertiser_id": ad["advertiser_id"], "kind": "Suspension", "reasons": ["scam"],
              "message": "Suspended for 7 days.", "ad_id": ad_id, "issued_by_id": None,
              "issued_at": issued.isoformat(), "ends_at": (issued + timedelta(days=7)).isoformat(), "lifted_at": None,
              "lifted_by_id": None, "lift_reason": None, "deleted": False}
    assert mod.push(mod.mutation("sanction", sanction_id, fields, op="insert"))["results"][0]["status"] == "applied"
    lift = {"lifted_at": (issued + timedelta(minutes=5)).isoformat(), "lift_reason": "Appeal upheld"}
    assert sup.push(sup.mutation("sanction", sanction_id, lift))["results"][0]["status"] == "applied"
    events, cursor = _events(office, cursor)
    sanctions = [e for e in events if e.get("sanction_id") == sanction_id]
    assert [e["type"] for e in sanctions] == ["sanction", "sanction_lifted"]
    assert sanctions[0]["kind"] == "Suspension" and sanctions[0]["ad"]["ad_id"] == ad_id
    assert sanctions[0]["ends_at"] == datetime.fromisoformat(fields["ends_at"]).astimezone(UTC).isoformat()
    assert sanctions[1]["lift_reason"] == "Appeal upheld" and "issued_by_id" not in sanctions[0]
    assert conflict not in {e.get("decision_id") for e in events}
    # A cursor past every event (a restored server): read again from 0.
    reset = office.feed(cursor + 1000)
    assert reset["reset"] is True and reset["events"] == [] and reset["next"] == 0
    assert office.site("GET", "/moderation/feed", key="spk_not-a-key").status_code == 401


def test_renewal_reminders_come_once_for_approved_ads_about_to_expire(office):
    start = office.cursor()
    mod = office.desk("mona", "Moderator")
    soon = office.new_ad(expires_at=(now_utc() + timedelta(days=2)).isoformat())
    later = office.new_ad(expires_at=(now_utc() + timedelta(days=20)).isoformat())
    pending = office.new_ad(expires_at=(now_utc() + timedelta(days=1)).isoformat())
    for ad_id in (soon, later):
        assert decide(mod, ad_id, "Approve")[1]["status"] == "applied"
    events, cursor = _events(office, start)
    reminders = [e for e in events if e["type"] == "renewal_reminder" and e["ad_id"] in (soon, later, pending)]
    assert [e["ad_id"] for e in reminders] == [soon]
    assert reminders[0]["expires_at"] and reminders[0]["external_id"] == office.row("ad", soon)["external_id"]
    # Read again, from the start and from the cursor: the reminder is not made again.
    again, _ = _events(office, start)
    assert [e for e in again if e["type"] == "renewal_reminder" and e["ad_id"] == soon] == reminders
    assert [e for e in _events(office, cursor)[0] if e["type"] == "renewal_reminder" and e["ad_id"] == soon] == []


def test_the_cursor_is_kept_across_a_restart(live_server, desk):
    office = Office(live_server)
    try:
        mod = desk("mona", "Moderator")
        first = office.new_ad()
        decide(mod, first, "Approve")
        events, cursor = _events(office, 0)
        assert [e["ad_id"] for e in events] == [first]
        live_server.stop()
        live_server.start()
        assert office.feed(cursor)["events"] == []
        second = office.new_ad()
        decide(mod, second, "Reject", reasons=["scam"])
        events, _ = _events(office, cursor)
        assert [(e["ad_id"], e["status"]) for e in events] == [(second, "Rejected")]
        assert events[0]["cursor"] > cursor
    finally:
        office.http.close()


# -- images ---------------------------------------------------------------------------------------------------------

def test_the_site_uploads_its_ads_images_and_desktops_that_see_ads_download_them(office):
    data = os.urandom(200_000)
    sha = hashlib.sha256(data).hexdigest()
    stray = os.urandom(1000)
    stray_sha = hashlib.sha256(stray).hexdigest()
    put = {"Content-Type": "application/octet-stream"}
    # Not named by an ad of this site: refused.
    r = office.site("PUT", f"/blobs/{stray_sha}", content=stray, headers=put)
    assert r.status_code == 403 and "post the ad first" in r.json()["detail"]
    ad_id = office.new_ad(images=[{"sha256": sha, "filename": "front.jpg", "size": len(data), "width": 1024,
                                   "height": 768}])
    assert office.site("GET", f"/blobs/{sha}/status").json() == {"sha256": sha, "size": None, "received": 0,
                                                                 "complete": False}
    half = len(data) // 2
    first = office.site("PUT", f"/blobs/{sha}", content=data[:half],
                        headers={**put, "Content-Range": f"bytes 0-{half - 1}/{len(data)}"})
    assert first.status_code == 200 and first.json()["received"] == half
    done = office.site("PUT", f"/blobs/{sha}", content=data[half:],
                       headers={**put, "Content-Range": f"bytes {half}-{len(data) - 1}/{len(data)}"})
    assert done.json()["complete"] is True
    assert office.site("HEAD", f"/blobs/{sha}").status_code == 200
    # Desktops that see ads may download it; the site may not read files.
    mod, viewer = office.desk("mona", "Moderator"), office.desk("vera", "Viewer")
    assert mod.get(f"/blobs/{sha}").content == data
    assert viewer.get(f"/blobs/{sha}", headers={"Range": "bytes=0-9"}).content == data[:10]
    assert office.site("GET", f"/blobs/{sha}").status_code == 403
    # Another site's key may not send this ad's images.
    other = site.create_integration(office.server.db, f"other-{new_id()[-8:]}", datetime.now(UTC))
    assert office.site("PUT", f"/blobs/{sha}", key=other, content=data, headers=put).status_code == 403
    assert office.row("ad", ad_id)["images"][0]["sha256"] == sha
