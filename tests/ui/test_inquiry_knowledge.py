"""Knowledge, canned replies and ratings where an inquiry is worked: articles suggested while the form is typed
and linked when it is saved, link / unlink / vote in the detail, a canned reply inserted into a step, the
acknowledgement with the reference number, the resolution check on inserted text, the rating of a resolved
inquiry."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from saypro_desktop.core.feedback import SurveyState
from saypro_desktop.core.knowledge import ReplyUse
from saypro_desktop.core.vocab import ActionKind, Status
from saypro_desktop.models import ActionStep, Inquiry, InquiryArticle, KbVote
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.knowledge import add_article
from saypro_desktop.services.replies import save_reply
from saypro_desktop.ui.inquiries import articles as articles_ui
from saypro_desktop.ui.inquiries.action_dialogs import AcknowledgeDialog, RatingDialog, ResolveDialog
from saypro_desktop.ui.inquiries.new_inquiry import NewInquiryDialog
from saypro_desktop.ui.inquiries.workspace import InquiriesWorkspace
from tests.conftest import draft
from tests.ui.conftest import wait_idle

CORPUS = (
    ("Refunds for a double charge", "Payment Issues",
     "If a card was **charged twice** for one ad, the second charge is refunded within 5 working days."),
    ("Resetting a forgotten password", "Account Management",
     "Use *Forgot password* on the sign-in page; the link in the email works for one hour."),
    ("Why an ad is still pending approval", "Ad Moderation & Policies",
     "Ads are reviewed within 12 to 24 hours of submission; an ad pending longer is escalated."),
)


@pytest.fixture
def corpus(app, clock) -> dict[str, str]:
    with acting(app.store, clock=clock) as ctx:
        return {title: add_article(ctx, title, category, body).id for title, category, body in CORPUS}


@pytest.fixture
def workspace(qtbot, app, ui_state):
    ws = InquiriesWorkspace(app, ui_state)
    qtbot.addWidget(ws)
    ws.resize(1366, 768)
    ws.show()
    wait_idle(qtbot, app)
    return ws


def _make(app, clock, **kw) -> str:
    with acting(app.store, clock=clock) as ctx:
        return svc.create_inquiry(ctx, draft(**kw)).id


def _open(qtbot, app, ws, rid):
    ws.show_inquiry(rid)
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: ws.detail.detail is not None and ws.detail.detail.id == rid)
    wait_idle(qtbot, app)


def _texts(view) -> list[str]:
    return [view.item(n).text() for n in range(view.count())]


def _links(app, rid) -> set[str]:
    with app.store.session() as s:
        return set(s.scalars(select(InquiryArticle.article_id).where(InquiryArticle.inquiry_id == rid,
                                                                     InquiryArticle.deleted.is_(False))))


def _select(view, article_id: str) -> None:
    row = next(n for n in range(view.count()) if view.item(n).data(articles_ui.ID) == article_id)
    view.setCurrentRow(row)


def test_suggestions_appear_while_typing_and_the_chosen_article_is_linked_on_save(qtbot, app, ui_state, corpus):
    d = NewInquiryDialog(app, ui_state)
    qtbot.addWidget(d)
    d.show()
    f, panel = d.form, d.articles
    f.mode.buttons["Phone"].setChecked(True)
    f.user_full_name.setText("Johan van der Merwe")
    f.user_email.setText("johan@example.org")
    f.user_type.buttons["Advertiser"].setChecked(True)
    f.category.buttons["Payment/Billing"].setChecked(True)
    f.subject.setText("Charged twice for one ad")
    assert panel.list.count() == 0 and panel._timer.isActive()  # debounced: nothing asked while typing
    qtbot.waitUntil(lambda: panel.list.count() > 0, timeout=3000)
    wait_idle(qtbot, app)
    refund = corpus["Refunds for a double charge"]
    assert panel.list.item(0).data(articles_ui.ID) == refund
    first = panel.list.item(0).text()
    assert first.startswith("Refunds for a double charge  ·  Payment Issues\n") and "charged twice" in first
    assert "[" not in first  # the search's match marks are not shown
    assert corpus["Why an ad is still pending approval"] not in [panel.list.item(n).data(articles_ui.ID)
                                                                 for n in range(panel.list.count())]

    # Enter reads the article, rendered from its Markdown, read-only.
    panel.list.setCurrentRow(0)
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(getattr(panel, "viewers", [])), timeout=3000)
    viewer = panel.viewers[-1]
    assert viewer.windowTitle() == "Refunds for a double charge"
    assert "charged twice for one ad" in viewer.browser.toPlainText() and "**" not in viewer.browser.toPlainText()
    assert viewer.browser.isReadOnly()
    assert d.isVisible() and d.save_button.isEnabled()  # Enter read the article; it did not save the form
    viewer.close()

    qtbot.mouseClick(panel.use_button, Qt.MouseButton.LeftButton)
    assert panel.chosen == {refund: "Refunds for a double charge"}
    # Typing on changes the suggestions; the chosen article stays, ticked, at the top.
    f.description.setPlainText("His new ad is pending approval since the charge.")
    pending = corpus["Why an ad is still pending approval"]
    qtbot.waitUntil(lambda: pending in [panel.list.item(n).data(articles_ui.ID)
                                        for n in range(panel.list.count())], timeout=3000)
    top = panel.list.item(0)
    assert top.data(articles_ui.ID) == refund and top.checkState() == Qt.CheckState.Checked
    assert "Linked when the inquiry is saved" in top.text()
    assert d.form.errors() == []
    with qtbot.waitSignal(d.created, timeout=5000) as created:
        d.save_button.click()
    rid, ref = created.args
    wait_idle(qtbot, app)
    assert ref == "SCMR-2501-0001" and _links(app, rid) == {refund}  # only the chosen one


def test_a_restored_draft_keeps_the_chosen_articles(qtbot, app, ui_state, corpus, answered_questions):
    d = NewInquiryDialog(app, ui_state)
    qtbot.addWidget(d)
    d.form.subject.setText("Ad pending approval for days")
    d.form.subject.textEdited.emit("Ad pending approval for days")
    qtbot.waitUntil(lambda: d.articles.list.count() > 0, timeout=3000)
    d.articles.list.setCurrentRow(0)
    d.articles.toggle_use()
    pending = corpus["Why an ad is still pending approval"]
    assert list(d.articles.chosen) == [pending]
    qtbot.waitUntil(lambda: "pending approval" in (app.store.paths.root / "drafts" / "new-inquiry.json")
                    .read_text(encoding="utf-8") if (app.store.paths.root / "drafts" / "new-inquiry.json").exists()
                    else False, timeout=3000)
    again = NewInquiryDialog(app, ui_state)  # as after a crash: the draft is offered back
    qtbot.addWidget(again)
    assert answered_questions == ["Unsaved inquiry found"] and list(again.articles.chosen) == [pending]
    wait_idle(qtbot, app)


def test_link_unlink_and_vote_in_the_detail(qtbot, app, workspace, clock, corpus):
    rid = _make(app, clock, subject="Charged twice", category="Payment/Billing",
                description="The card was charged twice for one ad.")
    refund = corpus["Refunds for a double charge"]
    _open(qtbot, app, workspace, rid)
    box = workspace.detail.knowledge
    workspace.detail.tabs.setCurrentIndex(workspace.detail.tabs.indexOf(box.parentWidget().parentWidget()))
    assert workspace.detail.tabs.tabText(workspace.detail.tabs.currentIndex()) == "Knowledge &base"
    assert _texts(box.linked) == ["No article linked yet: link one of the suggestions below."]
    assert box.suggested.item(0).data(articles_ui.ID) == refund
    _select(box.suggested, refund)
    qtbot.mouseClick(box.link, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    assert _links(app, rid) == {refund}
    qtbot.waitUntil(lambda: box.linked.count() == 1 and box.linked.item(0).data(articles_ui.ID) == refund)
    assert refund not in [box.suggested.item(n).data(articles_ui.ID) for n in range(box.suggested.count())]

    _select(box.linked, refund)
    assert box.helpful.isEnabled() and box.not_helpful.isEnabled()
    qtbot.mouseClick(box.helpful, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    with app.store.session() as s:
        votes = [(v.article_id, v.helpful, v.inquiry_id, v.voter_id) for v in s.scalars(select(KbVote))]
    assert votes == [(refund, True, rid, app.user.id)]
    qtbot.waitUntil(lambda: "1 helpful, 0 not · your vote: helpful" in box.linked.item(0).text())
    _select(box.linked, refund)
    assert not box.helpful.isEnabled() and not box.not_helpful.isEnabled()  # one vote each

    qtbot.mouseClick(box.unlink, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    assert _links(app, rid) == set()
    qtbot.waitUntil(lambda: _texts(box.linked) == ["No article linked yet: link one of the suggestions below."])
    assert box.suggested.item(0).data(articles_ui.ID) == refund  # suggested again


def test_insert_a_canned_reply_into_a_step(qtbot, app, workspace, clock):
    rid = _make(app, clock)
    _open(qtbot, app, workspace, rid)
    panel = workspace.detail
    button = panel.step_reply
    qtbot.waitUntil(button.isEnabled)
    names = [a.data() for a in button.menu().actions()]
    assert "ack" in names and "more-info" in names and "resolved" not in names  # not a resolution's reply
    panel.step_text.setPlainText("Called the user.")
    panel.step_text.moveCursor(panel.step_text.textCursor().MoveOperation.End)
    next(a for a in button.menu().actions() if a.data() == "more-info").trigger()
    wait_idle(qtbot, app)
    expected = "Called the user.\nDear Thandiwe, to help with SCMR-2501-0001 we need a little more information: "
    assert panel.step_text.toPlainText() == expected
    qtbot.mouseClick(panel.add_step_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    with app.store.session() as s:
        steps = list(s.scalars(select(ActionStep.text).where(ActionStep.inquiry_id == rid,
                                                             ActionStep.kind == ActionKind.NOTE)))
    assert steps == [expected.strip()]


def test_acknowledge_offers_the_reply_with_the_reference_number(qtbot, app, workspace, clock, monkeypatch):
    rid = _make(app, clock)
    _open(qtbot, app, workspace, rid)
    seen = []

    def fake_exec(dialog):
        qtbot.waitUntil(lambda: "SCMR-2501-0001" in dialog.reply.toPlainText(), timeout=3000)
        seen.append(dialog.reply.toPlainText())
        dialog._ok()
        return dialog.result()

    monkeypatch.setattr(AcknowledgeDialog, "exec", fake_exec)
    qtbot.mouseClick(workspace.detail.buttons["ack"], Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    assert seen[0].startswith("Dear Thandiwe Nkosi,") and "reference number SCMR-2501-0001" in seen[0]
    assert "{" not in seen[0] and seen[0].endswith("Administrator")
    with app.store.session() as s:
        inquiry = s.get(Inquiry, rid)
        ack = s.scalars(select(ActionStep.text).where(ActionStep.inquiry_id == rid,
                                                      ActionStep.kind == ActionKind.ACKNOWLEDGEMENT)).one()
        assert inquiry.acknowledged_at == clock.t and inquiry.status == Status.IN_PROGRESS
    assert "SCMR-2501-0001" in ack and ack.startswith("Receipt acknowledged to the user")


def test_an_inserted_resolution_reply_goes_through_the_wording_check(qtbot, app, clock):
    rid = _make(app, clock)
    with acting(app.store, clock=clock) as ctx:
        save_reply(ctx, "sorry-fixed", "Apology", ReplyUse.RESOLUTION,
                   "Unfortunately I fixed {subject} late. Reference {inquiry_id}.")
    d = ResolveDialog("", app=app, inquiry_id=rid)
    qtbot.addWidget(d)
    qtbot.waitUntil(d.replies.isEnabled, timeout=3000)
    assert sorted(a.data() for a in d.replies.menu().actions()) == ["resolved", "sorry-fixed"]
    next(a for a in d.replies.menu().actions() if a.data() == "sorry-fixed").trigger()
    wait_idle(qtbot, app)
    assert d.resolution.toPlainText() == "Unfortunately I fixed Ad still pending approval late. " \
                                         "Reference SCMR-2501-0001."
    assert 'first person "I"' in d.findings.text() and d.keep.isVisibleTo(d)
    d._ok()
    assert "Reword the flagged language" in d.message.text() and d.result() == 0
    d.resolution.clear()
    next(a for a in d.replies.menu().actions() if a.data() == "resolved").trigger()
    wait_idle(qtbot, app)
    assert d.findings.text() == "Language check: objective."
    assert d.values()["resolution"] == ("Resolved: Ad still pending approval. The user confirmed the outcome. "
                                        "Reference SCMR-2501-0001.")


def test_record_a_rating_on_a_resolved_inquiry(qtbot, app, workspace, clock, monkeypatch):
    rid = _make(app, clock)
    _open(qtbot, app, workspace, rid)
    panel = workspace.detail.user_feedback
    assert not panel.rate_button.isEnabled() and not panel.survey_asked.isEnabled()
    assert "once the inquiry is resolved; it is New" in panel.rate_button.toolTip()
    assert "Survey:</b> after the inquiry is resolved" in panel.label.text()

    def fake_exec(dialog):
        dialog.rating.set_value("4 – Satisfied")
        dialog.comment.setPlainText("Quick and friendly")
        dialog._ok()
        return dialog.result()

    monkeypatch.setattr(RatingDialog, "exec", fake_exec)
    panel.rate()  # past the greyed-out button (the inquiry reopened on another desktop): the service refuses
    wait_idle(qtbot, app)
    assert "feedback is collected once the inquiry is resolved" in workspace.detail.error.text()
    with app.store.session() as s:
        assert s.get(Inquiry, rid).feedback_rating is None
    with acting(app.store, clock=clock) as ctx:
        inquiry = svc.get_inquiry(ctx, rid)
        svc.change_status(ctx, inquiry, Status.RESOLVED, resolution="The ad was approved.", user_confirmation="Yes",
                          handled_by=ctx.actor)
    workspace.detail.show_inquiry(rid)
    wait_idle(qtbot, app)
    qtbot.waitUntil(panel.rate_button.isEnabled)
    assert "Survey:</b> To ask" in panel.label.text()

    qtbot.mouseClick(panel.survey_asked, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    qtbot.waitUntil(lambda: "Survey:</b> Asked 14/01/2025 10:00" in panel.label.text())

    qtbot.mouseClick(panel.rate_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    with app.store.session() as s:
        saved = s.get(Inquiry, rid)
        assert (saved.feedback_rating, saved.feedback_comment, saved.survey_state) == (
            4, "Quick and friendly", SurveyState.ANSWERED)
    qtbot.waitUntil(lambda: "4/5 “Quick and friendly”" in panel.label.text())
    assert "Survey:</b> Answered" in panel.label.text()
    assert not panel.survey_declined.isEnabled() and panel.rate_button.isEnabled()  # a correction stays possible


def test_a_rating_dialog_needs_a_rating(qtbot):
    d = RatingDialog("SCMR-2501-0001")
    qtbot.addWidget(d)
    d._ok()
    assert d.result() == 0 and "Choose the rating" in d.message.text()
    d.rating.set_value("2 – Dissatisfied")
    d._ok()
    assert d.result() == 1 and d.values() == {"rating": 2, "comment": None}
