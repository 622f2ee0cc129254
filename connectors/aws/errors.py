"""Typed errors for every AWS call Ferry makes.

A caller (a transfer backend, a verb) needs three things from a failure: which service and
call failed, a message a person can act on, and whether trying again later could help. It
never needs botocore's exception zoo, so `translate` folds that into one small hierarchy.
Messages carry the service's own error code and message, never request parameters, so a
secret passed to a call cannot end up in a log line or a Slack message.
"""

from __future__ import annotations

import re

# Error codes AWS uses for "slow down" and "try again": worth a retry with backoff.
_RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalException",
    }
)
_AUTH_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
    }
)
_HTML = re.compile(r"^\s*<(!doctype|html)", re.I)


class AwsError(Exception):
    """An AWS call failed. `service` is boto3's service name ("datasync"), `operation` the API
    name ("StartTaskExecution"), `code` AWS's error code when it sent one, `retryable` whether
    the same call may succeed later (throttling, 5xx, network)."""

    def __init__(
        self,
        service: str,
        operation: str,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        retryable: bool = False,
    ) -> None:
        self.service = service
        self.operation = operation
        self.code = code
        self.http_status = http_status
        self.retryable = retryable
        self.reason = message
        prefix = f"{service} {operation} failed"
        super().__init__(f"{prefix}: {code}: {message}" if code else f"{prefix}: {message}")


class AwsUnreachable(AwsError):
    """The endpoint did not answer (connection refused, timeout, connection dropped)."""


class AwsNotFound(AwsError):
    """The named bucket, cluster, snapshot, secret, ... does not exist (or is not visible)."""


class AwsAlreadyExists(AwsError):
    """The thing to create exists already: the caller may treat the call as done."""


class AwsAuthError(AwsError):
    """No credentials, wrong credentials, or not allowed."""


def _clean(text: str, http_status: int | None) -> str:
    # An HTML page instead of an AWS error: moto's answer to a call it does not implement
    # (500), or a proxy or load balancer in the way (502, 503, 504). Quoting the page would
    # bury the point, so say what it means instead.
    if _HTML.match(text or ""):
        if http_status == 500:
            return "HTTP 500 with an HTML page instead of an AWS answer: the endpoint does not implement this call"
        return f"HTTP {http_status or '?'} with an HTML page instead of an AWS answer: a proxy or load balancer in the way?"
    text = " ".join((text or "").split())
    return text[:500] or f"HTTP {http_status or '?'} without an error message"


def translate(exc: Exception, service: str, operation: str, endpoint: str) -> AwsError:
    """The AwsError for a botocore exception raised by `operation`. Stubber's own assertion
    errors are not translated (the caller re-raises them, so a test sees its own mistake)."""
    # botocore is imported when something failed, not when Ferry starts (a short verb never
    # reaches AWS and must not pay for loading it).
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectionClosedError,
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        ParamValidationError,
        PartialCredentialsError,
        ReadTimeoutError,
    )
    from botocore.parsers import ResponseParserError
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = str(error.get("Code") or status or "Unknown")
        message = _clean(str(error.get("Message") or ""), status)
        retryable = code in _RETRYABLE_CODES or (isinstance(status, int) and status >= 500)
        if _HTML.match(str(error.get("Message") or "")) and status == 500:
            retryable = False  # an unimplemented call stays unimplemented
        cls: type[AwsError] = AwsError
        if code in _AUTH_CODES:
            cls = AwsAuthError
        elif code.startswith("NoSuch") or code.endswith(("NotFound", "NotFoundException", "NotFoundFault")):
            cls = AwsNotFound
        elif "AlreadyExists" in code or code in ("BucketAlreadyOwnedByYou", "ResourceExistsException"):
            cls = AwsAlreadyExists
        elif code == "404":
            cls = AwsNotFound
        return cls(service, operation, message, code=code, http_status=status, retryable=retryable)
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)):
        return AwsUnreachable(service, operation, f"cannot reach {endpoint}: {exc}", retryable=True)
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return AwsAuthError(service, operation, f"no usable AWS credentials: {exc}")
    if isinstance(exc, ResponseParserError):
        return AwsError(
            service,
            operation,
            f"unreadable answer from {endpoint} (not an AWS response): the endpoint does not implement this call, "
            "or a proxy answered instead",
        )
    if isinstance(exc, ParamValidationError):
        return AwsError(service, operation, f"invalid request: {exc}")
    if isinstance(exc, BotoCoreError):
        return AwsError(service, operation, str(exc), retryable=False)
    return AwsError(service, operation, f"{type(exc).__name__}: {exc}")


def is_stubber_error(exc: BaseException) -> bool:
    """True for botocore Stubber's assertion errors, which must reach the test unchanged."""
    from botocore.exceptions import StubResponseError

    return isinstance(exc, StubResponseError)
