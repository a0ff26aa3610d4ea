"""Indexes of known ads for the duplicate rules, and the perceptual hash of an image.

Text: the words' n-word shingles are hashed to 64 bits. A one-permutation MinHash (Li, Owen & Zhang 2012: one hash
per shingle, binned; empty bins filled by "optimal densification", Shrivastava 2017, so that two texts agree on a bin
with probability equal to their Jaccard overlap even when they have fewer shingles than bins) gives bands x rows
values; each band is a key of an LSH table, so a query looks up ``bands`` keys instead of comparing every known ad.
Candidates are confirmed with their Jaccard overlap, computed on 2,048-bit sets of the shingles (~290 bytes an ad).
Images: a 64-bit difference hash (dHash) made with Pillow, near pictures found by multi-index hashing (ImageIndex).
The big tables are hash tables in arrays of 8-byte entries rather than dicts (PackedMultimap): 50,000 ads make ~1.6
million entries, 27 MiB of tables instead of ~110 MiB of dicts.

No new dependency: datasketch and imagehash need numpy and scipy (tens of MB more in the Windows bundle) for what
takes ~250 lines here, and rapidfuzz compares two strings but does not index; a classic MinHash computes K hashes per
shingle, too slow in pure Python, the one-permutation MinHash one.
"""

from __future__ import annotations

import functools
import io
import itertools
import operator
import os
import random
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["ImageIndex", "PackedMultimap", "TextIndex", "hamming", "image_key", "image_phash", "parse_phash",
           "text_keys"]

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1
_EMPTY = 1 << 40
_GOLDEN = 0x9E3779B97F4A7C15
_MAX_CANDIDATES = 400  # boilerplate shared by thousands of ads must not make a query compare them all
_BUCKET_NEWEST = 16  # of a band bucket or exact text shared by more ads, only the newest ones are candidates
_ENOUGH = 12  # similar texts reported at most (a rule names a few; a text posted 200 times need not list them all)


def text_keys(tokens: Sequence[str], shingle_words: int) -> tuple[int, list[int]]:
    """(the key of the exact word sequence, the 64-bit hashes of its distinct shingles). Words are hashed with
    CRC-32 so that keys are the same in every process (Python's str hash is salted per process)."""
    ids = [zlib.crc32(t.encode()) for t in tokens]
    exact = hash(tuple(ids)) & _M64
    if len(ids) <= shingle_words:
        return exact, [exact] if ids else []
    grams = zip(*(ids[i:] for i in range(shingle_words)), strict=False)
    return exact, list({hash(g) & _M64 for g in grams})


class PackedMultimap:
    """int key -> int values in one array of 8-byte entries (a dict costs ~70 bytes an entry): an open-addressing
    hash table of ``key << value_bits | value`` with linear probing, at most half full. A key keeps at most 4 values
    in the table, the rest in a dict, so that a key shared by hundreds of ads (a text posted again and again) does
    not make one long run every other lookup must step over. Keys are cut to ``63 - value_bits`` bits, so a caller
    that cannot afford a rare false match checks what it gets."""

    _IN_TABLE = 4

    def __init__(self, value_bits: int) -> None:
        self._shift, self._value_mask = value_bits, (1 << value_bits) - 1
        self._key_mask = (1 << (63 - value_bits)) - 1
        self._key_top = 1 << (63 - value_bits)  # set in every stored key, so that no entry is 0 (empty)
        self._table = array("Q", bytes(8 * 1024))
        self._n = 0  # entries in the table
        self._more: dict[int, list[int]] = {}  # key -> its values past the first four

    def __len__(self) -> int:
        return self._n + sum(map(len, self._more.values()))

    def add(self, key: int, value: int) -> None:
        if not 0 <= value <= self._value_mask:
            raise ValueError(f"a value must be from 0 to {self._value_mask}, got {value}")
        key = (key & self._key_mask) | self._key_top
        if 2 * (self._n + 1) > len(self._table):
            old, self._table = self._table, array("Q", bytes(16 * len(self._table)))
            for entry in old:
                if entry:
                    self._put(entry)
        table, mask, shift = self._table, len(self._table) - 1, self._shift
        i, held = (key * _GOLDEN >> 20) & mask, 0
        while entry := table[i]:
            held += entry >> shift == key
            i = (i + 1) & mask
        if held >= self._IN_TABLE:
            self._more.setdefault(key, []).append(value)
        else:
            table[i] = (key << shift) | value
            self._n += 1

    def _put(self, entry: int) -> None:
        table, mask = self._table, len(self._table) - 1
        i = ((entry >> self._shift) * _GOLDEN >> 20) & mask
        while table[i]:
            i = (i + 1) & mask
        table[i] = entry

    def get(self, key: int, newest: int | None = None) -> list[int]:
        return self.count_values((key,), newest=newest)

    def count_values(self, keys: Iterable[int], counts: dict[int, int] | None = None,
                     newest: int | None = None) -> list[int]:
        """The values of all the keys; with ``counts``, also how many of the keys hold each value. ``newest``: of
        a key holding more values, only the last ``newest`` added (a crowded key is boilerplate: walking its
        thousands of values for every query made scoring three times slower on template-heavy ads)."""
        table, mask, shift, value_mask = self._table, len(self._table) - 1, self._shift, self._value_mask
        key_mask, key_top, more, out = self._key_mask, self._key_top, self._more, []
        for key in keys:
            key = (key & key_mask) | key_top
            i = (key * _GOLDEN >> 20) & mask  # keys need not be random: pieces of image hashes are small numbers
            found = len(out)
            while entry := table[i]:
                if entry >> shift == key:
                    out.append(entry & value_mask)
                i = (i + 1) & mask
            if more and len(out) - found == self._IN_TABLE:
                aside = more.get(key, ())
                if newest is not None and self._IN_TABLE + len(aside) > newest:
                    # the table holds a key's first values, the list aside the later ones in order
                    del out[found + max(0, newest - len(aside)):]
                    out += aside[len(aside) - min(newest, len(aside)):]
                else:
                    out += aside
            if counts is not None:
                for value in out[found:]:
                    counts[value] = counts.get(value, 0) + 1
        return out


