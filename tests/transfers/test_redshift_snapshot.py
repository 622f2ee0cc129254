"""redshift-snapshot against the AWS sandbox (moto): snapshot, authorize the TO-BE account (Stubber:
moto lacks AuthorizeSnapshotAccess), restore, done; pause refused with the reason; a restart
re-running start reuses the run's snapshot."""

from __future__ import annotations

import time

import pytest
from botocore.stub import Stubber

from core.who import Who
from features.transfers import api, watcher
from features.transfers.kinds import backend_for
from features.transfers.redshift_snapshot import snapshot_id_for
from state import runs
from tests.fixtures.slack import OPERATOR

WHO = Who(OPERATOR)
TOBE_ACCOUNT = "222222222222"
TRANSFER = """
- id: warehouse
  kind: redshift-snapshot
  source_cluster: asis-warehouse
  target_cluster: {target}
  poll_every: 0.2s
"""


def step(services, transfer, run_id):
    watcher.step(services, transfer, runs.get(services.store, run_id))
    return runs.get(services.store, run_id)


def test_snapshot_authorize_restore(make_services, fresh_aws_sandbox):
    aws = fresh_aws_sandbox
    services = make_services(TRANSFER.format(target="tobe-restored"),
                             asis={"aws": aws, "account": aws.account_id}, tobe={"aws": aws, "account": TOBE_ACCOUNT})
    transfer = services.config.transfers.get("warehouse")
    backend = backend_for(services, transfer)
    run = api.start(services, "warehouse", WHO)
    run = step(services, transfer, run.id)  # snapshot taken (moto: available at once)
    snap = snapshot_id_for("warehouse", run.id)
    assert run.detail["handle"]["snapshot_id"] == snap and run.detail["handle"]["step"] == "authorize"
    assert backend.client("source").describe_cluster_snapshot(snap).cluster_identifier == "asis-warehouse"
    assert backend.start(run)["snapshot_id"] == snap  # after a restart: the same snapshot, no second one

    shared = {"SnapshotIdentifier": snap, "ClusterIdentifier": "asis-warehouse", "Status": "available",
              "SnapshotType": "manual", "AccountsWithRestoreAccess": [{"AccountId": TOBE_ACCOUNT}]}
    with Stubber(backend.client("source").client) as stub:
        stub.add_response("authorize_snapshot_access", {"Snapshot": shared},
                          {"SnapshotIdentifier": snap, "AccountWithRestoreAccess": TOBE_ACCOUNT,
                           "SnapshotClusterIdentifier": "asis-warehouse"})
        run = step(services, transfer, run.id)
        stub.assert_no_pending_responses()
    assert run.detail["handle"]["step"] == "restore" and run.state == "running"

    for _ in range(20):
        run = step(services, transfer, run.id)
        if not run.active:
            break
        time.sleep(0.05)
    assert run.state == "done", run
    restored = backend.client("target").describe_cluster("tobe-restored")
    assert restored.identifier == "tobe-restored"


def test_same_account_skips_authorize_and_pause_is_refused(make_services, fresh_aws_sandbox):
    aws = fresh_aws_sandbox
    services = make_services(TRANSFER.format(target="tobe-same-account"), asis={"aws": aws}, tobe={"aws": aws})
    transfer = services.config.transfers.get("warehouse")
    run = api.start(services, "warehouse", WHO)
    with pytest.raises(api.Unsupported, match="cannot be paused"):
        api.pause(services, "warehouse", WHO)
    with pytest.raises(api.Unsupported, match="cannot be throttled"):
        api.throttle(services, "warehouse", WHO, 1e6)
    run = step(services, transfer, run.id)
    assert run.detail["handle"]["step"] == "restore"
    for _ in range(20):
        run = step(services, transfer, run.id)
        if not run.active:
            break
    assert run.state == "done"


def _snap(snap_id, status="available", **kw):
    return {"SnapshotIdentifier": snap_id, "ClusterIdentifier": "asis-warehouse", "Status": status,
            "SnapshotType": "manual", "TotalBackupSizeInMegaBytes": 2048.0, "BackupProgressInMegaBytes": 2048.0, **kw}


