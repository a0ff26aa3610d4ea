"""The classified site's side of the server: integration keys, ads and user reports posted by the site.

**Keys.** ``saypro-server create-integration NAME`` makes a key (``spk_`` and 43 random characters) and prints it
once; the server keeps only its SHA-256 (the key is random, so a plain hash is enough to look it up and
useless to whoever reads a database dump). One active key per name; ``revoke-integration NAME`` ends it at
once, and a new key may then be made under the same name (it may upload the images of the ads the old key
posted).

**Ads.** Each posted ad is checked field by field (``core.ad_checks``, the rules the desktop's import uses, plus
what only the site sends: its image entries, a submission time not in the future) and refused alone with the
fields to fix; the others land. An ad is one version of the site's ad: its row id comes from the site's id and
version (``core.moderation.ad_row_id``), so the same version posted again is a duplicate, and with another
content it is refused (an edited ad is the next version). A new version supersedes the older versions still
pending; an older version arriving after a newer one is stored superseded. Ads are stored as synced rows
(source ``site``, no author) with server clock stamps and put on the change feed, in one feed-locked
transaction per request with one statement per table.

**Reports.** A user's report of an ad becomes an ``ad_report`` row (no staff author) and raises the ad's
``report_count``. A report may carry the site's own id (``report_id``): sent again, it is a duplicate.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, true, update

from saypro_desktop.core.ad_checks import AdProblem, normalise_ad, parse_moment
from saypro_desktop.core.moderation import AdStatus, ad_row_id
from saypro_desktop.core.row_checks import file_name_problem
from saypro_desktop.core.uuids import new_id
from saypro_desktop.sync.protocol import ProtocolError, columns, decode, encode

from . import feed
from .checks import check_decoded, check_storable
from .moderation import FRESH_STATE, server_update
from .store.db import Database, ServerClock
from .store.schema import SYNCED, ad_image, integration

KEY_PREFIX = "spk_"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z")
MAX_ADS = 500  # ads in one request
MAX_REPORTS = 500
FUTURE_SLACK = timedelta(minutes=5)
AD_FIELDS = ("external_id", "version", "title", "description", "price", "currency", "category", "subcategory",
             "ad_type", "advertiser_id", "advertiser_name", "advertiser_email", "advertiser_phone", "location",
             "images", "submitted_at", "expires_at")
IMAGE_FIELDS = ("sha256", "filename", "size", "width", "height")
# The stored fields a posted ad sets (what "the same ad again" is compared on).
CONTENT = ("external_id", "version", "title", "description", "price_minor", "currency", "category", "subcategory",
           "ad_type", "advertiser_id", "advertiser_name", "advertiser_email", "advertiser_phone", "location",
           "images", "submitted_at", "expires_at")
REPORT_FIELDS = ("external_id", "version", "reason", "text", "reporter", "reported_at", "report_id")
MAX_REPORT_TEXT = 5000
_REPORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}\Z")
_REPORT_NAMESPACE = uuid.UUID("0b6f1c9e-52f7-4c44-a3b0-6d7e0f3c9a21")

ad = SYNCED["ad"]
ad_report = SYNCED["ad_report"]


class SiteError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


@dataclass(frozen=True)
class Integration:
    id: int
    name: str

    @property
    def uploader(self) -> str:
        """Who an upload begun with this key belongs to (the unfinished-upload quota is per uploader)."""
        return f"site:{self.name}"[:36]


# -- keys --------------------------------------------------------------------------------------------------------

def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def is_integration_key(token: str | None) -> bool:
    return bool(token) and token.startswith(KEY_PREFIX)  # type: ignore[union-attr]


def create_integration(db: Database, name: str, now: datetime) -> str:
    """A new key for ``name``; returned once, stored only as its hash."""
    if not NAME_RE.match(name):
        raise SiteError(422, "an integration's name has 1 to 80 letters, digits, '.', '_' or '-'")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with db.write(feed_lock=False) as conn:
        active = conn.execute(select(integration.c.id).where(integration.c.name == name,
                                                             integration.c.revoked_at.is_(None))).first()
        if active is not None:
            raise SiteError(409, f"the integration {name!r} already has a key; revoke it first "
                                 f"(saypro-server revoke-integration {name})")
        conn.execute(insert(integration).values(name=name, key_hash=key_hash(key), key_hint=key[:10],
                                                created_at=now))
    return key


def list_integrations(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        rows = conn.execute(select(integration.c.name, integration.c.key_hint, integration.c.created_at,
                                   integration.c.revoked_at).order_by(integration.c.name, integration.c.id))
        return [dict(r) for r in rows.mappings()]


def revoke_integration(db: Database, name: str, now: datetime) -> None:
    with db.write(feed_lock=False) as conn:
        done = conn.execute(update(integration).where(integration.c.name == name, integration.c.revoked_at.is_(None))
                            .values(revoked_at=now)).rowcount
    if not done:
        raise SiteError(404, f"there is no active integration {name!r}; 'saypro-server list-integrations' shows them")


def authenticate(db: Database, key: str | None) -> Integration:
    if not is_integration_key(key):
        raise SiteError(401, "send Authorization: Bearer <integration key> (made by saypro-server create-integration)")
    with db.read() as conn:
        row = conn.execute(select(integration.c.id, integration.c.name, integration.c.revoked_at)
                           .where(integration.c.key_hash == key_hash(key or ""))).first()
    if row is None or row.revoked_at is not None:
        raise SiteError(401, "this integration key is not valid (mistyped, or revoked); ask the server's "
                             "administrator for a new one")
    return Integration(row.id, row.name)


# -- posted ads ----------------------------------------------------------------------------------------------------

def _problems_text(problems: list[AdProblem]) -> str:
    return "; ".join(str(p) for p in problems)


def check_ad(raw: Any, now: datetime, max_image_bytes: int) -> tuple[dict[str, Any], list[AdProblem]]:
    """The ad's stored fields, and every problem found (the ad is stored only without any)."""
    if not isinstance(raw, dict):
        return {}, [AdProblem("ad", "must be a JSON object of the ad's fields")]
    problems: list[AdProblem] = [AdProblem(str(k)[:40], f"is not a field of an ad (the fields are "
                                                        f"{', '.join(AD_FIELDS)})") for k in raw if k not in AD_FIELDS]
    if isinstance(raw.get("price"), bool | list | dict):
        problems.append(AdProblem("price", "a decimal number or a text such as \"1250.50\" expected"))
        raw = {k: v for k, v in raw.items() if k != "price"}
    if isinstance(raw.get("version"), str | bool):
        problems.append(AdProblem("version", "a whole number from 1 expected"))
        raw = {k: v for k, v in raw.items() if k != "version"}
    values, found = normalise_ad(raw)
    problems += found
    for n, image in enumerate(raw.get("images") or [] if isinstance(raw.get("images"), list) else [], 1):
        if not isinstance(image, dict):
            continue
        unknown = sorted(str(k)[:40] for k in image if k not in IMAGE_FIELDS)
        if unknown:
            problems.append(AdProblem("images", f"image {n} has fields an image entry does not have: "
                                                f"{', '.join(unknown)} (it has {', '.join(IMAGE_FIELDS)})"))
        name = image.get("filename")
        if not isinstance(name, str) or not name:
            problems.append(AdProblem("images", f"image {n} needs its filename"))
        else:
            bad = file_name_problem(name)
            if bad:
                problems.append(AdProblem("images", f"image {n}'s filename {bad}"))
        size = image.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= max_image_bytes:
            problems.append(AdProblem("images", f"image {n} needs its size in bytes, 1 to {max_image_bytes}"))
        for key in ("width", "height"):
            if image.get(key) is not None and not (isinstance(image[key], int) and 0 < image[key] <= 100_000):
                problems.append(AdProblem("images", f"image {n}'s {key} must be 1 to 100000 pixels"))
    submitted = values.get("submitted_at")
    if submitted is not None and submitted > now + FUTURE_SLACK:
        problems.append(AdProblem("submitted_at", "is in the future; send when the advertiser submitted the ad"))
    if values.get("price_minor") is not None and not isinstance(values["price_minor"], int):
        problems.append(AdProblem("price", "a decimal number or a text such as \"1250.50\" expected"))
    for name, value in values.items():  # what no column keeps (NUL, lone surrogates, past 32 bits), the codec's rules
        try:
            check_decoded("ad", name, decode("ad", name, encode(value)))
        except ProtocolError as exc:
            field = "price" if name == "price_minor" else name
            problems.append(AdProblem(field, str(exc).removeprefix(f"ad.{name}").strip(" :")))
    unique = list({str(p): p for p in problems}.values())  # a problem found twice is said once
    return values, unique


