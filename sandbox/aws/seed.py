"""What the sandbox's AWS account holds: the AS-IS and TO-BE landing buckets, a DataSync
S3-to-S3 task between them, the two Redshift clusters with a snapshot of the AS-IS one, and
the secrets app.yaml can point at.

The TO-BE bucket starts with the first few AS-IS objects already there (a copy that was
started once), so a DataSync run has something left to move and a validation something to
count. Object bytes are pseudo-random but the same on every run (seeded by key).
"""

from __future__ import annotations

import json
import random
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

KIB = 1024
MIB = 1024 * KIB

DEFAULT_OBJECTS: tuple[tuple[str, int], ...] = (
    ("landing/events/dt=2026-11-01/part-00000.parquet", 1 * MIB),
    ("landing/events/dt=2026-11-01/part-00001.parquet", 768 * KIB),
    ("landing/events/dt=2026-11-02/part-00000.parquet", 1 * MIB),
    ("landing/orders/dt=2026-11-01/part-00000.avro", 512 * KIB),
    ("landing/orders/dt=2026-11-02/part-00000.avro", 384 * KIB),
    ("landing/_manifest.json", 3 * KIB),
)

DEFAULT_SECRETS: Mapping[str, str] = {
    # Cloudera Manager's factory login; `python -m bot sandbox` passes the simulator's own.
    "ferry/asis/cloudera-manager": json.dumps({"username": "admin", "password": "admin"}),
    "ferry/tobe/cloudera-manager": json.dumps({"username": "admin", "password": "admin"}),
}


@dataclass(frozen=True)
class AwsSeedSpec:
    """What seed() creates. Bucket names are global to every moto server in one process (as
    they are global in AWS): a second sandbox running at the same time needs other names."""

    asis_bucket: str = "ferry-asis-landing"
    tobe_bucket: str = "ferry-tobe-landing"
    prefix: str = "landing/"
    objects: tuple[tuple[str, int], ...] = DEFAULT_OBJECTS
    tobe_preloaded: int = 2
    """How many of `objects` (the first ones) the TO-BE bucket already holds."""
    datasync_task_name: str = "ferry-landing"
    asis_cluster: str = "asis-warehouse"
    tobe_cluster: str = "tobe-warehouse"
    node_type: str = "ra3.xlplus"
    number_of_nodes: int = 2
    snapshot_id: str = "asis-warehouse-ferry-seed"
    secrets: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SECRETS))


@dataclass(frozen=True)
class SeededObject:
    key: str
    size: int


@dataclass(frozen=True)
class SeededBucket:
    name: str
    prefix: str
    objects: tuple[SeededObject, ...]

    @property
    def object_count(self) -> int:
        return len(self.objects)

    @property
    def total_bytes(self) -> int:
        return sum(o.size for o in self.objects)


@dataclass(frozen=True)
class AwsSeedReport:
    """Everything seed() made, with the names and ARNs a config or a test needs."""

    endpoint_url: str
    region: str
    account_id: str
    asis_bucket: SeededBucket
    tobe_bucket: SeededBucket
    datasync_task_arn: str
    datasync_source_location_arn: str
    datasync_destination_location_arn: str
    asis_cluster: str
    tobe_cluster: str
    snapshot_id: str
    automated_snapshot_id: str | None
    secret_arns: Mapping[str, str]


def object_bytes(key: str, size: int) -> bytes:
    """The content of a seeded object: the same bytes for the same key on every run."""
    return random.Random(key).randbytes(size)


def _exists_ok(call: Callable[[], Any], *codes: str) -> Any:
    try:
        return call()
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in codes:
            return None
        raise


