"""Every interactive widget of the main window can be named by a screen reader."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDateTimeEdit,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from saypro_desktop.ui.main_window import MainWindow
from tests.ui.conftest import wait_idle

INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QPlainTextEdit, QTextEdit, QAbstractItemView,
               QAbstractSpinBox, QDateTimeEdit)


def _named(w: QWidget, buddies: set[int]) -> bool:
    if w.accessibleName().strip():
        return True
    if isinstance(w, QAbstractButton) and w.text().replace("&", "").strip():
        return True
    return id(w) in buddies


def _unnamed(root: QWidget) -> list[str]:
    buddies = {id(lab.buddy()) for lab in root.findChildren(QLabel) if lab.buddy() is not None}
    missing = []
    for w in root.findChildren(QWidget):
        if isinstance(w, INTERACTIVE) and not _named(w, buddies):
            # Qt's own parts are named by their owner: a combo's popup list, a line edit's clear button,
            # a table's header, a spin box's editor.
            parent = w.parent()
            if isinstance(parent, (QComboBox, QAbstractSpinBox, QLineEdit)) or isinstance(w, QHeaderView):
                continue
            if isinstance(w, QListView) and type(parent).__name__ == "QFrame" and isinstance(
                    parent.parent(), QComboBox):
                continue
            if w.objectName().startswith("qt_"):
                continue
            missing.append(f"{type(w).__name__} in {type(w.parent()).__name__}")
    return missing


def test_main_window_widgets_all_have_accessible_names(qtbot, app, ui_state):
    window = MainWindow(app, ui_state)
    qtbot.addWidget(window)
    window.show()
    assert len(window.workspaces) == window.sidebar.count()  # each is built when first shown: all, for the walk
    wait_idle(qtbot, app)
    assert _unnamed(window) == []


def test_the_checker_finds_an_unnamed_field(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    QLineEdit(w)
    assert _unnamed(w) == ["QLineEdit in QWidget"]
