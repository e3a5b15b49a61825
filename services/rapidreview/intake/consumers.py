"""Events intake consumes: decision.recorded marks the incident decided;
decision.panel_submitted closes the rapid review clock (RR.DEADLINE)."""

from __future__ import annotations

from rapidreview.intake.handlers import IntakeHandlers
from rapidreview.kernel.config import Settings
from rapidreview.kernel.consumer import EVENTS_PER_TRANSACTION, ConsumerSpec, Route
from rapidreview.v1 import decisions_pb2


def consumer_specs(handlers: IntakeHandlers, settings: Settings) -> list[ConsumerSpec]:
    return [
        ConsumerSpec(
            durable="intake-decisions",
            routes={
                "decision.recorded": Route(decisions_pb2.DecisionRecorded, handlers.on_decision_recorded),
                "decision.panel_submitted": Route(decisions_pb2.PanelSubmissionRecorded, handlers.on_panel_submitted),
            },
            ack_wait=settings.consumer_ack_wait,
            max_deliver=settings.consumer_max_deliver,
            backoff=settings.consumer_backoff,
            transaction_batch=EVENTS_PER_TRANSACTION,
        )
    ]
