"""Staff roles (seed 001: Admin, Support, Marketing, Viewer; plus Supervisor and Moderator) and what each may do."""

from __future__ import annotations

from enum import StrEnum

from .vocab import _Vocab


class Role(_Vocab):
    """role"""

    ADMIN = "Admin"
    SUPERVISOR = "Supervisor"
    SUPPORT_AGENT = "Support Agent"
    MODERATOR = "Moderator"
    MARKETING = "Marketing"
    VIEWER = "Viewer"


class Permission(StrEnum):
    VIEW_INQUIRIES = "view inquiries"
    VIEW_PERSONAL_DETAILS = "view inquirers' personal details"
    CREATE_INQUIRY = "log inquiries"
    EDIT_INQUIRY = "edit inquiries"
    ASSIGN_INQUIRY = "assign inquiries"
    CHANGE_STATUS = "change inquiry status"
    ADD_NOTE = "add action steps"
    VIEW_KPI = "view KPIs and reports"
    EXPORT = "export data"
    IMPORT = "import data"
    MANAGE_USERS = "manage staff users"
    MANAGE_SETTINGS = "change office settings"
    MAINTAIN_DATABASE = "back up and migrate the database"
    VIEW_ADS = "view classified ads"
    MODERATE_ADS = "moderate ads and sanction advertisers"
    DECIDE_APPEALS = "decide appeals against moderation"
    AUDIT_MODERATION = "audit moderation decisions"
    MANAGE_MODERATION = "edit moderation rules, reasons and message templates"
    EDIT_ARTICLES = "write and edit knowledge-base articles"
    SUGGEST_ARTICLE_EDITS = "suggest edits to knowledge-base articles"
    MANAGE_REPLIES = "write and edit canned replies"
    RECORD_FEEDBACK = "record and classify users' feedback"


_MODERATION = {Permission.VIEW_ADS, Permission.MODERATE_ADS, Permission.AUDIT_MODERATION}
_AGENT = {
    Permission.VIEW_INQUIRIES, Permission.VIEW_PERSONAL_DETAILS, Permission.CREATE_INQUIRY, Permission.EDIT_INQUIRY,
    Permission.ASSIGN_INQUIRY, Permission.CHANGE_STATUS, Permission.ADD_NOTE, Permission.VIEW_KPI, Permission.EXPORT,
    Permission.SUGGEST_ARTICLE_EDITS, Permission.RECORD_FEEDBACK,
}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: frozenset(_AGENT | _MODERATION | {
        Permission.IMPORT, Permission.MAINTAIN_DATABASE, Permission.DECIDE_APPEALS, Permission.MANAGE_MODERATION,
        Permission.EDIT_ARTICLES, Permission.MANAGE_REPLIES}),
    Role.SUPPORT_AGENT: frozenset(_AGENT | {Permission.VIEW_ADS}),
    Role.MODERATOR: frozenset({Permission.VIEW_INQUIRIES, Permission.ADD_NOTE, Permission.CREATE_INQUIRY,
                               Permission.SUGGEST_ARTICLE_EDITS, *_MODERATION}),
    # Seed 001: Marketing posts and edits content (the help centre's articles).
    # ... and runs the feedback campaigns (seed 004: surveys, interviews, social media).
    Role.MARKETING: frozenset({Permission.VIEW_INQUIRIES, Permission.VIEW_KPI, Permission.VIEW_ADS,
                               Permission.EDIT_ARTICLES, Permission.RECORD_FEEDBACK}),
    Role.VIEWER: frozenset({Permission.VIEW_INQUIRIES, Permission.VIEW_ADS}),
}


class PermissionDenied(PermissionError):
    pass


def can(role: Role, permission: Permission) -> bool:
    return permission in GRANTS[role]


def require(role: Role, permission: Permission, who: str = "") -> None:
    if not can(role, permission):
        subject = f"{who} ({role.value})" if who else f"the {role.value} role"
        raise PermissionDenied(f"{subject} may not {permission.value}")
