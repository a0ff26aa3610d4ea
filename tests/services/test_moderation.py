"""Moderation use cases on one desktop: importing ads, the queue, decisions and undo, sanctions, appeals, the
weekly audit and the figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from saypro_desktop.core.moderation import (
    AdStatus,
    AppealOutcome,
    AuditVerdict,
    DecisionKind,
    SanctionKind,
    ad_row_id,
    audit_sample_size,
)
from saypro_desktop.core.periods import Period
from saypro_desktop.core.permissions import PermissionDenied, Role
from saypro_desktop.core.validation import ValidationError
from saypro_desktop.models import Ad, AdDecision, AdScore, ChangeLogEntry
from saypro_desktop.services import ads, moderation, moderation_audit
from saypro_desktop.services.ad_scoring import current_policy
from saypro_desktop.services.context import ServiceContext
from saypro_desktop.services.csv_io import ImportRejected
from saypro_desktop.services.moderation_kpi import moderation_figures
from saypro_desktop.services.staff import create_staff_user, ensure_first_admin

HEADER = ("external_id,version,title,description,price,currency,category,subcategory,ad_type,advertiser_id,"
          "advertiser_name,advertiser_email,advertiser_phone,location,image_files,submitted_at\n")


def _csv(tmp_path: Path, rows: list[str], name: str = "ads.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _row(ext: str, *, version: int = 1, title: str = "2015 Toyota Corolla 1.6", price: str = "145000",
         description: str = "One owner, full service history.", advertiser: str = "U100",
         submitted: str = "2025-01-13T09:00:00+02:00", category: str = "Vehicles", images: str = "") -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([
        ext, version, title, description, price, "ZAR", category, "Cars", "Offer", advertiser, "Thabo Nkosi",
        "thabo@example.org", "082 555 0101", "Pretoria", images, submitted])
    return out.getvalue()


@pytest.fixture
def staff(ctx: ServiceContext) -> dict[str, object]:
    made = {}
    for username, role in (("mod1", Role.MODERATOR), ("mod2", Role.MODERATOR), ("sup", Role.SUPERVISOR),
                           ("agent", Role.SUPPORT_AGENT), ("viewer", Role.VIEWER)):
        made[username] = create_staff_user(ctx, username, username.title(), role, password="Correct-horse-9")
    ctx.session.flush()
    return made


def test_import_all_or_nothing_with_line_numbers(ctx, tmp_path):
    bad = _csv(tmp_path, [_row("A-1"), _row("A-2", price="abc"), _row("A-3", category="Boats"),
                          _row("A-4", submitted="2025-01-13 09:00")])
    with pytest.raises(ImportRejected) as err:
        ads.import_ads(ctx, bad)
    lines = {line for line, _ in err.value.problems}
    assert lines == {3, 4, 5}
    text = str(err.value)
    assert "price" in text and "category" in text and "zone offset" in text
    assert ctx.session.scalar(select(Ad.id).limit(1)) is None, "nothing was imported"


def test_import_csv_and_jsonl_with_images_scores_and_is_idempotent(ctx, tmp_path):
    from PIL import Image

    Image.new("RGB", (64, 48), "red").save(tmp_path / "car.png")
    first = ads.import_ads(ctx, _csv(tmp_path, [_row("A-1", images="car.png"),
                                                _row("A-2", advertiser="U200", title="Mountain bike, 29 inch",
                                                     description="Aluminium frame, hydraulic brakes.")]))
    assert (first.imported, first.images) == (2, 1)
    ad = ads.get_ad(ctx, "A-1")
    assert ad.id == ad_row_id("A-1", 1) and ad.price_minor == 14_500_000 and ad.status is AdStatus.PENDING
    image = ad.images[0]
    assert image["width"] == 64 and image["height"] == 48 and len(image["sha256"]) == 64
    assert (ctx.attachments_dir / image["sha256"][:2]).exists() or any(ctx.attachments_dir.rglob(image["sha256"]))
    assert ctx.session.get(AdScore, ad.id) is not None, "every imported ad is scored"
    again = ads.import_ads(ctx, _csv(tmp_path, [_row("A-1", images="car.png")], "again.csv"))
    assert (again.imported, again.unchanged) == (0, 1)
    edited = tmp_path / "edit.jsonl"
    edited.write_text(json.dumps({"external_id": "A-1", "version": 2, "title": "2015 Toyota Corolla 1.6",
                                  "description": "One owner, full service history.", "price": "139 000",
                                  "category": "Vehicles",
                                  "ad_type": "Offer", "advertiser_id": "U100", "advertiser_name": "Thabo Nkosi",
                                  "submitted_at": "2025-01-13T12:00:00+02:00"}) + "\n", encoding="utf-8")
    assert ads.import_ads(ctx, edited).imported == 1
    assert ads.get_ad(ctx, "A-1 v1").status is AdStatus.SUPERSEDED
    v2 = ads.get_ad(ctx, "A-1")
    assert v2.version == 2
    rules = {h["rule"] for h in ctx.session.get(AdScore, v2.id).hits}
    assert not rules & {"duplicate", "near_duplicate"}, "an edit is no re-post of the ad's own earlier version"
    clash = _csv(tmp_path, [_row("A-2", title="Another title", advertiser="U200")], "clash.csv")
    with pytest.raises(ImportRejected, match="next version number"):
        ads.import_ads(ctx, clash)


def test_queue_puts_ads_past_12_hours_first_then_risk(ctx, clock, tmp_path):
    ads.import_ads(ctx, _csv(tmp_path, [
        _row("OLD", submitted="2025-01-13T07:00:00+02:00"),  # 25 h before the clock: overdue
        _row("RISKY", submitted="2025-01-14T08:00:00+02:00", advertiser="U9",
             description="Send a deposit first via Western Union. WhatsApp 082 555 1234"),
        _row("CLEAN", submitted="2025-01-14T07:00:00+02:00", advertiser="U8", description="Well kept car."),
    ]))
    order = [a.external_id for a in ads.queue(ctx)]
    assert order[0] == "OLD"
    assert order.index("RISKY") < order.index("CLEAN")


def test_decide_records_policy_and_flags_and_undo_only_while_unsynced(ctx, staff, tmp_path):
    ads.import_ads(ctx, _csv(tmp_path, [_row("A-1", description="Send a deposit first via Western Union.")]))
    ctx.act_as(staff["mod1"])
    ad = ads.get_ad(ctx, "A-1")
    with pytest.raises(ValidationError, match="needs at least one reason"):
        moderation.decide(ctx, ad, DecisionKind.REJECT)
    with pytest.raises(ValidationError, match="unknown reason"):
        moderation.decide(ctx, ad, DecisionKind.REJECT, ["nonsense"])
    d = moderation.decide(ctx, ad, DecisionKind.REJECT, ["scam"])
    assert ad.status is AdStatus.REJECTED and ad.decision_id == d.id and d.follows_id is None
    assert d.rules_version == 0 and "scam_pattern" in d.flags and d.risk and d.risk > 0
    assert "Suspected scam" in (d.message or "")
    with pytest.raises(ValidationError, match="only a removal"):
        moderation.decide(ctx, ad, DecisionKind.APPROVE)
    ctx.act_as(staff["mod2"])
    with pytest.raises(ValidationError, match="only the moderator"):
        moderation.undo_last(ctx, ad)
    ctx.act_as(staff["mod1"])
    moderation.undo_last(ctx, ad)
    ctx.session.flush()
    assert ad.status is AdStatus.PENDING and ad.decision_id is None and d.deleted
    d2 = moderation.decide(ctx, ad, DecisionKind.APPROVE)
    ctx.session.flush()
    # Once the server acknowledged the decision, it cannot be taken back.
    ctx.session.query(ChangeLogEntry).filter(ChangeLogEntry.row_id == d2.id).update({"state": "acked"})
    with pytest.raises(ValidationError, match="reached the server"):
        moderation.undo_last(ctx, ad)


def test_roles(ctx, staff, tmp_path):
    ads.import_ads(ctx, _csv(tmp_path, [_row("A-1")]))
    ad = ads.get_ad(ctx, "A-1")
    for who in ("agent", "viewer"):
        ctx.act_as(staff[who])
        with pytest.raises(PermissionDenied):
            moderation.decide(ctx, ad, DecisionKind.APPROVE)
    ctx.act_as(staff["mod1"])
    with pytest.raises(PermissionDenied):
        ads.import_ads(ctx, _csv(tmp_path, [_row("A-9")], "more.csv"))
    moderation.decide(ctx, ad, DecisionKind.ESCALATE)
    with pytest.raises(PermissionDenied):
        moderation.decide(ctx, ad, DecisionKind.APPROVE)  # an escalated ad waits for a senior moderator
    ctx.act_as(staff["sup"])
    moderation.decide(ctx, ad, DecisionKind.APPROVE)
    assert ad.status is AdStatus.APPROVED


def test_sanctions_block_approval_and_mark_repeat_violators(ctx, staff, clock, tmp_path):
    ads.import_ads(ctx, _csv(tmp_path, [_row(f"A-{n}", advertiser="U7") for n in range(4)]))
    ctx.act_as(staff["mod1"])
    with pytest.raises(ValidationError, match="the date it ends"):
        moderation.add_sanction(ctx, "U7", SanctionKind.SUSPENSION, ["scam"])
    with pytest.raises(ValidationError, match="no end date"):
        moderation.add_sanction(ctx, "U7", SanctionKind.BAN, ["scam"], until=clock.t + timedelta(days=3))
    for n in range(2):
        moderation.decide(ctx, ads.get_ad(ctx, f"A-{n}"), DecisionKind.REJECT, ["scam"])
    s = moderation.add_sanction(ctx, "U7", SanctionKind.SUSPENSION, ["scam"], until=clock.t + timedelta(days=7))
    history = ads.advertiser_history(ctx, "U7")
    assert history.strikes == 3 and history.repeat_violator and history.sanctioned_now is s
    assert "suspended until" in (s.message or "")
    with pytest.raises(ValidationError, match="cannot be approved"):
        moderation.decide(ctx, ads.get_ad(ctx, "A-2"), DecisionKind.APPROVE)
    moderation.lift_sanction(ctx, s, "appeal upheld")
    with pytest.raises(ValidationError, match="lifted already"):
        moderation.lift_sanction(ctx, s, "again")
    moderation.decide(ctx, ads.get_ad(ctx, "A-2"), DecisionKind.APPROVE)


def test_appeal_is_decided_by_someone_else(ctx, staff, tmp_path):
    ads.import_ads(ctx, _csv(tmp_path, [_row("A-1")]))
    ad = ads.get_ad(ctx, "A-1")
    ctx.act_as(staff["agent"])
    with pytest.raises(ValidationError, match="no decision to appeal"):
        moderation.add_appeal(ctx, ad, "why?")
    ctx.act_as(staff["sup"])
    moderation.decide(ctx, ad, DecisionKind.REJECT, ["misleading"])
    ctx.act_as(staff["agent"])  # a complaint that came in as an inquiry
    appeal = moderation.add_appeal(ctx, ad, "The price is right, the ad is not misleading.")
    with pytest.raises(PermissionDenied):
        moderation.decide_appeal(ctx, appeal, AppealOutcome.OVERTURNED)
    ctx.act_as(staff["sup"])
    with pytest.raises(ValidationError, match="someone other than the moderator"):
        moderation.decide_appeal(ctx, appeal, AppealOutcome.OVERTURNED)
    ctx.act_as(ensure_first_admin(ctx.session))
    moderation.decide_appeal(ctx, appeal, AppealOutcome.OVERTURNED, "price checked")
    assert appeal.outcome is AppealOutcome.OVERTURNED


def _decided_week(ctx, staff, clock, tmp_path, count: int) -> list[AdDecision]:
    rows = [_row(f"W-{n}", advertiser=f"U{n}", submitted="2025-01-06T09:00:00+02:00") for n in range(count)]
    ads.import_ads(ctx, _csv(tmp_path, rows, f"week{count}.csv"))
    out = []
    for n in range(count):
        ctx.act_as(staff["mod1" if n % 2 else "mod2"])
        clock.t = datetime(2025, 1, 7, 8, 0, tzinfo=UTC) + timedelta(minutes=n)
        out.append(moderation.decide(ctx, ads.get_ad(ctx, f"W-{n}"), DecisionKind.APPROVE))
    clock.t = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)
    return out


def test_weekly_audit_draw_is_ten_percent_reproducible_and_never_repeats(ctx, staff, clock, tmp_path):
    assert [audit_sample_size(n) for n in (0, 1, 10, 11, 20, 21)] == [0, 1, 1, 2, 2, 3]
    decisions = _decided_week(ctx, staff, clock, tmp_path, 23)
    ctx.act_as(staff["sup"])
    assert moderation_audit.previous_week(ctx) == "2025-W02"
    first = moderation_audit.draw(ctx, "2025-W02", seed="s1")
    assert first.size == 3 and len(first.drawn) == 3 and first.decisions == 23
    ids = sorted(r.decision_id for r in first.drawn)
    assert ids == moderation_audit.draw_sample([d.id for d in decisions], 3, "s1"), "reproducible from the seed"
    again = moderation_audit.draw(ctx, "2025-W02")
    assert again.drawn == [] and again.already == 3 and again.seed == "s1"
    ctx.session.flush()
    # A decision that was drawn can never be drawn again, whichever week or seed.
    more = moderation_audit.draw(ctx, "2025-W02", seed="other")
    assert more.drawn == []
    with pytest.raises(ValidationError, match="what was wrong"):
        moderation_audit.mark(ctx, first.drawn[0], AuditVerdict.WRONG)
    moderation_audit.mark(ctx, first.drawn[0], AuditVerdict.WRONG, "reason does not fit")
    for row in first.drawn[1:]:
        moderation_audit.mark(ctx, row, AuditVerdict.CORRECT)
    ctx.session.flush()
    figures = moderation_figures(ctx.session, Period.month("2025-01"), ctx.calendar.tz, clock.t)
    assert figures.audited == 3 and figures.audit_accuracy == pytest.approx(2 / 3)


def test_the_audit_never_lets_a_moderator_audit_their_own_decision(ctx, staff, clock, tmp_path):
    _decided_week(ctx, staff, clock, tmp_path, 10)
    ctx.act_as(staff["sup"])
    row = moderation_audit.draw(ctx, "2025-W02", seed="x").drawn[0]
    own = ctx.session.get(AdDecision, row.decision_id).moderator_id
    ctx.act_as(next(u for u in staff.values() if u.id == own))
    with pytest.raises(ValidationError, match="someone other than its moderator"):
        moderation_audit.mark(ctx, row, AuditVerdict.CORRECT)


def test_moderation_figures_against_targets(ctx, staff, clock, tmp_path):
    ads.import_ads(ctx, _csv(tmp_path, [_row(f"F-{n}", advertiser=f"U{n}", submitted="2025-01-10T08:00:00+02:00")
                                        for n in range(4)]))
    ctx.act_as(staff["mod1"])
    for n, (hours, kind) in enumerate([(2, DecisionKind.APPROVE), (13, DecisionKind.APPROVE),
                                       (30, DecisionKind.REJECT), (5, DecisionKind.APPROVE)]):
        clock.t = datetime(2025, 1, 10, 6, 0, tzinfo=UTC) + timedelta(hours=hours)
        moderation.decide(ctx, ads.get_ad(ctx, f"F-{n}"), kind, ["scam"] if kind is DecisionKind.REJECT else [])
    ctx.act_as(staff["agent"])
    moderation.add_appeal(ctx, ads.get_ad(ctx, "F-2"), "not a scam")
    ctx.session.flush()
    f = moderation_figures(ctx.session, Period.month("2025-01"), ctx.calendar.tz, clock.t)
    assert (f.ads_reviewed, f.approved, f.rejected) == (4, 3, 1)
    assert f.approval_rate == pytest.approx(0.75) and f.reasons == {"scam": 1}
    assert f.within_12h == pytest.approx(0.5) and f.within_24h == pytest.approx(0.75)
    assert f.median_hours_to_decision == pytest.approx(9.0)
    assert f.appeals == 1 and f.complaint_rate == pytest.approx(0.25)
    (mod1,) = f.moderators
    assert mod1.moderator == "mod1" and mod1.decisions == 4 and mod1.complaint_rate == pytest.approx(0.25)


def test_policy_versions_and_template_placeholders(ctx, staff):
    ctx.act_as(staff["mod1"])
    with pytest.raises(PermissionDenied):
        moderation.save_policy(ctx, reasons={"x": "X"})
    ctx.act_as(staff["sup"])
    with pytest.raises(ValidationError, match="unknown placeholder"):
        moderation.save_policy(ctx, templates={"Reject": "Dear {name}, no."})
    p = moderation.save_policy(ctx, reasons={**current_policy(ctx).reasons, "spam": "Spam"}, note="add spam")
    ctx.session.flush()
    assert p.version == 1 and current_policy(ctx).version == 1 and "spam" in current_policy(ctx).reasons


def test_a_report_after_approval_brings_the_ad_back_for_a_second_look(ctx, staff, clock, tmp_path):
    ads.import_ads(ctx, _csv(tmp_path, [_row("A-1")]))
    ctx.act_as(staff["mod1"])
    ad = ads.get_ad(ctx, "A-1")
    moderation.decide(ctx, ad, DecisionKind.APPROVE)
    ctx.session.flush()
    assert ads.queue(ctx) == []
    with pytest.raises(ValidationError, match="say what the user reported"):
        moderation.record_report(ctx, ad, " ")
    clock.advance(hours=2)
    moderation.record_report(ctx, ad, "scam", "asked me for a deposit")
    assert [a.external_id for a in ads.queue(ctx)] == ["A-1"]
    with pytest.raises(ValidationError, match="only a removal"):
        moderation.decide(ctx, ad, DecisionKind.REJECT, ["scam"])
    clock.advance(minutes=5)
    moderation.decide(ctx, ad, DecisionKind.APPROVE)  # looked again: it stays
    ctx.session.flush()
    assert ads.queue(ctx) == [] and ad.status is AdStatus.APPROVED
