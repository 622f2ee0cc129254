"""The AWS stand-in of the sandbox: moto in server mode with the estate's S3 buckets,
DataSync task, Redshift clusters and snapshot, and Secrets Manager secrets."""

from sandbox.aws.seed import AwsSeedReport, AwsSeedSpec, SeededBucket, SeededObject, object_bytes
from sandbox.aws.server import AwsSandbox, SandboxCredentials

__all__ = [
    "AwsSandbox",
    "AwsSeedReport",
    "AwsSeedSpec",
    "SandboxCredentials",
    "SeededBucket",
    "SeededObject",
    "object_bytes",
]
