"""connectors.aws against the AWS sandbox (moto in server mode), with botocore's Stubber,
which checks each request and response against AWS's own service model, for the calls and
fields moto lacks (see test_moto_still_lacks_these_calls)."""

from __future__ import annotations

import datetime as dt
import socket
import time

import pytest
from botocore.stub import Stubber

from connectors.aws import (
    S3,
    UNLIMITED,
    AwsAlreadyExists,
    AwsAuthError,
    AwsError,
    AwsNotFound,
    AwsUnreachable,
    DataSync,
    Redshift,
)
from sandbox.aws import AwsSandbox, AwsSeedSpec

EXEC_ARN = "arn:aws:datasync:eu-west-1:111122223333:task/task-0f01451b140b2af49/execution/exec-0b3f2a1b2c3d4e5f6"
TASK_ARN = "arn:aws:datasync:eu-west-1:111122223333:task/task-0f01451b140b2af49"
TOBE_ACCOUNT = "210987654321"


def _snapshot_shape(identifier: str, **extra):
    return {
        "SnapshotIdentifier": identifier,
        "ClusterIdentifier": "asis-warehouse",
        "Status": "available",
        "SnapshotType": "manual",
        "SnapshotArn": f"arn:aws:redshift:eu-west-1:111122223333:snapshot:asis-warehouse/{identifier}",
        "OwnerAccount": "111122223333",
        "NodeType": "ra3.xlplus",
        "NumberOfNodes": 2,
        "DBName": "asis",
        **extra,
    }


# -- S3 --------------------------------------------------------------------------------------
def test_prefix_size_counts_every_object_and_byte(aws_kwargs, aws_seed):
    s3 = S3(**aws_kwargs)
    size = s3.prefix_size(aws_seed.asis_bucket.name, "landing/")
    assert (size.total_bytes, size.object_count) == (aws_seed.asis_bucket.total_bytes, 6)
    # Small pages: the same totals through several list calls.
    assert s3.prefix_size(aws_seed.asis_bucket.name, "landing/", page_size=2) == size
    orders = s3.prefix_size(aws_seed.asis_bucket.name, "landing/orders/")
    assert orders.object_count == 2 and orders.total_bytes == 512 * 1024 + 384 * 1024
    assert s3.prefix_size(aws_seed.tobe_bucket.name, "landing/").object_count >= 2  # DataSync tests may add
    assert s3.prefix_size(aws_seed.asis_bucket.name, "nothing-here/").total_bytes == 0


def test_list_objects_and_buckets(aws_kwargs, aws_seed):
    s3 = S3(**aws_kwargs)
    assert {aws_seed.asis_bucket.name, aws_seed.tobe_bucket.name} <= set(s3.list_buckets())
    objs = s3.list_objects(aws_seed.asis_bucket.name, "landing/events/", limit=2, page_size=1)
    assert [o.key for o in objs] == [o.key for o in aws_seed.asis_bucket.objects[:2]]
    assert objs[0].size == aws_seed.asis_bucket.objects[0].size and objs[0].etag


def test_unknown_bucket_is_not_found(aws_kwargs):
    with pytest.raises(AwsNotFound) as caught:
        S3(**aws_kwargs).prefix_size("ferry-no-such-bucket")
    assert caught.value.code == "NoSuchBucket" and caught.value.operation == "ListObjectsV2"
    assert "S3 ListObjectsV2 failed: NoSuchBucket" in str(caught.value)


# -- DataSync (moto) -------------------------------------------------------------------------
def test_datasync_execution_runs_to_success(fresh_aws_sandbox):
    seed = fresh_aws_sandbox.seed_report
    ds = DataSync(**fresh_aws_sandbox.connect_kwargs(), max_attempts=1)
    arn = ds.start_task_execution(seed.datasync_task_arn, bytes_per_second=50 * 1024 * 1024)
    assert arn.startswith(seed.datasync_task_arn + "/execution/")
    assert ds.describe_task(seed.datasync_task_arn).current_execution_arn == arn
    seen = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        progress = ds.describe_task_execution(arn)
        if not seen or seen[-1] != progress.status:
            seen.append(progress.status)
        if progress.done:
            break
        time.sleep(0.05)
    assert seen[-1] == "SUCCESS" and {"TRANSFERRING", "VERIFYING"} <= set(seen)
    assert progress.succeeded and progress.fraction == 1.0
    remaining = seed.asis_bucket.total_bytes - seed.tobe_bucket.total_bytes
    assert progress.bytes_transferred == progress.estimated_bytes == remaining
    assert progress.files_transferred == progress.estimated_files == 4
    assert progress.bytes_per_second == 50 * 1024 * 1024 and progress.end_time is not None
    assert S3(**fresh_aws_sandbox.connect_kwargs()).prefix_size(seed.tobe_bucket.name, "landing/").total_bytes == (
        seed.asis_bucket.total_bytes
    )
    assert [e.status for e in ds.list_task_executions(seed.datasync_task_arn)] == ["SUCCESS"]


