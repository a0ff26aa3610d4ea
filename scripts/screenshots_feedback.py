"""Screenshots of the Feedback workspace for docs/screenshots/, on demo data, at a laptop's 1366x768.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots_feedback.py [DATA_DIR]

Without DATA_DIR a temporary store gets 800 demo inquiries over 3 months with their feedback
(``saypro demo-data``: feedback items from every channel, ratings and survey states). Signed in as the demo
Supervisor, who has all three tabs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from saypro_desktop.services import demo_data  # noqa: E402
from saypro_desktop.services.settings import load_settings  # noqa: E402
from saypro_desktop.services.staff import find_staff  # noqa: E402
from saypro_desktop.store import DataPaths, open_store  # noqa: E402
from saypro_desktop.ui.app_context import AppContext, SignedIn  # noqa: E402
from saypro_desktop.ui.changes import ChangeBus  # noqa: E402
from saypro_desktop.ui.main_window import MainWindow  # noqa: E402
from saypro_desktop.ui.tasks import TaskRunner  # noqa: E402
from saypro_desktop.ui.theme import apply_theme  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from screenshots import OUT, settle  # noqa: E402

WIDTH, HEIGHT = 1366, 768


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="saypro-feedback-"))
    store = open_store(DataPaths(data))
    if len(sys.argv) <= 1:
        demo_data.generate(store, 800, months=3, seed=4)
    qt = QApplication([])
    apply_theme(qt, "light")
    with store.session() as s:
        user = find_staff(s, "nomsa.dlamini")
        assert user is not None, "the store needs the demo staff (saypro demo-data)"
        signed = SignedIn(user.id, user.username, user.display_name, user.role)
        settings = load_settings(s)
    app = AppContext(store, TaskRunner(), ChangeBus(), signed, settings)
    ui_state = QSettings(str(OUT / ".screenshot-ui.ini"), QSettings.Format.IniFormat)
    ui_state.clear()
    window = MainWindow(app, ui_state)
    window.resize(WIDTH, HEIGHT)
    window.move(0, 0)
    window.show()

    def shot(name: str) -> None:
        settle(qt, app)
        window.screen().grabWindow(0, 0, 0, min(WIDTH, window.frameGeometry().width()),
                                   min(HEIGHT, window.frameGeometry().height())).save(str(OUT / name))
        print("wrote", OUT / name)

    ws = window.feedback
    assert ws is not None and ws.record is not None and ws.survey is not None and ws.analysis is not None
    window.show_workspace(ws)
    settle(qt, app, 2)
    record = ws.record
    record.source.setCurrentText("Social media")
    record.text.setPlainText("Paid for a featured ad on Friday and the card was charged twice. Still waiting for "
                             "the refund, very frustrating.")
    record.update_suggestion()
    record.table.selectRow(0)
    shot("feedback-record.png")
    record.text.setPlainText("ok")
    record.inquiry.setText("SCMR-2501-9999")
    record.save()
    settle(qt, app)
    shot("feedback-record-error.png")
    record.clear()
    ws.tabs.setCurrentWidget(ws.survey)
    settle(qt, app)
    ws.survey.table.selectRow(0)
    shot("feedback-survey.png")
    ws.tabs.setCurrentWidget(ws.analysis)
    settle(qt, app, 2)
    shot("feedback-analysis.png")
    (OUT / ".screenshot-ui.ini").unlink(missing_ok=True)
    app.runner.shutdown()
    store.close()


if __name__ == "__main__":
    main()
