"""ListIncidents reads a page in one SQL statement, whatever the page holds (clocks,
extensions, possible duplicates), and answers exactly what GetIncident answers for each."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event

from rapidreview.kernel.auth import Role
from rapidreview.v1 import intake_pb2
from tests.support.examples import example_notification
from tests.support.harness import Caller

pytestmark = pytest.mark.integration


#: Tasks a service runs beside its RPCs (kernel/runtime.py names them); their statements are not the call's.
BACKGROUND_TASKS = ("outbox-relay", "access-log", "watcher", "consumer-", "readiness", "nats-connect")


class StatementCounter:
    """Counts the SQL statements a service's engine sends for RPCs while active (statements
    of the outbox relay, access log, consumers, watchers and readiness checks, which run
    whenever they like, are left out: they run in their own named tasks, or are the ping)."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine.sync_engine
        self.statements: list[str] = []

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.current_task()
        if statement.strip() == "SELECT 1":
            return  # the readiness check's ping (Database.ping, in a task of wait_for's making)
        if task is None or not task.get_name().startswith(BACKGROUND_TASKS):
            self.statements.append(statement)

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc_info: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


async def _page_of_rich_incidents(intake_stub, la: Caller, business_unit: Caller) -> list[str]:
    """Six incidents: pairs of possible duplicates (same child and date), all with the Panel
    notification recorded (two clocks), two with an extended clock."""
    case_ids = []
    for i in range(6):
        notification = example_notification(la_aware_date="2024-05-20", incident_date="2024-05-19")
        notification.child.child_ref = f"Child Q{i // 2}"
        created = (await intake_stub.NotifyIncident(intake_pb2.NotifyIncidentRequest(
            idempotency_key=f"key-list-statements-{i:03d}", notification=notification), metadata=la.metadata())).incident
        await intake_stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
            case_id=created.case_id, reference=f"PANEL-Q-{i}", sent_date="2024-05-24"), metadata=la.metadata())
        if i % 3 == 0:
            await intake_stub.ExtendClock(intake_pb2.ExtendClockRequest(
                case_id=created.case_id, clock_id="RR.DEADLINE", extended_to="2024-07-31", reason="awaiting the post-mortem"),
                metadata=business_unit.metadata())
        case_ids.append(created.case_id)
    return case_ids


async def test_a_page_of_incidents_costs_one_statement_and_matches_get_incident(intake, intake_stub, la, creds):
    business_unit = Caller(creds, Role.BUSINESS_UNIT)
    case_ids = await _page_of_rich_incidents(intake_stub, la, business_unit)

    with StatementCounter(intake.infra.db.engine) as counter:
        page = await intake_stub.ListIncidents(intake_pb2.ListIncidentsRequest(page_size=10), metadata=business_unit.metadata())
    assert len(page.incidents) == 6
    assert len(counter.statements) == 1, counter.statements

    listed = {incident.case_id: incident for incident in page.incidents}
    assert set(listed) == set(case_ids)
    for case_id in case_ids:
        single = (await intake_stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id), metadata=business_unit.metadata())).incident
        assert listed[case_id] == single
    extended = listed[case_ids[0]]
    rr_clock = next(c for c in extended.clocks if c.id == "RR.DEADLINE")
    assert rr_clock.effective_due == "2024-07-31" and rr_clock.extensions[0].reason == "awaiting the post-mortem"
    assert list(listed[case_ids[0]].possible_duplicate_of) == [case_ids[1]]
    assert [c.id for c in listed[case_ids[5]].clocks] == [c.id for c in extended.clocks]


async def test_filters_and_the_next_page_still_cost_one_statement(intake, intake_stub, la, creds):
    business_unit = Caller(creds, Role.BUSINESS_UNIT)
    await _page_of_rich_incidents(intake_stub, la, business_unit)
    with StatementCounter(intake.infra.db.engine) as counter:
        first = await intake_stub.ListIncidents(intake_pb2.ListIncidentsRequest(page_size=4, notifying_la="Leeds", due_within_working_days=60),
                                                metadata=business_unit.metadata())
        second = await intake_stub.ListIncidents(intake_pb2.ListIncidentsRequest(page_size=4, notifying_la="Leeds", due_within_working_days=60,
                                                                                 page_token=first.next_page_token),
                                                 metadata=business_unit.metadata())
    assert len(first.incidents) == 4 and len(second.incidents) == 2 and not second.next_page_token
    assert len(counter.statements) == 2, counter.statements
