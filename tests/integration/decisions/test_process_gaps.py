"""Process gaps closed in decisions (issue 17): publication needs the family to
have seen the report (or the recorded reason it was not appropriate); the
reviewer's independence is checked against agencies added during gathering;
an extended RR.DEADLINE moves the date a Panel submission is judged against."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select

from rapidreview.decisions import storage
from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions.conftest import stored_counts
from tests.integration.decisions.flow import BEFORE_REPORT, INFORM, Flow
from tests.support.harness import eventually, handled

pytestmark = pytest.mark.integration


@pytest.fixture
async def flow(new_case, stub, roles) -> Flow:
    case_id, evaluation_id = await new_case()
    return Flow(stub, roles, case_id, evaluation_id)


async def _refused(call, code: grpc.StatusCode) -> grpc.aio.AioRpcError:  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await call
    assert err.value.code() == code, err.value.details()
    return err.value


async def test_publication_is_refused_until_the_family_saw_the_report_or_the_reason_it_did_not_is_recorded(flow, decisions):
    await flow.through_commissioning()
    for name in (*INFORM, *BEFORE_REPORT):
        if name != "family-saw-report":
            await flow.milestone(name)
    before = await stored_counts(decisions, flow.case_id)
    err = await _refused(flow.publish(published_on="2024-12-20"), grpc.StatusCode.FAILED_PRECONDITION)
    assert err.details().startswith("POST.FAMILY") and "FAMILY_NOT_SHOWN_REPORT" in err.details()
    assert await stored_counts(decisions, flow.case_id) == before
    # Not showing the family the report is recorded with its reason, or not at all.
    await _refused(flow.milestone("family-not-shown-report", note=""), grpc.StatusCode.INVALID_ARGUMENT)
    await flow.milestone("family-not-shown-report")  # docs/examples/decisions/milestone-family-not-shown-report.json
    assert (await flow.publish(published_on="2024-12-20")).case.stage == D.CASE_STAGE_PUBLISHED


async def test_the_reviewer_is_checked_against_an_agency_added_during_gathering(flow, decisions, events):
    youth = common_pb2.Agency(agency_id="youth-justice-service", name="Youth Justice Service", kind=common_pb2.AGENCY_KIND_OTHER)
    request = gathering_pb2.InformationRequest(case_id=flow.case_id, agency=youth, source=gathering_pb2.REQUEST_SOURCE_ADDED)
    await events.publish("agency.request_opened", gathering_pb2.AgencyRequestOpened(request=request), case_id=flow.case_id)

    async def known() -> bool:
        return "youth-justice-service" in (await flow.get()).agency_ids

    await eventually(known, what="the added agency to be an agency of the case")
    await flow.through_submission()
    sub = (await flow.get()).panel_submissions[0]
    await flow.respond(sub.submission_id)
    from tests.integration.decisions import childk

    request = childk.example("commission", D.CommissionReviewRequest, case_id=flow.case_id)
    del request.reviewer.involvements[:]
    request.reviewer.involvements.append(
        D.ReviewerInvolvement(agency_id="yjs-leeds", agency_name="Youth Justice Service", description="Manager, 2019-2021."))
    err = await _refused(flow.stub.CommissionReview(request, metadata=flow.md(Role.BUSINESS_UNIT)), grpc.StatusCode.FAILED_PRECONDITION)
    assert "POST.REVIEWER_INDEPENDENT" in err.details() and "youth-justice-service" in err.details()
    async with decisions.infra.db.transaction() as s:
        actions = [r.action for r in (await s.execute(select(storage.audit_entries.c.action)
                                                       .where(storage.audit_entries.c.case_id == flow.case_id))).all()]
    assert "case.agencies_added" in actions


async def test_an_extended_rr_deadline_is_the_date_a_submission_is_judged_against(flow, events):
    clock = common_pb2.Clock(id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28", effective_due="2024-07-05",
                             extensions=[common_pb2.ClockExtension(extended_to="2024-07-05")])
    await events.publish("incident.clock_extended", intake_pb2.IncidentClockExtended(case_id=flow.case_id, clock=clock),
                         case_id=flow.case_id)

    async def extended():
        rr = next((c for c in (await flow.get()).clocks if c.id == "RR.DEADLINE"), None)
        return rr is not None and rr.due == "2024-07-05"

    await eventually(extended, what="RR.DEADLINE extended in decisions")
    decision = await flow.through_decision()
    submission = (await flow.submit(decision.decision_id, sent_date="2024-07-01")).submission
    assert submission.rapid_review_due == "2024-07-05" and not submission.late



async def test_an_earlier_extension_delivered_after_a_later_one_does_not_take_the_due_date_back(flow, events, decisions):
    """incident.clock_extended events can arrive out of order: the first extension's event after
    the second's must not move RR.DEADLINE back, or a submission in between is judged late."""
    first = common_pb2.ClockExtension(extended_to="2024-07-05")
    second = common_pb2.ClockExtension(extended_to="2024-07-12")

    def extended(*extensions: common_pb2.ClockExtension) -> intake_pb2.IncidentClockExtended:
        return intake_pb2.IncidentClockExtended(case_id=flow.case_id, clock=common_pb2.Clock(
            id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28", effective_due=extensions[-1].extended_to,
            extensions=extensions))

    async def rr_due() -> str:
        return next((c.due for c in (await flow.get()).clocks if c.id == "RR.DEADLINE"), "")

    await events.publish("incident.clock_extended", extended(first, second), case_id=flow.case_id)

    async def twice():  # type: ignore[no-untyped-def]
        return await rr_due() == "2024-07-12"

    await eventually(twice, what="RR.DEADLINE extended twice in decisions")
    late = await events.publish("incident.clock_extended", extended(first), case_id=flow.case_id)
    await handled(decisions, late.event_id)
    assert await rr_due() == "2024-07-12"
    decision = await flow.through_decision()
    submission = (await flow.submit(decision.decision_id, sent_date="2024-07-08")).submission
    assert submission.rapid_review_due == "2024-07-12" and not submission.late

