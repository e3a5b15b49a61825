"""The process around a service: wires database, event bus, outbox relay,
consumers, background watchers and the gRPC server, and runs them until
SIGTERM/SIGINT, then shuts down gracefully (NOT_SERVING, drain, stop).

Each service's `bootstrap.py` builds a `ServiceParts` and calls `run_service`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc

from rapidreview.kernel.access_log import SERVICE_NAME as ACCESS_LOG_SERVICE
from rapidreview.kernel.admission import Admission
from rapidreview.kernel.access_log import AccessLog, AccessLogServicer
from rapidreview.kernel.auth import AccessTable, TokenVerifier
from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.config import Settings
from rapidreview.kernel.consumer import ConsumerSpec, EventConsumer
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.logging import configure_logging, get_logger
from rapidreview.kernel.metrics import serve_metrics
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.kernel.outbox import Outbox, OutboxRelay
from rapidreview.kernel.partnerships import PartnershipRegistry, load_registry
from rapidreview.kernel.tables import add_kernel_tables
from rapidreview.kernel.ratelimit import RateLimiter
from rapidreview.kernel.server import ApiInterceptor, GrpcServer, ServerSpec, bearer_authenticator, load_certificate_identities
from rapidreview.v1 import access_log_pb2_grpc

log = get_logger(__name__)


@dataclass
class Infrastructure:
    """What every service gets from the kernel, built from its settings."""

    settings: Settings
    db: Database
    bus: EventBus
    outbox: Outbox
    calendar: WorkingDayCalendar
    cipher: FieldCipher
    access_log: AccessLog
    admission: Admission = field(default_factory=Admission)

    def clock_today(self) -> dt.date:
        return self.calendar.today()


@dataclass
class ServiceParts:
    """What a service contributes: its gRPC services, consumers and watchers."""

    service_names: list[str]
    register: Callable[[grpc.aio.Server], None]
    consumers: list[ConsumerSpec] = field(default_factory=list)
    watchers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


def build_infrastructure(settings: Settings, metadata) -> Infrastructure:  # type: ignore[no-untyped-def]
    """Database, bus, outbox, calendar and cipher for `settings.service`; `metadata`
    is the service's MetaData (its outbox and inbox tables are added to it)."""
    add_kernel_tables(metadata)
    db = Database(settings.database_url)
    bus = EventBus(
        BusOptions(
            servers=settings.nats_url,
            name=f"rapidreview-{settings.service}",
            user=settings.nats_user,
            password=settings.nats_password,
            creds_file=str(settings.nats_creds_file) if settings.nats_creds_file else None,
            tls_ca_file=str(settings.nats_tls_ca_file) if settings.nats_tls_ca_file else None,
            stream_replicas=settings.nats_stream_replicas,
            inbox_prefix=f"_INBOX.{settings.service}",
        )
    )
    outbox = Outbox(metadata.tables[f"{metadata.schema}.outbox"], settings.service, publish_on_commit=True)
    today = (lambda: dt.date.fromisoformat(settings.today)) if settings.today else None
    calendar = WorkingDayCalendar(today)
    if settings.encryption_keys_file is None:
        raise RuntimeError("RR_ENCRYPTION_KEYS_FILE: required (free text is encrypted at rest)")
    cipher = FieldCipher(KeyRing.from_file(settings.encryption_keys_file))
    access_log = AccessLog(db, metadata.tables[f"{metadata.schema}.access_log"], service=settings.service)
    admission = Admission(settings.max_concurrent_rpcs, settings.overload_loop_lag)
    return Infrastructure(settings, db, bus, outbox, calendar, cipher, access_log, admission)


def partnership_registry(settings: Settings) -> PartnershipRegistry:
    """The registry the service checks token claims against (ConfigError when it is required
    but not configured, or its file is unreadable or malformed)."""
    return load_registry(settings.partnership_config_file, required=settings.partnership_registry_required)


