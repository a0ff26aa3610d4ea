"""Writing report files: clear errors before any file, whole files only, the month archive, attaching the PDF."""

from __future__ import annotations

import csv
import hashlib

import pytest
from sqlalchemy import select

from saypro_desktop.core.permissions import PermissionDenied
from saypro_desktop.models import Attachment
from saypro_desktop.reports import monthly
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services import report_files as rf
from saypro_desktop.services.context import NotFound
from saypro_desktop.services.links_and_files import blob_path
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft
from tests.reports.conftest import AS_OF, GENERATED, pdf_text


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize(("call", "message"), [
    (lambda ctx, out: rf.write_monthly_pdf(ctx, "2025-13", out / "m.pdf"), "not a month; write it as YYYY-MM"),
    (lambda ctx, out: rf.write_monthly_csv(ctx, "January", out / "m.csv"), "not a month"),
    (lambda ctx, out: rf.write_monthly_pdf(ctx, "2025-03", out / "m.pdf"), "March 2025 has not begun yet"),
    (lambda ctx, out: rf.write_quarterly_pdf(ctx, "2025Q5", out / "q.pdf"), "not a quarter; write it as YYYYQn"),
    (lambda ctx, out: rf.write_quarterly_csv(ctx, "2025-01", out / "q.csv"), "not a quarter"),
    (lambda ctx, out: rf.archive_month(ctx, "2025-1", out / "archive"), "not a month"),
    (lambda ctx, out: rf.write_inquiry_pdf(ctx, "SCMR-2501-9999", out / "i.pdf"), "no inquiry 'SCMR-2501-9999'"),
    (lambda ctx, out: rf.attach_inquiry_pdf(ctx, "SCMR-2501-9999"), "no inquiry 'SCMR-2501-9999'"),
])
def test_bad_periods_and_unknown_ids_fail_clearly_before_any_file(ctx, january, tmp_path, call, message):
    out = tmp_path / "out"
    with pytest.raises((ValueError, NotFound), match=message):
        call(ctx, out)
    assert not out.exists()
    assert ctx.session.scalars(select(Attachment)).all() == []


def test_a_failure_while_writing_leaves_neither_a_half_file_nor_a_temporary(ctx, january, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(monthly, "build_pdf", broken)
    with pytest.raises(RuntimeError, match="disk gone"):
        rf.write_monthly_pdf(ctx, "2025-01", tmp_path / "m.pdf", as_of=AS_OF, generated_at=GENERATED)
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]


