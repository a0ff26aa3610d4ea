"""The page every report is printed on: A4, office header, "Generated at" and "Page x of y" footer.

``invariant=1`` fixes the PDF's creation date and document ID, so the same story and the same
"generated at" text give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from .styles import BRAND, MARGIN, MUTED, PAGE, RULE, styles

OFFICE = "SayPro Classified Office"
DIVISION = "SayPro Marketing Royalty SCMR"
TOP = 20 * mm
BOTTOM = 17 * mm


class _NumberedCanvas(Canvas):
    """Holds each finished page until the total is known, then writes "Page x of y" on all of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(styles().regular, 7.5)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE[0] - MARGIN, BOTTOM - 9 * mm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def build_pdf(out: str | Path | IO[bytes], story: Sequence[Flowable], *, title: str, header: str,
              generated: str, header_on_first_page: bool = True) -> None:
    """Lay out ``story`` on numbered A4 pages and write the PDF to ``out`` (a path or a binary file)."""
    s = styles()

    def decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        width, height = PAGE
        if header_on_first_page or canvas.getPageNumber() > 1:
            y = height - TOP + 7 * mm
            canvas.setFont(s.bold, 8.5)
            canvas.setFillColor(BRAND)
            canvas.drawString(MARGIN, y, OFFICE)
            canvas.setFont(s.regular, 8.5)
            canvas.setFillColor(MUTED)
            canvas.drawRightString(width - MARGIN, y, header)
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(0.6)
            canvas.line(MARGIN, y - 2.5 * mm, width - MARGIN, y - 2.5 * mm)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN, BOTTOM - 5 * mm, width - MARGIN, BOTTOM - 5 * mm)
        canvas.setFont(s.regular, 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, BOTTOM - 9 * mm, generated)
        canvas.restoreState()

    target = str(out) if isinstance(out, Path) else out  # ReportLab takes a str path or a file, not a Path
    # initialFontName: pages start in the bundled font, so no Latin-1 base font is referenced at all.
    doc = BaseDocTemplate(target, pagesize=PAGE, invariant=1, title=title, author=OFFICE, subject=title,
                          creator="SayPro Desk", initialFontName=s.regular, leftMargin=MARGIN, rightMargin=MARGIN,
                          topMargin=TOP, bottomMargin=BOTTOM)
    frame = Frame(MARGIN, BOTTOM, PAGE[0] - 2 * MARGIN, PAGE[1] - TOP - BOTTOM, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    # Binary (Flate only) streams: ASCII85 makes files a quarter bigger and costs a tenth of the time, for
    # 7-bit transports nobody uses. A process-wide ReportLab setting, set the same way by every report.
    rl_config.useA85 = 0
    doc.build(list(story), canvasmaker=_NumberedCanvas)
