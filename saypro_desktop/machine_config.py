"""Machine-wide settings that IT sets once per PC: the sync server's address and, optionally, the data folder.

The file is an INI file, written by the installer (``/SERVERURL=...``) or by IT (group policy, a script):

- Windows: ``%PROGRAMDATA%\\SayPro Desk\\config.ini`` (normally ``C:\\ProgramData\\SayPro Desk\\config.ini``)
- other systems: ``/etc/saypro-desk/config.ini``
- ``SAYPRO_MACHINE_CONFIG=/path/to/config.ini`` overrides both (tests, trials)

::

    [server]
    url = https://desk.saypro.example

    [paths]
    data_dir = D:\\SayPro Desk\\%USERNAME%

A missing file is normal (every value has a default). A file that cannot be read or parsed is ignored as a
whole, and a value that is not valid is ignored alone; each case logs a warning that names the file and the
line to fix, and the app starts with the defaults. No Qt.
"""

from __future__ import annotations

import configparser
import logging
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

ENV_OVERRIDE = "SAYPRO_MACHINE_CONFIG"
FOLDER_NAME = "SayPro Desk"
FILE_NAME = "config.ini"
POSIX_PATH = Path("/etc/saypro-desk") / FILE_NAME
KNOWN = {"server": {"url"}, "paths": {"data_dir"}}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
# What is left of %NAME%, $NAME or ${NAME} when the variable is not set ("\\server\share$\x" is no variable).
UNEXPANDED = re.compile(r"%[A-Za-z_][A-Za-z0-9_()]*%|\$\{?[A-Za-z_]")


@dataclass(frozen=True)
class MachineConfig:
    """What the machine-wide file says; ``None`` where it says nothing (or nothing valid)."""

    server_url: str | None = None
    data_dir: Path | None = None
    source: Path | None = None  # the file that was read, None when there was none
    warnings: tuple[str, ...] = ()


def machine_config_path(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """Where the file is looked for (``environ`` and ``platform`` default to this process's)."""
    env = os.environ if environ is None else environ
    override = env.get(ENV_OVERRIDE)
    if override:
        return Path(override).expanduser()
    if (platform or sys.platform) == "win32":
        program_data = env.get("PROGRAMDATA") or env.get("ALLUSERSPROFILE") or r"C:\ProgramData"
        return Path(program_data) / FOLDER_NAME / FILE_NAME
    return POSIX_PATH


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Notepad's "Unicode"), else the Windows ANSI code page."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def check_server_url(value: str) -> str:
    """The URL without a trailing slash; https, or http to this machine only (trials). Raises ValueError."""
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{value!r} is not a web address; write it as https://server.example")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"{value!r} is not encrypted; the server must be reached over https://")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{value!r} must not carry a query, fragment or user name; give just the server address")
    return url


def check_data_dir(value: str) -> Path:
    """Environment variables (%USERNAME%, $HOME) and ~ expanded; must then be an absolute path. Raises ValueError."""
    expanded = os.path.expanduser(os.path.expandvars(value.strip().strip('"')))
    if UNEXPANDED.search(expanded):
        raise ValueError(f"{value!r} names an environment variable that is not set")
    path = Path(expanded)
    if not path.is_absolute():
        raise ValueError(f"{value!r} is not an absolute path (such as D:\\SayPro Desk\\%USERNAME%)")
    return path


def parse_machine_config(text: str, source: Path | None = None) -> MachineConfig:
    """The settings in ``text``; anything wrong is reported in ``warnings`` (and logged), never raised."""
    where = str(source) if source else "the machine configuration"
    warnings: list[str] = []
    parser = configparser.ConfigParser(interpolation=None, default_section="__no_defaults__")
    try:
        parser.read_string(text, source=where)
    except configparser.Error as exc:
        message = f"{where} is not a valid INI file and is ignored: {_one_line(exc)}"
        log.warning(message)
        return MachineConfig(source=source, warnings=(message,))
    for section in parser.sections():
        known = KNOWN.get(section.lower())
        if known is None:
            warnings.append(f"{where}: unknown section [{section}] is ignored")
            continue
        for key in parser[section]:
            if key not in known:
                warnings.append(f"{where}: unknown key '{key}' in [{section}] is ignored")

    server_url = data_dir = None
    raw_url = _get(parser, "server", "url")
    if raw_url:
        try:
            server_url = check_server_url(raw_url)
        except ValueError as exc:
            warnings.append(f"{where}: [server] url ignored: {exc}")
    raw_dir = _get(parser, "paths", "data_dir")
    if raw_dir:
        try:
            data_dir = check_data_dir(raw_dir)
        except ValueError as exc:
            warnings.append(f"{where}: [paths] data_dir ignored: {exc}")
    for message in warnings:
        log.warning(message)
    return MachineConfig(server_url, data_dir, source, tuple(warnings))


def load_machine_config(path: Path | None = None) -> MachineConfig:
    """Read the machine-wide file (default: ``machine_config_path()``); defaults when there is none."""
    path = path or machine_config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return MachineConfig()
    except OSError as exc:
        message = f"the machine configuration {path} cannot be read and is ignored: {exc.strerror or exc}"
        log.warning(message)
        return MachineConfig(source=path, warnings=(message,))
    return parse_machine_config(_decode(raw), path)


@lru_cache(maxsize=8)
def _load_once(path: Path) -> MachineConfig:
    return load_machine_config(path)


def machine_config() -> MachineConfig:
    """This process's machine config, read once per file location (so its warnings are logged once).

    For the app's start-up path (the data folder, sync); ``load_machine_config()`` reads the file afresh.
    """
    return _load_once(machine_config_path())


def _get(parser: configparser.ConfigParser, section: str, key: str) -> str | None:
    for name in parser.sections():
        if name.lower() == section and parser.has_option(name, key):
            value = parser.get(name, key).strip()
            return value or None
    return None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
