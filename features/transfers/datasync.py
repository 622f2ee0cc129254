"""datasync: an AWS DataSync task's executions (the task itself is set up once in the account).

    start     an execution with a BytesPerSecond cap (the transfer's rate, else unlimited); if
              the task already runs one (Ferry restarted after starting it), that one is adopted
    throttle  UpdateTaskExecution: the cap of the running execution, from now on
    pause     cancel the execution: DataSync has no pause
    resume    a new execution, which moves only what changed since (the task's default mode)
    poll      bytes transferred against bytes estimated; earlier executions' bytes count as done

DataSync reports its counters per execution, so the handle keeps what earlier executions of
this run moved (`carried_bytes`) and the whole transfer's progress adds them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from config.reader import Reader
from config.transfers import Transfer
from connectors.aws import UNLIMITED, AwsError, DataSync
from features.services import Services
from features.transfers.backend import Backend, EngineFailed, Progress, Transient
from state.runs import Run


def aws_kwargs(services: Services, side: str) -> dict[str, Any]:
    """Keyword arguments of a connectors.aws wrapper for one side's AWS endpoint."""
    aws = services.config.estates[side].aws
    assert aws is not None  # config/transfers.py checks it
    return {"region": aws.region, "endpoint_url": aws.endpoint_url, "access_key_id": aws.access_key_id,
            "secret_access_key": aws.secret_access_key, "max_attempts": 2, "connect_timeout": 5.0,
            "read_timeout": 20.0}


def call(fn, *args: Any, **kwargs: Any) -> Any:
    """AWS errors in the backend's terms: retryable (throttled, 5xx, unreachable) → Transient."""
    try:
        return fn(*args, **kwargs)
    except AwsError as e:
        if e.retryable:
            raise Transient(str(e)) from None
        raise EngineFailed(str(e)) from None



# -- its keys in app.yaml (`transfers:` entries of this kind) ------------------------------------

@dataclass(frozen=True)
class DataSyncParams:
    task_arn: str


def parse_params(r: Reader) -> DataSyncParams:
    return DataSyncParams(task_arn=r.str("task_arn", pattern=r"arn:aws[a-z-]*:datasync:.+:task/task-[0-9a-f]+",
                                         what="a DataSync task ARN (arn:aws:datasync:REGION:ACCOUNT:task/task-…)"))


class DataSyncTransfer(Backend):
    Params = DataSyncParams
    parse_params = staticmethod(parse_params)  # its keys in app.yaml
    needs = (("aws", "via"),)  # estate endpoints, checked at load
    kind = "datasync"

    def __init__(self, services: Services, transfer: Transfer) -> None:
        super().__init__(services, transfer)
        assert isinstance(transfer.params, DataSyncParams)
        self.params: DataSyncParams = transfer.params
        self._ds: DataSync | None = None

    @property
    def ds(self) -> DataSync:
        if self._ds is None:
            self._ds = DataSync(**aws_kwargs(self.services, self.transfer.via))
        return self._ds

    def _rate(self, run: Run) -> int:
        rate = run.detail.get("rate")
        return int(rate) if rate else UNLIMITED

    def start(self, run: Run) -> dict[str, Any]:
        handle = run.detail.get("handle") or {}
        task = call(self.ds.describe_task, self.params.task_arn)
        stopped = set(handle.get("executions") or []) - {handle.get("execution_arn")}
        if task.current_execution_arn in stopped:
            # the one a pause cancelled is still winding down: DataSync runs one execution at a time
            raise Transient("DataSync is still cancelling the previous execution; a new one starts after it")
        if task.current_execution_arn:  # ours, started before a restart (or a double start)
            arn = task.current_execution_arn
        else:
            arn = call(self.ds.start_task_execution, self.params.task_arn, bytes_per_second=self._rate(run))
        executions = list(handle.get("executions") or [])
        if arn not in executions:
            executions.append(arn)
        return {"execution_arn": arn, "executions": executions}

    def pause(self, run: Run) -> dict[str, Any] | None:
        return self._stop(run)

    def resume(self, run: Run) -> dict[str, Any]:
        try:
            return self.start(run)
        except Transient:
            return {"execution_arn": None}  # the watcher starts it as soon as DataSync lets it

    def throttle(self, run: Run, bytes_per_s: float) -> str:
        arn = (run.detail.get("handle") or {}).get("execution_arn")
        if arn:
            call(self.ds.update_task_execution, arn, bytes_per_second=int(bytes_per_s))
            return "DataSync applies it to the running execution now"
        return "applies when the next execution starts"

    def cancel(self, run: Run) -> dict[str, Any] | None:
        return self._stop(run)

    def _stop(self, run: Run) -> dict[str, Any]:
        handle = run.detail.get("handle") or {}
        arn = handle.get("execution_arn")
        if not arn:
            return {}
        progress = call(self.ds.describe_task_execution, arn)
        if not progress.done:
            call(self.ds.cancel_task_execution, arn)
        carried = int(handle.get("carried_bytes") or 0) + int(progress.bytes_transferred or 0)
        return {"execution_arn": None, "carried_bytes": carried}

    def poll(self, run: Run) -> Progress:
        handle = run.detail.get("handle") or {}
        arn = handle.get("execution_arn")
        if not arn:  # resumed while the old execution was winding down: start the new one now
            started = self.start(run)
            return Progress("running", step="starting a DataSync execution", handle=started)
        p = call(self.ds.describe_task_execution, arn)
        carried = int(handle.get("carried_bytes") or 0)
        done = carried + p.bytes_transferred if p.bytes_transferred is not None else None
        total = carried + p.estimated_bytes if p.estimated_bytes else self.transfer.size
        state = "running"
        if p.status == "SUCCESS":
            state = "done"
        elif p.status == "ERROR":
            state = "failed"
        files = ""
        if p.estimated_files:
            files = f" · {p.files_transferred or 0:,}/{p.estimated_files:,} files"
        message = None
        if state == "failed":
            message = f"DataSync execution ended in ERROR: {p.error_code or 'no code'}: {p.error_detail or ''}".strip()
        fraction = None
        if state != "done" and done is not None and total:
            fraction = done / total
        return Progress(state, bytes_done=done if state != "done" or done is not None else total,
                        bytes_total=total, fraction=fraction, step=f"DataSync {p.status.lower()}{files}",
                        message=message, extra={"files_failed": p.files_failed, "cap": p.bytes_per_second})

    def estimate(self) -> int | None:
        return self.transfer.size

    def close(self) -> None:
        if self._ds is not None:
            self._ds.client.close()

