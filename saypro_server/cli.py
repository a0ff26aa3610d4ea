"""The ``saypro-server`` command: init-db, create-user, set-password, list-devices, revoke-device,
rotate-epoch, prune-uploads, create-integration, list-integrations, revoke-integration, serve. The database is
``--database-url``, else ``SAYPRO_DATABASE_URL``, else an SQLite file in the server's data folder
(``SAYPRO_SERVER_DATA`` or the account's data folder). ``init-db`` and ``serve`` also create the token secret
file in the data folder unless ``SAYPRO_SERVER_SECRET`` is set."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.exc import ArgumentError, OperationalError

from saypro_desktop.core.permissions import Role
from saypro_desktop.models.base import utcnow

from . import __version__, accounts
from .config import DATABASE_ENV, DEFAULT_HOST, DEFAULT_PORT, SECRET_ENV, ServerSettings, database_url, describe_url
from .numbers import DEFAULT_RESTORE_GAP
from .secret import SecretError, ensure_secret_file, load_secret
from .store.db import Database
from .store.migrate import SchemaError, init_db

log = logging.getLogger("saypro_server")


class CommandError(Exception):
    """A problem to report in one line (exit status 1)."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="saypro-server", description="The SayPro Desk central sync server.")
    p.add_argument("--version", action="version", version=f"saypro-server {__version__}")
    p.add_argument("--database-url", help=f"SQLAlchemy URL (default: ${DATABASE_ENV}, else an SQLite file in the "
                                          "data folder); e.g. postgresql://saypro@db.example/saypro")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("init-db", help="create or upgrade the database schema; create the token secret file if missing")
    cu = sub.add_parser("create-user", help="add a staff user who can sign in")
    cu.add_argument("username")
    cu.add_argument("--role", required=True, help=", ".join(r.value for r in Role))
    cu.add_argument("--display-name")
    cu.add_argument("--email")
    cu.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sp = sub.add_parser("set-password", help="set a staff user's sign-in password")
    sp.add_argument("username")
    sp.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sub.add_parser("list-devices", help="list the desktops that have signed in")
    rd = sub.add_parser("revoke-device", help="end a desktop's sign-in for good (lost or stolen machine)")
    rd.add_argument("device_id")
    re_ = sub.add_parser("rotate-epoch", help="after restoring a backup: make every desktop pull afresh")
    re_.add_argument("--number-gap", type=int, default=DEFAULT_RESTORE_GAP,
                     help="inquiry numbers to skip per month, more than were leased between the backup and "
                          f"the restore (default {DEFAULT_RESTORE_GAP})")
    pu = sub.add_parser("prune-uploads", help="delete unfinished attachment uploads left idle too long")
    pu.add_argument("--idle-hours", type=float, default=None,
                    help="idle for longer than this (default: SAYPRO_UPLOAD_IDLE_HOURS, else 24)")
    ci = sub.add_parser("create-integration", help="make a key for the classified site (printed once)")
    ci.add_argument("name", help="what the key is for, e.g. classified-site")
    sub.add_parser("list-integrations", help="list the integration keys (never the keys themselves)")
    ri = sub.add_parser("revoke-integration", help="end an integration's key at once")
    ri.add_argument("name")
    va = sub.add_parser("verify-audit", help="check every desktop's audit chain as the server received it and "
                                             "the stored audit trail against it (exit 1 when anything is wrong)")
    va.add_argument("--device", help="only this device's chain")
    sv = sub.add_parser("serve", help="migrate the database, then serve the API")
    sv.add_argument("--host", default=DEFAULT_HOST)
    sv.add_argument("--port", type=int, default=DEFAULT_PORT)
    sv.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    return p


def _password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask for the password; use --password-stdin")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise CommandError("the two passwords differ")
    return first


def _open(url: str) -> Database:
    try:
        return Database(url)
    except ArgumentError as exc:
        raise CommandError(f"{describe_url(url)} is not a database URL: {exc}") from exc
    except ModuleNotFoundError as exc:
        raise CommandError(f"the driver for {describe_url(url)} is not installed ({exc.name}); "
                           "install saypro-desk[server]") from exc


def _ensure_secret() -> str:
    """Make the token secret file when there is none (and no SAYPRO_SERVER_SECRET); say where it is, never what."""
    settings = ServerSettings()
    if settings.secret:
        load_secret(settings)  # checks its length
        return f"token secret: from {SECRET_ENV}"
    created = ensure_secret_file(settings.secret_path)
    load_secret(settings)  # readable and whole
    return f"token secret: {'created ' if created else ''}{settings.secret_path}" + (
        " (mode 0600; every server of this database needs the same file)" if created else "")


