"""Intake keeps its promises when NATS or PostgreSQL go away."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import grpc
import nats
import pytest
from grpc_health.v1 import health_pb2

from rapidreview.kernel.events import EVENTS_STREAM
from rapidreview.stack import NatsServer, PostgresServer
from rapidreview.v1 import events_pb2, intake_pb2, intake_pb2_grpc
from tests.support.examples import example_notification
from tests.support.harness import RunningService, eventually, service_env

pytestmark = pytest.mark.integration


@pytest.fixture
def own_folder():
    folder = Path(tempfile.mkdtemp(prefix="rr-intake-rel-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


async def _events(url: str, subject: str) -> list[events_pb2.EventEnvelope]:
    nc = await nats.connect(url)
    try:
        sub = await nc.jetstream().pull_subscribe(subject, durable=None, stream=EVENTS_STREAM)
        out = []
        while True:
            try:
                msgs = await sub.fetch(50, timeout=0.5)
            except (nats.errors.TimeoutError, TimeoutError):
                return out
            out += [events_pb2.EventEnvelope.FromString(m.data) for m in msgs]
    finally:
        await nc.close()


async def test_notification_while_nats_is_down_is_stored_and_published_exactly_once_later(fresh_database, own_folder, creds, la):
    server = NatsServer(own_folder / "nats")
    server.start()
    intake = await RunningService("intake", service_env(fresh_database, server.url, creds, RR_TODAY="2024-06-10")).start()
    try:
        server.stop()
        async with grpc.aio.insecure_channel(intake.address) as channel:
            response = await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
                intake_pb2.NotifyIncidentRequest(idempotency_key="key-nats-down-1", notification=example_notification()), metadata=la.metadata())
        case_id = response.incident.case_id
        server.start()

        async def published():
            events = await _events(server.url, "rr.v1.incident.notified")
            return events if any(e.case_id == case_id for e in events) else None

        events = await eventually(published, timeout=30, what="incident.notified published")
        assert [e.case_id for e in events].count(case_id) == 1
    finally:
        await intake.stop()
        server.stop()


async def test_health_is_not_serving_while_the_database_is_away_and_serving_when_it_returns(nats_server, own_folder, creds):
    pg = PostgresServer(own_folder / "pg")
    pg.start()
    pg.create_database("rapidreview")
    intake = await RunningService("intake", service_env(pg.url(), nats_server.url, creds)).start()
    try:
        pg.stop()
        await intake.wait_health(health_pb2.HealthCheckResponse.NOT_SERVING, timeout=20)
        pg.start()
        await intake.wait_health(health_pb2.HealthCheckResponse.SERVING, timeout=30)
    finally:
        await intake.stop()
        pg.stop()
