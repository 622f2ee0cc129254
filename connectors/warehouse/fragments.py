"""SQL fragments: key ranges (``lower <= key < upper``), key lists (``key IN (...)``), WHERE
clauses and column lists, for one-column and composite keys, in SQL that both Redshift and
PostgreSQL run (no row constructors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import sql


def key_tuple(key: Any, width: int) -> tuple:
    """A key as a tuple of `width` values (a plain value is a one-column key)."""
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
        parts.append(_bound(key_cols, key_tuple(lower, len(key_cols)), ">", ">="))
    if upper is not None:
        parts.append(_bound(key_cols, key_tuple(upper, len(key_cols)), "<", "<"))
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")



def key_in(key_cols: Sequence[str], keys: Sequence[tuple]) -> sql.Composable:
    """``key IN (keys)`` as a WHERE fragment: ``a IN (...)`` for a one-column key, else
    ``(a = x AND b = y) OR ...`` (runs on both engines)."""
    if len(key_cols) == 1:
        return sql.SQL("{} IN ({})").format(
            sql.Identifier(key_cols[0]), sql.SQL(", ").join(sql.Literal(k[0]) for k in keys)
        )
    return sql.SQL(" OR ").join(
        sql.SQL("(")
        + sql.SQL(" AND ").join(
            sql.SQL("{} = {}").format(sql.Identifier(c), sql.Literal(v)) for c, v in zip(key_cols, k, strict=True)
        )
        + sql.SQL(")")
        for k in keys
    )


def identifiers(names: Sequence[str]) -> sql.Composable:
    """``"a", "b", ...``: a select list or an ORDER BY of plain column names."""
    return sql.SQL(", ").join(sql.Identifier(c) for c in names)


def where_clause(*parts: sql.Composable | str | None) -> sql.Composable:
    """`` WHERE (p1) AND (p2) ...`` of the parts given (None skipped); empty without any."""
    chosen = [
        sql.SQL("(") + (sql.SQL(p) if isinstance(p, str) else p) + sql.SQL(")")
        for p in parts
        if p is not None
    ]
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(chosen) if chosen else sql.SQL("")
