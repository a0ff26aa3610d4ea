"""Moderation in the reports: the moderation PDF, the SCMR-5 section and its CSV twin, from unrounded figures."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from saypro_desktop.core.moderation import AuditVerdict, DecisionKind
from saypro_desktop.core.periods import Period
from saypro_desktop.core.permissions import Role
from saypro_desktop.models import Ad
from saypro_desktop.services import moderation, moderation_audit
from saypro_desktop.services.report_files import write_moderation_pdf, write_monthly_csv, write_monthly_pdf
from saypro_desktop.services.staff import create_staff_user
from tests.reports.conftest import pdf_text

SUBMITTED = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)  # Monday 6 January, 08:00 in Johannesburg


def _ads(ctx, n: int) -> list[Ad]:
    out = []
    for k in range(n):
        ad = Ad(external_id=f"R-{k}", version=1, title=f"Bicycle {k}", description="Good bicycle.", price_minor=90_000,
                currency="ZAR", category="For Sale", ad_type="Offer", advertiser_id=f"U{k}",
                advertiser_name="Ayanda Zulu", submitted_at=SUBMITTED, images=[], source="import")
        ctx.session.add(ad)
        out.append(ad)
    ctx.session.flush()
    return out


def test_moderation_pdf_and_the_monthly_section(ctx, clock, tmp_path):
    mod = create_staff_user(ctx, "mod", "Mpho Moderator", Role.MODERATOR, password="Correct-horse-9")
    sup = create_staff_user(ctx, "sup", "Sam Supervisor", Role.SUPERVISOR, password="Correct-horse-9")
    ads = _ads(ctx, 3)
    ctx.act_as(mod)
    # Decided after 2 h, 13 h and 25 h: within 12 h one of three, within 24 h two of three (66.666...%).
    for ad, hours, kind in zip(ads, (2, 13, 25), (DecisionKind.APPROVE, DecisionKind.APPROVE, DecisionKind.REJECT),
                               strict=True):
        clock.t = SUBMITTED + timedelta(hours=hours)
        moderation.decide(ctx, ad, kind, ["scam"] if kind is DecisionKind.REJECT else [])
    clock.t = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)
    ctx.act_as(sup)
    drawn = moderation_audit.draw(ctx, "2025-W02", seed="fixed")
    assert len(drawn.drawn) == 1
    moderation_audit.mark(ctx, drawn.drawn[0], AuditVerdict.CORRECT)
    ctx.session.flush()
    month = Period.month("2025-01")
    text = pdf_text(write_moderation_pdf(ctx, month, tmp_path / "m.pdf", as_of=clock.t, generated_at=clock.t))
    assert "Ad Moderation Report · January 2025" in text
    assert "Ads reviewed 3" in text
    assert "Ads decided within 24 hours of submission 66.7% ≥ 100.0% ✘ missed" in text
    assert "Decisions appealed or complained about 0.0% ≤ 2.0% ✔ met" in text
    assert "scam 1 100.0%" in text and "Mpho Moderator" not in text and "mod 3" in text
    assert "2025-W02 1 1 1 100.0% fixed" in text
    monthly = pdf_text(write_monthly_pdf(ctx, month, tmp_path / "scmr5.pdf", as_of=clock.t, generated_at=clock.t))
    assert "10. Ad moderation" in monthly and "Decided within 12 hours 33.3%" in monthly
    path = write_monthly_csv(ctx, month, tmp_path / "scmr5.csv", as_of=clock.t)
    rows = {(r[0], r[1]): r[2:] for r in csv.reader(path.open(encoding="utf-8"))}
    value, unit, target, result = rows[("Ad moderation", "Ads decided within 24 hours of submission")]
    assert float(value) == pytest.approx(200 / 3, rel=1e-12), "the CSV keeps the unrounded figure"
    assert (unit, float(target), result) == ("%", 100.0, "missed")
