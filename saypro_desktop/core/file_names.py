"""A file name that came from elsewhere (a synced attachment row) made safe to join to a folder of ours.

An attachment's name travels with its row from other desktops; opening or saving the file must never use it
as a path. ``safe_file_name`` keeps only a plain base name that is valid on Windows and elsewhere. Pure
functions: no file system, no Qt.
"""

from __future__ import annotations

import re
import unicodedata

FALLBACK_NAME = "attachment"
MAX_NAME_CHARS = 120  # well under every file system's 255, leaving room for the folder on Windows' 260
_MAX_NAME_BYTES = 240  # UTF-8, for file systems that count bytes
_MAX_SUFFIX_CHARS = 16  # an extension longer than this is not kept apart when the name is shortened
_DRIVE = re.compile(r"^[A-Za-z]:")
_FORBIDDEN = re.compile(r'[<>:"|?*]')  # Windows refuses these in a name (":" also names drives and streams)
# Device names Windows reserves with any extension (CON, con.txt, Com1.pdf …).
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$",
                       *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10)),
                       *(f"COM{d}" for d in "¹²³"), *(f"LPT{d}" for d in "¹²³")})
# Control and format characters (incl. right-to-left overrides that disguise an extension), line separators.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _shorten(name: str) -> str:
    def fits(text: str) -> bool:
        return len(text) <= MAX_NAME_CHARS and len(text.encode("utf-8")) <= _MAX_NAME_BYTES

    if fits(name):
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem or len(suffix) > _MAX_SUFFIX_CHARS:
        stem, suffix = name, ""
    else:
        suffix = "." + suffix
    while stem and not fits(stem + suffix):
        stem = stem[:-1]
    return (stem.rstrip(" .") + suffix) if stem.rstrip(" .") else suffix.lstrip(".")


def safe_file_name(name: object, fallback: str = FALLBACK_NAME) -> str:
    """A plain file name from ``name``: its last path part only (``/`` and ``\\`` both split), without control
    characters, without a drive letter, without ``<>:"|?*`` (streams), without leading dots or trailing dots and
    spaces, never a Windows device name (``CON`` becomes ``_CON``), at most ``MAX_NAME_CHARS`` characters
    (the extension kept); ``fallback`` when nothing is left. The result never names a folder above or
    beside the one it is joined to."""
    text = "".join(ch for ch in str(name or "") if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    parts = [p for p in re.split(r"[/\\]", text) if p.strip(" .")]
    base = parts[-1] if parts else ""
    base = _DRIVE.sub("", base.strip(" "))  # "C:name" is a name on drive C: keep the name
    base = _FORBIDDEN.sub("_", base).strip(" ").lstrip(".").rstrip(" .")
    if not base:
        return fallback
    base = _shorten(base)
    if base.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        base = _shorten("_" + base)
    return base or fallback
