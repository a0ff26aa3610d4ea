"""Import refuses timelines that cannot have happened, with the line; a response step is the first response;
cancelled inquiries travel with their reason and the inquiry kept."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from saypro_desktop.core.vocab import CancelReason, Status
from saypro_desktop.models import Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.cancellation import cancel_inquiry
from saypro_desktop.services.context import acting
from saypro_desktop.services.csv_io import COLUMNS, ImportRejected, export_inquiries, import_inquiries
from saypro_desktop.store import DataPaths, open_store
from tests.conftest import draft

LOGGED = "2025-01-14T10:00:00+02:00"
GOOD = {"Subject": "Renew expired ad", "Category": "Ad Removal or Expiry", "Mode of Inquiry": "Email",
        "User Type": "Advertiser", "Full Name": "Kagiso Molefe", "Logged At": LOGGED}
RESOLVED = {**GOOD, "Status": "Resolved", "Resolution Provided": "Ad renewed for 30 days.",
            "Resolved At": "2025-01-14T12:00:00+02:00", "User Confirmation": "Yes"}


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


def _problems(store, tmp_path, rows) -> dict[int, str]:
    with acting(store) as ctx, pytest.raises(ImportRejected) as err:
        import_inquiries(ctx, _write(tmp_path / "t.csv", rows))
    with acting(store) as ctx:
        assert ctx.session.scalar(select(Inquiry.id)) is None  # all or nothing
    out: dict[int, str] = {}
    for line, message in err.value.problems:
        out[line] = f"{out[line]}; {message}" if line in out else message
    return out


def test_moments_before_the_inquiry_was_logged_are_refused_with_their_line(store, tmp_path):
    problems = _problems(store, tmp_path, [
        GOOD,
        {**GOOD, "Acknowledged At": "2025-01-14T09:30:00+02:00"},  # 30 min before it was logged
        {**RESOLVED, "Resolved At": "2025-01-13T12:00:00+02:00"},
        {**GOOD, "Acknowledged At": "2025-01-14T10:05:00+02:00"},
    ])
    assert set(problems) == {3, 4}
    assert problems[3].startswith("Acknowledged At 2025-01-14T09:30:00+02:00 is before the inquiry was logged "
                                  f"({LOGGED}); an inquiry is acknowledged only after it is logged")
    assert "Resolved At 2025-01-13T12:00:00+02:00 is before the inquiry was logged" in problems[4]


def test_moments_in_the_future_beyond_a_clock_skew_are_refused(store, tmp_path):
    # acting(store) runs on the real clock: a few minutes ahead is another machine's clock, years ahead is a typo.
    soon = datetime.now(UTC).replace(microsecond=0).astimezone()
    problems = _problems(store, tmp_path, [
        {**GOOD, "Logged At": "2031-01-14T10:00:00+02:00"},
        {**RESOLVED, "Resolved At": "2030-01-14T12:00:00+02:00"},
        {**GOOD, "Status": "Resolved", "Resolution Provided": "Renewed.", "User Confirmation": "Yes",
         "Logged At": soon.isoformat(), "Resolved At": soon.isoformat()},
        {**GOOD, "Logged At": "bad"},
    ])
    assert problems[2].startswith("Logged At 2031-01-14T10:00:00+02:00 is in the future")
    assert problems[3].startswith("Resolved At 2030-01-14T12:00:00+02:00 is in the future")
    assert 4 not in problems  # now is fine


def test_a_reopen_count_needs_an_inquiry_that_was_resolved(store, tmp_path):
    problems = _problems(store, tmp_path, [
        {**GOOD, "Status": "In Progress", "Reopen Count": "2"},
        {**GOOD, "Status": "Reopened"},
        {**RESOLVED, "Reopen Count": "1"},
        {**GOOD, "Status": "Reopened", "Reopen Count": "1"},
    ])
    assert problems == {
        2: "Reopen Count is 2 but the inquiry was never resolved (status In Progress, no Resolved At, no "
           "Resolution step); only a resolved inquiry can be reopened",
        3: "status Reopened needs a Reopen Count of at least 1",
    }


def test_a_user_contact_step_before_the_acknowledgement_is_the_first_response(store, tmp_path):
    steps = [{"at": "2025-01-14T10:20:00+02:00", "author": "", "kind": "Note", "text": "Read the ad"},
             {"at": "2025-01-14T10:40:00+02:00", "author": "", "kind": "User contact", "text": "Phoned the user"}]
    rows = [{**GOOD, "Acknowledged At": "2025-01-14T15:00:00+02:00", "Action Steps": json.dumps(steps)},
            {**GOOD, "Action Steps": json.dumps(steps)},
            {**GOOD, "Acknowledged At": "2025-01-14T10:30:00+02:00", "Action Steps": json.dumps(steps)}]
    with acting(store) as ctx:
        import_inquiries(ctx, _write(tmp_path / "steps.csv", rows))
        acks = [i.acknowledged_at for i in ctx.session.scalars(select(Inquiry).order_by(Inquiry.inquiry_ref))]
    contact = datetime(2025, 1, 14, 8, 40, tzinfo=UTC)
    assert acks == [contact, contact, datetime(2025, 1, 14, 8, 30, tzinfo=UTC)]


def test_a_step_outside_the_timeline_is_refused(store, tmp_path):
    steps = [{"at": "2025-01-14T09:00:00+02:00", "author": "", "kind": "User contact", "text": "Phoned"}]
    problems = _problems(store, tmp_path, [{**GOOD, "Action Steps": json.dumps(steps)}])
    assert problems == {2: "Action Steps: step 1 (User contact, 2025-01-14T09:00:00+02:00) is before the inquiry "
                           "was logged"}


def test_cancelled_rows_need_their_reason_and_a_duplicate_its_kept_inquiry(store, tmp_path):
    problems = _problems(store, tmp_path, [
        {**GOOD, "Status": "Cancelled"},
        {**GOOD, "Status": "Cancelled", "Cancel Reason": "Duplicate"},
        {**GOOD, "Status": "New", "Cancel Reason": "Spam"},
        {**GOOD, "Status": "Cancelled", "Cancel Reason": "Duplicate", "Duplicate Of": "SCMR-2501-0999"},
    ])
    assert problems[2] == "status Cancelled needs a Cancel Reason: Spam, Duplicate, Test, Other"
    assert problems[3] == "Cancel Reason Duplicate needs Duplicate Of: the Inquiry ID of the inquiry kept"
    assert problems[4] == "Cancel Reason and Duplicate Of are only for a Cancelled inquiry (status is New)"
    assert problems[5] == "linked inquiry SCMR-2501-0999 is neither in the file nor in this store"


def test_cancelled_inquiries_round_trip(store, clock, tmp_path):
    with acting(store, clock=clock) as ctx:
        kept = svc.create_inquiry(ctx, draft(subject="Charged twice"))
        again = svc.create_inquiry(ctx, draft(subject="Charged twice"))
        clock.advance(minutes=5)
        cancel_inquiry(ctx, again, "Duplicate", duplicate_of=kept)
        export_inquiries(ctx, tmp_path / "out.csv")
        kept_ref, again_ref = kept.inquiry_ref, again.inquiry_ref
    other = open_store(DataPaths(tmp_path / "other"))
    try:
        with acting(other) as ctx:
            import_inquiries(ctx, tmp_path / "out.csv")
            got = {i.inquiry_ref: i for i in ctx.session.scalars(select(Inquiry))}
            copy = got[again_ref]
            assert (copy.status, copy.cancel_reason) == (Status.CANCELLED, CancelReason.DUPLICATE)
            assert copy.duplicate_of_id == got[kept_ref].id and copy.cancelled_at == clock.t
    finally:
        other.close()
