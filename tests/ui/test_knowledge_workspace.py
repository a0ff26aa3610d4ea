"""The Knowledge workspace as each role uses it: search while typing and read an article, vote, write and publish
an article (Marketing), an article the service refuses, a suggested edit accepted by an editor, what a Viewer
sees, and the canned reply editor."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from saypro_desktop.core.knowledge import ArticleStatus
from saypro_desktop.core.permissions import Role
from saypro_desktop.models import CannedReply, KbArticle, KbSuggestion, KbVote
from saypro_desktop.services import knowledge as kb
from saypro_desktop.services import knowledge_views, replies
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.ui.app_context import AppContext, SignedIn
from saypro_desktop.ui.knowledge import replies_view
from saypro_desktop.ui.knowledge.workspace import KnowledgeWorkspace
from saypro_desktop.ui.main_window import MainWindow
from tests.ui.conftest import wait_idle

CORPUS = [
    ("Duplicate charges and refunds", "Payment Issues",
     "# Charged twice?\n\nIf your card was **charged twice** for one ad, the second charge is refunded within "
     "5 working days.\n\n- Check the payment history first\n- A pending authorisation disappears on its own"),
    ("Paying for a featured ad", "Payment Issues",
     "Featured ads are paid by card or EFT. The ad is featured as soon as the payment clears."),
    ("Resetting your password", "Account Management",
     "Use 'Forgot password' on the sign-in page. The reset link is valid for one hour; check your spam folder."),
]


@pytest.fixture(autouse=True)
def warnings_shown(monkeypatch) -> list[str]:
    """A warning box would block the test: each is recorded instead (the tests expect none)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    return shown


@pytest.fixture
def corpus(app, clock) -> dict[str, str]:
    """The corpus, written by the first Admin; the first two articles are related."""
    with acting(app.store, clock=clock) as ctx:
        ids = {t: kb.add_article(ctx, t, c, b).id for t, c, b in CORPUS}
        kb.update_article(ctx, ctx.session.get(KbArticle, ids["Duplicate charges and refunds"]),
                          related=[ids["Paying for a featured ad"]])
    return ids


def as_role(app: AppContext, username: str, role: Role) -> AppContext:
    """The same store, runner and change bus, another signed-in user."""
    with acting(app.store) as ctx:
        user = create_staff_user(ctx, username, username.replace(".", " ").title(), role)
        signed = SignedIn(user.id, user.username, user.display_name, user.role)
    return replace(app, user=signed)


def open_workspace(qtbot, app: AppContext) -> KnowledgeWorkspace:
    ws = KnowledgeWorkspace(app)
    qtbot.addWidget(ws)
    ws.show()
    ws.activated()
    wait_idle(qtbot, app)
    return ws


def titles(ws: KnowledgeWorkspace) -> list[str]:
    return [r.title for r in ws.articles.model.rows]


def search(qtbot, ws: KnowledgeWorkspace, words: str) -> None:
    ws.articles.search.clear()
    qtbot.keyClicks(ws.articles.search, words)
    qtbot.waitUntil(lambda: not ws.articles._search_timer.isActive(), timeout=3000)
    wait_idle(qtbot, ws.app)


