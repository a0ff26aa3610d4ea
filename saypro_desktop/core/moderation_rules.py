"""The automatic flags of classified ads: a pure scoring engine.

Every rule has a stable code (:data:`RULES`), a weight and a ``why`` sentence naming what was found, with spans
into the original title and description for highlighting. Words, phrases and thresholds are data
(:mod:`.moderation_ruleset`); a weight of 0 turns a rule off. :class:`Scorer` indexes the known ads (duplicates,
price statistics) and scores an ad without adding it; an ad never duplicates itself (same ``ad_id``).

Text is compared case- and accent-insensitively, with the rule set's leetspeak undone ("sh1t", "c0caine"), as
whole words. Prices are compared in log space against the median and quartiles of the most specific group of
known ads (category and subcategory, else category, same currency) that holds ``min_known_prices`` prices.
No dependency beyond Pillow (for :func:`image_phash`); see :mod:`.near_duplicates` for why.
"""

from __future__ import annotations

import bisect
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .moderation_ruleset import CATEGORIES, RULES, RuleSet, default_ruleset, ruleset_from_json, ruleset_to_json
from .near_duplicates import ImageIndex, TextIndex, image_key, image_phash, parse_phash, text_keys

__all__ = [
    "CATEGORIES", "RULES", "AdImage", "AdText", "Hit", "RuleSet", "Score", "Scorer", "default_ruleset",
    "image_phash", "ruleset_from_json", "ruleset_to_json",
]  # fmt: skip


@dataclass(frozen=True)
class AdImage:
    sha256: str  # hex of the file
    width: int | None = None
    height: int | None = None
    phash: str | None = None  # 64-bit perceptual hash as hex (:func:`image_phash` makes a dHash)


@dataclass(frozen=True)
class AdText:
    ad_id: str
    title: str
    description: str
    category: str
    price_minor: int | None  # cents
    currency: str  # ISO 4217
    advertiser_id: str
    subcategory: str = ""
    ad_type: str = ""
    location: str = ""
    images: tuple[AdImage, ...] = ()


@dataclass(frozen=True)
class Hit:
    rule: str
    weight: int
    why: str
    spans: tuple[tuple[str, int, int], ...] = ()  # ("title" | "description", start, end) into the original text
    refs: tuple[str, ...] = ()  # ad_ids of the known ads a duplicate rule refers to


@dataclass(frozen=True)
class Score:
    hits: tuple[Hit, ...]  # heaviest first
    risk: int  # sum of the hits' weights, at most 100
    ruleset_version: int = 0

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(h.rule for h in self.hits)


# --- text ------------------------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PATH = r"[^\s<>\"'()]*[^\s<>\"'().,;:!?]"  # a web address's rest, without the sentence's full stop
_URL = re.compile(rf"(?i)\b(?:https?://|www\.){_PATH}")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)?27[ .-]?(?:\(0\)[ .-]?)?[1-9](?:[ .-]?\d){8}"  # South African, international form
    r"|(?:\+|00)[1-9](?:[ .-]?\d){7,13}"  # other international
    r"|\(?0[1-9](?:[ .)-]{0,2}\d){8}"  # South African, 10 digits from 0 in any grouping
    r")(?!\d)"
)
_EXCLAIM = re.compile(r"!+")
_JOINER = re.compile(r"[\s\-'\u2019*]+")  # "*" for masked words: "f*ck"
_NOT_LETTERS = bytes(c for c in range(256) if not chr(c).isascii() or not chr(c).isalpha())
_NOT_UPPER = bytes(c for c in range(256) if not chr(c).isascii() or not chr(c).isupper())
_SEVEN_DIGITS = re.compile(r"\d(?:[ .()-]{0,2}\d){6}")  # cheap test before the phone pattern


def _fold(text: str, table: dict[int, str]) -> tuple[str, list[int] | None]:
    """Lower case, accents removed, leetspeak undone; and for non-ASCII text the original offset of every folded
    character (None: the same offsets)."""
    if text.isascii():
        return text.lower().translate(table), None
    parts: list[str] = []
    index: list[int] = []
    pos = 0
    for m in _NON_ASCII.finditer(text):
        parts.append(text[pos:m.start()].lower())
        index.extend(range(pos, m.start()))
        for at, ch in enumerate(m.group(), m.start()):
            folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).casefold()
            parts.append(folded)
            index.extend([at] * len(folded))
        pos = m.end()
    parts.append(text[pos:].lower())
    index.extend(range(pos, len(text)))
    return "".join(parts).translate(table), index


