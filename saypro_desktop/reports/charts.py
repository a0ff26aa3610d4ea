"""Charts drawn with ReportLab graphics: bars in table rows, a pie for shares, bars and trend lines by month.

Every chart sits beside or under a table of the same figures; the charts help the eye, the tables
carry the numbers (and read without colour).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors

from .styles import INK, MUTED, RULE, SERIES, styles

MARKERS = ("FilledCircle", "FilledSquare", "FilledDiamond", "FilledTriangle", "FilledCross", "FilledStarFive",
           "Circle", "Square")


def nice_step(top: float, ticks: int = 5) -> float:
    """A whole, round axis step for counts (1, 2 or 5 times a power of ten), about ``ticks`` ticks to ``top``."""
    raw = max(top, 1) / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if raw <= m * power)
    return max(step, 1)


def _axis_top(values: Sequence[float]) -> tuple[float, float]:
    top = max([*values, 1])
    step = nice_step(top)
    return step * math.ceil(top * 1.08 / step), step


def inline_bar(value: float, largest: float, width: float, height: float = 8) -> Drawing:
    """A bar for a table row, as long as ``value`` relative to the largest of its table."""
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#F1F4F6"), strokeColor=None))
    if largest > 0 and value > 0:
        drawing.add(Rect(0, 0, max(1.0, width * value / largest), height, fillColor=SERIES[0], strokeColor=None))
    return drawing


def pie_chart(items: Sequence[tuple[str, int]], width: float, height: float = 110) -> Drawing | None:
    """Shares of a whole with a legend of the parts (their counts are in the table beside); None when empty."""
    total = sum(n for _, n in items)
    if total == 0:
        return None
    s = styles()
    drawing = Drawing(width, height)
    shown = [(i, n) for i, (_, n) in enumerate(items) if n > 0]  # zero slices draw as stray lines
    pie = Pie()
    pie.x, pie.y = 4, 4
    pie.width = pie.height = height - 8
    pie.data = [n for _, n in shown]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 0.8
    for k, (i, _) in enumerate(shown):
        pie.slices[k].fillColor = SERIES[i % len(SERIES)]
    drawing.add(pie)
    legend = Legend()
    legend.x, legend.y = height + 10, height - 6
    legend.alignment = "right"
    legend.fontName = s.regular
    legend.fontSize = 7.5
    legend.columnMaximum = len(items)
    legend.deltay = 13
    legend.colorNamePairs = [(SERIES[i % len(SERIES)], name) for i, (name, _) in enumerate(items)]
    drawing.add(legend)
    return drawing


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]], width: float,
                 height: float = 150) -> Drawing:
    """Vertical bars, one group per category (month), one bar per series, counts above the bars."""
    s = styles()
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 34
    chart.width, chart.height = width - 44, height - 44
    chart.data = [list(values) for _, values in series]
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = s.regular
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.strokeColor = RULE
    top, step = _axis_top([v for _, values in series for v in values])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = s.regular
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#E3E8EC")
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = s.regular
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 6
    for i in range(len(series)):
        chart.bars[i].fillColor = SERIES[i % len(SERIES)]
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend([name for name, _ in series], 34, 10, s.regular))
    return drawing


def _legend(names: Sequence[str], x: float, y: float, font: str) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.fontName = font
    legend.fontSize = 7.5
    legend.columnMaximum = 1 if len(names) <= 4 else 2
    legend.deltax = 10
    legend.dxTextSpace = 4
    legend.colorNamePairs = [(SERIES[i % len(SERIES)], name) for i, name in enumerate(names)]
    return legend


def trend_chart(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]], width: float,
                height: float, *, low: float, high: float, step: float, unit: str = "",
                target: float | None = None) -> Drawing:
    """Lines across months; a month without data leaves a gap instead of a fake zero."""
    s = styles()
    legend_rows = 1 if len(series) <= 4 else 2
    x0, y0 = 36, 16 + 13 * legend_rows + 14
    plot_w, plot_h = width - x0 - 12, height - y0 - 8
    drawing = Drawing(width, height)

    def py(v: float) -> float:
        return y0 + (min(max(v, low), high) - low) / (high - low) * plot_h

    def px(i: int) -> float:
        return x0 + plot_w * (i + 0.5) / len(categories)

    tick = low
    while tick <= high + 1e-9:
        drawing.add(Line(x0, py(tick), x0 + plot_w, py(tick), strokeColor=colors.HexColor("#E3E8EC"),
                         strokeWidth=0.4))
        drawing.add(String(x0 - 4, py(tick) - 2.5, f"{tick:g}{unit}", fontName=s.regular, fontSize=7,
                           fillColor=MUTED, textAnchor="end"))
        tick += step
    drawing.add(Line(x0, y0, x0 + plot_w, y0, strokeColor=RULE, strokeWidth=0.6))
    for i, name in enumerate(categories):
        drawing.add(String(px(i), y0 - 11, name, fontName=s.regular, fontSize=7.5, fillColor=INK,
                           textAnchor="middle"))
    if target is not None:
        drawing.add(Line(x0, py(target), x0 + plot_w, py(target), strokeColor=MUTED, strokeWidth=0.8,
                         strokeDashArray=[3, 2]))
        drawing.add(String(x0 + plot_w, py(target) + 2.5, f"target {target:g}{unit}", fontName=s.regular,
                           fontSize=6.5, fillColor=MUTED, textAnchor="end"))
    for k, (_, values) in enumerate(series):
        colour = SERIES[k % len(SERIES)]
        points = [(px(i), py(v)) if v is not None else None for i, v in enumerate(values)]
        run: list[float] = []
        for p in [*points, None]:
            if p is None:
                if len(run) >= 4:
                    drawing.add(PolyLine(run, strokeColor=colour, strokeWidth=1.4))
                run = []
            else:
                run += list(p)
        for p in points:
            if p is not None:
                marker = makeMarker(MARKERS[k % len(MARKERS)], size=5, fillColor=colour, strokeColor=colour)
                marker.x, marker.y = p
                drawing.add(marker)
    drawing.add(_legend([name for name, _ in series], x0, 12 + 13 * (legend_rows - 1), s.regular))
    return drawing
