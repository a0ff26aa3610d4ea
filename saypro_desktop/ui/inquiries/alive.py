"""Results of background work for a widget that may be gone by then (a dialog closed while its read ran)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtWidgets import QWidget


def if_alive(widget: QWidget, fn: Callable[[Any], None] | None) -> Callable[[Any], None] | None:
    """``fn``, called only while ``widget`` still exists (a late result for a deleted widget is dropped)."""
    if fn is None:
        return None

    def call(value: Any) -> None:
        if shiboken6.isValid(widget):
            fn(value)
    return call
