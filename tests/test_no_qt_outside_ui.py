"""The UI-free layers import no Qt (DESIGN: layers), checked on the source and at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QT = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "PySide2", "qtpy")


def _qt_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found += [f"{path.relative_to(ROOT)}:{node.lineno} imports {n}" for n in names if n.split(".")[0] in QT]
    return found


def test_no_module_outside_ui_imports_qt():
    offenders = []
    for package in ("saypro_desktop", "saypro_server"):
        for path in (ROOT / package).rglob("*.py"):
            if "ui" not in path.relative_to(ROOT).parts:
                offenders += _qt_imports(path)
    assert offenders == []


def test_the_checker_sees_a_qt_import(tmp_path):
    sample = ROOT / "tests" / "_qt_sample.py"
    sample.write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    try:
        assert _qt_imports(sample) == ["tests/_qt_sample.py:1 imports PySide6.QtCore"]
    finally:
        sample.unlink()


def test_importing_every_ui_free_module_loads_no_qt():
    code = (
        "import importlib, pkgutil, sys\n"
        "import saypro_desktop\n"
        "for m in pkgutil.walk_packages(saypro_desktop.__path__, 'saypro_desktop.'):\n"
        "    if '.ui' not in m.name and '.migrations' not in m.name and not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        f"print(sorted(k for k in sys.modules if k.split('.')[0] in {QT!r}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
