"""Reports written to files: inquiry PDFs (saved, or attached to the inquiry), the SCMR-5 monthly report,
the quarterly review and the daily and weekly reports as PDF and CSV, and the month archive of inquiry PDFs by
user category.

Every file is written to a temporary name beside its target and renamed when complete, so a failure
never leaves half a file. Periods and references are checked before anything is created. No Qt.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from ..core.csv_safety import csv_writer
from ..core.periods import Period
from ..core.permissions import Permission
from ..core.personal_details import sees_personal_details
from ..models import Attachment, Inquiry
from ..reports.daily import render_daily_pdf
from ..reports.feedback_report import render_feedback_pdf
from ..reports.feedback_section import feedback_rows
from ..reports.figures import monthly_csv_rows, quarterly_csv_rows
from ..reports.inquiry_pdf import InquirySheet, render_inquiry_pdf
from ..reports.moderation_report import render_moderation_pdf
from ..reports.monthly import render_monthly_pdf
from ..reports.quarterly import render_quarterly_pdf
from ..reports.weekly import render_weekly_pdf
from . import report_data as data
from .context import ServiceContext
from .inquiries import get_inquiry
from .links_and_files import add_attachment, remove_attachment

INDEX_COLUMNS = ["Inquiry ID", "User Type", "Subject", "Status", "Logged Date", "Path"]


@dataclass(frozen=True)
class ArchiveResult:
    folder: Path  # DIR/YYYY/MM
    index: Path
    files: list[Path]


def _atomic(out: Path | str, write: Callable[[Path], None]) -> Path:
    """Write through ``write(tmp)`` and move the finished file into place."""
    target = Path(out)
    if target.is_dir():
        raise ValueError(f"{target} is a folder; give the file to write, such as {target / 'report.pdf'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _write_csv(rows: list[list[str]]) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8-sig") as fh:  # the BOM lets Excel read the accents
            csv_writer(fh).writerows(rows)  # a figure stays a number; text that reads as a formula is escaped
    return write


def _period(ctx: ServiceContext, period: Period | str, kind: str) -> Period:
    """A period of ``kind`` that has begun; a string is parsed (YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYYQn)."""
    if isinstance(period, str):
        period = Period.parse(kind, period)
    if period.kind != kind:
        raise ValueError(f"{period.label} is a {period.kind}; this report needs a {kind}")
    today = ctx.calendar.local_date(ctx.now())
    if period.first > today:
        raise ValueError(f"{period.label} has not begun yet (today is {today:%d/%m/%Y}); there is nothing to report")
    return period


def _sheet(ctx: ServiceContext, inquiry: Inquiry, leave_out: str | None = None) -> InquirySheet:
    return data.inquiry_sheet(ctx.session, inquiry, leave_out_attachment=leave_out,
                              personal_details=sees_personal_details(ctx.actor.role))


def write_inquiry_pdf(ctx: ServiceContext, reference: str, out_path: Path | str, *,
                      generated_at: datetime | None = None) -> Path:
    """The template PDF of one inquiry (by Inquiry ID, provisional reference or row id)."""
    ctx.require(Permission.VIEW_INQUIRIES)
    sheet = _sheet(ctx, get_inquiry(ctx, reference))
    return _atomic(out_path, lambda p: render_inquiry_pdf(sheet, p, generated_at=generated_at or ctx.now(),
                                                          tz=ctx.calendar.tz))


def attach_inquiry_pdf(ctx: ServiceContext, inquiry: Inquiry | str, *,
                       generated_at: datetime | None = None) -> Attachment:
    """Attach the template PDF to the inquiry as ``<Inquiry ID>.pdf`` (use instruction 4).

    An earlier PDF of the same name is removed (a tombstone, so the audit trail keeps it): the inquiry
    carries one current template, which does not list itself among the attachments.
    """
    ctx.require(Permission.VIEW_INQUIRIES)
    ctx.require(Permission.EDIT_INQUIRY)
    if isinstance(inquiry, str):
        inquiry = get_inquiry(ctx, inquiry)
    name = f"{inquiry.display_id}.pdf"
    earlier = ctx.session.scalars(select(Attachment).where(
        Attachment.inquiry_id == inquiry.id, Attachment.filename == name, Attachment.deleted.is_(False))).all()
    sheet = _sheet(ctx, inquiry, leave_out=name)
    with tempfile.TemporaryDirectory(prefix="saypro-pdf-") as folder:
        pdf = Path(folder) / name
        render_inquiry_pdf(sheet, pdf, generated_at=generated_at or ctx.now(), tz=ctx.calendar.tz)
        attachment = add_attachment(ctx, inquiry, pdf, name)
    for old in earlier:
        remove_attachment(ctx, old)
    ctx.session.flush()
    return attachment


def write_monthly_pdf(ctx: ServiceContext, period: Period | str, out: Path | str, *, as_of: datetime | None = None,
                      generated_at: datetime | None = None) -> Path:
    """The SCMR-5 monthly report; ``as_of`` (default now) decides which open inquiries are already overdue."""
    ctx.require(Permission.VIEW_KPI)
    month = _period(ctx, period, "month")
    report = data.monthly_report(ctx.session, month, as_of or ctx.now(), ctx.settings)
    return _atomic(out, lambda p: render_monthly_pdf(report, p, generated_at=generated_at or ctx.now(),
                                                     tz=ctx.calendar.tz))


def write_monthly_csv(ctx: ServiceContext, period: Period | str, out: Path | str, *,
                      as_of: datetime | None = None) -> Path:
    """The figures of the monthly report, one row each, with target and result where there is one."""
    ctx.require(Permission.VIEW_KPI)
    month = _period(ctx, period, "month")
    report = data.monthly_report(ctx.session, month, as_of or ctx.now(), ctx.settings)
    return _atomic(out, _write_csv(monthly_csv_rows(report.figures)))


def write_quarterly_pdf(ctx: ServiceContext, period: Period | str, out: Path | str, recommendations: str = "", *,
                        as_of: datetime | None = None, generated_at: datetime | None = None) -> Path:
    ctx.require(Permission.VIEW_KPI)
    quarter = _period(ctx, period, "quarter")
    report = data.quarterly_report(ctx.session, quarter, as_of or ctx.now(), ctx.settings, recommendations)
    return _atomic(out, lambda p: render_quarterly_pdf(report, p, generated_at=generated_at or ctx.now(),
                                                       tz=ctx.calendar.tz))


def write_quarterly_csv(ctx: ServiceContext, period: Period | str, out: Path | str, *,
                        as_of: datetime | None = None) -> Path:
    ctx.require(Permission.VIEW_KPI)
    quarter = _period(ctx, period, "quarter")
    report = data.quarterly_report(ctx.session, quarter, as_of or ctx.now(), ctx.settings)
    return _atomic(out, _write_csv(quarterly_csv_rows(report.columns, report.targets)))


def write_feedback_pdf(ctx: ServiceContext, first: date, last: date, out: Path | str, recommendations: str = "", *,
                       as_of: datetime | None = None, generated_at: datetime | None = None) -> Path:
    """The feedback report of the office days ``first`` to ``last``, with the supervisor's recommendations."""
    ctx.require(Permission.VIEW_KPI)
    report = data.feedback_report(ctx.session, first, last, as_of or ctx.now(), ctx.settings, recommendations)
    return _atomic(out, lambda p: render_feedback_pdf(report, p, generated_at=generated_at or ctx.now(),
                                                      tz=ctx.calendar.tz))


