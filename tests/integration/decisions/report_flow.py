"""The worked example (Child K, fictional) through all four services up to the
Executive's decision, ready for its rapid review report: the criteria flow of
tests/integration/criteria/flow.py with decisions running too, then the
advisory group's recommendation and the Executive's decision of
docs/examples/decisions/ on the full checklist."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import grpc

from rapidreview.kernel.auth import Role
from rapidreview.stack.credentials import DevCredentials
from rapidreview.v1 import criteria_pb2, decisions_pb2_grpc
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.criteria.flow import ChildKFlow, child_k_flow
from tests.integration.decisions import childk
from tests.support.harness import Caller, eventually

#: Decisions' today: the day the report is sent to the Panel.
SENT = "2024-06-27"


@dataclass
class ReportFlow:
    flow: ChildKFlow
    stub: decisions_pb2_grpc.DecisionServiceStub
    creds: DevCredentials
    recommendation: D.Recommendation
    decision: D.Decision
    evaluation_id: str

    @property
    def case_id(self) -> str:
        return self.flow.case_id

    def md(self, role: Role, partnership: str = "leeds") -> tuple[tuple[str, str], ...]:
        return Caller(self.creds, role, partnership=partnership).metadata()


@asynccontextmanager
async def child_k_decided(database_url: str, nats_url: str, creds: DevCredentials, *,
                          decision: D.RecordDecisionRequest | None = None) -> AsyncIterator[ReportFlow]:
    """Child K decided: the RAG recommends a CSPR on the full checklist (24 June 2024) and the
    Executive decides (by default as in docs/examples/decisions/decision.json, 26 June)."""
    async with child_k_flow(database_url, nats_url, creds, decisions_today=SENT) as flow:
        bu = Caller(creds, Role.BUSINESS_UNIT).metadata()
        latest = (await flow.stub.ListEvaluations(criteria_pb2.ListEvaluationsRequest(case_id=flow.case_id),
                                                  metadata=bu)).evaluations[0]
        async with grpc.aio.insecure_channel(flow.services["decisions"].address) as channel:
            stub = decisions_pb2_grpc.DecisionServiceStub(channel)

            async def evaluation_known():  # type: ignore[no-untyped-def]
                try:
                    case = (await stub.GetCase(D.GetCaseRequest(case_id=flow.case_id), metadata=bu)).case
                except grpc.aio.AioRpcError:
                    return False
                return latest.evaluation_id in {e.evaluation_id for e in case.evaluations}

            await eventually(evaluation_known, what="decisions to know the full checklist's evaluation")
            rec = (await stub.RecordRecommendation(childk.recommendation(flow.case_id, latest.evaluation_id),
                                                   metadata=Caller(creds, Role.RAG_MEMBER).metadata())).recommendation
            request = decision or childk.example("decision", D.RecordDecisionRequest)
            request.case_id, request.recommendation_id = flow.case_id, rec.recommendation_id
            dec = (await stub.RecordDecision(request, metadata=Caller(creds, Role.EXECUTIVE).metadata())).decision
            yield ReportFlow(flow, stub, creds, rec, dec, latest.evaluation_id)
