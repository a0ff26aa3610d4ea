"""The ``saypro`` command line. Every command takes ``--data-dir`` and ``--as USER``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ..core.permissions import PermissionDenied
from ..core.validation import ValidationError
from ..core.workflow import TransitionError
from ..services.context import NotFound
from ..services.csv_io import ImportRejected
from ..store import StoreError
from . import commands_data, commands_inquiry, commands_moderation, commands_report, commands_selftest, commands_sync


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
        description="SayPro Desk: inquiries, ad moderation, SLAs and KPIs of the SayPro Classified Office")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands_inquiry.register(sub, common)
    commands_data.register(sub, common)
    commands_moderation.register(sub, common)
    commands_report.register(sub, common)
    commands_selftest.register(sub, common)
    commands_sync.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
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
    except ImportRejected as exc:
        print(f"saypro: import refused: {exc}", file=sys.stderr)
    except ValidationError as exc:
        print("saypro: please correct:", file=sys.stderr)
        for e in exc.errors:
            print(f"  - {e}", file=sys.stderr)
    except (StoreError, NotFound, PermissionDenied, TransitionError, PermissionError, ValueError,
            FileNotFoundError) as exc:
        print(f"saypro: {exc}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
