"""The automatic flags of the ads on this desktop: the policy in force, and the scores kept in ``ad_score``.

Each desktop scores the ads it holds with the newest policy version it has (scores are local: duplicates
and price ranges depend on the ads known here). A decision records the version and the flags it saw.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal_column, or_, select, text, update
from sqlalchemy.orm import Session

from ..core.moderation import DEFAULT_REASONS, DEFAULT_TEMPLATES
from ..core.moderation_rules import AdImage, AdText, RuleSet, Scorer, default_ruleset, ruleset_from_json
from ..models import Ad, AdScore, ModerationPolicy
from ..models.base import utcnow
from .context import ServiceContext


@dataclass(frozen=True)
class Policy:
    version: int  # 0: the built-in default, before anyone edited it
    ruleset: RuleSet
    reasons: dict[str, str]
    templates: dict[str, str]
    row: ModerationPolicy | None


def current_policy(ctx: ServiceContext | Session) -> Policy:
    """The newest policy version on this desktop (kept for the rest of the unit of work)."""
    session = ctx.session if isinstance(ctx, ServiceContext) else ctx
    cached = session.info.get(_POLICY)
    if cached is None:
        cached = session.info[_POLICY] = _read_policy(session)
    return cached


def forget_policy(session: Session) -> None:
    session.info.pop(_POLICY, None)


_POLICY = "moderation_policy"


def _read_policy(session: Session) -> Policy:
    row = session.scalars(select(ModerationPolicy).where(ModerationPolicy.deleted.is_(False))
                              .order_by(ModerationPolicy.version.desc(), ModerationPolicy.id.desc()).limit(1)).first()
    if row is None:
        return Policy(0, default_ruleset(), dict(DEFAULT_REASONS), dict(DEFAULT_TEMPLATES), None)
    return Policy(row.version, ruleset_from_json(row.rules), dict(row.reasons), dict(row.templates), row)


# What the rules read of an ad (the queue's scoring reads these columns, not whole rows).
TEXT_COLUMNS = (Ad.id, Ad.external_id, Ad.title, Ad.description, Ad.category, Ad.price_minor, Ad.currency,
                Ad.advertiser_id, Ad.subcategory, Ad.ad_type, Ad.location, Ad.images)


def ad_text(ad: Any) -> AdText:
    """The rules' view of an ad: an ``Ad`` or a row of ``TEXT_COLUMNS``."""
    images = tuple(AdImage(sha256=i["sha256"], width=i.get("width"), height=i.get("height"), phash=i.get("phash"))
                   for i in ad.images or [] if isinstance(i, dict) and i.get("sha256"))
    # ad_id is the site's ad id, not the version: an edited ad is no duplicate of its own earlier version, and
    # a rule's words name it ("same text as ad A-10442").
    return AdText(ad_id=ad.external_id, title=ad.title, description=ad.description or "", category=ad.category.value,
                  price_minor=ad.price_minor, currency=ad.currency, advertiser_id=ad.advertiser_id,
                  subcategory=ad.subcategory or "", ad_type=ad.ad_type.value, location=ad.location or "",
                  images=images)


def hits_json(score: Any) -> list[dict[str, Any]]:
    return [{"rule": h.rule, "weight": h.weight, "why": h.why, "spans": [list(s) for s in h.spans],
             "refs": list(h.refs)} for h in score.hits]


class AdScoring:
    """A scorer over the ads this desktop holds, with the policy in force."""

    def __init__(self, session: Session, policy: Policy, clock: Callable[[], datetime] = utcnow) -> None:
        self.session, self.policy, self.clock = session, policy, clock
        self.scorer = _known_ads(session, policy)

    @classmethod
    def load(cls, ctx: ServiceContext) -> AdScoring:
        return cls(ctx.session, current_policy(ctx), ctx.clock)

    def score(self, ad: Ad, row: AdScore | None = None, *, unscored: bool = False) -> AdScore:
        """Score ``ad`` and keep the result in ``ad_score`` (``row``: its score row, when the caller has it;
        ``unscored``: the caller knows it has none)."""
        result = self.scorer.score(ad_text(ad))
        if row is None and not unscored:
            row = self.session.get(AdScore, ad.id)
        if row is None:
            row = AdScore(ad_id=ad.id)
            self.session.add(row)
        row.rules_version, row.risk, row.hits, row.scored_at = (self.policy.version, result.risk,
                                                                 hits_json(result), self.clock())
        return row

    def score_new(self, ad: Ad) -> AdScore:
        """Score an ad that was not known yet, and know it for the ads scored after it."""
        row = self.score(ad, unscored=True)
        self.scorer.add_known(ad_text(ad))
        return row


@dataclass
class _Index:
    version: int
    scorer: Scorer
    last_rowid: int  # ads up to this rowid are known (an ad's content never changes: an edit is a new row)


# One index of the known ads per store file, kept between units of work: building it reads every ad (about
# 13 s for 50,000), after that only the ads that arrived since are added. Used from the writer thread only.
_INDEXES: dict[str, _Index] = {}
_INDEX_LOCK = threading.Lock()


def _known_ads(session: Session, policy: Policy) -> Scorer:
    key = str(session.get_bind().url)
    with _INDEX_LOCK:
        index = _INDEXES.get(key)
        if index is None or index.version != policy.version:
            index = _INDEXES[key] = _Index(policy.version, Scorer(policy.ruleset), 0)
        newest = index.last_rowid
        rows = session.execute(select(literal_column("ad.rowid").label("row_number"), *TEXT_COLUMNS)
                               .where(text("ad.rowid > :after"), Ad.deleted.is_(False))
                               .order_by(text("ad.rowid")).params(after=index.last_rowid)).yield_per(2000)
        for row in rows:
            index.scorer.add_known(ad_text(row))
            newest = max(newest, row.row_number)
        index.last_rowid = newest
        return index.scorer


def warm_index(session: Session) -> int:
    """Build the index of known ads (or bring it up to date) before it is needed; returns how many it knows."""
    return len(_known_ads(session, current_policy(session)))


def forget_index(session: Session) -> None:
    """Build the index again at the next use (after a restore, or when ads were removed)."""
    with _INDEX_LOCK:
        _INDEXES.pop(str(session.get_bind().url), None)


def score_missing(session: ServiceContext | Session, limit: int | None = None) -> int:
    """Score the ads not scored yet, or scored under another policy version (after a sync or a policy edit).
    Reads only the columns the rules need and writes the scores in bulk: a first sync brings thousands."""
    if isinstance(session, ServiceContext):
        session = session.session
    policy = current_policy(session)
    q = (select(*TEXT_COLUMNS, AdScore.ad_id.label("scored")).outerjoin(AdScore, AdScore.ad_id == Ad.id)
         .where(Ad.deleted.is_(False), or_(AdScore.ad_id.is_(None), AdScore.rules_version != policy.version))
         .order_by(Ad.submitted_at))
    if limit:
        q = q.limit(limit)
    todo = session.execute(q).all()
    if not todo:
        return 0
    scorer = _known_ads(session, policy)
    now = utcnow()
    new, stale = [], []
    for row in todo:
        result = scorer.score(ad_text(row))
        values = {"ad_id": row.id, "rules_version": policy.version, "risk": result.risk,
                  "hits": hits_json(result), "scored_at": now}
        (stale if row.scored else new).append(values)
    if new:
        session.execute(insert(AdScore), new)
    if stale:
        session.execute(update(AdScore), stale)  # by primary key
    return len(todo)
