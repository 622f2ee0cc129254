"""The plain values the HBase connector returns."""

from __future__ import annotations

from dataclasses import dataclass


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
