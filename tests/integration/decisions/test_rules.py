"""Order of steps and the statutory rules of section 4 through the API:
refusals name the missing step or the rule, and store nothing."""

from __future__ import annotations

import uuid

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions import childk
from tests.integration.decisions.conftest import stored_counts
from tests.integration.decisions.flow import BEFORE_REPORT, INFORM, Flow

pytestmark = pytest.mark.integration


async def _refused(call, code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value


@pytest.fixture
async def flow(new_case, stub, roles) -> Flow:
    case_id, evaluation_id = await new_case()
    return Flow(stub, roles, case_id, evaluation_id)


async def test_decision_before_recommendation_is_refused_naming_the_rag_step(flow, decisions):
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.decide(str(uuid.uuid4())), grpc.StatusCode.FAILED_PRECONDITION)
    assert "RecordRecommendation" in err.details()
    assert await stored_counts(decisions, flow.case_id) == before


async def test_panel_submission_before_decision_is_refused_naming_the_decision(flow, decisions):
    await flow.recommend()
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.submit(str(uuid.uuid4())), grpc.StatusCode.FAILED_PRECONDITION)
    assert "RecordDecision" in err.details()
    assert await stored_counts(decisions, flow.case_id) == before


async def test_commissioning_without_a_cspr_decision_is_refused(flow, decisions):
    rec = (await flow.recommend(recommendation=D.REVIEW_DECISION_NO_CSPR)).recommendation
    decision = (await flow.decide(rec.recommendation_id, decision=D.REVIEW_DECISION_NO_CSPR)).decision
    await flow.submit(decision.decision_id)
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.commission(), grpc.StatusCode.FAILED_PRECONDITION)
    assert "CSPR decision" in err.details()
    assert await stored_counts(decisions, flow.case_id) == before


async def test_recommendation_must_cite_an_evaluation_of_its_own_case(flow, new_case, decisions):
    _other_case, other_evaluation = await new_case()
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.recommend(evaluation_id=other_evaluation), grpc.StatusCode.INVALID_ARGUMENT)
    assert field_violations(err) == [("evaluation_id", "this criteria evaluation belongs to another case")]
    err = await _refused(flow.recommend(evaluation_id=str(uuid.uuid4())), grpc.StatusCode.INVALID_ARGUMENT)
    assert [f for f, _ in field_violations(err)] == ["evaluation_id"]
    assert await stored_counts(decisions, flow.case_id) == before


async def test_executive_that_agrees_must_record_the_recommended_decision(flow):
    rec = (await flow.recommend()).recommendation
    err = await _refused(flow.decide(rec.recommendation_id, decision=D.REVIEW_DECISION_NO_CSPR), grpc.StatusCode.INVALID_ARGUMENT)
    assert [f for f, _ in field_violations(err)] == ["decision"]
    disagreed = (await flow.decide(rec.recommendation_id, decision=D.REVIEW_DECISION_NO_CSPR, view=D.EXECUTIVE_VIEW_DISAGREES)).decision
    assert disagreed.view == D.EXECUTIVE_VIEW_DISAGREES and disagreed.decision == D.REVIEW_DECISION_NO_CSPR


async def test_late_panel_submission_is_flagged_not_refused(flow):
    decision = await flow.through_decision()
    submission = (await flow.submit(decision.decision_id, sent_date="2024-07-01")).submission
    assert submission.late and submission.rapid_review_due == "2024-06-28"
    rr = next(c for c in (await flow.get()).clocks if c.id == "RR.DEADLINE")
    assert rr.completed_on == "2024-07-01" and rr.late


async def test_conflicted_reviewer_is_refused_with_the_reason(flow, decisions):
    await flow.through_submission()
    request = childk.example("commission", D.CommissionReviewRequest, case_id=flow.case_id)
    request.reviewer.involvements.add(agency_id="", agency_name="GP Practice", description="Practice manager 2019-2021")
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.stub.CommissionReview(request, metadata=flow.md(Role.BUSINESS_UNIT)), grpc.StatusCode.FAILED_PRECONDITION)
    assert err.details().startswith("POST.REVIEWER_INDEPENDENT")
    assert "GP practice (gp-practice)" in err.details()
    assert await stored_counts(decisions, flow.case_id) == before


async def test_publication_earlier_than_seven_working_days_after_sending_is_refused_with_the_earliest_date(flow, decisions):
    await flow.through_report_sent()
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.publish(published_on="2024-12-19"), grpc.StatusCode.FAILED_PRECONDITION)
    assert err.details().startswith("POST.PRESEND") and "earliest allowed publication date is 2024-12-20" in err.details()
    assert await stored_counts(decisions, flow.case_id) == before
    assert (await flow.publish(published_on="2024-12-20")).case.stage == D.CASE_STAGE_PUBLISHED


