"""What the Reports workspace runs on the worker pool: make a report file, rasterise its pages, copy it.
No Qt here; each function is given what it needs and returns plain data.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ...core.periods import Period
from ...core.permissions import PermissionDenied
from ...services.context import ServiceContext
from ...services.inquiry_queries import InquiryFilter, count_inquiries
from .pdf_pages import PageRaster, PdfPages

DAILY, WEEKLY, MONTHLY, QUARTERLY = "daily", "weekly", "monthly", "quarterly"
PERIOD_KIND = {DAILY: "day", WEEKLY: "week", MONTHLY: "month", QUARTERLY: "quarter"}
_NAMES = {DAILY: ("Daily support report", "Daily report"), WEEKLY: ("SCMR weekly report", "Weekly report"),
          MONTHLY: ("SCMR-5 monthly report", "SCMR-5"), QUARTERLY: ("Quarterly review", "Quarterly review")}


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class ReportRequest:
    kind: str  # DAILY, WEEKLY, MONTHLY or QUARTERLY
    period: str  # "2025-01-14", "2025-W03", "2025-01" or "2025Q1"
    recommendations: str = ""

    def parsed(self) -> Period:
        return Period.parse(PERIOD_KIND[self.kind], self.period)

    @property
    def label(self) -> str:
        return self.parsed().label

    @property
    def title(self) -> str:
        return f"{_NAMES[self.kind][0]}, {self.label}"

    @property
    def file_stem(self) -> str:
        return f"{_NAMES[self.kind][1]} {self.period}"


@dataclass(frozen=True)
class GeneratedReport:
    request: ReportRequest
    path: Path
    logged: int  # inquiries logged in the period: 0 means the report has no data


@dataclass(frozen=True)
class RenderedPages:
    path: Path
    sizes: list[tuple[float, float]]  # points
    rasters: list[PageRaster]


def _unlocked(folder: Path, stem: str, suffix: str, write: Callable[[Path], Path]) -> Path:
    """``write`` to ``folder/stem.suffix``; when a viewer holds that file open (Windows refuses to replace it),
    to ``stem (2).suffix`` and so on."""
    for n in range(1, 10):
        target = folder / (f"{stem}{suffix}" if n == 1 else f"{stem} ({n}){suffix}")
        try:
            return write(target)
        except PermissionDenied:
            raise
        except PermissionError:
            continue
    raise PermissionError(f"every copy of {stem}{suffix} in {folder} is in use; close the PDF viewer and try again")


def generate_report(ctx: ServiceContext, request: ReportRequest, folder: Path) -> GeneratedReport:
    """The report's PDF in ``folder`` (the data folder's reports/), generated now from the local store."""
    from ...services import report_files  # ReportLab loads with the first report, not at start

    if request.kind in (DAILY, WEEKLY, MONTHLY):
        writer = {DAILY: report_files.write_daily_pdf, WEEKLY: report_files.write_weekly_pdf,
                  MONTHLY: report_files.write_monthly_pdf}[request.kind]

        def write(out: Path) -> Path:
            return writer(ctx, request.period, out)
    else:
        def write(out: Path) -> Path:
            return report_files.write_quarterly_pdf(ctx, request.period, out, request.recommendations)
    path = _unlocked(folder, request.file_stem, ".pdf", write)
    logged = count_inquiries(ctx.session, InquiryFilter(month=request.parsed(), limit=None, tz=ctx.calendar.tz))
    return GeneratedReport(request, path, logged)


def write_csv(ctx: ServiceContext, request: ReportRequest, out: Path) -> Path:
    from ...services import report_files

    writer = {DAILY: report_files.write_daily_csv, WEEKLY: report_files.write_weekly_csv,
              MONTHLY: report_files.write_monthly_csv, QUARTERLY: report_files.write_quarterly_csv}[request.kind]
    return writer(ctx, request.period, out)


def render_pages(path: Path, dpi: float, cancelled: threading.Event | None = None,
                 progress: Callable[[int, int], None] | None = None) -> RenderedPages:
    """Every page of the PDF at ``dpi``; stops with :class:`Cancelled` between pages once ``cancelled`` is set."""
    with PdfPages(path) as pdf:
        rasters = []
        for index in range(len(pdf)):
            if cancelled is not None and cancelled.is_set():
                raise Cancelled("cancelled")
            if progress is not None:
                progress(index + 1, len(pdf))
            rasters.append(pdf.render(index, dpi))
        return RenderedPages(Path(path), pdf.sizes, rasters)


def save_copy(source: Path, target: Path) -> Path:
    """A copy of ``source`` at ``target``, written whole or not at all."""
    if target.is_dir():
        raise ValueError(f"{target} is a folder; give the name of the file to write")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp_name)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def recent_days(today: date, count: int = 35) -> list[tuple[str, str]]:
    """(label, "YYYY-MM-DD"), today first."""
    days = [today - timedelta(days=n) for n in range(count)]
    return [(f"{d:%a} {d:%d/%m/%Y}", d.isoformat()) for d in days]


def recent_weeks(today: date, count: int = 16) -> list[tuple[str, str]]:
    """(label, "YYYY-Www"), this ISO week first."""
    out = []
    for n in range(count):
        monday = today - timedelta(days=today.weekday() + 7 * n)
        year, week, _ = monday.isocalendar()
        out.append((f"{year}-W{week:02d} ({monday:%d/%m} – {monday + timedelta(days=6):%d/%m/%Y})",
                    f"{year}-W{week:02d}"))
    return out


def recent_months(today: date, count: int = 24) -> list[tuple[str, str]]:
    """(label, "YYYY-MM"), this month first."""
    out, y, m = [], today.year, today.month
    for _ in range(count):
        out.append((date(y, m, 1).strftime("%B %Y"), f"{y}-{m:02d}"))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def recent_quarters(today: date, count: int = 8) -> list[tuple[str, str]]:
    """(label, "YYYYQn"), this quarter first."""
    out, y, q = [], today.year, (today.month - 1) // 3 + 1
    for _ in range(count):
        out.append((f"Q{q} {y}", f"{y}Q{q}"))
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return out


def describe(exc: Exception) -> str:
    """An error as a sentence for the user."""
    if isinstance(exc, PermissionDenied):
        return f"Not allowed: {exc}."
    if isinstance(exc, ValueError):
        text = str(exc)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    if isinstance(exc, OSError):
        return f"The file could not be written: {exc.strerror or exc}" + (f" ({exc.filename})" if exc.filename else "")
    return f"Something went wrong: {exc}"
