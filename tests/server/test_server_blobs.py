"""Attachments: chunked, resumable upload; hash check; ranged download."""

from __future__ import annotations

import hashlib
import os

MiB = 1024 * 1024


def _put(d, sha, data, start, total):
    end = start + len(data) - 1
    return d.http.put(f"/blobs/{sha}", content=data,
                      headers={**d.headers, "Content-Range": f"bytes {start}-{end}/{total}",
                               "Content-Type": "application/octet-stream"})


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
    assert viewer.get(f"/blobs/{sha}").content == data  # every role may read attachments
