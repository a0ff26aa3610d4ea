"""The vocabularies and targets of ad moderation (seeds 001, 003, 004): ad states, decisions, reasons,
sanctions, appeals and the weekly audit."""

from __future__ import annotations

import uuid
from datetime import timedelta

from .vocab import _Vocab

# Seed 004: every ad decided within 12-24 h of submission; audit accuracy >= 98%; complaints < 2%;
# a random 10% of the previous week's decisions audited every week.
DECIDE_WITHIN = timedelta(hours=12)
DECIDE_AT_MOST = timedelta(hours=24)
ACCURACY_TARGET = 0.98
COMPLAINT_RATE_TARGET = 0.02
AUDIT_DIVISOR = 10  # a random 10% (rounded up): integer arithmetic, no float edge at exact tenths
REPEAT_VIOLATOR_STRIKES = 3  # rejections and sanctions of one advertiser that mark a repeat violator


class AdStatus(_Vocab):
    """ad status"""

    PENDING = "Pending"
    APPROVED = "Approved"
    REJECTED = "Rejected"
    CHANGES_REQUESTED = "Changes requested"
    ESCALATED = "Escalated"
    REMOVED = "Removed"
    SUPERSEDED = "Superseded"  # a newer version of the ad arrived before this one was decided


class AdType(_Vocab):
    """ad type"""

    OFFER = "Offer"
    WANTED = "Wanted"
    SERVICE = "Service"
    JOB = "Job"
    EVENT = "Event"
    NOTICE = "Notice"


class DecisionKind(_Vocab):
    """decision"""

    APPROVE = "Approve"
    REJECT = "Reject"
    REQUEST_CHANGES = "Request changes"
    ESCALATE = "Escalate"
    REMOVE = "Remove"


# The ad's state once a decision stands.
STATUS_AFTER: dict[DecisionKind, AdStatus] = {
    DecisionKind.APPROVE: AdStatus.APPROVED, DecisionKind.REJECT: AdStatus.REJECTED,
    DecisionKind.REQUEST_CHANGES: AdStatus.CHANGES_REQUESTED, DecisionKind.ESCALATE: AdStatus.ESCALATED,
    DecisionKind.REMOVE: AdStatus.REMOVED,
}
# Decisions that say the ad broke a rule: they need a reason and count as strikes of the advertiser.
NEEDS_REASON = frozenset({DecisionKind.REJECT, DecisionKind.REQUEST_CHANGES, DecisionKind.REMOVE})
STRIKES = frozenset({DecisionKind.REJECT, DecisionKind.REMOVE})
# Decisions that end the review (the 12/24 h clock stops); an escalation waits for a senior's decision.
FINAL = frozenset({DecisionKind.APPROVE, DecisionKind.REJECT, DecisionKind.REQUEST_CHANGES, DecisionKind.REMOVE})


class SanctionKind(_Vocab):
    """sanction"""

    WARNING = "Warning"
    SUSPENSION = "Suspension"
    BAN = "Permanent ban"


class AppealKind(_Vocab):
    """appeal kind"""

    APPEAL = "Appeal"  # the advertiser asks for the decision to be reviewed
    COMPLAINT = "Complaint"  # someone complains about the decision


class AppealOutcome(_Vocab):
    """appeal outcome"""

    UPHELD = "Upheld"  # the decision stands
    OVERTURNED = "Overturned"  # the decision was wrong


class AuditVerdict(_Vocab):
    """audit verdict"""

    CORRECT = "Correct"
    WRONG = "Wrong"


# The default reason taxonomy (codes stay; labels and the list are office data in the moderation policy).
DEFAULT_REASONS: dict[str, str] = {
    "prohibited": "Prohibited item or service",
    "offensive": "Offensive or abusive language",
    "scam": "Suspected scam or fraud",
    "misleading": "Misleading or inaccurate content",
    "duplicate": "Duplicate or repeated posting",
    "contact_in_text": "Contact details in the ad text",
    "wrong_category": "Wrong category",
    "missing_details": "Missing details (price, description, images)",
    "image_quality": "Images missing, too small or unsuitable",
    "price": "Unrealistic price",
    "expired": "Ad expired",
    "other": "Other",
}

# Messages to the advertiser per decision; {title}, {reasons}, {ad_id} and {until} are filled in.
DEFAULT_TEMPLATES: dict[str, str] = {
    DecisionKind.APPROVE.value: "Your ad \"{title}\" is now live.",
    DecisionKind.REJECT.value: "Your ad \"{title}\" was not published: {reasons}.",
    DecisionKind.REQUEST_CHANGES.value: "Please edit your ad \"{title}\" before it can go live: {reasons}.",
    DecisionKind.REMOVE.value: "Your ad \"{title}\" was removed: {reasons}.",
    DecisionKind.ESCALATE.value: "",
    SanctionKind.WARNING.value: "This is a warning about your ads on SayPro Classified: {reasons}.",
    SanctionKind.SUSPENSION.value: "Your advertiser account is suspended until {until}: {reasons}.",
    SanctionKind.BAN.value: "Your advertiser account is closed permanently: {reasons}.",
}
PLACEHOLDERS = frozenset({"title", "reasons", "ad_id", "until"})

_AD_NAMESPACE = uuid.UUID("5b1c53a2-2f55-4a4f-9f4e-1f7c3a0c6d11")


def ad_row_id(external_id: str, version: int) -> str:
    """The row id of one version of a site's ad: the same on the server and every desktop that imports it,
    so the site's post and an offline import of the same ad are one row."""
    return str(uuid.uuid5(_AD_NAMESPACE, f"ad:{external_id}:{version}"))


def audit_row_id(decision_id: str) -> str:
    """A decision's place in the weekly audit: one row per decision, so no draw can audit it twice."""
    return str(uuid.uuid5(_AD_NAMESPACE, f"audit:{decision_id}"))


def audit_sample_size(decisions: int) -> int:
    """10% of the week's decisions, rounded up."""
    return -(-decisions // AUDIT_DIVISOR)
