import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from saypro_desktop.models import ChangeLogEntry, Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.csv_io import COLUMNS, ImportRejected, export_inquiries, import_inquiries
from saypro_desktop.services.inquiry_queries import linked_inquiries
from saypro_desktop.services.links_and_files import link_inquiries
from saypro_desktop.store import DataPaths, open_store
from tests.conftest import draft


def _fill(store, clock):
    with acting(store, clock=clock) as ctx:
        a = svc.create_inquiry(ctx, draft(user_full_name="Nomvula Sithole-Mabaso", description="Line one\nLine two"))
        b = svc.create_inquiry(ctx, draft(subject="Charged twice", category="Payment/Billing"))
        clock.advance(minutes=15)
        svc.add_action_step(ctx, a, "Phoned the user, ad number confirmed")
        svc.change_status(ctx, a, "Escalated", tier="Tier 2", reason="Needs a senior moderator")
        clock.advance(hours=5)
        svc.change_status(ctx, b, "Resolved", resolution="Refund issued.", user_confirmation="Yes",
                          handled_by=ctx.actor)
        svc.record_feedback(ctx, b, 4, "Fast")
        link_inquiries(ctx, a, b)


def _snapshot(store):
    with acting(store) as ctx:
        out = []
        for i in ctx.session.scalars(select(Inquiry).order_by(Inquiry.inquiry_ref)):
            out.append((i.inquiry_ref, i.logged_at, i.subject, i.description, i.user_full_name, i.status, i.priority,
                        i.escalation_tier, i.escalation_reason, i.resolution, i.resolved_at, i.feedback_rating,
                        i.acknowledged_at, [(s.at, s.kind, s.text) for s in i.action_steps],
                        [o.inquiry_ref for o in linked_inquiries(ctx.session, i)]))
        return out


def test_export_then_import_into_a_new_store_round_trips(store, clock, tmp_path):
    _fill(store, clock)
    target = tmp_path / "out.csv"
    with acting(store) as ctx:
        assert export_inquiries(ctx, target) == 2
    other = open_store(DataPaths(tmp_path / "other"))
    try:
        with acting(other) as ctx:
            result = import_inquiries(ctx, target)
        assert result.imported == 2 and result.created_staff == []
        assert _snapshot(other) == _snapshot(store)
        with acting(other) as ctx:  # the imported numbers are never issued again
            assert svc.create_inquiry(ctx, draft(logged_at=clock.t)).inquiry_ref == "SCMR-2501-0003"
    finally:
        other.close()


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


GOOD = {"Subject": "Renew expired ad", "Category": "Ad Removal or Expiry", "Mode of Inquiry": "Email",
        "User Type": "Advertiser", "Full Name": "Kagiso Molefe", "Logged At": "2025-01-10T09:00:00+02:00"}


def test_bad_rows_are_reported_with_line_numbers_and_nothing_is_imported(store, tmp_path):
    rows = [GOOD, {**GOOD, "Mode of Inquiry": "Fax"},
            {**GOOD, "Description": "multi\nline", "Status": "Resolved"},
            {**GOOD, "Inquiry ID": "SCMR-2502-0001"},
            {**GOOD, "Feedback Rating": "nine", "Contact Email": "bad"}]
    path = _write(tmp_path / "bad.csv", rows)
    with acting(store) as ctx:
        before = ctx.session.scalar(select(func.count()).select_from(ChangeLogEntry))
        with pytest.raises(ImportRejected) as err:
            import_inquiries(ctx, path)
    lines = {line for line, _ in err.value.problems}
    assert lines == {3, 4, 6, 7}  # header is line 1; row 3 spans lines 4-5
    text = str(err.value)
    assert "line 3: mode: 'Fax' is not a valid mode of inquiry" in text
    assert "line 4: status Resolved needs resolution" in text
    assert "line 6: Inquiry ID SCMR-2502-0001 does not belong to the month" in text
    assert "line 7: Feedback Rating 'nine' is not a whole number" in text
    with acting(store) as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(Inquiry)) == 0
        assert ctx.session.scalar(select(func.count()).select_from(ChangeLogEntry)) == before


def test_duplicate_ids_and_missing_columns(store, tmp_path):
    rows = [{**GOOD, "Inquiry ID": "SCMR-2501-0007"}, {**GOOD, "Inquiry ID": "SCMR-2501-0007"}]
    with acting(store) as ctx, pytest.raises(ImportRejected, match="appears twice"):
        import_inquiries(ctx, _write(tmp_path / "dup.csv", rows))
    (tmp_path / "cols.csv").write_text("Subject,Category\nx,Other\n", encoding="utf-8")
    with acting(store) as ctx, pytest.raises(ImportRejected, match="no column Mode of Inquiry"):
        import_inquiries(ctx, tmp_path / "cols.csv")


def test_rows_without_an_id_get_new_numbers(store, tmp_path):
    with acting(store) as ctx:
        result = import_inquiries(ctx, _write(tmp_path / "new.csv", [GOOD, GOOD]))
        assert result.imported == 2
        refs = sorted(ctx.session.scalars(select(Inquiry.inquiry_ref)))
    assert refs == ["SCMR-2501-0001", "SCMR-2501-0002"]
