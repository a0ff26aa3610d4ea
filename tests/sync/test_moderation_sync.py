"""Moderation through the real server and real desktops: the site posts ads, two moderators claim and decide
offline, meet on one ad (a conflict a Supervisor settles), and the site reads the decisions and a ban back from
its feed; nothing is lost on either side."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select

from saypro_desktop.core.moderation import AdStatus, DecisionKind, SanctionKind
from saypro_desktop.models import Ad, AdDecision, AdScore
from saypro_desktop.services import ads, moderation
from saypro_server import site


def _post_ads(live_server, key: str, count: int) -> None:
    submitted = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    body = {"ads": [{"external_id": f"S-{n}", "version": 1, "title": f"Fridge {n}, good condition",
                     "description": "Works well; collection in Durban." if n else
                     "Send a deposit first via Western Union and I courier it.", "price": "2500.00",
                     "currency": "ZAR", "category": "For Sale", "ad_type": "Offer", "advertiser_id": f"U{n}",
                     "advertiser_name": "Thandi Mthembu", "advertiser_email": f"u{n}@example.org",
                     "submitted_at": submitted} for n in range(count)]}
    answer = httpx.post(f"{live_server.api}/ads", json=body, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert {r["status"] for r in answer.json()["results"]} == {"created"}, answer.text


def _feed(live_server, key: str) -> list[dict]:
    answer = httpx.get(f"{live_server.api}/moderation/feed", params={"after": 0, "limit": 1000},
                       headers={"Authorization": f"Bearer {key}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]


def test_site_to_moderators_and_back(live_server, desktops):
    key = site.create_integration(live_server.db, f"site-{uuid.uuid4().hex[:8]}", datetime.now(UTC))
    _post_ads(live_server, key, 6)
    mod_a = desktops("mod-a", "mod.a", "Moderator")
    mod_b = desktops("mod-b", "mod.b", "Moderator")
    boss = desktops("boss", "boss", "Supervisor")
    for d in (mod_a, mod_b):
        d.sync()
        with d.store.session() as s:
            held = s.scalars(select(Ad)).all()
            assert len(held) == 6 and all(a.advertiser_email is None for a in held), \
                "a Moderator gets the ads without the advertiser's contact details"
            assert s.scalar(select(AdScore).where(AdScore.ad_id == held[0].id)) is not None, "scored on arrival"
    # Claims: each moderator reserves three ads; no ad is reserved twice.
    claimed_a = mod_a.client.claim_ads(3, str(uuid.uuid4()))["ad_ids"]
    claimed_b = mod_b.client.claim_ads(3, str(uuid.uuid4()))["ad_ids"]
    assert len(claimed_a) == len(claimed_b) == 3 and not set(claimed_a) & set(claimed_b)
    for d in (mod_a, mod_b):
        d.sync()
    with mod_a.work() as ctx:
        mine = {a.id for a in ads.queue(ctx, ads.QueueFilter(mine_only=True))}
        assert mine == set(claimed_a)
        assert not set(claimed_b) & {a.id for a in ads.queue(ctx)}, "another's claimed ads leave the queue"
    # Offline, each works their batch; both also decide one ad of the other's batch (a claim only steers).
    shared = claimed_b[0]
    with mod_a.work() as ctx:
        for ad_id in claimed_a:
            ad = ads.get_ad(ctx, ad_id)
            kind = DecisionKind.REJECT if "deposit" in ad.description else DecisionKind.APPROVE
            moderation.decide(ctx, ad, kind, ["scam"] if kind is DecisionKind.REJECT else [])
        moderation.decide(ctx, ads.get_ad(ctx, shared), DecisionKind.REJECT, ["misleading"])
    with mod_b.work() as ctx:
        for ad_id in claimed_b:
            moderation.decide(ctx, ads.get_ad(ctx, ad_id), DecisionKind.APPROVE)
    mod_b.sync()  # B reaches the server first: its decision on the shared ad stands
    mod_a.sync()
    for d in (mod_a, mod_b, boss):
        d.sync()
    with boss.store.session() as s:
        statuses = {a.id: a.status for a in s.scalars(select(Ad))}
        assert statuses[shared] is AdStatus.APPROVED
        assert sum(st is not AdStatus.PENDING for st in statuses.values()) == 6, "every decision arrived"
    with boss.work() as ctx:
        ((aside, stands),) = moderation.conflicts(ctx)
        assert aside.ad_id == shared and aside.decision is DecisionKind.REJECT
        assert stands.decision is DecisionKind.APPROVE
        moderation.settle(ctx, aside, DecisionKind.REJECT, ["misleading"])
        bad = next(a for a in ctx.session.scalars(select(Ad)) if "deposit" in a.description)
        moderation.add_sanction(ctx, bad.advertiser_id, SanctionKind.BAN, ["scam"], ad=bad)
    boss.sync()
    for d in (mod_a, mod_b):
        d.sync()
        with d.store.session() as s:
            assert s.get(Ad, shared).status is AdStatus.REJECTED, "the Supervisor's settling decision stands"
            assert len(s.scalars(select(AdDecision)).all()) == 8, "no decision lost: 7 by moderators and 1 settling"
    with mod_a.work() as ctx:
        assert moderation.conflicts(ctx) == []
    events = _feed(live_server, key)
    decisions = {e["external_id"]: e for e in events if e["type"] == "decision"}
    assert len(decisions) == 6
    assert [e for e in events if e["type"] == "sanction"], "the ban reaches the site"
    assert all("moderator_id" not in e and "mod.a" not in str(e) for e in events), "no staff ids go to the site"
