"""Stages and next steps from the facts the read model holds (no database)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace.readmodel.domain.progress import CLOSED_STAGES, CaseFacts, Stage, next_step, stage

NOTIFIED = CaseFacts()
PANEL = CaseFacts(panel_notified=True, requests_total=3, returns_in=1)
COLLATED = CaseFacts(panel_notified=True, requests_total=3, returns_in=3, collation_version=1)
EVALUATED = CaseFacts(panel_notified=True, requests_total=3, returns_in=3, collation_version=1, evaluated_collation_version=1)


def with_(facts: CaseFacts, **changes) -> CaseFacts:
    return CaseFacts(**{**facts.__dict__, **changes})


def decided(kind: int = D.REVIEW_DECISION_NO_CSPR, **changes) -> CaseFacts:
    base = dict(recommendation_round=1, decision_round=1, decision_id="d1", decision_kind=kind)
    return with_(EVALUATED, **{**base, **changes})


def test_a_new_notification_waits_for_the_panel_notification():
    assert stage(NOTIFIED) is Stage.NOTIFIED
    assert next_step(NOTIFIED) == "Record the Panel notification"


def test_returns_outstanding_keep_the_case_gathering_and_say_how_many():
    assert stage(PANEL) is Stage.GATHERING
    assert next_step(PANEL) == "Wait for or chase 2 outstanding returns (1 of 3 in)"
    assert next_step(with_(PANEL, returns_in=2)) == "Wait for or chase 1 outstanding return (2 of 3 in)"


def test_no_request_yet_asks_for_information_requests():
    assert next_step(with_(PANEL, requests_total=0, returns_in=0)) == "Open information requests to the agencies involved"


def test_a_closed_gathering_with_returns_missing_is_collated_and_goes_on_to_the_evaluation():
    closed = with_(PANEL, gathering_open=False, collation_version=1)
    assert stage(closed) is Stage.EVALUATING
    assert stage(with_(closed, evaluated_collation_version=1)) is Stage.ADVISORY_GROUP


def test_the_initial_checklist_does_not_count_as_the_evaluation_of_the_collated_information():
    assert stage(with_(COLLATED, evaluated_collation_version=0)) is Stage.EVALUATING
    assert stage(EVALUATED) is Stage.ADVISORY_GROUP


def test_a_reopened_gathering_with_a_return_outstanding_is_gathering_again():
    reopened = with_(EVALUATED, gathering_open=True, requests_total=4)
    assert stage(reopened) is Stage.GATHERING


def test_the_decision_round_moves_through_the_executive_the_panel_submission_and_response():
    recommended = with_(EVALUATED, recommendation_round=1)
    assert stage(recommended) is Stage.EXECUTIVE
    assert stage(decided()) is Stage.PANEL_SUBMISSION
    submitted = decided(submitted_decision_id="d1", submission_id="s1")
    assert stage(submitted) is Stage.PANEL_RESPONSE
    agreed = with_(submitted, responded_submission_id="s1", response_kind=D.PANEL_RESPONSE_KIND_AGREES)
    assert stage(agreed) is Stage.COMPLETED and not stage(agreed).is_open


def test_a_cspr_decision_the_panel_agrees_with_is_to_commission_then_in_review_then_published():
    agreed = decided(D.REVIEW_DECISION_CSPR, submitted_decision_id="d1", submission_id="s1", responded_submission_id="s1",
                     response_kind=D.PANEL_RESPONSE_KIND_AGREES)
    assert stage(agreed) is Stage.COMMISSIONING
    review = with_(agreed, review_commissioned=True, six_month_target=dt.date(2025, 1, 20))
    assert stage(review) is Stage.REVIEW
    assert next_step(review) == "Complete and publish the local review by 2025-01-20"
    assert stage(with_(review, published=True)) is Stage.PUBLISHED


def test_a_panel_challenge_opens_a_new_round_for_the_advisory_group():
    challenged = decided(submitted_decision_id="d1", submission_id="s1", responded_submission_id="s1",
                         response_kind=D.PANEL_RESPONSE_KIND_CHALLENGES)
    assert stage(challenged) is Stage.PANEL_RECONSIDERATION
    # Round 2's recommendation is heard of: the round-1 decision no longer counts.
    assert stage(with_(challenged, recommendation_round=2)) is Stage.EXECUTIVE


def test_a_submission_of_an_earlier_decision_does_not_count_for_the_current_one():
    round_two = decided(recommendation_round=2, decision_round=2, decision_id="d2", submitted_decision_id="d1", submission_id="s1")
    assert stage(round_two) is Stage.PANEL_SUBMISSION


def test_a_decision_heard_of_before_its_recommendation_still_counts():
    assert stage(with_(EVALUATED, decision_round=1, decision_id="d1", decision_kind=D.REVIEW_DECISION_NO_CSPR)) is Stage.PANEL_SUBMISSION


def test_withdrawn_and_not_required_override_everything_and_are_closed():
    assert stage(decided(withdrawn=True)) is Stage.WITHDRAWN
    assert stage(with_(PANEL, rapid_review_required=False)) is Stage.NOT_REQUIRED
    assert {Stage.WITHDRAWN, Stage.NOT_REQUIRED} <= CLOSED_STAGES


@pytest.mark.parametrize("facts", [NOTIFIED, PANEL, COLLATED, EVALUATED, decided()])
def test_every_stage_has_a_label_and_a_next_step(facts):
    assert stage(facts).label and next_step(facts)


def test_every_stage_value_has_a_label_and_a_next_step_text():
    for s in Stage:
        assert s.label
    facts = [NOTIFIED, PANEL, COLLATED, EVALUATED, decided(), decided(withdrawn=True)]
    for f, g in itertools.product(facts, repeat=2):
        assert next_step(f) and next_step(g)
