"""Attachments: chunked, resumable upload; hash check; ranged download; who may read; unfinished uploads."""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from saypro_desktop.core.uuids import new_id
from saypro_desktop.models.base import utcnow
from saypro_server import cli
from saypro_server.config import ServerSettings
from saypro_server.store.schema import blob, blob_chunk
from tests.desk_client import Desk

MiB = 1024 * 1024


def _put(d, sha, data, start, total):
    end = start + len(data) - 1
    return d.http.put(f"/blobs/{sha}", content=data,
                      headers={**d.headers, "Content-Range": f"bytes {start}-{end}/{total}",
                               "Content-Type": "application/octet-stream"})


def _attach(d, sha, size, filename="screenshot.png"):
    """Push an inquiry and an attachment row naming ``sha``; returns the attachment's id."""
    inquiry_id, m = d.insert_inquiry()
    att_id = new_id()
    a = d.mutation("attachment", att_id, {"inquiry_id": inquiry_id, "filename": filename, "sha256": sha,
                                          "size": size, "media_type": "image/png", "added_by_id": None,
                                          "deleted": False}, op="insert")
    results = d.push(m, a)["results"]
    assert [r["status"] for r in results] == ["applied", "applied"], results
    return att_id


def _blob_rows(server, sha):
    with server.db.read() as conn:
        row = conn.execute(select(blob).where(blob.c.sha256 == sha)).mappings().first()
        chunks = conn.execute(select(func.count()).select_from(blob_chunk)
                              .where(blob_chunk.c.sha256 == sha)).scalar_one()
    return row, chunks


def _idle_since(server, sha, ago):
    with server.db.write(feed_lock=False) as conn:
        conn.execute(update(blob).where(blob.c.sha256 == sha).values(updated_at=utcnow() - ago,
                                                                        created_at=utcnow() - ago))


