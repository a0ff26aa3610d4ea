"""Staff users: the first Admin, creating users, local passwords; roles, access expiry and deactivation.

Every change to a staff user is made by an Admin (*manage staff users*) and recorded in the audit trail by the
change-log hook (``StaffUser`` is audited), and reaches every desktop at its next sync. An Admin cannot
deactivate, demote or give an expiry to the last Admin whose access lasts: the office would have nobody left
to manage access."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.access import access_expired, access_refusal
from ..core.passwords import check_strength, dummy_hash, hash_password, needs_rehash, verify_password
from ..core.permissions import Permission, Role
from ..models import AuditEntry, LocalCredential, Setting, StaffUser
from ..models.base import utcnow
from .settings import load_settings

if TYPE_CHECKING:
    from .context import ServiceContext

FIRST_ADMIN = "admin"
LAST_SIGN_IN_KEY = "staff.last_sign_in"  # user id -> when they last signed in on this desktop (ISO, UTC)
# user id -> what the server said when it refused the user (deactivated, expired) before this desktop heard of
# the change: the server refuses their pull too, so the row here may never show it.
SERVER_REFUSED_KEY = "staff.server_refused"
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
    """The staff user if the local verifier accepts the password and their access has not ended, else None
    (``check_sign_in`` says why)."""
    user = _password_user(session, username, password)
    return user if user is not None and access_problem(session, user, utcnow()) is None else None


@dataclass(frozen=True)
class SignInResult:
    user: StaffUser | None  # the user whose password was right (also when their access has ended)
    refusal: str | None  # why they may not work: a sentence with what to do, or None


def check_sign_in(session: Session, username: str, password: str,
                  clock: Callable[[], datetime] = utcnow) -> SignInResult:
    """Offline sign-in: the password first, then the access (deactivated, expired). Why access ended is
    told only to whoever knows the password; a wrong name or password says nothing about the account."""
    user = _password_user(session, username, password)
    if user is None:
        return SignInResult(None, "The user name or password is not right.")
    problem = access_problem(session, user, clock())
    if problem is None:
        _record_sign_in(session, user, clock())
    return SignInResult(user, problem)


def _password_user(session: Session, username: str, password: str) -> StaffUser | None:
    """The staff user if the local verifier accepts the password, else None (never says which part was wrong).

    A verifier made at a lower cost than today's is replaced after it accepted the password (the
    session's commit stores it): older stores reach the current cost as their users sign in."""
    user = find_staff(session, username)
    if user is None:
        verify_password(password, dummy_hash())  # the same time as a known user's check
        return None
    cred = session.get(LocalCredential, user.id)
    if cred is None or not verify_password(password, cred.password_hash):
        return None
    if needs_rehash(cred.password_hash):
        cred.password_hash = hash_password(password)  # the same password: updated_at stays
    return user


# Access: who may work now --------------------------------------------------------------------------------------
def office_tz(session: Session) -> str:
    return load_settings(session).timezone


def admins_to_ask(session: Session, now: datetime, but: StaffUser | None = None) -> list[StaffUser]:
    """The Admins whose access lasts at ``now`` (whom to ask), oldest first."""
    tz = office_tz(session)
    admins = session.scalars(select(StaffUser).where(StaffUser.role == Role.ADMIN, StaffUser.active.is_(True),
                                                     StaffUser.deleted.is_(False))
                             .order_by(StaffUser.created_at)).all()
    return [a for a in admins if not access_expired(a.access_expires_on, now, tz) and a is not but]


def access_problem(session: Session, user: StaffUser, now: datetime) -> str | None:
    """Why ``user`` may not work at ``now`` (deactivated, access expired), with whom to ask; None if they may."""
    refusal = access_refusal(user.active, user.deleted, user.access_expires_on, now, office_tz(session))
    if refusal is None:
        said = _server_refusals(session).get(user.id)
        if said is None:
            return None
        refusal = f"the office's server said: {said}"
    ask = admins_to_ask(session, now, but=user)
    who = ", ".join(f"{a.display_name} ({a.username})" for a in ask[:3]) if ask else "your office's IT"
    return f"{user.display_name}: {refusal} ({who})."


def _server_refusals(session: Session) -> dict[str, str]:
    row = session.get(Setting, SERVER_REFUSED_KEY)
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def record_server_refusal(session: Session, username: str, reason: str) -> None:
    """The server refused ``username`` itself (``sync.client.AccessEnded``): they stop working here as well,
    until the server accepts them again (``clear_server_refusal``) or an Admin here gives access back."""
    user = find_staff(session, username)
    if user is None:
        return
    refused = _server_refusals(session)
    refused[user.id] = reason.removeprefix("the server refused: ")[:300]
    row = session.get(Setting, SERVER_REFUSED_KEY)
    if row is None:
        session.add(Setting(key=SERVER_REFUSED_KEY, value=refused))
    else:
        row.value = refused


def clear_server_refusal(session: Session, username: str | None = None, user_id: str | None = None) -> None:
    """After the server accepted the user again (a sync, a server sign-in) or an Admin here changed their access."""
    refused = _server_refusals(session)
    user = find_staff(session, username) if username else None
    key = user.id if user is not None else user_id
    if key in refused:
        del refused[key]
        session.get(Setting, SERVER_REFUSED_KEY).value = refused


def _record_sign_in(session: Session, user: StaffUser, now: datetime) -> None:
    row = session.get(Setting, LAST_SIGN_IN_KEY)
    seen = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
    seen[user.id] = now.isoformat()
    if row is None:
        session.add(Setting(key=LAST_SIGN_IN_KEY, value=seen))
    else:
        row.value = seen


