"""The warehouse side of a table (Redshift, or PostgreSQL in the sandbox): the compare
interface of backend.py over connectors.warehouse and connectors.warehouse_checksum."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

from connectors.warehouse import TableNotFound, WarehouseConnector, WarehouseError
from connectors.warehouse_checksum import TableChecksums, bucket_hash_digits
from features.validation.backend import Digest, Key, KeyRange, MissingTable, Row
from features.validation.model import key_text

#: First-level ranges of a non-integer key hold at least this many rows (fewer, larger CASE trees).
MIN_ROWS_PER_RANGE = 64


class WarehouseBackend:
    # Checksums are computed by the warehouse (RangeDigests, IntegerGrid, KeyHashBuckets): a
    # differing range is split and digested again, never streamed.

    def __init__(self, conn: WarehouseConnector, side: str, table: str, key_cols: Sequence[str],
                 columns: Sequence[str] | None, where: str | None, *, columns_from: WarehouseBackend | None = None) -> None:
        """`columns` None or empty: compare every non-key column of `columns_from` (AS-IS) or this table."""
        self.conn = conn
        self.side = side
        self.table = table
        self.key_cols = list(key_cols)
        self.wanted_columns = list(columns) if columns else None
        self.columns_from = columns_from
        self.where_sql = where
        self.where = f"{table} on the {side.upper()} warehouse ({conn.where})"
        self._checksums: TableChecksums | None = None
        # A compare's side thread and its duplicate-key check ask for `cs` at the same moment:
        # one of them reads the catalog, the other waits for it (was: both read it).
        self._checksums_lock = threading.Lock()

    # -- set-up ---------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.conn.table_exists(self.table)

    def column_names(self) -> list[str]:
        """The table's non-key columns (what is compared when `columns:` is not given)."""
        try:
            return [c.name for c in self.conn.columns(self.table) if c.name not in self.key_cols]
        except TableNotFound:
            raise MissingTable(f"{self.table} does not exist on {self.side.upper()}") from None

    @property
    def cs(self) -> TableChecksums:
        if self._checksums is None:
            with self._checksums_lock:
                if self._checksums is None:
                    self._checksums = self._table_checksums()
        return self._checksums

    def _table_checksums(self) -> TableChecksums:
        try:
            catalog = self.conn.columns(self.table)  # read once: the compared columns and their types
            if self.wanted_columns is None:
                source = self.columns_from
                self.wanted_columns = (source.column_names() if source is not None
                                       else [c.name for c in catalog if c.name not in self.key_cols])
            return TableChecksums(self.conn, self.table, self.key_cols, self.wanted_columns, self.where_sql,
                                  catalog=catalog)
        except TableNotFound:
            raise MissingTable(f"{self.table} does not exist on {self.side.upper()}") from None
        except WarehouseError as e:
            if "does not exist" in str(e):
                raise MissingTable(f"{e}") from None
            raise

    def close(self) -> None:
        self.conn.close()

    def key_text(self, key: Key) -> str:
        return key_text(key)

    # -- counts ---------------------------------------------------------------------------------

    def count(self) -> int:
        try:
            return self.conn.count(self.table, where=self.where_sql)
        except TableNotFound:
            raise MissingTable(f"{self.table} does not exist on {self.side.upper()}") from None

    # -- full compare ---------------------------------------------------------------------------

    def integer_bounds(self) -> tuple[Any, Any] | None:
        if not self.cs.integer_key:
            return None
        return self.cs.key_bounds()

    def grid_digests(self, base: int, width: int, segments: int,
                     cells: tuple[int, int] | None = None) -> dict[int, tuple[int, int]]:
        return self.cs.grid_digests(base, width, segments, cells)

    def bucket_hashes(self) -> tuple[str, ...]:
        return self.cs.bucket_hashes()

    def bucket_digits(self, key_hash: str) -> int:
        return bucket_hash_digits(key_hash)

    def bucket_digests(self, digits: int, within: Sequence[str] = (), within_digits: int = 0, *,
                       key_hash: str = "md5") -> dict[str, Digest]:
        """Digests per hash bucket of the key (see connectors.warehouse_checksum): no key order.
        The connector's (rows, checksum) tuples as they are: tens of thousands, not copied."""
        return self.cs.bucket_digests(digits, within, within_digits, key_hash=key_hash)  # type: ignore[return-value]

    def bucket_key_hashes(self, buckets: Sequence[str], digits: int, limit: int | None = None, *,
                          key_hash: str = "md5") -> list[tuple[Key, int]]:
        return self.cs.bucket_key_hashes(buckets, digits, limit, key_hash=key_hash)

    def cut_points(self, target: int) -> list[Key]:
        try:
            return self.cs.cut_points(target, MIN_ROWS_PER_RANGE)
        except TableNotFound:
            raise MissingTable(f"{self.table} does not exist on {self.side.upper()}") from None

    def digests(self, ranges: Sequence[KeyRange]) -> list[Digest]:
        found = self.cs.range_digests([(r.lo, r.hi) for r in ranges])
        return [Digest(*d) for d in found]

    def quantiles(self, rng: KeyRange, rows: int, parts: int) -> list[Key]:
        return self.cs.quantiles(rng.lo, rng.hi, rows, parts)

    def integer_split(self, rng: KeyRange, first: Any, last: Any, parts: int) -> list[Key] | None:
        if not self.cs.integer_key:
            return None
        if first is None or last is None:  # a grid cell: its own bounds
            if rng.lo is None or rng.hi is None:
                return None
            first, last = rng.lo[0], rng.hi[0] - 1
        span = int(last) - int(first) + 1
        width = max(1, -(-span // parts))
        return [(int(first) + i * width,) for i in range(1, parts) if i * width < span]

    def rows(self, ranges: Sequence[KeyRange], limit: int | None = None, *, with_values: bool = True) -> list[Row]:
        names = self.cs.columns if with_values else []
        return [Row(r.key, r.hash, dict(zip(names, r.values, strict=True)))
                for r in self.cs.rows([(x.lo, x.hi) for x in ranges], limit, with_values=with_values)]

    def key_hashes(self, ranges: Sequence[KeyRange]) -> list[tuple[Key, int]]:
        return self.cs.key_hashes([(x.lo, x.hi) for x in ranges])

    def duplicates(self, limit: int) -> tuple[int, list[tuple[Key, int]]]:
        return self.cs.duplicate_keys(limit)

    # -- sample compare -------------------------------------------------------------------------

    def sample_keys(self, n: int, seed: int) -> list[tuple[str, Key]]:
        return self.cs.sample_keys(n, seed)

    def fetch(self, keys: Iterable[Key]) -> list[Row]:
        width = len(self.key_cols)
        names = self.cs.columns
        return [Row(tuple(r[:width]), 0, dict(zip(names, r[width:], strict=True))) for r in self.cs.fetch(keys)]
