"""The rule set of the automatic ad flags: weights, word lists and thresholds, as data.

A Supervisor edits the rule set; it is versioned and synced as JSON (:func:`ruleset_to_json`,
:func:`ruleset_from_json`). Every word the rules look for lives in :func:`default_ruleset`, nowhere else.
Words and phrases are matched as whole words, ignoring case, accents and the leetspeak of ``leetspeak``;
a trailing "s" or "es" is accepted (``firearm`` also finds "firearms"), and the words of a phrase may be parted by
spaces, hyphens, apostrophes or "*" only ("f*ck" is listed as the words "f" and "ck"). ``allowed_phrases`` excuse a
match they contain ("glue gun" is not a weapon).
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .vocab import ClassifiedCategory

__all__ = ["CATEGORIES", "RULES", "RuleSet", "default_ruleset", "ruleset_from_json", "ruleset_to_json"]

# Rule codes, in the order hits of equal weight are listed.
RULES: tuple[str, ...] = (
    "prohibited_item", "scam_pattern", "offensive_language", "duplicate", "too_good_price", "near_duplicate",
    "contact_in_text", "price_out_of_range", "category_mismatch", "missing_details", "small_images", "shouting",
)  # fmt: skip
CATEGORIES: tuple[str, ...] = tuple(c.value for c in ClassifiedCategory if c is not ClassifiedCategory.NONE)


@dataclass(frozen=True)
class RuleSet:
    """One version of the rules. Mappings are read-only; change a rule set with :func:`dataclasses.replace`."""

    version: int
    weights: Mapping[str, int]  # rule code -> 0..100; the risk is the sum of the hits' weights, capped at 100
    prohibited_items: tuple[str, ...]
    offensive_words: tuple[str, ...]
    allowed_phrases: tuple[str, ...]  # a word-list match inside one of these is not a hit
    scam_phrases: tuple[str, ...]  # each one alone is a scam pattern
    urgency_words: tuple[str, ...]  # a scam pattern only together with a payment word
    payment_words: tuple[str, ...]
    contact_words: tuple[str, ...]  # messaging apps and the like; phone numbers, e-mail and web addresses by form
    web_domains: tuple[str, ...]  # endings that make "word.ending" a web address without http:// or www.
    category_keywords: Mapping[str, tuple[str, ...]]
    categories_needing_price: tuple[str, ...]
    categories_needing_images: tuple[str, ...]
    ad_types_without_price: tuple[str, ...]  # e.g. "Wanted": neither price nor images are expected
    leetspeak: Mapping[str, str]  # one character -> the letter it stands for
    min_title_chars: int
    min_description_chars: int
    min_image_width: int
    min_image_height: int
    min_known_prices: int  # known prices of a category before its price rules speak
    price_iqr_factor: float  # fences: quartiles -/+ factor x IQR of the log prices
    price_min_ratio: float  # ... but never nearer the median than this ratio (a category of equal prices)
    duplicate_min_words: int  # shorter texts are never text duplicates ("Room to rent")
    shingle_words: int  # words per shingle of the near-duplicate comparison
    near_duplicate_jaccard: float  # shingle overlap (Jaccard) from which texts are near-duplicates
    lsh_bands: int  # MinHash index: bands x rows hashes; more bands find lower overlaps but use more memory
    lsh_rows: int
    image_hamming_max: int  # perceptual hashes at most this many bits apart are the same picture (4, 5: slower)
    category_min_hits: int  # distinct keywords another category needs ...
    category_dominance: float  # ... and how many times the ad's own category's count
    shouting_caps_ratio: float  # share of capital letters
    shouting_min_letters: int  # letters a title or description needs before its capitals count
    shouting_exclamations: int


def default_ruleset() -> RuleSet:
    """The office's starting rules (version 1)."""
    return RuleSet(
        version=1,
        weights=MappingProxyType({
            "prohibited_item": 60, "scam_pattern": 50, "offensive_language": 40, "duplicate": 35,
            "too_good_price": 30, "near_duplicate": 25, "contact_in_text": 20, "price_out_of_range": 15,
            "category_mismatch": 15, "missing_details": 10, "small_images": 5, "shouting": 5,
        }),
        prohibited_items=(
            "firearm", "gun", "handgun", "pistol", "revolver", "rifle", "shotgun", "ammunition", "ammo", "9mm",
            "bullets", "silencer", "hunting knife", "switchblade", "knuckle duster", "taser", "explosives",
            "dynamite", "dagga", "marijuana", "cannabis oil", "cocaine", "heroin", "tik", "crystal meth",
            "mandrax", "ecstasy", "mdma", "lsd", "codeine syrup", "steroids", "counterfeit", "replica",
            "fake id", "fake passport", "fake documents", "cloned card", "stolen", "elephant ivory",
            "ivory tusk", "ivory carving", "rhino horn", "pangolin", "lion bones", "tortoise shell", "shark fin",
            "perlemoen", "abalone", "cycad", "bushmeat", "human organs", "kidney for sale",
        ),
        offensive_words=(
            "fuck", "fucking", "fucker", "motherfucker", "shit", "bullshit", "bitch", "bastard", "asshole",
            "arsehole", "cunt", "wanker", "twat", "dickhead", "whore", "slut", "retard", "moron", "idiot",
            "poes", "doos", "voetsek", "f*ck", "f*cking", "f**k", "sh*t",
        ),
        allowed_phrases=(
            "glue gun", "nail gun", "heat gun", "spray gun", "paint gun", "staple gun", "grease gun", "gun safe",
            "water gun", "toy gun", "gun metal", "gunmetal grey", "stolen vehicle recovery",
        ),
        scam_phrases=(
            "western union", "moneygram", "money gram", "gift card", "itunes card", "google play card",
            "steam card", "amazon voucher", "bitcoin", "btc", "crypto", "cryptocurrency", "usdt", "ethereum",
            "send deposit first", "deposit first", "pay before viewing", "payment before viewing",
            "deposit before viewing", "no viewing", "deposit to secure", "advance fee", "processing fee",
            "registration fee", "admin fee", "release fee", "clearance fee", "customs fee", "courier fee",
            "training fee", "uniform fee", "shipping agent", "i am overseas", "i'm overseas", "currently overseas",
            "working overseas", "out of the country", "keys will be couriered", "paypal friends and family",
            "money order", "cashier's cheque", "send your id copy", "bank details to receive",
        ),
        urgency_words=(
            "urgent", "urgently", "asap", "today only", "hurry", "first come first served", "must go today",
            "leaving the country", "emigrating", "act fast", "limited time", "before it's gone",
        ),
        payment_words=(
            "send money", "pay now", "pay first", "payment first", "eft first", "transfer first", "upfront",
            "up front payment", "deposit now", "send the deposit", "pay the deposit today", "e-wallet",
            "ewallet", "cash send",
        ),
        contact_words=(
            "whatsapp", "whats app", "watsapp", "whatsap", "whatapp", "telegram", "wechat", "signal me",
            "inbox me", "dm me",
        ),
        web_domains=(
            "co.za", "org.za", "net.za", "gov.za", "ac.za", "web.za", "za", "com", "net", "org", "info", "biz",
            "io", "africa", "online", "site", "store", "shop", "me", "ly",
        ),
        category_keywords=MappingProxyType({
            "Jobs": (
                "vacancy", "hiring", "salary", "applicants", "apply", "cv", "resume", "position", "qualifications",
                "matric", "employer", "job", "candidate", "recruitment", "interview", "internship", "shifts",
                "full time", "part time", "experience required", "references", "wage", "per month salary",
                "closing date", "job description", "duties", "requirements",
            ),
            "Real Estate": (
                "bedroom", "bathroom", "house", "flat", "apartment", "townhouse", "rent", "rental", "lease", "erf",
                "sqm", "garden", "estate", "property", "plot", "levies", "tenant", "landlord", "cluster", "duplex",
                "backroom", "lounge", "kitchen", "en suite", "pet friendly", "water and electricity", "occupation",
                "stand", "prepaid electricity",
            ),
            "Vehicles": (
                "car", "bakkie", "sedan", "hatchback", "suv", "mileage", "km", "kms", "gearbox", "manual",
                "automatic", "engine", "diesel", "petrol", "tyres", "service history", "roadworthy", "toyota",
                "volkswagen", "vw", "polo", "ford", "ranger", "hilux", "bmw", "mercedes", "nissan", "hyundai",
                "kia", "motorbike", "motorcycle", "trailer", "4x4", "aircon", "spare key", "licence disc",
            ),
            "For Sale": (
                "brand new", "warranty", "fridge", "couch", "sofa", "laptop", "cellphone", "iphone", "samsung", "tv",
                "television", "dining table", "coffee table", "bed frame", "mattress", "washing machine", "microwave",
                "stove", "wardrobe",
                "chairs", "console", "playstation", "xbox", "camera", "bicycle", "pram", "original box",
                "charger", "in working order", "collection only",
            ),
            "Services": (
                "plumber", "plumbing", "electrician", "repairs", "installation", "quote", "quotes", "cleaning",
                "painting", "tiling", "renovations", "garden services", "tutoring", "tutor", "removals",
                "catering", "affordable rates", "call out", "qualified", "registered", "we offer", "services",
                "coc", "no job too small", "free quotation", "waterproofing", "handyman",
            ),
            "Announcements": (
                "announcement", "notice", "hereby", "will be closed", "grand opening", "branch", "congratulations",
                "passed away", "funeral", "memorial", "notify", "public holiday", "trading hours", "relocated",
                "with effect from", "please note", "apologise for any inconvenience", "annual general meeting",
            ),
            "Events": (
                "event", "concert", "festival", "tickets", "venue", "live show", "live music", "dj", "expo",
                "workshop", "gates open", "entry fee", "free entry", "lineup", "performers", "dress code", "rsvp",
                "market day", "tickets available", "stalls",
            ),
            "Community": (
                "community", "volunteers", "volunteer", "church", "fundraiser", "donations", "donation",
                "charity", "neighbourhood watch", "meeting", "soup kitchen", "clean up", "lost dog", "found dog",
                "missing person", "youth", "ngo", "support group", "residents", "ward", "councillor", "outreach",
                "blood drive", "adopt",
            ),
        }),
        categories_needing_price=("Vehicles", "Real Estate", "For Sale"),
        categories_needing_images=("Vehicles", "Real Estate", "For Sale"),
        ad_types_without_price=("Wanted",),
        leetspeak=MappingProxyType({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}),
        min_title_chars=10,
        min_description_chars=30,
        min_image_width=320,
        min_image_height=240,
        min_known_prices=20,
        price_iqr_factor=1.5,
        price_min_ratio=3.0,
        duplicate_min_words=6,
        shingle_words=2,
        near_duplicate_jaccard=0.5,
        lsh_bands=20,
        lsh_rows=4,
        image_hamming_max=3,
        category_min_hits=3,
        category_dominance=2.0,
        shouting_caps_ratio=0.7,
        shouting_min_letters=10,
        shouting_exclamations=4,
    )


