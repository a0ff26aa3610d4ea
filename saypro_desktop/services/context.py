"""The acting context of a use case: a session, the staff user doing it, the office settings, a clock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy.orm import Session

from ..core.business_calendar import BusinessCalendar
from ..core.office_settings import OfficeSettings
from ..core.permissions import Permission, require
from ..models import Setting, StaffUser
from ..models.base import utcnow
from ..models.local import SYNC_USERNAME
from ..store import Store
from .settings import load_settings
from .staff import access_problem, ensure_first_admin, find_staff


class NotFound(LookupError):
    pass


@dataclass
class ServiceContext:
    session: Session
    actor: StaffUser
    settings: OfficeSettings = field(default_factory=OfficeSettings)
    clock: Callable[[], datetime] = utcnow
    attachments_dir: Path | None = None

    def now(self) -> datetime:
        return self.clock()

    @cached_property
    def calendar(self) -> BusinessCalendar:
        return self.settings.calendar()

    def act_as(self, actor: StaffUser) -> ServiceContext:
        """Switch the acting staff user within the same unit of work."""
        self.actor = actor
        self.session.info["actor_id"] = actor.id
        return self

    def require(self, permission: Permission) -> None:
        require(self.actor.role, permission, self.actor.username)


def bind(session: Session, actor: StaffUser, clock: Callable[[], datetime] = utcnow,
         attachments_dir: Path | None = None) -> ServiceContext:
    """A context over an open session; the change-log hook attributes audit rows to ``actor``."""
    session.info["actor_id"] = actor.id
    session.info["clock"] = clock
    return ServiceContext(session, actor, load_settings(session), clock, attachments_dir)


@contextmanager
def acting(store: Store, username: str | None = None, clock: Callable[[], datetime] = utcnow) \
        -> Iterator[ServiceContext]:
    """One unit of work as ``username`` (when None: the user an enrolled desktop signed in to the server as,
    else the first Admin); commits at the end, rolls back on error."""
    with store.session() as session:
        if username is None:  # an enrolled desktop's server user, else the first local Admin
            enrolled = session.get(Setting, SYNC_USERNAME)
            actor = (enrolled and find_staff(session, enrolled.value)) or ensure_first_admin(session)
        else:
            actor = find_staff(session, username)
            if actor is None:
                raise NotFound(f"no staff user {username!r}; list them with 'saypro staff list'")
        problem = access_problem(session, actor, clock())
        if problem:  # deactivated, or access expired (core/access.py): no work in their name
            raise PermissionError(problem)
        yield bind(session, actor, clock, store.paths.attachments)
