"""Screenshots of the desktop app as a person sees it, for docs/screenshots/.

    xvfb-run -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots.py [DATA_DIR]

DATA_DIR defaults to the 100,000-inquiry benchmark store (bench/bench_store.py builds it). The window
runs on a real X server (Xvfb), signed in as the first Admin, and each view is captured from the screen.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from saypro_desktop.services.settings import load_settings  # noqa: E402
from saypro_desktop.services.staff import ensure_first_admin, find_staff  # noqa: E402
from saypro_desktop.store import DataPaths, open_store  # noqa: E402
from saypro_desktop.ui.app_context import AppContext, SignedIn  # noqa: E402
from saypro_desktop.ui.changes import ChangeBus  # noqa: E402
from saypro_desktop.ui.main_window import MainWindow  # noqa: E402
from saypro_desktop.ui.tasks import TaskRunner  # noqa: E402
from saypro_desktop.ui.theme import apply_theme  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(qt: QApplication, app: AppContext, seconds: float = 1.5, limit: float = 60.0) -> None:
    """Let queued work and paints finish (at most ``limit`` seconds)."""
    end, give_up = time.time() + seconds, time.time() + limit
    while (time.time() < end or not app.runner.idle()) and time.time() < give_up:
        qt.processEvents()
        time.sleep(0.01)
    if not app.runner.idle():
        print("warning: background work still running", file=sys.stderr)


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "out" / "store-100000-12-1"
    qt = QApplication([])
    apply_theme(qt, "light")
    store = open_store(DataPaths(data))
    with store.session() as s:
        user = find_staff(s, "lerato.mokoena") or ensure_first_admin(s)
        signed = SignedIn(user.id, user.username, user.display_name, user.role)
        settings = load_settings(s)
    app = AppContext(store, TaskRunner(), ChangeBus(), signed, settings)
    ui_state = QSettings(str(OUT / ".screenshot-ui.ini"), QSettings.Format.IniFormat)
    ui_state.clear()
    window = MainWindow(app, ui_state)
    window.resize(1400, 860)
    window.move(0, 0)
    window.show()
    OUT.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        settle(qt, app)
        window.screen().grabWindow(0, 0, 0, window.frameGeometry().width(),
                                   window.frameGeometry().height()).save(str(OUT / name))
        print("wrote", OUT / name)

    shot("dashboard.png")
    window.sidebar.setCurrentRow(window.workspaces.index(window.inquiries))
    shot("inquiries-list.png")
    ws = window.inquiries
    print("selecting a view", file=sys.stderr)
    ws.views.setCurrentRow(1)  # My open
    settle(qt, app)
    print("view has", ws.model.rowCount(), file=sys.stderr)
    if ws.model.rowCount() == 0:
        ws.views.setCurrentRow(0)
        settle(qt, app)
    ws.table.selectRow(0)
    ws.detail.tabs.setCurrentIndex(1)
    shot("inquiry-detail.png")
    window.inquiries.new_inquiry()
    settle(qt, app, 0.8)
    dialog = next(w for w in qt.topLevelWidgets() if w.windowTitle() == "New inquiry")
    dialog.move(200, 20)
    settle(qt, app, 0.5)
    dialog.screen().grabWindow(0, dialog.x(), dialog.y(), dialog.frameGeometry().width(),
                               dialog.frameGeometry().height()).save(str(OUT / "new-inquiry.png"))
    print("wrote", OUT / "new-inquiry.png")
    (OUT / ".screenshot-ui.ini").unlink(missing_ok=True)
    app.runner.shutdown()
    store.close()


if __name__ == "__main__":
    main()
