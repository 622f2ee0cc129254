"""Open both sides of a configured table as compare backends (connectors from the estates).

`ENGINES` maps a table side's kind (app.yaml `tables[].as_is`/`to_be`: hbase, warehouse) to the
function that opens it; a new engine adds its opener here and nothing else changes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from config import Config
from config.tables import TableSpec
from connectors.hbase import HBaseConnector
from connectors.warehouse import WarehouseConnector
from core.errors import OutsideFailure
from features.validation.backend import Backend
from features.validation.hbase_backend import HBaseBackend
from features.validation.warehouse_backend import WarehouseBackend


def _hbase(config: Config, spec: TableSpec, estate: str, columns_from: Backend | None) -> Backend:
    ep = config.estates[estate].hbase
    if ep is None:
        raise OutsideFailure(f"estates.{estate}.hbase is not configured, so table {spec.id} cannot be read")
    return HBaseBackend(HBaseConnector(ep.host, ep.port, timeout=ep.timeout_s), estate, spec.side(estate).name,
                        spec.columns, spec.key_from, spec.key_to)


def _warehouse(config: Config, spec: TableSpec, estate: str, columns_from: Backend | None) -> Backend:
    ep = config.estates[estate].warehouse
    if ep is None:
        raise OutsideFailure(f"estates.{estate}.warehouse is not configured, so table {spec.id} cannot be read")
    conn = WarehouseConnector(ep.dsn, connect_timeout=max(1, int(ep.timeout_s)))
    return WarehouseBackend(conn, estate, spec.side(estate).name, spec.key, spec.columns, spec.filter,
                            columns_from=columns_from if isinstance(columns_from, WarehouseBackend) else None)


Opener = Callable[[Config, TableSpec, str, "Backend | None"], Backend]

ENGINES: dict[str, Opener] = {
    "hbase": _hbase,
    "warehouse": _warehouse,
}


def open_side(config: Config, spec: TableSpec, estate: str, columns_from: Backend | None = None) -> Backend:
    return ENGINES[spec.side(estate).kind](config, spec, estate, columns_from)


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
