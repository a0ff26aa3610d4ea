"""Desktops and the real server on loopback: offline edits, syncs in any order, convergence."""

from __future__ import annotations

from datetime import date

import pytest

from saypro_desktop.core.validation import InquiryDraft
from saypro_desktop.models import IdBlock, InquiryLink
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.links_and_files import link_inquiries, unlink_inquiries
from saypro_desktop.services.search import search_inquiries
from saypro_desktop.sync.client import SyncError
from saypro_desktop.sync.protocol import PROTOCOL_VERSION
from tests.sync.conftest import edit


def _draft(subject: str, **kw) -> InquiryDraft:
    values = dict(subject=subject, category="Technical Issue", mode="Email", user_type="Registered User",
                  user_full_name="Nomvula Sithole", user_email="nomvula@example.org")
    values.update(kw)
    return InquiryDraft(**values)


def test_offline_work_on_three_desktops_converges_with_unique_ids(desktops):
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    c = desktops("c", "sipho")
    refs = {}
    for desk, n in ((a, 3), (b, 3), (c, 2)):  # all offline: nobody syncs meanwhile
        with desk.work() as ctx:
            for k in range(n):
                refs[f"{desk.name}{k}"] = svc.create_inquiry(ctx, _draft(f"{desk.name} question {k}")).display_id
    with b.work() as ctx:
        svc.change_status(ctx, edit(ctx, refs["b0"]), "In Progress")
    for desk in (b, a, c, b, a):
        desk.sync()
    assert len(set(refs.values())) == 8 and all(r.startswith("SCMR-") for r in refs.values())
    assert a.inquiries() == b.inquiries() == c.inquiries()
    assert len(a.inquiries()) == 8
    statuses = {row[3]: row[5] for row in a.inquiries()}
    assert statuses["b question 0"] == "In Progress" and statuses["a question 0"] == "New"
    # the server's own feed holds each mutation once: syncing again changes nothing anywhere
    again = [d.sync() for d in (a, b, c)]
    assert [(r.pushed, r.pulled) for r in again] == [(0, 0), (0, 0), (0, 0)]


def test_edits_of_one_inquiry_from_two_desktops_merge_field_by_field(desktops):
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    with a.work() as ctx:
        ref = svc.create_inquiry(ctx, _draft("Charged twice", category="Payment/Billing")).display_id
    a.sync()
    b.sync()
    with a.work() as ctx:  # different fields, both offline
        svc.update_inquiry(ctx, edit(ctx, ref), subject="Charged twice for a premium listing")
    with b.work() as ctx:
        svc.change_status(ctx, edit(ctx, ref), "Escalated", tier="Tier 3", reason="Card processor")
    for desk in (a, b, a, b):
        desk.sync()
    assert a.inquiries() == b.inquiries()
    row = a.inquiries()[0]
    assert (row[3], row[5]) == ("Charged twice for a premium listing", "Escalated")
    assert a.client.conflicts() == []  # different fields: no conflict


def test_two_edits_of_the_same_text_keep_both_and_show_a_conflict(desktops):
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    with a.work() as ctx:
        ref = svc.create_inquiry(ctx, _draft("Images do not upload", description="First words")).display_id
    a.sync()
    b.sync()
    with a.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, ref), description="A: the upload fails above 5 MB")
    with b.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, ref), description="B: the upload fails on mobile only")
    for desk in (a, b, a, b):
        desk.sync()
    assert a.inquiries() == b.inquiries()
    final = a.inquiries()[0][4]
    conflicts = a.client.conflicts()
    assert len(conflicts) == 1 and conflicts[0]["field"] == "description"
    kept_and_lost = {conflicts[0]["kept"]["value"], conflicts[0]["losing"]["value"]}
    assert kept_and_lost == {"A: the upload fails above 5 MB", "B: the upload fails on mobile only"}
    assert final == conflicts[0]["kept"]["value"]  # what both desktops show is what the merge kept
    assert b.client.conflicts() == conflicts  # visible to both
    settled = b.client.settle(conflicts[0]["id"], "losing")
    assert settled["settled"] and settled["settled_value"] == conflicts[0]["losing"]["value"]
    for desk in (b, a):
        desk.sync()
    assert a.inquiries()[0][4] == b.inquiries()[0][4] == conflicts[0]["losing"]["value"]
    assert a.client.conflicts() == []


def test_deletes_propagate(desktops):
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    with a.work() as ctx:
        one = svc.create_inquiry(ctx, _draft("One"))
        two = svc.create_inquiry(ctx, _draft("Two"))
        link_inquiries(ctx, one, two)
    a.sync()
    b.sync()
    with b.store.session() as s:
        assert [lk.deleted for lk in s.query(InquiryLink)] == [False]
    with a.work() as ctx:
        unlink_inquiries(ctx, edit(ctx, one.display_id), edit(ctx, two.display_id))
    a.sync()
    b.sync()
    with b.store.session() as s:
        assert [lk.deleted for lk in s.query(InquiryLink)] == [True]


