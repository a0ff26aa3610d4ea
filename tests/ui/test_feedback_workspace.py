"""The Feedback workspace as a person uses it: the suggestion appears while typing and is saved unless changed, a
bad save keeps the text and says what to fix, the survey worklist marks asked and records a rating, and the
weekly analysis shows a known week's CSAT and top theme."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from saypro_desktop.core.feedback import FeedbackPriority, FeedbackSource, FeedbackTheme, Sentiment, SurveyState
from saypro_desktop.core.permissions import Role
from saypro_desktop.models import Feedback, Inquiry
from saypro_desktop.services import feedback as fb
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.feedback_views import last_full_week
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.feedback import survey_view
from saypro_desktop.ui.feedback.workspace import FeedbackWorkspace, may_use_feedback
from tests.conftest import draft
from tests.ui.conftest import wait_idle


@pytest.fixture(autouse=True)
def warnings_shown(monkeypatch) -> list[str]:
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a, **k: shown.append(text))
    return shown


def settle(qtbot, app) -> None:
    for _ in range(3):  # a result may start another read
        wait_idle(qtbot, app)


@pytest.fixture
def workspace(qtbot, app):
    ws = FeedbackWorkspace(app)
    qtbot.addWidget(ws)
    ws.resize(1300, 700)
    ws.show()
    ws.activated()
    settle(qtbot, app)
    return ws


def _items(app) -> list[Feedback]:
    with app.store.session() as s:
        return list(s.scalars(select(Feedback).order_by(Feedback.received_at)))


def _resolved(ctx, subject: str, **over) -> Inquiry:
    inquiry = svc.create_inquiry(ctx, draft(subject=subject, **over))
    svc.assign(ctx, inquiry, ctx.actor)
    svc.change_status(ctx, inquiry, "Resolved", resolution="The issue was fixed and the user informed.")
    return inquiry


def test_the_suggestion_appears_while_typing_and_is_saved_unless_changed(qtbot, app, workspace):
    view = workspace.record
    assert view is not None and workspace.tabs.currentWidget() is view
    view.source.setCurrentText(FeedbackSource.SOCIAL_MEDIA.value)
    qtbot.keyClicks(view.text, "The app keeps crashing when I upload photos, terrible")
    qtbot.waitUntil(lambda: view.theme.currentText() == FeedbackTheme.TECHNICAL_ISSUE.value, timeout=2000)
    assert view.sentiment.currentText() == Sentiment.NEGATIVE.value
    assert view.priority.currentText() == FeedbackPriority.HIGH.value
    assert "crash" in view.why.text() and "upload" in view.why.text()  # the words that decided it
    # The user thinks it is not that urgent; more typing does not take their choice away.
    view.priority.setCurrentText(FeedbackPriority.MEDIUM.value)
    view.priority.activated.emit(view.priority.currentIndex())
    qtbot.keyClicks(view.text, " and the login fails")
    qtbot.waitUntil(lambda: "login" in view.why.text(), timeout=2000)
    assert view.priority.currentText() == FeedbackPriority.MEDIUM.value
    assert "your choice" in view.why.text()
    workspace.activateWindow()
    qtbot.waitActive(workspace)
    view.text.setFocus()
    qtbot.keyClick(view.text, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Save feedback
    settle(qtbot, app)
    [item] = _items(app)
    assert item.text == "The app keeps crashing when I upload photos, terrible and the login fails"
    assert (item.source, item.theme, item.sentiment, item.priority) == (
        FeedbackSource.SOCIAL_MEDIA, FeedbackTheme.TECHNICAL_ISSUE, Sentiment.NEGATIVE, FeedbackPriority.MEDIUM)
    assert item.received_at == datetime(2025, 1, 14, 8, 0, tzinfo=UTC)  # the form's "now", in office time
    # The form is ready for the next one, with its suggestion free again; the list shows the new item.
    assert view.text.toPlainText() == "" and view.errors.isHidden()
    assert view.table.rowCount() == 1
    assert [view.table.item(0, c).text() for c in (0, 2, 3, 4)] == [
        "14/01/2025 10:00", "Technical issue", "Negative", "Medium"]
    qtbot.keyClicks(view.text, "Great support, the agent was very helpful")
    qtbot.waitUntil(lambda: view.theme.currentText() == FeedbackTheme.CUSTOMER_SERVICE.value, timeout=2000)
    assert view.priority.currentText() == FeedbackPriority.LOW.value
    assert view.sentiment.currentText() == Sentiment.POSITIVE.value


def test_changing_the_classification_of_a_recorded_item(qtbot, app, workspace, monkeypatch, clock):
    with acting(app.store, clock=clock) as ctx:
        fb.record(ctx, "Site is so slow to load in the evening", "Email")
    view = workspace.record
    view.refresh()
    settle(qtbot, app)
    assert view.table.item(0, 2).text() == FeedbackTheme.PERFORMANCE.value

    def exec_(self):
        self.theme.setCurrentText(FeedbackTheme.TECHNICAL_ISSUE.value)
        self.priority.setCurrentText(FeedbackPriority.HIGH.value)
        return QDialog.DialogCode.Accepted

    from saypro_desktop.ui.feedback import record_view

    monkeypatch.setattr(record_view.ClassifyDialog, "exec", exec_)
    view.table.selectRow(0)
    view.change_button.click()
    settle(qtbot, app)
    [item] = _items(app)
    assert (item.theme, item.sentiment, item.priority) == (
        FeedbackTheme.TECHNICAL_ISSUE, Sentiment.NEGATIVE, FeedbackPriority.HIGH)
    assert view.table.item(0, 2).text() == FeedbackTheme.TECHNICAL_ISSUE.value


def test_a_bad_save_shows_the_error_and_keeps_the_text(qtbot, app, workspace):
    view = workspace.record
    qtbot.keyClicks(view.text, "ok")
    view.inquiry.setText("SCMR-2501-9999")
    tomorrow = view.received.dateTime().addDays(1)
    view.received.setDateTime(QDateTime(tomorrow))
    view.save_button.click()
    settle(qtbot, app)
    assert _items(app) == []
    assert view.errors.isVisible()
    message = view.errors.text()
    assert "Text: write what the user said" in message
    assert "Inquiry ID: no inquiry 'SCMR-2501-9999'" in message
    assert "Date received: feedback cannot be received in the future" in message
    assert view.text.toPlainText() == "ok" and view.inquiry.text() == "SCMR-2501-9999"  # nothing typed is lost
    assert view.save_button.isEnabled()
    # Fixed, it saves, linked to the inquiry, and the error goes.
    with acting(app.store, clock=app.clock) as ctx:
        ref = svc.create_inquiry(ctx, draft()).display_id
    view.text.setPlainText("The ad approval took too long")
    view.inquiry.setText(ref.lower())
    view.received.setDateTime(QDateTime(tomorrow.addDays(-1)))
    view.save_button.click()
    settle(qtbot, app)
    [item] = _items(app)
    assert item.inquiry_id is not None and view.errors.isHidden()
    assert view.table.item(0, 6).text() == ref


def test_the_survey_worklist_marks_asked_and_records_a_rating(qtbot, app, workspace, clock, monkeypatch):
    with acting(app.store, clock=clock) as ctx:
        made = []
        for subject in ("Ad pending", "Charged twice", "Password reset"):
            clock.advance(minutes=5)
            made.append(_resolved(ctx, subject).id)
        svc.create_inquiry(ctx, draft(subject="Still open"))
    a, b, c = made
    view = workspace.survey
    assert view is not None
    workspace.tabs.setCurrentWidget(view)
    settle(qtbot, app)
    assert [r.id for r in view.rows] == [a, b, c]  # the longest resolved first; the open one is not there
    assert view.count.text() == "3 to ask"
    view.table.selectRow(0)
    qtbot.mouseClick(view.asked, Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    assert [r.id for r in view.rows] == [b, c]
    assert view.table.item(view.table.currentRow(), 0).text() == view.rows[0].display_id  # on to the next one
    view.include_asked.setChecked(True)
    settle(qtbot, app)
    assert [(r.id, r.state) for r in view.rows] == [(a, "Asked"), (b, "To ask"), (c, "To ask")]
    assert view.count.text() == "2 to ask, 1 asked, not answered"

    def answer(self):
        self.group.button(4).setChecked(True)
        self.comment.setPlainText("Quick, but I had to call twice")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(survey_view.RatingDialog, "exec", answer)
    view.table.selectRow(0)
    qtbot.mouseClick(view.rate, Qt.MouseButton.LeftButton)
    settle(qtbot, app)
    with app.store.session() as s:
        rated = s.get(Inquiry, a)
        assert (rated.feedback_rating, rated.feedback_comment, rated.survey_state) == (
            4, "Quick, but I had to call twice", SurveyState.ANSWERED)
    assert [r.id for r in view.rows] == [b, c]
    view.table.selectRow(1)
    view.declined.click()
    settle(qtbot, app)
    assert [r.id for r in view.rows] == [b]
    with qtbot.waitSignal(workspace.open_inquiry) as opened:
        view.open_button.click()
    assert opened.args == [b]


def test_the_weekly_analysis_shows_a_known_weeks_csat_and_top_theme(qtbot, app, clock):
    week = last_full_week(clock.t.date())
    assert week.key == "2025-W02"  # the clock is on Tuesday 14 January 2025
    now = clock.t
    with acting(app.store, clock=clock) as ctx:
        # Ratings of inquiries logged in W02: 5, 4, 5 -> 4.666..., shown 4.67; W01's single 3 is not in it.
        for day, rating in ((6, 5), (7, 4), (9, 5), (1, 3)):
            clock.t = datetime(2025, 1, day, 8, 0, tzinfo=UTC)
            inquiry = _resolved(ctx, "Charged twice for my ad", logged_at=clock.t)
            clock.advance(hours=2)
            svc.record_feedback(ctx, inquiry, rating, "Refund came quickly" if rating == 5 else None)
        clock.t = now
        for day, text in ((7, "I was charged twice and the refund never came"),
                          (8, "The payment page failed with my card, terrible"),
                          (9, "Site is slow to load in the evening"),
                          (13, "Charged twice again; this one is in the next week")):
            fb.record(ctx, text, "Email", received_at=datetime(2025, 1, day, 9, 0, tzinfo=UTC))
    ws = FeedbackWorkspace(app)
    qtbot.addWidget(ws)
    ws.show()
    assert ws.analysis is not None
    ws.tabs.setCurrentWidget(ws.analysis)
    settle(qtbot, app)
    view = ws.analysis
    assert view.week.currentData() == "2025-W02"
    assert [view.csat.item(0, c).text() for c in range(4)] == ["2025-W02", "4.67 / 5", "3", "✔ met"]
    assert [view.csat.item(1, c).text() for c in range(4)] == ["2025-W01", "3.00 / 5", "1", "✘ missed"]
    assert view.csat.rowCount() == 8
    assert "CSAT 4.67 / 5 ✔ met" in view.summary.text()
    assert "from 3 rating(s); 3 other feedback item(s)" in view.summary.text()
    assert [view.themes.item(0, c).text() for c in range(3)] == ["Payments", "2", "2"]  # top theme, both high
    assert view.themes.rowCount() == 2
    assert view.queries.item(0, 1).text() == "Charged twice for my ad" and view.queries.item(0, 2).text() == "3"
    assert view.complaints.item(0, 1).text() == "Payments"
    quotes = view.quotes.toPlainText()
    # Two ratings gave the same comment: quoted once.
    assert "Payments (3)" in quotes and quotes.count("“Refund came quickly (5/5)”") == 1
    assert quotes.index("“I was charged twice and the refund never came”") < quotes.index("Performance (1)")
    # Another week is computed when chosen: W01 has one rating of 3.
    view.week.setCurrentIndex(view.week.findData("2025-W01"))
    settle(qtbot, app)
    assert view.csat.item(0, 1).text() == "3.00 / 5" and "✘ missed" in view.summary.text()


def test_who_sees_what(qtbot, app, clock):
    with acting(app.store, clock=clock) as ctx:
        users = {role: create_staff_user(ctx, role.name.lower(), role.value, role, password="Correct-horse-9")
                 for role in (Role.MARKETING, Role.MODERATOR, Role.VIEWER)}
        ids = {role: (u.id, u.username, u.display_name) for role, u in users.items()}
    for role, (uid, name, display) in ids.items():
        app.user = SignedIn(uid, name, display, role)
        assert may_use_feedback(app) is (role is Role.MARKETING)
    # Marketing records and reads the analysis; it sees the survey worklist but marks nothing.
    app.user = SignedIn(*ids[Role.MARKETING], Role.MARKETING)
    ws = FeedbackWorkspace(app)
    qtbot.addWidget(ws)
    assert [ws.tabs.tabText(n) for n in range(ws.tabs.count())] == ["&Record", "&Survey", "&Weekly analysis"]
    assert ws.survey is not None and ws.survey.asked.isHidden() and ws.survey.rate.isHidden()
    assert ws.survey.open_button.isVisibleTo(ws.survey)


def test_the_received_time_is_office_time_and_follows_the_clock_unless_typed(qtbot, app, workspace, clock):
    view = workspace.record
    clock.advance(hours=3)
    workspace.activated()
    assert view.received_at() == clock.t
    view.received.setDateTime(QDateTime(datetime(2025, 1, 13, 23, 30)))
    assert view.received_at() == datetime(2025, 1, 13, 21, 30, tzinfo=UTC)  # Johannesburg is UTC+2
    clock.advance(hours=1)
    workspace.activated()  # a time typed in stays
    assert view.received_at() == datetime(2025, 1, 13, 21, 30, tzinfo=UTC)
