"""Desktop benchmark on the 100,000-inquiry store of bench_store.py (built there if missing).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_desktop.py [--inquiries 100000] [--compare DIR]

Measures, each in a fresh process: cold start to the first painted main window and to the first table
rows on screen; from ``saypro`` to the first paint of any window (the opening frame) and of the sign-in window; the
yardstick of the same run (a bare PySide6 window with a 200-row table, to its first paint) and the ratios to
it; filter and sort round trips of the inquiries list; resident memory after scrolling the whole list (every
page fetched; the cache stays bounded). ``--start-only`` stops after the cold starts. ``--compare DIR`` also
starts another checkout of the app (e.g. an older commit unpacked by ``git archive``), interleaved with this one's
on the same store and yardstick, so that a before and an after come from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def yardstick(t0: float) -> None:
    """The same machine's floor for a Qt start: a bare PySide6 window with a 200-row table, to its first paint.
    Absolute start-up times move from machine to machine; the app's are read as a multiple of this one."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem

    qt = QApplication([])
    window = QMainWindow()
    table = QTableWidget(200, 6)
    table.setHorizontalHeaderLabels(["ID", "Logged", "Status", "Priority", "Category", "Subject"])
    for row in range(200):
        for col, text in enumerate((f"SCMR-2511-{row:04d}", "01/11/2025 09:00", "In Progress", "High",
                                    "Payment/Billing", f"Charged twice for ad {row}")):
            table.setItem(row, col, QTableWidgetItem(text))
    window.setCentralWidget(table)
    window.resize(1280, 800)
    marks: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "first_paint_s" not in marks:
                marks["first_paint_s"] = time.time() - t0
                marks["first_paint_cpu_s"] = time.process_time()
                QTimer.singleShot(0, qt.quit)
            return False

    painter = FirstPaint()
    window.installEventFilter(painter)
    window.show()
    qt.exec()
    print(json.dumps({k: round(v, 3) for k, v in marks.items()}), flush=True)
    os._exit(0)


