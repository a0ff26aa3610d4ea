"""Ad moderation on the server: which decision stands, the checks only the server can make, and claims.

**Which decision stands.** A moderator's decision names the decision that stood on the ad when it was made
(``follows_id``). When it reaches the server:

- it settles a conflict (``settles_id``, only from a role that decides appeals or manages moderation): it
  stands;
- the ad is a version the site has replaced since (``Superseded``): it is kept and does not stand;
- nothing stands on the ad, or it follows the decision that stands: it stands (decisions made in order, such as
  an escalation and then a senior's decision, each stand in turn);
- otherwise another decision reached the server first: it is kept, not standing, with ``conflict_with_id``
  naming the decision that stands, for a Supervisor to settle. The first decision the server received stands;
  a second never silently replaces it.

``standing`` is true on the one decision of an ad that stands now. Undoing the standing decision (its author
tombstones it) makes the one it followed stand again (skipping decisions undone too), or none: the ad is
Pending again (Superseded when a newer version arrived meanwhile). Every change of which decision stands
updates the ad's state fields (status from ``core.moderation.STATUS_AFTER``, decision_id, decided_at,
decided_by_id) and the decisions' ``standing`` with server clock stamps, on the change feed for every desktop,
and goes on the site's feed (``site_feed``).

**Checks.** An appeal is decided by someone other than the moderator of the appealed decision, and a decision
is audited by someone other than its moderator: the server records the signed-in user as ``decided_by_id`` /
``auditor_id`` (roles that may import keep the one they name) and refuses the change when that is the
decision's moderator. A new appeal with its outcome set is refused to a role that may not decide appeals (as any
new row with a field its role could not change: rules.write_refusal). Rows whose id the
desktop derives (ads, audit rows) must carry that id.

**Reports, sanctions, images.** A report raises its ad's ``report_count``; sanctions and their lifting go on the
site's feed; the image files an ad names are recorded in ``ad_image`` (desktops that see ads may download
them, the site that posted the ad may upload them).

**Claims.** ``claim`` leases pending ads nobody holds to a moderator for a while (``claimed_by_id``,
``claim_expires_at``), oldest submitted first, under the feed lock: two moderators never get the same ad.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, true, update

from saypro_desktop.core.hlc import Stamp
from saypro_desktop.core.knowledge import link_row_id
from saypro_desktop.core.moderation import STATUS_AFTER, AdStatus, ad_row_id, audit_row_id
from saypro_desktop.core.permissions import Permission, Role, can
from saypro_desktop.sync.protocol import encode

from . import feed, site_feed
from .checks import Refused
from .rules import names_others
from .store.db import Database, ServerClock
from .store.schema import SYNCED, ad_claim, ad_image

ad = SYNCED["ad"]
ad_decision = SYNCED["ad_decision"]
ServerSet = dict[str, tuple[Any, Stamp]]
# The ad's state as the server decides it (core: models.moderation.AD_STATE_FIELDS), for a new ad.
FRESH_STATE: dict[str, Any] = {"decision_id": None, "decided_at": None, "decided_by_id": None, "claimed_by_id": None,
                               "claim_expires_at": None, "report_count": 0}
MAX_CLAIM = 200
_MAX_WALK = 1000  # decisions followed back when the standing one is undone (a chain never gets this long)


def may_settle(role: Role) -> bool:
    """Whether this role's decision may end a conflict (``settles_id``)."""
    return can(role, Permission.DECIDE_APPEALS) or can(role, Permission.MANAGE_MODERATION)