def test_a_folder_given_as_the_file_is_refused(ctx, january, tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    with pytest.raises(ValueError, match="is a folder; give the file to write"):
        rf.write_monthly_pdf(ctx, "2025-01", folder)
    assert list(folder.iterdir()) == []


def test_writing_replaces_an_earlier_file_whole_and_makes_missing_folders(ctx, january, tmp_path):
    target = tmp_path / "reports" / "2025" / "m.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"old")
    rf.write_monthly_pdf(ctx, "2025-01", target, as_of=AS_OF, generated_at=GENERATED)
    assert target.read_bytes().startswith(b"%PDF-") and _files(target.parent) == ["m.pdf"]
    deeper = rf.write_monthly_csv(ctx, "2025-01", tmp_path / "new" / "folder" / "m.csv", as_of=AS_OF)
    assert deeper.is_file()


def test_archive_writes_each_inquiry_by_user_type_with_an_index(ctx, january, tmp_path):
    result = rf.archive_month(ctx, "2025-01", tmp_path / "archive", generated_at=GENERATED)
    a, b, c, d = january.a, january.b, january.c, january.d
    assert result.folder == tmp_path / "archive" / "2025" / "01"
    assert _files(result.folder) == sorted([
        f"Advertiser/{b.inquiry_ref}.pdf", f"Advertiser/{d.inquiry_ref}.pdf",
        f"General Public/{c.inquiry_ref}.pdf", f"Registered User/{a.inquiry_ref}.pdf", "index.csv"])
    with result.index.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows == [
        ["Inquiry ID", "User Type", "Subject", "Status", "Logged Date", "Path"],
        [a.inquiry_ref, "Registered User", "Charged twice", "Closed", "14/01/2025",
         f"Registered User/{a.inquiry_ref}.pdf"],
        [b.inquiry_ref, "Advertiser", "Images look blurry", "Resolved", "14/01/2025",
         f"Advertiser/{b.inquiry_ref}.pdf"],
        [c.inquiry_ref, "General Public", "Images look blurry", "Resolved", "14/01/2025",
         f"General Public/{c.inquiry_ref}.pdf"],
        [d.inquiry_ref, "Advertiser", "Error 500 on dashboard", "New", "14/01/2025",
         f"Advertiser/{d.inquiry_ref}.pdf"],
    ]
    text = pdf_text(result.folder / "General Public" / f"{c.inquiry_ref}.pdf")
    assert f"Inquiry ID {c.inquiry_ref}" in text and "☒ General Public" in text and "☒ Reopened" not in text
    # The same content as a single inquiry PDF made with the same "generated at".
    single = rf.write_inquiry_pdf(ctx, c.inquiry_ref, tmp_path / "c.pdf", generated_at=GENERATED)
    assert single.read_bytes() == (result.folder / "General Public" / f"{c.inquiry_ref}.pdf").read_bytes()


def test_attach_stores_the_pdf_as_an_attachment_whose_hash_matches(ctx, january, clock, tmp_path):
    a = january.a
    first = rf.attach_inquiry_pdf(ctx, a, generated_at=GENERATED)
    assert (first.inquiry_id, first.filename, first.media_type) == (a.id, f"{a.inquiry_ref}.pdf", "application/pdf")
    stored = blob_path(ctx.attachments_dir, first.sha256)
    content = stored.read_bytes()
    assert hashlib.sha256(content).hexdigest() == first.sha256 and len(content) == first.size
    assert f"Inquiry ID {a.inquiry_ref}" in pdf_text(content)
    # Attaching again replaces the earlier PDF (kept as a tombstone) and the new one does not list itself.
    clock.advance(hours=1)
    second = rf.attach_inquiry_pdf(ctx, a.inquiry_ref, generated_at=GENERATED)
    rows = ctx.session.scalars(select(Attachment).where(Attachment.inquiry_id == a.id)
                               .order_by(Attachment.created_at)).all()
    assert [(r.id, r.deleted) for r in rows] == [(first.id, True), (second.id, False)]
    text = pdf_text(blob_path(ctx.attachments_dir, second.sha256).read_bytes())
    assert "Screenshots or file attachments None" in text


def test_permissions(ctx, january, tmp_path):
    viewer = create_staff_user(ctx, "vuyo", "Vuyo", "Viewer")
    marketing = create_staff_user(ctx, "johan", "Johan Botha", "Marketing")
    ctx.act_as(viewer)
    with pytest.raises(PermissionDenied, match="may not view KPIs and reports"):
        rf.write_monthly_pdf(ctx, "2025-01", tmp_path / "m.pdf")
    with pytest.raises(PermissionDenied, match="may not edit inquiries"):
        rf.attach_inquiry_pdf(ctx, january.a)
    assert rf.write_inquiry_pdf(ctx, january.a.inquiry_ref, tmp_path / "i.pdf").is_file()
    ctx.act_as(marketing)
    assert rf.write_quarterly_pdf(ctx, "2025Q1", tmp_path / "q.pdf").is_file()
    with pytest.raises(PermissionDenied, match="may not export data"):
        rf.archive_month(ctx, "2025-01", tmp_path / "archive")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "i.pdf", "q.pdf"]


def test_a_provisional_reference_names_its_files(ctx, tmp_path, monkeypatch):
    monkeypatch.setattr(svc, "next_reference", lambda session, logged: (None, "SCMR-2501-PA1B2-1"))
    i = svc.create_inquiry(ctx, draft())
    ctx.session.flush()
    att = rf.attach_inquiry_pdf(ctx, i, generated_at=GENERATED)
    assert att.filename == "SCMR-2501-PA1B2-1.pdf"
    result = rf.archive_month(ctx, "2025-01", tmp_path / "archive", generated_at=GENERATED)
    assert _files(result.folder) == ["Advertiser/SCMR-2501-PA1B2-1.pdf", "index.csv"]