def sign_in_start(data_dir: str, t0: float) -> None:
    """What a user sees first: ``saypro`` (the real entry point) to the first paint of the sign-in window."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QDialog

    qt = QApplication([])  # the app's run() takes this one (QApplication.instance())
    marks: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and obj.isWidgetType() and obj.isWindow():
                marks.setdefault("first_window_s", time.time() - t0)  # whatever the app shows first
            if event.type() == QEvent.Type.Paint and isinstance(obj, QDialog) and "first_paint_s" not in marks:
                marks["first_paint_s"] = time.time() - t0
                marks["first_paint_cpu_s"] = time.process_time()
                QTimer.singleShot(0, obj.reject)  # run() then closes the store and returns
            return False

    painter = FirstPaint()
    qt.installEventFilter(painter)
    from saypro_desktop.cli.main import main

    main(["--data-dir", data_dir])
    print(json.dumps({k: round(v, 3) for k, v in marks.items()}), flush=True)
    os._exit(0)


def child(data_dir: str, mode: str, t0: float) -> None:
    """Runs inside the measured process."""
    if mode == "yardstick":
        yardstick(t0)
    if mode == "signin":
        sign_in_start(data_dir, t0)
    from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from saypro_desktop.core.periods import Period
    from saypro_desktop.services.inquiry_table import SavedView, TableQuery
    from saypro_desktop.services.settings import load_settings
    from saypro_desktop.services.staff import ensure_first_admin
    from saypro_desktop.store import DataPaths, open_store
    from saypro_desktop.ui.app_context import AppContext, SignedIn
    from saypro_desktop.ui.changes import ChangeBus
    from saypro_desktop.ui.main_window import MainWindow
    from saypro_desktop.ui.tasks import TaskRunner

    qt = QApplication([])
    store = open_store(DataPaths(Path(data_dir)))
    with store.session() as s:
        admin = ensure_first_admin(s)
        user = SignedIn(admin.id, admin.username, admin.display_name, admin.role)
        settings = load_settings(s)
    app = AppContext(store, TaskRunner(), ChangeBus(), user, settings)
    ui_state = QSettings(str(Path(data_dir) / "bench-ui.ini"), QSettings.Format.IniFormat)
    ui_state.setValue("main/workspace", 1)  # open on the Inquiries workspace
    window = MainWindow(app, ui_state)
    marks: dict[str, float] = {}

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and "first_paint_s" not in marks:
                marks["first_paint_s"] = time.time() - t0
                marks["first_paint_cpu_s"] = time.process_time()
            return False

    painter = FirstPaint()
    window.installEventFilter(painter)
    model = window.inquiries.model
    table = window.inquiries.table

    def rows_shown() -> None:
        if model.rowCount() and model.cached_rows():
            marks.setdefault("first_rows_s", time.time() - t0)
            qt.quit()
            return
        QTimer.singleShot(5, rows_shown)

    window.show()
    QTimer.singleShot(0, rows_shown)
    qt.exec()
    if mode == "start":
        print(json.dumps({k: round(v, 3) for k, v in marks.items()}), flush=True)
        os._exit(0)

    def wait(predicate, timeout=60.0) -> None:
        end = time.time() + timeout
        while not predicate() and time.time() < end:
            qt.processEvents()
            time.sleep(0.001)

    def round_trip(query) -> float:
        """From asking for a list to its first rows being ready to paint."""
        done: list[int] = []
        model.loaded.connect(done.append)
        t = time.perf_counter()
        model.reload(query)
        wait(lambda: bool(done))
        if done[0]:
            model.data(model.index(0, 0))
            wait(lambda: model.cached_rows() > 0)
        model.loaded.disconnect()
        return round((time.perf_counter() - t) * 1000, 1)

    base = dict(me=app.user.id, tz=settings.calendar().tz)
    out: dict[str, object] = {}
    for name, query in (
            ("filter_status_closed_ms", TableQuery(status="Closed", **base)),
            ("filter_closed_payment_ms", TableQuery(status="Closed", category="Payment/Billing", **base)),
            ("filter_month_ms", TableQuery(month=Period.month("2025-06"), **base)),
            ("filter_breached_view_ms", TableQuery(view=SavedView.BREACHED, **base)),
            ("filter_text_refund_ms", TableQuery(text="refund", **base)),
            ("sort_by_subject_ms", TableQuery(sort="subject", descending=False, **base)),
            ("sort_by_priority_ms", TableQuery(sort="priority", descending=False, **base)),
            ("sort_by_logged_desc_ms", TableQuery(**base))):
        out[name] = round_trip(query)
    out["rows"] = model.rowCount()
    out["rss_before_scroll_mb"] = round(rss_mb(), 1)
    t = time.perf_counter()
    for row in range(0, model.rowCount(), 200):
        table.scrollTo(model.index(row, 0))
        model.data(model.index(row, 0))
        wait(lambda r=row: model.data(model.index(r, 0)) != "…", timeout=10)
    out["scroll_whole_list_s"] = round(time.perf_counter() - t, 1)
    out["rss_after_scroll_mb"] = round(rss_mb(), 1)
    out["cached_rows_after_scroll"] = model.cached_rows()
    print(json.dumps(out), flush=True)
    app.runner.shutdown()
    store.close()
    os._exit(0)  # skip interpreter teardown: measured, nothing left to save


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--inquiries", type=int, default=100_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3, help="cold starts of the app and of the yardstick")
    ap.add_argument("--start-only", action="store_true", help="only the cold starts, not filter/sort/scroll")
    ap.add_argument("--compare", type=Path, help="another checkout whose cold starts are measured in the same run")
    ap.add_argument("--child", nargs=3, metavar=("DATA_DIR", "MODE", "T0"))
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], float(args.child[2]))
        return
    from bench.common import generated_store

    store, _ = generated_store(args.inquiries, args.months)
    data_dir = str(store.paths.root)
    store.close()
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}

    def start(mode: str, tree: Path = ROOT) -> dict[str, float]:
        t0 = time.time()  # the child is the tree's own bench script: it imports that tree's app
        out = subprocess.run([sys.executable, str(tree / "bench" / "bench_desktop.py"), "--child", data_dir, mode,
                              str(t0)], env=env, capture_output=True, text=True, check=True, cwd=tree)
        return json.loads(out.stdout.strip().splitlines()[-1])

    # Interleaved, so that a burst of other work on the machine falls on all alike.
    trees = [ROOT] + ([args.compare.resolve()] if args.compare else [])
    sticks: list[dict[str, float]] = []
    starts: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
    sign_ins: dict[Path, list[dict[str, float]]] = {tree: [] for tree in trees}
    for _ in range(args.runs):
        sticks.append(start("yardstick"))
        for tree in trees:
            sign_ins[tree].append(start("signin", tree))
            starts[tree].append(start("start", tree))
    stick = statistics.median(s["first_paint_s"] for s in sticks)
    stick_cpu = statistics.median(s["first_paint_cpu_s"] for s in sticks)

    def ratios(tree: Path) -> dict[str, object]:
        def median(runs: list[dict[str, float]], key: str) -> float:
            return statistics.median(s[key] for s in runs)

        return {
            "cold_start_runs": starts[tree], "sign_in_runs": sign_ins[tree],
            "sign_in_paint_vs_yardstick": round(median(sign_ins[tree], "first_paint_s") / stick, 2),
            # The first window of any kind (the opening frame; an older tree's first window was the sign-in).
            "first_window_vs_yardstick": round(statistics.median(s.get("first_window_s", s["first_paint_s"])
                                                                 for s in sign_ins[tree]) / stick, 2),
            "first_paint_vs_yardstick": round(median(starts[tree], "first_paint_s") / stick, 2),
            "first_rows_vs_yardstick": round(median(starts[tree], "first_rows_s") / stick, 2),
            # CPU seconds of the process (all its threads) by the first paint: less moved by other work.
            "first_paint_cpu_vs_yardstick": round(median(starts[tree], "first_paint_cpu_s") / stick_cpu, 2)}

    results: dict[str, object] = {"inquiries": args.inquiries, "yardstick_runs": sticks, **ratios(ROOT)}
    if args.compare:
        results["compare"] = {"tree": str(args.compare), **ratios(trees[1])}
    if args.start_only:
        print(json.dumps(results, indent=2))
        return
    out = subprocess.run([sys.executable, __file__, "--child", data_dir, "work", str(time.time())], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT)
    results.update(json.loads(out.stdout.strip().splitlines()[-1]))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
