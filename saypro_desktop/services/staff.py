"""Staff users: the first Admin, creating users, local passwords."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.passwords import check_strength, dummy_hash, hash_password, needs_rehash, verify_password
from ..core.permissions import Permission, Role
from ..models import LocalCredential, StaffUser
from ..models.base import utcnow

if TYPE_CHECKING:
    from .context import ServiceContext

FIRST_ADMIN = "admin"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def find_staff(session: Session, username: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.username) == username.strip().lower(),
                                                  StaffUser.deleted.is_(False)))


def ensure_first_admin(session: Session) -> StaffUser:
    """A new data folder works at once: its first use creates a local Admin (password set at first sign-in)."""
    admin = session.scalar(select(StaffUser).where(StaffUser.role == Role.ADMIN, StaffUser.active.is_(True),
                                                   StaffUser.deleted.is_(False)).order_by(StaffUser.created_at))
    if admin is None:
        admin = StaffUser(username=FIRST_ADMIN, display_name="Administrator", role=Role.ADMIN, active=True)
        session.info.setdefault("actor_id", None)
        session.add(admin)
        session.flush()
    return admin


def create_staff_user(ctx: ServiceContext, username: str, display_name: str, role: Role | str,
                      email: str | None = None, password: str | None = None) -> StaffUser:
    ctx.require(Permission.MANAGE_USERS)
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise ValueError(f"{username!r} is not a usable user name: 2-64 characters, letters, digits, '.', '_' or '-'")
    if find_staff(ctx.session, name):
        raise ValueError(f"a staff user named {name!r} already exists")
    user = StaffUser(username=name, display_name=display_name.strip() or name,
                     role=Role.parse(role) if isinstance(role, str) else role, email=email, active=True)
    ctx.session.add(user)
    ctx.session.flush()
    if password is not None:
        set_password(ctx.session, user, password)
    return user


def set_password(session: Session, user: StaffUser, password: str) -> None:
    problem = check_strength(password)
    if problem:
        raise ValueError(problem)
    cred = session.get(LocalCredential, user.id)
    if cred is None:
        session.add(LocalCredential(user_id=user.id, password_hash=hash_password(password), updated_at=utcnow()))
    else:
        cred.password_hash = hash_password(password)
        cred.updated_at = utcnow()


def has_password(session: Session, user: StaffUser) -> bool:
    return session.get(LocalCredential, user.id) is not None


def sign_in(session: Session, username: str, password: str) -> StaffUser | None:
    """The staff user if the local verifier accepts the password, else None (never says which part was wrong).

    A verifier made at a lower cost than today's is replaced after it accepted the password (the
    session's commit stores it): older stores reach the current cost as their users sign in."""
    user = find_staff(session, username)
    if user is None or not user.active:
        verify_password(password, dummy_hash())  # the same time as a known user's check
        return None
    cred = session.get(LocalCredential, user.id)
    if cred is None or not verify_password(password, cred.password_hash):
        return None
    if needs_rehash(cred.password_hash):
        cred.password_hash = hash_password(password)  # the same password: updated_at stays
    return user
