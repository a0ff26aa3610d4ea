"""Password verifiers: the production cost, the test-only cost and rehashing."""

from __future__ import annotations

import pytest

from saypro_desktop.core import passwords
from saypro_desktop.core.passwords import (
    PRODUCTION_N,
    TEST_COST_ENV,
    cost_of,
    current_n,
    hash_password,
    needs_rehash,
    verify_password,
)


def test_without_the_test_variable_passwords_are_hashed_at_the_production_cost(monkeypatch):
    monkeypatch.delenv(TEST_COST_ENV, raising=False)
    assert PRODUCTION_N == 2**17 and current_n() == 2**17
    stored = hash_password("correct-horse-1")  # 128 MiB: over hashlib's default memory limit
    assert cost_of(stored) == (2**17, 8, 1)
    assert verify_password("correct-horse-1", stored) and not verify_password("correct-horse-2", stored)
    assert not needs_rehash(stored)
    assert needs_rehash(hash_password("correct-horse-1", n=2**14)), "the old default cost is rehashed"
    assert passwords.dummy_hash().startswith(f"scrypt${2**17}$")


def test_the_test_cost_is_lower_and_checked(monkeypatch):
    monkeypatch.setenv(TEST_COST_ENV, "1024")
    assert current_n() == 1024
    assert not needs_rehash(hash_password("correct-horse-1"))
    assert not needs_rehash(hash_password("correct-horse-1", n=PRODUCTION_N)), "a higher cost is kept"
    assert needs_rehash(hash_password("correct-horse-1", n=16))
    for bad in ("1000", "0", "many", str(2**18)):
        monkeypatch.setenv(TEST_COST_ENV, bad)
        with pytest.raises(ValueError, match="for the test suite only"):
            hash_password("correct-horse-1")


def test_damaged_or_foreign_verifiers_are_refused_and_rehashed():
    huge = hash_password("correct-horse-1", n=16).replace("scrypt$16$", f"scrypt${2**24}$")
    assert not verify_password("correct-horse-1", huge), "over the memory limit: refused, not a crash"
    for stored in ("", "bcrypt$x", "scrypt$16$8$1$!!$!!"):
        assert not verify_password("correct-horse-1", stored)
        assert needs_rehash(stored)
