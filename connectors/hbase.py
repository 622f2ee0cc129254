"""The HBase connector: happybase over Thrift 1, for counts, compares and table copies.

Everything goes through a happybase `ConnectionPool` (buffered transport, binary protocol:
happybase's defaults, HBase's default Thrift server). Results are plain Python values and
dataclasses; errors are typed (`TableNotFound`, `Unreachable`, both `HBaseError`).

How the work is split, and why:

- **Counts** are key-only scans (`FirstKeyOnlyFilter() AND KeyOnlyFilter()`: one empty cell
  per row crosses the wire) with large scanner caching, one scan per region, regions in
  parallel threads — what HBase's RowCounter does with one mapper per region.
- **Scans** fetch batches with `scannerGetList` and take a pool connection per batch, never
  across a `yield`: a slow consumer holds no connection, and a generator may be resumed from
  another thread. (HBase's Thrift scanner ids are server-wide, not per connection.)
  `after=` resumes strictly after a checkpoint key: the next key after `k` is `k + b"\\x00"`.
- **Checksums**: HBase has no server-side hash over Thrift 1 (its HashTable is a MapReduce
  job), so `range_digest` streams the range and hashes here, in bounded memory::

      per row:    h = first 60 bits of MD5( len:key len:col len:value ... )   columns sorted
      per range:  rows = COUNT, checksum = SUM(h)                             (Python int)

  The sum does not depend on order and adds up: digest(A ∪ B) = digest(A) + digest(B), so
  sub-ranges can be hashed once and combined, as in `connectors/warehouse.py`.
  `range_digests` hashes consecutive ranges (e.g. regions) in one scan; `segment_digests` cuts a
  range every N rows and returns the cuts, to reuse on the other side: one scan per level of a
  bisection, not one per range.
- **Writes** are `mutateRows` batches. Thrift 1 takes one timestamp per call, so cells that
  carry their own timestamp (`(value, ts)`) are grouped by timestamp into `mutateRowsTs` calls:
  a copy keeps the source's cell timestamps.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import happybase
from thriftpy2.thrift import TApplicationException, TException
from thriftpy2.transport import TTransportException

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_POOL_SIZE = 8
#: Rows per scannerGetList for counts and key listings. Measured against the sandbox: 1,000 beats
#: 10,000 by 20-40 %, because a large batch keeps many freshly decoded objects alive long enough
#: for Python's cyclic GC to scan them again and again; per-call overhead is already small at
#: 1,000 (200 calls for 200,000 rows). Pass `caching=` to change it per call.
COUNT_CACHING = 1_000
#: Rows per scannerGetList / getRows / mutateRows for data.
DEFAULT_BATCH = 1_000
#: Rows per scannerGetList when hashing ranges.
DIGEST_BATCH = 1_000
#: The filter of counts and key listings: one empty cell per row.
KEY_ONLY_FILTER = b"FirstKeyOnlyFilter() AND KeyOnlyFilter()"

Cells = dict[bytes, bytes]
Row = tuple[bytes, Cells]
CellValue = bytes | tuple[bytes, int]  # a value, or (value, timestamp in ms) to keep a timestamp


# -- errors -------------------------------------------------------------------------------------


class HBaseError(RuntimeError):
    """An HBase operation failed; the message says what and where."""


class TableNotFound(HBaseError):
    """The table does not exist on that HBase."""

    def __init__(self, table: str, where: str) -> None:
        super().__init__(f"HBase table '{table}' does not exist on {where}")
        self.table = table


class Unreachable(HBaseError):
    """The HBase Thrift server could not be reached (refused, timed out, connection lost)."""


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """One region: keys in [start_key, end_key); b"" means the table's start or end."""

    name: str
    start_key: bytes
    end_key: bytes
    region_id: int = 0
    server: str = ""


@dataclass(frozen=True)
class Family:
    """A column family and the settings a copy of its table should keep."""

    name: str
    max_versions: int = 3
    compression: str = "NONE"
    in_memory: bool = False
    bloom_filter_type: str = "NONE"
    block_cache_enabled: bool = False
    time_to_live: int = -1


