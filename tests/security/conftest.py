"""The four services in this process, on a PostgreSQL database and a nats-server of
their own (so that no other test's events reach their durable consumers), with
authenticated callers for every role."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import grpc
import pytest
import structlog
from sqlalchemy import text

from rapidreview.kernel.auth import Role
from rapidreview.kernel.logging import configure_logging
from rapidreview.stack import NatsServer
from rapidreview.stack.credentials import DevCredentials
from rapidreview.v1 import (
    access_log_pb2_grpc, criteria_pb2_grpc, decisions_pb2_grpc, gathering_pb2_grpc, intake_pb2_grpc,
)
from tests.support.harness import Caller, RunningService, dev_credentials, private_nats, service_env

SERVICES = ("intake", "gathering", "criteria", "decisions")
#: One "today" for every service, late enough for every example date of the worked case.
TODAY = "2025-01-20"
PARTNERSHIP = "leeds"
OTHER_PARTNERSHIP = "bradford"
#: The agency every agency-role caller speaks for, unless a test says otherwise.
AGENCY = "west-yorkshire-police"
STUBS = {
    "intake": intake_pb2_grpc.IntakeServiceStub,
    "gathering": gathering_pb2_grpc.GatheringServiceStub,
    "criteria": criteria_pb2_grpc.CriteriaServiceStub,
    "decisions": decisions_pb2_grpc.DecisionServiceStub,
}


@dataclass
class Stack:
    """The running services, an open channel to each, and callers for every role."""

    creds: DevCredentials
    nats_url: str
    database_url: str
    env: dict[str, str]
    services: dict[str, RunningService] = field(default_factory=dict)
    channels: dict[str, grpc.aio.Channel] = field(default_factory=dict)

    def stub(self, service: str):  # type: ignore[no-untyped-def]
        return STUBS[service](self.channels[service])

    def access_log(self, service: str) -> access_log_pb2_grpc.AccessLogServiceStub:
        return access_log_pb2_grpc.AccessLogServiceStub(self.channels[service])

    def caller(self, role: Role, partnership: str = PARTNERSHIP, agency: str = "") -> Caller:
        if role is Role.AGENCY and not agency:
            agency = AGENCY
        return Caller(self.creds, role, partnership=partnership, agency=agency)

    def md(self, role: Role, partnership: str = PARTNERSHIP, agency: str = "") -> tuple[tuple[str, str], ...]:
        return self.caller(role, partnership, agency).metadata()

    async def start(self, only: tuple[str, ...] = SERVICES) -> None:
        for name in only:
            env = dict(self.env)
            if name == "decisions":  # it reads the other three through their APIs (reports, figures)
                env.update({f"RR_{peer.upper()}_ADDR": running.address for peer, running in self.services.items()
                            if peer in ("intake", "gathering", "criteria")})
            service = RunningService(name, env)
            self.services[name] = service
            await service.start()
            self.channels[name] = grpc.aio.insecure_channel(service.address)

    async def stop(self) -> None:
        for channel in self.channels.values():
            await channel.close()
        self.channels.clear()
        for service in self.services.values():
            await stop_quickly(service)
        self.services.clear()

    async def restart(self, **env: str) -> None:
        """Stops every service and starts them again with `env` added to their environment."""
        names = tuple(self.services)
        await self.stop()
        self.env.update(env)
        await self.start(names)


async def row_counts(stack: Stack) -> dict[str, int]:
    """Rows per table of every service schema, except the access log (which records refusals by design)."""
    engine = next(iter(stack.services.values())).infra.db.engine  # type: ignore[union-attr]
    async with engine.connect() as conn:
        tables = (await conn.execute(text(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema IN "
            "('intake', 'gathering', 'criteria', 'decisions') AND table_type = 'BASE TABLE' AND table_name <> 'access_log' "
            "AND table_name <> 'alembic_version'"))).scalars().all()
        counts = {}
        for table in tables:
            counts[table] = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    return counts


async def settle(stack: Stack, timeout: float = 60) -> None:
    """Waits until every outbox row is published (or parked) and every durable consumer is
    idle: what an accepted call set off elsewhere is done before the next refusal is judged."""
    import nats

    from rapidreview.kernel.events import EVENTS_STREAM
    from tests.support.harness import eventually

    engine = next(iter(stack.services.values())).infra.db.engine  # type: ignore[union-attr]
    nc = await nats.connect(stack.nats_url)
    try:
        js = nc.jetstream()

        async def quiet() -> bool:
            async with engine.connect() as conn:
                for schema in SERVICES:
                    if (await conn.execute(text(f"SELECT count(*) FROM {schema}.outbox WHERE published_at IS NULL "
                                                "AND parked_at IS NULL"))).scalar_one():
                        return False
            for info in await js.consumers_info(EVENTS_STREAM):
                if info.num_pending or info.num_ack_pending:
                    return False
            return True

        await eventually(quiet, timeout=timeout, interval=0.05, what="outboxes published and consumers idle")
    finally:
        await nc.close()


async def stop_quickly(service: RunningService) -> None:
    """Stops a service without draining its NATS connection first: an idle pull
    subscription can make a drain wait out its whole timeout (see the criteria
    tests), and closing first is what a crash does anyway."""
    if service.infra is not None and service.infra.bus.nc is not None and not service.infra.bus.nc.is_closed:
        await service.infra.bus.nc.close()
    await service.stop()


@contextmanager
def service_logs(stream: TextIO, level: str = "INFO") -> Iterator[TextIO]:
    """The services' JSON log (as in production) into `stream` for the block; the logging
    set-up before it is restored afterwards (a test's capture streams close after it)."""
    saved, handlers, root_level = structlog.get_config(), logging.root.handlers[:], logging.root.level
    configure_logging("security", level, stream=stream)
    try:
        yield stream
    finally:
        structlog.configure(**saved)
        structlog.contextvars.unbind_contextvars("service")
        logging.root.handlers[:] = handlers
        logging.root.setLevel(root_level)


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory) -> DevCredentials:
    return dev_credentials(Path(tmp_path_factory.mktemp("creds")))


@pytest.fixture(scope="module")
def own_nats() -> Iterator[NatsServer]:
    with private_nats("rr-security-nats-") as server:
        yield server


@pytest.fixture(scope="module")
def own_database(postgres_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    name = f"security_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name)
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


#: The partnership registry of the suites: tokens naming another partnership, or (in
#: bradford) another agency, are refused.
REGISTRY = f"""\
partnerships:
  {PARTNERSHIP}: {{}}
  {OTHER_PARTNERSHIP}:
    agencies: [{AGENCY}]
"""


def security_env(database_url: str, nats_url: str, creds: DevCredentials, **extra: str) -> dict[str, str]:
    """The services' environment: a fixed today, a partnership registry, and a rate limit
    no test reaches (rate limiting has its own test)."""
    registry = creds.folder / "partnerships.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    settings = {"RR_TODAY": TODAY, "RR_RATE_LIMIT_RPS": "100000", "RR_RATE_LIMIT_BURST": "100000",
                "RR_PARTNERSHIP_CONFIG_FILE": str(registry), **extra}
    return service_env(database_url, nats_url, creds, **settings)


@pytest.fixture(scope="module")
async def stack(own_database, own_nats, creds) -> AsyncIterator[Stack]:  # type: ignore[no-untyped-def]
    running = Stack(creds, own_nats.url, own_database, security_env(own_database, own_nats.url, creds))
    try:
        await running.start()
        yield running
    finally:
        await running.stop()
