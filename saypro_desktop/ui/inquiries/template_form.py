"""Sections 1-3 and 6 of the User Inquiry Template as form fields, with checkbox groups as on paper
(one radio button per option) and validation messages beside the fields as the user types."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...core.validation import LABELS, FieldError, InquiryDraft, normalise_draft
from ...core.vocab import Category, ClassifiedCategory, Mode, Priority, UserType


class ChoiceGroup(QWidget):
    """A template checkbox group: every option visible, exactly one chosen."""

    changed = Signal()

    def __init__(self, options: list[str], columns: int = 3, name: str = "") -> None:
        super().__init__()
        self.group = QButtonGroup(self)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QRadioButton] = {}
        for n, option in enumerate(options):
            b = QRadioButton(option)
            b.setAccessibleName(f"{name}: {option}")
            self.group.addButton(b)
            self.buttons[option] = b
            grid.addWidget(b, n // columns, n % columns)
        self.group.buttonToggled.connect(lambda *_: self.changed.emit())
        self.setAccessibleName(name)

    def value(self) -> str | None:
        b = self.group.checkedButton()
        return b.text() if b else None

    def set_value(self, value: str | None) -> None:
        if value and value in self.buttons:
            self.buttons[value].setChecked(True)
        else:
            self.group.setExclusive(False)
            for b in self.buttons.values():
                b.setChecked(False)
            self.group.setExclusive(True)


def _line(name: str) -> QLineEdit:
    w = QLineEdit()
    w.setAccessibleName(name)
    return w


class TemplateForm(QWidget):
    """Edits an InquiryDraft; ``errors()`` runs the same checks as the service, without the database."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        self.mode = ChoiceGroup([m.value for m in Mode], 3, "Mode of inquiry")
        self.user_type = ChoiceGroup([u.value for u in UserType], 3, "User type")
        self.category = ChoiceGroup([c.value for c in Category], 3, "Category of inquiry")
        self.subject = _line("Subject of inquiry")
        self.category_other = _line("Other category")
        self.category_other.setPlaceholderText("If Other: say which")
        self.description = QPlainTextEdit()
        self.description.setAccessibleName("Description of the issue or request")
        self.description.setTabChangesFocus(True)
        self.user_full_name = _line("Full name")
        self.user_email = _line("Contact email")
        self.user_phone = _line("Phone number")
        self.user_account_id = _line("User ID")
        self.user_location = _line("Location (city/country)")
        self.priority = QComboBox()
        self.priority.setAccessibleName("Priority")
        self.priority.addItem("Suggested from the category", None)
        for p in Priority:
            self.priority.addItem(p.value, p.value)
        self.classified_category = QComboBox()
        self.classified_category.setAccessibleName("Classified category affected")
        self.classified_category.addItem("", None)
        for c in ClassifiedCategory:
            self.classified_category.addItem(c.value, c.value)
        self.errors_label: dict[str, QLabel] = {}

        s1 = QGroupBox("1. Inquiry identification")
        f1 = self.identification_rows = QFormLayout(s1)
        self.identification = QLabel()
        f1.addRow(self.identification)
        self._row(f1, "Mode of &inquiry", self.mode, "mode")
        s2 = QGroupBox("2. User details")
        f2 = QFormLayout(s2)
        self._row(f2, "Full &name", self.user_full_name, "user_full_name")
        self._row(f2, "Contact &email", self.user_email, "user_email")
        self._row(f2, "P&hone number", self.user_phone, "user_phone")
        self._row(f2, "User t&ype", self.user_type, "user_type")
        self._row(f2, "&User ID", self.user_account_id, "user_account_id")
        self._row(f2, "&Location", self.user_location, "user_location")
        s3 = QGroupBox("3. Inquiry details")
        f3 = self.details_rows = QFormLayout(s3)
        self._row(f3, "&Subject", self.subject, "subject")
        self._row(f3, "&Category", self.category, "category")
        self._row(f3, "&Other category", self.category_other, "category_other")
        self._row(f3, "&Description", self.description, "description")
        self._row(f3, "&Priority", self.priority, "priority")
        s6 = QGroupBox("6. Archival")
        f6 = QFormLayout(s6)
        self._row(f6, "Classified c&ategory", self.classified_category, "classified_category")
        for box in (s1, s2, s3, s6):
            outer.addWidget(box)
        self._loading = False
        for w in (self.subject, self.category_other, self.user_full_name, self.user_email, self.user_phone,
                  self.user_account_id, self.user_location):
            w.textEdited.connect(self._edited)
        self.description.textChanged.connect(self._edited)
        for g in (self.mode, self.user_type, self.category):
            g.changed.connect(self._edited)
        self.priority.currentIndexChanged.connect(self._edited)
        self.classified_category.currentIndexChanged.connect(self._edited)
        self.category.changed.connect(self._other_enabled)
        self._other_enabled()

    def _row(self, form: QFormLayout, label: str, widget: QWidget, key: str) -> None:
        box = QWidget()
        col = QVBoxLayout(box)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(widget)
        err = QLabel()
        err.setProperty("role", "fieldError")
        err.setAccessibleName(f"{LABELS.get(key, key)} message")
        err.setWordWrap(True)
        err.hide()
        col.addWidget(err)
        self.errors_label[key] = err
        lab = QLabel(label)
        lab.setBuddy(widget)
        form.addRow(lab, box)

    def _edited(self, *_: object) -> None:
        if not self._loading:  # filling the form from stored values is not an edit
            self.changed.emit()

    def _other_enabled(self) -> None:
        self.category_other.setEnabled(self.category.value() == Category.OTHER.value)

    def draft(self) -> InquiryDraft:
        return InquiryDraft(
            subject=self.subject.text(), category=self.category.value(), mode=self.mode.value(),
            user_type=self.user_type.value(), user_full_name=self.user_full_name.text(),
            user_email=self.user_email.text() or None, user_phone=self.user_phone.text() or None,
            user_account_id=self.user_account_id.text() or None, user_location=self.user_location.text() or None,
            category_other=self.category_other.text() or None, description=self.description.toPlainText(),
            classified_category=self.classified_category.currentData(), priority=self.priority.currentData(),
        )

    def load(self, values: dict[str, Any], priority_overridden: bool = True) -> None:
        self._loading = True
        try:
            self._fill(values, priority_overridden)
        finally:
            self._loading = False

    def _fill(self, values: dict[str, Any], priority_overridden: bool) -> None:
        for key in ("subject", "category_other", "user_full_name", "user_email", "user_phone", "user_account_id",
                    "user_location"):
            getattr(self, key).setText(values.get(key) or "")
        self.description.setPlainText(values.get("description") or "")
        self.mode.set_value(values.get("mode"))
        self.user_type.set_value(values.get("user_type"))
        self.category.set_value(values.get("category"))
        idx = self.priority.findData(values.get("priority")) if priority_overridden else 0
        self.priority.setCurrentIndex(max(idx, 0))
        self.classified_category.setCurrentIndex(max(self.classified_category.findData(
            values.get("classified_category")), 0))
        self._other_enabled()
        self.show_errors([])

    def errors(self) -> list[FieldError]:
        return normalise_draft(self.draft())[1]

    def show_errors(self, errors: list[FieldError]) -> None:
        by_field: dict[str, list[str]] = {}
        for e in errors:
            by_field.setdefault(e.field, []).append(e.message)
        for key, label in self.errors_label.items():
            text = "; ".join(by_field.get(key, []))
            label.setText(text[:1].upper() + text[1:] if text else "")
            label.setVisible(bool(text))