@dataclass(frozen=True)
class RegionCount:
    region: Region
    rows: int
    seconds: float


@dataclass(frozen=True)
class RangeDigest:
    """Rows and checksum of [start, stop) (None: open end). See the module docstring."""

    start: bytes | None
    stop: bytes | None
    rows: int
    checksum: int
    first_key: bytes | None = None
    last_key: bytes | None = None


def row_hash(key: bytes, cells: Mapping[bytes, bytes]) -> int:
    """The 60-bit hash of one row that `range_digest` sums. Length-prefixed, so no two rows collide by framing."""
    h = hashlib.md5(b"%d:%s" % (len(key), key))
    for column in sorted(cells):
        value = cells[column]
        h.update(b"%d:%s%d:%s" % (len(column), column, len(value), value))
    return int.from_bytes(h.digest()[:8], "big") >> 4


def row_bytes(key: bytes, cells: Mapping[bytes, CellValue]) -> int:
    """Bytes of a row's key, column names and values (what a copy moves, for rate limits)."""
    total = len(key)
    for column, value in cells.items():
        total += len(column) + len(value[0] if isinstance(value, tuple) else value)
    return total


def next_key(key: bytes) -> bytes:
    """The smallest row key after `key`: scanning from it resumes strictly after a checkpoint."""
    return key + b"\x00"


def _name(table: str | bytes) -> bytes:
    return table.encode() if isinstance(table, str) else bytes(table)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode("utf-8", "backslashreplace") if isinstance(value, bytes) else value


# -- the connector ------------------------------------------------------------------------------