def test_a_chunked_upload_resumes_where_it_broke_and_downloads_by_range(live_server, desk):
    a = desk()
    data = os.urandom(3 * MiB + 12345)
    sha = hashlib.sha256(data).hexdigest()
    assert a.http.head(f"/blobs/{sha}", headers=a.headers).status_code == 404
    assert a.get(f"/blobs/{sha}/status").json() == {"sha256": sha, "size": None, "received": 0, "complete": False}
    r = _put(a, sha, data[:MiB], 0, len(data))
    assert r.status_code == 200 and r.json()["received"] == MiB and not r.json()["complete"]
    # The link broke; a chunk that skips ahead is refused with where to resume.
    ahead = _put(a, sha, data[2 * MiB:3 * MiB], 2 * MiB, len(data))
    assert ahead.status_code == 409 and ahead.json()["received"] == MiB
    # Resuming from the status; a retried chunk overlapping what arrived only adds its tail.
    resume_at = a.get(f"/blobs/{sha}/status").json()["received"]
    assert _put(a, sha, data[resume_at - 100:2 * MiB], resume_at - 100, len(data)).json()["received"] == 2 * MiB
    assert _put(a, sha, data[2 * MiB:3 * MiB], 2 * MiB, len(data)).status_code == 200
    done = _put(a, sha, data[3 * MiB:], 3 * MiB, len(data))
    assert done.status_code == 200 and done.json()["complete"] is True
    head = a.http.head(f"/blobs/{sha}", headers=a.headers)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(data)
    _attach(a, sha, len(data))
    whole = a.get(f"/blobs/{sha}")
    assert whole.status_code == 200 and whole.content == data
    part = a.get(f"/blobs/{sha}", headers={"Range": f"bytes={MiB - 10}-{MiB + 9}"})
    assert part.status_code == 206 and part.content == data[MiB - 10:MiB + 10]
    assert part.headers["content-range"] == f"bytes {MiB - 10}-{MiB + 9}/{len(data)}"
    tail = a.get(f"/blobs/{sha}", headers={"Range": "bytes=-5"})
    assert tail.status_code == 206 and tail.content == data[-5:]
    rest = a.get(f"/blobs/{sha}", headers={"Range": f"bytes={3 * MiB}-"})
    assert rest.content == data[3 * MiB:]
    beyond = a.get(f"/blobs/{sha}", headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    # A file already on the server is not sent again: any chunk is answered "complete".
    assert _put(a, sha, data[:MiB], 0, len(data)).json()["complete"] is True


def test_bytes_that_do_not_match_the_hash_are_discarded(live_server, desk):
    a = desk()
    data = os.urandom(1000)
    sha = hashlib.sha256(b"something else").hexdigest()
    r = _put(a, sha, data, 0, len(data))
    assert r.status_code == 422 and "SHA-256" in r.json()["detail"]
    assert a.get(f"/blobs/{sha}/status").json()["received"] == 0
    assert a.get(f"/blobs/{sha}").status_code == 404


def test_a_small_file_goes_in_one_request_without_content_range(live_server, desk):
    a = desk()
    data = b"%PDF-1.7 tiny"
    sha = hashlib.sha256(data).hexdigest()
    r = a.http.put(f"/blobs/{sha}", content=data, headers=a.headers)
    assert r.status_code == 200 and r.json()["complete"]
    _attach(a, sha, len(data), "report.pdf")
    assert a.get(f"/blobs/{sha}").content == data


def test_blob_requests_need_a_role_that_attaches_and_a_well_formed_range(live_server, desk):
    viewer, agent = desk("vera", "Viewer"), desk("anna")
    data = b"hello"
    sha = hashlib.sha256(data).hexdigest()
    assert _put(viewer, sha, data, 0, 5).status_code == 403
    assert agent.http.put(f"/blobs/{sha}", content=data,
                          headers={**agent.headers, "Content-Range": "bytes 0-9/5"}).status_code == 400
    assert agent.http.put(f"/blobs/{sha}", content=data,
                          headers={**agent.headers, "Content-Range": "pages 1-2"}).status_code == 400
    assert agent.http.put("/blobs/NOT-A-HASH", content=data, headers=agent.headers).status_code == 422
    assert _put(agent, sha, data, 0, 5).json()["complete"]
    _attach(agent, sha, 5)
    assert agent.get(f"/blobs/{sha}").content == data


def test_reading_attachments_needs_a_role_that_sees_personal_details(live_server, desk):
    agent, supervisor = desk("anna"), desk("sipho", "Supervisor")
    moderator, marketing, viewer = desk("mo", "Moderator"), desk("mark", "Marketing"), desk("vera", "Viewer")
    data = b"ID document scan"
    sha = hashlib.sha256(data).hexdigest()
    assert _put(agent, sha, data, 0, len(data)).json()["complete"]
    _attach(agent, sha, len(data))
    assert supervisor.get(f"/blobs/{sha}").content == data
    for who in (moderator, marketing, viewer):
        r = who.get(f"/blobs/{sha}")
        assert r.status_code == 403 and "personal details" in r.json()["detail"], (who.login["user"], r.text)
        assert who.get(f"/blobs/{sha}", headers={"Range": "bytes=0-3"}).status_code == 403
    # A Moderator logs inquiries and may send files: it may ask what the server has.
    assert moderator.get(f"/blobs/{sha}/status").json()["complete"] is True
    assert moderator.http.head(f"/blobs/{sha}", headers=moderator.headers).status_code == 200
    own = b"a screenshot the moderator attaches"
    assert _put(moderator, hashlib.sha256(own).hexdigest(), own, 0, len(own)).json()["complete"]
    # Roles that neither send nor read files may not ask either.
    for who in (marketing, viewer):
        assert who.get(f"/blobs/{sha}/status").status_code == 403
        assert who.http.head(f"/blobs/{sha}", headers=who.headers).status_code == 403


def test_only_files_that_an_attachment_names_are_served(live_server, desk):
    a = desk()
    data = b"dropped here, attached nowhere"
    sha = hashlib.sha256(data).hexdigest()
    assert _put(a, sha, data, 0, len(data)).json()["complete"]
    assert a.http.head(f"/blobs/{sha}", headers=a.headers).status_code == 200  # the uploader sees it is there
    r = a.get(f"/blobs/{sha}")
    assert r.status_code == 404 and "attachment" in r.json()["detail"]
    att_id = _attach(a, sha, len(data))
    assert a.get(f"/blobs/{sha}").content == data
    # Once every attachment naming the file is deleted, it is not served any more.
    assert a.push(a.mutation("attachment", att_id, {"deleted": True}, op="delete"))["results"][0]["status"] \
        == "applied"
    assert a.get(f"/blobs/{sha}").status_code == 404


def test_an_upload_records_who_began_it_and_when_its_last_chunk_came(live_server, desk):
    a = desk()
    data = os.urandom(MiB + 10)
    sha = hashlib.sha256(data).hexdigest()
    _put(a, sha, data[:MiB], 0, len(data))
    row, _ = _blob_rows(live_server, sha)
    assert row["user_id"] == a.login["user"]["id"] and not row["complete"]
    first = row["updated_at"]
    assert _put(a, sha, data[MiB:], MiB, len(data)).json()["complete"]
    row, _ = _blob_rows(live_server, sha)
    assert row["complete"] and row["updated_at"] >= first and row["completed_at"] is not None


def test_idle_unfinished_uploads_are_deleted_when_an_upload_begins(live_server, desk):
    a, b = desk("anna"), desk("ben")
    stale, recent, done = os.urandom(2 * MiB), os.urandom(2 * MiB), os.urandom(1000)
    stale_sha, recent_sha, done_sha = (hashlib.sha256(x).hexdigest() for x in (stale, recent, done))
    _put(a, stale_sha, stale[:MiB], 0, len(stale))
    _put(a, recent_sha, recent[:MiB], 0, len(recent))
    _put(a, done_sha, done, 0, len(done))
    _idle_since(live_server, stale_sha, timedelta(hours=25))
    _idle_since(live_server, recent_sha, timedelta(hours=23))
    _idle_since(live_server, done_sha, timedelta(days=30))  # complete: never expires
    # Another user begins an upload: the abandoned one goes, chunks and all.
    fresh = b"a new file"
    assert _put(b, hashlib.sha256(fresh).hexdigest(), fresh, 0, len(fresh)).json()["complete"]
    assert _blob_rows(live_server, stale_sha) == (None, 0)
    assert a.get(f"/blobs/{stale_sha}/status").json() == {"sha256": stale_sha, "size": None, "received": 0,
                                                           "complete": False}
    assert _blob_rows(live_server, recent_sha)[1] == 1
    assert _blob_rows(live_server, done_sha)[0]["complete"]
    # The desktop that began it starts again from byte 0.
    assert _put(a, stale_sha, stale[:MiB], 0, len(stale)).json()["received"] == MiB


def test_prune_uploads_removes_every_idle_unfinished_upload(live_server, desk, capsys):
    a = desk()
    blobs = [os.urandom(MiB + 1 + i) for i in range(3)]
    shas = [hashlib.sha256(x).hexdigest() for x in blobs]
    for sha, data in zip(shas, blobs, strict=True):
        _put(a, sha, data[:MiB], 0, len(data))
    _idle_since(live_server, shas[0], timedelta(hours=30))
    _idle_since(live_server, shas[1], timedelta(days=3))
    assert cli.main(["--database-url", live_server.db_url, "prune-uploads"]) == 0
    assert capsys.readouterr().out.strip() == \
        f"removed 2 unfinished upload(s) idle over 24 h ({2 * MiB:,} bytes received)"
    assert [_blob_rows(live_server, sha)[1] for sha in shas] == [0, 0, 1]
    # A shorter idle limit on the command line; nothing left to do is said too.
    assert cli.main(["--database-url", live_server.db_url, "prune-uploads", "--idle-hours", "100"]) == 0
    assert capsys.readouterr().out.startswith("removed 0 unfinished upload(s) idle over 100 h")
    assert cli.main(["--database-url", live_server.db_url, "prune-uploads", "--idle-hours", "0"]) == 1
    assert "--idle-hours" in capsys.readouterr().err


def test_a_user_may_hold_only_so_much_in_unfinished_uploads(live_server_factory):
    server = live_server_factory(settings=ServerSettings(upload_quota_bytes=5 * MiB, max_blob_bytes=4 * MiB))
    server.create_user("anna", "Support Agent")
    server.create_user("ben", "Support Agent")
    a, b = Desk(server, "anna"), Desk(server, "ben")
    try:
        first, second = os.urandom(3 * MiB), os.urandom(3 * MiB)
        first_sha, second_sha = hashlib.sha256(first).hexdigest(), hashlib.sha256(second).hexdigest()
        assert _put(a, first_sha, first[:MiB], 0, len(first)).status_code == 200
        refused = _put(a, second_sha, second[:MiB], 0, len(second))
        assert refused.status_code == 413, refused.text
        detail = refused.json()["detail"]
        assert "unfinished uploads" in detail and "3 MiB of the 5 MiB" in detail and "sync again" in detail
        assert refused.json()["quota"] == 5 * MiB
        assert _blob_rows(server, second_sha) == (None, 0)
        # Continuing the upload already begun is not a new one; another user has a quota of their own.
        assert _put(a, first_sha, first[MiB:2 * MiB], MiB, len(first)).status_code == 200
        assert _put(b, second_sha, second[:MiB], 0, len(second)).status_code == 200
        # A finished upload no longer counts.
        assert _put(a, first_sha, first[2 * MiB:], 2 * MiB, len(first)).json()["complete"]
        third = os.urandom(3 * MiB)
        assert _put(a, hashlib.sha256(third).hexdigest(), third[:MiB], 0, len(third)).status_code == 200
        # One file over the size limit says so.
        big = _put(a, "ab" * 32, b"x", 0, 4 * MiB + 1)
        assert big.status_code == 413 and "limited to 4 MiB" in big.json()["detail"]
    finally:
        a.close()
        b.close()


def test_the_server_takes_files_as_large_as_the_desktop_attaches():
    from saypro_desktop.core.row_checks import MAX_ATTACHMENT_BYTES

    settings = ServerSettings()
    assert settings.max_blob_bytes == MAX_ATTACHMENT_BYTES == 50 * MiB
    assert settings.upload_quota_bytes == 1024 * MiB and settings.upload_idle_s == 24 * 3600


def test_the_upload_limits_can_be_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("SAYPRO_UPLOAD_QUOTA_MIB", "256")
    monkeypatch.setenv("SAYPRO_UPLOAD_IDLE_HOURS", "1.5")
    settings = ServerSettings()
    assert settings.upload_quota_bytes == 256 * MiB and settings.upload_idle_s == 5400
    for bad in ("lots", "0", "-3", "nan"):
        monkeypatch.setenv("SAYPRO_UPLOAD_QUOTA_MIB", bad)
        with pytest.raises(ValueError, match="SAYPRO_UPLOAD_QUOTA_MIB"):
            ServerSettings()
