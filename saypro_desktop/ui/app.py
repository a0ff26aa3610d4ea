"""Start-up in the order of STYLE.md: paths, logging, database check/backup/migrations, sign-in, window."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtCore import QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from ..app_logging import setup_logging
from ..resources import resource_path
from ..services.settings import load_settings
from ..store import StoreError, open_store, resolve_data_dir
from ..sync.credentials import system_token_store
from .app_context import AppContext
from .changes import ChangeBus
from .signin import SignInDialog, first_run_admin
from .tasks import TaskRunner
from .theme import apply_theme

log = logging.getLogger(__name__)


def ui_state_for(root) -> QSettings:
    """Window geometry and view state, kept beside the data they describe."""
    return QSettings(str(root / "ui-state.ini"), QSettings.Format.IniFormat)


def run(args: argparse.Namespace) -> int:
    paths = resolve_data_dir(args.data_dir).ensure()
    log_file = setup_logging(paths.logs)
    qt = QApplication.instance() or QApplication(sys.argv[:1])
    qt.setApplicationName("SayPro Desk")
    qt.setOrganizationName("SayPro")
    qt.setWindowIcon(QIcon(str(resource_path("icons", "saypro.ico"))))
    ui_state = ui_state_for(paths.root)
    apply_theme(qt, str(ui_state.value("theme", "system")))
    log.info("starting; data folder %s", paths.root)
    try:
        store = open_store(paths)
    except StoreError as exc:
        QMessageBox.critical(None, "SayPro Desk cannot open its database",
                             f"{exc}\n\nThe log is in {log_file}.")
        return 2
    if store.problems:  # SQLite's quick check at open found damage: say so before anyone works on it
        QMessageBox.warning(None, "SayPro Desk: the database is damaged",
                            "SQLite's check of the database found problems:\n- " + "\n- ".join(store.problems[:5]) +
                            "\n\nWhat is shown may be incomplete and new changes may be lost. Close SayPro Desk, "
                            "run 'saypro-cli db check' for the details, then 'saypro-cli db restore' the newest good "
                            f"backup.\n\nThe log is in {log_file}.")
    runner, tokens = TaskRunner(), system_token_store()  # the sign-in may enrol with a server (on the pool)
    signin = SignInDialog(store, first_run_admin(store), runner=runner, tokens=tokens)
    if args.as_user:
        signin.username.setText(args.as_user)
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
