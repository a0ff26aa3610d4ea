"""Attachment files never wedge a sync: per file, what cannot be sent or fetched is skipped and said.

Most tests drive the real ``SyncClient`` against a stand-in for the blob endpoints (``httpx.MockTransport``),
so the client's own mapping of answers to errors is what ``upload_missing``/``download_missing`` see; the
last ones run them against the real server.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from saypro_desktop.core.permissions import Role
from saypro_desktop.core.uuids import new_id
from saypro_desktop.models import Attachment, Setting, StaffUser
from saypro_desktop.models.local import SYNC_USERNAME
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.context import acting
from saypro_desktop.services.links_and_files import blob_path
from saypro_desktop.store.database import head_revision
from saypro_desktop.sync import blobs
from saypro_desktop.sync.blobs import FileSync, download_missing, signed_in_role, upload_missing
from saypro_desktop.sync.client import AuthError, SyncClient
from saypro_desktop.sync.engine import SyncReport
from tests.conftest import draft
from tests.server_fixtures import DEFAULT_PASSWORD


class FakeBlobServer:
    """``/blobs`` as the server answers, with refusals to order: ``refuse[(method, sha or "*")] = (code, detail)``
    where method is HEAD, STATUS, PUT or GET."""

    def __init__(self) -> None:
        self.complete: dict[str, bytes] = {}
        self.partial: dict[str, tuple[int, bytearray]] = {}
        self.refuse: dict[tuple[str, str], tuple[int, str]] = {}
        self.damaged: set[str] = set()
        self.unreachable = False
        self.calls: list[tuple[str, str]] = []

    def put_complete(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.complete[sha] = data
        return sha

    def __call__(self, request: httpx.Request) -> httpx.Response:
        sha, _, rest = request.url.path.removeprefix("/api/v1/blobs/").partition("/")
        method = "STATUS" if rest == "status" else request.method
        self.calls.append((method, sha))
        if self.unreachable:
            raise httpx.ConnectError("connection refused", request=request)
        for key in ((method, sha), (method, "*")):
            if key in self.refuse:
                code, detail = self.refuse[key]
                return httpx.Response(code, json={"detail": detail})
        if method == "STATUS":
            if sha in self.complete:
                n = len(self.complete[sha])
                return httpx.Response(200, json={"sha256": sha, "size": n, "received": n, "complete": True})
            size, got = self.partial.get(sha, (None, bytearray()))
            return httpx.Response(200, json={"sha256": sha, "size": size, "received": len(got), "complete": False})
        if method == "PUT":
            first, last, total = (int(g) for g in re.match(r"bytes (\d+)-(\d+)/(\d+)",
                                                           request.headers["content-range"]).groups())
            if sha in self.complete:
                return httpx.Response(200, json={"sha256": sha, "size": total, "received": total, "complete": True})
            size, got = self.partial.setdefault(sha, (total, bytearray()))
            if first > len(got):
                return httpx.Response(409, json={"detail": f"resume at {len(got)}", "received": len(got)})
            got += request.content[len(got) - first:]
            if len(got) < total:
                return httpx.Response(200, json={"sha256": sha, "size": total, "received": len(got),
                                                 "complete": False})
            del self.partial[sha]
            if hashlib.sha256(got).hexdigest() != sha:
                return httpx.Response(422, json={"detail": "the bytes received do not have this SHA-256"})
            self.complete[sha] = bytes(got)
            return httpx.Response(200, json={"sha256": sha, "size": total, "received": total, "complete": True})
        if method == "GET":
            data = self.complete.get(sha)
            if data is None:
                return httpx.Response(404, json={"detail": "the server has no attachment with this file"})
            if sha in self.damaged:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            first, last = (int(g) for g in re.match(r"bytes=(\d+)-(\d+)", request.headers["range"]).groups())
            return httpx.Response(206, content=data[first:last + 1])
        return httpx.Response(405)


@pytest.fixture
def server() -> FakeBlobServer:
    return FakeBlobServer()


@pytest.fixture
def client(server: FakeBlobServer):
    c = SyncClient("http://127.0.0.1:9", new_id(), "0001", transport=httpx.MockTransport(server))
    c.access_token = "token"
    yield c
    c.close()


def run_db_of(store):
    def run_db(fn):
        with store.session() as s:
            return fn(s)
    return run_db


@pytest.fixture
def inquiry_id(store) -> str:
    with acting(store) as ctx:
        return svc.create_inquiry(ctx, draft()).id


def add_row(store, inquiry_id: str, sha: str, size: int, filename: str = "file.bin", deleted: bool = False) -> None:
    """An attachment row as a pull could have brought it: not checked by anything."""
    with store.session() as s:
        s.execute(insert(Attachment.__table__).values(
            id=new_id(), inquiry_id=inquiry_id, filename=filename, sha256=sha, size=size,
            media_type="application/octet-stream", deleted=deleted, field_versions={}))


def local_file(store, inquiry_id: str, data: bytes, filename: str = "file.bin", size: int | None = None) -> str:
    """A file in this desktop's attachment folder and a row naming it."""
    sha = hashlib.sha256(data).hexdigest()
    path = blob_path(store.paths.attachments, sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    add_row(store, inquiry_id, sha, len(data) if size is None else size, filename)
    return sha


# -- sending ------------------------------------------------------------------------------------------------

def test_upload_skips_rows_that_cannot_name_a_file_and_sends_the_rest(store, inquiry_id, client, server):
    good = local_file(store, inquiry_id, b"good bytes", "good.pdf")
    add_row(store, inquiry_id, "../../../../tmp/x.sh", 10, "evil.sh")
    add_row(store, inquiry_id, "ABCDEF" * 10 + "ABCD", 10, "upper.pdf")
    negative = local_file(store, inquiry_id, b"sized wrongly", "negative.pdf", size=-5)
    removed = local_file(store, inquiry_id, b"removed", "gone.pdf")
    with store.session() as s:
        s.query(Attachment).filter(Attachment.sha256 == removed).update({"deleted": True})
    result = upload_missing(client, store.paths.attachments, run_db_of(store))
    assert isinstance(result, FileSync)
    sent, problems = result
    assert sent == 1 and set(server.complete) == {good}
    assert len(problems) == 3, problems
    assert any("evil.sh" in p and "no valid SHA-256" in p for p in problems)
    assert any("upper.pdf" in p and "no valid SHA-256" in p for p in problems)
    assert any("negative.pdf" in p and "impossible size" in p and "-5" in p for p in problems)
    assert ("STATUS", negative) not in server.calls and ("STATUS", removed) not in server.calls
    assert not (store.paths.attachments.parent / "tmp").exists()  # nothing is ever built from the bad hash


def test_a_local_copy_that_no_longer_matches_its_hash_is_not_sent(store, inquiry_id, client, server):
    sha = local_file(store, inquiry_id, b"the original", "scan.png")
    blob_path(store.paths.attachments, sha).write_bytes(b"bit rot")
    fine = local_file(store, inquiry_id, b"another file")
    sent, problems = upload_missing(client, store.paths.attachments, run_db_of(store))
    assert sent == 1 and fine in server.complete and sha not in server.complete
    assert problems == [f"scan.png ({sha[:12]}…): not sent, the copy on this desktop no longer matches its hash "
                        "(damaged on disk)"]
    assert ("PUT", sha) not in server.calls


def test_a_file_the_server_refuses_is_skipped_and_the_others_still_go(store, inquiry_id, client, server):
    big = local_file(store, inquiry_id, b"a" * 3000, "video.mp4")
    small = local_file(store, inquiry_id, b"b" * 100, "note.txt")
    server.refuse[("PUT", big)] = (413, "your unfinished uploads already hold 1,024 MiB of the 1,024 MiB allowed")
    sent, problems = upload_missing(client, store.paths.attachments, run_db_of(store))
    assert sent == 1 and small in server.complete
    assert len(problems) == 1 and "video.mp4" in problems[0] and "413" in problems[0]
    assert "unfinished uploads" in problems[0]
    # Next time the server takes it: nothing is stuck.
    del server.refuse[("PUT", big)]
    assert upload_missing(client, store.paths.attachments, run_db_of(store)) == (1, [])


def test_a_role_the_server_does_not_let_send_files_stops_sending_for_this_run(store, inquiry_id, client, server):
    for n in range(3):
        local_file(store, inquiry_id, f"file {n}".encode())
    server.refuse[("STATUS", "*")] = (403, "the Viewer role may not look up attachments")
    sent, problems = upload_missing(client, store.paths.attachments, run_db_of(store))
    assert sent == 0 and len(problems) == 1 and "Viewer role" in problems[0]
    assert len(server.calls) == 1


def test_a_server_failure_ends_the_transfers_but_a_refusal_of_one_file_does_not(store, inquiry_id, client, server,
                                                                                tmp_path):
    shas = [server.put_complete(f"file {n}".encode()) for n in range(3)]
    for sha in shas:
        add_row(store, inquiry_id, sha, 6)
    server.refuse[("GET", "*")] = (503, "the database is not answering")
    fetched, problems = download_missing(client, tmp_path / "b", run_db_of(store), role=Role.ADMIN)
    assert fetched == 0 and len(problems) == 1 and "503" in problems[0]
    server.refuse[("GET", "*")] = (416, "the range is outside the file")
    server.calls.clear()
    fetched, problems = download_missing(client, tmp_path / "b", run_db_of(store), role=Role.ADMIN)
    assert fetched == 0 and len(problems) == 3 and all("416" in p for p in problems)


def test_an_unreachable_server_ends_the_transfers_without_failing(store, inquiry_id, client, server):
    for n in range(3):
        local_file(store, inquiry_id, f"file {n}".encode())
    server.unreachable = True
    sent, problems = upload_missing(client, store.paths.attachments, run_db_of(store))
    assert sent == 0 and len(problems) == 1 and "cannot reach the server" in problems[0]
    assert len(server.calls) == 1


def test_a_sign_in_that_is_no_longer_valid_still_ends_the_sync(store, inquiry_id, client, server):
    local_file(store, inquiry_id, b"x")
    server.refuse[("STATUS", "*")] = (401, "the access token has expired")
    with pytest.raises(AuthError):
        upload_missing(client, store.paths.attachments, run_db_of(store))
    add_row(store, inquiry_id, server.put_complete(b"y"), 1)
    with pytest.raises(AuthError):
        download_missing(client, store.paths.attachments, run_db_of(store), role=Role.ADMIN)


def test_an_empty_file_is_never_transferred(store, inquiry_id, client, server, tmp_path):
    sha = local_file(store, inquiry_id, b"", "empty.txt")
    assert upload_missing(client, store.paths.attachments, run_db_of(store)) == (0, [])
    other = tmp_path / "elsewhere"
    assert download_missing(client, other, run_db_of(store), role=Role.ADMIN) == (1, [])
    assert blob_path(other, sha).read_bytes() == b"" and server.calls == []


# -- fetching -----------------------------------------------------------------------------------------------

def test_download_skips_what_it_cannot_fetch_and_fetches_the_rest(store, inquiry_id, client, server, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setattr(blobs, "CHUNK", 1000)
    root = tmp_path / "other-desktop"
    good = server.put_complete(bytes(range(256)) * 10)
    add_row(store, inquiry_id, good, 2560, "photo.jpg")
    add_row(store, inquiry_id, "..\\..\\evil", 10, "evil.bat")
    add_row(store, inquiry_id, server.put_complete(b"sized wrongly"), -1, "negative.pdf")
    never = hashlib.sha256(b"never uploaded").hexdigest()
    add_row(store, inquiry_id, never, 14, "never.pdf")  # its desktop never finished: quietly waited for
    unnamed = server.put_complete(b"the server serves it to nobody")
    server.refuse[("GET", unnamed)] = (404, "the server has no attachment with this file")
    add_row(store, inquiry_id, unnamed, 30, "unnamed.pdf")
    damaged = server.put_complete(b"arrives damaged" * 100)
    server.damaged.add(damaged)
    add_row(store, inquiry_id, damaged, 1500, "damaged.pdf")

    fetched, problems = download_missing(client, root, run_db_of(store), role=Role.SUPPORT_AGENT)
    assert fetched == 1 and blob_path(root, good).read_bytes() == bytes(range(256)) * 10
    assert len(problems) == 4, problems
    assert any("evil.bat" in p and "no valid SHA-256" in p for p in problems)
    assert any("negative.pdf" in p and "impossible size" in p for p in problems)
    assert any("unnamed.pdf" in p and "404" in p for p in problems)
    assert any("damaged.pdf" in p and "arrived damaged" in p and "next sync" in p for p in problems)
    assert not blob_path(root, damaged).exists() and not blob_path(root, damaged).with_suffix(".part").exists()
    assert not blob_path(root, never).exists() and not any("never.pdf" in p for p in problems)
    assert not (tmp_path / "evil").exists()
    # The damage was in transit: the next run fetches it whole.
    server.damaged.clear()
    fetched, problems = download_missing(client, root, run_db_of(store), role=Role.SUPPORT_AGENT)
    assert fetched == 1 and blob_path(root, damaged).read_bytes() == b"arrives damaged" * 100
    assert len(problems) == 3


def test_a_partial_download_resumes_and_a_part_larger_than_the_file_starts_again(store, inquiry_id, client,
                                                                                  server, tmp_path, monkeypatch):
    monkeypatch.setattr(blobs, "CHUNK", 100)
    data = bytes(range(250))
    sha = server.put_complete(data)
    add_row(store, inquiry_id, sha, len(data))
    root = tmp_path / "b"
    part = blob_path(root, sha).with_suffix(".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(data[:100])
    assert download_missing(client, root, run_db_of(store), role=Role.ADMIN) == (1, [])
    assert [c for c in server.calls if c[0] == "GET"] == [("GET", sha), ("GET", sha)]  # 100-199, 200-249
    blob_path(root, sha).unlink()
    part.write_bytes(b"x" * 400)
    assert download_missing(client, root, run_db_of(store), role=Role.ADMIN) == (1, [])
    assert blob_path(root, sha).read_bytes() == data


@pytest.mark.parametrize("role", [Role.MARKETING, Role.MODERATOR, Role.VIEWER])
def test_a_role_that_does_not_see_personal_details_does_not_try_to_fetch(store, inquiry_id, client, server,
                                                                          tmp_path, role):
    add_row(store, inquiry_id, server.put_complete(b"an ID document"), 14)
    assert download_missing(client, tmp_path / "b", run_db_of(store), role=role) == (0, [])
    assert server.calls == []


def test_the_role_is_that_of_the_user_this_desktop_is_enrolled_as(store, inquiry_id, client, server, tmp_path):
    add_row(store, inquiry_id, server.put_complete(b"an ID document"), 14)
    assert signed_in_role(run_db_of(store)) is None
    with store.session() as s:
        s.add(StaffUser(username="mark", display_name="Mark", role=Role.MARKETING, active=True))
        s.add(Setting(key=SYNC_USERNAME, value="Mark"))
    assert signed_in_role(run_db_of(store)) is Role.MARKETING
    assert download_missing(client, tmp_path / "b", run_db_of(store)) == (0, [])
    assert server.calls == []


def test_a_refusal_to_read_stops_fetching_for_this_run(store, inquiry_id, client, server, tmp_path):
    for n in range(3):
        add_row(store, inquiry_id, server.put_complete(f"file {n}".encode()), 6)
    server.refuse[("GET", "*")] = (403, "the Marketing role may not open attachments")
    fetched, problems = download_missing(client, tmp_path / "b", run_db_of(store))
    assert fetched == 0 and len(problems) == 1 and "Marketing role" in problems[0]
    assert [c[0] for c in server.calls] == ["STATUS", "GET"]


def test_the_report_says_which_files_were_not_transferred():
    report = SyncReport(files_sent=1, upload_problems=["a.pdf (0123456789ab…): not sent: the server refused"],
                        download_problems=[f"f{n}.pdf: not fetched" for n in range(4)])
    summary = report.summary()
    assert "5 file(s) not transferred: a.pdf (0123456789ab…): not sent: the server refused; f0.pdf: not fetched; " \
           "f1.pdf: not fetched (and 2 more)" in summary
    assert "not transferred" not in SyncReport(files_fetched=2).summary()


# -- against the real server --------------------------------------------------------------------------------

def _signed_in(server, username: str) -> SyncClient:
    client = SyncClient(server.url, new_id(), head_revision())
    client.login(username, DEFAULT_PASSWORD, "test desktop", secrets.token_urlsafe(32))
    return client


def _push_attachment_row(server, username: str, sha: str, size: int) -> None:
    from tests.desk_client import Desk

    desk = Desk(server, username)
    try:
        inquiry, m = desk.insert_inquiry()
        a = desk.mutation("attachment", new_id(), {"inquiry_id": inquiry, "filename": "x.pdf", "sha256": sha,
                                                   "size": size, "media_type": "application/pdf",
                                                   "added_by_id": None, "deleted": False}, op="insert")
        assert [r["status"] for r in desk.push(m, a)["results"]] == ["applied", "applied"]
    finally:
        desk.close()


def test_sending_and_fetching_against_the_real_server(live_server, store, inquiry_id, tmp_path,
                                                      monkeypatch: Any):
    monkeypatch.setattr(blobs, "CHUNK", 1000)
    live_server.create_user("anna", "Support Agent")
    live_server.create_user("mark", "Marketing")
    named = local_file(store, inquiry_id, bytes(range(256)) * 13, "photo.jpg")
    unnamed = local_file(store, inquiry_id, b"attached here, but its row never reached the server", "draft.pdf")
    add_row(store, inquiry_id, "../../../../tmp/x.sh", 10, "x.sh")
    run_db = run_db_of(store)
    anna, mark = _signed_in(live_server, "anna"), _signed_in(live_server, "mark")
    try:
        sent, problems = upload_missing(anna, store.paths.attachments, run_db)
        assert sent == 2 and len(problems) == 1 and "x.sh" in problems[0]
        assert upload_missing(anna, store.paths.attachments, run_db) == (0, problems)  # nothing sent twice
        _push_attachment_row(live_server, "anna", named, 256 * 13)

        root = tmp_path / "second-desktop"
        fetched, problems = download_missing(anna, root, run_db, role=Role.SUPPORT_AGENT)
        assert fetched == 1 and blob_path(root, named).read_bytes() == bytes(range(256)) * 13
        assert len(problems) == 2, problems
        assert any("draft.pdf" in p and "404" in p for p in problems)
        assert not blob_path(root, unnamed).exists()

        # Marketing: with its role known it does not ask; unknown, the server's refusal ends the pass at once.
        assert download_missing(mark, tmp_path / "third", run_db, role=Role.MARKETING) == (0, [])
        fetched, problems = download_missing(mark, tmp_path / "third", run_db)
        assert fetched == 0 and len(problems) == 2 and any("403" in p and "Marketing" in p for p in problems)
        # An upload the server refuses (Marketing may not send files) is a problem, not a failed sync.
        local_file(store, inquiry_id, b"marketing's own", "flyer.pdf")
        sent, problems = upload_missing(mark, store.paths.attachments, run_db)
        assert sent == 0 and any("403" in p for p in problems)
    finally:
        anna.close()
        mark.close()
