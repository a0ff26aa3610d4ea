"""The system token store looks for the OS keyring on first use, not when the app starts."""

from __future__ import annotations

import threading

from saypro_desktop.sync import credentials
from saypro_desktop.sync.credentials import MemoryTokenStore, system_token_store


def test_the_keyring_is_looked_for_once_on_first_use(monkeypatch):
    found: list[MemoryTokenStore] = []

    def detect() -> MemoryTokenStore:
        found.append(MemoryTokenStore())
        return found[-1]

    monkeypatch.setattr(credentials, "_detect_token_store", detect)
    tokens = system_token_store()
    assert found == []  # made at start: nothing looked up yet
    tokens.set("k", "secret")
    assert tokens.get("k") == "secret" and found[0].get("k") == "secret"
    assert not tokens.persistent and "memory only" in tokens.description
    tokens.delete("k")
    assert tokens.get("k") is None and len(found) == 1


def test_first_use_from_two_threads_finds_one_store(monkeypatch):
    started, calls = threading.Barrier(2), []

    def detect() -> MemoryTokenStore:
        calls.append(1)
        return MemoryTokenStore()

    monkeypatch.setattr(credentials, "_detect_token_store", detect)
    tokens = system_token_store()

    def use() -> None:
        started.wait()
        tokens.get("k")

    workers = [threading.Thread(target=use) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert len(calls) == 1
