"""Printing a generated report with QPrinter: each page rendered at the printer's resolution and painted.

:func:`prepare_printer` runs on the GUI thread before the print dialog. :func:`print_pdf` runs on the worker
pool: Qt documents QPainter on a QPrinter as usable from a worker thread (only QWidget and QPixmap painting
is GUI-thread-only), so rendering and painting happen there a page at a time, with one page's pixels in
memory, while the window stays responsive. The GUI thread must not touch the printer until it returns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from .pdf_pages import PdfPages
from .pdf_preview import raster_to_image

MAX_PRINT_DPI = 300.0  # sharp on paper; an A4 page is then about 26 MB of pixels


class PrintCancelled(Exception):
    pass


def prepare_printer(printer: QPrinter, size_pt: tuple[float, float], title: str) -> None:
    """The report's paper size and orientation, no extra margins (the PDF has its own), a document name."""
    w, h = size_pt
    printer.setDocName(title)
    paper = QPageSize(QSizeF(min(w, h), max(w, h)), QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.FuzzyMatch)
    printer.setPageSize(paper)
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def chosen_pages(printer: QPrinter, count: int) -> list[int]:
    """The 0-based pages the print dialog asked for (all, or a range)."""
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = printer.fromPage(), printer.toPage() or count
        return list(range(max(1, first) - 1, min(count, last)))
    return list(range(count))


def print_pdf(path: Path, printer: QPrinter, pages: list[int], *, max_dpi: float = MAX_PRINT_DPI,
              progress: Callable[[int, int], None] | None = None,
              cancelled: threading.Event | None = None) -> int:
    """Print ``pages`` of the PDF at ``path``; returns how many were printed. Call on a worker thread."""
    if not pages:
        raise ValueError("no pages chosen to print")
    dpi = float(min(printer.resolution(), max_dpi))
    with PdfPages(path) as pdf:
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError(f"the printer {printer.printerName() or printer.outputFileName()!r} could not be started")
        try:
            for n, index in enumerate(pages):
                if cancelled is not None and cancelled.is_set():
                    printer.abort()
                    raise PrintCancelled("printing cancelled")
                if progress is not None:
                    progress(n + 1, len(pages))
                if n and not printer.newPage():
                    raise OSError("the printer refused a new page")
                image = raster_to_image(pdf.render(index, dpi))
                area = printer.pageLayout().paintRectPixels(printer.resolution())
                area.moveTo(0, 0)  # the painter's origin is the paint rectangle's corner
                scale = min(area.width() / image.width(), area.height() / image.height())
                target = QRectF(0, 0, image.width() * scale, image.height() * scale)
                target.moveCenter(QRectF(area).center())
                painter.drawImage(target, image)
        finally:
            painter.end()
    return len(pages)
