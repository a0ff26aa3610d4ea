"""The new-inquiry form: office time, the priority it will get, and Esc on a half-filled form."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import QMessageBox

from saypro_desktop.models import Inquiry
from saypro_desktop.ui.inquiries.new_inquiry import NewInquiryDialog
from tests.ui.conftest import wait_idle

DRAFT = "new-inquiry.json"


def _dialog(qtbot, app, ui_state) -> NewInquiryDialog:
    d = NewInquiryDialog(app, ui_state)
    qtbot.addWidget(d)
    d.show()
    return d


def test_logged_is_office_time_not_the_pcs(qtbot, app, ui_state):
    d = _dialog(qtbot, app, ui_state)  # the clock: 08:00 UTC, 10:00 in Johannesburg
    assert d.logged.text() == "14/01/2025 10:00"
    assert d.logged_at() == app.clock()  # untouched: the moment it opened, to the second
    d.logged.setDateTime(QDateTime(QDate(2025, 1, 14), QTime(9, 30), QTimeZone.utc()))
    assert d.logged_at() == datetime(2025, 1, 14, 7, 30, tzinfo=UTC)  # 09:30 office time


def test_the_suggested_priority_says_what_it_will_be(qtbot, app, ui_state):
    d = _dialog(qtbot, app, ui_state)
    assert d.form.priority.itemText(0) == "Suggested from the category (choose one)"
    d.form.category.buttons["Payment/Billing"].setChecked(True)
    assert d.form.priority.itemText(0) == "Suggested: High (resolve within 24 hours, by 15/01/2025 10:00)"
    d.form.category.buttons["Feature Request"].setChecked(True)
    assert d.form.priority.itemText(0) == "Suggested: Low (resolve within 48 hours, by 16/01/2025 10:00)"
    d.form.subject.setText("Account hacked")
    d.form.subject.textEdited.emit("Account hacked")
    assert d.form.priority.itemText(0).startswith("Suggested: Critical (resolve within 24 hours")


def _answer(qtbot, d: NewInquiryDialog, button: QMessageBox.StandardButton) -> None:
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    box = d.unsaved_question
    qtbot.waitUntil(box.isVisible)
    assert [box.button(b).text() for b in (QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Discard,
                                           QMessageBox.StandardButton.Cancel)] == [
        "Keep as &draft", "D&iscard", "&Go back"]
    qtbot.mouseClick(box.button(button), Qt.MouseButton.LeftButton)


def test_esc_on_a_half_filled_form_asks_keep_discard_or_go_back(qtbot, app, ui_state, answered_questions):
    drafts = app.store.paths.root / "drafts" / DRAFT
    d = _dialog(qtbot, app, ui_state)
    d.form.user_full_name.setText("Hélène Dubois")  # a name, no subject yet
    d.form.user_full_name.textEdited.emit("Hélène Dubois")
    _answer(qtbot, d, QMessageBox.StandardButton.Cancel)
    assert d.isVisible() and d.form.user_full_name.text() == "Hélène Dubois"  # back to the form
    _answer(qtbot, d, QMessageBox.StandardButton.Save)
    qtbot.waitUntil(lambda: not d.isVisible())
    assert drafts.exists()
    again = _dialog(qtbot, app, ui_state)
    assert answered_questions == ["Unsaved inquiry found"] and again.form.user_full_name.text() == "Hélène Dubois"
    _answer(qtbot, again, QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not again.isVisible())
    assert not drafts.exists()
    with app.store.session() as s:
        assert s.query(Inquiry).count() == 0


def test_esc_on_an_empty_form_just_closes(qtbot, app, ui_state):
    d = _dialog(qtbot, app, ui_state)
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    assert not d.isVisible()
    wait_idle(qtbot, app)
