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
from datetime import date
from pathlib import Path

from ...core.periods import Period
from ...core.permissions import PermissionDenied
from ...services import report_files
from ...services.context import ServiceContext
from ...services.inquiry_queries import InquiryFilter, count_inquiries
from .pdf_pages import PageRaster, PdfPages

MONTHLY, QUARTERLY = "monthly", "quarterly"


class Cancelled(Exception):
    pass


@dataclass(frozen=True)
class ReportRequest:
    kind: str  # MONTHLY or QUARTERLY
    period: str  # "2025-01" or "2025Q1"
    recommendations: str = ""

    def parsed(self) -> Period:
        return Period.month(self.period) if self.kind == MONTHLY else Period.quarter(self.period)

    @property
    def label(self) -> str:
        return self.parsed().label

    @property
    def title(self) -> str:
        name = "SCMR-5 monthly report" if self.kind == MONTHLY else "Quarterly review"
        return f"{name}, {self.label}"

    @property
    def file_stem(self) -> str:
        return f"SCMR-5 {self.period}" if self.kind == MONTHLY else f"Quarterly review {self.period}"


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
    if request.kind == MONTHLY:
        def write(out: Path) -> Path:
            return report_files.write_monthly_pdf(ctx, request.period, out)
    else:
        def write(out: Path) -> Path:
            return report_files.write_quarterly_pdf(ctx, request.period, out, request.recommendations)
    path = _unlocked(folder, request.file_stem, ".pdf", write)
    logged = count_inquiries(ctx.session, InquiryFilter(month=request.parsed(), limit=None, tz=ctx.calendar.tz))
    return GeneratedReport(request, path, logged)


def write_csv(ctx: ServiceContext, request: ReportRequest, out: Path) -> Path:
    if request.kind == MONTHLY:
        return report_files.write_monthly_csv(ctx, request.period, out)
    return report_files.write_quarterly_csv(ctx, request.period, out)


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
