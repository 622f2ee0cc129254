"""The SQLite store: one file, WAL mode, one connection per thread, schema migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils

from state.files import make_private
from state.schema import CORE, LEGACY_ORDER, Migration


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """The state database. Safe to share between threads: each thread opens its own connection."""

    def __init__(self, path: str, migrations: Sequence[Migration] = ()) -> None:
        """`migrations`: the features' own, after the store's (features.registry.open_store
        passes them all)."""
        self.path = path
        if path != ":memory:":
            make_private(path)
        self._local = threading.local()
        self._wal_checked = False
        self._migrate([*CORE, *migrations])

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
    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT name FROM schema_migrations ORDER BY rowid")]

    def _migrate(self, migrations: Sequence[Migration]) -> None:
        names = [name for name, _ in migrations]
        if len(set(names)) != len(names):
            raise ValueError(f"two migrations share a name: {sorted(n for n in names if names.count(n) > 1)}")
        db = self.db
        with self.transaction():
            db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {r[0] for r in db.execute("SELECT name FROM schema_migrations")}
            if not done and "schema_version" in db.table_names():  # a database from before named migrations
                row = db.execute("SELECT version FROM schema_version").fetchone()
                for name in LEGACY_ORDER[: row[0] if row else 0]:
                    db.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, now_iso()])
                    done.add(name)
            for name, migrate in migrations:
                if name not in done:
                    migrate(db)
                    db.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, now_iso()])
