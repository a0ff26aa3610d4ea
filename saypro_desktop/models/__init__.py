"""SQLAlchemy models of SayPro Desk. Synced entities are shared with the central server."""

from .audit import AuditEntry
from .base import Base, Synced
from .inquiry import ActionStep, Attachment, Inquiry, InquiryLink
from .knowledge import CannedReply, Feedback, InquiryArticle, KbArticle, KbSuggestion, KbVote
from .local import ChangeLogEntry, DeviceState, IdBlock, LocalCredential, SetAsideChange, Setting
from .moderation import Ad, AdDecision, AdReport, AdScore, Appeal, ModerationAudit, ModerationPolicy, Sanction
from .staff import StaffUser

# Every synced table, referenced tables before those that refer to them.
SYNCED_MODELS: dict[str, type[Synced]] = {
    m.__tablename__: m for m in (StaffUser, Inquiry, ActionStep, Attachment, InquiryLink, AuditEntry,
                                 ModerationPolicy, Ad, AdDecision, AdReport, Sanction, Appeal, ModerationAudit,
                                 KbArticle, KbVote, KbSuggestion, InquiryArticle, CannedReply, Feedback)
}

__all__ = [
    "SYNCED_MODELS",
    "ActionStep",
    "Ad",
    "AdDecision",
    "AdReport",
    "AdScore",
    "Appeal",
    "Attachment",
    "AuditEntry",
    "Base",
    "CannedReply",
    "ChangeLogEntry",
    "DeviceState",
    "Feedback",
    "IdBlock",
    "Inquiry",
    "InquiryArticle",
    "InquiryLink",
    "KbArticle",
    "KbSuggestion",
    "KbVote",
    "LocalCredential",
    "ModerationAudit",
    "ModerationPolicy",
    "Sanction",
    "SetAsideChange",
    "Setting",
    "StaffUser",
    "Synced",
]
