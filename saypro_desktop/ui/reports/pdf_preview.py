"""The pages of a PDF shown one below the other: fit to width, fit the page, or a zoom percentage.

The widget never renders a PDF itself. It is given page sizes (points) and page images (converted from
:class:`~.pdf_pages.PageRaster` bytes, the only pixel work done on the GUI thread); when the zoom or the
window needs sharper pages than it has, it says so with :attr:`PdfPreview.wants_dpi` and the owner renders
again on the worker pool.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from .pdf_pages import POINTS_PER_INCH, PageRaster

FIT_WIDTH, FIT_PAGE = "width", "page"
ZOOMS: list[tuple[str, str | float]] = [("Fit width", FIT_WIDTH), ("Fit page", FIT_PAGE), ("50%", 0.5),
                                        ("75%", 0.75), ("100%", 1.0), ("125%", 1.25), ("150%", 1.5),
                                        ("200%", 2.0)]


def raster_to_image(raster: PageRaster) -> QImage:
    """A QImage that owns a copy of the raster's pixels."""
    return QImage(raster.data, raster.width, raster.height, raster.stride, QImage.Format.Format_RGB888).copy()


class PageView(QWidget):
    """One page: its image scaled to the widget (cached), or a blank page while it is being rendered."""

    def __init__(self, number: int, total: int, size_pt: tuple[float, float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number, self.size_pt = number, size_pt
        self.image: QImage | None = None
        self._scaled: QPixmap | None = None
        self.setAccessibleName(f"Page {number} of {total}")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_image(self, image: QImage) -> None:
        self.image, self._scaled = image, None
        self.update()

    def set_width(self, width: int) -> None:
        w, h = self.size_pt
        size = QSize(max(1, width), max(1, round(width * h / w)))
        if size != self.size():
            self.setFixedSize(size)  # computed from the zoom and the viewport, never a constant
            self._scaled = None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self.image is None:
            painter.setPen(QColor("#6b7280"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, f"Page {self.number}…")
        else:
            ratio = self.devicePixelRatioF()
            target = QSize(round(self.width() * ratio), round(self.height() * ratio))
            if self._scaled is None or self._scaled.size() != target:
                scaled = self.image.scaled(target, Qt.AspectRatioMode.IgnoreAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
                self._scaled = QPixmap.fromImage(scaled)
                self._scaled.setDevicePixelRatio(ratio)
            painter.drawPixmap(0, 0, self._scaled)
        painter.setPen(QColor(0, 0, 0, 70))
        painter.drawRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1))
        painter.end()


class PdfPreview(QScrollArea):
    wants_dpi = Signal(float)  # the pages shown need this resolution to stay sharp

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Report preview")
        self.setAccessibleDescription("The pages of the generated report")
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # fit-width does not flicker
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setObjectName("reportDesk")
        self.pages: list[PageView] = []
        self.zoom: str | float = FIT_WIDTH
        self.dpi = 0.0  # of the images shown
        content = QWidget()
        content.setObjectName("reportDeskPages")
        self._column = QVBoxLayout(content)
        em = self.fontMetrics().height()
        self._margin = em
        self._column.setContentsMargins(em, em, em, em)
        self._column.setSpacing(em)
        self._column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.placeholder = QLabel()
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("reportDeskMessage")
        self._column.addWidget(self.placeholder)
        self._column.addStretch(1)
        self.setWidget(content)
        self._tint()
        self._relayout = QTimer(self, singleShot=True, interval=60)
        self._relayout.timeout.connect(self._layout_pages)

    def _tint(self) -> None:
        """A grey desk under the white pages, darker than the window in both themes. A style sheet, because the
        application's style sheet would override a palette set here."""
        window = self.palette().color(QPalette.ColorRole.Window)
        desk = window.darker(170) if window.lightness() < 128 else window.darker(125)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        sheet = (f"#reportDesk, #reportDeskPages {{ background: {desk.name()}; }} "
                 f"#reportDeskMessage {{ color: {text.name()}; }}")
        if self.styleSheet() != sheet:
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._tint()

    # pages ----------------------------------------------------------------------------------------------------
    def page_count(self) -> int:
        return len(self.pages)

    def set_message(self, text: str) -> None:
        """No pages: ``text`` in their place."""
        self.clear()
        self.placeholder.setText(text)
        self.placeholder.show()

    def clear(self) -> None:
        for page in self.pages:
            self._column.removeWidget(page)
            page.deleteLater()
        self.pages = []
        self.dpi = 0.0

    def set_pages(self, sizes_pt: list[tuple[float, float]], rasters: list[PageRaster]) -> None:
        self.clear()
        self.placeholder.hide()
        total = len(sizes_pt)
        for n, size in enumerate(sizes_pt, 1):
            page = PageView(n, total, size)
            self.pages.append(page)
            self._column.insertWidget(self._column.count() - 1, page, 0, Qt.AlignmentFlag.AlignHCenter)
        self.set_images(rasters)
        self._layout_pages()
        self.verticalScrollBar().setValue(0)

    def set_images(self, rasters: list[PageRaster]) -> None:
        for raster in rasters:
            if raster.index < len(self.pages):
                self.pages[raster.index].set_image(raster_to_image(raster))
        if rasters:
            self.dpi = min(r.dpi for r in rasters)

    # zoom -----------------------------------------------------------------------------------------------------
    def set_zoom(self, zoom: str | float) -> None:
        self.zoom = zoom
        self._layout_pages()

    def page_width(self, size_pt: tuple[float, float] | None = None) -> int:
        """The width, in logical pixels, a page of ``size_pt`` is shown at (A4 while there are no pages)."""
        w, h = size_pt or (self.pages[0].size_pt if self.pages else (595.0, 842.0))
        room_w = max(1, self.viewport().width() - 2 * self._margin)
        room_h = max(1, self.viewport().height() - 2 * self._margin)
        if self.zoom == FIT_WIDTH:
            return room_w
        if self.zoom == FIT_PAGE:
            return min(room_w, round(room_h * w / h))
        return max(1, round(w / POINTS_PER_INCH * self.logicalDpiX() * float(self.zoom)))

    def zoom_factor(self) -> float:
        """The shown size against the page's real size on this screen (1.0: 100%)."""
        w = self.pages[0].size_pt[0] if self.pages else 595.0
        return self.page_width() / (w / POINTS_PER_INCH * self.logicalDpiX())

    def needed_dpi(self) -> float:
        """Pixels per inch for the pages at their shown size on this screen."""
        w = self.pages[0].size_pt[0] if self.pages else 595.0
        return self.page_width() * self.devicePixelRatioF() * POINTS_PER_INCH / w

    def _layout_pages(self) -> None:
        for page in self.pages:
            page.set_width(self.page_width(page.size_pt))
        if self.pages and self.needed_dpi() > self.dpi * 1.15:
            self.wants_dpi.emit(self.needed_dpi())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._relayout.start()
