"""Start-up in the order of STYLE.md: paths, logging, database check/backup/migrations, sign-in, window.

Before all of it, a frame with the app's name is painted (``opening_frame``): this module imports only Qt at the
top, so that frame shows before SQLAlchemy, the models, alembic and the store load (docs/PERFORMANCE.md)."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from ..app_logging import setup_logging
from ..resources import resource_path
from .theme import apply_theme

log = logging.getLogger(__name__)


def opening_frame(qt: QApplication) -> QLabel:
    """The first thing on screen, painted at once: the app's icon and name while the store opens. It does no work
    and holds no data; the sign-in window replaces it. A plain label, not QSplashScreen: its show() waits up to a
    second for the window system to confirm the window (all of that second with the offscreen platform)."""
    scale = QFontMetrics(qt.font()).height()
    picture = QPixmap(scale * 22, scale * 7)
    picture.fill(QColor("#f4f6f8"))
    painter = QPainter(picture)
    qt.windowIcon().paint(painter, scale, scale, scale * 3, scale * 3)
    title = QFont(qt.font())
    title.setPointSizeF(title.pointSizeF() * 1.6)
    title.setBold(True)
    painter.setPen(QColor("#1f2933"))
    painter.setFont(title)
    painter.drawText(scale * 5, scale * 3, "SayPro Desk")
    painter.setFont(qt.font())
    painter.drawText(scale * 5, int(scale * 4.4), "SayPro Classified Office")
    painter.setPen(QColor("#52606d"))
    painter.drawText(scale * 5, int(scale * 5.8), "Opening the database…")
    painter.end()
    frame = QLabel()
    frame.setPixmap(picture)
    frame.setWindowFlags(Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
    frame.setWindowTitle("SayPro Desk")
    frame.setAccessibleName("SayPro Desk is starting")
    frame.resize(picture.size())
    frame.move(qt.primaryScreen().availableGeometry().center() - frame.rect().center())  # as a splash screen is
    frame.show()
    qt.processEvents()  # painted now, before the heavy imports below
    return frame


def ui_state_for(root) -> QSettings:
    """Window geometry and view state, kept beside the data they describe."""
    return QSettings(str(root / "ui-state.ini"), QSettings.Format.IniFormat)


def run(args: argparse.Namespace) -> int:
    qt = QApplication.instance() or QApplication(sys.argv[:1])
    qt.setApplicationName("SayPro Desk")
    qt.setOrganizationName("SayPro")
    qt.setWindowIcon(QIcon(str(resource_path("icons", "saypro.ico"))))
    frame = opening_frame(qt)
    from ..services.settings import load_settings  # SQLAlchemy, the models and alembic: after the frame shows
    from ..store import StoreError, open_store, resolve_data_dir
    from ..sync.credentials import system_token_store
    from .app_context import AppContext
    from .changes import ChangeBus
    from .signin import SignInDialog, first_run_admin
    from .tasks import TaskRunner

    paths = resolve_data_dir(args.data_dir).ensure()
    log_file = setup_logging(paths.logs)
    ui_state = ui_state_for(paths.root)
    apply_theme(qt, str(ui_state.value("theme", "system")))
    log.info("starting; data folder %s", paths.root)
    try:
        store = open_store(paths)
    except StoreError as exc:
        frame.close()
        QMessageBox.critical(None, "SayPro Desk cannot open its database",
                             f"{exc}\n\nThe log is in {log_file}.")
        return 2
    if store.problems:  # SQLite's quick check at open found damage: say so before anyone works on it
        frame.close()
        QMessageBox.warning(None, "SayPro Desk: the database is damaged",
                            "SQLite's check of the database found problems:\n- " + "\n- ".join(store.problems[:5]) +
                            "\n\nWhat is shown may be incomplete and new changes may be lost. Close SayPro Desk, "
                            "run 'saypro-cli db check' for the details, then 'saypro-cli db restore' the newest good "
                            f"backup.\n\nThe log is in {log_file}.")
    runner, tokens = TaskRunner(), system_token_store()  # the sign-in may enrol with a server (on the pool)
    signin = SignInDialog(store, first_run_admin(store), runner=runner, tokens=tokens)
    if args.as_user:
        signin.username.setText(args.as_user)
    frame.close()  # the sign-in window takes its place
    if signin.exec() != SignInDialog.DialogCode.Accepted or signin.user is None:
        runner.shutdown()
        store.close()
        return 0
    with store.session() as s:
        settings = load_settings(s)
    app = AppContext(store, runner, ChangeBus(), signin.user, settings)
    from .main_window import MainWindow  # imported after sign-in: the sign-in window shows without the workspaces

    window = MainWindow(app, ui_state, tokens=tokens)
    window.show()
    code = qt.exec()
    runner.shutdown()
    store.close()
    return code
