"""The User Inquiry Template (seed 003) as a PDF: six sections, every checkbox group with all its options.

Long texts (description, resolution, action steps) sit in tables that may split inside a row, so
they flow onto further pages instead of being clipped. User text is plain text here (no markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from ..core.vocab import Category, ClassifiedCategory, Confirmation, EscalationTier, Mode, Status, UserType
from .document import DIVISION, build_pdf
from .flowables import Checkboxes, Text
from .formatting import duration, local_time, stamp
from .styles import FRAME_WIDTH, MUTED, RULE, grid_table, section_bar, styles, table

LABEL_WIDTH = 44 * mm
VALUE_WIDTH = FRAME_WIDTH - LABEL_WIDTH
TICKED, EMPTY = "☒", "☐"
HIDDEN = "withheld (no permission to view personal details)"


@dataclass(frozen=True)
class StepLine:
    at: datetime
    author: str
    kind: str
    text: str


@dataclass(frozen=True)
class AttachmentLine:
    filename: str
    size: int


@dataclass
class InquirySheet:
    """What the template shows of one inquiry; vocabulary fields hold their printed values."""

    inquiry_id: str
    logged_at: datetime
    mode: str
    user_full_name: str
    user_type: str
    subject: str
    category: str
    status: str
    quarter: str
    priority: str = ""
    priority_overridden: bool = False
    provisional_ref: str | None = None
    received_by: str = ""
    user_email: str = ""
    user_phone: str = ""
    user_account_id: str = ""
    user_location: str = ""
    personal_details_hidden: bool = False
    category_other: str = ""
    description: str = ""
    attachments: list[AttachmentLine] = field(default_factory=list)
    assigned_to: str = ""
    assigned_at: datetime | None = None
    acknowledged_at: datetime | None = None
    steps: list[StepLine] = field(default_factory=list)
    resolution: str = ""
    resolved_at: datetime | None = None
    user_confirmation: str | None = None
    escalated: bool = False
    escalation_tier: str | None = None
    escalation_reason: str = ""
    reopen_count: int = 0
    feedback_rating: int | None = None
    feedback_comment: str = ""
    in_monthly_report: bool = False
    in_quarterly_file: bool = False
    classified_category: str | None = None
    linked_ids: list[str] = field(default_factory=list)
    cancelled: str = ""  # status Cancelled: "Spam", "Duplicate of SCMR-...", with when

    @property
    def resolution_hours(self) -> float | None:
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.logged_at).total_seconds() / 3600


def checkboxes(options: Sequence[str], chosen: Sequence[str | None], columns: int = 3,
               labels: dict[str, str] | None = None) -> Checkboxes:
    """Every option of a group with a box, the chosen ones ticked (and in bold, so it reads without colour)."""
    s = styles()
    names = [(labels or {}).get(o, o) for o in options]
    picked = [(labels or {}).get(c, c) for c in chosen if c is not None]
    return Checkboxes(names, picked, columns, s.cell, s.bold, MUTED, TICKED, EMPTY)


def yes_no(value: bool) -> Checkboxes:
    return checkboxes(["Yes", "No"], ["Yes" if value else "No"], columns=3)


def _fields(rows: list[tuple[str, str | Flowable]]) -> Table:
    """Label / value rows of a section (values are plain text); a long value splits across pages."""
    s = styles()
    data = [[Text(label, s.label), value if isinstance(value, Flowable) else Text(value, s.cell)]
            for label, value in rows]
    return table(data, [LABEL_WIDTH, VALUE_WIDTH], [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
    ], splitInRow=1)


def _title(sheet: InquirySheet) -> Table:
    s = styles()
    left = [Paragraph("User Inquiry Template", s.title),
            Paragraph("SCMR-5 · Classified User Support and Help Management", s.small), Paragraph(DIVISION, s.small)]
    right = [Paragraph("Inquiry ID", s.label.clone("id_label", alignment=2)), Paragraph(sheet.inquiry_id, s.big)]
    if sheet.provisional_ref and sheet.provisional_ref != sheet.inquiry_id:
        right.append(Paragraph(f"provisional reference {sheet.provisional_ref}", s.small.clone("prov", alignment=2)))
    return table([[left, right]], [FRAME_WIDTH * 0.62, FRAME_WIDTH * 0.38], [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)])


def _steps_line(sheet: InquirySheet) -> str:
    """The "Action steps taken" field: how many, and that the table below lists them (none: said in the field)."""
    n = len(sheet.steps)
    if not n:
        return "No action steps recorded."
    return f"{n} step{'s' if n > 1 else ''}, oldest first:"


def _steps(sheet: InquirySheet, tz: tzinfo) -> list[Flowable]:
    """The timeline's table below the field; nothing when there is no step (the field says so)."""
    s = styles()
    if not sheet.steps:
        return []
    rows = [[Text(h, s.compact_head) for h in ("Date and time", "By", "Kind", "Action taken")]]
    rows += [[Text(t, s.compact) for t in (local_time(st.at, tz), st.author or "—", st.kind, st.text)]
             for st in sheet.steps]
    widths = [27 * mm, 30 * mm, 28 * mm]
    steps = grid_table(rows, [*widths, FRAME_WIDTH - sum(widths)])
    steps.splitInRow = 1  # one very long step still flows onto the next page
    return [steps]


