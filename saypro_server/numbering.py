"""The Inquiry ID of a new inquiry as it arrives: kept, or given by the server (see ``numbers`` for blocks).

A pushed ID is kept when no other inquiry holds it and
- it lies in a block leased to this device or user (the usual case; the lease counts it as used);
- for 14 days after a restore: it lies in any device's lease (a colleague's inquiry the server lost, sent
  again from another desktop's copy) or, for an inquiry the server numbered itself (it has a provisional
  reference), in the numbers the restore skipped;
- the pusher may import (a Supervisor or an Admin connecting a desktop used on its own): the number lies in
  nobody's lease and at most ``MAX_SKIP_AHEAD`` past the month's counter, which then moves past it.
Otherwise the server gives a number of its own, and the pushed ID becomes the provisional reference, so
what the inquirer was told still finds it. When no number can be given (the user's share of server-given
numbers this month is used, or the month is), the inquiry is kept with its provisional reference alone.
A provisional reference another inquiry holds gets a suffix (``~`` and four characters of the row id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from saypro_desktop.core.hlc import Stamp
from saypro_desktop.core.inquiry_ids import InquiryId, month_key, month_key_of

from . import numbers
from .rules import names_others
from .store.schema import SYNCED

log = logging.getLogger(__name__)
MAX_SKIP_AHEAD = 1000  # a trusted role's unleased ID further past the counter than this is a slip: renumbered

ServerSet = dict[str, tuple[Any, Stamp]]


class Numbering:
    def __init__(self, conn: Connection, pusher: Any, tick: Callable[[], Stamp], now: datetime,
                 after_restore: bool) -> None:
        self.conn, self.pusher, self.tick, self.now, self.after_restore = conn, pusher, tick, now, after_restore

    def number(self, row_id: str, values: dict[str, Any], notes: list[str]) -> ServerSet:
        """What the server sets on a new inquiry (field -> value and its stamp); ``values`` may be changed."""
        ref = values.get("inquiry_ref")
        server_set = self._keep_or_renumber(ref, values, notes) if ref is not None else self._give(values, notes)
        self._own_provisional(row_id, values, server_set, notes)
        return server_set

    def _taken(self, ref: str) -> bool:
        inquiry = SYNCED["inquiry"]
        return self.conn.execute(select(inquiry.c.id).where(inquiry.c.inquiry_ref == ref)).first() is not None

    def _keep_or_renumber(self, ref: str, values: dict[str, Any], notes: list[str]) -> ServerSet:
        parsed = InquiryId.parse(ref)
        month, n = month_key(parsed.year, parsed.month), parsed.sequence
        if not self._taken(ref) and self._may_keep(month, n, values):
            return {}
        why = "is held by another inquiry" if self._taken(ref) else "was not leased to this desktop"
        stamp = self.tick()
        renumbered: ServerSet = {}
        if values.get("provisional_ref") is None:
            renumbered["provisional_ref"] = (ref, stamp)
        new = self._new_number(month, parsed.year, parsed.month)
        if new is None:
            values["inquiry_ref"] = None
            notes.append(f"the inquiry ID {ref} {why}, and no number of month {month} can be given now; it keeps "
                         "its provisional reference")
            return renumbered
        log.warning("device %s pushed the inquiry ID %s, which %s: numbered %s", self.pusher.device_id, ref, why,
                    new)
        notes.append(f"the inquiry ID {ref} {why}; the server numbered it {new} (the old ID still finds it)")
        renumbered["inquiry_ref"] = (new, stamp)
        return renumbered

    def _may_keep(self, month: str, n: int, values: dict[str, Any]) -> bool:
        pusher = self.pusher
        lease = numbers.lease_holding(self.conn, month, n, device_id=pusher.device_id, user_id=pusher.user_id)
        if lease is None and self.after_restore:
            lease = numbers.lease_of(self.conn, month, n)  # a colleague's inquiry sent again from a copy
        if lease is not None:
            numbers.note_used(self.conn, lease)
            return True
        if self.after_restore and values.get("provisional_ref") is not None \
                and numbers.in_restore_gap(self.conn, month, n):
            # The server numbered this inquiry itself before it was restored; that number was skipped since.
            numbers.claim_number(self.conn, month, n, pusher.user_id, self.now)
            return True
        if names_others(pusher.role) and numbers.lease_of(self.conn, month, n) is None \
                and n < numbers.counter(self.conn, month) + MAX_SKIP_AHEAD:
            # A desktop used on its own, connected by a Supervisor or an Admin: its IDs were told to people.
            numbers.skip_past(self.conn, month, n)
            return True
        return False

    def _new_number(self, month: str, year: int, month_no: int) -> str | None:
        try:
            block = numbers.take(self.conn, month, 1, device_id=None, user_id=self.pusher.user_id, now=self.now,
                                 max_unused=None, max_given=numbers.MAX_GIVEN_PER_USER)
        except numbers.LeaseRefused as exc:
            log.warning("no inquiry number for %s: %s", self.pusher.user_id, exc)
            return None
        return str(InquiryId(year, month_no, block.first))

    def _give(self, values: dict[str, Any], notes: list[str]) -> ServerSet:
        logged = values["logged_date"]
        try:
            new = self._new_number(month_key_of(logged), logged.year, logged.month)
        except ValueError:  # a year outside 2000-2099
            new = None
        if new is None:
            notes.append("no inquiry number can be given now; the inquiry keeps its provisional reference")
            return {}
        return {"inquiry_ref": (new, self.tick())}

    def _own_provisional(self, row_id: str, values: dict[str, Any], server_set: ServerSet,
                         notes: list[str]) -> None:
        """A provisional reference another inquiry holds (two stores issued it, or an ID renumbered twice): this
        one gets a suffix, so neither is refused and both stay findable."""
        given = server_set.get("provisional_ref")
        prov = given[0] if given else values.get("provisional_ref")
        inquiry = SYNCED["inquiry"]
        if prov is None or self.conn.execute(select(inquiry.c.id).where(inquiry.c.provisional_ref == prov)
                                             ).first() is None:
            return
        suffixed = f"{prov.split('~', 1)[0]}~{row_id[-4:].upper()}"
        if given:
            server_set["provisional_ref"] = (suffixed, given[1])
        else:
            values["provisional_ref"] = suffixed
        notes.append(f"the provisional reference {prov} was already used by another inquiry; this one is {suffixed}")