def test_search_while_typing_then_read_an_article_and_follow_a_related_link(qtbot, app, corpus, monkeypatch):
    agent = as_role(app, "lerato", Role.SUPPORT_AGENT)
    reads: list[tuple[str, bool]] = []
    real = knowledge_views.article_rows

    def counted(ctx, words="", **kw):
        reads.append((words, threading.current_thread() is threading.main_thread()))
        return real(ctx, words, **kw)

    monkeypatch.setattr(knowledge_views, "article_rows", counted)
    ws = open_workspace(qtbot, agent)
    assert titles(ws) == ["Duplicate charges and refunds", "Paying for a featured ad", "Resetting your password"]
    assert ws.tabs.count() == 1, "an agent has no inbox and no canned reply editor"
    reads.clear()
    qtbot.keyClicks(ws.articles.search, "refu")  # four key presses, one read once typing pauses
    qtbot.waitUntil(lambda: titles(ws) == ["Duplicate charges and refunds"], timeout=3000)
    wait_idle(qtbot, agent)
    assert reads == [("refu", False)], "debounced, and read on the pool, not on the GUI thread"
    # The best match is read at once: its Markdown rendered, owner and review date shown.
    reader = ws.articles.reader
    qtbot.waitUntil(lambda: reader.view is not None and reader.title.text() == "Duplicate charges and refunds")
    text = reader.browser.toPlainText()
    assert "Charged twice?" in text and "# Charged" not in text and "**" not in text, "Markdown, rendered"
    assert "refunded within 5 working days" in text
    assert "owner Administrator" in reader.meta.text() and "last reviewed 14/01/2025" in reader.meta.text()
    assert "Related articles" in text and "Paying for a featured ad" in text
    assert f"article:{corpus['Paying for a featured ad']}" in reader.browser.toHtml()
    # Down goes from the search box into the list.
    qtbot.keyClick(ws.articles.search, Qt.Key.Key_Down)
    assert ws.articles.table.hasFocus() and ws.articles.table.currentIndex().row() == 0
    # The related article opens from its link.
    reader.browser.anchorClicked.emit(QUrl(f"article:{corpus['Paying for a featured ad']}"))
    qtbot.waitUntil(lambda: reader.title.text() == "Paying for a featured ad", timeout=3000)
    assert "paid by card or EFT" in reader.browser.toPlainText()
    # The category filter narrows the search; Enter searches at once.
    search(qtbot, ws, "pa")
    assert set(titles(ws)) == {"Duplicate charges and refunds", "Paying for a featured ad",
                               "Resetting your password"}
    ws.articles.category.setCurrentIndex(ws.articles.category.findData("Account Management"))
    wait_idle(qtbot, agent)
    assert titles(ws) == ["Resetting your password"]
    search(qtbot, ws, "featured")
    assert titles(ws) == []
    assert "No article has all these words" in ws.articles.count.text()


def test_an_agent_votes_once_and_the_counts_follow(qtbot, app, corpus):
    agent = as_role(app, "lerato", Role.SUPPORT_AGENT)
    ws = open_workspace(qtbot, agent)
    search(qtbot, ws, "password")
    reader = ws.articles.reader
    qtbot.waitUntil(lambda: reader.view is not None and reader.view.title == "Resetting your password")
    assert reader.helpful.isVisible() and reader.helpful.isEnabled()
    qtbot.mouseClick(reader.helpful, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: reader.view.my_vote is True, timeout=3000)
    wait_idle(qtbot, agent)
    with agent.store.session() as s:
        votes = s.scalars(select(KbVote)).all()
        assert [(v.article_id, v.helpful, v.voter_id) for v in votes] == [
            (corpus["Resetting your password"], True, agent.user.id)]
    assert reader.votes.text() == "Helpful: 1 · Not helpful: 0 · You voted helpful"
    assert not reader.helpful.isEnabled() and not reader.not_helpful.isEnabled(), "one vote per person"
    assert ws.articles.model.data(ws.articles.model.index(0, 2)) == "+1 / −0"


def _fill(editor, title: str, body: str, category: str = "Ad Submission", status: str = "Published") -> None:
    editor.title.setText(title)
    editor.category.setCurrentIndex(editor.category.findData(category))
    editor.status.setCurrentIndex(editor.status.findData(status))
    editor.body.setPlainText(body)


