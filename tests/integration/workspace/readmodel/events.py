"""Events as the services publish them (same payload types, envelopes and
subjects), for feeding the read model in tests. Dates default to the worked
example: aware 2024-06-04, Panel notified 2024-06-07, "today" 2024-06-10."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from google.protobuf import message as pb_message
from google.protobuf import timestamp_pb2

from rapidreview.kernel.bus import EventBus
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.events import new_event, subject_for
from rapidreview.v1 import common_pb2, criteria_pb2, decisions_pb2, events_pb2, gathering_pb2, intake_pb2

CAL = WorkingDayCalendar(lambda: dt.date(2024, 6, 10))
TODAY = dt.date(2024, 6, 10)
AWARE, SENT = dt.date(2024, 6, 4), dt.date(2024, 6, 7)
PRODUCERS = {"incident": "intake", "agency": "gathering", "information": "gathering", "criteria": "criteria",
             "decision": "decisions", "review": "decisions"}


def agency(agency_id: str, name: str | None = None) -> common_pb2.Agency:
    return common_pb2.Agency(agency_id=agency_id, name=name or agency_id.replace("-", " ").title(), kind=common_pb2.AGENCY_KIND_OTHER,
                             area="Leeds", area_type=common_pb2.AREA_TYPE_LOCAL_AUTHORITY)


def clock(clock_id: str, starts: dt.date, due: dt.date, effective: dt.date | None = None) -> common_pb2.Clock:
    return common_pb2.Clock(id=clock_id, starts_from=starts.isoformat(), due=due.isoformat(),
                            effective_due=(effective or due).isoformat())


def done(clock_: common_pb2.Clock, on: dt.date) -> common_pb2.Clock:
    """The clock completed on `on`."""
    finished = common_pb2.Clock()
    finished.CopyFrom(clock_)
    finished.completed_on = on.isoformat()
    return finished


def sent_record(duty: str, recipient: int, on: dt.date) -> intake_pb2.NotificationSent:
    return intake_pb2.NotificationSent(duty=duty, recipient=recipient, sent_date=on.isoformat(), recorded_by="la-officer")


@dataclass
class Case:
    """One case's events; each builder returns (event type, payload)."""

    partnership: str = "leeds"
    child_ref: str = "Child K"
    case_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    aware: dt.date = AWARE
    required: bool = True

    def notified(self, *, notify_due: dt.date | None = None) -> tuple[str, pb_message.Message]:
        due = notify_due or CAL.add_working_days(self.aware, 5)
        created = timestamp_pb2.Timestamp()
        created.FromDatetime(dt.datetime.combine(self.aware, dt.time(9), dt.UTC))
        outcome = common_pb2.OUTCOME_MET if self.required else common_pb2.OUTCOME_NOT_MET
        incident = intake_pb2.Incident(
            case_id=self.case_id, partnership=self.partnership, status=intake_pb2.INCIDENT_STATUS_NOTIFIED,
            notification=intake_pb2.Notification(child=intake_pb2.ChildDetails(child_ref=self.child_ref),
                                                 la_aware_date=self.aware.isoformat(), notifying_la="Leeds"),
            duties=[common_pb2.RuleOutcome(rule_id="RR.REQUIRED", outcome=outcome)],
            clocks=[clock("NOTIFY.DEADLINE", self.aware, due)], created_at=created)
        return "incident.notified", intake_pb2.IncidentNotified(incident=incident)

    def incident(self, *, duties: dict[str, bool] | None = None, clocks: list[common_pb2.Clock] | None = None, version: int = 1,
                 child_ref: str | None = None, sent: list[intake_pb2.NotificationSent] | None = None,
                 withdrawn: bool = False) -> intake_pb2.Incident:
        """The incident as intake's events carry it: `duties` RULES.md ID -> MET or not."""
        created = timestamp_pb2.Timestamp()
        created.FromDatetime(dt.datetime.combine(self.aware, dt.time(9), dt.UTC))
        outcomes = duties if duties is not None else {"RR.REQUIRED": self.required}
        return intake_pb2.Incident(
            case_id=self.case_id, partnership=self.partnership,
            status=intake_pb2.INCIDENT_STATUS_WITHDRAWN if withdrawn else intake_pb2.INCIDENT_STATUS_NOTIFIED,
            notification=intake_pb2.Notification(child=intake_pb2.ChildDetails(child_ref=child_ref or self.child_ref),
                                                 la_aware_date=self.aware.isoformat(), notifying_la="Leeds"),
            duties=[common_pb2.RuleOutcome(rule_id=rule, outcome=common_pb2.OUTCOME_MET if met else common_pb2.OUTCOME_NOT_MET)
                    for rule, met in outcomes.items()],
            clocks=clocks or [], created_at=created, notification_version=version, notifications_sent=sent or [])

    def notified_with(self, **incident) -> tuple[str, pb_message.Message]:  # noqa: ANN003
        """incident.notified of `self.incident(**incident)`."""
        return "incident.notified", intake_pb2.IncidentNotified(incident=self.incident(**incident))

    def amended(self, version: int, changed: tuple[str, ...] = ("child.age_years",), **incident) -> tuple[str, pb_message.Message]:  # noqa: ANN003
        return "incident.amended", intake_pb2.IncidentAmended(incident=self.incident(version=version, **incident), version=version,
                                                              changed_fields=list(changed))

    def notification_sent(self, duty: str, recipient: int, on: dt.date, clock_: common_pb2.Clock | None = None) -> tuple[str, pb_message.Message]:
        event = intake_pb2.IncidentNotificationSent(case_id=self.case_id, notification=sent_record(duty, recipient, on))
        if clock_ is not None:
            event.clock.CopyFrom(clock_)
        return "incident.notification_sent", event

    def partners_informed(self, on: dt.date) -> tuple[str, pb_message.Message]:
        return "incident.partners_informed", intake_pb2.IncidentPartnersInformed(case_id=self.case_id, informed_date=on.isoformat())

    def panel_notified(self, sent: dt.date = SENT, reference: str = "PANEL-1") -> tuple[str, pb_message.Message]:
        return "incident.panel_notified", intake_pb2.IncidentPanelNotified(
            case_id=self.case_id, panel_notification=intake_pb2.PanelNotification(reference=reference, sent_date=sent.isoformat()),
            rapid_review_clock=clock("RR.DEADLINE", sent, CAL.add_working_days(sent, 15)))

    def withdrawn(self) -> tuple[str, pb_message.Message]:
        return "incident.withdrawn", intake_pb2.IncidentWithdrawn(case_id=self.case_id)

    def clock_extended(self, clock_id: str, starts: dt.date, due: dt.date, to: dt.date) -> tuple[str, pb_message.Message]:
        return "incident.clock_extended", intake_pb2.IncidentClockExtended(case_id=self.case_id, clock=clock(clock_id, starts, due, to))

    def request_opened(self, agency_id: str, *, provisional: bool = False, working_days: int = 10) -> tuple[str, pb_message.Message]:
        starts = self.aware if provisional else SENT
        due = CAL.add_working_days(starts, working_days)
        basis = gathering_pb2.DUE_BASIS_AWARENESS if provisional else gathering_pb2.DUE_BASIS_PANEL_NOTIFICATION
        return "agency.request_opened", gathering_pb2.AgencyRequestOpened(request=gathering_pb2.InformationRequest(
            case_id=self.case_id, agency=agency(agency_id), status=gathering_pb2.REQUEST_STATUS_AWAITING,
            source=gathering_pb2.REQUEST_SOURCE_NOTIFICATION, clock=clock("RR.AGENCIES", starts, due), due_basis=basis,
            opened_on=self.aware.isoformat()))

    def return_submitted(self, agency_id: str, version: int = 1, on: dt.date = TODAY) -> tuple[str, pb_message.Message]:
        return "agency.return_submitted", gathering_pb2.AgencyReturnSubmitted(
            case_id=self.case_id, agency=agency(agency_id), version=version, submitted_on=on.isoformat(),
            involvement=gathering_pb2.INVOLVEMENT_INVOLVED)

    def chased(self, agency_id: str, on: dt.date = TODAY, chase_id: str | None = None) -> tuple[str, pb_message.Message]:
        return "agency.chased", gathering_pb2.AgencyChased(case_id=self.case_id, agency=agency(agency_id),
                                                           chase_id=chase_id or str(uuid.uuid4()), chased_on=on.isoformat(),
                                                           due=CAL.add_working_days(SENT, 10).isoformat())

    def collated(self, version: int = 1, *, closed: bool = False) -> tuple[str, pb_message.Message]:
        trigger = gathering_pb2.COLLATION_TRIGGER_CLOSED_BY_BUSINESS_UNIT if closed else gathering_pb2.COLLATION_TRIGGER_ALL_RETURNED
        return "information.collated", gathering_pb2.InformationCollated(
            case_id=self.case_id, partnership=self.partnership, collation_version=version, trigger=trigger)

    def reopened(self) -> tuple[str, pb_message.Message]:
        return "information.reopened", gathering_pb2.GatheringReopened(case_id=self.case_id, reopened_on=TODAY.isoformat())

    def evaluated(self, collation_version: int) -> tuple[str, pb_message.Message]:
        return "criteria.evaluated", criteria_pb2.CriteriaEvaluated(checklist=criteria_pb2.Checklist(
            evaluation_id=str(uuid.uuid4()), case_id=self.case_id, partnership=self.partnership, collation_version=collation_version))

    def recommended(self, round_: int = 1) -> tuple[str, pb_message.Message]:
        return "decision.recommendation_recorded", decisions_pb2.RecommendationRecorded(
            case_id=self.case_id, recommendation_id=str(uuid.uuid4()), round=round_,
            recommendation=decisions_pb2.REVIEW_DECISION_CSPR)

    def decided(self, decision_id: str, round_: int = 1, kind: int = decisions_pb2.REVIEW_DECISION_CSPR,
                on: dt.date = TODAY) -> tuple[str, pb_message.Message]:
        return "decision.recorded", decisions_pb2.DecisionRecorded(case_id=self.case_id, decision_id=decision_id, decision=kind,
                                                                    decided_on=on.isoformat(), round=round_)

    def submitted(self, submission_id: str, decision_id: str, on: dt.date = TODAY) -> tuple[str, pb_message.Message]:
        return "decision.panel_submitted", decisions_pb2.PanelSubmissionRecorded(
            case_id=self.case_id, submission_id=submission_id, decision_id=decision_id, sent_date=on.isoformat())

    def responded(self, submission_id: str, kind: int = decisions_pb2.PANEL_RESPONSE_KIND_AGREES) -> tuple[str, pb_message.Message]:
        return "decision.panel_responded", decisions_pb2.PanelResponseRecorded(
            case_id=self.case_id, response_id=str(uuid.uuid4()), submission_id=submission_id, kind=kind, responded_on=TODAY.isoformat())

    def commissioned(self, target: dt.date) -> tuple[str, pb_message.Message]:
        return "review.commissioned", decisions_pb2.ReviewCommissioned(
            case_id=self.case_id, review_id=str(uuid.uuid4()), commissioned_on=TODAY.isoformat(), six_month_target=target.isoformat())

    def due_soon(self, clock_id: str, subject_ref: str, due: dt.date, left: int = 1) -> tuple[str, pb_message.Message]:
        return "deadline.due_soon", events_pb2.DeadlineDueSoon(clock_id=clock_id, subject_ref=subject_ref, due=due.isoformat(),
                                                               working_days_left=left)

    def overdue(self, clock_id: str, subject_ref: str, due: dt.date, days: int = 1) -> tuple[str, pb_message.Message]:
        return "deadline.overdue", events_pb2.DeadlineOverdue(clock_id=clock_id, subject_ref=subject_ref, due=due.isoformat(),
                                                              working_days_overdue=days)


def envelope(case: Case, event: tuple[str, pb_message.Message], *, at: dt.datetime | None = None, producer: str | None = None,
             partnership: str | None = None) -> events_pb2.EventEnvelope:
    event_type, payload = event
    producer = producer or PRODUCERS.get(event_type.split(".")[0], "intake")
    return new_event(event_type, payload, producer=producer, case_id=case.case_id,
                     partnership=case.partnership if partnership is None else partnership, occurred_at=at)


async def publish(bus: EventBus, env: events_pb2.EventEnvelope, *, msg_id: str | None = None) -> events_pb2.EventEnvelope:
    """Publishes an envelope on its subject (de-duplicated by JetStream on `msg_id`, the event id by default)."""
    assert bus.js is not None
    await bus.js.publish(subject_for(env.event_type, env.producer), env.SerializeToString(),
                         headers={"Nats-Msg-Id": msg_id or env.event_id})
    return env


def times(n: int, start: dt.datetime | None = None) -> list[dt.datetime]:
    """`n` increasing event times, a minute apart."""
    start = start or dt.datetime(2024, 6, 10, 9, 0, tzinfo=dt.UTC)
    return [start + dt.timedelta(minutes=i) for i in range(n)]
