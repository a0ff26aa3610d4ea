"""The vocabularies of the User Inquiry Template (seed 003) and the office's own lists.

Enum values are the exact words printed on the template; they are what is stored in the
database, shown in the UI and written to CSV, so renaming a value is a data migration.
"""

from __future__ import annotations

from enum import StrEnum


class _Vocab(StrEnum):
    @classmethod
    def parse(cls, text: str) -> _Vocab:
        """Accept the exact label, any case, or the member name (``live_chat``); say what is allowed otherwise."""
        key = " ".join(str(text).split()).casefold()
        for member in cls:
            if key in (member.value.casefold(), member.name.casefold(), member.name.replace("_", " ").casefold()):
                return member
        allowed = ", ".join(m.value for m in cls)
        raise ValueError(f"{text!r} is not a valid {cls.label()}; choose one of: {allowed}")

    @classmethod
    def label(cls) -> str:
        return cls.__doc__.strip().splitlines()[0].rstrip(".") if cls.__doc__ else cls.__name__


class Mode(_Vocab):
    """mode of inquiry"""

    EMAIL = "Email"
    PHONE = "Phone"
    LIVE_CHAT = "Live Chat"
    SUPPORT_PORTAL = "Support Portal"
    SOCIAL_MEDIA = "Social Media"
    IN_PERSON = "In-person"


class UserType(_Vocab):
    """user type"""

    GENERAL_PUBLIC = "General Public"
    REGISTERED_USER = "Registered User"
    ADVERTISER = "Advertiser"
    ORGANIZATION = "Organization"
    PARTNER = "Partner"


class Category(_Vocab):
    """category of inquiry"""

    TECHNICAL_ISSUE = "Technical Issue"
    CLASSIFIED_AD_POSTING = "Classified Ad Posting"
    PAYMENT_BILLING = "Payment/Billing"
    AD_MODERATION_APPROVAL = "Ad Moderation/Approval"
    AD_REMOVAL_OR_EXPIRY = "Ad Removal or Expiry"
    FEATURE_REQUEST = "Feature Request"
    POLICY_TERMS = "Policy/Terms Clarification"
    GENERAL_FEEDBACK = "General Feedback"
    OTHER = "Other"


class Status(_Vocab):
    """status"""

    NEW = "New"
    IN_PROGRESS = "In Progress"
    ESCALATED = "Escalated"
    RESOLVED = "Resolved"
    CLOSED = "Closed"
    REOPENED = "Reopened"
    # Set aside (spam, a duplicate, a test): not an inquiry to answer; the KPIs leave it out (with CancelReason).
    CANCELLED = "Cancelled"


class CancelReason(_Vocab):
    """cancel reason"""

    SPAM = "Spam"
    DUPLICATE = "Duplicate"
    TEST = "Test"
    OTHER = "Other"


class Confirmation(_Vocab):
    """user confirmation"""

    YES = "Yes"
    NO = "No"
    NOT_APPLICABLE = "N/A"


class EscalationTier(_Vocab):
    """escalation tier"""

    TIER_2 = "Tier 2"  # senior support agent
    TIER_3 = "Tier 3"  # technical / product team
    TIER_4 = "Tier 4"  # management

    @property
    def description(self) -> str:
        return {
            EscalationTier.TIER_2: "Senior support",
            EscalationTier.TIER_3: "Technical / development team",
            EscalationTier.TIER_4: "Management",
        }[self]


class Quarter(_Vocab):
    """quarter"""

    Q1 = "Q1"
    Q2 = "Q2"
    Q3 = "Q3"
    Q4 = "Q4"

    @classmethod
    def of_month(cls, month: int) -> Quarter:
        return list(cls)[(month - 1) // 3]


class ClassifiedCategory(_Vocab):
    """classified category"""

    JOBS = "Jobs"
    REAL_ESTATE = "Real Estate"
    VEHICLES = "Vehicles"
    FOR_SALE = "For Sale"
    SERVICES = "Services"
    ANNOUNCEMENTS = "Announcements"
    EVENTS = "Events"
    COMMUNITY = "Community"
    NONE = "Not applicable"


class Priority(_Vocab):
    """priority"""

    CRITICAL = "Critical"
    HIGH = "High"
    NORMAL = "Normal"
    LOW = "Low"

    @property
    def is_high(self) -> bool:
        """High and Critical take the 24 h resolution target; Normal and Low the 48 h one."""
        return self in (Priority.CRITICAL, Priority.HIGH)

    @property
    def rank(self) -> int:
        return list(Priority).index(self)


class ActionKind(_Vocab):
    """action step kind"""

    NOTE = "Note"
    USER_CONTACT = "User contact"
    ACKNOWLEDGEMENT = "Acknowledgement"
    ASSIGNMENT = "Assignment"
    STATUS_CHANGE = "Status change"
    ESCALATION = "Escalation"
    RESOLUTION = "Resolution"
    FEEDBACK = "Feedback"