def last_sign_ins(session: Session) -> dict[str, datetime]:
    """When each user last signed in on this desktop (the store knows nothing of other desktops)."""
    row = session.get(Setting, LAST_SIGN_IN_KEY)
    out: dict[str, datetime] = {}
    for user_id, at in (row.value.items() if row is not None and isinstance(row.value, dict) else ()):
        try:
            out[user_id] = datetime.fromisoformat(at)
        except (TypeError, ValueError):
            continue
    return out


# Administration -------------------------------------------------------------------------------------------------
class StaffChangeRefused(ValueError):
    """A change to a staff user that the rules refuse; the message says what to do instead."""


def _admin(ctx: ServiceContext) -> None:
    ctx.require(Permission.MANAGE_USERS)
    problem = access_problem(ctx.session, ctx.actor, ctx.now())
    if problem:
        raise PermissionError(problem)


def _target(ctx: ServiceContext, username: str) -> StaffUser:
    user = find_staff(ctx.session, username)
    if user is None:
        raise StaffChangeRefused(f"there is no staff user {username.strip()!r}; 'saypro staff list' or the Staff "
                                 "workspace shows them")
    return user


def _keep_an_admin(ctx: ServiceContext, user: StaffUser, doing: str) -> None:
    """Refuse when ``user`` is the last Admin whose access lasts (``doing`` says what was asked)."""
    if user.role != Role.ADMIN:
        return
    lasting = admins_to_ask(ctx.session, ctx.now())
    if lasting == [user]:
        raise StaffChangeRefused(f"{user.username} is the last active Admin, so they cannot be {doing}: make "
                                 "another user an Admin first")


def set_role(ctx: ServiceContext, username: str, role: Role | str) -> StaffUser:
    """Change a user's role (a change of department): their rights change at once on every desktop it reaches."""
    _admin(ctx)
    user = _target(ctx, username)
    new = Role.parse(role) if isinstance(role, str) else role
    if new == user.role:
        return user
    if new != Role.ADMIN:
        _keep_an_admin(ctx, user, f"made {new.value}")
    user.role = new
    ctx.session.flush()
    return user


def set_access_expiry(ctx: ServiceContext, username: str, expires_on: date | None) -> StaffUser:
    """Access ends at the end of ``expires_on`` in the office's time zone; None: access does not expire."""
    _admin(ctx)
    user = _target(ctx, username)
    if expires_on is not None:
        today = ctx.now().astimezone(ctx.calendar.tz).date()
        if expires_on < today:
            raise StaffChangeRefused(f"{expires_on:%d/%m/%Y} is already past; choose today ({today:%d/%m/%Y}) or "
                                     "a later date, or deactivate the account to end access now")
        if user.access_expires_on is None or user.access_expires_on > expires_on:
            lasting = [a for a in admins_to_ask(ctx.session, ctx.now()) if a.access_expires_on is None]
            if lasting == [user]:
                raise StaffChangeRefused(f"{user.username} is the last Admin whose access does not expire, so it "
                                         "cannot be given an expiry: give another Admin lasting access first")
    user.access_expires_on = expires_on
    clear_server_refusal(ctx.session, user_id=user.id)  # an Admin's decision here: sync tells the server
    ctx.session.flush()
    return user


def deactivate_staff(ctx: ServiceContext, username: str) -> StaffUser:
    """The user can no longer sign in (offline or at the server) and is signed out where they work."""
    _admin(ctx)
    user = _target(ctx, username)
    if user.id == ctx.actor.id:
        raise StaffChangeRefused("you cannot deactivate your own account; ask another Admin to do it")
    if not user.active:
        return user
    _keep_an_admin(ctx, user, "deactivated")
    user.active = False
    ctx.session.flush()
    return user


def activate_staff(ctx: ServiceContext, username: str) -> StaffUser:
    _admin(ctx)
    user = _target(ctx, username)
    if not user.active:
        user.active = True
    clear_server_refusal(ctx.session, user_id=user.id)
    ctx.session.flush()
    return user


def reset_password(ctx: ServiceContext, username: str, password: str) -> StaffUser:
    """An Admin sets another user's local password (the user signs in with it on this desktop)."""
    _admin(ctx)
    user = _target(ctx, username)
    set_password(ctx.session, user, password)
    # The verifier is local and never synced; the trail says that it was reset and by whom, never to what.
    ctx.session.add(AuditEntry(at=ctx.now(), actor_id=ctx.actor.id, entity="staff_user", entity_id=user.id,
                               action="update", summary=f"password of {user.username} reset on this desktop",
                               changes={}))
    ctx.session.flush()
    return user


@dataclass(frozen=True)
class StaffRow:
    id: str
    username: str
    display_name: str
    role: Role
    active: bool
    access_expires_on: date | None
    expired: bool  # the expiry has passed (overdue: the account still says active)
    last_sign_in: datetime | None  # on this desktop, if known
    has_password: bool


def staff_overview(ctx: ServiceContext) -> list[StaffRow]:
    """Every staff user for the Staff workspace (Admins only), ordered by user name."""
    _admin(ctx)
    tz = office_tz(ctx.session)
    seen = last_sign_ins(ctx.session)
    with_password = set(ctx.session.scalars(select(LocalCredential.user_id)))
    users = ctx.session.scalars(select(StaffUser).where(StaffUser.deleted.is_(False))
                                .order_by(func.lower(StaffUser.username))).all()
    now = ctx.now()
    return [StaffRow(u.id, u.username, u.display_name, u.role, u.active, u.access_expires_on,
                     access_expired(u.access_expires_on, now, tz), seen.get(u.id), u.id in with_password)
            for u in users]