async def test_rr_deadline_moved_by_an_amendment_is_followed_and_an_extension_from_before_it_does_not_undo_it(flow, events,
                                                                                                             decisions):
    """Where RR.DEADLINE counts from the awareness date, an amendment of that date moves it, and
    decisions judges a submission against the moved date. An extension's event from before the
    amendment, delivered after it, carries as many extensions but is of an earlier moment."""
    import datetime as dt

    from rapidreview.kernel.events import new_event
    from tests.integration.decisions import childk

    extension = common_pb2.ClockExtension(extended_to="2024-07-05")
    now = dt.datetime.now(dt.UTC)  # after the case's own events (the Panel notification's clock)
    extended_at, amended_at = now + dt.timedelta(minutes=1), now + dt.timedelta(minutes=2)

    def envelope(event_type: str, payload, at: dt.datetime):  # type: ignore[no-untyped-def]
        out = new_event(event_type, payload, producer="intake", case_id=flow.case_id, partnership="leeds")
        out.occurred_at.FromDatetime(at)
        return out

    async def rr_due() -> str:
        return next((c.due for c in (await flow.get()).clocks if c.id == "RR.DEADLINE"), "")

    amended = childk.incident_notified(flow.case_id).incident
    amended.clocks.append(common_pb2.Clock(id="RR.DEADLINE", starts_from="2024-06-10", due="2024-07-01",
                                           effective_due="2024-07-08", extensions=[extension]))
    await events.publish("incident.amended", None, case_id=flow.case_id,
                         envelope=envelope("incident.amended", intake_pb2.IncidentAmended(incident=amended, version=2), amended_at))

    async def moved():  # type: ignore[no-untyped-def]
        return await rr_due() == "2024-07-08"

    await eventually(moved, what="RR.DEADLINE as the amendment moved it")
    earlier = intake_pb2.IncidentClockExtended(case_id=flow.case_id, clock=common_pb2.Clock(
        id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28", effective_due="2024-07-05", extensions=[extension]))
    late = await events.publish("incident.clock_extended", None, case_id=flow.case_id,
                                envelope=envelope("incident.clock_extended", earlier, extended_at))
    await handled(decisions, late.event_id)
    assert await rr_due() == "2024-07-08"
    decision = await flow.through_decision()
    submission = (await flow.submit(decision.decision_id, sent_date="2024-07-08")).submission
    assert submission.rapid_review_due == "2024-07-08" and not submission.late


async def test_an_amended_notification_adds_its_agencies_to_the_case(flow, events):
    from tests.integration.decisions import childk

    amended = childk.incident_notified(flow.case_id).incident
    amended.notification.agencies.append(common_pb2.Agency(agency_id="leeds-school", name="School", kind=common_pb2.AGENCY_KIND_EDUCATION))
    await events.publish("incident.amended", intake_pb2.IncidentAmended(incident=amended, version=2), case_id=flow.case_id)

    async def added() -> bool:
        return "leeds-school" in (await flow.get()).agency_ids

    await eventually(added, what="the amended notification's agency to be an agency of the case")
    assert (await flow.stub.GetCase(D.GetCaseRequest(case_id=flow.case_id), metadata=flow.md(Role.BUSINESS_UNIT))).case.round == 0


async def test_an_older_amendment_delivered_after_a_newer_one_leaves_the_newest_child_reference_checked(flow, events, decisions):
    """incident.amended events can arrive out of order (a publication sent again, a delivery
    retried, a dead letter replayed): the child reference publishable texts are checked against
    stays the newest notification's, never an older one's."""
    from tests.integration.decisions import childk

    def amended(child_ref: str, version: int) -> intake_pb2.IncidentAmended:
        incident = childk.incident_notified(flow.case_id).incident
        incident.notification.child.child_ref = child_ref
        return intake_pb2.IncidentAmended(incident=incident, version=version)

    async def found(text: str) -> bool:
        check = await flow.stub.CheckAnonymisation(D.CheckAnonymisationRequest(case_id=flow.case_id, text=text),
                                                   metadata=flow.md(Role.BUSINESS_UNIT))
        return not check.anonymised

    await events.publish("incident.amended", amended("Baby Rowan", 3), case_id=flow.case_id)
    await eventually(lambda: found("A report naming Baby Rowan."), what="the amended child reference to be checked")
    late = await events.publish("incident.amended", amended("Baby Ash", 2), case_id=flow.case_id)
    await handled(decisions, late.event_id)
    assert await found("A report naming Baby Rowan.")
    assert not await found("A report naming Baby Ash.")
