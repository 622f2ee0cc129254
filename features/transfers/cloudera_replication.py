"""cloudera-replication: a Cloudera Manager replication schedule (distcp on the cluster's YARN).

    start   run the schedule (CM hands back the running command if one is already active)
    pause   set the schedule `paused` and abort the running command
    resume  unpause and run it again: distcp -update skips what earlier runs copied
    poll    the latest run's result: bytes copied and expected (earlier runs' bytes count as
            done), CM's throughput and remaining time, failed files
    cancel  abort the running command and leave the schedule paused

Throttling: distcp takes its bandwidth per map task (`bandwidthPerMap`) when a run starts; CM
cannot change it for a running copy, and Ferry's CM connector does not set it yet.
"""

from __future__ import annotations

from typing import Any

from config.transfers import ClouderaReplicationParams, Transfer
from connectors.cloudera import ClouderaError, ClouderaManager, NotFoundError, UnreachableError
from connectors.cloudera.errors import AuthError
from features.services import Services
from features.transfers.backend import Backend, EngineFailed, Progress, Transient, Unsupported
from state.runs import Run


class ClouderaReplication(Backend):
    kind = "cloudera-replication"
    uses_source_link = True  # the copy's MapReduce jobs read from AS-IS over its network
    @classmethod
    def describe(cls, transfer: Transfer) -> str:
        p = transfer.params
        return f"schedule {p.schedule} ({p.service})"  # type: ignore[union-attr]

    REFUSALS = {"throttle": (
        "Cloudera Manager sets distcp's bandwidth per map task when a replication run starts (`bandwidthPerMap`); "
        "a running copy cannot be throttled. Pause it, change the schedule's bandwidth in Cloudera Manager, "
        "then resume.")}

    def __init__(self, services: Services, transfer: Transfer) -> None:
        super().__init__(services, transfer)
        assert isinstance(transfer.params, ClouderaReplicationParams)
        self.params: ClouderaReplicationParams = transfer.params
        endpoint = services.config.estates[transfer.via].cloudera
        assert endpoint is not None  # config/transfers.py checks it
        self.endpoint = endpoint
        self.cluster = self.params.cluster or endpoint.cluster or "Cluster 1"
        self._cm: ClouderaManager | None = None

    @property
    def cm(self) -> ClouderaManager:
        if self._cm is None:
            e = self.endpoint
            self._cm = ClouderaManager(e.url, e.username, e.password, verify_tls=e.verify_tls, timeout=e.timeout_s)
        return self._cm

    def _call(self, fn, *args: Any, **kwargs: Any) -> Any:
        """Connector errors in the backend's terms: unreachable or 5xx → Transient; the rest fail."""
        try:
            return fn(*args, **kwargs)
        except UnreachableError as e:
            raise Transient(str(e)) from None
        except (AuthError, NotFoundError) as e:
            raise EngineFailed(str(e)) from None
        except ClouderaError as e:
            if e.status is None or e.status >= 500:
                raise Transient(str(e)) from None
            raise EngineFailed(str(e)) from None

    def _ids(self) -> tuple[str, str, int]:
        return self.cluster, self.params.service, self.params.schedule

    def start(self, run: Run) -> dict[str, Any]:
        sched = self._call(self.cm.replication, *self._ids())
        if sched.paused:  # a schedule left paused by an earlier pause or cancel
            self._call(self.cm.set_replication_paused, *self._ids(), False, abort_active=False)
        command_id = self._call(self.cm.run_replication, *self._ids())
        return {"command_id": command_id, "schedule": self.params.schedule, "cluster": self.cluster}

    def pause(self, run: Run) -> None:
        self._call(self.cm.set_replication_paused, *self._ids(), True, abort_active=True)

    def resume(self, run: Run) -> dict[str, Any]:
        return self.start(run)

    def throttle(self, run: Run, bytes_per_s: float) -> str:
        raise Unsupported(self.REFUSALS["throttle"])

    def cancel(self, run: Run) -> None:
        self._call(self.cm.set_replication_paused, *self._ids(), True, abort_active=True)

    def poll(self, run: Run) -> Progress:
        p = self._call(self.cm.replication_progress, *self._ids())
        handle = run.detail.get("handle") or {}
        started = handle.get("command_id")
        # A run older than ours is not ours (e.g. the CM answered before our run was recorded).
        if p.command_id is not None and started is not None and p.command_id < started:
            return Progress("running", step="starting")
        state = {"running": "running", "succeeded": "done", "failed": "failed", "never_run": "running"}.get(p.state)
        if p.state == "aborted":
            state = "paused" if p.paused else "failed"
        message = p.message
        if p.files_failed:
            message = f"{p.files_failed} file(s) failed to copy. {p.message or ''}".strip()
        return Progress(
            state or "running", bytes_done=p.total_bytes_done, bytes_total=p.total_bytes or None,
            rate_bps=p.throughput_bytes_per_s if p.active else None,
            eta_s=float(p.remaining_s) if p.active and p.remaining_s is not None else None,
            fraction=(p.total_bytes_done / p.total_bytes) if p.total_bytes else None,
            step=f"CM command {p.command_id}: {p.files_copied + p.files_skipped:,}/"
                 f"{p.files_expected + p.files_skipped:,} files" if p.command_id else "starting",
            message=message if state == "failed" else None,
            extra={"command_id": p.command_id, "files_failed": p.files_failed},
        )

    def estimate(self) -> int | None:
        if self.transfer.size:
            return self.transfer.size
        try:
            last = self.cm.replication(*self._ids()).last_run
        except ClouderaError:
            return None
        return last.total_bytes if last is not None and last.total_bytes else None

    def close(self) -> None:
        if self._cm is not None:
            self._cm.close()

