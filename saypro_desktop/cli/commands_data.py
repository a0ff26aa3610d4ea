"""``saypro demo-data``, ``export``, ``import``, ``db``, ``staff`` and starting the app."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .common import store_for, work

if TYPE_CHECKING:
    from ..services import demo_data
    from ..store import DataPaths, Store


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from ..core.permissions import Role

    demo = sub.add_parser("demo-data", parents=[common], help="fill the store with realistic demo inquiries")
    demo.add_argument("--inquiries", type=int, default=0)
    demo.add_argument("--ads", type=int, default=0, help="also this many classified ads, with decisions")
    demo.add_argument("--months", type=int, default=12)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--until", type=date.fromisoformat, help="last day of the data (default today), YYYY-MM-DD")
    demo.set_defaults(handler=cmd_demo)

    exp = sub.add_parser("export", parents=[common], help="export to CSV")
    exp.add_argument("what", choices=["inquiries"])
    exp.add_argument("file", type=Path)
    exp.add_argument("--month", help="YYYY-MM")
    exp.set_defaults(handler=cmd_export)

    imp = sub.add_parser("import", parents=[common], help="import inquiries (CSV), ads (CSV or JSON Lines) or "
                                                          "ratings (CSV: inquiry_id, rating, comment); all rows or "
                                                          "none")
    imp.add_argument("what", choices=["inquiries", "ads", "feedback"])
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=cmd_import)

    db = sub.add_parser("db", parents=[common], help="check, back up, migrate or restore the local database")
    db.add_argument("action", choices=["check", "backup", "migrate", "restore"])
    db.add_argument("backup", nargs="?", type=Path, help="for restore: the backup file (default: the newest)")
    db.set_defaults(handler=cmd_db)

    staff = sub.add_parser("staff", parents=[common], help="staff users")
    ssub = staff.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = ssub.add_parser("add", parents=[common], help="create a staff user")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="display name")
    add.add_argument("--role", required=True, help=" | ".join(r.value for r in Role))
    add.add_argument("--email")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=cmd_staff_add)
    lst = ssub.add_parser("list", parents=[common], help="list staff users")
    lst.set_defaults(handler=cmd_staff_list)
    pw = ssub.add_parser("passwd", parents=[common], help="set a staff user's local password")
    pw.add_argument("username")
    pw.add_argument("--password-stdin", action="store_true")
    pw.set_defaults(handler=cmd_staff_passwd)
    st = ssub.add_parser("set", parents=[common], help="an Admin changes a user's role or access expiry")
    st.add_argument("username")
    change = st.add_mutually_exclusive_group(required=True)
    change.add_argument("--role", help=" | ".join(r.value for r in Role))
    change.add_argument("--expires", type=_office_date, metavar="YYYY-MM-DD",
                        help="access ends at the end of this day (office time)")
    change.add_argument("--no-expiry", action="store_true", help="access does not expire")
    st.set_defaults(handler=cmd_staff_set)
    for name, text in (("deactivate", "end a user's access (they are signed out where they work)"),
                       ("activate", "give a deactivated user access again")):
        one = ssub.add_parser(name, parents=[common], help=text)
        one.add_argument("username")
        one.set_defaults(handler=cmd_staff_active, active=name == "activate")


def start_app(args: argparse.Namespace) -> int:
    from importlib.util import find_spec

    from ..ui.x11_libraries import xcb_problem

    # Before Qt loads, and only where Qt is installed (a server-only install has no window to open): without
    # these libraries QApplication would abort the process.
    problem = xcb_problem() if find_spec("PySide6") else None
    if problem:
        print(problem, file=sys.stderr)
        return 3
    try:
        from ..ui.app import run
    except ImportError:
        from sqlalchemy import func, select

        from ..models import Inquiry
        from ..store import open_store, resolve_data_dir

        paths = resolve_data_dir(args.data_dir)
        store = open_store(paths)
        with store.session() as s:
            n = s.scalar(select(func.count()).select_from(Inquiry).where(Inquiry.deleted.is_(False)))
        store.close()
        print(f"SayPro Desk: local store {paths.database} ({n} inquiries).\n"
              "The desktop window is not installed in this build; use the commands below.\n")
        from .main import build_parser

        build_parser().print_help()
        return 0
    return run(args)


def cmd_demo(args: argparse.Namespace) -> int:
    from ..services import demo_ads, demo_data

    store = store_for(args)
    try:
        def progress(n: int) -> None:
            print(f"\r{n}/{args.inquiries} inquiries", end="", file=sys.stderr, flush=True)

        if not args.inquiries and not args.ads:
            raise ValueError("say how much demo data: --inquiries N and/or --ads N")
        made = demo_data.generate(store, args.inquiries, args.months, args.seed, args.until, progress=progress)
        print(file=sys.stderr)
        print(f"{made} demo inquiries over {args.months} month(s) in {store.paths.database}")
        if args.ads:
            ads = demo_ads.generate_ads(store, args.ads, args.months, args.seed, args.until,
                                        progress=lambda n: print(f"\r{n}/{args.ads} ads", end="", file=sys.stderr,
                                                                 flush=True))
            print(file=sys.stderr)
            print(f"{ads} demo ads with their moderation")
        print_demo_logins(demo_data.demo_logins(store))
    finally:
        store.close()
    return 0


def print_demo_logins(logins: list[demo_data.DemoLogin]) -> None:
    """The sign-in table of a demo store: each login with its role and password."""
    rows = [("login", "role", "password")] + [
        (x.username, x.role.value, x.password or "(its own, not the demo's)") for x in logins]
    wide = [max(len(r[i]) for r in rows) for i in range(2)]
    print("Sign in with one of these (demo passwords: change them before real use):")
    for name, role, password in rows:
        print(f"  {name:<{wide[0]}}  {role:<{wide[1]}}  {password}")


def cmd_export(args: argparse.Namespace) -> int:
    from ..core.periods import Period
    from ..services.csv_io import export_inquiries

    with work(args) as ctx:
        n = export_inquiries(ctx, args.file, Period.month(args.month) if args.month else None)
    print(f"{n} inquiries written to {args.file}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..services.ads import import_ads
    from ..services.csv_io import import_inquiries

    if not args.file.is_file():
        raise FileNotFoundError(f"{args.file} is not a file")
    if args.what == "feedback":
        from ..services.feedback import import_ratings

        with work(args) as ctx:
            n = import_ratings(ctx, args.file)
        print(f"{n} rating(s) imported from {args.file}")
        return 0
    if args.what == "ads":
        with work(args) as ctx:
            ads = import_ads(ctx, args.file)
        print(f"{ads.imported} ad(s) imported from {args.file} ({ads.unchanged} already here, "
              f"{ads.images} image(s))")
        return 0
    with work(args) as ctx:
        result = import_inquiries(ctx, args.file)
    print(f"{result.imported} inquiries imported from {args.file}")
    if result.created_staff:
        print("inactive staff records created for: " + ", ".join(result.created_staff))
    if result.formula_cells:
        cells = ", ".join(f"line {line} ({col})" for line, col in result.formula_cells[:10])
        more = f" and {len(result.formula_cells) - 10} more" if len(result.formula_cells) > 10 else ""
        print(f"note: {len(result.formula_cells)} cell(s) begin like a spreadsheet formula (=, +, -, @, tab): "
              f"{cells}{more}. They were stored as the text they are; exports write them with a leading ' so that "
              "a spreadsheet shows them as text instead of running them.", file=sys.stderr)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from ..core.permissions import Permission
    from ..store import open_store, resolve_data_dir
    from ..store.backup import list_backups, make_backup, restore_backup
    from ..store.database import current_revision, head_revision
    from ..sync.identity import start_new_outbox

    paths: DataPaths = resolve_data_dir(args.data_dir)
    if args.action == "restore":
        backup = args.backup or (list_backups(paths) or [None])[-1]
        if backup is None or not Path(backup).is_file():
            raise FileNotFoundError(f"no backup to restore in {paths.backups}")
        if paths.database.exists():
            make_backup(paths, "before-restore")
        restore_backup(paths, Path(backup))
        restored = open_store(paths)  # a backup of an older schema is brought up to date
        try:
            with restored.session() as s:
                start_new_outbox(s)  # its sequence numbers were used by changes made after the backup
        finally:
            restored.close()
        print(f"restored {backup}; changes made here from now on are sent to the server as new, and the server "
              "sends back what was synced after the backup")
        return 0
    store = open_store(paths, run_migrations=args.action == "migrate")
    try:
        if args.action == "migrate":
            print(f"database at schema {current_revision(store.engine)} (newest {head_revision()})")
            return 0
        with work(args) as ctx:
            ctx.require(Permission.MAINTAIN_DATABASE)
        if args.action == "backup":
            print(f"backup written to {make_backup(paths)}")
            return 0
        return _report_check(store, paths, current_revision(store.engine), list_backups(paths))
    finally:
        store.close()


def _report_check(store: Store, paths: DataPaths, schema: str | None, backups: list[Path]) -> int:
    """``saypro db check``: SQLite's full integrity check, foreign keys and the search index, each finding in
    words, and which backup to restore; exit code 1 when anything is wrong."""
    from sqlalchemy.exc import DBAPIError

    from ..store.health import in_words, integrity_findings

    findings = [in_words(f) for f in integrity_findings(store.engine, quick=False)]
    fks: list = []
    search_ok = True
    try:
        with store.engine.connect() as conn:
            fks = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            conn.exec_driver_sql("INSERT INTO inquiry_fts(inquiry_fts) VALUES ('integrity-check')")
    except DBAPIError as exc:
        search_ok = False
        findings.append(f"the search index or a table could not be read ({exc.orig})")
    findings += [f"a row of {r[0]} (row {r[1]}) refers to a {r[2]} that is not there" for r in fks[:20]]
    if len(fks) > 20:
        findings.append(f"... and {len(fks) - 20} more rows that refer to missing rows")
    if not findings:
        print(f"database {paths.database}: schema {schema}, integrity ok, foreign keys ok, search index ok")
        from .commands_audit import check_line

        return check_line(store)
    print(f"database {paths.database}: schema {schema}: {len(findings)} problem(s) found"
          f"{'' if search_ok else ' (the search index did not pass its check)'}:")
    for finding in findings[:20]:
        print(f"  - {finding}")
    if len(findings) > 20:
        print(f"  ... and {len(findings) - 20} more like these")
    if backups:
        print(f"What to do: close SayPro Desk on this computer, then 'saypro db restore' puts back the newest backup, "
              f"{backups[-1].name} (the current file is kept in {paths.backups} first); "
              f"'saypro db restore FILE' puts back an older one of the {len(backups)} there. Changes made after "
              "the backup that were not synced are lost; a desktop that syncs gets the rest back from the server.")
    else:
        print(f"What to do: there is no backup in {paths.backups}. Close SayPro Desk and keep a copy of the data "
              "folder; a desktop that syncs can start on a new data folder and get its data back from the server.")
    return 1


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def cmd_staff_add(args: argparse.Namespace) -> int:
    from ..services.staff import create_staff_user

    password = _read_password(True) if args.password_stdin else None
    with work(args) as ctx:
        user = create_staff_user(ctx, args.username, args.name, args.role, args.email, password)
        print(f"created {user.username} ({user.role.value})")
    return 0


def cmd_staff_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ..core.access import access_expired
    from ..models import StaffUser
    from ..services.staff import office_tz

    with work(args) as ctx:
        tz, now = office_tz(ctx.session), ctx.now()
        for u in ctx.session.scalars(select(StaffUser).where(StaffUser.deleted.is_(False))
                                     .order_by(StaffUser.username)):
            expiry = "" if u.access_expires_on is None else (
                f"  access {'expired' if access_expired(u.access_expires_on, now, tz) else 'until'} "
                f"{u.access_expires_on:%d/%m/%Y}")
            print(f"{u.username:<20} {u.role.value:<14} {'active' if u.active else 'inactive':<9} "
                  f"{u.display_name}{expiry}")
    return 0


def _office_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD") from None


def cmd_staff_set(args: argparse.Namespace) -> int:
    from ..services.staff import set_access_expiry, set_role

    with work(args) as ctx:
        if args.role:
            user = set_role(ctx, args.username, args.role)
            print(f"{user.username}: role {user.role.value}")
        else:
            user = set_access_expiry(ctx, args.username, None if args.no_expiry else args.expires)
            print(f"{user.username}: access does not expire" if user.access_expires_on is None else
                  f"{user.username}: access until the end of {user.access_expires_on:%d/%m/%Y} (office time)")
    return 0


def cmd_staff_active(args: argparse.Namespace) -> int:
    from ..services.staff import activate_staff, deactivate_staff

    with work(args) as ctx:
        user = (activate_staff if args.active else deactivate_staff)(ctx, args.username)
        print(f"{user.username}: {'active' if user.active else 'deactivated'}")
    return 0


def cmd_staff_passwd(args: argparse.Namespace) -> int:
    from ..services.staff import find_staff, reset_password, set_password

    password = _read_password(args.password_stdin)
    with work(args) as ctx:
        user = find_staff(ctx.session, args.username)
        if user is None:
            raise ValueError(f"no staff user {args.username!r}")
        if user.id != ctx.actor.id:
            reset_password(ctx, user.username, password)  # an Admin's reset: checked and audited
        else:
            set_password(ctx.session, user, password)
    print(f"password set for {args.username}")
    return 0
