"""Drives the worked example (fictional Child K) through all four services, each
step through the real API as the role that does it, with every free-text field
supplied by the caller (so a test can put canaries in them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from google.protobuf import json_format, message

from rapidreview.kernel.auth import Role
from rapidreview.v1 import criteria_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D
from tests.security.conftest import Stack
from tests.support.harness import eventually

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
RETURN_EXAMPLE = {
    "west-yorkshire-police": "police", "leeds-childrens-social-work": "social-care", "gp-practice": "gp-late",
    "acute-hospital-trust": "hospital", "health-visiting": "health-visiting", "sibling-nursery": "nursery",
    "housing-association": "housing",
}
#: Milestones in the order the example review reaches them (informing first, then the report).
MILESTONES = ("informed-panel", "informed-ofsted", "informed-dfe", "family-informed", "family-invited",
              "practitioner-event", "final-report-agreed", "family-saw-report", "sent-to-panel-and-sos")

#: Free-text fields (by proto field name) anywhere in a request message.
FREE_TEXT_FIELDS = frozenset({
    "harm_description", "reason", "summary", "decisions", "description", "involvement_summary", "family_context",
    "title", "rationale", "note", "terms_of_reference", "explanation", "findings", "written_request", "text",
    "evidence", "audience", "not_publishing_rationale", "practitioner_role", "completed_by_role", "entry_ref",
    "value",
})

#: Returns what to put in a free-text field: (field name, the example's value) -> value.
TextFor = Callable[[str, str], str]


def keep(_field: str, value: str) -> str:
    return value


def fill_free_text(msg: message.Message, text_for: TextFor) -> message.Message:
    """Replaces every non-empty free-text field of `msg` (recursively) with `text_for(name, value)`."""
    for fd, value in list(msg.ListFields()):
        if fd.message_type is not None:
            items = value if fd.is_repeated else [value]
            for item in items:
                if isinstance(item, message.Message):
                    fill_free_text(item, text_for)
        elif fd.type == fd.TYPE_STRING and fd.name in FREE_TEXT_FIELDS:
            if fd.is_repeated:
                values = [text_for(fd.name, v) for v in value]
                del getattr(msg, fd.name)[:]
                getattr(msg, fd.name).extend(values)
            elif value:
                setattr(msg, fd.name, text_for(fd.name, value))
    return msg


def load_example(path: Path, message_type: type, **fields: object):  # type: ignore[no-untyped-def]
    msg = json_format.Parse(path.read_text(encoding="utf-8"), message_type())
    for key, value in fields.items():
        setattr(msg, key, value)
    return msg


def decisions_example(name: str, message_type: type, text_for: TextFor, **fields: object):  # type: ignore[no-untyped-def]
    return fill_free_text(load_example(EXAMPLES / "decisions" / f"{name}.json", message_type, **fields), text_for)


def notification_request(child_ref: str = "Child K", text_for: TextFor = keep) -> intake_pb2.NotifyIncidentRequest:
    request = load_example(EXAMPLES / "notification.json", intake_pb2.NotifyIncidentRequest)
    request.idempotency_key = f"key-{uuid.uuid4().hex}"
    request.notification.child.child_ref = child_ref
    fill_free_text(request, text_for)
    return request


def agency_return(agency_id: str, case_id: str, text_for: TextFor = keep) -> gathering_pb2.SubmitAgencyReturnRequest:
    request = load_example(EXAMPLES / f"agency-return-{RETURN_EXAMPLE[agency_id]}.json", gathering_pb2.SubmitAgencyReturnRequest)
    request.case_id = case_id
    fill_free_text(request, text_for)
    return request


@dataclass
class CaseRun:
    """One case pushed through the pipeline; ids of what was recorded on the way."""

    stack: Stack
    text_for: TextFor = keep
    child_ref: str = "Child K"
    case_id: str = ""
    agencies: list[str] = field(default_factory=list)
    evaluation_id: str = ""
    ids: dict[str, str] = field(default_factory=dict)

    # -- intake ---------------------------------------------------------------
    async def notify(self) -> intake_pb2.Incident:
        request = notification_request(self.child_ref, self.text_for)
        incident = (await self.stack.stub("intake").NotifyIncident(request, metadata=self.stack.md(Role.NOTIFYING_LA))).incident
        self.case_id = incident.case_id
        self.agencies = [a.agency_id for a in request.notification.agencies]
        return incident

    async def panel_notified(self) -> None:
        intake = self.stack.stub("intake")
        la = self.stack.md(Role.NOTIFYING_LA)
        await intake.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
            case_id=self.case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"), metadata=la)
        await intake.RecordPartnersInformed(intake_pb2.RecordPartnersInformedRequest(
            case_id=self.case_id, informed_date="2024-06-05"), metadata=la)

    # -- gathering ------------------------------------------------------------
    async def gathering_opened(self) -> None:
        stub = self.stack.stub("gathering")
        bu = self.stack.md(Role.BUSINESS_UNIT)

        async def ready():  # type: ignore[no-untyped-def]
            try:
                status = await stub.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=self.case_id), metadata=bu)
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND:
                    return None
                raise
            due_basis = {r.due_basis for r in status.requests}
            return status if status.requests and due_basis == {gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION} else None

        await eventually(ready, timeout=30, what="the gathering to open with Panel-based due dates")

    async def submit_returns(self) -> None:
        stub = self.stack.stub("gathering")
        for agency_id in self.agencies:
            await stub.SubmitAgencyReturn(agency_return(agency_id, self.case_id, self.text_for),
                                          metadata=self.stack.md(Role.AGENCY, agency=agency_id))

    # -- criteria -------------------------------------------------------------
    async def collated_evaluation(self) -> str:
        """Waits for the evaluation criteria made from the collated returns; returns its id."""
        stub = self.stack.stub("criteria")
        bu = self.stack.md(Role.BUSINESS_UNIT)

        async def evaluated():  # type: ignore[no-untyped-def]
            try:
                response = await stub.ListEvaluations(criteria_pb2.ListEvaluationsRequest(case_id=self.case_id), metadata=bu)
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND:
                    return None
                raise
            collated = [e for e in response.evaluations if e.trigger == criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED]
            return collated[0].evaluation_id if collated else None

        self.evaluation_id = await eventually(evaluated, timeout=30, what="the collated evaluation")
        return self.evaluation_id

    async def decisions_know_evaluation(self) -> None:
        stub = self.stack.stub("decisions")
        bu = self.stack.md(Role.BUSINESS_UNIT)

        async def known():  # type: ignore[no-untyped-def]
            try:
                case = (await stub.GetCase(D.GetCaseRequest(case_id=self.case_id), metadata=bu)).case
            except grpc.aio.AioRpcError as exc:
                if exc.code() == grpc.StatusCode.NOT_FOUND:
                    return False
                raise
            return any(e.evaluation_id == self.evaluation_id for e in case.evaluations) and any(
                c.id == "RR.DEADLINE" for c in case.clocks)

        await eventually(known, timeout=30, what="decisions to know the evaluation and RR.DEADLINE")

    # -- decisions ------------------------------------------------------------
    def _example(self, name: str, message_type: type, **fields: object):  # type: ignore[no-untyped-def]
        return decisions_example(name, message_type, self.text_for, case_id=self.case_id, **fields)

    async def decide(self) -> None:
        stub, md = self.stack.stub("decisions"), self.stack.md
        rec = (await stub.RecordRecommendation(self._example("recommendation", D.RecordRecommendationRequest,
                                                             evaluation_id=self.evaluation_id), metadata=md(Role.RAG_MEMBER))).recommendation
        self.ids["recommendation"] = rec.recommendation_id
        decision = (await stub.RecordDecision(self._example("decision", D.RecordDecisionRequest, recommendation_id=rec.recommendation_id),
                                              metadata=md(Role.EXECUTIVE))).decision
        self.ids["decision"] = decision.decision_id
        submission = (await stub.RecordPanelSubmission(self._example("panel-submission", D.RecordPanelSubmissionRequest,
                                                                     decision_id=decision.decision_id), metadata=md(Role.BUSINESS_UNIT))).submission
        self.ids["submission"] = submission.submission_id
        await stub.RecordPanelResponse(self._example("panel-response", D.RecordPanelResponseRequest, submission_id=submission.submission_id),
                                       metadata=md(Role.BUSINESS_UNIT))

    async def review(self) -> None:
        """Commissioning to publication, with extension, progress check, actions and dissemination."""
        stub, bu = self.stack.stub("decisions"), self.stack.md(Role.BUSINESS_UNIT)
        review = (await stub.CommissionReview(self._example("commission", D.CommissionReviewRequest), metadata=bu)).review
        self.ids["review"] = review.review_id
        await stub.RecordProgressCheck(self._example("progress-check", D.RecordProgressCheckRequest), metadata=bu)
        await stub.RecordExtension(self._example("extension", D.RecordExtensionRequest), metadata=self.stack.md(Role.EXECUTIVE))
        for name in MILESTONES:
            await stub.RecordMilestone(self._example(f"milestone-{name}", D.RecordMilestoneRequest), metadata=bu)
        await stub.RecordIdentifyingDetails(self._example("identifying-details", D.RecordIdentifyingDetailsRequest), metadata=bu)
        text = self.text_for("text", (EXAMPLES / "decisions" / "report-child-p.md").read_text(encoding="utf-8"))
        await stub.CheckAnonymisation(D.CheckAnonymisationRequest(case_id=self.case_id, text=text), metadata=bu)
        await stub.Publish(self._example("publish", D.PublishRequest, text=text), metadata=bu)
        action = (await stub.AddAction(self._example("action", D.AddActionRequest), metadata=bu)).action
        self.ids["action"] = action.action_id
        await stub.UpdateAction(D.UpdateActionRequest(case_id=self.case_id, action_id=action.action_id, status=D.ACTION_STATUS_COMPLETED,
                                                      evidence=self.text_for("evidence", "Audit report received from every practice."),
                                                      closed_on="2025-01-10"), metadata=bu)
        await stub.RecordDissemination(self._example("dissemination", D.RecordDisseminationRequest), metadata=bu)

    async def through_evaluation(self) -> None:
        await self.notify()
        await self.panel_notified()
        await self.gathering_opened()
        await self.submit_returns()
        await self.collated_evaluation()
        await self.decisions_know_evaluation()

    async def run_all(self) -> None:
        await self.through_evaluation()
        await self.decide()
        await self.review()
