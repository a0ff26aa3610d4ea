"""``saypro kpi --day|--week`` and ``saypro report daily|weekly`` through the real entry point, on the known week of
tests/week_data.py written into the command's data folder."""

from __future__ import annotations

import json

import pytest

from saypro_desktop.cli.main import main
from saypro_desktop.services.context import bind
from saypro_desktop.services.staff import ensure_first_admin
from saypro_desktop.store import DataPaths, open_store
from tests.conftest import FakeClock
from tests.reports.conftest import pdf_text
from tests.week_data import AS_OF, WEEK, build_week


@pytest.fixture
def saypro(tmp_path, capsys):
    data = tmp_path / "cli-data"
    store = open_store(DataPaths(data))
    try:
        with store.session() as session:
            clock = FakeClock(AS_OF)
            build_week(bind(session, ensure_first_admin(session), clock, store.paths.attachments), clock)
    finally:
        store.close()

    def run(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--data-dir", str(data)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_kpi_of_a_week_as_json(saypro):
    code, out, _ = saypro("kpi", "--week", WEEK, "--json")
    data = json.loads(out)
    assert code == 0 and (data["period"], data["first_day"], data["last_day"]) == \
        ("Week 5 of 2025 (27 January – 2 February 2025)", "2025-01-27", "2025-02-02")
    assert (data["logged"], data["open"], data["resolved"], data["cancelled"]) == (5, 3, 2, 1)
    work = data["activity"]
    assert (work["acknowledged"], work["resolved"], work["escalated"], work["open_at_end"], work["breached"]) == \
        (5, 3, 1, 3, 1)
    assert work["acknowledged_on_time_pct"] == 80.0
    assert [a["agent"] for a in work["agents"]] == ["Ann Agent", "Ben Agent", "Unassigned"]


def test_kpi_of_an_office_day_in_words(saypro):
    code, out, _ = saypro("kpi", "--day", "2025-01-28")
    assert code == 0
    assert out.startswith("KPIs for Tuesday 28 January 2025 (2 inquiries logged; 1 open; 1 resolved)")
    assert ("The day's work (whenever logged): 2 acknowledged (100.0% by their due time), 2 resolved "
            "(50.0% by their due time), 0 escalated") in out
    assert "1 open at the start, 1 open at the end of the day (0 past due); 0 of 0 resolution due times missed" in out
    assert "Ann Agent" in out and "Ben Agent" in out
    code, out, _ = saypro("kpi", "--day", "2025-01-27", "--json")  # A, at 22:30 UTC on Monday, is Tuesday's
    assert json.loads(out)["logged"] == 0


@pytest.mark.parametrize(("args", "message"), [
    (("kpi", "--week", "2026-W54"), "2026-W54 does not exist: 2026 has 53 ISO weeks (2026-W01 to 2026-W53)"),
    (("kpi", "--day", "2025-02-29"), "2025-02-29 does not exist: February 2025 has 28 days"),
    (("kpi", "--day", "28/01/2025"), "'28/01/2025' is not a day; write it as YYYY-MM-DD"),
    (("report", "weekly", "--week", "2025-1", "--out", "x.pdf"), "'2025-1' is not a week; write it as YYYY-Www"),
    (("report", "daily", "--day", "2025-W05", "--out", "x.pdf"), "'2025-W05' is not a day"),
])
def test_bad_days_and_weeks_say_what_to_fix(saypro, args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = saypro(*args)
    assert code != 0 and message in err and out == ""
    assert not (tmp_path / "x.pdf").exists()


def test_kpi_takes_one_period_only(saypro):
    with pytest.raises(SystemExit):
        saypro("kpi", "--day", "2025-01-28", "--week", WEEK)


def test_report_daily_and_weekly_with_csv(saypro, tmp_path):
    day = tmp_path / "out" / "day.pdf"
    code, out, _ = saypro("report", "daily", "--day", "2025-01-30", "--out", str(day), "--csv")
    assert code == 0 and out.split("\n")[:2] == [f"written {day}", f"written {day.with_suffix('.csv')}"]
    text = pdf_text(day)
    assert "Daily Support Report" in text and "Of 1 resolution due times in the day, 1 were missed." in text
    assert "Resolution due times that fell in the day,1," in day.with_suffix(".csv").read_text(encoding="utf-8-sig")
    week = tmp_path / "out" / "week.pdf"
    code, out, _ = saypro("report", "weekly", "--week", WEEK, "--out", str(week), "--csv")
    assert code == 0 and f"written {week.with_suffix('.csv')}" in out
    assert "SCMR Weekly Report" in pdf_text(week) and "Trend by day" in pdf_text(week)
    assert "Trend by day,Sun 02/02: Open at the end of the day,3," in \
        week.with_suffix(".csv").read_text(encoding="utf-8-sig")
