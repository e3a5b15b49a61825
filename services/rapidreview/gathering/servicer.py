"""gRPC entry point of gathering: translates requests into handler calls; nothing else."""

from __future__ import annotations

import grpc

from rapidreview.gathering.chases import ChaseHandlers
from rapidreview.gathering.handlers import GatheringHandlers
from rapidreview.kernel.auth import current_grant
from rapidreview.v1 import gathering_pb2 as S
from rapidreview.v1 import gathering_pb2_grpc

Context = grpc.aio.ServicerContext


def _correlation(context: Context) -> str:
    return dict(context.invocation_metadata() or ()).get("x-request-id", "")


class GatheringServicer(gathering_pb2_grpc.GatheringServiceServicer):
    def __init__(self, handlers: GatheringHandlers, chases: ChaseHandlers) -> None:
        self.h = handlers
        self.chases = chases

    async def OpenRequests(self, request: S.OpenRequestsRequest, context: Context) -> S.OpenRequestsResponse:
        return await self.h.open_requests(request, current_grant(), _correlation(context))

    async def AddAgency(self, request: S.AddAgencyRequest, context: Context) -> S.AddAgencyResponse:
        return await self.h.add_agency(request, current_grant(), _correlation(context))

    async def SubmitAgencyReturn(self, request: S.SubmitAgencyReturnRequest, context: Context) -> S.SubmitAgencyReturnResponse:
        return await self.h.submit(request, current_grant(), _correlation(context))

    async def GetRequestStatus(self, request: S.GetRequestStatusRequest, context: Context) -> S.GetRequestStatusResponse:
        return await self.h.status(request, current_grant())

    async def GetAgencyReturn(self, request: S.GetAgencyReturnRequest, context: Context) -> S.GetAgencyReturnResponse:
        return await self.h.get_return(request, current_grant())

    async def ListOverdueRequests(self, request: S.ListOverdueRequestsRequest, context: Context) -> S.ListOverdueRequestsResponse:
        return await self.h.list_overdue(request, current_grant())

    async def GetCollatedInformation(self, request: S.GetCollatedInformationRequest, context: Context) -> S.GetCollatedInformationResponse:
        return await self.h.collated(request, current_grant())

    async def CloseGathering(self, request: S.CloseGatheringRequest, context: Context) -> S.CloseGatheringResponse:
        return S.CloseGatheringResponse(collated=await self.h.close(request, current_grant(), _correlation(context)))

    async def ReopenGathering(self, request: S.ReopenGatheringRequest, context: Context) -> S.ReopenGatheringResponse:
        return S.ReopenGatheringResponse(status=await self.h.reopen(request, current_grant(), _correlation(context)))

    async def ChaseAgency(self, request: S.ChaseAgencyRequest, context: Context) -> S.ChaseAgencyResponse:
        return await self.chases.chase(request, current_grant(), _correlation(context))
