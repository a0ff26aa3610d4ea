"""PDF pages as pixels, with pdfium (pypdfium2): for the preview and for printing. No Qt here.

PDFium is not thread-safe: no two pdfium calls may run at the same time, not even on different documents
(pypdfium2's "Incompatibility with Threading"). Every call below holds one process-wide lock, and every
pdfium object is closed explicitly under it, so no garbage-collector finaliser calls pdfium from some other
thread. Pages are rendered one at a time, so a preview and a print job can interleave page by page.

The document is read into memory first: no file handle stays open (on Windows an open handle would stop the
next report of the same period from replacing the file).
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

_PDFIUM = threading.Lock()
POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class PageRaster:
    """One rendered page: 8-bit RGB rows of ``stride`` bytes (a QImage.Format_RGB888 buffer)."""

    index: int  # 0-based
    width: int
    height: int
    stride: int
    data: bytes
    dpi: float


class PdfPages:
    """An open PDF: ``with PdfPages(path) as pdf: pdf.render(0, dpi=150)``."""

    def __init__(self, source: Path | str | bytes) -> None:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        import pypdfium2 as pdfium  # loaded with the first report shown, not at start

        with _PDFIUM:
            self._doc = pdfium.PdfDocument(data)
            try:
                self.sizes: list[tuple[float, float]] = [self._doc.get_page_size(i) for i in range(len(self._doc))]
            except BaseException:
                self._doc.close()
                raise

    def __len__(self) -> int:
        return len(self.sizes)

    def render(self, index: int, dpi: float) -> PageRaster:
        """Page ``index`` at ``dpi`` pixels per inch, on a white background."""
        with _PDFIUM:
            page = self._doc[index]
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)  # RGB, 3 bytes a pixel
                try:
                    if bitmap.n_channels != 3:
                        raise RuntimeError(f"unexpected pdfium pixel format {bitmap.mode}")
                    return PageRaster(index, bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer), dpi)
                finally:
                    bitmap.close()
            finally:
                page.close()

    def close(self) -> None:
        with _PDFIUM:
            self._doc.close()

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def pdf_of_pages(source: Path, pages: list[int]) -> bytes:
    """A PDF of ``pages`` (0-based) of ``source``, copied as they are: text, fonts and drawings, not pixels."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        src = pdfium.PdfDocument(Path(source).read_bytes())
        try:
            out = pdfium.PdfDocument.new()
            try:
                out.import_pages(src, pages)
                buffer = io.BytesIO()
                out.save(buffer)
                return buffer.getvalue()
            finally:
                out.close()
        finally:
            src.close()


def dpi_for_width(page_width_pt: float, pixels: float, low: float = 36.0, high: float = 300.0) -> float:
    """The resolution that makes a page ``page_width_pt`` points wide ``pixels`` pixels wide, within [low, high]."""
    if page_width_pt <= 0:
        return low
    return max(low, min(high, pixels * POINTS_PER_INCH / page_width_pt))
