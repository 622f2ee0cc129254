"""Helpers of the validation tests: both sides of a table as backends, and every check at once."""

from __future__ import annotations

from dataclasses import dataclass

from connectors.hbase import HBaseConnector
from connectors.warehouse import WarehouseConnector
from features.validation.count import count_table
from features.validation.hashdiff import Tuning, full_compare
from features.validation.hbase_backend import HBaseBackend
from features.validation.model import CompareResult, CountResult
from features.validation.sample import sample_compare
from features.validation.warehouse_backend import WarehouseBackend

#: Small thresholds so that tests with a few thousand rows still go through several levels.
SMALL = Tuning(target_segments=16, split_factor=4, row_level_threshold=8, rows_per_fetch=64, bucket_digits=1,
               bucket_rows_per_fetch=64)


@dataclass
class Checks:
    count: CountResult
    sample: CompareResult
    full: CompareResult
    full_small: CompareResult

    def compares(self) -> list[CompareResult]:
        return [self.sample, self.full, self.full_small]


def run_all(asis, tobe, table: str = "t", sample: int = 100_000) -> Checks:
    try:
        return Checks(count_table(table, asis, tobe), sample_compare(table, asis, tobe, sample, seed=1),
                      full_compare(table, asis, tobe), full_compare(table, asis, tobe, tuning=SMALL))
    finally:
        asis.close()
        tobe.close()


def hbase_pair(server_a, table_a: str, server_b, table_b: str, columns=(), key_from=None, key_to=None):
    return (HBaseBackend(HBaseConnector(server_a.host, server_a.port), "as-is", table_a, list(columns), key_from, key_to),
            HBaseBackend(HBaseConnector(server_b.host, server_b.port), "to-be", table_b, list(columns), key_from, key_to))


def warehouse_pair(warehouse, table: str, key: list[str], columns=None, where=None):
    a = WarehouseBackend(WarehouseConnector(warehouse.dsn("asis")), "as-is", table, key, columns, where)
    b = WarehouseBackend(WarehouseConnector(warehouse.dsn("tobe")), "to-be", table, key, columns, where, columns_from=a)
    return a, b


def changed_keys(result: CompareResult) -> dict[str, list[str]]:
    return {c.key: c.columns for c in result.changed}
