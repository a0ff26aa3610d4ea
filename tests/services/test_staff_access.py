"""Roles, access expiry and deactivation (issue 13, seed 001): only Admins, audited, never the last Admin, and
access that has ended refused at offline sign-in with what to do."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from saypro_desktop.core.access import access_ends_at, access_expired, access_refusal
from saypro_desktop.core.permissions import PermissionDenied, Role
from saypro_desktop.models import AuditEntry, StaffUser
from saypro_desktop.services.context import acting, bind
from saypro_desktop.services.staff import (
    StaffChangeRefused,
    activate_staff,
    check_sign_in,
    create_staff_user,
    deactivate_staff,
    find_staff,
    last_sign_ins,
    reset_password,
    set_access_expiry,
    set_role,
    sign_in,
    staff_overview,
)

PASSWORD = "correct-horse-1"


def test_access_ends_at_the_end_of_the_day_in_the_office_time_zone():
    # 30/11/2026 in Johannesburg (UTC+2) ends at 22:00 UTC.
    assert access_ends_at(date(2026, 11, 30)) == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    assert not access_expired(date(2026, 11, 30), datetime(2026, 11, 30, 21, 59, 59, tzinfo=UTC))
    assert access_expired(date(2026, 11, 30), datetime(2026, 11, 30, 22, 0, tzinfo=UTC))
    assert access_expired(date(2026, 11, 30), datetime(2026, 11, 30, 12, 0, tzinfo=UTC), "Pacific/Kiritimati")
    assert not access_expired(None, datetime(2099, 1, 1, tzinfo=UTC))
    assert "deactivated" in access_refusal(False, False, None, datetime(2026, 1, 1, tzinfo=UTC))
    assert "expired at the end of 30/11/2026" in access_refusal(True, False, date(2026, 11, 30),
                                                                datetime(2026, 12, 1, tzinfo=UTC))


def _agent(ctx, name="thandi", role="Support Agent"):
    return create_staff_user(ctx, name, name.title(), role, password=PASSWORD)


def _audited(ctx, user, field):
    ctx.session.flush()
    rows = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == user.id)).all()
    return [r.changes[field] for r in rows if field in (r.changes or {})]


def test_an_admin_changes_role_expiry_and_active_and_each_is_audited(ctx):
    user = _agent(ctx)
    set_role(ctx, "thandi", "Marketing")
    assert user.role == Role.MARKETING
    set_access_expiry(ctx, "THANDI", date(2025, 3, 31))
    assert user.access_expires_on == date(2025, 3, 31)
    deactivate_staff(ctx, "thandi")
    assert not user.active
    activate_staff(ctx, "thandi")
    set_access_expiry(ctx, "thandi", None)
    assert user.active and user.access_expires_on is None
    assert _audited(ctx, user, "role") == [["Support Agent", "Marketing"]]
    assert _audited(ctx, user, "active") == [[True, False], [False, True]]
    assert _audited(ctx, user, "access_expires_on") == [[None, "2025-03-31"], ["2025-03-31", None]]
    entries = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == user.id,
                                                           AuditEntry.action == "update")).all()
    assert {e.actor_id for e in entries} == {ctx.actor.id}


@pytest.mark.parametrize("change", [
    lambda ctx: set_role(ctx, "lerato", "Admin"),
    lambda ctx: set_access_expiry(ctx, "lerato", date(2025, 6, 1)),
    lambda ctx: deactivate_staff(ctx, "lerato"),
    lambda ctx: activate_staff(ctx, "lerato"),
    lambda ctx: reset_password(ctx, "lerato", "another-horse-2"),
    lambda ctx: staff_overview(ctx),
])
@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_an_admin_manages_staff(ctx, clock, role, change):
    _agent(ctx, "lerato")
    actor = _agent(ctx, "sipho", role.value)
    before = (find_staff(ctx.session, "lerato").role, find_staff(ctx.session, "lerato").access_expires_on)
    with pytest.raises(PermissionDenied, match="may not manage staff users"):
        change(bind(ctx.session, actor, clock))
    lerato = find_staff(ctx.session, "lerato")
    assert (lerato.role, lerato.access_expires_on) == before and lerato.active


def test_the_last_active_admin_is_never_demoted_deactivated_or_given_an_expiry(ctx):
    admin = ctx.actor
    helper = _agent(ctx, "helper", "Admin")
    with pytest.raises(StaffChangeRefused, match="cannot deactivate your own account; ask another Admin"):
        deactivate_staff(ctx, admin.username)
    deactivate_staff(ctx, "helper")  # another Admin remains (the actor)
    with pytest.raises(StaffChangeRefused, match=r"last active Admin.*make another user an Admin first"):
        set_role(ctx, admin.username, "Supervisor")
    with pytest.raises(StaffChangeRefused, match="last Admin whose access does not expire"):
        set_access_expiry(ctx, admin.username, date(2025, 12, 31))
    assert admin.role == Role.ADMIN and admin.access_expires_on is None
    activate_staff(ctx, "helper")
    set_role(ctx, admin.username, "Supervisor")  # helper is an active Admin now
    assert admin.role == Role.SUPERVISOR
    # The helper, now the only Admin, cannot step down either.
    ctx_helper = bind(ctx.session, helper, ctx.clock)
    with pytest.raises(StaffChangeRefused, match="last active Admin"):
        set_role(ctx_helper, "helper", "Viewer")


def test_an_expired_admin_does_not_count_as_the_admin_that_remains(ctx, clock):
    other = _agent(ctx, "other", "Admin")
    set_access_expiry(ctx, "other", date(2025, 1, 20))
    clock.advance(days=10)  # other's access has ended
    with pytest.raises(StaffChangeRefused, match="last active Admin"):
        set_role(ctx, ctx.actor.username, "Viewer")
    with pytest.raises(PermissionError, match="expired at the end of 20/01/2025"):
        set_access_expiry(bind(ctx.session, other, clock), "other", None)


def test_refusals_say_what_to_fix(ctx):
    _agent(ctx)
    with pytest.raises(StaffChangeRefused, match="no staff user 'nobody'; 'saypro staff list'"):
        set_role(ctx, "nobody", "Viewer")
    with pytest.raises(ValueError, match="choose one of: Admin, Supervisor"):
        set_role(ctx, "thandi", "Boss")
    with pytest.raises(StaffChangeRefused, match=r"13/01/2025 is already past; choose today \(14/01/2025\)"):
        set_access_expiry(ctx, "thandi", date(2025, 1, 13))
    set_access_expiry(ctx, "thandi", date(2025, 1, 14))  # today is allowed: access ends tonight
    with pytest.raises(ValueError, match="at least"):
        reset_password(ctx, "thandi", "short")


def test_a_password_reset_is_in_the_audit_trail_without_the_password(ctx, store):
    user = _agent(ctx)
    reset_password(ctx, "thandi", "another-horse-2")
    ctx.session.flush()
    entry = ctx.session.scalars(select(AuditEntry).where(AuditEntry.entity_id == user.id,
                                                         AuditEntry.summary.like("password%"))).one()
    assert entry.actor_id == ctx.actor.id and "another-horse" not in repr((entry.summary, entry.changes))
    assert sign_in(ctx.session, "thandi", "another-horse-2") is not None


def test_offline_sign_in_refuses_expired_and_deactivated_access_and_says_whom_to_ask(ctx, store, clock):
    _agent(ctx)
    set_access_expiry(ctx, "thandi", date(2025, 1, 14))
    ctx.session.commit()
    with store.session() as s:
        result = check_sign_in(s, "thandi", PASSWORD, clock)
        assert result.refusal is None and result.user.username == "thandi"
    with store.session() as s:
        assert find_staff(s, "thandi").id in last_sign_ins(s)
    clock.t = datetime(2025, 1, 14, 22, 0, tzinfo=UTC)  # midnight in Johannesburg
    with store.session() as s:
        result = check_sign_in(s, "thandi", PASSWORD, clock)
        assert "expired at the end of 14/01/2025" in result.refusal
        assert "ask an Admin to extend it" in result.refusal and "Administrator (admin)" in result.refusal
        assert check_sign_in(s, "thandi", "wrong-horse-1", clock).refusal == "The user name or password is not right."
        assert sign_in(s, "thandi", PASSWORD) is None
    with store.session() as s:
        admin_ctx = bind(s, find_staff(s, "admin"), clock)
        set_access_expiry(admin_ctx, "thandi", None)
        deactivate_staff(admin_ctx, "thandi")
    with store.session() as s:
        refusal = check_sign_in(s, "thandi", PASSWORD, clock).refusal
        assert "deactivated; ask an Admin to activate it again (Administrator (admin))" in refusal


def test_the_command_line_refuses_to_act_as_a_user_whose_access_ended(ctx, store, clock):
    _agent(ctx)
    deactivate_staff(ctx, "thandi")
    ctx.session.commit()
    with pytest.raises(PermissionError, match="deactivated"), acting(store, "thandi"):
        pass


def test_the_overview_marks_overdue_access_and_knows_last_sign_ins(ctx, store, clock):
    _agent(ctx)
    _agent(ctx, "vuyo", "Viewer")
    set_access_expiry(ctx, "vuyo", date(2025, 1, 15))
    ctx.session.commit()
    with store.session() as s:
        assert check_sign_in(s, "thandi", PASSWORD, clock).refusal is None
    clock.advance(days=2)
    with store.session() as s:
        rows = {r.username: r for r in staff_overview(bind(s, find_staff(s, "admin"), clock))}
        assert s.scalar(select(StaffUser).where(StaffUser.username == "vuyo")).active
    assert rows["vuyo"].expired and rows["vuyo"].active and not rows["thandi"].expired
    assert rows["thandi"].last_sign_in == datetime(2025, 1, 14, 8, 0, tzinfo=UTC)
    assert rows["vuyo"].last_sign_in is None and rows["admin"].has_password is False
    assert [r.username for r in rows.values()] == ["admin", "thandi", "vuyo"]
