"""``saypro selftest``: every check on a temporary folder, one line each, exit code 1 on any FAIL."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.null import Keyring as NullKeyring

from saypro_desktop import resources, selftest
from saypro_desktop.cli.main import main

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ["environment", "resources", "machine config", "calendar", "database", "inquiry", "search", "pdf",
          "keyring", "qt"]


class MemoryKeyring(KeyringBackend):
    """A keyring that would count as a real one (priority > 0); nothing leaves the process."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp) -> None:
    # No machine config of this computer, no real keychain; Qt (offscreen) is the test session's QApplication.
    monkeypatch.setenv("SAYPRO_MACHINE_CONFIG", str(tmp_path / "no-machine-config.ini"))
    monkeypatch.setattr(keyring, "get_keyring", lambda: MemoryKeyring())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["selftest", *args])
    out = capsys.readouterr().out
    return code, out.splitlines()


def line(lines: list[str], name: str) -> str:
    found = [x for x in lines if re.match(rf"^(OK|WARN|FAIL)\s+{re.escape(name)}\s", x)]
    assert len(found) == 1, lines
    return found[0]


def folder_of(lines: list[str]) -> Path:
    match = re.search(r"self-test in (\S+) ", lines[0])
    assert match, lines[0]
    return Path(match.group(1))


def test_every_check_passes_in_a_temporary_folder_that_is_removed(capsys, tmp_path: Path):
    code, lines = run(capsys)
    assert code == 0, "\n".join(lines)
    for name in CHECKS:
        assert line(lines, name).startswith("OK "), line(lines, name)
    assert re.search(r"logged SCMR-\d{4}-0001", line(lines, "inquiry"))
    assert "fonts embedded" in line(lines, "pdf")
    assert "MemoryKeyring" in line(lines, "keyring")
    assert re.search(r"PySide6 [\d.]+, Qt [\d.]+, platform \w+", line(lines, "qt"))
    assert all(re.search(r"\(\d+ ms\)$", line(lines, name)) for name in CHECKS)
    assert re.fullmatch(r"self-test passed: 10 OK, 0 WARN, 0 FAIL in [\d.]+ s", lines[-1])
    assert not folder_of(lines).exists()
    # The user's data folder (SAYPRO_DATA_DIR in tests) was only named, never created.
    assert not (tmp_path / "default-data").exists()
    assert str(tmp_path / "default-data") in line(lines, "machine config")


def test_keep_leaves_the_store_and_the_pdf(capsys):
    code, lines = run(capsys, "--keep")
    folder = folder_of(lines)
    try:
        assert code == 0
        assert f"kept {folder}" in lines
        assert (folder / "data" / "saypro.db").is_file()
        assert len(list(folder.glob("SCMR-*.pdf"))) == 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_failing_check_is_a_fail_line_and_exit_code_1(capsys, monkeypatch: pytest.MonkeyPatch):
    def broken(t):
        raise RuntimeError("the index\nis gone")

    monkeypatch.setattr(selftest, "check_search", broken)
    code, lines = run(capsys)
    assert code == 1
    assert re.match(r"FAIL\s+search\s+RuntimeError: the index is gone \(\d+ ms\)$", line(lines, "search"))
    assert line(lines, "pdf").startswith("OK ")  # the PDF needs the inquiry, not the search
    assert re.fullmatch(r"self-test FAILED: 9 OK, 0 WARN, 1 FAIL in [\d.]+ s", lines[-1])
    assert not folder_of(lines).exists()


def test_checks_that_need_a_failed_one_are_not_run(capsys, monkeypatch: pytest.MonkeyPatch):
    def no_store(t):
        raise OSError("disk full")

    monkeypatch.setattr(selftest, "check_database", no_store)
    code, lines = run(capsys)
    assert code == 1
    assert "OSError: disk full" in line(lines, "database")
    assert "not run: needs database" in line(lines, "inquiry")
    assert "not run: needs inquiry" in line(lines, "search") and "not run: needs inquiry" in line(lines, "pdf")
    assert line(lines, "qt").startswith("OK ")


def test_warnings_do_not_fail_the_run(capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(keyring, "get_keyring", lambda: NullKeyring())
    config = tmp_path / "no-machine-config.ini"
    config.write_text("[server]\nurl = http://desk.example\n", encoding="utf-8")
    code, lines = run(capsys)
    assert code == 0
    assert line(lines, "keyring").startswith("WARN ") and "no system keyring" in line(lines, "keyring")
    assert line(lines, "machine config").startswith("WARN ") and "not encrypted" in line(lines, "machine config")
    assert "self-test passed: 8 OK, 2 WARN, 0 FAIL" in lines[-1]


def test_without_qt_the_check_warns_from_source_and_fails_in_a_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path):
    def no_pyside(name):
        raise ModuleNotFoundError("No module named 'PySide6'", name="PySide6")

    monkeypatch.setattr(selftest.importlib, "import_module", no_pyside)
    t = selftest.SelfTest(tmp_path)
    with pytest.raises(selftest.CheckWarning, match="the command line works"):
        selftest.check_qt(t)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(RuntimeError, match="PySide6 is not installed"):
        selftest.check_qt(t)


def test_another_import_error_in_the_qt_check_is_a_failure(monkeypatch: pytest.MonkeyPatch, tmp_path):
    def broken(name):
        raise ModuleNotFoundError("No module named 'saypro_desktop.resources'", name="saypro_desktop.resources")

    monkeypatch.setattr(selftest.importlib, "import_module", broken)
    with pytest.raises(ModuleNotFoundError):
        selftest.check_qt(selftest.SelfTest(tmp_path))


def test_the_command_as_it_is_run_in_a_fresh_process(tmp_path: Path):
    """What IT types: the real Qt check starts its own QApplication; the keyring comes from the environment."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SAYPRO_MACHINE_CONFIG": str(tmp_path / "none.ini"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", "SAYPRO_DATA_DIR": str(tmp_path / "user")}
    proc = subprocess.run([sys.executable, "-m", "saypro_desktop", "selftest"], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)
    lines = proc.stdout.splitlines()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert line(lines, "qt").startswith("OK ") and "platform offscreen" in line(lines, "qt")
    assert line(lines, "keyring").startswith("WARN ")
    assert "self-test passed: 9 OK, 1 WARN, 0 FAIL" in lines[-1]
    assert not (tmp_path / "user").exists()


def test_resources_are_found_in_a_bundle_first_then_in_the_repository(monkeypatch: pytest.MonkeyPatch, tmp_path):
    assert resources.resources_dir() == ROOT / "resources"
    assert resources.resource_path("icons", "saypro.ico").is_file()
    bundled = tmp_path / "resources"
    (bundled / "fonts").mkdir(parents=True)
    (bundled / resources.MARKER).write_bytes(b"")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resource_candidates()[0] == bundled
    assert resources.resources_dir() == bundled
    with pytest.raises(FileNotFoundError, match="missing from the resources folder"):
        resources.resource_path("icons", "saypro.png")


def test_a_missing_resources_folder_names_where_it_looked(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setattr(resources, "resource_candidates", lambda: [tmp_path / "nowhere"])
    with pytest.raises(RuntimeError, match="nowhere"):
        resources.resources_dir()


def test_a_bundle_without_its_icon_is_a_warning(monkeypatch: pytest.MonkeyPatch, tmp_path):
    def no_icon(*parts):
        raise FileNotFoundError("gone")

    monkeypatch.setattr(resources, "resource_path", no_icon)
    with pytest.raises(selftest.CheckWarning, match="app icon is missing"):
        selftest.check_resources(selftest.SelfTest(tmp_path))
