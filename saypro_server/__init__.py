"""SayPro Desk central server: the sync API (auth, push/pull, ID leases, blobs, conflicts, ad moderation) and
the classified site's API (ads, reports, the moderation feed) over one database.

Imports only the UI-free parts of ``saypro_desktop`` (core, models, sync.protocol). See docs/SYNC_PROTOCOL.md and
docs/SITE_API.md.
"""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("saypro-desk")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
