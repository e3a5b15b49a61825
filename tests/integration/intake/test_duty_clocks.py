"""Each duty has its own clock, started only when the duty arises, and its own
"sent" records (issue 17): the Panel (NOTIFY.DEADLINE), the Secretary of State
and Ofsted (NOTIFY.LAC_DEATH, NOTIFY.CARE_LEAVER_DEATH), the safeguarding
partners (NOTIFY.PARTNERS); RR.DEADLINE closes on the Panel submission."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy import select

from rapidreview.intake import storage
from rapidreview.intake.domain.clocks import ClockState
from rapidreview.intake.handlers import IntakeHandlers
from rapidreview.intake.storage import IncidentRepository
from rapidreview.intake.watchers import ClockWatcher
from rapidreview.kernel.events import EventRef
from rapidreview.v1 import common_pb2, decisions_pb2, events_pb2, intake_pb2, intake_pb2_grpc
from tests.support.examples import example_notification
from tests.support.harness import RunningService, service_env, shared_rulebook

pytestmark = pytest.mark.integration
S = intake_pb2
SOS, OFSTED, PARTNERS = (S.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, S.NOTIFICATION_RECIPIENT_OFSTED,
                         S.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS)


def lac_death_without_abuse() -> S.Notification:
    """A looked-after child of 10 died; no abuse or neglect suspected: the Secretary of State and
    Ofsted are told (NOTIFY.LAC_DEATH), but there is no Panel duty."""
    n = example_notification(nature=common_pb2.NATURE_DEATH, abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_NOT_SUSPECTED)
    n.child.age_years = 10
    n.child.looked_after = True
    del n.harm_domains[:]
    return n


async def _events(service, prefix: str) -> list[events_pb2.EventEnvelope]:  # type: ignore[no-untyped-def]
    async with service.infra.db.transaction() as s:
        rows = (await s.execute(select(storage.outbox.c.data).where(storage.outbox.c.event_type.like(prefix + "%"))
                                .order_by(storage.outbox.c.id))).all()
    return [events_pb2.EventEnvelope.FromString(r.data) for r in rows]


def _clocks(incident: S.Incident) -> dict[str, common_pb2.Clock]:
    return {c.id: c for c in incident.clocks}


def _duty(incident: S.Incident, rule_id: str) -> int:
    return next(d.outcome for d in incident.duties if d.rule_id == rule_id)


async def _notify(stub, la, notification: S.Notification, key: str) -> S.Incident:  # type: ignore[no-untyped-def]
    return (await stub.NotifyIncident(S.NotifyIncidentRequest(idempotency_key=key, notification=notification),
                                      metadata=la.metadata())).incident


async def test_lac_death_without_abuse_runs_only_its_own_clock_and_is_never_reported_as_a_late_panel_notification(
        fresh_database, nats_server, creds, la):
    # Notified on 2024-06-04; by 2024-06-20 five working days have long passed.
    service = await RunningService("intake", service_env(fresh_database, nats_server.url, creds, RR_TODAY="2024-06-20",
                                                         RR_CLOCK_WATCH_INTERVAL="3600")).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            incident = await _notify(intake_pb2_grpc.IntakeServiceStub(channel), la, lac_death_without_abuse(), "key-lac-death-1")
        assert _duty(incident, "NOTIFY.LAC_DEATH") == common_pb2.OUTCOME_MET
        assert _duty(incident, "NOTIFY.PANEL_IN_AREA") == common_pb2.OUTCOME_NOT_MET
        assert list(_clocks(incident)) == ["NOTIFY.LAC_DEATH"]
        assert _clocks(incident)["NOTIFY.LAC_DEATH"].due == "2024-06-11" and _clocks(incident)["NOTIFY.LAC_DEATH"].overdue
        await ClockWatcher(service.infra).check_once()
        overdue = []
        for event in await _events(service, "deadline."):
            payload = events_pb2.DeadlineOverdue()
            event.payload.Unpack(payload)
            overdue.append((event.event_type, payload.clock_id))
        assert overdue == [("deadline.overdue", "NOTIFY.LAC_DEATH")]
    finally:
        await service.stop()


async def test_the_secretary_of_state_and_ofsted_both_recorded_close_the_lac_death_clock(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, lac_death_without_abuse(), "key-lac-death-2")
    record = lambda recipient, day: intake_stub.RecordNotificationSent(S.RecordNotificationSentRequest(  # noqa: E731
        case_id=incident.case_id, duty="NOTIFY.LAC_DEATH", recipient=recipient, sent_date=day, reference="DfE-123"),
        metadata=la.metadata())
    after_sos = (await record(SOS, "2024-06-06")).incident
    assert _clocks(after_sos)["NOTIFY.LAC_DEATH"].completed_on == ""  # Ofsted not told yet
    after_both = (await record(OFSTED, "2024-06-07")).incident
    clock = _clocks(after_both)["NOTIFY.LAC_DEATH"]
    assert clock.completed_on == "2024-06-07" and not clock.late
    assert [(s.duty, s.recipient, s.sent_date, s.late) for s in after_both.notifications_sent] == [
        ("NOTIFY.LAC_DEATH", SOS, "2024-06-06", False), ("NOTIFY.LAC_DEATH", OFSTED, "2024-06-07", False)]
    # The same record again changes nothing; another date for the same recipient is refused.
    assert (await record(OFSTED, "2024-06-07")).incident.notifications_sent == after_both.notifications_sent
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await record(OFSTED, "2024-06-08")
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    sent_events = await _events(intake, "incident.notification_sent")
    assert len(sent_events) == 2
    last = S.IncidentNotificationSent()
    sent_events[-1].payload.Unpack(last)
    assert last.notification.recipient == OFSTED and last.clock.completed_on == "2024-06-07"


async def test_a_notification_for_a_duty_that_does_not_arise_or_to_the_wrong_recipient_is_refused(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, example_notification(), "key-child-k-duties")  # Child K: not looked after
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordNotificationSent(S.RecordNotificationSentRequest(
            case_id=incident.case_id, duty="NOTIFY.LAC_DEATH", recipient=SOS, sent_date="2024-06-05"), metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordNotificationSent(S.RecordNotificationSentRequest(
            case_id=incident.case_id, duty="NOTIFY.PARTNERS", recipient=OFSTED, sent_date="2024-06-05"), metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "recipient" in err.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordNotificationSent(S.RecordNotificationSentRequest(
            case_id=incident.case_id, duty="NOTIFY.DEADLINE", recipient=S.NOTIFICATION_RECIPIENT_PANEL,
            sent_date="2024-06-05"), metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "duty" in err.value.details()
    stored = (await intake_stub.GetIncident(S.GetIncidentRequest(case_id=incident.case_id), metadata=la.metadata())).incident
    assert list(stored.notifications_sent) == []


async def test_partners_informed_closes_the_notify_partners_clock(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, example_notification(), "key-child-k-partners")
    assert _clocks(incident)["NOTIFY.PARTNERS"].due == "2024-06-11"
    # The deprecated RPC records the same thing as RecordNotificationSent.
    informed = (await intake_stub.RecordPartnersInformed(S.RecordPartnersInformedRequest(
        case_id=incident.case_id, informed_date="2024-06-05"), metadata=la.metadata())).incident
    assert _clocks(informed)["NOTIFY.PARTNERS"].completed_on == "2024-06-05"
    assert informed.partners_informed_date == "2024-06-05"
    assert [(s.duty, s.recipient) for s in informed.notifications_sent] == [("NOTIFY.PARTNERS", PARTNERS)]


async def test_the_lac_death_clock_keeps_running_after_the_panel_notification_is_withdrawn(fresh_database, nats_server, creds, la):
    n = lac_death_without_abuse()
    n.abuse_or_neglect = common_pb2.ABUSE_OR_NEGLECT_SUSPECTED  # both duties arise
    service = await RunningService("intake", service_env(fresh_database, nats_server.url, creds, RR_TODAY="2024-06-20",
                                                         RR_CLOCK_WATCH_INTERVAL="3600")).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            incident = await _notify(stub, la, n, "key-lac-death-withdrawn")
            assert set(_clocks(incident)) == {"NOTIFY.DEADLINE", "NOTIFY.LAC_DEATH", "NOTIFY.PARTNERS"}
            await stub.WithdrawIncident(S.WithdrawIncidentRequest(case_id=incident.case_id, reason="Not a serious case."),
                                        metadata=la.metadata())
        await ClockWatcher(service.infra).check_once()
        clocks = []
        for event in await _events(service, "deadline."):
            payload = events_pb2.DeadlineOverdue()
            event.payload.Unpack(payload)
            clocks.append(payload.clock_id)
        assert clocks == ["NOTIFY.LAC_DEATH"]
    finally:
        await service.stop()


async def test_a_panel_clock_started_before_clocks_were_per_duty_is_stopped_not_reported(fresh_database, nats_server, creds, la):
    service = await RunningService("intake", service_env(fresh_database, nats_server.url, creds, RR_TODAY="2024-06-20",
                                                         RR_CLOCK_WATCH_INTERVAL="3600")).start()
    try:
        async with grpc.aio.insecure_channel(service.address) as channel:
            incident = await _notify(intake_pb2_grpc.IntakeServiceStub(channel), la, lac_death_without_abuse(), "key-legacy-clock")
        import datetime as dt

        async with service.infra.db.transaction() as session:  # as every notification got before
            await IncidentRepository(session, service.infra.cipher).save_clock(
                incident.case_id, ClockState("NOTIFY.DEADLINE", dt.date(2024, 6, 4), dt.date(2024, 6, 11)))
        await ClockWatcher(service.infra).check_once()
        reported = []
        for event in await _events(service, "deadline."):
            payload = events_pb2.DeadlineOverdue()
            event.payload.Unpack(payload)
            reported.append(payload.clock_id)
        assert reported == ["NOTIFY.LAC_DEATH"]
        async with service.infra.db.transaction() as session:
            left = [c.clock_id for c in await IncidentRepository(session, service.infra.cipher).get_clocks(incident.case_id)]
        assert left == ["NOTIFY.LAC_DEATH"]
    finally:
        await service.stop()


async def test_a_panel_notification_without_a_panel_duty_on_the_facts_still_requires_a_rapid_review(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, lac_death_without_abuse(), "key-lac-then-panel")
    assert _duty(incident, "RR.REQUIRED") == common_pb2.OUTCOME_NOT_MET
    notified = (await intake_stub.RecordPanelNotification(S.RecordPanelNotificationRequest(
        case_id=incident.case_id, reference="PANEL-LAC-1", sent_date="2024-06-07"), metadata=la.metadata())).incident
    assert _duty(notified, "RR.REQUIRED") == common_pb2.OUTCOME_MET
    assert not notified.panel_notification.late  # no NOTIFY.DEADLINE: never late
    assert _clocks(notified)["RR.DEADLINE"].due == "2024-06-28"
    assert "NOTIFY.DEADLINE" not in _clocks(notified)
    event = S.IncidentPanelNotified()
    (await _events(intake, "incident.panel_notified"))[0].payload.Unpack(event)
    assert _duty(event.incident, "RR.REQUIRED") == common_pb2.OUTCOME_MET
    assert event.rapid_review_clock.due == "2024-06-28"


async def test_rr_deadline_closes_on_the_panel_submission_date_not_the_decision_date(intake, intake_stub, la):
    incident = await _notify(intake_stub, la, example_notification(), "key-child-k-rr")
    await intake_stub.RecordPanelNotification(S.RecordPanelNotificationRequest(
        case_id=incident.case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"), metadata=la.metadata())
    handlers = IntakeHandlers(intake.infra, shared_rulebook())
    ref = lambda kind: EventRef(event_id=f"ev-{kind}", event_type=kind, case_id=incident.case_id,  # noqa: E731
                                partnership="leeds", correlation_id="")
    async with intake.infra.db.transaction() as session:
        await handlers.on_decision_recorded(session, ref("decision.recorded"), decisions_pb2.DecisionRecorded(
            case_id=incident.case_id, decided_on="2024-06-26"))
    decided = (await intake_stub.GetIncident(S.GetIncidentRequest(case_id=incident.case_id), metadata=la.metadata())).incident
    assert decided.status == S.INCIDENT_STATUS_DECIDED
    assert _clocks(decided)["RR.DEADLINE"].completed_on == ""  # a decision is not the submission
    async with intake.infra.db.transaction() as session:
        await handlers.on_panel_submitted(session, ref("decision.panel_submitted"), decisions_pb2.PanelSubmissionRecorded(
            case_id=incident.case_id, sent_date="2024-07-01"))
    submitted = (await intake_stub.GetIncident(S.GetIncidentRequest(case_id=incident.case_id), metadata=la.metadata())).incident
    rr = _clocks(submitted)["RR.DEADLINE"]
    assert rr.completed_on == "2024-07-01" and rr.late  # due 2024-06-28: the same answer as decisions gives


async def test_rr_deadline_closes_on_the_first_submission_even_when_a_later_rounds_event_comes_first(intake, intake_stub, la):
    """decision.panel_submitted events can arrive out of order (a dead letter replayed): a later
    round's submission handled first closes the clock on its date, and the first round's, when it
    comes, moves it back to the earlier date; a later one again changes nothing."""
    incident = await _notify(intake_stub, la, example_notification(), "key-child-k-rr-order")
    await intake_stub.RecordPanelNotification(S.RecordPanelNotificationRequest(
        case_id=incident.case_id, reference="PANEL-2024-0607-K", sent_date="2024-06-07"), metadata=la.metadata())
    handlers = IntakeHandlers(intake.infra, shared_rulebook())

    async def submitted(sent: str, n: int) -> str:
        async with intake.infra.db.transaction() as session:
            await handlers.on_panel_submitted(session, EventRef(event_id=f"ev-order-{n}", event_type="decision.panel_submitted",
                                                                case_id=incident.case_id, partnership="leeds", correlation_id=""),
                                              decisions_pb2.PanelSubmissionRecorded(case_id=incident.case_id, sent_date=sent))
        read = (await intake_stub.GetIncident(S.GetIncidentRequest(case_id=incident.case_id), metadata=la.metadata())).incident
        return _clocks(read)["RR.DEADLINE"].completed_on

    assert await submitted("2024-08-15", 1) == "2024-08-15"  # round 2's event first
    assert await submitted("2024-06-27", 2) == "2024-06-27"  # round 1's: the first submission
    assert await submitted("2024-08-15", 3) == "2024-06-27"


async def test_extending_a_clock_publishes_it_without_the_reason(intake, intake_stub, la, creds):
    from rapidreview.kernel.auth import Role
    from tests.support.harness import Caller

    bu = Caller(creds, Role.BUSINESS_UNIT)
    incident = await _notify(intake_stub, la, example_notification(), "key-child-k-extend")
    await intake_stub.ExtendClock(S.ExtendClockRequest(case_id=incident.case_id, clock_id="NOTIFY.PARTNERS",
                                                       extended_to="2024-06-14", reason="Partners' meeting moved."),
                                  metadata=bu.metadata())
    event = S.IncidentClockExtended()
    (await _events(intake, "incident.clock_extended"))[0].payload.Unpack(event)
    assert event.clock.id == "NOTIFY.PARTNERS" and event.clock.effective_due == "2024-06-14"
    assert [e.reason for e in event.clock.extensions] == [""]


async def test_the_home_areas_partners_are_told_when_the_incident_happened_in_another_english_authority(intake, intake_stub, la):
    # Bradford notifies a serious case in Bradford of a child whose home is Leeds (RR.LEAD_AREA).
    bradford = example_notification(notifying_la="Bradford", incident_la="Bradford", home_la="Leeds City Council")
    incident = await _notify(intake_stub, la, bradford, "key-lead-area-1")
    assert _duty(incident, "RR.LEAD_AREA") == common_pb2.OUTCOME_MET
    assert _clocks(incident)["RR.LEAD_AREA"].due == "2024-06-11"
    sent = (await intake_stub.RecordNotificationSent(S.RecordNotificationSentRequest(
        case_id=incident.case_id, duty="RR.LEAD_AREA", recipient=S.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS,
        sent_date="2024-06-06"), metadata=la.metadata())).incident
    assert _clocks(sent)["RR.LEAD_AREA"].completed_on == "2024-06-06"
    # "Leeds" and "Leeds City Council" are one authority (by code): the lead area is the home area.
    leeds = example_notification(incident_la="Leeds City Council", home_la="Leeds")
    at_home = await _notify(intake_stub, la, leeds, "key-lead-area-2")
    assert _duty(at_home, "RR.LEAD_AREA") == common_pb2.OUTCOME_MET and "RR.LEAD_AREA" not in _clocks(at_home)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await intake_stub.RecordNotificationSent(S.RecordNotificationSentRequest(
            case_id=at_home.case_id, duty="RR.LEAD_AREA", recipient=S.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS,
            sent_date="2024-06-06"), metadata=la.metadata())
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_panel_notification_for_an_adult_starts_no_rapid_review_clock(intake, intake_stub, la):
    adult = example_notification(nature=common_pb2.NATURE_DEATH, abuse_or_neglect=common_pb2.ABUSE_OR_NEGLECT_KNOWN)
    adult.child.age_years = 18
    incident = await _notify(intake_stub, la, adult, "key-adult-panel")
    assert _clocks(incident) == {}  # no Panel duty, no rapid review: nothing to go overdue
    notified = (await intake_stub.RecordPanelNotification(S.RecordPanelNotificationRequest(
        case_id=incident.case_id, reference="PANEL-ADULT", sent_date="2024-06-07"), metadata=la.metadata())).incident
    assert _duty(notified, "RR.REQUIRED") == common_pb2.OUTCOME_NOT_MET and "RR.DEADLINE" not in _clocks(notified)
    event = S.IncidentPanelNotified()
    (await _events(intake, "incident.panel_notified"))[0].payload.Unpack(event)
    assert not event.HasField("rapid_review_clock") and _duty(event.incident, "RR.REQUIRED") == common_pb2.OUTCOME_NOT_MET
