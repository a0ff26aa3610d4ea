"""Colours, paragraph styles and table helpers shared by the reports (made once per process)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from .flowables import Band
from .fonts import register_fonts

PAGE = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN

INK = colors.HexColor("#1D2A33")
MUTED = colors.HexColor("#5B6770")
BRAND = colors.HexColor("#1F4E5F")
RULE = colors.HexColor("#B8C4CC")
SHADE = colors.HexColor("#EEF3F6")
MET = colors.HexColor("#1B6E35")
MISSED = colors.HexColor("#B3261E")
NO_DATA = colors.HexColor("#6B6B6B")
MET_BG = colors.HexColor("#E3F2E7")
MISSED_BG = colors.HexColor("#FBE4E2")
NO_DATA_BG = colors.HexColor("#EDEDED")
# Okabe-Ito: tells series apart for colour-blind readers too.
SERIES = [colors.HexColor(c) for c in ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                                       "#000000", "#F0E442")]

VERDICT_COLOURS = {True: (MET, MET_BG), False: (MISSED, MISSED_BG), None: (NO_DATA, NO_DATA_BG)}


@dataclass(frozen=True)
class Styles:
    regular: str
    bold: str
    body: ParagraphStyle
    small: ParagraphStyle
    label: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    compact: ParagraphStyle
    compact_head: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    big: ParagraphStyle


@cache
def styles() -> Styles:
    regular, bold = register_fonts()

    def style(name: str, **kw: Any) -> ParagraphStyle:
        base = dict(fontName=regular, fontSize=9, leading=12, textColor=INK)
        base.update(kw)
        return ParagraphStyle(name, **base)

    return Styles(
        regular=regular, bold=bold,
        body=style("body", spaceAfter=4),
        small=style("small", fontSize=7.5, leading=9.5, textColor=MUTED),
        label=style("label", fontName=bold, fontSize=8.5, leading=11, textColor=MUTED),
        cell=style("cell", fontSize=8.5, leading=11),
        cell_head=style("cell_head", fontName=bold, fontSize=8.5, leading=11, textColor=colors.white),
        compact=style("compact", fontSize=7.5, leading=9.5),
        compact_head=style("compact_head", fontName=bold, fontSize=7.5, leading=9.5, textColor=colors.white),
        title=style("title", fontName=bold, fontSize=20, leading=25, textColor=BRAND),
        subtitle=style("subtitle", fontSize=11, leading=15, textColor=MUTED),
        heading=style("heading", fontName=bold, fontSize=12.5, leading=16, textColor=BRAND, spaceBefore=10,
                      spaceAfter=5),
        subheading=style("subheading", fontName=bold, fontSize=10, leading=13, textColor=INK, spaceBefore=6,
                         spaceAfter=3),
        big=style("big", fontName=bold, fontSize=15, leading=19, textColor=INK, alignment=TA_RIGHT),
    )


def heading(text: str, level: int = 1) -> Paragraph:
    """A heading that is never left alone at the foot of a page."""
    s = styles()
    p = Paragraph(text, s.heading if level == 1 else s.subheading)
    p.keepWithNext = True
    return p


def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], commands: Sequence[tuple[Any, ...]] = (),
          **kw: Any) -> Table:
    """A Table in the bundled font: ReportLab's cell default is Helvetica, which would otherwise enter every file."""
    t = Table([list(r) for r in rows], colWidths=list(widths), **kw)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), styles().regular), *commands]))
    return t


def layout(cells_: Sequence[Any], widths: Sequence[float], valign: str = "TOP") -> Table:
    """One row placing flowables side by side, without padding."""
    return table([cells_], widths, [("VALIGN", (0, 0), (-1, -1), valign), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)])


def section_bar(text: str) -> Band:
    """The coloured band that opens a section of the inquiry template; never left alone at a page foot."""
    bar = Band(text, styles().cell_head, BRAND)
    bar.keepWithNext = True
    return bar


def grid_table(rows: Sequence[Sequence[Any]], widths: Sequence[float], header: bool = True,
               extra: Sequence[tuple[Any, ...]] = (), zebra: bool = True) -> Table:
    """A data table: a dark header row repeated on each page, light rules, optional zebra shading."""
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), BRAND))
    if zebra:
        first = 1 if header else 0
        commands += [("BACKGROUND", (0, r), (-1, r), SHADE) for r in range(first + 1, len(rows), 2)]
    commands += list(extra)
    return table(rows, widths, commands, repeatRows=1 if header else 0)


def cells(values: Sequence[Any], style: ParagraphStyle | None = None) -> list[Flowable]:
    st = style or styles().cell
    return [v if isinstance(v, Flowable) else Paragraph(str(v), st) for v in values]


def head_cells(values: Sequence[str], compact: bool = False) -> list[Flowable]:
    s = styles()
    return cells(values, s.compact_head if compact else s.cell_head)


def verdict_style(row: int, col: int, met: bool | None) -> list[tuple[Any, ...]]:
    """Colours a verdict cell; the words (met/missed/no data) always say the same, so colour is never alone."""
    _, bg = VERDICT_COLOURS[met]
    return [("BACKGROUND", (col, row), (col, row), bg)]


def verdict_paragraph(met: bool | None, text: str) -> Paragraph:
    s = styles()
    fg, _ = VERDICT_COLOURS[met]
    return Paragraph(f'<font color="{hex_colour(fg)}"><b>{text}</b></font>', s.cell)


def hex_colour(colour: colors.Color) -> str:
    return "#" + colour.hexval()[2:]
