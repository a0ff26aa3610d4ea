"""What the desktop loads before its first window: nothing only a later action needs (docs/PERFORMANCE.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each is loaded on first use: a PDF (reportlab), a report preview (pypdfium2), a request to a server (httpx,
# and the command-line stack it imports when installed), the token store (keyring).
LATER = ("reportlab", "pypdfium2", "httpx", "rich", "click", "keyring")

START = """
import sys
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from saypro_desktop.services.settings import load_settings
from saypro_desktop.services.staff import ensure_first_admin
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.ui.app_context import AppContext, SignedIn
from saypro_desktop.ui.changes import ChangeBus
from saypro_desktop.ui.main_window import MainWindow
from saypro_desktop.ui.tasks import TaskRunner

qt = QApplication([])
root = Path(sys.argv[1])
store = open_store(DataPaths(root))
with store.session() as s:
    admin = ensure_first_admin(s)
    user = SignedIn(admin.id, admin.username, admin.display_name, admin.role)
    settings = load_settings(s)
app = AppContext(store, TaskRunner(), ChangeBus(), user, settings)
window = MainWindow(app, QSettings(str(root / "ui.ini"), QSettings.Format.IniFormat))
window.show()
for _ in range(20):
    qt.processEvents()
print("MODULES", *sorted(sys.modules))
app.runner.shutdown()
store.close()
"""


def test_the_main_window_opens_without_what_later_actions_load(tmp_path):
    done = subprocess.run([sys.executable, "-c", START, str(tmp_path / "data")], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    modules = done.stdout.split("MODULES", 1)[1].split()
    assert "saypro_desktop.ui.main_window" in modules and "sqlalchemy" in modules
    loaded = sorted({m.split(".")[0] for m in modules} & set(LATER))
    assert not loaded, f"loaded before they are needed: {loaded}"
    # It opens on the Dashboard: the other workspaces (and their modules) come when first shown.
    assert "saypro_desktop.ui.dashboard.workspace" in modules
    later = [f"saypro_desktop.ui.{name}.workspace" for name in ("moderation", "reports", "knowledge", "feedback")]
    assert not set(later) & set(modules)


def test_the_app_module_leaves_the_main_window_for_after_sign_in():
    code = "import sys, saypro_desktop.ui.app; print('MODULES', *sorted(sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr
    modules = done.stdout.split("MODULES", 1)[1].split()
    assert "PySide6.QtWidgets" in modules
    # The opening frame paints before the store and the sign-in window load (and SQLAlchemy with them).
    later = {"sqlalchemy", "alembic", "saypro_desktop.store", "saypro_desktop.models", "saypro_desktop.ui.signin",
             "saypro_desktop.ui.main_window"}
    assert not later & set(modules)


def test_a_calendar_for_its_time_zone_does_not_load_every_country():
    code = ("import sys\nfrom datetime import date\n"
            "from saypro_desktop.core.office_settings import OfficeSettings\n"
            "calendar = OfficeSettings().calendar()\n"
            "print('before', 'holidays.countries' in sys.modules)\n"
            "print('christmas', calendar.holiday_name(date(2025, 12, 25)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["before False", "christmas Christmas Day"]
