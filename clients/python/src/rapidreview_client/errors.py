"""Failed calls as exceptions that carry what the service said.

Every failed RPC raises a `RapidReviewError` (a subclass per status code, e.g.
`InvalidArgumentError`). Invalid input carries the service's field violations
(`google.rpc.BadRequest` in the `grpc-status-details-bin` trailer) as
`error.field_violations`, so a partner system can show them next to its own
form fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

STATUS_DETAILS_KEY = "grpc-status-details-bin"


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field: its path in the request (snake_case, dots for nesting,
    e.g. "notification.child.child_ref") and what is wrong with it."""

    field: str
    description: str


class RapidReviewError(Exception):
    """A failed Rapid Review call."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        field_violations: Sequence[FieldViolation] = (),
        details: Sequence[any_pb2.Any] = (),
        request_id: str = "",
        idempotency_key: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field_violations = list(field_violations)
        self.details = list(details)
        self.request_id = request_id
        self.idempotency_key = idempotency_key
        self.attempts = attempts

    def __str__(self) -> str:
        text = f"{self.code.name}: {self.message}"
        for violation in self.field_violations:
            text += f"\n  - {violation.field}: {violation.description}"
        if self.request_id:
            text += f"\n  (request id {self.request_id}, {self.attempts} attempt{'s' if self.attempts != 1 else ''})"
        return text

    @property
    def retry_after(self) -> float | None:
        """Seconds the service asked the caller to wait before retrying (google.rpc.RetryInfo:
        sent with UNAVAILABLE when the service is overloaded, RESOURCE_EXHAUSTED over the rate
        limit), or None."""
        for detail in self.details:
            if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                info = error_details_pb2.RetryInfo()
                detail.Unpack(info)
                return info.retry_delay.ToNanoseconds() / 1e9
        return None

    @property
    def retryable(self) -> bool:
        """True for the codes a retry with the same idempotency key can cure."""
        return self.code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.ABORTED,
                             grpc.StatusCode.RESOURCE_EXHAUSTED)

    def violations_by_field(self) -> dict[str, list[str]]:
        """The field violations grouped by field path."""
        out: dict[str, list[str]] = {}
        for violation in self.field_violations:
            out.setdefault(violation.field, []).append(violation.description)
        return out

    @classmethod
    def from_rpc_error(cls, error: grpc.RpcError, *, request_id: str = "", idempotency_key: str = "", attempts: int = 1) -> RapidReviewError:
        """The exception for a failed grpcio call (sync or asyncio)."""
        code = _call(error, "code") or grpc.StatusCode.UNKNOWN
        message = _call(error, "details") or ""
        details: list[any_pb2.Any] = []
        violations: list[FieldViolation] = []
        status = decode_status(_call(error, "trailing_metadata") or ())
        if status is not None:
            message = status.message or message
            details = list(status.details)
            violations = field_violations_of(details)
        error_type = _BY_CODE.get(code, RapidReviewError)
        return error_type(code, message, field_violations=violations, details=details, request_id=request_id,
                          idempotency_key=idempotency_key, attempts=attempts)


def _call(error: Any, name: str) -> Any:
    method = getattr(error, name, None)
    if method is None:
        return None
    try:
        return method()
    except Exception:  # noqa: BLE001 - a half-formed error object: treat as absent
        return None


def decode_status(trailing_metadata: Iterable[tuple[str, Any]]) -> status_pb2.Status | None:
    """The google.rpc.Status in the `grpc-status-details-bin` trailer, if any."""
    for key, value in trailing_metadata:
        if key == STATUS_DETAILS_KEY and isinstance(value, bytes):
            status = status_pb2.Status()
            try:
                status.ParseFromString(value)
            except Exception:  # noqa: BLE001 - undecodable details: ignore them
                return None
            return status
    return None


def field_violations_of(details: Iterable[any_pb2.Any]) -> list[FieldViolation]:
    """The BadRequest field violations among `details`."""
    out: list[FieldViolation] = []
    for detail in details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            out.extend(FieldViolation(v.field, v.description) for v in bad.field_violations)
    return out


class InvalidArgumentError(RapidReviewError):
    """The request is invalid; `field_violations` says which fields and why."""


class FailedPreconditionError(RapidReviewError):
    """A step is done out of order; the message names the missing step."""


class AlreadyExistsError(RapidReviewError):
    """The idempotency key was used before with a different body."""


class NotFoundError(RapidReviewError):
    """The case or record does not exist (for an agency: the case has no information request
    for it). A case of another partnership is PermissionDeniedError, not hidden as not found."""


class UnauthenticatedError(RapidReviewError):
    """No valid token or client certificate."""


class PermissionDeniedError(RapidReviewError):
    """The caller's role may not call this RPC, or the data is another partnership's or agency's."""


class ResourceExhaustedError(RapidReviewError):
    """Over the rate limit: try again later."""


class UnavailableError(RapidReviewError):
    """The service could not be reached (after the configured retries)."""


class DeadlineExceededError(RapidReviewError):
    """No answer within the deadline (after the configured retries)."""


class InternalError(RapidReviewError):
    """A fault in the service; quote `request_id` when reporting it."""


_BY_CODE: dict[grpc.StatusCode, type[RapidReviewError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    grpc.StatusCode.NOT_FOUND: NotFoundError,
    grpc.StatusCode.UNAUTHENTICATED: UnauthenticatedError,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    grpc.StatusCode.UNAVAILABLE: UnavailableError,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    grpc.StatusCode.INTERNAL: InternalError,
}