def test_marketing_writes_a_draft_then_publishes_it_and_agents_find_it(qtbot, app, corpus):
    marketing = as_role(app, "johan", Role.MARKETING)
    agent = as_role(app, "lerato", Role.SUPPORT_AGENT)
    ws = open_workspace(qtbot, marketing)
    assert ws.articles.new_button.isVisible() and ws.articles.overdue.isVisible()
    assert ws.suggestions is not None and ws.replies is None, "Marketing edits articles, not canned replies"
    qtbot.mouseClick(ws.articles.new_button, Qt.MouseButton.LeftButton)
    editor = ws.articles.editor
    assert editor is not None and editor.isVisible()
    wait_idle(qtbot, marketing)
    assert editor.status.currentData() == "Draft", "a new article starts as a draft"
    _fill(editor, "Posting a job advert", "## Jobs\n\nChoose **Jobs**, then the sector. A job advert runs 30 days.",
          status="Draft")
    qtbot.waitUntil(lambda: "Jobs" in editor.preview.toPlainText(), timeout=2000)
    assert "##" not in editor.preview.toPlainText() and "**" not in editor.preview.toPlainText(), "live preview"
    related = next(editor.related.item(n) for n in range(editor.related.count())
                   if editor.related.item(n).text() == "Paying for a featured ad")
    related.setCheckState(Qt.CheckState.Checked)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=3000)
    wait_idle(qtbot, marketing)
    with app.store.session() as s:
        article = s.scalars(select(KbArticle).where(KbArticle.title == "Posting a job advert")).one()
        assert article.status is ArticleStatus.DRAFT and article.owner_id == marketing.user.id
        assert article.related_ids == [corpus["Paying for a featured ad"]]
        assert "30 days" in article.body
    assert ws.articles.reader.title.text() == "Posting a job advert" and "Draft" in ws.articles.reader.meta.text()
    # A draft: the agent does not find it yet.
    agent_ws = open_workspace(qtbot, agent)
    search(qtbot, agent_ws, "job advert")
    assert titles(agent_ws) == []
    # Publish it: Edit, status Published.
    qtbot.mouseClick(ws.articles.edit_button, Qt.MouseButton.LeftButton)
    editor = ws.articles.editor
    assert editor.title.text() == "Posting a job advert" and editor.status.currentData() == "Draft"
    editor.status.setCurrentIndex(editor.status.findData("Published"))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=3000)
    wait_idle(qtbot, marketing)
    search(qtbot, agent_ws, "job advert")
    assert titles(agent_ws) == ["Posting a job advert"]
    qtbot.waitUntil(lambda: agent_ws.articles.reader.title.text() == "Posting a job advert", timeout=3000)
    assert "Paying for a featured ad" in agent_ws.articles.reader.browser.toPlainText()


def test_an_article_the_service_refuses_shows_what_to_fix_and_keeps_the_text(qtbot, app, corpus):
    marketing = as_role(app, "johan", Role.MARKETING)
    ws = open_workspace(qtbot, marketing)
    editor = ws.articles.new_article()
    wait_idle(qtbot, marketing)
    _fill(editor, "FAQ", "Too short")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(editor.error.isVisible, timeout=3000)
    assert editor.isVisible(), "the form stays open"
    assert editor.title.text() == "FAQ" and editor.body.toPlainText() == "Too short", "nothing typed is lost"
    assert editor.status.currentData() == "Published" and editor.category.currentData() == "Ad Submission"
    assert editor.errors["title"].isVisible() and "5 to 200 characters" in editor.errors["title"].text()
    assert editor.errors["body"].isVisible() and "at least 20 characters" in editor.errors["body"].text()
    assert not editor.errors["review_every_days"].isVisible()
    assert "Not saved; please correct" in editor.error.text() and "- Title:" in editor.error.text()
    with app.store.session() as s:
        assert s.scalar(select(KbArticle).where(KbArticle.title == "FAQ")) is None
    # Fixed, it saves; the messages go.
    editor.title.setText("Frequently asked: renewing an ad")
    editor.body.setPlainText("Renew an ad from My Ads before it expires; renewing keeps its views.")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=3000)
    with app.store.session() as s:
        assert s.scalars(select(KbArticle).where(KbArticle.title == "Frequently asked: renewing an ad")).one()


