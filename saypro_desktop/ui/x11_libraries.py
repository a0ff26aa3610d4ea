"""Before Qt starts on Linux: are the system libraries of Qt's X11 ("xcb") platform plugin there?

Without them QApplication aborts the process with "could not load the Qt platform plugin xcb", which says
nothing about what to install. A Debian without a full desktop lacks some of them (libxcb-icccm4,
libxcb-keysyms1, libxcb-cursor0...). This module imports no Qt, so it runs even where Qt's own libraries
would not load, and names the one apt-get line that fixes it. Windows, macOS, the offscreen platform (tests,
CI) and a Wayland session are left alone.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# What the xcb plugin (libqxcb.so, libQt6XcbQpa.so) and QtGui load beyond Qt itself, with the Debian package of
# each; PySide6 wheels bring Qt but not these. Listed from `ldd` on the plugin of PySide6 6.x.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
}


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` and its own dependencies (the way Qt will look)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(platform: str | None = None, env: Mapping[str, str] | None = None) -> bool:
    """Whether Qt would start on its xcb plugin here: Linux, and no other platform chosen or implied."""
    platform = sys.platform if platform is None else platform
    env = os.environ if env is None else env
    if not platform.startswith("linux"):
        return False
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        # "xcb", "xcb:display=..." or a list tried in order such as "wayland;xcb": the first one decides.
        return chosen.split(";")[0].split(":")[0].strip() == "xcb"
    return not (env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland")


def missing_xcb_libraries(lookup: Callable[[str], bool] | None = None) -> list[str]:
    """The sonames of ``XCB_LIBRARIES`` that ``lookup`` (default: ``loadable``) cannot find, in the table's order."""
    lookup = lookup or loadable
    return [soname for soname in XCB_LIBRARIES if not lookup(soname)]


def install_hint(missing: list[str]) -> str:
    """What to tell the user: the missing libraries and the apt-get line that brings them."""
    packages = " ".join(dict.fromkeys(XCB_LIBRARIES[s] for s in missing))
    return ("SayPro Desk cannot open its window: Qt's X11 (xcb) platform plugin needs system libraries that are "
            f"missing here: {', '.join(missing)}.\n"
            "On Debian or Ubuntu, install them with:\n"
            f"  sudo apt-get install {packages}\n"
            "then start SayPro Desk again. The command line works without them (saypro --help).")


def xcb_problem(platform: str | None = None, env: Mapping[str, str] | None = None,
                lookup: Callable[[str], bool] | None = None) -> str | None:
    """The message to show instead of starting Qt, or None when Qt can start (or will not use xcb)."""
    if not uses_xcb(platform, env):
        return None
    missing = missing_xcb_libraries(lookup)
    return install_hint(missing) if missing else None
