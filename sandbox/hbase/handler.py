"""The Thrift 1 `Hbase` service of the sandbox: every call of happybase's own Hbase.thrift.

Every method of the service exists here (`tests/sandbox/test_hbase_server.py` checks it): a
missing one would not raise on the client, it would kill the connection. Errors are raised as
the Thrift exceptions the IDL declares (IOError, IllegalArgument, AlreadyExists), with the
message HBase's own Thrift server would give, so clients can handle the sandbox and HBase alike.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from thriftpy2.thrift import TException

from sandbox.hbase.filters import FilterError, ScanFilter, parse_filter
from sandbox.hbase.store import (
    DEFAULT_FAMILY_OPTIONS,
    NO_TIME_BOUND,
    ColumnSelection,
    IllegalArgument,
    StoreError,
    Table,
    TableExists,
    TableNotFound,
    normalize_family,
)

# A scanner nobody has touched for this long is dropped (HBase's Thrift server expires them too).
SCANNER_IDLE_SECONDS = 600.0


def thrift_module() -> ModuleType:
    """The `Hbase_thrift` module that happybase builds from its own Hbase.thrift."""
    importlib.import_module("happybase")  # loading happybase registers `Hbase_thrift`
    return importlib.import_module("Hbase_thrift")


def bytes_increment(prefix: bytes) -> bytes:
    """The first key after every key starting with `prefix` (b"" if there is none)."""
    stripped = prefix.rstrip(b"\xff")
    return stripped[:-1] + bytes([stripped[-1] + 1]) if stripped else b""


@dataclass
class Scanner:
    table: Table
    start: bytes
    stop: bytes
    selection: ColumnSelection
    filter: ScanFilter
    max_ts: int = NO_TIME_BOUND
    batch: int = 0  # Scan.setBatching: at most this many cells per result (0: whole rows)
    sort_columns: bool = False
    reverse: bool = False
    after: bytes | None = None
    pending: list = field(default_factory=list)
    done: bool = False
    used: float = field(default_factory=time.monotonic)


class HBaseHandler:
    """Implements the Hbase service over a `{name: Table}` catalog shared with the server."""

    def __init__(self, tables: dict[bytes, Table], catalog_lock: threading.Lock, host: str, port: int,
                 scan_rows_per_second: float | None = None) -> None:
        self.T = thrift_module()
        self.scan_rows_per_second = scan_rows_per_second
        self.tables = tables
        self.catalog_lock = catalog_lock
        self.host = host
        self.port = port
        self._scanners: dict[int, Scanner] = {}
        self._scanner_lock = threading.Lock()
        self._ids = itertools.count(1)

    # ---- helpers -------------------------------------------------------------------------

    def _table(self, name: bytes, *, enabled: bool = True) -> Table:
        table = self.tables.get(name)
        if table is None:
            raise TableNotFound(name)
        if enabled and not table.enabled:
            raise StoreError(f"org.apache.hadoop.hbase.TableNotEnabledException: {name.decode(errors='replace')} is disabled.")
        return table

    def _cell(self, value: bytes, ts: int) -> Any:
        return self.T.TCell(value, ts)

    def _row_results(self, key: bytes, cells: list[tuple[bytes, bytes, int]], sort_columns: bool = False) -> Any:
        T = self.T
        if sort_columns:
            return T.TRowResult(key, None, [T.TColumn(c, T.TCell(v, ts)) for c, v, ts in cells])
        return T.TRowResult(key, {c: T.TCell(v, ts) for c, v, ts in cells})

    def _get_rows(self, name: bytes, keys: list[bytes], columns: list[bytes] | None, max_ts: int) -> list:
        table = self._table(name)
        selection = ColumnSelection.parse(columns)
        out = []
        with table.lock:
            for key in keys:
                cells = table.read(key, selection, max_ts)
                if cells:  # HBase leaves rows that do not exist out of the answer
                    out.append(self._row_results(key, cells))
        return out

    # ---- tables --------------------------------------------------------------------------

    def getTableNames(self) -> list[bytes]:
        return sorted(self.tables)

    def isTableEnabled(self, tableName: bytes) -> bool:
        return self._table(tableName, enabled=False).enabled

    def enableTable(self, tableName: bytes) -> None:
        self._table(tableName, enabled=False).enabled = True

    def disableTable(self, tableName: bytes) -> None:
        self._table(tableName, enabled=False).enabled = False

    def compact(self, tableNameOrRegionName: bytes) -> None:
        return None  # nothing to compact in memory

    def majorCompact(self, tableNameOrRegionName: bytes) -> None:
        return None

    def getColumnDescriptors(self, tableName: bytes) -> dict:
        table = self._table(tableName, enabled=False)
        return {
            fam + b":": self.T.ColumnDescriptor(name=fam + b":", **{**DEFAULT_FAMILY_OPTIONS, **opts})
            for fam, opts in sorted(table.families.items())
        }

    def getTableRegions(self, tableName: bytes) -> list:
        table = self.tables.get(tableName)
        if table is None:
            return []  # HBase's Thrift server answers an unknown table with no regions, not an error
        return [
            self.T.TRegionInfo(
                startKey=span.start,
                endKey=span.end,
                id=table.region_id,
                name=table.region_name(span.start),
                version=1,
                serverName=self.host.encode(),
                port=self.port,
            )
            for span in table.regions()
        ]

    def createTable(self, tableName: bytes, columnFamilies: list) -> None:
        if not tableName:
            raise IllegalArgument("table name must not be empty")
        if not columnFamilies:
            raise IllegalArgument("a table needs at least one column family")
        families: dict[bytes, dict[str, object]] = {}
        for cd in columnFamilies:
            fam = normalize_family(cd.name or b"")
            if not fam:
                raise IllegalArgument("column family name must not be empty")
            families[fam] = {k: getattr(cd, k) for k in DEFAULT_FAMILY_OPTIONS if getattr(cd, k, None) is not None}
        with self.catalog_lock:
            if tableName in self.tables:
                raise TableExists(tableName)
            self.tables[tableName] = Table(name=tableName, families=families)

    def deleteTable(self, tableName: bytes) -> None:
        with self.catalog_lock:
            table = self._table(tableName, enabled=False)
            if table.enabled:
                raise StoreError(f"org.apache.hadoop.hbase.TableNotDisabledException: {tableName.decode(errors='replace')}")
            del self.tables[tableName]

    # ---- single cells --------------------------------------------------------------------

    def get(self, tableName: bytes, row: bytes, column: bytes, attributes: dict) -> list:
        return self.getVerTs(tableName, row, column, NO_TIME_BOUND, 1, attributes)

    def getVer(self, tableName: bytes, row: bytes, column: bytes, numVersions: int, attributes: dict) -> list:
        return self.getVerTs(tableName, row, column, NO_TIME_BOUND, numVersions, attributes)

    def getVerTs(self, tableName: bytes, row: bytes, column: bytes, timestamp: int, numVersions: int, attributes: dict) -> list:
        table = self._table(tableName)
        with table.lock:
            cells = table.read(row, ColumnSelection.parse([column]), timestamp, max(1, numVersions))
        return [self._cell(v, ts) for _, v, ts in cells]

    # ---- rows ----------------------------------------------------------------------------

    def getRow(self, tableName: bytes, row: bytes, attributes: dict) -> list:
        return self._get_rows(tableName, [row], None, NO_TIME_BOUND)

    def getRowWithColumns(self, tableName: bytes, row: bytes, columns: list, attributes: dict) -> list:
        return self._get_rows(tableName, [row], columns, NO_TIME_BOUND)

    def getRowTs(self, tableName: bytes, row: bytes, timestamp: int, attributes: dict) -> list:
        return self._get_rows(tableName, [row], None, timestamp)

    def getRowWithColumnsTs(self, tableName: bytes, row: bytes, columns: list, timestamp: int, attributes: dict) -> list:
        return self._get_rows(tableName, [row], columns, timestamp)

    def getRows(self, tableName: bytes, rows: list, attributes: dict) -> list:
        return self._get_rows(tableName, rows or [], None, NO_TIME_BOUND)

    def getRowsWithColumns(self, tableName: bytes, rows: list, columns: list, attributes: dict) -> list:
        return self._get_rows(tableName, rows or [], columns, NO_TIME_BOUND)

    def getRowsTs(self, tableName: bytes, rows: list, timestamp: int, attributes: dict) -> list:
        return self._get_rows(tableName, rows or [], None, timestamp)

    def getRowsWithColumnsTs(self, tableName: bytes, rows: list, columns: list, timestamp: int, attributes: dict) -> list:
        return self._get_rows(tableName, rows or [], columns, timestamp)

    def getRowOrBefore(self, tableName: bytes, row: bytes, family: bytes) -> list:
        table = self._table(tableName)
        with table.lock:
            before = table.keys_from(row, b"", None, 1, reverse=True)
            if not before:
                return []
            cells = table.read(before[0], ColumnSelection.parse([family]))
        return [self._cell(v, ts) for _, v, ts in cells]

    def getRegionInfo(self, row: bytes) -> Any:
        # `row` is a hbase:meta row name ("table,key,..."): answer with the region holding key.
        name, _, rest = row.partition(b",")
        key = rest.rpartition(b",")[0] if rest.count(b",") else rest
        table = self._table(name, enabled=False)
        span = table.regions()[table.region_index(key)]
        return self.T.TRegionInfo(span.start, span.end, table.region_id, table.region_name(span.start), 1,
                                  self.host.encode(), self.port)

    # ---- mutations -----------------------------------------------------------------------

    def _mutate(self, table: Table, row: bytes, mutations: list, ts: int | None) -> None:
        puts = [(m.column, m.value) for m in mutations if not m.isDelete]
        deletes = [m.column for m in mutations if m.isDelete]
        for column, value in puts:
            if column is None or value is None:
                raise IllegalArgument("a put needs a column and a value")
        with table.lock:
            for column in deletes:  # HBase applies the row's deletes before its puts
                table.delete_columns(row, [column], ts)
            if puts:
                table.put(row, puts, ts)

    def mutateRow(self, tableName: bytes, row: bytes, mutations: list, attributes: dict) -> None:
        self._mutate(self._table(tableName), row, mutations or [], None)

    def mutateRowTs(self, tableName: bytes, row: bytes, mutations: list, timestamp: int, attributes: dict) -> None:
        self._mutate(self._table(tableName), row, mutations or [], timestamp)

    def mutateRows(self, tableName: bytes, rowBatches: list, attributes: dict) -> None:
        self.mutateRowsTs(tableName, rowBatches, None, attributes)  # type: ignore[arg-type]

    def mutateRowsTs(self, tableName: bytes, rowBatches: list, timestamp: int, attributes: dict) -> None:
        table = self._table(tableName)
        with table.lock:
            for batch in rowBatches or []:
                self._mutate(table, batch.row, batch.mutations or [], timestamp)

    def atomicIncrement(self, tableName: bytes, row: bytes, column: bytes, value: int) -> int:
        return self._table(tableName).increment(row, column, value)

    def increment(self, increment: Any) -> None:
        self._table(increment.table).increment(increment.row, increment.column, increment.ammount or 0)

    def incrementRows(self, increments: list) -> None:
        for inc in increments or []:
            self.increment(inc)

    def append(self, append: Any) -> list:
        table = self._table(append.table)
        columns, values = append.columns or [], append.values or []
        if len(columns) != len(values):
            raise StoreError("append needs as many values as columns")
        out = []
        with table.lock:
            for column, value in zip(columns, values, strict=True):
                old = table.read(append.row, ColumnSelection.parse([column]))
                new = (old[0][1] if old else b"") + value
                table.put(append.row, [(column, new)])
                out.append(self._cell(new, table.read(append.row, ColumnSelection.parse([column]))[0][2]))
        return out

    def checkAndPut(self, tableName: bytes, row: bytes, column: bytes, value: bytes | None, mput: Any, attributes: dict) -> bool:
        table = self._table(tableName)
        with table.lock:
            current = table.read(row, ColumnSelection.parse([column]))
            if (value is None and current) or (value is not None and (not current or current[0][1] != value)):
                return False
            self._mutate(table, row, [mput], None)
            return True

    def deleteAll(self, tableName: bytes, row: bytes, column: bytes, attributes: dict) -> None:
        self._table(tableName).delete_columns(row, [column])

    def deleteAllTs(self, tableName: bytes, row: bytes, column: bytes, timestamp: int, attributes: dict) -> None:
        self._table(tableName).delete_columns(row, [column], timestamp)

    def deleteAllRow(self, tableName: bytes, row: bytes, attributes: dict) -> None:
        self._table(tableName).delete_row(row)

    def deleteAllRowTs(self, tableName: bytes, row: bytes, timestamp: int, attributes: dict) -> None:
        self._table(tableName).delete_row(row, timestamp)

    # ---- scanners ------------------------------------------------------------------------

    def _open(self, scanner: Scanner) -> int:
        now = time.monotonic()
        with self._scanner_lock:
            for sid in [s for s, sc in self._scanners.items() if now - sc.used > SCANNER_IDLE_SECONDS]:
                del self._scanners[sid]
            sid = next(self._ids) % 2**31
            self._scanners[sid] = scanner
        return sid

    def _new_scanner(self, tableName: bytes, start: bytes | None, stop: bytes | None, columns: list | None,
                     max_ts: int = NO_TIME_BOUND, filter_string: bytes | None = None, batch: int = 0,
                     sort_columns: bool = False, reverse: bool = False) -> int:
        table = self._table(tableName)
        try:
            flt = parse_filter(filter_string)
        except FilterError as exc:
            raise StoreError(f"java.lang.IllegalArgumentException: {exc}") from None
        start, stop = start or b"", stop or b""
        if not reverse:
            # A row prefix bounds the range: start at the prefix, stop after it.
            for prefix in flt.row_prefixes:
                start = max(start, prefix)
                end = bytes_increment(prefix)
                if end and (not stop or end < stop):
                    stop = end
        return self._open(Scanner(table, start, stop, ColumnSelection.parse(columns), flt, max_ts,
                                  max(0, batch or 0), bool(sort_columns), bool(reverse)))

    def scannerOpenWithScan(self, tableName: bytes, scan: Any, attributes: dict) -> int:
        return self._new_scanner(
            tableName, scan.startRow, scan.stopRow, scan.columns,
            scan.timestamp if scan.timestamp is not None else NO_TIME_BOUND,
            scan.filterString, scan.batchSize or 0, scan.sortColumns, scan.reversed,
        )

    def scannerOpen(self, tableName: bytes, startRow: bytes, columns: list, attributes: dict) -> int:
        return self._new_scanner(tableName, startRow, None, columns)

    def scannerOpenWithStop(self, tableName: bytes, startRow: bytes, stopRow: bytes, columns: list, attributes: dict) -> int:
        return self._new_scanner(tableName, startRow, stopRow, columns)

    def scannerOpenWithPrefix(self, tableName: bytes, startAndPrefix: bytes, columns: list, attributes: dict) -> int:
        return self._new_scanner(tableName, startAndPrefix, bytes_increment(startAndPrefix or b""), columns)

    def scannerOpenTs(self, tableName: bytes, startRow: bytes, columns: list, timestamp: int, attributes: dict) -> int:
        return self._new_scanner(tableName, startRow, None, columns, timestamp)

    def scannerOpenWithStopTs(self, tableName: bytes, startRow: bytes, stopRow: bytes, columns: list,
                              timestamp: int, attributes: dict) -> int:
        return self._new_scanner(tableName, startRow, stopRow, columns, timestamp)

    def _scanner(self, sid: int) -> Scanner:
        with self._scanner_lock:
            scanner = self._scanners.get(sid)
        if scanner is None:
            raise IllegalArgument("scanner ID is invalid")
        scanner.used = time.monotonic()
        return scanner

    def scannerGet(self, id: int) -> list:
        return self.scannerGetList(id, 1)

    def scannerGetList(self, id: int, nbRows: int) -> list:
        started = time.monotonic()
        out = self._next_rows(self._scanner(id), nbRows)
        if self.scan_rows_per_second and out:
            # A simulated region server reading from disk: this scanner gets rows no faster than
            # the rate. Sleeping releases the GIL, so scans of different regions overlap, as
            # they do on a cluster where each region server reads its own regions.
            pause = len(out) / self.scan_rows_per_second - (time.monotonic() - started)
            if pause > 0:
                time.sleep(pause)
        return out

    def _next_rows(self, sc: Scanner, nbRows: int) -> list:
        want = max(1, nbRows or 1)
        out = sc.pending[:want]
        del sc.pending[:want]
        table, flt, T = sc.table, sc.filter, self.T
        # The fast path of counts: the first cell of each row, no column or time restriction.
        first_only = flt.first_key_only and sc.selection.everything and sc.max_ts == NO_TIME_BOUND \
            and not flt.column_prefixes and not sc.batch and not sc.sort_columns
        while len(out) < want and not sc.done:
            with table.lock:
                keys = table.keys_from(sc.start, sc.stop, sc.after, want - len(out), sc.reverse)
                if not keys:
                    sc.done = True
                    break
                sc.after = keys[-1]
                rows = table.rows
                for key in keys:
                    if flt.row_prefixes and not flt.row_matches(key):
                        continue
                    if first_only:
                        row = rows[key]
                        column = min(row)
                        value, ts = table.latest(row[column])
                        out.append(T.TRowResult(key, {column: T.TCell(b"" if flt.key_only else value, ts)}))
                        continue
                    cells = table.read(key, sc.selection, sc.max_ts)
                    if flt.column_prefixes:
                        cells = [c for c in cells if flt.qualifier_matches(c[0])]
                    if flt.first_key_only:
                        cells = cells[:1]
                    if flt.key_only:
                        cells = [(c, b"", ts) for c, _, ts in cells]
                    if not cells:
                        continue
                    if sc.batch and len(cells) > sc.batch:
                        for i in range(0, len(cells), sc.batch):
                            out.append(self._row_results(key, cells[i : i + sc.batch], sc.sort_columns))
                    else:
                        out.append(self._row_results(key, cells, sc.sort_columns))
        if len(out) > want:  # partial rows of scan batching beyond this call wait for the next
            sc.pending = out[want:] + sc.pending
            out = out[:want]
        return out

    def scannerClose(self, id: int) -> None:
        with self._scanner_lock:
            if self._scanners.pop(id, None) is None:
                raise IllegalArgument("scanner ID is invalid")


def guarded(handler: HBaseHandler) -> HBaseHandler:
    """Wrap every service method so a failure becomes a Thrift exception the IDL declares.

    thriftpy2 re-raises an undeclared exception in the connection's thread, which drops the
    connection; HBase answers with IOError instead, and so must the sandbox."""
    T = handler.T

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def call(*args: Any) -> Any:
            try:
                return fn(*args)
            except TException:
                raise
            except TableExists as exc:
                raise T.AlreadyExists(message=str(exc)) from None
            except IllegalArgument as exc:
                if fn.__name__ in _RAISES_ILLEGAL_ARGUMENT:
                    raise T.IllegalArgument(message=str(exc)) from None
                raise T.IOError(message=str(exc)) from None
            except StoreError as exc:
                raise T.IOError(message=str(exc)) from None
            except Exception as exc:  # a bug or bad input: report it, keep the connection
                raise T.IOError(message=f"{type(exc).__name__}: {exc}") from None

        return call

    for name in T.Hbase.thrift_services:
        setattr(handler, name, wrap(getattr(handler, name)))
    return handler


_RAISES_ILLEGAL_ARGUMENT = {
    "createTable", "mutateRow", "mutateRowTs", "mutateRows", "mutateRowsTs", "atomicIncrement",
    "scannerGet", "scannerGetList", "scannerClose", "checkAndPut",
}
