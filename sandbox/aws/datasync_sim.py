"""DataSync executions that move bytes: what moto leaves out, so the demo can throttle and watch.

moto keeps DataSync tasks and executions but an execution moves nothing: its status steps
once per DescribeTaskExecution call, it reports no byte counters, and UpdateTaskExecution
and ListTaskExecutions answer HTTP 500. This WSGI middleware sits in front of moto's app and
takes over the execution calls of S3-to-S3 tasks:

    StartTaskExecution    moto creates the execution; we note what it must copy (objects
                          under the source prefix that the destination lacks or holds with
                          another size/ETag: DataSync's "changed data" mode) and its rate.
    DescribeTaskExecution status by the clock:  LAUNCHING -> PREPARING -> TRANSFERRING ->
                          VERIFYING -> SUCCESS, bytes advancing at min(BytesPerSecond,
                          the sandbox's link); objects are really copied (S3 CopyObject) as
                          the byte counter passes them, so the TO-BE bucket fills up.
    UpdateTaskExecution   changes BytesPerSecond from now on.
    CancelTaskExecution   moto's own (ERROR; the task is free again); counters freeze.
    ListTaskExecutions    every execution of the task.

Everything else (tasks, locations) is moto's. State lives in the middleware, so it is per
sandbox; it is reached through the real DataSync JSON protocol like AWS itself.
"""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from connectors.aws.service import new_session

log = logging.getLogger("sandbox.aws")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
Params = dict[str, Any]
Body = Iterable[bytes]

_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/")
_UNLIMITED = -1


@dataclass
class _Item:
    src_key: str
    dst_key: str
    size: int


@dataclass
class _Execution:
    arn: str
    task_arn: str
    account: str
    region: str
    access_key: str
    src_bucket: str
    dst_bucket: str
    items: list[_Item]
    option_rate: int  # BytesPerSecond as set: -1 = unlimited
    started_wall: datetime
    started: float
    transfer_from: float
    status: str = "LAUNCHING"
    transferred: float = 0.0
    marked: float = 0.0  # clock time up to which `transferred` is counted
    transfer_done_at: float | None = None
    ended_wall: datetime | None = None
    copied: int = 0
    error_detail: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def estimated_bytes(self) -> int:
        return sum(i.size for i in self.items)


def _json_response(start_response: Callable[..., Any], status: str, body: dict[str, Any]) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
    return [data]


def _error(start_response: Callable[..., Any], message: str) -> Iterable[bytes]:
    return _json_response(
        start_response, "400 Bad Request", {"__type": "InvalidRequestException", "message": message, "errorCode": "InvalidRequest"}
    )


