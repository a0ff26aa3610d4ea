"""The attachment store: paths only from well-formed hashes, copies for opening only inside their folder."""

from __future__ import annotations

import hashlib
import os
import sys

import pytest

from saypro_desktop.services.links_and_files import blob_path, copy_for_opening, store_blob, suggested_name


@pytest.mark.parametrize("bad", [
    "", "abc", "../../../../etc/passwd", "..", "A" * 64, "g" * 64, "0" * 63, "0" * 65, "0" * 62 + "/x",
    "00/" + "0" * 61, "0" * 64 + "\n", " " + "0" * 63, None, 42,
])
def test_blob_path_refuses_anything_but_a_sha256(tmp_path, bad):
    with pytest.raises(ValueError, match="not a SHA-256"):
        blob_path(tmp_path, bad)


def test_blob_path_of_a_hash_stays_in_the_folder(tmp_path):
    sha = hashlib.sha256(b"x").hexdigest()
    path = blob_path(tmp_path, sha)
    assert path == tmp_path / sha[:2] / sha and path.resolve().is_relative_to(tmp_path.resolve())


def _stored(tmp_path, payload=b"%PDF-1.7 the bytes"):
    source = tmp_path / "source.pdf"
    source.write_bytes(payload)
    root = tmp_path / "attachments"
    sha, _ = store_blob(root, source)
    return root, sha


@pytest.mark.parametrize(("filename", "expected"), [
    ("report.pdf", "report.pdf"),
    ("../../../../tmp/x.sh", "x.sh"),
    ("..\\..\\evil.bat", "evil.bat"),
    ("C:\\Windows\\x", "x"),
    ("CON", "_CON"),
    ("", "attachment"),
    ("a\x00b.txt", "ab.txt"),
])
def test_a_copy_for_opening_has_a_safe_name_inside_the_open_folder(tmp_path, filename, expected):
    root, sha = _stored(tmp_path)
    open_dir = tmp_path / "data" / "open"
    copy = copy_for_opening(root, sha, filename, open_dir)
    assert copy.name == expected and copy.read_bytes() == b"%PDF-1.7 the bytes"
    assert copy.resolve().is_relative_to(open_dir.resolve())
    assert not (tmp_path / "tmp").exists() and not (tmp_path / "evil.bat").exists()
    assert suggested_name(filename) == expected
    # Opening again (the viewer may still hold the old copy open elsewhere) writes the same place.
    assert copy_for_opening(root, sha, filename, open_dir) == copy


def test_two_files_with_one_name_do_not_overwrite_each_other(tmp_path):
    root, first = _stored(tmp_path, b"first")
    _, second = _stored(tmp_path, b"second")
    a = copy_for_opening(root, first, "scan.png", tmp_path / "open")
    b = copy_for_opening(root, second, "scan.png", tmp_path / "open")
    assert a != b and a.read_bytes() == b"first" and b.read_bytes() == b"second"


def test_a_copy_for_opening_is_refused_for_a_bad_hash_or_a_file_not_here(tmp_path):
    root, _ = _stored(tmp_path)
    with pytest.raises(ValueError, match="not a SHA-256"):
        copy_for_opening(root, "../../x", "x.txt", tmp_path / "open")
    with pytest.raises(FileNotFoundError, match="not on this desktop yet"):
        copy_for_opening(root, hashlib.sha256(b"elsewhere").hexdigest(), "../x.txt", tmp_path / "open")
    assert not (tmp_path / "open").exists() or not any((tmp_path / "open").rglob("*.txt"))


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need rights on Windows")
def test_a_planted_link_in_the_open_folder_cannot_redirect_the_copy(tmp_path):
    root, sha = _stored(tmp_path)
    open_dir = tmp_path / "open"
    outside = tmp_path / "outside"
    outside.mkdir()
    open_dir.mkdir()
    os.symlink(outside, open_dir / sha[:16])  # the copy's folder points elsewhere
    with pytest.raises(ValueError, match="outside"):
        copy_for_opening(root, sha, "report.pdf", open_dir)
    assert not any(outside.iterdir())
    (open_dir / sha[:16]).unlink()
    (open_dir / sha[:16]).mkdir()
    os.symlink(outside / "victim.pdf", open_dir / sha[:16] / "report.pdf")  # the file itself is a link
    with pytest.raises(ValueError, match="outside"):
        copy_for_opening(root, sha, "report.pdf", open_dir)
    assert not (outside / "victim.pdf").exists()
