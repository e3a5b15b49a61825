"""Canary values fed through every intake path never reach the log output."""

from __future__ import annotations

import io

import grpc
import pytest

from rapidreview.kernel.logging import configure_logging
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.support.examples import example_notification
from tests.support.harness import RunningService, service_env

pytestmark = pytest.mark.integration

CANARY_CHILD = "CANARY-CHILD-7f3a"
CANARY_TEXT = "CANARY-NARRATIVE-19c2 lives at 4 Canary Lane"
CANARY_REASON = "CANARY-REASON-55e1"
CANARY_AGENCY = "CANARY-AGENCY-NAME-0b7d"


async def test_canary_values_never_reach_the_log(fresh_database, nats_server, creds, la):
    out = io.StringIO()
    configure_logging("intake", "DEBUG", stream=out)
    intake = await RunningService("intake", service_env(fresh_database, nats_server.url, creds, RR_TODAY="2024-06-10")).start()
    try:
        async with grpc.aio.insecure_channel(intake.address) as channel:
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            n = example_notification(harm_description=CANARY_TEXT)
            n.child.child_ref = CANARY_CHILD
            n.agencies[0].name = CANARY_AGENCY
            created = (await stub.NotifyIncident(intake_pb2.NotifyIncidentRequest(idempotency_key="key-canary-01", notification=n),
                                                 metadata=la.metadata())).incident
            await stub.NotifyIncident(intake_pb2.NotifyIncidentRequest(idempotency_key="key-canary-02", notification=n), metadata=la.metadata())
            bad = example_notification(harm_description=CANARY_TEXT * 200, incident_date=CANARY_REASON)
            bad.child.child_ref = CANARY_CHILD * 10
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.NotifyIncident(intake_pb2.NotifyIncidentRequest(idempotency_key="key-canary-03", notification=bad), metadata=la.metadata())
            assert CANARY_CHILD not in (err.value.details() or "") and CANARY_REASON not in (err.value.details() or "")
            await stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=created.case_id), metadata=la.metadata())
            await stub.ListIncidents(intake_pb2.ListIncidentsRequest(), metadata=la.metadata())
            await stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
                case_id=created.case_id, reference="P-CANARY", sent_date="2024-06-07"), metadata=la.metadata())
            await stub.RecordPartnersInformed(intake_pb2.RecordPartnersInformedRequest(case_id=created.case_id, informed_date="2024-06-05"),
                                              metadata=la.metadata())
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.ExtendClock(intake_pb2.ExtendClockRequest(case_id=created.case_id, clock_id="RR.DEADLINE",
                                                                     extended_to="2024-07-30", reason=CANARY_REASON), metadata=la.metadata())
            await stub.WithdrawIncident(intake_pb2.WithdrawIncidentRequest(case_id=created.case_id, reason=CANARY_REASON), metadata=la.metadata())
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.GetIncident(intake_pb2.GetIncidentRequest(case_id=CANARY_CHILD), metadata=la.metadata())
    finally:
        await intake.stop()
        configure_logging("intake", "INFO")
    text = out.getvalue()
    assert '"rpc"' in text  # the log did capture the calls
    for canary in (CANARY_CHILD, "CANARY-NARRATIVE", "Canary Lane", CANARY_REASON, CANARY_AGENCY):
        assert canary not in text, canary
