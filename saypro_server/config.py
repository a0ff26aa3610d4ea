"""Where the server keeps its data and which database it uses; the settings of one app instance."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from platformdirs import user_data_dir

from saypro_desktop.core.access import DEFAULT_OFFICE_TZ
from saypro_desktop.core.row_checks import MAX_ATTACHMENT_BYTES  # one attachment, as the desktop allows
from saypro_desktop.models.base import utcnow
from saypro_desktop.sync.protocol import MAX_BODY_BYTES

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8750
DATA_ENV = "SAYPRO_SERVER_DATA"
DATABASE_ENV = "SAYPRO_DATABASE_URL"
SECRET_ENV = "SAYPRO_SERVER_SECRET"
SECRET_FILE = "token-secret"
UPLOAD_QUOTA_ENV = "SAYPRO_UPLOAD_QUOTA_MIB"
UPLOAD_IDLE_ENV = "SAYPRO_UPLOAD_IDLE_HOURS"
CLAIM_ENV = "SAYPRO_CLAIM_HOURS"
REMINDER_ENV = "SAYPRO_REMINDER_DAYS"
OFFICE_TZ_ENV = "SAYPRO_OFFICE_TZ"  # also read by staff_rules
MiB = 1024 * 1024


def data_dir() -> Path:
    """``SAYPRO_SERVER_DATA``, else the service account's data folder (platformdirs)."""
    configured = os.environ.get(DATA_ENV)
    return Path(configured).expanduser() if configured else Path(user_data_dir("SayPro Server", "SayPro"))


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``postgres://`` URLs; the server talks to PostgreSQL through psycopg 3."""
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def database_url(given: str | None = None) -> str:
    """``--database-url``, then ``SAYPRO_DATABASE_URL``, then an SQLite file in the data folder."""
    url = given or os.environ.get(DATABASE_ENV)
    if url:
        return normalise_url(url)
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'saypro-server.sqlite3'}"


def _env_number(name: str, default: float) -> float:
    """A positive number from the environment (a typo must not start a server with no limit)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise ValueError(f"{name}={raw!r} must be a positive number")
    return value


def describe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unreadable database URL)"


@dataclass
class ServerSettings:
    """What one app instance needs beyond its database. Tests shorten times or move the clock."""

    access_ttl_s: int = 900
    refresh_ttl_days: int = 90
    max_body_bytes: int = MAX_BODY_BYTES
    max_blob_bytes: int = MAX_ATTACHMENT_BYTES  # one attachment, as the desktop allows
    # Declared bytes one user may hold in unfinished uploads (SAYPRO_UPLOAD_QUOTA_MIB, default 1024).
    upload_quota_bytes: int = field(default_factory=lambda: int(_env_number(UPLOAD_QUOTA_ENV, 1024) * MiB))
    # An unfinished upload with no chunk for this long is deleted (SAYPRO_UPLOAD_IDLE_HOURS, default 24).
    upload_idle_s: int = field(default_factory=lambda: int(_env_number(UPLOAD_IDLE_ENV, 24) * 3600))
    lock_failures: int = 5
    lock_window_s: int = 15 * 60
    # A refresh token just replaced is accepted once more within this time (the answer may have been lost).
    refresh_retry_grace_s: int = 5 * 60
    # The token-signing secret: ``secret`` (default SAYPRO_SERVER_SECRET), else the file at ``secret_path``.
    secret: str | None = field(default_factory=lambda: os.environ.get(SECRET_ENV) or None)
    secret_path: Path = field(default_factory=lambda: data_dir() / SECRET_FILE)
    # How long a moderator's claim of pending ads lasts (SAYPRO_CLAIM_HOURS, default 2).
    claim_ttl_s: int = field(default_factory=lambda: int(_env_number(CLAIM_ENV, 2) * 3600))
    # Approved ads expiring within this many days get one renewal reminder on the site's feed
    # (SAYPRO_REMINDER_DAYS, default 3).
    reminder_days: float = field(default_factory=lambda: _env_number(REMINDER_ENV, 3))
    # The office's time zone (SAYPRO_OFFICE_TZ, default Africa/Johannesburg): a staff user's access expiry date
    # ends at midnight there, as on the desktops.
    office_tz: str = field(default_factory=lambda: os.environ.get(OFFICE_TZ_ENV, "").strip() or DEFAULT_OFFICE_TZ)
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.office_tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{OFFICE_TZ_ENV}={self.office_tz!r} is not a time zone; use an IANA name such as "
                             f"{DEFAULT_OFFICE_TZ}") from exc
