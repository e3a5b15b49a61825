"""The projection: what each event the dashboard needs does to the read model.
Each handler runs in the consumer's transaction with its inbox row (a
redelivered event does nothing) and ends with `CaseFile.save`, which derives
the dashboard's values. Events may arrive in any order (see casefile.py); a
malformed payload raises PermanentEventError and goes to the dead letters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf import message as pb_message
from sqlalchemy.dialects.postgresql import insert as pg_insert
from rapidreview.kernel.db import Transaction

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.consumer import PermanentEventError, Route
from rapidreview.kernel.crypto import FieldCipher
from rapidreview.kernel.events import EventRef
from rapidreview.v1 import common_pb2, criteria_pb2, decisions_pb2, events_pb2, gathering_pb2, intake_pb2
from rapidreview.workspace.readmodel import storage as t
from rapidreview.workspace.readmodel.casefile import CaseFile, newer
from rapidreview.workspace.readmodel.domain.clocks import AGENCIES, INTAKE_CLOCKS, PARTNERS, SIX_MONTHS
from rapidreview.workspace.readmodel.domain.notifications import SAFEGUARDING_PARTNERS

#: Case clocks a deadline event may move (an extension the read model hears of no other way).
_TRACKED_DEADLINES = frozenset({*INTAKE_CLOCKS, SIX_MONTHS})


def normalise_reference(reference: str) -> str:
    """The form a child reference is indexed and searched in: spacing and case ignored."""
    return " ".join(reference.split()).lower()


def reference_index(cipher: FieldCipher, partnership: str, reference: str) -> str:
    """The blind index of a child reference within its partnership."""
    return cipher.blind_index(normalise_reference(reference), f"case_ref:{partnership}")


def reference_ad(case_id: str) -> str:
    """Associated data binding a sealed child reference to its case."""
    return f"case:{case_id}:case_reference"


def _date(value: str, what: str) -> dt.date | None:
    """A "YYYY-MM-DD" field; empty means not given; anything else is a malformed event."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PermanentEventError(f"{what} is not a date") from None


def _required_date(value: str, what: str) -> dt.date:
    day = _date(value, what)
    if day is None:
        raise PermanentEventError(f"{what} is missing")
    return day


