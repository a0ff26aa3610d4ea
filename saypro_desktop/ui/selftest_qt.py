"""The Qt part of ``saypro selftest`` (loaded through importlib by ``saypro_desktop/selftest.py``).

It starts Qt the way the app does (a QApplication on the platform plugin of this machine, or "offscreen" on a
Linux machine without a display, where the default plugin would abort the process), loads the app icon and
paints a widget, so a bundle that lacks a platform, image or style plugin fails here rather than on a desk.
"""

from __future__ import annotations

import os
import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QLabel

from ..resources import APP_ICON_PNG, resource_path
from .x11_libraries import xcb_problem


def _needs_offscreen() -> bool:
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check_qt() -> str:
    app = QApplication.instance()
    if app is None:
        argv = ["saypro-selftest"]
        if _needs_offscreen():
            argv += ["-platform", "offscreen"]
        elif problem := xcb_problem():
            raise RuntimeError(problem)  # QApplication would abort the whole self-test
        app = QApplication(argv)
    icon = QIcon(str(resource_path(APP_ICON_PNG)))
    if icon.isNull():
        raise RuntimeError(f"Qt could not load the app icon {resource_path(APP_ICON_PNG)}")
    label = QLabel("SayPro Desk · Ngũgĩ")
    label.setWindowIcon(icon)
    pixmap = label.grab()
    label.deleteLater()
    if pixmap.isNull():
        raise RuntimeError("Qt could not paint a widget")
    style = app.style().name() if hasattr(app.style(), "name") else type(app.style()).__name__
    # Background sync listens for the network coming back; the window module loads every workspace.
    from PySide6.QtNetwork import QNetworkInformation

    from . import main_window  # noqa: F401

    backends = ", ".join(QNetworkInformation.availableBackends()) or "none"
    return (f"PySide6 {PYSIDE_VERSION}, Qt {qVersion()}, platform {QGuiApplication.platformName()}, style {style}, "
            f"network reachability backends: {backends}")
