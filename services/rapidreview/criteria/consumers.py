"""Events criteria consumes. One durable consumer for all of them, so a case's
events are handled in stream order (incident.notified before the collation
that follows it); an event about a case not known yet is retried."""

from __future__ import annotations

from rapidreview.criteria.handlers import CriteriaHandlers
from rapidreview.kernel.config import Settings
from rapidreview.kernel.consumer import ConsumerSpec, Route
from rapidreview.v1 import decisions_pb2, gathering_pb2, intake_pb2

DURABLE = "criteria-events"

def routes(handlers: CriteriaHandlers) -> dict[str, Route]:
    return {
        "incident.notified": Route(intake_pb2.IncidentNotified, handlers.on_incident_notified),
        "incident.panel_notified": Route(intake_pb2.IncidentPanelNotified, handlers.on_panel_notified),
        "incident.withdrawn": Route(intake_pb2.IncidentWithdrawn, handlers.on_withdrawn),
        "information.collated": Route(gathering_pb2.InformationCollated, handlers.on_information_collated),
        "decision.recorded": Route(decisions_pb2.DecisionRecorded, handlers.on_decision_recorded),
    }


def consumer_specs(handlers: CriteriaHandlers, settings: Settings) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            durable=DURABLE,
            routes=routes(handlers),
            ack_wait=settings.consumer_ack_wait,
            max_deliver=settings.consumer_max_deliver,
            backoff=settings.consumer_backoff,
        )
    ]
