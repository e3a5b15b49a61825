"""Intake and criteria together: a notification made through intake's API
reaches criteria as intake publishes it and gets its checklist."""

from __future__ import annotations

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.integration.criteria.conftest import evaluations_of, stop_quickly
from tests.support.examples import example_notification
from tests.support.harness import Caller, RunningService

pytestmark = pytest.mark.integration


async def test_notification_through_intake_gets_a_checklist_and_the_panel_notification_its_clock(criteria_env, stub, bu, creds):
    intake = await RunningService("intake", criteria_env).start()
    try:
        async with grpc.aio.insecure_channel(intake.address) as channel:
            intake_stub = intake_pb2_grpc.IntakeServiceStub(channel)
            la = Caller(creds, Role.NOTIFYING_LA)
            incident = (await intake_stub.NotifyIncident(intake_pb2.NotifyIncidentRequest(
                idempotency_key="criteria-with-intake-1", notification=example_notification()), metadata=la.metadata())).incident
            initial = await evaluations_of(stub, bu, incident.case_id, 1)
            assert initial[0].trigger == S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED
            assert initial[0].edition_version == incident.edition_version

            await intake_stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
                case_id=incident.case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"), metadata=la.metadata())
            await evaluations_of(stub, bu, incident.case_id, 2)
        checklist = (await stub.GetChecklist(S.GetChecklistRequest(case_id=incident.case_id), metadata=bu.metadata())).checklist
        assert checklist.child_ref == "Child K"
        assert {c.id: c.due for c in checklist.clocks} == {"NOTIFY.DEADLINE": "2024-06-11", "RR.DEADLINE": "2024-06-28"}
        serious = next(c for c in checklist.criteria if c.rule_id == "DEF.SERIOUS_CASE")
        assert serious.outcome == C.OUTCOME_MET
        # The harm description never leaves intake: nothing the checklist says quotes it.
        assert not any("fracture" in c.rationale for c in checklist.criteria)
    finally:
        await stop_quickly(intake)
