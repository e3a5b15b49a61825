"""What can go wrong when a page calls a service, as exceptions the pages understand.

`client.py` turns each failed gRPC call into one of these; `pages.py` registers a
handler for each, so a route that does not catch them still gives the person a
clear page (never a stack trace):

| gRPC status | exception | page |
|---|---|---|
| INVALID_ARGUMENT | `InvalidInput` (field violations) | the form again with the error summary (the route catches it); else 400 |
| FAILED_PRECONDITION, ALREADY_EXISTS | `StepRefused` | 409 "this cannot be done now", with the service's reason |
| PERMISSION_DENIED | `NotAllowed` | 403 |
| NOT_FOUND | `NotFoundError` | 404 |
| UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED | `ServiceUnavailable` | 503 "service unavailable; nothing was saved" |
| RESOURCE_EXHAUSTED | `TooManyRequests` | 429 |
| UNAUTHENTICATED | `NotTrusted` | 502: the services do not trust the workspace key (a set-up fault) |
| anything else | `ServiceFault` | 500 with the request id |
"""

from __future__ import annotations


class WorkspaceError(Exception):
    """Base of the errors a page can meet; `message` never quotes the person's data."""

    status = 500

    def __init__(self, message: str = "", *, service: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.service = service


class InvalidInput(WorkspaceError):
    status = 400

    def __init__(self, violations: list[tuple[str, str]], message: str = "", *, service: str = "") -> None:
        super().__init__(message, service=service)
        self.violations = violations


class StepRefused(WorkspaceError):
    status = 409


class NotAllowed(WorkspaceError):
    status = 403


class NotFoundError(WorkspaceError):
    status = 404


class ServiceUnavailable(WorkspaceError):
    status = 503


class TooManyRequests(WorkspaceError):
    status = 429


class NotTrusted(WorkspaceError):
    status = 502


class ServiceFault(WorkspaceError):
    status = 500