class HBaseConnector:
    """One HBase (its Thrift 1 server). Thread-safe; connections come from a pool of `pool_size`.

    Nothing connects until the first call, so building a connector never fails; a server that
    cannot be reached raises `Unreachable` from the call that needed it."""

    def __init__(self, host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.host = host
        self.port = port
        self.timeout = timeout
        self.pool_size = pool_size
        self._pool: happybase.ConnectionPool | None = None
        self._pool_lock = threading.Lock()
        # The types of happybase's Hbase.thrift (TScan, Mutation, IOError, ...): importing happybase
        # registers them as the module `Hbase_thrift`.
        self._thrift = importlib.import_module("Hbase_thrift")

    @property
    def where(self) -> str:
        return f"HBase Thrift {self.host}:{self.port}"

    def close(self) -> None:
        """Close the pooled connections (idle ones; a connection in use closes when returned)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        while True:
            try:
                conn = pool._queue.get_nowait()  # happybase has no pool close
            except Exception:
                break
            conn.close()

    def __enter__(self) -> HBaseConnector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing ------------------------------------------------------------------------

    def _get_pool(self) -> happybase.ConnectionPool:
        with self._pool_lock:
            if self._pool is None:
                try:
                    # happybase's timeout is in milliseconds; the pool connects one connection now
                    self._pool = happybase.ConnectionPool(
                        self.pool_size, host=self.host, port=self.port, timeout=int(self.timeout * 1000)
                    )
                except (TTransportException, OSError) as exc:
                    raise Unreachable(f"{self.where} is unreachable: {_reason(exc)}") from None
            return self._pool

    @contextmanager
    def _conn(self, table: str | bytes | None = None) -> Iterator[happybase.Connection]:
        """A pooled connection; every failure leaves as an `HBaseError`.

        Errors the IDL declares (IOError, IllegalArgument, AlreadyExists) are turned into ours
        inside the pool's block: the connection is fine and goes back to the pool as is (the pool
        would otherwise replace it). Transport errors pass through the pool, which replaces the
        broken connection, and come out as `Unreachable`."""
        T = self._thrift
        pool = self._get_pool()
        try:
            with pool.connection(timeout=self.timeout) as conn:
                try:
                    yield conn
                except (T.IOError, T.IllegalArgument, T.AlreadyExists, TApplicationException) as exc:
                    raise self._declared_error(exc, table) from None
        except happybase.NoConnectionsAvailable:
            raise HBaseError(f"{self.where}: no free connection in the pool within {self.timeout:g} s") from None
        except (TTransportException, OSError) as exc:
            raise Unreachable(f"{self.where} is unreachable: {_reason(exc)}") from None
        except TException as exc:
            raise HBaseError(f"{self.where}: {exc}") from None

    def _declared_error(self, exc: Exception, table: str | bytes | None) -> HBaseError:
        message = _text(getattr(exc, "message", None)) or type(exc).__name__
        if "TableNotFoundException" in message and table is not None:
            return TableNotFound(_text(table), self.where)
        kind = type(exc).__name__
        return HBaseError(f"{self.where}: {kind}: {message}" if table is None else f"{self.where}, table '{_text(table)}': {kind}: {message}")

    # ---- catalog -------------------------------------------------------------------------

    def ping(self) -> None:
        """Raise `Unreachable` unless the server answers."""
        self.tables()

    def tables(self) -> list[str]:
        with self._conn() as conn:
            return sorted(_text(n) for n in conn.client.getTableNames())

    def table_exists(self, table: str | bytes) -> bool:
        return _text(table) in self.tables()

    def families(self, table: str | bytes) -> list[Family]:
        with self._conn(table) as conn:
            descriptors = conn.client.getColumnDescriptors(_name(table))
        return [
            Family(
                name=_text(d.name).rstrip(":"),
                max_versions=d.maxVersions if d.maxVersions is not None else 3,
                compression=_text(d.compression) or "NONE",
                in_memory=bool(d.inMemory),
                bloom_filter_type=_text(d.bloomFilterType) or "NONE",
                block_cache_enabled=bool(d.blockCacheEnabled),
                time_to_live=d.timeToLive if d.timeToLive is not None else -1,
            )
            for d in sorted(descriptors.values(), key=lambda d: d.name)
        ]

    def regions(self, table: str | bytes) -> list[Region]:
        """The table's regions in key order."""
        with self._conn(table) as conn:
            infos = conn.client.getTableRegions(_name(table))
        if not infos:
            # A real Thrift server answers an unknown table with an empty list, not an error.
            self.families(table)  # raises TableNotFound if it is missing
        regions = [
            Region(
                name=_text(r.name),
                start_key=r.startKey or b"",
                end_key=r.endKey or b"",
                region_id=r.id or 0,
                server=f"{_text(r.serverName)}:{r.port}" if r.serverName else "",
            )
            for r in infos
        ]
        return sorted(regions, key=lambda r: r.start_key)

    def ensure_table(
        self,
        table: str | bytes,
        families: Iterable[Family | str | bytes],
        split_points: Sequence[bytes] | None = None,
    ) -> bool:
        """Create `table` with `families` unless it exists; True if it was created.

        An existing table must have every family asked for (else `HBaseError`). HBase's Thrift 1
        API cannot pre-split a table: `split_points` are only logged. Create pre-split tables with
        the HBase shell (`create 't', 'd', SPLITS => [...]`), or in the sandbox with
        `HBaseThriftServer.split_table`."""
        fams = [f if isinstance(f, Family) else Family(name=_text(f).rstrip(":")) for f in families]
        if not fams:
            raise ValueError("a table needs at least one column family")
        if self.table_exists(table):
            have = {f.name for f in self.families(table)}
            missing = [f.name for f in fams if f.name not in have]
            if missing:
                raise HBaseError(f"{self.where}: table '{_text(table)}' exists without column families {', '.join(missing)}")
            return False
        T = self._thrift
        descriptors = [
            T.ColumnDescriptor(
                name=f.name.encode() + b":",
                maxVersions=f.max_versions,
                compression=f.compression,
                inMemory=f.in_memory,
                bloomFilterType=f.bloom_filter_type,
                blockCacheEnabled=f.block_cache_enabled,
                timeToLive=f.time_to_live,
            )
            for f in fams
        ]
        if split_points:
            log.warning("%s: Thrift 1 cannot pre-split; table '%s' is created with one region", self.where, _text(table))
        try:
            with self._conn(table) as conn:
                conn.client.createTable(_name(table), descriptors)
        except HBaseError as exc:
            if "AlreadyExists" in str(exc):  # created by someone else meanwhile
                return False
            raise
        return True

    def create_table_like(self, source: HBaseConnector, table: str | bytes, target_table: str | bytes | None = None) -> bool:
        """Create `target_table` (default: same name) here with the families of `table` on `source`."""
        return self.ensure_table(target_table if target_table is not None else table, source.families(table))

    def delete_table(self, table: str | bytes) -> bool:
        """Disable and delete `table`; False if it did not exist."""
        if not self.table_exists(table):
            return False
        with self._conn(table) as conn:
            if conn.client.isTableEnabled(_name(table)):
                conn.client.disableTable(_name(table))
            conn.client.deleteTable(_name(table))
        return True

    # ---- counts --------------------------------------------------------------------------

    def count_range(self, table: str | bytes, start: bytes | None = None, stop: bytes | None = None, *,
                    caching: int = COUNT_CACHING) -> int:
        """Rows with start <= key < stop (None: open end), by a key-only scan."""
        total = 0
        for batch in self._raw_batches(table, start, stop, None, caching, KEY_ONLY_FILTER):
            total += len(batch)
        return total

    def count_by_region(self, table: str | bytes, *, parallel: bool = True, caching: int = COUNT_CACHING,
                        workers: int | None = None) -> list[RegionCount]:
        """Rows per region, each region a key-only scan; regions in parallel threads if `parallel`
        (`workers` threads, default one per region up to the pool size)."""
        regions = self.regions(table)

        def one(region: Region) -> RegionCount:
            t0 = time.perf_counter()
            n = self.count_range(table, region.start_key or None, region.end_key or None, caching=caching)
            return RegionCount(region, n, time.perf_counter() - t0)

        if not parallel or len(regions) < 2:
            return [one(r) for r in regions]
        n = min(self.pool_size, len(regions), workers or len(regions))
        with ThreadPoolExecutor(max_workers=max(1, n), thread_name_prefix="hbase-count") as ex:
            return list(ex.map(one, regions))

    def count(self, table: str | bytes, *, parallel: bool = True, caching: int = COUNT_CACHING,
              workers: int | None = None) -> int:
        """Rows in the table (key-only scans split by region, in parallel unless told otherwise)."""
        return sum(rc.rows for rc in self.count_by_region(table, parallel=parallel, caching=caching, workers=workers))

    # ---- reads ---------------------------------------------------------------------------

    def _raw_batches(self, table: str | bytes, start: bytes | None, stop: bytes | None,
                     columns: Sequence[bytes] | None, batch_size: int, filter_string: bytes | None) -> Iterator[list]:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        T = self._thrift
        scan = T.TScan(startRow=start or b"", stopRow=stop or None, columns=list(columns) if columns else None,
                       caching=batch_size, filterString=filter_string)
        with self._conn(table) as conn:
            sid = conn.client.scannerOpenWithScan(_name(table), scan, {})
        try:
            while True:
                with self._conn(table) as conn:
                    results = conn.client.scannerGetList(sid, batch_size)
                if not results:
                    return
                yield results
        finally:
            try:
                with self._conn(table) as conn:
                    conn.client.scannerClose(sid)
            except HBaseError:
                pass  # the server drops idle scanners by itself

    def scan_batches(
        self,
        table: str | bytes,
        start: bytes | None = None,
        stop: bytes | None = None,
        *,
        after: bytes | None = None,
        columns: Sequence[bytes] | None = None,
        batch_size: int = DEFAULT_BATCH,
        include_timestamp: bool = False,
    ) -> Iterator[list[tuple[bytes, dict[bytes, Any]]]]:
        """Rows of [start, stop) in key order, a list of at most `batch_size` rows at a time.

        `after` resumes strictly after that key (a checkpoint), overriding `start`. `columns`:
        families (`b"d"`) or columns (`b"d:amount"`). With `include_timestamp` a value is
        `(value, timestamp_ms)`, which `put_many` writes back with the same timestamp."""
        if after is not None:
            start = next_key(after)
        for results in self._raw_batches(table, start, stop, columns, batch_size, None):
            if include_timestamp:
                yield [(r.row, {c: (cell.value, cell.timestamp) for c, cell in r.columns.items()}) for r in results]
            else:
                yield [(r.row, {c: cell.value for c, cell in r.columns.items()}) for r in results]

    def scan(
        self,
        table: str | bytes,
        start: bytes | None = None,
        stop: bytes | None = None,
        columns: Sequence[bytes] | None = None,
        batch_size: int = DEFAULT_BATCH,
        *,
        after: bytes | None = None,
        include_timestamp: bool = False,
    ) -> Iterator[tuple[bytes, dict[bytes, Any]]]:
        """Rows `(key, {column: value})` of [start, stop) one by one (see `scan_batches`)."""
        for batch in self.scan_batches(table, start, stop, after=after, columns=columns, batch_size=batch_size,
                                       include_timestamp=include_timestamp):
            yield from batch

    def keys(self, table: str | bytes, start: bytes | None = None, stop: bytes | None = None, *,
             after: bytes | None = None, batch_size: int = COUNT_CACHING) -> Iterator[bytes]:
        """Row keys of [start, stop) in order, by a key-only scan (for samples and range splits)."""
        if after is not None:
            start = next_key(after)
        for results in self._raw_batches(table, start, stop, None, batch_size, KEY_ONLY_FILTER):
            for r in results:
                yield r.row

    def get_many(self, table: str | bytes, keys: Iterable[bytes], columns: Sequence[bytes] | None = None, *,
                 batch_size: int = DEFAULT_BATCH) -> dict[bytes, Cells]:
        """Multi-get: `{key: {column: value}}` for the keys that exist (missing keys are absent).

        One `getRowsWithColumns` per `batch_size` keys, never one call per key."""
        out: dict[bytes, Cells] = {}
        batch: list[bytes] = []
        cols = list(columns) if columns else None

        def flush() -> None:
            with self._conn(table) as conn:
                for r in conn.client.getRowsWithColumns(_name(table), batch, cols, {}):
                    out[r.row] = {c: cell.value for c, cell in r.columns.items()}
            batch.clear()

        for key in keys:
            batch.append(key)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return out

    def range_digest(self, table: str | bytes, start: bytes | None = None, stop: bytes | None = None, *,
                     columns: Sequence[bytes] | None = None, batch_size: int = DIGEST_BATCH) -> RangeDigest:
        """Row count and checksum of [start, stop), streamed (bounded memory). See the module docstring."""
        return self.range_digests(table, [start, stop], columns=columns, batch_size=batch_size)[0]

    def range_digests(self, table: str | bytes, cuts: Sequence[bytes | None], *,
                      columns: Sequence[bytes] | None = None, batch_size: int = DIGEST_BATCH) -> list[RangeDigest]:
        """Digests of the consecutive ranges [cuts[i], cuts[i+1]) in one streaming scan.

        `cuts` ascend; None may open the first (table start) or last (table end) one. Use the
        same cuts on both sides (e.g. region boundaries, or those `segment_digests` found on
        AS-IS) and only ranges whose digests differ need a closer look."""
        if len(cuts) < 2:
            raise ValueError("cuts needs at least a start and a stop")
        inner = list(cuts[1:-1])
        if any(c is None for c in inner) or any(a >= b for a, b in zip(inner, inner[1:], strict=False)):  # type: ignore[operator]
            raise ValueError("inner cuts must be ascending keys")
        acc = _DigestAccumulator(list(cuts))
        for batch in self.scan_batches(table, cuts[0], cuts[-1], columns=columns, batch_size=batch_size):
            for key, cells in batch:
                acc.add(key, cells)
        return acc.result()

    def segment_digests(self, table: str | bytes, start: bytes | None = None, stop: bytes | None = None, *,
                        rows_per_segment: int, columns: Sequence[bytes] | None = None,
                        batch_size: int = DIGEST_BATCH) -> list[RangeDigest]:
        """Cut [start, stop) into segments of `rows_per_segment` rows (the last may be shorter)
        and digest each, in one streaming scan. The segments' `start`/`stop` keys are cuts to
        pass to `range_digests` on the other side. An empty range gives one empty segment."""
        if rows_per_segment < 1:
            raise ValueError("rows_per_segment must be at least 1")
        out: list[RangeDigest] = []
        seg_start, rows, checksum, first, last = start, 0, 0, None, None
        for batch in self.scan_batches(table, start, stop, columns=columns, batch_size=batch_size):
            for key, cells in batch:
                if rows == rows_per_segment:
                    out.append(RangeDigest(seg_start, key, rows, checksum, first, last))
                    seg_start, rows, checksum, first = key, 0, 0, None
                if first is None:
                    first = key
                rows += 1
                checksum += row_hash(key, cells)
                last = key
        out.append(RangeDigest(seg_start, stop, rows, checksum, first, last))
        return out

    # ---- writes --------------------------------------------------------------------------

    def put_many(self, table: str | bytes, rows: Iterable[tuple[bytes, Mapping[bytes, CellValue]]], *,
                 batch_size: int = DEFAULT_BATCH) -> int:
        """Write rows with `mutateRows`, `batch_size` rows per call; returns the rows written.

        A value is bytes (written at the server's current time) or `(bytes, timestamp_ms)` (written
        with that timestamp, through `mutateRowsTs`). Not atomic across rows; puts are idempotent,
        so a failed batch can simply be sent again."""
        T = self._thrift
        written = 0
        chunk: list[tuple[bytes, Mapping[bytes, CellValue]]] = []

        def flush() -> None:
            by_ts: dict[int | None, list[Any]] = {}
            for key, cells in chunk:
                groups: dict[int | None, list[Any]] = {}
                for column, value in cells.items():
                    if isinstance(value, tuple):
                        data, ts = value[0], value[1]
                    else:
                        data, ts = value, None
                    groups.setdefault(ts, []).append(T.Mutation(isDelete=False, column=column, value=data))
                for ts, mutations in groups.items():
                    by_ts.setdefault(ts, []).append(T.BatchMutation(row=key, mutations=mutations))
            with self._conn(table) as conn:
                for ts, batches in by_ts.items():
                    if ts is None:
                        conn.client.mutateRows(_name(table), batches, {})
                    else:
                        conn.client.mutateRowsTs(_name(table), batches, ts, {})
            chunk.clear()

        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch_size:
                written += len(chunk)
                flush()
        if chunk:
            written += len(chunk)
            flush()
        return written

    def delete_many(self, table: str | bytes, keys: Iterable[bytes], *, batch_size: int = DEFAULT_BATCH) -> int:
        """Delete whole rows (every family), `batch_size` rows per `mutateRows`; returns the keys sent."""
        T = self._thrift
        families = [f.name.encode() for f in self.families(table)]
        sent = 0
        batch: list[Any] = []
        for key in keys:
            batch.append(T.BatchMutation(row=key, mutations=[T.Mutation(isDelete=True, column=f) for f in families]))
            if len(batch) >= batch_size:
                with self._conn(table) as conn:
                    conn.client.mutateRows(_name(table), batch, {})
                sent += len(batch)
                batch = []
        if batch:
            with self._conn(table) as conn:
                conn.client.mutateRows(_name(table), batch, {})
            sent += len(batch)
        return sent


class _DigestAccumulator:
    """Sorts streamed rows into the ranges between cuts and sums their hashes."""

    def __init__(self, cuts: list[bytes | None]) -> None:
        self.cuts = cuts
        self.i = 0  # the range rows currently fall into
        self.parts = [[0, 0, None, None] for _ in range(len(cuts) - 1)]  # rows, checksum, first, last

    def add(self, key: bytes, cells: Mapping[bytes, bytes]) -> None:
        while self.i < len(self.parts) - 1 and key >= self.cuts[self.i + 1]:  # type: ignore[operator]
            self.i += 1
        part = self.parts[self.i]
        part[0] += 1
        part[1] += row_hash(key, cells)
        if part[2] is None:
            part[2] = key
        part[3] = key

    def result(self) -> list[RangeDigest]:
        return [RangeDigest(self.cuts[i], self.cuts[i + 1], p[0], p[1], p[2], p[3]) for i, p in enumerate(self.parts)]


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return _text(text)
