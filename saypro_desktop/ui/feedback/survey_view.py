"""The Survey tab: resolved inquiries whose users are still to be asked for a rating (seed 004: CSAT collected
after resolution), oldest resolved first. Mark one asked or declined, record the rating the user gave, or open
the inquiry."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...core.feedback import SurveyState
from ...core.permissions import Permission
from ...core.validation import ValidationError
from ...reports.formatting import local_time
from ...services import feedback, feedback_views, inquiries
from ..app_context import AppContext
from ..workspace import hidden_unless
from .common import fill, key_of, select_key, table

SCALE = {1: "very dissatisfied", 2: "dissatisfied", 3: "neutral", 4: "satisfied", 5: "very satisfied"}


class RatingDialog(QDialog):
    """The user's rating (1 to 5, one key each: Alt+1 .. Alt+5) and their comment."""

    def __init__(self, row: feedback_views.SurveyRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rating for {row.display_id}")
        self.setAccessibleName(self.windowTitle())
        about = QLabel(f"{row.display_id}: {row.subject}" + (f"\n{row.user}" if row.user else ""))
        about.setWordWrap(True)
        self.group = QButtonGroup(self)
        scale = QHBoxLayout()
        for n, words in SCALE.items():
            button = QRadioButton(f"&{n} {words}")
            button.setAccessibleName(f"{n} out of 5, {words}")
            self.group.addButton(button, n)
            scale.addWidget(button)
        self.comment = QPlainTextEdit()
        self.comment.setAccessibleName("Comment")
        self.comment.setTabChangesFocus(True)
        self.comment.setPlaceholderText("What the user said (optional)")
        comment_label = QLabel("&Comment")
        comment_label.setBuddy(self.comment)
        self.message = QLabel()
        self.message.setObjectName("formError")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(QLabel("How satisfied is the user with how the inquiry was handled?"))
        layout.addLayout(scale)
        layout.addWidget(comment_label)
        layout.addWidget(self.comment)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def rating(self) -> int | None:
        n = self.group.checkedId()
        return n if n > 0 else None

    def text(self) -> str:
        return self.comment.toPlainText().strip()

    def _ok(self) -> None:
        if self.rating() is None:
            self.message.setText("Choose the rating the user gave, 1 to 5.")
            return
        self.accept()


class SurveyView(QWidget):
    open_inquiry = Signal(str)  # the inquiry's row id

    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tz = app.settings.calendar().tz
        self.rows: list[feedback_views.SurveyRow] = []
        self._asked = 0  # reads asked for; only the newest one's answer is shown
        self.include_asked = QCheckBox("In&clude those asked who have not answered")
        self.include_asked.toggled.connect(lambda _: self.refresh())
        self.count = QLabel()
        self.table = table(["Inquiry ID", "Resolved", "Survey", "Subject", "User", "Mode"], "Survey worklist",
                           stretch=3)
        self.table.itemDoubleClicked.connect(lambda _: self.open_selected())
        self.table.itemSelectionChanged.connect(self._enable)
        self.asked = QPushButton("Mark &asked")
        self.asked.setToolTip("The user was asked for a rating; the inquiry stays here with 'Include those asked'")
        self.declined = QPushButton("Mark &declined")
        self.declined.setToolTip("The user did not want to rate; the inquiry leaves the worklist")
        self.rate = QPushButton("Record ra&ting…")
        self.rate.setToolTip("The rating (1-5) and comment the user gave; the survey is then answered")
        self.open_button = QPushButton("&Open inquiry")
        self.asked.clicked.connect(lambda: self.mark(SurveyState.ASKED))
        self.declined.clicked.connect(lambda: self.mark(SurveyState.DECLINED))
        self.rate.clicked.connect(self.record_rating)
        self.open_button.clicked.connect(self.open_selected)
        self.may_edit = app.can(Permission.EDIT_INQUIRY)
        top = QHBoxLayout()
        top.addWidget(self.include_asked)
        top.addStretch(1)
        top.addWidget(self.count)
        bar = QHBoxLayout()
        if not self.may_edit:
            bar.addWidget(QLabel(f"Your role ({app.user.role.value}) sees the worklist; the inquiry's agents record "
                                 "the answers."))
        bar.addStretch(1)
        hidden_unless(self.may_edit, self.asked, self.declined, self.rate)
        for button in (self.asked, self.declined, self.rate):
            bar.addWidget(button)
        bar.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        self._enable()

    def _enable(self) -> None:
        chosen = key_of(self.table) is not None
        for button in (self.asked, self.declined, self.rate, self.open_button):
            button.setEnabled(chosen)

    def _selected(self) -> feedback_views.SurveyRow | None:
        key = key_of(self.table)
        return next((r for r in self.rows if r.id == key), None)

    def refresh(self, select: str | None = None) -> None:
        include = self.include_asked.isChecked()
        keep = select or key_of(self.table)
        self._asked += 1
        asked = self._asked
        self.app.read(lambda ctx: feedback_views.survey_rows(ctx, include_asked=include),
                      lambda found: self._show(found, include, keep, asked),
                      lambda exc: self.count.setText(f"Could not read the worklist: {exc}"))

    def _show(self, found: feedback_views.SurveyList, include: bool, keep: str | None, asked: int) -> None:
        if asked != self._asked:
            return  # an answer to an earlier question; the newer one is on its way
        self.rows = rows = found.rows
        fill(self.table, [[r.display_id, local_time(r.resolved_at, self.tz), r.state, r.subject, r.user, r.mode]
                          for r in rows], [r.id for r in rows])
        waiting = found.to_ask + (found.asked if include else 0)
        self.count.setText(f"{found.to_ask} to ask" + (f", {found.asked} asked, not answered" if include else "")
                           + (f" (the {len(rows)} longest resolved shown)" if len(rows) < waiting else ""))
        if keep:
            select_key(self.table, keep)
        if self.table.currentRow() < 0 and rows:
            self.table.selectRow(0)
        self._enable()

    def _next_key(self) -> str | None:
        """The row after the selected one, to go on with once it leaves the list."""
        row = self.table.currentRow()
        if 0 <= row < len(self.rows) - 1:
            return self.rows[row + 1].id
        return self.rows[row - 1].id if row > 0 else None

    def mark(self, state: SurveyState) -> None:
        row = self._selected()
        if row is None:
            return
        after = row.id if state is SurveyState.ASKED and self.include_asked.isChecked() else self._next_key()

        def work(ctx: Any) -> list[str]:
            feedback.mark_survey(ctx, feedback_views.inquiry_by_id(ctx, row.id), state)
            return [row.id]

        self.app.write(work, "inquiry", lambda _: self.refresh(select=after), self._failed)

    def record_rating(self) -> None:
        row = self._selected()
        if row is None:
            return
        dialog = RatingDialog(row, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        rating, comment, after = dialog.rating(), dialog.text() or None, self._next_key()

        def work(ctx: Any) -> list[str]:
            inquiries.record_feedback(ctx, feedback_views.inquiry_by_id(ctx, row.id), rating, comment)
            return [row.id]

        self.app.write(work, "inquiry", lambda _: self.refresh(select=after), self._failed)

    def open_selected(self) -> None:
        row = self._selected()
        if row is not None:
            self.open_inquiry.emit(row.id)

    def _failed(self, exc: Exception) -> None:
        text = "; ".join(e.message for e in exc.errors) if isinstance(exc, ValidationError) else str(exc)
        QMessageBox.warning(self, "Not done", text)
        self.refresh()