# --- JSON ------------------------------------------------------------------------------------------------------------

# The numbers' ranges; the other keys are checked by kind in _check.
_INT_RANGES: dict[str, tuple[int, int]] = {
    "version": (1, 2**31 - 1),
    "min_title_chars": (0, 200), "min_description_chars": (0, 5000), "min_image_width": (0, 20000),
    "min_image_height": (0, 20000), "min_known_prices": (2, 1_000_000), "duplicate_min_words": (1, 1000),
    "shingle_words": (1, 8), "lsh_bands": (1, 64), "lsh_rows": (1, 8), "image_hamming_max": (0, 5),
    "category_min_hits": (1, 100), "shouting_min_letters": (1, 10000), "shouting_exclamations": (1, 1000),
}  # fmt: skip
_FLOAT_RANGES: dict[str, tuple[float, float]] = {
    "price_iqr_factor": (0.5, 20.0), "price_min_ratio": (1.0, 1000.0), "near_duplicate_jaccard": (0.1, 1.0),
    "category_dominance": (1.0, 100.0), "shouting_caps_ratio": (0.3, 1.0),
}
_CATEGORY_LISTS = ("categories_needing_price", "categories_needing_images")
_KEYS = tuple(f.name for f in dataclasses.fields(RuleSet))
_DOMAIN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*")
_HAS_WORD = re.compile(r"[^\W_]")
_MAX_WORD_CHARS = 100


