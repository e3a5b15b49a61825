"""Gathering fed by the real intake service (not a hand-built event): intake's
incident.notified and incident.panel_notified open the requests with their due dates."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.v1 import gathering_pb2, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc
from tests.integration.gathering.conftest import AGENCY_IDS, submit
from tests.support.harness import Caller, RunningService, eventually
from tests.unit.gathering.returns import EXAMPLES

pytestmark = pytest.mark.integration
G = gathering_pb2


async def test_intake_notification_opens_the_requests_and_the_panel_notification_sets_their_due_dates(gathering_env, creds, bu):
    intake = await RunningService("intake", dict(gathering_env)).start()
    gathering = await RunningService("gathering", gathering_env).start()
    try:
        la = Caller(creds, Role.NOTIFYING_LA)
        request = json_format.Parse((EXAMPLES / "notification.json").read_text(encoding="utf-8"), intake_pb2.NotifyIncidentRequest())
        async with grpc.aio.insecure_channel(intake.address) as ic, grpc.aio.insecure_channel(gathering.address) as gc:
            intake_stub, stub = intake_pb2_grpc.IntakeServiceStub(ic), gathering_pb2_grpc.GatheringServiceStub(gc)
            case_id = (await intake_stub.NotifyIncident(request, metadata=la.metadata())).incident.case_id

            async def status(basis: int):
                try:
                    got = await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=bu.metadata())
                except grpc.aio.AioRpcError:
                    return None
                return got if got.requests and all(r.due_basis == basis for r in got.requests) else None

            opened = await eventually(lambda: status(G.DUE_BASIS_AWARENESS), what="requests opened from intake's event")
            assert [r.agency.agency_id for r in opened.requests] == list(AGENCY_IDS)
            assert {r.clock.due for r in opened.requests} == {"2024-06-18"}

            await intake_stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
                case_id=case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"), metadata=la.metadata())
            moved = await eventually(lambda: status(G.DUE_BASIS_PANEL_NOTIFICATION), what="due dates from the Panel notification")
            assert {r.clock.due for r in moved.requests} == {"2024-06-21"}
            assert (await submit(stub, creds, case_id, "west-yorkshire-police")).version.version == 1
    finally:
        await gathering.stop()
        await intake.stop()
