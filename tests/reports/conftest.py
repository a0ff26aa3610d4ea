"""Fixtures of the report tests: the hand-made January of tests/services/test_kpi.py and PDF text extraction."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from saypro_desktop.core.vocab import ActionKind
from saypro_desktop.models import Inquiry
from saypro_desktop.services import inquiries as svc
from tests.conftest import draft

T0 = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Johannesburg
AS_OF = datetime(2025, 2, 10, tzinfo=UTC)
GENERATED = datetime(2025, 2, 10, 10, 0, tzinfo=UTC)  # 12:00 in Johannesburg


def pdf_pages(path: Path | bytes) -> list[str]:
    """The text of each page, every run of white space made one space."""
    reader = PdfReader(path if isinstance(path, Path) else io.BytesIO(path))
    return [re.sub(r"\s+", " ", page.extract_text()).strip() for page in reader.pages]


def pdf_text(path: Path | bytes) -> str:
    return " ".join(pdf_pages(path))


@dataclass
class January:
    a: Inquiry
    b: Inquiry
    c: Inquiry
    d: Inquiry
    e: Inquiry  # logged in February


def at(clock, **kw):
    clock.t = T0 + timedelta(**kw)


@pytest.fixture
def january(ctx, clock) -> January:
    """Figures worked out by hand in tests/services/test_kpi.py (as of 10 February 2025):
    logged 4, open 1, resolved 3; ack 50%; first response avg 43.3 / median 30 min; within 24 h 25%,
    48 h 50%; high priority 100%; due time met 50%; same day 25%; first contact 33.33%; escalated 1
    (Tier 3); reopened 1, rate 33.33%; closed without reopening 66.67%; CSAT 4.0 from 2 responses.
    """
    # A: High (payment), ack +30 min, resolved +2 h on first contact, closed, CSAT 5.
    at(clock)
    a = svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing", mode="Phone",
                                      user_type="Registered User", classified_category="Jobs"))
    at(clock, minutes=30)
    svc.acknowledge(ctx, a)
    at(clock, hours=2)
    svc.change_status(ctx, a, "Resolved", resolution="Duplicate charge refunded.")
    svc.change_status(ctx, a, "Closed", user_confirmation="Yes")
    svc.record_feedback(ctx, a, 5)
    # B: Normal, ack +90 min (late: due +60 min), a follow-up contact, resolved +30 h, CSAT 3.
    at(clock)
    b = svc.create_inquiry(ctx, draft(subject="Images look blurry", category="Technical Issue", mode="Email",
                                      classified_category="Real Estate"))
    at(clock, minutes=90)
    svc.acknowledge(ctx, b)
    svc.add_action_step(ctx, b, "Asked the user for a screenshot", ActionKind.USER_CONTACT)
    at(clock, hours=30)
    svc.change_status(ctx, b, "Resolved", resolution="Image compression setting corrected.")
    svc.record_feedback(ctx, b, 3)
    # C: Low, ack +10 min, escalated to Tier 3, resolved +50 h, reopened, resolved again +60 h.
    at(clock)
    c = svc.create_inquiry(ctx, draft(subject="Images look blurry", category="Feature Request", mode="Live Chat",
                                      user_type="General Public"))
    at(clock, minutes=10)
    svc.acknowledge(ctx, c)
    at(clock, minutes=20)
    svc.change_status(ctx, c, "Escalated", tier="Tier 3", reason="Needs the product team")
    at(clock, hours=50)
    svc.change_status(ctx, c, "Resolved", resolution="Added to the product backlog.")
    at(clock, hours=55)
    svc.change_status(ctx, c, "Reopened")
    at(clock, hours=60)
    svc.change_status(ctx, c, "Resolved", resolution="Feature request confirmed with a reference.")
    # D: Normal, never acknowledged, still open.
    at(clock)
    d = svc.create_inquiry(ctx, draft(subject="Error 500 on dashboard", category="Technical Issue"))
    # E: logged in February: outside the month, inside the quarter.
    clock.t = datetime(2025, 2, 3, 8, 0, tzinfo=UTC)
    e = svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing"))
    ctx.session.flush()
    clock.t = AS_OF
    return January(a, b, c, d, e)
