"""The dialogs of moderation: reasons and a message for a decision, a sanction of an advertiser, and what
reached the office another way (a user's report of an ad, an appeal or complaint against a decision)."""

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
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.moderation import AppealKind, SanctionKind


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


# What users report most (the site's report form offers the same); free text is allowed too.
REPORT_REASONS = ("scam", "offensive", "prohibited item", "already sold", "wrong category", "duplicate", "other")


class _TextDialog(QDialog):
    """A form with a required text; subclasses add their fields above it."""

    def __init__(self, title: str, text_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.body = QPlainTextEdit()
        self.body.setAccessibleName(text_label.rstrip(":"))
        self.error = QLabel()
        self.error.setObjectName("formError")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(QLabel(text_label))
        layout.addWidget(self.body)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.body.toPlainText().strip()

    def _problem(self) -> str | None:
        return None

    def _accept(self) -> None:
        problem = self._problem()
        if problem:
            self.error.setText(problem)
            return
        self.accept()


class UserReportDialog(_TextDialog):
    """A user's report of an ad that came by phone or email: it joins the queue like the site's reports."""

    def __init__(self, ad: str, parent: QWidget | None = None) -> None:
        super().__init__(f"User report of ad {ad}", "What the user said (optional):", parent)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setAccessibleName("Reason reported")
        self.reason.addItems(REPORT_REASONS)
        self.form.addRow("Reason reported:", self.reason)
        self.reason.setFocus()

    def chosen_reason(self) -> str:
        return self.reason.currentText().strip()

    def _problem(self) -> str | None:
        return None if self.chosen_reason() else "Say what the user reported (e.g. scam, offensive, already sold)."


class AppealDialog(_TextDialog):
    """An advertiser's appeal, or a user's complaint, against the decision on an ad."""

    def __init__(self, parent: QWidget | None = None, ad: str = "") -> None:
        super().__init__("Record an appeal or complaint", "What the advertiser or user says:", parent)
        self.ad = QLineEdit(ad)
        self.ad.setAccessibleName("Ad")
        self.ad.setPlaceholderText("the site's ad id, e.g. A-10442 (or 'A-10442 v2')")
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        for kind in AppealKind:
            self.kind.addItem(kind.value, kind)
        self.form.addRow("Ad:", self.ad)
        self.form.addRow("Kind:", self.kind)
        (self.body if ad else self.ad).setFocus()

    def ad_ref(self) -> str:
        return self.ad.text().strip()

    def chosen_kind(self) -> AppealKind:
        return AppealKind(self.kind.currentData())

    def _problem(self) -> str | None:
        if not self.ad_ref():
            return "Give the ad the appeal is about (the site's ad id, e.g. A-10442)."
        return None if self.text() else "Write what the appeal or complaint says."
