"""redshift-snapshot against the AWS sandbox (moto): snapshot, authorize the TO-BE account (Stubber:
moto lacks AuthorizeSnapshotAccess), restore, done; pause refused with the reason; a restart
re-running start reuses the run's snapshot."""

from __future__ import annotations

import time

import pytest
from botocore.stub import Stubber

from jobs.transfers import api, watcher
from jobs.transfers.backend import backend_for
from jobs.transfers.redshift_snapshot import snapshot_id_for
from state import runs
from state.audit import Who
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
