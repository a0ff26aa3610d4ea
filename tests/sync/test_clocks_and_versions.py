"""Desktop clocks hours apart, and a desktop too old for the server: real server on loopback, real stores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from saypro_desktop.core import hlc as hlc_module
from saypro_desktop.core.validation import InquiryDraft
from saypro_desktop.models import ChangeLogEntry, Inquiry, Setting
from saypro_desktop.services import inquiries as svc
from saypro_desktop.sync.client import UpgradeRequired
from saypro_desktop.sync.engine import CURSOR, pending_count
from saypro_desktop.sync.protocol import PROTOCOL_VERSION
from saypro_server.store.schema import conflict
from tests.sync.conftest import Desktop, edit


def _draft(subject: str) -> InquiryDraft:
    return InquiryDraft(subject=subject, category="Technical Issue", mode="Email", user_type="Registered User",
                        user_full_name="Nomvula Sithole", user_email="nomvula@example.org")


class _SkewedTime:
    def __init__(self, hours: float) -> None:
        self.offset = hours * 3600

    def time(self) -> float:
        return time.time() + self.offset


@contextmanager
def clock_off_by(monkeypatch: pytest.MonkeyPatch, hours: float) -> Iterator[None]:
    """The desktop's wall clock (as its hybrid logical clock reads it) is ``hours`` off while inside."""
    with monkeypatch.context() as m:
        m.setattr(hlc_module, "time", _SkewedTime(hours))
        yield


def _subject(desk: Desktop, ref: str) -> str:
    with desk.work() as ctx:
        return edit(ctx, ref).subject


def _set_subject(desk: Desktop, ref: str, subject: str) -> None:
    with desk.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, ref), subject=subject)


@pytest.mark.parametrize("b_hours", [-6, 6], ids=["b-six-hours-slow", "b-six-hours-fast"])
def test_clocks_hours_apart_never_let_an_earlier_edit_win(desktops, live_server, monkeypatch, b_hours):
    """Each edit is made after its author saw the previous one, so each must win, whatever the clocks say.
    By wall clock alone, a slow desktop's later edit would lose, and a fast desktop's earlier edit would
    beat the next one made elsewhere."""
    a = desktops("a", "agent.a")
    with clock_off_by(monkeypatch, b_hours):
        b = desktops("b", "agent.b")
    with a.work() as ctx:
        ref = svc.create_inquiry(ctx, _draft("Cannot upload photos")).inquiry_ref
    a.sync()
    with clock_off_by(monkeypatch, b_hours):
        b.sync()

    rounds = [(a, "A: cannot upload photos on Android"), (b, "B: photo upload fails on Android 14"),
              (a, "A: photo upload fails on Android 14 (Chrome)"), (b, "B: photo upload fails in Chrome on Android")]
    for desk, subject in rounds:
        with clock_off_by(monkeypatch, b_hours if desk is b else 0):
            desk.sync()  # sees the previous edit first
            _set_subject(desk, ref, subject)
            desk.sync()
        for other in (a, b):
            with clock_off_by(monkeypatch, b_hours if other is b else 0):
                other.sync()
        assert _subject(a, ref) == _subject(b, ref) == subject
    with live_server.db.read() as conn:
        assert conn.scalar(select(func.count()).select_from(conflict)) == 0, "sequential edits are no conflict"
    if b_hours < 0:  # the slow desktop stamped its edits after A's, hours ahead of its own wall clock
        with b.store.session() as s:
            row_id = s.scalar(select(Inquiry.id).where(Inquiry.inquiry_ref == ref))
            stamps = s.scalars(select(ChangeLogEntry.hlc).where(ChangeLogEntry.row_id == row_id)).all()  # B's own
        b_wall_ms = (time.time() + b_hours * 3600) * 1000
        assert len(stamps) == 2 and all(int(st.split("-")[0]) > b_wall_ms + 3_600_000 for st in stamps)


def test_an_out_of_date_desktop_is_told_to_update_and_keeps_its_data_and_its_outbox(desktops):
    a, b = desktops("a", "agent.a"), desktops("b", "agent.b")
    with a.work() as ctx:
        ref = svc.create_inquiry(ctx, _draft("Logged on a desktop that is not updated")).inquiry_ref
        svc.add_action_step(ctx, edit(ctx, ref), "Called the user back")
    queued = pending_count(a.store)
    with a.store.session() as s:
        cursor = s.get(Setting, CURSOR).value
    a.client.http.headers["X-SayPro-Protocol"] = str(PROTOCOL_VERSION - 1)  # as an older build sends
    with pytest.raises(UpgradeRequired, match="update it"):
        a.sync()
    assert pending_count(a.store) == queued > 0, "the outbox is kept whole"
    with a.store.session() as s:
        assert s.get(Setting, CURSOR).value == cursor
    assert _subject(a, ref) == "Logged on a desktop that is not updated"
    b.sync()
    assert not any(row[1] == ref for row in b.inquiries()), "nothing of it reached the server"
    # Updated (the same data folder, a current build): everything goes up.
    a.client.http.headers["X-SayPro-Protocol"] = str(PROTOCOL_VERSION)
    a.sync()
    b.sync()
    assert pending_count(a.store) == 0
    assert _subject(b, ref) == "Logged on a desktop that is not updated"
    with b.work() as ctx:
        assert "Called the user back" in [st.text for st in edit(ctx, ref).action_steps]
