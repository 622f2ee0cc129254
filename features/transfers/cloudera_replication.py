"""cloudera-replication: a Cloudera Manager replication schedule (HDFS, HBase or Hive), run on
the cluster's own YARN (distcp, ExportSnapshot), steered by Ferry.

    start     make the schedule match app.yaml (created or updated in place, owned by its name;
              a `schedule_id` is used as it is), then run it (CM hands back the running command
              if one is already active)
    pause     set the schedule `paused` and abort the running command
    resume    unpause and run it again: what earlier runs copied is skipped
    throttle  set the MB/s per mapper (bandwidthPerMap; HBase: the snapshot export's); CM fixes it
              when a run starts, so it applies from the next run (pause and resume: now)
    poll      the run of Ferry's command: HDFS bytes (earlier runs' count as done), HBase tables'
              initial snapshots then "replicating", Hive's phase and data copy
    cancel    abort the running command and leave the schedule paused
    preview   HDFS: CM's dry run (files and bytes a run would copy), for the start confirmation

A command CM no longer knows (restarted, history purged) is `Gone`: the watcher shows the run
stalled, then fails it with that reason after stall_alert_after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.errors import ConfigError
from config.reader import Reader, join
from config.transfers import Transfer, unit
from config.units import human_bytes, parse_duration
from connectors.cloudera import (
    ClouderaError,
    ClouderaManager,
    CommandGone,
    NotFoundError,
    ReplicationSpec,
    UnreachableError,
)
from connectors.cloudera.errors import AuthError
from features.services import Services
from features.transfers import card
from features.transfers.backend import Backend, EngineFailed, Gone, Preview, Progress, Transient
from state.runs import Run

MB = 1024 * 1024
CM_DEFAULT_MAPS = 20  # what CM uses when a schedule names no mapper count



# -- its keys in app.yaml (`transfers:` entries of this kind) ------------------------------------

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


CM_SERVICES = ("hdfs", "hbase", "hive")
CM_NAME = r"[A-Za-z0-9_.:/ -]{1,200}"
HBASE_TABLE = r"([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}:)?[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
HIVE_NAME = r"[A-Za-z0-9_]{1,128}(\.[A-Za-z0-9_]{1,128})?"

def parse_params(r: Reader) -> ClouderaReplicationParams:
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
        dry_run_wait_s=_default(unit(r, "dry_run_wait", parse_duration), 20.0),
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


class ClouderaReplication(Backend):
    Params = ClouderaReplicationParams
    parse_params = staticmethod(parse_params)  # its keys in app.yaml
    needs = (("cloudera", "via"),)  # estate endpoints, checked at load
    kind = "cloudera-replication"
    uses_source_link = True  # the copy's MapReduce jobs read from AS-IS over its network

    @classmethod
    def describe(cls, transfer: Transfer) -> str:
        return transfer.params.subject()  # type: ignore[union-attr]

    def __init__(self, services: Services, transfer: Transfer) -> None:
        super().__init__(services, transfer)
        assert isinstance(transfer.params, ClouderaReplicationParams)
        self.params: ClouderaReplicationParams = transfer.params
        estates = services.config.estates
        endpoint = estates[transfer.via].cloudera
        assert endpoint is not None  # config/transfers.py checks it
        self.endpoint = endpoint
        self.cluster = self.params.cluster or endpoint.cluster or "Cluster 1"
        source = estates[transfer.source].cloudera if transfer.source in estates else None
        self.source_cluster = self.params.source_cluster or (source.cluster if source else None) or self.cluster
        self._cm: ClouderaManager | None = None

    @property
    def cm(self) -> ClouderaManager:
        if self._cm is None:
            e = self.endpoint
            self._cm = ClouderaManager(e.url, e.username, e.password, verify_tls=e.verify_tls, timeout=e.timeout_s)
        return self._cm

    def _call(self, fn, *args: Any, **kwargs: Any) -> Any:
        """Connector errors in the backend's terms: unreachable or 5xx → Transient; a lost command
        → Gone; the rest fail."""
        try:
            return fn(*args, **kwargs)
        except UnreachableError as e:
            raise Transient(str(e)) from None
        except CommandGone as e:
            raise Gone(str(e)) from None
        except AuthError as e:
            if e.status == 403:  # running, pausing, throttling (and making) schedules are writes
                raise EngineFailed(f"{e} Ferry's CM user needs the Replication Administrator role (or "
                                   "Cluster/Full Administrator) to run and change replication schedules.") from None
            raise EngineFailed(str(e)) from None
        except NotFoundError as e:
            raise EngineFailed(str(e)) from None
        except ClouderaError as e:
            if e.status is None or e.status >= 500:
                raise Transient(str(e)) from None
            raise EngineFailed(str(e)) from None

    # -- the schedule -----------------------------------------------------------------------
    @property
    def maps(self) -> int:
        return self.params.mappers or CM_DEFAULT_MAPS

    def per_map_mb(self, bytes_per_s: float) -> int:
        """A cap for the whole copy → whole MB/s per mapper (at least 1, CM's unit)."""
        return max(1, int(bytes_per_s / self.maps / MB))

    def spec(self, rate: float | None = None) -> ReplicationSpec:
        p = self.params
        assert p.peer is not None  # config/transfers.py requires it for a schedule Ferry makes
        return ReplicationSpec(
            name=p.name, kind=p.service, peer=p.peer, source_cluster=self.source_cluster,
            source_service=p.source_service or p.owner, path=p.path, destination_path=p.destination_path,
            tables=p.hbase_tables, initial_snapshot=p.initial_snapshot, databases=p.databases, num_maps=p.mappers,
            bandwidth_per_map_mb=self.per_map_mb(rate) if rate else p.bandwidth_per_map, pool=p.pool)

    def schedule_id(self, rate: float | None = None) -> tuple[int, str]:
        """The schedule's id and what Ferry did to it: "created", "updated", "unchanged" (made by
        Ferry), or "hand-made" (schedule_id; a cap is applied to it)."""
        p = self.params
        if p.schedule is not None:
            if rate:
                self._call(self.cm.set_replication_bandwidth, self.cluster, p.owner, p.schedule, self.per_map_mb(rate))
            return p.schedule, "hand-made"
        sched, change = self._call(self.cm.ensure_replication, self.cluster, p.owner, self.spec(rate))
        return sched.id, change

    def _sid(self, run: Run) -> int:
        handle = run.detail.get("handle") or {}
        if handle.get("schedule") is not None:
            return int(handle["schedule"])
        return self.schedule_id(run.detail.get("rate"))[0]

    # -- actions ------------------------------------------------------------------------------
    def start(self, run: Run) -> dict[str, Any]:
        sid, change = self.schedule_id(run.detail.get("rate"))
        owner = self.params.owner
        sched = self._call(self.cm.replication, self.cluster, owner, sid)
        if sched.paused:  # created paused, or left paused by an earlier pause or cancel
            self._call(self.cm.set_replication_paused, self.cluster, owner, sid, False, abort_active=False)
        command_id = self._call(self.cm.run_replication, self.cluster, owner, sid)
        if change in ("created", "updated"):  # say what Ferry changed in CM, in the card's thread
            card.thread(self.services, run, f":gear: Cloudera Manager replication schedule {sid} "
                                            f"(`{self.params.name}`, service {owner}) {change} from app.yaml.",
                        dedupe_key=f"cm-schedule:{run.id}:{sid}:{change}:{command_id}")
        return {"command_id": command_id, "schedule": sid, "cluster": self.cluster, "schedule_change": change}

    def pause(self, run: Run) -> None:
        self._call(self.cm.set_replication_paused, self.cluster, self.params.owner, self._sid(run), True,
                   abort_active=True)

    def resume(self, run: Run) -> dict[str, Any]:
        return self.start(run)

    def throttle(self, run: Run, bytes_per_s: float) -> str:
        mb = self.per_map_mb(bytes_per_s)
        self._call(self.cm.set_replication_bandwidth, self.cluster, self.params.owner, self._sid(run), mb)
        return (f"{mb} MB/s per mapper × {self.maps} mappers in Cloudera Manager; CM fixes the bandwidth when a "
                f"run starts, so it applies from the next run: `/migrate pause {self.transfer.id}` then `resume` "
                "applies it now (what was copied is skipped)")

    def cancel(self, run: Run) -> None:
        self._call(self.cm.set_replication_paused, self.cluster, self.params.owner, self._sid(run), True,
                   abort_active=True)

    def poll(self, run: Run) -> Progress:
        handle = run.detail.get("handle") or {}
        command_id = handle.get("command_id")
        sid = self._sid(run)
        p = self._call(self.cm.replication_progress, self.cluster, self.params.owner, sid, command_id)
        state = {"running": "running", "succeeded": "done", "failed": "failed", "never_run": "running"}.get(p.state)
        if p.state == "aborted":
            state = "paused" if p.paused else "failed"
        message = p.message
        if p.files_failed:
            message = f"{p.files_failed} file(s) failed to copy. {p.message or ''}".strip()
        if p.kind == "hbase":
            done, total = p.bytes_copied, p.bytes_expected
            step = f"CM command {p.command_id}: {p.phase or 'starting'}"
            if state == "done":
                step = f"CM command {p.command_id}: initial snapshots copied; HBase replication is live"
        else:
            done, total = p.total_bytes_done, p.total_bytes
            files = f"{p.files_copied + p.files_skipped:,}/{p.files_expected + p.files_skipped:,} files"
            step = f"CM command {p.command_id}: {files}" if p.command_id else "starting"
            if p.kind == "hive" and p.command_id:
                phase = f"{p.phase} · " if p.phase else ""
                step = f"CM command {p.command_id}: {phase}tables {p.tables_done}/{p.tables_expected} · {files}"
        return Progress(
            state or "running", bytes_done=done, bytes_total=total or None,
            rate_bps=p.throughput_bytes_per_s if p.active else None,
            eta_s=float(p.remaining_s) if p.active and p.remaining_s is not None else None,
            fraction=(done / total) if total else None, step=step,
            message=message if state == "failed" else None,
            extra={"command_id": p.command_id, "files_failed": p.files_failed},
        )

    def estimate(self) -> int | None:
        if self.transfer.size:
            return self.transfer.size
        if self.params.schedule is None:
            return None  # Ferry's schedule may not exist yet; preview() asks CM
        try:
            last = self.cm.replication(self.cluster, self.params.owner, self.params.schedule).last_run
        except ClouderaError:
            return None
        return last.total_bytes if last is not None and last.total_bytes else None

    def preview(self) -> Preview | None:
        """HDFS: CM's dry run of the schedule (made or updated first, paused, when Ferry owns it)."""
        if self.params.service != "hdfs":
            return None
        try:
            # A hand-made schedule is only dry-run; Ferry's own is made to match app.yaml first.
            sid = self.params.schedule if self.params.schedule is not None else self.schedule_id(self.transfer.rate)[0]
            dry = self._call(self.cm.dry_run_replication, self.cluster, self.params.owner, sid,
                             wait_s=self.params.dry_run_wait_s)
        except (Transient, EngineFailed) as e:
            return Preview(f"not available: {str(e)[:300]}")
        if not dry.finished or dry.files is None or dry.bytes is None:  # still listing, failed, or a run in the way
            return Preview(f"not available: {(dry.message or 'no answer')[:300]}")
        return Preview(f"{dry.files:,} files, {human_bytes(dry.bytes)} to copy (CM dry run, command {dry.command_id})",
                       bytes=dry.bytes)

    def close(self) -> None:
        if self._cm is not None:
            self._cm.close()

