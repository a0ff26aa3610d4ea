"""Office settings kept in the local store."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..core.office_settings import OfficeSettings
from ..models import Setting

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
