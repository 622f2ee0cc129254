"""datasync against the AWS sandbox (moto), with botocore's Stubber (checked against AWS's own
model) for what moto lacks: UpdateTaskExecution and the byte counters of DescribeTaskExecution."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from botocore.stub import Stubber

from core.who import Who
from features.transfers import api, watcher
from features.transfers.backend import Transient
from features.transfers.kinds import backend_for
from state import runs
from tests.fixtures.slack import OPERATOR

WHO = Who(OPERATOR)
TRANSFER = """
- id: landing-bucket
  kind: datasync
  task_arn: {arn}
  rate: 100MB/s
  size: 4MB
  poll_every: 0.2s
"""


@pytest.fixture
def ds_setup(make_services, fresh_aws_sandbox):
    seed = fresh_aws_sandbox.seed_report
    services = make_services(TRANSFER.format(arn=seed.datasync_task_arn), asis={"aws": fresh_aws_sandbox},
                             tobe={"aws": fresh_aws_sandbox})
    transfer = services.config.transfers.get("landing-bucket")
    return services, transfer, backend_for(services, transfer), seed


def step_until(services, transfer, run_id, predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = runs.get(services.store, run_id)
        if predicate(run):
            return run
        watcher.step(services, transfer, run)
        time.sleep(0.05)
    raise AssertionError(f"timed out; run is {runs.get(services.store, run_id)}")


def test_start_pause_resume_to_success(ds_setup):
    services, transfer, backend, seed = ds_setup
    run = api.start(services, "landing-bucket", WHO)
    run = step_until(services, transfer, run.id, lambda r: (r.detail.get("handle") or {}).get("execution_arn"))
    first = run.detail["handle"]["execution_arn"]
    assert first.startswith(seed.datasync_task_arn + "/execution/")
    # a restart re-running start adopts the running execution instead of starting another
    assert backend.start(run)["execution_arn"] == first

    run = api.pause(services, "landing-bucket", WHO)
    assert run.state == "paused" and run.detail["handle"]["execution_arn"] is None
    assert backend.ds.describe_task_execution(first).status == "ERROR"  # DataSync's pause is a cancel

    run = api.resume(services, "landing-bucket", WHO)
    second = run.detail["handle"]["execution_arn"]
    assert second and second != first and run.detail["handle"]["executions"] == [first, second]
    run = step_until(services, transfer, run.id, lambda r: r.state == "done")
    assert run.detail["progress"]["fraction"] == 1.0


def test_throttle_updates_the_running_execution(ds_setup):
    services, transfer, backend, seed = ds_setup
    run = api.start(services, "landing-bucket", WHO)
    run = step_until(services, transfer, run.id, lambda r: (r.detail.get("handle") or {}).get("execution_arn"))
    arn = run.detail["handle"]["execution_arn"]
    with Stubber(backend.ds.client) as stub:
        stub.add_response("update_task_execution", {},
                          {"TaskExecutionArn": arn, "Options": {"BytesPerSecond": 200_000_000}})
        run, how = api.throttle(services, "landing-bucket", WHO, 200e6)
        stub.assert_no_pending_responses()
    assert run.detail["rate"] == 200e6 and "now" in how


def test_progress_adds_earlier_executions_bytes(ds_setup):
    services, transfer, backend, seed = ds_setup
    arn = seed.datasync_task_arn + "/execution/exec-0123456789abcdef0"
    run = runs.create(services.store, "transfer", "landing-bucket",
                      detail={"handle": {"execution_arn": arn, "carried_bytes": 500_000_000}})
    response = {"TaskExecutionArn": arn, "Status": "TRANSFERRING", "EstimatedBytesToTransfer": 3_500_000_000,
                "BytesTransferred": 1_000_000_000, "EstimatedFilesToTransfer": 100, "FilesTransferred": 30,
                "Options": {"BytesPerSecond": 104857600}}
    with Stubber(backend.ds.client) as stub:
        stub.add_response("describe_task_execution", response, {"TaskExecutionArn": arn})
        p = backend.poll(run)
    assert (p.state, p.bytes_done, p.bytes_total) == ("running", 1_500_000_000, 4_000_000_000)
    assert p.share == pytest.approx(0.375) and "30/100 files" in p.step


def test_throttled_or_unreachable_aws_is_transient(ds_setup):
    services, transfer, backend, seed = ds_setup
    arn = seed.datasync_task_arn + "/execution/exec-0123456789abcdef0"
    run = runs.create(services.store, "transfer", "landing-bucket", detail={"handle": {"execution_arn": arn}})
    with Stubber(backend.ds.client) as stub:
        stub.add_client_error("describe_task_execution", "ThrottlingException", "Rate exceeded", 400)
        with pytest.raises(Transient, match="ThrottlingException"):
            backend.poll(run)


@dataclass
class _Closed:
    """An AWS 'sandbox' on a port nobody listens on."""

    def connect_kwargs(self):
        return {"region": "eu-west-1", "endpoint_url": "http://127.0.0.1:9", "access_key_id": "AKIAFAKE",
                "secret_access_key": "fake-secret-for-a-closed-port"}


def test_aws_endpoint_down_is_transient(make_services):
    arn = "arn:aws:datasync:eu-west-1:123456789012:task/task-0123456789abcdef0"
    services = make_services(TRANSFER.format(arn=arn), asis={"aws": _Closed()}, tobe={"aws": _Closed()})
    transfer = services.config.transfers.get("landing-bucket")
    run = runs.create(services.store, "transfer", "landing-bucket", detail={})
    with pytest.raises(Transient) as caught:
        backend_for(services, transfer).start(run)
    assert "127.0.0.1:9" in str(caught.value) and "fake-secret" not in str(caught.value)


def test_resume_while_the_cancelled_execution_winds_down(ds_setup):
    """DataSync runs one execution at a time: the new one starts once the cancelled one is gone."""
    services, transfer, backend, seed = ds_setup
    task = seed.datasync_task_arn
    old, new = task + "/execution/exec-0aaaaaaaaaaaaaaaa", task + "/execution/exec-0bbbbbbbbbbbbbbbb"
    run = runs.create(services.store, "transfer", "landing-bucket", state="paused",
                      detail={"rate": 100e6, "handle": {"execution_arn": None, "executions": [old]}})
    with Stubber(backend.ds.client) as stub:
        stub.add_response("describe_task", {"TaskArn": task, "Status": "RUNNING", "CurrentTaskExecutionArn": old},
                          {"TaskArn": task})
        assert backend.resume(run) == {"execution_arn": None}
        stub.add_response("describe_task", {"TaskArn": task, "Status": "AVAILABLE"}, {"TaskArn": task})
        stub.add_response("start_task_execution", {"TaskExecutionArn": new},
                          {"TaskArn": task, "OverrideOptions": {"BytesPerSecond": 100_000_000}})
        p = backend.poll(run)
        stub.assert_no_pending_responses()
    assert p.state == "running" and p.handle == {"execution_arn": new, "executions": [old, new]}
