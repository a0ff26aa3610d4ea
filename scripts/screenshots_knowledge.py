"""Screenshots of the Knowledge workspace for docs/screenshots/, on a small help centre.

    xvfb-run -s "-screen 0 1440x900x24" .venv/bin/python scripts/screenshots_knowledge.py [DATA_DIR]

Without DATA_DIR a temporary store gets the demo staff and a dozen articles written by the demo Marketing user
(some of them last reviewed long ago), two suggested edits from an agent and a canned reply. Signed in as the demo
Supervisor, so the suggestions inbox and the canned replies are there too.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from saypro_desktop.models.base import utcnow  # noqa: E402
from saypro_desktop.services import knowledge, replies  # noqa: E402
from saypro_desktop.services.context import acting  # noqa: E402
from saypro_desktop.services.demo_data import ensure_demo_staff  # noqa: E402
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

# (title, category, body, days since the last review)
ARTICLES = [
    ("Duplicate charges and refunds", "Payment Issues",
     "# Charged twice for one ad?\n\nA second charge for the same ad is **refunded automatically within 5 working "
     "days**. Before you log a refund:\n\n1. Open *My Account → Payment history*.\n2. A line marked *pending* is an "
     "authorisation, not a charge: it disappears on its own within 3 days.\n3. Two lines marked *paid* for one ad "
     "are a duplicate: note both references.\n\nTell the user the refund goes back to the card used; the bank may "
     "take 2 more days to show it.", 20),
    ("Paying for a featured ad", "Payment Issues",
     "Featured ads are paid by card, EFT or SnapScan. The ad is featured as soon as the payment clears "
     "(EFT: up to 2 working days).", 40),
    ("Refunds for ads removed by moderation", "Payment Issues",
     "A paid ad that moderation removes within 24 hours is refunded in full; later, the unused days are refunded.",
     260),
    ("Why is my ad still pending?", "Ad Moderation & Policies",
     "Every ad is reviewed within 12 to 24 hours. Ads with missing details or images take longer; edit the ad to "
     "add them and it goes to the front of the queue.", 10),
    ("What may not be advertised", "Ad Moderation & Policies",
     "Weapons, medicines on prescription, counterfeit goods and live animals outside the Pets category are refused. "
     "See the full list in the site's Terms.", 400),
    ("Resetting your password", "Account Management",
     "Use *Forgot password* on the sign-in page. The reset link is valid for one hour; check the spam folder.", 200),
    ("Closing an account", "Account Management",
     "A user closes their account under *My Account → Settings*. Ads are removed at once; invoices are kept for "
     "five years as the law requires.", 30),
    ("Uploading photos", "Troubleshooting",
     "Photos must be JPEG or PNG, at least 320 × 240 pixels and at most 10 MB each. A slow connection may time "
     "out: try again on Wi-Fi.", 15),
    ("Posting a job advert", "Ad Submission",
     "Choose **Jobs**, then the sector. A job advert runs 30 days and must name the employer.", 60),
    ("Spotting a scam", "Safety & Security",
     "Never pay a deposit before seeing an item. Asking to move to WhatsApp at once, a price far below the market, "
     "and urgency are the usual signs.", 90),
]


def seed(store) -> None:
    ensure_demo_staff(store)
    now = utcnow()
    ids = {}
    for title, category, body, days in ARTICLES:  # each written (and so reviewed) some days ago
        with acting(store, "johan.botha", clock=lambda days=days: now - timedelta(days=days)) as ctx:
            ids[title] = knowledge.add_article(ctx, title, category, body).id
    with acting(store, "johan.botha") as ctx:
        knowledge.update_article(ctx, ctx.session.get(knowledge.KbArticle, ids["Duplicate charges and refunds"]),
                                 related=[ids["Refunds for ads removed by moderation"],
                                          ids["Paying for a featured ad"]])
        knowledge.add_article(ctx, "Renewing an ad before it expires", "Using the Site",
                              "Renew an ad from *My Ads* in its last 3 days; renewing keeps its views.",
                              status=knowledge.ArticleStatus.DRAFT)
    with acting(store, "lerato.mokoena") as ctx:
        for title in ("Duplicate charges and refunds", "Spotting a scam"):
            article = knowledge.get_article(ctx, title)
            knowledge.vote(ctx, article, True)
        knowledge.suggest_edit(ctx, knowledge.get_article(ctx, "Resetting your password"),
                               "The reset link is valid for 30 minutes since the October release, not one hour.")
        knowledge.suggest_edit(ctx, None, "Users ask weekly how to transfer an ad to another account; "
                                          "we have no article for it.")
    with acting(store, "nomsa.dlamini") as ctx:
        replies.save_reply(ctx, "refund-done", "Refund made", "Resolution",
                           "Dear {first_name}, the duplicate charge for {inquiry_id} was refunded to your card "
                           "today. Your bank may take up to 2 working days to show it.\n\n{agent}")


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="saypro-kb-"))
    store = open_store(DataPaths(data))
    if len(sys.argv) <= 1:
        seed(store)
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
    window.resize(1400, 860)
    window.move(0, 0)
    window.show()

    def shot(name: str, widget: QWidget | None = None) -> None:
        settle(qt, app)
        if widget is None:
            window.screen().grabWindow(0, 0, 0, window.frameGeometry().width(),
                                       window.frameGeometry().height()).save(str(OUT / name))
        else:
            widget.grab().save(str(OUT / name))
        print("wrote", OUT / name)

    ws = window.knowledge
    window.sidebar.setCurrentRow(window.workspaces.index(ws))
    settle(qt, app)
    ws.articles.search.setText("refund")
    settle(qt, app)
    ws.articles.table.selectRow(next(n for n, r in enumerate(ws.articles.model.rows)
                                     if r.title == "Duplicate charges and refunds"))
    shot("knowledge-articles.png")
    ws.articles.search.clear()
    ws.articles.overdue.setChecked(True)
    settle(qt, app)
    ws.articles.table.selectRow(0)
    shot("knowledge-overdue.png")
    ws.articles.overdue.setChecked(False)
    ws.articles.search.setText("charged twice")
    settle(qt, app)
    editor = ws.articles.edit_article()
    assert editor is not None
    editor.move(60, 40)
    shot("knowledge-editor.png", editor)
    editor.reject()
    editor = ws.articles.new_article()
    editor.title.setText("FAQ")
    editor.body.setPlainText("Coming soon")
    editor.save()
    settle(qt, app)
    shot("knowledge-editor-refused.png", editor)
    editor.reject()
    assert ws.suggestions is not None and ws.replies is not None
    ws.tabs.setCurrentWidget(ws.suggestions)
    settle(qt, app)
    shot("knowledge-suggestions.png")
    ws.tabs.setCurrentWidget(ws.replies)
    settle(qt, app)
    ws.replies.list.setCurrentRow(next(n for n, r in enumerate(ws.replies.items) if r.name == "refund-done"))
    ws.replies.body.moveCursor(ws.replies.body.textCursor().MoveOperation.End)
    ws.replies.body.insertPlainText(" {reference}")
    settle(qt, app)
    shot("knowledge-replies.png")
    (OUT / ".screenshot-ui.ini").unlink(missing_ok=True)
    app.runner.shutdown()
    store.close()


if __name__ == "__main__":
    main()
