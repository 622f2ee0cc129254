"""Replication schedules and their commands, with copy progress that advances with wall time.

A run copies what is left of the schedule's source (distcp -update: files already copied are
skipped) at the simulator's bandwidth. Progress is computed lazily under one lock: every read,
bandwidth change or abort first brings active runs up to "now", so a bandwidth change applies
from the moment it is made. Pausing a schedule, as in CM, stops future scheduled runs only; a
running copy stops when its command is aborted.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.cloudera.estate import parse_size

DEFAULT_SOURCE_BYTES = 1024**3  # a created schedule whose path the estate does not know


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
class Command:
    id: int
    name: str
    cluster: str
    service: str
    schedule: Schedule | None
    started: float
    bytes_skipped: float = 0.0  # already on the target when the run started
    bytes_expected: float = 0.0  # what this run has to copy
    bytes_copied: float = 0.0
    files_expected: int = 0
    files_skipped: int = 0
    ticked: float = 0.0
    ended: float | None = None
    active: bool = True
    success: bool | None = None
    message: str = "Replication in progress."
    failed_files: int = 0


@dataclass
class Schedule:
    id: int
    cluster: str
    service: str
    data: dict[str, Any]  # the ApiReplicationSchedule fields as created/updated (camelCase)
    total_bytes: float
    total_files: int
    copied_bytes: float = 0.0  # on the target already: survives aborted runs
    fail_files: int = 0
    history: list[Command] = field(default_factory=list)

    def active(self) -> Command | None:
        return next((c for c in self.history if c.active), None)


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
            data = {k: v for k, v in body.items() if k not in ("id", "history", "active")}
            data.setdefault("paused", False)
            data.setdefault("interval", 0)
            data.setdefault("intervalUnit", "DAY")
            data.setdefault("alertOnStart", False)
            data.setdefault("alertOnSuccess", False)
            data.setdefault("alertOnFail", True)
            data.setdefault("alertOnAbort", True)
            data.setdefault("startTime", _iso(self.clock()))
            path = (data.get("hdfsArguments") or {}).get("sourcePath", "/")
            total = body.get("_bytes")
            files = body.get("_files")
            if total is None:
                total, files = _size_of(path, sizes)
            sched = Schedule(sid, cluster, service, data, parse_size(total), int(files or 0),
                             copied_bytes=parse_size(body.get("_copied", 0)), fail_files=int(body.get("_fail_files", 0)))
            for k in ("_bytes", "_files", "_copied", "_fail_files"):
                data.pop(k, None)
            self.schedules.setdefault((cluster, service), {})[sid] = sched
            # keep generated ids above any id given in the estate file
            nxt = next(self._ids)
            self._ids = itertools.count(max(nxt, sid + 1))
            return sched

    # -- progress -----------------------------------------------------------------------
    def _advance(self, now: float) -> None:
        for cmd in self.commands.values():
            if not cmd.active or cmd.schedule is None:
                continue
            cmd.bytes_copied = min(cmd.bytes_expected, cmd.bytes_copied + self.bandwidth * max(0.0, now - cmd.ticked))
            cmd.ticked = now
            sched = cmd.schedule
            sched.copied_bytes = min(sched.total_bytes, cmd.bytes_skipped + cmd.bytes_copied)
            if cmd.bytes_copied >= cmd.bytes_expected:
                cmd.active = False
                # finished at the moment the last byte arrived, not at the moment somebody looked
                extra = (cmd.bytes_copied - cmd.bytes_expected) / self.bandwidth if self.bandwidth else 0
                cmd.ended = now - max(0.0, extra)
                if sched.fail_files:
                    cmd.success = False
                    cmd.failed_files = sched.fail_files
                    cmd.message = f"Replication failed: {sched.fail_files} file(s) could not be copied."
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
               sizes: dict[str, dict[str, float]]) -> dict[str, Any]:
        with self.lock:
            created = []
            for body in items:
                body = {k: v for k, v in body.items() if not k.startswith("_") and k != "id"}
                if not body.get("hdfsArguments") and not body.get("hbaseArguments"):
                    raise ReplicationError(400, "A replication schedule needs hdfsArguments (or hbaseArguments).")
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
            left = max(0.0, sched.total_bytes - sched.copied_bytes)
            share = left / sched.total_bytes if sched.total_bytes else 0.0
            files_left = round(sched.total_files * share)
            cmd = Command(
                id=next(self._cmd_ids), name="HdfsReplicationCommand", cluster=cluster, service=service,
                schedule=sched, started=now, bytes_skipped=sched.copied_bytes, bytes_expected=left,
                files_expected=files_left, files_skipped=sched.total_files - files_left, ticked=now)
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
        if c.schedule is not None:
            out["hdfsResult"] = self._hdfs_result(c)
        return out

    def _hdfs_result(self, c: Command) -> dict[str, Any]:
        expected = c.bytes_expected
        share = c.bytes_copied / expected if expected else 1.0
        files_copied = round(c.files_expected * share)
        if not c.active and c.failed_files:
            files_copied = max(0, c.files_expected - c.failed_files)
        elapsed = max(1e-6, (c.ended or c.ticked) - c.started)
        rate = self.bandwidth if c.active else (c.bytes_copied / elapsed if c.bytes_copied else 0.0)
        left = expected - c.bytes_copied
        remaining = int(round(left / self.bandwidth)) if c.active and self.bandwidth else 0
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
            "dryRun": False,
            "jobId": f"job_{int(c.started)}_{c.id:04d}",
            "snapshottedDirs": [],
            "failedFiles": [f"/failed/part-{i:05d}" for i in range(min(c.failed_files, 10))],
            "runAsUser": "hdfs",
        }
        if c.active and self.bandwidth:
            res["estimatedCompletionTime"] = _iso(self.clock() + left / self.bandwidth)
        return res


def _size_of(path: str, sizes: dict[str, dict[str, float]]) -> tuple[float, int]:
    """Bytes and files under path: the sum of the known paths inside it, else the nearest parent's."""
    path = path.rstrip("/") or "/"
    inside = [v for p, v in sizes.items() if (p.rstrip("/") or "/").startswith(path if path == "/" else path + "/")
              or p.rstrip("/") == path]
    if inside:
        return sum(v["bytes"] for v in inside), int(sum(v["files"] for v in inside))
    return float(DEFAULT_SOURCE_BYTES), 1000
