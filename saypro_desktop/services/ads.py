"""Ads on this desktop: bringing them in (an offline import file, demo data), finding them, the review queue
and an advertiser's history.

Ads normally arrive by sync from the site; an import is for an office without a line to the server (or a
site export). A file is imported all or nothing, problems reported by line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from ..core.ad_checks import IMPORT_COLUMNS, normalise_ad
from ..core.moderation import (
    DECIDE_WITHIN,
    REPEAT_VIOLATOR_STRIKES,
    STRIKES,
    AdStatus,
    SanctionKind,
    ad_row_id,
)
from ..core.moderation_rules import image_phash
from ..core.permissions import Permission
from ..models import Ad, AdDecision, AdReport, AdScore, Sanction
from .ad_scoring import AdScoring, forget_index
from .context import NotFound, ServiceContext
from .csv_io import ImportRejected
from .links_and_files import store_blob

MAX_IMPORT_BYTES = 200 * 1024 * 1024
OPEN = (AdStatus.PENDING, AdStatus.ESCALATED)  # still waiting for a decision that ends the review


@dataclass
class AdImportResult:
    imported: int
    unchanged: int
    images: int


def get_ad(ctx: ServiceContext, ref: str) -> Ad:
    """By row id, or the site's id (the newest version) or ``id v2`` / ``id:2``."""
    ctx.require(Permission.VIEW_ADS)
    text = ref.strip()
    ad = ctx.session.get(Ad, text)
    if ad is None:
        external, _, version = text.replace(" v", ":").partition(":")
        q = select(Ad).where(Ad.external_id == external, Ad.deleted.is_(False))
        if version.strip().isdigit():
            q = q.where(Ad.version == int(version))
        ad = ctx.session.scalars(q.order_by(Ad.version.desc()).limit(1)).first()
    if ad is None or ad.deleted:
        raise NotFound(f"no ad {ref!r}; give the site's ad id (e.g. A-10442) or 'A-10442 v2'")
    return ad


# -- the import ------------------------------------------------------------------------------------------------

