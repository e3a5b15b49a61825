"""The read model's durable JetStream consumers, provisioned explicitly by the
kernel's EventConsumer (ack wait, backoff, max deliveries, filter subjects;
dead letters on `rr.dlq.workspace.<durable>`):

- `workspace-projection`: every event the dashboard needs, one consumer so a
  case's events are usually applied in stream order (the projection does not
  rely on it: replicas share the durable and apply events concurrently);
- `workspace-reminders`: deadline.due_soon and deadline.overdue, e-mailing
  reminders; on its own so a slow mail server never holds the dashboard back.
"""

from __future__ import annotations

from rapidreview.delivery.config import DeliveryConfig
from rapidreview.kernel.consumer import ConsumerSpec
from rapidreview.workspace.readmodel.config import ReadModelConfig
from rapidreview.workspace.readmodel.projection import Projection
from rapidreview.workspace.readmodel.reminders import Reminders

PROJECTION, REMINDERS = "workspace-projection", "workspace-reminders"


def consumer_specs(config: ReadModelConfig, projection: Projection, reminders: Reminders | None,
                   delivery: DeliveryConfig | None) -> list[ConsumerSpec]:
    policy = dict(max_deliver=config.consumer_max_deliver, backoff=config.consumer_backoff)
    specs = [ConsumerSpec(durable=PROJECTION + config.durable_suffix, routes=projection.routes(), ack_wait=config.consumer_ack_wait,
                          **policy)]  # type: ignore[arg-type]
    if reminders is not None:
        # The ack wait outlasts the slowest possible e-mail (every SMTP attempt timing out).
        ack_wait = max(config.consumer_ack_wait, delivery.worst_case_seconds() + 10.0 if delivery else 0.0)
        specs.append(ConsumerSpec(durable=REMINDERS + config.durable_suffix, routes=reminders.routes(), ack_wait=ack_wait,
                                  **policy))  # type: ignore[arg-type]
    return specs