def server_update(conn: Connection, tick: Callable[[], Stamp], table_name: str, row: Any, changes: dict[str, Any],
                  now: datetime) -> dict[str, Any]:
    """Set fields of a synced row the server decides: a server clock stamp, and the change on the feed for every
    desktop. ``row`` is the stored row (with ``field_versions``); returns it as it is now."""
    changed = {k: v for k, v in changes.items() if row[k] != v}
    if not changed:
        return dict(row)
    stamp = str(tick())
    versions = dict(row["field_versions"] or {})
    versions.update(dict.fromkeys(changed, stamp))
    table = SYNCED[table_name]
    conn.execute(update(table).where(table.c.id == row["id"])
                 .values(**changed, field_versions=versions, updated_at=now))
    feed.append(conn, table_name, row["id"], {k: encode(v) for k, v in changed.items()}, dict.fromkeys(changed, stamp),
                now)
    return {**dict(row), **changed, "field_versions": versions}


def has_newer_version(conn: Connection, external_id: str, version: int) -> bool:
    return conn.execute(select(ad.c.id).where(ad.c.external_id == external_id, ad.c.version > version,
                                              ad.c.deleted.is_not(true())).limit(1)).first() is not None


def supersede_older(conn: Connection, tick: Callable[[], Stamp], now: datetime, external_id: str,
                    version: int) -> list[int]:
    """A newer version of an ad arrived: its older versions still pending are Superseded (returns their
    versions)."""
    older = conn.execute(select(ad).where(ad.c.external_id == external_id, ad.c.version < version,
                                          ad.c.status == AdStatus.PENDING, ad.c.deleted.is_not(true()))
                         ).mappings().all()
    for row in older:
        server_update(conn, tick, "ad", row, {"status": AdStatus.SUPERSEDED}, now)
    return [row["version"] for row in older]


def record_images(conn: Connection, ad_id: str, images: Any, source: str | None) -> None:
    """The files an ad names (``ad_image``), replacing what was recorded for it."""
    shas = sorted({i["sha256"] for i in images or [] if isinstance(i, dict) and isinstance(i.get("sha256"), str)})
    conn.execute(delete(ad_image).where(ad_image.c.ad_id == ad_id))
    if shas:
        conn.execute(insert(ad_image), [{"sha256": s, "ad_id": ad_id, "source": source} for s in shas])


@dataclass
class _Standing:
    decision_id: str
    ad_row: Any