def write_feedback_csv(ctx: ServiceContext, first: date, last: date, out: Path | str, *,
                       as_of: datetime | None = None) -> Path:
    ctx.require(Permission.VIEW_KPI)
    report = data.feedback_report(ctx.session, first, last, as_of or ctx.now(), ctx.settings)
    return _atomic(out, _write_csv(monthly_csv_rows(feedback_rows(report.analysis, report.knowledge,
                                                                  report.csat_target))))


def write_daily_pdf(ctx: ServiceContext, period: Period | str, out: Path | str, *, as_of: datetime | None = None,
                    generated_at: datetime | None = None) -> Path:
    """The daily support report of one office calendar day (YYYY-MM-DD)."""
    ctx.require(Permission.VIEW_KPI)
    day = _period(ctx, period, "day")
    report = data.daily_report(ctx.session, day, as_of or ctx.now(), ctx.settings)
    return _atomic(out, lambda p: render_daily_pdf(report, p, generated_at=generated_at or ctx.now(),
                                                   tz=ctx.calendar.tz))


def write_daily_csv(ctx: ServiceContext, period: Period | str, out: Path | str, *,
                    as_of: datetime | None = None) -> Path:
    """The figures of the daily report, one row each (the monthly CSV's columns)."""
    ctx.require(Permission.VIEW_KPI)
    day = _period(ctx, period, "day")
    report = data.daily_report(ctx.session, day, as_of or ctx.now(), ctx.settings)
    return _atomic(out, _write_csv(monthly_csv_rows(report.figures)))


