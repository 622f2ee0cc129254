"""The warehouse connector's operations: catalog, counts, row fetches, pushed-down checksums
and key splits, on top of `WarehouseSession`'s pooled connections."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from psycopg import sql

from connectors.batching import chunked
from connectors.warehouse.errors import TableNotFound, WarehouseError
from connectors.warehouse.fragments import identifiers, key_in, key_tuple, where_clause
from connectors.warehouse.names import name_part, parse_table, table_identifier
from connectors.warehouse.results import Column, Ping
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

    def query(
        self, sql_text: str | sql.Composable, params: Sequence[Any] | dict[str, Any] | None = None, *,
        settings: dict[str, str] | None = None,
    ) -> list[tuple]:
        """Run any statement; returns its rows (empty for statements without a result).
        `settings`: server settings for this statement alone (SET LOCAL)."""
        return self._run(sql_text, params, "running a query", settings=settings)  # type: ignore[arg-type]
