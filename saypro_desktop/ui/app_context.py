"""What every window and workspace is given: the store, the task runner, the change bus, who is signed in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..core.office_settings import OfficeSettings
from ..core.permissions import Permission, Role, can
from ..models.base import utcnow
from ..services.context import ServiceContext, acting
from ..store import Store
from .changes import ChangeBus
from .tasks import TaskRunner


@dataclass(frozen=True)
class SignedIn:
    id: str
    username: str
    display_name: str
    role: Role


@dataclass
class AppContext:
    store: Store
    runner: TaskRunner
    bus: ChangeBus
    user: SignedIn
    settings: OfficeSettings
    clock: Callable[[], datetime] = utcnow

    def can(self, permission: Permission) -> bool:
        return can(self.user.role, permission)

    @contextmanager
    def unit(self) -> Iterator[ServiceContext]:
        """A unit of work as the signed-in user. Call from a task, never on the GUI thread."""
        with acting(self.store, self.user.username, self.clock) as ctx:
            yield ctx

    def read(self, fn: Callable[[ServiceContext], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[Exception], None] | None = None) -> None:
        def task() -> Any:
            with self.unit() as ctx:
                return fn(ctx)
        self.runner.read(task, on_done, on_error)

    def write(self, fn: Callable[[ServiceContext], Any], entity: str, on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[Exception], None] | None = None) -> None:
        """Run one service call in one transaction on the writer thread, then announce what changed.

        ``fn`` returns the ids it changed (or a tuple ``(ids, result)``)."""
        def task() -> Any:
            with self.unit() as ctx:
                return fn(ctx)

        def done(result: Any) -> None:
            ids, value = result if isinstance(result, tuple) else (result, result)
            self.bus.announce(entity, list(ids) if isinstance(ids, list | set) else [ids] if ids else [])
            if on_done:
                on_done(value)
        self.runner.write(task, done, on_error)