@dataclass
class Projection:
    """The projection's event handlers, each `(session, ref, payload)` as the kernel's consumer calls them."""

    cipher: FieldCipher
    calendar: WorkingDayCalendar

    def routes(self) -> dict[str, Route]:
        """Every event the dashboard needs, with its payload type."""
        def route(payload: type[pb_message.Message], handler: Callable[..., Awaitable[None]]) -> Route:
            return Route(payload, handler)

        return {
            "incident.notified": route(intake_pb2.IncidentNotified, self.on_incident_notified),
            "incident.panel_notified": route(intake_pb2.IncidentPanelNotified, self.on_panel_notified),
            "incident.withdrawn": route(intake_pb2.IncidentWithdrawn, self.on_withdrawn),
            "incident.partners_informed": route(intake_pb2.IncidentPartnersInformed, self.on_partners_informed),
            "incident.clock_extended": route(intake_pb2.IncidentClockExtended, self.on_clock_extended),
            "incident.notification_sent": route(intake_pb2.IncidentNotificationSent, self.on_notification_sent),
            "incident.amended": route(intake_pb2.IncidentAmended, self.on_amended),
            "agency.request_opened": route(gathering_pb2.AgencyRequestOpened, self.on_request_opened),
            "agency.return_submitted": route(gathering_pb2.AgencyReturnSubmitted, self.on_return_submitted),
            "agency.chased": route(gathering_pb2.AgencyChased, self.on_chased),
            "information.collated": route(gathering_pb2.InformationCollated, self.on_collated),
            "information.reopened": route(gathering_pb2.GatheringReopened, self.on_reopened),
            "criteria.evaluated": route(criteria_pb2.CriteriaEvaluated, self.on_evaluated),
            "decision.recommendation_recorded": route(decisions_pb2.RecommendationRecorded, self.on_recommendation),
            "decision.recorded": route(decisions_pb2.DecisionRecorded, self.on_decision),
            "decision.panel_submitted": route(decisions_pb2.PanelSubmissionRecorded, self.on_panel_submitted),
            "decision.panel_responded": route(decisions_pb2.PanelResponseRecorded, self.on_panel_responded),
            "review.commissioned": route(decisions_pb2.ReviewCommissioned, self.on_review_commissioned),
            "review.published": route(decisions_pb2.ReviewPublished, self.on_review_published),
            "deadline.due_soon": route(events_pb2.DeadlineDueSoon, self.on_deadline),
            "deadline.overdue": route(events_pb2.DeadlineOverdue, self.on_deadline),
        }

    async def _case(self, session: Transaction, ref: EventRef, case_id: str = "", partnership: str = "") -> CaseFile:
        return await CaseFile.open(session, ref, case_id, partnership)

    async def _clock(self, case: CaseFile, clock: common_pb2.Clock) -> None:
        if clock.id not in INTAKE_CLOCKS:
            return  # a clock a later intake may add: shown once the read model knows it
        due = _required_date(clock.due, f"clock {clock.id} due")
        effective = _date(clock.effective_due, f"clock {clock.id} effective_due") or due
        await case.upsert_clock(clock.id, due, effective, completed_on=_date(clock.completed_on, f"clock {clock.id} completed_on"))

    async def _snapshot(self, case: CaseFile, incident: intake_pb2.Incident) -> None:
        """What an incident as intake publishes it (notified, Panel notified, amended) says of the
        case: its facts (child reference, duties) when this is the newest version heard of, the
        clocks it runs at that moment (so a clock an amendment stopped disappears), the
        notifications recorded as sent, the Panel notification and a withdrawal."""
        version = max(incident.notification_version, 1)
        if (version, _stamp(case.at)) >= (case.get("notification_version"), _stamp(case.get("facts_at"))):
            child_ref = incident.notification.child.child_ref
            required = any(d.rule_id == "RR.REQUIRED" and d.outcome == common_pb2.OUTCOME_MET for d in incident.duties)
            if required and case.get("facts_at") is not None and not case.get("rapid_review_required"):
                # A case that did not need a rapid review now does (an amendment, a Panel
                # notification after all): gathering opens it (docs/gathering.md).
                case.set_if_newer("gathering_at", gathering_open=True)
            case.set(notification_version=version, facts_at=case.at, rapid_review_required=required,
                     case_ref_enc=self.cipher.seal(child_ref, reference_ad(case.case_id)) if child_ref else "",
                     case_ref_index=reference_index(self.cipher, case.partnership, child_ref) if child_ref else "")
        if newer(case.at, case.get("clocks_snapshot_at")):
            listed = sorted({c.id for c in incident.clocks if c.id in INTAKE_CLOCKS})
            case.set(clocks_snapshot=",".join(listed), clocks_snapshot_at=case.at)
        if incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN:
            case.set(withdrawn=True)
        if incident.HasField("panel_notification") and incident.panel_notification.sent_date:
            case.set(panel_reference=incident.panel_notification.reference[:64])
            case.shrink("panel_sent_on", _date(incident.panel_notification.sent_date, "panel notification sent_date"))
        for clock in incident.clocks:
            await self._clock(case, clock)
        await case.record_notifications([_sent(n) for n in incident.notifications_sent])

    # -- intake -------------------------------------------------------------------------------
    async def on_incident_notified(self, session: Transaction, ref: EventRef, payload: intake_pb2.IncidentNotified) -> None:
        incident = payload.incident
        if not (incident.partnership or ref.partnership):
            raise PermanentEventError("incident without a partnership")
        case = await self._case(session, ref, incident.case_id, incident.partnership)
        required = any(d.rule_id == "RR.REQUIRED" and d.outcome == common_pb2.OUTCOME_MET for d in incident.duties)
        notified_on = incident.created_at.ToDatetime(dt.UTC).date() if incident.HasField("created_at") else (
            ref.occurred_at.date() if ref.occurred_at else None)
        case.set(notified=True, notified_on=notified_on)
        case.set_if_newer("gathering_at", gathering_open=required)
        await self._snapshot(case, incident)
        await case.save(self.calendar)

    async def on_panel_notified(self, session: Transaction, ref: EventRef, payload: intake_pb2.IncidentPanelNotified) -> None:
        case = await self._case(session, ref, payload.case_id)
        case.set(panel_reference=payload.panel_notification.reference[:64])
        case.shrink("panel_sent_on", _required_date(payload.panel_notification.sent_date, "panel notification sent_date"))
        if payload.HasField("rapid_review_clock"):
            await self._clock(case, payload.rapid_review_clock)
        if payload.HasField("incident"):
            await self._snapshot(case, payload.incident)
        await case.save(self.calendar)

    async def on_amended(self, session: Transaction, ref: EventRef, payload: intake_pb2.IncidentAmended) -> None:
        incident = payload.incident
        if payload.version < 2 or incident.notification_version not in (0, payload.version):
            raise PermanentEventError("an amendment without a version after the first")
        case = await self._case(session, ref, incident.case_id, incident.partnership)
        amended = intake_pb2.Incident()
        amended.CopyFrom(incident)
        amended.notification_version = payload.version
        await self._snapshot(case, amended)
        await case.save(self.calendar)

    async def on_notification_sent(self, session: Transaction, ref: EventRef, payload: intake_pb2.IncidentNotificationSent) -> None:
        sent = _sent(payload.notification)
        case = await self._case(session, ref, payload.case_id)
        await case.record_notifications([sent])
        if payload.HasField("clock") and payload.clock.id:
            await self._clock(case, payload.clock)
        await case.save(self.calendar)

    async def on_withdrawn(self, session: Transaction, ref: EventRef, payload: intake_pb2.IncidentWithdrawn) -> None:
        case = await self._case(session, ref, payload.case_id)
        case.set(withdrawn=True)
        await case.save(self.calendar)

    async def on_partners_informed(self, session: Transaction, ref: EventRef, payload: intake_pb2.IncidentPartnersInformed) -> None:
        informed = _required_date(payload.informed_date, "informed_date")
        case = await self._case(session, ref, payload.case_id)
        case.shrink("partners_informed_on", informed)
        # The deprecated form of RecordNotificationSent(NOTIFY.PARTNERS): the same record.
        await case.record_notifications([(PARTNERS, SAFEGUARDING_PARTNERS, informed)])
        await case.save(self.calendar)

    async def on_clock_extended(self, session: Transaction, ref: EventRef, payload: intake_pb2.IncidentClockExtended) -> None:
        case = await self._case(session, ref, payload.case_id)
        await self._clock(case, payload.clock)
        await case.save(self.calendar)

    # -- gathering ----------------------------------------------------------------------------
    async def on_request_opened(self, session: Transaction, ref: EventRef, payload: gathering_pb2.AgencyRequestOpened) -> None:
        request = payload.request
        if not request.agency.agency_id:
            raise PermanentEventError("request without an agency id")
        case = await self._case(session, ref, request.case_id)
        # Gathering opens requests only in an open gathering (one opened later, on an amendment or a
        # Panel notification, included).
        case.set_if_newer("gathering_at", gathering_open=True)
        await case.upsert_requests([dict(
            agency_id=request.agency.agency_id, agency_name=request.agency.name[:200], opened_at=case.at,
            opened_on=_date(request.opened_on, "opened_on"), starts_from=_date(request.clock.starts_from, "starts_from"),
            due=_required_date(request.clock.due, "request due"), due_basis=request.due_basis, due_at=case.at)])
        await case.save(self.calendar)

    async def on_return_submitted(self, session: Transaction, ref: EventRef, payload: gathering_pb2.AgencyReturnSubmitted) -> None:
        if not payload.agency.agency_id or payload.version < 1:
            raise PermanentEventError("return without an agency id or version")
        case = await self._case(session, ref, payload.case_id)
        await case.upsert_requests([dict(agency_id=payload.agency.agency_id, agency_name=payload.agency.name[:200],
                                         latest_version=payload.version,
                                         first_returned_on=_required_date(payload.submitted_on, "submitted_on"))])
        await case.save(self.calendar)

    async def on_chased(self, session: Transaction, ref: EventRef, payload: gathering_pb2.AgencyChased) -> None:
        if not payload.agency.agency_id:
            raise PermanentEventError("chase without an agency id")
        chased_on = _required_date(payload.chased_on, "chased_on")
        case = await self._case(session, ref, payload.case_id)
        recorded = await session.execute(pg_insert(t.reminders).values(
            reminder_id=payload.chase_id or ref.event_id, case_id=case.case_id, partnership=case.partnership, clock_id=AGENCIES,
            subject_ref=payload.agency.agency_id, kind="chase", due=chased_on, recipient_role="agency",
            agency_id=payload.agency.agency_id, status="chased", reason="e-mailed by the gathering service", recipients=0,
            event_id=ref.event_id, sent_at=case.at,
        ).on_conflict_do_nothing().returning(t.reminders.c.reminder_id))
        chases = 1 if recorded.first() is not None else 0
        await case.upsert_requests([dict(agency_id=payload.agency.agency_id, agency_name=payload.agency.name[:200],
                                         last_chased_on=chased_on, chase_count=chases)])
        await case.save(self.calendar)

    async def on_collated(self, session: Transaction, ref: EventRef, payload: gathering_pb2.InformationCollated) -> None:
        case = await self._case(session, ref, payload.case_id, payload.partnership)
        case.grow("collation_version", payload.collation_version)
        case.set_if_newer("gathering_at", gathering_open=payload.trigger != gathering_pb2.COLLATION_TRIGGER_CLOSED_BY_BUSINESS_UNIT)
        # The agencies' parts fill what the request events did not (yet) say; they never move a due date.
        rows: list[dict[str, Any]] = []
        for part in payload.agencies:
            if not part.agency.agency_id:
                continue
            rows.append(dict(agency_id=part.agency.agency_id, agency_name=part.agency.name[:200], due=_date(part.due, "agency due"),
                             due_at=None, latest_version=part.version,
                             first_returned_on=_date(part.returned_on, "returned_on")))
        await case.upsert_requests(rows)
        await case.save(self.calendar)

    async def on_reopened(self, session: Transaction, ref: EventRef, payload: gathering_pb2.GatheringReopened) -> None:
        case = await self._case(session, ref, payload.case_id)
        case.set_if_newer("gathering_at", gathering_open=True)
        await case.save(self.calendar)

    # -- criteria -----------------------------------------------------------------------------
    async def on_evaluated(self, session: Transaction, ref: EventRef, payload: criteria_pb2.CriteriaEvaluated) -> None:
        checklist = payload.checklist
        case = await self._case(session, ref, checklist.case_id, checklist.partnership)
        case.grow("evaluated_collation_version", checklist.collation_version)
        await case.save(self.calendar)

    # -- decisions ----------------------------------------------------------------------------
    async def on_recommendation(self, session: Transaction, ref: EventRef, payload: decisions_pb2.RecommendationRecorded) -> None:
        case = await self._case(session, ref, payload.case_id)
        if (payload.round, _stamp(case.at)) >= (case.get("rec_round"), _stamp(case.get("rec_at"))):
            case.set(rec_round=payload.round, rec_at=case.at)
        await case.save(self.calendar)

    async def on_decision(self, session: Transaction, ref: EventRef, payload: decisions_pb2.DecisionRecorded) -> None:
        if not payload.decision_id:
            raise PermanentEventError("decision without an id")
        case = await self._case(session, ref, payload.case_id)
        if (payload.round, _stamp(case.at)) >= (case.get("dec_round"), _stamp(case.get("dec_at"))):
            case.set(dec_round=payload.round, dec_id=payload.decision_id, dec_kind=payload.decision, dec_at=case.at)
        await case.save(self.calendar)

    async def on_panel_submitted(self, session: Transaction, ref: EventRef, payload: decisions_pb2.PanelSubmissionRecorded) -> None:
        sent = _required_date(payload.sent_date, "sent_date")
        case = await self._case(session, ref, payload.case_id)
        case.set_if_newer("sub_at", sub_id=payload.submission_id, sub_decision_id=payload.decision_id)
        # RR.DEADLINE is met when the rapid review and decision reach the Panel (RULES.md RR.DEADLINE, RR.TO_PANEL).
        case.shrink("first_submitted_on", sent)
        await case.save(self.calendar)

    async def on_panel_responded(self, session: Transaction, ref: EventRef, payload: decisions_pb2.PanelResponseRecorded) -> None:
        case = await self._case(session, ref, payload.case_id)
        case.set_if_newer("resp_at", resp_submission_id=payload.submission_id, resp_kind=payload.kind)
        await case.save(self.calendar)

    async def on_review_commissioned(self, session: Transaction, ref: EventRef, payload: decisions_pb2.ReviewCommissioned) -> None:
        target = _required_date(payload.six_month_target, "six_month_target")
        case = await self._case(session, ref, payload.case_id)
        case.set(review_id=payload.review_id or ref.event_id, six_month_target=target)
        await case.upsert_clock(SIX_MONTHS, target, target)
        await case.save(self.calendar)

    async def on_review_published(self, session: Transaction, ref: EventRef, payload: decisions_pb2.ReviewPublished) -> None:
        case = await self._case(session, ref, payload.case_id, payload.partnership)
        case.shrink("published_on", _required_date(payload.published_on, "published_on"))
        await case.save(self.calendar)

    # -- deadlines ----------------------------------------------------------------------------
    async def on_deadline(self, session: Transaction, ref: EventRef,
                          payload: events_pb2.DeadlineDueSoon | events_pb2.DeadlineOverdue) -> None:
        """A deadline event carries the effective due date in force: for the case clocks
        the dashboard shows, it catches extensions recorded without an event of their own
        (POST.SIX_MONTHS). Other clocks are left to the reminders."""
        due = _required_date(payload.due, "deadline due")
        if payload.clock_id not in _TRACKED_DEADLINES:
            return
        case = await self._case(session, ref)
        await case.upsert_clock(payload.clock_id, due, due, knows_due=False, from_owner=False)
        await case.save(self.calendar)


def _sent(record: intake_pb2.NotificationSent) -> tuple[str, int, dt.date]:
    """(duty, recipient, date) of a notification intake recorded as sent."""
    if not record.duty or record.recipient == intake_pb2.NOTIFICATION_RECIPIENT_UNSPECIFIED:
        raise PermanentEventError("a notification sent without a duty or recipient")
    return record.duty[:40], record.recipient, _required_date(record.sent_date, "notification sent_date")


def _stamp(value: dt.datetime | None) -> dt.datetime:
    """A comparable time: an event without one sorts first."""
    return value if value is not None else dt.datetime.min.replace(tzinfo=dt.UTC)
