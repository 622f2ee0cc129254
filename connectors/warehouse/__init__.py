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

Modules: `connector` (the operations), `session` (pooled connections, error translation),
`dialect` (the per-engine hash SQL), `fragments` (key ranges and WHERE clauses), `names`
(schema.table), `results` and `errors`.

Errors are typed (`AuthError`, `Unreachable`, `TableNotFound`, all `WarehouseError`) and never
carry the password. Results are plain Python values and dataclasses.
"""

from connectors.warehouse.connector import DEFAULT_FETCH_BATCH, WarehouseConnector
from connectors.warehouse.dialect import (
    COLUMN_SEPARATOR,
    DIALECTS,
    POSTGRESQL,
    REDSHIFT,
    Dialect,
    dialect_for_version,
)
from connectors.warehouse.errors import AuthError, TableNotFound, Unreachable, WarehouseError
from connectors.warehouse.fragments import key_range
from connectors.warehouse.names import parse_table
from connectors.warehouse.results import Checksum, Column, Ping
from connectors.warehouse.session import MAX_IDLE_CONNECTIONS

__all__ = [
    "COLUMN_SEPARATOR",
    "DEFAULT_FETCH_BATCH",
    "DIALECTS",
    "MAX_IDLE_CONNECTIONS",
    "POSTGRESQL",
    "REDSHIFT",
    "AuthError",
    "Checksum",
    "Column",
    "Dialect",
    "Ping",
    "TableNotFound",
    "Unreachable",
    "WarehouseConnector",
    "WarehouseError",
    "dialect_for_version",
    "key_range",
    "parse_table",
]
