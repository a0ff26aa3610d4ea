"""Number leases never overlap; concurrent pushes leave a gapless, ordered feed that a concurrent
reader follows without skipping a sequence (the reason pushes take the feed lock)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.desk_client import today


def test_leases_never_overlap_across_devices(live_server, desk):
    a, b = desk("anna"), desk("ben")
    month = f"{today():%y%m}"
    blocks = [a.post("/ids/lease", {"month": month, "count": 200}).json(),
              b.post("/ids/lease", {"month": month, "count": 50}).json(),
              a.post("/ids/lease", {"month": month}).json()]
    assert [(x["first"], x["last"]) for x in blocks] == [(1, 200), (201, 250), (251, 450)]
    assert b.post("/ids/lease", {"month": "2613", "count": 5}).status_code == 422
    assert b.post("/ids/lease", {"month": month, "count": 0}).status_code == 422
    viewer = desk("vera", "Viewer")
    assert viewer.post("/ids/lease", {"month": month}).status_code == 403


def test_concurrent_leases_hand_out_disjoint_blocks(live_server, desk):
    desks = [desk(f"user{i}") for i in range(4)]
    month = f"{today():%y%m}"

    def lease(d):
        return [d.post("/ids/lease", {"month": month, "count": 7}).json() for _ in range(5)]

    with ThreadPoolExecutor(4) as pool:
        blocks = [b for result in pool.map(lease, desks) for b in result]
    numbers = [n for b in blocks for n in range(b["first"], b["last"] + 1)]
    assert len(numbers) == len(set(numbers)) == 4 * 5 * 7
    assert sorted(numbers) == list(range(1, 141))


def test_concurrent_pushes_leave_a_gapless_feed_that_a_concurrent_reader_never_skips(live_server, desk):
    writers = [desk(f"writer{i}") for i in range(4)]
    reader = desk("reader")
    start = reader.pull_all()
    cursor = reader.cursor
    batches, per_batch = 6, 10
    done = threading.Event()
    seen: list[int] = [c["seq"] for c in start]
    errors: list[BaseException] = []

    def follow():
        nonlocal cursor
        try:
            while True:
                finished = done.is_set()
                page = reader.post("/sync/pull", {"cursor": cursor, "max_bytes": 4096}).json()
                seen.extend(c["seq"] for c in page["changes"])
                cursor = page["next"]
                if finished and not page["more"]:
                    return
        except BaseException as exc:  # reported by the test below
            errors.append(exc)

    def write(d):
        # Each writer numbers its own month: no row is shared between the writers, so nothing but the
        # feed lock orders their commits (without it this test fails: the reader skips sequences).
        month = 1 + writers.index(d)
        for b in range(batches):
            mutations = [d.insert_inquiry(inquiry_ref=f"SCMR-25{month:02d}-{b * per_batch + i + 1:04d}")[1]
                         for i in range(per_batch)]
            results = d.push(*mutations)["results"]
            assert all(r["status"] == "applied" for r in results), results

    follower = threading.Thread(target=follow)
    follower.start()
    with ThreadPoolExecutor(len(writers)) as pool:
        list(pool.map(write, writers))
    done.set()
    follower.join(60)
    assert not errors, errors
    total = len(start) + len(writers) * batches * per_batch
    everything = [c["seq"] for c in reader.pull_all()]
    assert everything == list(range(1, total + 1)), "the feed has gaps or is out of order"
    assert seen == everything, "the concurrent reader skipped or repeated a sequence number"


def test_two_app_instances_on_one_database_share_everything(live_server, live_server_factory, desk):
    second = live_server_factory(db_url=live_server.db_url)
    a = desk("anna")
    a.push(a.insert_inquiry()[1])
    # A token from one process is good at the other (the secret lives in the database).
    r = httpx.post(f"{second.api}/sync/pull", json={}, headers=a.headers)
    assert r.status_code == 200 and len(r.json()["changes"]) == 3


def _epoch(d) -> str:
    return d.post("/sync/pull", {"cursor": None, "max_bytes": 4096}).json()["epoch"]


def test_after_a_restore_counters_skip_the_gap_and_claims_make_blocks_the_holders_again(live_server, desk):
    a, b = desk("anna"), desk("ben")
    month = f"{today():%y%m}"
    assert a.post("/ids/lease", {"month": month, "count": 200}).json()["first"] == 1
    old_epoch = _epoch(a)
    # Under the epoch the desktop knows, a claim changes nothing.
    same = a.post("/ids/claim", {"epoch": old_epoch, "blocks": [{"month": month, "first": 1, "last": 200}]}).json()
    assert same == {"epoch": old_epoch, "claimed": [], "refused": []}

    live_server.rotate_epoch(number_gap=500)
    assert b.post("/ids/lease", {"month": month, "count": 10}).json() == {"month": month, "first": 701, "last": 710}
    assert b.post("/ids/lease", {"month": "2512", "count": 10}).json()["first"] == 501, \
        "a month the restored database never saw starts above the gap too"
    later = f"{today().year % 100 + 1:02d}{(today().month + 1) % 12 + 1:02d}"  # two months on, at least
    assert b.post("/ids/lease", {"month": later, "count": 10}).json()["first"] == 1, "a later month starts at 1"

    answer = a.post("/ids/claim", {"epoch": old_epoch, "blocks": [
        {"month": month, "first": 1, "last": 200},  # A's own, known to the restored server
        {"month": month, "first": 201, "last": 400},  # leased after the backup (inside the gap): claimed back
        {"month": month, "first": 601, "last": 800},  # overlaps what B was just leased
        {"month": month, "first": 1201, "last": 1400},  # above the gap: the restore cannot have forgotten it
    ]}).json()
    assert answer["epoch"] != old_epoch
    assert [(x["first"], x["last"]) for x in answer["claimed"]] == [(1, 200), (201, 400)]
    assert [(x["first"], x["last"]) for x in answer["refused"]] == [(601, 800), (1201, 1400)]
    assert "another desktop" in answer["refused"][0]["reason"]
    assert "not skipped" in answer["refused"][1]["reason"]
    # A claim never moves a counter: the next lease follows B's.
    assert b.post("/ids/lease", {"month": month, "count": 5}).json()["first"] == 711
    # Claiming the same again is harmless; B cannot claim what A holds.
    again = a.post("/ids/claim", {"epoch": old_epoch, "blocks": [{"month": month, "first": 201, "last": 400}]})
    assert again.json()["claimed"] == [{"month": month, "first": 201, "last": 400}]
    theirs = b.post("/ids/claim", {"epoch": old_epoch, "blocks": [{"month": month, "first": 250, "last": 260}]})
    assert theirs.json()["claimed"] == [] and "another desktop" in theirs.json()["refused"][0]["reason"]


def test_bad_claims_are_refused_with_a_reason_and_change_nothing(live_server, desk):
    a = desk("anna")
    month = f"{today():%y%m}"
    live_server.rotate_epoch()
    for blocks, says in ([{"month": month, "first": 9, "last": 3}], "not a block"), \
            ([{"month": "2513", "first": 1, "last": 3}], "month"), \
            ([{"month": month, "first": 0, "last": 3}], "first"):
        r = a.post("/ids/claim", {"epoch": "an-old-epoch", "blocks": blocks})
        assert r.status_code == 422 and says in r.json()["detail"], r.text
    assert a.post("/ids/claim", {"epoch": "x", "blocks": [{"month": month, "first": 1, "last": 2}] * 201}) \
        .status_code == 422
    assert a.post("/ids/lease", {"month": month, "count": 1}).json()["first"] == 1001
    viewer = desk("vera", "Viewer")
    r = viewer.post("/ids/claim", {"epoch": "x", "blocks": [{"month": month, "first": 5000, "last": 5001}]})
    assert r.status_code == 403