class TextIndex:
    """Known texts by exact key and by MinHash bands. Slots are the caller's numbers of its known ads, added in
    increasing order."""

    def __init__(self, bands: int, rows: int) -> None:
        self.bands, self.rows, self.bins = bands, rows, bands * rows
        self._salts = [(i + 1) * 0x9E3779B97F4A7C15 & _M64 for i in range(bands)]
        order = random.Random(self.bins)
        self._donors = [order.sample([j for j in range(self.bins) if j != i], self.bins - 1) for i in range(self.bins)]
        self._exact = PackedMultimap(value_bits=28)
        self._exact_of = array("Q")  # slot -> its whole exact key (0: removed), as the table's keys are cut
        self._lsh = PackedMultimap(value_bits=28)
        self._bits: list[int] = []  # slot -> its shingles as a 2,048-bit set (0: none)
        self._sizes = array("H")  # slot -> bits set in it

    def add(self, slot: int, exact: int, shingles: Iterable[int]) -> None:
        while len(self._bits) <= slot:
            self._bits.append(0)
            self._sizes.append(0)
            self._exact_of.append(0)
        shingles = list(shingles)
        self._exact.add(exact, slot)
        self._exact_of[slot] = exact
        for key in self._band_keys(shingles):
            self._lsh.add(key, slot)
        self._bits[slot] = _bitset(shingles)
        self._sizes[slot] = self._bits[slot].bit_count()

    def remove(self, slot: int) -> None:
        """Forget a slot: it is never found again (its table entries stay; they are small)."""
        if slot < len(self._bits):
            self._bits[slot] = self._sizes[slot] = self._exact_of[slot] = 0

    def exact(self, exact: int) -> list[int]:
        return [slot for slot in self._exact.get(exact, newest=_BUCKET_NEWEST) if self._exact_of[slot] == exact]

    def similar(self, shingles: Sequence[int], min_jaccard: float) -> list[tuple[int, float]]:
        """Known slots whose shingles overlap at least ``min_jaccard`` (most similar first; at most 12)."""
        counts = Counter(self._lsh.count_values(self._band_keys(shingles), newest=_BUCKET_NEWEST))
        order: Iterable[int] = counts
        if len(counts) > _ENOUGH:  # the ones sharing most bands first, as their overlap is likely the highest
            order = [slot for slot, _ in counts.most_common(_MAX_CANDIDATES)]
        query = _bitset(shingles)
        size = query.bit_count()
        smallest, largest = size * min_jaccard, size / min_jaccard  # sizes that can still overlap enough
        out: list[tuple[int, float]] = []
        bits, sizes = self._bits, self._sizes
        for checked, slot in enumerate(order):
            if len(out) >= _ENOUGH or checked >= _MAX_CANDIDATES:
                break
            known = sizes[slot]
            if not smallest <= known <= largest:
                continue
            common = (query & bits[slot]).bit_count()
            jaccard = common / (size + known - common)
            if jaccard >= min_jaccard:
                out.append((slot, jaccard))
        out.sort(key=lambda sj: -sj[1])
        return out

    def _band_keys(self, shingles: Sequence[int]) -> list[int]:
        if not shingles:
            return []
        bins = self.bins
        mins = [_EMPTY] * bins
        for h in shingles:
            b = (h >> 32) % bins
            if (h & _M32) < mins[b]:
                mins[b] = h & _M32
        if _EMPTY in mins:  # an empty bin borrows the value of the first filled bin of its own fixed random order
            filled = mins[:]
            for i, value in enumerate(filled):
                if value == _EMPTY:
                    for j in self._donors[i]:
                        if filled[j] != _EMPTY:
                            mins[i] = filled[j]
                            break
        values = tuple(mins)
        r = self.rows
        return [hash(values[i * r:(i + 1) * r]) ^ salt for i, salt in enumerate(self._salts)]


