"""Open both sides of a configured table as compare backends (connectors from the estates)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from commands.errors import OutsideFailure
from config import Config
from config.tables import TableSpec
from connectors.hbase import HBaseConnector
from connectors.warehouse import WarehouseConnector
from jobs.validation.backend import Backend
from jobs.validation.hbase_backend import HBaseBackend
from jobs.validation.warehouse_backend import WarehouseBackend


def open_side(config: Config, spec: TableSpec, estate: str, columns_from: Backend | None = None) -> Backend:
    side = spec.side(estate)
    endpoints = config.estates[estate]
    if side.kind == "hbase":
        ep = endpoints.hbase
        if ep is None:
            raise OutsideFailure(f"estates.{estate}.hbase is not configured, so table {spec.id} cannot be read")
        return HBaseBackend(HBaseConnector(ep.host, ep.port, timeout=ep.timeout_s), estate, side.name,
                            spec.columns, spec.key_from, spec.key_to)
    ep = endpoints.warehouse
    if ep is None:
        raise OutsideFailure(f"estates.{estate}.warehouse is not configured, so table {spec.id} cannot be read")
    conn = WarehouseConnector(ep.dsn, connect_timeout=max(1, int(ep.timeout_s)))
    return WarehouseBackend(conn, estate, side.name, spec.key, spec.columns, spec.filter,
                            columns_from=columns_from if isinstance(columns_from, WarehouseBackend) else None)


@contextmanager
def opened(config: Config, spec: TableSpec) -> Iterator[tuple[Backend, Backend]]:
    """(AS-IS, TO-BE) backends of a table, closed afterwards."""
    asis = open_side(config, spec, "as-is")
    tobe = open_side(config, spec, "to-be", columns_from=asis)
    try:
        yield asis, tobe
    finally:
        asis.close()
        tobe.close()
