"""The HBase stand-in's data model: tables split into regions, rows of versioned cells.

No Thrift here: `handler.py` translates the Thrift calls into these methods, so the model can be
loaded, saved and seeded directly (fast bulk loads without a round trip per row).

Layout of one table::

    split points:        b"k2"          b"k5"
    regions:      [ "" .. "k2" ) [ "k2" .. "k5" ) [ "k5" .. "" )
    region_keys:  [k0, k1]        [k2, k3, k4]     [k5, k6]       <- each list sorted
    rows:         {row key: {b"family:qualifier": cell}}

A cell is a flat tuple ``(value0, ts0, value1, ts1, ...)``, newest version first, or, for
bulk-loaded cells, just the value `bytes`, whose timestamp is the table's `base_ts`. One tuple
per cell (rather than a list of pairs), and none at all for loaded data, keeps a 100,000-row
table at a few tens of MB.
Keeping one sorted key list per region keeps inserts cheap (a region is a fraction of the
table) and makes per-region scans, the way HBase itself works, natural.
"""

from __future__ import annotations

import bisect
import hashlib
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# ColumnDescriptor defaults of Hbase.thrift, camelCase as on the wire.
DEFAULT_FAMILY_OPTIONS: dict[str, object] = {
    "maxVersions": 3,
    "compression": "NONE",
    "inMemory": False,
    "bloomFilterType": "NONE",
    "bloomFilterVectorSize": 0,
    "bloomFilterNbHashes": 0,
    "blockCacheEnabled": False,
    "timeToLive": -1,
}

# A read with no time bound: every version qualifies.
NO_TIME_BOUND = 2**63 - 1


class StoreError(Exception):
    """A request the store refuses; `handler.py` turns it into Thrift's IOError."""


class TableNotFound(StoreError):
    def __init__(self, name: bytes) -> None:
        # HBase's own exception name leads the message, as the real Thrift server does, so a
        # client can tell this case apart the same way against HBase and the sandbox.
        super().__init__(f"org.apache.hadoop.hbase.TableNotFoundException: {name.decode(errors='replace')}")


class TableExists(StoreError):
    def __init__(self, name: bytes) -> None:
        super().__init__(f"table name already in use: {name.decode(errors='replace')}")


class IllegalArgument(StoreError):
    """Bad input from the client; `handler.py` turns it into Thrift's IllegalArgument."""


def now_ms() -> int:
    return int(time.time() * 1000)


def family_of(column: bytes) -> bytes:
    return column.split(b":", 1)[0]


def normalize_family(name: bytes | str) -> bytes:
    """`b"d"`, `b"d:"` and `"d"` all name family `b"d"`."""
    raw = name.encode() if isinstance(name, str) else bytes(name)
    return raw.split(b":", 1)[0]


def normalize_put_column(column: bytes) -> bytes:
    """A put to `b"d"` writes the empty qualifier `b"d:"`, like HBase's KeyValue.parseColumn."""
    return column if b":" in column else column + b":"


@dataclass(frozen=True)
class ColumnSelection:
    """Which cells a read returns: whole families and/or single columns; empty means all.

    A trailing colon (`b"d:"`) selects the whole family, as happybase documents it."""

    families: frozenset[bytes] = frozenset()
    columns: frozenset[bytes] = frozenset()

    @classmethod
    def parse(cls, columns: Iterable[bytes] | None) -> ColumnSelection:
        fams: set[bytes] = set()
        cols: set[bytes] = set()
        for c in columns or ():
            fam, sep, qual = c.partition(b":")
            if not sep or not qual:
                fams.add(fam)
            else:
                cols.add(c)
        return cls(frozenset(fams), frozenset(cols))

    @property
    def everything(self) -> bool:
        return not self.families and not self.columns

    def matches(self, column: bytes) -> bool:
        return column in self.columns or family_of(column) in self.families


@dataclass
class RegionSpan:
    start: bytes
    end: bytes  # b"" means the end of the table


