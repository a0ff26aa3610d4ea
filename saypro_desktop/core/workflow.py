"""The inquiry status workflow and priority suggestion.

New -> In Progress -> Escalated / Resolved -> Closed, with Reopened from Resolved or Closed.
New may go straight to Resolved (answered on first contact) or Escalated.
Any open inquiry may be Cancelled (set aside as spam, a duplicate or a test, with a reason); a cancelled one
can only be taken back into work (In Progress), which clears the reason.
"""

from __future__ import annotations

import re

from .vocab import Category, Priority, Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.IN_PROGRESS, Status.ESCALATED, Status.RESOLVED, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.ESCALATED, Status.RESOLVED, Status.CANCELLED}),
    Status.ESCALATED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset({Status.REOPENED}),
    Status.REOPENED: frozenset({Status.IN_PROGRESS, Status.ESCALATED, Status.RESOLVED, Status.CANCELLED}),
    Status.CANCELLED: frozenset({Status.IN_PROGRESS}),
}

OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS, Status.ESCALATED, Status.REOPENED})
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


class TransitionError(ValueError):
    pass


def check_transition(current: Status, target: Status) -> None:
    if target == current:
        raise TransitionError(f"the inquiry is already {current.value}")
    allowed = TRANSITIONS[current]
    if target not in allowed:
        options = ", ".join(s.value for s in Status if s in allowed)
        raise TransitionError(f"cannot move an inquiry from {current.value} to {target.value}; "
                              f"from {current.value} it can go to: {options}")


def allowed_targets(current: Status) -> list[Status]:
    return [s for s in Status if s in TRANSITIONS[current]]


# Words in a subject or description that make an inquiry urgent whatever its category (seed 001:
# "login failures, payment processing errors, security").
_URGENT = re.compile(
    r"\b(log ?in|sign ?in|password|locked out|hack\w*|fraud\w*|scam\w*|phish\w*|security|breach|"
    r"stolen|unauthori[sz]ed|double[- ]charged|charged twice|refund|payment (?:failed|error|declined))\b",
    re.IGNORECASE,
)
_CRITICAL = re.compile(r"\b(hack\w*|fraud\w*|breach|stolen|unauthori[sz]ed|platform down|outage)\b", re.IGNORECASE)
_FAILURE = re.compile(r"\b(fail\w*|error\w*|cannot|can't|unable|not working|broken|stuck)\b", re.IGNORECASE)


def suggest_priority(category: Category, subject: str = "", description: str = "") -> Priority:
    """Payments, ad posting failures, login and security are High or above (DESIGN, time targets)."""
    text = f"{subject}\n{description}"
    if _CRITICAL.search(text):
        return Priority.CRITICAL
    if category == Category.PAYMENT_BILLING or _URGENT.search(text):
        return Priority.HIGH
    if category == Category.CLASSIFIED_AD_POSTING and _FAILURE.search(text):
        return Priority.HIGH
    if category in (Category.FEATURE_REQUEST, Category.GENERAL_FEEDBACK):
        return Priority.LOW
    return Priority.NORMAL
