"""Rules every synced row must keep, whoever wrote it: checked by the server on each pushed change and by
the desktop on each pulled one (a change that breaks one is refused or set aside, never stored).

The sync codec (``sync.protocol.decode``) already checks types, vocabularies and lengths; these are the
rules a type cannot say: an attachment's hash is a hash and its name a plain file name (it becomes a path
on every desktop), an Inquiry ID has its printed form, a rating is 1 to 5. Values here are decoded
(Python) values. Pure functions: no database, no Qt.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from .ad_checks import images as ad_images
from .audit_chain import chain_problem
from .file_names import safe_file_name
from .inquiry_ids import InquiryId, is_provisional

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024  # one file; the desktop refuses bigger ones when attaching
SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_MEDIA_TYPE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,62}\Z")
_USERNAME_RE = re.compile(r"^\S{1,64}\Z")
AUDIT_ACTIONS = frozenset({"create", "update", "delete"})
# Entities the audit trail writes about: the synced tables and the office settings.
# What an audit entry may be about: the synced tables (a test keeps this list and the models in step) and settings.
AUDIT_ENTITIES = frozenset({"staff_user", "inquiry", "action_step", "attachment", "inquiry_link", "audit_entry",
                            "moderation_policy", "ad", "ad_decision", "ad_report", "sanction", "appeal",
                            "moderation_audit", "kb_article", "kb_vote", "kb_suggestion", "inquiry_article",
                            "canned_reply", "feedback", "setting"})


def file_name_problem(name: str) -> str | None:
    """Why ``name`` is not a plain file name that is safe to join to a folder on any desktop (None: fine). The
    desktop stores only names ``safe_file_name`` leaves as they are; anything else did not come from it."""
    if safe_file_name(name, fallback="") != name:
        return (f"is not a plain file name (no folders, drive letters, control characters, <>:\"|?*, leading dots "
                f"or device names such as CON); {safe_file_name(name)!r} would be")
    return None


def _single_line(value: str) -> str | None:
    return "contains control characters" if _CONTROL_RE.search(value) else None


def _inquiry_ref(value: str) -> str | None:
    try:
        parsed = InquiryId.parse(value)
    except ValueError as exc:
        return str(exc)
    return None if str(parsed) == value else f"is written {parsed} in its printed form"


def _former_ref(value: str) -> str | None:
    """A provisional reference, or an Inquiry ID that was renumbered (kept so it still finds the inquiry);
    either may carry the suffix the server adds when two stores issued the same one."""
    base = value.split("~", 1)[0]
    if is_provisional(base) or _inquiry_ref(base) is None:
        return _single_line(value)
    return "is neither a provisional reference (SCMR-YYMM-P<tag>-<n>) nor an inquiry ID"


def _rating(value: int) -> str | None:
    return None if 1 <= value <= 5 else "must be 1 to 5"


def _not_negative(value: int) -> str | None:
    return None if value >= 0 else "cannot be negative"


def _size(value: int) -> str | None:
    if value < 0:
        return "cannot be negative"
    return None if value <= MAX_ATTACHMENT_BYTES else f"is over the {MAX_ATTACHMENT_BYTES} bytes an attachment may have"


def _sha256(value: str) -> str | None:
    return None if SHA256_RE.match(value) else "must be 64 lower-case hexadecimal characters (a SHA-256)"


def _media_type(value: str) -> str | None:
    return None if _MEDIA_TYPE_RE.match(value) else "is not a media type such as application/pdf"


def _username(value: str) -> str | None:
    ok = _USERNAME_RE.match(value) and not _CONTROL_RE.search(value)
    return None if ok else "needs 1 to 64 characters, no spaces"


def _audit_entity(value: str) -> str | None:
    return None if value in AUDIT_ENTITIES else f"is not one of {', '.join(sorted(AUDIT_ENTITIES))}"


def _audit_action(value: str) -> str | None:
    return None if value in AUDIT_ACTIONS else "must be create, update or delete"


def _audit_changes(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "must be an object of field names to [old, new]"
    for name, pair in value.items():
        if not isinstance(name, str) or not isinstance(pair, list) or len(pair) != 2:
            return "must be an object of field names to [old, new]"
    return None


def _ad_images(value: Any) -> str | None:
    """An ad's image list: each image names its bytes by a SHA-256 (they become file paths on every desktop)."""
    problems: list[Any] = []
    ad_images(value, problems)
    return f"is not a list of images ({problems[0].message})" if problems else None


