"""The HTTP routes of the sync API (all under /api/v1)."""
