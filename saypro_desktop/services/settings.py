"""Office settings kept in the local store."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..core.office_settings import OfficeSettings
from ..core.permissions import Permission
from ..models import AuditEntry, Setting

if TYPE_CHECKING:
    from .context import ServiceContext

OFFICE_KEY = "office"


def load_settings(session: Session) -> OfficeSettings:
    row = session.get(Setting, OFFICE_KEY)
    return OfficeSettings.from_dict(row.value) if row else OfficeSettings()


def save_settings(session: Session, settings: OfficeSettings) -> None:
    row = session.get(Setting, OFFICE_KEY)
    if row is None:
        session.add(Setting(key=OFFICE_KEY, value=settings.to_dict()))
    else:
        row.value = settings.to_dict()


def update_office_settings(ctx: ServiceContext, new: OfficeSettings) -> list[str]:
    """Save new office settings as the acting Admin, with an audit entry of what changed; returns the keys."""
    ctx.require(Permission.MANAGE_SETTINGS)
    old = load_settings(ctx.session).to_dict()
    fresh = new.to_dict()
    changed = {k: [old.get(k), v] for k, v in fresh.items() if old.get(k) != v}
    if not changed:
        return []
    save_settings(ctx.session, new)
    ctx.session.add(AuditEntry(at=ctx.now(), actor_id=ctx.actor.id, entity="setting", entity_id=OFFICE_KEY,
                               action="update", changes=json.loads(json.dumps(changed, default=str))))
    ctx.settings = new
    return list(changed)
