"""AWS connector: small typed wrappers over boto3 for S3, DataSync and Redshift. Each takes plain arguments (region, endpoint_url, optional credentials, retry and
timeout settings), returns plain dataclasses and raises AwsError. Each keeps its boto3
client as `.client` so tests can attach botocore's Stubber where moto lacks a call."""

from connectors.aws.datasync import (
    UNLIMITED,
    DataSync,
    DataSyncProgress,
    DataSyncTask,
    TaskExecutionSummary,
)
from connectors.aws.errors import AwsAlreadyExists, AwsAuthError, AwsError, AwsNotFound, AwsUnreachable
from connectors.aws.redshift import ClusterSnapshot, Redshift, RedshiftCluster, RestoreProgress
from connectors.aws.s3 import S3, PrefixSize, S3Object
from connectors.aws.service import AwsService

__all__ = [
    "UNLIMITED",
    "AwsAlreadyExists",
    "AwsAuthError",
    "AwsError",
    "AwsNotFound",
    "AwsService",
    "AwsUnreachable",
    "ClusterSnapshot",
    "DataSync",
    "DataSyncProgress",
    "DataSyncTask",
    "PrefixSize",
    "Redshift",
    "RedshiftCluster",
    "RestoreProgress",
    "S3",
    "S3Object",
    "TaskExecutionSummary",
]