def _interceptor(infra: Infrastructure, table: AccessTable) -> ApiInterceptor:
    settings = infra.settings
    registry = partnership_registry(settings)
    if registry.open:
        log.warning("no partnership registry (RR_PARTNERSHIP_CONFIG_FILE): any well-formed partnership and agency id is accepted")
    verifier = None
    if settings.jwt_public_keys_file is not None:
        verifier = TokenVerifier.from_file(settings.jwt_public_keys_file, settings.jwt_issuer, settings.jwt_audience, registry)
    identities = (load_certificate_identities(settings.tls_client_identities_file, registry)
                  if settings.tls_client_identities_file else None)
    return ApiInterceptor(
        bearer_authenticator(verifier, identities),
        table,
        rate_limiter=RateLimiter(settings.rate_limit_rps, settings.rate_limit_burst),
        recorder=infra.access_log.record,
        service=settings.service,
        admission=infra.admission,
    )


async def run_service(infra: Infrastructure, parts: ServiceParts, table: AccessTable, *, stop: asyncio.Event | None = None) -> None:
    """Runs the service until `stop` is set or SIGTERM/SIGINT arrives."""
    settings = infra.settings
    if settings.migrate_on_start:
        await upgrade_async(settings.service, settings.database_url)
    await infra.bus.start()
    metadata_inbox = infra.outbox.table.metadata.tables[f"{infra.outbox.table.schema}.inbox"]
    relay = OutboxRelay(infra.db, infra.bus, infra.outbox)
    consumers = [
        EventConsumer(spec, bus=infra.bus, db=infra.db, inbox=metadata_inbox, service=settings.service, after_commit=infra.outbox.wake_if_added)
        for spec in parts.consumers
    ]

    async def db_ready() -> bool:
        return await infra.db.ping()

    async def nats_ready() -> bool:
        return infra.bus.is_connected

    tls = None
    if settings.tls_cert_file and settings.tls_key_file:
        tls = (settings.tls_cert_file, settings.tls_key_file, settings.tls_client_ca_file)
    def register(server: grpc.aio.Server) -> None:
        parts.register(server)
        access_log_pb2_grpc.add_AccessLogServiceServicer_to_server(AccessLogServicer(infra.access_log), server)

    server = GrpcServer(
        ServerSpec([*parts.service_names, ACCESS_LOG_SERVICE], register, {"database": db_ready, "nats": nats_ready}),
        _interceptor(infra, table),
        settings.grpc_listen,
        tls=tls,
        health_listen=settings.health_listen,
    )
    serve_metrics(settings.metrics_listen)
    await server.start()
    tasks = [asyncio.create_task(relay.run(), name="outbox-relay"), asyncio.create_task(infra.access_log.run(), name="access-log"),
             asyncio.create_task(infra.admission.watch(), name="admission")]
    tasks += [asyncio.create_task(c.run(), name=f"consumer-{c.spec.durable}") for c in consumers]
    tasks += [asyncio.create_task(w(), name="watcher") for w in parts.watchers]
    log.info("service started", port=server.port)

    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    await stop.wait()
    log.info("service stopping")
    await server.stop(grace=10.0)
    # Consumers and watchers first, then the relay publishes and marks what they committed.
    relay_task, others = tasks[0], tasks[1:]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)
    relay.stop()
    try:
        async with asyncio.timeout(5):
            await asyncio.gather(relay_task, return_exceptions=True)
    except TimeoutError:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
    await infra.bus.close()
    await infra.db.dispose()
    log.info("service stopped")


def main(service: str, build: Callable[[Settings], tuple[Infrastructure, ServiceParts]], table: AccessTable) -> None:
    """Console entry point body shared by the four services."""
    from rapidreview.kernel.config import ConfigError, load_settings

    try:
        settings = load_settings(service)
        partnership_registry(settings)  # before anything starts: a missing or bad registry stops the service here
    except ConfigError as exc:
        raise SystemExit(f"configuration error: {exc}") from None
    configure_logging(service, settings.log_level)
    infra, parts = build(settings)
    run_on_event_loop(run_service(infra, parts, table), settings.event_loop)


def run_on_event_loop(main_coroutine: Awaitable[None], kind: str) -> None:
    """Runs `main_coroutine` to completion on a new event loop of `kind` (RR_EVENT_LOOP):
    "uvloop", libuv's loop (gRPC's asyncio server, asyncpg and nats-py run on any asyncio
    loop; docs/performance.md measures the gain), or "asyncio", the standard library's."""
    if kind == "uvloop":
        import uvloop

        uvloop.run(main_coroutine)  # type: ignore[arg-type]
    else:
        asyncio.run(main_coroutine)  # type: ignore[arg-type]