def _sections(sheet: InquirySheet, tz: tzinfo) -> list[Flowable]:
    s = styles()
    logged_local = sheet.logged_at.astimezone(tz)
    personal = (lambda v: HIDDEN) if sheet.personal_details_hidden else (lambda v: v or "—")
    other_label = "Other (please specify)" + (f": {sheet.category_other}" if sheet.category_other else "")
    priority = f"{sheet.priority} ({'set by staff' if sheet.priority_overridden else 'suggested'})" \
        if sheet.priority else "—"
    attachments = "\n".join(f"{a.filename} ({_size(a.size)})" for a in sheet.attachments) or "None"
    hours = sheet.resolution_hours
    tiers = {t.value: f"{t.value} ({t.description})" for t in EscalationTier}
    feedback = f"{sheet.feedback_rating} / 5" if sheet.feedback_rating is not None else "Not collected"
    if sheet.feedback_comment:
        feedback += f" – {sheet.feedback_comment}"
    return [
        section_bar("Section 1: Inquiry Identification"),
        _fields([
            ("Inquiry ID", sheet.inquiry_id),
            ("Date logged", logged_local.strftime("%d/%m/%Y")),
            ("Time logged", logged_local.strftime("%H:%M") + " (24-hour)"),
            ("Received by", sheet.received_by or "—"),
            ("Mode of inquiry", checkboxes([m.value for m in Mode], [sheet.mode])),
        ]),
        Spacer(0, 4 * mm),
        section_bar("Section 2: User Details"),
        _fields([
            ("Full name", personal(sheet.user_full_name)),
            ("Contact email", personal(sheet.user_email)),
            ("Phone number", personal(sheet.user_phone)),
            ("User type", checkboxes([u.value for u in UserType], [sheet.user_type])),
            ("User ID", personal(sheet.user_account_id)),
            ("Location (city/country)", personal(sheet.user_location)),
        ]),
        Spacer(0, 4 * mm),
        section_bar("Section 3: Inquiry Details"),
        _fields([
            ("Subject of inquiry", sheet.subject),
            ("Category of inquiry", checkboxes([c.value for c in Category], [sheet.category], columns=2,
                                               labels={Category.OTHER.value: other_label})),
            ("Priority", priority),
            ("Description of the issue or request", sheet.description or "—"),
            ("Screenshots or file attachments", attachments),
        ]),
        Spacer(0, 4 * mm),
        section_bar("Section 4: Action Taken / Resolution Process"),
        _fields([
            ("Assigned to", sheet.assigned_to or "Not assigned"),
            ("Date assigned", local_time(sheet.assigned_at, tz) or "—"),
            ("Acknowledged to the user", local_time(sheet.acknowledged_at, tz) or "Not yet"),
            ("Action steps taken", _steps_line(sheet)),
        ]),
        *_steps(sheet, tz),
        _fields([
            ("Resolution provided", sheet.resolution or "—"),
            ("Date resolved", local_time(sheet.resolved_at, tz) or "Not resolved"),
            ("User confirmation received", checkboxes([c.value for c in Confirmation],
                                                      [sheet.user_confirmation])),
            ("Resolution time", duration(hours) if hours is not None else "Not resolved"),
        ]),
        Spacer(0, 4 * mm),
        section_bar("Section 5: Status and Review"),
        _fields([
            ("Current status", checkboxes([st.value for st in Status], [sheet.status])),
            *([("Cancelled as", sheet.cancelled)] if sheet.cancelled else []),
            ("Escalation to higher-tier support required", yes_no(sheet.escalated)),
            ("If yes, tier level", checkboxes([t.value for t in EscalationTier], [sheet.escalation_tier],
                                              columns=1, labels=tiers)),
            ("Escalation reason", sheet.escalation_reason or "—"),
            ("Reopened", f"{sheet.reopen_count} time(s)" if sheet.reopen_count else "No"),
            ("Feedback from user", feedback),
        ]),
        Spacer(0, 4 * mm),
        section_bar("Section 6: Archival and Reporting"),
        _fields([
            (f"Included in {logged_local:%B %Y} SCMR-5 Monthly Report", yes_no(sheet.in_monthly_report)),
            (f"Included in Quarterly Review File ({sheet.quarter})", yes_no(sheet.in_quarterly_file)),
            ("Classified category affected", checkboxes([c.value for c in ClassifiedCategory],
                                                        [sheet.classified_category])),
            ("Linked inquiry IDs", ", ".join(sheet.linked_ids) or "None"),
        ]),
        Spacer(0, 3 * mm),
        Text("Archived by Inquiry ID and User Category in the SayPro Classified Office logs.", s.small),
    ]


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1048576:.1f} MB"


def render_inquiry_pdf(sheet: InquirySheet, out: str | Path | IO[bytes], *, generated_at: datetime,
                       tz: tzinfo) -> None:
    build_pdf(out, [_title(sheet), *_sections(sheet, tz)], title=f"Inquiry {sheet.inquiry_id}",
              header=f"Inquiry {sheet.inquiry_id}", generated=f"Generated at {stamp(generated_at, tz)}")
