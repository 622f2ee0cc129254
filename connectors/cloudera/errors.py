"""Typed errors of the Cloudera connector. Each message says what failed, where, and what to try;
none ever carries the password (messages are scrubbed of it before they are raised)."""

from __future__ import annotations


class ClouderaError(Exception):
    """Base class: a call to Cloudera Manager failed.

    Attributes: `url` (CM base URL, without credentials), `cluster` (or None), `what` (the
    operation, e.g. "services of cluster 'Cluster 1'"), `status` (HTTP status or None), `hint`
    (what to try). `str(err)` is one sentence fit for a Slack message."""

    default_hint = "Check Cloudera Manager's logs and try again."

    def __init__(self, message: str, *, url: str, what: str, cluster: str | None = None,
                 status: int | None = None, hint: str | None = None) -> None:
        self.url = url
        self.cluster = cluster
        self.what = what
        self.status = status
        self.hint = hint or self.default_hint
        self.detail = message
        where = f"Cloudera Manager at {url}" + (f" (cluster '{cluster}')" if cluster else "")
        super().__init__(f"{message} — reading {what} from {where}. {self.hint}")


class AuthError(ClouderaError):
    """HTTP 401 (or 403): the credentials were refused (or lack the rights for the call)."""

    default_hint = ("Check the user name and password configured for this Cloudera Manager "
                    "(the password comes from the environment); the account needs at least the Read-Only role.")


class NotFoundError(ClouderaError):
    """HTTP 404: the cluster, service, schedule or command does not exist."""

    default_hint = "Check the cluster and service names in app.yaml against Cloudera Manager's Home page."


class UnreachableError(ClouderaError):
    """No HTTP answer: connection refused, DNS failure, timeout or TLS handshake failure."""

    default_hint = ("Check the URL (CM listens on 7180, or 7183 with TLS), that the Cloudera Manager server "
                    "is running, and that this host may reach it (security groups, VPN).")


class ApiError(ClouderaError):
    """Any other HTTP error status (400, 409, 500, ...), with CM's own message."""

    default_hint = "Cloudera Manager rejected the request; its message above says why."


class CommandGone(ClouderaError):
    """A replication command (or the schedule it belonged to) that Ferry started no longer exists
    in Cloudera Manager: CM was restarted and lost it, or its command history was purged. Its
    progress can never be known; what it copied stays on the target."""

    default_hint = ("Cloudera Manager no longer knows this run (restarted, or its history purged). "
                    "Start the transfer again: the copy skips what is already on the target.")
