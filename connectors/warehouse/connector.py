"""The warehouse connector's operations: catalog, counts, row fetches, pushed-down checksums
and key splits, on top of `WarehouseSession`'s pooled connections."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import sql

from connectors.batching import chunked
from connectors.warehouse.errors import TableNotFound, WarehouseError
from connectors.warehouse.fragments import identifiers, key_in, key_range, key_tuple, where_clause
from connectors.warehouse.names import name_part, parse_table, table_identifier
from connectors.warehouse.results import Checksum, Column, Ping
from connectors.warehouse.session import WarehouseSession

#: Keys per query in fetch_rows (one query per batch, never one per key).
DEFAULT_FETCH_BATCH = 500
#: Schemas that hold catalogs, never user tables (Redshift adds pg_internal, pg_automv, ...).
_SYSTEM_SCHEMA_PREFIXES = ("pg_", "information_schema")


class WarehouseConnector(WarehouseSession):
    """One warehouse database (a Redshift database, or a sandbox PostgreSQL database).

    Thread-safe: each call borrows a connection from a small pool, so concurrent callers
    (both sides of a compare, parallel ranges) run concurrently. Use as a context manager or
    call close().
    """

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
            f"{name_part(s)}.{name_part(t)}"
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

    def count(self, schema_table: str, where: str | None = None, params: Sequence[Any] | None = None) -> int:
        """``COUNT(*)``, optionally under a filter. `where` is SQL from the operator's
        configuration (e.g. a watermark); with `params` use %s placeholders in it."""
        query = sql.SQL("SELECT COUNT(*) FROM {}").format(
            table_identifier(schema_table)
        ) + where_clause(where)
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
        table = table_identifier(schema_table)
        select = identifiers([*key_cols, *columns])
        order = identifiers(key_cols)
        rows: list[tuple] = []
        for batch in chunked((key_tuple(k, len(key_cols)) for k in keys), batch_size):
            query = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {}").format(
                select, table, key_in(key_cols, batch), order
            )
            rows.extend(self._run(query, None, f"fetching rows of {schema_table}", schema_table))
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
            sql.SQL(self.dialect.checksum_expr(hashed)), table_identifier(schema_table)
        ) + where_clause(key_range(key_cols, lower, upper), where)
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
        order = identifiers(key_cols)
        query = (
            sql.SQL("SELECT {} FROM {}").format(
                identifiers([*key_cols, *columns]),
                table_identifier(schema_table),
            )
            + where_clause(key_range(key_cols, lower, upper), where)
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
        table = table_identifier(schema_table)
        keys = identifiers(key_cols)
        ends = []
        for direction in ("ASC", "DESC"):
            order = sql.SQL(", ").join(sql.SQL("{} " + direction).format(sql.Identifier(c)) for c in key_cols)
            query = (
                sql.SQL("SELECT {} FROM {}").format(keys, table)
                + where_clause(where)
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
        table = table_identifier(schema_table)
        keys = identifiers(key_cols)
        condition = where_clause(key_range(key_cols, lower, upper), where)
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
