"""The Settings dialog: the office's time zone, hours, holidays, SLA and KPI targets (for Admins), and this
computer's theme and data folder (for everyone).

Only a settings object that OfficeSettings and its calendar accept is saved; anything else is explained in
the dialog, which stays open.
"""

from __future__ import annotations

from dataclasses import fields
from zoneinfo import available_timezones

import holidays
from PySide6.QtCore import QDate, QEvent, QObject, QSettings, Qt, QTime, QUrl
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ..core.office_settings import WEEKDAYS, KpiTargets, OfficeSettings
from ..core.permissions import Permission
from ..core.sla import SlaPolicy
from ..services.context import ServiceContext
from ..services.settings import update_office_settings
from .app_context import AppContext
from .idle_lock import LOCK_MINUTES_KEY, idle_minutes
from .theme import THEMES, apply_theme

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TARGET_LABELS = {
    "ack_within_target": "&Acknowledged within target",
    "resolved_within_24h": "Resolved within &24 hours",
    "resolved_within_48h": "Resolved within &48 hours",
    "same_day": "Resolved the &same day",
    "first_contact_resolution": "&First-contact resolution",
    "closed_without_reopen": "Closed without &reopening",
    "csat": "User satisfaction (&CSAT)",
}


def _save(ctx: ServiceContext, new: OfficeSettings) -> tuple[list[str], OfficeSettings]:
    update_office_settings(ctx, new)  # checks the role again on the writer: it may have changed
    return [], new