@dataclass
class Table:
    name: bytes
    families: dict[bytes, dict[str, object]]
    split_points: list[bytes] = field(default_factory=list)
    enabled: bool = True
    region_id: int = field(default_factory=now_ms)
    base_ts: int = 0  # the timestamp of cells stored as bare bytes (bulk loads)
    rows: dict[bytes, dict[bytes, tuple]] = field(default_factory=dict)
    region_keys: list[list[bytes]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self.split_points = sorted(set(p for p in self.split_points if p))
        if not self.region_keys:
            self.region_keys = [[] for _ in range(len(self.split_points) + 1)]
            if self.rows:
                self.reindex()

    # ---- regions -------------------------------------------------------------------------

    def regions(self) -> list[RegionSpan]:
        bounds = [b"", *self.split_points, b""]
        return [RegionSpan(bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]

    def region_name(self, start: bytes) -> bytes:
        """`table,startkey,regionid.encodedname.` — HBase's region naming."""
        base = b"%s,%s,%d" % (self.name, start, self.region_id)
        return b"%s.%s." % (base, hashlib.md5(base).hexdigest().encode())

    def region_index(self, key: bytes) -> int:
        return bisect.bisect_right(self.split_points, key)

    def resplit(self, split_points: Iterable[bytes]) -> None:
        """Re-partition into regions at `split_points` (a sandbox convenience: Thrift 1 has no split call)."""
        with self.lock:
            self.split_points = sorted(set(p for p in split_points if p))
            self.region_id = now_ms()
            self.reindex()

    def reindex(self) -> None:
        """Rebuild the per-region sorted key lists from `rows`."""
        keys = sorted(self.rows)
        cuts = [0, *(bisect.bisect_left(keys, p) for p in self.split_points), len(keys)]
        self.region_keys = [keys[cuts[i] : cuts[i + 1]] for i in range(len(cuts) - 1)]

    def row_count(self) -> int:
        return len(self.rows)

    # ---- writes --------------------------------------------------------------------------

    def max_versions(self, family: bytes) -> int:
        return max(1, int(self.families[family].get("maxVersions", 3)))  # type: ignore[arg-type]

    def check_family(self, column: bytes) -> bytes:
        fam = family_of(column)
        if fam not in self.families:
            raise StoreError(
                "org.apache.hadoop.hbase.regionserver.NoSuchColumnFamilyException: Column family "
                f"{fam.decode(errors='replace')} does not exist in table {self.name.decode(errors='replace')}"
            )
        return fam

    def _insert_key(self, key: bytes) -> None:
        keys = self.region_keys[self.region_index(key)]
        if not keys or keys[-1] < key:  # the common case of loads and copies: appending in order
            keys.append(key)
        else:
            bisect.insort(keys, key)

    def _remove_key(self, key: bytes) -> None:
        keys = self.region_keys[self.region_index(key)]
        i = bisect.bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            del keys[i]

    def put(self, key: bytes, cells: Iterable[tuple[bytes, bytes]], ts: int | None = None) -> None:
        """Write `(column, value)` cells of one row at timestamp `ts` (now if None)."""
        if ts is None:
            ts = now_ms()
        with self.lock:
            row = self.rows.get(key)
            new = row is None
            if new:
                row = {}
            for column, value in cells:
                column = normalize_put_column(column)
                fam = self.check_family(column)
                old = row.get(column)
                row[column] = _add_version(None if old is None else self.expand(old), value, ts, self.max_versions(fam))
            if new and row:
                self.rows[key] = row
                self._insert_key(key)

    def delete_columns(self, key: bytes, columns: Iterable[bytes], max_ts: int | None = None) -> None:
        """Delete whole families (`b"d"`) or columns (`b"d:q"`), all versions or those <= `max_ts`."""
        with self.lock:
            row = self.rows.get(key)
            if row is None:
                return
            for column in columns:
                fam, sep, _ = column.partition(b":")
                self.check_family(column)
                targets = [c for c in row if family_of(c) == fam] if not sep else [column]
                for c in targets:
                    cell = row.get(c)
                    if cell is None:
                        continue
                    kept = _drop_versions(self.expand(cell), max_ts)
                    if kept:
                        row[c] = kept
                    else:
                        del row[c]
            if not row:
                del self.rows[key]
                self._remove_key(key)

    def delete_row(self, key: bytes, max_ts: int | None = None) -> None:
        with self.lock:
            row = self.rows.get(key)
            if row is None:
                return
            if max_ts is None:
                del self.rows[key]
                self._remove_key(key)
                return
            self.delete_columns(key, list(row), max_ts)

    def increment(self, key: bytes, column: bytes, amount: int) -> int:
        """HBase counters: 8-byte big-endian signed longs."""
        column = normalize_put_column(column)
        with self.lock:
            self.check_family(column)
            cell = self.rows.get(key, {}).get(column)
            current = 0
            if cell is not None:
                cell = self.expand(cell)
                if len(cell[0]) != 8:
                    raise IllegalArgument("Attempted to increment field that isn't 64 bits wide")
                current = int.from_bytes(cell[0], "big", signed=True)
            value = current + amount
            self.put(key, [(column, value.to_bytes(8, "big", signed=True))])
            return value

    # ---- reads ---------------------------------------------------------------------------

    def read(
        self,
        key: bytes,
        selection: ColumnSelection,
        max_ts: int = NO_TIME_BOUND,
        versions: int = 1,
    ) -> list[tuple[bytes, bytes, int]]:
        """Cells of one row as `(column, value, ts)`, columns sorted, newest version first.

        `max_ts` is exclusive, as in HBase's `setTimeRange(0, ts)` used by the Thrift server."""
        row = self.rows.get(key)
        if row is None:
            return []
        out: list[tuple[bytes, bytes, int]] = []
        everything = selection.everything
        for column in sorted(row):
            if not everything and not selection.matches(column):
                continue
            cell = row[column]
            if cell.__class__ is bytes:
                if self.base_ts < max_ts:
                    out.append((column, cell, self.base_ts))
                continue
            n = 0
            for i in range(0, len(cell), 2):
                if cell[i + 1] < max_ts:
                    out.append((column, cell[i], cell[i + 1]))
                    n += 1
                    if n >= versions:
                        break
        return out

    def keys_from(
        self,
        start: bytes,
        stop: bytes,
        after: bytes | None,
        limit: int,
        reverse: bool = False,
    ) -> list[bytes]:
        """Up to `limit` row keys in [start, stop) (stop b"" = table end), strictly after `after`.

        Reversed: keys in (stop, start] from the top down (start b"" = table end), strictly
        before `after`. Resuming from the last key returned (not from a position) keeps a
        scanner right while other clients insert or delete rows between its batches."""
        if reverse:
            if after is not None and start and after > start:
                after = None  # the resume point lies outside the range: start from the top
            return self._keys_from_reversed(start, stop, after, limit)
        if after is not None and after < start:
            after = None
        out: list[bytes] = []
        r = self.region_index(start if after is None else after)
        while r < len(self.region_keys) and len(out) < limit:
            if stop and r > 0 and self.split_points[r - 1] >= stop:
                break  # this region starts at or past the stop row
            keys = self.region_keys[r]
            i = bisect.bisect_left(keys, start) if after is None else bisect.bisect_right(keys, after)
            j = min(len(keys), i + limit - len(out))
            if stop:
                j = bisect.bisect_left(keys, stop, i, j)
            out.extend(keys[i:j])
            r += 1
        return out

    def _keys_from_reversed(self, start: bytes, stop: bytes, after: bytes | None, limit: int) -> list[bytes]:
        out: list[bytes] = []
        high = start if after is None else after
        r = self.region_index(high) if high else len(self.region_keys) - 1
        while r >= 0 and len(out) < limit:
            keys = self.region_keys[r]
            if after is not None:
                j = bisect.bisect_left(keys, after)
            elif start:
                j = bisect.bisect_right(keys, start)
            else:
                j = len(keys)
            i = max(0, j - (limit - len(out)))
            if stop:
                i = max(i, bisect.bisect_right(keys, stop, 0, j))
            out.extend(reversed(keys[i:j]))
            region_start = self.split_points[r - 1] if r > 0 else b""
            if stop and region_start <= stop:
                break  # every lower region holds only keys below the stop row
            r -= 1
        return out

    def expand(self, cell: tuple | bytes) -> tuple:
        """A cell as the flat `(value, ts, ...)` tuple, whichever way it is stored."""
        return (cell, self.base_ts) if cell.__class__ is bytes else cell  # type: ignore[return-value]

    def latest(self, cell: tuple | bytes) -> tuple[bytes, int]:
        """`(value, ts)` of a cell's newest version."""
        if cell.__class__ is bytes:
            return cell, self.base_ts  # type: ignore[return-value]
        return cell[0], cell[1]  # type: ignore[index]

    def sorted_keys(self) -> Iterator[bytes]:
        for keys in self.region_keys:
            yield from keys


def _add_version(cell: tuple | None, value: bytes, ts: int, max_versions: int) -> tuple:
    if cell is None:
        return (value, ts)
    pairs = [(cell[i], cell[i + 1]) for i in range(0, len(cell), 2) if cell[i + 1] != ts]
    pairs.append((value, ts))
    pairs.sort(key=lambda p: p[1], reverse=True)
    flat: list = []
    for v, t in pairs[:max_versions]:
        flat.extend((v, t))
    return tuple(flat)


def _drop_versions(cell: tuple, max_ts: int | None) -> tuple:
    if max_ts is None:
        return ()
    return tuple(x for i in range(0, len(cell), 2) if cell[i + 1] > max_ts for x in (cell[i], cell[i + 1]))
