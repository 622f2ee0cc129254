"""Redshift snapshot sharing and copying: the two snapshot calls moto answers with HTTP 500.

A WSGI middleware in front of moto's app for the Redshift query protocol:

    AuthorizeSnapshotAccess  adds the account to the snapshot's AccountsWithRestoreAccess
                             (then shown by DescribeClusterSnapshots too); a second grant
                             to the same account is AuthorizationAlreadyExists, as in AWS.
    CopyClusterSnapshot      copies an *automated* snapshot to a new manual one (AWS refuses
                             a manual source with InvalidClusterSnapshotState).

Both act on moto's own snapshot objects and answer with moto's own rendering of the
snapshot (a DescribeClusterSnapshots answer, re-wrapped), so the XML is what botocore
expects. Every other call goes to moto untouched.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, urlencode

_CREDENTIAL = re.compile(r"Credential=([^/]+)/[^/]+/([^/]+)/redshift/")
_NS = "http://redshift.amazonaws.com/doc/2012-12-01/"
_ACCOUNT = re.compile(r"^([0-9]{12}|amazon-redshift-support)$")


class _Fault(Exception):
    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class RedshiftSnapshotSharing:
    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not match or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        params = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        action = params.get("Action")
        handler = {"AuthorizeSnapshotAccess": self._authorize, "CopyClusterSnapshot": self._copy}.get(action or "")
        if handler is None:
            return self.app(environ, start_response)
        from moto.iam.models import get_account_id_from
        from moto.redshift.models import redshift_backends

        backend = redshift_backends[get_account_id_from(match.group(1))][match.group(2)]
        try:
            snapshot_id = handler(backend, params, match.group(2))
        except _Fault as fault:
            return self._error(start_response, fault)
        return self._snapshot_answer(environ, start_response, action or "", snapshot_id)

    # -- actions ---------------------------------------------------------------------------
    @staticmethod
    def _find(backend: Any, snapshot_id: str | None, cluster_id: str | None) -> Any:
        snapshot = backend.snapshots.get(snapshot_id or "")
        if snapshot is None or (cluster_id and snapshot.cluster_identifier != cluster_id):
            raise _Fault("404 Not Found", "ClusterSnapshotNotFound", f"Snapshot {snapshot_id} not found.")
        return snapshot

    def _authorize(self, backend: Any, params: dict[str, str], region: str) -> str:
        snapshot_id = params.get("SnapshotIdentifier") or params.get("SnapshotArn", "").rsplit("/", 1)[-1]
        snapshot = self._find(backend, snapshot_id, params.get("SnapshotClusterIdentifier"))
        account = params.get("AccountWithRestoreAccess", "")
        if not _ACCOUNT.match(account):
            raise _Fault("400 Bad Request", "InvalidParameterValue", f"Invalid AccountWithRestoreAccess: {account}")
        granted = list(getattr(snapshot, "accounts_with_restore_access", None) or [])
        if any(g.get("AccountId") == account for g in granted):
            raise _Fault(
                "400 Bad Request",
                "AuthorizationAlreadyExists",
                f"The account {account} is already authorized to restore snapshot {snapshot_id}.",
            )
        snapshot.accounts_with_restore_access = [*granted, {"AccountId": account}]
        return snapshot.snapshot_identifier

    def _copy(self, backend: Any, params: dict[str, str], region: str) -> str:
        source = self._find(backend, params.get("SourceSnapshotIdentifier"), params.get("SourceSnapshotClusterIdentifier"))
        target = params.get("TargetSnapshotIdentifier", "")
        if source.snapshot_type != "automated":
            raise _Fault(
                "400 Bad Request",
                "InvalidClusterSnapshotState",
                "CopyClusterSnapshot copies automated snapshots only: the source is a manual snapshot.",
            )
        if not target:
            raise _Fault("400 Bad Request", "InvalidParameterValue", "TargetSnapshotIdentifier is required.")
        if target in backend.snapshots:
            raise _Fault(
                "400 Bad Request", "ClusterSnapshotAlreadyExists", f"Cannot create the snapshot because a snapshot with the identifier {target} already exists"
            )
        if source.cluster_identifier not in backend.clusters:
            # moto builds a snapshot from its cluster; AWS could copy without one.
            raise _Fault("404 Not Found", "ClusterNotFound", f"Cluster {source.cluster_identifier} not found.")
        backend.create_cluster_snapshot(source.cluster_identifier, target, region, None, snapshot_type="manual")
        return target

    # -- answers ---------------------------------------------------------------------------
    def _snapshot_answer(
        self, environ: dict[str, Any], start_response: Callable[..., Any], action: str, snapshot_id: str
    ) -> Iterable[bytes]:
        # Ask moto to render the snapshot (DescribeClusterSnapshots), then re-wrap it.
        query = urlencode({"Action": "DescribeClusterSnapshots", "Version": "2012-12-01", "SnapshotIdentifier": snapshot_id})
        inner = dict(environ, **{"wsgi.input": io.BytesIO(query.encode()), "CONTENT_LENGTH": str(len(query))})
        captured: dict[str, str] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"] = status
            return lambda _data: None

        chunks = self.app(inner, capture)
        try:
            text = b"".join(chunks).decode()
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        start, end = text.find("<Snapshot>"), text.rfind("</Snapshot>")
        if not captured.get("status", "").startswith("200") or start < 0 or end < 0:
            return self._error(start_response, _Fault("500 Internal Server Error", "InternalFailure", "snapshot not rendered"))
        snapshot_xml = text[start : end + len("</Snapshot>")]
        body = (
            f'<{action}Response xmlns="{_NS}"><{action}Result>{snapshot_xml}</{action}Result>'
            f"<ResponseMetadata><RequestId>{uuid.uuid4()}</RequestId></ResponseMetadata></{action}Response>"
        ).encode()
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]

    @staticmethod
    def _error(start_response: Callable[..., Any], fault: _Fault) -> Iterable[bytes]:
        body = (
            f'<ErrorResponse xmlns="{_NS}"><Error><Type>Sender</Type><Code>{fault.code}</Code>'
            f"<Message>{_xml_escape(fault.message)}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
        ).encode()
        start_response(fault.status, [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]