def test_from_the_latest_automated_snapshot(make_services, fresh_aws_sandbox):
    """CopyClusterSnapshot (moto lacks it): the latest automated snapshot becomes the run's manual one."""
    import datetime as dt

    aws = fresh_aws_sandbox
    services = make_services(TRANSFER.format(target="tobe-from-automated") + "  from_automated: true\n",
                             asis={"aws": aws}, tobe={"aws": aws})
    transfer = services.config.transfers.get("warehouse")
    backend = backend_for(services, transfer)
    run = runs.create(services.store, "transfer", "warehouse", detail={})
    snap = snapshot_id_for("warehouse", run.id)
    old, new = dt.datetime(2026, 11, 27, tzinfo=dt.UTC), dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
    automated = [_snap("rs:asis-warehouse-2026-11-27", SnapshotType="automated", SnapshotCreateTime=old),
                 _snap("rs:asis-warehouse-2026-11-28", SnapshotType="automated", SnapshotCreateTime=new)]
    with Stubber(backend.client("source").client) as stub:
        stub.add_response("describe_cluster_snapshots", {"Snapshots": automated},
                          {"ClusterIdentifier": "asis-warehouse", "SnapshotType": "automated"})
        stub.add_response("copy_cluster_snapshot", {"Snapshot": _snap(snap, "creating")},
                          {"SourceSnapshotIdentifier": "rs:asis-warehouse-2026-11-28", "TargetSnapshotIdentifier": snap,
                           "SourceSnapshotClusterIdentifier": "asis-warehouse"})
        handle = backend.start(run)
        stub.assert_no_pending_responses()
    assert handle["copied_from"] == "rs:asis-warehouse-2026-11-28" and handle["snapshot_id"] == snap


def test_cross_region_copy_then_restore_there(make_services, fresh_aws_sandbox):
    """EnableSnapshotCopy before the snapshot, wait for the copy in the other region, restore there."""
    aws = fresh_aws_sandbox
    services = make_services(TRANSFER.format(target="tobe-eu-central") + "  copy_to_region: eu-central-1\n",
                             asis={"aws": aws}, tobe={"aws": aws})
    transfer = services.config.transfers.get("warehouse")
    backend = backend_for(services, transfer)
    run = runs.create(services.store, "transfer", "warehouse", detail={})
    snap = snapshot_id_for("warehouse", run.id)
    cluster = {"ClusterIdentifier": "asis-warehouse", "ClusterStatus": "available"}
    with Stubber(backend.client("source").client) as src:
        src.add_response("enable_snapshot_copy", {"Cluster": cluster},
                         {"ClusterIdentifier": "asis-warehouse", "DestinationRegion": "eu-central-1", "RetentionPeriod": 7})
        src.add_response("create_cluster_snapshot", {"Snapshot": _snap(snap, "creating")},
                         {"SnapshotIdentifier": snap, "ClusterIdentifier": "asis-warehouse"})
        run = runs.update(services.store, run.id, merge={"handle": backend.start(run)})
        src.add_response("describe_cluster_snapshots", {"Snapshots": [_snap(snap)]}, {"SnapshotIdentifier": snap})
        p = backend.poll(run)
        src.assert_no_pending_responses()
    assert p.handle["step"] == "copy"
    run = runs.update(services.store, run.id, merge={"handle": p.handle})
    copy = backend.client("copy")
    assert copy.region == "eu-central-1"
    restored = {"ClusterIdentifier": "tobe-eu-central", "ClusterStatus": "available",
                "RestoreStatus": {"Status": "completed", "SnapshotSizeInMegaBytes": 2048, "ProgressInMegaBytes": 2048}}
    with Stubber(copy.client) as dst:
        dst.add_client_error("describe_cluster_snapshots", "ClusterSnapshotNotFound", "not there yet", 404)
        p = backend.poll(run)
        assert p.state == "running" and "waiting for the copy" in p.step
        dst.add_response("describe_cluster_snapshots", {"Snapshots": [_snap(snap, SourceRegion="eu-west-1")]},
                         {"SnapshotIdentifier": snap})
        p = backend.poll(run)
        run = runs.update(services.store, run.id, merge={"handle": p.handle})
        dst.add_response("restore_from_cluster_snapshot", {"Cluster": {**restored, "ClusterStatus": "creating"}},
                         {"ClusterIdentifier": "tobe-eu-central", "SnapshotIdentifier": snap,
                          "SnapshotClusterIdentifier": "asis-warehouse"})
        dst.add_response("describe_clusters", {"Clusters": [restored]}, {"ClusterIdentifier": "tobe-eu-central"})
        p = backend.poll(run)
        dst.assert_no_pending_responses()
    assert p.state == "done" and p.bytes_done == 2048 * 10**6
