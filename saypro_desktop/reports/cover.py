"""The opening of a period report: title, facts (office, period, data as of, generated at), figure tiles and,
on a full cover page, the contents. The SCMR-5 monthly, weekly and daily reports open with it."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from .styles import BRAND, FRAME_WIDTH, MUTED, RULE, SHADE, styles, table


def fact_table(facts: Sequence[tuple[str, str]]) -> Flowable:
    s = styles()
    return table([[Paragraph(k, s.label), Paragraph(v, s.cell)] for k, v in facts],
                 [32 * mm, FRAME_WIDTH - 32 * mm],
                 [("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                  ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])


def tile_table(tiles: Sequence[tuple[str, str]]) -> Flowable:
    """Big figures in a shaded row, each with its name under it."""
    s = styles()
    big = s.big.clone("tile", alignment=1, fontSize=20, leading=24, textColor=BRAND)
    small = s.small.clone("tile_label", alignment=1)
    n = len(tiles)
    return table([[Paragraph(v, big) for _, v in tiles], [Paragraph(k, small) for k, _ in tiles]],
                 [FRAME_WIDTH / n] * n,
                 [("BACKGROUND", (0, 0), (-1, -1), SHADE), ("LINEAFTER", (0, 0), (-2, -1), 2, "white"),
                  ("TOPPADDING", (0, 0), (-1, 0), 9), ("BOTTOMPADDING", (0, -1), (-1, -1), 9)])


def cover_story(title: str, subtitle: str, period: str, facts: Sequence[tuple[str, str]],
                tiles: Sequence[tuple[str, str]], contents: Sequence[str] | None = None) -> list[Flowable]:
    """A cover page with the ``contents`` (section titles) and a page break; without contents, a title block
    at the top of the first page that the sections follow (a report of a page or two)."""
    s = styles()
    if contents is None:
        return [Paragraph(title, s.title), Paragraph(subtitle, s.subtitle), Spacer(0, 2 * mm),
                Paragraph(period, s.title.clone("block_period", fontSize=15, leading=19, textColor=MUTED)),
                Spacer(0, 3 * mm), fact_table(facts), Spacer(0, 4 * mm), tile_table(tiles), Spacer(0, 2 * mm)]
    return [
        Spacer(0, 22 * mm),
        Paragraph(title, s.title.clone("cover_title", fontSize=28, leading=34)),
        Paragraph(subtitle, s.subtitle),
        Spacer(0, 10 * mm),
        Paragraph(period, s.title.clone("cover_month", fontSize=22, leading=27, textColor=MUTED)),
        Spacer(0, 8 * mm),
        fact_table(facts),
        Spacer(0, 10 * mm),
        tile_table(tiles),
        Spacer(0, 10 * mm),
        Paragraph("Contents", s.subheading),
        *[Paragraph(f"{n}.&nbsp;&nbsp;{name}", s.body) for n, name in enumerate(contents, 1)],
        PageBreak(),
    ]