class _Text:
    """One field of an ad: its folded words, and their spans in the original when asked."""

    __slots__ = ("_spans", "field", "folded", "index", "original", "tokens")

    def __init__(self, field: str, original: str, table: dict[int, str]) -> None:
        self.field, self.original = field, original
        self.folded, self.index = _fold(original, table)
        self.tokens = _WORD.findall(self.folded)
        self._spans: list[tuple[int, int]] | None = None

    def span(self, i: int, j: int) -> tuple[str, int, int]:
        """The original span of words i..j-1."""
        if self._spans is None:
            self._spans = [m.span() for m in _WORD.finditer(self.folded)]
        start, end = self._spans[i][0], self._spans[j - 1][1]
        if self.index is not None:
            start, end = self.index[start], self.index[end - 1] + 1
        return self.field, start, end

    def joined(self, i: int, j: int) -> bool:
        """Whether words i..j-1 are one phrase: nothing but spaces, hyphens, apostrophes and "*" between them
        ("deposit first", not "deposit & first" or "deposit. First")."""
        if self._spans is None:
            self._spans = [m.span() for m in _WORD.finditer(self.folded)]
        spans, folded = self._spans, self.folded
        return all(_JOINER.fullmatch(folded, spans[k][1], spans[k + 1][0]) for k in range(i, j - 1))


class _Match(NamedTuple):
    text: _Text
    group: str  # a word list, or "category:<name>"
    label: str  # the list's entry as written in the rule set
    i: int  # words i..j-1 of the field
    j: int


class _Lexicon:
    """All word lists in one table by first word; one pass over an ad's words finds every entry."""

    def __init__(self, entries: Iterable[tuple[str, str]], table: dict[int, str]) -> None:
        self.first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        seen = set()
        for phrase, group in entries:
            words = tuple(_WORD.findall(_fold(phrase, table)[0]))
            if words and (words, group) not in seen:
                seen.add((words, group))
                for form in (words[0], words[0] + "s", words[0] + "es"):  # plurals: "firearms", "boxes"
                    self.first.setdefault(form, []).append((words, group, phrase))

    def find(self, text: _Text) -> list[_Match]:
        tokens, first, out = text.tokens, self.first, []
        n = len(tokens)
        for i, tok in enumerate(tokens):
            entries = first.get(tok)
            if not entries:
                continue
            for words, group, label in entries:
                k = len(words)
                if k == 1 or (i + k <= n and all(_same(tokens[i + m], words[m]) for m in range(1, k))
                              and text.joined(i, i + k)):
                    out.append(_Match(text, group, label, i, i + k))
        return out


def _same(token: str, word: str) -> bool:
    return token == word or (token.startswith(word) and token[len(word):] in ("s", "es"))


def _quote(m: _Match) -> str:
    """The entry, and how the ad wrote it when that was disguised ("'shit' (written 'sh1t')")."""
    _, start, end = m.text.span(m.i, m.j)
    written = m.text.original[start:end]
    plain = " ".join(m.label.lower().split())
    if " ".join(written.lower().split()) in (plain, plain + "s", plain + "es"):
        return f"'{m.label}'"
    return f"'{m.label}' (written '{written}')"