def _bitset(shingles: Iterable[int]) -> int:
    """The shingles as a 2,048-bit set: a Jaccard overlap is then two popcounts. Collisions make it read a little
    high for long texts (+0.02 at 150 shingles and 0.5 overlap): fine for a flag a moderator reads."""
    return functools.reduce(operator.or_, (1 << (h >> 53) for h in shingles), 0)


# --- images ----------------------------------------------------------------------------------------------------------


def image_key(sha256: str) -> int:
    """A 64-bit key of an image's SHA-256 (hex)."""
    try:
        return int(sha256[:16], 16)
    except ValueError:
        return zlib.crc32(sha256.encode())  # not hex: still a key of its own


def parse_phash(text: str | None) -> int | None:
    """A 64-bit perceptual hash from hex, or None when absent, not 64-bit hex, or uninformative (a picture of
    one colour hashes to nearly all zeros, and would match every other such picture)."""
    if not text or len(text) > 16:
        return None
    try:
        value = int(text, 16)
    except ValueError:
        return None
    return value if 4 <= value.bit_count() <= 60 else None


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


class ImageIndex:
    """Known images by SHA-256 and by 64-bit perceptual hash within ``max_distance`` bits.

    The hash is cut into ``max_distance + 1`` pieces: two hashes that close agree on at least one piece (pigeonhole),
    so a query reads the images filed under each of its pieces. With 3 bits, 4 pieces of 16 bits: 150,000 images
    leave ~2 under a piece. 4 and 5 bits cut 13 and 11-bit pieces, ~20 and ~70 images to compare each: slower."""

    def __init__(self, max_distance: int) -> None:
        self.max_distance = max_distance
        pieces = max_distance + 1
        bounds = [round(64 * i / pieces) for i in range(pieces + 1)]
        self._pieces = [(lo, (1 << (hi - lo)) - 1) for lo, hi in itertools.pairwise(bounds)]
        self._by_piece = PackedMultimap(value_bits=28)  # (piece number << 32 | piece) -> image
        self._by_sha = PackedMultimap(value_bits=28)  # cut SHA-256 key -> image
        self._sha = array("Q")  # image -> its whole SHA-256 key, as the table's keys are cut
        self._hash = array("Q")  # image -> perceptual hash (0: none)
        self._slot = array("Q")  # image -> slot

    def add(self, slot: int, sha_key: int, phash: int | None) -> None:
        image = len(self._slot)
        self._by_sha.add(sha_key, image)
        self._sha.append(sha_key)
        self._hash.append(phash or 0)
        self._slot.append(slot)
        if phash is not None:
            for key in self._keys(phash):
                self._by_piece.add(key, image)

    def _keys(self, phash: int) -> list[int]:
        return [(i << 32) | ((phash >> shift) & mask) for i, (shift, mask) in enumerate(self._pieces)]

    def same(self, sha_key: int) -> list[int]:
        return [self._slot[image] for image in self._by_sha.get(sha_key) if self._sha[image] == sha_key]

    def near(self, phash: int) -> list[tuple[int, int]]:
        """(slot, bits apart) of the known images within ``max_distance`` bits, nearest first."""
        found: dict[int, int] = {}
        for image in set(self._by_piece.count_values(self._keys(phash))):
            distance = (self._hash[image] ^ phash).bit_count()
            if distance <= self.max_distance:
                slot = self._slot[image]
                found[slot] = min(distance, found.get(slot, 64))
        return sorted(found.items(), key=lambda sd: sd[1])


def image_phash(source: str | os.PathLike[str] | bytes) -> tuple[str, int, int]:
    """(64-bit dHash as 16 hex digits, width, height) of an image file or its bytes, as shown (EXIF rotation
    applied). Raises ValueError when Pillow cannot read it."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # only the import service needs Pillow here

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes | bytearray) else source) as img:
            width, height = img.size
            if img.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # rotated by 90 degrees when shown
                width, height = height, width
            img.draft("L", (72, 64))  # JPEG: decode at a fraction of the size, enough for 9 x 8 pixels
            small = ImageOps.exif_transpose(img).convert("L").resize((9, 8), Image.Resampling.LANCZOS)
    except FileNotFoundError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValueError(f"not an image that can be read: {exc}") from exc
    px = small.tobytes()
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (px[row * 9 + col] > px[row * 9 + col + 1])
    return f"{bits:016x}", width, height
