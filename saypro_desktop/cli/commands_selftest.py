"""``saypro selftest [--keep]``: check this installation in a temporary folder (see ``saypro_desktop/selftest.py``)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    # No --data-dir: the self-test never opens a data folder, only a new temporary one.
    p = sub.add_parser("selftest", help="check this installation end to end in a temporary folder "
                                        "(exit code 0: passed, 1: a check failed)")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (store, PDF) and print its path")
    p.set_defaults(handler=cmd_selftest)


def cmd_selftest(args: argparse.Namespace) -> int:
    from ..selftest import main

    return main(keep=args.keep)
