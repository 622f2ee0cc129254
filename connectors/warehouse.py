"""The warehouse connector: Redshift in production, PostgreSQL in the sandbox, one code path.

Everything goes through psycopg 3 (the PostgreSQL wire protocol, which Redshift speaks). The
SQL sent is the subset both engines run; where they differ (hashing), a small `Dialect`
supplies each engine's expression, chosen from ``SELECT version()``.

Pushed-down checksums, the base of full compares::

    per row:    h = first 60 bits of MD5( v<col1> \\x1f v<col2> \\x1f n ... )    (BIGINT, >= 0)
                    each column rendered to stable text, prefixed 'v'; NULL becomes 'n'
    per range:  COUNT(*), SUM(h) over  lower <= key < upper               (DECIMAL, no overflow)

Redshift computes ``h`` with ``STRTOL(SUBSTRING(MD5(s), 1, 15), 16)``; PostgreSQL has no
STRTOL and uses ``CAST('x' || SUBSTRING(MD5(s), 1, 15) AS BIT(60))``. Both give the same
number for the same text, so a row hashes alike on either side.

Errors are typed (`AuthError`, `Unreachable`, `TableNotFound`, all `WarehouseError`) and never
carry the password. Results are plain Python values and dataclasses.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

#: Keys per query in fetch_rows (one query per batch, never one per key).
DEFAULT_FETCH_BATCH = 500
#: Idle connections kept for reuse; concurrent callers each get their own connection.
MAX_IDLE_CONNECTIONS = 8
#: Separates rendered columns in the hashed text (a control character no real value uses).
COLUMN_SEPARATOR = "\x1f"
#: Schemas that hold catalogs, never user tables (Redshift adds pg_internal, pg_automv, ...).
_SYSTEM_SCHEMA_PREFIXES = ("pg_", "information_schema")


# -- errors -------------------------------------------------------------------------------------


class WarehouseError(RuntimeError):
    """A warehouse operation failed; the message says what and where, never the password."""


class AuthError(WarehouseError):
    """The warehouse refused the user name or password."""


class Unreachable(WarehouseError):
    """The warehouse could not be reached (refused, timed out, unknown host, connection lost)."""


class TableNotFound(WarehouseError):
    """The schema or table does not exist."""


# -- plain results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column and its type as the catalog names it: 'bigint', 'numeric(12,2)',
    'character varying(256)', 'timestamp without time zone', 'date', 'boolean', ..."""

    name: str
    type: str
    nullable: bool = True


@dataclass(frozen=True)
class Checksum:
    """Rows in a key range and the sum of their row hashes (equal sums: equal ranges, with
    overwhelming probability)."""

    rows: int
    total: int


@dataclass(frozen=True)
class Ping:
    dialect: str
    version: str
    seconds: float


# -- table names --------------------------------------------------------------------------------