def test_a_desktop_that_ran_out_of_numbers_gets_real_ids_at_sync(desktops):
    a = desktops("a", "boss", "Admin")
    with a.store.session() as s:
        s.query(IdBlock).delete()  # offline for long: every leased number used up
    with a.work() as ctx:
        provisional = svc.create_inquiry(ctx, _draft("Offline for a week")).display_id
    assert "-P" in provisional
    a.sync()
    with a.work() as ctx:
        found = edit(ctx, provisional)  # the provisional reference still finds it
        assert found.inquiry_ref and found.inquiry_ref.startswith("SCMR-") and "-P" not in found.inquiry_ref
        assert found.provisional_ref == provisional
        assert [i.id for i in search_inquiries(ctx.session, provisional)] == [found.id]
        assert found.inquiry_ref[5:9] == f"{date.today():%y%m}" or found.inquiry_ref[5:9] == provisional[5:9]


def test_a_lost_push_response_is_acknowledged_again_not_applied_twice(desktops, monkeypatch):
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    with a.work() as ctx:
        svc.create_inquiry(ctx, _draft("Sent once"))
    real_push = a.client.push

    def push_then_drop(mutations, *envelope):
        real_push(mutations, *envelope)  # the server commits...
        raise SyncError("connection reset")  # ...and the answer never arrives

    monkeypatch.setattr(a.client, "push", push_then_drop)
    with pytest.raises(SyncError):
        a.sync()
    monkeypatch.setattr(a.client, "push", real_push)
    report = a.sync()
    assert report.pushed == 0 and report.duplicates > 0
    b.sync()
    assert a.inquiries() == b.inquiries() and len(b.inquiries()) == 1


def test_server_restart_and_a_restored_server_lose_nothing(desktops, live_server):
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    live_server.stop()
    with a.work() as ctx:
        svc.create_inquiry(ctx, _draft("Typed while the server was down"))
    with pytest.raises(SyncError, match="cannot reach"):
        a.sync()
    assert len(a.inquiries()) == 1  # kept locally, still pending
    live_server.start()
    a.sync()
    live_server.rotate_epoch()  # as after restoring the server from a backup
    with a.work() as ctx:
        svc.create_inquiry(ctx, _draft("After the restore"))
    report = a.sync()
    assert report.reset
    b.sync()
    assert a.inquiries() == b.inquiries() and len(b.inquiries()) == 2


def test_attachments_travel_by_hash_in_chunks_and_resume(desktops, tmp_path, monkeypatch):
    import hashlib

    from saypro_desktop.services.links_and_files import add_attachment, blob_path
    from saypro_desktop.sync import blobs

    monkeypatch.setattr(blobs, "CHUNK", 1000)  # several chunks for a small file
    a = desktops("a", "boss", "Admin")
    b = desktops("b", "lerato")
    payload = bytes(range(256)) * 20  # 5,120 bytes
    source = tmp_path / "screenshot.png"
    source.write_bytes(payload)
    sha = hashlib.sha256(payload).hexdigest()
    with a.work() as ctx:
        inquiry = svc.create_inquiry(ctx, _draft("Image upload fails"))
        add_attachment(ctx, inquiry, source)
    real_put = a.client.put_blob_chunk
    calls = []

    def put_then_break(sha256, data, first, total):
        calls.append(first)
        if len(calls) == 3:
            raise SyncError("connection reset")  # the link breaks after two chunks
        return real_put(sha256, data, first, total)

    monkeypatch.setattr(a.client, "put_blob_chunk", put_then_break)
    report = a.sync()  # the file waits for the next sync; the rest of this one goes on
    assert report.files_sent == 0 and len(report.upload_problems) == 1
    assert "screenshot.png" in report.upload_problems[0] and "connection reset" in report.upload_problems[0]
    assert report.pushed and "1 file(s) not transferred" in report.summary()
    assert a.client.blob_status(sha)["received"] == 2000
    report = a.sync()  # resumes at byte 2000, not 0
    assert calls[3] == 2000 and report.files_sent == 1 and not report.upload_problems
    assert a.sync().files_sent == 0  # complete on the server: not sent again
    assert b.sync().files_fetched == 1
    assert blob_path(b.store.paths.attachments, sha).read_bytes() == payload
    # A role that does not see inquirers' personal details gets the row but not the file, and no error.
    m = desktops("m", "mo", "Moderator")
    report = m.sync()
    assert report.files_fetched == 0 and not report.download_problems
    assert not blob_path(m.store.paths.attachments, sha).exists()


