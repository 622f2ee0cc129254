"""The small interface the compare algorithms call. Each store (warehouse, HBase) supplies only
its SQL or API details in its own module; the algorithms (count.py, sample.py, hashdiff.py)
never see SQL or Thrift.

A key is a tuple of column values (warehouse) or the row key bytes (HBase). A `KeyRange` is
[lo, hi) with None for an open end. Ranges are defined by key values, so the same range means
the same rows on both sides whatever the engines' own partitioning.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable

Key = Any


@dataclass(frozen=True)
class KeyRange:
    lo: Key | None
    hi: Key | None


class Digest(NamedTuple):
    """Rows and checksum (sum of row hashes) of a key range, computed where the data lives.
    `first`/`last`: smallest and largest key seen, when the store gives them cheaply.
    A named tuple (immutable like a frozen dataclass, built 3x faster: a first level makes
    tens of thousands)."""

    rows: int
    checksum: int
    first: Any = None
    last: Any = None
    cuts: tuple = ()  # keys seen at even intervals while digesting (a store that streams rows): split points for free
    #: (start key, rows, checksum) of the range's content-defined chunks, in key order (a store
    #: that streams rows): a chunk starts at each key whose hash has its low bits zero, so both
    #: sides cut at the same keys without agreeing first; the first chunk's start is None.
    chunks: tuple = ()

    def same(self, other: Digest) -> bool:
        return self.rows == other.rows and self.checksum == other.checksum


EMPTY = Digest(0, 0)


def differing(ga: dict[Any, tuple[int, int]], gb: dict[Any, tuple[int, int]]) -> list[tuple[Any, Any, Any]]:
    """(name, digest on AS-IS, digest on TO-BE) of the grid cells or key-hash buckets whose
    (rows, checksum) differ, in name order; a part one side lacks is EMPTY there. The names come
    from the symmetric difference of the two item views, computed in C: a tenth of the time a
    loop over 65,536 names takes."""
    names = {name for name, _ in ga.items() ^ gb.items()}
    return sorted((name, ga.get(name, EMPTY), gb.get(name, EMPTY)) for name in names)


@dataclass(frozen=True)
class Row:
    key: Key  # hashable
    hash: int  # the row hash the digests sum
    values: dict[str, Any]  # compared columns -> value


class MissingTable(Exception):
    """The table (or a compared column) does not exist on this side: a finding, not a failure."""


@runtime_checkable
class Backend(Protocol):
    """One side of one table: what every engine offers (count and sample compare need no more).
    The full compare needs `RangeDigests`; the other capabilities below are optional and found by
    `isinstance` (a new engine implements what its store can do, nothing else)."""

    side: str  # "as-is" | "to-be"
    where: str  # for messages: "warehouse tobe-host:5439/tobe public.events"

    def exists(self) -> bool: ...

    def count(self) -> int: ...

    def key_text(self, key: Key) -> str: ...

    def sample_keys(self, n: int, seed: int) -> list[tuple[str, Key]]:
        """The n keys with the smallest MD5(seed:key), with that hash (hex): reproducible."""
        ...

    def fetch(self, keys: Iterable[Key]) -> list[Row]:
        """Rows of these keys, fetched in batches (missing keys absent, duplicates repeated)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class RangeDigests(Backend, Protocol):
    """The full compare's capability: digests of key ranges computed where the data lives, the
    ranges' rows, and duplicated keys."""

    def cut_points(self, target: int) -> list[Key]:
        """Keys cutting the whole table into about `target` ranges (HBase: region boundaries)."""
        ...

    def digests(self, ranges: Sequence[KeyRange]) -> list[Digest]: ...

    def quantiles(self, rng: KeyRange, rows: int, parts: int) -> list[Key]:
        """Keys cutting `rng` (about `rows` rows here) into `parts` parts of equal row counts."""
        ...

    def integer_split(self, rng: KeyRange, first: int, last: int, parts: int) -> list[Key] | None:
        """Equal-width cut keys of [first, last] for integer keys (no query), else None."""
        ...

    def rows(self, ranges: Sequence[KeyRange], limit: int | None = None, *, with_values: bool = True) -> list[Row]:
        """Rows of the ranges, any order. `with_values=False` may leave `values` empty (keys and
        hashes only); the algorithm then fetches the values of the rows that differ."""
        ...

    def key_hashes(self, ranges: Sequence[KeyRange]) -> list[tuple[Key, int]]:
        """(key, hash) of every row of the ranges, any order (duplicated keys repeated): what
        `rows(..., with_values=False)` gives, without a Row per row."""
        ...

    def duplicates(self, limit: int) -> tuple[int, list[tuple[Key, int]]]: ...


@runtime_checkable
class IntegerGrid(Protocol):
    """Optional: an equal-width grid over a one-column integer key, digested in one pass in the
    engine (the warehouse). The first level then needs no quantiles."""

    def integer_bounds(self) -> tuple[int, int] | None:
        """(min, max) of an integer key, or None when the key is not one integer column
        (or the table is empty: then (None, None))."""
        ...

    def grid_digests(self, base: int, width: int, segments: int,
                     cells: tuple[int, int] | None = None) -> dict[int, tuple[int, int]]:
        """(rows, checksum) of each cell of an equal-width grid over an integer key, in one pass (see
        connectors.warehouse_checksum); index -1 / `segments` hold rows below / above it.
        `cells=(a, b)`: only cells a..b-1 (with the rows below the grid when a == 0, above it
        when b == segments)."""
        ...


@runtime_checkable
class RowStream(Protocol):
    """Optional: the store ships every row to Ferry to digest it (HBase over Thrift 1) and yields
    a range's rows in Python's key order. A differing range is then compared by a streaming merge
    of both sides (one more pass of that range) rather than split and digested again."""

    def stream(self, rng: KeyRange) -> Iterator[Row]: ...


@runtime_checkable
class KeyHashBuckets(Protocol):
    """An optional capability: the store digests rows grouped by hex digits of a hash of the key
    in the engine (the warehouse; HBase over Thrift streams rows instead).
    features/validation/bucketdiff.py uses it for a first level that needs no key order or
    collation. `bucket_hashes`: the hashes it can name buckets by, cheapest first (the compare
    uses the first both sides have); `bucket_digits(key_hash)`: how many hex digits that has."""

    def bucket_hashes(self) -> tuple[str, ...]: ...

    def bucket_digits(self, key_hash: str) -> int: ...

    def bucket_digests(self, digits: int, within: Sequence[str] = (), within_digits: int = 0, *,
                       key_hash: str = "md5") -> dict[str, Digest]: ...

    def bucket_key_hashes(self, buckets: Sequence[str], digits: int, limit: int | None = None, *,
                          key_hash: str = "md5") -> list[tuple[Key, int]]: ...
