"""The Settings dialog on a real store: what it saves, what it refuses, and what a Viewer may do."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QDialogButtonBox

from saypro_desktop.core.office_settings import OfficeSettings
from saypro_desktop.core.permissions import Role
from saypro_desktop.models import Setting
from saypro_desktop.services.context import acting
from saypro_desktop.services.settings import OFFICE_KEY, load_settings
from saypro_desktop.services.staff import create_staff_user
from saypro_desktop.ui import settings_dialog
from saypro_desktop.ui.app_context import SignedIn
from saypro_desktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import wait_idle


@pytest.fixture
def themes(monkeypatch) -> list[str]:
    """Themes applied, without restyling the one QApplication every other test shares."""
    applied: list[str] = []
    monkeypatch.setattr(settings_dialog, "apply_theme", lambda _qt, name: applied.append(name))
    return applied


@pytest.fixture
def dialog(qtbot, app, ui_state, themes):
    d = SettingsDialog(app, ui_state)
    qtbot.addWidget(d)
    d.show()
    return d


def _ok(qtbot, d: SettingsDialog) -> None:
    qtbot.mouseClick(d.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def _stored(app) -> dict | None:
    with app.store.session() as s:
        row = s.get(Setting, OFFICE_KEY)
        return None if row is None else dict(row.value)


def test_saves_hours_targets_and_holidays(qtbot, app, dialog):
    changes = []
    app.bus.changed.connect(lambda entity, ids: changes.append((entity, ids)))
    _, mon_opens, mon_closes = dialog.hours["Mon"]
    mon_opens.setTime(QTime(8, 0))
    mon_closes.setTime(QTime(17, 0))
    dialog.hours["Fri"][0].setChecked(False)
    sat_open, _, sat_closes = dialog.hours["Sat"]
    sat_open.setChecked(True)
    sat_closes.setTime(QTime(13, 0))
    dialog.targets["same_day"].setValue(90)
    dialog.targets["csat"].setValue(4.2)
    dialog.at_risk.setValue(30)
    dialog.extra_holidays.picker.setDate(QDate(2025, 12, 27))
    qtbot.mouseClick(dialog.extra_holidays.add_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        _ok(qtbot, dialog)
    with app.store.session() as s:
        saved = load_settings(s)
    assert saved.business_hours == {"Mon": ("08:00", "17:00"), "Tue": ("09:00", "18:00"), "Wed": ("09:00", "18:00"),
                                    "Thu": ("09:00", "18:00"), "Sat": ("09:00", "13:00")}
    assert (saved.targets.same_day, saved.targets.csat, saved.targets.first_contact_resolution) == (0.9, 4.2, 0.8)
    assert saved.sla.at_risk_fraction == 0.3
    assert saved.extra_holidays == ("2025-12-27",)
    assert saved.timezone == "Africa/Johannesburg"
    assert app.settings == saved
    assert changes == [("settings", [])]


def test_unchanged_settings_close_without_writing(qtbot, app, dialog):
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        _ok(qtbot, dialog)
    assert _stored(app) is None


@pytest.mark.parametrize("edit, message, tab", [
    (lambda d: d.timezone.setCurrentText("Mars/Olympus"),
     "Unknown time zone 'Mars/Olympus'; use an IANA name such as Africa/Johannesburg", 0),
    (lambda d: (d.hours["Tue"][1].setTime(QTime(18, 0)), d.hours["Tue"][2].setTime(QTime(9, 0))),
     "Business hours on Tue must open before they close (18:00-09:00)", 1),
    (lambda d: [d.hours[day][0].setChecked(False) for day in d.hours],
     "The calendar has no opening hours on any weekday", 1),
    (lambda d: d.country.setText("XX"), "No public holidays are known for 'XX'", 0),
    (lambda d: d.subdivision.setText("Nowhere"), "ZA has no holiday subdivision 'Nowhere'", 0),
])
def test_refuses_invalid_settings_with_a_visible_message(qtbot, app, dialog, edit, message, tab):
    dialog.tabs.setCurrentIndex(4)
    edit(dialog)
    _ok(qtbot, dialog)
    wait_idle(qtbot, app)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text().startswith(message)
    assert dialog.tabs.currentIndex() == tab  # the section with the problem is shown
    assert _stored(app) is None and app.settings == OfficeSettings()


def test_a_fixed_error_then_saves(qtbot, app, dialog):
    dialog.timezone.setCurrentText("Mars/Olympus")
    _ok(qtbot, dialog)
    assert dialog.error.isVisible()
    dialog.timezone.setCurrentText("Africa/Harare")
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        _ok(qtbot, dialog)
    assert _stored(app)["timezone"] == "Africa/Harare"


def test_a_viewer_sees_the_settings_read_only(qtbot, app, ui_state, themes):
    with acting(app.store) as ctx:
        viewer = create_staff_user(ctx, "viv", "Viv Viewer", Role.VIEWER)
        signed = SignedIn(viewer.id, viewer.username, viewer.display_name, viewer.role)
    d = SettingsDialog(replace(app, user=signed), ui_state)
    qtbot.addWidget(d)
    d.show()
    assert d.note.isVisible() and "Only an Admin" in d.note.text()
    for w in (d.timezone, d.country, d.hours["Mon"][1], d.ack_hours, d.targets["csat"], d.extra_holidays.add_button):
        assert not w.isEnabled()
    assert d.theme.isEnabled() and d.open_folder.isEnabled()
    d.theme.setCurrentIndex(d.theme.findData("dark"))
    with qtbot.waitSignal(d.accepted, timeout=2000):
        _ok(qtbot, d)
    wait_idle(qtbot, app)
    assert _stored(app) is None
    assert ui_state.value("theme") == "dark" and themes == ["dark"]


def test_theme_applies_at_once_and_cancel_puts_it_back(qtbot, app, ui_state, dialog, themes):
    assert dialog.data_folder.text() == str(app.store.paths.root) and dialog.data_folder.isReadOnly()
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    assert themes == ["dark"]
    dialog.reject()
    assert themes == ["dark", "system"] and ui_state.value("theme") is None


def test_removing_a_holiday_date(qtbot, app, ui_state, themes):
    app.settings = OfficeSettings(extra_holidays=("2025-12-27", "2025-12-29"))
    d = SettingsDialog(app, ui_state)
    qtbot.addWidget(d)
    assert d.extra_holidays.dates() == ("2025-12-27", "2025-12-29")
    d.extra_holidays.list.setCurrentRow(0)
    qtbot.mouseClick(d.extra_holidays.remove_button, Qt.MouseButton.LeftButton)
    assert d.build_settings().extra_holidays == ("2025-12-29",)
    d.extra_holidays.list.setCurrentRow(0)
    qtbot.keyClick(d.extra_holidays.list, Qt.Key.Key_Delete)
    assert d.extra_holidays.dates() == ()