# (table, field) -> check of a value that is not None; the message completes "<table>.<field> ...".
FIELD_CHECKS: dict[tuple[str, str], Callable[[Any], str | None]] = {
    ("inquiry", "inquiry_ref"): _inquiry_ref,
    ("inquiry", "provisional_ref"): _former_ref,
    ("inquiry", "feedback_rating"): _rating,
    ("inquiry", "reopen_count"): _not_negative,
    ("inquiry", "user_email"): _single_line,
    ("inquiry", "user_phone"): _single_line,
    ("inquiry", "user_account_id"): _single_line,
    ("attachment", "sha256"): _sha256,
    ("attachment", "size"): _size,
    ("attachment", "filename"): lambda v: file_name_problem(v),
    ("attachment", "media_type"): _media_type,
    ("staff_user", "username"): _username,
    ("staff_user", "display_name"): _single_line,
    ("audit_entry", "entity"): _audit_entity,
    ("audit_entry", "entity_id"): _single_line,
    ("audit_entry", "action"): _audit_action,
    ("audit_entry", "changes"): _audit_changes,
    ("ad", "images"): _ad_images,
    ("ad", "price_minor"): _not_negative,
    ("ad", "report_count"): _not_negative,
    ("ad", "version"): lambda v: None if v >= 1 else "must be 1 or more",
}


def field_problem(table: str, field: str, value: Any) -> str | None:
    """Why this value cannot be stored in ``table.field``, in words that end "table.field ..."; None: fine."""
    check = FIELD_CHECKS.get((table, field))
    if check is None or value is None:
        return None
    problem = check(value)
    return f"{table}.{field} {problem}" if problem else None


def row_problem(table: str, row: dict[str, Any]) -> str | None:
    """Rules across fields of a whole row (after merging a change into what is stored)."""
    if table == "inquiry_link":
        low, high = row.get("inquiry_id"), row.get("linked_inquiry_id")
        if low is not None and high is not None and not low < high:
            return "inquiry_link stores each pair once, the lower inquiry id first (and never an inquiry with itself)"
    if table == "inquiry":
        return _cancellation_problem(row)
    if table == "audit_entry":
        return chain_problem(row)
    return None


def _cancellation_problem(row: dict[str, Any]) -> str | None:
    """A Cancelled inquiry says why; only a duplicate names the inquiry kept, never itself. (A reason left on an
    inquiry that is no longer Cancelled is tolerated: a concurrent status change may win the status alone.)"""
    reason, duplicate_of = row.get("cancel_reason"), row.get("duplicate_of_id")
    if row.get("status") == "Cancelled" and reason is None:
        return "inquiry.cancel_reason is required when the status is Cancelled (Spam, Duplicate, Test or Other)"
    if duplicate_of is not None:
        if reason != "Duplicate":
            return "inquiry.duplicate_of_id is only for an inquiry cancelled as a Duplicate"
        if duplicate_of == row.get("id"):
            return "inquiry.duplicate_of_id cannot name the inquiry itself"
    return None


# Checked on what a desktop sends, not on what it receives: rows stored before the rule existed stay usable
# (the desktop cleans a file name itself whenever it makes a path of it).
PUSH_ONLY = frozenset({("attachment", "filename")})


# Dates and times of the office's records: the years Inquiry IDs can name. A moment far outside them (year 9999)
# cannot be shown in the office's time zone and would break every desktop's exports and screens.
FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_TEXT = 50_000  # characters of one text field (a description, a resolution, a note): no feed carries novels
MAX_JSON = 200_000  # characters of a JSON field (an audit entry's old and new values)


def value_problem(table: str, field: str, value: Any) -> str | None:
    """Rules on a value's kind, whatever its field: dates in the office's years, texts of a sane length."""
    if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
        return f"{table}.{field} must lie in the years {FIRST_YEAR} to {LAST_YEAR}"
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return f"{table}.{field} is longer than {MAX_TEXT:,} characters"
    if isinstance(value, dict | list) and len(json.dumps(value, ensure_ascii=False)) > MAX_JSON:
        return f"{table}.{field} is larger than {MAX_JSON:,} characters"
    return None


def problems(table: str, values: dict[str, Any], *, pulled: bool = False) -> list[str]:
    """Every field problem of these decoded values; ``pulled``: values from the server, not from a desktop."""
    found = [field_problem(table, name, value) for name, value in values.items()
             if not (pulled and (table, name) in PUSH_ONLY)]
    found += [value_problem(table, name, value) for name, value in values.items()]
    return [p for p in found if p]
