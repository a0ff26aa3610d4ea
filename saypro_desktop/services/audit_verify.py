"""``saypro audit verify``: the audit chains this store holds, and the audited rows the trail does not explain.

Chains (``core/audit_chain.py``): this desktop's own chain is checked whole, from entry 1 to the newest link the
write hook recorded in ``device_state``, so an edited, deleted, reordered or appended-by-hand entry is named, the
first broken one first. Other devices' entries came through the server, which may have bounded their times or left
out an inquirer's details for this role: they are checked only on request (``all_devices``), and the server's own
check (``saypro-server verify-audit``) is the one that counts for them.

Rows: an audited row (an inquiry, a staff user...) edited in the file leaves no audit entry. Each field the trail
recorded a change of must hold a value the trail knows for it (an old or a new value of one of its entries); a field
holding any other value is named. A field never changed since its row was made has no recorded value to compare
(the trail records a creation without values), and a forged value equal to one the field once held is not seen.
Only field names are reported, never values (an inquirer's details stay out of the report).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..core.audit_chain import CONTENT_FIELDS, Finding, Link, check_chain
from ..models import SYNCED_MODELS, AuditEntry, DeviceState
from ..models.codec import encode


@dataclass(frozen=True)
class Unexplained:
    entity: str
    entity_id: str
    label: str
    fields: tuple[str, ...]

    @property
    def text(self) -> str:
        return (f"{self.entity} {self.label}: {', '.join(self.fields)} hold(s) a value no audit entry records "
                "(changed in the file, not through SayPro Desk)")


@dataclass
class AuditVerification:
    device_id: str
    checked: int = 0  # entries of the chains checked
    findings: list[Finding] = field(default_factory=list)
    unexplained: list[Unexplained] = field(default_factory=list)
    unchained: int = 0  # entries without chain fields (from a server or desktop older than the chain)
    other_devices: int = 0  # entries of other devices' chains, not checked here

    @property
    def ok(self) -> bool:
        return not any(f.serious for f in self.findings) and not self.unexplained


def link_of(entry: AuditEntry) -> Link:
    assert entry.device_id is not None and entry.chain_seq is not None and entry.entry_hash is not None
    return Link(entry.id, entry.device_id, entry.chain_seq, entry.prev_hash, entry.entry_hash,
                {name: encode(getattr(entry, name)) for name in CONTENT_FIELDS})


def verify(session: Session, *, all_devices: bool = False) -> AuditVerification:
    state = session.get(DeviceState, 1)
    if state is None:
        raise RuntimeError("the store has no device identity")
    result = AuditVerification(state.device_id)
    result.unchained = session.scalar(select(func.count()).select_from(AuditEntry)
                                      .where(AuditEntry.entry_hash.is_(None))) or 0
    own = session.scalars(select(AuditEntry).where(AuditEntry.device_id == state.device_id)).all()
    result.checked = len(own)
    result.findings = check_chain([link_of(e) for e in own], complete=True,
                                  heads={state.device_id: (state.audit_seq or 0, state.audit_hash)})
    others_q = select(AuditEntry).where(AuditEntry.device_id.is_not(None), AuditEntry.device_id != state.device_id)
    if all_devices:
        others = session.scalars(others_q).all()
        result.checked += len(others)
        result.findings += check_chain([link_of(e) for e in others], complete=False)
    else:
        result.other_devices = session.scalar(select(func.count()).select_from(others_q.subquery())) or 0
    result.unexplained = unexplained_rows(session)
    return result


def _same(value: Any) -> str:
    """A value as compared: moments in one spelling (a change may be recorded with the office's offset)."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                value = moment.timestamp()
    return json.dumps(value, sort_keys=True)


def unexplained_rows(session: Session) -> list[Unexplained]:
    """Audited rows whose fields hold a value that no audit entry of theirs records (old or new)."""
    known: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    audited = {name for name, model in SYNCED_MODELS.items() if model.__sync__.audited}
    for entity, entity_id, changes in session.execute(
            select(AuditEntry.entity, AuditEntry.entity_id, AuditEntry.changes)
            .where(AuditEntry.entity.in_(audited), AuditEntry.action != "create")):
        for name, pair in (changes or {}).items():
            if isinstance(pair, list) and len(pair) == 2:
                known[(entity, entity_id)][name].update(_same(v) for v in pair)
    by_table: dict[str, list[str]] = defaultdict(list)
    for entity, entity_id in known:
        by_table[entity].append(entity_id)
    found = []
    for entity, ids in sorted(by_table.items()):
        model = SYNCED_MODELS[entity]
        names = {c.key for c in model.__table__.columns}
        for start in range(0, len(ids), 500):
            for row in session.scalars(select(model).where(model.id.in_(ids[start:start + 500]))):
                fields = known[(entity, row.id)]
                odd = tuple(sorted(n for n, values in fields.items()
                                   if n in names and _same(encode(getattr(row, n))) not in values))
                if odd:
                    label = getattr(row, "display_id", None) or row.id
                    found.append(Unexplained(entity, row.id, str(label), odd))
    found.sort(key=lambda u: (u.entity, u.label))
    return found