class Moderation:
    """The moderation side of one pushed batch (inside its feed-locked transaction)."""

    def __init__(self, conn: Connection, user_id: str, role: Role, tick: Callable[[], Stamp], now: datetime) -> None:
        self.conn, self.user_id, self.role, self.tick, self.now = conn, user_id, role, tick, now
        self._stands: _Standing | None = None

    def _ad(self, ad_id: Any) -> Any:
        if not isinstance(ad_id, str):
            return None
        return self.conn.execute(select(ad).where(ad.c.id == ad_id)).mappings().first()

    def _decision(self, decision_id: Any) -> Any:
        if not isinstance(decision_id, str):
            return None
        return self.conn.execute(select(ad_decision).where(ad_decision.c.id == decision_id)).mappings().first()

    def _set(self, table_name: str, row: Any, changes: dict[str, Any]) -> dict[str, Any]:
        return server_update(self.conn, self.tick, table_name, row, changes, self.now)

    # -- checks, before a change is judged and merged ----------------------------------------------------------

    def check(self, table: str, row_id: str, row: Any, values: dict[str, Any], notes: list[str]) -> None:
        """Refuse (``Refused``) what breaks a moderation rule; set who decided or audited (in ``values``).
        ``row`` is the stored row, None for a new one."""
        if table == "ad" and row is None:
            self._check_derived_id(row_id, values, "ad", "the site's ad id and version (core.moderation.ad_row_id)",
                                   lambda v: ad_row_id(v["external_id"], v["version"]), ("external_id", "version"))
        elif table == "ad_decision" and row is None:
            self._check_decision(values)
        elif table == "appeal":
            self._check_review(row, values, notes, "outcome", "decided_by_id", "appeal",
                               "an appeal is decided by someone other than the moderator who made the decision; "
                               "leave it to another Supervisor or an Admin")
        elif table == "inquiry_article" and row is None:
            self._check_derived_id(row_id, values, "inquiry_article", "its inquiry and article (core.knowledge."
                                   "link_row_id): one link per pair", lambda v: link_row_id(v["inquiry_id"],
                                                                                           v["article_id"]),
                                   ("inquiry_id", "article_id"))
        elif table == "kb_vote" and row is None:
            self._check_vote(values)
        elif table == "feedback" and values.get("received_at") is not None \
                and values["received_at"] > self.now + timedelta(minutes=5):
            raise Refused("feedback.received_at is in the future: feedback cannot be received later than now")
        elif table == "moderation_audit":
            if row is None:
                self._check_derived_id(row_id, values, "moderation_audit",
                                       "its decision's id (core.moderation.audit_row_id): one audit row per decision",
                                       lambda v: audit_row_id(v["decision_id"]), ("decision_id",))
            self._check_review(row, values, notes, "verdict", "auditor_id", "moderation_audit",
                               "a decision is audited by someone other than the moderator who made it; leave it to "
                               "another auditor")

    def _check_vote(self, values: dict[str, Any]) -> None:
        """One vote a person per article and inquiry (the service's rule): votes are counted."""
        vote = SYNCED["kb_vote"]
        inquiry_id = values.get("inquiry_id")
        same = self.conn.execute(select(vote.c.id).where(
            vote.c.article_id == values.get("article_id"), vote.c.voter_id == values.get("voter_id"),
            vote.c.deleted.is_(False),
            vote.c.inquiry_id.is_(None) if inquiry_id is None else vote.c.inquiry_id == inquiry_id).limit(1)).first()
        if same is not None:
            raise Refused("this person has already voted on this article for this inquiry (one vote each)")

    @staticmethod
    def _check_derived_id(row_id: str, values: dict[str, Any], table: str, made_from: str,
                          derive: Callable[[dict[str, Any]], str], needs: tuple[str, ...]) -> None:
        if any(values.get(n) is None for n in needs):
            return  # a required field missing is refused with the other missing fields
        if derive(values) != row_id:
            raise Refused(f"a {table} row's id is made from {made_from}; this one's is not")

    def _check_decision(self, values: dict[str, Any]) -> None:
        if values.get("moderator_id") is None:
            values["moderator_id"] = self.user_id  # a decision always has its moderator (who else decided?)
        settles = values.get("settles_id")
        if settles is None:
            return
        if not may_settle(self.role):
            raise Refused(f"the {self.role.value} role may not settle conflicting decisions (settles_id); only a "
                          "role that decides appeals does: send the decision without settles_id")
        settled = self._decision(settles)
        if settled is None or settled["ad_id"] != values.get("ad_id"):
            raise Refused("ad_decision.settles_id must name a decision on the same ad that the server has")

    def _check_review(self, row: Any, values: dict[str, Any], notes: list[str], result: str, reviewer: str,
                      table: str, refusal: str) -> None:
        """An appeal's outcome or an audit's verdict: given by someone other than the decision's moderator."""
        def now_value(name: str) -> Any:
            return values[name] if name in values else (row[name] if row is not None else None)

        def changed(name: str) -> bool:
            return name in values and (row is None or row[name] != values[name])

        if not (changed(result) or changed(reviewer)) or now_value(result) is None:
            return
        if not names_others(self.role) or now_value(reviewer) is None:
            if values.get(reviewer) not in (None, self.user_id):
                notes.append(f"{table}.{reviewer} is the signed-in user, not the one the desktop named")
            values[reviewer] = self.user_id
        decision = self._decision(now_value("decision_id"))
        if decision is not None and decision["moderator_id"] is not None \
                and decision["moderator_id"] == now_value(reviewer):
            raise Refused(refusal)

    # -- a new row ---------------------------------------------------------------------------------------------

    def before_insert(self, table: str, row_id: str, values: dict[str, Any], notes: list[str]) -> ServerSet:
        """What the server sets on a new row itself (field -> value and its stamp)."""
        if table == "ad_decision":
            return self._place(row_id, values, notes)
        if table == "ad":
            truth = {**FRESH_STATE, "status": AdStatus.SUPERSEDED
                     if has_newer_version(self.conn, values["external_id"], values["version"]) else AdStatus.PENDING}
            stamp = self.tick()
            return {k: (v, stamp) for k, v in truth.items() if values.get(k) != v}
        return {}

    def _place(self, row_id: str, values: dict[str, Any], notes: list[str]) -> ServerSet:
        """Whether a new decision stands, and the one it conflicts with (the ad follows once it is stored)."""
        self._stands = None
        ad_row = self._ad(values.get("ad_id"))
        stands, conflict = False, None
        if ad_row is None or values.get("deleted"):
            pass  # no such ad: the reference check refuses it; undone before it was sent: it stands nowhere
        elif values.get("settles_id") is not None:
            stands = True
        elif ad_row["status"] == AdStatus.SUPERSEDED and ad_row["decision_id"] is None:
            notes.append(f"ad {ad_row['external_id']} version {ad_row['version']} was replaced by a newer version "
                         "before this decision arrived: the decision is kept but does not stand; decide the newer "
                         "version")
        elif ad_row["decision_id"] is None or values.get("follows_id") == ad_row["decision_id"]:
            stands = True
        else:
            conflict = ad_row["decision_id"]
            notes.append("another decision on this ad reached the server first and stands; this one is kept as a "
                         "conflict for a Supervisor to settle")
        if stands:
            self._stands = _Standing(row_id, ad_row)
        stamp = self.tick()
        return {"standing": (stands, stamp), "conflict_with_id": (conflict, stamp)}

    def after_insert(self, table: str, row_id: str, row: dict[str, Any], source: str | None = None) -> None:
        """What follows from a new row once it is stored (and on the feed)."""
        if row.get("deleted"):
            return
        if table == "ad_decision":
            standing, self._stands = self._stands, None
            if standing is not None and standing.decision_id == row_id:
                self._make_stand(standing.ad_row, self._decision(row_id))
        elif table == "ad_report":
            ad_row = self._ad(row["ad_id"])
            if ad_row is not None:
                self._set("ad", ad_row, {"report_count": (ad_row["report_count"] or 0) + 1})
        elif table == "sanction":
            site_feed.sanction_event(self.conn, row | {"id": row_id}, self.now)
            if row.get("lifted_at") is not None:
                site_feed.sanction_event(self.conn, row | {"id": row_id}, self.now, lifted=True)
        elif table == "ad":
            supersede_older(self.conn, self.tick, self.now, row["external_id"], row["version"])
            record_images(self.conn, row_id, row.get("images"), source)

    def _make_stand(self, ad_row: Any, decision: Any) -> None:
        previous = ad_row["decision_id"]
        if previous is not None and previous != decision["id"]:
            before = self._decision(previous)
            if before is not None and before["standing"]:
                self._set("ad_decision", before, {"standing": False})
        if not decision["standing"]:
            decision = self._set("ad_decision", decision, {"standing": True})
        ad_now = self._set("ad", ad_row, {"status": STATUS_AFTER[decision["decision"]], "decision_id": decision["id"],
                                          "decided_at": decision["decided_at"],
                                          "decided_by_id": decision["moderator_id"]})
        site_feed.decision_event(self.conn, ad_now, decision, self.now)

    # -- a stored row changed ----------------------------------------------------------------------------------

    def after_update(self, table: str, row_id: str, before: Any, winners: dict[str, Any]) -> None:
        """What follows from fields of a stored row that changed (``winners``: their new values)."""
        if table == "ad_decision" and winners.get("deleted") and not before["deleted"]:
            self._withdraw(row_id)
        elif table == "sanction" and not before["deleted"]:
            now_row = self.conn.execute(select(SYNCED["sanction"]).where(SYNCED["sanction"].c.id == row_id)
                                        ).mappings().one()
            if "lifted_at" in winners and before["lifted_at"] is None and winners["lifted_at"] is not None:
                site_feed.sanction_event(self.conn, now_row, self.now, lifted=True)
            elif {"ends_at", "reasons", "message"} & set(winners) and now_row["lifted_at"] is None:
                site_feed.sanction_event(self.conn, now_row, self.now)
        elif table == "ad" and "images" in winners:
            record_images(self.conn, row_id, winners["images"], None)

    def _withdraw(self, decision_id: str) -> None:
        """A decision undone by its author: when it stood, the one it followed stands again (or none)."""
        decision = self._decision(decision_id)
        if decision["standing"]:
            decision = self._set("ad_decision", decision, {"standing": False})
        ad_row = self._ad(decision["ad_id"])
        if ad_row is None or ad_row["decision_id"] != decision_id:
            return  # it did not stand: nothing else changes
        earlier = self._still_there(decision["follows_id"], ad_row["id"])
        if earlier is None:
            pending = AdStatus.SUPERSEDED if has_newer_version(self.conn, ad_row["external_id"], ad_row["version"]) \
                else AdStatus.PENDING
            ad_now = self._set("ad", ad_row, {"status": pending, "decision_id": None, "decided_at": None,
                                              "decided_by_id": None})
            site_feed.withdrawn_event(self.conn, ad_now, decision_id, self.now)
            return
        earlier = self._set("ad_decision", earlier, {"standing": True})
        ad_now = self._set("ad", ad_row, {"status": STATUS_AFTER[earlier["decision"]], "decision_id": earlier["id"],
                                          "decided_at": earlier["decided_at"],
                                          "decided_by_id": earlier["moderator_id"]})
        site_feed.withdrawn_event(self.conn, ad_now, decision_id, self.now)
        site_feed.decision_event(self.conn, ad_now, earlier, self.now)

    def _still_there(self, decision_id: str | None, ad_id: str) -> Any:
        """The decision followed, or the nearest one before it that was not undone (None: none)."""
        seen: set[str] = set()
        while decision_id is not None and decision_id not in seen and len(seen) < _MAX_WALK:
            seen.add(decision_id)
            found = self._decision(decision_id)
            if found is None or found["ad_id"] != ad_id:
                return None
            if not found["deleted"]:
                return found
            decision_id = found["follows_id"]
        return None


