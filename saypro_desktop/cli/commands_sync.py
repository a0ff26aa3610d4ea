"""``saypro login`` and ``saypro sync``."""

from __future__ import annotations

import argparse
import getpass
import sys
import uuid
from typing import TYPE_CHECKING

from .common import store_for

if TYPE_CHECKING:
    from ..store import Store
    from ..sync.client import SyncClient


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    login = sub.add_parser("login", parents=[common], help="sign in to the central server and enrol this desktop")
    login.add_argument("--server", required=True, help="server address, e.g. https://desk.saypro.example")
    login.add_argument("--user", required=True)
    login.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    login.add_argument("--insecure", action="store_true", help="allow plain HTTP to a non-local server")
    login.set_defaults(handler=cmd_login)
    sync = sub.add_parser("sync", parents=[common], help="send local changes and fetch the server's")
    sync.add_argument("--insecure", action="store_true", help="allow plain HTTP to a non-local server")
    sync.add_argument("--password-stdin", action="store_true",
                      help="sign in again with the password from standard input if no token is remembered")
    sync.set_defaults(handler=cmd_sync)


def _password(from_stdin: bool) -> str:
    return sys.stdin.readline().rstrip("\n") if from_stdin else getpass.getpass("Server password: ")


def cmd_login(args: argparse.Namespace) -> int:
    from ..sync.client import SyncError
    from ..sync.credentials import system_token_store
    from ..sync.engine import enroll, make_client

    store = store_for(args)
    tokens = system_token_store()
    try:
        client = make_client(store, args.server, tokens, args.user, allow_insecure=args.insecure)
        try:
            user = enroll(store, client, args.user, _password(args.password_stdin))
        finally:
            client.close()
        print(f"signed in to {client.base} as {user['display_name']} ({user['role']}); this desktop is enrolled")
        if user.get("local_users"):
            print(f"local users: {user['local_users']}")
        if not tokens.persistent:
            print(f"note: the sign-in is kept in {tokens.description}", file=sys.stderr)
        return 0
    except SyncError as exc:
        print(f"saypro: login failed: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def cmd_claim_ads(args: argparse.Namespace) -> int:
    """``saypro ads claim --count N``: reserve a batch of ads on the server, then sync so they are here."""
    from ..sync.client import SyncError
    from ..sync.engine import SyncEngine

    if not 1 <= args.count <= 200:
        raise ValueError("--count must be 1 to 200")
    store = store_for(args)
    try:
        client = _client(store, args)
        if client is None:
            return 1
        try:
            if client.refresh_token is None:
                print("saypro: sign in again with 'saypro login' (no remembered sign-in for this desktop)",
                      file=sys.stderr)
                return 1
            answer = client.claim_ads(args.count, str(uuid.uuid4()))
            report = SyncEngine(store, client).run()  # the ads and the claims arrive with the pull
        finally:
            client.close()
        print(f"{len(answer['ad_ids'])} ad(s) claimed for you until {answer.get('expires_at', '?')}; "
              f"sync: {report.summary()}")
        return 0
    except SyncError as exc:
        print(f"saypro: the claim did not finish: {exc}. Work the ads you hold, or claim again online.",
              file=sys.stderr)
        return 1
    finally:
        store.close()


def _client(store: Store, args: argparse.Namespace) -> SyncClient | None:
    """The client of the server this desktop is enrolled with (None, and a message, when it is not)."""
    from ..sync.credentials import system_token_store
    from ..sync.engine import SERVER_URL, USERNAME, _setting, make_client

    with store.session() as s:
        url, username = _setting(s, SERVER_URL), _setting(s, USERNAME)
    if not url:
        print("saypro: this desktop is not enrolled; run 'saypro login --server URL --user USER' first",
              file=sys.stderr)
        return None
    return make_client(store, url, system_token_store(), username, allow_insecure=args.insecure)


def cmd_sync(args: argparse.Namespace) -> int:
    from ..sync.client import SyncError
    from ..sync.engine import USERNAME, SyncEngine, _setting, enroll, pending_count

    store = store_for(args)
    try:
        client = _client(store, args)
        if client is None:
            return 1
        try:
            if client.refresh_token is None:
                if not args.password_stdin:
                    print("saypro: sign in again with 'saypro login' (no remembered sign-in for this desktop)",
                          file=sys.stderr)
                    return 1
                with store.session() as s:
                    username = _setting(s, USERNAME)
                enroll(store, client, username, _password(True))
            live = sys.stderr.isatty()  # a long first sync shows how far it got, on one line
            progress = (lambda m: print(f"\r{m:<60}", end="", file=sys.stderr, flush=True)) if live else None
            try:
                report = SyncEngine(store, client, progress=progress).run()
            finally:
                if live:
                    print(file=sys.stderr)
        finally:
            client.close()
        from ..services.staff import clear_server_refusal

        with store.session() as s:  # the server took this sync: a refusal it gave before is over
            clear_server_refusal(s, str(_setting(s, USERNAME) or ""))
        print(report.summary())
        for line in report.blocks_refused:
            print(f"number block dropped: {line}")
        for line in report.rejected:
            print(f"refused: {line}")
        for line in report.leases_refused:
            print(f"no numbers leased: {line}")
        for line in report.set_aside:
            print(f"set aside (kept, tried again after an update): {line}")
        left = pending_count(store)
        if left:
            print(f"{left} change(s) still to send", file=sys.stderr)
            return 1
        return 0
    except SyncError as exc:
        from ..sync.client import AccessEnded

        if isinstance(exc, AccessEnded):  # the user itself was refused: they stop working here too
            from ..services.staff import record_server_refusal

            with store.session() as s:
                username = _setting(s, USERNAME)
                if username:
                    record_server_refusal(s, str(username), str(exc))
        print(f"saypro: sync did not finish: {exc}. Local changes are kept and will be sent next time.",
              file=sys.stderr)
        return 1
    finally:
        store.close()
