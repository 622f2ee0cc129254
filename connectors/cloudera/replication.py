"""Replication schedules and commands through cm-client, as plain objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import cm_client

from connectors.cloudera.errors import ApiError
from connectors.cloudera.models import CommandStatus, ReplicationProgress, ReplicationSchedule

if TYPE_CHECKING:
    from connectors.cloudera.client import ClouderaManager


def _api(cm: ClouderaManager) -> cm_client.ReplicationsResourceApi:
    return cm._resource(cm_client.ReplicationsResourceApi)


def _what(service: str, schedule_id: int | None = None) -> str:
    return f"replication schedule {schedule_id} of service '{service}'" if schedule_id is not None else \
        f"replication schedules of service '{service}'"


def _progress(schedule_id: int, paused: bool, cmd: Any) -> ReplicationProgress:
    if cmd is None:
        return ReplicationProgress(schedule_id, None, "never_run", False, paused, 0, 0, 0, 0, 0, 0, 0, 0,
                                   None, None, None, None, None)
    r = cmd.hdfs_result
    active = bool(cmd.active)
    msg = cmd.result_message
    if active:
        state = "running"
    elif cmd.success:
        state = "succeeded"
    elif msg and "abort" in msg.lower():
        state = "aborted"
    else:
        state = "failed"

    def n(attr: str) -> int:
        v = getattr(r, attr, None) if r is not None else None
        return int(v or 0)

    throughput = None
    if r is not None and r.throughput is not None:
        throughput = float(r.throughput) * 1024.0  # CM reports KB/s
    return ReplicationProgress(
        schedule_id=schedule_id, command_id=cmd.id, state=state, active=active, paused=paused,
        progress_pct=n("progress"), bytes_copied=n("num_bytes_copied"), bytes_expected=n("num_bytes_expected"),
        bytes_skipped=n("num_bytes_skipped"), files_copied=n("num_files_copied"),
        files_expected=n("num_files_expected"), files_skipped=n("num_files_skipped"),
        files_failed=n("num_files_copy_failed"), throughput_bytes_per_s=throughput,
        remaining_s=(r.remaining_time if r is not None else None),
        started_at=cmd.start_time, ended_at=cmd.end_time, message=msg,
    )


def _schedule(s: Any) -> ReplicationSchedule:
    a = s.hdfs_arguments
    src = a.source_service if a is not None else None
    last = (s.history or [None])[0]
    return ReplicationSchedule(
        id=int(s.id), display_name=s.display_name,
        source_path=a.source_path if a else None, destination_path=a.destination_path if a else None,
        source_peer=src.peer_name if src else None, source_cluster=src.cluster_name if src else None,
        source_service=src.service_name if src else None,
        paused=bool(s.paused), active=bool(s.active), interval=s.interval,
        interval_unit=str(s.interval_unit) if s.interval_unit is not None else None,
        last_run=_progress(int(s.id), bool(s.paused), last) if last is not None else None,
    )


def list_schedules(cm: ClouderaManager, cluster: str, service: str) -> list[ReplicationSchedule]:
    lst = cm._call(_api(cm).read_schedules, cluster, service, what=_what(service), cluster=cluster, view="summary")
    return [_schedule(s) for s in lst.items or []]


def read_schedule(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> ReplicationSchedule:
    s = cm._call(_api(cm).read_schedule, cluster, schedule_id, service, what=_what(service, schedule_id),
                 cluster=cluster, view="summary")
    return _schedule(s)


def create_schedule(cm: ClouderaManager, cluster: str, service: str, *, source_path: str, peer: str,
                    source_cluster: str, source_service: str, destination_path: str | None,
                    display_name: str | None, paused: bool, mapreduce_service: str) -> ReplicationSchedule:
    args = cm_client.ApiHdfsReplicationArguments(
        source_service=cm_client.ApiServiceRef(peer_name=peer, cluster_name=source_cluster,
                                               service_name=source_service),
        source_path=source_path, destination_path=destination_path or source_path,
        mapreduce_service_name=mapreduce_service, preserve_replication_count=True, preserve_block_size=True)
    body = cm_client.ApiReplicationScheduleList(items=[cm_client.ApiReplicationSchedule(
        display_name=display_name or f"{source_path} from {peer}", paused=paused, interval=1,
        interval_unit="DAY", hdfs_arguments=args)])
    lst = cm._call(_api(cm).create_schedules, cluster, service, what=_what(service), cluster=cluster, body=body)
    return _schedule(lst.items[0])


def run_schedule(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> int:
    try:
        cmd = cm._call(_api(cm).run_schedule, cluster, schedule_id, service,
                       what=f"a run of {_what(service, schedule_id)}", cluster=cluster)
        return int(cmd.id)
    except ApiError as err:
        # Already running (a retry, a double click): hand back the running command, do not fail.
        if err.status in (400, 409):
            current = read_schedule(cm, cluster, service, schedule_id)
            if current.active and current.last_run and current.last_run.command_id is not None:
                return current.last_run.command_id
        raise


def set_paused(cm: ClouderaManager, cluster: str, service: str, schedule_id: int, paused: bool, *,
               abort_active: bool) -> ReplicationSchedule:
    body = cm_client.ApiReplicationSchedule(paused=paused)
    s = cm._call(_api(cm).update_schedule, cluster, schedule_id, service,
                 what=f"{'pausing' if paused else 'resuming'} {_what(service, schedule_id)}", cluster=cluster, body=body)
    sched = _schedule(s)
    if paused and abort_active and sched.active and sched.last_run and sched.last_run.command_id is not None:
        abort_command(cm, sched.last_run.command_id)
        sched = read_schedule(cm, cluster, service, schedule_id)
    return sched


def progress(cm: ClouderaManager, cluster: str, service: str, schedule_id: int) -> ReplicationProgress:
    runs = history(cm, cluster, service, schedule_id, limit=1)
    if runs:
        return runs[0]
    sched = read_schedule(cm, cluster, service, schedule_id)
    return _progress(schedule_id, sched.paused, None)


def history(cm: ClouderaManager, cluster: str, service: str, schedule_id: int,
            limit: int = 20) -> list[ReplicationProgress]:
    what = f"the history of {_what(service, schedule_id)}"
    # The history has no `paused` flag: read the schedule alongside (2 calls, but exact).
    sched = cm._call(_api(cm).read_schedule, cluster, schedule_id, service, what=what, cluster=cluster,
                     view="summary")
    lst = cm._call(_api(cm).read_history, cluster, schedule_id, service, what=what, cluster=cluster,
                   limit=limit, offset=0, view="summary")
    return [_progress(schedule_id, bool(sched.paused), c) for c in lst.items or []]


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