def _same(stored: Any, values: dict[str, Any]) -> list[str]:
    """The content fields in which a stored ad differs from a posted one."""
    return [k for k in CONTENT if stored[k] != values.get(k)]


def _wire_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: encode(row[k]) for k in columns("ad")}


def post_ads(db: Database, source: Integration, items: list[Any], now: datetime,
             max_image_bytes: int) -> list[dict[str, Any]]:
    """Store the valid ads of a request; one result per item, in order."""
    results: list[dict[str, Any]] = []
    checked: list[tuple[int, dict[str, Any]]] = []
    for index, raw in enumerate(items):
        values, problems = check_ad(raw, now, max_image_bytes)
        result: dict[str, Any] = {"index": index, "external_id": values.get("external_id"),
                                  "version": values.get("version")}
        if problems:
            result |= {"status": "refused", "reason": _problems_text(problems),
                       "problems": [{"field": p.field, "message": p.message} for p in problems]}
        else:
            result["ad_id"] = ad_row_id(values["external_id"], values["version"])
            checked.append((index, values))
        results.append(result)
    if not checked:
        return results
    with db.write() as conn:
        clock = ServerClock(conn, now)
        ids = list({r["ad_id"] for r in results if "ad_id" in r})
        stored: dict[str, Any] = {}
        for k in range(0, len(ids), 500):
            stored.update((row["id"], row) for row in conn.execute(
                select(ad).where(ad.c.id.in_(ids[k:k + 500]))).mappings())
        externals = sorted({v["external_id"] for _, v in checked})
        newest: dict[str, int] = {}  # the highest version known of each of these ads, stored or posted now
        for k in range(0, len(externals), 500):
            newest.update((ext, top) for ext, top in conn.execute(
                select(ad.c.external_id, func.max(ad.c.version))
                .where(ad.c.external_id.in_(externals[k:k + 500]), ad.c.deleted.is_not(true()))
                .group_by(ad.c.external_id)))
        new_rows: dict[str, dict[str, Any]] = {}
        for index, values in checked:
            result = results[index]
            row_id = result["ad_id"]
            known = stored.get(row_id) or new_rows.get(row_id)
            if known is not None:
                differ = _same(known, values)
                if differ:
                    result |= {"status": "refused", "reason": (
                        f"{values['external_id']} version {values['version']} is already stored with other content "
                        f"({', '.join(differ)}); an edited ad is posted as the next version"),
                        "problems": [{"field": f, "message": "differs from the version already stored"}
                                     for f in differ]}
                    result.pop("ad_id")
                else:
                    result["status"] = "duplicate"
                continue
            new_rows[row_id] = {**dict.fromkeys(columns("ad")), **values, "source": "site", **FRESH_STATE,
                                "status": AdStatus.PENDING}
            result["status"] = "created"
            newest[values["external_id"]] = max(newest.get(values["external_id"], 0), values["version"])
        entries = []
        for row_id, row in new_rows.items():
            if row["version"] < newest[row["external_id"]]:
                row["status"] = AdStatus.SUPERSEDED
            stamp = str(clock.tick())
            row.update(id=row_id, created_at=now, updated_at=now, deleted=False, field_versions={"*": stamp})
            entries.append(("ad", row_id, _wire_row(row), {"*": stamp}))
        # One statement per table for the whole request (psycopg pipelines the rows; measured faster here than
        # multi-row VALUES, whose long statements cost more to build than the round trips they save).
        if new_rows:
            conn.execute(insert(ad), list(new_rows.values()))
        images = [{"sha256": sha, "ad_id": row_id, "source": source.name} for row_id, row in new_rows.items()
                  for sha in sorted({i["sha256"] for i in row["images"] or []})]
        if images:
            conn.execute(insert(ad_image), images)
        feed.append_many(conn, entries, now)
        _supersede(conn, clock, now, new_rows, newest, results)
        clock.save()
    return results


