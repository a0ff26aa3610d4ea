"""The ``saypro`` command line. Every command takes ``--data-dir`` and ``--as USER``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from . import (
    commands_audit,
    commands_data,
    commands_feedback,
    commands_inquiry,
    commands_kb,
    commands_moderation,
    commands_report,
    commands_selftest,
    commands_sync,
)

# The shell's code for a process ended by SIGPIPE (128 + 13): `saypro inquiry list | head` stopped reading.
EXIT_BROKEN_PIPE = 141


def _common() -> argparse.ArgumentParser:
    # SUPPRESS keeps a value given before the sub-command from being reset by the sub-parser's default.
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--data-dir", default=argparse.SUPPRESS, help="data folder (default: SAYPRO_DATA_DIR or the "
                                                                 "user's data folder)")
    p.add_argument("--as", dest="as_user", default=argparse.SUPPRESS, metavar="USER",
                   help="act as this staff user (default: the server user this desktop is enrolled as, "
                        "else the first Admin)")
    p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="saypro", parents=[common],
        description="SayPro Desk: inquiries, ad moderation, SLAs and KPIs of the SayPro Classified Office. "
                    "Without a COMMAND, `saypro` starts the desktop app.",
        epilog="`saypro COMMAND --help` describes a command.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands_inquiry.register(sub, common)
    commands_data.register(sub, common)
    commands_moderation.register(sub, common)
    commands_kb.register(sub, common)
    commands_feedback.register(sub, common)
    commands_report.register(sub, common)
    commands_selftest.register(sub, common)
    commands_sync.register(sub, common)
    commands_audit.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Every command module imports its heavy packages (SQLAlchemy, the services, ReportLab) inside the handler
    # that needs them, so building the parser and `saypro --help` stay fast; tests/cli/test_cli_start.py checks it.
    try:
        try:
            return _run(argv)
        finally:
            if sys.stdout is not None:  # None in the windowed executable
                sys.stdout.flush()  # a closed pipe shows here, inside main, rather than at interpreter exit
    except BrokenPipeError:
        # The reader of our output went away. Point stdout at devnull so that Python's flush at exit
        # does not raise a second time, and end as a process killed by SIGPIPE would.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_BROKEN_PIPE


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    for name, default in (("data_dir", None), ("as_user", None), ("verbose", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    if not getattr(args, "handler", None):
        return commands_data.start_app(args)
    try:
        return int(args.handler(args) or 0)
    except Exception as exc:
        if not _reported(exc, f"'saypro {args.command}'"):
            raise
    return 1


def _reported(exc: Exception, what: str = "the command") -> bool:
    """Print an error the user can act on in a line or a list; False for a bug, which keeps its traceback.

    Imported here, not at the top: these classes live in the heavy modules that a command has already
    loaded when it raises them."""
    from ..core.permissions import PermissionDenied
    from ..core.validation import ValidationError
    from ..core.workflow import TransitionError
    from ..services.context import NotFound
    from ..services.csv_io import ImportRejected
    from ..store import StoreError
    from ..store.failures import explain

    failure = explain(exc, what=what)  # a full disk or a damaged file: what happened and what to do
    if failure:
        print(f"saypro: {failure}", file=sys.stderr)
    elif isinstance(exc, ImportRejected):
        print(f"saypro: import refused: {exc}", file=sys.stderr)
    elif isinstance(exc, ValidationError):
        print("saypro: please correct:", file=sys.stderr)
        for e in exc.errors:
            print(f"  - {e}", file=sys.stderr)
    elif isinstance(exc, (StoreError, NotFound, PermissionDenied, TransitionError, PermissionError, ValueError,
                          FileNotFoundError)):
        print(f"saypro: {exc}", file=sys.stderr)
    else:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
