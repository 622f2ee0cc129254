"""The `transfers:` section: the copies Ferry starts, watches and reports.

    transfers:
      - id: hbase-orders
        kind: hbase-copy                # cloudera-replication | datasync | redshift-snapshot | hbase-copy
        from: as-is                     # the side it reads (default as-is)
        to: to-be                       # the side it writes (default to-be)
        table: orders                   # kind-specific keys, see the *Params classes below
                                        # (cloudera-replication: README "Cloudera replication")
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
    """A Cloudera Manager replication. Ferry makes the schedule from these keys and owns it by
    `name` (created, or updated in place when they change), unless `schedule_id` names one made
    by hand, which Ferry then only runs, pauses, throttles and watches."""

    service: str = "hdfs"  # what it replicates: hdfs | hbase | hive
    schedule: int | None = None  # schedule_id: a hand-made schedule; None: Ferry makes it
    cm_service: str | None = None  # the CM service that owns the schedule (default: `service`)
    cluster: str | None = None  # default: the `via` estate's cloudera.cluster
    name: str = ""  # the schedule's display name in CM (default ferry:<transfer id>)
    peer: str | None = None  # the source CM as the `via` CM knows it (Administration > Peers)
    source_cluster: str | None = None  # default: the source estate's cloudera.cluster
    source_service: str | None = None  # the service on the source (default: cm_service)
    path: str | None = None  # hdfs
    destination_path: str | None = None  # hdfs (default: path)
    hbase_tables: tuple[str, ...] = ()  # hbase: "table" or "namespace:table"
    initial_snapshot: bool = True  # hbase: copy what exists (snapshot export), then replicate edits
    databases: tuple[str, ...] = ()  # hive: "db" (all its tables) or "db.table"
    mappers: int | None = None  # CM's default (20) when None
    bandwidth_per_map: int | None = None  # MB/s per mapper (CM's default, 100, when None)
    pool: str | None = None  # YARN scheduler pool of the copy jobs
    dry_run_wait_s: float = 20.0  # hdfs: how long the start confirmation waits for CM's dry run

    @property
    def owner(self) -> str:
        return self.cm_service or self.service

    @property
    def made_by_ferry(self) -> bool:
        return self.schedule is None

    def subject(self) -> str:
        """What is replicated, for cards: "schedule 2 (hdfs)", "hbase: orders, customers"."""
        if self.schedule is not None:
            return f"schedule {self.schedule} ({self.owner})"
        items = {"hdfs": (self.path,), "hbase": self.hbase_tables, "hive": self.databases}[self.service]
        return f"{self.service}: " + ", ".join(i for i in items if i)


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


CM_SERVICES = ("hdfs", "hbase", "hive")
CM_NAME = r"[A-Za-z0-9_.:/ -]{1,200}"
HBASE_TABLE = r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}:)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
HIVE_NAME = r"[A-Za-z0-9_]{1,128}(\.[A-Za-z0-9_]{1,128})?"

def _cloudera(r: Reader) -> ClouderaReplicationParams:
    service = r.str("service", default="hdfs")
    if service not in CM_SERVICES:
        raise ConfigError(join(r.path, "service"), f"{service!r} is not one of {', '.join(CM_SERVICES)} (what the "
                                                   "schedule replicates; `cm_service` names the CM service that owns it)")
    if r.has("schedule") and r.has("schedule_id"):
        raise ConfigError(join(r.path, "schedule"), "give schedule_id only (schedule is its older name)")
    schedule = r.int("schedule_id", default=None, minimum=0)
    if schedule is None:
        schedule = r.int("schedule", default=None, minimum=0)
    # CM's own number (whole MB/s per mapper, as its replication page shows it), not a rate string
    bandwidth = r.int("bandwidth_per_map", default=None, minimum=1)
    ident = r.str("id")
    params = ClouderaReplicationParams(
        service=service, schedule=schedule,
        cm_service=r.str("cm_service", default=None, pattern=CM_NAME, what="a CM service name"),
        cluster=r.str("cluster", default=None),
        name=r.str("name", default=f"ferry:{ident}", pattern=CM_NAME, what="a schedule name"),
        peer=r.str("peer", default=None, pattern=CM_NAME, what="a CM peer name"),
        source_cluster=r.str("source_cluster", default=None),
        source_service=r.str("source_service", default=None, pattern=CM_NAME, what="a CM service name"),
        path=r.str("path", default=None, pattern=r"/[^\x00-\x1f]{0,4000}", what="an absolute HDFS path"),
        destination_path=r.str("destination_path", default=None, pattern=r"/[^\x00-\x1f]{0,4000}",
                               what="an absolute HDFS path"),
        hbase_tables=r.str_list("hbase_tables", default=(), pattern=HBASE_TABLE, what="an HBase table name"),
        initial_snapshot=r.bool("initial_snapshot", default=True),
        databases=r.str_list("databases", default=(), pattern=HIVE_NAME, what="a Hive database (or database.table)"),
        mappers=r.int("mappers", default=None, minimum=1),
        bandwidth_per_map=bandwidth,
        pool=r.str("pool", default=None, pattern=CM_NAME, what="a YARN pool name"),
        dry_run_wait_s=_default(_unit(r, "dry_run_wait", parse_duration), 20.0),
    )
    _check_cloudera(params, r.path)
    return params


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _check_cloudera(p: ClouderaReplicationParams, path: str) -> None:
    """A hand-made schedule needs only its id; a schedule Ferry makes needs what it replicates."""
    keys = {"hdfs": ("path", p.path), "hbase": ("hbase_tables", p.hbase_tables), "hive": ("databases", p.databases)}
    key, value = keys[p.service]
    for other, (other_key, other_value) in keys.items():
        if other != p.service and other_value:
            raise ConfigError(join(path, other_key), f"is for `service: {other}`; this transfer replicates {p.service}")
    if p.schedule is not None:
        return
    if not value:
        raise ConfigError(join(path, key), f"is required: Ferry makes the {p.service} replication schedule from it "
                                           "(or give schedule_id: the id of a schedule made in Cloudera Manager)")
    if not p.peer:
        raise ConfigError(join(path, "peer"), "is required: the source Cloudera Manager's peer name, as the `via` CM "
                                              "lists it under Administration > Peers")


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
