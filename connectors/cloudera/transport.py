"""cm-client plumbing: an ApiClient per Cloudera Manager, and the mapping of failures to our errors.

cm-client reads `cm_client.Configuration()`, a process-wide singleton, on every request for the
credentials and TLS settings. Two Cloudera Managers (AS-IS and TO-BE) need different ones, so
Our client (`client_class`) carries its own: it sets the Authorization header itself, owns its urllib3 pool (TLS
verification, pool size), puts a timeout on every request and counts requests.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import certifi
import urllib3

from connectors.cloudera.errors import ApiError, AuthError, ClouderaError, NotFoundError, UnreachableError

T = TypeVar("T")


def clean_url(url: str) -> tuple[str, str | None]:
    """'https://user:pw@cm:7183/api/v33/' -> ('https://cm:7183', 'v33'). Credentials never kept."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a Cloudera Manager URL (want http(s)://host:port): {parts.scheme}://{parts.hostname}")
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    version = None
    segs = [s for s in parts.path.split("/") if s]
    if len(segs) >= 2 and segs[0] == "api" and segs[1].startswith("v") and segs[1][1:].isdigit():
        version = segs[1]
    return urlunsplit((parts.scheme, netloc, "", "", "")), version


@functools.cache
def client_class() -> type:
    """cm-client's ApiClient with our own auth, pool and timeouts. Defined on first use: a class
    body here would import cm-client with the module (see connectors/lazy.py)."""
    import cm_client

    class Client(cm_client.ApiClient):
        def __init__(self, host: str, username: str, password: str, *, verify_tls: bool, ca_file: str | None,
                     timeout: float, pool_size: int) -> None:
            super().__init__(host=host)
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            self._auth = f"Basic {token}"
            self._timeout = (timeout, timeout)  # (connect, read): cm-client ignores a float total
            self._lock = threading.Lock()
            self.calls = 0
            self.rest_client.pool_manager = urllib3.PoolManager(
                num_pools=2, maxsize=max(1, pool_size), block=False,
                cert_reqs="CERT_REQUIRED" if verify_tls else "CERT_NONE",
                ca_certs=(ca_file or certifi.where()) if verify_tls else None,
                # no retries: a refused port fails at once, a read is never repeated behind the caller's
                # back (and urllib3 logs no retry warnings); callers decide whether to try again
                retries=urllib3.Retry(total=0, redirect=0),
            )

        def update_params_for_auth(self, headers: dict, querys: list, auth_settings: list | None) -> None:
            headers["Authorization"] = self._auth

        def request(self, method: str, url: str, query_params: Any = None, headers: Any = None, post_params: Any = None,
                    body: Any = None, _preload_content: bool = True, _request_timeout: Any = None) -> Any:
            with self._lock:
                self.calls += 1
            return super().request(method, url, query_params=query_params, headers=headers, post_params=post_params,
                                   body=body, _preload_content=_preload_content,
                                   _request_timeout=_request_timeout or self._timeout)

        def get_text(self, url: str) -> str:
            """A plain GET with our credentials (for /api/version, which cm-client has no method for)."""
            r = self.request("GET", url, headers={"Authorization": self._auth, "Accept": "text/plain"})
            return r.data if isinstance(r.data, str) else r.data.decode()

    return Client


def _api_exception() -> Any:
    from cm_client.rest import ApiException

    return ApiException


def _cm_message(exc: Any) -> str:
    try:
        msg = json.loads(exc.body or "{}").get("message")
    except (ValueError, AttributeError):
        msg = None
    return msg or (exc.reason or "no message")


def translate(exc: BaseException, *, url: str, what: str, cluster: str | None, secret: str) -> ClouderaError:
    """An exception from cm-client/urllib3 -> our typed error, scrubbed of the password."""
    def scrub(text: str) -> str:
        return text.replace(secret, "***") if secret and len(secret) >= 3 else text

    kw: dict[str, Any] = {"url": url, "what": what, "cluster": cluster}
    if isinstance(exc, _api_exception()):
        status = exc.status or None
        if not status:  # cm-client wraps TLS failures as status 0
            reason = scrub(str(exc.reason or "").splitlines()[0] if exc.reason else "TLS error")
            return UnreachableError(
                f"TLS handshake with Cloudera Manager failed ({reason})", status=None,
                hint="Check the CA bundle (ca_file) or the certificate of CM; verify_tls=False only for a lab.", **kw)
        msg = scrub(_cm_message(exc))
        if status == 401:
            return AuthError("Cloudera Manager refused the credentials (HTTP 401)", status=401, **kw)
        if status == 403:
            return AuthError(f"Cloudera Manager denied access (HTTP 403: {msg})", status=403,
                             hint="Give this CM user a role that may read this object (Read-Only at least).", **kw)
        if status == 404:
            return NotFoundError(f"Not found (HTTP 404: {msg})", status=404, **kw)
        return ApiError(f"Cloudera Manager answered HTTP {status}: {msg}", status=status, **kw)
    if isinstance(exc, urllib3.exceptions.HTTPError | OSError):
        reason = exc
        if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
            reason = exc.reason
        # Order matters: in urllib3 NameResolutionError < NewConnectionError < ConnectTimeoutError.
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            text = "host name does not resolve"
        elif isinstance(reason, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            text = "connection refused or host unreachable"
        elif isinstance(reason, urllib3.exceptions.TimeoutError | TimeoutError):
            text = "no answer within the timeout"
        else:
            text = type(reason).__name__
        return UnreachableError(f"Cannot reach Cloudera Manager ({text})", **kw)
    return ApiError(scrub(f"Unexpected failure: {type(exc).__name__}: {exc}"), **kw)


def call(fn: Callable[..., T], *args: Any, url: str, what: str, cluster: str | None, secret: str,
         **kwargs: Any) -> T:
    """Run one cm-client call, turning any failure into a ClouderaError."""
    try:
        return fn(*args, **kwargs)
    except ClouderaError:
        raise
    except Exception as exc:
        if not isinstance(exc, (_api_exception(), urllib3.exceptions.HTTPError, OSError)):
            raise
        raise translate(exc, url=url, what=what, cluster=cluster, secret=secret) from exc