def _read_records(source: Path) -> list[tuple[int, dict[str, Any]]]:
    if not source.is_file():
        raise ImportRejected([(0, f"{source} is not a file")])
    if source.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportRejected([(0, f"the file is larger than {MAX_IMPORT_BYTES // 2**20} MiB; split it")])
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected([(0, f"the file is not UTF-8 text ({exc.reason})")]) from exc
    if source.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        records = []
        for line, raw in enumerate(text.splitlines(), 1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise ImportRejected([(line, f"not valid JSON: {exc.msg}")]) from exc
            if not isinstance(value, dict):
                raise ImportRejected([(line, "each line must be one JSON object (an ad)")])
            records.append((line, value))
        return records
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        missing = [c for c in IMPORT_COLUMNS if c not in header]
        if missing:
            raise ImportRejected([(1, f"the header has no column {', '.join(missing)}; the columns are "
                                      f"{', '.join(IMPORT_COLUMNS)}")])
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ImportRejected([(reader.line_num, f"not valid CSV: {exc}")]) from exc


def _image_files(value: Any, folder: Path, line: int, problems: list[tuple[int, str]]) -> list[Path]:
    names = value if isinstance(value, list) else [n for n in str(value or "").split("|") if n.strip()]
    files = []
    for name in names:
        path = (folder / str(name).strip())
        if not path.resolve().is_relative_to(folder.resolve()):
            problems.append((line, f"image_files: {name!r} is outside the file's folder"))
        elif not path.is_file():
            problems.append((line, f"image_files: {name!r} is not in {folder}"))
        else:
            files.append(path)
    return files


def import_ads(ctx: ServiceContext, source: Path, *, source_label: str = "import") -> AdImportResult:
    """Import a CSV (IMPORT_COLUMNS) or JSON Lines file of ads. An ad version already here with the same
    content is skipped; with other content it is a problem (an edited ad is a new version)."""
    ctx.require(Permission.IMPORT)
    records = _read_records(source)
    problems: list[tuple[int, str]] = []
    clean: list[tuple[int, dict[str, Any], list[Path]]] = []
    seen: dict[tuple[str, int], int] = {}
    for line, raw in records:
        ad, found = normalise_ad(raw)
        problems += [(line, str(p)) for p in found]
        images = _image_files(raw.get("image_files"), source.parent, line, problems)
        key = (ad.get("external_id"), ad.get("version"))
        if not found and key in seen:
            problems.append((line, f"{key[0]} version {key[1]} is also on line {seen[key]}"))
        seen.setdefault(key, line)
        clean.append((line, ad, images))
    if problems:
        raise ImportRejected(sorted(problems))
    try:
        return _store_ads(ctx, clean, source_label)
    except BaseException:
        forget_index(ctx.session)  # the index learnt ads this transaction will not keep
        raise


def _store_ads(ctx: ServiceContext, clean: list[tuple[int, dict[str, Any], list[Path]]],
               source_label: str) -> AdImportResult:
    problems: list[tuple[int, str]] = []
    imported = unchanged = stored_images = 0
    scoring = AdScoring.load(ctx)  # the policy and the index of known ads
    for line, values, files in clean:
        if files:
            assert ctx.attachments_dir is not None
            values["images"] = [_image_entry(ctx.attachments_dir, f) for f in files]
            stored_images += len(files)
        row_id = ad_row_id(values["external_id"], values["version"])
        existing = ctx.session.get(Ad, row_id)
        if existing is not None:
            if _same(existing, values):
                unchanged += 1
                continue
            problems.append((line, f"{values['external_id']} version {values['version']} is already here with "
                                   "other content; an edited ad needs the next version number"))
            continue
        ad = Ad(id=row_id, source=source_label, status=AdStatus.PENDING, report_count=0, **values)
        ctx.session.add(ad)
        _supersede_older(ctx, ad)
        imported += 1
        scoring.score_new(ad)
    if problems:
        raise ImportRejected(sorted(problems))
    return AdImportResult(imported, unchanged, stored_images)


def _image_entry(root: Path, path: Path) -> dict[str, Any]:
    sha, size = store_blob(root, path)
    entry: dict[str, Any] = {"sha256": sha, "filename": path.name, "size": size}
    try:
        phash, width, height = image_phash(path)
        entry.update(phash=phash, width=width, height=height)
    except (OSError, ValueError):  # not an image Pillow reads: kept; the image rules see no size
        pass
    return entry


def _same(ad: Ad, values: dict[str, Any]) -> bool:
    return all(getattr(ad, k) == v for k, v in values.items() if k != "images") and \
        [i.get("sha256") for i in ad.images or []] == [i.get("sha256") for i in values.get("images", [])]


def _supersede_older(ctx: ServiceContext, ad: Ad) -> None:
    """An edited ad replaces its older versions still waiting for review."""
    for older in ctx.session.scalars(select(Ad).where(
            Ad.external_id == ad.external_id, Ad.version < ad.version, Ad.status.in_(OPEN))):
        older.status = AdStatus.SUPERSEDED


# -- the queue ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueFilter:
    category: str | None = None
    min_risk: int | None = None
    reported_only: bool = False
    mine_only: bool = False
    statuses: tuple[AdStatus, ...] = OPEN
    limit: int | None = 200


def queue(ctx: ServiceContext, flt: QueueFilter = QueueFilter(), now: datetime | None = None) -> list[Ad]:
    """Ads waiting for a decision: those past 12 h since submission first (oldest first), then by risk,
    reports and age. Ads another moderator claimed (and whose claim has not expired) are left out."""
    return [ad for ad, _ in queue_scored(ctx, flt, now)]


def queue_scored(ctx: ServiceContext, flt: QueueFilter = QueueFilter(), now: datetime | None = None) \
        -> list[tuple[Ad, AdScore | None]]:
    """The queue with each ad's score. Two bounded queries instead of one sort of every waiting ad: the ads
    past 12 h in submission order (read in index order), then, to fill the page, the others by risk, reports
    and age (ads reported after approval among them)."""
    ctx.require(Permission.VIEW_ADS)
    now = now or ctx.now()
    overdue_before = now - DECIDE_WITHIN
    risk = func.coalesce(AdScore.risk, 0)
    q = (select(Ad, AdScore).outerjoin(AdScore, AdScore.ad_id == Ad.id)
         .where(Ad.deleted.is_(False))
         .where(or_(Ad.claimed_by_id.is_(None), Ad.claimed_by_id == ctx.actor.id, Ad.claim_expires_at <= now)))
    if flt.category:
        q = q.where(Ad.category == flt.category)
    if flt.min_risk is not None:
        q = q.where(risk >= flt.min_risk)
    if flt.reported_only:
        q = q.where(Ad.report_count > 0)
    if flt.mine_only:
        q = q.where(Ad.claimed_by_id == ctx.actor.id, Ad.claim_expires_at > now)
    overdue = q.where(Ad.status.in_(flt.statuses), Ad.submitted_at <= overdue_before).order_by(
        Ad.submitted_at, Ad.id)
    out = [(ad, score) for ad, score in ctx.session.execute(overdue.limit(flt.limit) if flt.limit else overdue)]
    left = None if flt.limit is None else flt.limit - len(out)
    if left is None or left > 0:
        rest = q.where(or_(and_(Ad.status.in_(flt.statuses), Ad.submitted_at > overdue_before),
                           reported_since_approval())).order_by(risk.desc(), Ad.report_count.desc(),
                                                                Ad.submitted_at, Ad.id)
        out += [(ad, score) for ad, score in ctx.session.execute(rest.limit(left) if left else rest)]
    return out


def reported_since_approval() -> Any:
    """A live ad that users reported after it was approved: it joins the queue again for a second look."""
    later = select(AdReport.id).where(AdReport.ad_id == Ad.id, AdReport.deleted.is_(False),
                                      AdReport.reported_at > Ad.decided_at)
    return and_(Ad.status == AdStatus.APPROVED, Ad.report_count > 0, exists(later))


def needs_second_look(ctx: ServiceContext, ad: Ad) -> bool:
    return bool(ctx.session.scalar(select(reported_since_approval()).where(Ad.id == ad.id)))


def score_of(ctx: ServiceContext, ad: Ad) -> AdScore | None:
    return ctx.session.get(AdScore, ad.id)


@dataclass
class AdvertiserHistory:
    advertiser_id: str
    name: str
    ads: list[Ad]
    decisions: list[AdDecision]
    sanctions: list[Sanction]
    strikes: int
    repeat_violator: bool
    sanctioned_now: Sanction | None  # the suspension or ban in force, if any


def advertiser_history(ctx: ServiceContext, advertiser_id: str, now: datetime | None = None) -> AdvertiserHistory:
    """Every ad, decision and sanction of one advertiser; strikes are standing rejections and removals plus
    sanctions; three or more make a repeat violator."""
    ctx.require(Permission.VIEW_ADS)
    now = now or ctx.now()
    s = ctx.session
    ads = list(s.scalars(select(Ad).where(Ad.advertiser_id == advertiser_id, Ad.deleted.is_(False))
                        .order_by(Ad.submitted_at.desc(), Ad.version.desc())))
    if not ads and s.scalar(select(func.count()).select_from(Sanction).where(
            Sanction.advertiser_id == advertiser_id)) == 0:
        raise NotFound(f"no advertiser {advertiser_id!r} in the ads on this desktop")
    decisions = list(s.scalars(select(AdDecision).join(Ad, Ad.id == AdDecision.ad_id)
                               .where(Ad.advertiser_id == advertiser_id, AdDecision.deleted.is_(False))
                               .order_by(AdDecision.decided_at.desc())))
    sanctions = list(s.scalars(select(Sanction).where(Sanction.advertiser_id == advertiser_id,
                                                      Sanction.deleted.is_(False))
                               .order_by(Sanction.issued_at.desc())))
    strikes = sum(1 for d in decisions if d.standing and d.decision in STRIKES) + len(sanctions)
    in_force = sanction_in_force(ctx, advertiser_id, now)
    name = ads[0].advertiser_name if ads else advertiser_id
    return AdvertiserHistory(advertiser_id, name, ads, decisions, sanctions, strikes,
                             strikes >= REPEAT_VIOLATOR_STRIKES, in_force)


def sanction_in_force(ctx: ServiceContext, advertiser_id: str, now: datetime | None = None) -> Sanction | None:
    """The suspension or ban of the advertiser that holds now, if any (a warning does not stop their ads)."""
    now = now or ctx.now()
    return ctx.session.scalars(select(Sanction).where(
        Sanction.advertiser_id == advertiser_id, Sanction.deleted.is_(False), Sanction.lifted_at.is_(None),
        Sanction.kind != SanctionKind.WARNING, or_(Sanction.ends_at.is_(None), Sanction.ends_at > now))
        .order_by(Sanction.issued_at.desc()).limit(1)).first()


def expiring(ctx: ServiceContext, within: timedelta, now: datetime | None = None) -> tuple[list[Ad], list[Ad]]:
    """(approved ads already past their expiry: to remove; approved ads expiring within ``within``: their
    renewal reminders go to the site through its feed)."""
    ctx.require(Permission.VIEW_ADS)
    now = now or ctx.now()
    live = select(Ad).where(Ad.deleted.is_(False), Ad.status == AdStatus.APPROVED, Ad.expires_at.is_not(None))
    past = list(ctx.session.scalars(live.where(Ad.expires_at <= now).order_by(Ad.expires_at)))
    soon = list(ctx.session.scalars(live.where(Ad.expires_at > now, Ad.expires_at <= now + within)
                                    .order_by(Ad.expires_at)))
    return past, soon