class DataSyncSimulator:
    """The middleware. `link_bytes_per_second` is the sandbox's own bandwidth ceiling; each
    phase other than TRANSFERRING lasts `phase_seconds`."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        *,
        endpoint_url: Callable[[], str],
        link_bytes_per_second: float,
        phase_seconds: float = 0.2,
    ) -> None:
        if link_bytes_per_second <= 0:
            raise ValueError("link_bytes_per_second must be positive")
        self.app = app
        self._endpoint_url = endpoint_url
        self.link = float(link_bytes_per_second)
        self.phase = phase_seconds
        self._executions: dict[str, _Execution] = {}
        self._lock = threading.Lock()
        self._s3_clients: dict[tuple[str, str], Any] = {}
        self._session = new_session()

    # -- WSGI ------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        action = target.split(".", 1)[1] if target.startswith("FmrsService.") else ""
        handler = {
            "StartTaskExecution": self._start,
            "DescribeTaskExecution": self._describe,
            "UpdateTaskExecution": self._update,
            "CancelTaskExecution": self._cancel,
            "ListTaskExecutions": self._list,
        }.get(action)
        if handler is None:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not match:
            return _error(start_response, "request is not signed")
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return _error(start_response, "request body is not JSON")
        return handler(environ, start_response, params, match.group(1), match.group(2))

    def _forward(self, environ: dict[str, Any]) -> tuple[str, bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        environ["wsgi.input"].seek(0)
        chunks = self.app(environ, capture)
        try:
            data = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return captured["status"], data

    # -- moto's state ----------------------------------------------------------------------
    @staticmethod
    def _backend(account: str, region: str) -> Any:
        from moto.datasync.models import datasync_backends

        return datasync_backends[account][region]

    @staticmethod
    def _account(access_key: str) -> str:
        from moto.iam.models import get_account_id_from

        return get_account_id_from(access_key)

    def _s3(self, access_key: str, region: str) -> Any:
        # moto checks no signature: the caller's key id puts us in the caller's account.
        key = (access_key, region)
        with self._lock:
            if key not in self._s3_clients:
                self._s3_clients[key] = self._session.client(
                    "s3",
                    region_name=region,
                    endpoint_url=self._endpoint_url(),
                    aws_access_key_id=access_key,
                    aws_secret_access_key="sandbox",
                    config=Config(retries={"total_max_attempts": 1}),
                )
            return self._s3_clients[key]

    # -- actions ---------------------------------------------------------------------------
    def _start(self, environ: Environ, start_response: StartResponse, params: Params, access_key: str, region: str) -> Body:
        account = self._account(access_key)
        backend = self._backend(account, region)
        task = backend.tasks.get(params.get("TaskArn", ""))
        plan, plan_error = None, None
        if task is not None:
            src, dst = backend.locations.get(task.source_location_arn), backend.locations.get(task.destination_location_arn)
            if src is not None and dst is not None and src.uri.startswith("s3://") and dst.uri.startswith("s3://"):
                try:
                    plan = self._plan(access_key, region, src.uri, dst.uri)
                except ClientError as exc:
                    # AWS starts the execution anyway and fails it while preparing.
                    plan = ("", "", [])
                    plan_error = f"cannot list the source or destination: {exc.response.get('Error', {}).get('Code')}"
        status, data = self._forward(environ)
        if not status.startswith("200") or plan is None:
            start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
            return [data]
        arn = json.loads(data)["TaskExecutionArn"]
        task_rate = (task.metadata.get("Options") or {}).get("BytesPerSecond", _UNLIMITED)
        rate = (params.get("OverrideOptions") or {}).get("BytesPerSecond", task_rate)
        now = time.monotonic()
        src_bucket, dst_bucket, items = plan
        execution = _Execution(
            arn=arn,
            task_arn=task.arn,
            account=account,
            region=region,
            access_key=access_key,
            src_bucket=src_bucket,
            dst_bucket=dst_bucket,
            items=items,
            option_rate=int(rate),
            started_wall=datetime.now(UTC),
            started=now,
            transfer_from=now + 2 * self.phase,
            marked=now + 2 * self.phase,
        )
        if plan_error:
            execution.status, execution.error_detail = "ERROR", plan_error
            execution.ended_wall = datetime.now(UTC)
            self._finish_in_moto(execution)
        with self._lock:
            self._executions[arn] = execution
        log.info("DataSync execution %s: %d objects, %d bytes to copy", arn.rsplit("/", 1)[-1], len(items), execution.estimated_bytes)
        return _json_response(start_response, "200 OK", {"TaskExecutionArn": arn})

    def _describe(self, environ: Environ, start_response: StartResponse, params: Params, access_key: str, region: str) -> Body:
        execution = self._executions.get(params.get("TaskExecutionArn", ""))
        if execution is None:
            return self.app(environ, start_response)  # not ours (another location type): moto's
        self._advance(execution)
        return _json_response(start_response, "200 OK", self._describe_body(execution))

    def _update(self, environ: Environ, start_response: StartResponse, params: Params, access_key: str, region: str) -> Body:
        execution = self._executions.get(params.get("TaskExecutionArn", ""))
        if execution is None:
            return _error(start_response, f"Task execution {params.get('TaskExecutionArn')} is not found.")
        rate = (params.get("Options") or {}).get("BytesPerSecond")
        if rate is None or (int(rate) != _UNLIMITED and int(rate) < 1):
            return _error(start_response, "Options.BytesPerSecond must be -1 or a positive number")
        self._advance(execution)  # count the bytes moved at the old rate first
        with execution.lock:
            if execution.status in ("SUCCESS", "ERROR"):
                return _error(start_response, f"Task execution is {execution.status}: it cannot be updated")
            execution.option_rate = int(rate)
        return _json_response(start_response, "200 OK", {})

    def _cancel(self, environ: Environ, start_response: StartResponse, params: Params, access_key: str, region: str) -> Body:
        execution = self._executions.get(params.get("TaskExecutionArn", ""))
        if execution is not None:
            self._advance(execution)
        status, data = self._forward(environ)
        if execution is not None and status.startswith("200"):
            with execution.lock:
                execution.status = "ERROR"
                execution.error_detail = "Task execution cancelled"
                execution.ended_wall = datetime.now(UTC)
        start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
        return [data]

    def _list(self, environ: Environ, start_response: StartResponse, params: Params, access_key: str, region: str) -> Body:
        backend = self._backend(self._account(access_key), region)
        task_arn = params.get("TaskArn")
        listed = []
        for arn, moto_execution in list(backend.task_executions.items()):
            if task_arn and moto_execution.task_arn != task_arn:
                continue
            ours = self._executions.get(arn)
            if ours is not None:
                self._advance(ours)
            listed.append({"TaskExecutionArn": arn, "Status": ours.status if ours else moto_execution.status})
        return _json_response(start_response, "200 OK", {"TaskExecutions": listed})

    # -- the simulation --------------------------------------------------------------------
    def _plan(self, access_key: str, region: str, src_uri: str, dst_uri: str) -> tuple[str, str, list[_Item]]:
        def split(uri: str) -> tuple[str, str]:
            bucket, _, prefix = uri[len("s3://") :].partition("/")
            prefix = prefix.strip("/")
            return bucket, (prefix + "/" if prefix else "")

        s3 = self._s3(access_key, region)
        (src_bucket, src_prefix), (dst_bucket, dst_prefix) = split(src_uri), split(dst_uri)

        def listing(bucket: str, prefix: str) -> dict[str, tuple[int, str]]:
            found = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for o in page.get("Contents", []):
                    found[o["Key"][len(prefix) :]] = (o["Size"], o.get("ETag", ""))
            return found

        have = listing(dst_bucket, dst_prefix)
        items = [
            _Item(src_prefix + rel, dst_prefix + rel, size)
            for rel, (size, etag) in sorted(listing(src_bucket, src_prefix).items())
            if have.get(rel) != (size, etag)
        ]
        return src_bucket, dst_bucket, items

    def _rate(self, execution: _Execution) -> float:
        return self.link if execution.option_rate == _UNLIMITED else min(self.link, float(execution.option_rate))

    def _advance(self, execution: _Execution) -> None:
        now = time.monotonic()
        with execution.lock:
            if execution.status in ("SUCCESS", "ERROR"):
                return
            if now < execution.transfer_from:
                execution.status = "LAUNCHING" if now < execution.started + self.phase else "PREPARING"
                return
            total = execution.estimated_bytes
            if execution.transfer_done_at is None:
                rate = self._rate(execution)
                start = max(execution.marked, execution.transfer_from)
                need = (total - execution.transferred) / rate
                if now - start >= need:
                    execution.transferred = float(total)
                    execution.transfer_done_at = start + need
                else:
                    execution.transferred += rate * (now - start)
                execution.marked = now
            self._copy_passed(execution)
            if execution.transfer_done_at is None:
                execution.status = "TRANSFERRING"
            elif now < execution.transfer_done_at + self.phase:
                execution.status = "VERIFYING"
            else:
                execution.status = "SUCCESS"
                execution.ended_wall = datetime.now(UTC)
                self._finish_in_moto(execution)

    def _copy_passed(self, execution: _Execution) -> None:
        # Copy every object the byte counter has gone past (called with execution.lock held).
        s3 = self._s3(execution.access_key, execution.region)
        end = sum(item.size for item in execution.items[: execution.copied])
        for item in execution.items[execution.copied :]:
            end += item.size
            if end > execution.transferred:
                break
            s3.copy_object(
                Bucket=execution.dst_bucket, Key=item.dst_key, CopySource={"Bucket": execution.src_bucket, "Key": item.src_key}
            )
            execution.copied += 1

    def _finish_in_moto(self, execution: _Execution) -> None:
        # moto's task stays RUNNING until its own describe sees SUCCESS: free it as AWS does.
        backend = self._backend(execution.account, execution.region)
        moto_execution = backend.task_executions.get(execution.arn)
        if moto_execution is not None:
            moto_execution.status = execution.status
        task = backend.tasks.get(execution.task_arn)
        if task is not None and task.current_task_execution_arn == execution.arn:
            task.status = "AVAILABLE"
            task.current_task_execution_arn = None

    def _describe_body(self, execution: _Execution) -> dict[str, Any]:
        with execution.lock:
            transferred = int(execution.transferred)
            body: dict[str, Any] = {
                "TaskExecutionArn": execution.arn,
                "Status": execution.status,
                "Options": {"BytesPerSecond": execution.option_rate, "TransferMode": "CHANGED"},
                "StartTime": execution.started_wall.timestamp(),
                "EstimatedFilesToTransfer": len(execution.items),
                "EstimatedBytesToTransfer": execution.estimated_bytes,
                "FilesTransferred": execution.copied,
                "BytesWritten": transferred,
                "BytesTransferred": transferred,
                "BytesCompressed": transferred,
                "FilesVerified": execution.copied if execution.status == "SUCCESS" else 0,
                "FilesFailed": {"Prepare": 0, "Transfer": 0, "Verify": 0, "Delete": 0},
                "Result": self._result(execution),
            }
            if execution.ended_wall is not None:
                body["EndTime"] = execution.ended_wall.timestamp()
            return body

    @staticmethod
    def _result(execution: _Execution) -> dict[str, Any]:
        if execution.status == "ERROR":
            return {
                "PrepareStatus": "SUCCESS",
                "TransferStatus": "ERROR",
                "VerifyStatus": "PENDING",
                "ErrorDetail": execution.error_detail or "Task execution failed",
            }
        reached = ["LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "SUCCESS"].index(execution.status)
        return {
            "PrepareStatus": "SUCCESS" if reached > 1 else "PENDING",
            "TransferStatus": "SUCCESS" if reached > 2 else "PENDING",
            "VerifyStatus": "SUCCESS" if reached > 3 else "PENDING",
        }