def run(args: argparse.Namespace) -> int:
    url = database_url(args.database_url)
    db = _open(url)
    now = utcnow()
    try:
        if args.command == "init-db":
            before, after = init_db(db)
            print(f"database {describe_url(url)}: schema {after}" + (f" (was {before or 'empty'})"
                                                                       if before != after else " (up to date)"))
            print(_ensure_secret())
        elif args.command == "create-user":
            try:
                role = Role.parse(args.role)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            init_db(db)
            user_id = accounts.create_user(db, args.username, role, _password(args.password_stdin), now,
                                           display_name=args.display_name, email=args.email)
            print(f"created {args.username} ({role.value}), id {user_id}")
        elif args.command == "set-password":
            ended = accounts.set_password(db, args.username, _password(args.password_stdin), now)
            print(f"password of {args.username} set; signed out on {ended} device(s) (they sign in again "
                  "with the new password)")
        elif args.command == "list-devices":
            for d in accounts.list_devices(db):
                seen = d["last_seen"].strftime("%Y-%m-%d %H:%M UTC") if d["last_seen"] else "never"
                state = "REVOKED" if d["revoked"] else "active"
                print(f"{d['id']}  {d['username']:<20} {d['name'][:30]:<30} {state:<8} last seen {seen}")
        elif args.command == "revoke-device":
            row = accounts.revoke_device(db, args.device_id, now)
            print(f"device {args.device_id} ({row['name']}, {row['username']}) revoked")
        elif args.command == "rotate-epoch":
            epoch = accounts.rotate_epoch(db, now, args.number_gap)
            print(f"new epoch {epoch}: desktops will pull everything again and re-send their queued changes; "
                  f"inquiry numbers continue {args.number_gap} higher in every month")
        elif args.command == "prune-uploads":
            from datetime import timedelta

            from .blobs import prune_idle
            from .config import ServerSettings

            try:
                hours = args.idle_hours if args.idle_hours is not None else ServerSettings().upload_idle_s / 3600
            except ValueError as exc:  # a bad SAYPRO_UPLOAD_IDLE_HOURS
                raise CommandError(str(exc)) from exc
            if not hours > 0:
                raise CommandError("--idle-hours must be more than 0")
            uploads, received = prune_idle(db, now, timedelta(hours=hours))
            print(f"removed {uploads} unfinished upload(s) idle over {hours:g} h ({received:,} bytes received)")
        elif args.command in ("create-integration", "list-integrations", "revoke-integration"):
            _integrations(db, args, now)
        elif args.command == "verify-audit":
            return _verify_audit(db, args.device)
        elif args.command == "serve":
            return _serve(db, url, args)
    finally:
        db.dispose()
    return 0


def _verify_audit(db: Database, device: str | None) -> int:
    from .audit_chain import verify

    with db.read() as conn:
        chains = verify(conn, device)
    if not chains:
        print("no chained audit entries received" + (f" from device {device}" if device else ""))
        return 0
    for chain in chains:
        print(f"device {chain.device_id}: {chain.entries} entries received (#{chain.first} to #{chain.last}): "
              + ("ok" if chain.ok else "BROKEN"))
        for f in chain.findings:
            print(f"  {'-' if f.serious else 'note:'} {f.text}")
        for note in chain.notes[:20]:
            print(f"  note: {note}")
    bad = sum(not c.ok for c in chains)
    print(f"{len(chains)} device chain(s) checked; " + (f"{bad} broken" if bad else "all ok"))
    return 1 if bad else 0


def _integrations(db: Database, args: argparse.Namespace, now: datetime) -> None:
    from . import site

    try:
        if args.command == "create-integration":
            key = site.create_integration(db, args.name, now)
            print(f"integration {args.name}: key {key}")
            print("Give this key to the site now: it is not stored and cannot be shown again (the server keeps "
                  "only its hash). The site sends it as 'Authorization: Bearer <key>'; see docs/SITE_API.md.")
        elif args.command == "list-integrations":
            rows = site.list_integrations(db)
            if not rows:
                print("no integrations; 'saypro-server create-integration NAME' makes one")
            for r in rows:
                state = f"revoked {r['revoked_at']:%Y-%m-%d %H:%M} UTC" if r["revoked_at"] else "active"
                print(f"{r['name']:<30} {r['key_hint']}...  created {r['created_at']:%Y-%m-%d %H:%M} UTC  {state}")
        else:
            site.revoke_integration(db, args.name, now)
            print(f"integration {args.name}: key revoked (requests with it are refused from now on)")
    except site.SiteError as exc:
        raise CommandError(exc.detail) from exc


def _serve(db: Database, url: str, args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app

    if args.workers < 1 or not 0 < args.port < 65536:
        raise CommandError("--workers must be at least 1 and --port 1 to 65535")
    before, after = init_db(db)
    if before != after:
        print(f"database migrated to schema {after}")
    db.dispose()
    print(_ensure_secret())
    print(f"serving {describe_url(url)} on http://{args.host}:{args.port}/api/v1 ({args.workers} worker(s))")
    if args.workers == 1:
        uvicorn.run(create_app(url), host=args.host, port=args.port, log_level="info")
    else:
        os.environ[DATABASE_ENV] = url  # the workers build their app from it
        uvicorn.run("saypro_server.app:app_from_env", factory=True, host=args.host, port=args.port,
                    workers=args.workers, log_level="info")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except (CommandError, accounts.AdminError, SchemaError, SecretError) as exc:
        print(f"saypro-server: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"saypro-server: cannot use the database: {reason}", file=sys.stderr)
        return 1
