"""The server's own check of staff changes a desktop pushes: an office is never left without an Admin.

The desktop refuses to deactivate, demote or delete the last Admin whose access lasts
(``saypro_desktop/services/staff.py``), but a desktop can be modified, or two Admins on two desktops can each
take away the other's access offline: the server, which sees every desktop's changes in order, refuses the
change that would leave no active Admin whose access has not expired."""

from __future__ import annotations

import os
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from saypro_desktop.core.access import DEFAULT_OFFICE_TZ, access_expired
from saypro_desktop.core.permissions import Role

from .checks import Refused
from .store.schema import SYNCED

OFFICE_TZ_ENV = "SAYPRO_OFFICE_TZ"  # as config.ServerSettings.office_tz


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _lasting(user: Any, now: datetime, tz: str) -> bool:
    return (str(user["role"]) == Role.ADMIN.value and bool(user["active"]) and not user["deleted"]
            and not access_expired(_day(user["access_expires_on"]), now, tz))


def check(conn: Connection, table: str, row: Any, values: dict[str, Any], now: datetime) -> None:
    """Refuse a change to a stored staff user that takes away the last lasting Admin."""
    if table != "staff_user" or row is None:
        return
    tz = os.environ.get(OFFICE_TZ_ENV, "").strip() or DEFAULT_OFFICE_TZ
    if not _lasting(row, now, tz) or _lasting({**dict(row), **values}, now, tz):
        return
    staff_user = SYNCED["staff_user"]
    others = conn.execute(select(staff_user).where(staff_user.c.role == Role.ADMIN, staff_user.c.active.is_(True),
                                                   staff_user.c.deleted.is_(False), staff_user.c.id != row["id"])
                          ).mappings().all()
    if not any(_lasting(other, now, tz) for other in others):
        raise Refused(f"{row['username']} is the last active Admin: this change would leave the office without "
                      "one; make another user an Admin first")
