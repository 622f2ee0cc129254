"""Replication schedules (HDFS, HBase, Hive) and their commands through cm-client, as plain objects.

Schedules Ferry makes are owned by display name: `ensure` finds the schedule of that name on the
service and creates it, updates it in place (read, change, PUT the whole schedule), or leaves it
as it is. Progress comes from the run's command in the schedule's history: `hdfsResult` for
HDFS, `hiveResult` (and its `dataReplicationResult`) for Hive, `hbaseInfo` for HBase.

CM documents `hbaseInfo.replicationOperations` only as a list of strings. Ferry reads per-table
lines `<table>: <PHASE> <done>/<total> bytes` (what the sandbox's CM writes) for bytes, and
shows any other line as it is, with no bytes.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any

from connectors.cloudera.errors import ApiError, CommandGone, NotFoundError
from connectors.cloudera.models import (
    CommandStatus,
    DryRun,
    ReplicationProgress,
    ReplicationSchedule,
    ReplicationSpec,
)
from connectors.lazy import lazy

if TYPE_CHECKING:
    from connectors.cloudera.client import ClouderaManager

cm_client = lazy("cm_client")  # loaded on first use (connectors/lazy.py)

HISTORY_LOOKUP = 10  # runs read to find Ferry's command (dry runs and CM's own runs may be newer)
EXPORT_BANDWIDTH_KEY = "snapshot.export.map.bandwidth.mb"  # HBase ExportSnapshot's MB/s per mapper
ALL_TABLES = "[\\w].+"  # CM's table filter for every table of a Hive database
_OPERATION = re.compile(r"(?P<table>[^\s:][^\s]{0,254}?): (?P<phase>[A-Z_]{1,40})(?: (?P<done>\d{1,20})/"
                        r"(?P<total>\d{1,20}) bytes)?")
MAX_OPERATION_CHARS = 400


def _api(cm: ClouderaManager) -> Any:  # cm_client.ReplicationsResourceApi
    return cm._resource(cm_client.ReplicationsResourceApi)


def _what(service: str, schedule_id: int | None = None) -> str:
    return f"replication schedule {schedule_id} of service '{service}'" if schedule_id is not None else \
        f"replication schedules of service '{service}'"


def _kind(s: Any) -> str:
    if s.hbase_arguments is not None:
        return "hbase"
    if s.hive_arguments is not None:
        return "hive"
    return "hdfs"


# -- reading commands ------------------------------------------------------------------------
def _state(cmd: Any) -> str:
    if cmd.active:
        return "running"
    if cmd.success:
        return "succeeded"
    msg = cmd.result_message or ""
    return "aborted" if "abort" in msg.lower() else "failed"


def _num(obj: Any, attr: str) -> int:
    v = getattr(obj, attr, None) if obj is not None else None
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


def _progress(schedule_id: int, paused: bool, cmd: Any) -> ReplicationProgress:
    if cmd is None:
        return ReplicationProgress(schedule_id, paused=paused)
    base: dict[str, Any] = {
        "schedule_id": schedule_id, "command_id": cmd.id, "state": _state(cmd), "active": bool(cmd.active),
        "paused": paused, "started_at": cmd.start_time, "ended_at": cmd.end_time, "message": cmd.result_message,
    }
    info = getattr(cmd, "hbase_info", None)
    hive = getattr(cmd, "hive_result", None)
    if info is not None:
        return _hbase_progress(base, info)
    if hive is not None:
        data = hive.data_replication_result
        return ReplicationProgress(**base, **_hdfs_counts(data), kind="hive", phase=hive.phase,
                                   tables_done=_num(hive, "table_processed") or _num(hive, "table_count"),
                                   tables_expected=_num(hive, "table_expected"))
    r = getattr(cmd, "hdfs_result", None)
    return ReplicationProgress(**base, **_hdfs_counts(r), kind="hdfs", dry_run=bool(r is not None and r.dry_run),
                               dry_run_files=_num(r, "num_files_dry_run"), dry_run_bytes=_num(r, "num_bytes_dry_run"))


def _hdfs_counts(r: Any) -> dict[str, Any]:
    throughput = None
    if r is not None and r.throughput is not None:
        throughput = float(r.throughput) * 1024.0  # CM reports KB/s
    return {
        "progress_pct": _num(r, "progress"), "bytes_copied": _num(r, "num_bytes_copied"),
        "bytes_expected": _num(r, "num_bytes_expected"), "bytes_skipped": _num(r, "num_bytes_skipped"),
        "files_copied": _num(r, "num_files_copied"), "files_expected": _num(r, "num_files_expected"),
        "files_skipped": _num(r, "num_files_skipped"), "files_failed": _num(r, "num_files_copy_failed"),
        "throughput_bytes_per_s": throughput, "remaining_s": r.remaining_time if r is not None else None,
    }


def _hbase_progress(base: dict[str, Any], info: Any) -> ReplicationProgress:
    lines = [str(x)[:MAX_OPERATION_CHARS] for x in (info.replication_operations or [])[:1000]]
    done = total = 0
    phases = []
    for line in lines:
        m = _OPERATION.fullmatch(line.strip())
        if m is None:
            phases.append(line)
            continue
        phases.append(f"{m['table']} {m['phase']}")
        if m["total"] is not None:
            done += min(int(m["done"]), int(m["total"]))
            total += int(m["total"])
    pct = int(100 * done / total) if total else (100 if base["state"] == "succeeded" else 0)
    return ReplicationProgress(**base, kind="hbase", progress_pct=pct, bytes_copied=done, bytes_expected=total,
                               phase=", ".join(phases) or None, operations=tuple(lines))


def _names(s: Any) -> tuple[str, ...]:
    if s.hbase_arguments is not None:
        return tuple(t.table_name for t in s.hbase_arguments.tables or [] if t.table_name)
    if s.hive_arguments is not None:
        return tuple(f.database if f.table_name in (None, "", ALL_TABLES, ".*") else f"{f.database}.{f.table_name}"
                     for f in s.hive_arguments.table_filters or [])
    return ()


def _schedule(s: Any) -> ReplicationSchedule:
    kind = _kind(s)
    hdfs = s.hdfs_arguments if kind == "hdfs" else (s.hive_arguments.hdfs_arguments if kind == "hive" else None)
    if kind == "hbase":
        a = s.hbase_arguments
        src = a.source_h_base_service
        props = a.replication_properties or {}
        per_map = props.get(EXPORT_BANDWIDTH_KEY)
        maps, pool = a.num_mappers, a.source_scheduler_pool
    else:
        src = s.hdfs_arguments.source_service if kind == "hdfs" and s.hdfs_arguments else (
            s.hive_arguments.source_service if kind == "hive" else None)
        per_map = hdfs.bandwidth_per_map if hdfs is not None else None
        maps = hdfs.num_maps if hdfs is not None else None
        pool = hdfs.scheduler_pool_name if hdfs is not None else None
    last = (s.history or [None])[0]
    try:
        per_map = int(per_map) if per_map is not None else None
    except (TypeError, ValueError):
        per_map = None
    return ReplicationSchedule(
        id=int(s.id), display_name=s.display_name, kind=kind,
        source_path=hdfs.source_path if kind == "hdfs" and hdfs else None,
        destination_path=hdfs.destination_path if kind == "hdfs" and hdfs else None,
        source_peer=src.peer_name if src else None, source_cluster=src.cluster_name if src else None,
        source_service=src.service_name if src else None, tables=_names(s),
        num_maps=maps, bandwidth_per_map_mb=per_map, pool=pool,
        paused=bool(s.paused), active=bool(s.active), interval=s.interval,
        interval_unit=str(s.interval_unit) if s.interval_unit is not None else None,
        last_run=_progress(int(s.id), bool(s.paused), last) if last is not None else None,
    )


# -- schedules -----------------------------------------------------------------------------
class _Body:
    """A JSON text where cm-client's deserialize wants a response."""

    def __init__(self, data: Any) -> None:
        self.data = json.dumps(data)


