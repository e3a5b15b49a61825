"""The events intake publishes for the partners informed and for clock
extensions (the workspace's dashboard follows them), without free text."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rapidreview.intake import storage
from rapidreview.kernel.auth import Role
from rapidreview.kernel.events import decode_envelope, unpack
from rapidreview.v1 import intake_pb2
from tests.support.examples import example_notification
from tests.support.harness import Caller

pytestmark = pytest.mark.integration

REASON = "Criminal proceedings delay the agencies' returns."


async def events_of(intake, case_id: str, event_type: str) -> list:  # noqa: ANN001
    async with intake.infra.db.transaction() as s:
        rows = (await s.execute(select(storage.outbox.c.data).where(storage.outbox.c.event_type == event_type))).scalars().all()
    return [e for e in map(decode_envelope, rows) if e.case_id == case_id]


async def test_partners_informed_and_a_clock_extension_are_published_once_without_the_reason(intake, intake_stub, la, creds):
    bu = Caller(creds, Role.BUSINESS_UNIT)
    incident = (await intake_stub.NotifyIncident(intake_pb2.NotifyIncidentRequest(
        idempotency_key="key-events-0001", notification=example_notification()), metadata=la.metadata())).incident
    case_id = incident.case_id
    informed = intake_pb2.RecordPartnersInformedRequest(case_id=case_id, informed_date="2024-06-05")
    await intake_stub.RecordPartnersInformed(informed, metadata=la.metadata())
    await intake_stub.RecordPartnersInformed(informed, metadata=la.metadata())  # the same again: nothing new to say
    await intake_stub.ExtendClock(intake_pb2.ExtendClockRequest(case_id=case_id, clock_id="NOTIFY.DEADLINE", extended_to="2024-06-14",
                                                                reason=REASON), metadata=bu.metadata())

    [partners] = await events_of(intake, case_id, "incident.partners_informed")
    assert unpack(partners, intake_pb2.IncidentPartnersInformed).informed_date == "2024-06-05"
    assert partners.partnership == "leeds"
    [extended] = await events_of(intake, case_id, "incident.clock_extended")
    clock = unpack(extended, intake_pb2.IncidentClockExtended).clock
    assert (clock.id, clock.due, clock.effective_due) == ("NOTIFY.DEADLINE", "2024-06-11", "2024-06-14")
    assert [e.reason for e in clock.extensions] == [""] and REASON.encode() not in extended.SerializeToString()
