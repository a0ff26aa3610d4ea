"""Small dialogs for workflow steps that need more than a click: acknowledge, escalate, resolve, close, reopen,
record the user's rating. Resolving or closing an unassigned inquiry also asks who handled it; the acknowledgement
and the resolution take the office's canned replies."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QGuiApplication, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...core.inquiry_ids import InquiryId
from ...core.knowledge import ReplyUse
from ...core.text_checks import check_objectivity
from ...core.vocab import CancelReason, Confirmation, EscalationTier
from ..app_context import AppContext
from ..theme import BAD, WARN
from .replies import ReplyButton
from .template_form import ChoiceGroup

RATINGS = {5: "5 – Very satisfied", 4: "4 – Satisfied", 3: "3 – Neutral", 2: "2 – Dissatisfied",
           1: "1 – Very dissatisfied"}


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

    def _ask_handled_by(self, staff: list[tuple[str, str]] | None, me: str | None) -> None:
        """A "Handled by" staff picker, shown only for an inquiry nobody is assigned to (the service asks for
        it); it starts on the signed-in user."""
        self.handled_by: QComboBox | None = None
        if staff is None:
            return
        self.handled_by = QComboBox()
        self.handled_by.setAccessibleName("Handled by")
        self.handled_by.setToolTip("Nobody is assigned to this inquiry: who handled it? They become its assignee.")
        for sid, name in staff:
            self.handled_by.addItem(name, sid)
        self.handled_by.setCurrentIndex(max(0, self.handled_by.findData(me)))
        label = QLabel("&Handled by")
        label.setBuddy(self.handled_by)
        self.form.insertRow(0, label, self.handled_by)
        note = QLabel("Not assigned to anyone yet.")
        note.setProperty("role", "hint")
        self.form.insertRow(1, "", note)

    def _handled_by_value(self) -> dict[str, Any]:
        return {"handled_by_id": self.handled_by.currentData()} if self.handled_by is not None else {}


def _reply_button(app: AppContext | None, inquiry_id: str | None, target: QPlainTextEdit, uses: tuple[ReplyUse, ...],
                  message: QLabel) -> ReplyButton | None:
    if app is None or inquiry_id is None:
        return None
    button = ReplyButton(app, target, uses, "Insert re&ply…")
    button.set_inquiry(inquiry_id)
    button.failed.connect(message.setText)
    return button


def _right(*widgets: QWidget) -> QWidget:
    row = QWidget()
    line = QHBoxLayout(row)
    line.setContentsMargins(0, 0, 0, 0)
    line.addStretch(1)
    for w in widgets:
        line.addWidget(w)
    return row


class AcknowledgeDialog(_StepDialog):
    """The first response to the user: the office's acknowledgement reply (with the reference number) filled in
    from the inquiry, to copy into the email or chat, or another acknowledgement reply. OK records the
    acknowledgement with the text that was sent in the timeline."""

    def __init__(self, app: AppContext, inquiry_id: str, ref: str, parent: QWidget | None = None) -> None:
        super().__init__(f"Acknowledge {ref}", parent)
        self.ref = ref
        self.reply = self._text("Acknowledgement to the user")
        self.reply.setPlaceholderText("The acknowledgement reply is filled in from the inquiry…")
        self.reply.setMinimumHeight(self.fontMetrics().height() * 9)
        self.replies = _reply_button(app, inquiry_id, self.reply, (ReplyUse.ACKNOWLEDGEMENT,), self.message)
        self.copy = QPushButton("C&opy to clipboard")
        self.copy.setToolTip("Copy the reply, to paste it into the email or chat to the user")
        self.copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.reply.toPlainText()))
        self.form.addRow("&Reply to the user", self.reply)
        self.form.addRow("", _right(self.copy, self.replies))
        hint = QLabel("The reply gives the user the reference number. Acknowledge records the acknowledgement (it "
                      "stops the acknowledgement clock) with this text in the timeline.")
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        self.form.addRow(hint)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Acknowledge")
        self.replies.insert("ack")  # the office's acknowledgement (built in, or the office's own of that name)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 48, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        text = self.reply.toPlainText().strip()
        return {"note": f"Receipt acknowledged to the user with the reference number:\n{text}" if text else None}


class RatingDialog(_StepDialog):
    """The user's rating of a resolved inquiry (1-5) and what they said; it marks the survey answered."""

    def __init__(self, ref: str, rating: int | None = None, comment: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(f"Rating of {ref}", parent)
        self.rating = ChoiceGroup(list(RATINGS.values()), 1, "Rating")
        if rating in RATINGS:
            self.rating.set_value(RATINGS[rating])
        self.comment = self._text("Comment")
        self.comment.setPlainText(comment or "")
        self.comment.setPlaceholderText("What the user said, in their words (optional)")
        self.comment.setMaximumHeight(self.fontMetrics().height() * 5)
        self.form.addRow("&Rating", self.rating)
        self.form.addRow("&Comment", self.comment)

    def problems(self) -> list[str]:
        return [] if self.rating.value() else ["Choose the rating the user gave, from 1 to 5."]

    def values(self) -> dict[str, Any]:
        chosen = self.rating.value()
        rating = next((n for n, label in RATINGS.items() if label == chosen), None)
        return {"rating": rating, "comment": self.comment.toPlainText().strip() or None}


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

    def __init__(self, current: str = "", parent: QWidget | None = None, *,
                 staff: list[tuple[str, str]] | None = None, me: str | None = None,
                 app: AppContext | None = None, inquiry_id: str | None = None) -> None:
        super().__init__("Resolve inquiry", parent)
        self.resolution = self._text("Resolution provided")
        self.resolution.setPlainText(current)
        # A canned reply is typed in at the cursor: the check below runs on it as on typed words, and OK
        # checks the final text.
        self.replies = _reply_button(app, inquiry_id, self.resolution, (ReplyUse.RESOLUTION,), self.message)
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
        if self.replies is not None:
            self.form.addRow("", _right(self.replies))
        self.form.addRow("", self.findings)
        self.form.addRow("", self.keep)
        self.form.addRow("User &confirmation", self.confirmation)
        self.form.addRow("", self.first_contact)
        self.resolution.textChanged.connect(self._check)
        self._check()
        self._ask_handled_by(staff, me)

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
                "user_confirmation": self.confirmation.value(), "first_contact": self.first_contact.isChecked(),
                **self._handled_by_value()}


