from __future__ import annotations

import uuid
from pathlib import Path

import grpc
import nats
import nats.js.errors
import pytest
from sqlalchemy import func, select

from rapidreview.decisions import storage
from rapidreview.kernel.auth import Role
from rapidreview.kernel.events import EVENTS_STREAM, decode_envelope, new_event, subject_for
from rapidreview.v1 import decisions_pb2_grpc, events_pb2
from tests.integration.decisions import childk
from tests.support.harness import Caller, RunningService, dev_credentials, eventually, service_env

TODAY = "2025-01-20"
PRODUCERS = {"incident": "intake", "criteria": "criteria", "agency": "gathering"}


@pytest.fixture(scope="module")
def creds(tmp_path_factory: pytest.TempPathFactory):
    """Development keys in `<data dir>/credentials`, where the CLI looks for them (RR_DATA_DIR)."""
    return dev_credentials(Path(tmp_path_factory.mktemp("rr-data")) / "credentials")


@pytest.fixture
def decisions_env(fresh_database, nats_server, creds) -> dict[str, str]:
    return service_env(fresh_database, nats_server.url, creds, RR_TODAY=TODAY)


@pytest.fixture
async def decisions(decisions_env):
    service = await RunningService("decisions", decisions_env).start()
    yield service
    await service.stop()


@pytest.fixture
async def stub(decisions):
    async with grpc.aio.insecure_channel(decisions.address) as channel:
        yield decisions_pb2_grpc.DecisionServiceStub(channel)


@pytest.fixture
def roles(creds) -> dict[Role, Caller]:
    return {role: Caller(creds, role, agency="west-yorkshire-police" if role is Role.AGENCY else "") for role in Role}


class EventStream:
    """Publishes other services' events the way their outbox relays do, and reads what decisions published."""

    def __init__(self, nc) -> None:  # type: ignore[no-untyped-def]
        self.nc = nc
        self.js = nc.jetstream()

    async def publish(self, event_type: str, payload, *, case_id: str, partnership: str = "leeds",  # type: ignore[no-untyped-def]
                      envelope: events_pb2.EventEnvelope | None = None, msg_id: str | None = None) -> events_pb2.EventEnvelope:
        producer = PRODUCERS[event_type.split(".", 1)[0]]
        envelope = envelope or new_event(event_type, payload, producer=producer, case_id=case_id, partnership=partnership)
        await self.js.publish(subject_for(event_type, producer), envelope.SerializeToString(),
                              headers={"Nats-Msg-Id": msg_id or envelope.event_id})
        return envelope

    async def published(self, event_type: str, case_id: str) -> list[events_pb2.EventEnvelope]:
        """Every event of `event_type` about `case_id` in the stream, oldest first (read by sequence, no waiting)."""
        subject = subject_for(event_type, "decisions")
        found, seq = [], 1
        while True:
            try:
                msg = await self.js.get_msg(EVENTS_STREAM, seq=seq, subject=subject, next=True)
            except nats.js.errors.NotFoundError:
                return found
            envelope = decode_envelope(msg.data)
            if envelope.case_id == case_id:
                found.append(envelope)
            seq = msg.seq + 1


@pytest.fixture
async def events(nats_server, decisions):
    nc = await nats.connect(nats_server.url)
    yield EventStream(nc)
    await nc.close()


async def known_case(decisions, case_id: str, *, with_rr_deadline: bool = False) -> None:
    async def check() -> bool:
        async with decisions.infra.db.transaction() as s:
            row = (await s.execute(select(storage.cases).where(storage.cases.c.case_id == case_id))).first()
        return row is not None and (row.rr_due is not None or not with_rr_deadline)

    await eventually(check, what="the case to be known to decisions")


async def known_evaluation(decisions, evaluation_id: str) -> None:
    async def check() -> bool:
        async with decisions.infra.db.transaction() as s:
            return (await s.execute(select(storage.evaluations.c.evaluation_id)
                                    .where(storage.evaluations.c.evaluation_id == evaluation_id))).first() is not None

    await eventually(check, what="the criteria evaluation to be known to decisions")


async def stored_counts(decisions, case_id: str) -> tuple[int, ...]:
    """Row counts of everything a command on `case_id` writes: its records, audit
    entries and clocks, idempotency keys, and outgoing events. (Deadline events are
    left out: the clock watcher may emit one at any moment, which is not the
    command's doing; other cases' rows are left out: backlog events from earlier
    tests in the session may still be opening cases.)"""
    tables = [storage.recommendations, storage.decisions, storage.panel_submissions, storage.panel_responses, storage.reviews,
              storage.milestones, storage.extensions, storage.progress_checks, storage.identifying_details,
              storage.publications, storage.actions, storage.disseminations, storage.audit_entries, storage.clocks]
    async with decisions.infra.db.transaction() as s:
        counts = [(await s.execute(select(func.count()).select_from(t).where(t.c.case_id == case_id))).scalar_one() for t in tables]
        counts.append((await s.execute(select(func.count()).select_from(storage.idempotency))).scalar_one())
        counts.append((await s.execute(select(func.count()).select_from(storage.outbox)
                                       .where(storage.outbox.c.event_type.not_like("deadline.%")))).scalar_one())
    return tuple(counts)


async def outbox_drained(decisions) -> None:
    async def check() -> bool:
        async with decisions.infra.db.transaction() as s:
            return (await s.execute(select(func.count()).select_from(storage.outbox)
                                    .where(storage.outbox.c.published_at.is_(None)))).scalar_one() == 0

    await eventually(check, what="every outbox event to be published")


@pytest.fixture
async def new_case(decisions, events):
    """Opens a fresh Child K case (incident.notified, incident.panel_notified,
    criteria.evaluated) and returns (case_id, evaluation_id)."""

    async def make() -> tuple[str, str]:
        case_id = str(uuid.uuid4())
        await events.publish("incident.notified", childk.incident_notified(case_id), case_id=case_id)
        await events.publish("incident.panel_notified", childk.panel_notified(case_id), case_id=case_id)
        evaluation = childk.criteria_evaluated(case_id)
        await events.publish("criteria.evaluated", evaluation, case_id=case_id)
        await known_case(decisions, case_id, with_rr_deadline=True)
        await known_evaluation(decisions, evaluation.checklist.evaluation_id)
        return case_id, evaluation.checklist.evaluation_id

    return make
