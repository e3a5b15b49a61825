"""The worked example (Child K, fictional) through intake, gathering and
criteria running together: the notification and the agencies' returns go in
through the APIs, and criteria sees only what those services publish."""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import AsyncIterator

import grpc
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.stack.credentials import DevCredentials
from rapidreview.v1 import criteria_pb2, criteria_pb2_grpc, gathering_pb2, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc
from tests.integration.criteria.conftest import evaluations_of, stop_quickly
from tests.support.harness import Caller, RunningService, eventually, service_env
from tests.unit.gathering.returns import example_returns

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
GP = "gp-practice"


@dataclass
class ChildKFlow:
    case_id: str
    criteria: RunningService
    stub: criteria_pb2_grpc.CriteriaServiceStub
    bu: Caller
    #: Every service of the run, by name (decisions only when asked for).
    services: dict[str, RunningService] = field(default_factory=dict)


async def _submit(stub, creds: DevCredentials, case_id: str, agency_return: gathering_pb2.AgencyReturn):  # type: ignore[no-untyped-def]
    caller = Caller(creds, Role.AGENCY, agency=agency_return.agency.agency_id)
    return await stub.SubmitAgencyReturn(gathering_pb2.SubmitAgencyReturnRequest(case_id=case_id, agency_return=agency_return),
                                         metadata=caller.metadata())


@asynccontextmanager
async def child_k_flow(database_url: str, nats_url: str, creds: DevCredentials, *,
                       decisions_today: str = "") -> AsyncIterator[ChildKFlow]:
    """Runs Child K to a full checklist: earlier reviews imported, notification
    and Panel notification through intake (today 2024-06-07), six returns on
    time (gathering's today 2024-06-20) and the GP's late (2024-06-25), criteria
    evaluating with today 2024-06-26. Yields while criteria still runs. With
    `decisions_today`, decisions runs too (that day its today), reading the other
    three through their APIs."""
    def env(today: str) -> dict[str, str]:
        return service_env(database_url, nats_url, creds, RR_TODAY=today)

    intake = await RunningService("intake", env("2024-06-07")).start()
    gathering = await RunningService("gathering", env("2024-06-20")).start()
    criteria = await RunningService("criteria", env("2024-06-26")).start()
    services = {"intake": intake, "gathering": gathering, "criteria": criteria}
    if decisions_today:
        services["decisions"] = await RunningService("decisions", dict(
            env(decisions_today), RR_INTAKE_ADDR=intake.address, RR_GATHERING_ADDR=gathering.address,
            RR_CRITERIA_ADDR=criteria.address)).start()
    bu = Caller(creds, Role.BUSINESS_UNIT)
    try:
        async with grpc.aio.insecure_channel(criteria.address) as criteria_channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(criteria_channel)
            reviews = json_format.Parse((EXAMPLES / "earlier-reviews.json").read_text(), criteria_pb2.ImportEarlierReviewsRequest())
            await stub.ImportEarlierReviews(reviews, metadata=bu.metadata())

            async with grpc.aio.insecure_channel(intake.address) as channel:
                intake_stub = intake_pb2_grpc.IntakeServiceStub(channel)
                la = Caller(creds, Role.NOTIFYING_LA)
                request = json_format.Parse((EXAMPLES / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
                case_id = (await intake_stub.NotifyIncident(request, metadata=la.metadata())).incident.case_id
                # As the worked example does: the safeguarding partners are told (NOTIFY.PARTNERS).
                await intake_stub.RecordNotificationSent(intake_pb2.RecordNotificationSentRequest(
                    case_id=case_id, duty="NOTIFY.PARTNERS", recipient=intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,
                    sent_date="2024-06-05"), metadata=la.metadata())
                await intake_stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
                    case_id=case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"), metadata=la.metadata())

            returns = example_returns()
            async with grpc.aio.insecure_channel(gathering.address) as channel:
                gathering_stub = gathering_pb2_grpc.GatheringServiceStub(channel)

                async def opened():  # type: ignore[no-untyped-def]
                    try:
                        status = await gathering_stub.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=case_id),
                                                                       metadata=bu.metadata())
                    except grpc.aio.AioRpcError:
                        return None
                    ready = status.requests and all(r.due_basis == gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION for r in status.requests)
                    return status if ready else None

                status = await eventually(opened, what="information requests opened")
                for request in status.requests:
                    if request.agency.agency_id != GP:
                        await _submit(gathering_stub, creds, case_id, returns[request.agency.agency_id])
            # The GP's return comes in late.
            await stop_quickly(gathering)
            gathering.env["RR_TODAY"] = "2024-06-25"
            await gathering.start()
            async with grpc.aio.insecure_channel(gathering.address) as channel:
                last = await _submit(gathering_pb2_grpc.GatheringServiceStub(channel), creds, case_id, returns[GP])
                assert last.collated, "the GP's return was the last one outstanding"

            await evaluations_of(stub, bu, case_id, 3)
            yield ChildKFlow(case_id, criteria, stub, bu, services)
    finally:
        for service in reversed(list(services.values())):
            await stop_quickly(service)
