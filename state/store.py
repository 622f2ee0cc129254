"""The SQLite store: one file, WAL mode, one connection per thread, schema migrations."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils

from state.files import make_private
from state.schema import CORE, LEGACY_ORDER, Migration


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# How many SQLite virtual-machine steps run between two looks at a deadline (see Store.within):
# the small reads of an answer never reach it, a runaway query is stopped within milliseconds.
PROGRESS_STEPS = 100_000


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
            db = self._local.db = self._connect(busy_timeout_ms=30000)
        return db

    def _connect(self, *, busy_timeout_ms: int) -> sqlite_utils.Database:
        conn = sqlite3.connect(self.path, timeout=busy_timeout_ms / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if not self._wal_checked:  # persistent in the file: once per process is enough
            conn.execute("PRAGMA journal_mode = WAL")
            self._wal_checked = True
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        return sqlite_utils.Database(conn)

    @contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        """Work on this thread's state that must finish in `seconds` (an answer given inside
        Slack's ack). It runs on a second connection of this thread that waits for a lock at
        most `seconds` and whose statements are interrupted past the deadline; `overran()` then
        tells the caller to answer later instead. Costs nothing per call: the connection is made
        once per thread, and the deadline is read only every PROGRESS_STEPS statement steps."""
        quick = getattr(self._local, "quick", None)
        if quick is None or self._local.quick_budget != seconds:
            if quick is not None:
                quick.conn.close()
            quick = self._local.quick = self._connect(busy_timeout_ms=seconds * 1000)
            self._local.quick_budget = seconds
            local = self._local
            quick.conn.set_progress_handler(
                lambda: local.deadline is not None and time.monotonic() > local.deadline, PROGRESS_STEPS)
        usual = getattr(self._local, "db", None)
        self._local.db, self._local.deadline = quick, time.monotonic() + seconds
        try:
            yield
        finally:
            self._local.db, self._local.deadline = usual, None

    def overran(self) -> bool:
        """Inside `within`: whether its deadline has passed (a lock wait or a statement was cut
        short, or is about to be)."""
        deadline = getattr(self._local, "deadline", None)
        return deadline is not None and time.monotonic() >= deadline

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
        for name in ("db", "quick"):
            db = getattr(self._local, name, None)
            if db is not None:
                db.conn.close()
                setattr(self._local, name, None)

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
