"""The dialogs of moderation: reasons and a message for a decision, and a sanction of an advertiser."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.moderation import SanctionKind


class ReasonDialog(QDialog):
    """Pick one or more reasons (from the policy) and, optionally, write the message to the advertiser
    (empty: the policy's template)."""

    def __init__(self, title: str, reasons: dict[str, str], parent: QWidget | None = None, *,
                 preselect: list[str] | None = None, with_message: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.list = QListWidget()
        self.list.setAccessibleName("Reasons")
        for code, label in reasons.items():
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in (preselect or []) else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.itemActivated.connect(self._toggle)
        self.message = QPlainTextEdit()
        self.message.setAccessibleName("Message to the advertiser")
        self.message.setPlaceholderText("Leave empty to send the office's message for this decision")
        self.error = QLabel()
        self.error.setObjectName("formError")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Reasons (Space ticks one):"))
        layout.addWidget(self.list)
        if with_message:
            layout.addWidget(QLabel("Message to the advertiser:"))
            layout.addWidget(self.message)
        else:
            self.message.hide()
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.list.setFocus()
        if self.list.count():
            self.list.setCurrentRow(0)

    def _toggle(self, item: QListWidgetItem) -> None:
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def codes(self) -> list[str]:
        return [self.list.item(n).data(Qt.ItemDataRole.UserRole) for n in range(self.list.count())
                if self.list.item(n).checkState() == Qt.CheckState.Checked]

    def text(self) -> str | None:
        return self.message.toPlainText().strip() or None

    def _accept(self) -> None:
        if not self.codes():
            self.error.setText("Tick at least one reason.")
            return
        self.accept()


class SanctionDialog(ReasonDialog):
    """A warning, a suspension until a date, or a permanent ban, with reasons."""

    def __init__(self, advertiser: str, reasons: dict[str, str], tz: ZoneInfo, today: date,
                 parent: QWidget | None = None) -> None:
        super().__init__(f"Sanction advertiser {advertiser}", reasons, parent)
        self.tz = tz
        self.kind = QComboBox()
        self.kind.setAccessibleName("Sanction")
        for kind in SanctionKind:
            self.kind.addItem(kind.value, kind)
        self.until = QDateEdit(QDate(today.year, today.month, today.day).addDays(7))
        self.until.setAccessibleName("Suspended until (last day)")
        self.until.setCalendarPopup(True)
        self.until.setMinimumDate(QDate(today.year, today.month, today.day).addDays(1))
        form = QFormLayout()
        form.addRow("Sanction:", self.kind)
        form.addRow("Suspended until (last day):", self.until)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.layout().insertLayout(0, form)  # type: ignore[union-attr]
        self._kind_changed()

    def _kind_changed(self) -> None:
        self.until.setEnabled(self.chosen_kind() is SanctionKind.SUSPENSION)

    def chosen_kind(self) -> SanctionKind:
        return SanctionKind(self.kind.currentData())  # a combo box keeps an enum's value as a plain string

    def ends_at(self) -> datetime | None:
        if self.chosen_kind() is not SanctionKind.SUSPENSION:
            return None
        day = self.until.date().toPython()
        return datetime.combine(day + timedelta(days=1), time(0), self.tz)
