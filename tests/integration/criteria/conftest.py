"""Criteria on a real PostgreSQL and its own nats-server per test (so that no
other test's events reach its durable consumer), fed with the events of intake,
gathering and decisions as those services publish them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import nats
import pytest
from nats.js.errors import NotFoundError
from google.protobuf import message as pb_message
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.criteria import storage
from rapidreview.kernel.auth import Role
from rapidreview.kernel.events import EVENTS_STREAM, new_event, subject_for
from rapidreview.v1 import criteria_pb2, criteria_pb2_grpc, events_pb2, intake_pb2
from tests.support.harness import Caller, RunningService, dev_credentials, eventually, service_env
from tests.unit.criteria import child_k

TODAY = "2024-06-26"
PRODUCERS = {"incident": "intake", "information": "gathering", "decision": "decisions", "review": "decisions"}


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory):
    return dev_credentials(Path(tmp_path_factory.mktemp("creds")))


@pytest.fixture
def criteria_env(fresh_database, own_nats, creds) -> dict[str, str]:
    return service_env(fresh_database, own_nats.url, creds, RR_TODAY=TODAY)


async def stop_quickly(service: RunningService) -> None:
    """Stops the service without draining its NATS connection first: a drain
    after an idle spell waits for pull-request status messages nats-py never
    marks done (the kernel bounds that wait); closing the connection is what a
    crash does, and keeps the tests quick."""
    if service.infra is not None and service.infra.bus.nc is not None:
        await service.infra.bus.nc.close()
    await service.stop()


@pytest.fixture
async def criteria(criteria_env) -> AsyncIterator[RunningService]:
    service = await RunningService("criteria", criteria_env).start()
    yield service
    await stop_quickly(service)


@pytest.fixture
async def stub(criteria) -> AsyncIterator[criteria_pb2_grpc.CriteriaServiceStub]:
    async with grpc.aio.insecure_channel(criteria.address) as channel:
        yield criteria_pb2_grpc.CriteriaServiceStub(channel)


@pytest.fixture
def bu(creds) -> Caller:
    return Caller(creds, Role.BUSINESS_UNIT)


@pytest.fixture
def case_id() -> str:
    return str(uuid.uuid4())


class Events:
    """Publishes events as their producers do, and reads what criteria published."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def publish(self, event_type: str, payload: pb_message.Message, *, case_id: str = "", partnership: str = "leeds",
                      msg_id: str | None = None, envelope: events_pb2.EventEnvelope | None = None) -> events_pb2.EventEnvelope:
        """Publishes `payload` in a new envelope (or `envelope` again) with Nats-Msg-Id = event id,
        unless `msg_id` says otherwise (a redelivery JetStream cannot de-duplicate)."""
        producer = PRODUCERS[event_type.split(".", 1)[0]]
        envelope = envelope or new_event(event_type, payload, producer=producer, case_id=case_id, partnership=partnership)
        nc = await nats.connect(self.url)
        try:
            await self._stream_ready(nc)
            await nc.jetstream().publish(subject_for(event_type, producer), envelope.SerializeToString(),
                                         headers={"Nats-Msg-Id": msg_id or envelope.event_id})
        finally:
            await nc.close()
        return envelope

    @staticmethod
    async def _stream_ready(nc) -> None:  # type: ignore[no-untyped-def]
        """Waits until a service has provisioned the events stream (it does so just after connecting)."""

        async def exists() -> bool:
            try:
                await nc.jetstream().stream_info(EVENTS_STREAM)
                return True
            except NotFoundError:
                return False

        await eventually(exists, what="the events stream")

    async def published(self, event_type: str) -> list[events_pb2.EventEnvelope]:
        """Every event of `event_type` in the stream, in order."""
        nc = await nats.connect(self.url)
        try:
            sub = await nc.jetstream().pull_subscribe(subject_for(event_type, "criteria"), durable=None, stream=EVENTS_STREAM)
            out: list[events_pb2.EventEnvelope] = []
            while True:
                try:
                    msgs = await sub.fetch(100, timeout=0.5)
                except (nats.errors.TimeoutError, TimeoutError):
                    return out
                out += [events_pb2.EventEnvelope.FromString(m.data) for m in msgs]
        finally:
            await nc.close()

    async def evaluated(self, case_id: str) -> list[criteria_pb2.Checklist]:
        """The checklists criteria.evaluated carried for a case, in order."""
        out = []
        for envelope in await self.published("criteria.evaluated"):
            if envelope.case_id == case_id:
                payload = criteria_pb2.CriteriaEvaluated()
                envelope.payload.Unpack(payload)
                out.append(payload.checklist)
        return out


@pytest.fixture
def events(own_nats) -> Events:
    return Events(own_nats.url)


class Database:
    """Direct reads of the criteria schema, for what the API does not show."""

    def __init__(self, url: str) -> None:
        self.engine = create_async_engine(url)

    async def count(self, table, *where) -> int:  # type: ignore[no-untyped-def]
        async with self.engine.connect() as conn:
            query = select(func.count()).select_from(table)
            for condition in where:
                query = query.where(condition)
            return int((await conn.execute(query)).scalar_one())

    async def unpublished(self) -> int:
        outbox = storage.metadata.tables["criteria.outbox"]
        return await self.count(outbox, outbox.c.published_at.is_(None))

    async def execute(self, statement) -> None:  # type: ignore[no-untyped-def]
        async with self.engine.begin() as conn:
            await conn.execute(statement)


@pytest.fixture
async def db(fresh_database) -> AsyncIterator[Database]:
    database = Database(fresh_database)
    yield database
    await database.engine.dispose()


async def evaluations_of(stub, caller: Caller, case_id: str, count: int) -> list[criteria_pb2.EvaluationSummary]:  # type: ignore[no-untyped-def]
    """Waits until the case has `count` stored evaluations; returns them newest first."""

    async def check():  # type: ignore[no-untyped-def]
        try:
            response = await stub.ListEvaluations(criteria_pb2.ListEvaluationsRequest(case_id=case_id), metadata=caller.metadata())
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        return list(response.evaluations) if len(response.evaluations) >= count else None

    found = await eventually(check, what=f"{count} evaluation(s) of the case")
    assert len(found) == count, f"expected exactly {count} evaluations, found {len(found)}"
    return found


async def notify(events: Events, case_id: str, **kwargs) -> events_pb2.EventEnvelope:  # type: ignore[no-untyped-def]
    """Publishes incident.notified for Child K under `case_id`."""
    return await events.publish("incident.notified", intake_pb2.IncidentNotified(incident=child_k.incident(case_id, **kwargs)),
                                case_id=case_id)


async def panel_notified(events: Events, case_id: str, sent: str = "2024-06-07") -> events_pb2.EventEnvelope:
    payload = intake_pb2.IncidentPanelNotified(case_id=case_id, panel_notification=intake_pb2.PanelNotification(
        reference="PANEL-2024-0607-K", sent_date=sent))
    return await events.publish("incident.panel_notified", payload, case_id=case_id)
