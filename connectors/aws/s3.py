"""S3: how much data sits under a prefix (the transfer engineer's data volume) and what it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connectors.aws.service import AwsService


@dataclass(frozen=True)
class S3Object:
    bucket: str
    key: str
    size: int
    last_modified: datetime | None
    etag: str | None


@dataclass(frozen=True)
class PrefixSize:
    """Total bytes and object count under s3://bucket/prefix (every object, all pages)."""

    bucket: str
    prefix: str
    total_bytes: int
    object_count: int


class S3(AwsService):
    SERVICE = "s3"
    LABEL = "S3"

    def list_buckets(self) -> list[str]:
        """Names of the buckets the credentials own."""
        return sorted(b["Name"] for b in self._call("list_buckets").get("Buckets", []))

    def list_objects(
        self, bucket: str, prefix: str = "", *, limit: int | None = None, page_size: int = 1000
    ) -> list[S3Object]:
        """Objects under `prefix` in key order, at most `limit` of them."""
        found: list[S3Object] = []
        for obj in self._objects(bucket, prefix, page_size):
            if limit is not None and len(found) >= limit:
                break
            found.append(obj)
        return found

    def prefix_size(self, bucket: str, prefix: str = "", *, page_size: int = 1000) -> PrefixSize:
        """Sum of object sizes and number of objects under `prefix` (1,000 keys per request:
        a million objects is a thousand calls, so call this for planning, not every poll)."""
        total = count = 0
        for obj in self._objects(bucket, prefix, page_size):
            total += obj.size
            count += 1
        return PrefixSize(bucket=bucket, prefix=prefix, total_bytes=total, object_count=count)

    def _objects(self, bucket: str, prefix: str, page_size: int):
        params = {"Bucket": bucket, "Prefix": prefix, "PaginationConfig": {"PageSize": page_size}}
        for page in self._pages("list_objects_v2", **params):
            for item in page.get("Contents", []):
                yield S3Object(
                    bucket=bucket,
                    key=item["Key"],
                    size=int(item.get("Size", 0)),
                    last_modified=item.get("LastModified"),
                    etag=(item.get("ETag") or "").strip('"') or None,
                )
