"""The AWS sandbox: moto in server mode, seeded, reached through plain boto3."""

from __future__ import annotations

import logging
import socket
import threading
import time

import pytest
from botocore.exceptions import ClientError

from sandbox.aws import AwsSandbox, AwsSeedSpec, object_bytes
from sandbox.aws.seed import seed_account


def _connectable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def test_starts_on_a_free_loopback_port_and_stops_without_leftovers():
    before = set(threading.enumerate())
    sandbox = AwsSandbox().start()
    port = sandbox.port
    try:
        assert sandbox.endpoint_url.startswith("http://127.0.0.1:")
        assert sandbox.port > 0 and _connectable(sandbox.port)
        assert sandbox.credentials.access_key_id.startswith("AKIA")
        assert sandbox.credentials.secret_access_key not in repr(sandbox.credentials)
        # Calls leave keep-alive connections (and their handler threads) open until stop().
        s3 = sandbox.boto3_client("s3")
        s3.create_bucket(Bucket="ferry-lifecycle-probe", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["ferry-lifecycle-probe"]
    finally:
        sandbox.stop()
    assert not _connectable(port)
    assert set(threading.enumerate()) - before == set()


def test_context_manager_releases_the_port():
    with AwsSandbox() as sandbox:
        port = sandbox.port
        assert _connectable(port)
    assert not _connectable(port)
    with pytest.raises(RuntimeError):
        sandbox.credentials  # noqa: B018


def test_seeded_buckets_hold_the_reported_objects(aws_sandbox, aws_seed):
    s3 = aws_sandbox.boto3_client("s3")
    for bucket in (aws_seed.asis_bucket, aws_seed.tobe_bucket):
        listed = s3.list_objects_v2(Bucket=bucket.name, Prefix=bucket.prefix)["Contents"]
        # <=: a DataSync run in another test may have filled the TO-BE bucket since.
        assert {o.key: o.size for o in bucket.objects}.items() <= {o["Key"]: o["Size"] for o in listed}.items()
    assert aws_seed.asis_bucket.object_count == 6
    assert 3_000_000 < aws_seed.asis_bucket.total_bytes < 5_000_000
    assert aws_seed.tobe_bucket.object_count == 2 < aws_seed.asis_bucket.object_count
    first = aws_seed.asis_bucket.objects[0]
    body = s3.get_object(Bucket=aws_seed.asis_bucket.name, Key=first.key)["Body"].read()
    assert body == object_bytes(first.key, first.size)


def test_seeded_datasync_task_copies_asis_to_tobe(aws_sandbox, aws_seed):
    datasync = aws_sandbox.boto3_client("datasync")
    task = datasync.describe_task(TaskArn=aws_seed.datasync_task_arn)
    assert task["Name"] == "ferry-landing"
    assert task["SourceLocationArn"] == aws_seed.datasync_source_location_arn
    assert task["DestinationLocationArn"] == aws_seed.datasync_destination_location_arn
    source = datasync.describe_location_s3(LocationArn=aws_seed.datasync_source_location_arn)
    target = datasync.describe_location_s3(LocationArn=aws_seed.datasync_destination_location_arn)
    assert aws_seed.asis_bucket.name in source["LocationUri"]
    assert aws_seed.tobe_bucket.name in target["LocationUri"]


def test_seeded_redshift_clusters_and_snapshot(aws_sandbox, aws_seed):
    redshift = aws_sandbox.boto3_client("redshift")
    clusters = {c["ClusterIdentifier"]: c for c in redshift.describe_clusters()["Clusters"]}
    assert {"asis-warehouse", "tobe-warehouse"} <= set(clusters)  # the session sandbox is shared
    assert clusters["asis-warehouse"]["DBName"] == "asis"
    snapshot = redshift.describe_cluster_snapshots(SnapshotIdentifier=aws_seed.snapshot_id)["Snapshots"][0]
    assert snapshot["ClusterIdentifier"] == "asis-warehouse"
    assert snapshot["SnapshotType"] == "manual"
    assert f":{aws_seed.account_id}:" in snapshot["SnapshotArn"]
    assert aws_seed.automated_snapshot_id is not None


def test_seeded_secrets(aws_sandbox, aws_seed):
    sm = aws_sandbox.boto3_client("secretsmanager")
    assert set(aws_seed.secret_arns) == {"ferry/asis/cloudera-manager", "ferry/tobe/cloudera-manager"}
    value = sm.get_secret_value(SecretId="ferry/asis/cloudera-manager")
    assert value["ARN"] == aws_seed.secret_arns["ferry/asis/cloudera-manager"]
    assert '"username"' in value["SecretString"]


def test_seed_is_done_once_and_tolerates_a_rerun(aws_sandbox, aws_seed):
    assert aws_sandbox.seed() is aws_seed
    again = seed_account(
        aws_sandbox.boto3_client,
        endpoint_url=aws_sandbox.endpoint_url,
        region=aws_sandbox.region,
        account_id=aws_sandbox.account_id,
        spec=aws_sandbox.spec,
    )
    assert again.datasync_task_arn == aws_seed.datasync_task_arn
    assert again.secret_arns == aws_seed.secret_arns
    names = [c["ClusterIdentifier"] for c in aws_sandbox.boto3_client("redshift").describe_clusters()["Clusters"]]
    assert names.count("asis-warehouse") == 1 and names.count("tobe-warehouse") == 1


def test_two_sandboxes_in_one_process_keep_their_own_accounts():
    spec_a = AwsSeedSpec(asis_bucket="ferry-iso-a-asis", tobe_bucket="ferry-iso-a-tobe", asis_cluster="a-asis")
    spec_b = AwsSeedSpec(asis_bucket="ferry-iso-b-asis", tobe_bucket="ferry-iso-b-tobe", asis_cluster="b-asis")
    with AwsSandbox(spec=spec_a) as a, AwsSandbox(spec=spec_b) as b:
        a.seed()
        b.seed()
        assert a.account_id != b.account_id
        for sandbox, mine in ((a, "a-asis"), (b, "b-asis")):
            clusters = {c["ClusterIdentifier"] for c in sandbox.boto3_client("redshift").describe_clusters()["Clusters"]}
            assert clusters == {mine, "tobe-warehouse"}
            buckets = {x["Name"] for x in sandbox.boto3_client("s3").list_buckets()["Buckets"]}
            assert buckets == {sandbox.spec.asis_bucket, sandbox.spec.tobe_bucket}
            assert len(sandbox.boto3_client("datasync").list_tasks()["Tasks"]) == 1


def test_bucket_names_are_shared_by_running_sandboxes_and_freed_by_stop():
    spec = AwsSeedSpec(asis_bucket="ferry-shared-asis", tobe_bucket="ferry-shared-tobe")
    with AwsSandbox(spec=spec) as first:
        first.seed()
        with AwsSandbox(spec=spec) as second, pytest.raises(ClientError, match="BucketAlreadyExists"):
            second.seed()
    with AwsSandbox(spec=spec) as later:
        assert later.seed().asis_bucket.name == "ferry-shared-asis"


def test_unimplemented_calls_are_logged_not_printed(capfd, caplog):
    caplog.set_level(logging.INFO, logger="sandbox.aws")
    with AwsSandbox(fill_gaps=False) as plain:
        with pytest.raises(ClientError, match="500"):
            plain.boto3_client("datasync").update_task_execution(
                TaskExecutionArn="arn:aws:datasync:eu-west-1:111222333444:task/task-1/execution/exec-1",
                Options={"BytesPerSecond": 1024},
            )
        # werkzeug logs the error after it has sent the 500: give its thread a moment.
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and not any("not been implemented" in r.getMessage() for r in caplog.records):
            time.sleep(0.02)
        assert any("not been implemented" in r.getMessage() for r in caplog.records)
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "POST /" not in err


def test_rejects_a_bad_account_id():
    with pytest.raises(ValueError, match="12 digits"):
        AwsSandbox(account_id="42")


# -- DataSync executions that move bytes (sandbox/aws/datasync_sim.py) -----------------------
def _wait(datasync, arn, until, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        r = datasync.describe_task_execution(TaskExecutionArn=arn)
        if until(r) or time.monotonic() > deadline:
            return r
        time.sleep(0.05)


def _tobe_keys(sandbox):
    s3 = sandbox.boto3_client("s3")
    report = sandbox.seed_report
    return {o["Key"] for o in s3.list_objects_v2(Bucket=report.tobe_bucket.name).get("Contents", [])}


def test_datasync_execution_copies_what_tobe_lacks_at_the_capped_rate(fresh_aws_sandbox):
    report = fresh_aws_sandbox.seed_report
    ds = fresh_aws_sandbox.boto3_client("datasync")
    remaining = report.asis_bucket.total_bytes - report.tobe_bucket.total_bytes
    cap = 400 * 1024
    arn = ds.start_task_execution(TaskArn=report.datasync_task_arn, OverrideOptions={"BytesPerSecond": cap})[
        "TaskExecutionArn"
    ]
    _wait(ds, arn, lambda r: r["Status"] == "TRANSFERRING" and r["BytesTransferred"] > 0)

    def timed_look():
        # The server reads its clock somewhere between send and answer: take the midpoint.
        before = time.monotonic()
        answer = ds.describe_task_execution(TaskExecutionArn=arn)
        return (before + time.monotonic()) / 2, answer

    t1, first = timed_look()
    time.sleep(0.8)
    t2, second = timed_look()
    rate = (second["BytesTransferred"] - first["BytesTransferred"]) / (t2 - t1)
    assert 0.85 * cap < rate < 1.15 * cap
    assert second["EstimatedBytesToTransfer"] == remaining and second["EstimatedFilesToTransfer"] == 4
    assert second["Options"]["BytesPerSecond"] == cap

    # Throttle up (UpdateTaskExecution): it then finishes at the sandbox's own link rate.
    ds.update_task_execution(TaskExecutionArn=arn, Options={"BytesPerSecond": -1})
    done = _wait(ds, arn, lambda r: r["Status"] in ("SUCCESS", "ERROR"))
    assert done["Status"] == "SUCCESS" and done["BytesTransferred"] == remaining and done["FilesTransferred"] == 4
    assert _tobe_keys(fresh_aws_sandbox) == {o.key for o in report.asis_bucket.objects}
    s3 = fresh_aws_sandbox.boto3_client("s3")
    last = report.asis_bucket.objects[-1]
    assert s3.get_object(Bucket=report.tobe_bucket.name, Key=last.key)["Body"].read() == object_bytes(last.key, last.size)

    task = ds.describe_task(TaskArn=report.datasync_task_arn)
    assert task["Status"] == "AVAILABLE" and not task.get("CurrentTaskExecutionArn")
    listed = ds.list_task_executions(TaskArn=report.datasync_task_arn)["TaskExecutions"]
    assert [(e["TaskExecutionArn"], e["Status"]) for e in listed] == [(arn, "SUCCESS")]
    # Nothing changed since: the next execution has nothing to move.
    again = ds.start_task_execution(TaskArn=report.datasync_task_arn)["TaskExecutionArn"]
    assert _wait(ds, again, lambda r: r["Status"] == "SUCCESS")["EstimatedBytesToTransfer"] == 0


def test_cancelled_execution_keeps_what_it_copied_and_a_new_one_moves_the_rest(fresh_aws_sandbox):
    report = fresh_aws_sandbox.seed_report
    ds = fresh_aws_sandbox.boto3_client("datasync")
    arn = ds.start_task_execution(TaskArn=report.datasync_task_arn, OverrideOptions={"BytesPerSecond": 1024 * 1024})[
        "TaskExecutionArn"
    ]
    # The first object left to copy is 1 MiB: wait until it is across, then cancel.
    _wait(ds, arn, lambda r: r.get("FilesTransferred", 0) >= 1)
    ds.cancel_task_execution(TaskExecutionArn=arn)
    cancelled = ds.describe_task_execution(TaskExecutionArn=arn)
    assert cancelled["Status"] == "ERROR" and cancelled["Result"]["TransferStatus"] == "ERROR"
    frozen = cancelled["BytesTransferred"]
    time.sleep(0.2)
    assert ds.describe_task_execution(TaskExecutionArn=arn)["BytesTransferred"] == frozen
    copied = cancelled["FilesTransferred"]
    assert len(_tobe_keys(fresh_aws_sandbox)) == 2 + copied

    resumed = ds.start_task_execution(TaskArn=report.datasync_task_arn)["TaskExecutionArn"]
    done = _wait(ds, resumed, lambda r: r["Status"] == "SUCCESS")
    assert done["EstimatedFilesToTransfer"] == 4 - copied
    assert _tobe_keys(fresh_aws_sandbox) == {o.key for o in report.asis_bucket.objects}
    statuses = {e["TaskExecutionArn"]: e["Status"] for e in ds.list_task_executions(TaskArn=report.datasync_task_arn)["TaskExecutions"]}
    assert statuses == {arn: "ERROR", resumed: "SUCCESS"}


def test_update_of_unknown_or_finished_execution_is_invalid(fresh_aws_sandbox):
    report = fresh_aws_sandbox.seed_report
    ds = fresh_aws_sandbox.boto3_client("datasync")
    with pytest.raises(ClientError, match="InvalidRequestException"):
        ds.update_task_execution(TaskExecutionArn=report.datasync_task_arn + "/execution/exec-0", Options={"BytesPerSecond": 1})
    arn = ds.start_task_execution(TaskArn=report.datasync_task_arn)["TaskExecutionArn"]
    _wait(ds, arn, lambda r: r["Status"] == "SUCCESS")
    with pytest.raises(ClientError, match="cannot be updated"):
        ds.update_task_execution(TaskExecutionArn=arn, Options={"BytesPerSecond": 1024})


def test_plain_moto_datasync_when_the_simulation_is_off():
    spec = AwsSeedSpec(asis_bucket="ferry-plain-asis", tobe_bucket="ferry-plain-tobe")
    with AwsSandbox(spec=spec, fill_gaps=False) as sandbox:
        report = sandbox.seed()
        ds = sandbox.boto3_client("datasync")
        arn = ds.start_task_execution(TaskArn=report.datasync_task_arn)["TaskExecutionArn"]
        statuses = [ds.describe_task_execution(TaskExecutionArn=arn)["Status"] for _ in range(5)]
        assert statuses == ["INITIALIZING", "PREPARING", "TRANSFERRING", "VERIFYING", "SUCCESS"]
        with pytest.raises(ClientError, match="500"):
            ds.update_task_execution(TaskExecutionArn=arn, Options={"BytesPerSecond": 1024})


# -- Redshift snapshot sharing and copying (sandbox/aws/redshift_sim.py) ---------------------
def test_authorize_snapshot_access_is_recorded_and_not_granted_twice(fresh_aws_sandbox):
    report = fresh_aws_sandbox.seed_report
    redshift = fresh_aws_sandbox.boto3_client("redshift")
    shared = redshift.authorize_snapshot_access(SnapshotIdentifier=report.snapshot_id, AccountWithRestoreAccess="210987654321")
    assert shared["Snapshot"]["AccountsWithRestoreAccess"] == [{"AccountId": "210987654321"}]
    described = redshift.describe_cluster_snapshots(SnapshotIdentifier=report.snapshot_id)["Snapshots"][0]
    assert described["AccountsWithRestoreAccess"] == [{"AccountId": "210987654321"}]
    with pytest.raises(ClientError, match="AuthorizationAlreadyExists"):
        redshift.authorize_snapshot_access(SnapshotIdentifier=report.snapshot_id, AccountWithRestoreAccess="210987654321")
    with pytest.raises(ClientError, match="ClusterSnapshotNotFound"):
        redshift.authorize_snapshot_access(SnapshotIdentifier="no-such-snapshot", AccountWithRestoreAccess="210987654321")
    with pytest.raises(ClientError, match="InvalidParameterValue"):
        redshift.authorize_snapshot_access(SnapshotIdentifier=report.snapshot_id, AccountWithRestoreAccess="42")


def test_copy_cluster_snapshot_copies_automated_to_manual_then_restores(fresh_aws_sandbox):
    report = fresh_aws_sandbox.seed_report
    redshift = fresh_aws_sandbox.boto3_client("redshift")
    copied = redshift.copy_cluster_snapshot(
        SourceSnapshotIdentifier=report.automated_snapshot_id, TargetSnapshotIdentifier="asis-kept"
    )["Snapshot"]
    assert (copied["SnapshotIdentifier"], copied["SnapshotType"], copied["ClusterIdentifier"]) == (
        "asis-kept",
        "manual",
        "asis-warehouse",
    )
    with pytest.raises(ClientError, match="InvalidClusterSnapshotState"):
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier=report.snapshot_id, TargetSnapshotIdentifier="other")
    with pytest.raises(ClientError, match="ClusterSnapshotAlreadyExists"):
        redshift.copy_cluster_snapshot(SourceSnapshotIdentifier=report.automated_snapshot_id, TargetSnapshotIdentifier="asis-kept")
    restored = redshift.restore_from_cluster_snapshot(ClusterIdentifier="tobe-from-kept", SnapshotIdentifier="asis-kept")
    assert restored["Cluster"]["ClusterIdentifier"] == "tobe-from-kept"


def test_execution_whose_source_is_gone_fails_while_preparing(fresh_aws_sandbox):
    report = fresh_aws_sandbox.seed_report
    s3 = fresh_aws_sandbox.boto3_client("s3")
    for obj in report.asis_bucket.objects:
        s3.delete_object(Bucket=report.asis_bucket.name, Key=obj.key)
    s3.delete_bucket(Bucket=report.asis_bucket.name)
    ds = fresh_aws_sandbox.boto3_client("datasync")
    arn = ds.start_task_execution(TaskArn=report.datasync_task_arn)["TaskExecutionArn"]
    failed = ds.describe_task_execution(TaskExecutionArn=arn)
    assert failed["Status"] == "ERROR" and "NoSuchBucket" in failed["Result"]["ErrorDetail"]
    assert ds.describe_task(TaskArn=report.datasync_task_arn)["Status"] == "AVAILABLE"


def test_restart_serves_the_same_account_and_seed_again():
    spec = AwsSeedSpec(asis_bucket="ferry-restart-asis", tobe_bucket="ferry-restart-tobe")
    sandbox = AwsSandbox(spec=spec)
    with sandbox:
        first = sandbox.seed()
    with sandbox:
        again = sandbox.seed()
        assert again.account_id == first.account_id
        assert again.datasync_task_arn == first.datasync_task_arn
        assert len(sandbox.boto3_client("s3").list_objects_v2(Bucket="ferry-restart-asis")["Contents"]) == 6


def test_app_config_section_keeps_the_secret_out(aws_sandbox):
    section = aws_sandbox.app_config()
    assert section["endpoint_url"] == aws_sandbox.endpoint_url and section["account_id"] == aws_sandbox.account_id
    assert section["secret_access_key"] == "${FERRY_SANDBOX_AWS_SECRET_ACCESS_KEY}"
    assert aws_sandbox.credentials.secret_access_key not in str(section)
