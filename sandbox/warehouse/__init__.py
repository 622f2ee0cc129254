"""The sandbox warehouse: a real PostgreSQL standing in for the AS-IS and TO-BE Redshift clusters.

from sandbox.warehouse import Warehouse, seed
with Warehouse() as wh:
    report = seed(wh)              # public.events on TO-BE lacks 2 rows, 1 value changed
    wh.dsn("asis"), wh.dsn("tobe")
"""

from sandbox.warehouse.schema import TABLES, SandboxTable
from sandbox.warehouse.seed import ChangedValue, SeedReport, is_seeded, seed
from sandbox.warehouse.server import DATABASES, Warehouse, WarehouseStartError

__all__ = [
    "DATABASES",
    "TABLES",
    "ChangedValue",
    "SandboxTable",
    "SeedReport",
    "Warehouse",
    "WarehouseStartError",
    "is_seeded",
    "seed",
]
