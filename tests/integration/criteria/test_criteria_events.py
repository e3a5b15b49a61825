"""Criteria builds the case from the events of intake, gathering and decisions,
evaluates it on each, and publishes criteria.evaluated exactly once per evaluation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from rapidreview.criteria import storage
from rapidreview.v1 import common_pb2 as C
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.kernel.events import new_event
from rapidreview.v1 import decisions_pb2, events_pb2, intake_pb2
from tests.integration.criteria.conftest import evaluations_of, notify, panel_notified, stop_quickly
from tests.support.harness import eventually, handled
from tests.unit.criteria import child_k

pytestmark = pytest.mark.integration


def outcome(checklist: S.Checklist, rule_id: str) -> C.RuleOutcome:
    return next(c for c in checklist.criteria if c.rule_id == rule_id)


async def latest(stub, caller, case_id: str) -> S.Checklist:  # type: ignore[no-untyped-def]
    return (await stub.GetChecklist(S.GetChecklistRequest(case_id=case_id), metadata=caller.metadata())).checklist


async def test_incident_notified_gives_the_initial_checklist_pinned_to_intakes_edition(stub, bu, events, case_id):
    await notify(events, case_id)
    await evaluations_of(stub, bu, case_id, 1)
    checklist = await latest(stub, bu, case_id)
    assert checklist.trigger == S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED
    assert (checklist.edition, checklist.edition_version) == (C.EDITION_WT2023, "2023.1")
    assert checklist.child_ref == "Child K" and checklist.partnership == "leeds"
    assert outcome(checklist, "DEF.SERIOUS_CASE").outcome == C.OUTCOME_MET
    # Returns are requested but none is in: the judgement criteria wait for them.
    assert outcome(checklist, "LOCAL.IMPROVEMENTS").outcome == C.OUTCOME_NEEDS_JUDGEMENT
    assert "does not mean" in checklist.not_automatic_statement
    assert [c.id for c in checklist.clocks] == ["NOTIFY.DEADLINE"]  # RR.DEADLINE starts with the Panel notification
    assert checklist.collation_version == 0 and checklist.evaluated_on == "2024-06-26"


async def test_panel_notification_starts_the_rapid_review_clock(stub, bu, events, case_id):
    await notify(events, case_id)
    await panel_notified(events, case_id, "2024-06-07")
    await evaluations_of(stub, bu, case_id, 2)
    checklist = await latest(stub, bu, case_id)
    assert checklist.trigger == S.EVALUATION_TRIGGER_PANEL_NOTIFIED
    rr = next(c for c in checklist.clocks if c.id == "RR.DEADLINE")
    assert (rr.starts_from, rr.due, rr.working_days_left) == ("2024-06-07", "2024-06-28", 2)


async def test_information_collated_gives_the_full_checklist_of_the_worked_example(stub, bu, events, case_id):
    await stub.ImportEarlierReviews(S.ImportEarlierReviewsRequest(reviews=child_k.EARLIER_REVIEWS), metadata=bu.metadata())
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    checklist = await latest(stub, bu, case_id)
    assert checklist.trigger == S.EVALUATION_TRIGGER_INFORMATION_COLLATED
    assert checklist.collation_version == 1 and not checklist.partial
    expected = {
        "DEF.SERIOUS_CASE": C.OUTCOME_MET,
        "NOTIFY.PANEL_IN_AREA": C.OUTCOME_MET,
        "RR.REQUIRED": C.OUTCOME_MET,
        "LOCAL.IMPROVEMENTS": C.OUTCOME_INDICATED,
        "LOCAL.RECURRENT_THEMES": C.OUTCOME_INDICATED,
        "LOCAL.MULTI_AGENCY": C.OUTCOME_INDICATED,
        "LOCAL.PANEL_VIEW": C.OUTCOME_NOT_INDICATED,
        "REGARD.SINGLE_AGENCY": C.OUTCOME_INDICATED,
        "REGARD.CROSS_BOUNDARY": C.OUTCOME_NOT_INDICATED,
        "REGARD.INSTITUTIONAL": C.OUTCOME_NOT_INDICATED,
        "NOT.AUTOMATIC": C.OUTCOME_MET,
    }
    assert {rule: outcome(checklist, rule).outcome for rule in expected} == expected
    recurrent = outcome(checklist, "LOCAL.RECURRENT_THEMES")
    assert {"LSCP-2021-03", "LSCP-2022-01"} <= set(recurrent.evidence)
    assert "LSCP-2023-02" not in recurrent.evidence
    assert "return:gp-practice:v1#concern-1" in outcome(checklist, "REGARD.SINGLE_AGENCY").evidence


async def test_each_evaluation_is_published_exactly_once_also_across_a_restart(criteria, stub, bu, events, db, case_id):
    notified = await notify(events, case_id)
    await panel_notified(events, case_id)
    await evaluations_of(stub, bu, case_id, 2)
    # The same notification delivered again (JetStream cannot de-duplicate another message id): the inbox does.
    await events.publish("incident.notified", None, envelope=notified, msg_id=f"again-{notified.event_id}")
    await eventually(lambda: _zero(db.unpublished), what="outbox drained")

    # A crash after publishing but before marking rows published: after the restart the relay publishes them again.
    await stop_quickly(criteria)
    await db.execute(update(storage.metadata.tables["criteria.outbox"]).values(published_at=None))
    await criteria.start()
    await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
    stored = await evaluations_of(stub, bu, case_id, 3)
    await eventually(lambda: _zero(db.unpublished), what="outbox drained after the restart")

    published = [c.evaluation_id for c in await events.evaluated(case_id)]
    assert sorted(published) == sorted(e.evaluation_id for e in stored)
    assert [e.trigger for e in reversed(stored)] == [S.EVALUATION_TRIGGER_INCIDENT_NOTIFIED, S.EVALUATION_TRIGGER_PANEL_NOTIFIED,
                                                     S.EVALUATION_TRIGGER_INFORMATION_COLLATED]


async def _zero(count) -> bool:  # type: ignore[no-untyped-def]
    return await count() == 0


async def test_a_repeated_or_older_collation_changes_nothing_and_a_newer_one_is_evaluated(stub, bu, events, case_id):
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("information.collated", child_k.collated(case_id, version=2), case_id=case_id)
    await events.publish("information.collated", child_k.collated(case_id, version=2), case_id=case_id)
    await events.publish("information.collated", child_k.collated(case_id, version=1, gp_missing=True), case_id=case_id)
    await events.publish("information.collated", child_k.collated(case_id, version=3, gp_missing=True), case_id=case_id)
    stored = await evaluations_of(stub, bu, case_id, 3)
    assert [e.collation_version for e in reversed(stored)] == [0, 2, 3]
    checklist = await latest(stub, bu, case_id)
    assert checklist.partial
    assert outcome(checklist, "REGARD.SINGLE_AGENCY").outcome != C.OUTCOME_INDICATED  # the GP's return is missing


async def test_panel_response_local_review_more_appropriate_indicates_the_panel_view(stub, bu, events, case_id):
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("decision.panel_responded", decisions_pb2.PanelResponseRecorded(
        case_id=case_id, kind=decisions_pb2.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE, responded_on="2024-07-10"),
        case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    checklist = await latest(stub, bu, case_id)
    assert checklist.trigger == S.EVALUATION_TRIGGER_PANEL_RESPONSE
    assert outcome(checklist, "LOCAL.PANEL_VIEW").outcome == C.OUTCOME_INDICATED


def _responded(case_id: str, kind: int, at: dt.datetime) -> events_pb2.EventEnvelope:
    """decision.panel_responded as decisions records it at `at` (its envelope's occurred_at)."""
    envelope = new_event("decision.panel_responded", decisions_pb2.PanelResponseRecorded(
        case_id=case_id, kind=kind, responded_on=at.date().isoformat()), producer="decisions", case_id=case_id, partnership="leeds")
    envelope.occurred_at.FromDatetime(at)
    return envelope


async def test_the_newest_panel_response_counts_whatever_order_the_responses_arrive_in(stub, bu, events, case_id, criteria):
    """Responses to two rounds: "local review more appropriate" first, then "agrees". The later
    one delivered first (an earlier delivery retried, a dead letter replayed) is not undone by the
    earlier one arriving after it; nor by an earlier one arriving after a later one of the same kind."""
    await notify(events, case_id, panel_sent="2024-06-07")
    await evaluations_of(stub, bu, case_id, 1)
    first, second, third = (dt.datetime(2024, 7, day, 10, tzinfo=dt.UTC) for day in (10, 20, 30))
    local = decisions_pb2.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE
    agrees = decisions_pb2.PANEL_RESPONSE_KIND_AGREES
    await events.publish("decision.panel_responded", None, envelope=_responded(case_id, agrees, second))
    await evaluations_of(stub, bu, case_id, 2)
    late = await events.publish("decision.panel_responded", None, envelope=_responded(case_id, local, first))
    await handled(criteria, late.event_id)
    assert len(await evaluations_of(stub, bu, case_id, 2)) == 2  # no checklist of the earlier response
    assert outcome(await latest(stub, bu, case_id), "LOCAL.PANEL_VIEW").outcome == C.OUTCOME_NOT_INDICATED

    same_again = await events.publish("decision.panel_responded", None, envelope=_responded(case_id, agrees, third))
    await handled(criteria, same_again.event_id)
    late = await events.publish("decision.panel_responded", None,
                                envelope=_responded(case_id, local, third - dt.timedelta(days=5)))
    await handled(criteria, late.event_id)
    assert len(await evaluations_of(stub, bu, case_id, 2)) == 2
    async with criteria.infra.db.transaction() as session:
        case = await storage.CriteriaRepository(session, criteria.infra.cipher).get_case(case_id)
    assert case.facts.panel_response == "agrees" and case.panel_response_at == third


async def test_new_themes_reevaluate_open_cases_of_the_partnership_and_name_the_review(stub, bu, events, case_id):
    withdrawn_case = "11111111-2222-4333-8444-555555555555"
    await notify(events, case_id, panel_sent="2024-06-07")
    await notify(events, withdrawn_case)
    await events.publish("incident.withdrawn", intake_pb2.IncidentWithdrawn(case_id=withdrawn_case), case_id=withdrawn_case)
    await events.publish("information.collated", child_k.collated(case_id), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    await evaluations_of(stub, bu, withdrawn_case, 2)
    await events.publish("review.themes_published", decisions_pb2.ReviewThemesPublished(
        partnership="leeds", review_id="LSCP-2024-01", year=2024, themes=["Domestic abuse"]))
    await evaluations_of(stub, bu, case_id, 3)
    checklist = await latest(stub, bu, case_id)
    assert checklist.trigger == S.EVALUATION_TRIGGER_NEW_THEMES
    assert "LSCP-2024-01" in outcome(checklist, "LOCAL.RECURRENT_THEMES").evidence
    withdrawn = await evaluations_of(stub, bu, withdrawn_case, 2)  # not re-evaluated: no longer open
    assert withdrawn[0].trigger == S.EVALUATION_TRIGGER_INCIDENT_WITHDRAWN
    assert outcome(await latest(stub, bu, withdrawn_case), "RR.REQUIRED").outcome != C.OUTCOME_MET


async def test_the_panel_submission_not_the_decision_closes_the_rapid_review_clock(stub, bu, events, case_id):
    # Decided 2024-06-24, sent to the Panel 2024-06-25: the clock closes on the 25th, as in decisions.
    await notify(events, case_id, panel_sent="2024-06-07")
    await events.publish("decision.recorded", decisions_pb2.DecisionRecorded(
        case_id=case_id, decision_id="d-1", decision=decisions_pb2.REVIEW_DECISION_CSPR, decided_on="2024-06-24"), case_id=case_id)
    await events.publish("decision.panel_submitted", decisions_pb2.PanelSubmissionRecorded(
        case_id=case_id, submission_id="s-1", decision_id="d-1", sent_date="2024-06-25"), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    checklist = await latest(stub, bu, case_id)
    rr = next(c for c in checklist.clocks if c.id == "RR.DEADLINE")
    assert (rr.completed_on, rr.late) == ("2024-06-25", False)
    assert checklist.trigger == S.EVALUATION_TRIGGER_PANEL_SUBMITTED


async def test_an_extended_clock_shows_the_same_effective_due_date_as_intake(stub, bu, events, case_id):
    await notify(events, case_id, panel_sent="2024-06-07")
    clock = C.Clock(id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28", effective_due="2024-07-12",
                    extensions=[C.ClockExtension(extended_to="2024-07-12")])
    await events.publish("incident.clock_extended", intake_pb2.IncidentClockExtended(case_id=case_id, clock=clock),
                         case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    checklist = await latest(stub, bu, case_id)
    rr = next(c for c in checklist.clocks if c.id == "RR.DEADLINE")
    assert (rr.due, rr.effective_due, rr.overdue) == ("2024-06-28", "2024-07-12", False)
    assert checklist.trigger == S.EVALUATION_TRIGGER_CLOCK_EXTENDED


async def test_an_amended_notification_is_re_evaluated(stub, bu, events, case_id):
    await notify(events, case_id)
    amended = child_k.incident(case_id)
    amended.notification.abuse_or_neglect = C.ABUSE_OR_NEGLECT_NOT_SUSPECTED
    await events.publish("incident.amended", intake_pb2.IncidentAmended(incident=amended, version=2), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    checklist = await latest(stub, bu, case_id)
    assert checklist.trigger == S.EVALUATION_TRIGGER_NOTIFICATION_AMENDED
    assert outcome(checklist, "DEF.SERIOUS_CASE").outcome == C.OUTCOME_NOT_MET


async def test_an_older_amendment_delivered_after_a_newer_one_changes_nothing(stub, bu, events, case_id, criteria):
    """incident.amended events can arrive out of order (a publication sent again, a delivery
    retried, a dead letter replayed): the checklist stays of the newest notification."""
    await notify(events, case_id)
    newer = child_k.incident(case_id)
    newer.notification.abuse_or_neglect = C.ABUSE_OR_NEGLECT_NOT_SUSPECTED
    await events.publish("incident.amended", intake_pb2.IncidentAmended(incident=newer, version=3), case_id=case_id)
    await evaluations_of(stub, bu, case_id, 2)
    older = child_k.incident(case_id)  # version 2 still said abuse or neglect was suspected
    late = await events.publish("incident.amended", intake_pb2.IncidentAmended(incident=older, version=2), case_id=case_id)
    await handled(criteria, late.event_id)
    assert len(await evaluations_of(stub, bu, case_id, 2)) == 2  # no checklist of the older facts
    assert outcome(await latest(stub, bu, case_id), "DEF.SERIOUS_CASE").outcome == C.OUTCOME_NOT_MET
    async with criteria.infra.db.transaction() as session:
        assert (await storage.CriteriaRepository(session, criteria.infra.cipher).get_case(case_id)).notification_version == 3
