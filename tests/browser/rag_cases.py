"""Cases for the advisory group's and the Executive's browser tests: the example notification under
another child reference, its Panel notification, the example agency returns, and the full
checklist, stopped before anyone recommends (the shared example case is already published).
Every wait is bounded and on a condition."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import grpc
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.stack.supervisor import EmbeddedStack
from rapidreview.v1 import (
    criteria_pb2,
    criteria_pb2_grpc,
    decisions_pb2,
    decisions_pb2_grpc,
    gathering_pb2,
    gathering_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
)
from tests.browser.support import REPO

EXAMPLES = REPO / "docs" / "examples"


def _auth(stack: EmbeddedStack, role: Role, agency: str = "") -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {stack.credentials.token(role, partnership='leeds', agency=agency)}"),)


async def _until(what: str, check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = await check()
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            found = None
        if found:
            return found
        await asyncio.sleep(0.2)
    raise TimeoutError(f"{what} within {timeout:.0f} s")


async def notify(stack: EmbeddedStack, child_ref: str, *, panel: bool = True) -> str:
    """The example notification for `child_ref` (and its Panel notification): the case id."""
    request = json_format.Parse((EXAMPLES / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"browser-{uuid.uuid4()}"
    request.notification.child.child_ref = child_ref
    async with grpc.aio.insecure_channel(stack.replicas_of("intake")[0].address) as channel:
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        la = _auth(stack, Role.NOTIFYING_LA)
        case_id = (await stub.NotifyIncident(request, metadata=la, timeout=30)).incident.case_id
        if panel:
            await stub.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
                case_id=case_id, reference=f"PANEL-{child_ref[-1]}", sent_date="2024-06-07"), metadata=la, timeout=30)
    return case_id


async def prepare_case(stack: EmbeddedStack, child_ref: str) -> str:
    """A case with every example return in and its full checklist known to decisions: the case id."""
    case_id = await notify(stack, child_ref)
    async with grpc.aio.insecure_channel(stack.replicas_of("gathering")[0].address) as channel:
        stub = gathering_pb2_grpc.GatheringServiceStub(channel)
        bu = _auth(stack, Role.BUSINESS_UNIT)

        async def requests_open() -> bool:
            status = await stub.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=case_id), metadata=bu, timeout=15)
            return bool(status.requests) and all(r.due_basis == gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION for r in status.requests)

        await _until("the information requests opened", requests_open)
        for path in sorted(EXAMPLES.glob("agency-return-*.json")):
            submit = json_format.Parse(path.read_text(encoding="utf-8"), gathering_pb2.SubmitAgencyReturnRequest())
            submit.case_id = case_id
            await stub.SubmitAgencyReturn(submit, metadata=_auth(stack, Role.AGENCY, submit.agency_return.agency.agency_id), timeout=30)
    evaluation_id = await full_checklist(stack, case_id)

    async with grpc.aio.insecure_channel(stack.replicas_of("decisions")[0].address) as channel:
        decisions = decisions_pb2_grpc.DecisionServiceStub(channel)

        async def known_to_decisions() -> bool:
            state = (await decisions.GetCase(decisions_pb2.GetCaseRequest(case_id=case_id), metadata=_auth(stack, Role.BUSINESS_UNIT),
                                             timeout=15)).case
            return any(e.evaluation_id == evaluation_id for e in state.evaluations)

        await _until("decisions to receive the full checklist", known_to_decisions)
    return case_id


async def full_checklist(stack: EmbeddedStack, case_id: str) -> str:
    """The id of the case's checklist evaluated on the complete collated information."""
    async with grpc.aio.insecure_channel(stack.replicas_of("criteria")[0].address) as channel:
        stub = criteria_pb2_grpc.CriteriaServiceStub(channel)

        async def evaluated() -> str:
            found = (await stub.GetChecklist(criteria_pb2.GetChecklistRequest(case_id=case_id),
                                             metadata=_auth(stack, Role.BUSINESS_UNIT), timeout=15)).checklist
            full = found.trigger == criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED and not found.partial
            return found.evaluation_id if full else ""

        return await _until("the full checklist", evaluated)


async def case_state(stack: EmbeddedStack, case_id: str, role: Role = Role.BUSINESS_UNIT) -> decisions_pb2.CaseState:
    async with grpc.aio.insecure_channel(stack.replicas_of("decisions")[0].address) as channel:
        stub = decisions_pb2_grpc.DecisionServiceStub(channel)
        return (await stub.GetCase(decisions_pb2.GetCaseRequest(case_id=case_id), metadata=_auth(stack, role), timeout=15)).case
