"""Request validation: field violations, nothing else."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from google.protobuf import json_format

from rapidreview.decisions.domain import validation as V
from rapidreview.v1 import decisions_pb2 as D

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples" / "decisions"
TODAY = dt.date(2025, 1, 20)
CASE = str(uuid.uuid4())


def _example(name: str, message_type: type, **fields: object):  # type: ignore[no-untyped-def]
    msg = json_format.Parse((EXAMPLES / f"{name}.json").read_text(), message_type())
    msg.case_id = CASE
    for k, v in fields.items():
        setattr(msg, k, v)
    return msg


def _fields(v: V.Violations) -> list[str]:
    return [f for f, _ in v.items]


def test_the_example_requests_are_valid():
    assert not V.validate_recommendation(_example("recommendation", D.RecordRecommendationRequest, evaluation_id="e-1"), TODAY)
    assert not V.validate_decision(_example("decision", D.RecordDecisionRequest, recommendation_id=str(uuid.uuid4())), TODAY)
    assert not V.validate_commission(_example("commission", D.CommissionReviewRequest), TODAY)
    assert not V.validate_publish(_example("publish", D.PublishRequest, text="report"), TODAY)
    assert not V.validate_identifying_details(_example("identifying-details", D.RecordIdentifyingDetailsRequest))


def test_recommendation_needs_a_conclusion_on_every_criterion_once():
    request = _example("recommendation", D.RecordRecommendationRequest, evaluation_id="e-1")
    del request.criteria[-1]
    request.criteria.append(D.CriterionView(criterion_id="LOCAL.IMPROVEMENTS", conclusion=D.CRITERION_CONCLUSION_YES, rationale="x"))
    request.criteria.append(D.CriterionView(criterion_id="DEF.CHILD", conclusion=D.CRITERION_CONCLUSION_YES, rationale="x"))
    v = V.validate_recommendation(request, TODAY)
    assert set(_fields(v)) == {"criteria[7].criterion_id", "criteria[8].criterion_id", "criteria"}
    assert "REGARD.INSTITUTIONAL" in dict(v.items)["criteria"]


def test_decision_needs_all_three_partners_and_a_word_on_the_family():
    request = _example("decision", D.RecordDecisionRequest, recommendation_id=str(uuid.uuid4()))
    del request.decided_by[1]
    del request.communications[1]
    v = V.validate_decision(request, TODAY)
    assert dict(v.items)["decided_by"].endswith("missing: POLICE")
    assert "communications" in _fields(v)


def test_not_communicating_to_the_family_needs_the_reason():
    request = _example("decision", D.RecordDecisionRequest, recommendation_id=str(uuid.uuid4()))
    request.communications[1].status = D.COMMUNICATION_STATUS_NOT_APPROPRIATE
    request.communications[1].note = ""
    assert _fields(V.validate_decision(request, TODAY)) == ["communications[1].note"]


def test_dates_in_the_future_or_malformed_are_refused():
    request = _example("decision", D.RecordDecisionRequest, recommendation_id=str(uuid.uuid4()), decided_on="2025-01-21")
    assert _fields(V.validate_decision(request, TODAY)) == ["decided_on"]
    request.decided_on = "26/06/2024"
    assert _fields(V.validate_decision(request, TODAY)) == ["decided_on"]


def test_improvements_only_publication_needs_the_rationale_and_a_year_of_availability():
    request = _example("publish", D.PublishRequest, text="report", kind=D.PUBLICATION_KIND_IMPROVEMENTS_ONLY,
                       available_until="2025-06-01")
    assert set(_fields(V.validate_publish(request, TODAY))) == {"not_publishing_rationale", "available_until"}


def test_review_panel_members_directly_involved_are_refused():
    request = _example("commission", D.CommissionReviewRequest)
    request.panel[0].directly_involved = True
    assert _fields(V.validate_commission(request, TODAY)) == ["panel[0].directly_involved"]


def test_the_child_reference_is_not_recorded_by_hand():
    request = D.RecordIdentifyingDetailsRequest(case_id=CASE, details=[
        D.IdentifyingDetail(kind=D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE, value="Child K"),
        D.IdentifyingDetail(kind=D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH, value="2 Nov 2023")])
    assert _fields(V.validate_identifying_details(request)) == ["details[0].kind", "details[1].value"]


def test_completing_an_action_needs_evidence_and_a_date():
    request = D.UpdateActionRequest(case_id=CASE, action_id=str(uuid.uuid4()), status=D.ACTION_STATUS_COMPLETED)
    assert set(_fields(V.validate_update_action(request, TODAY))) == {"evidence", "closed_on"}
