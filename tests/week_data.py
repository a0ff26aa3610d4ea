"""A known week for the daily and weekly figures: ISO week 2025-W05, Monday 27 January to Sunday 2 February 2025,
across a month boundary, in the office time zone (Africa/Johannesburg, UTC+2). Times below are UTC, with the
office's local time beside them. Every figure the tests expect is worked out here:

    P  Ann   logged Fri 24/01 10:00 (before the week), Normal; acknowledged Mon 27/01 09:30 (late: due Fri 11:00);
             resolved Tue 28/01 10:00 (late: due Sun 26/01 10:00, before the week began)
    A  Ben   "Cannot log in" (High: due in 24 h); logged Tue 28/01 00:30 (Monday 22:30 UTC: a Tuesday inquiry, not
             Monday's); acknowledged 09:10 (on time: received after hours, due at the first working hour's end,
             10:00); resolved 11:00; due Wed 29/01 00:30 (a Wednesday due time, though Tuesday in UTC)
    G  Ann   logged Tue 28/01 10:00; acknowledged 10:30 (on time); never resolved: due Thu 30/01 10:00, a breach
    F  -     logged Wed 29/01 10:00, cancelled as spam at 10:10: left out of every figure but "cancelled"
    B  Ben   Payment/Billing (High); logged Fri 31/01 10:00, acknowledged 10:20, resolved 12:00; due Sat 01/02 10:00
    C  Ann   logged Sat 01/02 10:00; escalated to Tier 2 Sun 02/02 12:00 (which acknowledges it: on time, due the
             next working hour, Mon 03/02 10:00); open; due Mon 03/02 10:00 (after the week)
    D  -     logged Sun 02/02 23:30 (still Sunday in the office); never acknowledged; open
    E  -     logged Mon 03/02 00:30 (Sunday 22:30 UTC: after the week)

The week: logged 5 (A G B C D), cancelled 1 (F); acknowledged 5 (P A G B C), 4 on time; resolved 3 (P A B), 2 by
their due time; escalated 1 (C); open at the start 1 (P), at the end 3 (G C D), 1 of them overdue (G); resolution
due times in the week 3 (A G B), 1 missed (G). Ann: logged 2, acknowledged 3, resolved 1, escalated 1, open 2,
breaches 1. Ben: logged 2, acknowledged 2, resolved 2. Unassigned: logged 1, open 1.
Monday 27/01: logged 0, acknowledged 1 (late), open at start 1 and at end 1. Tuesday 28/01: logged 2, acknowledged
2, resolved 2 (1 by due), open at start 1 (P), at end 1 (G), due 0. Wednesday 29/01: due 1 (A), missed 0; cancelled
1. Thursday 30/01: due 1, missed 1 (G). Sunday 02/02: logged 1, acknowledged 1, escalated 1, open at end 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from saypro_desktop.core.permissions import Role
from saypro_desktop.models import Inquiry
from saypro_desktop.services import inquiries as svc
from saypro_desktop.services.cancellation import cancel_inquiry
from saypro_desktop.services.context import ServiceContext
from saypro_desktop.services.staff import create_staff_user
from tests.conftest import draft

WEEK = "2025-W05"
AS_OF = datetime(2025, 2, 10, 8, 0, tzinfo=UTC)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Week:
    p: Inquiry
    a: Inquiry
    g: Inquiry
    f: Inquiry
    b: Inquiry
    c: Inquiry
    d: Inquiry
    e: Inquiry


def build_week(ctx: ServiceContext, clock) -> Week:
    """The inquiries of the module docstring, made through the services at their moments (``clock`` moves)."""
    clock.t = utc(1, 20, 8)
    ann = create_staff_user(ctx, "ann", "Ann Agent", Role.SUPPORT_AGENT)
    ben = create_staff_user(ctx, "ben", "Ben Agent", Role.SUPPORT_AGENT)

    def logged(when: datetime, who=None, **kw) -> Inquiry:
        clock.t = when
        inquiry = svc.create_inquiry(ctx, draft(**kw))
        if who is not None:
            svc.assign(ctx, inquiry, who)
        return inquiry

    def then(when: datetime, action, *args, **kw) -> None:
        clock.t = when
        action(ctx, *args, **kw)

    p = logged(utc(1, 24, 8), ann, subject="Ad still pending")
    then(utc(1, 27, 7, 30), svc.acknowledge, p)
    then(utc(1, 28, 8), svc.change_status, p, "Resolved", resolution="Ad approved after review.")
    a = logged(utc(1, 27, 22, 30), ben, subject="Cannot log in", category="Technical Issue")
    then(utc(1, 28, 7, 10), svc.acknowledge, a)
    then(utc(1, 28, 9), svc.change_status, a, "Resolved", resolution="Password reset link sent.")
    g = logged(utc(1, 28, 8), ann, subject="Images look blurry", category="Technical Issue")
    then(utc(1, 28, 8, 30), svc.acknowledge, g)
    f = logged(utc(1, 29, 8), subject="Cheap watches")
    then(utc(1, 29, 8, 10), cancel_inquiry, f, "spam")
    b = logged(utc(1, 31, 8), ben, subject="Charged twice", category="Payment/Billing")
    then(utc(1, 31, 8, 20), svc.acknowledge, b)
    then(utc(1, 31, 10), svc.change_status, b, "Resolved", resolution="Duplicate charge refunded.")
    c = logged(utc(2, 1, 8), ann, subject="Ad rejected twice")
    then(utc(2, 2, 10), svc.change_status, c, "Escalated", tier="Tier 2", reason="Needs a senior moderator")
    d = logged(utc(2, 2, 21, 30), subject="Sunday night question")
    e = logged(utc(2, 2, 22, 30), subject="Monday morning question")
    ctx.session.flush()
    clock.t = AS_OF
    return Week(p, a, g, f, b, c, d, e)