def test_datasync_update_task_execution_on_the_sandbox(fresh_aws_sandbox):
    seed = fresh_aws_sandbox.seed_report
    ds = DataSync(**fresh_aws_sandbox.connect_kwargs(), max_attempts=1)
    arn = ds.start_task_execution(seed.datasync_task_arn, bytes_per_second=64 * 1024)
    ds.update_task_execution(arn, bytes_per_second=UNLIMITED)
    assert ds.describe_task_execution(arn).bytes_per_second == UNLIMITED
    ds.cancel_task_execution(arn)


def test_datasync_cancel_ends_in_error_and_frees_the_task(fresh_aws_sandbox):
    seed = fresh_aws_sandbox.seed_report
    ds = DataSync(**fresh_aws_sandbox.connect_kwargs(), max_attempts=1)
    arn = ds.start_task_execution(seed.datasync_task_arn)
    ds.cancel_task_execution(arn)
    after = ds.describe_task_execution(arn)
    assert after.status == "ERROR" and after.done and not after.succeeded
    task = ds.describe_task(seed.datasync_task_arn)
    assert task.status == "AVAILABLE" and task.current_execution_arn is None
    # A new execution is how a DataSync transfer resumes.
    assert ds.start_task_execution(seed.datasync_task_arn, bytes_per_second=UNLIMITED) != arn


def test_datasync_rejects_a_bad_rate_before_calling(aws_kwargs):
    ds = DataSync(**aws_kwargs)
    with Stubber(ds.client) as stub, pytest.raises(ValueError, match="bytes_per_second"):
        ds.start_task_execution(TASK_ARN, bytes_per_second=0)
    stub.assert_no_pending_responses()


# -- DataSync (Stubber: what moto lacks) -----------------------------------------------------
def test_datasync_update_task_execution_sends_the_new_rate(aws_kwargs):
    ds = DataSync(**aws_kwargs)
    with Stubber(ds.client) as stub:
        stub.add_response(
            "update_task_execution", {}, {"TaskExecutionArn": EXEC_ARN, "Options": {"BytesPerSecond": 200 * 1024 * 1024}}
        )
        ds.update_task_execution(EXEC_ARN, bytes_per_second=200 * 1024 * 1024)
        stub.assert_no_pending_responses()


def test_datasync_progress_reads_aws_byte_counters(aws_kwargs):
    ds = DataSync(**aws_kwargs)
    started = dt.datetime(2026, 11, 28, 18, 0, tzinfo=dt.UTC)
    response = {
        "TaskExecutionArn": EXEC_ARN,
        "Status": "TRANSFERRING",
        "Options": {"BytesPerSecond": 104857600},
        "StartTime": started,
        "EstimatedFilesToTransfer": 1200,
        "EstimatedBytesToTransfer": 4_000_000_000,
        "FilesTransferred": 300,
        "BytesWritten": 990_000_000,
        "BytesTransferred": 1_000_000_000,
        "BytesCompressed": 800_000_000,
        "FilesVerified": 0,
        "FilesFailed": {"Prepare": 0, "Transfer": 2, "Verify": 0, "Delete": 0},
        "Result": {"PrepareStatus": "SUCCESS", "TransferStatus": "PENDING"},
    }
    with Stubber(ds.client) as stub:
        stub.add_response("describe_task_execution", response, {"TaskExecutionArn": EXEC_ARN})
        progress = ds.describe_task_execution(EXEC_ARN)
    assert progress.status == "TRANSFERRING" and not progress.done
    assert (progress.bytes_transferred, progress.bytes_written, progress.estimated_bytes) == (
        1_000_000_000,
        990_000_000,
        4_000_000_000,
    )
    assert (progress.files_transferred, progress.estimated_files, progress.files_failed) == (300, 1200, 2)
    assert progress.bytes_per_second == 104857600 and progress.start_time == started
    assert progress.fraction == 0.25


