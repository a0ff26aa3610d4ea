"""The Record tab: feedback that is not one inquiry's rating (a survey answer, an email, a post, an interview
note). As the text is typed the theme, sentiment and priority are suggested with the words that decided them,
pre-selected where the user has not chosen; below, the recent feedback, whose classification can be changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.feedback import FeedbackPriority, FeedbackSource, FeedbackTheme, Sentiment, suggest
from ...core.validation import ValidationError
from ...reports.formatting import local_time
from ...services import feedback_views
from ..app_context import AppContext
from .common import fill, key_of, select_key, table

DEBOUNCE_MS = 300
NO_RATING = "No rating"
HINT = "Type what the user said: a theme, a sentiment and a priority are suggested from its words."


def _combo(values: list[str], name: str) -> QComboBox:
    box = QComboBox()
    box.addItems(values)
    box.setAccessibleName(name)
    return box


def _label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class ClassifyDialog(QDialog):
    """Change the theme, sentiment and priority of a recorded item."""

    def __init__(self, row: feedback_views.FeedbackRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change the classification")
        self.setAccessibleName(self.windowTitle())
        quote = QLabel(f"“{row.text}”")
        quote.setWordWrap(True)
        quote.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 40)
        self.theme = _combo([t.value for t in FeedbackTheme], "Theme")
        self.sentiment = _combo([s.value for s in Sentiment], "Sentiment")
        self.priority = _combo([p.value for p in FeedbackPriority], "Priority")
        for box, value in ((self.theme, row.theme), (self.sentiment, row.sentiment), (self.priority, row.priority)):
            box.setCurrentText(value)
        form = QFormLayout()
        form.addRow(_label("&Theme", self.theme), self.theme)
        form.addRow(_label("&Sentiment", self.sentiment), self.sentiment)
        form.addRow(_label("&Priority", self.priority), self.priority)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(quote)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        return {"theme": self.theme.currentText(), "sentiment": self.sentiment.currentText(),
                "priority": self.priority.currentText()}


class RecordView(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.tz = app.settings.calendar().tz
        self.rows: list[feedback_views.FeedbackRow] = []
        self._asked = 0  # reads asked for; only the newest one's answer is shown
        self._chosen: set[str] = set()  # the combos the user set by hand: a new suggestion leaves them alone
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.update_suggestion)
        self.suggestion = suggest("")

        # what was said ---------------------------------------------------------------------------------------
        self.source = _combo([s.value for s in FeedbackSource], "Source")
        self.received = QDateTimeEdit()
        self.received.setAccessibleName(f"Date received, office time ({getattr(self.tz, 'key', '')})")
        self.received.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.received.setCalendarPopup(True)
        self.received.setToolTip(f"In the office's time zone, {getattr(self.tz, 'key', self.tz)}")
        self._setting_received = False
        self._received_by_hand = False  # a time typed in is kept for the next item; else it follows the clock
        self._set_received_now()
        self.received.dateTimeChanged.connect(self._received_typed)
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Feedback text")
        self.text.setPlaceholderText("What the user said, in their words")
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.fontMetrics().height() * 5 + 12)
        self.text.textChanged.connect(self._timer.start)
        self.rating = _combo([NO_RATING, "1", "2", "3", "4", "5"], "Rating (1 to 5)")
        self.rating.setToolTip("When the source asked for one: 1 very dissatisfied, 5 very satisfied")
        self.rating.currentIndexChanged.connect(lambda _: self._timer.start())
        self.inquiry = QLineEdit()
        self.inquiry.setAccessibleName("Inquiry ID")
        self.inquiry.setPlaceholderText("SCMR-2611-0147 (optional)")
        self.ad = QLineEdit()
        self.ad.setAccessibleName("Ad")
        self.ad.setPlaceholderText("the site's ad id, e.g. A-10442 (optional)")
        form = QFormLayout()
        source_row = QHBoxLayout()
        source_row.addWidget(self.source)
        source_row.addStretch(1)
        form.addRow(_label("S&ource", self.source), source_row)
        zone = QLabel(f"office time, {getattr(self.tz, 'key', self.tz)}")
        zone.setProperty("role", "tileTitle")
        when = QHBoxLayout()
        when.addWidget(self.received)
        when.addWidget(zone)
        when.addStretch(1)
        form.addRow(_label("Dat&e received", self.received), when)
        form.addRow(_label("&Text", self.text), self.text)
        about = QHBoxLayout()
        about.addWidget(self.rating)
        about.addSpacing(12)
        about.addWidget(_label("In&quiry ID", self.inquiry))
        about.addWidget(self.inquiry, 1)
        about.addWidget(_label("A&d", self.ad))
        about.addWidget(self.ad, 1)
        form.addRow(_label("R&ating", self.rating), about)

        # what it is about: suggested, confirmed --------------------------------------------------------------
        self.theme = _combo([t.value for t in FeedbackTheme], "Theme")
        self.sentiment = _combo([s.value for s in Sentiment], "Sentiment")
        self.priority = _combo([p.value for p in FeedbackPriority], "Priority")
        for name, box in self._classification().items():
            box.activated.connect(lambda _=0, name=name: self._choose(name))
        self.why = QLabel(HINT)
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why this was suggested")
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.errors = QLabel()
        self.errors.setObjectName("formError")
        self.errors.setWordWrap(True)
        self.errors.setAccessibleName("What to fix")
        self.errors.hide()
        self.save_button = QPushButton("Save feed&back")
        self.save_button.setToolTip("Save this feedback (Ctrl+Enter)")
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.clicked.connect(self.clear)
        save_key = QShortcut(QKeySequence("Ctrl+Return"), self)
        save_key.setWhatsThis("Save feedback")
        save_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save_key.activated.connect(self.save)
        side = QGroupBox("Suggested from the text (change it if it is wrong)")
        grid = QGridLayout(side)
        grid.addWidget(self.why, 0, 0, 1, 2)
        for n, (text, box) in enumerate((("The&me", self.theme), ("Se&ntiment", self.sentiment),
                                         ("&Priority", self.priority)), start=1):
            grid.addWidget(_label(text, box), n, 0)
            grid.addWidget(box, n, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(4, 1)
        grid.addWidget(self.errors, 5, 0, 1, 2)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        grid.addLayout(buttons, 6, 0, 1, 2)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)  # the error lines beside it make the row taller, not the form's rows apart
        top = QHBoxLayout()
        top.addLayout(left, 3)
        top.addWidget(side, 2)

        # recent feedback -------------------------------------------------------------------------------------
        self.table = table(["Received", "Source", "Theme", "Sentiment", "Priority", "Rating", "About", "Text"],
                           "Recent feedback")
        self.table.itemDoubleClicked.connect(lambda _: self.change_classification())
        self.count = QLabel()
        self.change_button = QPushButton("&Change classification…")
        self.change_button.setToolTip("Change the theme, sentiment or priority of the selected item")
        self.change_button.clicked.connect(self.change_classification)
        recent_bar = QHBoxLayout()
        recent_bar.addWidget(_label("Recent feedbac&k", self.table))
        recent_bar.addWidget(self.count)
        recent_bar.addStretch(1)
        recent_bar.addWidget(self.change_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(recent_bar)
        layout.addWidget(self.table, 1)
        self._fields: dict[str, QWidget] = {"text": self.text, "source": self.source, "received_at": self.received,
                                            "rating": self.rating, "inquiry": self.inquiry, "ad": self.ad,
                                            "theme": self.theme, "sentiment": self.sentiment,
                                            "priority": self.priority}
        self._tips = {name: w.toolTip() for name, w in self._fields.items()}
        self.update_suggestion()

    # the suggestion ----------------------------------------------------------------------------------------------
    def _classification(self) -> dict[str, QComboBox]:
        return {"theme": self.theme, "sentiment": self.sentiment, "priority": self.priority}

    def _rating_value(self) -> int | None:
        text = self.rating.currentText()
        return None if text == NO_RATING else int(text)

    def _choose(self, name: str) -> None:
        self._chosen.add(name)
        self._show_why()

    def update_suggestion(self) -> None:
        """Suggest from the text and rating as they are now (runs once typing pauses; pure, no database)."""
        self._timer.stop()
        self.suggestion = s = suggest(self.text.toPlainText(), self._rating_value())
        for name, box in self._classification().items():
            if name not in self._chosen:
                box.setCurrentText(getattr(s, name).value)
        self._show_why()

    def _show_why(self) -> None:
        s = self.suggestion
        if not self.text.toPlainText().strip():
            self.why.setText(HINT)
            return
        kept = [f"{name} {box.currentText()} is your choice (suggested: {getattr(s, name).value})"
                for name, box in self._classification().items()
                if name in self._chosen and box.currentText() != getattr(s, name).value]
        self.why.setText(f"Suggested: {s.theme.value}, {s.sentiment.value.lower()}, {s.priority.value.lower()} "
                         f"priority. Why: {s.why}." + ("\n" + "; ".join(kept) + "." if kept else ""))

    # saving ------------------------------------------------------------------------------------------------------
    def _set_received_now(self) -> None:
        now = self.app.clock().astimezone(self.tz).replace(second=0, microsecond=0, tzinfo=None)
        self._setting_received = True
        self.received.setDateTime(QDateTime(now))
        self._setting_received = False
        self._received_by_hand = False

    def _received_typed(self) -> None:
        if not self._setting_received:
            self._received_by_hand = True

    def refresh_received(self) -> None:
        """"Now" again when the form is shown empty (unless a time was typed in)."""
        if not self._received_by_hand and not self.text.toPlainText().strip():
            self._set_received_now()

    def received_at(self) -> datetime:
        return self.received.dateTime().toPython().replace(tzinfo=self.tz)

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.update_suggestion()  # what the user sees is what is saved, even if they saved mid-pause
        values: dict[str, Any] = dict(
            text=self.text.toPlainText(), source=self.source.currentText(), received_at=self.received_at(),
            rating=self._rating_value(), theme=self.theme.currentText(), sentiment=self.sentiment.currentText(),
            priority=self.priority.currentText(), inquiry_ref=self.inquiry.text(), ad_ref=self.ad.text())
        self.save_button.setEnabled(False)
        self.app.write(lambda ctx: feedback_views.record_feedback(ctx, **values), "feedback", self._saved,
                       self._failed)

    def _saved(self, item_id: str) -> None:
        self.save_button.setEnabled(True)
        self._show_errors([])
        self.text.clear()
        self.rating.setCurrentIndex(0)
        self.inquiry.clear()
        self.ad.clear()
        self._chosen.clear()
        self.update_suggestion()
        if not self._received_by_hand:
            self._set_received_now()
        self.text.setFocus()
        self.refresh(select=item_id)

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self._show_errors([(e.field, e.message) for e in exc.errors])
        else:
            self._show_errors([("", str(exc))])

    def _show_errors(self, errors: list[tuple[str, str]]) -> None:
        """Each error beside the form, named by its field's label; the first bad field gets the focus. What was
        typed stays."""
        names = {"text": "Text", "source": "Source", "received_at": "Date received", "rating": "Rating",
                 "inquiry": "Inquiry ID", "ad": "Ad"}
        for name, w in self._fields.items():
            w.setToolTip(self._tips[name])
        if not errors:
            self.errors.hide()
            self.errors.clear()
            return
        lines = []
        for field, message in errors:
            lines.append(f"• {names.get(field, field.replace('_', ' ').capitalize())}: {message}" if field
                         else f"• {message}")
            if field in self._fields:
                self._fields[field].setToolTip(message)
        self.errors.setText("Not saved:\n" + "\n".join(lines))
        self.errors.show()
        first = next((self._fields[f] for f, _ in errors if f in self._fields), None)
        if first is not None:
            first.setFocus()

    def clear(self) -> None:
        self.text.clear()
        self.rating.setCurrentIndex(0)
        self.inquiry.clear()
        self.ad.clear()
        self._chosen.clear()
        self._set_received_now()
        self._show_errors([])
        self.update_suggestion()
        self.text.setFocus()

    # the recent list ---------------------------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        keep = select or key_of(self.table)
        self._asked += 1
        asked = self._asked
        self.app.read(feedback_views.recent_feedback, lambda rows: self._show(rows, keep, asked),
                      lambda exc: self.count.setText(f"Could not read the feedback: {exc}"))

    def _show(self, rows: list[feedback_views.FeedbackRow], keep: str | None, asked: int) -> None:
        if asked != self._asked:
            return  # a newer read is on its way
        self.rows = rows
        fill(self.table, [[local_time(r.received_at, self.tz), r.source, r.theme, r.sentiment, r.priority,
                           "" if r.rating is None else f"{r.rating}/5", r.about, r.text.replace("\n", " ")]
                          for r in rows], [r.id for r in rows])
        self.count.setText(f"the newest {len(rows)}" if len(rows) >= feedback_views.RECENT else f"{len(rows)} item(s)")
        if keep:
            select_key(self.table, keep)

    def change_classification(self) -> None:
        item_id = key_of(self.table)
        row = next((r for r in self.rows if r.id == item_id), None)
        if row is None:
            QMessageBox.information(self, "Change the classification", "Select a feedback item in the list first.")
            return
        dialog = ClassifyDialog(row, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        values = dialog.values()
        self.app.write(lambda ctx: feedback_views.classify(ctx, item_id, **values), "feedback",
                       lambda _: self.refresh(select=item_id),
                       lambda exc: QMessageBox.warning(self, "Not changed", str(exc)))
