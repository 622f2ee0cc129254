"""The one place a boto3 client is built and called.

Every AWS wrapper (S3, DataSync, Redshift) takes the same plain arguments, builds
its own boto3 client from its own session (boto3's default session is not thread-safe; a
client is), and sends every call through `_call`/`_pages` so that all failures come out as
`AwsError`. The client stays reachable as `.client` so a test can attach
`botocore.stub.Stubber` to it for the calls moto does not implement.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # boto3 is imported where a client is made: a verb that never calls AWS skips it
    import boto3
    import botocore.loaders
    from botocore.config import Config

from connectors.aws.errors import AwsError, is_stubber_error, translate

DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 30.0

_loader: botocore.loaders.Loader | None = None
_loader_lock = threading.Lock()


def new_session(**kwargs: Any) -> boto3.session.Session:
    """A boto3 session sharing one botocore data loader with every other in the process.

    Building a client parses its service model (0.1-0.3 s each); the loader caches what it
    parsed, but a new session brings a new, empty loader. The loader only reads and caches
    model files, so sharing it is safe; the sessions themselves stay separate.
    """
    import boto3
    import botocore.loaders
    import botocore.session

    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = botocore.loaders.create_loader()
        core = botocore.session.Session()
        core.register_component("data_loader", _loader)
    return boto3.session.Session(botocore_session=core, **kwargs)


def client_config(max_attempts: int, connect_timeout: float, read_timeout: float) -> Config:
    """botocore settings shared by every wrapper.

    `max_attempts` counts every attempt, the first included (1 = no retry). botocore's own
    `retries={"max_attempts": N}` counts retries only (N + 1 requests), so this sets
    `total_max_attempts`, which means what it says. "standard" mode retries throttling and
    5xx with jittered backoff.
    """
    from botocore.config import Config

    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    return Config(
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


class AwsService:
    """Base of the typed wrappers. Subclasses set SERVICE (boto3's name) and LABEL.

    Credentials are optional: without them boto3's default chain applies (environment,
    shared config, instance role). `endpoint_url` points at moto or a VPC endpoint.
    """

    SERVICE = ""
    LABEL = ""

    def __init__(
        self,
        region: str,
        *,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        session_token: str | None = None,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        if (access_key_id is None) != (secret_access_key is None):
            raise ValueError("give both access_key_id and secret_access_key, or neither (default chain)")
        self.region = region
        self.endpoint_url = endpoint_url
        session = new_session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            aws_session_token=session_token,
            region_name=region,
        )
        self.client: Any = session.client(
            self.SERVICE,
            endpoint_url=endpoint_url,
            config=client_config(max_attempts, connect_timeout, read_timeout),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(region={self.region!r}, endpoint_url={self.endpoint_url!r})"

    @property
    def _where(self) -> str:
        return self.endpoint_url or f"{self.SERVICE} in {self.region}"

    def _operation_name(self, method: str) -> str:
        return self.client.meta.method_to_api_mapping.get(method, method)

    def _error(self, exc: Exception, method: str) -> AwsError:
        return translate(exc, self.LABEL or self.SERVICE, self._operation_name(method), self._where)

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a boto3 client method; AwsError on any failure."""
        try:
            return getattr(self.client, method)(**params)
        except Exception as exc:
            if is_stubber_error(exc):
                raise
            raise self._error(exc, method) from exc

    def _pages(self, method: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated call; AwsError on any failure."""
        try:
            yield from self.client.get_paginator(method).paginate(**params)
        except Exception as exc:
            if is_stubber_error(exc):
                raise
            raise self._error(exc, method) from exc
