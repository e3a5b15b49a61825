"""The read model fed by the real intake and gathering services (their own
events, as their outbox relays publish them): a notification through to an
agency's return and a chase shows on the dashboard and in "My requests"."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2, gathering_pb2, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc
from rapidreview.workspace.readmodel import ClockState, DashboardFilter, Stage
from tests.integration.gathering.conftest import AGENCY_IDS, creds, submit  # noqa: F401 - creds is a fixture
from tests.integration.workspace.readmodel.conftest import start, stop
from tests.support.harness import Caller, RunningService, eventually, service_env
from tests.unit.gathering.returns import EXAMPLES

pytestmark = pytest.mark.integration
G = gathering_pb2
TODAY = "2024-06-10"
DAY = dt.date(2024, 6, 10)


async def test_a_notification_its_requests_a_return_and_a_chase_reach_the_dashboard(fresh_database, own_nats, creds):  # noqa: F811
    env = service_env(fresh_database, own_nats.url, creds, RR_TODAY=TODAY)
    intake = await RunningService("intake", dict(env)).start()
    gathering = await RunningService("gathering", dict(env)).start()
    workspace = await start(fresh_database, own_nats)
    la, bu = Caller(creds, Role.NOTIFYING_LA), Caller(creds, Role.BUSINESS_UNIT)
    try:
        request = json_format.Parse((EXAMPLES / "notification.json").read_text(encoding="utf-8"), intake_pb2.NotifyIncidentRequest())
        async with grpc.aio.insecure_channel(intake.address) as ic, grpc.aio.insecure_channel(gathering.address) as gc:
            intake_stub, stub = intake_pb2_grpc.IntakeServiceStub(ic), gathering_pb2_grpc.GatheringServiceStub(gc)
            case_id = (await intake_stub.NotifyIncident(request, metadata=la.metadata())).incident.case_id
            await intake_stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
                case_id=case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"), metadata=la.metadata())

            async def moved():
                try:
                    got = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
                except grpc.aio.AioRpcError as err:
                    if err.code() == grpc.StatusCode.NOT_FOUND:  # gathering has not taken incident.notified yet
                        return False
                    raise
                return got.requests and all(r.due_basis == G.DUE_BASIS_PANEL_NOTIFICATION for r in got.requests)

            await eventually(moved, timeout=30, what="the requests' due dates from the Panel notification")
            await submit(stub, creds, case_id, "west-yorkshire-police")
            await stub.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id="gp-practice"), metadata=bu.metadata())

        async def shown():
            summary = await workspace.rm.case("leeds", case_id, DAY)
            return summary if summary and summary.returns_in == 1 and summary.requests_total == len(AGENCY_IDS) else None

        summary = await eventually(shown, timeout=30, what="the case on the dashboard")
        assert summary.case_reference == request.notification.child.child_ref
        assert summary.stage == Stage.GATHERING and summary.panel_reference == "PANEL-2024-0607-K"
        clocks = {c.clock_id: c for c in summary.clocks}
        assert clocks["NOTIFY.DEADLINE"].state == ClockState.MET
        assert clocks["RR.AGENCIES"].due.isoformat() == "2024-06-21"
        assert clocks["RR.DEADLINE"].due.isoformat() == "2024-06-28"
        found = await workspace.rm.cases("leeds", DashboardFilter(reference=request.notification.child.child_ref.lower()),
                                         DAY)
        assert [s.case_id for s in found] == [case_id]

        async def chased():
            mine = await workspace.rm.agency_requests("leeds", "gp-practice", DAY)
            return mine if mine and mine[0].chase_count == 1 else None

        [gp] = await eventually(chased, timeout=30, what="the chase in My requests")
        assert gp.status == "awaiting" and gp.due.isoformat() == "2024-06-21" and not gp.provisional_due
        [police] = await workspace.rm.agency_requests("leeds", "west-yorkshire-police", DAY)
        assert police.status == "returned" and police.latest_version == 1
        assert [r.kind for r in await workspace.rm.reminders("leeds", case_id)] == ["chase"]
    finally:
        await stop(workspace)
        await gathering.stop()
        await intake.stop()


async def test_an_amendment_and_the_notifications_recorded_by_the_real_intake_reach_the_dashboard(fresh_database, own_nats, creds):  # noqa: F811
    env = service_env(fresh_database, own_nats.url, creds, RR_TODAY=TODAY)
    intake = await RunningService("intake", dict(env)).start()
    workspace = await start(fresh_database, own_nats)
    la = Caller(creds, Role.NOTIFYING_LA)
    try:
        request = json_format.Parse((EXAMPLES / "notification.json").read_text(encoding="utf-8"), intake_pb2.NotifyIncidentRequest())
        async with grpc.aio.insecure_channel(intake.address) as ic:
            stub = intake_pb2_grpc.IntakeServiceStub(ic)
            case_id = (await stub.NotifyIncident(request, metadata=la.metadata())).incident.case_id
            # The child died and was looked after: NOTIFY.LAC_DEATH arises, with its own clock.
            amended = intake_pb2.Notification()
            amended.CopyFrom(request.notification)
            amended.nature = common_pb2.NATURE_DEATH
            amended.recovered = False
            amended.child.looked_after = True
            amended.child.child_ref = "Child K (amended)"
            incident = (await stub.AmendNotification(intake_pb2.AmendNotificationRequest(
                case_id=case_id, notification=amended, reason="The child died in hospital.", expected_version=1),
                metadata=la.metadata())).incident
            assert "NOTIFY.LAC_DEATH" in {c.id for c in incident.clocks}
            for duty, recipient in (("NOTIFY.LAC_DEATH", intake_pb2.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE),
                                    ("NOTIFY.PARTNERS", intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS)):
                await stub.RecordNotificationSent(intake_pb2.RecordNotificationSentRequest(
                    case_id=case_id, duty=duty, recipient=recipient, sent_date="2024-06-06"), metadata=la.metadata())

        async def shown():
            summary = await workspace.rm.case("leeds", case_id, DAY)
            partners = summary and next((c for c in summary.clocks if c.clock_id == "NOTIFY.PARTNERS"), None)
            # Every event applied: the amendment and both notifications. The events of one case may
            # be applied in any order, and the row is right once the last of them is in.
            done = summary and summary.next_step == "Notify Ofsted (NOTIFY.LAC_DEATH). Record the Panel notification"
            return summary if done and partners and partners.state == ClockState.MET and summary.notification_version == 2 else None

        summary = await eventually(shown, timeout=30, what="the amendment and the notifications on the dashboard")
        assert summary.case_reference == "Child K (amended)" and summary.amended
        assert [c.clock_id for c in summary.clocks] == ["NOTIFY.DEADLINE", "NOTIFY.LAC_DEATH", "NOTIFY.PARTNERS"]
        assert summary.next_step == "Notify Ofsted (NOTIFY.LAC_DEATH). Record the Panel notification"
        lac = next(c for c in summary.clocks if c.clock_id == "NOTIFY.LAC_DEATH")
        assert lac.state == ClockState.DUE_SOON and lac.due.isoformat() == "2024-06-11"
    finally:
        await stop(workspace)
        await intake.stop()
