"""Daily volume (bars, left axis) and SLA compliance (line, right axis 0-100 %) drawn with QPainter.

Every size comes from the font metrics, so the chart is as crisp and as readable at 200 % scaling as at 100 %.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QHelpEvent, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ...services.dashboard import DayPoint

_LIGHT = {"logged": "#4f7cc9", "resolved": "#a8bfe3", "sla": "#1b7f5f"}
_DARK = {"logged": "#6f9be6", "resolved": "#46618f", "sla": "#4cc79b"}


def nice_step(top: float, intervals: int = 4) -> int:
    """The smallest 1-2-5 step that covers ``top`` in ``intervals`` steps (so grid lines meet 0/25/50/75/100 %)."""
    raw = max(top, 1) / intervals
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * base >= raw:
            return max(1, int(m * base))
    return int(10 * base)  # pragma: no cover


def summary(points: Sequence[DayPoint]) -> str:
    """What the chart shows, in words (its accessible description)."""
    if not points:
        return "No data."
    logged = sum(p.logged for p in points)
    resolved = sum(p.resolved for p in points)
    span = f"{len(points)} days from {points[0].day:%d %b} to {points[-1].day:%d %b %Y}"
    if logged == 0 and resolved == 0:
        return f"{span}: no inquiries logged or resolved."
    busiest = max(points, key=lambda p: (p.logged, p.day))
    on_time = [(p.sla_met_pct or 0) * p.resolved / 100 for p in points if p.sla_met_pct is not None]
    sla = f"; {100 * sum(on_time) / resolved:.0f}% resolved on time" if resolved else ""
    return (f"{span}: {logged} logged, {resolved} resolved{sla}. "
            f"Busiest day {busiest.day:%a %d %b} with {busiest.logged} logged.")


class DailyChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: list[DayPoint] = []
        self.setAccessibleName("Daily volume and SLA compliance chart")
        self.setAccessibleDescription(summary([]))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # reachable by keyboard, so a screen reader reads the summary

    # data -----------------------------------------------------------------------------------------------------
    def set_points(self, points: Sequence[DayPoint]) -> None:
        self._points = list(points)
        self.setAccessibleDescription(summary(self._points))
        self.update()

    def points(self) -> list[DayPoint]:
        return list(self._points)

    # geometry ---------------------------------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(round(fm.horizontalAdvance("M") * 48), round(fm.height() * 15))

    def minimumSizeHint(self) -> QSize:
        fm = QFontMetricsF(self.font())
        return QSize(round(fm.horizontalAdvance("M") * 26), round(fm.height() * 10))

    def _colors(self) -> dict[str, QColor]:
        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        return {k: QColor(v) for k, v in (_DARK if dark else _LIGHT).items()}

    def _legend(self, left: float, right: float) -> list[tuple[str, str, QRectF]]:
        """(key, label, swatch box) per legend entry, flowing onto a new line when the width runs out."""
        fm = QFontMetricsF(self.font())
        sw, gap, line = fm.height() * 0.7, fm.height(), fm.height() * 1.3
        out, x, y = [], left, 0.0
        for key, label in (("logged", "Logged"), ("resolved", "Resolved"), ("sla", "Resolved on time (right axis)")):
            swatch_w = sw * 1.6 if key == "sla" else sw
            width = swatch_w + sw * 0.5 + fm.horizontalAdvance(label)
            if x > left and x + width > right:
                x, y = left, y + line
            out.append((key, label, QRectF(x, y + (fm.height() - sw) / 2, swatch_w, sw)))
            x += width + gap
        return out

    def _layout(self) -> tuple[list[tuple[str, str, QRectF]], QRectF, int]:
        """(legend entries, plot area, left-axis step)."""
        fm = QFontMetricsF(self.font())
        pad = fm.height() * 0.5
        step = nice_step(max((max(p.logged, p.resolved) for p in self._points), default=0))
        left = fm.horizontalAdvance(str(step * 4)) + pad * 1.5
        right = fm.horizontalAdvance("100%") + pad * 1.5
        legend = self._legend(left, self.width() - right)
        top = legend[-1][2].top() + fm.height() + pad * 2
        plot = QRectF(left, top, self.width() - left - right, self.height() - top - (fm.height() + pad))
        return legend, plot, step

    def _slot(self, plot: QRectF) -> float:
        return plot.width() / max(len(self._points), 1)

    # painting ---------------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # the whole chart is cheap to redraw
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        legend, plot, step = self._layout()
        if plot.width() <= 0 or plot.height() <= 0:
            p.end()
            return
        pal, colors = self.palette(), self._colors()
        text = pal.color(QPalette.ColorRole.WindowText)
        muted = QColor(text)
        muted.setAlphaF(0.65)
        grid = QColor(text)
        grid.setAlphaF(0.12)
        self._draw_axes(p, plot, step, muted, grid)
        if any(pt.logged or pt.resolved for pt in self._points):
            self._draw_bars(p, plot, step, colors)
            self._draw_line(p, plot, colors["sla"])
        else:
            p.setPen(muted)
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "No inquiries in this period")
        self._draw_dates(p, plot, muted)
        self._draw_legend(p, legend, colors, text)
        p.end()

    def _draw_axes(self, p: QPainter, plot: QRectF, step: int, muted: QColor, grid: QColor) -> None:
        fm = QFontMetricsF(self.font())
        pad = fm.height() * 0.5
        for k in range(5):
            y = plot.bottom() - plot.height() * k / 4
            p.setPen(QPen(grid, 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(muted)
            box = QRectF(0, y - fm.height() / 2, plot.left() - pad, fm.height())
            p.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, str(step * k))
            box = QRectF(plot.right() + pad, y - fm.height() / 2, self.width() - plot.right() - pad, fm.height())
            p.drawText(box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{25 * k}%")

    def _draw_bars(self, p: QPainter, plot: QRectF, step: int, colors: dict[str, QColor]) -> None:
        slot, top = self._slot(plot), step * 4
        bar = slot * 0.36
        p.setPen(Qt.PenStyle.NoPen)
        for i, pt in enumerate(self._points):
            x = plot.left() + slot * i + slot * 0.14
            for n, (value, key) in enumerate(((pt.logged, "logged"), (pt.resolved, "resolved"))):
                h = plot.height() * value / top
                p.setBrush(colors[key])
                p.drawRect(QRectF(x + n * bar, plot.bottom() - h, bar, h))

    def _draw_line(self, p: QPainter, plot: QRectF, color: QColor) -> None:
        slot = self._slot(plot)
        fm = QFontMetricsF(self.font())
        width = max(1.5, fm.height() / 9)
        path, dots, pen_down = QPainterPath(), [], False
        for i, pt in enumerate(self._points):
            if pt.sla_met_pct is None:
                pen_down = False  # a day without resolutions breaks the line rather than pretending 0 %
                continue
            point = QPointF(plot.left() + slot * (i + 0.5), plot.bottom() - plot.height() * pt.sla_met_pct / 100)
            if pen_down:
                path.lineTo(point)
            else:
                path.moveTo(point)
            pen_down = True
            dots.append(point)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        p.drawPath(path)
        p.setBrush(color)
        for d in dots:
            p.drawEllipse(d, width * 1.4, width * 1.4)

    def _draw_dates(self, p: QPainter, plot: QRectF, muted: QColor) -> None:
        if not self._points:
            return
        fm = QFontMetricsF(self.font())
        slot = self._slot(plot)
        label_w = fm.horizontalAdvance("30 Sep") + fm.height()
        every = max(1, math.ceil(label_w / slot))
        p.setPen(muted)
        last = len(self._points) - 1
        for i in range(last, -1, -every):  # counted back from today, so today always has its label
            x = plot.left() + slot * (i + 0.5)
            box = QRectF(x - label_w / 2, plot.bottom() + fm.height() * 0.3, label_w, fm.height())
            p.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                       f"{self._points[i].day.day} {self._points[i].day:%b}")

    def _draw_legend(self, p: QPainter, legend: list[tuple[str, str, QRectF]], colors: dict[str, QColor],
                     text: QColor) -> None:
        fm = QFontMetricsF(self.font())
        for key, label, box in legend:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colors[key])
            r = box.height() * 0.2
            if key == "sla":  # a line sample for the line series
                p.drawRoundedRect(QRectF(box.left(), box.center().y() - r, box.width(), 2 * r), r, r)
            else:
                p.drawRoundedRect(box, r, r)
            p.setPen(text)
            row = QRectF(box.right() + box.height() * 0.5, box.center().y() - fm.height() / 2,
                         fm.horizontalAdvance(label) + 2, fm.height())
            p.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)

    # tooltips ---------------------------------------------------------------------------------------------------
    def day_at(self, x: float) -> DayPoint | None:
        _, plot, _ = self._layout()
        if not self._points or not plot.left() <= x < plot.right():
            return None
        return self._points[min(int((x - plot.left()) / self._slot(plot)), len(self._points) - 1)]

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            pt = self.day_at(e.pos().x())
            if pt is None:
                QToolTip.hideText()
            else:
                sla = "no resolutions" if pt.sla_met_pct is None else f"{pt.sla_met_pct:.0f}% resolved on time"
                QToolTip.showText(e.globalPos(), f"{pt.day:%a %d %b}: {pt.logged} logged, {pt.resolved} resolved, "
                                                 f"{sla}", self)
            return True
        return super().event(e)
