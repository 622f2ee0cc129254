"""The AWS part of the sandbox: moto in server mode on 127.0.0.1, with its own account.

moto keeps its state in module-level dictionaries, so every moto server in one process
serves the same data (and POST /moto-api/reset wipes all of them). What moto does key by
is the AWS account. So each AwsSandbox mints an IAM access key in a fresh, random account
(moto takes a request's account from its `x-moto-account-id` header, see
moto/core/responses.py get_current_account; only the sandbox's own IAM calls send it) and
hands that key out. moto maps an IAM key to the account that created it, so every client
using `.credentials` lands in this sandbox's account, and two sandboxes in one process do
not see each other's clusters, tasks, secrets or buckets.
One thing stays shared, as in AWS: bucket *names* are global, so two sandboxes running at
the same time need different bucket names (AwsSeedSpec); stop() deletes this sandbox's
buckets so that a later one can reuse the names. Never call /moto-api/reset while another
sandbox is running in the same process: it wipes every account, keys included.
"""

from __future__ import annotations

import logging
import secrets
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from botocore.config import Config

from connectors.aws.service import new_session
from sandbox.aws.datasync_sim import DataSyncSimulator
from sandbox.aws.moto_server import MotoHttpServer
from sandbox.aws.redshift_sim import RedshiftSnapshotSharing
from sandbox.aws.seed import AwsSeedReport, AwsSeedSpec, seed_account

log = logging.getLogger("sandbox.aws")

DEFAULT_DATASYNC_BYTES_PER_SECOND = 1024 * 1024
"""How fast the sandbox's DataSync executions move bytes at most (BytesPerSecond caps lower)."""


