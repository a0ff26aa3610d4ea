"""What the reports read from the store: inquiry sheets, breached inquiries, the KPI datasets of periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from ..core.kpi import against_targets
from ..core.moderation import AuditVerdict
from ..core.office_settings import OfficeSettings
from ..core.periods import Period
from ..core.personal_details import WITHHELD
from ..core.vocab import Status
from ..models import ActionStep, Attachment, Inquiry, StaffUser
from ..reports.daily import DailyReport
from ..reports.feedback_report import FeedbackReport
from ..reports.inquiry_pdf import AttachmentLine, InquirySheet, StepLine
from ..reports.moderation_report import AuditWeek, ModerationReport
from ..reports.monthly import BreachRow, MonthlyReport
from ..reports.quarterly import QuarterlyReport
from ..reports.weekly import DayColumn, WeeklyReport
from . import feedback, knowledge, moderation_audit
from .activity import period_activity
from .context import ServiceContext
from .inquiry_queries import linked_inquiries
from .kpi import kpi_dataset
from .moderation_kpi import moderation_figures

BREACH_LIST_LIMIT = 200
_DONE = (Status.RESOLVED, Status.CLOSED)


def _value(v: object) -> str | None:
    return None if v is None else getattr(v, "value", str(v))


def inquiry_sheet(session: Session, inquiry: Inquiry, *, personal_details: bool,
                  leave_out_attachment: str | None = None) -> InquirySheet:
    """The template view of ``inquiry``; ``leave_out_attachment`` hides a file name (the sheet's own PDF)."""
    attachments = session.scalars(select(Attachment).where(
        Attachment.inquiry_id == inquiry.id, Attachment.deleted.is_(False))
        .order_by(Attachment.created_at, Attachment.filename, Attachment.id)).all()
    return InquirySheet(
        inquiry_id=inquiry.display_id, provisional_ref=inquiry.provisional_ref, logged_at=inquiry.logged_at,
        received_by=str(inquiry.received_by or ""), mode=inquiry.mode.value,
        user_type=inquiry.user_type.value, **_person(inquiry, personal_details),
        personal_details_hidden=not personal_details,
        subject=inquiry.subject, category=inquiry.category.value, category_other=inquiry.category_other or "",
        description=inquiry.description or "", priority=inquiry.priority.value,
        priority_overridden=inquiry.priority_overridden,
        attachments=[AttachmentLine(a.filename, a.size) for a in attachments if a.filename != leave_out_attachment],
        assigned_to=str(inquiry.assigned_to or ""), assigned_at=inquiry.assigned_at,
        acknowledged_at=inquiry.acknowledged_at,
        steps=[StepLine(st.at, str(st.author or ""), st.kind.value, st.text)
               for st in sorted(inquiry.action_steps, key=_step_order)],
        resolution=inquiry.resolution or "", resolved_at=inquiry.resolved_at,
        user_confirmation=_value(inquiry.user_confirmation), status=inquiry.status.value,
        escalated=inquiry.escalated, escalation_tier=_value(inquiry.escalation_tier),
        escalation_reason=inquiry.escalation_reason or "", reopen_count=inquiry.reopen_count,
        feedback_rating=inquiry.feedback_rating, feedback_comment=inquiry.feedback_comment or "",
        in_monthly_report=inquiry.in_monthly_report, in_quarterly_file=inquiry.in_quarterly_file,
        quarter=inquiry.quarter.value, classified_category=_value(inquiry.classified_category),
        linked_ids=[o.display_id for o in linked_inquiries(session, inquiry)],
        cancelled=_cancelled(session, inquiry),
    )


def _person(inquiry: Inquiry, personal_details: bool) -> dict[str, str]:
    """Section 2's details; without ``personal_details`` the sheet never holds them (only the placeholder)."""
    names = ("user_full_name", "user_email", "user_phone", "user_account_id", "user_location")
    return {n: (getattr(inquiry, n) or "") if personal_details else WITHHELD for n in names}


def _cancelled(session: Session, inquiry: Inquiry) -> str:
    """How a Cancelled inquiry was set aside, for its sheet: "Duplicate of SCMR-2501-0007"; "" otherwise."""
    if inquiry.status != Status.CANCELLED:
        return ""
    reason = inquiry.cancel_reason.value if inquiry.cancel_reason else "No reason recorded"
    kept = session.get(Inquiry, inquiry.duplicate_of_id) if inquiry.duplicate_of_id else None
    return f"{reason} of {kept.display_id}" if kept is not None else reason


def _step_order(step: ActionStep) -> tuple[datetime, str, str]:
    """Oldest first; steps of the same minute keep the order they were made in (their creation clock stamp)."""
    return step.at, (step.field_versions or {}).get("*", ""), step.id


def id_order() -> tuple:
    """Inquiry IDs in number order (SCMR-2501-9999 before SCMR-2501-10000), provisional ones last."""
    return (Inquiry.inquiry_ref.is_(None), func.length(Inquiry.inquiry_ref), Inquiry.inquiry_ref,
            Inquiry.provisional_ref, Inquiry.id)


def in_period(period: Period) -> tuple:
    return Inquiry.deleted.is_(False), Inquiry.logged_date.between(period.first, period.last)


def breached_inquiries(session: Session, period: Period, as_of: datetime,
                       limit: int = BREACH_LIST_LIMIT, *, due_in: tzinfo | None = None) -> tuple[list[BreachRow], int]:
    """Inquiries logged in ``period`` whose resolution due time passed before they were resolved; with
    ``due_in`` (the office time zone), those whose due time fell in the period instead, whenever logged (the
    daily and weekly reports: the breaches of the day or week).

    The same rule as the KPI "resolved by the due time": resolved late, or still unresolved at ``as_of``
    with the due time behind. Ordered by due time, then Inquiry ID; at most ``limit`` rows plus the total.
    """
    done = Inquiry.status.in_(_DONE)
    breached = or_(done & (Inquiry.resolved_at > Inquiry.resolution_due_at),
                   ~done & (Inquiry.resolution_due_at <= as_of.astimezone(UTC)))
    if due_in is None:
        chosen = in_period(period)
    else:
        start, end = period.instants(due_in)
        chosen = (Inquiry.deleted.is_(False), Inquiry.resolution_due_at >= start, Inquiry.resolution_due_at < end)
    where = (*chosen, Inquiry.status != Status.CANCELLED, breached)
    total = session.scalar(select(func.count()).select_from(Inquiry).where(*where)) or 0
    staff = aliased(StaffUser)
    rows = session.execute(
        select(Inquiry.inquiry_ref, Inquiry.provisional_ref, Inquiry.priority, Inquiry.status, Inquiry.logged_at,
               Inquiry.resolution_due_at, Inquiry.resolved_at, staff.display_name)
        .outerjoin(staff, staff.id == Inquiry.assigned_to_id)
        .where(*where).order_by(Inquiry.resolution_due_at, *id_order()).limit(limit)).all()
    out = [BreachRow(inquiry_id=ref or prov or "", priority=prio.value, status=st.value, logged_at=logged,
                     due_at=due, resolved_at=resolved if st in _DONE else None, assigned_to=who or "")
           for ref, prov, prio, st, logged, due, resolved, who in rows]
    return out, total


def _bounds(period: Period, tz: tzinfo) -> tuple[datetime, datetime]:
    """The period as [start, end) moments: the office's calendar days."""
    return (datetime.combine(period.first, time(0), tz),
            datetime.combine(period.last + timedelta(days=1), time(0), tz))


def monthly_report(session: Session, period: Period, as_of: datetime, settings: OfficeSettings) -> MonthlyReport:
    data = kpi_dataset(session, period, as_of, settings.calendar())
    breaches, total = breached_inquiries(session, period, as_of, BREACH_LIST_LIMIT)
    tz = settings.calendar().tz
    start, end = _bounds(period, tz)
    return MonthlyReport(data=data, checks=against_targets(data, settings.targets), as_of=as_of,
                         breaches=breaches, breaches_total=total,
                         moderation=moderation_figures(session, period, tz, as_of),
                         feedback_analysis=feedback.analysis_of(session, tz, start, end),
                         knowledge=knowledge.measures_of(session, start, end), csat_target=settings.targets.csat)


def daily_report(session: Session, period: Period, as_of: datetime, settings: OfficeSettings) -> DailyReport:
    """The day's work and the day's inquiries against the targets; breaches are the due times of the day missed."""
    calendar = settings.calendar()
    data = kpi_dataset(session, period, as_of, calendar)
    breaches, total = breached_inquiries(session, period, as_of, BREACH_LIST_LIMIT, due_in=calendar.tz)
    return DailyReport(data=data, checks=against_targets(data, settings.targets),
                       activity=period_activity(session, period, as_of, calendar.tz), as_of=as_of,
                       breaches=breaches, breaches_total=total)


def weekly_report(session: Session, period: Period, as_of: datetime, settings: OfficeSettings) -> WeeklyReport:
    """The week's KPIs against the targets, its work, and each day's; breaches are the due times of the week
    missed; the week's feedback analysis and knowledge base."""
    calendar = settings.calendar()
    start, end = _bounds(period, calendar.tz)
    data = kpi_dataset(session, period, as_of, calendar)
    days = [DayColumn(kpi_dataset(session, day, as_of, calendar), period_activity(session, day, as_of, calendar.tz))
            for day in period.days]
    breaches, total = breached_inquiries(session, period, as_of, BREACH_LIST_LIMIT, due_in=calendar.tz)
    return WeeklyReport(data=data, checks=against_targets(data, settings.targets),
                        activity=period_activity(session, period, as_of, calendar.tz), days=days, as_of=as_of,
                        breaches=breaches, breaches_total=total,
                        moderation=moderation_figures(session, period, calendar.tz, as_of),
                        feedback_analysis=feedback.analysis_of(session, calendar.tz, start, end),
                        knowledge=knowledge.measures_of(session, start, end), csat_target=settings.targets.csat)


def quarterly_report(session: Session, period: Period, as_of: datetime, settings: OfficeSettings,
                     recommendations: str = "") -> QuarterlyReport:
    calendar = settings.calendar()
    months = [kpi_dataset(session, m, as_of, calendar) for m in period.months]
    quarter = kpi_dataset(session, period, as_of, calendar)
    tz = calendar.tz
    return QuarterlyReport(label=period.label, months=months, quarter=quarter, targets=settings.targets,
                           as_of=as_of, recommendations=recommendations,
                           moderation=[moderation_figures(session, p, tz, as_of) for p in [*period.months, period]])


def inquiries_of(session: Session, period: Period) -> list[Inquiry]:
    """Every inquiry logged in ``period``, in Inquiry ID order."""
    return list(session.scalars(select(Inquiry).where(*in_period(period)).order_by(*id_order())))


def moderation_report(ctx: ServiceContext, period: Period, as_of: datetime) -> ModerationReport:
    """The month's moderation figures and the weekly audits of the weeks that end in it."""
    figures = moderation_figures(ctx.session, period, ctx.calendar.tz, as_of)
    weeks = []
    day = period.first
    while day <= period.last:
        year, number, weekday = day.isocalendar()
        if weekday == 7 or day == period.last:
            week = f"{year}-W{number:02d}"
            rows = moderation_audit.sample(ctx, week)
            if rows:
                marked = [a for a, _, _ in rows if a.verdict is not None]
                weeks.append(AuditWeek(week, len(rows), len(marked),
                                       sum(a.verdict is AuditVerdict.CORRECT for a in marked), rows[0][0].seed))
        day += timedelta(days=1)
    return ModerationReport(period.label, figures, as_of, weeks)


def feedback_report(session: Session, first: date, last: date, as_of: datetime, settings: OfficeSettings,
                    recommendations: str = "") -> FeedbackReport:
    """The feedback report of the office days ``first`` to ``last`` (the CSAT trend: the weeks up to the end)."""
    if last < first:
        raise ValueError(f"the period ends ({last:%d/%m/%Y}) before it starts ({first:%d/%m/%Y})")
    tz = settings.calendar().tz
    start, end = datetime.combine(first, time(0), tz), datetime.combine(last + timedelta(days=1), time(0), tz)
    weeks = max(1, min(26, ((last - first).days + 7) // 7))
    label = f"{first:%d %B %Y} – {last:%d %B %Y}" if first != last else f"{first:%d %B %Y}"
    return FeedbackReport(label, feedback.analysis_of(session, tz, start, end, trend_weeks=weeks),
                          knowledge.measures_of(session, start, end), settings.targets.csat, as_of,
                          recommendations)
