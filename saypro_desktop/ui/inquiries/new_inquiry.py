"""Logging a new inquiry: the template's sections, sensible defaults (received by me, now, the last mode
used), validation as one types, and a draft kept on disk until it is saved."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDateTime, QSettings, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
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

from ...core.validation import ValidationError
from ...services.inquiries import create_inquiry
from ..app_context import AppContext
from .drafts import DraftFile
from .template_form import TemplateForm


class NewInquiryDialog(QDialog):
    created = Signal(str, str)  # row id, Inquiry ID

    def __init__(self, app: AppContext, ui_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.ui_state = app, ui_state
        self.setWindowTitle("New inquiry")
        self.setAccessibleName("New inquiry")
        self.drafts = DraftFile(app.store.paths.root / "drafts" / "new-inquiry.json")
        self.form = TemplateForm()
        tz = app.settings.calendar().tz
        self.logged = QDateTimeEdit(QDateTime.fromSecsSinceEpoch(int(app.clock().timestamp())))
        self.logged.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.logged.setCalendarPopup(True)
        self.logged.setAccessibleName("Date and time logged")
        self.logged.setToolTip(f"Office time zone: {tz.key}")
        ident = QWidget()
        row = QHBoxLayout(ident)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(f"Received by: <b>{app.user.display_name}</b>   Logged:"))
        row.addWidget(self.logged)
        row.addStretch(1)
        self.form.identification.setText("Inquiry ID: issued when saved (SCMR-YYMM-####)")
        self.form.identification_rows.insertRow(1, ident)
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
        self._autosave.timeout.connect(lambda: self.drafts.save(self.form.draft()))
        self._touched = False
        self.form.changed.connect(self._on_change)
        self._offer_draft()
        width = max(self.form.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 40,
                    self.fontMetrics().horizontalAdvance("M") * 50)
        self.resize(width, self.fontMetrics().height() * 45)
        self.form.user_full_name.setFocus() if self.form.mode.value() else self.form.mode.setFocus()

    def _offer_draft(self) -> None:
        saved = self.drafts.load()
        if not saved:
            return
        answer = QMessageBox.question(self, "Unsaved inquiry found",
                                      "An inquiry was being typed when SayPro Desk last closed. Restore it?")
        if answer == QMessageBox.StandardButton.Yes:
            self.form.load(saved)
        else:
            self.drafts.discard()

    def _on_change(self) -> None:
        self._touched = True
        self._autosave.start()
        if self.message.text():  # after a failed save, errors update as the user corrects them
            self._validate()

    def _validate(self) -> bool:
        errors = self.form.errors()
        self.form.show_errors(errors)
        self.message.setText(f"{len(errors)} field(s) need attention." if errors else "")
        return not errors

    def submit(self) -> None:
        if not self._validate():
            return
        draft = self.form.draft()
        draft.logged_at = datetime.fromtimestamp(self.logged.dateTime().toSecsSinceEpoch(), UTC)
        self.save_button.setEnabled(False)

        def work(ctx):
            inquiry = create_inquiry(ctx, draft)
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

    def reject(self) -> None:
        if self._touched and self.form.draft().subject.strip():
            answer = QMessageBox.question(self, "Discard this inquiry?", "The inquiry has not been saved. Discard it?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.drafts.discard()
        super().reject()
