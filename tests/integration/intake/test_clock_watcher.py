"""The clock watcher emits deadline.due_soon and deadline.overdue once per clock."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rapidreview.intake import storage
from rapidreview.intake.watchers import ClockWatcher
from rapidreview.v1 import events_pb2, intake_pb2
from tests.support.examples import example_notification
from tests.support.harness import RunningService, service_env

pytestmark = pytest.mark.integration


async def _deadline_events(service) -> list[events_pb2.EventEnvelope]:
    async with service.infra.db.transaction() as s:
        rows = (await s.execute(select(storage.outbox.c.data).where(storage.outbox.c.event_type.like("deadline.%")))).all()
    return [events_pb2.EventEnvelope.FromString(r.data) for r in rows]


@pytest.mark.parametrize(
    ("today", "expected"),
    [("2024-06-10", "deadline.due_soon"), ("2024-06-12", "deadline.overdue")],
)
async def test_each_clock_event_is_emitted_exactly_once(fresh_database, nats_server, creds, la, today, expected):
    # A long interval: the test drives the watcher itself.
    service = await RunningService("intake", service_env(fresh_database, nats_server.url, creds, RR_TODAY=today,
                                                         RR_CLOCK_WATCH_INTERVAL="3600")).start()
    try:
        import grpc

        from rapidreview.v1 import intake_pb2_grpc

        async with grpc.aio.insecure_channel(service.address) as channel:
            created = (await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
                intake_pb2.NotifyIncidentRequest(idempotency_key=f"key-watch-{today}", notification=example_notification()),
                metadata=la.metadata())).incident
        watcher = ClockWatcher(service.infra)
        await watcher.check_once()
        await watcher.check_once()
        events = [e for e in await _deadline_events(service) if e.case_id == created.case_id]
        # Child K: the Panel duty (NOTIFY.DEADLINE) and reporting to the partners (NOTIFY.PARTNERS),
        # both 5 working days from awareness; one event each.
        assert [e.event_type for e in events] == [expected, expected]
        seen = {}
        for event in events:
            payload = events_pb2.DeadlineOverdue() if expected.endswith("overdue") else events_pb2.DeadlineDueSoon()
            event.payload.Unpack(payload)
            seen[payload.clock_id] = payload.due
        assert seen == {"NOTIFY.DEADLINE": "2024-06-11", "NOTIFY.PARTNERS": "2024-06-11"}
    finally:
        await service.stop()
