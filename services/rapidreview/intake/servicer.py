"""gRPC entry point of intake: translates requests into handler calls; nothing else."""

from __future__ import annotations

import grpc

from rapidreview.intake.handlers import IntakeHandlers
from rapidreview.kernel.auth import current_grant
from rapidreview.v1 import intake_pb2 as S
from rapidreview.v1 import intake_pb2_grpc


def _correlation(context: grpc.aio.ServicerContext) -> str:
    return dict(context.invocation_metadata() or ()).get("x-request-id", "")


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, handlers: IntakeHandlers) -> None:
        self.h = handlers

    async def NotifyIncident(self, request: S.NotifyIncidentRequest, context: grpc.aio.ServicerContext) -> S.NotifyIncidentResponse:
        return await self.h.notify(request, current_grant(), _correlation(context))

    async def GetIncident(self, request: S.GetIncidentRequest, context: grpc.aio.ServicerContext) -> S.GetIncidentResponse:
        return S.GetIncidentResponse(incident=await self.h.get(request.case_id, current_grant(), request.notification_version))

    async def ListIncidents(self, request: S.ListIncidentsRequest, context: grpc.aio.ServicerContext) -> S.ListIncidentsResponse:
        return await self.h.list(request, current_grant())

    async def RecordPanelNotification(self, request: S.RecordPanelNotificationRequest, context: grpc.aio.ServicerContext) -> S.RecordPanelNotificationResponse:
        return S.RecordPanelNotificationResponse(incident=await self.h.record_panel_notification(request, current_grant(), _correlation(context)))

    async def RecordPartnersInformed(self, request: S.RecordPartnersInformedRequest, context: grpc.aio.ServicerContext) -> S.RecordPartnersInformedResponse:
        return S.RecordPartnersInformedResponse(incident=await self.h.record_partners_informed(request, current_grant(), _correlation(context)))

    async def RecordNotificationSent(self, request: S.RecordNotificationSentRequest, context: grpc.aio.ServicerContext) -> S.RecordNotificationSentResponse:
        return S.RecordNotificationSentResponse(incident=await self.h.record_notification_sent(request, current_grant(), _correlation(context)))

    async def AmendNotification(self, request: S.AmendNotificationRequest, context: grpc.aio.ServicerContext) -> S.AmendNotificationResponse:
        return S.AmendNotificationResponse(incident=await self.h.amend(request, current_grant(), _correlation(context)))

    async def RecordReferralDecision(self, request: S.RecordReferralDecisionRequest, context: grpc.aio.ServicerContext) -> S.RecordReferralDecisionResponse:
        return S.RecordReferralDecisionResponse(incident=await self.h.record_referral_decision(request, current_grant(), _correlation(context)))

    async def WithdrawIncident(self, request: S.WithdrawIncidentRequest, context: grpc.aio.ServicerContext) -> S.WithdrawIncidentResponse:
        return S.WithdrawIncidentResponse(incident=await self.h.withdraw(request, current_grant(), _correlation(context)))

    async def ExtendClock(self, request: S.ExtendClockRequest, context: grpc.aio.ServicerContext) -> S.ExtendClockResponse:
        return S.ExtendClockResponse(incident=await self.h.extend_clock(request, current_grant(), _correlation(context)))