def ruleset_to_json(rs: RuleSet) -> dict[str, Any]:
    """The rule set as plain JSON values (lists and objects), keys in field order."""
    out: dict[str, Any] = {}
    for key in _KEYS:
        value = getattr(rs, key)
        if key == "category_keywords":
            value = {cat: list(words) for cat, words in value.items()}
        elif isinstance(value, Mapping):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[key] = value
    return out


def ruleset_from_json(data: dict[str, Any]) -> RuleSet:
    """A rule set from :func:`ruleset_to_json`'s form. ``version`` is required; a key left out takes the default
    value (a rule set saved before the key existed still loads). Raises ValueError naming every problem."""
    if not isinstance(data, dict):
        raise ValueError(f"a rule set must be a JSON object, got {_kind(data)}")
    problems: list[str] = []
    for key in data:
        if key not in _KEYS:
            problems.append(f"unknown key {key!r}{_did_you_mean(key, _KEYS)}: remove it")
    if "version" not in data:
        problems.append("'version' is missing: give the rule set's version number (1 or more)")
    defaults = default_ruleset()
    values: dict[str, Any] = {}
    for key in _KEYS:
        if key not in data:
            values[key] = getattr(defaults, key)
            continue
        value, found = _check(key, data[key])
        problems += found
        values[key] = value
    if problems:
        head = "the rule set has a problem" if len(problems) == 1 else f"the rule set has {len(problems)} problems"
        raise ValueError(f"{head}: " + "; ".join(problems))
    weights = dict(defaults.weights)
    weights.update(values["weights"])
    values["weights"] = MappingProxyType({rule: weights[rule] for rule in RULES})
    return RuleSet(**values)


