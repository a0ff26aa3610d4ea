"""The data folder and the files with personal details are readable by their owner only (POSIX)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from saypro_desktop.services.context import acting
from saypro_desktop.services.inquiries import create_inquiry
from saypro_desktop.services.links_and_files import add_attachment, blob_path
from saypro_desktop.store import DataPaths, open_store
from saypro_desktop.store.backup import make_backup
from tests.conftest import draft

pytestmark = pytest.mark.skipif(os.name != "posix", reason="Windows: the per-user AppData folder's ACL restricts it")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # what most accounts have: new files 0644, folders 0755
    yield
    os.umask(old)


def test_a_new_store_is_private(tmp_path, clock, open_umask):
    paths = DataPaths(tmp_path / "data")
    store = open_store(paths)
    try:
        with acting(store, clock=clock) as ctx:
            inquiry = create_inquiry(ctx, draft())
            source = tmp_path / "letter.txt"
            source.write_text("a letter", encoding="utf-8")
            attachment = add_attachment(ctx, inquiry, source)
        wal, shm = Path(f"{paths.database}-wal"), Path(f"{paths.database}-shm")
        assert wal.exists() and shm.exists()
        assert [_mode(p) for p in (paths.database, wal, shm)] == [0o600] * 3
        backup = make_backup(paths)
        assert _mode(backup) == 0o600
        assert _mode(blob_path(paths.attachments, attachment.sha256)) == 0o600
    finally:
        store.close()
    assert [_mode(p) for p in (paths.root, paths.backups, paths.attachments, paths.logs)] == [0o700] * 4


def test_an_existing_store_open_to_others_is_made_private_at_open(tmp_path, clock, open_umask):
    paths = DataPaths(tmp_path / "data")
    store = open_store(paths)
    with acting(store, clock=clock) as ctx:
        create_inquiry(ctx, draft())
    backup = make_backup(paths)
    store.close()
    old_blob = paths.attachments / "ab" / ("ab" * 32)
    old_blob.parent.mkdir()
    old_blob.write_bytes(b"x")
    for p in (paths.root, paths.backups, paths.attachments, old_blob.parent):  # as an older version left it
        os.chmod(p, 0o755)
    for p in (paths.database, backup, old_blob):
        os.chmod(p, 0o644)
    open_store(paths).close()
    assert [_mode(p) for p in (paths.root, paths.backups, paths.attachments, old_blob.parent)] == [0o700] * 4
    assert [_mode(p) for p in (paths.database, backup, old_blob)] == [0o600] * 3


def test_files_that_are_not_the_stores_are_left_as_they_are(tmp_path, open_umask):
    # A --data-dir may name a folder that holds other files: only the folder and the store's own files change.
    root = tmp_path / "shared"
    root.mkdir()
    theirs = root / "notes.txt"
    theirs.write_text("not ours", encoding="utf-8")
    os.chmod(theirs, 0o644)
    open_store(DataPaths(root)).close()
    assert _mode(root) == 0o700 and _mode(theirs) == 0o644
    assert _mode(root / "saypro.db") == 0o600
