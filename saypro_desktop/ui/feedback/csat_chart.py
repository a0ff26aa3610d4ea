"""CSAT by week as bars against the target (a dashed line), drawn with QPainter. Each bar carries its figure
and a bar that misses the target is drawn in the "bad" colour, so colour is never the only signal. Sizes come
from the font metrics."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ...core.feedback import WeekCsat
from ...reports.formatting import fmt_value
from ..theme import BAD, GOOD

LOW, HIGH = 1.0, 5.0  # the scale of a rating


def describe(weeks: Sequence[WeekCsat], target: float) -> str:
    """What the chart shows, in words (its accessible description)."""
    rated = [w for w in weeks if w.average is not None]
    if not rated:
        return f"CSAT by week: no ratings in the {len(weeks)} weeks shown."
    met = sum(1 for w in rated if w.average >= target)  # type: ignore[operator]
    last = weeks[-1]
    now = (f"{last.week}: {fmt_value(last.average, '/5', target)} from {last.responses} rating(s)"
           if last.average is not None else f"{last.week}: no rating")
    return (f"CSAT by week against the target {fmt_value(target, '/5')}: {met} of {len(rated)} rated weeks met "
            f"it. {now}.")


class CsatChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weeks: list[WeekCsat] = []
        self.target = 4.5
        self.setAccessibleName("CSAT by week chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a screen reader reaches the description

    def set_weeks(self, weeks: Sequence[WeekCsat], target: float) -> None:
        self.weeks, self.target = list(weeks), target
        self.setAccessibleDescription(describe(self.weeks, target))
        self.setToolTip(self.accessibleDescription())
        self.update()

    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(round(fm.horizontalAdvance("M") * 30), round(fm.height() * 11))

    def minimumSizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(round(fm.horizontalAdvance("M") * 18), round(fm.height() * 8))

    def _y(self, plot: QRectF, value: float) -> float:
        return plot.bottom() - plot.height() * (value - LOW) / (HIGH - LOW)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetricsF(self.font())
        pad = fm.height() * 0.5
        text = self.palette().color(QPalette.ColorRole.WindowText)
        muted, grid = QColor(text), QColor(text)
        muted.setAlphaF(0.65)
        grid.setAlphaF(0.12)
        left = fm.horizontalAdvance("5.0") + pad
        plot = QRectF(left, fm.height() * 1.4, self.width() - left - pad, self.height() - fm.height() * 2.9)
        if plot.width() <= 0 or plot.height() <= 0:
            p.end()
            return
        for value in (1, 2, 3, 4, 5):
            y = self._y(plot, value)
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(muted)
            p.drawText(QRectF(0, y - fm.height() / 2, left - pad / 2, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(value))
        slot = plot.width() / max(len(self.weeks), 1)
        bar = slot * 0.56
        for i, w in enumerate(self.weeks):
            x = plot.left() + slot * i + (slot - bar) / 2
            label_box = QRectF(plot.left() + slot * i, plot.bottom() + fm.height() * 0.2, slot, fm.height())
            p.setPen(muted)
            p.drawText(label_box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, w.week[5:])
            if w.average is None:
                p.drawText(QRectF(x - pad, plot.bottom() - fm.height() * 1.2, bar + 2 * pad, fm.height()),
                           Qt.AlignmentFlag.AlignHCenter, "–")
                continue
            top = self._y(plot, w.average)
            color = QColor(GOOD if w.average >= self.target else BAD)
            color.setAlphaF(0.8)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(color)
            p.drawRect(QRectF(x, top, bar, plot.bottom() - top))
            p.setPen(text)
            figure = fmt_value(w.average, "/5", self.target).removesuffix(" / 5")
            p.drawText(QRectF(x - pad, top - fm.height() * 1.1, bar + 2 * pad, fm.height()),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, figure)
        y = self._y(plot, self.target)
        pen = QPen(text, max(1.0, fm.height() / 12), Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        p.setPen(muted)
        p.drawText(QRectF(plot.left(), 0, plot.width(), fm.height()), Qt.AlignmentFlag.AlignRight,
                   f"- - target {fmt_value(self.target, '/5')}")
        p.end()