def _spin(low: float, high: float, value: float, suffix: str, decimals: int = 2, step: float = 1.0,
          name: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setSuffix(suffix)
    box.setValue(value)
    box.setAccessibleName(name)
    return box


def _form(page: QWidget) -> QFormLayout:
    form = QFormLayout(page)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    return form


def _row(form: QFormLayout, label: str, widget: QWidget) -> None:
    lab = QLabel(label)
    lab.setBuddy(widget)
    if not widget.accessibleName():
        widget.setAccessibleName(label.replace("&", ""))
    form.addRow(lab, widget)


class DateList(QWidget):
    """A sorted list of dates with a date picker to add one and a button (or Delete) to remove the selected."""

    def __init__(self, name: str, dates: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setAccessibleName(name)
        self.list.setToolTip("Delete removes the selected date")
        self.picker = QDateEdit(QDate.currentDate())
        self.picker.setCalendarPopup(True)
        self.picker.setDisplayFormat("yyyy-MM-dd")
        self.picker.setAccessibleName(f"{name}: date to add")
        self.add_button = QPushButton("Add")
        self.add_button.setAccessibleName(f"Add the date to {name.lower()}")
        self.add_button.clicked.connect(self.add_picked)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setAccessibleName(f"Remove the selected date from {name.lower()}")
        self.remove_button.setToolTip("Remove the selected date (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)
        self.list.installEventFilter(self)
        self.list.setMaximumHeight(self.fontMetrics().height() * 6)
        row = QHBoxLayout()
        row.addWidget(self.picker, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.list)
        col.addLayout(row)
        for d in dates:
            self.add(d)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.list and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)):
            self.remove_selected()
            return True
        return super().eventFilter(watched, event)

    def add(self, iso: str) -> None:
        if iso not in self.dates():
            self.list.addItem(iso)
            self.list.sortItems()

    def add_picked(self) -> None:
        self.add(self.picker.date().toString("yyyy-MM-dd"))

    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def dates(self) -> tuple[str, ...]:
        return tuple(self.list.item(i).text() for i in range(self.list.count()))


class SettingsDialog(QDialog):
    def __init__(self, app: AppContext, ui_state: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app, self.ui_state = app, ui_state
        self.editable = app.can(Permission.MANAGE_SETTINGS)
        self.theme_before = str(ui_state.value("theme", "system"))
        self.setWindowTitle("Settings")
        self.setAccessibleName("Settings")
        s = app.settings
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Settings sections")
        self.tabs.setToolTip("Ctrl+Tab and Ctrl+Shift+Tab move between sections")
        self.office_pages = [self._office_page(s), self._hours_page(s), self._sla_page(s.sla),
                             self._targets_page(s.targets)]
        for page, title in zip(self.office_pages, ("Office", "Business hours", "SLA", "KPI targets"), strict=True):
            self.tabs.addTab(page, title)
            page.setEnabled(self.editable)
        self.tabs.addTab(self._computer_page(), "This computer")

        self.note = QLabel("Only an Admin can change the office settings; you can see them here and change the "
                           "theme of this computer.")
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Read-only note")
        self.note.setVisible(not self.editable)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setProperty("role", "fieldError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Settings error")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setToolTip("Save the settings and close (Enter)" if self.editable else "Keep the theme and close (Enter)")
        ok.setAccessibleName("Save settings" if self.editable else "Close")
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setToolTip("Close without saving (Esc)")
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        col = QVBoxLayout(self)
        col.addWidget(self.note)
        col.addWidget(self.tabs, 1)
        col.addWidget(self.error)
        col.addWidget(self.buttons)

    # pages ------------------------------------------------------------------------------------------------------
    def _office_page(self, s: OfficeSettings) -> QWidget:
        page = QWidget()
        form = _form(page)
        self.timezone = QComboBox()
        self.timezone.setEditable(True)
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.timezone.addItems(sorted(available_timezones()))
        self.timezone.setCurrentText(s.timezone)
        self.timezone.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.timezone.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.timezone.setToolTip("An IANA time zone such as Africa/Johannesburg; type to search")
        _row(form, "&Time zone", self.timezone)
        self.country = QLineEdit(s.holiday_country or "")
        self.country.setPlaceholderText("Two-letter code, e.g. ZA; empty for no public holidays")
        self.country.setCompleter(QCompleter(sorted(holidays.list_supported_countries()), self.country))
        _row(form, "Holiday &country", self.country)
        self.subdivision = QLineEdit(s.holiday_subdivision or "")
        self.subdivision.setPlaceholderText("Optional: a province or state code the holidays library knows")
        _row(form, "Holiday s&ubdivision", self.subdivision)
        self.extra_holidays = DateList("Extra office holidays", s.extra_holidays)
        form.addRow(self._buddy("E&xtra office holidays", self.extra_holidays.list), self.extra_holidays)
        self.removed_holidays = DateList("Public holidays the office works", s.removed_holidays)
        form.addRow(self._buddy("&Public holidays worked", self.removed_holidays.list), self.removed_holidays)
        return page

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    def _hours_page(self, s: OfficeSettings) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        self.hours: dict[str, tuple[QCheckBox, QTimeEdit, QTimeEdit]] = {}
        for r, (day, name) in enumerate(zip(WEEKDAYS, DAY_NAMES, strict=True)):
            span = s.business_hours.get(day)
            is_open = QCheckBox(name)
            is_open.setAccessibleName(f"Open on {name}")
            opens, closes = QTimeEdit(), QTimeEdit()
            for edit, which, default in ((opens, "opens", "09:00"), (closes, "closes", "18:00")):
                edit.setDisplayFormat("HH:mm")
                edit.setTime(QTime.fromString(span[0 if which == "opens" else 1] if span else default, "HH:mm"))
                edit.setAccessibleName(f"{name} {which} at")
                edit.setEnabled(span is not None)
                is_open.toggled.connect(edit.setEnabled)
            is_open.setChecked(span is not None)
            grid.addWidget(is_open, r, 0)
            grid.addWidget(QLabel("opens"), r, 1)
            grid.addWidget(opens, r, 2)
            grid.addWidget(QLabel("closes"), r, 3)
            grid.addWidget(closes, r, 4)
            self.hours[day] = (is_open, opens, closes)
        grid.setColumnStretch(5, 1)
        grid.setRowStretch(len(WEEKDAYS), 1)
        return page

    def _sla_page(self, p: SlaPolicy) -> QWidget:
        page = QWidget()
        form = _form(page)
        self.ack_hours = _spin(0.05, 48, p.ack_business_hours, " business hours", step=0.25)
        _row(form, "&Acknowledge within", self.ack_hours)
        self.high_hours = _spin(0.5, 720, p.resolution_hours_high, " hours")
        _row(form, "Resolve &High and Critical within", self.high_hours)
        self.standard_hours = _spin(0.5, 720, p.resolution_hours_standard, " hours")
        _row(form, "Resolve &Normal and Low within", self.standard_hours)
        self.business_resolution = QCheckBox("Count resolution time in business hours only")
        self.business_resolution.setChecked(p.resolution_in_business_hours)
        self.business_resolution.setAccessibleName("Resolution time in business hours")
        form.addRow("", self.business_resolution)
        self.at_risk = QSpinBox()
        self.at_risk.setRange(1, 99)
        self.at_risk.setSuffix(" % of the time is left")
        self.at_risk.setValue(round(p.at_risk_fraction * 100))
        _row(form, "At &risk when less than", self.at_risk)
        self.escalate_hours = _spin(0.5, 720, p.auto_escalate_after_hours, " hours")
        _row(form, "Auto-&escalate standard inquiries after", self.escalate_hours)
        return page

    def _targets_page(self, t: KpiTargets) -> QWidget:
        page = QWidget()
        form = _form(page)
        self.targets: dict[str, QDoubleSpinBox] = {}
        for f in fields(KpiTargets):
            value = getattr(t, f.name)
            box = _spin(1, 5, value, " / 5", step=0.1) if f.name == "csat" else \
                _spin(0, 100, value * 100, " %", decimals=1)
            _row(form, TARGET_LABELS.get(f.name, f.name.replace("_", " ").capitalize()), box)
            self.targets[f.name] = box
        return page

    def _computer_page(self) -> QWidget:
        page = QWidget()
        form = _form(page)
        self.theme = QComboBox()
        for name in THEMES:
            self.theme.addItem(name.capitalize(), name)
        self.theme.setCurrentIndex(max(0, self.theme.findData(self.theme_before)))
        self.theme.currentIndexChanged.connect(lambda _: self._apply_theme(self.theme.currentData()))
        self.theme.setToolTip("System follows the colour scheme of the operating system")
        _row(form, "T&heme", self.theme)
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(0, 480)
        self.lock_minutes.setSuffix(" min without use")
        self.lock_minutes.setSpecialValueText("Never")
        self.lock_minutes.setValue(idle_minutes(self.ui_state))
        self.lock_minutes.setToolTip("Lock SayPro Desk after this many minutes without a key or mouse press; "
                                     "the same user's password unlocks it, or another user signs in")
        _row(form, "&Lock after", self.lock_minutes)
        self.data_folder = QLineEdit(str(self.app.store.paths.root))
        self.data_folder.setReadOnly(True)
        self.data_folder.setAccessibleName("Data folder")
        self.open_folder = QPushButton("&Open folder")
        self.open_folder.setAccessibleName("Open the data folder")
        self.open_folder.setToolTip("Show the data folder in the file manager (Alt+O)")
        self.open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.app.store.paths.root))))
        row = QHBoxLayout()
        row.addWidget(self.data_folder, 1)
        row.addWidget(self.open_folder)
        label = QLabel("&Data folder")
        label.setBuddy(self.data_folder)
        form.addRow(label, row)
        return page

    # theme --------------------------------------------------------------------------------------------------------
    def _apply_theme(self, name: str) -> None:
        qt = QApplication.instance()
        if isinstance(qt, QApplication):
            apply_theme(qt, name)

    # building and saving ------------------------------------------------------------------------------------------
    def build_settings(self) -> OfficeSettings:
        """The settings the form describes; ValueError with a message for the user when they are not valid."""
        supported = holidays.list_supported_countries()
        country = self.country.text().strip().upper() or None
        subdivision = self.subdivision.text().strip() or None
        if country is not None and country not in supported:
            raise ValueError(f"no public holidays are known for {country!r}; use a two-letter country code such as "
                             "ZA, or leave it empty")
        if subdivision is not None:
            if country is None:
                raise ValueError("a holiday subdivision needs a holiday country")
            known = {s.upper(): s for s in supported[country]}
            if subdivision.upper() not in known:
                raise ValueError(f"{country} has no holiday subdivision {subdivision!r}; known ones: "
                                 f"{', '.join(supported[country]) or 'none'}")
            subdivision = known[subdivision.upper()]
        hours = {day: (opens.time().toString("HH:mm"), closes.time().toString("HH:mm"))
                 for day, (is_open, opens, closes) in self.hours.items() if is_open.isChecked()}
        new = OfficeSettings(
            timezone=self.timezone.currentText().strip(), business_hours=hours, holiday_country=country,
            holiday_subdivision=subdivision, extra_holidays=self.extra_holidays.dates(),
            removed_holidays=self.removed_holidays.dates(),
            sla=SlaPolicy(ack_business_hours=self.ack_hours.value(), resolution_hours_high=self.high_hours.value(),
                          resolution_hours_standard=self.standard_hours.value(),
                          resolution_in_business_hours=self.business_resolution.isChecked(),
                          at_risk_fraction=self.at_risk.value() / 100,
                          auto_escalate_after_hours=self.escalate_hours.value()),
            targets=KpiTargets(**{name: box.value() if name == "csat" else round(box.value() / 100, 4)
                                  for name, box in self.targets.items()}),
        )
        new.calendar()  # what only the calendar checks: at least one open day
        return new

    def show_error(self, message: str) -> None:
        self.error.setText(message[:1].upper() + message[1:])
        self.error.show()
        lowered = message.lower()
        for tab, words in ((0, ("time zone", "holiday")), (1, ("business hours", "opening hours")),
                           (2, ("hours", "fraction")), (3, ("target", "csat"))):
            if any(w in lowered for w in words):  # show the section the problem is in
                self.tabs.setCurrentIndex(tab)
                break

    def accept(self) -> None:
        self.ui_state.setValue("theme", self.theme.currentData())
        self.ui_state.setValue(LOCK_MINUTES_KEY, self.lock_minutes.value())
        if not self.editable:
            super().accept()
            return
        try:
            new = self.build_settings()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if new == self.app.settings:
            super().accept()
            return
        self.error.hide()
        self.buttons.setEnabled(False)
        self.app.write(lambda ctx: _save(ctx, new), entity="settings", on_done=self._saved, on_error=self._failed)

    def _saved(self, new: OfficeSettings) -> None:
        self.app.settings = new
        self.buttons.setEnabled(True)
        super().accept()

    def _failed(self, exc: Exception) -> None:
        self.buttons.setEnabled(True)
        self.show_error(f"The settings were not saved: {exc}")

    def reject(self) -> None:
        if self.theme.currentData() != self.theme_before:
            self._apply_theme(self.theme_before)
        super().reject()
