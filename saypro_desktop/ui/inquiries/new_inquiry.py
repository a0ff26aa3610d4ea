"""Logging a new inquiry: the template's sections, sensible defaults (received by me, now in office time, the
last mode used), the priority it will get and when it is due, validation as one types, knowledge-base articles
suggested from the subject and description (those chosen are linked when the inquiry is saved, in the same
transaction), and a draft kept on disk until it is saved. Esc on a form with anything typed asks: keep it as a
draft, discard it, or go back."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from PySide6.QtCore import QDate, QDateTime, QSettings, QTime, QTimer, QTimeZone, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ...core import sla
from ...core.business_calendar import BusinessCalendar
from ...core.office_settings import OfficeSettings
from ...core.validation import InquiryDraft, ValidationError
from ...core.vocab import Category, Priority
from ...core.workflow import suggest_priority
from ...services.context import NotFound
from ...services.inquiries import create_inquiry
from ...services.knowledge import get_article, link_article
from ..app_context import AppContext
from .articles import SuggestedArticles
from .drafts import DraftFile
from .template_form import TemplateForm


def office_wall_time(moment: datetime, tz: tzinfo) -> QDateTime:
    """``moment`` as the office's wall clock shows it, held as a plain date and time (in a UTC QDateTime, so the
    PC's own time zone and its daylight saving never move it)."""
    local = moment.astimezone(tz)
    return QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute), QTimeZone.utc())


def from_office_wall_time(value: QDateTime, tz: tzinfo) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=tz).astimezone(UTC)


def priority_hint(settings: OfficeSettings, calendar: BusinessCalendar, draft: InquiryDraft,
                  logged_at: datetime) -> str:
    """What the suggested priority will be, and when the inquiry is then due, e.g. "Suggested: High (resolve
    within 24 hours, by 15/01/2025 10:00)"; before a category is chosen, what the suggestion waits for."""
    try:
        category = Category.parse(draft.category) if draft.category else None
    except ValueError:
        category = None
    if category is None:
        return "Suggested from the category (choose one)"
    priority = suggest_priority(category, draft.subject or "", draft.description or "")
    policy = settings.sla
    hours = policy.resolution_hours_high if Priority(priority).is_high else policy.resolution_hours_standard
    due = sla.resolution_due(calendar, policy, logged_at, priority).astimezone(calendar.tz)
    unit = "business hours" if policy.resolution_in_business_hours else "hours"
    return f"Suggested: {priority.value} (resolve within {hours:g} {unit}, by {due:%d/%m/%Y %H:%M})"


