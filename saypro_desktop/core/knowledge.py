"""The knowledge base and canned replies: article categories, how often an article is reviewed, and the
placeholders a canned reply may use (filled from the inquiry it is inserted into)."""

from __future__ import annotations

import re
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from .vocab import _Vocab


class ArticleCategory(_Vocab):
    """article category"""

    ACCOUNT_MANAGEMENT = "Account Management"
    AD_SUBMISSION = "Ad Submission"
    AD_MODERATION = "Ad Moderation & Policies"
    PAYMENT_ISSUES = "Payment Issues"
    TROUBLESHOOTING = "Troubleshooting"
    SAFETY = "Safety & Security"
    PRIVACY = "Privacy & Personal Data"
    USING_THE_SITE = "Using the Site"


class ArticleStatus(_Vocab):
    """article status"""

    DRAFT = "Draft"  # written, not offered to agents yet
    PUBLISHED = "Published"
    RETIRED = "Retired"  # kept for the inquiries that link it; no longer suggested


class ReplyUse(_Vocab):
    """use of a canned reply"""

    ACKNOWLEDGEMENT = "Acknowledgement"
    ACTION_STEP = "Action step"
    RESOLUTION = "Resolution"


REVIEW_EVERY_DAYS = 180  # an article not reviewed for this long is listed as overdue (its own period may differ)

# {placeholder} -> what it is filled with
PLACEHOLDERS: dict[str, str] = {
    "name": "the user's full name",
    "first_name": "the user's first name",
    "inquiry_id": "the Inquiry ID (SCMR-YYMM-####)",
    "subject": "the inquiry's subject",
    "category": "the inquiry's category",
    "due_time": "when the resolution is due, in office time",
    "agent": "the signed-in agent's name",
    "office": "the office's name",
}

_FIELD = string.Formatter()


def placeholder_problems(text: str) -> list[str]:
    """What is wrong with a reply's placeholders (empty: fine). Braces that are not a placeholder are refused
    too, so that a typo like ``{inquiry id}`` or a lone ``{`` never reaches a user."""
    try:
        names = [name for _, name, spec, conv in _FIELD.parse(text) if name is not None]
    except ValueError as exc:
        return [f"a brace is not closed or not opened ({exc}); write {{{{ or }}}} for a brace itself"]
    problems = []
    for name in dict.fromkeys(names):
        if name not in PLACEHOLDERS:
            known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            problems.append(f"unknown placeholder {{{name}}}; use {known}" if name else
                            f"an empty placeholder {{}}; use {known}")
    for _, name, spec, conv in _FIELD.parse(text):
        if name is not None and (spec or conv):
            problems.append(f"placeholder {{{name}}} takes no format (':' or '!')")
    return problems


def fill(text: str, values: Mapping[str, str]) -> str:
    """The reply with its placeholders filled; a value not known (no due time yet) leaves a visible gap
    in square brackets for the agent to complete, never the raw placeholder."""
    out = []
    for literal, name, _, _ in _FIELD.parse(text):
        out.append(literal)
        if name is not None:
            value = values.get(name)
            out.append(value if value else f"[{PLACEHOLDERS.get(name, name)}]")
    return "".join(out)


_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
# Words too common in inquiries to tell articles apart (suggestions ask for any of the others).
_STOPWORDS = """
the and for you your are was were this that with have has had not but can could would should will from they them
their there what when where which who why how our out all any its into more most some such than then too very just
also been being did does doing about after again against before below between both each few further here once only
other over same under until while please thanks thank hello dear regards kind help need want get got able
"""
STOPWORDS = frozenset(_STOPWORDS.split())


def significant_words(text: str, limit: int = 12) -> list[str]:
    """The words of a subject and description worth searching articles for (lower case, no stopwords, in order,
    at most ``limit``)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.casefold()):
        if word not in STOPWORDS:
            seen.setdefault(word)
    return list(seen)[:limit]


@dataclass(frozen=True)
class KnowledgeMeasures:
    resolved: int  # inquiries resolved in the period
    resolved_with_article: int  # ... of them with an article linked
    helpful_votes: int
    not_helpful_votes: int
    articles_published: int
    articles_overdue: int

    @property
    def article_share(self) -> float | None:
        return self.resolved_with_article / self.resolved if self.resolved else None

    @property
    def helpful_share(self) -> float | None:
        votes = self.helpful_votes + self.not_helpful_votes
        return self.helpful_votes / votes if votes else None


_LINK_NAMESPACE = uuid.UUID("0f1f6a55-8a51-4b53-9d0e-5a8f3c2b7e41")


def link_row_id(inquiry_id: str, article_id: str) -> str:
    """One inquiry-article link per pair, whichever desktop makes it (the server checks it)."""
    return str(uuid.uuid5(_LINK_NAMESPACE, f"{inquiry_id}/{article_id}"))
