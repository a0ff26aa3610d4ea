"""The desktop side of sync without a server: the value codec, applying pulled pages, URL rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from saypro_desktop.core.hlc import Stamp
from saypro_desktop.core.vocab import Status
from saypro_desktop.models import ChangeLogEntry, DeviceState, Inquiry
from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import change_status, create_inquiry
from saypro_desktop.services.search import search_inquiries
from saypro_desktop.sync.apply import apply_changes
from saypro_desktop.sync.client import SyncError, check_server_url
from saypro_desktop.sync.credentials import MemoryTokenStore
from saypro_desktop.sync.protocol import ProtocolError, decode, decode_fields, encode
from tests.conftest import draft

REMOTE = "1736841600000-00000-bbbbbbbbbbbb"  # another device, 14 January 2025 08:00 UTC


def test_decode_checks_types_and_round_trips_encode():
    moment = datetime(2025, 1, 14, 8, 0, tzinfo=UTC)
    assert decode("inquiry", "logged_at", encode(moment)) == moment
    assert decode("inquiry", "status", "Closed") is Status.CLOSED
    assert decode("inquiry", "reopen_count", 2) == 2
    for table, name, value, message in (
            ("inquiry", "reopen_count", "2", "whole number"), ("inquiry", "escalated", 1, "true or false"),
            ("inquiry", "status", "Done", "'Done' is not a valid"), ("inquiry", "logged_at", "2025-01-14T08:00",
                                                                     "time zone"),
            ("inquiry", "subject", "x" * 201, "at most 200"), ("inquiry", "subject", None, "cannot be empty"),
            ("inquiry", "nonsense", 1, "no field"), ("secrets", "x", 1, "unknown table")):
        with pytest.raises(ProtocolError, match=message):
            decode(table, name, value)
    with pytest.raises(ProtocolError, match="object"):
        decode_fields("inquiry", ["status"])  # type: ignore[arg-type]


def _remote_inquiry(row_id: str, **fields) -> dict:
    base = {"logged_at": "2025-01-14T08:00:00+00:00", "logged_date": "2025-01-14", "mode": "Email",
            "user_full_name": "Sipho Ndlovu", "user_type": "Advertiser", "subject": "Renew expired ad",
            "category": "Ad Removal or Expiry", "description": "", "priority": "Normal", "status": "New",
            "ack_due_at": "2025-01-14T09:00:00+00:00", "resolution_due_at": "2025-01-16T08:00:00+00:00",
            "quarter": "Q1", "inquiry_ref": "SCMR-2501-0900", "escalated": False, "auto_escalated": False,
            "reopen_count": 0, "resolved_on_first_contact": False, "in_monthly_report": False,
            "in_quarterly_file": False, "priority_overridden": False}
    base.update(fields)
    return {"table": "inquiry", "row_id": row_id, "fields": base, "versions": dict.fromkeys(base, REMOTE)}


def test_a_remote_insert_lands_searchable_without_an_outbox_entry(store):
    with store.session() as s:
        before = s.query(ChangeLogEntry).count()
        report = apply_changes(s, [_remote_inquiry("0190aaaa-0000-7000-8000-000000000001")])
    assert report.applied == 1 and report.set_aside == []
    with store.session() as s:
        assert s.query(ChangeLogEntry).count() == before
        assert [i.display_id for i in search_inquiries(s, "renew")] == ["SCMR-2501-0900"]
        row = s.get(Inquiry, "0190aaaa-0000-7000-8000-000000000001")
        assert row.field_versions["status"] == REMOTE
        state = s.get(DeviceState, 1)
        assert state.hlc_wall_ms >= Stamp.parse(REMOTE).wall_ms  # observed


def test_pending_local_edits_are_not_overwritten(store, clock):
    with acting(store, clock=clock) as ctx:
        inquiry = create_inquiry(ctx, draft())
        rid = inquiry.id
    with store.session() as s:  # the insert reached the server earlier
        s.query(ChangeLogEntry).update({"state": "acked"})
    with acting(store, clock=clock) as ctx:
        change_status(ctx, ctx.session.get(Inquiry, rid), "In Progress")
    page = [{"table": "inquiry", "row_id": rid, "fields": {"status": "Escalated", "subject": "Renamed remotely"},
             "versions": {"status": REMOTE, "subject": REMOTE}}]
    with store.session() as s:
        report = apply_changes(s, page)
    assert report.kept_local == 1
    with store.session() as s:
        row = s.get(Inquiry, rid)
        assert row.status == Status.IN_PROGRESS  # our pending edit stays, to be merged on the server
        assert row.subject == "Renamed remotely"


def test_a_bad_change_is_skipped_and_the_rest_of_the_page_applies(store):
    good = _remote_inquiry("0190aaaa-0000-7000-8000-000000000002", inquiry_ref="SCMR-2501-0901")
    bad = _remote_inquiry("0190aaaa-0000-7000-8000-000000000003", status="Vanished")
    orphan = {"table": "action_step", "row_id": "0190aaaa-0000-7000-8000-000000000004",
              "fields": {"inquiry_id": "no-such-inquiry", "at": "2025-01-14T08:00:00+00:00", "kind": "Note",
                         "text": "x"}, "versions": {}}
    with store.session() as s:
        report = apply_changes(s, [bad, orphan, good])
    assert report.applied == 1 and len(report.set_aside) == 2
    assert "Vanished" in report.set_aside[0]
    with store.session() as s:
        assert s.get(Inquiry, "0190aaaa-0000-7000-8000-000000000002") is not None


def test_withheld_personal_details_still_make_a_row(store):
    change = _remote_inquiry("0190aaaa-0000-7000-8000-000000000005")
    del change["fields"]["user_full_name"]
    with store.session() as s:
        apply_changes(s, [change])
    with store.session() as s:
        assert s.get(Inquiry, "0190aaaa-0000-7000-8000-000000000005").user_full_name == ""


@pytest.mark.parametrize(("url", "ok"), [
    ("https://desk.saypro.example", True), ("http://127.0.0.1:8750", True), ("http://localhost:8750/", True),
    ("http://desk.saypro.example", False), ("ftp://desk", False), ("desk.saypro.example", False)])
def test_plain_http_only_to_this_machine(url, ok):
    if ok:
        assert check_server_url(url) == url.rstrip("/")
    else:
        with pytest.raises(SyncError):
            check_server_url(url)
    assert check_server_url("http://desk.saypro.example", allow_insecure=True) == "http://desk.saypro.example"


def test_memory_token_store_says_it_does_not_persist():
    tokens = MemoryTokenStore()
    tokens.set("k", "secret")
    assert tokens.get("k") == "secret" and not tokens.persistent and "memory only" in tokens.description
    tokens.delete("k")
    assert tokens.get("k") is None
