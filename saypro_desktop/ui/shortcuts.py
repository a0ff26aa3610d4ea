"""The keys of a window as a person can press them: menu titles and items, actions, buttons, label mnemonics
(Alt + the underlined letter) and tab titles. The Keyboard shortcuts dialog lists them, and a test walks every
window with them so that no key is taken twice."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMenu,
    QMenuBar,
    QTabBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

NATIVE = QKeySequence.SequenceFormat.NativeText
PORTABLE = QKeySequence.SequenceFormat.PortableText


@dataclass(frozen=True)
class KeyBinding:
    keys: str  # portable text: "Alt+H", "Ctrl+Shift+P"
    what: str  # what the key does, in the words on screen
    where: str  # "window", "File menu", a workspace's title
    shown_only: bool = False  # a menu item that shows a button's key ("Acknowledge\tAlt+K"): not a binding of its own


def _plain(text: str) -> str:
    text = text.partition("\t")[0]
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def mnemonic(text: str) -> str:
    """"Alt+X" for a text with "&X", else ""."""
    return QKeySequence.mnemonic(text).toString(PORTABLE)


def _shown(widget: QWidget, root: QWidget, only_visible: bool) -> bool:
    return not only_visible or widget is root or widget.isVisibleTo(root)


def window_bindings(root: QWidget, only_visible: bool = True, where: str = "window") -> list[KeyBinding]:
    """Keys that work together in ``root`` (a window or a workspace): widgets hidden in it (another page of a
    stack, another tab's page) are left out unless ``only_visible`` is False. Disabled widgets count: they are
    enabled as work goes on. Items inside menus are listed by ``menu_bindings``."""
    found: list[KeyBinding] = []
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        if not _shown(w, root, only_visible) or isinstance(w, QMenu):
            continue
        if isinstance(w, QMenuBar):
            found += [KeyBinding(mnemonic(a.text()), f"{_plain(a.text())} menu", where)
                      for a in w.actions() if mnemonic(a.text())]
            continue
        for a in w.actions():
            if not isinstance(w, QMenuBar):
                found += [KeyBinding(k.toString(PORTABLE), _plain(a.text()), where) for k in a.shortcuts()
                          if not k.isEmpty()]
        if isinstance(w, QAbstractButton) and not w.shortcut().isEmpty():
            found.append(KeyBinding(w.shortcut().toString(PORTABLE), _plain(w.text()) or w.accessibleName(), where))
        elif isinstance(w, QLabel) and w.buddy() is not None and mnemonic(w.text()):
            found.append(KeyBinding(mnemonic(w.text()), f"go to {_plain(w.text())}", where))
        elif isinstance(w, QTabBar):
            found += [KeyBinding(mnemonic(w.tabText(i)), f"{_plain(w.tabText(i))} tab", where)
                      for i in range(w.count()) if mnemonic(w.tabText(i))]
    for s in root.findChildren(QShortcut):
        parent = s.parent()
        if isinstance(parent, QWidget) and _shown(parent, root, only_visible) and not s.key().isEmpty():
            found.append(KeyBinding(s.key().toString(PORTABLE), s.whatsThis() or "shortcut", where))
    return found


def menu_bindings(menubar: QMenuBar) -> list[KeyBinding]:
    """Each menu item's shortcut (window-wide) and its mnemonic (within its menu, written "File: Alt+N")."""
    found: list[KeyBinding] = []

    def walk(menu: QMenu, name: str) -> None:
        for a in menu.actions():
            if a.isSeparator():
                continue
            if a.menu() is not None:
                walk(a.menu(), _plain(a.text()))
            for k in a.shortcuts():
                if not k.isEmpty():
                    found.append(KeyBinding(k.toString(PORTABLE), _plain(a.text()), f"{name} menu"))
            text, _, shown = a.text().partition("\t")
            if shown and not a.shortcuts():
                found.append(KeyBinding(QKeySequence(shown, NATIVE).toString(PORTABLE), _plain(text),
                                        f"{name} menu", shown_only=True))
            if mnemonic(a.text()):
                found.append(KeyBinding(f"{name}: {mnemonic(a.text())}", _plain(a.text()), f"{name} menu"))

    for top in menubar.actions():
        if top.menu() is not None:
            walk(top.menu(), _plain(top.text()))
    return found


def taken_twice(bindings: list[KeyBinding]) -> dict[str, list[str]]:
    """Keys bound to more than one thing: key -> what each does."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for b in bindings:
        if b.shown_only:
            continue
        by_key[b.keys.lower()].append(f"{b.what} ({b.where})")
    return {k: v for k, v in by_key.items() if len(v) > 1}


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every menu shortcut, then each workspace's own keys."""

    def __init__(self, menubar: QMenuBar, workspaces: list[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        rows = [b for b in menu_bindings(menubar) if ":" not in b.keys]
        for ws in workspaces:
            title = getattr(ws, "title", "") or ws.accessibleName()
            rows += [b for b in window_bindings(ws, only_visible=False, where=title)
                     if not b.keys.startswith("Alt+")]
        self.table = QTableWidget(len(rows) + 2, 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "Does", "Where"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        rows += [KeyBinding("Alt+letter", "the control or menu whose letter is underlined", "everywhere"),
                 KeyBinding("Tab / Shift+Tab", "next / previous field; Tab leaves a table", "everywhere")]
        for r, b in enumerate(rows):
            keys = b.keys if " " in b.keys or "letter" in b.keys else QKeySequence(b.keys).toString(NATIVE)
            for c, text in enumerate((keys, b.what, b.where)):
                self.table.setItem(r, c, QTableWidgetItem(text))
        fm = self.fontMetrics()
        self.table.verticalHeader().setDefaultSectionSize(fm.height() + 6)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(fm.horizontalAdvance("M") * 62, fm.height() * 36)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)


def drop_mnemonics(root: QWidget) -> None:
    """Take the Alt+letters off the labels in ``root`` (a form reused where its letters meet others')."""
    for label in root.findChildren(QLabel):
        if label.buddy() is not None and mnemonic(label.text()):
            label.setText(re.sub(r"&(?!&)", "", label.text().replace("&&", "\0")).replace("\0", "&&"))


def leave_on_tab(root: QWidget) -> None:
    """Tab and Shift+Tab leave every table and list in ``root`` (arrows move inside): Qt's default walks cell by
    cell and, in the inquiry list, past the last column onto the next inquiry."""
    for view in root.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)