class CloseDialog(_StepDialog):
    def __init__(self, current: str | None = None, parent: QWidget | None = None, *,
                 staff: list[tuple[str, str]] | None = None, me: str | None = None) -> None:
        super().__init__("Close inquiry", parent)
        self.confirmation = ChoiceGroup([c.value for c in Confirmation], 3, "User confirmation received")
        self.confirmation.set_value(current)
        self.form.addRow("User &confirmation", self.confirmation)
        self._ask_handled_by(staff, me)

    def problems(self) -> list[str]:
        return [] if self.confirmation.value() else ["Tick whether the user confirmed (Yes, No or N/A)."]

    def values(self) -> dict[str, Any]:
        return {"user_confirmation": self.confirmation.value(), **self._handled_by_value()}


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


class CancelDialog(_StepDialog):
    """Set an inquiry aside: why (spam, duplicate, test, other), the inquiry kept for a duplicate, a note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Cancel inquiry", parent)
        self.reason = QComboBox()
        self.reason.setAccessibleName("Cancel reason")
        for r in CancelReason:
            self.reason.addItem(r.value, r.value)
        self.duplicate_of = QLineEdit()
        self.duplicate_of.setAccessibleName("Duplicate of")
        self.duplicate_of.setPlaceholderText("SCMR-YYMM-####, the inquiry that is kept")
        self.note = self._text("Note")
        self.form.addRow("Reason", self.reason)
        self.form.addRow("Duplicate of", self.duplicate_of)
        self.form.addRow("Note", self.note)
        self.form.addRow(QLabel("A cancelled inquiry is left out of the KPIs and counted apart in the reports."))
        self.reason.currentIndexChanged.connect(self._reason_changed)
        self._reason_changed()

    def _reason_changed(self) -> None:
        self.duplicate_of.setEnabled(self.reason.currentData() == "Duplicate")

    def problems(self) -> list[str]:
        if self.reason.currentData() != "Duplicate":
            return []
        text = self.duplicate_of.text().strip()
        if not text:
            return ["Give the Inquiry ID of the inquiry that is kept (SCMR-YYMM-####)."]
        try:
            InquiryId.parse(text)
        except ValueError as exc:
            return [f"Duplicate of: {exc}"]
        return []

    def values(self) -> dict[str, Any]:
        duplicate = self.duplicate_of.text().strip().upper() if self.reason.currentData() == "Duplicate" else None
        return {"reason": self.reason.currentData(), "duplicate_of": duplicate or None,
                "note": self.note.toPlainText().strip() or None}
