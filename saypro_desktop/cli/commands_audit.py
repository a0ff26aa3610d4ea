"""``saypro audit verify``: the audit trail's hash chain and the audited rows it does not explain."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from .common import store_for

if TYPE_CHECKING:
    from ..store import Store


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    audit = sub.add_parser("audit", parents=[common], help="check the audit trail")
    asub = audit.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = asub.add_parser("verify", parents=[common],
                             help="check this desktop's audit chain and the rows it records; names what was "
                                  "edited, deleted or reordered in the file (exit 1 when anything is)")
    verify.add_argument("--all-devices", action="store_true",
                        help="also check the entries of other desktops this store holds (the server's own "
                             "check, saypro-server verify-audit, is the one that counts for them)")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(handler=cmd_audit_verify)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from ..services.audit_verify import verify

    store = store_for(args)
    try:
        with store.session() as s:
            result = verify(s, all_devices=args.all_devices)
    finally:
        store.close()
    if args.json:
        print(json.dumps({
            "ok": result.ok, "device_id": result.device_id, "checked": result.checked,
            "findings": [{"device_id": f.device_id, "seq": f.seq, "entry_id": f.entry_id, "kind": f.kind,
                          "serious": f.serious, "text": f.text} for f in result.findings],
            "unexplained": [{"entity": u.entity, "entity_id": u.entity_id, "label": u.label, "fields": u.fields}
                            for u in result.unexplained],
            "unchained": result.unchained, "other_devices": result.other_devices}, indent=2))
        return 0 if result.ok else 1
    print(f"audit chain of this desktop (device {result.device_id}): {result.checked} entries checked")
    serious = [f for f in result.findings if f.serious]
    if serious:
        print(f"BROKEN: the first broken entry: {serious[0].text}")
    for f in result.findings:
        print(f"  {'-' if f.serious else 'note:'} {f.text}")
    for u in result.unexplained:
        print(f"  - {u.text}")
    if result.other_devices:
        print(f"  {result.other_devices} entries of other desktops not checked here (--all-devices; the server's "
              "check covers them)")
    if result.unchained:
        print(f"  {result.unchained} entries carry no chain (written by a server or desktop older than the chain)")
    print("ok" if result.ok else "NOT OK: the audit trail or the rows it records were changed outside SayPro Desk")
    return 0 if result.ok else 1


def check_line(store: Store) -> int:
    """``saypro db check``'s line on the audit trail (its chain and the rows it records): 0 when whole."""
    from ..services.audit_verify import verify

    with store.session() as s:
        result = verify(s)
    if result.ok:
        print(f"audit chain ok ({result.checked} entries of this desktop)")
        return 0
    problems = [f.text for f in result.findings if f.serious] + [u.text for u in result.unexplained]
    print(f"audit trail: {len(problems)} problem(s), changed outside SayPro Desk; the first: {problems[0]}. "
          "'saypro audit verify' lists them (a backup from before the change holds the trail as it was written)")
    return 1
