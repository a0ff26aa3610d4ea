"""Setting an inquiry aside as spam, a duplicate or a test: the reason, the inquiry kept, who may, taking it back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saypro_desktop.core.permissions import PermissionDenied, Role
from saypro_desktop.core.row_checks import row_problem
from saypro_desktop.core.validation import ValidationError
from saypro_desktop.core.vocab import ActionKind, CancelReason, Status
from saypro_desktop.core.workflow import TransitionError
from saypro_desktop.models import ActionStep
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.cancellation import cancel_inquiry
from saypro_desktop.services.context import bind
from saypro_desktop.services.inquiry_queries import linked_inquiries
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft


def test_a_duplicate_names_and_links_the_inquiry_kept(ctx):
    kept = svc.create_inquiry(ctx, draft(subject="Charged twice"))
    again = svc.create_inquiry(ctx, draft(subject="Charged twice"))
    cancel_inquiry(ctx, again, "duplicate", duplicate_of=kept, note="Same user, same day")
    ctx.session.flush()
    assert (again.status, again.cancel_reason, again.duplicate_of_id) == (Status.CANCELLED, CancelReason.DUPLICATE,
                                                                         kept.id)
    assert again.cancelled_at == ctx.now()
    assert [o.id for o in linked_inquiries(ctx.session, again)] == [kept.id]
    step = ctx.session.scalars(select(ActionStep).where(ActionStep.inquiry_id == again.id)
                               .order_by(ActionStep.at.desc())).first()
    assert step.kind == ActionKind.STATUS_CHANGE
    assert step.text == f"Status New → Cancelled (Duplicate of {kept.display_id}). Same user, same day"
    assert again.acknowledged_at is None  # setting aside spam is no response to the user


@pytest.mark.parametrize(("reason", "duplicate", "message"), [
    (None, False, "say why the inquiry is cancelled: Spam, Duplicate, Test, Other"),
    ("  ", False, "say why the inquiry is cancelled"),
    ("junk", False, "'junk' is not a valid cancel reason; choose one of: Spam, Duplicate, Test, Other"),
    ("Duplicate", False, "a duplicate names the inquiry kept"),
    ("Spam", True, "only an inquiry cancelled as a Duplicate names another one"),
])
def test_refused_without_a_usable_reason(ctx, reason, duplicate, message):
    other = svc.create_inquiry(ctx, draft())
    inquiry = svc.create_inquiry(ctx, draft())
    with pytest.raises(ValidationError, match=message):
        cancel_inquiry(ctx, inquiry, reason, duplicate_of=other if duplicate else None)
    assert inquiry.status == Status.NEW and inquiry.cancel_reason is None


def test_not_a_duplicate_of_itself_nor_of_a_cancelled_one(ctx):
    a, b, c = (svc.create_inquiry(ctx, draft()) for _ in range(3))
    with pytest.raises(ValidationError, match="cannot be a duplicate of itself"):
        cancel_inquiry(ctx, a, "Duplicate", duplicate_of=a)
    cancel_inquiry(ctx, b, "Spam")
    with pytest.raises(ValidationError, match=f"{b.display_id} is cancelled itself"):
        cancel_inquiry(ctx, c, "Duplicate", duplicate_of=b)


def test_only_open_inquiries_are_cancelled_and_back_into_work_clears_the_reason(ctx):
    done = svc.create_inquiry(ctx, draft())
    svc.change_status(ctx, done, "Resolved", resolution="Approved after review.", handled_by=ctx.actor)
    with pytest.raises(TransitionError, match="cannot move an inquiry from Resolved to Cancelled"):
        cancel_inquiry(ctx, done, "Spam")
    mistaken = svc.create_inquiry(ctx, draft())
    cancel_inquiry(ctx, mistaken, "Test")
    with pytest.raises(TransitionError, match="from Cancelled it can go to: In Progress"):
        svc.change_status(ctx, mistaken, "Resolved", resolution="Approved after review.", handled_by=ctx.actor)
    svc.change_status(ctx, mistaken, "In Progress")
    assert mistaken.status == Status.IN_PROGRESS
    assert (mistaken.cancel_reason, mistaken.cancelled_at, mistaken.duplicate_of_id) == (None, None, None)


def test_set_status_cancelled_needs_the_reason_too(ctx):
    inquiry = svc.create_inquiry(ctx, draft())
    with pytest.raises(ValidationError, match="say why the inquiry is cancelled"):
        svc.change_status(ctx, inquiry, "Cancelled")
    svc.change_status(ctx, inquiry, "Cancelled", reason="spam")
    assert (inquiry.status, inquiry.cancel_reason) == (Status.CANCELLED, CancelReason.SPAM)


def test_agents_may_cancel_what_they_may_edit_moderators_may_not(ctx, clock):
    agent = create_staff_user(ctx, "lerato", "Lerato Mokoena", Role.SUPPORT_AGENT)
    moderator = create_staff_user(ctx, "mo", "Mo Moderator", Role.MODERATOR)
    inquiry = svc.create_inquiry(ctx, draft())
    with pytest.raises(PermissionDenied):
        cancel_inquiry(bind(ctx.session, moderator, clock), inquiry, "Spam")
    cancel_inquiry(bind(ctx.session, agent, clock), inquiry, "Spam")
    assert inquiry.status == Status.CANCELLED


def test_the_row_rules_every_synced_copy_keeps():
    row = {"id": "a", "status": "Cancelled", "cancel_reason": None, "duplicate_of_id": None}
    assert "cancel_reason is required" in row_problem("inquiry", row)
    assert row_problem("inquiry", {**row, "cancel_reason": "Spam"}) is None
    assert "only for an inquiry cancelled as a Duplicate" in row_problem(
        "inquiry", {**row, "cancel_reason": "Spam", "duplicate_of_id": "b"})
    assert "cannot name the inquiry itself" in row_problem(
        "inquiry", {**row, "cancel_reason": "Duplicate", "duplicate_of_id": "a"})
    assert row_problem("inquiry", {**row, "cancel_reason": "Duplicate", "duplicate_of_id": "b"}) is None
    assert row_problem("inquiry", {"id": "a", "status": "New"}) is None
