"""information.collated as gathering really publishes it: the worked example
through intake, gathering and criteria gives the checklist EXAMPLE-CASE.md expects."""

from __future__ import annotations

import pytest

from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2 as S
from tests.integration.criteria.flow import child_k_flow

pytestmark = pytest.mark.integration


async def test_worked_example_through_intake_gathering_and_criteria(fresh_database, own_nats, creds):
    async with child_k_flow(fresh_database, own_nats.url, creds) as flow:
        stored = (await flow.stub.ListEvaluations(S.ListEvaluationsRequest(case_id=flow.case_id), metadata=flow.bu.metadata())).evaluations
        assert [e.trigger for e in reversed(stored)] == [S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED, S.EVALUATION_TRIGGER_PANEL_NOTIFIED,
                                                         S.EVALUATION_TRIGGER_INFORMATION_COLLATED]
        checklist = (await flow.stub.GetChecklist(S.GetChecklistRequest(case_id=flow.case_id), metadata=flow.bu.metadata())).checklist
        outcomes = {c.rule_id: c for c in checklist.criteria}
        assert {rule: outcomes[rule].outcome for rule in (
            "DEF.SERIOUS_CASE", "NOTIFY.PANEL_IN_AREA", "RR.REQUIRED", "LOCAL.IMPROVEMENTS", "LOCAL.RECURRENT_THEMES",
            "LOCAL.MULTI_AGENCY", "LOCAL.PANEL_VIEW", "REGARD.SINGLE_AGENCY", "REGARD.CROSS_BOUNDARY", "REGARD.INSTITUTIONAL",
        )} == {
            "DEF.SERIOUS_CASE": C.OUTCOME_MET, "NOTIFY.PANEL_IN_AREA": C.OUTCOME_MET, "RR.REQUIRED": C.OUTCOME_MET,
            "LOCAL.IMPROVEMENTS": C.OUTCOME_INDICATED, "LOCAL.RECURRENT_THEMES": C.OUTCOME_INDICATED,
            "LOCAL.MULTI_AGENCY": C.OUTCOME_INDICATED, "LOCAL.PANEL_VIEW": C.OUTCOME_NOT_INDICATED,
            "REGARD.SINGLE_AGENCY": C.OUTCOME_INDICATED, "REGARD.CROSS_BOUNDARY": C.OUTCOME_NOT_INDICATED,
            "REGARD.INSTITUTIONAL": C.OUTCOME_NOT_INDICATED,
        }
        assert [e for e in outcomes["LOCAL.RECURRENT_THEMES"].evidence if e.startswith("LSCP-")] == ["LSCP-2021-03", "LSCP-2022-01"]
        assert not checklist.partial and checklist.collation_version == 1
        assert {c.id: c.due for c in checklist.clocks} == {"NOTIFY.DEADLINE": "2024-06-11", "RR.DEADLINE": "2024-06-28"}
        summary = (await flow.stub.RenderSummary(S.RenderSummaryRequest(case_id=flow.case_id, format=S.SUMMARY_FORMAT_MARKDOWN),
                                                 metadata=flow.bu.metadata())).content.decode()
        assert "returned 2024-06-25, late (v1)" in summary  # the GP's
        assert "bruising in non-mobile babies" in summary