def write_weekly_pdf(ctx: ServiceContext, period: Period | str, out: Path | str, *, as_of: datetime | None = None,
                     generated_at: datetime | None = None) -> Path:
    """The weekly report to the SCMR team of one ISO week (YYYY-Www)."""
    ctx.require(Permission.VIEW_KPI)
    week = _period(ctx, period, "week")
    report = data.weekly_report(ctx.session, week, as_of or ctx.now(), ctx.settings)
    return _atomic(out, lambda p: render_weekly_pdf(report, p, generated_at=generated_at or ctx.now(),
                                                    tz=ctx.calendar.tz))


def write_weekly_csv(ctx: ServiceContext, period: Period | str, out: Path | str, *,
                     as_of: datetime | None = None) -> Path:
    """The figures of the weekly report, one row each (the monthly CSV's columns; the trend by day as rows)."""
    ctx.require(Permission.VIEW_KPI)
    week = _period(ctx, period, "week")
    report = data.weekly_report(ctx.session, week, as_of or ctx.now(), ctx.settings)
    return _atomic(out, _write_csv(monthly_csv_rows(report.figures)))


def write_moderation_pdf(ctx: ServiceContext, period: Period | str, out: Path | str, *,
                         as_of: datetime | None = None, generated_at: datetime | None = None) -> Path:
    """The month's moderation report: figures against targets, reasons, moderators and the weekly audits."""
    ctx.require(Permission.VIEW_KPI)
    month = _period(ctx, period, "month")
    report = data.moderation_report(ctx, month, as_of or ctx.now())
    return _atomic(out, lambda p: render_moderation_pdf(report, p, generated_at=generated_at or ctx.now(),
                                                        tz=ctx.calendar.tz))


def _folder_name(text: str) -> str:
    """A folder name that is valid on Windows too."""
    return re.sub(r'[<>:"/\\|?*\x00-\x1f]', "-", text).strip(" .") or "-"


def archive_month(ctx: ServiceContext, period: Period | str, out_dir: Path | str, *,
                  generated_at: datetime | None = None) -> ArchiveResult:
    """Every inquiry of the month as ``DIR/YYYY/MM/<User Type>/<Inquiry ID>.pdf`` plus ``DIR/YYYY/MM/index.csv``.

    Use instruction 5: archived and coded by Inquiry ID and user category. Running it again rewrites the
    files of the month (each one replaced whole); the index is written last.
    """
    ctx.require(Permission.VIEW_INQUIRIES)
    ctx.require(Permission.EXPORT)
    month = _period(ctx, period, "month")
    generated = generated_at or ctx.now()
    folder = Path(out_dir) / f"{month.first:%Y}" / f"{month.first:%m}"
    rows = [INDEX_COLUMNS]
    files = []
    for inquiry in data.inquiries_of(ctx.session, month):
        relative = Path(_folder_name(inquiry.user_type.value)) / f"{_folder_name(inquiry.display_id)}.pdf"
        sheet = _sheet(ctx, inquiry)
        files.append(_atomic(folder / relative, lambda p, sheet=sheet: render_inquiry_pdf(
            sheet, p, generated_at=generated, tz=ctx.calendar.tz)))
        rows.append([inquiry.display_id, inquiry.user_type.value, inquiry.subject, inquiry.status.value,
                     f"{inquiry.logged_date:%d/%m/%Y}", relative.as_posix()])
    index = _atomic(folder / "index.csv", _write_csv(rows))
    return ArchiveResult(folder, index, files)
