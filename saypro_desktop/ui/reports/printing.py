"""Printing a generated report with QPrinter: each page rendered at the printer's resolution and painted.

Printing to a PDF (Qt's PDF output, or a PDF printer such as "Microsoft Print to PDF" or "Save as PDF") is
not printed at all: the report's own PDF is copied (:func:`save_pdf_pages`), with its text and vector drawings,
a few hundred KB instead of megabytes of page images that nobody can search or copy from.

:func:`prepare_printer` runs on the GUI thread before the print dialog. :func:`print_pdf` runs on the worker
pool: Qt documents QPainter on a QPrinter as usable from a worker thread (only QWidget and QPixmap painting
is GUI-thread-only), so rendering and painting happen there a page at a time, with one page's pixels in
memory, while the window stays responsive. The GUI thread must not touch the printer until it returns.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from .pdf_pages import PdfPages, pdf_of_pages
from .pdf_preview import raster_to_image

MAX_PRINT_DPI = 300.0  # sharp on paper; an A4 page is then about 26 MB of pixels


# Printers whose driver writes a PDF file: "Microsoft Print to PDF", "Save as PDF", "CUPS-PDF", "PDF".
_PDF_PRINTER = re.compile(r"(?<![a-z])pdf(?![a-z])", re.IGNORECASE)


class PrintCancelled(Exception):
    pass


def is_pdf_printer_name(name: str) -> bool:
    return bool(_PDF_PRINTER.search(name or ""))


def prints_to_pdf(printer: QPrinter) -> bool:
    """The print would only make a PDF file: Qt's PDF output, or a printer whose driver writes one."""
    return printer.outputFormat() == QPrinter.OutputFormat.PdfFormat or is_pdf_printer_name(printer.printerName())


def save_pdf_pages(source: Path, target: Path, pages: list[int], count: int) -> int:
    """The report's own PDF at ``target`` (only ``pages``, 0-based, of its ``count``), written whole or not at
    all; returns the number of pages. Call on a worker thread."""
    if not pages:
        raise ValueError("no pages chosen to print")
    if target.is_dir():
        raise ValueError(f"{target} is a folder; give the name of the PDF file to write")
    data = source.read_bytes() if pages == list(range(count)) else pdf_of_pages(source, pages)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(pages)


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
