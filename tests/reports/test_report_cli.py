"""``saypro report ...`` and ``saypro archive`` through the real entry point."""

from __future__ import annotations

import csv
from datetime import date

import pytest

from tests.reports.conftest import pdf_text


@pytest.fixture
def logged(saypro):
    code, out, _ = saypro("inquiry", "add", "--subject", "Cannot log in", "--category", "Technical Issue",
                          "--mode", "Phone", "--user-type", "Registered User", "--name", "Mariëtte du Plessis")
    assert code == 0
    return out.strip()


def test_inquiry_pdf_and_attach(saypro, logged, tmp_path):
    out = tmp_path / "inq.pdf"
    code, stdout, _ = saypro("report", "inquiry", logged, "--out", str(out))
    assert (code, stdout.strip()) == (0, f"written {out}")
    text = pdf_text(out)
    assert f"Inquiry ID {logged}" in text and "Full name Mariëtte du Plessis" in text and "☒ Phone" in text
    code, stdout, _ = saypro("report", "attach", logged)
    assert code == 0 and stdout.startswith(f"attached {logged}.pdf (")
    code, stdout, _ = saypro("inquiry", "show", logged)
    assert f"Attachments: {logged}.pdf" in stdout


def test_monthly_and_quarterly_with_csv_and_recommendations(saypro, logged, tmp_path):
    today = date.today()
    month, quarter = f"{today:%Y-%m}", f"{today.year}Q{(today.month - 1) // 3 + 1}"
    code, stdout, _ = saypro("report", "monthly", "--month", month, "--out", str(tmp_path / "m.pdf"), "--csv")
    assert code == 0 and stdout.splitlines() == [f"written {tmp_path / 'm.pdf'}", f"written {tmp_path / 'm.csv'}"]
    assert "SCMR-5 Monthly Report" in pdf_text(tmp_path / "m.pdf")
    with (tmp_path / "m.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert ["Totals", "Inquiries logged", "1", "", "", ""] in list(csv.reader(fh))
    notes = tmp_path / "notes.txt"
    notes.write_text("Coach Ngũgĩ's team on login issues.", encoding="utf-8")
    code, stdout, _ = saypro("report", "quarterly", "--quarter", quarter, "--out", str(tmp_path / "q.pdf"), "--csv",
                             "--recommendations-file", str(notes))
    assert code == 0 and (tmp_path / "q.csv").is_file()
    assert "6. Recommendations Coach Ngũgĩ's team on login issues." in pdf_text(tmp_path / "q.pdf")


def test_archive(saypro, logged, tmp_path):
    month = date.today()
    code, stdout, _ = saypro("archive", "--month", f"{month:%Y-%m}", "--out", str(tmp_path / "arch"))
    folder = tmp_path / "arch" / f"{month:%Y}" / f"{month:%m}"
    assert code == 0 and stdout.startswith(f"1 inquiry PDF(s) written under {folder}")
    assert (folder / "Registered User" / f"{logged}.pdf").is_file() and (folder / "index.csv").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["report", "monthly", "--month", "2025-13"], "'2025-13' is not a month; write it as YYYY-MM"),
    (["report", "quarterly", "--quarter", "2025-Q9"], "is not a quarter; write it as YYYYQn"),
    (["report", "inquiry", "SCMR-2501-9999"], "no inquiry 'SCMR-2501-9999'"),
    (["report", "quarterly", "--quarter", "2025Q1", "--recommendations-file", "missing.txt"], "is not a file"),
    (["archive", "--month", "25-01"], "is not a month"),
])
def test_errors_are_clear_exit_1_and_write_nothing(saypro, tmp_path, args, message):
    target = tmp_path / "out" / "x.pdf"
    code, _, err = saypro(*args, "--out", str(target))
    assert code == 1 and message in err
    assert not (tmp_path / "out").exists()
