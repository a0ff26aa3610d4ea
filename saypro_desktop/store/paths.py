"""Where SayPro Desk keeps its data: one place, overridable for tests and portable installs.

Order: an explicit ``--data-dir``, then ``SAYPRO_DATA_DIR``, then a ``data`` folder beside the
executable when a ``portable.txt`` marker is there, then ``[paths] data_dir`` of the machine-wide
config file IT provides, then the user's data folder (platformdirs).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_data_path

from ..machine_config import machine_config
from .private_files import private_dir

APP_NAME = "SayPro Desk"
APP_AUTHOR = "SayPro"
DB_FILENAME = "saypro.db"


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def database(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def backups(self) -> Path:
        return self.root / "backups"

    @property
    def attachments(self) -> Path:
        return self.root / "attachments"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> DataPaths:
        """Create the folders, readable by their owner only on POSIX (private_files.py)."""
        private_dir(self.root)
        for p in (self.backups, self.attachments, self.logs):
            private_dir(p, contents=True)
        return self


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> DataPaths:
    if explicit:
        return DataPaths(Path(explicit).expanduser().resolve())
    env = os.environ.get("SAYPRO_DATA_DIR")
    if env:
        return DataPaths(Path(env).expanduser().resolve())
    exe_dir = Path(sys.executable).resolve().parent
    if getattr(sys, "frozen", False) and (exe_dir / "portable.txt").exists():
        return DataPaths(exe_dir / "data")
    return DataPaths(machine_config().data_dir or user_data_path(APP_NAME, APP_AUTHOR, roaming=False))
