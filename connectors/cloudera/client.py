"""`ClouderaManager`: one Cloudera Manager, its own credentials, read-only inventory and the
replication calls the transfers need.

    cm = ClouderaManager("http://cm.example:7180", "admin", os.environ["CM_PASSWORD"])
    inv = cm.inventory("Cluster 1")        # plain dataclasses, see connectors/cloudera/models.py
    cid = cm.run_replication("Cluster 1", "hdfs", 1)
    cm.replication_progress("Cluster 1", "hdfs", 1).progress_pct

Every method raises a `ClouderaError` subclass on failure (AuthError, NotFoundError,
UnreachableError, ApiError, CommandGone). Only the replication methods write (ensure, run,
dry run, bandwidth, pause, abort).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from connectors.cloudera import replication as repl
from connectors.cloudera.errors import ApiError, ClouderaError
from connectors.cloudera.models import (
    CommandStatus,
    DryRun,
    Inventory,
    ReplicationProgress,
    ReplicationSchedule,
    ReplicationSpec,
)
from connectors.cloudera.transport import call, clean_url, client_class
from connectors.lazy import lazy

cm_client = lazy("cm_client")  # loaded on first use (connectors/lazy.py)

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_WORKERS = 8


class ClouderaManager:
    """A connection to one Cloudera Manager. Thread-safe; cheap to create; `close()` frees its pool.

    url: the CM base URL, e.g. "http://cm:7180" ("/api/vNN" may be given to pin the API version;
    otherwise it is detected with GET /api/version on first use). verify_tls: check the server
    certificate (ca_file: a CA bundle; default certifi's). timeout: seconds to connect and to read
    each response. max_workers: concurrent requests for independent calls; sequential=True (or
    max_workers=1) makes every call one after another (the benchmark's baseline)."""

    def __init__(self, url: str, username: str, password: str, *, verify_tls: bool = True,
                 ca_file: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                 max_workers: int = DEFAULT_MAX_WORKERS, sequential: bool = False) -> None:
        self.url, self._pinned_version = clean_url(url)
        self.username = username
        self._password = password
        self.timeout = float(timeout)
        self.max_workers = 1 if sequential else max(1, int(max_workers))
        self._version: str | None = self._pinned_version
        self._version_lock = threading.Lock()
        self._client = client_class()(f"{self.url}/api/{self._version or 'v19'}", username, password,
                               verify_tls=verify_tls, ca_file=ca_file, timeout=self.timeout,
                               pool_size=self.max_workers + 2)  # + replication polls from other threads

    def __repr__(self) -> str:  # never the password
        return f"ClouderaManager(url={self.url!r}, username={self.username!r}, api={self._version or '?'})"

    def __enter__(self) -> ClouderaManager:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.rest_client.pool_manager.clear()

    @property
    def http_calls(self) -> int:
        """HTTP requests made by this instance so far."""
        return self._client.calls

    # -- plumbing ------------------------------------------------------------------------
    def _call(self, fn: Callable[..., T], *args: Any, what: str, cluster: str | None = None, **kwargs: Any) -> T:
        return call(fn, *args, url=self.url, what=what, cluster=cluster, secret=self._password, **kwargs)

    def _resource(self, resource: Any) -> Any:
        """A cm-client resource API bound to this CM (internal: results must not leave the connector)."""
        self.api_version  # noqa: B018 - detect the version before the first real call
        return resource(self._client)

    @property
    def api_version(self) -> str:
        """The API version in use, e.g. "v33" (detected once with GET /api/version)."""
        if self._version is None:
            with self._version_lock:
                if self._version is None:
                    text = self._call(self._client.get_text, f"{self.url}/api/version", what="the API version")
                    version = text.strip().strip('"')
                    if not (version.startswith("v") and version[1:].isdigit()):
                        raise ApiError(f"Unexpected answer to GET /api/version: {version[:40]!r}", url=self.url,
                                       what="the API version", hint="Is this URL a Cloudera Manager (port 7180)?")
                    self._version = version
                    self._client.host = f"{self.url}/api/{version}"
        return self._version

    # -- read-only --------------------------------------------------------------------------
    def version(self) -> str:
        """Cloudera Manager's version, e.g. "6.3.1"."""
        info = self._call(self._resource(cm_client.ClouderaManagerResourceApi).get_version, what="the CM version")
        return info.version

    def clusters(self) -> list[dict[str, str | None]]:
        """[{"name", "display_name", "version"}] of every cluster this CM manages."""
        lst = self._call(self._resource(cm_client.ClustersResourceApi).read_clusters, what="the list of clusters",
                         view="summary")
        return [{"name": c.name, "display_name": c.display_name, "version": c.full_version} for c in lst.items or []]

    def inventory(self, cluster: str | None = None) -> Inventory:
        """Everything an assessment needs from one cluster (the only cluster when None).
        Independent calls run concurrently (max_workers); `Inventory.http_calls` counts them."""
        from connectors.cloudera.inventory import collect

        return collect(self, cluster)

    # -- replication (the transfers) -------------------------------------------------------
    def ensure_replication(self, cluster: str, service: str, spec: ReplicationSpec) -> tuple[ReplicationSchedule, str]:
        """The schedule named `spec.name` on `service`, created or updated in place to match spec
        (idempotent: the same name is the same schedule). Returns it and "created", "updated" or
        "unchanged". Needs CM's Replication Administrator (or Full/Cluster Administrator) role."""
        return repl.ensure(self, cluster, service, spec)

    def replication(self, cluster: str, service: str, schedule_id: int) -> ReplicationSchedule:
        return repl.read_schedule(self, cluster, service, schedule_id)

    def run_replication(self, cluster: str, service: str, schedule_id: int) -> int:
        """Start a run now; returns its command id. Idempotent: if a run is already active, its id
        (a dry run in the way is aborted first)."""
        return repl.run_schedule(self, cluster, service, schedule_id)

    def dry_run_replication(self, cluster: str, service: str, schedule_id: int, *, wait_s: float = 20.0) -> DryRun:
        """CM's dry run of an HDFS schedule: the files and bytes a run would copy now. Waits up to
        wait_s; a dry run still going then is reported unfinished (CM finishes it on its own)."""
        return repl.dry_run(self, cluster, service, schedule_id, wait_s=wait_s)

    def set_replication_bandwidth(self, cluster: str, service: str, schedule_id: int,
                                  mb_per_map: int) -> ReplicationSchedule:
        """The MB/s each mapper may copy at (HDFS and Hive: bandwidthPerMap; HBase: the initial
        snapshot's ExportSnapshot bandwidth). CM fixes it when a run starts: it applies to the next run."""
        return repl.set_bandwidth(self, cluster, service, schedule_id, mb_per_map)

    def set_replication_paused(self, cluster: str, service: str, schedule_id: int, paused: bool, *,
                               abort_active: bool = True) -> ReplicationSchedule:
        """Pause (or resume) a schedule. In CM pausing only stops future scheduled runs; with
        abort_active (default) a running copy is aborted too, so "pause" stops the transfer. What was
        copied stays: the next run copies only what is left. Resuming does not start a run."""
        return repl.set_paused(self, cluster, service, schedule_id, paused, abort_active=abort_active)

    def replication_progress(self, cluster: str, service: str, schedule_id: int,
                             command_id: int | None = None) -> ReplicationProgress:
        """The run of `command_id`, or the schedule's latest run that is not a dry run (state
        "never_run" if none). With command_id: raises CommandGone when CM no longer knows it
        (restarted, history purged), so a watcher never waits on it forever."""
        if command_id is None:
            return repl.progress(self, cluster, service, schedule_id)
        return repl.find_run(self, cluster, service, schedule_id, command_id)

    def command(self, command_id: int) -> CommandStatus:
        return repl.read_command(self, command_id)

    def abort_command(self, command_id: int) -> CommandStatus:
        """Abort a running command (a no-op on a finished one); returns its status."""
        return repl.abort_command(self, command_id)


__all__ = ["ClouderaError", "ClouderaManager"]
