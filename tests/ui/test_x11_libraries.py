"""The check before Qt starts on Linux: missing X11 libraries are named with the apt-get line that brings them."""

from __future__ import annotations

import sys

import pytest

from saypro_desktop.cli.main import main
from saypro_desktop.ui import x11_libraries as x11
from saypro_desktop.ui.x11_libraries import XCB_LIBRARIES, missing_xcb_libraries, uses_xcb, xcb_problem

# A Debian 12 without a desktop: the three libraries the issue saw missing.
BARE_DEBIAN = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"}


def bare_debian(soname: str) -> bool:
    return soname not in BARE_DEBIAN


@pytest.mark.parametrize(("platform", "env", "expected"), [
    ("linux", {}, True),
    ("linux", {"DISPLAY": ":0"}, True),
    ("linux", {"QT_QPA_PLATFORM": "xcb"}, True),
    ("linux", {"QT_QPA_PLATFORM": "xcb:display=:1"}, True),
    ("linux", {"QT_QPA_PLATFORM": "xcb;wayland"}, True),
    ("linux", {"QT_QPA_PLATFORM": "offscreen"}, False),
    ("linux", {"QT_QPA_PLATFORM": "wayland;xcb"}, False),
    ("linux", {"WAYLAND_DISPLAY": "wayland-0"}, False),
    ("linux", {"XDG_SESSION_TYPE": "wayland"}, False),
    ("win32", {}, False),
    ("darwin", {"QT_QPA_PLATFORM": "xcb"}, False),
])
def test_only_linux_on_the_xcb_platform_is_checked(platform, env, expected):
    assert uses_xcb(platform, env) is expected


def test_the_missing_libraries_are_named_with_one_apt_get_line():
    assert missing_xcb_libraries(bare_debian) == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    message = xcb_problem("linux", {"DISPLAY": ":0"}, bare_debian)
    assert message is not None
    assert "libxcb-icccm.so.4" in message
    install = [line.strip() for line in message.splitlines() if "apt-get" in line and "sudo" in line]
    assert install == ["sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1"]


def test_nothing_to_say_when_every_library_is_there():
    assert xcb_problem("linux", {}, lambda soname: True) is None


def test_other_platforms_never_look_up_a_library():
    def lookup(soname: str) -> bool:
        raise AssertionError(f"looked up {soname}")

    assert xcb_problem("win32", {}, lookup) is None
    assert xcb_problem("linux", {"QT_QPA_PLATFORM": "offscreen"}, lookup) is None


def test_every_library_has_a_debian_package():
    assert all(s.startswith("lib") and ".so." in s for s in XCB_LIBRARIES)
    assert all(p and p == p.lower() for p in XCB_LIBRARIES.values())


def test_the_real_lookup_finds_the_c_library_and_not_a_made_up_one():
    if not sys.platform.startswith("linux"):
        pytest.skip("sonames are Linux's")
    assert x11.loadable("libc.so.6")
    assert not x11.loadable("libsaypro-no-such-library.so.9")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the check runs on Linux only")
def test_starting_the_app_stops_with_the_hint_before_qt(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    monkeypatch.setattr(x11, "loadable", bare_debian)
    code = main(["--data-dir", str(tmp_path / "data")])
    err = capsys.readouterr().err
    assert code == 3
    assert "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1" in err
