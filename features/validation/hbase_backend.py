"""The HBase side of a table: the compare interface of backend.py over connectors.hbase.

HBase has no server-side hash over Thrift 1 (its HashTable is a MapReduce job), so a range's
digest is a streamed scan hashed here (`HBaseConnector.range_digest`); ranges follow the AS-IS
table's region boundaries and are scanned in parallel, one region per thread, like RowCounter.
Row keys are unique by construction: an HBase table has no duplicate keys.
"""

from __future__ import annotations

import bisect
import hashlib
import heapq
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from connectors.hbase import HBaseConnector, TableNotFound, row_hash
from features.validation.backend import Digest, Key, KeyRange, MissingTable, Row
from features.validation.model import key_text

#: Rows per scannerGetList when digesting or listing rows.
SCAN_BATCH = 5_000
#: Split keys remembered per range while digesting (between MAX_CUTS and twice as many).
MAX_CUTS = 256
#: A key starts a chunk when crc32(key) & mask == 0: chunks of about CHUNK_ROWS rows, cut at the
#: same keys on both sides. A differing range is then merged only where its chunks differ.
CHUNK_ROWS = 64
#: Chunks kept per range: past it, the mask grows a bit and chunks merge (memory stays bounded;
#: sides that coarsened differently still align on the keys both cut at).
MAX_CHUNKS = 1_024


def _coarsen(chunks: list[list], mask: int) -> list[list]:
    """Merge chunks whose start no longer passes `mask` into the chunk before them."""
    out: list[list] = []
    for chunk in chunks:
        if out and (chunk[0] is None or zlib.crc32(chunk[0]) & mask != 0):
            out[-1][1] += chunk[1]
            out[-1][2] += chunk[2]
        else:
            out.append(chunk)
    return out


def _max_key(a: bytes | None, b: bytes | None) -> bytes | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _min_stop(a: bytes | None, b: bytes | None) -> bytes | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


