"""Cases of the shared stack brought to a stage of the decision process over gRPC (each test of the
decisions pages gets its own case, so that no test depends on another's order), and reads of what
the services stored, to prove what a page did or did not record.

The steps reuse the README example's requests (docs/examples/decisions/), so a case follows Child
K's dates: aware 2024-06-04, Panel notified 2024-06-07 (RR.DEADLINE 2024-06-28), recommended
2024-06-24, decided 2024-06-26."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import grpc
from google.protobuf import json_format

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc, intake_pb2, intake_pb2_grpc
from tests.browser.conftest import Web
from tests.browser.support import REPO, run_async

EXAMPLES = REPO / "docs" / "examples"
STAGES = ("notified", "decided", "submitted", "responded", "commissioned", "report_sent")


def _example(name: str, cls: type, case_id: str) -> Any:
    message = json_format.Parse((EXAMPLES / "decisions" / f"{name}.json").read_text(), cls())
    message.case_id = case_id
    if hasattr(message, "idempotency_key"):
        message.idempotency_key = f"browser-{uuid.uuid4()}"
    return message


class Calls:
    """gRPC calls to the stack's services as a role of the Leeds partnership."""

    def __init__(self, web: Web) -> None:
        self.web = web

    def _md(self, role: Role) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.web.token(role)}"),)

    def _address(self, service: str) -> str:
        return self.web.stack.replicas_of(service)[0].address

    async def decisions(self, rpc: str, request: Any, role: Role = Role.BUSINESS_UNIT) -> Any:
        async with grpc.aio.insecure_channel(self._address("decisions")) as channel:
            return await getattr(decisions_pb2_grpc.DecisionServiceStub(channel), rpc)(request, metadata=self._md(role), timeout=60)

    async def intake(self, rpc: str, request: Any, role: Role = Role.NOTIFYING_LA) -> Any:
        async with grpc.aio.insecure_channel(self._address("intake")) as channel:
            return await getattr(intake_pb2_grpc.IntakeServiceStub(channel), rpc)(request, metadata=self._md(role), timeout=30)


async def _until(check: Any, what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def _case_at(web: Web, reference: str, stage: str) -> str:
    calls = Calls(web)
    request = json_format.Parse((EXAMPLES / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"browser-{uuid.uuid4()}"
    request.notification.child.child_ref = reference
    case_id = (await calls.intake("NotifyIncident", request)).incident.case_id
    await calls.intake("RecordPanelNotification", intake_pb2.RecordPanelNotificationRequest(
        case_id=case_id, reference=f"PANEL-{uuid.uuid4().hex[:8]}", sent_date="2024-06-07"))

    async def evaluated() -> str:
        try:
            state = (await calls.decisions("GetCase", D.GetCaseRequest(case_id=case_id))).case
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                return ""
            raise
        known = any(c.id == "RR.DEADLINE" and c.due for c in state.clocks)
        return state.evaluations[-1].evaluation_id if state.evaluations and known else ""

    evaluation_id = await _until(evaluated, "the case's evaluation in decisions")
    if stage == "notified":
        return case_id
    recommendation = _example("recommendation", D.RecordRecommendationRequest, case_id)
    recommendation.evaluation_id = evaluation_id
    rec = (await calls.decisions("RecordRecommendation", recommendation, Role.RAG_MEMBER)).recommendation
    decision = _example("decision", D.RecordDecisionRequest, case_id)
    decision.recommendation_id = rec.recommendation_id
    decided = (await calls.decisions("RecordDecision", decision, Role.EXECUTIVE)).decision
    if stage == "decided":
        return case_id
    submission = _example("panel-submission", D.RecordPanelSubmissionRequest, case_id)
    submission.decision_id = decided.decision_id
    sent = (await calls.decisions("RecordPanelSubmission", submission)).submission
    if stage == "submitted":
        return case_id
    response = _example("panel-response", D.RecordPanelResponseRequest, case_id)
    response.submission_id = sent.submission_id
    await calls.decisions("RecordPanelResponse", response)
    if stage == "responded":
        return case_id
    await calls.decisions("CommissionReview", _example("commission", D.CommissionReviewRequest, case_id))
    if stage == "commissioned":
        return case_id
    for name in ("final-report-agreed", "family-saw-report", "sent-to-panel-and-sos"):
        await calls.decisions("RecordMilestone", _example(f"milestone-{name}", D.RecordMilestoneRequest, case_id))
    return case_id


def case_at(web: Web, reference: str, stage: str) -> str:
    """A new case of the Leeds partnership at `stage` (one of STAGES); returns its id."""
    assert stage in STAGES
    return run_async(_case_at(web, reference, stage))


def case_state(web: Web, case_id: str) -> D.CaseState:
    """What the decisions service holds for the case (read as the business unit)."""
    return run_async(Calls(web).decisions("GetCase", D.GetCaseRequest(case_id=case_id))).case


def incident(web: Web, case_id: str) -> intake_pb2.Incident:
    return run_async(Calls(web).intake("GetIncident", intake_pb2.GetIncidentRequest(case_id=case_id))).incident
