"""Imports go one way through the layers (docs/ARCHITECTURE.md), and the UI-free layers import no Qt (checked on
the source and at import time)."""

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


# saypro_desktop's packages from the bottom up: a module imports from its own layer or one below. The plain
# modules beside the packages (resources, machine_config, app_logging, the version) import none of them.
LAYERS = [{"core"}, {"models"}, {"store"}, {"reports"}, {"services"}, {"sync"}, {"cli", "ui", "selftest", "__main__"}]
BASE = {"__init__", "resources", "machine_config", "app_logging"}
# What the server takes from the desktop's packages: the domain, the models and the sync contract.
SERVER_MAY_IMPORT = ("saypro_desktop.core", "saypro_desktop.models", "saypro_desktop.sync.protocol")


def _imported(rel_path: Path, source: str, package: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of ``package``'s own modules in the file."""
    rel = rel_path.with_suffix("").parts
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel[:-1])[: len(rel) - node.level] if node.level > 1 else list(rel[:-1])
                names = [".".join([*base, *([node.module] if node.module else [])])]
                if not node.module:  # from . import x: each name may be a module
                    names = [f"{names[0]}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [(node.lineno, n) for n in names if n.split(".")[0] == package]
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in BASE:
        return None
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    package = ROOT / "saypro_desktop"
    assert not (package / top).is_dir() and not (package / f"{top}.py").exists(), f"{top} needs a place in LAYERS"
    return None  # a name defined in saypro_desktop/__init__.py (the version)


def _sources(package: str) -> list[tuple[Path, str]]:
    return [(p.relative_to(ROOT), p.read_text(encoding="utf-8")) for p in sorted((ROOT / package).rglob("*.py"))
            if "migrations" not in p.parts]


def layer_violations(desktop: list[tuple[Path, str]], server: list[tuple[Path, str]]) -> list[str]:
    found = []
    for rel, source in desktop:
        mine = _layer(".".join(rel.with_suffix("").parts))
        for line, module in _imported(rel, source, "saypro_desktop"):
            theirs = _layer(module)
            if theirs is not None and (mine is None or theirs > mine):
                found.append(f"{rel}:{line} imports {module}")
    for rel, source in server:
        for line, module in _imported(rel, source, "saypro_desktop"):
            if not module.startswith(SERVER_MAY_IMPORT):
                found.append(f"{rel}:{line} imports {module}")
    return found


def test_imports_go_down_the_layers_only():
    assert layer_violations(_sources("saypro_desktop"), _sources("saypro_server")) == []


def test_the_layer_check_sees_an_upward_import():
    upward = "from ..services import inquiries\nfrom saypro_desktop.sync import engine\nfrom ..models import Base\n"
    assert layer_violations([(Path("saypro_desktop/store/x.py"), upward)],
                            [(Path("saypro_server/x.py"), "from saypro_desktop.services.kpi import kpi\n")]) == [
        "saypro_desktop/store/x.py:1 imports saypro_desktop.services",
        "saypro_desktop/store/x.py:2 imports saypro_desktop.sync",
        "saypro_server/x.py:1 imports saypro_desktop.services.kpi",
    ]


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
