"""SQLAlchemy models of SayPro Desk. Synced entities are shared with the central server."""

from .audit import AuditEntry
from .base import Base, Synced
from .inquiry import ActionStep, Attachment, Inquiry, InquiryLink
from .local import ChangeLogEntry, DeviceState, IdBlock, LocalCredential, SetAsideChange, Setting
from .staff import StaffUser

SYNCED_MODELS: dict[str, type[Synced]] = {
    m.__tablename__: m for m in (StaffUser, Inquiry, ActionStep, Attachment, InquiryLink, AuditEntry)
}

__all__ = [
    "SYNCED_MODELS", "ActionStep", "Attachment", "AuditEntry", "Base", "ChangeLogEntry", "DeviceState", "IdBlock",
    "Inquiry", "InquiryLink", "LocalCredential", "SetAsideChange", "Setting", "StaffUser", "Synced",
]
