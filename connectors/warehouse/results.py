"""The plain values the warehouse connector returns."""

from __future__ import annotations

from dataclasses import dataclass


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
