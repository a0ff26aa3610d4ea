"""The machine-wide config.ini: where it is looked for, what it may say, and that a bad file never stops the app."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from saypro_desktop.machine_config import (
    ENV_OVERRIDE,
    POSIX_PATH,
    UNEXPANDED,
    MachineConfig,
    check_server_url,
    load_machine_config,
    machine_config,
    machine_config_path,
    parse_machine_config,
)


@pytest.fixture
def config_file(tmp_path: Path):
    path = tmp_path / "config.ini"

    def write(text: str, encoding: str = "utf-8") -> Path:
        path.write_bytes(text.encode(encoding))
        return path

    return write


def test_where_the_file_is_looked_for(tmp_path: Path):
    assert machine_config_path({}, "linux") == POSIX_PATH == Path("/etc/saypro-desk/config.ini")
    win = machine_config_path({"PROGRAMDATA": r"D:\PD"}, "win32")
    assert str(win).startswith("D:\\PD") and win.parts[-2:] == ("SayPro Desk", "config.ini")
    assert str(machine_config_path({}, "win32")).startswith("C:\\ProgramData")
    override = tmp_path / "elsewhere.ini"
    assert machine_config_path({ENV_OVERRIDE: str(override), "PROGRAMDATA": "D:\\PD"}, "win32") == override


def test_the_environment_override_is_used_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(ENV_OVERRIDE, str(tmp_path / "m.ini"))
    assert machine_config_path() == tmp_path / "m.ini"


def test_no_file_means_defaults_without_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING):
        config = load_machine_config(tmp_path / "missing.ini")
    assert config == MachineConfig()
    assert caplog.records == []


def test_a_complete_file(config_file, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DESK_ROOT", str(tmp_path / "desk"))
    path = config_file("; written by the installer\n[server]\nurl = https://desk.saypro.example/\n\n"
                       "[paths]\ndata_dir = $DESK_ROOT/data\n")
    config = load_machine_config(path)
    assert config.server_url == "https://desk.saypro.example"
    assert config.data_dir == tmp_path / "desk" / "data"
    assert config.source == path and config.warnings == ()


def test_section_and_key_names_ignore_case_and_empty_values_mean_unset(config_file):
    config = load_machine_config(config_file("[Server]\nURL = https://desk.example:8443/api\n[PATHS]\ndata_dir =\n"))
    assert config.server_url == "https://desk.example:8443/api"
    assert config.data_dir is None and config.warnings == ()


def test_the_installers_ansi_and_notepads_utf16_files_are_read(config_file):
    assert load_machine_config(config_file("[server]\r\nurl=https://desk.example\r\n", "cp1252")).server_url \
        == "https://desk.example"
    assert load_machine_config(config_file("[server]\nurl = https://desk.example\n", "utf-16")).server_url \
        == "https://desk.example"
    assert load_machine_config(config_file("\ufeff[server]\nurl = https://desk.example\n")).server_url \
        == "https://desk.example"


@pytest.mark.parametrize("url", ["https://desk.example", "https://10.0.0.5:8443", "http://localhost:8000",
                                 "http://127.0.0.1:8000/"])
def test_server_urls_taken(url: str):
    assert check_server_url(url) == url.rstrip("/")


@pytest.mark.parametrize(("url", "reason"), [
    ("http://desk.example", "not encrypted"),
    ("desk.example", "not a web address"),
    ("ftp://desk.example", "not a web address"),
    ("https://", "not a web address"),
    ("https://desk.example/?token=1", "query"),
    ("https://admin:secret@desk.example", "user name"),
])
def test_server_urls_refused(url: str, reason: str):
    with pytest.raises(ValueError, match=reason):
        check_server_url(url)


def test_a_bad_value_is_ignored_alone_with_a_warning(config_file, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = config_file(f"[server]\nurl = http://desk.example\n[paths]\ndata_dir = {tmp_path / 'data'}\n")
    with caplog.at_level(logging.WARNING, logger="saypro_desktop.machine_config"):
        config = load_machine_config(path)
    assert config.server_url is None
    assert config.data_dir == tmp_path / "data"  # the good value is kept
    assert len(config.warnings) == 1
    assert str(path) in config.warnings[0] and "[server] url ignored" in config.warnings[0]
    assert "https://" in config.warnings[0]
    assert [r.getMessage() for r in caplog.records] == list(config.warnings)


@pytest.mark.parametrize(("value", "reason"), [
    ("relative/folder", "not an absolute path"),
    ("$SAYPRO_SURELY_UNSET_VARIABLE/data", "environment variable that is not set"),
    ("%SAYPRO_SURELY_UNSET_VARIABLE%/data", "environment variable that is not set"),
])
def test_data_dir_refused(config_file, value: str, reason: str):
    config = load_machine_config(config_file(f"[paths]\ndata_dir = {value}\n"))
    assert config.data_dir is None
    assert "[paths] data_dir ignored" in config.warnings[0] and reason in config.warnings[0]


def test_a_windows_admin_share_is_not_mistaken_for_a_variable():
    assert UNEXPANDED.search(r"\\fileserver\desk$\SayPro") is None
    assert UNEXPANDED.search(r"%USERNAME%\x") and UNEXPANDED.search("${HOME}/x") and UNEXPANDED.search("$HOME/x")


@pytest.mark.parametrize("text", [
    "url = https://desk.example\n",  # no section header
    "[server]\nurl = https://a.example\nurl = https://b.example\n",  # the same key twice
    "[server\nurl = https://desk.example\n",
])
def test_an_invalid_file_is_ignored_as_a_whole(config_file, text: str, caplog: pytest.LogCaptureFixture):
    path = config_file(text)
    with caplog.at_level(logging.WARNING, logger="saypro_desktop.machine_config"):
        config = load_machine_config(path)
    assert (config.server_url, config.data_dir, config.source) == (None, None, path)
    assert len(config.warnings) == 1 and "is not a valid INI file and is ignored" in config.warnings[0]
    assert str(path) in caplog.records[0].getMessage()


def test_unknown_sections_and_keys_are_reported_but_do_not_spoil_the_rest(config_file):
    config = load_machine_config(config_file(
        "[server]\nurl = https://desk.example\nverify = no\n[updates]\nchannel = beta\n"))
    assert config.server_url == "https://desk.example"
    assert any("unknown key 'verify' in [server]" in w for w in config.warnings)
    assert any("unknown section [updates]" in w for w in config.warnings)


def test_an_unreadable_file_is_ignored_with_a_warning(tmp_path: Path):
    folder = tmp_path / "config.ini"
    folder.mkdir()  # reading a folder fails like a file IT locked down
    config = load_machine_config(folder)
    assert config.server_url is None and config.source == folder
    assert "cannot be read and is ignored" in config.warnings[0]


def test_parse_without_a_file_names_the_machine_configuration():
    config = parse_machine_config("[server]\nurl = gopher://x\n")
    assert config.warnings[0].startswith("the machine configuration: [server] url ignored")


def test_the_app_reads_the_file_once_per_location(config_file, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = config_file("[server]\nurl = https://one.example\n")
    monkeypatch.setenv(ENV_OVERRIDE, str(path))
    assert machine_config().server_url == "https://one.example"
    path.write_text("[server]\nurl = https://two.example\n", encoding="utf-8")
    assert machine_config().server_url == "https://one.example"  # cached for this location
    assert load_machine_config().server_url == "https://two.example"  # read afresh
    other = tmp_path / "other.ini"
    other.write_text("[server]\nurl = https://three.example\n", encoding="utf-8")
    monkeypatch.setenv(ENV_OVERRIDE, str(other))
    assert machine_config().server_url == "https://three.example"
