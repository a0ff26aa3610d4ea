"""An ad as the site or an import file gives it: every field checked and put in its stored form.

The same checks serve ``saypro import ads``, demo data and the server's site API, so an ad is judged alike
wherever it enters. A problem is a sentence naming the field and what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .moderation import AdType
from .vocab import ClassifiedCategory

# The import file's columns, in order (issue: the site's export). image_files: file names separated by "|".
IMPORT_COLUMNS = ("external_id", "version", "title", "description", "price", "currency", "category", "subcategory",
                  "ad_type", "advertiser_id", "advertiser_name", "advertiser_email", "advertiser_phone", "location",
                  "image_files", "submitted_at")
REQUIRED = ("external_id", "version", "title", "category", "ad_type", "advertiser_id", "advertiser_name",
            "submitted_at")
MAX_PRICE_MINOR = 10**13  # R 100 billion: past that, a typing slip
MAX_IMAGES = 20
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_LIMITS = {"title": 200, "subcategory": 80, "advertiser_name": 200, "advertiser_email": 254,
           "advertiser_phone": 40, "location": 200, "description": 20_000}


@dataclass
class AdProblem:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _text(raw: dict[str, Any], name: str, problems: list[AdProblem]) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(AdProblem(name, "text expected"))
        return None
    value = value.strip()
    if "\x00" in value:
        problems.append(AdProblem(name, "contains a NUL character"))
        return None
    limit = _LIMITS.get(name)
    if limit and len(value) > limit:
        problems.append(AdProblem(name, f"at most {limit} characters (it has {len(value)})"))
        return None
    if name != "description" and ("\n" in value or "\r" in value):
        problems.append(AdProblem(name, "must be one line"))
        return None
    return value or None


def parse_price(value: Any) -> int | None:
    """A price as minor units (cents): "1 250.50", "1250,5", 1250 or 1250.5; None when empty. ValueError when
    it is not a price."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a price expected")
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if text.upper().startswith("R"):
        text = text[1:]
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a price; write it like 1250.50") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("a price cannot be negative")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("a price has at most two decimals")
    if cents > MAX_PRICE_MINOR:
        raise ValueError("the price is too large")
    return int(cents)


def _minor(value: Any) -> int | None:
    """A price already in minor units (cents), as the server stores it."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRICE_MINOR:
        raise ValueError("price_minor must be a whole number of cents from 0")
    return value


def parse_moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    else:
        raise ValueError("a date and time expected, like 2026-11-28T14:05:00+02:00")
    if moment.tzinfo is None:
        raise ValueError("the time needs its zone offset, like 2026-11-28T14:05:00+02:00")
    if not 2000 <= moment.year <= 2099:
        raise ValueError("the year must be between 2000 and 2099")
    return moment


def images(value: Any, problems: list[AdProblem]) -> list[dict[str, Any]]:
    """The image entries in their stored form; what is wrong goes into ``problems``."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_IMAGES:
        problems.append(AdProblem("images", f"a list of at most {MAX_IMAGES} images expected"))
        return []
    images = []
    for n, image in enumerate(value, 1):
        if not isinstance(image, dict) or not isinstance(image.get("sha256"), str) \
                or not _SHA256.match(image["sha256"]):
            problems.append(AdProblem("images", f"image {n} needs a sha256 of 64 lower-case hex digits"))
            continue
        clean: dict[str, Any] = {"sha256": image["sha256"]}
        for key in ("size", "width", "height"):
            v = image.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > 2**40):
                problems.append(AdProblem("images", f"image {n}: {key} must be a whole number"))
            elif v is not None:
                clean[key] = v
        for key, limit in (("filename", 255), ("phash", 64)):
            v = image.get(key)
            if v is not None and (not isinstance(v, str) or len(v) > limit or "\x00" in v):
                problems.append(AdProblem("images", f"image {n}: {key} must be text of at most {limit} characters"))
            elif v:
                clean[key] = v
        images.append(clean)
    return images


def normalise_ad(raw: dict[str, Any]) -> tuple[dict[str, Any], list[AdProblem]]:
    """The ad's stored fields (model field names) and the problems found; store it only without problems."""
    problems: list[AdProblem] = []
    out: dict[str, Any] = {}
    for name in REQUIRED:
        if raw.get(name) in (None, ""):
            problems.append(AdProblem(name, "is required"))
    external = raw.get("external_id")
    if external not in (None, ""):
        if not isinstance(external, str) or not _ID.match(external):
            problems.append(AdProblem("external_id", "1-80 letters, digits, '.', '_', ':' or '-' expected"))
        else:
            out["external_id"] = external
    version = raw.get("version")
    if version not in (None, ""):
        try:
            number = int(version) if not isinstance(version, bool) and str(version).strip().isdigit() else None
        except (TypeError, ValueError):
            number = None
        if number is None or not 1 <= number <= 1_000_000:
            problems.append(AdProblem("version", "a whole number from 1 expected"))
        else:
            out["version"] = number
    for name in ("title", "description", "subcategory", "advertiser_name", "advertiser_email", "advertiser_phone",
                 "location"):
        value = _text(raw, name, problems)
        if value is not None:
            out[name] = value
    out.setdefault("description", "")
    advertiser = raw.get("advertiser_id")
    if advertiser not in (None, ""):
        if not isinstance(advertiser, str | int) or isinstance(advertiser, bool) or not _ID.match(str(advertiser)):
            problems.append(AdProblem("advertiser_id", "1-80 letters, digits, '.', '_', ':' or '-' expected"))
        else:
            out["advertiser_id"] = str(advertiser)
    email = out.get("advertiser_email")
    if email and not _EMAIL.match(email):
        problems.append(AdProblem("advertiser_email", f"{email!r} is not an email address"))
    for name, vocab in (("category", ClassifiedCategory), ("ad_type", AdType)):
        value = raw.get(name)
        if value in (None, ""):
            continue
        try:
            member = vocab.parse(str(value))
        except ValueError as exc:
            problems.append(AdProblem(name, str(exc)))
            continue
        if member is ClassifiedCategory.NONE:
            problems.append(AdProblem(name, "an ad needs a classified category"))
        else:
            out[name] = member
    try:
        out["price_minor"] = parse_price(raw["price"]) if "price" in raw else _minor(raw.get("price_minor"))
    except ValueError as exc:
        problems.append(AdProblem("price", str(exc)))
    currency = raw.get("currency") or "ZAR"
    if not isinstance(currency, str) or not _CURRENCY.match(currency.strip().upper()):
        problems.append(AdProblem("currency", "a three-letter currency code expected, like ZAR"))
    else:
        out["currency"] = currency.strip().upper()
    for name in ("submitted_at", "expires_at"):
        value = raw.get(name)
        if value in (None, ""):
            continue
        try:
            out[name] = parse_moment(value)
        except ValueError as exc:
            problems.append(AdProblem(name, str(exc)))
    if out.get("expires_at") and out.get("submitted_at") and out["expires_at"] <= out["submitted_at"]:
        problems.append(AdProblem("expires_at", "must be after submitted_at"))
    out["images"] = images(raw.get("images"), problems)
    return out, problems