def parse_table(schema_table: str) -> tuple[str, str]:
    """``"schema.table"`` -> ``("schema", "table")``; a bare name is in ``public``.
    Double quotes protect dots and case: ``'"Odd.Schema"."T"'``."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    text = schema_table.strip()
    while i < len(text):
        ch = text[i]
        if ch == '"':
            if quoted and i + 1 < len(text) and text[i + 1] == '"':
                current.append('"')
                i += 1
            else:
                quoted = not quoted
        elif ch == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    if quoted or len(parts) > 2 or any(not p for p in parts):
        raise ValueError(f"not a table name: {schema_table!r} (expected schema.table)")
    return ("public", parts[0]) if len(parts) == 1 else (parts[0], parts[1])


def _name_part(name: str) -> str:
    """A schema or table name as parse_table reads it back (quoted only when it must be)."""
    return '"' + name.replace('"', '""') + '"' if ("." in name or '"' in name) else name


# -- dialects -----------------------------------------------------------------------------------


def _quote(name: str) -> str:
    return sql.Identifier(name).as_string(None)


@dataclass(frozen=True)
class Dialect:
    """What differs between Redshift and PostgreSQL in the SQL we send."""

    name: str
    #: The type values are cast to for hashing. Redshift's bare VARCHAR is VARCHAR(256) and
    #: would truncate; 65535 is its maximum.
    text_type: str = "VARCHAR"

    def render(self, column: Column | str) -> str:
        """SQL rendering `column` as text that is the same on Redshift and PostgreSQL for the
        same value (NULL stays NULL). No '%' in it: the SQL may be sent with parameters."""
        if isinstance(column, str):
            return f"CAST({_quote(column)} AS {self.text_type})"
        c = _quote(column.name)
        t = column.type.lower()
        as_text = f"CAST({c} AS {self.text_type})"
        if t.startswith(("numeric", "decimal")):
            # DECIMAL(12,2) and DECIMAL(14,4) render 1.5 as 1.50 and 1.5000: drop trailing zeros.
            return f"CASE WHEN POSITION('.' IN {as_text}) > 0 THEN RTRIM(RTRIM({as_text}, '0'), '.') ELSE {as_text} END"
        if (t.startswith("timestamp") and "with time zone" in t) or t == "timestamptz":
            return f"TO_CHAR({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
        if t.startswith("timestamp"):
            # TO_CHAR, not a cast: the cast's format follows the session's DateStyle.
            return f"TO_CHAR({c}, 'YYYY-MM-DD HH24:MI:SS.US')"
        if t == "date":
            return f"TO_CHAR({c}, 'YYYY-MM-DD')"
        if t in ("boolean", "bool"):
            return f"CASE WHEN {c} THEN '1' WHEN NOT {c} THEN '0' END"  # Redshift cannot cast BOOLEAN to text
        if t in ("character varying", "text") or t.startswith(("character varying(", "varchar")):
            return c
        if t.startswith(("character", "char", "bpchar")):
            return f"RTRIM({as_text})"  # CHAR(n) pads with blanks; the engines differ on keeping them
        # Integers, and the rest. Floats: their text is not guaranteed equal across engines.
        return as_text

    def row_text(self, columns: Sequence[Column | str]) -> str:
        """One text per row: each column rendered, 'v'-prefixed, NULL as 'n', separated."""
        if not columns:
            raise ValueError("hashing needs at least one column")
        sep = sql.Literal(COLUMN_SEPARATOR).as_string(None)
        return f" || {sep} || ".join(f"COALESCE('v' || {self.render(c)}, 'n')" for c in columns)

    def hash_expr(self, columns: Sequence[Column | str]) -> str:
        """A per-row hash (BIGINT in 0 .. 2**60-1) of `columns`, for use in SUM().
        Pass `Column`s (from `WarehouseConnector.columns`) for type-aware rendering; plain
        names are cast to VARCHAR as they are."""
        digest = f"SUBSTRING(MD5({self.row_text(columns)}), 1, 15)"
        if self.name == "redshift":
            return f"STRTOL({digest}, 16)"
        return f"CAST(CAST('x' || {digest} AS BIT(60)) AS BIGINT)"

    def sum_expr(self, hash_sql: str) -> str:
        """SUM of a hash expression that cannot overflow (Redshift's SUM(BIGINT) is BIGINT)."""
        if self.name == "redshift":
            return f"SUM(CAST({hash_sql} AS DECIMAL(38,0)))"
        return f"SUM({hash_sql})"  # PostgreSQL's SUM(BIGINT) is NUMERIC already

    def checksum_expr(self, columns: Sequence[Column | str]) -> str:
        return self.sum_expr(self.hash_expr(columns))


POSTGRESQL = Dialect("postgresql")
REDSHIFT = Dialect("redshift", text_type="VARCHAR(65535)")
DIALECTS = {d.name: d for d in (POSTGRESQL, REDSHIFT)}


def dialect_for_version(version: str) -> Dialect:
    """The dialect of a server from its ``SELECT version()`` text."""
    return REDSHIFT if "redshift" in version.lower() else POSTGRESQL


# -- key ranges ---------------------------------------------------------------------------------


def _key_tuple(key: Any, width: int) -> tuple:
    values = tuple(key) if isinstance(key, (tuple, list)) else (key,)
    if len(values) != width:
        raise ValueError(f"key {key!r} has {len(values)} values, expected {width}")
    return values


def _bound(key_cols: Sequence[str], values: tuple, op: str, last_op: str) -> sql.Composable:
    """Lexicographic comparison of a composite key, spelled out (no row constructors, which
    Redshift does not compare): (a, b) >= (x, y)  ==  a > x OR (a = x AND b >= y)."""
    col = sql.Identifier(key_cols[0])
    if len(key_cols) == 1:
        return sql.SQL("{} {} {}").format(col, sql.SQL(last_op), sql.Literal(values[0]))
    rest = _bound(key_cols[1:], values[1:], op, last_op)
    return sql.SQL("({c} {op} {v} OR ({c} = {v} AND {rest}))").format(
        c=col, op=sql.SQL(op), v=sql.Literal(values[0]), rest=rest
    )


def key_range(key_cols: Sequence[str], lower: Any = None, upper: Any = None) -> sql.Composable:
    """``lower <= key < upper`` (either side optional) as a WHERE fragment with literals."""
    parts: list[sql.Composable] = []
    if lower is not None:
        parts.append(_bound(key_cols, _key_tuple(lower, len(key_cols)), ">", ">="))
    if upper is not None:
        parts.append(_bound(key_cols, _key_tuple(upper, len(key_cols)), "<", "<"))
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")


# -- the connector ------------------------------------------------------------------------------


class WarehouseConnector:
    """One warehouse database (a Redshift database, or a sandbox PostgreSQL database).

    Thread-safe: each call borrows a connection from a small pool, so concurrent callers
    (both sides of a compare, parallel ranges) run concurrently. Use as a context manager or
    call close().
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
        self._columns_cache: dict[tuple[str, str], list[Column]] = {}

    def __repr__(self) -> str:
        return f"WarehouseConnector({self.user}@{self.where})"

    def __enter__(self) -> WarehouseConnector:
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
        self, query: sql.Composable | str, params: Sequence[Any] | None, doing: str, table: str | None = None
    ) -> list[tuple]:
        with self._connection() as conn:
            try:
                cur = conn.execute(query, params)
                return cur.fetchall() if cur.description is not None else []
            except psycopg.Error as exc:
                raise self._error(exc, doing, table) from None

    # -- public operations ---------------------------------------------------------------------

    @property
    def dialect(self) -> Dialect:
        """The server's dialect (asks the server once, on first use)."""
        if self._dialect is None:
            with self._connection():
                pass
        assert self._dialect is not None
        return self._dialect

    def ping(self) -> Ping:
        """Connect and run a trivial query; raises AuthError / Unreachable on failure."""
        began = time.monotonic()
        self._run("SELECT 1", None, "ping")
        return Ping(self.dialect.name, self._version or "", time.monotonic() - began)

    def tables(self, schema: str | None = None) -> list[str]:
        """User tables as sorted ``schema.table`` names (of one schema, or all)."""
        query = sql.SQL(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
        )
        if schema is not None:
            query += sql.SQL(" AND table_schema = {}").format(sql.Literal(schema))
        rows = self._run(query + sql.SQL(" ORDER BY 1, 2"), None, "listing tables")
        return [
            f"{_name_part(s)}.{_name_part(t)}"
            for s, t in rows
            if not str(s).startswith(_SYSTEM_SCHEMA_PREFIXES)
        ]

    def table_exists(self, schema_table: str) -> bool:
        schema, table = parse_table(schema_table)
        rows = self._run(
            sql.SQL(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = {} AND table_name = {}"
            ).format(sql.Literal(schema), sql.Literal(table)),
            None,
            "looking up a table",
        )
        return bool(rows)

    def columns(self, schema_table: str) -> list[Column]:
        """The table's columns in order; TableNotFound when it does not exist."""
        schema, table = parse_table(schema_table)
        rows = self._run(
            sql.SQL(
                "SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,"
                " is_nullable FROM information_schema.columns WHERE table_schema = {} AND table_name = {}"
                " ORDER BY ordinal_position"
            ).format(sql.Literal(schema), sql.Literal(table)),
            None,
            "reading columns",
        )
        if not rows:
            raise TableNotFound(f"table {schema}.{table} does not exist in {self.where}")
        result = []
        for name, data_type, length, precision, scale, nullable in rows:
            type_ = str(data_type)
            if type_ in ("numeric", "decimal") and precision is not None:
                type_ = f"{type_}({precision},{scale or 0})"
            elif length is not None and type_ in ("character varying", "character"):
                type_ = f"{type_}({length})"
            result.append(Column(str(name), type_, str(nullable).upper() == "YES"))
        self._columns_cache[(schema, table)] = result
        return result

    def _typed(self, schema_table: str, names: Sequence[Column | str]) -> list[Column]:
        """Resolve plain column names to Columns (types from the catalog, cached)."""
        if all(isinstance(c, Column) for c in names):
            return list(names)  # type: ignore[arg-type]
        key = parse_table(schema_table)
        known = self._columns_cache.get(key) or self.columns(schema_table)
        by_name = {c.name: c for c in known}
        out = []
        for c in names:
            if isinstance(c, Column):
                out.append(c)
            elif c in by_name:
                out.append(by_name[c])
            else:
                raise WarehouseError(f"column {c!r} does not exist in {schema_table} at {self.where}")
        return out

    @staticmethod
    def _where(*parts: sql.Composable | str | None) -> sql.Composable:
        chosen = [
            sql.SQL("(") + (sql.SQL(p) if isinstance(p, str) else p) + sql.SQL(")")
            for p in parts
            if p is not None
        ]
        return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(chosen) if chosen else sql.SQL("")

    def count(self, schema_table: str, where: str | None = None, params: Sequence[Any] | None = None) -> int:
        """``COUNT(*)``, optionally under a filter. `where` is SQL from the operator's
        configuration (e.g. a watermark); with `params` use %s placeholders in it."""
        query = sql.SQL("SELECT COUNT(*) FROM {}").format(
            sql.Identifier(*parse_table(schema_table))
        ) + self._where(where)
        return int(self._run(query, params, f"counting {schema_table}", schema_table)[0][0])

    def fetch_rows(
        self,
        schema_table: str,
        key_cols: Sequence[str],
        keys: Iterable[Any],
        columns: Sequence[str],
        *,
        batch_size: int = DEFAULT_FETCH_BATCH,
    ) -> list[tuple]:
        """The rows whose key is in `keys`, batched (one query per `batch_size` keys).

        Each row is ``(*key values, *column values)``; keys are tuples (or plain values for a
        one-column key). Missing keys are simply absent; a duplicated key comes back twice.
        Rows are in key order within a batch, batches in the order of `keys`.
        """
        if not key_cols:
            raise ValueError("fetch_rows needs at least one key column")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        table = sql.Identifier(*parse_table(schema_table))
        select = sql.SQL(", ").join(sql.Identifier(c) for c in [*key_cols, *columns])
        order = sql.SQL(", ").join(sql.Identifier(c) for c in key_cols)
        batch: list[tuple] = []
        rows: list[tuple] = []

        def flush() -> None:
            if len(key_cols) == 1:
                cond = sql.SQL("{} IN ({})").format(
                    sql.Identifier(key_cols[0]), sql.SQL(", ").join(sql.Literal(k[0]) for k in batch)
                )
            else:  # (a = x AND b = y) OR ...: runs on both engines
                cond = sql.SQL(" OR ").join(
                    sql.SQL("(")
                    + sql.SQL(" AND ").join(
                        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Literal(v))
                        for c, v in zip(key_cols, k, strict=True)
                    )
                    + sql.SQL(")")
                    for k in batch
                )
            query = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(select, table, cond, order)
            rows.extend(self._run(query, None, f"fetching rows of {schema_table}", schema_table))
            batch.clear()

        for key in keys:
            batch.append(_key_tuple(key, len(key_cols)))
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return rows

    def hash_expr(self, columns: Sequence[Column | str]) -> str:
        """The per-row hash expression of this server's dialect (see `Dialect.hash_expr`)."""
        return self.dialect.hash_expr(columns)

    def checksum(
        self,
        schema_table: str,
        key_cols: Sequence[str],
        columns: Sequence[Column | str],
        *,
        lower: Any = None,
        upper: Any = None,
        where: str | None = None,
        params: Sequence[Any] | None = None,
    ) -> Checksum:
        """Row count and hash sum of ``lower <= key < upper``, computed inside the database.
        The hash covers the key columns and `columns` (types resolved from the catalog)."""
        hashed = self._typed(
            schema_table,
            [*key_cols, *[c for c in columns if (c.name if isinstance(c, Column) else c) not in key_cols]],
        )
        query = sql.SQL("SELECT COUNT(*), {} FROM {}").format(
            sql.SQL(self.dialect.checksum_expr(hashed)), sql.Identifier(*parse_table(schema_table))
        ) + self._where(key_range(key_cols, lower, upper), where)
        rows, total = self._run(query, params, f"checksumming {schema_table}", schema_table)[0]
        return Checksum(int(rows), int(total or 0))

    def fetch_range(
        self,
        schema_table: str,
        key_cols: Sequence[str],
        columns: Sequence[str],
        *,
        lower: Any = None,
        upper: Any = None,
        where: str | None = None,
        params: Sequence[Any] | None = None,
        limit: int | None = None,
    ) -> list[tuple]:
        """Rows ``(*key values, *column values)`` of ``lower <= key < upper``, in key order."""
        order = sql.SQL(", ").join(sql.Identifier(c) for c in key_cols)
        query = (
            sql.SQL("SELECT {} FROM {}").format(
                sql.SQL(", ").join(sql.Identifier(c) for c in [*key_cols, *columns]),
                sql.Identifier(*parse_table(schema_table)),
            )
            + self._where(key_range(key_cols, lower, upper), where)
            + sql.SQL(" ORDER BY {}").format(order)
        )
        if limit is not None:
            query += sql.SQL(" LIMIT {}").format(sql.Literal(int(limit)))
        return self._run(query, params, f"reading rows of {schema_table}", schema_table)

    def key_bounds(
        self,
        schema_table: str,
        key_cols: Sequence[str],
        *,
        where: str | None = None,
        params: Sequence[Any] | None = None,
    ) -> tuple[tuple, tuple] | None:
        """The smallest and largest key (tuples, in key order), or None for an empty table."""
        table = sql.Identifier(*parse_table(schema_table))
        keys = sql.SQL(", ").join(sql.Identifier(c) for c in key_cols)
        ends = []
        for direction in ("ASC", "DESC"):
            order = sql.SQL(", ").join(sql.SQL("{} " + direction).format(sql.Identifier(c)) for c in key_cols)
            query = (
                sql.SQL("SELECT {} FROM {}").format(keys, table)
                + self._where(where)
                + sql.SQL(" ORDER BY {} LIMIT 1").format(order)
            )
            rows = self._run(query, params, f"reading the key bounds of {schema_table}", schema_table)
            if not rows:
                return None
            ends.append(tuple(rows[0]))
        return ends[0], ends[1]

    def split_points(
        self,
        schema_table: str,
        key_cols: Sequence[str],
        parts: int,
        *,
        lower: Any = None,
        upper: Any = None,
        where: str | None = None,
        params: Sequence[Any] | None = None,
    ) -> list[tuple]:
        """Up to ``parts - 1`` keys cutting ``lower <= key < upper`` into ranges of about
        equal row counts (any key type, composite too). The database numbers the rows in key
        order and returns every n-th key: one sort of the range, nothing held in memory here."""
        if parts < 2:
            return []
        table = sql.Identifier(*parse_table(schema_table))
        keys = sql.SQL(", ").join(sql.Identifier(c) for c in key_cols)
        condition = self._where(key_range(key_cols, lower, upper), where)
        rows = int(
            self._run(
                sql.SQL("SELECT COUNT(*) FROM {}").format(table) + condition,
                params,
                f"counting {schema_table}",
                schema_table,
            )[0][0]
        )
        step = -(-rows // parts)  # ceiling
        if rows < 2 or step < 1:
            return []
        # MOD(), not the % operator: the query may carry %s parameters.
        query = sql.SQL(
            "SELECT {keys} FROM (SELECT {keys}, ROW_NUMBER() OVER (ORDER BY {keys}) AS ferry_rn FROM {table}{cond}) s"
            " WHERE ferry_rn > 1 AND MOD(ferry_rn - 1, {step}) = 0 ORDER BY {keys}"
        ).format(keys=keys, table=table, cond=condition, step=sql.Literal(step))
        return [tuple(r) for r in self._run(query, params, f"splitting {schema_table}", schema_table)]

    def query(
        self, sql_text: str | sql.Composable, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> list[tuple]:
        """Run any statement; returns its rows (empty for statements without a result)."""
        return self._run(sql_text, params, "running a query")  # type: ignore[arg-type]
