"""DataSync: start, throttle, cancel and watch the executions of an existing task.

The task itself (source and destination locations, options) is infrastructure, set up once
in the AWS account; Ferry only drives its executions. DataSync has no pause: the transfer
backend pauses by cancelling and resumes by starting a new execution, which moves only what
changed since (the task's default "changed data" mode).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.aws.service import AwsService

UNLIMITED = -1
"""BytesPerSecond value that lifts the bandwidth cap."""

FINAL_STATUSES = frozenset({"SUCCESS", "ERROR"})


def _check_rate(bytes_per_second: int) -> int:
    if bytes_per_second != UNLIMITED and bytes_per_second < 1:
        raise ValueError(f"bytes_per_second must be positive or UNLIMITED (-1), got {bytes_per_second}")
    return int(bytes_per_second)


@dataclass(frozen=True)
class DataSyncTask:
    arn: str
    name: str | None
    status: str
    source_location_arn: str | None
    destination_location_arn: str | None
    bytes_per_second: int | None
    current_execution_arn: str | None


@dataclass(frozen=True)
class TaskExecutionSummary:
    arn: str
    status: str


@dataclass(frozen=True)
class DataSyncProgress:
    """One look at a task execution. Counters are None when the service did not report them
    (moto never does; AWS fills them in as the execution proceeds)."""

    execution_arn: str
    status: str
    bytes_transferred: int | None = None
    bytes_written: int | None = None
    bytes_compressed: int | None = None
    estimated_bytes: int | None = None
    files_transferred: int | None = None
    files_verified: int | None = None
    files_failed: int | None = None
    estimated_files: int | None = None
    bytes_per_second: int | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    error_code: str | None = None
    error_detail: str | None = None

    @property
    def done(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESS"

    @property
    def fraction(self) -> float | None:
        """Share of the estimated bytes transferred so far (0..1), None when unknown."""
        if self.status == "SUCCESS":
            return 1.0
        if not self.estimated_bytes or self.bytes_transferred is None:
            return None
        return min(1.0, self.bytes_transferred / self.estimated_bytes)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


class DataSync(AwsService):
    SERVICE = "datasync"
    LABEL = "DataSync"

    def describe_task(self, task_arn: str) -> DataSyncTask:
        """The task, with the execution running now if any (to find it again after a restart)."""
        r = self._call("describe_task", TaskArn=task_arn)
        return DataSyncTask(
            arn=r["TaskArn"],
            name=r.get("Name"),
            status=r.get("Status", "UNKNOWN"),
            source_location_arn=r.get("SourceLocationArn"),
            destination_location_arn=r.get("DestinationLocationArn"),
            bytes_per_second=_int((r.get("Options") or {}).get("BytesPerSecond")),
            current_execution_arn=r.get("CurrentTaskExecutionArn"),
        )

    def start_task_execution(self, task_arn: str, *, bytes_per_second: int | None = None) -> str:
        """Start an execution and return its ARN. `bytes_per_second` caps its bandwidth for
        this execution only (UNLIMITED lifts it; None keeps the task's own setting)."""
        params: dict[str, Any] = {"TaskArn": task_arn}
        if bytes_per_second is not None:
            params["OverrideOptions"] = {"BytesPerSecond": _check_rate(bytes_per_second)}
        return self._call("start_task_execution", **params)["TaskExecutionArn"]

    def describe_task_execution(self, execution_arn: str) -> DataSyncProgress:
        r = self._call("describe_task_execution", TaskExecutionArn=execution_arn)
        result = r.get("Result") or {}
        return DataSyncProgress(
            execution_arn=r.get("TaskExecutionArn", execution_arn),
            status=r.get("Status", "UNKNOWN"),
            bytes_transferred=_int(r.get("BytesTransferred")),
            bytes_written=_int(r.get("BytesWritten")),
            bytes_compressed=_int(r.get("BytesCompressed")),
            estimated_bytes=_int(r.get("EstimatedBytesToTransfer")),
            files_transferred=_int(r.get("FilesTransferred")),
            files_verified=_int(r.get("FilesVerified")),
            files_failed=_int((r.get("FilesFailed") or {}).get("Transfer")),
            estimated_files=_int(r.get("EstimatedFilesToTransfer")),
            bytes_per_second=_int((r.get("Options") or {}).get("BytesPerSecond")),
            start_time=r.get("StartTime"),
            end_time=r.get("EndTime"),
            error_code=result.get("ErrorCode"),
            error_detail=result.get("ErrorDetail"),
        )

    def update_task_execution(self, execution_arn: str, *, bytes_per_second: int) -> None:
        """Change the bandwidth cap of a running execution (the only option AWS lets you
        change mid-run)."""
        self._call(
            "update_task_execution",
            TaskExecutionArn=execution_arn,
            Options={"BytesPerSecond": _check_rate(bytes_per_second)},
        )

    def cancel_task_execution(self, execution_arn: str) -> None:
        """Stop a running execution; it ends with status ERROR. Files already written stay."""
        self._call("cancel_task_execution", TaskExecutionArn=execution_arn)

    def list_task_executions(self, task_arn: str) -> list[TaskExecutionSummary]:
        """Every execution of the task, as AWS lists them."""
        return [
            TaskExecutionSummary(arn=e["TaskExecutionArn"], status=e.get("Status", "UNKNOWN"))
            for page in self._pages("list_task_executions", TaskArn=task_arn)
            for e in page.get("TaskExecutions", [])
        ]