def _supersede(conn: Any, clock: ServerClock, now: datetime, new_rows: dict[str, dict[str, Any]],
               newest: dict[str, int], results: list[dict[str, Any]]) -> None:
    """Stored versions still pending below the newest version now known are Superseded."""
    externals = sorted({row["external_id"] for row in new_rows.values()})
    older: list[Any] = []
    for k in range(0, len(externals), 500):
        older += conn.execute(select(ad).where(ad.c.external_id.in_(externals[k:k + 500]),
                                               ad.c.status == AdStatus.PENDING, ad.c.deleted.is_not(true()),
                                               ad.c.id.not_in(list(new_rows)))).mappings().all()
    replaced: dict[str, list[int]] = {}
    for row in older:
        if row["version"] < newest[row["external_id"]]:
            server_update(conn, clock.tick, "ad", row, {"status": AdStatus.SUPERSEDED}, now)
            replaced.setdefault(row["external_id"], []).append(row["version"])
    for result in results:
        if result.get("status") == "created" and replaced.get(result["external_id"]):
            versions = sorted(v for v in replaced[result["external_id"]] if v < result["version"])
            if versions:
                result["superseded"] = versions


# -- user reports --------------------------------------------------------------------------------------------------

def _check_report(raw: Any, now: datetime) -> tuple[dict[str, Any], list[AdProblem]]:
    if not isinstance(raw, dict):
        return {}, [AdProblem("report", "must be a JSON object of the report's fields")]
    problems = [AdProblem(str(k)[:40], f"is not a field of a report (the fields are {', '.join(REPORT_FIELDS)})")
                for k in raw if k not in REPORT_FIELDS]
    out: dict[str, Any] = {}
    external, version = raw.get("external_id"), raw.get("version")
    if not isinstance(external, str) or not external:
        problems.append(AdProblem("external_id", "the site's id of the reported ad is required"))
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(AdProblem("version", "the reported version of the ad is required (a whole number from 1)"))
    for name, limit, required, one_line in (("reason", 80, True, True), ("text", MAX_REPORT_TEXT, False, False),
                                            ("reporter", 200, False, True)):
        value = raw.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if required:
                problems.append(AdProblem(name, "is required"))
            continue
        if not isinstance(value, str):
            problems.append(AdProblem(name, "text expected"))
        elif len(value) > limit:
            problems.append(AdProblem(name, f"at most {limit} characters (it has {len(value)})"))
        elif one_line and any(ch in value for ch in "\r\n\t"):
            problems.append(AdProblem(name, "must be one line"))
        else:
            try:
                check_storable(name, value)
                out[name] = value
            except ProtocolError as exc:
                problems.append(AdProblem(name, str(exc).removeprefix(name).strip()))
    out["reported_at"] = now
    if raw.get("reported_at") is not None:
        try:
            out["reported_at"] = parse_moment(raw["reported_at"])
            if out["reported_at"] > now + FUTURE_SLACK:
                problems.append(AdProblem("reported_at", "is in the future"))
        except ValueError as exc:
            problems.append(AdProblem("reported_at", str(exc)))
    report_id = raw.get("report_id")
    if report_id is not None and not (isinstance(report_id, str) and _REPORT_ID.match(report_id)):
        problems.append(AdProblem("report_id", "1-80 letters, digits, '.', '_', ':' or '-' expected"))
    if not problems:
        out["ad_id"] = ad_row_id(external, version)
        out["_report_id"] = report_id
    return out, problems


