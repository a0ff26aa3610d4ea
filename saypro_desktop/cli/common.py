"""Helpers shared by the command modules: opening the store, formatting."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..services.context import ServiceContext
    from ..store import Store


def store_for(args: argparse.Namespace) -> Store:
    """The store of ``--data-dir``; a file that failed SQLite's quick check at open gets a warning first."""
    from ..store import open_store, resolve_data_dir

    store = open_store(resolve_data_dir(args.data_dir))
    if store.problems:
        warn_damaged(store)
    return store


def warn_damaged(store: Store) -> None:
    """Once per process and file: what the quick check found, and what to do."""
    key = str(store.paths.database)
    if key in _warned:
        return
    _warned.add(key)
    shown = "\n".join(f"  - {p}" for p in store.problems[:5])
    more = f"\n  ... and {len(store.problems) - 5} more" if len(store.problems) > 5 else ""
    print(f"saypro: WARNING: the database {store.paths.database} is damaged (SQLite's quick check found "
          f"{len(store.problems)} problem(s)):\n{shown}{more}\n"
          "  What is shown may be incomplete and new changes may be lost. Run 'saypro db check' for the details, "
          "then close SayPro Desk and 'saypro db restore' the newest good backup.", file=sys.stderr)


_warned: set[str] = set()


@contextmanager
def work(args: argparse.Namespace) -> Iterator[ServiceContext]:
    from ..services.context import acting

    store = store_for(args)
    try:
        with acting(store, args.as_user) as ctx:
            yield ctx
    finally:
        store.close()


def local(ctx: ServiceContext, moment: datetime | None, with_seconds: bool = False) -> str:
    """DD/MM/YYYY HH:MM in the office time zone, as on the template."""
    if moment is None:
        return ""
    return moment.astimezone(ctx.calendar.tz).strftime("%d/%m/%Y %H:%M:%S" if with_seconds else "%d/%m/%Y %H:%M")
