"""Events decisions consumes: intake's incidents (the case, its agencies,
RR.DEADLINE and its extensions, amendments), gathering's requests (agencies
found later) and the criteria service's evaluations (what a recommendation cites).

One durable consumer for all of them, as criteria has, so a case's events are handled in
stream order: an evaluation or a request never waits, retried and then dead-lettered, behind
the incident.notified that created its case while that is still queued elsewhere."""

from __future__ import annotations

from rapidreview.decisions.handlers import DecisionHandlers
from rapidreview.kernel.config import Settings
from rapidreview.kernel.consumer import EVENTS_PER_TRANSACTION, ConsumerSpec, Route
from rapidreview.v1 import criteria_pb2, gathering_pb2, intake_pb2


def agency_not_from_notification(payload: gathering_pb2.AgencyRequestOpened) -> bool:
    """Whether a request's agency may be new to decisions. A request opened for an agency
    the notification names (source NOTIFICATION, as first notified or as amended) tells
    nothing new: the case's agencies come with incident.notified and incident.amended,
    which decisions consumes too. Only agencies the business unit added later (ADDED, or an
    event without a source) are handled."""
    return payload.request.source != gathering_pb2.REQUEST_SOURCE_NOTIFICATION


DURABLE = "decisions-events"
#: The durables decisions had before one took their place: an event could reach decisions before
#: the incident.notified it depends on, queued on another of them, and be dead-lettered.
REPLACED = ("decisions-incidents", "decisions-agencies", "decisions-criteria")


def consumer_specs(handlers: DecisionHandlers, settings: Settings) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            durable=DURABLE,
            routes={
                "incident.notified": Route(intake_pb2.IncidentNotified, handlers.on_incident_notified),
                "incident.panel_notified": Route(intake_pb2.IncidentPanelNotified, handlers.on_panel_notified),
                "incident.withdrawn": Route(intake_pb2.IncidentWithdrawn, handlers.on_incident_withdrawn),
                "incident.amended": Route(intake_pb2.IncidentAmended, handlers.on_incident_amended),
                "incident.clock_extended": Route(intake_pb2.IncidentClockExtended, handlers.on_clock_extended),
                "agency.request_opened": Route(gathering_pb2.AgencyRequestOpened, handlers.on_agency_request_opened,
                                               wanted=agency_not_from_notification),
                "criteria.evaluated": Route(criteria_pb2.CriteriaEvaluated, handlers.on_criteria_evaluated),
            },
            ack_wait=settings.consumer_ack_wait,
            max_deliver=settings.consumer_max_deliver,
            backoff=settings.consumer_backoff,
            transaction_batch=EVENTS_PER_TRANSACTION,
            replaces=REPLACED,
        )
    ]
