"""Events criteria consumes. One durable consumer for all of them, so a case's
events are handled in stream order (incident.notified before the collation
that follows it); an event about a case not known yet is retried."""

from __future__ import annotations

from rapidreview.criteria.event_handlers import CaseEventHandlers
from rapidreview.kernel.config import Settings
from rapidreview.kernel.consumer import EVENTS_PER_TRANSACTION, ConsumerSpec, Handler, Route
from rapidreview.kernel.events import EventRef
from rapidreview.v1 import decisions_pb2, facts_pb2, gathering_pb2, intake_pb2

DURABLE = "criteria-events"

# The Panel's response as CaseFacts.panel_response spells it.
PANEL_RESPONSES = {
    decisions_pb2.PANEL_RESPONSE_KIND_AGREES: "agrees",
    decisions_pb2.PANEL_RESPONSE_KIND_CHALLENGES: "challenges",
    decisions_pb2.PANEL_RESPONSE_KIND_NATIONAL_REVIEW: "national_review",
    decisions_pb2.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE: "local_review_more_appropriate",
}


def _panel_responded(handlers: CaseEventHandlers) -> Handler:
    async def handle(session, ref: EventRef, payload: decisions_pb2.PanelResponseRecorded) -> None:  # type: ignore[no-untyped-def]
        await handlers.on_panel_response(session, ref, payload.case_id, PANEL_RESPONSES.get(payload.kind, ""))

    return handle  # type: ignore[return-value]


def _themes_published(handlers: CaseEventHandlers) -> Handler:
    async def handle(session, ref: EventRef, payload: decisions_pb2.ReviewThemesPublished) -> None:  # type: ignore[no-untyped-def]
        review = facts_pb2.EarlierReview(review_id=payload.review_id, year=payload.year, themes=list(payload.themes))
        await handlers.on_new_themes(session, ref, payload.partnership or ref.partnership, review)

    return handle  # type: ignore[return-value]


def routes(handlers: CaseEventHandlers) -> dict[str, Route]:
    return {
        "incident.notified": Route(intake_pb2.IncidentNotified, handlers.on_incident_notified),
        "incident.panel_notified": Route(intake_pb2.IncidentPanelNotified, handlers.on_panel_notified),
        "incident.withdrawn": Route(intake_pb2.IncidentWithdrawn, handlers.on_withdrawn),
        "information.collated": Route(gathering_pb2.InformationCollated, handlers.on_information_collated),
        "decision.recorded": Route(decisions_pb2.DecisionRecorded, handlers.on_decision_recorded),
        "decision.panel_submitted": Route(decisions_pb2.PanelSubmissionRecorded, handlers.on_panel_submitted),
        "incident.amended": Route(intake_pb2.IncidentAmended, handlers.on_incident_amended),
        "incident.clock_extended": Route(intake_pb2.IncidentClockExtended, handlers.on_clock_extended),
        "decision.panel_responded": Route(decisions_pb2.PanelResponseRecorded, _panel_responded(handlers)),
        "review.themes_published": Route(decisions_pb2.ReviewThemesPublished, _themes_published(handlers)),
    }


def consumer_specs(handlers: CaseEventHandlers, settings: Settings) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            durable=DURABLE,
            routes=routes(handlers),
            ack_wait=settings.consumer_ack_wait,
            max_deliver=settings.consumer_max_deliver,
            backoff=settings.consumer_backoff,
            transaction_batch=EVENTS_PER_TRANSACTION,
        )
    ]