# -- claims -------------------------------------------------------------------------------------------------------

class ClaimRefused(ValueError):
    pass


def claim(db: Database, user_id: str, device_id: str, count: int, request_id: str | None, ttl: timedelta,
          now: datetime) -> dict[str, Any]:
    """Lease up to ``count`` pending ads that nobody holds (or whose claim expired), oldest submitted first.
    Asked again with the same ``request_id`` from the same desktop (its answer was lost): the same answer."""
    if not 1 <= count <= MAX_CLAIM:
        raise ClaimRefused(f"count must be 1 to {MAX_CLAIM}")
    with db.write() as conn:
        if request_id is not None:
            again = conn.execute(select(ad_claim.c.ad_ids, ad_claim.c.expires_at).where(
                ad_claim.c.device_id == device_id, ad_claim.c.request_id == request_id)).first()
            if again is not None:
                return {"ad_ids": list(again.ad_ids), "expires_at": again.expires_at, "again": True}
        clock = ServerClock(conn, now)
        free = conn.execute(select(ad).where(
            ad.c.status == AdStatus.PENDING, ad.c.deleted.is_not(true()),
            or_(ad.c.claimed_by_id.is_(None), ad.c.claim_expires_at <= now))
            .order_by(ad.c.submitted_at, ad.c.id).limit(count).with_for_update()).mappings().all()
        expires = now + ttl
        for row in free:
            server_update(conn, clock.tick, "ad", row, {"claimed_by_id": user_id, "claim_expires_at": expires}, now)
        ids = [row["id"] for row in free]
        if request_id is not None:
            conn.execute(insert(ad_claim).values(device_id=device_id, user_id=user_id, request_id=request_id,
                                                 ad_ids=ids, expires_at=expires, created_at=now))
        clock.save()
    return {"ad_ids": ids, "expires_at": expires, "again": False}
