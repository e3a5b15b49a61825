"""Drives a case through the decision lifecycle with the example requests, one step at a time."""

from __future__ import annotations

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions.childk import example, report_text

INFORM = ("informed-panel", "informed-ofsted", "informed-dfe")
BEFORE_REPORT = ("family-informed", "family-invited", "practitioner-event", "final-report-agreed", "family-saw-report",
                 "sent-to-panel-and-sos")


class Flow:
    def __init__(self, stub, roles, case_id: str, evaluation_id: str) -> None:  # type: ignore[no-untyped-def]
        self.stub, self.roles, self.case_id, self.evaluation_id = stub, roles, case_id, evaluation_id

    def md(self, role: Role):  # type: ignore[no-untyped-def]
        return self.roles[role].metadata()

    async def recommend(self, **fields: object) -> D.RecordRecommendationResponse:
        fields.setdefault("evaluation_id", self.evaluation_id)
        request = example("recommendation", D.RecordRecommendationRequest, case_id=self.case_id, **fields)
        return await self.stub.RecordRecommendation(request, metadata=self.md(Role.RAG_MEMBER))

    async def decide(self, recommendation_id: str, **fields: object) -> D.RecordDecisionResponse:
        request = example("decision", D.RecordDecisionRequest, case_id=self.case_id, recommendation_id=recommendation_id, **fields)
        return await self.stub.RecordDecision(request, metadata=self.md(Role.EXECUTIVE))

    async def submit(self, decision_id: str, **fields: object) -> D.RecordPanelSubmissionResponse:
        request = example("panel-submission", D.RecordPanelSubmissionRequest, case_id=self.case_id, decision_id=decision_id, **fields)
        return await self.stub.RecordPanelSubmission(request, metadata=self.md(Role.BUSINESS_UNIT))

    async def respond(self, submission_id: str, **fields: object) -> D.RecordPanelResponseResponse:
        request = example("panel-response", D.RecordPanelResponseRequest, case_id=self.case_id, submission_id=submission_id, **fields)
        return await self.stub.RecordPanelResponse(request, metadata=self.md(Role.BUSINESS_UNIT))

    async def commission(self, **fields: object) -> D.CommissionReviewResponse:
        request = example("commission", D.CommissionReviewRequest, case_id=self.case_id, **fields)
        return await self.stub.CommissionReview(request, metadata=self.md(Role.BUSINESS_UNIT))

    async def milestone(self, name: str, **fields: object) -> D.RecordMilestoneResponse:
        request = example(f"milestone-{name}", D.RecordMilestoneRequest, case_id=self.case_id, **fields)
        return await self.stub.RecordMilestone(request, metadata=self.md(Role.BUSINESS_UNIT))

    async def identifying_details(self) -> D.RecordIdentifyingDetailsResponse:
        request = example("identifying-details", D.RecordIdentifyingDetailsRequest, case_id=self.case_id)
        return await self.stub.RecordIdentifyingDetails(request, metadata=self.md(Role.BUSINESS_UNIT))

    async def publish(self, **fields: object) -> D.PublishResponse:
        fields.setdefault("text", report_text())
        request = example("publish", D.PublishRequest, case_id=self.case_id, **fields)
        return await self.stub.Publish(request, metadata=self.md(Role.BUSINESS_UNIT))

    async def get(self) -> D.CaseState:
        return (await self.stub.GetCase(D.GetCaseRequest(case_id=self.case_id), metadata=self.md(Role.BUSINESS_UNIT))).case

    async def through_decision(self) -> D.Decision:
        rec = (await self.recommend()).recommendation
        return (await self.decide(rec.recommendation_id)).decision

    async def through_submission(self) -> D.PanelSubmission:
        decision = await self.through_decision()
        return (await self.submit(decision.decision_id)).submission

    async def through_commissioning(self) -> D.Review:
        sub = await self.through_submission()
        await self.respond(sub.submission_id)
        return (await self.commission()).review

    async def through_report_sent(self) -> None:
        await self.through_commissioning()
        for name in (*INFORM, *BEFORE_REPORT):
            await self.milestone(name)