async def test_publication_is_refused_while_identifying_details_remain_and_check_lists_them(flow, decisions):
    await flow.through_report_sent()
    await flow.identifying_details()
    text = childk.report_text() + "\nChild K's mother, Ms Wrenfield, of Larkspur Close; born 02/11/2023.\n"
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.publish(text=text), grpc.StatusCode.FAILED_PRECONDITION)
    assert err.details().startswith("POST.ANONYMISED") and "4 identifying detail" in err.details()
    for secret in ("Child K", "Wrenfield", "Larkspur", "02/11/2023"):
        assert secret not in err.details()
    assert await stored_counts(decisions, flow.case_id) == before

    check = await flow.stub.CheckAnonymisation(D.CheckAnonymisationRequest(case_id=flow.case_id, text=text),
                                               metadata=flow.md(Role.BUSINESS_UNIT))
    assert not check.anonymised and check.details_checked == 6
    assert [(f.kind, f.matched_text) for f in check.findings] == [
        (D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE, "Child K"), (D.IDENTIFYING_DETAIL_KIND_NAME, "Wrenfield"),
        (D.IDENTIFYING_DETAIL_KIND_PLACE, "Larkspur Close"), (D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH, "02/11/2023")]
    assert check.findings[0].line == childk.report_text().count("\n") + 2  # after the blank line
    clean = await flow.stub.CheckAnonymisation(D.CheckAnonymisationRequest(case_id=flow.case_id, text=childk.report_text()),
                                               metadata=flow.md(Role.BUSINESS_UNIT))
    assert clean.anonymised and not clean.findings


async def test_extension_moves_the_six_month_target_and_keeps_the_original(flow):
    await flow.through_commissioning()
    request = childk.example("extension", D.RecordExtensionRequest, case_id=flow.case_id)
    response = await flow.stub.RecordExtension(request, metadata=flow.md(Role.BUSINESS_UNIT))
    clock = next(c for c in response.case.clocks if c.id == "POST.SIX_MONTHS")
    assert clock.due == "2024-12-26" and clock.effective_due == "2025-03-31" and not clock.overdue
    assert clock.extensions[0].reason.startswith("The trial is listed")
    err = await _refused(flow.stub.RecordExtension(
        childk.example("extension", D.RecordExtensionRequest, case_id=flow.case_id, extended_to="2025-02-01"),
        metadata=flow.md(Role.BUSINESS_UNIT)), grpc.StatusCode.INVALID_ARGUMENT)
    assert [f for f, _ in field_violations(err)] == ["extended_to"]


async def test_progress_checks_count_from_the_decision_every_n_weeks(flow):
    # POST.PROGRESS_CHECKS counts from the decision (2024-06-26), as its rule file says, not from
    # commissioning (2024-07-22, which would give 2024-08-19).
    await flow.through_commissioning()
    before = next(c for c in (await flow.get()).clocks if c.id == "POST.PROGRESS_CHECKS")
    assert (before.starts_from, before.due) == ("2024-06-26", "2024-07-24") and before.overdue
    request = childk.example("progress-check", D.RecordProgressCheckRequest, case_id=flow.case_id)
    response = await flow.stub.RecordProgressCheck(request, metadata=flow.md(Role.EXECUTIVE))
    after = [c for c in response.case.clocks if c.id == "POST.PROGRESS_CHECKS"]
    assert [(c.starts_from, c.due) for c in after] == [("2024-06-26", "2024-08-21")]
    assert response.case.review.progress_checks[0].written_request_made


async def test_same_idempotency_key_replays_and_a_different_body_is_already_exists(flow, decisions):
    first = await flow.recommend(idempotency_key="rag-meeting-2024-06-24")
    before = await stored_counts(decisions, flow.case_id)
    again = await flow.recommend(idempotency_key="rag-meeting-2024-06-24")
    assert again.replayed and again.recommendation.recommendation_id == first.recommendation.recommendation_id
    assert await stored_counts(decisions, flow.case_id) == before
    await _refused(flow.recommend(idempotency_key="rag-meeting-2024-06-24", national_importance=True), grpc.StatusCode.ALREADY_EXISTS)
    assert await stored_counts(decisions, flow.case_id) == before


async def test_a_revised_recommendation_before_the_decision_supersedes_the_first(flow):
    first = (await flow.recommend()).recommendation
    second = await flow.recommend(recommendation=D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW)
    assert second.recommendation.round == 1
    assert [r.superseded for r in second.case.recommendations] == [True, False]
    err = await _refused(flow.decide(first.recommendation_id), grpc.StatusCode.FAILED_PRECONDITION)
    assert "current recommendation" in err.details()


async def test_inform_clock_runs_from_the_cspr_decision_until_all_three_are_told(flow):
    await flow.through_decision()
    inform = next(c for c in (await flow.get()).clocks if c.id == "POST.INFORM")
    assert inform.due == "2024-07-03" and inform.overdue
    for name in INFORM:
        case = (await flow.milestone(name)).case
    inform = next(c for c in case.clocks if c.id == "POST.INFORM")
    assert inform.completed_on == "2024-06-28" and not inform.late and not inform.overdue


async def test_report_cannot_be_sent_before_it_is_agreed(flow):
    await flow.through_commissioning()
    err = await _refused(flow.milestone("sent-to-panel-and-sos"), grpc.StatusCode.FAILED_PRECONDITION)
    assert "FINAL_REPORT_AGREED" in err.details()
    for name in BEFORE_REPORT:
        await flow.milestone(name)