class HBaseBackend:
    # Thrift 1 has no server-side hash: every digested row crosses the wire, so this engine is a
    # RowStream (and has no IntegerGrid: row keys are bytes).

    def __init__(self, conn: HBaseConnector, side: str, table: str, columns: Sequence[str],
                 key_from: str | None = None, key_to: str | None = None) -> None:
        self.conn = conn
        self.side = side
        self.table = table
        self.columns = [c.encode() for c in columns] or None
        self.key_from = key_from.encode() if key_from else None
        self.key_to = key_to.encode() if key_to else None
        self.where = f"HBase table {table} on {side.upper()} ({conn.host}:{conn.port})"

    def close(self) -> None:
        self.conn.close()

    def key_text(self, key: Key) -> str:
        return key_text(key)

    def _clip(self, lo: bytes | None, hi: bytes | None) -> tuple[bytes | None, bytes | None] | None:
        lo, hi = _max_key(lo, self.key_from), _min_stop(hi, self.key_to)
        if lo is not None and hi is not None and lo >= hi:
            return None
        return lo, hi

    def _pool(self, n: int) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=max(1, min(self.conn.pool_size, n)), thread_name_prefix="hbase-compare")

    def _missing(self) -> MissingTable:
        return MissingTable(f"HBase table {self.table} does not exist on {self.side.upper()}")

    def exists(self) -> bool:
        return self.conn.table_exists(self.table)

    def regions(self) -> list[tuple[bytes | None, bytes | None]]:
        """The table's regions as [start, stop) clipped to key_from/key_to (None: open end)."""
        try:
            regions = self.conn.regions(self.table)
        except TableNotFound:
            raise self._missing() from None
        out = []
        for r in regions:
            clipped = self._clip(r.start_key or None, r.end_key or None)
            if clipped is not None:
                out.append(clipped)
        return out or [(self.key_from, self.key_to)]

    def count(self) -> int:
        """Key-only scans, one per region, regions in parallel (RowCounter's plan)."""
        if self.key_from is None and self.key_to is None:
            try:
                return self.conn.count(self.table)
            except TableNotFound:
                raise self._missing() from None
        regions = self.regions()
        with self._pool(len(regions)) as ex:
            return sum(ex.map(lambda r: self.conn.count_range(self.table, r[0], r[1]), regions))

    # -- full compare ---------------------------------------------------------------------------

    def cut_points(self, target: int) -> list[Key]:
        return [lo for lo, _ in self.regions()[1:] if lo is not None]

    def digests(self, ranges: Sequence[KeyRange]) -> list[Digest]:
        """Digests of the ranges. Contiguous ranges are grouped and each group is scanned once
        (rows fall into their range by bisection on the boundaries); groups run in parallel, so
        a first level of regions scans each region in its own thread."""
        groups: list[list[int]] = []
        per_group = max(1, -(-len(ranges) // (2 * self.conn.pool_size)))
        for i, rng in enumerate(ranges):
            last = groups[-1] if groups else None
            if last and len(last) < per_group and rng.lo is not None and ranges[last[-1]].hi == rng.lo:
                last.append(i)
            else:
                groups.append([i])

        def scan(group: list[int]) -> list[tuple[int, Digest]]:
            clipped = self._clip(ranges[group[0]].lo, ranges[group[-1]].hi)
            if clipped is None:
                return [(i, Digest(0, 0)) for i in group]
            cuts = [ranges[i].hi for i in group[:-1]]
            rows = [0] * len(group)
            sums = [0] * len(group)
            firsts: list[bytes | None] = [None] * len(group)
            lasts: list[bytes | None] = [None] * len(group)
            # Every step-th key of each range, thinned by half whenever the list doubles: split points
            # for a later level without another key scan, at most 2 * MAX_CUTS keys per range.
            cut_keys: list[list[bytes]] = [[] for _ in group]
            steps = [1] * len(group)
            chunks: list[list[list]] = [[[None, 0, 0]] for _ in group]
            masks = [CHUNK_ROWS - 1] * len(group)
            try:
                for batch in self.conn.scan_batches(self.table, clipped[0], clipped[1], columns=self.columns,
                                                    batch_size=SCAN_BATCH):
                    for key, cells in batch:
                        j = bisect.bisect_right(cuts, key)
                        h = row_hash(key, cells)
                        rows[j] += 1
                        sums[j] += h
                        mine = chunks[j]
                        if zlib.crc32(key) & masks[j] == 0:
                            mine.append([key, 0, 0])
                            if len(mine) > MAX_CHUNKS:
                                masks[j] = masks[j] << 1 | 1
                                mine = chunks[j] = _coarsen(mine, masks[j])
                        mine[-1][1] += 1
                        mine[-1][2] += h
                        if firsts[j] is None:
                            firsts[j] = key
                        lasts[j] = key
                        if rows[j] % steps[j] == 0:
                            cut_keys[j].append(key)
                            if len(cut_keys[j]) >= 2 * MAX_CUTS:
                                cut_keys[j] = cut_keys[j][::2]
                                steps[j] *= 2
            except TableNotFound:
                raise self._missing() from None
            return [(i, Digest(rows[j], sums[j], firsts[j], lasts[j], tuple(cut_keys[j][1:]),
                               tuple(tuple(c) for c in chunks[j])))
                    for j, i in enumerate(group)]

        out: list[Digest] = [Digest(0, 0)] * len(ranges)
        with self._pool(len(groups)) as ex:
            for part in ex.map(scan, groups):
                for i, digest in part:
                    out[i] = digest
        return out

    def quantiles(self, rng: KeyRange, rows: int, parts: int) -> list[Key]:
        clipped = self._clip(rng.lo, rng.hi)
        if clipped is None or rows <= 1:
            return []
        step = max(1, -(-rows // parts))
        cuts = []
        for i, key in enumerate(self.conn.keys(self.table, clipped[0], clipped[1]), start=1):
            if i > 1 and i % step == 1 % step:
                cuts.append(key)
        return cuts

    def integer_split(self, rng: KeyRange, first: Any, last: Any, parts: int) -> None:
        return None

    def rows(self, ranges: Sequence[KeyRange], limit: int | None = None, *, with_values: bool = True) -> list[Row]:
        """Rows of the ranges (a scan brings the values anyway: `with_values` changes nothing)."""
        def one(rng: KeyRange) -> list[Row]:
            clipped = self._clip(rng.lo, rng.hi)
            if clipped is None:
                return []
            out = []
            for key, cells in self.conn.scan(self.table, clipped[0], clipped[1], columns=self.columns,
                                             batch_size=SCAN_BATCH):
                out.append(Row(key, row_hash(key, cells), {c.decode("utf-8", "backslashreplace"): v
                                                           for c, v in cells.items()}))
                if limit is not None and len(out) >= limit:
                    break
            return out

        with self._pool(len(ranges)) as ex:
            found = [row for part in ex.map(one, ranges) for row in part]
        return found[:limit] if limit is not None else found

    def key_hashes(self, ranges: Sequence[KeyRange]) -> list[tuple[Key, int]]:
        return [(r.key, r.hash) for r in self.rows(ranges, with_values=False)]

    def stream(self, rng: KeyRange) -> Iterator[Row]:
        """Rows of the range in row-key order (HBase's byte order is Python's bytes order)."""
        clipped = self._clip(rng.lo, rng.hi)
        if clipped is None:
            return
        for batch in self.conn.scan_batches(self.table, clipped[0], clipped[1], columns=self.columns,
                                            batch_size=SCAN_BATCH):
            for key, cells in batch:
                yield Row(key, 0, cells)  # raw cells: a merge compares the dicts, names decoded only if they differ

    def duplicates(self, limit: int) -> tuple[int, list[tuple[Key, int]]]:
        return 0, []

    # -- sample compare -------------------------------------------------------------------------

    def sample_keys(self, n: int, seed: int) -> list[tuple[str, Key]]:
        """Key-only scans per region in parallel; each keeps its n smallest MD5(seed:key) (a heap:
        memory is O(n) whatever the table size)."""
        prefix = f"{seed}:".encode()

        def one(region: tuple[bytes | None, bytes | None]) -> list[tuple[str, bytes]]:
            hashed = ((hashlib.md5(prefix + k).hexdigest(), k) for k in self.conn.keys(self.table, region[0], region[1]))
            return heapq.nsmallest(n, hashed)

        regions = self.regions()
        with self._pool(len(regions)) as ex:
            parts = list(ex.map(one, regions))
        return heapq.nsmallest(n, (item for part in parts for item in part))

    def fetch(self, keys: Iterable[Key]) -> list[Row]:
        try:
            got = self.conn.get_many(self.table, keys, self.columns)
        except TableNotFound:
            raise self._missing() from None
        return [Row(k, row_hash(k, cells), {c.decode("utf-8", "backslashreplace"): v for c, v in cells.items()})
                for k, cells in got.items()]
