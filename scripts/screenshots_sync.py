"""Screenshots of the desktop app working with the central server, for docs/screenshots/sync-*.png.

    xvfb-run -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_sync.py

A throw-away server (SQLite) runs on loopback. The desktop on screen has been used on its own (300 demo
inquiries by its local staff) and connects as an Admin; another desktop, headless, edits the subject of
an inquiry that the desktop on screen edits too, so the conflicts dialog has something to show.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.sync_server import PASSWORD, BenchServer  # noqa: E402
from saypro_desktop.models import Inquiry  # noqa: E402
from saypro_desktop.services import demo_data  # noqa: E402
from saypro_desktop.services import inquiries as svc  # noqa: E402
from saypro_desktop.services.context import acting  # noqa: E402
from saypro_desktop.services.settings import load_settings  # noqa: E402
from saypro_desktop.services.staff import ensure_first_admin  # noqa: E402
from saypro_desktop.store import DataPaths, open_store  # noqa: E402
from saypro_desktop.sync.credentials import MemoryTokenStore  # noqa: E402
from saypro_desktop.sync.engine import SyncEngine, enroll, make_client  # noqa: E402
from saypro_desktop.ui.app_context import AppContext, SignedIn  # noqa: E402
from saypro_desktop.ui.changes import ChangeBus  # noqa: E402
from saypro_desktop.ui.conflicts_dialog import ConflictsDialog  # noqa: E402
from saypro_desktop.ui.connect_dialog import ConnectDialog  # noqa: E402
from saypro_desktop.ui.main_window import MainWindow  # noqa: E402
from saypro_desktop.ui.tasks import TaskRunner  # noqa: E402
from saypro_desktop.ui.theme import apply_theme  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait(qt: QApplication, until: Callable[[], bool], limit: float = 60.0, settle: float = 0.8) -> None:
    give_up = time.time() + limit
    while not until() and time.time() < give_up:
        qt.processEvents()
        time.sleep(0.01)
    if not until():
        raise RuntimeError("the app did not get there in time")
    end = time.time() + settle
    while time.time() < end:
        qt.processEvents()
        time.sleep(0.01)


def grab(widget: QWidget, name: str) -> None:
    g = widget.frameGeometry()
    widget.screen().grabWindow(0, g.x(), g.y(), g.width(), g.height()).save(str(OUT / name))
    print("wrote", OUT / name)


def _feed_unusable(db_url: str, inquiry_id: str) -> None:
    """Two changes on the server's feed that this version cannot apply (written past the push checks)."""
    from saypro_desktop.core.uuids import new_id
    from saypro_desktop.models.base import utcnow
    from saypro_server import feed
    from saypro_server.store.db import Database

    db = Database(db_url)
    stamp = "1900000000000-00000-000000000001"
    with db.write() as conn:
        feed.append(conn, "ad", new_id(), {"title": "Toyota Corolla 2015"}, {"title": stamp}, utcnow())
        feed.append(conn, "inquiry", inquiry_id, {"status": "Archived"}, {"status": stamp}, utcnow())
    db.dispose()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="saypro-shots-"))
    qt = QApplication([])
    apply_theme(qt, "light")
    with BenchServer("sqlite", work / "server") as server:
        server.create_user("boss", "Admin")
        server.create_user("sipho", "Support Agent")
        store = open_store(DataPaths(work / "desk"))
        demo_data.generate(store, 300, 3, 1, date.today())
        with store.session() as s:
            admin = ensure_first_admin(s)
            signed = SignedIn(admin.id, admin.username, admin.display_name, admin.role)
            settings = load_settings(s)
        app = AppContext(store, TaskRunner(), ChangeBus(), signed, settings)
        ui_state = QSettings(str(work / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(app, ui_state)
        window.sync.tokens = MemoryTokenStore()
        window.resize(1400, 860)
        window.move(0, 0)
        window.show()
        wait(qt, app.runner.idle)

        dialog = ConnectDialog(window.sync, "boss", window)
        dialog.server.setText(server.url)
        dialog.password.setText(PASSWORD)
        dialog.show()
        dialog.move(420, 300)
        wait(qt, lambda: True)
        grab(dialog, "sync-connect.png")
        finished: list[object] = []
        window.sync.finished.connect(finished.append)
        answered: list[str] = []

        def answer_message() -> None:  # the "you now work as …" notice is modal: photograph it, then OK
            box = QApplication.activeModalWidget()
            if isinstance(box, QMessageBox) and not answered:
                answered.append(box.text())
                grab(box, "sync-connected.png")
                box.accept()

        poll = QTimer(interval=200)
        poll.timeout.connect(answer_message)
        poll.start()
        dialog.connect_now()
        wait(qt, lambda: bool(finished) and app.runner.idle(), limit=300)

        print("connected and synced:", finished[-1].summary(), *finished[-1].rejected[:3], sep="\n  ")
        # Both desktops change the subject of one inquiry while apart.
        with store.session() as s:
            target = s.scalars(select(Inquiry).where(Inquiry.inquiry_ref.is_not(None))
                               .order_by(Inquiry.logged_at.desc())).first()
            ref = target.inquiry_ref
        other = open_store(DataPaths(work / "other"))
        client = make_client(other, server.url, MemoryTokenStore(), "sipho")
        enroll(other, client, "sipho", PASSWORD)
        print("the other desktop:", SyncEngine(other, client).run().summary())
        app.write(lambda ctx: [svc.update_inquiry(ctx, svc.get_inquiry(ctx, ref),
                                                  subject="Ad payment taken twice – refund one of them")], "inquiry")
        wait(qt, app.runner.idle)
        with acting(other, "sipho") as ctx:
            svc.update_inquiry(ctx, svc.get_inquiry(ctx, ref), subject="Charged twice for one Featured ad")
        SyncEngine(other, client).run()
        finished.clear()
        window.sync.sync_now()
        wait(qt, lambda: bool(finished) and app.runner.idle(), limit=120)
        window.sidebar.setCurrentRow(window.workspaces.index(window.inquiries))
        wait(qt, app.runner.idle, settle=1.5)
        grab(window, "sync-online.png")

        conflicts = ConflictsDialog(window.sync, window)
        conflicts.resize(760, 560)
        conflicts.show()
        conflicts.move(300, 120)
        wait(qt, lambda: conflicts.items.count() > 0, limit=30)
        grab(conflicts, "sync-conflicts.png")
        conflicts.close()

        # A newer server sends what this version cannot use: it is set aside, shown, and the rest applies.
        _feed_unusable(server.db_url, target.id)
        finished.clear()
        window.sync.sync_now()
        wait(qt, lambda: bool(finished) and app.runner.idle(), limit=120)
        print("after unusable changes:", finished[-1].summary())
        grab(window, "sync-set-aside.png")
        client.close()
        other.close()
        app.runner.shutdown()
        store.close()


if __name__ == "__main__":
    main()