def _model(cm: ClouderaManager, data: Any, type_name: str) -> Any:
    return cm._client.deserialize(_Body(data), type_name)


def _json(cm: ClouderaManager, fn: Any, *args: Any, what: str, cluster: str, **kwargs: Any) -> Any:
    """A call's answer as CM's own JSON: a read-modify-write then keeps the fields cm-client's
    models do not know (a newer CM's), instead of dropping them in the PUT."""
    resp = cm._call(fn, *args, what=what, cluster=cluster, _preload_content=False, **kwargs)
    try:
        return json.loads(resp.data)
    except ValueError as err:
        raise ApiError("Cloudera Manager answered with something that is not JSON", url=cm.url, what=what,
                       cluster=cluster) from err


def _read_json(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> dict[str, Any]:
    return _json(cm, _api(cm).read_schedule, cluster, schedule_id, service, what=_what(service, schedule_id),
                 cluster=cluster, view="summary")


def _read_raw(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> Any:
    return cm._call(_api(cm).read_schedule, cluster, schedule_id, service, what=_what(service, schedule_id),
                    cluster=cluster, view="summary")


def read_schedule(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> ReplicationSchedule:
    return _schedule(_read_raw(cm, cluster, service, schedule_id))


def _arguments(spec: ReplicationSpec) -> dict[str, Any]:
    """The spec as the JSON fields of an ApiReplicationSchedule (camelCase, only what Ferry sets)."""
    source = {"peerName": spec.peer, "clusterName": spec.source_cluster, "serviceName": spec.source_service}
    copy: dict[str, Any] = {"mapreduceServiceName": spec.mapreduce_service}
    if spec.num_maps is not None:
        copy["numMaps"] = spec.num_maps
    if spec.bandwidth_per_map_mb is not None:
        copy["bandwidthPerMap"] = spec.bandwidth_per_map_mb
    if spec.pool:
        copy["schedulerPoolName"] = spec.pool
    if spec.kind == "hdfs":
        if not spec.path:
            raise ValueError("an HDFS replication needs a source path")
        return {"hdfsArguments": {**copy, "sourceService": source, "sourcePath": spec.path,
                                  "destinationPath": spec.destination_path or spec.path,
                                  "preserveReplicationCount": True, "preserveBlockSize": True}}
    if spec.kind == "hbase":
        if not spec.tables:
            raise ValueError("an HBase replication needs at least one table")
        hb: dict[str, Any] = {"sourceHBaseService": source,
                              "tables": [{"tableName": t, "initialSnapshot": spec.initial_snapshot}
                                         for t in spec.tables]}
        if spec.num_maps is not None:
            hb["numMappers"] = spec.num_maps
        if spec.pool:
            hb["sourceSchedulerPool"] = spec.pool
        if spec.bandwidth_per_map_mb is not None:
            hb["replicationProperties"] = {EXPORT_BANDWIDTH_KEY: str(spec.bandwidth_per_map_mb)}
        return {"hbaseArguments": hb}
    if spec.kind == "hive":
        if not spec.databases:
            raise ValueError("a Hive replication needs at least one database")
        filters = [{"database": d.split(".", 1)[0], "tableName": d.split(".", 1)[1] if "." in d else ALL_TABLES}
                   for d in spec.databases]
        return {"hiveArguments": {"sourceService": source, "tableFilters": filters, "replicateData": True,
                                  "hdfsArguments": copy}}
    raise ValueError(f"unknown replication kind {spec.kind!r} (hdfs, hbase or hive)")


def _differs(want: Any, have: Any) -> bool:
    """True if `have` lacks anything of `want` (dicts compared key by key, the rest by value)."""
    if isinstance(want, dict):
        return not isinstance(have, dict) or any(_differs(v, have.get(k)) for k, v in want.items())
    if isinstance(want, list):
        return not isinstance(have, list) or len(want) != len(have) or any(map(_differs, want, have))
    return want != have


def _merged(want: Any, have: Any) -> Any:
    if isinstance(want, dict) and isinstance(have, dict):
        return {**have, **{k: _merged(v, have.get(k)) for k, v in want.items()}}
    return want


def _put(cm: ClouderaManager, cluster: str, service: str, schedule_id: int, body: dict[str, Any],
         what: str) -> ReplicationSchedule:
    body = {k: v for k, v in body.items() if k not in ("id", "history", "active", "nextRun")}
    return _schedule(cm._call(_api(cm).update_schedule, cluster, schedule_id, service, what=what, cluster=cluster,
                              body=body))


def ensure(cm: ClouderaManager, cluster: str, service: str, spec: ReplicationSpec) -> tuple[ReplicationSchedule, str]:
    """The schedule named spec.name on `service`, made to match spec: ("created" | "updated" |
    "unchanged"). A new schedule is created paused, runs once (interval 0) and only when Ferry
    runs it."""
    args = _arguments(spec)
    lst = _json(cm, _api(cm).read_schedules, cluster, service, what=_what(service), cluster=cluster, view="summary")
    items = lst.get("items") if isinstance(lst, dict) else None
    mine = sorted((s for s in items or [] if isinstance(s, dict) and s.get("displayName") == spec.name),
                  key=lambda s: int(s.get("id") or 0))
    if mine:  # two of that name (made by hand, or a race): the oldest is Ferry's
        have = mine[0]
        if not _differs(args, have):
            return _schedule(_model(cm, have, "ApiReplicationSchedule")), "unchanged"
        return _put(cm, cluster, service, int(have["id"]), _merged(args, have),
                    f"updating {_what(service, int(have['id']))}"), "updated"
    body = {"items": [{"displayName": spec.name, "description": "Created and updated by Ferry (app.yaml).",
                       "paused": True, "interval": 0, "intervalUnit": "DAY", "alertOnFail": True, **args}]}
    created = cm._call(_api(cm).create_schedules, cluster, service, what=f"creating a {_what(service)[:-1]}",
                       cluster=cluster, body=body)
    return _schedule(created.items[0]), "created"


def set_bandwidth(cm: ClouderaManager, cluster: str, service: str, schedule_id: int,
                  mb_per_map: int) -> ReplicationSchedule:
    """bandwidthPerMap (HDFS, Hive's data copy) or ExportSnapshot's MB/s per map (HBase)."""
    if mb_per_map < 1:
        raise ValueError("bandwidth per map is at least 1 MB/s")
    body = _read_json(cm, cluster, service, schedule_id)
    kind = "hbase" if body.get("hbaseArguments") else ("hive" if body.get("hiveArguments") else "hdfs")
    if kind == "hbase":
        hb = body.setdefault("hbaseArguments", {})
        hb["replicationProperties"] = {**(hb.get("replicationProperties") or {}),
                                       EXPORT_BANDWIDTH_KEY: str(int(mb_per_map))}
    elif kind == "hive":
        body["hiveArguments"].setdefault("hdfsArguments", {})["bandwidthPerMap"] = int(mb_per_map)
    else:
        body.setdefault("hdfsArguments", {})["bandwidthPerMap"] = int(mb_per_map)
    return _put(cm, cluster, service, schedule_id, body, f"setting the bandwidth of {_what(service, schedule_id)}")


# -- runs ------------------------------------------------------------------------------------
def run_schedule(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> int:
    """A run now; if one is already active (a retry, a double click, CM's own schedule), its id. A
    dry run in the way is aborted first: it only lists files."""
    for _attempt in range(2):
        try:
            cmd = cm._call(_api(cm).run_schedule, cluster, schedule_id, service,
                           what=f"a run of {_what(service, schedule_id)}", cluster=cluster)
            return int(cmd.id)
        except ApiError as err:
            if err.status not in (400, 409):
                raise
            current = read_schedule(cm, cluster, service, schedule_id)
            last = current.last_run
            if not (current.active and last and last.command_id is not None):
                raise
            if not last.dry_run:
                return last.command_id
            abort_command(cm, last.command_id)
    raise ApiError("a dry run kept the schedule busy", url=cm.url, what=f"a run of {_what(service, schedule_id)}",
                   cluster=cluster)


def dry_run(cm: ClouderaManager, cluster: str, service: str, schedule_id: int, *, wait_s: float,
            poll_s: float = 0.25, max_poll_s: float = 2.0) -> DryRun:
    """Run CM's dry run of an HDFS schedule and wait up to wait_s for what it would copy.
    While it runs, only its command is read (one call), at growing intervals (poll_s, x1.5, up
    to max_poll_s); the run's figures are read once it is done (the schedule and its history:
    two calls, which every poll cost before)."""
    what = f"a dry run of {_what(service, schedule_id)}"
    try:
        cmd = cm._call(_api(cm).run_schedule, cluster, schedule_id, service, what=what, cluster=cluster,
                       dry_run=True)
        command_id = int(cmd.id)
    except ApiError as err:
        if err.status not in (400, 409):
            raise
        current = read_schedule(cm, cluster, service, schedule_id)
        last = current.last_run
        if not (current.active and last and last.dry_run and last.command_id is not None):
            return DryRun(None, False, message="a run is in progress, so CM cannot dry-run it now")
        command_id = last.command_id  # another dry run already under way: wait for that one
    deadline = time.monotonic() + max(0.0, wait_s)
    pause = poll_s
    while True:
        try:
            running = read_command(cm, command_id).active
        except NotFoundError:
            running = False  # find_run says what became of it
        if not running:
            p = find_run(cm, cluster, service, schedule_id, command_id)
            if not p.active:
                if p.state != "succeeded":
                    return DryRun(command_id, True, message=p.message or "the dry run failed")
                return DryRun(command_id, True, files=p.dry_run_files, bytes=p.dry_run_bytes, message=p.message)
        left = deadline - time.monotonic()
        if left <= 0:
            return DryRun(command_id, False, message=f"still running in Cloudera Manager (command {command_id})")
        time.sleep(min(pause, left))
        pause = min(pause * 1.5, max_poll_s)


def set_paused(cm: ClouderaManager, cluster: str, service: str, schedule_id: int, paused: bool, *,
               abort_active: bool) -> ReplicationSchedule:
    body = _read_json(cm, cluster, service, schedule_id)
    body["paused"] = paused
    sched = _put(cm, cluster, service, schedule_id, body,
                 f"{'pausing' if paused else 'resuming'} {_what(service, schedule_id)}")
    if paused and abort_active and sched.active and sched.last_run and sched.last_run.command_id is not None:
        abort_command(cm, sched.last_run.command_id)
        sched = read_schedule(cm, cluster, service, schedule_id)
    return sched


def history(cm: ClouderaManager, cluster: str, service: str, schedule_id: int,
            limit: int = 20) -> tuple[bool, list[ReplicationProgress]]:
    """(the schedule is paused, its runs newest first)."""
    what = f"the history of {_what(service, schedule_id)}"
    # The history has no `paused` flag: read the schedule alongside (2 calls, but exact).
    sched = _read_raw(cm, cluster, service, schedule_id)
    lst = cm._call(_api(cm).read_history, cluster, schedule_id, service, what=what, cluster=cluster,
                   limit=limit, offset=0, view="summary")
    paused = bool(sched.paused)
    return paused, [_progress(schedule_id, paused, c) for c in lst.items or []]


def progress(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> ReplicationProgress:
    """The latest run that is not a dry run (state never_run if none)."""
    paused, runs = history(cm, cluster, service, schedule_id, HISTORY_LOOKUP)
    return next((r for r in runs if not r.dry_run), ReplicationProgress(schedule_id, paused=paused))


def find_run(cm: ClouderaManager, cluster: str, service: str, schedule_id: int, command_id: int) -> ReplicationProgress:
    """The run of command `command_id`. Raises CommandGone when CM no longer knows it (or its
    schedule): restarted, history purged."""
    try:
        paused, runs = history(cm, cluster, service, schedule_id, HISTORY_LOOKUP)
    except NotFoundError as err:
        raise CommandGone(f"Replication schedule {schedule_id} no longer exists, so neither does command "
                          f"{command_id}", url=cm.url, what=_what(service, schedule_id), cluster=cluster,
                          status=404) from err
    found = next((r for r in runs if r.command_id == command_id), None)
    if found is not None:
        return found
    gone = CommandGone(f"Command {command_id} no longer exists", url=cm.url, what=f"command {command_id}",
                       cluster=cluster, status=404)
    if len(runs) < HISTORY_LOOKUP:
        # The whole history was read and the command is not in it: CM lost it (a restarted CM may
        # even give its id to another command, so asking for the id alone would not prove it ours).
        raise gone
    try:  # not among the latest runs: does CM still know the command at all?
        status = read_command(cm, command_id)
    except NotFoundError as err:
        raise gone from err
    if status.active:  # an active run of this schedule would be among its latest: that id is another's now
        raise gone
    # Finished, older than the runs read (many runs since): its state without counters.
    state = "succeeded" if status.success else "failed"
    return ReplicationProgress(schedule_id, command_id, state, False, paused, started_at=status.started_at,
                               ended_at=status.ended_at, message=status.message)


def _command(cmd: Any) -> CommandStatus:
    return CommandStatus(id=int(cmd.id), name=cmd.name, active=bool(cmd.active),
                         success=None if cmd.active else bool(cmd.success), message=cmd.result_message,
                         started_at=cmd.start_time, ended_at=cmd.end_time)


def read_command(cm: ClouderaManager, command_id: int) -> CommandStatus:
    api = cm._resource(cm_client.CommandsResourceApi)
    return _command(cm._call(api.read_command, command_id, what=f"command {command_id}"))


def abort_command(cm: ClouderaManager, command_id: int) -> CommandStatus:
    api = cm._resource(cm_client.CommandsResourceApi)
    return _command(cm._call(api.abort_command, command_id, what=f"aborting command {command_id}"))
