"""UI fixtures: one offscreen QApplication (pytest-qt), a real store, a real task runner, a signed-in user."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings

from saypro_desktop.services.settings import load_settings
from saypro_desktop.services.staff import ensure_first_admin
from saypro_desktop.ui.app_context import AppContext, SignedIn
from saypro_desktop.ui.changes import ChangeBus
from saypro_desktop.ui.tasks import TaskRunner


@pytest.fixture
def app(qapp, store, clock) -> Iterator[AppContext]:
    with store.session() as s:
        admin = ensure_first_admin(s)
        user = SignedIn(admin.id, admin.username, admin.display_name, admin.role)
        settings = load_settings(s)
    runner = TaskRunner()
    ctx = AppContext(store, runner, ChangeBus(), user, settings, clock)
    yield ctx
    runner.shutdown()


@pytest.fixture
def ui_state(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "ui-state.ini"), QSettings.Format.IniFormat)


def wait_idle(qtbot, app: AppContext, timeout: int = 5000) -> None:
    """Wait until every background task has finished and delivered its result."""
    qtbot.waitUntil(app.runner.idle, timeout=timeout)
    qtbot.wait(20)  # let queued result signals run


@pytest.fixture(autouse=True)
def answered_questions(monkeypatch) -> list[str]:
    """No modal question may block a test: each is recorded and answered Yes (or Discard where offered)."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def question(parent, title, text, buttons=None, *args, **kwargs):
        asked.append(title)
        if buttons is not None and buttons & QMessageBox.StandardButton.Discard:
            return QMessageBox.StandardButton.Discard
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked
