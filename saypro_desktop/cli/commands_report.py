"""``saypro report ...`` (inquiry PDF, daily, weekly, monthly and quarterly reports, attach) and ``saypro archive``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import work


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    rep = sub.add_parser("report", parents=[common], help="print reports to PDF (and CSV)")
    rsub = rep.add_subparsers(dest="report", metavar="REPORT", required=True)

    inq = rsub.add_parser("inquiry", parents=[common], help="the inquiry template of one inquiry as PDF")
    inq.add_argument("id")
    inq.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    inq.set_defaults(handler=cmd_inquiry)

    monthly = rsub.add_parser("monthly", parents=[common], help="the SCMR-5 monthly report")
    monthly.add_argument("--month", required=True, help="YYYY-MM")
    monthly.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    monthly.add_argument("--csv", action="store_true", help="also write the figures to FILE.csv beside the PDF")
    monthly.set_defaults(handler=cmd_monthly)

    quarterly = rsub.add_parser("quarterly", parents=[common], help="the quarterly review")
    quarterly.add_argument("--quarter", required=True, help="YYYYQn, e.g. 2025Q1")
    quarterly.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    quarterly.add_argument("--csv", action="store_true", help="also write the figures to FILE.csv beside the PDF")
    quarterly.add_argument("--recommendations-file", type=Path, metavar="FILE",
                           help="a UTF-8 text file with the supervisor's recommendations (blank lines part them)")
    quarterly.set_defaults(handler=cmd_quarterly)

    daily = rsub.add_parser("daily", parents=[common], help="the daily support report of one office day")
    daily.add_argument("--day", required=True, help="YYYY-MM-DD, the office's calendar day")
    daily.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    daily.add_argument("--csv", action="store_true", help="also write the figures to FILE.csv beside the PDF")
    daily.set_defaults(handler=cmd_daily)

    weekly = rsub.add_parser("weekly", parents=[common], help="the weekly report to the SCMR team")
    weekly.add_argument("--week", required=True, help="YYYY-Www, an ISO week (Monday to Sunday), e.g. 2025-W03")
    weekly.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    weekly.add_argument("--csv", action="store_true", help="also write the figures to FILE.csv beside the PDF")
    weekly.set_defaults(handler=cmd_weekly)

    fb = rsub.add_parser("feedback", parents=[common], help="the feedback report of a period: summary, figures, "
                                                            "themes with quotes, recommendations")
    fb.add_argument("--from", dest="first", required=True, help="YYYY-MM-DD, the first office day")
    fb.add_argument("--to", dest="last", required=True, help="YYYY-MM-DD, the last office day (included)")
    fb.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    fb.add_argument("--csv", action="store_true", help="also write the figures to FILE.csv beside the PDF")
    fb.add_argument("--recommendations-file", type=Path, metavar="FILE",
                    help="a UTF-8 text file with the supervisor's recommendations (blank lines part them)")
    fb.set_defaults(handler=cmd_feedback)

    mod = rsub.add_parser("moderation", parents=[common], help="the month's ad moderation report as PDF")
    mod.add_argument("--month", required=True, help="YYYY-MM")
    mod.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    mod.set_defaults(handler=cmd_moderation)

    attach = rsub.add_parser("attach", parents=[common], help="attach the inquiry template PDF to the inquiry")
    attach.add_argument("id")
    attach.set_defaults(handler=cmd_attach)

    archive = sub.add_parser("archive", parents=[common],
                             help="write every inquiry of a month as PDF into DIR/YYYY/MM/<User Type>/ with an index")
    archive.add_argument("--month", required=True, help="YYYY-MM")
    archive.add_argument("--out", type=Path, required=True, metavar="DIR")
    archive.set_defaults(handler=cmd_archive)


def cmd_inquiry(args: argparse.Namespace) -> int:
    from ..services import report_files as rf

    with work(args) as ctx:
        path = rf.write_inquiry_pdf(ctx, args.id, args.out)
    print(f"written {path}")
    return 0


def _period_report(args: argparse.Namespace, kind: str, text: str) -> int:
    """The monthly, daily or weekly report: the PDF and, with --csv, its figures beside it."""
    from ..core.periods import Period
    from ..services import report_files as rf

    period = getattr(Period, kind)(text)  # a bad period stops here, before the store is opened
    pdf, csv = {"month": (rf.write_monthly_pdf, rf.write_monthly_csv), "day": (rf.write_daily_pdf, rf.write_daily_csv),
                "week": (rf.write_weekly_pdf, rf.write_weekly_csv)}[kind]
    with work(args) as ctx:
        now = ctx.now()  # one moment for both files, so the CSV holds exactly the PDF's figures
        written = [pdf(ctx, period, args.out, as_of=now, generated_at=now)]
        if args.csv:
            written.append(csv(ctx, period, args.out.with_suffix(".csv"), as_of=now))
    for path in written:
        print(f"written {path}")
    return 0


def cmd_monthly(args: argparse.Namespace) -> int:
    return _period_report(args, "month", args.month)


def cmd_daily(args: argparse.Namespace) -> int:
    return _period_report(args, "day", args.day)


def cmd_weekly(args: argparse.Namespace) -> int:
    return _period_report(args, "week", args.week)


def cmd_quarterly(args: argparse.Namespace) -> int:
    from ..core.periods import Period
    from ..services import report_files as rf

    quarter = Period.quarter(args.quarter)
    recommendations = ""
    if args.recommendations_file is not None:
        if not args.recommendations_file.is_file():
            raise FileNotFoundError(f"{args.recommendations_file} is not a file")
        recommendations = args.recommendations_file.read_text(encoding="utf-8-sig")
    with work(args) as ctx:
        now = ctx.now()  # one moment for both files, so the CSV holds exactly the PDF's figures
        written = [rf.write_quarterly_pdf(ctx, quarter, args.out, recommendations, as_of=now, generated_at=now)]
        if args.csv:
            written.append(rf.write_quarterly_csv(ctx, quarter, args.out.with_suffix(".csv"), as_of=now))
    for path in written:
        print(f"written {path}")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from ..core.periods import Period
    from ..services import report_files as rf

    first, last = Period.day(args.first).first, Period.day(args.last).first
    recommendations = ""
    if args.recommendations_file is not None:
        if not args.recommendations_file.is_file():
            raise FileNotFoundError(f"{args.recommendations_file} is not a file")
        recommendations = args.recommendations_file.read_text(encoding="utf-8-sig")
    with work(args) as ctx:
        now = ctx.now()
        written = [rf.write_feedback_pdf(ctx, first, last, args.out, recommendations, as_of=now, generated_at=now)]
        if args.csv:
            written.append(rf.write_feedback_csv(ctx, first, last, args.out.with_suffix(".csv"), as_of=now))
    for path in written:
        print(f"written {path}")
    return 0


def cmd_moderation(args: argparse.Namespace) -> int:
    from ..core.periods import Period
    from ..services import report_files as rf

    month = Period.month(args.month)
    with work(args) as ctx:
        path = rf.write_moderation_pdf(ctx, month, args.out)
    print(f"written {path}")
    return 0


def cmd_attach(args: argparse.Namespace) -> int:
    from ..services import report_files as rf

    with work(args) as ctx:
        att = rf.attach_inquiry_pdf(ctx, args.id)
        print(f"attached {att.filename} ({att.size} bytes, sha256 {att.sha256[:12]}…)")
    return 0


def cmd_archive(args: argparse.Namespace) -> int:
    from ..core.periods import Period
    from ..services import report_files as rf

    month = Period.month(args.month)
    with work(args) as ctx:
        result = rf.archive_month(ctx, month, args.out)
    print(f"{len(result.files)} inquiry PDF(s) written under {result.folder}; index {result.index}")
    return 0