def seed_account(
    client: Callable[[str], Any], *, endpoint_url: str, region: str, account_id: str, spec: AwsSeedSpec
) -> AwsSeedReport:
    """Create the spec's resources through `client(service)` (boto3 clients on the sandbox's
    own account). Safe to run again: what exists already is kept."""
    s3 = client("s3")
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    for bucket in (spec.asis_bucket, spec.tobe_bucket):
        _exists_ok(lambda b=bucket: s3.create_bucket(Bucket=b, **location), "BucketAlreadyOwnedByYou")
    asis = tuple(SeededObject(key, size) for key, size in spec.objects)
    tobe = asis[: spec.tobe_preloaded]
    for bucket, objs in ((spec.asis_bucket, asis), (spec.tobe_bucket, tobe)):
        for obj in objs:
            s3.put_object(Bucket=bucket, Key=obj.key, Body=object_bytes(obj.key, obj.size))

    datasync = client("datasync")
    task_arn, src_arn, dst_arn = _datasync_task(datasync, spec, account_id)

    redshift = client("redshift")
    password = "Sb1" + secrets.token_hex(12)  # never used to log in: moto runs no database
    for cluster, db in ((spec.asis_cluster, "asis"), (spec.tobe_cluster, "tobe")):
        _exists_ok(
            lambda c=cluster, d=db: redshift.create_cluster(
                ClusterIdentifier=c,
                NodeType=spec.node_type,
                NumberOfNodes=spec.number_of_nodes,
                ClusterType="multi-node" if spec.number_of_nodes > 1 else "single-node",
                MasterUsername="ferry_admin",
                MasterUserPassword=password,
                DBName=d,
            ),
            "ClusterAlreadyExists",
        )
    _exists_ok(
        lambda: redshift.create_cluster_snapshot(SnapshotIdentifier=spec.snapshot_id, ClusterIdentifier=spec.asis_cluster),
        "ClusterSnapshotAlreadyExists",
    )
    automated = redshift.describe_cluster_snapshots(ClusterIdentifier=spec.asis_cluster, SnapshotType="automated")
    automated_id = next((s["SnapshotIdentifier"] for s in automated.get("Snapshots", [])), None)

    sm = client("secretsmanager")
    arns: dict[str, str] = {}
    for name, value in spec.secrets.items():
        created = _exists_ok(lambda n=name, v=value: sm.create_secret(Name=n, SecretString=v), "ResourceExistsException")
        arns[name] = created["ARN"] if created else sm.describe_secret(SecretId=name)["ARN"]

    return AwsSeedReport(
        endpoint_url=endpoint_url,
        region=region,
        account_id=account_id,
        asis_bucket=SeededBucket(spec.asis_bucket, spec.prefix, asis),
        tobe_bucket=SeededBucket(spec.tobe_bucket, spec.prefix, tobe),
        datasync_task_arn=task_arn,
        datasync_source_location_arn=src_arn,
        datasync_destination_location_arn=dst_arn,
        asis_cluster=spec.asis_cluster,
        tobe_cluster=spec.tobe_cluster,
        snapshot_id=spec.snapshot_id,
        automated_snapshot_id=automated_id,
        secret_arns=arns,
    )


def _datasync_task(datasync: Any, spec: AwsSeedSpec, account_id: str) -> tuple[str, str, str]:
    for task in datasync.list_tasks().get("Tasks", []):
        if task.get("Name") == spec.datasync_task_name:
            found = datasync.describe_task(TaskArn=task["TaskArn"])
            return found["TaskArn"], found["SourceLocationArn"], found["DestinationLocationArn"]
    role = f"arn:aws:iam::{account_id}:role/ferry-datasync"
    subdir = "/" + spec.prefix.strip("/")
    src = datasync.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{spec.asis_bucket}", Subdirectory=subdir, S3Config={"BucketAccessRoleArn": role}
    )["LocationArn"]
    dst = datasync.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{spec.tobe_bucket}", Subdirectory=subdir, S3Config={"BucketAccessRoleArn": role}
    )["LocationArn"]
    task = datasync.create_task(
        SourceLocationArn=src,
        DestinationLocationArn=dst,
        Name=spec.datasync_task_name,
        Options={"BytesPerSecond": -1, "TransferMode": "CHANGED", "VerifyMode": "ONLY_FILES_TRANSFERRED"},
    )["TaskArn"]
    return task, src, dst