def test_datasync_failed_execution_carries_the_error(aws_kwargs):
    ds = DataSync(**aws_kwargs)
    response = {
        "TaskExecutionArn": EXEC_ARN,
        "Status": "ERROR",
        "Result": {"ErrorCode": "AccessDenied", "ErrorDetail": "Cannot write to destination"},
    }
    with Stubber(ds.client) as stub:
        stub.add_response("describe_task_execution", response, {"TaskExecutionArn": EXEC_ARN})
        progress = ds.describe_task_execution(EXEC_ARN)
    assert progress.done and not progress.succeeded
    assert (progress.error_code, progress.error_detail) == ("AccessDenied", "Cannot write to destination")


def test_datasync_list_task_executions_follows_pages(aws_kwargs):
    ds = DataSync(**aws_kwargs)
    first = {"TaskExecutions": [{"TaskExecutionArn": EXEC_ARN, "Status": "SUCCESS"}], "NextToken": "t1"}
    second = {"TaskExecutions": [{"TaskExecutionArn": EXEC_ARN[:-1] + "7", "Status": "TRANSFERRING"}]}
    with Stubber(ds.client) as stub:
        stub.add_response("list_task_executions", first, {"TaskArn": TASK_ARN})
        stub.add_response("list_task_executions", second, {"TaskArn": TASK_ARN, "NextToken": "t1"})
        listed = ds.list_task_executions(TASK_ARN)
    assert [e.status for e in listed] == ["SUCCESS", "TRANSFERRING"]


# -- Redshift (moto) -------------------------------------------------------------------------
def test_describe_clusters(aws_kwargs, aws_seed):
    rs = Redshift(**aws_kwargs)
    clusters = {c.identifier: c for c in rs.describe_clusters()}
    assert {"asis-warehouse", "tobe-warehouse"} <= set(clusters)
    asis = rs.describe_cluster("asis-warehouse")
    assert (asis.node_type, asis.number_of_nodes, asis.db_name) == ("ra3.xlplus", 2, "asis")
    assert asis.endpoint_port == 5439 and asis.restore is None
    # A cluster that was never restored: its restore "progress" is its own status.
    plain = rs.restore_progress("tobe-warehouse")
    assert plain.restore_status is None and plain.cluster_status == "available" and plain.done
    with pytest.raises(AwsNotFound) as caught:
        rs.describe_cluster("no-such-cluster")
    assert caught.value.code == "ClusterNotFound"


def test_snapshot_then_restore(fresh_aws_sandbox):
    aws_seed = fresh_aws_sandbox.seed_report
    rs = Redshift(**fresh_aws_sandbox.connect_kwargs(), max_attempts=1)
    snap = rs.create_cluster_snapshot("test-snapshot-restore", "asis-warehouse", retention_days=7)
    assert snap.cluster_identifier == "asis-warehouse" and snap.snapshot_type == "manual"
    assert rs.describe_cluster_snapshot("test-snapshot-restore").available
    manual = rs.describe_cluster_snapshots(cluster_id="asis-warehouse", snapshot_type="manual")
    assert {"test-snapshot-restore", aws_seed.snapshot_id} <= {s.identifier for s in manual}
    with pytest.raises(AwsAlreadyExists):
        rs.create_cluster_snapshot("test-snapshot-restore", "asis-warehouse")

    restored = rs.restore_from_cluster_snapshot("test-restored", "test-snapshot-restore", snapshot_cluster_id="asis-warehouse")
    assert restored.identifier == "test-restored" and restored.status == "creating"
    progress = rs.restore_progress("test-restored")
    # moto finishes at once: "available", RestoreStatus "completed" (with placeholder figures).
    assert progress.cluster_status == "available" and progress.restore_status == "completed"
    assert progress.done and not progress.failed and progress.fraction == 1.0


def test_unknown_snapshot_is_not_found(aws_kwargs):
    with pytest.raises(AwsNotFound):
        Redshift(**aws_kwargs).describe_cluster_snapshot("no-such-snapshot")


