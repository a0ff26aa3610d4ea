"""Bad input to every endpoint is a 4xx with a readable detail and changes nothing."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

from saypro_server.store.schema import metadata

# Audit of refused sign-ins is the one thing bad input is expected to add.
UNCHANGED = [t for name, t in metadata.tables.items() if name not in {"auth_event", "device"}]


def _snapshot(server):
    with server.db.read() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in UNCHANGED}
        counts["counters"] = conn.execute(select(metadata.tables["number_counter"])).all()
        return counts


def _cases(a, row_id):
    h = a.headers
    big = b"[" + b"0," * (4 * 1024 * 1024 + 10) + b"0]"
    m = a.mutation("inquiry", row_id, {"status": "Closed"})
    return [
        ("post", "/auth/login", {"json": {"username": 5, "password": [], "device_id": "x"}}),
        ("post", "/auth/login", {"json": {"username": "anna", "password": "p", "device_id": "ABC"}}),
        ("post", "/auth/login", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
        ("post", "/auth/refresh", {"json": {"refresh_token": None, "device_id": a.device_id}}),
        ("post", "/auth/refresh", {"json": {"refresh_token": "forged", "device_id": a.device_id}}),
        ("post", "/ids/lease", {"json": {"month": "2599", "count": 5}}),
        ("post", "/ids/lease", {"json": {"month": "2501", "count": "5"}}),
        ("post", "/ids/lease", {"json": {"month": "2501", "count": 10**9}}),
        ("post", "/sync/push", {"json": {"mutations": "all of them"}}),
        ("post", "/sync/push", {"json": {"mutations": [{**m, "seq": "1"}]}}),
        ("post", "/sync/push", {"json": {"mutations": [{**m, "seq": 0}]}}),
        ("post", "/sync/push", {"json": {"mutations": [{**m, "fields": ["status", "Closed"]}]}}),
        ("post", "/sync/push", {"json": {"mutations": [m, {**m, "seq": 1}]}}),
        ("post", "/sync/push", {"json": {"mutations": [{**m, "seq": i + 1} for i in range(201)]}}),
        ("post", "/sync/push", {"json": {"mutations": [{**m, "seq": 99}]}}),
        ("post", "/sync/push", {"json": {"mutations": [{**m, "table": "x" * 100}]}}),
        ("post", "/sync/push", {"content": big, "headers": {"Content-Type": "application/json"}}),
        ("post", "/sync/push", {"content": b"\x28\xb5\x2f\xfd garbage", "headers": {"Content-Encoding": "zstd"}}),
        ("post", "/sync/push", {"content": b"{}", "headers": {"Content-Encoding": "br"}}),
        ("post", "/sync/pull", {"json": {"cursor": {"epoch": 1, "seq": -1}}}),
        ("post", "/sync/pull", {"json": {"tables": ["inquiry", "passwords"]}}),
        ("post", "/sync/pull", {"json": {"max_bytes": "lots"}}),
        ("put", "/blobs/abc", {"content": b"x"}),
        ("put", "/blobs/" + "0" * 64, {"content": b"x", "headers": {"Content-Range": "bytes 5-1/2"}}),
        ("put", "/blobs/" + "0" * 64, {"content": b"xy", "headers": {"Content-Range": f"bytes 0-1/{10**12}"}}),
        ("get", "/blobs/" + "0" * 64, {}),
        ("get", "/conflicts", {"params": {"show": "maybe"}}),
        ("get", "/conflicts", {"params": {"row_id": "nul\x00"}}),
        ("post", "/conflicts/1/settle", {"json": {"choice": "kept"}}),
        ("post", "/conflicts/0/settle", {"json": {"choice": "kept"}}),
        ("post", "/conflicts/1/settle", {"json": {"choice": "mine"}}),
    ], h


def test_bad_input_to_every_endpoint_is_a_4xx_and_changes_nothing(live_server, desk):
    a = desk()
    row_id, insert = a.insert_inquiry()
    a.push(insert)
    before = _snapshot(live_server)
    cases, headers = _cases(a, row_id)
    for method, path, kw in cases:
        kw = dict(kw)
        kw["headers"] = {**headers, **kw.get("headers", {})}
        r = a.http.request(method, path, **kw)
        assert 400 <= r.status_code < 500, (method, path, r.status_code, r.text[:300])
        if method != "head":
            detail = r.json()["detail"]
            assert isinstance(detail, str) and detail, (path, r.text)
    assert _snapshot(live_server) == before


def test_a_body_over_8_mib_is_refused_with_413_before_it_is_read(live_server, desk):
    a = desk()
    with httpx.Client(base_url=live_server.api) as c:
        r = c.post("/sync/push", content=b"x" * (8 * 1024 * 1024 + 1), headers={**a.headers,
                                                                               "Content-Type": "application/json"})
        assert r.status_code == 413 and "larger than" in r.json()["detail"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(9):
            yield b"x" * (1024 * 1024)

    r = httpx.post(f"{live_server.api}/sync/push", content=chunks(), headers=a.headers)
    assert r.status_code == 413


@pytest.mark.parametrize("encoded", [True, False])
def test_a_zstd_bomb_is_refused(live_server, desk, encoded):
    import zstandard

    a = desk()
    bomb = zstandard.ZstdCompressor(level=19).compress(json.dumps({"mutations": [], "pad": "x" * (9 * 1024 * 1024)})
                                                       .encode())
    assert len(bomb) < 100_000
    headers = {**a.headers, "Content-Type": "application/json"}
    if encoded:
        headers["Content-Encoding"] = "zstd"
    r = httpx.post(f"{live_server.api}/sync/push", content=bomb, headers=headers)
    assert r.status_code == 413 if encoded else r.status_code in (400, 422)
