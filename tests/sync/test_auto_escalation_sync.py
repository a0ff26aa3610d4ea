"""Two desktops that escalate the same overdue inquiry while offline store one escalation after they sync."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from saypro_desktop.core.vocab import ActionKind
from saypro_desktop.models import ActionStep, Inquiry
from saypro_desktop.models.base import utcnow
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.sla_watch import run_auto_escalation
from tests.sync.helpers import draft, outbox


def _escalation(desk) -> tuple[list[tuple[str, str]], tuple]:
    with desk.store.session() as s:
        inquiry = s.scalars(select(Inquiry)).one()
        steps = s.scalars(select(ActionStep).where(ActionStep.inquiry_id == inquiry.id,
                                                   ActionStep.kind == ActionKind.ESCALATION)).all()
        return ([(st.id, st.text) for st in steps],
                (inquiry.status.value, inquiry.escalated, inquiry.escalation_tier.value, inquiry.auto_escalated))


def test_two_desktops_escalating_offline_escalate_once(desktops):
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    with a.work() as ctx:
        svc.create_inquiry(ctx, draft("Images look blurry", logged_at=utcnow() - timedelta(hours=50)))
    a.sync()
    b.sync()
    for desk in (a, b):  # both offline when the job runs
        with desk.work() as ctx:
            assert len(run_auto_escalation(ctx)) == 1
    for desk in (a, b, a, b):
        desk.sync()
    for desk in (a, b):
        steps, state = _escalation(desk)
        assert len(steps) == 1 and steps[0][1].startswith("Automatic escalation to Tier 2")
        assert state == ("Escalated", True, "Tier 2", True)
        assert outbox(desk)["rejected"] == 0 and outbox(desk)["pending"] == 0
        with desk.work() as ctx:  # synced: nothing left to escalate on either desktop
            assert run_auto_escalation(ctx) == []
    assert _escalation(a) == _escalation(b)
