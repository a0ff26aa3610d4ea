"""Save and open dialogs that start in the user's Documents folder, then in the folder last used for the same
kind of file (a report PDF, a CSV of figures, an inquiry PDF, an attachment), remembered in ui-state.ini."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

_state: QSettings | None = None  # the window's ui-state.ini (MainWindow sets it); tests give their own
_memory: dict[str, str] = {}  # before that, or without it: this session only


def use_settings(state: QSettings | None) -> None:
    global _state
    _state = state


def documents_folder() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


def start_folder(kind: str) -> str:
    """The folder last used for ``kind``, if it is still there; else Documents."""
    last = _state.value(f"folders/{kind}") if _state is not None else _memory.get(kind)
    return str(last) if last and Path(str(last)).is_dir() else documents_folder()


def remember(kind: str, folder: Path) -> None:
    _memory[kind] = str(folder)
    if _state is not None:
        _state.setValue(f"folders/{kind}", str(folder))


def save_file(parent: QWidget | None, kind: str, title: str, name: str, filter_text: str,
              suffix: str = "") -> Path | None:
    """Ask where to save ``name``; the answer gets ``suffix`` when it lacks it. None: cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(start_folder(kind)) / name), filter_text)
    if not path:
        return None
    target = Path(path)
    if suffix and target.suffix.lower() != suffix:
        target = target.with_name(target.name + suffix)
    remember(kind, target.parent)
    return target


def open_file(parent: QWidget | None, kind: str, title: str, filter_text: str = "") -> Path | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, start_folder(kind), filter_text)
    if not path:
        return None
    remember(kind, Path(path).parent)
    return Path(path)
