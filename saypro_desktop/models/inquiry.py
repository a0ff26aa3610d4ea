"""The inquiry of the User Inquiry Template and what hangs off it: action steps, attachments, links."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.feedback import SurveyState
from ..core.permissions import Permission as P
from ..core.vocab import (
    ActionKind,
    CancelReason,
    Category,
    ClassifiedCategory,
    Confirmation,
    EscalationTier,
    Mode,
    Priority,
    Quarter,
    Status,
    UserType,
)
from .base import Base, Synced, UtcDateTime, Vocab
from .staff import StaffUser
from .sync_spec import SyncSpec

# Inquiry fields written by a status change or an assignment (the services' change_status and assign).
STATUS_FIELDS = frozenset({
    "status", "escalated", "escalation_tier", "escalation_reason", "escalated_at", "auto_escalated",
    "resolution", "resolved_at", "resolved_date", "resolved_on_first_contact", "user_confirmation", "closed_at",
    "reopen_count", "cancel_reason", "cancelled_at", "duplicate_of_id",
})
ASSIGN_FIELDS = frozenset({"assigned_to_id", "assigned_at"})


class Inquiry(Synced, Base):
    __tablename__ = "inquiry"
    # Inquiries are closed, never deleted (erasing personal data is its own operation).
    __sync__ = SyncSpec(
        insert=frozenset({P.CREATE_INQUIRY}), update=frozenset({P.EDIT_INQUIRY}), audited=True,
        field_permissions={
            **dict.fromkeys(STATUS_FIELDS, frozenset({P.CHANGE_STATUS})),
            **dict.fromkeys(ASSIGN_FIELDS, frozenset({P.ASSIGN_INQUIRY})),
            # Recording a user contact (ADD_NOTE, allowed to Moderators) stops the acknowledgement clock.
            "acknowledged_at": frozenset({P.CHANGE_STATUS, P.ADD_NOTE}),
        },
        author="received_by_id", immutable=frozenset({"received_by_id", "logged_at", "logged_date"}),
        write_once=frozenset({"inquiry_ref"}), server_set=frozenset({"inquiry_ref"}),
        personal=frozenset({"user_full_name", "user_email", "user_phone", "user_account_id", "user_location"}),
        conflict_text=frozenset({"subject", "description", "resolution", "escalation_reason", "feedback_comment"}),
    )
    __table_args__ = (
        # The inquiries list: read in its default order (logged_at) from an index that also holds every
        # column the list filters or sorts on, so a filter or a sort never touches the wide table rows.
        Index("ix_inquiry_list", "deleted", "logged_at", "status", "priority", "category", "mode", "assigned_to_id",
              "resolution_due_at", text("subject COLLATE NOCASE"), text("user_full_name COLLATE NOCASE")),
        Index("ix_inquiry_status_logged_at", "status", "deleted", "logged_at", "priority", "category", "mode",
              "assigned_to_id"),
        Index("ix_inquiry_assigned_logged_at", "assigned_to_id", "deleted", "logged_at"),
        Index("ix_inquiry_logged_date", "logged_date"),
        Index("ix_inquiry_resolution_due", "resolution_due_at"),
    )

    # Section 1: identification. inquiry_ref is NULL while only a provisional reference exists.
    inquiry_ref: Mapped[str | None] = mapped_column(String(20), unique=True)
    provisional_ref: Mapped[str | None] = mapped_column(String(40), unique=True)
    logged_at: Mapped[datetime] = mapped_column(UtcDateTime)
    logged_date: Mapped[date] = mapped_column(Date)  # local date in the office time zone
    received_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    mode: Mapped[Mode] = mapped_column(Vocab(Mode))

    # Section 2: user details.
    user_full_name: Mapped[str] = mapped_column(String(200))
    user_email: Mapped[str | None] = mapped_column(String(254))
    user_phone: Mapped[str | None] = mapped_column(String(40))
    user_type: Mapped[UserType] = mapped_column(Vocab(UserType))
    user_account_id: Mapped[str | None] = mapped_column(String(80))
    user_location: Mapped[str | None] = mapped_column(String(200))

    # Section 3: inquiry details.
    subject: Mapped[str] = mapped_column(String(200))
    category: Mapped[Category] = mapped_column(Vocab(Category))
    category_other: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[Priority] = mapped_column(Vocab(Priority))
    priority_overridden: Mapped[bool] = mapped_column(Boolean, default=False)

    # Section 4: action and resolution.
    assigned_to_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ack_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolution_due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_date: Mapped[date | None] = mapped_column(Date)
    resolved_on_first_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    user_confirmation: Mapped[Confirmation | None] = mapped_column(Vocab(Confirmation))

    # Section 5: status and review.
    status: Mapped[Status] = mapped_column(Vocab(Status), default=Status.NEW)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_tier: Mapped[EscalationTier | None] = mapped_column(Vocab(EscalationTier))
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    auto_escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feedback_rating: Mapped[int | None] = mapped_column(Integer)  # CSAT 1..5
    feedback_comment: Mapped[str | None] = mapped_column(Text)
    # The satisfaction survey after resolution: None reads as "to ask" once the inquiry is resolved.
    survey_state: Mapped[SurveyState | None] = mapped_column(Vocab(SurveyState))
    survey_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # when it was asked, answered or declined
    # Status Cancelled: why it was set aside and when; a duplicate names the inquiry kept (also linked in
    # section 6). A plain id, not a foreign key: the two may reach a desktop in either order.
    cancel_reason: Mapped[CancelReason | None] = mapped_column(Vocab(CancelReason))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duplicate_of_id: Mapped[str | None] = mapped_column(String(36))

    # Section 6: archival and reporting.
    in_monthly_report: Mapped[bool] = mapped_column(Boolean, default=False)
    in_quarterly_file: Mapped[bool] = mapped_column(Boolean, default=False)
    quarter: Mapped[Quarter] = mapped_column(Vocab(Quarter))
    classified_category: Mapped[ClassifiedCategory | None] = mapped_column(Vocab(ClassifiedCategory))

    received_by: Mapped[StaffUser | None] = relationship(foreign_keys=[received_by_id], lazy="joined")
    assigned_to: Mapped[StaffUser | None] = relationship(foreign_keys=[assigned_to_id], lazy="joined")
    action_steps: Mapped[list[ActionStep]] = relationship(
        back_populates="inquiry", order_by="ActionStep.at", lazy="select",
        primaryjoin="and_(Inquiry.id == ActionStep.inquiry_id, ActionStep.deleted == False)", viewonly=True,
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.created_at", lazy="select", viewonly=True,
        primaryjoin="and_(Inquiry.id == Attachment.inquiry_id, Attachment.deleted == False)",
    )

    @property
    def display_id(self) -> str:
        return self.inquiry_ref or self.provisional_ref or "(unnumbered)"


class ActionStep(Synced, Base):
    """One entry of the action-steps timeline (append-only)."""

    __tablename__ = "action_step"
    __sync__ = SyncSpec(insert=frozenset({P.ADD_NOTE}), append_only=True, author="author_id", event_time="at")
    __table_args__ = (Index("ix_action_step_inquiry_at", "inquiry_id", "at"),)

    inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiry.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    kind: Mapped[ActionKind] = mapped_column(Vocab(ActionKind))
    text: Mapped[str] = mapped_column(Text)

    inquiry: Mapped[Inquiry] = relationship(back_populates="action_steps", viewonly=True)
    author: Mapped[StaffUser | None] = relationship(lazy="joined")


class Attachment(Synced, Base):
    """A file attached to an inquiry; the bytes live in the data folder under their SHA-256."""

    __tablename__ = "attachment"
    __sync__ = SyncSpec(insert=frozenset({P.EDIT_INQUIRY}), delete=frozenset({P.EDIT_INQUIRY}), audited=True,
                        author="added_by_id", immutable=frozenset({"inquiry_id", "sha256", "size", "added_by_id"}))
    __table_args__ = (Index("ix_attachment_inquiry", "inquiry_id"),)

    inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiry.id"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(120), default="application/octet-stream")
    added_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))


class InquiryLink(Synced, Base):
    """Section 6 "Linked Inquiry IDs": one row per related pair, stored once (lower id first)."""

    __tablename__ = "inquiry_link"
    __sync__ = SyncSpec(insert=frozenset({P.EDIT_INQUIRY}), delete=frozenset({P.EDIT_INQUIRY}), audited=True,
                        immutable=frozenset({"inquiry_id", "linked_inquiry_id"}))
    __table_args__ = (UniqueConstraint("inquiry_id", "linked_inquiry_id"), Index("ix_inquiry_link_linked",
                                                                                   "linked_inquiry_id"))

    inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiry.id"))
    linked_inquiry_id: Mapped[str] = mapped_column(ForeignKey("inquiry.id"))
