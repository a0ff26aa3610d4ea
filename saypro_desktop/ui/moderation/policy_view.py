"""The moderation policy, edited by Supervisors and Admins: the rules' word lists, weights and limits, the reasons
of decisions, and the messages to advertisers. Saving makes a new version (synced); every ad is scored again
with it and each decision records the version it saw."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...core.moderation import PLACEHOLDERS
from ...core.moderation_rules import RULES, ruleset_to_json
from ...core.validation import ValidationError
from ...models import StaffUser
from ...services import moderation
from ...services.ad_scoring import Policy, current_policy
from ...services.context import ServiceContext
from ..app_context import AppContext

# The word lists as a moderator names them; a key of the rules' JSON not named here is kept as it is.
LISTS = {
    "prohibited_items": "Prohibited items", "offensive_words": "Offensive words",
    "allowed_phrases": "Allowed phrases (excuse a listed word)", "scam_phrases": "Scam phrases",
    "urgency_words": "Urgency words (scam pattern)", "payment_words": "Payment-first words (scam pattern)",
    "contact_words": "Contact apps (contact details in the text)", "web_domains": "Web address endings",
    "categories_needing_price": "Categories that need a price",
    "categories_needing_images": "Categories that need images", "ad_types_without_price": "Ad types without a price",
}
CATEGORY_KEYWORDS, LEETSPEAK = "category_keywords", "leetspeak"


def _lines(text: str) -> list[str]:
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def _pairs(text: str, where: str) -> dict[str, str]:
    """``key = value`` lines (leetspeak: ``0 = o``)."""
    out = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{where}, line {n}: write 'character = letter' (e.g. 0 = o)")
        out[key.strip()] = value.strip()
    return out


class PolicyView(QWidget):
    def __init__(self, app: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.policy: Policy | None = None
        self.rules: dict[str, Any] = {}
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Policy parts")

        # word lists: a list of lists beside the one shown, one entry per line
        self.list_names = QListWidget()
        self.list_names.setAccessibleName("Word lists")
        self.list_pages = QStackedWidget()
        self.list_edits: dict[str, QPlainTextEdit] = {}
        self.list_names.currentRowChanged.connect(self.list_pages.setCurrentIndex)
        split = QSplitter()
        split.addWidget(self.list_names)
        split.addWidget(self.list_pages)
        split.setStretchFactor(1, 3)
        self.list_names.setMinimumWidth(self.fontMetrics().horizontalAdvance("Words of the category Announcements (99)")
                                        + 24)
        self.tabs.addTab(split, "Word lists")

        # weights and limits
        self.weights: dict[str, QSpinBox] = {}
        self.limits: dict[str, QSpinBox | QDoubleSpinBox] = {}
        numbers = QWidget()
        self.numbers_form = QFormLayout(numbers)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(numbers)
        self.tabs.addTab(scroll, "Weights and limits")

        # reasons: code and label
        self.reasons = QTableWidget(0, 2)
        self.reasons.setAccessibleName("Reasons")
        self.reasons.setHorizontalHeaderLabels(["Code", "Label shown to moderators and advertisers"])
        self.reasons.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.reasons.verticalHeader().hide()
        self.reasons.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        add_reason, remove_reason = QPushButton("Add a reason"), QPushButton("Remove the reason")
        add_reason.clicked.connect(self._add_reason)
        remove_reason.clicked.connect(lambda: self.reasons.removeRow(self.reasons.currentRow()))
        reasons_page = QWidget()
        rl = QVBoxLayout(reasons_page)
        rl.addWidget(self.reasons)
        rb = QHBoxLayout()
        rb.addWidget(add_reason)
        rb.addWidget(remove_reason)
        rb.addStretch(1)
        rl.addLayout(rb)
        self.tabs.addTab(reasons_page, "Reasons")

        # messages to advertisers
        self.templates: dict[str, QPlainTextEdit] = {}
        messages = QWidget()
        self.messages_form = QFormLayout(messages)
        self.messages_form.addRow(QLabel("Placeholders: " + ", ".join(f"{{{p}}}" for p in sorted(PLACEHOLDERS))
                                         + ". An empty message sends nothing."))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(messages)
        self.tabs.addTab(scroll, "Messages")

        self.note = QLineEdit()
        self.note.setAccessibleName("What changed and why")
        self.note.setPlaceholderText("What changed and why (kept with the version)")
        self.save_button = QPushButton("Save as a new version")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Show the policy in force again, dropping the edits")
        self.revert_button.clicked.connect(self.refresh)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom = QHBoxLayout()
        bottom.addWidget(self.note, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addLayout(bottom)

    # reading -----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.app.read(lambda ctx: _read(ctx), self._show, self._failed)

    def _show(self, read: tuple[Policy, str]) -> None:
        policy, heading = read
        self.policy, self.rules = policy, ruleset_to_json(policy.ruleset)
        self.heading.setText(heading)
        self.error.clear()
        self.note.clear()
        self._fill_lists()
        self._fill_numbers()
        self.reasons.setRowCount(0)
        for code, label in policy.reasons.items():
            self._add_reason(code, label)
        self._fill_messages()

    def _fill_lists(self) -> None:
        current = max(self.list_names.currentRow(), 0)
        self.list_names.clear()
        while self.list_pages.count():
            self.list_pages.removeWidget(self.list_pages.widget(0))
        self.list_edits.clear()
        entries: list[tuple[str, str, str]] = [
            (key, label, "\n".join(self.rules.get(key, []))) for key, label in LISTS.items()]
        for category, words in sorted(self.rules.get(CATEGORY_KEYWORDS, {}).items()):
            entries.append((f"{CATEGORY_KEYWORDS}:{category}", f"Words of the category {category}", "\n".join(words)))
        entries.append((LEETSPEAK, "Look-alike characters (0 = o)",
                        "\n".join(f"{k} = {v}" for k, v in self.rules.get(LEETSPEAK, {}).items())))
        for key, label, text in entries:
            edit = QPlainTextEdit(text)
            edit.setAccessibleName(label)
            edit.setToolTip("One entry per line; matched as whole words, ignoring case and accents")
            self.list_names.addItem(f"{label} ({len(_lines(text))})")
            self.list_pages.addWidget(edit)
            self.list_edits[key] = edit
        self.list_names.setCurrentRow(min(current, self.list_names.count() - 1))

    def _fill_numbers(self) -> None:
        while self.numbers_form.rowCount():
            self.numbers_form.removeRow(0)
        self.weights.clear()
        self.limits.clear()
        self.numbers_form.addRow(QLabel("<b>Weights</b> (risk points a rule adds; 0 turns the rule off)"))
        for rule in RULES:
            box = QSpinBox()
            box.setRange(0, 100)
            box.setValue(int(self.rules.get("weights", {}).get(rule, 0)))
            box.setAccessibleName(f"Weight of {rule.replace('_', ' ')}")
            self.weights[rule] = box
            self.numbers_form.addRow(rule.replace("_", " ").capitalize() + ":", box)
        self.numbers_form.addRow(QLabel("<b>Limits</b>"))
        for key, value in self.rules.items():
            if key == "version" or isinstance(value, bool) or not isinstance(value, int | float):
                continue
            box: QSpinBox | QDoubleSpinBox
            if isinstance(value, float):
                box = QDoubleSpinBox()
                box.setDecimals(2)
                box.setRange(0.0, 100.0)
                box.setSingleStep(0.05)
            else:
                box = QSpinBox()
                box.setRange(0, 100_000)
            box.setValue(value)
            box.setAccessibleName(key.replace("_", " "))
            self.limits[key] = box
            self.numbers_form.addRow(key.replace("_", " ").capitalize() + ":", box)

    def _fill_messages(self) -> None:
        while self.messages_form.rowCount() > 1:
            self.messages_form.removeRow(1)
        self.templates.clear()
        for key, text in (self.policy.templates if self.policy else {}).items():
            edit = QPlainTextEdit(text)
            edit.setAccessibleName(f"Message: {key}")
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 4)
            self.templates[key] = edit
            self.messages_form.addRow(f"{key}:", edit)

    def _add_reason(self, code: str = "", label: str = "") -> None:
        row = self.reasons.rowCount()
        self.reasons.insertRow(row)
        self.reasons.setItem(row, 0, QTableWidgetItem(code))
        self.reasons.setItem(row, 1, QTableWidgetItem(label))
        if not code:
            self.reasons.setCurrentCell(row, 0)
            self.reasons.editItem(self.reasons.item(row, 0))

    # saving ------------------------------------------------------------------------------------------------
    def edited(self) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
        """(rules, reasons, templates) as the form holds them. Raises ValueError on a malformed entry."""
        rules = dict(self.rules)
        keywords: dict[str, list[str]] = {}
        for key, edit in self.list_edits.items():
            text = edit.toPlainText()
            if key == LEETSPEAK:
                rules[key] = _pairs(text, "Look-alike characters")
            elif key.startswith(CATEGORY_KEYWORDS + ":"):
                keywords[key.split(":", 1)[1]] = _lines(text)
            else:
                rules[key] = _lines(text)
        if keywords:
            rules[CATEGORY_KEYWORDS] = keywords
        rules["weights"] = {**rules.get("weights", {}), **{r: b.value() for r, b in self.weights.items()}}
        for key, box in self.limits.items():
            rules[key] = box.value()
        reasons: dict[str, str] = {}
        for row in range(self.reasons.rowCount()):
            code, label = (self.reasons.item(row, col).text().strip() if self.reasons.item(row, col) else ""
                           for col in (0, 1))
            if not code and not label:
                continue
            if not code or not label:
                raise ValueError(f"Reasons, row {row + 1}: a reason needs a code and a label")
            if code in reasons:
                raise ValueError(f"Reasons, row {row + 1}: the code {code!r} is there twice")
            reasons[code] = label
        templates = {key: edit.toPlainText().strip() for key, edit in self.templates.items()}
        return rules, reasons, templates

    def save(self) -> None:
        try:
            rules, reasons, templates = self.edited()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        note = self.note.text().strip() or None

        def work(ctx: Any) -> list[str]:
            return [moderation.save_policy(ctx, rules=rules, reasons=reasons, templates=templates, note=note).id]

        self.save_button.setEnabled(False)
        self.app.write(work, "moderation_policy", self._saved, self._not_saved)

    def _saved(self, _ids: list[str]) -> None:
        self.save_button.setEnabled(True)
        self.refresh()

    def _not_saved(self, exc: Exception) -> None:
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.error.setText("Not saved; please correct:\n" + "\n".join(f"- {e}" for e in exc.errors))
        else:
            self._failed(exc)

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, "Not done", str(exc))


def _read(ctx: ServiceContext) -> tuple[Policy, str]:
    policy = current_policy(ctx)
    if policy.row is None:
        return policy, "The built-in policy (nobody has edited it yet). Saving makes version 1."
    row = policy.row
    editor = ctx.session.get(StaffUser, row.edited_by_id) if row.edited_by_id else None
    when = row.edited_at.astimezone(ctx.settings.calendar().tz)
    return policy, (f"Version {policy.version}, saved {when:%d/%m/%Y %H:%M}"
                    + (f" by {editor.display_name}" if editor else "") + (f": {row.note}" if row.note else "")
                    + ". Saving makes a new version; every ad is scored again with it.")
