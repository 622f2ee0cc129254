"""The SQLite store: one file, WAL mode, one connection per thread, schema migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils

from state.files import make_private
from state.schema import MIGRATIONS


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """The state database. Safe to share between threads: each thread opens its own connection."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            make_private(path)
        self._local = threading.local()
        self._wal_checked = False
        self._migrate()

    @property
    def db(self) -> sqlite_utils.Database:
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            if not self._wal_checked:  # persistent in the file: once per process is enough
                conn.execute("PRAGMA journal_mode = WAL")
                self._wal_checked = True
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            db = sqlite_utils.Database(conn)
            self._local.db = db
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """BEGIN IMMEDIATE ... COMMIT: a read-modify-write that no other writer interleaves."""
        db = self.db
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.execute("ROLLBACK")
            raise
        else:
            db.conn.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    @property
    def schema_version(self) -> int:
        row = self.db.execute("SELECT version FROM schema_version").fetchone()
        return row[0] if row else 0

    def _migrate(self) -> None:
        db = self.db
        with self.transaction():
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            current = row[0] if row else 0
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (0)")
            for version, migrate in enumerate(MIGRATIONS, start=1):
                if version > current:
                    migrate(db)
                    db.execute("UPDATE schema_version SET version = ?", [version])
