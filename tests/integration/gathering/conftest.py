"""Gathering on a real PostgreSQL and its own nats-server per test (so that no
other test's events reach its durable consumer), fed with intake's events."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
import nats
import pytest
from google.protobuf import json_format
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import func, select

from rapidreview.gathering import storage
from rapidreview.kernel.auth import Role
from rapidreview.kernel.events import EVENTS_STREAM, decode_envelope, new_event, subject_for
from rapidreview.v1 import common_pb2, events_pb2, gathering_pb2, gathering_pb2_grpc, intake_pb2
from tests.support.harness import Caller, RunningService, dev_credentials, eventually, service_env
from tests.unit.gathering.returns import EXAMPLES

TODAY = "2024-06-20"
AGENCY_IDS = ("west-yorkshire-police", "gp-practice", "leeds-childrens-social-work", "health-visiting",
              "acute-hospital-trust", "sibling-nursery", "housing-association")


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory):
    return dev_credentials(Path(tmp_path_factory.mktemp("creds")))


@pytest.fixture
def gathering_env(fresh_database, own_nats, creds) -> dict[str, str]:
    return service_env(fresh_database, own_nats.url, creds, RR_TODAY=TODAY)


@pytest.fixture
async def gathering(gathering_env) -> AsyncIterator[RunningService]:
    service = await RunningService("gathering", gathering_env).start()
    yield service
    await service.stop()


@pytest.fixture
async def stub(gathering) -> AsyncIterator[gathering_pb2_grpc.GatheringServiceStub]:
    async with grpc.aio.insecure_channel(gathering.address) as channel:
        yield gathering_pb2_grpc.GatheringServiceStub(channel)


@pytest.fixture
def bu(creds) -> Caller:
    return Caller(creds, Role.BUSINESS_UNIT)


def agency_caller(creds, agency_id: str, partnership: str = "leeds") -> Caller:
    return Caller(creds, Role.AGENCY, partnership=partnership, agency=agency_id)


def example_incident(case_id: str, *, rr_required: bool = True, partnership: str = "leeds",
                     agencies: tuple[str, ...] = AGENCY_IDS) -> intake_pb2.Incident:
    """The Child K incident as intake publishes it (no free text), with the chosen agencies."""
    request = json_format.Parse((EXAMPLES / "notification.json").read_text(encoding="utf-8"), intake_pb2.NotifyIncidentRequest())
    notification = request.notification
    notification.harm_description = ""
    kept = [a for a in notification.agencies if a.agency_id in agencies]
    del notification.agencies[:]
    notification.agencies.extend(kept)
    outcome = common_pb2.OUTCOME_MET if rr_required else common_pb2.OUTCOME_NOT_MET
    return intake_pb2.Incident(
        case_id=case_id, partnership=partnership, status=intake_pb2.INCIDENT_STATUS_NOTIFIED,
        edition=common_pb2.EDITION_WT2023, notification=notification,
        duties=[common_pb2.RuleOutcome(rule_id="RR.REQUIRED", outcome=outcome)],
    )


@dataclass
class IntakeEvents:
    """Publishes intake's events the way intake's outbox relay does."""

    url: str
    published: list[events_pb2.EventEnvelope] = field(default_factory=list)

    async def publish(self, envelope: events_pb2.EventEnvelope) -> None:
        nc = await nats.connect(self.url)
        try:
            js = nc.jetstream()
            await js.publish(subject_for(envelope.event_type, envelope.producer), envelope.SerializeToString(),
                             headers={"Nats-Msg-Id": envelope.event_id})
        finally:
            await nc.close()
        self.published.append(envelope)

    async def notified(self, incident: intake_pb2.Incident) -> events_pb2.EventEnvelope:
        envelope = new_event("incident.notified", intake_pb2.IncidentNotified(incident=incident), producer="intake",
                             case_id=incident.case_id, partnership=incident.partnership)
        await self.publish(envelope)
        return envelope

    async def panel_notified(self, case_id: str, sent_date: str, partnership: str = "leeds") -> events_pb2.EventEnvelope:
        payload = intake_pb2.IncidentPanelNotified(
            case_id=case_id, panel_notification=intake_pb2.PanelNotification(reference="PANEL-K", sent_date=sent_date))
        envelope = new_event("incident.panel_notified", payload, producer="intake", case_id=case_id, partnership=partnership)
        await self.publish(envelope)
        return envelope

    async def withdrawn(self, case_id: str, partnership: str = "leeds") -> events_pb2.EventEnvelope:
        envelope = new_event("incident.withdrawn", intake_pb2.IncidentWithdrawn(case_id=case_id), producer="intake",
                             case_id=case_id, partnership=partnership)
        await self.publish(envelope)
        return envelope


@pytest.fixture
def intake_events(own_nats) -> IntakeEvents:
    return IntakeEvents(own_nats.url)


async def open_case(stub, bu: Caller, intake_events: IntakeEvents, *, sent_date: str = "2024-06-07", **incident_kw) -> str:
    """Publishes incident.notified (and panel_notified when `sent_date`) and waits
    until the gathering shows the requests with their final due dates."""
    case_id = str(uuid.uuid4())
    incident = example_incident(case_id, **incident_kw)
    await intake_events.notified(incident)
    if sent_date:
        await intake_events.panel_notified(case_id, sent_date)

    async def ready():
        try:
            status = await stub.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return None
            raise
        if sent_date and any(r.due_basis != gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION for r in status.requests):
            return None
        return status

    await eventually(ready, what="gathering opened")
    return case_id


def example_return(name: str, case_id: str) -> gathering_pb2.SubmitAgencyReturnRequest:
    data = json.loads((EXAMPLES / f"agency-return-{name}.json").read_text(encoding="utf-8"))
    request = json_format.ParseDict(data, gathering_pb2.SubmitAgencyReturnRequest())
    request.case_id = case_id
    return request


EXAMPLE_BY_AGENCY = {
    "west-yorkshire-police": "police", "leeds-childrens-social-work": "social-care", "gp-practice": "gp-late",
    "acute-hospital-trust": "hospital", "health-visiting": "health-visiting", "sibling-nursery": "nursery",
    "housing-association": "housing",
}


async def submit(stub, creds, case_id: str, agency_id: str, mutate=None) -> gathering_pb2.SubmitAgencyReturnResponse:
    """Submits the documented example return of `agency_id` as that agency."""
    request = example_return(EXAMPLE_BY_AGENCY[agency_id], case_id)
    if mutate is not None:
        mutate(request.agency_return)
    return await stub.SubmitAgencyReturn(request, metadata=agency_caller(creds, agency_id).metadata())


async def stored_counts(service: RunningService) -> tuple[int, int, int, int]:
    """(cases, requests, returns, outbox rows other than the clock watcher's) in the gathering schema."""
    async with service.infra.db.transaction() as s:
        counts = []
        for table in (storage.cases, storage.requests, storage.returns):
            counts.append((await s.execute(select(func.count()).select_from(table))).scalar_one())
        counts.append((await s.execute(select(func.count()).select_from(storage.outbox)
                                       .where(storage.outbox.c.event_type.not_like("deadline.%")))).scalar_one())
    return tuple(counts)  # type: ignore[return-value]


async def outbox_drained(service: RunningService) -> bool:
    """True when every event the service wrote has been published to NATS."""
    async with service.infra.db.transaction() as s:
        pending = (await s.execute(select(func.count()).select_from(storage.outbox).where(storage.outbox.c.published_at.is_(None)))).scalar_one()
    return pending == 0


class EventSubscriber:
    """A durable pull consumer standing in for another service: counts what it receives."""

    def __init__(self, url: str, durable: str, subjects: list[str]) -> None:
        self.url, self.durable, self.subjects = url, durable, subjects
        self.received: list[events_pb2.EventEnvelope] = []

    async def __aenter__(self) -> EventSubscriber:
        self.nc = await nats.connect(self.url)
        js = self.nc.jetstream()
        await eventually(lambda: self._has_stream(js), what="events stream")
        await js.add_consumer(EVENTS_STREAM, ConsumerConfig(durable_name=self.durable, filter_subjects=self.subjects,
                                                            ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL))
        self.sub = await js.pull_subscribe_bind(durable=self.durable, stream=EVENTS_STREAM)
        return self

    async def _has_stream(self, js) -> bool:  # type: ignore[no-untyped-def]
        try:
            await js.stream_info(EVENTS_STREAM)
            return True
        except Exception:  # noqa: BLE001 - not provisioned yet
            return False

    async def drain(self) -> list[events_pb2.EventEnvelope]:
        """Fetches and acks everything available now; returns all received so far."""
        while True:
            try:
                msgs = await self.sub.fetch(100, timeout=0.5)
            except (nats.errors.TimeoutError, TimeoutError):
                return self.received
            for msg in msgs:
                self.received.append(decode_envelope(msg.data))
                await msg.ack()

    async def __aexit__(self, *exc: object) -> None:
        await self.nc.close()
