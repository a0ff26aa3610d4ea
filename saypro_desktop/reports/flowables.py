"""Light flowables for plain text and checkbox groups.

A Paragraph parses markup and measures word by word; an inquiry template holds about a hundred short
plain texts, and printing a month's archive makes thousands of templates, so plain text goes through
these instead (about twice as fast overall). Both split across pages like a Paragraph does.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import getAscent, stringWidth
from reportlab.platypus import Flowable


def wrap_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of at most ``width`` points, broken at spaces, and inside words only when one is too long."""
    if "\n" not in text and stringWidth(text, font, size) <= width:
        return [text]  # most labels and values: one measurement instead of one per word
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        for line in simpleSplit(paragraph, font, size, width) or [""]:
            while stringWidth(line, font, size) > width and len(line) > 1:
                cut = len(line) - 1
                while cut > 1 and stringWidth(line[:cut], font, size) > width:
                    cut -= 1
                out.append(line[:cut])
                line = line[cut:]
            out.append(line)
    return out


class Text(Flowable):
    """Plain text in one style (font, size, leading, colour): no markup, wrapped at spaces."""

    def __init__(self, text: str, style: ParagraphStyle, lines: list[str] | None = None) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self._lines = lines

    def _layout(self, width: float) -> list[str]:
        if self._lines is None or getattr(self, "_for_width", None) != width:
            self._lines = wrap_lines(self.text, self.style.fontName, self.style.fontSize, width)
            self._for_width = width
        return self._lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = len(self._layout(avail_width)) * self.style.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        lines = self._layout(avail_width)
        fit = int(avail_height // self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        return [Text("\n".join(lines[:fit]), self.style, lines[:fit]),
                Text("\n".join(lines[fit:]), self.style, lines[fit:])]

    def draw(self) -> None:
        s = self.style
        text = self.canv.beginText(0, self.height - getAscent(s.fontName, s.fontSize))  # one BT..ET for all lines
        text.setFont(s.fontName, s.fontSize, s.leading)
        text.setFillColor(s.textColor)
        for line in self._lines or []:
            text.textLine(line)
        self.canv.drawText(text)


class Checkboxes(Flowable):
    """Every option of a group in a grid, each with a box; the chosen ones ticked and in bold."""

    BOX_SIZE = 11

    def __init__(self, options: Sequence[str], chosen: Sequence[str | None], columns: int, style: ParagraphStyle,
                 bold: str, box_colour: object, ticked: str = "☒", empty: str = "☐") -> None:
        super().__init__()
        self.items = [(option, option in chosen) for option in options]
        self.columns = columns
        self.style = style
        self.bold = bold
        self.box_colour = box_colour
        self.marks = (empty, ticked)

    def _cells(self, width: float) -> list[list[tuple[list[str], bool]]]:
        s = self.style
        column = width / self.columns
        indent = stringWidth(self.marks[1] + " ", s.fontName, self.BOX_SIZE)
        cells = [(wrap_lines(option, self.bold if on else s.fontName, s.fontSize, column - indent - 4), on)
                 for option, on in self.items]
        return [cells[i:i + self.columns] for i in range(0, len(cells), self.columns)]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self._rows = self._cells(avail_width)
        self.height = sum(max(len(lines) for lines, _ in row) for row in self._rows) * self.style.leading + 2
        return self.width, self.height

    def draw(self) -> None:
        s = self.style
        column = self.width / self.columns
        indent = stringWidth(self.marks[1] + " ", s.fontName, self.BOX_SIZE)
        y = self.height - getAscent(s.fontName, s.fontSize)
        text = self.canv.beginText()  # the whole grid in one BT..ET
        for row in self._rows:
            for k, (lines, on) in enumerate(row):
                text.setTextOrigin(k * column, y - 0.5)
                text.setFont(s.fontName, self.BOX_SIZE)
                text.setFillColor(s.textColor if on else self.box_colour)
                text.textOut(self.marks[on] + " ")
                text.setFont(self.bold if on else s.fontName, s.fontSize, s.leading)
                text.setFillColor(s.textColor)
                text.setTextOrigin(k * column + indent, y)
                for line in lines:
                    text.textLine(line)
            y -= max(len(lines) for lines, _ in row) * s.leading
        self.canv.drawText(text)


class Band(Flowable):
    """A full-width coloured band with one line of text: the header of a template section."""

    def __init__(self, text: str, style: ParagraphStyle, colour: object, pad: float = 3.5) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.colour = colour
        self.pad = pad

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, self.style.leading + 2 * self.pad
        return self.width, self.height

    def draw(self) -> None:
        s = self.style
        self.canv.setFillColor(self.colour)
        self.canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        self.canv.setFillColor(s.textColor)
        self.canv.setFont(s.fontName, s.fontSize)
        self.canv.drawString(6, self.pad + (s.leading - s.fontSize) / 2 + 1, self.text)
