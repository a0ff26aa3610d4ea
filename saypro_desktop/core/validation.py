"""Checks of the template's use instructions: required fields, every checkbox group chosen, formats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .personal_details import WITHHELD, is_withheld
from .row_checks import MAX_TEXT
from .vocab import Category, ClassifiedCategory, Confirmation, EscalationTier, Mode, Priority, Status, UserType

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{6,25}$")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ValidationError(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class InquiryDraft:
    """Sections 1-3 and 6 of the template as typed by an agent, before they become an Inquiry."""

    subject: str = ""
    category: Category | str | None = None
    mode: Mode | str | None = None
    user_type: UserType | str | None = None
    user_full_name: str = ""
    user_email: str | None = None
    user_phone: str | None = None
    user_account_id: str | None = None
    user_location: str | None = None
    category_other: str | None = None
    description: str = ""
    classified_category: ClassifiedCategory | str | None = None
    priority: Priority | str | None = None  # None: suggested from the category and text
    logged_at: datetime | None = None  # None: now
    extra: dict[str, Any] = field(default_factory=dict)


_VOCABS: dict[str, Any] = {
    "category": Category, "mode": Mode, "user_type": UserType, "classified_category": ClassifiedCategory,
    "priority": Priority,
}
_REQUIRED_CHOICES = ("category", "mode", "user_type")
# The inquirer's personal details (as ``Inquiry.__sync__.personal``; tests/services/test_personal_details.py
# checks that the two agree).
PERSONAL_DRAFT_FIELDS = ("user_full_name", "user_email", "user_phone", "user_account_id", "user_location")
_LIMITS = {"subject": 200, "user_full_name": 200, "user_email": 254, "user_phone": 40, "user_account_id": 80,
           "user_location": 200, "category_other": 200, "description": MAX_TEXT}
LABELS = {
    "subject": "Subject of inquiry", "category": "Category of inquiry", "mode": "Mode of inquiry",
    "user_type": "User type", "user_full_name": "Full name", "user_email": "Contact email",
    "user_phone": "Phone number", "user_account_id": "User ID", "user_location": "Location",
    "category_other": "Other category", "description": "Description", "classified_category": "Classified category",
    "priority": "Priority", "logged_at": "Date and time logged", "resolution": "Resolution provided",
    "resolved_at": "Date resolved", "user_confirmation": "User confirmation", "escalation_tier": "Tier level",
    "escalation_reason": "Escalation reason", "feedback_rating": "Feedback rating",
}


def normalise_draft(draft: InquiryDraft) -> tuple[InquiryDraft, list[FieldError]]:
    """Trim text, turn vocabulary labels into enum members and collect every problem at once."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name in ("subject", "user_full_name", "user_email", "user_phone", "user_account_id", "user_location",
                 "category_other", "description"):
        raw = getattr(draft, name)
        text = " ".join(raw.split()) if isinstance(raw, str) and name != "description" else raw
        if name == "description" and isinstance(raw, str):
            text = raw.strip()
        values[name] = text or (None if name not in ("subject", "user_full_name", "description") else "")
        limit = _LIMITS.get(name)
        if limit and values[name] and len(values[name]) > limit:
            errors.append(FieldError(name, f"{LABELS[name]} is {len(values[name])} characters; the limit is {limit}"))
    for name, vocab in _VOCABS.items():
        raw = getattr(draft, name)
        if raw in (None, ""):
            values[name] = None
            if name in _REQUIRED_CHOICES:
                options = ", ".join(v.value for v in vocab)
                errors.append(FieldError(name, f"choose the {LABELS[name].lower()} ({options})"))
            continue
        try:
            values[name] = vocab.parse(raw) if isinstance(raw, str) and not isinstance(raw, vocab) else vocab(raw)
        except ValueError as exc:
            values[name] = None
            errors.append(FieldError(name, str(exc)))
    for name in PERSONAL_DRAFT_FIELDS:  # a withheld detail shown to a role, typed or exported back: never a value
        if is_withheld(values[name]):
            errors.append(FieldError(name, f"{WITHHELD} stands for a detail this role may not see, not a value: "
                                           "type the real one, or leave it to a colleague who may see it"))
    if not values["subject"]:
        errors.append(FieldError("subject", "enter a short title summarising the issue"))
    if not values["user_full_name"]:
        errors.append(FieldError("user_full_name", "enter the user's full name"))
    if values["category"] == Category.OTHER and not values["category_other"]:
        errors.append(FieldError("category_other", "the category is Other: say which (e.g. 'Account deletion')"))
    if values["user_email"] and not _EMAIL.match(values["user_email"]):
        errors.append(FieldError("user_email", f"{values['user_email']!r} is not an email address"))
    if values["user_phone"] and not _PHONE.match(values["user_phone"]):
        errors.append(FieldError("user_phone", "use digits, spaces and an optional leading + (e.g. +27 11 555 0123)"))
    if draft.logged_at is not None and draft.logged_at.tzinfo is None:
        errors.append(FieldError("logged_at", "the time logged needs a time zone"))
    clean = InquiryDraft(logged_at=draft.logged_at, extra=dict(draft.extra), **values)
    return clean, errors


def status_requirements(target: Status, *, resolution: str | None, resolved_at: datetime | None,
                        user_confirmation: Confirmation | None, escalation_tier: EscalationTier | None,
                        escalation_reason: str | None) -> list[FieldError]:
    """What the template asks to be filled in before an inquiry can take ``target``."""
    errors: list[FieldError] = []
    if target in (Status.RESOLVED, Status.CLOSED):
        if not (resolution and resolution.strip()):
            errors.append(FieldError("resolution", "describe the solution or answer given to the user"))
        if resolved_at is None:
            errors.append(FieldError("resolved_at", "enter the date resolved"))
    if target == Status.CLOSED and user_confirmation is None:
        errors.append(FieldError("user_confirmation", "tick whether the user confirmed (Yes, No or N/A)"))
    if target == Status.ESCALATED:
        if escalation_tier is None:
            errors.append(FieldError("escalation_tier", "choose the tier level the inquiry goes to"))
        if not (escalation_reason and escalation_reason.strip()):
            errors.append(FieldError("escalation_reason", "say why the inquiry is escalated"))
    return errors


def check_rating(rating: int | None) -> list[FieldError]:
    if rating is not None and not 1 <= rating <= 5:
        return [FieldError("feedback_rating", f"a rating is 1 to 5, not {rating}")]
    return []
