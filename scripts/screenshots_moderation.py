"""Screenshots of the Moderation workspace for docs/screenshots/, on demo ads.

    xvfb-run -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_moderation.py [DATA_DIR]

Without DATA_DIR a temporary store gets 600 demo ads (``saypro demo-data --ads``). Signed in as the demo
Supervisor, so the scores tab is there too.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from saypro_desktop.services import demo_ads  # noqa: E402
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


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="saypro-mod-"))
    store = open_store(DataPaths(data))
    if len(sys.argv) <= 1:
        demo_ads.generate_ads(store, 600, months=1, seed=3)
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
    window.resize(1366, 768)
    window.move(0, 0)
    window.show()

    def shot(name: str) -> None:
        settle(qt, app)
        window.screen().grabWindow(0, 0, 0, window.frameGeometry().width(),
                                   window.frameGeometry().height()).save(str(OUT / name))
        print("wrote", OUT / name)

    assert window.moderation is not None
    window.sidebar.setCurrentRow(window.workspaces.index(window.moderation))
    settle(qt, app, 3)
    queue = window.moderation.queue
    risky = max(range(len(queue.rows)), key=lambda n: (queue.rows[n].risk or 0, -n), default=0)
    queue.table.selectRow(risky)
    shot("moderation-queue.png")
    window.moderation.tabs.setCurrentWidget(window.moderation.audit)
    shot("moderation-audit.png")
    assert window.moderation.scores is not None
    window.moderation.tabs.setCurrentWidget(window.moderation.scores)
    shot("moderation-scores.png")
    assert window.moderation.policy is not None
    window.moderation.tabs.setCurrentWidget(window.moderation.policy)
    window.moderation.policy.refresh()
    shot("moderation-policy.png")
    (OUT / ".screenshot-ui.ini").unlink(missing_ok=True)
    app.runner.shutdown()
    store.close()


if __name__ == "__main__":
    main()