def post_reports(db: Database, source: Integration, items: list[Any], now: datetime) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    checked: list[tuple[int, dict[str, Any]]] = []
    for index, raw in enumerate(items):
        values, problems = _check_report(raw, now)
        result: dict[str, Any] = {"index": index}
        if problems:
            result |= {"status": "refused", "reason": _problems_text(problems),
                       "problems": [{"field": p.field, "message": p.message} for p in problems]}
        else:
            checked.append((index, values))
        results.append(result)
    if not checked:
        return results
    with db.write() as conn:
        clock = ServerClock(conn, now)
        raised: dict[str, int] = {}
        for index, values in checked:
            result = results[index]
            report_id = values.pop("_report_id")
            row_id = str(uuid.uuid5(_REPORT_NAMESPACE, f"{source.name}:{report_id}")) if report_id else new_id()
            ad_row = conn.execute(select(ad.c.id, ad.c.external_id, ad.c.version)
                                  .where(ad.c.id == values["ad_id"])).first()
            if ad_row is None:
                result |= {"status": "refused", "reason": "the server has no such ad version; post the ad first",
                           "problems": [{"field": "external_id", "message": "no such ad version on the server"}]}
                continue
            stored = conn.execute(select(ad_report).where(ad_report.c.id == row_id)).mappings().first()
            if stored is not None:
                same = all(stored[k] == values.get(k) for k in ("ad_id", "reason", "text", "reporter"))
                result |= {"status": "duplicate", "row_id": row_id} if same else {
                    "status": "refused", "reason": f"report {report_id} is already stored with other content",
                    "problems": [{"field": "report_id", "message": "already used for another report"}]}
                continue
            stamp = str(clock.tick())
            row = {**dict.fromkeys(columns("ad_report")), **values, "recorded_by_id": None, "deleted": False}
            conn.execute(insert(ad_report).values(id=row_id, created_at=now, updated_at=now,
                                                  field_versions={"*": stamp}, **row))
            feed.append(conn, "ad_report", row_id, {k: encode(v) for k, v in row.items()}, {"*": stamp}, now)
            raised[values["ad_id"]] = raised.get(values["ad_id"], 0) + 1
            result |= {"status": "created", "row_id": row_id}
        for ad_id, n in raised.items():
            row = conn.execute(select(ad).where(ad.c.id == ad_id)).mappings().one()
            server_update(conn, clock.tick, "ad", row, {"report_count": (row["report_count"] or 0) + n}, now)
        clock.save()
    return results