def _check(key: str, value: Any) -> tuple[Any, list[str]]:
    """The value as the dataclass holds it, and what is wrong with it."""
    if key in _INT_RANGES:
        lo, hi = _INT_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            return value, [f"{key!r} must be a whole number from {lo} to {hi}, got {_shown(value)}"]
        return value, []
    if key in _FLOAT_RANGES:
        flo, fhi = _FLOAT_RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not flo <= value <= fhi:
            return value, [f"{key!r} must be a number from {flo:g} to {fhi:g}, got {_shown(value)}"]
        return float(value), []
    if key == "weights":
        return _check_weights(value)
    if key == "category_keywords":
        if not isinstance(value, dict):
            return value, [f"'category_keywords' must be an object of category: list of words, got {_kind(value)}"]
        problems: list[str] = []
        out: dict[str, tuple[str, ...]] = {}
        for cat, words in value.items():
            if cat not in CATEGORIES:
                problems.append(f"'category_keywords' has an unknown category {cat!r}{_did_you_mean(cat, CATEGORIES)}"
                                f"; the categories are: {', '.join(CATEGORIES)}")
                continue
            out[cat], found = _check_words(f"'category_keywords' of {cat!r}", words)
            problems += found
        return MappingProxyType(out), problems
    if key == "leetspeak":
        return _check_leetspeak(value)
    if key in _CATEGORY_LISTS:
        words, problems = _check_strings(repr(key), value)
        for i, cat in enumerate(words, 1):
            if cat and cat not in CATEGORIES:
                problems.append(f"{key!r} item {i} {cat!r} is not a category{_did_you_mean(cat, CATEGORIES)}; "
                                f"the categories are: {', '.join(CATEGORIES)}")
        return words, problems
    if key == "web_domains":
        words, problems = _check_strings(repr(key), value)
        for i, dom in enumerate(words, 1):
            if dom and not _DOMAIN.fullmatch(dom):
                problems.append(f"{key!r} item {i} {dom!r} must be a domain ending such as 'co.za': lower-case "
                                "letters, digits, '-' and dots between them")
        return words, problems
    if key == "ad_types_without_price":
        return _check_strings(repr(key), value)
    return _check_words(repr(key), value)  # the word lists


def _check_weights(value: Any) -> tuple[Any, list[str]]:
    if not isinstance(value, dict):
        return value, [f"'weights' must be an object of rule: weight, got {_kind(value)}"]
    problems = []
    for rule, weight in value.items():
        if rule not in RULES:
            problems.append(f"'weights' has an unknown rule {rule!r}{_did_you_mean(rule, RULES)}; the rules are: "
                            + ", ".join(RULES))
        elif isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= 100:
            problems.append(f"the weight of {rule!r} must be a whole number from 0 to 100, got {_shown(weight)}")
    return value, problems


def _check_leetspeak(value: Any) -> tuple[Any, list[str]]:
    if not isinstance(value, dict):
        return value, [f"'leetspeak' must be an object of character: letter, got {_kind(value)}"]
    problems = []
    for char, letter in value.items():
        if len(char) != 1 or char.isspace():
            problems.append(f"'leetspeak' key {char!r} must be one character (such as '0' or '@')")
        if not isinstance(letter, str) or len(letter) != 1 or not letter.isalpha():
            problems.append(f"'leetspeak' value of {char!r} must be one letter, got {_shown(letter)}")
    return MappingProxyType(dict(value)), problems


def _check_strings(name: str, value: Any) -> tuple[tuple[str, ...], list[str]]:
    """``name`` as shown in the messages, quoted."""
    if not isinstance(value, list):
        return (), [f"{name} must be a list of words, got {_kind(value)}"]
    problems = []
    for i, word in enumerate(value, 1):
        if not isinstance(word, str):
            problems.append(f"{name} item {i} must be text, got {_shown(word)}")
        elif not word.strip():
            problems.append(f"{name} item {i} is empty: remove it or type the word")
        elif len(word) > _MAX_WORD_CHARS:
            problems.append(f"{name} item {i} is longer than {_MAX_WORD_CHARS} characters: shorten it")
    return tuple(w for w in value if isinstance(w, str)), problems


def _check_words(name: str, value: Any) -> tuple[tuple[str, ...], list[str]]:
    words, problems = _check_strings(name, value)
    for i, word in enumerate(words, 1):
        if word.strip() and len(word) <= _MAX_WORD_CHARS and not _HAS_WORD.search(word):
            problems.append(f"{name} item {i} {word!r} has no letter or digit, so it can never match: "
                            "remove it or type the word")
    return words, problems


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def _shown(value: Any) -> str:
    return f"{value!r} ({_kind(value)})" if isinstance(value, str | bool) or value is None else repr(value)
