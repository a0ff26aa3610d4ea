"""Ad moderation: the site's ads, decisions on them, user reports, sanctions of advertisers, appeals, the weekly
audit and the office's moderation policy (rules, reasons, message templates)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.moderation import AdStatus, AdType, AppealKind, AppealOutcome, AuditVerdict, DecisionKind, SanctionKind
from ..core.permissions import Permission as P
from ..core.vocab import ClassifiedCategory
from .base import Base, Synced, UtcDateTime, Vocab
from .sync_spec import SyncSpec

_MODERATE = frozenset({P.MODERATE_ADS})
# The ad's state follows the decision that stands; the server decides which one does.
AD_STATE_FIELDS = frozenset({"status", "decided_at", "decided_by_id", "decision_id", "claimed_by_id",
                             "claim_expires_at", "report_count"})


class Ad(Synced, Base):
    """One version of a classified ad as the site submitted it (an edit is a new version, a new row)."""

    __tablename__ = "ad"
    __sync__ = SyncSpec(
        # Ads come from the site (through the server) or an offline import by a Supervisor or an Admin.
        insert=frozenset({P.IMPORT}), update=frozenset({P.IMPORT}),
        field_permissions=dict.fromkeys(AD_STATE_FIELDS, _MODERATE),
        immutable=frozenset({"external_id", "version", "advertiser_id", "submitted_at"}),
        personal=frozenset({"advertiser_email", "advertiser_phone"}),
        server_set=AD_STATE_FIELDS,
    )
    __table_args__ = (
        UniqueConstraint("external_id", "version"),
        Index("ix_ad_queue", "status", "deleted", "submitted_at"),
        Index("ix_ad_advertiser", "advertiser_id", "submitted_at"),
    )

    external_id: Mapped[str] = mapped_column(String(80))  # the site's ad id
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    price_minor: Mapped[int | None] = mapped_column(BigInteger)  # cents (a house's price passes 32 bits)
    currency: Mapped[str] = mapped_column(String(3), default="ZAR")
    category: Mapped[ClassifiedCategory] = mapped_column(Vocab(ClassifiedCategory))
    subcategory: Mapped[str | None] = mapped_column(String(80))
    ad_type: Mapped[AdType] = mapped_column(Vocab(AdType))
    advertiser_id: Mapped[str] = mapped_column(String(80))  # the site's user id
    advertiser_name: Mapped[str] = mapped_column(String(200))
    advertiser_email: Mapped[str | None] = mapped_column(String(254))
    advertiser_phone: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(String(200))
    # [{"sha256", "filename", "size", "width", "height", "phash"}]: the bytes travel as blobs by hash.
    images: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(20), default="site")  # site, import, demo

    status: Mapped[AdStatus] = mapped_column(Vocab(AdStatus), default=AdStatus.PENDING)
    decision_id: Mapped[str | None] = mapped_column(String(36))  # the decision that stands
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    # A batch claimed while online, so two moderators do not review the same ad; it expires.
    claimed_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    claim_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    report_count: Mapped[int] = mapped_column(Integer, default=0)  # user reports from the site

    @property
    def display_id(self) -> str:
        return f"{self.external_id} v{self.version}"


class AdDecision(Synced, Base):
    """A moderator's decision on one ad version (append-only). It names the decision it followed (the one
    standing when the moderator decided): in order, it stands. When two meet (both followed the same one),
    the first the server received stands and the other is kept, not standing, for a Supervisor to settle."""

    __tablename__ = "ad_decision"
    __sync__ = SyncSpec(
        insert=_MODERATE, append_only=True, author="moderator_id", event_time="decided_at",
        # Undo of a decision not yet synced: its author sets it deleted (the desktop offers it only then).
        delete=_MODERATE, delete_own_only=True,
        server_set=frozenset({"standing", "conflict_with_id"}),
    )
    __table_args__ = (Index("ix_ad_decision_ad", "ad_id", "decided_at"),
                      Index("ix_ad_decision_moderator", "moderator_id", "decided_at"))

    ad_id: Mapped[str] = mapped_column(ForeignKey("ad.id"))
    moderator_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decision: Mapped[DecisionKind] = mapped_column(Vocab(DecisionKind))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # reason codes of the policy
    message: Mapped[str | None] = mapped_column(Text)  # to the advertiser
    note: Mapped[str | None] = mapped_column(Text)  # internal
    rules_version: Mapped[int | None] = mapped_column(Integer)  # the policy version that scored the ad
    risk: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)  # the rule codes that fired
    follows_id: Mapped[str | None] = mapped_column(String(36))  # the decision standing when this was made
    settles_id: Mapped[str | None] = mapped_column(String(36))  # a Supervisor's decision ending a conflict
    standing: Mapped[bool] = mapped_column(Boolean, default=True)
    conflict_with_id: Mapped[str | None] = mapped_column(String(36))  # the decision that stood before it


class AdReport(Synced, Base):
    """A user's report of an ad on the site (or phoned in): it joins the queue."""

    __tablename__ = "ad_report"
    __sync__ = SyncSpec(insert=_MODERATE, append_only=True, author="recorded_by_id", event_time="reported_at",
                        personal=frozenset({"reporter"}))
    __table_args__ = (Index("ix_ad_report_ad", "ad_id"),)

    ad_id: Mapped[str] = mapped_column(ForeignKey("ad.id"))
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(80))
    text: Mapped[str | None] = mapped_column(Text)
    reporter: Mapped[str | None] = mapped_column(String(200))  # the site user who reported it
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))  # NULL: from the site


