"""Events gathering consumes: intake's incident.notified opens the gathering,
incident.panel_notified fixes the due dates (and opens a gathering not needed
until then), incident.amended asks newly named agencies, incident.withdrawn
closes it; its own agency.chased is e-mailed to the agency (chases.py)."""

from __future__ import annotations

from rapidreview.gathering.chases import ChaseHandlers
from rapidreview.gathering.handlers import GatheringHandlers
from rapidreview.kernel.config import Settings
from rapidreview.kernel.consumer import EVENTS_PER_TRANSACTION, ConsumerSpec, Route
from rapidreview.v1 import intake_pb2

DURABLE = "gathering-incidents"


def consumer_specs(handlers: GatheringHandlers, settings: Settings, chases: ChaseHandlers | None = None) -> list[ConsumerSpec]:
    specs = [
        ConsumerSpec(
            durable=DURABLE,
            routes={
                "incident.notified": Route(intake_pb2.IncidentNotified, handlers.on_incident_notified),
                "incident.panel_notified": Route(intake_pb2.IncidentPanelNotified, handlers.on_panel_notified),
                "incident.withdrawn": Route(intake_pb2.IncidentWithdrawn, handlers.on_incident_withdrawn),
                "incident.amended": Route(intake_pb2.IncidentAmended, handlers.on_incident_amended),
            },
            ack_wait=settings.consumer_ack_wait,
            max_deliver=settings.consumer_max_deliver,
            backoff=settings.consumer_backoff,
            transaction_batch=EVENTS_PER_TRANSACTION,
        )
    ]
    if chases is not None:
        specs.append(chases.consumer_spec(settings.consumer_ack_wait, settings.consumer_max_deliver, settings.consumer_backoff))
    return specs
