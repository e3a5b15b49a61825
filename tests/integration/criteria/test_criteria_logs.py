"""Canary values fed through criteria's events and API never reach the log output."""

from __future__ import annotations

import io

import grpc
import pytest

from rapidreview.kernel.logging import configure_logging
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import criteria_pb2_grpc, intake_pb2
from tests.integration.criteria.conftest import evaluations_of, stop_quickly
from tests.integration.criteria.test_criteria_api import example_facts
from tests.support.harness import RunningService
from tests.unit.criteria import child_k

pytestmark = pytest.mark.integration

CANARY_CHILD = "CANARY-CHILD-3e9d"
CANARY_AGENCY = "CANARY-AGENCY-NAME-71aa"
CANARY_REASON = "CANARY-REASON-c402"
CANARY_DATE = "CANARY-DATE-8b1f"


async def test_canary_values_never_reach_the_log(criteria_env, bu, events, case_id):
    out = io.StringIO()
    configure_logging("criteria", "DEBUG", stream=out)
    service = await RunningService("criteria", criteria_env).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = criteria_pb2_grpc.CriteriaServiceStub(channel)
            incident = child_k.incident(case_id, panel_sent="2024-06-07")
            incident.notification.child.child_ref = CANARY_CHILD
            incident.notification.agencies[0].name = CANARY_AGENCY
            await events.publish("incident.notified", intake_pb2.IncidentNotified(incident=incident), case_id=case_id)
            collated = child_k.collated(case_id)
            collated.agencies[0].agency.name = CANARY_AGENCY
            await events.publish("information.collated", collated, case_id=case_id)
            await evaluations_of(stub, bu, case_id, 2)
            await stub.ReevaluateCase(S.ReevaluateCaseRequest(case_id=case_id, reason=CANARY_REASON), metadata=bu.metadata())
            for fmt in (S.SUMMARY_FORMAT_MARKDOWN, S.SUMMARY_FORMAT_PDF):
                await stub.RenderSummary(S.RenderSummaryRequest(case_id=case_id, format=fmt), metadata=bu.metadata())
            await stub.ExplainCriterion(S.ExplainCriterionRequest(case_id=case_id, rule_id="LOCAL.MULTI_AGENCY"), metadata=bu.metadata())
            facts = example_facts()
            facts.child.child_ref = CANARY_CHILD
            facts.la_aware_date = CANARY_DATE
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.EvaluateCase(S.EvaluateCaseRequest(facts=facts), metadata=bu.metadata())
            assert CANARY_DATE not in (err.value.details() or "")
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.GetChecklist(S.GetChecklistRequest(case_id=CANARY_CHILD), metadata=bu.metadata())
    finally:
        await stop_quickly(service)
        configure_logging("criteria", "INFO")
    text = out.getvalue()
    assert '"rpc"' in text  # the log did capture the calls
    for canary in (CANARY_CHILD, CANARY_AGENCY, CANARY_REASON, CANARY_DATE):
        assert canary not in text, canary
