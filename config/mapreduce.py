"""`mapreduce:` in app.yaml: how HBase validation runs on the clusters' MapReduce (the estates'
`gateway:` and `yarn:` say where), and which tables go there when they do not say `engine:`.

    mapreduce:
      above_rows: 50000000          # a table whose `rows:` hint is above this runs on MapReduce
      above_size: 50GB              # ... or whose `size:` hint is above this
      hashtable_batch_size: 32KB    # HashTable --batchsize: a differing range is about this much data
      max_ranges: 1000              # differing ranges listed row by row through Thrift (more: counted only)
      poll_every: 2s                # how often YARN is asked for progress
      work_dir: /user/ferry/validation   # HDFS folder (AS-IS) for HashTable's output
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.errors import ConfigError
from config.reader import Reader, join
from config.units import parse_duration, parse_size

ENGINES = ("thrift", "mapreduce")


@dataclass(frozen=True)
class MapReduceSettings:
    above_rows: int = 50_000_000
    above_size: int = 50 * 10**9
    hashtable_batch_size: int = 32 * 1024
    max_ranges: int = 1_000
    poll_every_s: float = 2.0
    work_dir: str = "/user/ferry/validation"


def _size(r: Reader, key: str, default: int) -> int:
    raw = r.raw(key, None)
    if raw is None:
        return default
    try:
        return parse_size(raw)
    except ValueError as e:
        raise ConfigError(join(r.path, key), str(e)) from None


def parse(value: Any, path: str, parsed: dict[str, Any]) -> MapReduceSettings:
    r = Reader(value, path)
    poll = r.raw("poll_every", None)
    try:
        poll_s = parse_duration(poll) if poll is not None else 2.0
    except ValueError as e:
        raise ConfigError(join(path, "poll_every"), str(e)) from None
    settings = MapReduceSettings(
        above_rows=r.int("above_rows", default=50_000_000, minimum=0),
        above_size=_size(r, "above_size", 50 * 10**9),
        hashtable_batch_size=_size(r, "hashtable_batch_size", 32 * 1024),
        max_ranges=r.int("max_ranges", default=1_000, minimum=1),
        poll_every_s=max(0.1, poll_s),
        work_dir=r.str("work_dir", default="/user/ferry/validation", pattern=r"/[A-Za-z0-9_./-]*",
                       what="an absolute HDFS path"),
    )
    r.done()
    if settings.hashtable_batch_size < 1:
        raise ConfigError(join(path, "hashtable_batch_size"), "must be at least 1 byte")
    return settings


def ready(estates: dict[str, Any]) -> list[str]:
    """What is missing for MapReduce validation (empty: both estates have a gateway and a YARN)."""
    missing = []
    for name in ("as-is", "to-be"):
        e = estates.get(name)
        for part in ("gateway", "yarn"):
            if getattr(e, part, None) is None:
                missing.append(f"estates.{name}.{part}")
    if not missing:
        gw = estates["as-is"].gateway
        if not gw.hdfs or not gw.zookeeper:
            missing.append("estates.as-is.gateway.hdfs and .zookeeper (SyncTable on TO-BE reads AS-IS through them)")
    return missing
