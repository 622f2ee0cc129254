"""What differs between Redshift and PostgreSQL in the SQL we send: the row hash.

Redshift computes the row hash with ``STRTOL(SUBSTRING(MD5(s), 1, 15), 16)``; PostgreSQL has no
STRTOL and uses ``CAST('x' || SUBSTRING(MD5(s), 1, 15) AS BIT(60))``. Both give the same
number for the same text, so a row hashes alike on either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from connectors.warehouse.results import Column

#: Separates rendered columns in the hashed text (a control character no real value uses).
COLUMN_SEPARATOR = "\x1f"


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

