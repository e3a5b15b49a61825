"""Turning API errors into gRPC statuses with rich details, and back (for clients and tests)."""

from __future__ import annotations

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from rapidreview.kernel.errors import ApiError, InvalidArgument


#: Budget for the field violations of one status: they travel in a trailer, and clients
#: refuse trailers over 8 KiB by default (a refused trailer turns INVALID_ARGUMENT into
#: RESOURCE_EXHAUSTED). The first violations are listed, then how many more there were.
MAX_DETAILS_BYTES = 4096


def to_status(error: ApiError) -> grpc.Status:
    """A grpc.Status carrying google.rpc.Status (with BadRequest for field violations)."""
    status = status_pb2.Status(code=error.code.value[0], message=error.message)
    if isinstance(error, InvalidArgument):
        bad_request = error_details_pb2.BadRequest()
        for i, (field, description) in enumerate(error.violations):
            violation = error_details_pb2.BadRequest.FieldViolation(field=field[:200], description=description[:300])
            if bad_request.ByteSize() + violation.ByteSize() > MAX_DETAILS_BYTES:
                bad_request.field_violations.add(field="request", description=f"{len(error.violations) - i} more field violations not listed")
                break
            bad_request.field_violations.append(violation)
        detail = any_pb2.Any()
        detail.Pack(bad_request)
        status.details.append(detail)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        # When to try again, in the standard detail clients and gateways read (google.rpc.RetryInfo).
        info = error_details_pb2.RetryInfo()
        info.retry_delay.FromNanoseconds(int(retry_after * 1e9))
        detail = any_pb2.Any()
        detail.Pack(info)
        status.details.append(detail)
    return rpc_status.to_status(status)


def retry_delay(error: grpc.aio.AioRpcError | grpc.RpcError) -> float | None:
    """The google.rpc.RetryInfo delay (seconds) carried by a failed call, if any."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status is not None else ():
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return info.retry_delay.ToNanoseconds() / 1e9
    return None


def internal_status(request_id: str) -> grpc.Status:
    return rpc_status.to_status(
        status_pb2.Status(code=code_pb2.INTERNAL, message=f"internal error; quote request id {request_id}")
    )


def unavailable_status(request_id: str) -> grpc.Status:
    return rpc_status.to_status(
        status_pb2.Status(code=code_pb2.UNAVAILABLE, message=f"the database is unavailable; retry (request id {request_id})")
    )


def aborted_status(request_id: str) -> grpc.Status:
    return rpc_status.to_status(
        status_pb2.Status(code=code_pb2.ABORTED,
                          message=f"the change met a concurrent one and was not made; retry (request id {request_id})")
    )


def transaction_conflict(exc: BaseException | None) -> bool:
    """True when `exc`, or what caused it, is PostgreSQL ending a transaction because of a
    concurrent one (deadlock detected, serialization failure): nothing of it was stored, and
    running it again is expected to succeed."""
    import asyncpg

    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)) or \
                getattr(exc, "sqlstate", None) in ("40P01", "40001"):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


def database_unavailable(exc: BaseException | None) -> bool:
    """True when `exc`, or what caused it, says the database cannot be reached right now
    (refused or lost connection, server starting up or shutting down)."""
    import asyncpg
    from sqlalchemy.exc import DBAPIError

    gone = (asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError,
            asyncpg.CrashShutdownError, asyncpg.ConnectionDoesNotExistError)
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, (ConnectionError, *gone)) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__ or exc.__context__
    return False


def field_violations(error: grpc.aio.AioRpcError | grpc.RpcError) -> list[tuple[str, str]]:
    """The BadRequest field violations carried by a failed call (empty if none)."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is None:
        return []
    out: list[tuple[str, str]] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            out.extend((v.field, v.description) for v in bad.field_violations)
    return out
