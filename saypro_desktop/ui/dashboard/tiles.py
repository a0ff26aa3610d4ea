"""The dashboard's figure tiles and the grid of KPIs against their targets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...core.kpi import DIGITS, KpiCheck, shown
from ..theme import BAD, GOOD, MUTED, WARN


def section_title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.15)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def _tint(label: QLabel, color: str | None) -> None:
    if color and label.palette().color(QPalette.ColorRole.Window).lightness() < 128:
        color = QColor(color).lighter(150).name()  # the theme's status colours are too dark to read on dark grey
    label.setStyleSheet(f"color: {color};" if color else "")


class Tile(QFrame):
    """One figure: a title, a big value and a short caption; colour only ever repeats what the text says."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setProperty("role", "tile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(title)
        self.title.setProperty("role", "tileTitle")
        self.value = QLabel("…")
        self.value.setProperty("role", "tileValue")
        self.caption = QLabel("")
        self.caption.setProperty("role", "tileTitle")
        self.caption.setWordWrap(True)
        col = QVBoxLayout(self)
        fm = self.fontMetrics()
        col.setContentsMargins(fm.height(), fm.height() // 2, fm.height(), fm.height() // 2)
        col.setSpacing(fm.height() // 6)
        for w in (self.title, self.value, self.caption):
            col.addWidget(w)
        col.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._name = title
        self.setAccessibleName(title)

    def set_title(self, title: str) -> None:
        self._name = title
        self.title.setText(title)

    def set(self, value: str, caption: str = "", color: str | None = None) -> None:
        self.value.setText(value)
        self.caption.setText(caption)
        _tint(self.value, color)
        self.setAccessibleName(f"{self._name}: {value}" + (f", {caption}" if caption else ""))


CLOSE_MARGIN = {"%": 5.0, "/5": 0.25}  # "nearly there": 5 percentage points, or 5 % of the CSAT scale


def verdict(check: KpiCheck) -> tuple[str, str]:
    """The verdict text and its colour: met (green), missed but close (amber), missed (red), no data (grey)."""
    if check.met is None:
        return "No data", MUTED
    if check.met:
        return "Met", GOOD
    assert check.value is not None
    if abs(check.target - check.value) <= CLOSE_MARGIN.get(check.unit, 0):
        return "Missed (close)", WARN
    return "Missed", BAD


def fmt(value: float | None, unit: str, target: float | None = None, higher_is_better: bool = True) -> str:
    """Rounded once; a value that misses its target is never shown as the target (as in the reports)."""
    if value is None:
        return "–"
    text = shown(value, DIGITS.get(unit, 1), target, higher_is_better)
    return f"{text}%" if unit == "%" else f"{text} / 5"


def fmt_target(check: KpiCheck) -> str:
    sign = "≥" if check.higher_is_better else "≤"
    return f"{sign} {check.target:g}%" if check.unit == "%" else f"{sign} {check.target:g} / 5"


class KpiGrid(QWidget):
    """Measure, this period's value, target, verdict: one row per KPI."""

    HEADERS = ("Measure", "This month", "Target", "Result")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("KPIs against targets")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        fm = self.fontMetrics()
        self.grid.setHorizontalSpacing(fm.height())
        self.grid.setVerticalSpacing(fm.height() // 2)
        for c, text in enumerate(self.HEADERS):
            head = QLabel(text)
            head.setProperty("role", "tileTitle")
            if c:
                head.setAlignment(Qt.AlignmentFlag.AlignRight if c < 3 else Qt.AlignmentFlag.AlignLeft)
            self.grid.addWidget(head, 0, c)
        self.grid.setColumnStretch(0, 1)
        self.rows: dict[str, tuple[QLabel, QLabel, QLabel, QLabel]] = {}

    def set_checks(self, checks: list[KpiCheck]) -> None:
        for check in checks:
            if check.key not in self.rows:
                labels = (QLabel(), QLabel(), QLabel(), QLabel())
                r = len(self.rows) + 1
                for c, label in enumerate(labels):
                    if c in (1, 2):
                        label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.grid.addWidget(label, r, c)
                self.rows[check.key] = labels
            name, value, target, result = self.rows[check.key]
            text, color = verdict(check)
            name.setText(check.label)
            value.setText(fmt(check.value, check.unit, check.target, check.higher_is_better))
            target.setText(fmt_target(check))
            result.setText(text)
            _tint(result, color)
            result.setAccessibleName(f"{check.label}: {value.text()} against a target of "
                                     f"{fmt_target(check)}, {text.lower()}")

    def result_text(self, key: str) -> str:
        return self.rows[key][3].text()
