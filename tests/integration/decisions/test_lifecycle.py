"""The whole path on real NATS JetStream and PostgreSQL: criteria.evaluated ->
recommendation -> decision -> Panel submission -> commissioning -> publication,
with an event that arrives before its case (redelivered until it can be
processed), a duplicate delivery, and a service restart in the middle."""

from __future__ import annotations

import uuid

import pytest

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import intake_pb2
from tests.integration.decisions import childk
from tests.integration.decisions.conftest import known_case, known_evaluation, outbox_drained
from tests.integration.decisions.flow import BEFORE_REPORT, INFORM, Flow

pytestmark = pytest.mark.integration


async def _trail(stub, roles, case_id: str) -> list[D.AuditEntry]:
    response = await stub.GetAuditTrail(D.GetAuditTrailRequest(case_id=case_id, page_size=500), metadata=roles[Role.AUDITOR].metadata())
    return list(response.entries)


async def test_example_case_runs_from_checklist_to_publication_across_a_restart(decisions, stub, roles, events):
    case_id = str(uuid.uuid4())
    evaluation = childk.criteria_evaluated(case_id)
    evaluation_id = evaluation.checklist.evaluation_id
    # The checklist arrives before the case is known: it is redelivered until the incident is in.
    evaluated = await events.publish("criteria.evaluated", evaluation, case_id=case_id)
    await events.publish("incident.notified", childk.incident_notified(case_id), case_id=case_id)
    await known_evaluation(decisions, evaluation_id)
    # The same event delivered again (a re-publication outside the dedup window) changes nothing.
    await events.publish("criteria.evaluated", evaluation, case_id=case_id, envelope=evaluated, msg_id=f"again-{evaluated.event_id}")

    flow = Flow(stub, roles, case_id, evaluation_id)
    rec = (await flow.recommend()).recommendation
    assert rec.round == 1 and rec.evaluation_id == evaluation_id
    decided = await flow.decide(rec.recommendation_id)
    assert decided.case.stage == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION

    # Restart in the middle; intake's Panel notification arrives while decisions is down.
    await decisions.stop()
    await events.publish("incident.panel_notified", childk.panel_notified(case_id), case_id=case_id)
    await decisions.start()
    await known_case(decisions, case_id, with_rr_deadline=True)

    submission = (await flow.submit(decided.decision.decision_id)).submission
    assert submission.rapid_review_due == "2024-06-28" and not submission.late
    await flow.respond(submission.submission_id)
    review = (await flow.commission()).review
    for name in (*INFORM, *BEFORE_REPORT):
        await flow.milestone(name)
    await flow.identifying_details()
    published = await flow.publish()

    assert published.case.stage == D.CASE_STAGE_PUBLISHED
    assert published.publication.review_id == review.review_id and not published.publication.late
    six_months = next(c for c in published.case.clocks if c.id == "POST.SIX_MONTHS")
    assert six_months.due == "2024-12-26" and six_months.completed_on == "2024-12-20" and not six_months.late
    inform = next(c for c in published.case.clocks if c.id == "POST.INFORM")
    assert inform.completed_on == "2024-06-28" and not inform.late

    await outbox_drained(decisions)
    recorded = await events.published("decision.recorded", case_id)
    assert len(recorded) == 1
    payload = D.DecisionRecorded()
    recorded[0].payload.Unpack(payload)
    assert payload.decision == D.REVIEW_DECISION_CSPR and payload.decided_on == "2024-06-26"
    assert payload.recommendation_id == rec.recommendation_id
    for event_type in ("decision.recommendation_recorded", "decision.panel_submitted", "decision.panel_responded",
                       "review.commissioned", "review.published", "review.themes_published"):
        assert len(await events.published(event_type, case_id)) == 1, event_type
    themes = D.ReviewThemesPublished()
    (await events.published("review.themes_published", case_id))[0].payload.Unpack(themes)
    assert themes.partnership == "leeds" and themes.year == 2024 and themes.review_id == review.review_id
    assert "bruising in non-mobile babies" in themes.themes

    trail = await _trail(stub, roles, case_id)
    actions = [e.action for e in trail]
    assert actions.count("evaluation.received") == 1 and actions.count("case.opened") == 1
    assert actions.index("case.opened") < actions.index("evaluation.received") < actions.index("recommendation.recorded")
    assert [e.sequence for e in trail] == list(range(1, len(trail) + 1))
    verified = await stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=case_id), metadata=roles[Role.AUDITOR].metadata())
    assert verified.intact and verified.entries_checked == len(trail)


async def test_panel_challenge_opens_a_new_round_and_history_keeps_both(new_case, stub, roles, events, decisions):
    case_id, evaluation_id = await new_case()
    flow = Flow(stub, roles, case_id, evaluation_id)
    first = (await flow.recommend(recommendation=D.REVIEW_DECISION_NO_CSPR)).recommendation
    decision = (await flow.decide(first.recommendation_id, decision=D.REVIEW_DECISION_NO_CSPR)).decision
    submission = (await flow.submit(decision.decision_id)).submission
    challenged = await flow.respond(submission.submission_id, kind=D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE)
    assert challenged.case.stage == D.CASE_STAGE_PANEL_RECONSIDERATION

    second = (await flow.recommend()).recommendation
    assert second.round == 2
    redecided = await flow.decide(second.recommendation_id)
    case = redecided.case
    assert [r.round for r in case.recommendations] == [1, 2]
    assert [d.decision for d in case.decisions] == [D.REVIEW_DECISION_NO_CSPR, D.REVIEW_DECISION_CSPR]
    assert case.decisions[0].decision_id == decision.decision_id  # the Panel never overwrote the first decision
    assert case.stage == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION

    await outbox_drained(decisions)
    responded = await events.published("decision.panel_responded", case_id)
    kind = D.PanelResponseRecorded()
    responded[0].payload.Unpack(kind)
    assert kind.kind == D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE
    assert len(await events.published("decision.recorded", case_id)) == 2


async def test_withdrawn_incident_refuses_further_steps(new_case, stub, roles, events, decisions):
    case_id, evaluation_id = await new_case()
    await events.publish("incident.withdrawn", intake_pb2.IncidentWithdrawn(case_id=case_id), case_id=case_id)
    flow = Flow(stub, roles, case_id, evaluation_id)

    async def withdrawn() -> bool:
        return (await flow.get()).stage == D.CASE_STAGE_WITHDRAWN

    from tests.support.harness import eventually

    await eventually(withdrawn, what="the withdrawal to be processed")
    import grpc

    with pytest.raises(grpc.aio.AioRpcError) as err:
        await flow.recommend()
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "withdrawn" in err.value.details()
