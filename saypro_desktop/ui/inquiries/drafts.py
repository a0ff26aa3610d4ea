"""Unsaved form contents kept on disk while typing, so a crash leaves a recoverable draft."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ...core.validation import InquiryDraft


class DraftFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, draft: InquiryDraft, **extra: Any) -> None:
        data = {k: v for k, v in asdict(draft).items() if k not in ("logged_at", "extra")}
        data.update(extra)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)

    def load(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and any(v for v in data.values()) else None

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
