"""Redshift (the management API, not SQL): clusters, snapshots, sharing and restore.

The `redshift-snapshot` transfer is: snapshot the AS-IS cluster, let the TO-BE account
restore it (`authorize_snapshot_access`), optionally copy it to another region, restore it
in TO-BE and watch the restore. Note AWS's split for copies:
  - `copy_cluster_snapshot` copies an *automated* snapshot to a *manual* one, in the same
    region (so it outlives the automated retention);
  - copying to another region is a property of the source cluster
    (`enable_snapshot_copy`): from then on AWS copies each new snapshot there by itself,
    and the copy shows up in the destination region with `source_region` set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.aws.errors import AwsNotFound
from connectors.aws.service import AwsService

# ClusterStatus values that mean a restore cannot finish on its own.
_FAILED_CLUSTER_STATUSES = frozenset(
    {"incompatible-restore", "incompatible-network", "incompatible-hsm", "incompatible-parameters", "hardware-failure"}
)


@dataclass(frozen=True)
class RestoreProgress:
    """Where a restore from snapshot stands. `restore_status` is AWS's RestoreStatus.Status
    (starting, restoring, completed, failed) or None when the service reports none (moto
    never does: there only the cluster status moves, creating -> available)."""

    cluster_identifier: str
    cluster_status: str
    restore_status: str | None = None
    snapshot_size_mb: float | None = None
    progress_mb: float | None = None
    rate_mb_per_s: float | None = None
    elapsed_s: int | None = None
    estimated_remaining_s: int | None = None

    @property
    def failed(self) -> bool:
        return self.restore_status == "failed" or self.cluster_status in _FAILED_CLUSTER_STATUSES

    @property
    def done(self) -> bool:
        if self.restore_status is not None:
            return self.restore_status in ("completed", "failed")
        return self.cluster_status == "available" or self.failed

    @property
    def fraction(self) -> float | None:
        if self.restore_status == "completed" or (self.restore_status is None and self.cluster_status == "available"):
            return 1.0
        if not self.snapshot_size_mb or self.progress_mb is None:
            return None
        return min(1.0, self.progress_mb / self.snapshot_size_mb)


@dataclass(frozen=True)
class RedshiftCluster:
    identifier: str
    status: str
    node_type: str | None
    number_of_nodes: int | None
    db_name: str | None
    endpoint_address: str | None
    endpoint_port: int | None
    availability_zone: str | None
    encrypted: bool
    restore: RestoreProgress | None
    """Set when the cluster was restored from a snapshot and AWS reports the restore."""


@dataclass(frozen=True)
class ClusterSnapshot:
    identifier: str
    cluster_identifier: str
    status: str
    snapshot_type: str | None
    arn: str | None
    owner_account: str | None
    create_time: datetime | None
    total_size_mb: float | None
    backup_progress_mb: float | None
    estimated_seconds_to_completion: int | None
    accounts_with_restore_access: tuple[str, ...]
    source_region: str | None
    node_type: str | None
    number_of_nodes: int | None
    db_name: str | None

    @property
    def available(self) -> bool:
        return self.status == "available"


def _restore(cluster_id: str, status: str, raw: dict[str, Any] | None) -> RestoreProgress:
    raw = raw or {}
    return RestoreProgress(
        cluster_identifier=cluster_id,
        cluster_status=status,
        restore_status=raw.get("Status"),
        snapshot_size_mb=raw.get("SnapshotSizeInMegaBytes"),
        progress_mb=raw.get("ProgressInMegaBytes"),
        rate_mb_per_s=raw.get("CurrentRestoreRateInMegaBytesPerSecond"),
        elapsed_s=raw.get("ElapsedTimeInSeconds"),
        estimated_remaining_s=raw.get("EstimatedTimeToCompletionInSeconds"),
    )


def _cluster(c: dict[str, Any]) -> RedshiftCluster:
    endpoint = c.get("Endpoint") or {}
    status = c.get("ClusterStatus", "unknown")
    return RedshiftCluster(
        identifier=c["ClusterIdentifier"],
        status=status,
        node_type=c.get("NodeType"),
        number_of_nodes=c.get("NumberOfNodes"),
        db_name=c.get("DBName"),
        endpoint_address=endpoint.get("Address"),
        endpoint_port=endpoint.get("Port"),
        availability_zone=c.get("AvailabilityZone"),
        encrypted=bool(c.get("Encrypted", False)),
        restore=_restore(c["ClusterIdentifier"], status, c["RestoreStatus"]) if c.get("RestoreStatus") else None,
    )


def _snapshot(s: dict[str, Any]) -> ClusterSnapshot:
    return ClusterSnapshot(
        identifier=s["SnapshotIdentifier"],
        cluster_identifier=s.get("ClusterIdentifier", ""),
        status=s.get("Status", "unknown"),
        snapshot_type=s.get("SnapshotType"),
        arn=s.get("SnapshotArn"),
        owner_account=s.get("OwnerAccount"),
        create_time=s.get("SnapshotCreateTime"),
        total_size_mb=s.get("TotalBackupSizeInMegaBytes"),
        backup_progress_mb=s.get("BackupProgressInMegaBytes"),
        estimated_seconds_to_completion=s.get("EstimatedSecondsToCompletion"),
        accounts_with_restore_access=tuple(
            a["AccountId"] for a in s.get("AccountsWithRestoreAccess") or [] if a.get("AccountId")
        ),
        source_region=s.get("SourceRegion"),
        node_type=s.get("NodeType"),
        number_of_nodes=s.get("NumberOfNodes"),
        db_name=s.get("DBName"),
    )


def _drop_none(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class Redshift(AwsService):
    SERVICE = "redshift"
    LABEL = "Redshift"

    # -- clusters --------------------------------------------------------------------------
    def describe_clusters(self, cluster_id: str | None = None) -> list[RedshiftCluster]:
        """Every cluster the account can see, or only `cluster_id` (AwsNotFound if absent)."""
        params = _drop_none(ClusterIdentifier=cluster_id)
        return [_cluster(c) for page in self._pages("describe_clusters", **params) for c in page.get("Clusters", [])]

    def describe_cluster(self, cluster_id: str) -> RedshiftCluster:
        found = self.describe_clusters(cluster_id)
        if not found:
            raise AwsNotFound(self.LABEL, "DescribeClusters", f"cluster {cluster_id} not found", code="ClusterNotFound")
        return found[0]

    def restore_progress(self, cluster_id: str) -> RestoreProgress:
        """The restore status of a cluster being restored (from describe_clusters)."""
        cluster = self.describe_cluster(cluster_id)
        return cluster.restore or _restore(cluster.identifier, cluster.status, None)

    # -- snapshots -------------------------------------------------------------------------
    def create_cluster_snapshot(
        self, snapshot_id: str, cluster_id: str, *, retention_days: int | None = None
    ) -> ClusterSnapshot:
        """Start a manual snapshot (AwsAlreadyExists if `snapshot_id` is taken)."""
        params = _drop_none(
            SnapshotIdentifier=snapshot_id, ClusterIdentifier=cluster_id, ManualSnapshotRetentionPeriod=retention_days
        )
        return _snapshot(self._call("create_cluster_snapshot", **params)["Snapshot"])

    def describe_cluster_snapshots(
        self,
        *,
        cluster_id: str | None = None,
        snapshot_id: str | None = None,
        snapshot_type: str | None = None,
        owner_account: str | None = None,
    ) -> list[ClusterSnapshot]:
        """Snapshots matching every filter given (`snapshot_type`: "manual" or "automated")."""
        params = _drop_none(
            ClusterIdentifier=cluster_id,
            SnapshotIdentifier=snapshot_id,
            SnapshotType=snapshot_type,
            OwnerAccount=owner_account,
        )
        return [_snapshot(s) for page in self._pages("describe_cluster_snapshots", **params) for s in page.get("Snapshots", [])]

    def describe_cluster_snapshot(self, snapshot_id: str) -> ClusterSnapshot:
        found = self.describe_cluster_snapshots(snapshot_id=snapshot_id)
        if not found:
            raise AwsNotFound(
                self.LABEL, "DescribeClusterSnapshots", f"snapshot {snapshot_id} not found", code="ClusterSnapshotNotFound"
            )
        return found[0]

    def authorize_snapshot_access(
        self, snapshot_id: str, account_id: str, *, snapshot_cluster_id: str | None = None
    ) -> ClusterSnapshot:
        """Let `account_id` (the TO-BE account) restore this manual snapshot."""
        params = _drop_none(
            SnapshotIdentifier=snapshot_id,
            AccountWithRestoreAccess=account_id,
            SnapshotClusterIdentifier=snapshot_cluster_id,
        )
        return _snapshot(self._call("authorize_snapshot_access", **params)["Snapshot"])

    def copy_cluster_snapshot(
        self,
        source_snapshot_id: str,
        target_snapshot_id: str,
        *,
        source_cluster_id: str | None = None,
        retention_days: int | None = None,
    ) -> ClusterSnapshot:
        """Copy an automated snapshot to a manual one in the same region."""
        params = _drop_none(
            SourceSnapshotIdentifier=source_snapshot_id,
            TargetSnapshotIdentifier=target_snapshot_id,
            SourceSnapshotClusterIdentifier=source_cluster_id,
            ManualSnapshotRetentionPeriod=retention_days,
        )
        return _snapshot(self._call("copy_cluster_snapshot", **params)["Snapshot"])

    def enable_snapshot_copy(
        self, cluster_id: str, destination_region: str, *, retention_days: int = 7, grant_name: str | None = None
    ) -> RedshiftCluster:
        """Have AWS copy every new snapshot of `cluster_id` to `destination_region`
        (`grant_name`: the snapshot copy grant, needed for KMS-encrypted clusters)."""
        params = _drop_none(
            ClusterIdentifier=cluster_id,
            DestinationRegion=destination_region,
            RetentionPeriod=retention_days,
            SnapshotCopyGrantName=grant_name,
        )
        return _cluster(self._call("enable_snapshot_copy", **params)["Cluster"])

    def restore_from_cluster_snapshot(
        self,
        cluster_id: str,
        snapshot_id: str,
        *,
        snapshot_cluster_id: str | None = None,
        owner_account: str | None = None,
        node_type: str | None = None,
        number_of_nodes: int | None = None,
    ) -> RedshiftCluster:
        """Create cluster `cluster_id` from the snapshot; follow it with restore_progress().
        `owner_account` is the AS-IS account when restoring a snapshot it shared."""
        params = _drop_none(
            ClusterIdentifier=cluster_id,
            SnapshotIdentifier=snapshot_id,
            SnapshotClusterIdentifier=snapshot_cluster_id,
            OwnerAccount=owner_account,
            NodeType=node_type,
            NumberOfNodes=number_of_nodes,
        )
        return _cluster(self._call("restore_from_cluster_snapshot", **params)["Cluster"])