def test_an_agent_suggests_an_edit_and_an_editor_accepts_it(qtbot, app, corpus):
    agent = as_role(app, "lerato", Role.SUPPORT_AGENT)
    supervisor = as_role(app, "nomsa", Role.SUPERVISOR)
    ws = open_workspace(qtbot, agent)
    search(qtbot, ws, "password")
    qtbot.waitUntil(lambda: ws.articles.reader.view is not None, timeout=3000)
    assert ws.articles.suggest_button.isVisible() and not ws.articles.edit_button.isVisible()
    qtbot.mouseClick(ws.articles.suggest_button, Qt.MouseButton.LeftButton)
    dialog = ws.articles.suggest_dialog
    assert dialog is not None and dialog.isVisible() and "Resetting your password" in dialog.windowTitle()
    dialog.text.setPlainText("short")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=3000)
    assert dialog.isVisible() and dialog.text.toPlainText() == "short" and "at least 10" in dialog.error.text()
    dialog.text.setPlainText("The reset link is valid for 30 minutes now, not one hour.")
    qtbot.mouseClick(dialog.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    # And a missing article.
    qtbot.mouseClick(ws.articles.missing_button, Qt.MouseButton.LeftButton)
    missing = ws.articles.suggest_dialog
    assert missing.windowTitle() == "Suggest a missing article"
    missing.text.setPlainText("How do I transfer an ad to another account?")
    qtbot.mouseClick(missing.send_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not missing.isVisible(), timeout=3000)
    wait_idle(qtbot, agent)

    editor_ws = open_workspace(qtbot, supervisor)
    assert editor_ws.suggestions is not None
    editor_ws.tabs.setCurrentWidget(editor_ws.suggestions)
    inbox = editor_ws.suggestions
    qtbot.waitUntil(lambda: len(inbox.rows) == 2, timeout=3000)
    assert [inbox.table.item(n, 0).text() for n in range(2)] == ["Resetting your password", "(a missing article)"]
    assert inbox.table.item(0, 2).text() == "Lerato"
    inbox.table.selectRow(0)
    assert "30 minutes" in inbox.text.toPlainText()
    qtbot.mouseClick(inbox.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor_ws.articles.editor is not None and editor_ws.articles.editor.isVisible(),
                    timeout=3000)
    editor = editor_ws.articles.editor
    assert editor.article is not None and editor.article.id == corpus["Resetting your password"]
    assert "30 minutes" in editor.note.text() and editor.note.isVisible(), "the suggestion beside the form"
    assert editor_ws.tabs.currentWidget() is editor_ws.articles
    editor.body.setPlainText(editor.body.toPlainText().replace("one hour", "30 minutes"))
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=3000)
    wait_idle(qtbot, supervisor)
    with app.store.session() as s:
        rows = {r.article_id: r for r in s.scalars(select(KbSuggestion))}
        accepted = rows[corpus["Resetting your password"]]
        assert accepted.outcome == "accepted" and accepted.handled_by_id == supervisor.user.id
        assert rows[None].outcome is None
        assert "30 minutes" in s.get(KbArticle, corpus["Resetting your password"]).body
    # Decline the other one: the inbox is empty.
    editor_ws.tabs.setCurrentWidget(inbox)
    qtbot.waitUntil(lambda: len(inbox.rows) == 1, timeout=3000)
    inbox.table.selectRow(0)
    qtbot.mouseClick(inbox.decline_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not inbox.rows, timeout=3000)
    assert inbox.heading.text() == "No suggested edit is waiting."
    with app.store.session() as s:
        assert s.scalars(select(KbSuggestion).where(KbSuggestion.article_id.is_(None))).one().outcome == "declined"


def test_overdue_articles_are_marked_filtered_and_marked_reviewed(qtbot, app, corpus, clock):
    clock.advance(days=200)  # past the 180-day review period of every article
    with acting(app.store, clock=clock) as ctx:
        kb.mark_reviewed(ctx, ctx.session.get(KbArticle, corpus["Paying for a featured ad"]))
    ws = open_workspace(qtbot, app)
    ws.articles.overdue.setChecked(True)
    wait_idle(qtbot, app)
    assert titles(ws) == ["Duplicate charges and refunds", "Resetting your password"]
    last_reviewed = ws.articles.model.columns.index("Last reviewed")
    assert ws.articles.model.data(ws.articles.model.index(0, last_reviewed)) == "14/01/2025 ⚠ overdue"
    ws.articles.table.selectRow(1)
    qtbot.waitUntil(lambda: ws.articles.reader.title.text() == "Resetting your password", timeout=3000)
    assert "review was due 13/07/2025" in ws.articles.reader.meta.text()
    qtbot.mouseClick(ws.articles.reviewed_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: titles(ws) == ["Duplicate charges and refunds"], timeout=3000)
    qtbot.waitUntil(lambda: not ws.articles.reader.view.overdue, timeout=3000)
    assert "last reviewed 02/08/2025" in ws.articles.reader.meta.text()


