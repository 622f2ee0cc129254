"""The `transfers:` section: the copies Ferry starts, watches and reports.

    transfers:
      - id: hbase-orders
        kind: hbase-copy                # cloudera-replication | datasync | redshift-snapshot | hbase-copy
        from: as-is                     # the side it reads (default as-is)
        to: to-be                       # the side it writes (default to-be)
        table: orders                   # kind-specific keys, see the *Params classes below
        rate: 50MB/s                    # optional starting cap (bytes/s); `/migrate throttle` changes it
        size: 40GB                      # optional: shown on the confirmation card when the engine cannot tell
        tables: [orders]                # optional: table ids whose validations run when it ends done
        poll_every: 10s                 # how often the watcher looks (default 5s)
        stall_alert_after: 15m          # alert the channel when stalled this long (default 15m)

Each kind names the estate endpoint Ferry drives with `via` (default: the CM of the TO-BE side for
cloudera-replication, the AWS account of the TO-BE side for datasync), and the parser checks
that the estates it refers to have the endpoints its kind needs, so a typo fails at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.entries import ID_PATTERN, Entries, each_entry
from config.errors import ConfigError
from config.reader import Reader, join
from config.units import parse_duration, parse_rate, parse_size

KINDS = ("cloudera-replication", "datasync", "redshift-snapshot", "hbase-copy")
ESTATES = ("as-is", "to-be")
DEFAULT_POLL_EVERY_S = 5.0
DEFAULT_STALL_ALERT_AFTER_S = 15 * 60.0
MIN_POLL_EVERY_S = 0.2


@dataclass(frozen=True)
class ClouderaReplicationParams:
    schedule: int  # the replication schedule's id in Cloudera Manager
    service: str = "hdfs"  # the service that owns the schedule
    cluster: str | None = None  # default: the `via` estate's cloudera.cluster


@dataclass(frozen=True)
class DataSyncParams:
    task_arn: str


@dataclass(frozen=True)
class RedshiftSnapshotParams:
    source_cluster: str  # on the `from` side's AWS account
    target_cluster: str  # created on the `to` side by the restore
    copy_to_region: str | None = None  # copy the snapshot to this region before restoring
    node_type: str | None = None  # default: the snapshot's
    nodes: int | None = None
    from_automated: bool = False  # copy the latest automated snapshot instead of taking a new one


@dataclass(frozen=True)
class HBaseCopyParams:
    table: str
    target_table: str | None = None  # default: the same name
    batch_rows: int = 1000  # rows per scan batch, mutateRows call and checkpoint
    workers: int = 4  # regions copied in parallel

    @property
    def target(self) -> str:
        return self.target_table or self.table


Params = ClouderaReplicationParams | DataSyncParams | RedshiftSnapshotParams | HBaseCopyParams


@dataclass(frozen=True)
class Transfer:
    id: str
    kind: str
    source: str  # estate name it reads: as-is | to-be
    target: str  # estate name it writes
    via: str  # estate whose endpoint (CM, AWS) drives the engine
    params: Params
    description: str = ""
    rate: float | None = None  # starting cap, bytes/s
    size: int | None = None  # bytes, as configured
    tables: tuple[str, ...] = ()
    poll_every_s: float = DEFAULT_POLL_EVERY_S
    stall_alert_after_s: float = DEFAULT_STALL_ALERT_AFTER_S


@dataclass(frozen=True)
class Transfers(Entries[Transfer]):
    """The configured transfers, in file order. `cfg.transfers.get("hbase-orders")`."""


def parse(value: Any, path: str, parsed: dict[str, Any]) -> Transfers:
    return Transfers(tuple(_transfer(ident, r, parsed) for ident, r in each_entry(value, path, "transfers")))


def _transfer(ident: str, r: Reader, parsed: dict[str, Any]) -> Transfer:
    kind = r.choice("kind", KINDS)
    source = r.choice("from", ESTATES, default="as-is")
    target = r.choice("to", ESTATES, default="to-be")
    if source == target:
        raise ConfigError(join(r.path, "to"), f"a transfer reads one side and writes the other; both are {source!r}")
    via = r.choice("via", ESTATES, default=target)
    params = _PARAMS[kind](r)
    rate = _unit(r, "rate", parse_rate)
    size = _unit(r, "size", parse_size)
    poll = _unit(r, "poll_every", parse_duration)
    stall = _unit(r, "stall_alert_after", parse_duration)
    if poll is not None and poll < MIN_POLL_EVERY_S:
        raise ConfigError(join(r.path, "poll_every"), f"must be at least {MIN_POLL_EVERY_S}s")
    if rate is not None and rate <= 0:
        raise ConfigError(join(r.path, "rate"), "must be positive (leave it out for no cap)")
    transfer = Transfer(
        id=ident, kind=kind, source=source, target=target, via=via, params=params,
        description=r.str("description", default=""),
        rate=rate, size=size,
        tables=r.str_list("tables", default=(), pattern=ID_PATTERN, what="a table id"),
        poll_every_s=poll if poll is not None else DEFAULT_POLL_EVERY_S,
        stall_alert_after_s=stall if stall is not None else DEFAULT_STALL_ALERT_AFTER_S,
    )
    r.done()
    _check_endpoints(transfer, r.path, parsed.get("estates") or {})
    return transfer


def _unit(r: Reader, key: str, parser) -> Any:
    raw = r.raw(key, None)
    if raw is None:
        return None
    try:
        return parser(raw)
    except ValueError as e:
        raise ConfigError(join(r.path, key), str(e)) from None


def _cloudera(r: Reader) -> ClouderaReplicationParams:
    return ClouderaReplicationParams(schedule=r.int("schedule", minimum=0), service=r.str("service", default="hdfs"),
                                     cluster=r.str("cluster", default=None))


def _datasync(r: Reader) -> DataSyncParams:
    return DataSyncParams(task_arn=r.str("task_arn", pattern=r"arn:aws[a-z-]*:datasync:.+:task/task-[0-9a-f]+",
                                         what="a DataSync task ARN (arn:aws:datasync:REGION:ACCOUNT:task/task-…)"))


def _redshift(r: Reader) -> RedshiftSnapshotParams:
    return RedshiftSnapshotParams(
        source_cluster=r.str("source_cluster"), target_cluster=r.str("target_cluster"),
        copy_to_region=r.str("copy_to_region", default=None), node_type=r.str("node_type", default=None),
        nodes=r.int("nodes", default=None, minimum=1), from_automated=r.bool("from_automated", default=False),
    )


def _hbase(r: Reader) -> HBaseCopyParams:
    return HBaseCopyParams(table=r.str("table"), target_table=r.str("target_table", default=None),
                           batch_rows=r.int("batch_rows", default=1000, minimum=1),
                           workers=r.int("workers", default=4, minimum=1))


_PARAMS = {"cloudera-replication": _cloudera, "datasync": _datasync, "redshift-snapshot": _redshift,
           "hbase-copy": _hbase}

# Which endpoints each kind needs, on which side: (estate attribute, sides).
_NEEDS = {
    "cloudera-replication": (("cloudera", "via"),),
    "datasync": (("aws", "via"),),
    "redshift-snapshot": (("aws", "source"), ("aws", "target")),
    "hbase-copy": (("hbase", "source"), ("hbase", "target")),
}


def _check_endpoints(t: Transfer, path: str, estates: dict[str, Any]) -> None:
    for endpoint, side_attr in _NEEDS[t.kind]:
        side = getattr(t, side_attr)
        estate = estates.get(side)
        if estate is not None and getattr(estate, endpoint, None) is None:
            raise ConfigError(join(path, "kind"), f"a {t.kind} transfer needs estates.{side}.{endpoint}, "
                                                  "which is not configured")
