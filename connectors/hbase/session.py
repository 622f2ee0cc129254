"""An HBase session: a lazily built happybase `ConnectionPool` to one Thrift 1 server, the
translation of Thrift's errors into ours, and the scanner loop every read is built on.
`HBaseConnector` adds the operations on top.

Scans fetch batches with `scannerGetList` and take a pool connection per batch, never across a
`yield`: a slow consumer holds no connection, and a generator may be resumed from another
thread. (HBase's Thrift scanner ids are server-wide, not per connection.)
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

from connectors.hbase.errors import HBaseError, TableNotFound, Unreachable
from connectors.hbase.rows import as_name, as_text
from connectors.lazy import lazy

# happybase and thriftpy2 load on first use (connectors/lazy.py): a verb that never reads HBase skips them.
happybase = lazy("happybase")

DEFAULT_TIMEOUT = 10.0
DEFAULT_POOL_SIZE = 8


class HBaseSession:
    """Pooled connections to one HBase Thrift server. Thread-safe; the pool holds `pool_size`.

    Nothing connects until the first call, so building one never fails; a server that cannot be
    reached raises `Unreachable` from the call that needed it."""

    def __init__(self, host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT, pool_size: int = DEFAULT_POOL_SIZE) -> None:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.host = host
        self.port = port
        self.timeout = timeout
        self.pool_size = pool_size
        self._pool: Any = None  # happybase.ConnectionPool
        self._pool_lock = threading.Lock()

    @property
    def _thrift(self) -> Any:
        """The types of happybase's Hbase.thrift (TScan, Mutation, IOError, ...): importing happybase
        registers them as the module `Hbase_thrift`."""
        happybase.ConnectionPool  # noqa: B018 - loads happybase (lazy), which registers the module
        return importlib.import_module("Hbase_thrift")

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get_pool(self) -> Any:  # happybase.ConnectionPool
        with self._pool_lock:
            if self._pool is None:
                try:
                    # happybase's timeout is in milliseconds; the pool connects one connection now
                    self._pool = happybase.ConnectionPool(
                        self.pool_size, host=self.host, port=self.port, timeout=int(self.timeout * 1000)
                    )
                except (_transport_error(), OSError) as exc:
                    raise Unreachable(f"{self.where} is unreachable: {_reason(exc)}") from None
            return self._pool

    @contextmanager
    def _conn(self, table: str | bytes | None = None) -> Iterator[Any]:
        """A pooled connection; every failure leaves as an `HBaseError`.

        Errors the IDL declares (IOError, IllegalArgument, AlreadyExists) are turned into ours
        inside the pool's block: the connection is fine and goes back to the pool as is (the pool
        would otherwise replace it). Transport errors pass through the pool, which replaces the
        broken connection, and come out as `Unreachable`."""
        from thriftpy2.thrift import TApplicationException, TException
        from thriftpy2.transport import TTransportException

        pool = self._get_pool()
        T = self._thrift
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
        message = as_text(getattr(exc, "message", None)) or type(exc).__name__
        if "TableNotFoundException" in message and table is not None:
            return TableNotFound(as_text(table), self.where)
        kind = type(exc).__name__
        return HBaseError(f"{self.where}: {kind}: {message}" if table is None else f"{self.where}, table '{as_text(table)}': {kind}: {message}")

    def _raw_batches(self, table: str | bytes, start: bytes | None, stop: bytes | None,
                     columns: Sequence[bytes] | None, batch_size: int, filter_string: bytes | None) -> Iterator[list]:
        """Thrift results (`TRowResult`) of [start, stop), one `scannerGetList` at a time."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        T = self._thrift
        scan = T.TScan(startRow=start or b"", stopRow=stop or None, columns=list(columns) if columns else None,
                       caching=batch_size, filterString=filter_string)
        with self._conn(table) as conn:
            sid = conn.client.scannerOpenWithScan(as_name(table), scan, {})
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


def _reason(exc: BaseException) -> str:
    """What a transport error says, as a person would put it (thriftpy2 says "Could not connect
    to ('127.0.0.1', 9090)"; the address is in the message already)."""
    text = as_text(getattr(exc, "message", None) or str(exc) or type(exc).__name__)
    if text.startswith("Could not connect to"):
        return "connection refused (is the HBase Thrift server running and listening there?)"
    if "timed out" in text.lower():
        return "no answer in time; the Thrift server may be overloaded or a firewall drops the traffic"
    return text


def _transport_error() -> type[Exception]:
    from thriftpy2.transport import TTransportException

    return TTransportException