# -- Redshift (Stubber: what moto lacks) -----------------------------------------------------
def test_authorize_snapshot_access_for_the_tobe_account(aws_kwargs):
    rs = Redshift(**aws_kwargs)
    shared = _snapshot_shape("asis-warehouse-ferry-seed", AccountsWithRestoreAccess=[{"AccountId": TOBE_ACCOUNT}])
    with Stubber(rs.client) as stub:
        stub.add_response(
            "authorize_snapshot_access",
            {"Snapshot": shared},
            {"SnapshotIdentifier": "asis-warehouse-ferry-seed", "AccountWithRestoreAccess": TOBE_ACCOUNT},
        )
        snap = rs.authorize_snapshot_access("asis-warehouse-ferry-seed", TOBE_ACCOUNT)
        stub.assert_no_pending_responses()
    assert snap.accounts_with_restore_access == (TOBE_ACCOUNT,)


def test_authorize_twice_is_already_exists(aws_kwargs):
    rs = Redshift(**aws_kwargs)
    with Stubber(rs.client) as stub:
        stub.add_client_error(
            "authorize_snapshot_access",
            service_error_code="AuthorizationAlreadyExists",
            service_message="The specified CIDR block or EC2 security group is already authorized",
            http_status_code=400,
        )
        with pytest.raises(AwsAlreadyExists):
            rs.authorize_snapshot_access("asis-warehouse-ferry-seed", TOBE_ACCOUNT)


def test_copy_cluster_snapshot(aws_kwargs):
    rs = Redshift(**aws_kwargs)
    copied = _snapshot_shape("asis-warehouse-ferry-copy", Status="creating", TotalBackupSizeInMegaBytes=2048.0,
                             BackupProgressInMegaBytes=512.0, EstimatedSecondsToCompletion=90)
    with Stubber(rs.client) as stub:
        stub.add_response(
            "copy_cluster_snapshot",
            {"Snapshot": copied},
            {
                "SourceSnapshotIdentifier": "rs:asis-warehouse-2026-11-28-18-00",
                "TargetSnapshotIdentifier": "asis-warehouse-ferry-copy",
                "SourceSnapshotClusterIdentifier": "asis-warehouse",
            },
        )
        snap = rs.copy_cluster_snapshot(
            "rs:asis-warehouse-2026-11-28-18-00", "asis-warehouse-ferry-copy", source_cluster_id="asis-warehouse"
        )
    assert snap.status == "creating" and not snap.available
    assert (snap.total_size_mb, snap.backup_progress_mb, snap.estimated_seconds_to_completion) == (2048.0, 512.0, 90)


def test_restore_progress_from_aws_restore_status(aws_kwargs):
    rs = Redshift(**aws_kwargs)
    cluster = {
        "ClusterIdentifier": "tobe-restored",
        "ClusterStatus": "creating",
        "NodeType": "ra3.xlplus",
        "NumberOfNodes": 2,
        "RestoreStatus": {
            "Status": "restoring",
            "CurrentRestoreRateInMegaBytesPerSecond": 120.5,
            "SnapshotSizeInMegaBytes": 40000,
            "ProgressInMegaBytes": 10000,
            "ElapsedTimeInSeconds": 83,
            "EstimatedTimeToCompletionInSeconds": 249,
        },
    }
    with Stubber(rs.client) as stub:
        stub.add_response("describe_clusters", {"Clusters": [cluster]}, {"ClusterIdentifier": "tobe-restored"})
        progress = rs.restore_progress("tobe-restored")
    assert progress.restore_status == "restoring" and not progress.done
    assert progress.fraction == 0.25 and progress.rate_mb_per_s == 120.5
    assert (progress.elapsed_s, progress.estimated_remaining_s) == (83, 249)


def test_share_and_copy_on_the_sandbox(fresh_aws_sandbox):
    seed = fresh_aws_sandbox.seed_report
    rs = Redshift(**fresh_aws_sandbox.connect_kwargs(), max_attempts=1)
    assert rs.authorize_snapshot_access(seed.snapshot_id, TOBE_ACCOUNT).accounts_with_restore_access == (TOBE_ACCOUNT,)
    with pytest.raises(AwsAlreadyExists):
        rs.authorize_snapshot_access(seed.snapshot_id, TOBE_ACCOUNT)
    kept = rs.copy_cluster_snapshot(seed.automated_snapshot_id, "asis-kept", source_cluster_id="asis-warehouse")
    assert kept.snapshot_type == "manual" and kept.available


