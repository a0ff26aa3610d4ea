"""Helpers shared by the command modules: opening the store, formatting."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..services.context import ServiceContext
    from ..store import Store


def store_for(args: argparse.Namespace) -> Store:
    from ..store import open_store, resolve_data_dir

    return open_store(resolve_data_dir(args.data_dir))


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
