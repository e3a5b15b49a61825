"""Python client for the Rapid Review gRPC API (package `rapidreview.v1`).

    from rapidreview_client import RapidReviewClient, InvalidArgumentError
    from rapidreview_client.v1 import intake_pb2

    with RapidReviewClient.from_env() as client:          # RR_INTAKE_ADDR, RR_TOKEN, ...
        try:
            response = client.intake.notify_incident(intake_pb2.NotifyIncidentRequest(notification=...))
        except InvalidArgumentError as error:
            for violation in error.field_violations:
                print(violation.field, violation.description)

Typed messages and raw gRPC stubs are in `rapidreview_client.v1` (generated
from the same protos as the services). See docs/integration.md in the
Rapid Review repository.
"""

from rapidreview_client._core import (
    NO_RETRY,
    USER_AGENT,
    AsyncConnection,
    ConfigurationError,
    Connection,
    RetryPolicy,
    Tls,
    __version__,
    ensure_idempotency_key,
    settings_from_env,
    token_from_file,
)
from rapidreview_client.errors import (
    AlreadyExistsError,
    DeadlineExceededError,
    FailedPreconditionError,
    FieldViolation,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    PermissionDeniedError,
    RapidReviewError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
)
from rapidreview_client.services import SERVICES, AsyncRapidReviewClient, RapidReviewClient

__all__ = [
    "NO_RETRY", "SERVICES", "USER_AGENT", "AlreadyExistsError", "AsyncConnection", "AsyncRapidReviewClient",
    "ConfigurationError", "Connection", "DeadlineExceededError", "FailedPreconditionError", "FieldViolation",
    "InternalError", "InvalidArgumentError", "NotFoundError", "PermissionDeniedError", "RapidReviewClient",
    "RapidReviewError", "ResourceExhaustedError", "RetryPolicy", "Tls", "UnauthenticatedError", "UnavailableError",
    "__version__", "ensure_idempotency_key", "settings_from_env", "token_from_file",
]
