"""The chain's pure parts: what a hash covers, the shape a row's chain must have, and where a branch begins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from saypro_desktop.core import row_checks
from saypro_desktop.core.audit_chain import Link, check_chain, entry_hash

CONTENT = {"id": "e1", "at": datetime(2026, 11, 29, 10, 0, tzinfo=UTC), "actor_id": "u1", "entity": "inquiry",
           "entity_id": "i1", "action": "update", "summary": None, "changes": {"status": ["New", "In Progress"]}}


def test_the_hash_covers_every_content_field_the_device_the_place_and_the_previous_hash():
    base = entry_hash(CONTENT, "d1", 2, "a" * 64)
    # The same moment spelt another way (another offset, SQLite's naive UTC text) is the same entry.
    assert entry_hash({**CONTENT, "at": CONTENT["at"].astimezone(timezone(timedelta(hours=2)))}, "d1", 2,
                      "a" * 64) == base
    assert entry_hash({**CONTENT, "at": "2026-11-29 10:00:00"}, "d1", 2, "a" * 64) == base
    for name, value in (("actor_id", "u2"), ("summary", "x"), ("changes", {}), ("entity_id", "i2"),
                        ("at", CONTENT["at"] + timedelta(microseconds=1))):
        assert entry_hash({**CONTENT, name: value}, "d1", 2, "a" * 64) != base, name
    assert entry_hash(CONTENT, "d2", 2, "a" * 64) != base
    assert entry_hash(CONTENT, "d1", 3, "a" * 64) != base
    assert entry_hash(CONTENT, "d1", 2, "b" * 64) != base


def test_a_row_with_a_malformed_chain_is_refused_with_a_reason():
    good = {"device_id": "d1", "chain_seq": 2, "prev_hash": "a" * 64, "entry_hash": "b" * 64}
    assert row_checks.row_problem("audit_entry", good) is None
    assert row_checks.row_problem("audit_entry", {}) is None  # from a desktop older than the chain
    for bad, words in (({**good, "entry_hash": None}, "needs entry_hash"),
                       ({**good, "chain_seq": 0}, "from 1"),
                       ({**good, "entry_hash": "B" * 64}, "64 lower-case hex"),
                       ({**good, "prev_hash": None}, "exactly for the first"),
                       ({**good, "chain_seq": 1}, "exactly for the first"),
                       ({**good, "prev_hash": "zz"}, "64 lower-case hex")):
        problem = row_checks.row_problem("audit_entry", bad)
        assert problem is not None and words in problem, (bad, problem)


def _links(contents: list[tuple[str, int, str | None]]) -> list[Link]:
    """(entry id, sequence, the id of the entry it follows) -> consistently hashed links of device d1."""
    hashes: dict[str, str] = {}
    out = []
    for entry_id, seq, follows in contents:
        prev = hashes[follows] if follows else None
        content = {**CONTENT, "id": entry_id}
        hashes[entry_id] = entry_hash(content, "d1", seq, prev)
        out.append(Link(entry_id, "d1", seq, prev, hashes[entry_id], content))
    return out


def test_a_branch_is_a_notice_where_it_begins_and_a_whole_chain_is_clean():
    assert check_chain(_links([("a", 1, None), ("b", 2, "a"), ("c", 3, "b")])) == []
    found = check_chain(_links([("a", 1, None), ("b", 2, "a"), ("c", 3, "b"), ("b2", 2, "a"), ("c2", 3, "b2")]))
    assert [(f.kind, f.seq, f.serious) for f in found] == [("branch", 2, False)]
    # The server's copy starts where it started receiving; a desktop's own chain must start at 1.
    assert [f.kind for f in check_chain([Link("c", "d1", 3, None, "0" * 64, CONTENT)], complete=False)] == ["edited"]
    late = _links([("a", 1, None), ("b", 2, "a"), ("c", 3, "b")])[1:]
    assert check_chain(late, complete=False) == []
    assert [f.kind for f in check_chain(late, complete=True)] == ["missing"]
