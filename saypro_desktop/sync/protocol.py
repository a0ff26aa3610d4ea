"""What the desktop and the server agree on: versions, limits, and how column values travel as JSON.

Shared by ``saypro_desktop.sync`` and ``saypro_server`` (no Qt, no HTTP here). See docs/SYNC_PROTOCOL.md.
"""

from __future__ import annotations

from ..models import SYNCED_MODELS
from ..models.codec import ProtocolError, columns, decode, decode_fields, encode

__all__ = [  # the codec is part of what both sides agree on
    "APPEND_ONLY_TABLES", "AUTHOR_FIELDS", "CONFLICT_TEXT_FIELDS", "DEFAULT_PULL_BYTES", "INITIAL_VALUES",
    "LEASE_COUNT", "MAX_BATCH", "MAX_BODY_BYTES", "PERSONAL_FIELDS", "PROTOCOL_VERSION", "SPECS", "ProtocolError",
    "columns", "decode", "decode_fields", "encode",
]

PROTOCOL_VERSION = 2  # 2: device keys at sign-in; pushes name their outbox and the oldest change held
MAX_BATCH = 200  # mutations per push
MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_PULL_BYTES = 1024 * 1024  # uncompressed; ~100 KB with zstd: few round trips on a slow line
LEASE_COUNT = 200

# Derived from each synced model's ``__sync__`` declaration (models/sync_spec.py).
SPECS = {name: model.__sync__ for name, model in SYNCED_MODELS.items()}
# Text fields where two edits keep both: the loser is stored as a conflict to settle.
CONFLICT_TEXT_FIELDS: dict[str, frozenset[str]] = {n: s.conflict_text for n, s in SPECS.items() if s.conflict_text}
# Fields of another person's details, withheld from roles without VIEW_PERSONAL_DETAILS.
PERSONAL_FIELDS: dict[str, frozenset[str]] = {n: s.personal for n, s in SPECS.items() if s.personal}
# Who wrote a row. The server records the signed-in user there, unless the role may import (imports and a
# standalone desktop's history name the staff who did the work).
AUTHOR_FIELDS: dict[str, str] = {n: s.author for n, s in SPECS.items() if s.author}
APPEND_ONLY_TABLES = frozenset(n for n, s in SPECS.items() if s.append_only)


def _initial(model: type, name: str) -> object:
    default = model.__table__.columns[name].default
    return default.arg if default is not None and default.is_scalar else None


# What a new row may hold in a field that needs its own permission (``field_permissions``) without that
# permission: its column's default (an inquiry is New, an ad pending). Empty values are always allowed.
INITIAL_VALUES: dict[str, dict[str, object]] = {
    n: {f: _initial(SYNCED_MODELS[n], f) for f in s.field_permissions} for n, s in SPECS.items() if s.field_permissions}
