"""gRPC aio server bootstrap shared by the four services.

Provides: the API interceptor (request id and caller bound into the log
context, authentication, the access table, API errors -> rich statuses, no
stack traces to callers), grpc.health.v1 reflecting real readiness, server
reflection, message size limits, TLS / mutual TLS, and graceful shutdown.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor_pool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from rapidreview.kernel.admission import Admission
from rapidreview.kernel.auth import (
    AccessTable, Principal, Role, TokenVerifier, authorise, principal_from_claims, reset_current_grant, set_current_grant,
)
from rapidreview.kernel.errors import ApiError, InvalidArgument, Unauthenticated
from rapidreview.kernel.grpc_errors import (
    aborted_status,
    database_unavailable,
    internal_status,
    to_status,
    transaction_conflict,
    unavailable_status,
)
from rapidreview.kernel.input_limits import InputLimits
from rapidreview.kernel import metrics
from rapidreview.kernel.logging import bind_context, get_logger
from rapidreview.kernel.partnerships import PartnershipRegistry
from rapidreview.kernel.ratelimit import RateLimiter
from rapidreview.kernel.responses import MAX_MESSAGE_BYTES

log = get_logger(__name__)

API_PREFIX = "/rapidreview."
#: How long a call may wait in gRPC's core for the service to take it before the core cancels it
#: (CANCELLED, never seen by the service; gRPC's default is 30 s). The aio server takes one call
#: per turn of the event loop, so under overload calls wait there: they must wait until the
#: caller's own deadline instead (DEADLINE_EXCEEDED, which callers retry with the same key), so
#: this is far longer than any deadline a partner system sets. kernel/admission.py sheds load
#: before it comes to that.
MAX_UNREQUESTED_SECONDS = 600
SERVER_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.so_reuseport", 0),
    ("grpc.server_max_unrequested_time_in_server", MAX_UNREQUESTED_SECONDS),
]

Authenticator = Callable[[dict[str, str], grpc.aio.ServicerContext], Principal]


CallRecorder = Callable[[str, "Principal | None", Any, str, str], None]


class ApiInterceptor(grpc.aio.ServerInterceptor):
    """Wraps every unary rapidreview RPC: authenticate, rate-limit, authorise,
    deserialize, call, map errors, and record the call in the access log."""

    def __init__(
        self,
        authenticate: Authenticator,
        table: AccessTable,
        *,
        rate_limiter: RateLimiter | None = None,
        recorder: CallRecorder | None = None,
        service: str = "",
        limits: InputLimits | None = None,
        admission: Admission | None = None,
    ) -> None:
        self.service = service
        self.admission = admission
        if limits is None:
            from rapidreview.limits import LIST_CAPS

            limits = InputLimits(LIST_CAPS)
        self.limits = limits
        # Every request type this table names must have a cap on each of its lists: a
        # missing one stops the service here rather than going unchecked.
        pool = descriptor_pool.Default()
        requests = []
        for method in table:
            try:
                requests.append(pool.FindMethodByName(method.strip("/").replace("/", ".")).input_type)
            except KeyError:
                continue  # another service's RPC, not loaded in this process
        limits.require_caps(requests)
        self.authenticate = authenticate
        self.table = table
        self.rate_limiter = rate_limiter
        self.recorder = recorder

    async def intercept_service(self, continuation: Callable[[Any], Awaitable[Any]], details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(details)
        if handler is None or not details.method.startswith(API_PREFIX) or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary
        deserialize = handler.request_deserializer
        method = details.method
        metadata = {k: v for k, v in (details.invocation_metadata or ()) if isinstance(v, str)}

        async def behaviour(raw: bytes, context: grpc.aio.ServicerContext) -> Any:
            request_id = metadata.get("x-request-id", "")[:64] or str(uuid.uuid4())
            started = time.perf_counter()
            principal: Principal | None = None
            request: Any = None
            with bind_context(request_id=request_id, rpc=method.rsplit("/", 1)[-1]):
                code = "OK"
                admitted = False
                try:
                    if self.admission is not None:
                        self.admission.enter()  # first and cheapest: an overloaded process refuses at once
                        admitted = True
                    principal = self.authenticate(metadata, context)
                    if self.rate_limiter is not None and principal.role is not Role.SERVICE:
                        self.rate_limiter.check(principal.subject)
                    grant = authorise(self.table, method, principal)
                    try:
                        request = deserialize(raw) if deserialize else raw
                    except Exception:  # noqa: BLE001 - bytes that are not the request message
                        raise InvalidArgument([("request", "not a valid message of this RPC")]) from None
                    if deserialize:
                        # List caps, distinct enum values, and no NUL (no text of the API holds one, and
                        # PostgreSQL refuses it in text) for every field of every RPC, before any handler:
                        # a handler never sees a list longer than its cap, and no query gets a NUL.
                        violations = self.limits.violations(request, nul=b"\x00" in raw)
                        if violations:
                            raise InvalidArgument(violations)
                    token = set_current_grant(grant)
                    try:
                        with bind_context(caller=principal.subject, role=principal.role.value):
                            return await inner(request, context)
                    finally:
                        reset_current_grant(token)
                except ApiError as error:
                    code = error.code.name
                    await context.abort_with_status(to_status(error))
                except asyncio.CancelledError:
                    code = "CANCELLED"
                    raise
                except Exception as exc:  # noqa: BLE001
                    if type(exc).__name__ in {"AbortError", "_AbortError"} or isinstance(exc, grpc.RpcError):
                        raise
                    if database_unavailable(exc):
                        # Not a bug: a restart or failover. The transaction rolled back, so the
                        # caller retries (with the same idempotency key) and nothing doubles.
                        code = "UNAVAILABLE"
                        log.warning("rpc failed: database unavailable", exc_type=type(exc).__name__)
                        await context.abort_with_status(unavailable_status(request_id))
                    if transaction_conflict(exc):
                        # Not a bug either: PostgreSQL ended the transaction for a concurrent one
                        # (a deadlock it broke), after the handler's own retries. Nothing was stored.
                        code = "ABORTED"
                        log.warning("rpc failed: transaction conflict", exc_type=type(exc).__name__)
                        await context.abort_with_status(aborted_status(request_id))
                    code = "INTERNAL"
                    log.error("rpc failed", exc_info=exc)
                    await context.abort_with_status(internal_status(request_id))
                finally:
                    if admitted:
                        self.admission.leave()  # type: ignore[union-attr]
                    elapsed = time.perf_counter() - started
                    log.info("rpc", code=code, duration_ms=round(elapsed * 1000, 2))
                    short = method.rsplit("/", 1)[-1]
                    metrics.RPC_CALLS.labels(self.service, short, code).inc()
                    metrics.RPC_SECONDS.labels(self.service, short).observe(elapsed)
                    if self.recorder is not None:
                        self.recorder(method, principal, request, code, request_id)

        return grpc.unary_unary_rpc_method_handler(
            behaviour, request_deserializer=None, response_serializer=handler.response_serializer
        )


def bearer_authenticator(verifier: TokenVerifier | None, cert_principals: dict[str, Principal] | None = None) -> Authenticator:
    """Authenticates by bearer token, or by mTLS client certificate common name
    when `cert_principals` maps it to a principal."""

    def authenticate(metadata: dict[str, str], context: grpc.aio.ServicerContext) -> Principal:
        header = metadata.get("authorization", "")
        if header.lower().startswith("bearer ") and verifier is not None:
            return verifier.verify(header[7:].strip())
        if cert_principals:
            auth = context.auth_context()
            for name in auth.get("x509_common_name", []):
                principal = cert_principals.get(name.decode())
                if principal is not None:
                    return principal
        raise Unauthenticated("a bearer token or client certificate is required")

    return authenticate


def load_certificate_identities(path: Path, registry: PartnershipRegistry | None = None) -> dict[str, Principal]:
    """Reads the mTLS identity map: certificate common name -> principal
    (YAML mapping of CN to {role, partnership, agency}), each checked like a
    token's claims (raises ConfigError naming the entry)."""
    import yaml

    from rapidreview.kernel.config import ConfigError

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError("RR_TLS_CLIENT_IDENTITIES_FILE: expected a mapping of common names")
    out = {}
    for n, (cn, v) in enumerate(data.items(), 1):
        claims = {"sub": f"cert:{cn}", "exp": 0, **(v if isinstance(v, dict) else {})}
        try:
            principal, _ = principal_from_claims(claims, registry or PartnershipRegistry())
        except Unauthenticated as exc:
            raise ConfigError(f"RR_TLS_CLIENT_IDENTITIES_FILE: entry {n}: {exc.message.removeprefix('invalid token: ')}") from None
        out[str(cn)] = principal
    return out


