"""Errors that are part of the API.

Handlers raise these; the gRPC interceptor turns them into the right status
code with rich details (google.rpc.BadRequest field violations). Messages must
never quote the caller's data: they name fields and steps, not values.
"""

from __future__ import annotations

from collections.abc import Iterable

import grpc


class ApiError(Exception):
    """Base of every deliberate API error."""

    code: grpc.StatusCode = grpc.StatusCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(ApiError):
    """Bad input. `violations` are (field path, description) pairs."""

    code = grpc.StatusCode.INVALID_ARGUMENT

    #: Fields named in the message; a request with thousands of bad items must not make a
    #: status message (a header) too large to send.
    MESSAGE_FIELDS = 10

    def __init__(self, violations: Iterable[tuple[str, str]], message: str | None = None) -> None:
        self.violations = list(violations)
        named = [field for field, _ in self.violations[: self.MESSAGE_FIELDS]]
        more = len(self.violations) - len(named)
        fields = ", ".join(named) + (f" and {more} more" if more > 0 else "")
        super().__init__(message or f"invalid request: {fields}")


class NotFound(ApiError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExists(ApiError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(ApiError):
    """A step is done out of order; the message names the missing step."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class PermissionDenied(ApiError):
    code = grpc.StatusCode.PERMISSION_DENIED


class Unauthenticated(ApiError):
    code = grpc.StatusCode.UNAUTHENTICATED


class ResourceExhausted(ApiError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(ApiError):
    code = grpc.StatusCode.UNAVAILABLE


class Violations:
    """Collects field violations; `raise_if_any()` raises InvalidArgument."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, description: str) -> None:
        self.items.append((field, description))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidArgument(self.items)
