"""The one place the workspace calls the services: as the signed-in person, with a deadline.

    person = request.app.state.services.for_person(principal)     # or: services_for(request)
    incident = (await person.intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=...))).incident

Each attribute (`intake`, `gathering`, `criteria`, `decisions`, and `access_log(service)`)
is that service's stub whose every method sends the person's token (see tokens.py)
and the request id, applies the deadline, and turns a failed call into one of the
exceptions of `errors.py` (field violations kept for the form's error summary).
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from rapidreview.kernel.auth import Principal
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.kernel.logging import get_logger
from rapidreview.v1 import (
    access_log_pb2_grpc,
    criteria_pb2_grpc,
    decisions_pb2_grpc,
    gathering_pb2_grpc,
    intake_pb2_grpc,
)
from rapidreview.workspace import errors
from rapidreview.workspace.tokens import PersonTokens

log = get_logger(__name__)

STUBS: dict[str, Callable[[grpc.aio.Channel], Any]] = {
    "intake": intake_pb2_grpc.IntakeServiceStub,
    "gathering": gathering_pb2_grpc.GatheringServiceStub,
    "criteria": criteria_pb2_grpc.CriteriaServiceStub,
    "decisions": decisions_pb2_grpc.DecisionServiceStub,
}
#: The HTTP request being served; sent to the services as x-request-id so their logs line up.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("rr_ws_request_id", default="")

#: A person waits for a page: after a service restart, reconnect within seconds rather than
#: gRPC's default backoff of up to two minutes (calls fail fast meanwhile, with the unavailable page).
CHANNEL_OPTIONS = (("grpc.initial_reconnect_backoff_ms", 250), ("grpc.min_reconnect_backoff_ms", 250),
                   ("grpc.max_reconnect_backoff_ms", 2000))

_UNAVAILABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}


def translate(exc: grpc.aio.AioRpcError, service: str) -> errors.WorkspaceError:
    """The workspace exception for a failed call (its message is the service's, which never quotes data)."""
    code, details = exc.code(), exc.details() or ""
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return errors.InvalidInput(field_violations(exc), details, service=service)
    if code in (grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ALREADY_EXISTS):
        return errors.StepRefused(details, service=service)
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return errors.NotAllowed(details, service=service)
    if code == grpc.StatusCode.NOT_FOUND:
        return errors.NotFoundError(details, service=service)
    if code in _UNAVAILABLE:
        return errors.ServiceUnavailable(details, service=service)
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return errors.TooManyRequests(details, service=service)
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return errors.NotTrusted(details, service=service)
    return errors.ServiceFault(details, service=service)


class _PersonStub:
    """A service stub whose methods call as one person."""

    def __init__(self, service: str, stub: Any, token: str, timeout: float) -> None:
        self._service = service
        self._stub = stub
        self._token = token
        self._timeout = timeout

    def __getattr__(self, rpc: str) -> Callable[..., Any]:
        method = getattr(self._stub, rpc)

        async def call(request: Any, *, timeout: float | None = None) -> Any:
            metadata = [("authorization", f"Bearer {self._token}")]
            request_id = current_request_id.get()
            if request_id:
                metadata.append(("x-request-id", request_id))
            try:
                return await method(request, metadata=tuple(metadata), timeout=timeout or self._timeout)
            except grpc.aio.AioRpcError as exc:
                log.info("service call failed", rpc=rpc, code=exc.code().name, target=self._service)
                raise translate(exc, self._service) from None

        return call


class PersonClient:
    """The four services (and their access logs) as one person."""

    def __init__(self, services: ServiceClients, principal: Principal) -> None:
        self.principal = principal
        self._services = services
        self._token = services.tokens.token_for(principal)

    def stub(self, service: str) -> _PersonStub:
        return _PersonStub(service, STUBS[service](self._services.channel(service)), self._token, self._services.timeout)

    @property
    def intake(self) -> Any:
        return self.stub("intake")

    @property
    def gathering(self) -> Any:
        return self.stub("gathering")

    @property
    def criteria(self) -> Any:
        return self.stub("criteria")

    @property
    def decisions(self) -> Any:
        return self.stub("decisions")

    def access_log(self, service: str) -> Any:
        """The AccessLogService of `service` (auditors)."""
        return _PersonStub(service, access_log_pb2_grpc.AccessLogServiceStub(self._services.channel(service)),
                           self._token, self._services.timeout)


class ServiceClients:
    """Channels to the four services (created on first use, in the running loop) and the token minter."""

    def __init__(self, addresses: dict[str, str], tokens: PersonTokens, *, timeout: float = 10.0,
                 tls_ca_file: Path | None = None, tls_cert_file: Path | None = None, tls_key_file: Path | None = None) -> None:
        self.addresses = addresses
        self.tokens = tokens
        self.timeout = timeout
        self._credentials = None
        if tls_ca_file:
            # The client certificate only opens services that require mutual TLS; the person's token says who calls.
            key = tls_key_file.read_bytes() if tls_key_file else None
            cert = tls_cert_file.read_bytes() if tls_cert_file else None
            self._credentials = grpc.ssl_channel_credentials(tls_ca_file.read_bytes(), key, cert)
        self._channels: dict[str, grpc.aio.Channel] = {}

    def channel(self, service: str) -> grpc.aio.Channel:
        channel = self._channels.get(service)
        if channel is None:
            address = self.addresses[service]
            channel = (grpc.aio.secure_channel(address, self._credentials, options=CHANNEL_OPTIONS) if self._credentials
                       else grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS))
            self._channels[service] = channel
        return channel

    def for_person(self, principal: Principal) -> PersonClient:
        return PersonClient(self, principal)

    async def health(self, timeout: float = 1.0) -> dict[str, str]:
        """Each service's grpc.health.v1 status ("SERVING", "NOT_SERVING" or "UNREACHABLE")."""
        from grpc_health.v1 import health_pb2, health_pb2_grpc

        out = {}
        for service in self.addresses:
            try:
                response = await health_pb2_grpc.HealthStub(self.channel(service)).Check(
                    health_pb2.HealthCheckRequest(service=""), timeout=timeout)
                out[service] = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
            except grpc.aio.AioRpcError:
                out[service] = "UNREACHABLE"
        return out

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()