def test_acknowledged_outbox_entries_are_dropped_after_thirty_days_and_nothing_else(desktops):
    from datetime import timedelta

    from sqlalchemy import func, select

    from saypro_desktop.models import ChangeLogEntry, Setting
    from saypro_desktop.models.base import utcnow
    from saypro_desktop.sync.engine import PRUNED

    a = desktops("a", "lerato")
    with a.work() as ctx:
        old = svc.create_inquiry(ctx, _draft("Logged in the spring"))
    a.sync()

    def outbox():
        with a.store.session() as s:
            return s.execute(select(ChangeLogEntry.state, ChangeLogEntry.fields)).all()

    sent_then = len(outbox())
    with a.store.session() as s:  # as if all that was acknowledged 40 days ago
        top = s.scalar(select(func.max(ChangeLogEntry.seq)))
        s.get(Setting, PRUNED).value = [[(utcnow() - timedelta(days=40)).isoformat(), top]]
    with a.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, old.inquiry_ref), subject="Logged in the spring, edited today")
    a.client.http.headers["X-SayPro-Protocol"] = "0"  # a run that fails: the clean-up does not run either
    with pytest.raises(SyncError):
        a.sync()
    assert len(outbox()) > sent_then
    a.client.http.headers["X-SayPro-Protocol"] = str(PROTOCOL_VERSION)
    assert a.sync().pushed >= 1
    kept = outbox()
    assert kept and all(state == "acked" for state, _ in kept)
    assert not any(f.get("subject") == "Logged in the spring" for _, f in kept), "acknowledged 40 days ago: dropped"
    assert any(f.get("subject") == "Logged in the spring, edited today" for _, f in kept), "sent today: kept"
    with a.store.session() as s:
        assert len(s.get(Setting, PRUNED).value) == 1, "only notes younger than 30 days are kept"


def test_the_newest_outbox_entry_outlives_the_clean_up_so_numbers_never_go_back(desktops):
    """With every entry acknowledged long ago, the clean-up keeps the newest: the next change is numbered
    after it. (Were the numbers to start again at 1, the server would take the change as a duplicate.)"""
    from datetime import timedelta

    from sqlalchemy import func, select

    from saypro_desktop.models import ChangeLogEntry, Setting
    from saypro_desktop.models.base import utcnow
    from saypro_desktop.sync.engine import PRUNED, prune_acked

    a, b = desktops("a", "lerato"), desktops("b", "sipho")
    with a.work() as ctx:
        ref = svc.create_inquiry(ctx, _draft("Asked in the spring")).inquiry_ref
    a.sync()
    with a.store.session() as s:
        newest = s.scalar(select(func.max(ChangeLogEntry.seq)))
        s.get(Setting, PRUNED).value = [[(utcnow() - timedelta(days=31)).isoformat(), newest]]
        assert prune_acked(s, utcnow()) > 0
    with a.store.session() as s:
        assert s.scalars(select(ChangeLogEntry.seq)).all() == [newest]
    with a.work() as ctx:
        svc.update_inquiry(ctx, edit(ctx, ref), subject="Asked in the spring, answered in the winter")
    assert a.sync().pushed == 2  # the edit and its audit row: applied, not taken as duplicates
    b.sync()
    assert [row[3] for row in b.inquiries()] == ["Asked in the spring, answered in the winter"]


def test_pushes_and_their_answers_travel_zstd_compressed(desktops, live_server):
    import httpx
    import zstandard

    from saypro_desktop.sync.engine import SyncEngine, make_client

    a, b = desktops("a", "lerato"), desktops("b", "sipho")
    with a.work() as ctx:
        for k in range(40):
            svc.create_inquiry(ctx, _draft(f"Question {k} about my listing", description="The ad " * 40))
    sent: list[httpx.Request] = []
    answers: list[str] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request)
            response = super().handle_request(request)
            if request.url.path.endswith("/sync/push"):
                answers.append(response.headers.get("Content-Encoding", ""))
            return response

    client = make_client(a.store, live_server.url, transport=Recording())  # A's sign-in, recorded on the way
    client.access_token, client.refresh_token = a.client.access_token, a.client.refresh_token
    report = SyncEngine(a.store, client).run()
    client.close()
    pushes = [r for r in sent if r.url.path.endswith("/sync/push")]
    assert report.pushed == 80 and pushes
    for r in pushes:
        assert r.headers["Content-Encoding"] == "zstd"
        plain = zstandard.ZstdDecompressor().decompress(r.content, max_output_size=10**7)
        assert len(r.content) * 4 < len(plain)
    assert answers and set(answers) == {"zstd"}, "and the answers come back compressed too"
    b.sync()
    assert len(b.inquiries()) == 40
