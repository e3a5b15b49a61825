"""gRPC entry point of criteria: translates requests into handler calls; nothing else."""

from __future__ import annotations

import grpc

from rapidreview.criteria.handlers import CriteriaHandlers
from rapidreview.kernel.auth import current_grant
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import criteria_pb2_grpc


def _correlation(context: grpc.aio.ServicerContext) -> str:
    return dict(context.invocation_metadata() or ()).get("x-request-id", "")


class CriteriaServicer(criteria_pb2_grpc.CriteriaServiceServicer):
    def __init__(self, handlers: CriteriaHandlers) -> None:
        self.h = handlers

    async def EvaluateCase(self, request: S.EvaluateCaseRequest, context: grpc.aio.ServicerContext) -> S.EvaluateCaseResponse:
        return S.EvaluateCaseResponse(checklist=await self.h.evaluate_case(request))

    async def GetChecklist(self, request: S.GetChecklistRequest, context: grpc.aio.ServicerContext) -> S.GetChecklistResponse:
        return S.GetChecklistResponse(checklist=await self.h.get_checklist(request.case_id, request.evaluation_id, current_grant()))

    async def RenderSummary(self, request: S.RenderSummaryRequest, context: grpc.aio.ServicerContext) -> S.RenderSummaryResponse:
        return await self.h.render_summary(request, current_grant(), _correlation(context))

    async def ListRuleEditions(self, request: S.ListRuleEditionsRequest, context: grpc.aio.ServicerContext) -> S.ListRuleEditionsResponse:
        return self.h.list_editions()

    async def ExplainCriterion(self, request: S.ExplainCriterionRequest, context: grpc.aio.ServicerContext) -> S.ExplainCriterionResponse:
        return await self.h.explain(request, current_grant())

    async def ReevaluateCase(self, request: S.ReevaluateCaseRequest, context: grpc.aio.ServicerContext) -> S.ReevaluateCaseResponse:
        return S.ReevaluateCaseResponse(checklist=await self.h.reevaluate(request, current_grant(), _correlation(context)))

    async def ImportEarlierReviews(self, request: S.ImportEarlierReviewsRequest,
                                   context: grpc.aio.ServicerContext) -> S.ImportEarlierReviewsResponse:
        return await self.h.import_earlier_reviews(request, current_grant(), _correlation(context))

    async def ListEvaluations(self, request: S.ListEvaluationsRequest, context: grpc.aio.ServicerContext) -> S.ListEvaluationsResponse:
        return await self.h.list_evaluations(request.case_id, current_grant())

    async def ReplayEvaluation(self, request: S.ReplayEvaluationRequest, context: grpc.aio.ServicerContext) -> S.ReplayEvaluationResponse:
        return await self.h.replay(request, current_grant())

    async def ListCaseThemes(self, request: S.ListCaseThemesRequest, context: grpc.aio.ServicerContext) -> S.ListCaseThemesResponse:
        return await self.h.list_case_themes(request, current_grant())

    async def GetNationalThemes(self, request: S.GetNationalThemesRequest, context: grpc.aio.ServicerContext) -> S.GetNationalThemesResponse:
        return self.h.national_themes()

    async def GetLearningThemes(self, request: S.GetLearningThemesRequest, context: grpc.aio.ServicerContext) -> S.GetLearningThemesResponse:
        return self.h.learning_themes(request)
