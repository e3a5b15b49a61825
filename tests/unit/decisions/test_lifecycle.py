"""The order of steps: stages derived from what was recorded, refusals naming the missing step."""

from __future__ import annotations

import pytest

from rapidreview.decisions.domain import lifecycle as L
from rapidreview.decisions.domain.lifecycle import Progress, Step
from rapidreview.kernel.errors import FailedPrecondition
from rapidreview.v1 import decisions_pb2 as D

REC = Step("rec-1", D.REVIEW_DECISION_CSPR)
CSPR = Step("dec-1", D.REVIEW_DECISION_CSPR)
SUB = Step("sub-1")


def test_stages_follow_the_recorded_steps():
    assert L.stage(Progress()) == D.CASE_STAGE_AWAITING_RECOMMENDATION
    assert L.stage(Progress(round=1, recommendation=REC)) == D.CASE_STAGE_AWAITING_DECISION
    assert L.stage(Progress(round=1, recommendation=REC, decision=CSPR)) == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION
    assert L.stage(Progress(round=1, recommendation=REC, decision=CSPR, submission=SUB)) == D.CASE_STAGE_AWAITING_PANEL_RESPONSE
    agreed = Progress(round=1, recommendation=REC, decision=CSPR, submission=SUB, response=Step("r", D.PANEL_RESPONSE_KIND_AGREES))
    assert L.stage(agreed) == D.CASE_STAGE_DECISION_SETTLED
    challenged = Progress(round=1, recommendation=REC, decision=CSPR, submission=SUB, response=Step("r", D.PANEL_RESPONSE_KIND_CHALLENGES))
    assert L.stage(challenged) == D.CASE_STAGE_PANEL_RECONSIDERATION
    assert L.stage(Progress(review_id="rv")) == D.CASE_STAGE_REVIEW_IN_PROGRESS
    assert L.stage(Progress(review_id="rv", published=True)) == D.CASE_STAGE_PUBLISHED
    assert L.stage(Progress(withdrawn=True, review_id="rv")) == D.CASE_STAGE_WITHDRAWN


def test_decision_without_recommendation_names_the_rag_step():
    with pytest.raises(FailedPrecondition, match="RecordRecommendation"):
        L.require_decision_allowed(Progress(), "rec-1")


def test_submission_without_decision_names_the_executive_step():
    with pytest.raises(FailedPrecondition, match="RecordDecision"):
        L.require_submission_allowed(Progress(round=1, recommendation=REC), "dec-1")


def test_commissioning_needs_a_cspr_decision():
    no_cspr = Progress(round=1, recommendation=REC, decision=Step("d", D.REVIEW_DECISION_NO_CSPR), submission=SUB)
    with pytest.raises(FailedPrecondition, match="CSPR decision"):
        L.require_commissioning_allowed(no_cspr)
    with pytest.raises(FailedPrecondition, match="RecordDecision"):
        L.require_commissioning_allowed(Progress(round=1, recommendation=REC))


def test_commissioning_needs_the_panel_submission():
    with pytest.raises(FailedPrecondition, match="RecordPanelSubmission"):
        L.require_commissioning_allowed(Progress(round=1, recommendation=REC, decision=CSPR))
    assert L.require_commissioning_allowed(Progress(round=1, recommendation=REC, decision=CSPR, submission=SUB)) == CSPR


def test_a_new_recommendation_after_a_decision_needs_a_panel_challenge():
    decided = Progress(round=1, recommendation=REC, decision=CSPR, submission=SUB, response=Step("r", D.PANEL_RESPONSE_KIND_AGREES))
    with pytest.raises(FailedPrecondition, match="Panel challenge"):
        L.require_recommendation_allowed(decided)
    L.require_recommendation_allowed(Progress(round=1, recommendation=REC))  # revising before the decision is fine
    L.require_recommendation_allowed(dataclass_replace(decided, response=Step("r", D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE)))


def dataclass_replace(p: Progress, **kw):  # type: ignore[no-untyped-def]
    import dataclasses

    return dataclasses.replace(p, **kw)


def test_decision_must_be_on_the_current_recommendation():
    with pytest.raises(FailedPrecondition, match="current recommendation"):
        L.require_decision_allowed(Progress(round=1, recommendation=REC), "rec-0")


def test_report_is_sent_only_once_agreed_and_published_only_once_sent():
    review = Progress(review_id="rv")
    with pytest.raises(FailedPrecondition, match="FINAL_REPORT_AGREED"):
        L.require_milestone_allowed(review, D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS)
    with pytest.raises(FailedPrecondition, match="FINAL_REPORT_AGREED"):
        L.require_publication_allowed(review)
    agreed = dataclass_replace(review, milestones=frozenset({D.MILESTONE_KIND_FINAL_REPORT_AGREED}))
    with pytest.raises(FailedPrecondition, match="SENT_TO_PANEL_AND_SOS"):
        L.require_publication_allowed(agreed)


def test_publication_needs_the_family_to_have_seen_the_report_or_a_recorded_reason_it_was_not_appropriate():
    sent = Progress(review_id="rv", milestones=frozenset({D.MILESTONE_KIND_FINAL_REPORT_AGREED,
                                                          D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS}))
    with pytest.raises(FailedPrecondition, match="POST.FAMILY.*FAMILY_NOT_SHOWN_REPORT"):
        L.require_publication_allowed(sent)
    for family in (D.MILESTONE_KIND_FAMILY_SAW_REPORT, D.MILESTONE_KIND_FAMILY_NOT_SHOWN_REPORT):
        assert L.require_publication_allowed(dataclass_replace(sent, milestones=sent.milestones | {family})) == "rv"


def test_inform_milestones_follow_a_cspr_decision_not_commissioning():
    with pytest.raises(FailedPrecondition, match="CSPR decision"):
        L.require_milestone_allowed(Progress(), D.MILESTONE_KIND_INFORMED_OFSTED)
    L.require_milestone_allowed(Progress(last_cspr_decision=CSPR), D.MILESTONE_KIND_INFORMED_OFSTED)
    with pytest.raises(FailedPrecondition, match="CommissionReview"):
        L.require_milestone_allowed(Progress(last_cspr_decision=CSPR), D.MILESTONE_KIND_PRACTITIONER_EVENT)


def test_next_step_names_the_rpc():
    assert "RecordDecision" in L.next_step(Progress(round=1, recommendation=REC))
    assert "CommissionReview" in L.next_step(Progress(round=1, recommendation=REC, decision=CSPR, submission=SUB,
                                                      response=Step("r", D.PANEL_RESPONSE_KIND_AGREES)))