class NewInquiryDialog(QDialog):
    created = Signal(str, str)  # row id, Inquiry ID

    def __init__(self, app: AppContext, ui_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.ui_state = app, ui_state
        self.setWindowTitle("New inquiry")
        self.setAccessibleName("New inquiry")
        self.drafts = DraftFile(app.store.paths.root / "drafts" / "new-inquiry.json")
        self.form = TemplateForm()
        self._calendar = app.settings.calendar()
        tz = self._tz = self._calendar.tz
        # Office time, as everywhere else in the app (not the PC's clock): the now it opened at is kept to the
        # second unless the time is changed.
        self._opened_at = app.clock()
        self.logged = QDateTimeEdit()
        self.logged.setTimeZone(QTimeZone.utc())
        self.logged.setDateTime(office_wall_time(self._opened_at, tz))
        self._opened_wall = self.logged.dateTime()
        self.logged.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.logged.setCalendarPopup(True)
        self.logged.setAccessibleName("Date and time logged")
        self.logged.setToolTip(f"Office time ({tz.key})")
        ident = QWidget()
        row = QHBoxLayout(ident)
        row.setContentsMargins(0, 0, 0, 0)
        zone = self._opened_at.astimezone(tz).tzname()
        row.addWidget(QLabel(f"Received by: <b>{app.user.display_name}</b>   Logged ({zone}, office time):"))
        row.addWidget(self.logged)
        row.addStretch(1)
        self.form.identification.setText("Inquiry ID: issued when saved (SCMR-YYMM-####)")
        self.form.priority.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # the hint grows
        self.form.identification_rows.insertRow(1, ident)
        # Articles that answer what is typed, right under the description they are found from.
        self.articles = SuggestedArticles(app)
        rows = self.form.details_rows
        below, _ = rows.getWidgetPosition(self.form.description.parentWidget())
        label = QLabel("A&rticles")
        label.setBuddy(self.articles.list)
        rows.insertRow(below + 1, label, self.articles)
        self.form.subject.textChanged.connect(self._ask_articles)
        self.form.description.textChanged.connect(self._ask_articles)
        self.articles.changed.connect(self._on_change)
        last_mode = ui_state.value("new_inquiry/mode")
        if last_mode:
            self.form.mode.set_value(str(last_mode))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.message = QLabel()
        self.message.setObjectName("formError")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Form message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("&Save inquiry")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setToolTip("Save the inquiry (Ctrl+S)")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._autosave = QTimer(self, singleShot=True, interval=500)
        self._autosave.timeout.connect(self._save_draft)
        self._touched = False
        self.form.changed.connect(self._on_change)
        self.form.changed.connect(self._show_priority_hint)
        self.logged.dateTimeChanged.connect(self._show_priority_hint)
        self._offer_draft()
        self._show_priority_hint()
        width = max(self.form.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 40,
                    self.fontMetrics().horizontalAdvance("M") * 50)
        self.resize(width, self.fontMetrics().height() * 45)
        self.form.user_full_name.setFocus() if self.form.mode.value() else self.form.mode.setFocus()

    def _save_draft(self) -> None:
        self.drafts.save(self.form.draft(), articles=self.articles.chosen_list())

    def _ask_articles(self) -> None:
        self.articles.text_changed(self.form.subject.text(), self.form.description.toPlainText())

    def _offer_draft(self) -> None:
        saved = self.drafts.load()
        if not saved:
            return
        answer = QMessageBox.question(self, "Unsaved inquiry found",
                                      "An inquiry was kept as a draft, or was being typed when SayPro Desk last "
                                      "closed. Restore it?")
        if answer == QMessageBox.StandardButton.Yes:
            self.form.load(saved)
            self.articles.set_chosen(saved.get("articles"))
        else:
            self.drafts.discard()

    def _on_change(self) -> None:
        self._touched = True
        self._autosave.start()
        if self.message.text():  # after a failed save, errors update as the user corrects them
            self._validate()

    def logged_at(self) -> datetime:
        if self.logged.dateTime() == self._opened_wall:
            return self._opened_at
        return from_office_wall_time(self.logged.dateTime(), self._tz)

    def _show_priority_hint(self) -> None:
        self.form.priority.setItemText(0, priority_hint(self.app.settings, self._calendar, self.form.draft(),
                                                          self.logged_at()))

    def _validate(self) -> bool:
        errors = self.form.errors()
        self.form.show_errors(errors)
        self.message.setText(f"{len(errors)} field(s) need attention." if errors else "")
        return not errors

    def submit(self) -> None:
        if not self._validate():
            return
        draft = self.form.draft()
        draft.logged_at = self.logged_at()
        articles = list(self.articles.chosen)
        self.save_button.setEnabled(False)

        def work(ctx):
            inquiry = create_inquiry(ctx, draft)
            for article_id in articles:  # in the same transaction: saved with its articles or not at all
                try:
                    article = get_article(ctx, article_id)
                except NotFound:  # removed from the knowledge base (another desktop) while the form was open
                    continue
                link_article(ctx, inquiry, article)
            return [inquiry.id], (inquiry.id, inquiry.display_id)

        self.app.write(work, "inquiry", self._saved, self._failed)

    def _saved(self, result: tuple[str, str]) -> None:
        self.drafts.discard()
        self.ui_state.setValue("new_inquiry/mode", self.form.mode.value())
        self.created.emit(*result)
        self._touched = False
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.form.show_errors(exc.errors)
            self.message.setText("; ".join(str(e) for e in exc.errors if e.field not in self.form.errors_label)
                                 or f"{len(exc.errors)} field(s) need attention.")
        else:
            self.message.setText(f"Not saved: {exc}")

    def has_content(self) -> bool:
        """Anything typed or chosen (the mode remembered from last time does not count)."""
        d = self.form.draft()
        return any((d.subject.strip(), d.user_full_name.strip(), d.user_email, d.user_phone, d.user_account_id,
                    d.user_location, d.category_other, d.description.strip(), d.category, d.user_type, d.priority,
                    d.classified_category))

    def reject(self) -> None:
        """Esc or Cancel: a form with anything in it asks first (keep it as a draft, discard it, or go back)."""
        if not self.has_content():
            self.drafts.discard()
            super().reject()
            return
        box = self.unsaved_question = QMessageBox(
            QMessageBox.Icon.Question, "Keep this inquiry?",
            "This inquiry has not been saved.\n\nKeep it as a draft (it is offered again at the next new "
            "inquiry), discard it, or go back to the form?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self)
        box.button(QMessageBox.StandardButton.Save).setText("Keep as &draft")
        box.button(QMessageBox.StandardButton.Discard).setText("D&iscard")
        box.button(QMessageBox.StandardButton.Cancel).setText("&Go back")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(self._unsaved_answer)
        box.open()  # window-modal, not a nested event loop

    def _unsaved_answer(self, answer: int) -> None:
        if answer == QMessageBox.StandardButton.Save:
            self._autosave.stop()
            self._save_draft()
        elif answer == QMessageBox.StandardButton.Discard:
            self._autosave.stop()
            self.drafts.discard()
        else:
            return  # back to the form
        self._touched = False
        super().reject()
