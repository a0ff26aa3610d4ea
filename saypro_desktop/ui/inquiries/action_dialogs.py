"""Small dialogs for workflow steps that need more than a click: escalate, resolve, close, reopen."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.text_checks import check_objectivity
from ...core.vocab import Confirmation, EscalationTier
from ..theme import BAD, WARN
from .template_form import ChoiceGroup


class _StepDialog(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.form = QFormLayout()
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _text(self, name: str) -> QPlainTextEdit:
        w = QPlainTextEdit()
        w.setAccessibleName(name)
        w.setTabChangesFocus(True)
        return w

    def problems(self) -> list[str]:
        return []

    def _ok(self) -> None:
        problems = self.problems()
        self.message.setText("; ".join(problems))
        if not problems:
            self.accept()

    def values(self) -> dict[str, Any]:
        return {}


class EscalateDialog(_StepDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Escalate inquiry", parent)
        self.tier = QComboBox()
        self.tier.setAccessibleName("Tier level")
        for t in EscalationTier:
            self.tier.addItem(f"{t.value} – {t.description}", t.value)
        self.reason = self._text("Reason for escalation")
        self.form.addRow("&Tier level", self.tier)
        self.form.addRow("&Reason", self.reason)

    def problems(self) -> list[str]:
        return [] if self.reason.toPlainText().strip() else ["Say why the inquiry is escalated."]

    def values(self) -> dict[str, Any]:
        return {"tier": self.tier.currentData(), "reason": self.reason.toPlainText().strip()}


class ResolveDialog(_StepDialog):
    """The resolution with the objectivity check shown inline while typing (use instruction 3)."""

    def __init__(self, current: str = "", parent: QWidget | None = None) -> None:
        super().__init__("Resolve inquiry", parent)
        self.resolution = self._text("Resolution provided")
        self.resolution.setPlainText(current)
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setAccessibleName("Language check")
        self.keep = QCheckBox("Keep this wording anyway")
        self.keep.setAccessibleName("Keep flagged wording")
        self.confirmation = ChoiceGroup([c.value for c in Confirmation], 3, "User confirmation received")
        self.first_contact = QCheckBox("Resolved at the first contact")
        self.first_contact.setAccessibleName("Resolved at the first contact")
        self.first_contact.setTristate(False)
        self.form.addRow("&Resolution provided", self.resolution)
        self.form.addRow("", self.findings)
        self.form.addRow("", self.keep)
        self.form.addRow("User &confirmation", self.confirmation)
        self.form.addRow("", self.first_contact)
        self.resolution.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        text = self.resolution.toPlainText()
        found = check_objectivity(text)
        marks = []
        for f in found:
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(WARN))
            sel.format = fmt
            cursor = QTextCursor(self.resolution.document())
            cursor.setPosition(f.start)
            cursor.setPosition(f.end, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            marks.append(sel)
        self.resolution.setExtraSelections(marks)
        self.findings.setText("<br>".join(f'<span style="color:{BAD}">⚠</span> {f.message}' for f in found)
                              if found else "Language check: objective.")
        self.keep.setVisible(bool(found))
        self._flagged = bool(found)

    def problems(self) -> list[str]:
        out = []
        if not self.resolution.toPlainText().strip():
            out.append("Describe the solution or answer given to the user.")
        if self._flagged and not self.keep.isChecked():
            out.append("Reword the flagged language, or tick 'Keep this wording anyway'.")
        return out

    def values(self) -> dict[str, Any]:
        return {"resolution": self.resolution.toPlainText().strip(), "allow_subjective": self.keep.isChecked(),
                "user_confirmation": self.confirmation.value(), "first_contact": self.first_contact.isChecked()}


class CloseDialog(_StepDialog):
    def __init__(self, current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Close inquiry", parent)
        self.confirmation = ChoiceGroup([c.value for c in Confirmation], 3, "User confirmation received")
        self.confirmation.set_value(current)
        self.form.addRow("User &confirmation", self.confirmation)

    def problems(self) -> list[str]:
        return [] if self.confirmation.value() else ["Tick whether the user confirmed (Yes, No or N/A)."]

    def values(self) -> dict[str, Any]:
        return {"user_confirmation": self.confirmation.value()}


class NoteDialog(_StepDialog):
    def __init__(self, title: str, label: str, required: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.required = required
        self.note = self._text(label)
        self.form.addRow(label, self.note)

    def problems(self) -> list[str]:
        return ["Please write a note."] if self.required and not self.note.toPlainText().strip() else []

    def values(self) -> dict[str, Any]:
        return {"note": self.note.toPlainText().strip() or None}
