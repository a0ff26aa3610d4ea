"""The bundled DejaVu Sans fonts, found from a source checkout or inside a PyInstaller bundle.

ReportLab's built-in fonts cover Latin-1 only, so names such as "Ngũgĩ" would print as black boxes;
DejaVu Sans covers them and the checkbox glyphs of the template (☐ ☒).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from ..resources import resource_candidates

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def resources_dir() -> Path:
    for candidate in resource_candidates():
        if all((candidate / "fonts" / name).is_file() for name in _FILES.values()):
            return candidate
    looked = ", ".join(str(p) for p in resource_candidates())
    raise RuntimeError(f"the report fonts ({', '.join(_FILES.values())}) are missing; looked in: {looked}")


@cache
def register_fonts() -> tuple[str, str]:
    """Register the fonts once per process (parsing a TTF costs tens of milliseconds); returns (regular, bold)."""
    fonts = resources_dir() / "fonts"
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(fonts / filename)))
    # <b> in a Paragraph switches to the bold face; there is no italic face, so italic maps to the upright ones.
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(REGULAR, bold, italic, BOLD if bold else REGULAR)
    return REGULAR, BOLD