def test_a_viewer_reads_but_sees_no_editing_voting_or_suggesting(qtbot, app, corpus, ui_state):
    viewer = as_role(app, "viv", Role.VIEWER)
    ws = open_workspace(qtbot, viewer)
    assert titles(ws) == ["Duplicate charges and refunds", "Paying for a featured ad", "Resetting your password"]
    assert ws.tabs.count() == 1 and ws.suggestions is None and ws.replies is None
    ws.articles.table.selectRow(0)
    qtbot.waitUntil(lambda: ws.articles.reader.view is not None, timeout=3000)
    hidden = [ws.articles.new_button, ws.articles.edit_button, ws.articles.reviewed_button, ws.articles.overdue,
              ws.articles.suggest_button, ws.articles.missing_button, ws.articles.reader.helpful,
              ws.articles.reader.not_helpful]
    assert [b.text() for b in hidden if b.isVisibleTo(ws)] == []
    assert "Status" not in ws.articles.model.columns
    # In the main window, the Viewer has the Knowledge workspace too.
    window = MainWindow(viewer, ui_state, tokens=MemoryTokenStore())
    qtbot.addWidget(window)
    row = window.workspaces.index(window.knowledge)
    assert window.sidebar.item(row).text() == "Knowledge"
    wait_idle(qtbot, viewer)
    window.sync.stop()


def test_the_canned_reply_editor_refuses_an_unknown_placeholder(qtbot, app, monkeypatch):
    ws = open_workspace(qtbot, app)  # the first Admin
    assert ws.replies is not None
    ws.tabs.setCurrentWidget(ws.replies)
    view = ws.replies
    qtbot.waitUntil(lambda: len(view.items) == len(replies.BUILT_IN), timeout=3000)
    texts = [view.list.item(n).text() for n in range(view.list.count())]
    assert all("[built in]" in t for t in texts)
    assert view.placeholders.count() == 8 and "{inquiry_id}" in view.placeholders.item(2).text()
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    view.name.setText("refund-done")
    view.title.setText("Refund made")
    view.use.setCurrentIndex(view.use.findData("Resolution"))
    view.body.setPlainText("Dear {name}, your refund for {inquiry_id} is made. {unknown}")
    qtbot.waitUntil(view.problems.isVisible, timeout=2000)  # said while typing
    assert "Unknown placeholder {unknown}" in view.problems.text()
    calls: list[str] = []
    real_save = replies.save_reply
    monkeypatch.setattr(replies, "save_reply", lambda ctx, *a: calls.append(a[0]) or real_save(ctx, *a))
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, app)
    assert calls == [], "refused before it reaches the service"
    assert view.error.isVisible() and "unknown placeholder {unknown}" in view.error.text()
    # The service refuses it too (were the form's check skipped).
    monkeypatch.setattr(replies_view, "placeholder_problems", lambda text: [])
    view.error.hide()
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.error.isVisible, timeout=3000)
    assert calls == ["refund-done"] and "Body: unknown placeholder {unknown}" in view.error.text()
    assert view.body.toPlainText().endswith("{unknown}"), "the text stays to be fixed"
    with app.store.session() as s:
        assert s.scalars(select(CannedReply)).all() == []
    # Fixed: saved, listed, then removed.
    view.body.setPlainText("Dear {first_name}, your refund for {inquiry_id} is made.")
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(i.name == "refund-done" for i in view.items), timeout=3000)
    assert view.current() is not None and view.current().name == "refund-done" and not view.current().built_in
    assert view.remove_button.isEnabled()
    qtbot.mouseClick(view.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not any(i.name == "refund-done" for i in view.items), timeout=3000)
    with app.store.session() as s:
        assert [r.deleted for r in s.scalars(select(CannedReply))] == [True]
    # A refresh (a sync, a tab switch) never overwrites a reply being edited.
    view.list.setCurrentRow(0)
    view.body.setPlainText("Half-typed {name}")
    ws._changed("sync", [])
    wait_idle(qtbot, app)
    assert view.body.toPlainText() == "Half-typed {name}" and view.current().name == "ack"
    # A built-in reply cannot be removed.
    view.list.setCurrentRow(0)
    assert view.current().built_in and not view.remove_button.isEnabled()



def test_no_key_is_taken_twice_in_the_knowledge_dialogs(qtbot, app, corpus):
    from saypro_desktop.ui.shortcuts import taken_twice, window_bindings

    ws = open_workspace(qtbot, app)
    search(qtbot, ws, "password")
    qtbot.waitUntil(lambda: ws.articles.reader.view is not None, timeout=3000)
    dialogs = [ws.articles.new_article(), ws.articles.edit_article(), ws.articles.suggest(missing=False)]
    for dialog in dialogs:
        keys = window_bindings(dialog)
        assert len(keys) >= 2 and taken_twice(keys) == {}, dialog.windowTitle()
        dialog.reject()
    wait_idle(qtbot, app)