ReadinessCheck = Callable[[], Awaitable[bool]]


@dataclass
class ServerSpec:
    """What a service puts on its gRPC server."""

    service_names: list[str]  # full names, e.g. "rapidreview.v1.IntakeService"
    register: Callable[[grpc.aio.Server], None]
    readiness: dict[str, ReadinessCheck]


class GrpcServer:
    """A started gRPC server with health and reflection; `stop()` drains it."""

    def __init__(self, spec: ServerSpec, interceptor: ApiInterceptor, listen: str, *, tls: tuple[Path, Path, Path | None] | None = None,
                 health_listen: str = "") -> None:
        self.spec = spec
        self.server = grpc.aio.server(interceptors=[interceptor], options=SERVER_OPTIONS)
        self.health = HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        spec.register(self.server)
        reflection.enable_server_reflection([*spec.service_names, "grpc.health.v1.Health", reflection.SERVICE_NAME], self.server)
        if tls is None:
            self.port = self.server.add_insecure_port(listen)
        else:
            cert, key, client_ca = tls
            credentials = grpc.ssl_server_credentials(
                [(key.read_bytes(), cert.read_bytes())],
                root_certificates=client_ca.read_bytes() if client_ca else None,
                require_client_auth=client_ca is not None,
            )
            self.port = self.server.add_secure_port(listen, credentials)
        if self.port == 0:
            raise OSError(f"cannot bind gRPC server to {listen}")
        # Probes (e.g. kubelet's native gRPC probe) cannot speak TLS: a plaintext
        # listener that serves nothing but the same health status.
        self.health_server: grpc.aio.Server | None = None
        if health_listen:
            self.health_server = grpc.aio.server()
            health_pb2_grpc.add_HealthServicer_to_server(self.health, self.health_server)
            if self.health_server.add_insecure_port(health_listen) == 0:
                raise OSError(f"cannot bind the health listener to {health_listen}")
        self.ready = False
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for name in ("", *self.spec.service_names):
            await self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        await self.server.start()
        if self.health_server is not None:
            await self.health_server.start()
        self._watch = asyncio.create_task(self._watch_readiness(), name="readiness")

    async def _watch_readiness(self, interval: float = 0.5) -> None:
        while True:
            results = {}
            for name, check in self.spec.readiness.items():
                try:
                    results[name] = await check()
                except Exception:  # noqa: BLE001
                    results[name] = False
            ready = all(results.values())
            if ready != self.ready:
                log.info("readiness changed", ready=ready, checks={k: bool(v) for k, v in results.items()})
            self.ready = ready
            status = health_pb2.HealthCheckResponse.SERVING if ready else health_pb2.HealthCheckResponse.NOT_SERVING
            for name in ("", *self.spec.service_names):
                await self.health.set(name, status)
            await asyncio.sleep(interval)

    async def stop(self, grace: float = 10.0) -> None:
        """NOT_SERVING first (load balancers stop sending), then drain in-flight calls, then stop."""
        if self._watch is not None:
            self._watch.cancel()
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        if self.health_server is not None:
            await self.health_server.stop(None)

    async def wait(self) -> None:
        await self.server.wait_for_termination()
