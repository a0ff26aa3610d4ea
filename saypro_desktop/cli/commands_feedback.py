"""``saypro feedback ...``: ratings after resolution, the survey worklist, feedback from other channels, and the
weekly analysis. (``saypro import feedback FILE.csv`` imports ratings by Inquiry ID.)"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import asdict
from datetime import date, datetime, timedelta
from typing import Any

from ..core.feedback import FeedbackPriority, FeedbackSource, FeedbackTheme, Sentiment
from .common import local, work


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    fb = sub.add_parser("feedback", parents=[common], help="ratings, the survey, feedback and its weekly analysis")
    fsub = fb.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = fsub.add_parser("add", parents=[common], help="a user's rating (1-5) of a resolved inquiry")
    add.add_argument("inquiry")
    add.add_argument("--rating", type=int, required=True)
    add.add_argument("--comment")
    add.set_defaults(handler=cmd_feedback_add)
    survey = fsub.add_parser("survey", parents=[common], help="resolved inquiries whose users are still to be asked")
    survey.add_argument("--asked", action="store_true", help="also those asked who have not answered")
    survey.add_argument("--mark", nargs=2, metavar=("INQUIRY", "asked|declined"),
                        help="record that the user was asked, or declined")
    survey.set_defaults(handler=cmd_feedback_survey)
    record = fsub.add_parser("record", parents=[common], help="feedback from a survey, email, social media, "
                                                              "an interview...: theme and sentiment suggested")
    record.add_argument("--source", required=True, help=", ".join(s.value for s in FeedbackSource))
    record.add_argument("--text", required=True)
    record.add_argument("--rating", type=int)
    record.add_argument("--theme", help=", ".join(t.value for t in FeedbackTheme) + " (default: suggested)")
    record.add_argument("--sentiment", help=", ".join(s.value for s in Sentiment) + " (default: suggested)")
    record.add_argument("--priority", help=", ".join(p.value for p in FeedbackPriority) + " (default: suggested)")
    record.add_argument("--inquiry", help="the inquiry it is about")
    record.add_argument("--received", help="when it was received (YYYY-MM-DD or ISO time; default now)")
    record.set_defaults(handler=cmd_feedback_record)
    analysis = fsub.add_parser("analysis", parents=[common], help="the week's CSAT trend, themes, top 10 queries "
                                                                  "and complaints, comments per theme")
    analysis.add_argument("--week", required=True, help="YYYY-Www, e.g. 2026-W48")
    analysis.add_argument("--json", action="store_true")
    analysis.set_defaults(handler=cmd_feedback_analysis)


def cmd_feedback_add(args: argparse.Namespace) -> int:
    from ..services import inquiries

    with work(args) as ctx:
        inquiry = inquiries.get_inquiry(ctx, args.inquiry)
        inquiries.record_feedback(ctx, inquiry, args.rating, args.comment)
        print(f"{inquiry.display_id}: rating {args.rating}/5 recorded")
    return 0


def cmd_feedback_survey(args: argparse.Namespace) -> int:
    from ..services import feedback, inquiries

    with work(args) as ctx:
        if args.mark:
            ref, state = args.mark
            inquiry = inquiries.get_inquiry(ctx, ref)
            feedback.mark_survey(ctx, inquiry, state)
            print(f"{inquiry.display_id}: survey {inquiry.survey_state.value.lower()}")
            return 0
        rows = feedback.survey_worklist(ctx, include_asked=args.asked)
        if not rows:
            print("nobody to ask: every resolved inquiry has its rating or its answer")
        for i in rows:
            state = i.survey_state.value if i.survey_state else "To ask"
            print(f"{i.display_id}  resolved {local(ctx, i.resolved_at)}  {state:<8} {i.subject}")
    return 0


def _moment(text: str | None, tz: Any) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--received {text!r}: give a date (YYYY-MM-DD) or an ISO time") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def cmd_feedback_record(args: argparse.Namespace) -> int:
    from ..services import feedback, inquiries

    with work(args) as ctx:
        inquiry = inquiries.get_inquiry(ctx, args.inquiry) if args.inquiry else None
        item = feedback.record(ctx, args.text, args.source, received_at=_moment(args.received, ctx.calendar.tz),
                               rating=args.rating, theme=args.theme, sentiment=args.sentiment,
                               priority=args.priority, inquiry=inquiry)
        print(f"feedback recorded: {item.theme.value}, {item.sentiment.value.lower()}, {item.priority.value.lower()} "
              "priority")
    return 0


def cmd_feedback_analysis(args: argparse.Namespace) -> int:
    from ..services import feedback

    with work(args) as ctx:
        start, end = _week(args.week, ctx)
        result = feedback.analysis(ctx, start, end)
        if args.json:
            data = asdict(result)
            data["start"], data["end"] = start.isoformat(), end.isoformat()
            print(json.dumps(data, indent=2, ensure_ascii=False))
            return 0
        print(f"Feedback analysis, week {args.week}: {result.ratings} rating(s), {result.feedback_items} other "
              "feedback item(s)")
        print("\nCSAT by week (inquiries logged that week):")
        for w in result.csat_trend:
            print(f"  {w.week}  " + (f"{w.average:.2f}/5 from {w.responses}" if w.average is not None else "no rating"))
        print("\nThemes (high / medium / low priority):")
        for t in result.themes:
            print(f"  {t.theme:<18} {t.count:>4}  ({t.high} / {t.medium} / {t.low}), {t.negative} negative")
        for title, items in (("Top queries", result.top_queries), ("Top complaints", result.top_complaints)):
            print(f"\n{title}:")
            for n, item in enumerate(items, 1):
                print(f"  {n:>2}. {item.label}: {item.count} ({item.detail})")
        print("\nIn their words:")
        for theme, quotes in result.verbatims.items():
            print(f"  {theme}:")
            for q in quotes:
                print(f"    “{q}”")
    return 0


def _week(text: str, ctx: Any) -> tuple[datetime, datetime]:
    """The office's ISO week as [start, end)."""
    match = re.fullmatch(r"(\d{4})-W(\d{1,2})", text.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"--week {text!r}: write YYYY-Www, e.g. 2026-W48")
    year, week = int(match[1]), int(match[2])
    weeks = date(year, 12, 28).isocalendar()[1]  # 28 December is always in the year's last week
    if not 1 <= week <= weeks:
        raise ValueError(f"--week {text!r}: {year} has weeks W01 to W{weeks}")
    monday = date.fromisocalendar(year, week, 1)
    start = datetime.combine(monday, datetime.min.time(), ctx.calendar.tz)
    return start, start + timedelta(days=7)
