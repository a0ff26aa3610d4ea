"""The local SQLite store: paths, engine, migrations, backups, search."""

from .database import DatabaseDamaged, DatabaseTooNew, MigrationFailed, Store, StoreError, open_store
from .paths import DataPaths, resolve_data_dir

__all__ = ["DataPaths", "DatabaseDamaged", "DatabaseTooNew", "MigrationFailed", "Store", "StoreError", "open_store",
           "resolve_data_dir"]