@dataclass(frozen=True)
class SandboxCredentials:
    """The fake access key of the sandbox's account (moto checks no signature)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)


class AwsSandbox:
    """moto on host:port (0 = a free port), seeded on demand with the AS-IS and TO-BE estate.

    With `fill_gaps` (the default) the sandbox answers what moto lacks: DataSync executions
    of S3-to-S3 tasks really copy, at most `datasync_bytes_per_second`, with byte counters,
    UpdateTaskExecution and ListTaskExecutions (sandbox/aws/datasync_sim.py), and Redshift
    AuthorizeSnapshotAccess and CopyClusterSnapshot work (sandbox/aws/redshift_sim.py).
    fill_gaps=False is moto as it is (DataSync status steps once per describe call and
    moves nothing; those four calls answer HTTP 500).

    with AwsSandbox() as aws:
        report = aws.seed()
        S3(**aws.connect_kwargs()).prefix_size(report.asis_bucket.name, "landing/")
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "eu-west-1",
        *,
        account_id: str | None = None,
        spec: AwsSeedSpec | None = None,
        fill_gaps: bool = True,
        datasync_bytes_per_second: float = DEFAULT_DATASYNC_BYTES_PER_SECOND,
    ) -> None:
        if account_id is not None and not (len(account_id) == 12 and account_id.isdigit()):
            raise ValueError(f"account_id must be 12 digits, got {account_id!r}")
        self.host = host
        self.region = region
        self.spec = spec or AwsSeedSpec()
        self.account_id = account_id or str(100_000_000_000 + secrets.randbelow(900_000_000_000))
        self.fill_gaps = fill_gaps
        self.datasync_bytes_per_second = datasync_bytes_per_second
        wrap = None
        if fill_gaps:
            rate = datasync_bytes_per_second

            def wrap(app: Any) -> Any:
                app = DataSyncSimulator(app, endpoint_url=lambda: self.endpoint_url, link_bytes_per_second=rate)
                return RedshiftSnapshotSharing(app)

        self._server = MotoHttpServer(host, port, wrap=wrap)
        self._credentials: SandboxCredentials | None = None
        self._report: AwsSeedReport | None = None
        self._lock = threading.Lock()
        # One boto3 session and one client per service: building a client loads its service
        # model (~0.1-0.3 s each), so re-creating them made seeding several times slower.
        self._session = new_session()
        self._clients: dict[tuple[str, int], Any] = {}
        self._clients_lock = threading.Lock()

    # -- life cycle ------------------------------------------------------------------------
    def start(self) -> AwsSandbox:
        """Serve (again, after stop(): a new port, a new key, the same account)."""
        with self._lock:
            self._server.start()
            try:
                if self._credentials is None:
                    self._credentials = self._mint_credentials()
            except BaseException:
                self._server.stop()
                raise
        log.info("AWS sandbox (moto) on %s, account %s", self.endpoint_url, self.account_id)
        return self

    def stop(self) -> None:
        with self._lock:
            if self._credentials is not None:
                self._delete_buckets()
            self._server.stop()
            self._report = None
            self._credentials = None
            with self._clients_lock:
                for client in self._clients.values():
                    client.close()
                self._clients.clear()

    def __enter__(self) -> AwsSandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- where and how to reach it ---------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.address[1]

    @property
    def endpoint_url(self) -> str:
        host, port = self._server.address
        return f"http://{host}:{port}"

    @property
    def credentials(self) -> SandboxCredentials:
        if self._credentials is None:
            raise RuntimeError("the AWS sandbox is not running: call start() first")
        return self._credentials

    def connect_kwargs(self) -> dict[str, str]:
        """region, endpoint_url, access_key_id, secret_access_key: the keyword arguments of
        every connectors.aws wrapper, as plain strings."""
        return {
            "region": self.region,
            "endpoint_url": self.endpoint_url,
            "access_key_id": self.credentials.access_key_id,
            "secret_access_key": self.credentials.secret_access_key,
        }

    def app_config(self, secret_env: str = "FERRY_SANDBOX_AWS_SECRET_ACCESS_KEY") -> dict[str, str]:
        """The `aws:` section of an estate in app.yaml that points Ferry at this sandbox. The
        secret key is written as ${secret_env} (app.yaml holds no secrets): set that variable
        to `.credentials.secret_access_key` in Ferry's environment."""
        return {
            "region": self.region,
            "endpoint_url": self.endpoint_url,
            "account_id": self.account_id,
            "access_key_id": self.credentials.access_key_id,
            "secret_access_key": "${" + secret_env + "}",
        }

    def boto3_client(self, service: str, *, max_attempts: int = 1) -> Any:
        """A plain boto3 client on this sandbox's account (for seeding and for tests)."""
        creds = self.credentials
        key = (service, max_attempts)
        with self._clients_lock:
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.endpoint_url,
                    aws_access_key_id=creds.access_key_id,
                    aws_secret_access_key=creds.secret_access_key,
                    config=Config(retries={"total_max_attempts": max_attempts}, connect_timeout=5, read_timeout=30),
                )
            return self._clients[key]

    # -- contents --------------------------------------------------------------------------
    @property
    def seed_report(self) -> AwsSeedReport | None:
        return self._report

    def seed(self) -> AwsSeedReport:
        """Create the estate (once: later calls return the first report)."""
        with self._lock:
            if self._report is None:
                self._report = seed_account(
                    self.boto3_client,
                    endpoint_url=self.endpoint_url,
                    region=self.region,
                    account_id=self.account_id,
                    spec=self.spec,
                )
            return self._report

    # -- internals -------------------------------------------------------------------------
    def _mint_credentials(self) -> SandboxCredentials:
        iam = self._session.client(
            "iam",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="sandbox-bootstrap",
            aws_secret_access_key="sandbox-bootstrap",
            config=Config(retries={"total_max_attempts": 1}),
        )

        def into_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = self.account_id

        iam.meta.events.register("before-sign.iam.*", into_account)
        try:
            iam.create_user(UserName="ferry-sandbox")
        except iam.exceptions.EntityAlreadyExistsException:
            # Started before in this process (moto still holds the account, which a restarted
            # sandbox reuses): the old keys go, as IAM allows two per user.
            for old in iam.list_access_keys(UserName="ferry-sandbox")["AccessKeyMetadata"]:
                iam.delete_access_key(UserName="ferry-sandbox", AccessKeyId=old["AccessKeyId"])
        key = iam.create_access_key(UserName="ferry-sandbox")["AccessKey"]
        iam.close()
        return SandboxCredentials(key["AccessKeyId"], key["SecretAccessKey"])

    def _delete_buckets(self) -> None:
        # Frees the bucket names (global to the process) and the objects' memory.
        try:
            s3 = self.boto3_client("s3")
            for bucket in s3.list_buckets().get("Buckets", []):
                name = bucket["Name"]
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
                    keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                    if keys:
                        s3.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
                s3.delete_bucket(Bucket=name)
        except Exception:  # stop() must stop the server whatever happened
            log.warning("AWS sandbox: could not delete its buckets", exc_info=True)
