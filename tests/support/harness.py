"""Runs services in-process against the real NATS and PostgreSQL fixtures, and
gives tests authenticated gRPC stubs. Waiting is always on a condition with a bound."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Role
from rapidreview.kernel.config import load_settings
from rapidreview.kernel.runtime import Infrastructure, ServiceParts, run_service
from rapidreview.stack import NatsServer
from rapidreview.stack.credentials import DevCredentials
from rapidreview.stack.ports import free_port


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 15.0, interval: float = 0.05, what: str = "condition") -> Any:
    """Polls `check` until it returns something truthy, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


async def handled(service: RunningService, event_id: str) -> None:
    """Waits until `service`'s consumers have handled the event: its inbox row is committed,
    with whatever the event changed (or, for an event that changes nothing, alone)."""
    from sqlalchemy import text

    schema = service.service

    async def seen() -> bool:
        assert service.infra is not None
        async with service.infra.db.transaction() as session:
            found = await session.execute(text(f"SELECT 1 FROM {schema}.inbox WHERE event_id = :event_id"),
                                          {"event_id": event_id})
            return found.first() is not None

    await eventually(seen, what=f"{schema} to handle event {event_id}")


@contextmanager
def private_nats(prefix: str = "rr-own-nats-") -> Iterator[NatsServer]:
    """A nats-server of the caller's own, in a folder removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    server = NatsServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)



async def streamed_event_ids(nats_url: str, subject: str = "rr.v1.>") -> list[str]:
    """The event ids of the events stream's messages on `subject`, in stream order (an ephemeral
    pull consumer reads them all; for a NATS of the test's own)."""
    import nats
    import nats.errors

    from rapidreview.kernel.events import EVENTS_STREAM
    from rapidreview.v1 import events_pb2

    nc = await nats.connect(nats_url)
    try:
        sub = await nc.jetstream().pull_subscribe(subject, durable=None, stream=EVENTS_STREAM)
        out: list[str] = []
        while True:
            try:
                msgs = await sub.fetch(100, timeout=0.5)
            except (nats.errors.TimeoutError, TimeoutError):
                return out
            for m in msgs:
                out.append(events_pb2.EventEnvelope.FromString(m.data).event_id)
                await m.ack()
    finally:
        await nc.close()

_RULEBOOK: Any = None


def shared_rulebook() -> Any:
    """One rule book per test process: durable-rules rulesets can never be
    unregistered and each costs idle CPU, so every in-process service shares it."""
    global _RULEBOOK
    if _RULEBOOK is None:
        from rapidreview.rules import Rulebook

        _RULEBOOK = Rulebook.load_default()
    return _RULEBOOK


def builder(service: str, **build_kwargs: Any) -> Callable[..., tuple[Infrastructure, ServiceParts]]:
    """The service's `build(settings)`; intake and criteria get the shared rule book
    unless `build_kwargs` says otherwise (e.g. a rule book of a temporary edition)."""
    build = _service_build(service)
    if build_kwargs:
        return lambda settings: build(settings, **build_kwargs)
    if service in ("intake", "criteria"):
        return lambda settings: build(settings, rulebook=shared_rulebook())
    return build


def _service_build(service: str) -> Callable[..., tuple[Infrastructure, ServiceParts]]:
    if service == "intake":
        from rapidreview.intake.bootstrap import build
    elif service == "gathering":
        from rapidreview.gathering.bootstrap import build  # type: ignore[no-redef]
    elif service == "criteria":
        from rapidreview.criteria.bootstrap import build  # type: ignore[no-redef]
    elif service == "decisions":
        from rapidreview.decisions.bootstrap import build  # type: ignore[no-redef]
    else:
        raise ValueError(service)
    return build


@dataclass
class RunningService:
    """One service running in this process; `stop()` shuts it down gracefully."""

    service: str
    env: dict[str, str]
    infra: Infrastructure | None = None
    #: Extra arguments of the service's `build` (e.g. `rulebook=` / `rules=` of a temporary edition).
    build_kwargs: dict[str, Any] = field(default_factory=dict)
    port: int = 0
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None

    async def start(self, wait_ready: bool = True) -> RunningService:
        self.port = self.port or free_port()
        env = dict(self.env, RR_GRPC_LISTEN=f"127.0.0.1:{self.port}")
        settings = load_settings(self.service, env)
        self.infra, parts = builder(self.service, **self.build_kwargs)(settings)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(run_service(self.infra, parts, ACCESS_TABLE, stop=self._stop))
        if wait_ready:
            await self.wait_health(health_pb2.HealthCheckResponse.SERVING)
        return self

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def health(self) -> int:
        async with grpc.aio.insecure_channel(self.address) as channel:
            try:
                response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                return response.status
            except grpc.aio.AioRpcError:
                return -1

    async def wait_health(self, status: int, timeout: float = 30.0) -> None:
        async def check() -> bool:
            if self._task is not None and self._task.done():
                self._task.result()  # surface start-up errors
            return await self.health() == status

        await eventually(check, timeout=timeout, interval=0.1, what=f"{self.service} health {status}")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, 30)

    async def restart(self) -> None:
        await self.stop()
        await self.start()


def service_env(database_url: str, nats_url: str, creds: DevCredentials, **extra: str) -> dict[str, str]:
    env = {
        "RR_DATABASE_URL": database_url,
        "RR_NATS_URL": nats_url,
        "RR_CLOCK_WATCH_INTERVAL": "0.2",
        "RR_CONSUMER_ACK_WAIT": "5",
        "RR_CONSUMER_BACKOFF": "0.2,0.5,1",
        # Services run in this one process share its event loop: one service's lag (a PDF render,
        # a busy test machine) is not another's overload, so in-process tests shed on calls in
        # progress only (tests/integration/kernel/test_overload.py tests the lag on its own).
        "RR_OVERLOAD_LOOP_LAG": "0",
        **creds.service_env(),
    }
    env.update(extra)
    return env


class Caller:
    """Authenticated call options for one role."""

    def __init__(self, creds: DevCredentials, role: Role, partnership: str = "leeds", agency: str = "") -> None:
        self.token = creds.token(role, partnership=partnership, agency=agency)

    def metadata(self, request_id: str = "") -> tuple[tuple[str, str], ...]:
        md: tuple[tuple[str, str], ...] = (("authorization", f"Bearer {self.token}"),)
        if request_id:
            md += (("x-request-id", request_id),)
        return md


def dev_credentials(folder: Path) -> DevCredentials:
    return DevCredentials.ensure(folder)
