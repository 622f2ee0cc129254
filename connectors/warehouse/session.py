"""A warehouse session: the DSN, a small pool of psycopg connections, and the translation of
psycopg's errors into ours (never carrying the password). `WarehouseConnector` adds the
operations on top."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self
from urllib.parse import quote

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from connectors.warehouse.dialect import DIALECTS, Dialect, dialect_for_version
from connectors.warehouse.errors import AuthError, TableNotFound, Unreachable, WarehouseError
from connectors.warehouse.results import Column

#: Idle connections kept for reuse; concurrent callers each get their own connection.
MAX_IDLE_CONNECTIONS = 8


class WarehouseSession:
    """Connections to one warehouse database, borrowed per call from a small pool.

    Thread-safe: concurrent callers (both sides of a compare, parallel ranges) each get their
    own connection. Use as a context manager or call close().
    """

    def __init__(
        self,
        dsn: str,
        *,
        connect_timeout: int = 10,
        statement_timeout_s: float | None = None,
        dialect: str | None = None,
    ) -> None:
        try:
            params = conninfo_to_dict(dsn)
        except psycopg.ProgrammingError:
            raise WarehouseError("the warehouse connection string is not valid") from None
        self._dsn = dsn
        self._password = str(params.get("password") or "")
        host = params.get("host") or "localhost"
        port = params.get("port") or "5432"
        self.database = str(params.get("dbname") or params.get("user") or "")
        self.user = str(params.get("user") or "")
        self.where = f"{host}:{port}/{self.database}"
        self.connect_timeout = connect_timeout
        self.statement_timeout_s = statement_timeout_s
        if dialect is not None and dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {dialect!r}: one of {sorted(DIALECTS)}")
        self._dialect: Dialect | None = DIALECTS[dialect] if dialect else None
        self._version: str | None = None
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        # The catalog's answers to columns(), for resolving plain column names to types.
        self._columns_cache: dict[tuple[str, str], list[Column]] = {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.user}@{self.where})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- connections and errors ----------------------------------------------------------------

    def _mask(self, text: str) -> str:
        if self._password:
            for secret in {self._password, quote(self._password, safe="")}:
                text = text.replace(secret, "***")
        return text

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self._dsn, connect_timeout=self.connect_timeout, autocommit=True)
        except psycopg.OperationalError as exc:
            raise self._connect_error(exc) from None
        try:
            if self.statement_timeout_s:
                conn.execute(f"SET statement_timeout = {int(self.statement_timeout_s * 1000)}")
            if self._version is None:
                row = conn.execute("SELECT version()").fetchone()
                self._version = str(row[0]) if row else ""
                if self._dialect is None:
                    self._dialect = dialect_for_version(self._version)
        except psycopg.Error as exc:
            conn.close()
            raise self._error(exc, "setting up the session") from None
        return conn

    def _connect_error(self, exc: psycopg.OperationalError) -> WarehouseError:
        text = self._mask(str(exc)).strip()
        lowered = text.lower()
        if (
            getattr(exc, "sqlstate", None) in ("28P01", "28000")
            or "password authentication failed" in lowered
            or "authentication failed" in lowered
        ):
            return AuthError(
                f"the warehouse at {self.where} refused user {self.user!r}: wrong user name or password"
            )
        if "does not exist" in lowered and "database" in lowered:
            return WarehouseError(f"the database {self.database!r} does not exist at {self.where}")
        # libpq: 'connection failed: connection to server at "h", port p failed: <reason>\n\t<hint>'
        reason = text.splitlines()[0].rsplit("failed: ", 1)[-1].strip() if text else "no answer"
        return Unreachable(f"cannot reach the warehouse at {self.where}: {reason}")

    def _error(self, exc: psycopg.Error, doing: str, table: str | None = None) -> WarehouseError:
        text = self._mask(str(exc)).strip().splitlines()
        first = text[0] if text else type(exc).__name__
        if isinstance(exc, (pg_errors.UndefinedTable, pg_errors.InvalidSchemaName)):
            return TableNotFound(f"table {table or '?'} does not exist in {self.where}")
        if isinstance(exc, pg_errors.QueryCanceled):
            return WarehouseError(f"{doing} on {self.where} was cancelled (statement timeout?): {first}")
        if isinstance(exc, pg_errors.InsufficientPrivilege):
            return WarehouseError(f"user {self.user!r} may not do this on {self.where}: {first}")
        if isinstance(exc, psycopg.OperationalError):
            return Unreachable(f"lost the connection to {self.where} while {doing}: {first}")
        return WarehouseError(f"{doing} failed on {self.where}: {first}")

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None or conn.closed:
            conn = self._connect()
        try:
            yield conn
        finally:
            reusable = (
                not conn.closed and not conn.broken and conn.info.transaction_status == TransactionStatus.IDLE
            )
            with self._lock:
                if reusable and len(self._idle) < MAX_IDLE_CONNECTIONS:
                    self._idle.append(conn)
                    conn = None
            if conn is not None:
                conn.close()

    def _run(
        self, query: sql.Composable | str, params: Sequence[Any] | None, doing: str, table: str | None = None,
        settings: dict[str, str] | None = None,
    ) -> list[tuple]:
        """`settings`: server settings for this statement alone (SET LOCAL in a transaction of
        its own; names and values are Ferry's, never a user's)."""
        with self._connection() as conn:
            try:
                if not settings:
                    cur = conn.execute(query, params)
                    return cur.fetchall() if cur.description is not None else []
                with conn.transaction():
                    for name, value in settings.items():
                        conn.execute(sql.SQL("SET LOCAL {} = {}").format(sql.Identifier(name), sql.Literal(value)))
                    cur = conn.execute(query, params)
                    return cur.fetchall() if cur.description is not None else []
            except psycopg.Error as exc:
                raise self._error(exc, doing, table) from None

    @property
    def dialect(self) -> Dialect:
        """The server's dialect (asks the server once, on first use)."""
        if self._dialect is None:
            with self._connection():
                pass
        assert self._dialect is not None
        return self._dialect
