"""Replication schedules (HDFS, HBase, Hive) and their commands, with progress that advances
with wall time.

A run is a list of steps: byte steps move a dataset (an HDFS path, an HBase table's initial
snapshot, a Hive database's data) at the run's rate; timed steps (take a snapshot, export or
import Hive metadata, enable the HBase peer) last a fixed time. The rate is the simulator's
bandwidth, capped by `numMaps × bandwidthPerMap` as the schedule had it when the run started
(distcp and ExportSnapshot fix their bandwidth per map at job start, as in CM). Each dataset
keeps what is already on the target across runs (distcp -update, ExportSnapshot's skip of
files already exported): a new run moves only what is left.

Progress is computed lazily under one lock: every read, bandwidth change, abort or purge first
brings active runs up to "now". Pausing a schedule, as in CM, stops future scheduled runs only;
a running copy stops when its command is aborted.

What the command reports, by service: `hdfsResult` (HDFS, also for a dry run: numFilesDryRun /
numBytesDryRun), `hbaseInfo.replicationOperations` (HBase: one line per table,
`<table>: <PHASE> <done>/<total> bytes`, PHASE one of PENDING, SNAPSHOT, EXPORT_SNAPSHOT,
RESTORE_SNAPSHOT, WAITING_FOR_PEER, REPLICATING, ABORTED), `hiveResult` (Hive: phase EXPORT,
DATA, IMPORT while active, table counts, and the data copy's `dataReplicationResult`).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.cloudera.estate import parse_size

DEFAULT_SOURCE_BYTES = 1024**3  # a created schedule whose path, table or database the estate does not know
MIB = 1024**2
DEFAULT_MAPS = 20  # CM's default number of mappers
STEP_S = 0.2  # a timed step (snapshot, metadata export/import, peer enable)
DRY_RUN_S = 0.3  # the copy listing of a dry run
EXPORT_BANDWIDTH_KEY = "snapshot.export.map.bandwidth.mb"  # HBase ExportSnapshot's per-map cap
KINDS = {"hdfsArguments": "hdfs", "hbaseArguments": "hbase", "hiveArguments": "hive"}
COMMAND_NAMES = {"hdfs": "HdfsReplicationCommand", "hbase": "HBaseReplicationCommand",
                 "hive": "HiveReplicationCommand"}


class ReplicationError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    t = datetime.fromtimestamp(ts, UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@dataclass
class Step:
    name: str  # "COPY", "orders: EXPORT_SNAPSHOT", "EXPORT", ...
    unit: str | None  # the dataset this step moves (None: a timed step)
    amount: float  # bytes to move, or seconds to last
    done: float = 0.0
    base: float = 0.0  # bytes of the unit already on the target when the run started

    @property
    def finished(self) -> bool:
        return self.done >= self.amount


@dataclass
class Command:
    id: int
    name: str
    kind: str
    cluster: str
    service: str
    schedule: Schedule | None
    started: float
    steps: list[Step] = field(default_factory=list)
    dry_run: bool = False
    cap: float | None = None  # bytes/s: numMaps × bandwidthPerMap when the run started
    bytes_skipped: float = 0.0  # already on the target when the run started
    files_expected: int = 0
    files_skipped: int = 0
    dry_bytes: float = 0.0  # a dry run: what a real run would copy
    dry_files: int = 0
    ticked: float = 0.0
    ended: float | None = None
    active: bool = True
    success: bool | None = None
    message: str = "Replication in progress."
    failed_files: int = 0

    @property
    def bytes_expected(self) -> float:
        return sum(s.amount for s in self.steps if s.unit is not None)

    @property
    def bytes_copied(self) -> float:
        return sum(s.done for s in self.steps if s.unit is not None)

    def current(self) -> Step | None:
        return next((s for s in self.steps if not s.finished), None)


@dataclass
class Schedule:
    id: int
    cluster: str
    service: str
    data: dict[str, Any]  # the ApiReplicationSchedule fields as created/updated (camelCase)
    catalog: dict[str, dict[str, float]]  # the service's known sizes (HDFS paths, tables, databases)
    sizes: dict[str, tuple[float, int]] = field(default_factory=dict)  # unit -> (bytes, files or tables)
    copied: dict[str, float] = field(default_factory=dict)  # unit -> bytes on the target already
    fail_files: int = 0
    history: list[Command] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return next((k for key, k in KINDS.items() if self.data.get(key)), "hdfs")

    @property
    def total_bytes(self) -> float:
        return sum(b for b, _ in self.sizes.values())

    @property
    def total_files(self) -> int:
        return sum(f for _, f in self.sizes.values())

    @property
    def copied_bytes(self) -> float:
        return sum(min(self.copied.get(u, 0.0), b) for u, (b, _) in self.sizes.items())

    def active(self) -> Command | None:
        return next((c for c in self.history if c.active), None)

    def resize(self) -> None:
        """Sizes of what the schedule replicates, from its arguments (after a create or update)."""
        kind = self.kind
        if kind == "hdfs":
            path = (self.data.get("hdfsArguments") or {}).get("sourcePath", "/")
            self.sizes = {path: _size_of(path, self.catalog)}
        elif kind == "hbase":
            self.sizes = {}
            for t in (self.data.get("hbaseArguments") or {}).get("tables") or []:
                name = str(t.get("tableName", ""))
                known = self.catalog.get(name) or self.catalog.get(name.removeprefix("default:"))
                size = known["bytes"] if known else float(DEFAULT_SOURCE_BYTES)
                # Without an initial snapshot only new edits replicate: nothing to copy up front.
                self.sizes[name] = (size if t.get("initialSnapshot") else 0.0, 1)
        else:
            self.sizes = {}
            for f in (self.data.get("hiveArguments") or {}).get("tableFilters") or []:
                db, table = str(f.get("database", "")), str(f.get("tableName") or "")
                whole = table in ("", ".*", "[\\w].+", "*")
                unit = db if whole else f"{db}.{table}"
                known = self.catalog.get(unit)
                if known:
                    self.sizes[unit] = (known["bytes"], max(1, int(known["files"])) if whole else 1)
                else:
                    self.sizes[unit] = (float(DEFAULT_SOURCE_BYTES), 10 if whole else 1)


class Replications:
    """All schedules and commands of one simulated CM."""

    def __init__(self, bandwidth: float, clock: Any = time.time) -> None:
        self.lock = threading.RLock()
        self.bandwidth = float(bandwidth)
        self.clock = clock
        self.schedules: dict[tuple[str, str], dict[int, Schedule]] = {}
        self.commands: dict[int, Command] = {}
        self._ids = itertools.count(1)
        self._cmd_ids = itertools.count(1001)

    # -- set-up -------------------------------------------------------------------------
    def add(self, cluster: str, service: str, body: dict[str, Any], sizes: dict[str, dict[str, float]]) -> Schedule:
        with self.lock:
            sid = int(body.get("id") or next(self._ids))
            data = {k: v for k, v in body.items() if k not in ("id", "history", "active") and not k.startswith("_")}
            data.setdefault("paused", False)
            data.setdefault("interval", 0)
            data.setdefault("intervalUnit", "DAY")
            data.setdefault("alertOnStart", False)
            data.setdefault("alertOnSuccess", False)
            data.setdefault("alertOnFail", True)
            data.setdefault("alertOnAbort", True)
            data.setdefault("startTime", _iso(self.clock()))
            _defaults(data)
            sched = Schedule(sid, cluster, service, data, sizes, fail_files=int(body.get("_fail_files", 0)))
            sched.resize()
            if body.get("_bytes") is not None:  # the estate file's own figures for its schedule
                unit = next(iter(sched.sizes))
                sched.sizes[unit] = (parse_size(body["_bytes"]), int(body.get("_files") or 0))
            if body.get("_copied"):
                sched.copied[next(iter(sched.sizes))] = parse_size(body["_copied"])
            self.schedules.setdefault((cluster, service), {})[sid] = sched
            # keep generated ids above any id given in the estate file
            nxt = next(self._ids)
            self._ids = itertools.count(max(nxt, sid + 1))
            return sched

    # -- progress -----------------------------------------------------------------------
    def _rate(self, cmd: Command) -> float:
        return min(self.bandwidth, cmd.cap) if cmd.cap else self.bandwidth

    def _advance(self, now: float) -> None:
        for cmd in self.commands.values():
            if not cmd.active:
                continue
            left = max(0.0, now - cmd.ticked)
            cmd.ticked = now
            rate = self._rate(cmd)
            while left > 0:
                step = cmd.current()
                if step is None:
                    break
                speed = 1.0 if step.unit is None else rate  # a timed step "moves" one second per second
                if speed <= 0:
                    break
                remaining = step.amount - step.done
                if left * speed >= remaining:
                    step.done = step.amount
                    left -= remaining / speed
                else:
                    step.done += left * speed
                    left = 0.0
                if step.unit is not None and cmd.schedule is not None and not cmd.dry_run:
                    copied = cmd.schedule.copied
                    copied[step.unit] = max(copied.get(step.unit, 0.0), step.base + step.done)
            if cmd.current() is None:
                # finished at the moment the last step ended, not at the moment somebody looked
                self._complete(cmd, now - left)

    def _complete(self, cmd: Command, ended: float) -> None:
        cmd.active, cmd.ended = False, ended
        sched = cmd.schedule
        if cmd.dry_run:
            cmd.success, cmd.message = True, "Dry run completed successfully."
        elif sched is not None and sched.fail_files and cmd.kind == "hdfs":
            cmd.success = False
            cmd.failed_files = sched.fail_files
            cmd.message = f"Replication failed: {sched.fail_files} file(s) could not be copied."
        elif cmd.kind == "hbase":
            cmd.success = True
            cmd.message = "Initial snapshots copied; the HBase peer is enabled and replicating."
        else:
            cmd.success = True
            cmd.message = "Replication completed successfully."

    def set_bandwidth(self, bps: float) -> None:
        with self.lock:
            self._advance(self.clock())
            self.bandwidth = float(bps)

    def set_fail_files(self, schedule_id: int, n: int) -> None:
        with self.lock:
            self._schedule_any(schedule_id).fail_files = int(n)

    def purge(self, command_ids: list[int] | None = None) -> list[int]:
        """Forget commands (all when None), as CM does when it purges its command history or
        loses commands in a restart: their ids answer 404 and schedules' histories drop them.
        What they copied stays on the target. Returns the ids forgotten."""
        with self.lock:
            self._advance(self.clock())
            gone = list(self.commands) if command_ids is None else [c for c in command_ids if c in self.commands]
            for cid in gone:
                cmd = self.commands.pop(cid)
                if cmd.schedule is not None:
                    cmd.schedule.history = [c for c in cmd.schedule.history if c.id != cid]
            return gone

    def _schedule_any(self, sid: int) -> Schedule:
        for by_id in self.schedules.values():
            if sid in by_id:
                return by_id[sid]
        raise ReplicationError(404, f"Replication schedule {sid} not found.")

    # -- API ----------------------------------------------------------------------------
    def get(self, cluster: str, service: str, sid: int) -> Schedule:
        sched = self.schedules.get((cluster, service), {}).get(sid)
        if sched is None:
            raise ReplicationError(404, f"Replication schedule with id '{sid}' not found for service '{service}'.")
        return sched

    def list_json(self, cluster: str, service: str) -> dict[str, Any]:
        with self.lock:
            self._advance(self.clock())
            return {"items": [self.schedule_json(s) for s in self.schedules.get((cluster, service), {}).values()]}

    def read_json(self, cluster: str, service: str, sid: int) -> dict[str, Any]:
        with self.lock:
            self._advance(self.clock())
            return self.schedule_json(self.get(cluster, service, sid))

    def create(self, cluster: str, service: str, items: list[dict[str, Any]],
               sizes: dict[str, dict[str, float]], service_type: str = "HDFS") -> dict[str, Any]:
        with self.lock:
            created = []
            for body in items:
                body = {k: v for k, v in body.items() if not k.startswith("_") and k != "id"}
                _check_arguments(body, service_type)
                created.append(self.add(cluster, service, body, sizes))
            return {"items": [self.schedule_json(s) for s in created]}

    def update(self, cluster: str, service: str, sid: int, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            self._advance(self.clock())
            sched = self.get(cluster, service, sid)
            for k, v in body.items():
                if k in ("id", "history", "active", "nextRun") or k.startswith("_"):
                    continue
                if isinstance(v, dict) and isinstance(sched.data.get(k), dict):
                    sched.data[k] = {**sched.data[k], **v}
                else:
                    sched.data[k] = v
            before = dict(sched.copied)
            sched.resize()
            sched.copied = {u: b for u, b in before.items() if u in sched.sizes}
            return self.schedule_json(sched)

    def run(self, cluster: str, service: str, sid: int, dry_run: bool = False) -> dict[str, Any]:
        with self.lock:
            now = self.clock()
            self._advance(now)
            sched = self.get(cluster, service, sid)
            running = sched.active()
            if running:
                raise ReplicationError(
                    400, f"Replication schedule {sid} is already running (command {running.id}); "
                         "abort that command or wait for it to finish.")
            kind = sched.kind
            if dry_run and kind != "hdfs":
                raise ReplicationError(400, "A dry run is available for HDFS replication schedules only.")
            cmd = Command(id=next(self._cmd_ids), name=COMMAND_NAMES[kind], kind=kind, cluster=cluster,
                          service=service, schedule=sched, started=now, ticked=now, dry_run=dry_run,
                          cap=_cap(sched), bytes_skipped=sched.copied_bytes)
            have = {u: min(b, sched.copied.get(u, 0.0)) for u, (b, _) in sched.sizes.items()}
            left = {u: b - have[u] for u, (b, _) in sched.sizes.items()}
            total = sched.total_bytes
            share = sum(left.values()) / total if total else 0.0
            cmd.files_expected = round(sched.total_files * share)
            cmd.files_skipped = sched.total_files - cmd.files_expected
            if dry_run:
                cmd.dry_bytes, cmd.dry_files = sum(left.values()), cmd.files_expected
                cmd.steps = [Step("LISTING", None, DRY_RUN_S)]
                cmd.message = "Dry run in progress."
            elif kind == "hdfs":
                cmd.steps = [Step("COPY", u, b, base=have[u]) for u, b in left.items()]
            elif kind == "hbase":
                for table, b in left.items():
                    if b > 0:
                        cmd.steps += [Step(f"{table}: SNAPSHOT", None, STEP_S),
                                      Step(f"{table}: EXPORT_SNAPSHOT", table, b, base=have[table]),
                                      Step(f"{table}: RESTORE_SNAPSHOT", None, STEP_S)]
                cmd.steps.append(Step("ENABLE_PEER", None, STEP_S / 2))
            else:
                cmd.steps = [Step("EXPORT", None, STEP_S), *[Step("DATA", u, b, base=have[u]) for u, b in left.items()],
                             Step("IMPORT", None, STEP_S)]
            self.commands[cmd.id] = cmd
            sched.history.insert(0, cmd)
            self._advance(now)  # a run with nothing left completes at once
            return self.command_json(cmd)

    def command(self, cid: int) -> dict[str, Any]:
        with self.lock:
            self._advance(self.clock())
            cmd = self.commands.get(cid)
            if cmd is None:
                raise ReplicationError(404, f"Command '{cid}' not found.")
            return self.command_json(cmd)

    def abort(self, cid: int) -> dict[str, Any]:
        with self.lock:
            now = self.clock()
            self._advance(now)
            cmd = self.commands.get(cid)
            if cmd is None:
                raise ReplicationError(404, f"Command '{cid}' not found.")
            if cmd.active:
                cmd.active, cmd.success, cmd.ended = False, False, now
                cmd.message = "Command aborted by user."
            return self.command_json(cmd)

    def history(self, cluster: str, service: str, sid: int, limit: int = 20, offset: int = 0) -> dict[str, Any]:
        with self.lock:
            self._advance(self.clock())
            sched = self.get(cluster, service, sid)
            return {"items": [self.command_json(c) for c in sched.history[offset:offset + limit]]}

    # -- JSON shapes --------------------------------------------------------------------
    def schedule_json(self, s: Schedule) -> dict[str, Any]:
        out = {"id": s.id, **s.data}
        out["active"] = s.active() is not None
        out["history"] = [self.command_json(c) for c in s.history[:1]]
        return out

    def command_json(self, c: Command) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": c.id, "name": c.name, "startTime": _iso(c.started), "active": c.active,
            "clusterRef": {"clusterName": c.cluster},
            "serviceRef": {"clusterName": c.cluster, "serviceName": c.service},
            "canRetry": not c.active and c.success is False,
            "resultMessage": c.message,
        }
        if not c.active:
            out["endTime"] = _iso(c.ended)
            out["success"] = bool(c.success)
        if c.schedule is None:
            return out
        if c.kind == "hdfs":
            out["hdfsResult"] = self._hdfs_result(c)
        elif c.kind == "hbase":
            out["hbaseInfo"] = {"replicationOperations": self._hbase_operations(c)}
        else:
            out["hiveResult"] = self._hive_result(c)
        return out

    def _hdfs_result(self, c: Command) -> dict[str, Any]:
        expected = c.bytes_expected
        share = c.bytes_copied / expected if expected else 1.0
        files_copied = round(c.files_expected * share)
        if not c.active and c.failed_files:
            files_copied = max(0, c.files_expected - c.failed_files)
        elapsed = max(1e-6, (c.ended or c.ticked) - c.started)
        rate = self._rate(c) if c.active else (c.bytes_copied / elapsed if c.bytes_copied else 0.0)
        left = expected - c.bytes_copied
        remaining = int(round(left / self._rate(c))) if c.active and self._rate(c) else 0
        res: dict[str, Any] = {
            "progress": int(100 * share) if c.active else (100 if c.success else int(100 * share)),
            "throughput": round(rate / 1024.0, 1),  # KB/s, as CM reports it
            "remainingTime": remaining,
            "numFilesExpected": c.files_expected,
            "numBytesExpected": int(expected),
            "numFilesCopied": files_copied,
            "numBytesCopied": int(c.bytes_copied),
            "numFilesSkipped": c.files_skipped,
            "numBytesSkipped": int(c.bytes_skipped),
            "numFilesDeleted": 0,
            "numFilesCopyFailed": c.failed_files,
            "numBytesCopyFailed": 0,
            "dryRun": c.dry_run,
            "jobId": f"job_{int(c.started)}_{c.id:04d}",
            "snapshottedDirs": [],
            "failedFiles": [f"/failed/part-{i:05d}" for i in range(min(c.failed_files, 10))],
            "runAsUser": "hdfs",
        }
        if c.dry_run:
            res.update(numFilesDryRun=c.dry_files, numBytesDryRun=int(c.dry_bytes), numFilesExpected=c.dry_files,
                       numBytesExpected=int(c.dry_bytes), numFilesSkipped=c.files_skipped, remainingTime=0,
                       throughput=0.0, progress=100 if not c.active else 0)
        elif c.active and self._rate(c):
            res["estimatedCompletionTime"] = _iso(self.clock() + left / self._rate(c))
        return res

    def _hbase_operations(self, c: Command) -> list[str]:
        sched = c.schedule
        assert sched is not None
        current = c.current()
        lines = []
        for table, (size, _) in sched.sizes.items():
            steps = [s for s in c.steps if s.name.startswith(f"{table}: ")]
            done = int(min(size, sched.copied.get(table, 0.0)))
            if not c.active:
                phase = "REPLICATING" if c.success else "ABORTED"
            elif current is not None and current in steps:
                phase = current.name.split(": ", 1)[1]
            elif steps and not all(s.finished for s in steps):
                phase = "PENDING"
            else:
                phase = "WAITING_FOR_PEER"
            lines.append(f"{table}: {phase} {done}/{int(size)} bytes")
        return lines

    def _hive_result(self, c: Command) -> dict[str, Any]:
        sched = c.schedule
        assert sched is not None
        tables = sched.total_files
        dbs = len({u.split(".", 1)[0] for u in sched.sizes})
        current = c.current()
        data = self._hdfs_result(c)
        finished_share = 1.0 if (not c.active and c.success) else (
            (c.bytes_copied / c.bytes_expected) if c.bytes_expected else 0.0) * 0.9
        res: dict[str, Any] = {
            "tableCount": tables if (not c.active and c.success) else 0,
            "tables": [], "errorCount": 0, "errors": [], "impalaUDFCount": 0, "hiveUDFCount": 0,
            "dataReplicationResult": data, "dryRun": False, "runAsUser": "hive", "statsAvailable": True,
            "dbExpected": dbs, "tableExpected": tables,
            "dbProcessed": dbs if (not c.active and c.success) else 0,
            "tableProcessed": int(tables * finished_share),
            "partitionExpected": 0, "partitionProcessed": 0, "functionExpected": 0, "functionProcessed": 0,
            "indexExpected": 0, "indexProcessed": 0, "statsExpected": 0, "statsProcessed": 0,
        }
        if c.active and current is not None:
            res["phase"] = current.name
        return res


def _defaults(data: dict[str, Any]) -> None:
    """CM fills in what a created schedule leaves out (cm-client refuses a Hive schedule without
    sentryMigration and skipUrlPermissions)."""
    hive = data.get("hiveArguments")
    if isinstance(hive, dict):
        for key, value in (("force", False), ("replicateData", True), ("replicateImpalaMetadata", True),
                           ("runInvalidateMetadata", True), ("dryRun", False), ("numThreads", 4),
                           ("sentryMigration", False), ("skipUrlPermissions", False)):
            hive.setdefault(key, value)
    hbase = data.get("hbaseArguments")
    if isinstance(hbase, dict):
        hbase.setdefault("peerState", "ENABLED")
        for t in hbase.get("tables") or []:
            if isinstance(t, dict):
                t.setdefault("initialSnapshot", False)


def _check_arguments(body: dict[str, Any], service_type: str) -> None:
    kinds = [k for key, k in KINDS.items() if body.get(key)]
    if len(kinds) != 1:
        raise ReplicationError(400, "A replication schedule needs exactly one of hdfsArguments, hbaseArguments "
                                    "or hiveArguments.")
    want = {"hdfs": "HDFS", "hbase": "HBASE", "hive": "HIVE"}[kinds[0]]
    if service_type.upper() != want:
        raise ReplicationError(400, f"{kinds[0]} replication schedules belong to a {want} service, "
                                    f"not to a {service_type} service.")
    if kinds[0] == "hbase":
        tables = body["hbaseArguments"].get("tables")
        if not isinstance(tables, list) or not tables or not all(
                isinstance(t, dict) and isinstance(t.get("tableName"), str) and t["tableName"] for t in tables):
            raise ReplicationError(400, "hbaseArguments.tables must list at least one {tableName, initialSnapshot}.")
    if kinds[0] == "hive":
        filters = body["hiveArguments"].get("tableFilters")
        if not isinstance(filters, list) or not filters or not all(
                isinstance(f, dict) and isinstance(f.get("database"), str) and f["database"] for f in filters):
            raise ReplicationError(400, "hiveArguments.tableFilters must list at least one {database, tableName}.")


def _cap(sched: Schedule) -> float | None:
    """numMaps × bandwidthPerMap (MB/s) of the schedule as it is now, in bytes/s; None: no cap set."""
    kind = sched.kind
    if kind == "hbase":
        args = sched.data.get("hbaseArguments") or {}
        per_map = (args.get("replicationProperties") or {}).get(EXPORT_BANDWIDTH_KEY)
        maps = args.get("numMappers")
    else:
        args = sched.data.get("hdfsArguments") or {}
        if kind == "hive":
            args = (sched.data.get("hiveArguments") or {}).get("hdfsArguments") or {}
        per_map, maps = args.get("bandwidthPerMap"), args.get("numMaps")
    try:
        per_map = float(per_map) if per_map is not None else None
    except (TypeError, ValueError):
        per_map = None
    if not per_map or per_map <= 0:
        return None
    return per_map * MIB * int(maps or DEFAULT_MAPS)


def _size_of(path: str, sizes: dict[str, dict[str, float]]) -> tuple[float, int]:
    """Bytes and files under path: the sum of the known paths inside it, else the nearest parent's."""
    path = path.rstrip("/") or "/"
    inside = [v for p, v in sizes.items() if (p.rstrip("/") or "/").startswith(path if path == "/" else path + "/")
              or p.rstrip("/") == path]
    if inside:
        return sum(v["bytes"] for v in inside), int(sum(v["files"] for v in inside))
    return float(DEFAULT_SOURCE_BYTES), 1000
