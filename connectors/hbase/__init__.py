"""The HBase connector: happybase over Thrift 1, for counts, compares and table copies.

Everything goes through a happybase `ConnectionPool` (buffered transport, binary protocol:
happybase's defaults, HBase's default Thrift server). Results are plain Python values and
dataclasses; errors are typed (`TableNotFound`, `Unreachable`, both `HBaseError`).

Modules: `connector` (the operations, and how the work is split), `session` (the pool, error
translation, the scanner loop), `digest` (range checksums computed here), `rows` (keys, cells,
names), `results` and `errors`.
"""

from connectors.hbase.connector import (
    COUNT_CACHING,
    DEFAULT_BATCH,
    DIGEST_BATCH,
    KEY_ONLY_FILTER,
    HBaseConnector,
)
from connectors.hbase.digest import row_hash
from connectors.hbase.errors import HBaseError, TableNotFound, Unreachable
from connectors.hbase.results import Family, RangeDigest, Region, RegionCount
from connectors.hbase.rows import Cells, CellValue, next_key, row_bytes
from connectors.hbase.session import DEFAULT_POOL_SIZE, DEFAULT_TIMEOUT

__all__ = [
    "COUNT_CACHING",
    "DEFAULT_BATCH",
    "DEFAULT_POOL_SIZE",
    "DEFAULT_TIMEOUT",
    "DIGEST_BATCH",
    "KEY_ONLY_FILTER",
    "CellValue",
    "Cells",
    "Family",
    "HBaseConnector",
    "HBaseError",
    "RangeDigest",
    "Region",
    "RegionCount",
    "TableNotFound",
    "Unreachable",
    "next_key",
    "row_bytes",
    "row_hash",
]
