"""gRPC entry point of decisions: translates requests into handler calls; nothing else."""

from __future__ import annotations

import grpc

from rapidreview.decisions.document_handlers import DocumentHandlers
from rapidreview.decisions.handlers import DecisionHandlers
from rapidreview.decisions.peers import forwarded_metadata
from rapidreview.kernel.auth import current_grant
from rapidreview.v1 import decisions_pb2 as S
from rapidreview.v1 import decisions_pb2_grpc

Context = grpc.aio.ServicerContext


def _correlation(context: Context) -> str:
    return dict(context.invocation_metadata() or ()).get("x-request-id", "")


class DecisionServicer(decisions_pb2_grpc.DecisionServiceServicer):
    def __init__(self, handlers: DecisionHandlers, documents: DocumentHandlers) -> None:
        self.h = handlers
        self.documents = documents

    async def RecordRecommendation(self, request: S.RecordRecommendationRequest, context: Context) -> S.RecordRecommendationResponse:
        return await self.h.record_recommendation(request, current_grant(), _correlation(context))

    async def RecordDecision(self, request: S.RecordDecisionRequest, context: Context) -> S.RecordDecisionResponse:
        return await self.h.record_decision(request, current_grant(), _correlation(context))

    async def RecordPanelSubmission(self, request: S.RecordPanelSubmissionRequest, context: Context) -> S.RecordPanelSubmissionResponse:
        return await self.h.record_panel_submission(request, current_grant(), _correlation(context))

    async def RecordPanelResponse(self, request: S.RecordPanelResponseRequest, context: Context) -> S.RecordPanelResponseResponse:
        return await self.h.record_panel_response(request, current_grant(), _correlation(context))

    async def CommissionReview(self, request: S.CommissionReviewRequest, context: Context) -> S.CommissionReviewResponse:
        return await self.h.commission_review(request, current_grant(), _correlation(context))

    async def RecordMilestone(self, request: S.RecordMilestoneRequest, context: Context) -> S.RecordMilestoneResponse:
        return await self.h.record_milestone(request, current_grant(), _correlation(context))

    async def RecordExtension(self, request: S.RecordExtensionRequest, context: Context) -> S.RecordExtensionResponse:
        return await self.h.record_extension(request, current_grant(), _correlation(context))

    async def RecordProgressCheck(self, request: S.RecordProgressCheckRequest, context: Context) -> S.RecordProgressCheckResponse:
        return await self.h.record_progress_check(request, current_grant(), _correlation(context))

    async def RecordIdentifyingDetails(self, request: S.RecordIdentifyingDetailsRequest, context: Context) -> S.RecordIdentifyingDetailsResponse:
        return await self.h.record_identifying_details(request, current_grant(), _correlation(context))

    async def CheckAnonymisation(self, request: S.CheckAnonymisationRequest, context: Context) -> S.CheckAnonymisationResponse:
        return await self.h.check_anonymisation(request, current_grant())

    async def Publish(self, request: S.PublishRequest, context: Context) -> S.PublishResponse:
        return await self.h.publish(request, current_grant(), _correlation(context))

    async def AddAction(self, request: S.AddActionRequest, context: Context) -> S.AddActionResponse:
        return await self.h.add_action(request, current_grant(), _correlation(context))

    async def UpdateAction(self, request: S.UpdateActionRequest, context: Context) -> S.UpdateActionResponse:
        return await self.h.update_action(request, current_grant(), _correlation(context))

    async def RecordDissemination(self, request: S.RecordDisseminationRequest, context: Context) -> S.RecordDisseminationResponse:
        return await self.h.record_dissemination(request, current_grant(), _correlation(context))

    async def GetCase(self, request: S.GetCaseRequest, context: Context) -> S.GetCaseResponse:
        return S.GetCaseResponse(case=await self.h.get_case(request.case_id, current_grant()))

    async def GetAuditTrail(self, request: S.GetAuditTrailRequest, context: Context) -> S.GetAuditTrailResponse:
        return await self.h.get_audit_trail(request, current_grant())

    async def VerifyAuditTrail(self, request: S.VerifyAuditTrailRequest, context: Context) -> S.VerifyAuditTrailResponse:
        return await self.h.verify_audit_trail(request, current_grant())

    async def RenderRapidReviewReport(self, request: S.RenderRapidReviewReportRequest,
                                      context: Context) -> S.RenderRapidReviewReportResponse:
        md = forwarded_metadata(context.invocation_metadata(), _correlation(context))
        return await self.documents.render_report(request, current_grant(), md)

    async def GetRapidReviewReport(self, request: S.GetRapidReviewReportRequest, context: Context) -> S.GetRapidReviewReportResponse:
        return await self.documents.get_report(request, current_grant())

    async def GetYearlyFigures(self, request: S.GetYearlyFiguresRequest, context: Context) -> S.GetYearlyFiguresResponse:
        md = forwarded_metadata(context.invocation_metadata(), _correlation(context))
        return await self.documents.yearly_figures(request, current_grant(), md)
