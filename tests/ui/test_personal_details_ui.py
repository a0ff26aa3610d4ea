"""The app signed in as a Viewer on a standalone desktop (issue 13): the quick search, the inquiries list and the
detail with its history show no inquirer's detail, and a search by one finds nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from saypro_desktop.core.permissions import Role
from saypro_desktop.core.personal_details import WITHHELD
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.inquiries.table_model import COLUMNS
from saypro_desktop.ui.main_window import MainWindow
from tests.conftest import draft
from tests.ui.conftest import wait_idle


@pytest.fixture
def viewer_window(qtbot, app, ui_state, clock):
    with acting(app.store, clock=clock) as ctx:
        i = svc.create_inquiry(ctx, draft(subject="Renewal payment failed", user_full_name="Hélène Dubois",
                                          user_email="helene@example.org"))
        ctx.session.flush()
        svc.update_inquiry(ctx, i, user_email="helene.dubois@example.org")
        viewer = create_staff_user(ctx, "viv", "Viv Viewer", Role.VIEWER)
        ids = (i.id, i.display_id)
        app.user = SignedIn(viewer.id, viewer.username, viewer.display_name, viewer.role)
    w = MainWindow(app, ui_state)
    qtbot.addWidget(w)
    w.show()
    wait_idle(qtbot, app)
    return w, ids


def _quick(qtbot, window, words: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    window.search.clear()
    qtbot.keyClicks(window.search, words)


def test_a_viewer_sees_no_detail_in_search_list_detail_or_history(qtbot, app, viewer_window):
    window, (rid, ref) = viewer_window
    _quick(qtbot, window, "renewal")
    qtbot.waitUntil(lambda: window.search.hit_count() == 1, timeout=3000)
    assert [window.search.hits.item(0, c).text() for c in range(3)] == [ref, "Renewal payment failed", WITHHELD]
    _quick(qtbot, window, "helene")
    qtbot.wait(400)  # the drop-down's debounce and read
    wait_idle(qtbot, app)
    assert window.search.hit_count() == 0
    qtbot.keyClick(window.search, Qt.Key.Key_Return)  # Enter: the list's own search, by the name: nothing
    wait_idle(qtbot, app)
    ws = window.inquiries
    qtbot.waitUntil(lambda: ws.count.text() == "Search: 'helene' in all inquiries – 0 found", timeout=3000)
    ws.search.clear()
    wait_idle(qtbot, app)
    user = [k for k, _ in COLUMNS].index("user")
    qtbot.waitUntil(lambda: ws.model.rowCount() == 1 and ws.model.data(ws.model.index(0, user)) == WITHHELD,
                    timeout=3000)
    ws.detail.show_inquiry(rid)
    wait_idle(qtbot, app)
    detail = ws.detail
    qtbot.waitUntil(lambda: detail.detail is not None and detail.detail.id == rid, timeout=3000)
    assert detail.form.user_full_name.text() == WITHHELD and detail.form.user_email.text() == WITHHELD
    assert not detail.form.isEnabled()  # a Viewer edits nothing, so the placeholder can never be saved
    history = [detail.history.topLevelItem(n).text(3) for n in range(detail.history.topLevelItemCount())]
    assert any(f"user_email: {WITHHELD} → {WITHHELD}" in h for h in history)
    assert "helene" not in " ".join(history).lower()
