"""An HBase Thrift 1 server on 127.0.0.1 for the sandbox and the tests.

It speaks the protocol of happybase's own `Hbase.thrift` (buffered transport, binary protocol,
happybase's defaults), so happybase and `connectors.hbase` run against it unchanged.

    with HBaseThriftServer() as hbase:                       # free port, in-memory
        hbase.load_table("orders", ["d"], rows, split_points=[b"order-5"])
        happybase.Connection(hbase.host, hbase.port).table("orders").scan()

    HBaseThriftServer(data_path="var/hbase-asis.pickle")     # tables kept across restarts

One thread accepts, one thread per connection serves it (like HBase's default thread-pool
Thrift server). Two settings matter (LIBRARY-NOTES): TCP_NODELAY on every accepted socket, or
each multi-packet answer stalls ~40 ms on delayed ACKs; and no idle timeout on client sockets,
or a pooled connection left idle for a few seconds is dropped under its user.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterable, Mapping
from types import TracebackType

from thriftpy2.protocol import TBinaryProtocolFactory
from thriftpy2.protocol.exc import TProtocolException
from thriftpy2.thrift import TProcessor
from thriftpy2.transport import TBufferedTransportFactory, TSocket, TTransportException

from sandbox.hbase.handler import HBaseHandler, guarded, thrift_module
from sandbox.hbase.persist import load_tables, save_tables
from sandbox.hbase.store import Table, normalize_family, normalize_put_column, now_ms

try:  # the Cython binary protocol raises its own error class
    from thriftpy2.protocol.cybin.cybin import ProtocolError as _CyProtocolError
except ImportError:  # pragma: no cover - pure-Python thriftpy2
    _CyProtocolError = TProtocolException

log = logging.getLogger(__name__)
PROTOCOL_ERRORS = (TProtocolException, _CyProtocolError)

FamiliesArg = Iterable[bytes | str] | Mapping[bytes | str, Mapping[str, object] | None]


def _b(name: bytes | str) -> bytes:
    return name.encode() if isinstance(name, str) else bytes(name)


class HBaseThriftServer:
    """An in-memory HBase behind a Thrift 1 endpoint. `start()` binds a free port when `port=0`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        data_path: str | os.PathLike[str] | None = None,
        *,
        scan_rows_per_second: float | None = None,
    ) -> None:
        """`scan_rows_per_second`: simulate region servers that read at most that many rows per
        second per scanner (None: as fast as this process can). Benchmarks use it to show what
        splitting a scan by region gains when, as on a cluster, the servers are the limit."""
        self.host = host
        self.scan_rows_per_second = scan_rows_per_second
        self.port = port
        self.data_path = os.fspath(data_path) if data_path is not None else None
        self.tables: dict[bytes, Table] = {}
        self._catalog_lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._clients: set[socket.socket] = set()
        self._clients_lock = threading.Lock()
        self._stopping = threading.Event()
        self._processor: TProcessor | None = None

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> HBaseThriftServer:
        if self._accept_thread is not None:
            return self
        if self.data_path and os.path.exists(self.data_path):
            self.tables.update(load_tables(self.data_path))
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))  # port 0: the kernel picks a free port, no race
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        handler = guarded(HBaseHandler(self.tables, self._catalog_lock, self.host, self.port, self.scan_rows_per_second))
        self._processor = TProcessor(thrift_module().Hbase, handler)
        self._stopping.clear()
        self._accept_thread = threading.Thread(target=self._accept_loop, name=f"hbase-thrift-{self.port}", daemon=True)
        self._accept_thread.start()
        log.info("HBase Thrift sandbox listening on %s:%d", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop listening, drop every connection, and save the tables if there is a data file."""
        if self._accept_thread is None:
            return
        self._stopping.set()
        assert self._listener is not None
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        except OSError:
            pass
        self._listener.close()
        self._accept_thread.join(timeout=5)
        with self._clients_lock:
            clients = list(self._clients)
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)  # the connection's thread sees EOF and ends
            except OSError:
                pass
        self._accept_thread = None
        self._listener = None
        if self.data_path:
            self.save()

    def __enter__(self) -> HBaseThriftServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def save(self) -> None:
        """Write every table to `data_path` (atomically). Without a data path this does nothing."""
        if self.data_path:
            save_tables(self.data_path, self.tables)

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._processor is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                break  # the listener was shut down by stop()
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client.settimeout(None)
            with self._clients_lock:
                self._clients.add(client)
            threading.Thread(target=self._serve, args=(client,), name=f"hbase-thrift-conn-{self.port}", daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        assert self._processor is not None
        trans = TBufferedTransportFactory().get_transport(TSocket(sock=client))
        proto = TBinaryProtocolFactory().get_protocol(trans)
        try:
            while not self._stopping.is_set():
                self._processor.process(proto, proto)
        except (TTransportException, OSError):
            pass  # the client went away, or stop() closed the socket
        except PROTOCOL_ERRORS as exc:
            log.warning("HBase Thrift sandbox: dropped a client that does not speak buffered transport + "
                        "binary protocol (happybase's defaults): %s", exc)
        except Exception:
            log.exception("HBase Thrift sandbox: connection dropped after an unexpected error")
        finally:
            with self._clients_lock:
                self._clients.discard(client)
            try:
                trans.close()
            except Exception:
                pass

    # ---- direct access (no Thrift), for seeding and tests --------------------------------

    def has_table(self, name: bytes | str) -> bool:
        return _b(name) in self.tables

    def table(self, name: bytes | str) -> Table:
        """The store's table object (raises KeyError if absent)."""
        return self.tables[_b(name)]

    def row_count(self, name: bytes | str) -> int:
        return self.table(name).row_count()

    def drop_table(self, name: bytes | str) -> None:
        with self._catalog_lock:
            self.tables.pop(_b(name), None)

    def split_table(self, name: bytes | str, split_points: Iterable[bytes]) -> None:
        """Re-partition a table into regions at `split_points` (Thrift 1 has no call for it)."""
        self.table(name).resplit(split_points)

    def create_table(
        self,
        name: bytes | str,
        families: FamiliesArg,
        split_points: Iterable[bytes] = (),
        *,
        replace: bool = False,
    ) -> Table:
        """Create an empty table with column families and region split points."""
        fams: dict[bytes, dict[str, object]] = {}
        if isinstance(families, Mapping):
            for fam, opts in families.items():
                fams[normalize_family(fam)] = dict(opts or {})
        else:
            for fam in families:
                fams[normalize_family(fam)] = {}
        if not fams:
            raise ValueError("a table needs at least one column family")
        key = _b(name)
        with self._catalog_lock:
            if key in self.tables and not replace:
                raise ValueError(f"table {key!r} already exists")
            table = Table(name=key, families=fams, split_points=list(split_points))
            self.tables[key] = table
        return table

    def load_table(
        self,
        name: bytes | str,
        families: FamiliesArg,
        rows: Iterable[tuple[bytes, Mapping[bytes, bytes]]],
        split_points: Iterable[bytes] = (),
        *,
        timestamp: int | None = None,
        replace: bool = False,
    ) -> int:
        """Bulk-load `(row key, {b"family:qualifier": value})` rows into a new table; returns the row count.

        All cells get `timestamp` (now if None). Much faster than puts over Thrift: no round
        trips, one sort. Later rows with an existing key replace the earlier cells."""
        ts = now_ms() if timestamp is None else timestamp
        table = self.create_table(name, families, split_points, replace=replace)
        data: dict[bytes, dict[bytes, tuple]] = {}
        known: dict[bytes, bytes] = {}  # column as given -> checked column (a table has few columns)
        for key, cells in rows:
            row = data.setdefault(bytes(key), {})
            for column, value in cells.items():
                checked = known.get(column)
                if checked is None:
                    checked = known[column] = normalize_put_column(column)
                    table.check_family(checked)
                row[checked] = bytes(value)  # a bare value: its timestamp is the table's base_ts
        with table.lock:
            table.rows = {k: v for k, v in data.items() if v}
            table.base_ts = ts
            table.reindex()
        return table.row_count()