# -- failures --------------------------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("wrapper", [S3, DataSync, Redshift])
def test_unreachable_endpoint_is_a_clear_retryable_error(wrapper):
    url = f"http://127.0.0.1:{_closed_port()}"
    client = wrapper("eu-west-1", endpoint_url=url, access_key_id="AKIAFAKE", secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                     max_attempts=1, connect_timeout=1, read_timeout=1)
    call = {
        S3: lambda: client.prefix_size("ferry-asis-landing"),
        DataSync: lambda: client.describe_task_execution(EXEC_ARN),
        Redshift: lambda: client.describe_clusters(),
    }[wrapper]
    started = time.monotonic()
    with pytest.raises(AwsUnreachable) as caught:
        call()
    assert time.monotonic() - started < 5
    assert caught.value.retryable and url in str(caught.value)
    assert "wJalrXUtnFEMI" not in str(caught.value) and "AKIAFAKE" not in str(caught.value)


@pytest.fixture(scope="module")
def plain_moto():
    """moto as it is (no DataSync simulation): where its gaps show."""
    spec = AwsSeedSpec(asis_bucket="ferry-moto-gaps-asis", tobe_bucket="ferry-moto-gaps-tobe")
    with AwsSandbox(spec=spec, fill_gaps=False) as sandbox:
        sandbox.seed()
        yield sandbox


def test_max_attempts_counts_every_request(plain_moto):
    # moto answers DataSync UpdateTaskExecution with HTTP 500, which botocore retries.
    for attempts in (1, 2):
        ds = DataSync(**plain_moto.connect_kwargs(), max_attempts=attempts)
        sent: list[str] = []
        ds.client.meta.events.register(
            "before-send.datasync.*", lambda request, sent=sent, **_: sent.append(request.url)
        )
        with pytest.raises(AwsError):
            ds.update_task_execution(EXEC_ARN, bytes_per_second=1024)
        assert len(sent) == attempts


def test_both_keys_or_neither():
    with pytest.raises(ValueError, match="both"):
        S3("eu-west-1", access_key_id="AKIAFAKE")


# -- moto's gaps, verified on moto as it is (the sandbox fills the DataSync ones, see
# sandbox/aws/datasync_sim.py). When one of these starts passing, drop its Stubber. ----------
@pytest.mark.parametrize(
    "call",
    [
        lambda kw, seed: DataSync(**kw).update_task_execution(EXEC_ARN, bytes_per_second=1024),
        lambda kw, seed: DataSync(**kw).list_task_executions(seed.datasync_task_arn),
        lambda kw, seed: Redshift(**kw).authorize_snapshot_access(seed.snapshot_id, TOBE_ACCOUNT),
        lambda kw, seed: Redshift(**kw).copy_cluster_snapshot(seed.automated_snapshot_id, "gap-probe-copy"),
    ],
    ids=["datasync-update_task_execution", "datasync-list_task_executions", "redshift-authorize_snapshot_access",
         "redshift-copy_cluster_snapshot"],
)
def test_moto_still_lacks_these_calls(call, plain_moto):
    with pytest.raises(AwsError) as caught:
        call({**plain_moto.connect_kwargs(), "max_attempts": 1}, plain_moto.seed_report)
    assert "not implement" in str(caught.value) and not caught.value.retryable


def test_an_html_gateway_error_is_retryable(aws_kwargs):
    ds = DataSync(**aws_kwargs)
    with Stubber(ds.client) as stub:
        stub.add_client_error(
            "describe_task_execution",
            service_error_code="503",
            service_message="<html><body>503 Service Unavailable</body></html>",
            http_status_code=503,
        )
        with pytest.raises(AwsError) as caught:
            ds.describe_task_execution(EXEC_ARN)
    assert caught.value.retryable and "proxy or load balancer" in str(caught.value)
    assert "<html>" not in str(caught.value)


def test_throttling_is_retryable_and_auth_failure_is_typed(aws_kwargs):
    rs = Redshift(**aws_kwargs)
    with Stubber(rs.client) as stub:
        stub.add_client_error("describe_clusters", service_error_code="Throttling", service_message="Rate exceeded", http_status_code=400)
        stub.add_client_error(
            "describe_clusters", service_error_code="InvalidClientTokenId", service_message="The security token is invalid", http_status_code=403
        )
        with pytest.raises(AwsError) as throttled:
            rs.describe_clusters()
        with pytest.raises(AwsAuthError):
            rs.describe_clusters()
    assert throttled.value.retryable and throttled.value.code == "Throttling"
