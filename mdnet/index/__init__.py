"""The SQLite cache of the vault (the only module that uses sqlite3)."""

from .store import DB_NAME, SCHEMA_VERSION, Index, IndexUnavailable, SyncStats, delete_index

__all__ = ["DB_NAME", "SCHEMA_VERSION", "Index", "IndexUnavailable", "SyncStats", "delete_index"]