class Sanction(Synced, Base):
    """A warning, a suspension until a date, or a permanent ban of an advertiser; lifting is recorded."""

    __tablename__ = "sanction"
    __sync__ = SyncSpec(
        insert=_MODERATE, audited=True, author="issued_by_id",
        immutable=frozenset({"advertiser_id", "kind", "issued_by_id", "issued_at", "ad_id"}),
        field_permissions=dict.fromkeys(("lifted_at", "lifted_by_id", "lift_reason"), _MODERATE),
    )
    __table_args__ = (Index("ix_sanction_advertiser", "advertiser_id", "issued_at"),)

    advertiser_id: Mapped[str] = mapped_column(String(80))
    kind: Mapped[SanctionKind] = mapped_column(Vocab(SanctionKind))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    ad_id: Mapped[str | None] = mapped_column(ForeignKey("ad.id"))  # the ad that led to it
    issued_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # a suspension's end
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    lifted_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    lift_reason: Mapped[str | None] = mapped_column(Text)


class Appeal(Synced, Base):
    """An appeal or complaint against a decision; decided upheld or overturned by someone other than the
    moderator who made the decision."""

    __tablename__ = "appeal"
    __sync__ = SyncSpec(
        insert=frozenset({P.MODERATE_ADS, P.CREATE_INQUIRY}), audited=True, author="recorded_by_id",
        immutable=frozenset({"decision_id", "ad_id", "kind", "recorded_by_id", "received_at"}),
        field_permissions=dict.fromkeys(("outcome", "decided_by_id", "decided_at", "outcome_note"),
                                        frozenset({P.DECIDE_APPEALS})),
    )
    __table_args__ = (Index("ix_appeal_decision", "decision_id"),)

    ad_id: Mapped[str] = mapped_column(ForeignKey("ad.id"))
    decision_id: Mapped[str] = mapped_column(ForeignKey("ad_decision.id"))
    kind: Mapped[AppealKind] = mapped_column(Vocab(AppealKind))
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    inquiry_id: Mapped[str | None] = mapped_column(ForeignKey("inquiry.id"))  # the inquiry it came in by
    outcome: Mapped[AppealOutcome | None] = mapped_column(Vocab(AppealOutcome))
    decided_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome_note: Mapped[str | None] = mapped_column(Text)


class ModerationAudit(Synced, Base):
    """One decision drawn into a week's audit sample (its id comes from the decision's: never drawn twice)
    and, once marked, the auditor's verdict."""

    __tablename__ = "moderation_audit"
    __sync__ = SyncSpec(
        insert=frozenset({P.AUDIT_MODERATION}), audited=True, author="drawn_by_id",
        immutable=frozenset({"decision_id", "week", "seed", "drawn_by_id", "drawn_at"}),
    )
    __table_args__ = (UniqueConstraint("decision_id"), Index("ix_moderation_audit_week", "week"))

    week: Mapped[str] = mapped_column(String(8))  # ISO week of the decisions, YYYY-Www
    decision_id: Mapped[str] = mapped_column(ForeignKey("ad_decision.id"))
    seed: Mapped[str] = mapped_column(String(40))  # the draw's seed: the same seed and decisions, the same sample
    drawn_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    drawn_at: Mapped[datetime] = mapped_column(UtcDateTime)
    auditor_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    verdict: Mapped[AuditVerdict | None] = mapped_column(Vocab(AuditVerdict))
    note: Mapped[str | None] = mapped_column(Text)
    marked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ModerationPolicy(Synced, Base):
    """One version of the office's moderation rules and word lists, reasons and message templates
    (append-only: an edit is a new version; the highest version is in force)."""

    __tablename__ = "moderation_policy"
    __sync__ = SyncSpec(insert=frozenset({P.MANAGE_MODERATION}), append_only=True, author="edited_by_id",
                        event_time="edited_at")

    version: Mapped[int] = mapped_column(Integer)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    reasons: Mapped[dict[str, str]] = mapped_column(JSON)  # code -> label
    templates: Mapped[dict[str, str]] = mapped_column(JSON)  # decision or sanction -> message
    edited_by_id: Mapped[str | None] = mapped_column(ForeignKey("staff_user.id"))
    edited_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[str | None] = mapped_column(Text)


class AdScore(Base):
    """The automatic flags of an ad as this desktop scored it (local: each desktop scores what it holds)."""

    __tablename__ = "ad_score"
    __table_args__ = (Index("ix_ad_score_risk", "risk"),)

    ad_id: Mapped[str] = mapped_column(ForeignKey("ad.id"), primary_key=True)
    rules_version: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    hits: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"rule", "weight", "why", "spans"}]
    scored_at: Mapped[datetime] = mapped_column(UtcDateTime)