def _listed(items: Sequence[str], limit: int = 5) -> str:
    unique = list(dict.fromkeys(items))
    shown = ", ".join(unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _money(minor: float, currency: str) -> str:
    units = minor / 100
    prefix = "R " if currency.upper() == "ZAR" else f"{currency.upper()} "
    return f"{prefix}{units:,.2f}" if units < 100 and units != int(units) else f"{prefix}{units:,.0f}"


# --- the scorer ------------------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    title: _Text
    description: _Text
    matches: list[_Match] | None = None

    @property
    def tokens(self) -> list[str]:
        return self.title.tokens + self.description.tokens


class Scorer:
    """Scores ads against a rule set and an index of known ads. Not thread-safe: one thread at a time."""

    def __init__(self, ruleset: RuleSet) -> None:
        rs = ruleset_from_json(ruleset_to_json(ruleset))  # a rule set built in code is checked too
        self.ruleset = rs
        self._w = dict(rs.weights)
        self._table = {ord(k.lower()): v.lower() for k, v in rs.leetspeak.items()}
        groups = [
            (rs.prohibited_items, "prohibited"), (rs.offensive_words, "offensive"), (rs.allowed_phrases, "allowed"),
            (rs.scam_phrases, "scam"), (rs.urgency_words, "urgency"), (rs.payment_words, "payment"),
            (rs.contact_words, "contact"),
            *((words, f"category:{cat}") for cat, words in rs.category_keywords.items()),
        ]
        self._lexicon = _Lexicon(((w, g) for words, g in groups for w in words), self._table)
        endings = "|".join(re.escape(d) for d in sorted(rs.web_domains, key=len, reverse=True))
        self._domain = re.compile(
            rf"(?i)(?<![\w@.-])[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?:{endings})(?![\w-]|\.\w)"
            rf"(?:/{_PATH})?"
        ) if endings else None
        self._dot_ending = re.compile(rf"(?i)\.(?:{endings})(?![\w-])") if endings else None
        self._text_index = TextIndex(rs.lsh_bands, rs.lsh_rows)
        self._image_index = ImageIndex(rs.image_hamming_max)
        self._ids: list[str | None] = []  # slot -> ad_id (None: replaced or removed)
        self._advertisers: list[str] = []
        self._slot_of: dict[str, int] = {}
        self._prices: dict[tuple[str, ...], list[float]] = {}  # price group -> sorted log10 prices
        self._price_of: dict[int, tuple[tuple[tuple[str, ...], ...], float]] = {}
        self._fences: dict[tuple[str, ...], tuple[float, ...]] = {}  # price group -> fences and quartiles
        self._groups: dict[tuple[str, ...], tuple[str, ...]] = {}  # one tuple per price group, shared

    # -- the index of known ads --

    def __len__(self) -> int:
        return len(self._slot_of)

    def add_known(self, ad: AdText) -> None:
        """Index an ad already in the store. A known ad_id is replaced (an edited ad)."""
        if ad.ad_id in self._slot_of:
            self.remove_known(ad.ad_id)
        slot = len(self._ids)
        self._ids.append(ad.ad_id)
        self._advertisers.append(sys.intern(ad.advertiser_id))
        self._slot_of[ad.ad_id] = slot
        tokens = self._prepare(ad).tokens
        if len(tokens) >= self.ruleset.duplicate_min_words:
            self._text_index.add(slot, *text_keys(tokens, self.ruleset.shingle_words))
        for img in ad.images:
            self._image_index.add(slot, image_key(img.sha256), parse_phash(img.phash))
        if ad.price_minor is not None and ad.price_minor > 0:
            groups = tuple(self._groups.setdefault(g, g) for g in _price_groups(ad))
            value = math.log10(ad.price_minor)
            for group in groups:
                bisect.insort(self._prices.setdefault(group, []), value)
                self._fences.pop(group, None)
            self._price_of[slot] = (groups, value)

    def remove_known(self, ad_id: str) -> None:
        """Forget a known ad (deleted, or about to be replaced)."""
        slot = self._slot_of.pop(ad_id, None)
        if slot is None:
            return
        self._ids[slot] = None
        self._text_index.remove(slot)
        groups, value = self._price_of.pop(slot, ((), 0.0))
        for group in groups:
            prices = self._prices[group]
            del prices[bisect.bisect_left(prices, value)]
            self._fences.pop(group, None)

    # -- scoring --

    def score(self, ad: AdText) -> Score:
        """The ad's hits and risk against the known ads; the ad is not added to them."""
        w, p = self._w, self._prepare(ad)
        hits: list[Hit] = []
        if w["prohibited_item"] or w["offensive_language"] or w["scam_pattern"] or w["contact_in_text"] \
                or w["category_mismatch"]:
            p.matches = self._matches(p)
        for rule_hits in (self._words(p), self._scam(p), self._contact(p), self._prices_of(ad),
                          self._duplicates(ad, p), self._missing(ad), self._category(ad, p), self._small(ad),
                          self._shouting(p)):
            hits += rule_hits
        hits.sort(key=lambda h: (-h.weight, RULES.index(h.rule)))
        return Score(tuple(hits), min(100, sum(h.weight for h in hits)), self.ruleset.version)

    def _prepare(self, ad: AdText) -> _Prepared:
        return _Prepared(_Text("title", ad.title, self._table), _Text("description", ad.description, self._table))

    def _hit(self, rule: str, why: str, spans: Iterable[tuple[str, int, int]] = (),
             refs: Iterable[str] = ()) -> Hit:
        return Hit(rule, self._w[rule], why, tuple(dict.fromkeys(spans)), tuple(dict.fromkeys(refs)))

    def _matches(self, p: _Prepared) -> list[_Match]:
        """Every word-list entry found; an allowed phrase excuses what it covers, and a longer entry of a list
        what it covers of the same list ("send deposit first", not also "deposit first")."""
        found = self._lexicon.find(p.title) + self._lexicon.find(p.description)
        listed = [m for m in found if not m.group.startswith("category:")]
        if len(listed) < 2:
            return found
        return [m for m in found if m.group.startswith("category:") or not any(
            o is not m and o.text is m.text and o.i <= m.i and m.j <= o.j
            and ((o.group == "allowed" != m.group) or (o.group == m.group and o.j - o.i > m.j - m.i))
            for o in listed)]

    def _words(self, p: _Prepared) -> list[Hit]:
        out = []
        for rule, group, what in (("prohibited_item", "prohibited", "mentions a prohibited item"),
                                  ("offensive_language", "offensive", "uses offensive language")):
            found = [m for m in p.matches or () if m.group == group] if self._w[rule] else []
            if found:
                out.append(self._hit(rule, f"{what}: {_listed([_quote(m) for m in found])}",
                                     (m.text.span(m.i, m.j) for m in found)))
        return out

    def _scam(self, p: _Prepared) -> list[Hit]:
        if not self._w["scam_pattern"]:
            return []
        by_group: dict[str, list[_Match]] = {"scam": [], "urgency": [], "payment": []}
        for m in p.matches or ():
            if m.group in by_group:
                by_group[m.group].append(m)
        parts, used = [], by_group["scam"]
        if used:
            parts.append(_listed([_quote(m) for m in used]))
        if by_group["urgency"] and by_group["payment"]:
            parts.append(f"urgency ({_listed([_quote(m) for m in by_group['urgency']], 2)}) with payment "
                         f"({_listed([_quote(m) for m in by_group['payment']], 2)})")
            used = used + by_group["urgency"] + by_group["payment"]
        if not parts:
            return []
        return [self._hit("scam_pattern", "looks like a scam: " + "; ".join(parts),
                          (m.text.span(m.i, m.j) for m in used))]

    def _contact(self, p: _Prepared) -> list[Hit]:
        if not self._w["contact_in_text"]:
            return []
        found: list[tuple[str, str, tuple[str, int, int]]] = []  # (kind, as written, span)
        for text in (p.title, p.description):
            s, taken = text.original, []
            low = s.lower()
            for kind, pattern in (
                ("e-mail address", _EMAIL if "@" in s else None),
                ("web address", _URL if "http" in low or "www." in low else None),
                ("web address", self._domain if self._dot_ending and self._dot_ending.search(s) else None),
                ("phone number", _PHONE if _SEVEN_DIGITS.search(s) else None),
            ):
                for m in pattern.finditer(s) if pattern else ():
                    if any(a < m.end() and m.start() < b for a, b in taken):
                        continue
                    taken.append(m.span())
                    found.append((kind, m.group(), (text.field, m.start(), m.end())))
        for m in p.matches or ():
            if m.group == "contact":
                span = m.text.span(m.i, m.j)
                found.append(("mention of", m.text.original[span[1]:span[2]], span))
        if not found:
            return []
        items = _listed([f"{kind} '{written}'" for kind, written, _ in found], 4)
        return [self._hit("contact_in_text", f"contact details in the ad text: {items}", (s for *_, s in found))]

    def _prices_of(self, ad: AdText) -> list[Hit]:
        rs, price = self.ruleset, ad.price_minor
        if price is None or price <= 0 or not (self._w["too_good_price"] or self._w["price_out_of_range"]):
            return []
        for group in _price_groups(ad):
            known = self._prices.get(group, ())
            if len(known) >= rs.min_known_prices:
                break
        else:
            return []
        fences = self._fences.get(group)
        if fences is None:
            q1, median, q3 = (_quantile(known, q) for q in (0.25, 0.5, 0.75))
            spread, least = rs.price_iqr_factor * (q3 - q1), math.log10(rs.price_min_ratio)
            fences = self._fences[group] = (min(q1 - spread, median - least), max(q3 + spread, median + least),
                                            q1, median, q3)
        low, high, q1, median, q3 = fences
        value = math.log10(price)
        if low <= value <= high:
            return []
        cur = ad.currency
        usual = (f"{' / '.join(group[1:])} (median {_money(10 ** median, cur)}, half of the {len(known)} known prices "
                 f"between {_money(10 ** q1, cur)} and {_money(10 ** q3, cur)})")
        if value < low and self._w["too_good_price"]:
            return [self._hit("too_good_price", f"price {_money(price, cur)} is far below the usual for {usual}")]
        if value > high and self._w["price_out_of_range"]:
            return [self._hit("price_out_of_range", f"price {_money(price, cur)} is far above the usual for {usual}")]
        return []

    def _duplicates(self, ad: AdText, p: _Prepared) -> list[Hit]:
        rs, w = self.ruleset, self._w
        if not (w["duplicate"] or w["near_duplicate"]):
            return []
        same: list[tuple[str, int, str]] = []  # (what, slot, detail)
        near: list[tuple[str, int, str]] = []
        tokens = p.tokens
        if len(tokens) >= rs.duplicate_min_words:
            exact, shingles = text_keys(tokens, rs.shingle_words)
            exact_slots = set(self._text_index.exact(exact))
            same += [("text", slot, "") for slot in exact_slots]
            if w["near_duplicate"]:
                near += [("text", slot, f"{j:.0%}") for slot, j in
                         self._text_index.similar(shingles, rs.near_duplicate_jaccard) if slot not in exact_slots]
        for n, img in enumerate(ad.images, 1):
            same_slots = set(self._image_index.same(image_key(img.sha256)))
            same += [(f"image {n}", slot, "") for slot in same_slots]
            phash = parse_phash(img.phash) if w["near_duplicate"] else None
            if phash is not None:
                near += [(f"image {n}", slot, f"{d} bits") for slot, d in self._image_index.near(phash)
                         if slot not in same_slots]
        out = []
        for rule, found in (("duplicate", same), ("near_duplicate", near)):
            found = [(what, slot, detail) for what, slot, detail in found
                     if self._ids[slot] is not None and self._ids[slot] != ad.ad_id]
            if found and w[rule]:
                out.append(self._duplicate_hit(rule, ad, found))
        return out

    def _duplicate_hit(self, rule: str, ad: AdText, found: list[tuple[str, int, str]]) -> Hit:
        parts, refs = [], []
        for own in (False, True):
            for what in dict.fromkeys(x[0] for x in found):
                slots = [(slot, detail) for x, slot, detail in found
                         if x == what and (self._advertisers[slot] == ad.advertiser_id) == own]
                if not slots:
                    continue
                ids = [self._ids[slot] or "" for slot, _ in slots]
                refs += ids
                ads = f"ad{'s' if len(set(ids)) > 1 else ''} {_listed(ids, 3)}"
                whose = f"the advertiser's own {ads} (a re-post)" if own else f"{ads} of another advertiser"
                if rule == "duplicate":
                    parts.append(f"{'same text' if what == 'text' else what + ' is the same file'} as {whose}")
                elif what == "text":
                    parts.append(f"text {slots[0][1]} the same as {whose}")
                else:
                    parts.append(f"{what} looks like the picture of {whose} ({slots[0][1]} apart)")
        return self._hit(rule, "; ".join(parts), refs=refs[:20])

    def _missing(self, ad: AdText) -> list[Hit]:
        rs = self.ruleset
        if not self._w["missing_details"]:
            return []
        parts, spans = [], []
        title, description = ad.title.strip(), ad.description.strip()
        if len(title) < rs.min_title_chars:
            parts.append(f"the title has {len(title)} characters (at least {rs.min_title_chars})")
            if title:
                spans.append(("title", 0, len(ad.title)))
        if len(description) < rs.min_description_chars:
            parts.append(f"the description has {len(description)} characters (at least {rs.min_description_chars})")
            if description:
                spans.append(("description", 0, len(ad.description)))
        exempt = ad.ad_type in rs.ad_types_without_price
        if ad.price_minor is None and ad.category in rs.categories_needing_price and not exempt:
            parts.append(f"no price ({ad.category} ads need one)")
        if not ad.images and ad.category in rs.categories_needing_images and not exempt:
            parts.append(f"no images ({ad.category} ads need them)")
        return [self._hit("missing_details", "; ".join(parts), spans)] if parts else []

    def _category(self, ad: AdText, p: _Prepared) -> list[Hit]:
        rs = self.ruleset
        if not self._w["category_mismatch"] or ad.category not in rs.category_keywords:
            return []
        by_cat: dict[str, dict[str, _Match]] = {}
        for m in p.matches or ():
            if m.group.startswith("category:"):
                by_cat.setdefault(m.group[9:], {}).setdefault(m.label, m)
        own = len(by_cat.get(ad.category, {}))
        other = max((c for c in by_cat if c != ad.category), key=lambda c: len(by_cat[c]), default=None)
        if other is None:
            return []
        found = list(by_cat[other].values())
        if len(found) < rs.category_min_hits or len(found) < rs.category_dominance * max(own, 1):
            return []
        own_words = f"; {own} {ad.category} word{'s' if own != 1 else ''}" if own else ""
        why = f"reads like {other} ({_listed([repr(m.label) for m in found])}){own_words}, not {ad.category}"
        return [self._hit("category_mismatch", why, (m.text.span(m.i, m.j) for m in found))]

    def _small(self, ad: AdText) -> list[Hit]:
        rs = self.ruleset
        if not self._w["small_images"]:
            return []
        short_min, long_min = sorted((rs.min_image_width, rs.min_image_height))
        small = [f"image {n} is {img.width}×{img.height} px" for n, img in enumerate(ad.images, 1)
                 if img.width is not None and img.height is not None
                 and (min(img.width, img.height) < short_min or max(img.width, img.height) < long_min)]
        if not small:
            return []
        return [self._hit("small_images", f"{_listed(small, 3)} (at least {long_min}×{short_min} px)")]

    def _shouting(self, p: _Prepared) -> list[Hit]:
        rs = self.ruleset
        if not self._w["shouting"]:
            return []
        parts, spans = [], []
        for text in (p.title, p.description):
            s = text.original
            if s.isascii():  # counted in C: the bytes left after deleting the others
                raw = s.encode()
                letters = len(raw.translate(None, _NOT_LETTERS))
                upper = len(raw.translate(None, _NOT_UPPER)) if letters >= rs.shouting_min_letters else 0
            else:
                letters = sum(map(str.isalpha, s))
                upper = sum(map(str.isupper, s)) if letters >= rs.shouting_min_letters else 0
            if letters >= rs.shouting_min_letters and upper / letters >= rs.shouting_caps_ratio:
                parts.append(f"the {text.field} is {upper / letters:.0%} capitals")
                spans.append((text.field, 0, len(s)))
        marks = p.title.original.count("!") + p.description.original.count("!")
        if marks >= rs.shouting_exclamations:
            parts.append(f"{marks} exclamation marks")
            spans += [(t.field, *m.span()) for t in (p.title, p.description) for m in _EXCLAIM.finditer(t.original)]
        return [self._hit("shouting", "shouting: " + ", ".join(parts), spans)] if parts else []


def _price_groups(ad: AdText) -> tuple[tuple[str, ...], ...]:
    """The groups whose prices an ad's price is compared with, most specific first."""
    cur = ad.currency.upper()
    if ad.subcategory:
        return (cur, ad.category, ad.subcategory), (cur, ad.category)
    return ((cur, ad.category),)


def _quantile(values: Sequence[float], q: float) -> float:
    pos = q * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)
