"""When a staff user's access ends (seed 001: access granted with an expiry date, revoked when people change
department or leave). One spelling for the desktop's offline sign-in, its signed-in check and the server.

An expiry is an office calendar date: access lasts to the end of that day in the office's time zone, so a
user whose access expires on 30/11 works all of 30/11 in Johannesburg and is refused from 00:00 on 01/12."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_OFFICE_TZ = "Africa/Johannesburg"
DEACTIVATED = "this account is deactivated"
EXPIRED = "this account's access expired"


def access_ends_at(expires_on: date, tz: str = DEFAULT_OFFICE_TZ) -> datetime:
    """The instant (UTC) the access of a user expiring on ``expires_on`` ends: the next midnight, office time."""
    return datetime.combine(expires_on + timedelta(days=1), time(0), ZoneInfo(tz)).astimezone(UTC)


def access_expired(expires_on: date | None, now: datetime, tz: str = DEFAULT_OFFICE_TZ) -> bool:
    return expires_on is not None and now >= access_ends_at(expires_on, tz)


def access_refusal(active: bool, deleted: bool, expires_on: date | None, now: datetime,
                   tz: str = DEFAULT_OFFICE_TZ) -> str | None:
    """Why the user may not work now (a sentence naming what an Admin must do), or None."""
    if deleted or not active:
        return f"{DEACTIVATED}; ask an Admin to activate it again"
    if access_expired(expires_on, now, tz):
        assert expires_on is not None
        return (f"{EXPIRED} at the end of {expires_on:%d/%m/%Y}; ask an Admin to extend it "
                "or clear the expiry")
    return None


def names_access_refusal(text: str) -> bool:
    """Whether a server's answer is ``access_refusal``'s (the desktop then stops that user working here too)."""
    return DEACTIVATED in text or EXPIRED in text
