"""How someone who holds a desktop's SQLite file can rewrite its whole audit chain (tests of the chain's limits)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from saypro_desktop.core.audit_chain import CONTENT_FIELDS, entry_hash


def rewrite_whole_chain(database: Path, entry_id: str, forged_changes: dict[str, Any]) -> None:
    """Change one entry, then hash every entry of the device from the first on again and set the store's record of
    the newest link, with the published algorithm (core/audit_chain.py). The local check cannot see it."""
    with sqlite3.connect(database) as con:
        con.row_factory = sqlite3.Row
        con.execute("UPDATE audit_entry SET changes = ? WHERE id = ?", (json.dumps(forged_changes), entry_id))
        device = con.execute("SELECT device_id FROM device_state").fetchone()[0]
        prev = None
        rows = con.execute(f"SELECT {', '.join(CONTENT_FIELDS)}, chain_seq FROM audit_entry WHERE device_id = ? "
                           "ORDER BY chain_seq", (device,)).fetchall()
        for row in rows:
            content = {n: row[n] for n in CONTENT_FIELDS}
            content["changes"] = json.loads(row["changes"])
            digest = entry_hash(content, device, row["chain_seq"], prev)
            con.execute("UPDATE audit_entry SET prev_hash = ?, entry_hash = ? WHERE id = ?", (prev, digest, row["id"]))
            prev = digest
        con.execute("UPDATE device_state SET audit_seq = ?, audit_hash = ?", (rows[-1]["chain_seq"], prev))
    con.close()
