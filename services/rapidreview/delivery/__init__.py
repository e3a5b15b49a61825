"""Advisory-group delivery: when a criteria checklist summary is ready
(summary.ready), e-mail it to the partnership's configured recipients (SMTP
with STARTTLS and authentication; the PDF attached or a link), with retries
and a delivery record. See handler.py for how the owning service wires it."""

from rapidreview.delivery.config import (
    ENV_VAR,
    DeliveryConfig,
    DeliveryConfigError,
    PartnershipDelivery,
    RetrySettings,
    SmtpSettings,
    short_id,
)
from rapidreview.delivery.handler import DURABLE, delivery_consumer_spec, make_on_summary_ready
from rapidreview.delivery.mailer import DeliveryFailed, SendResult, Summary, SummaryMailer
from rapidreview.delivery.storage import DeliveryTables, create_delivery_tables, delivery_tables, drop_delivery_tables

__all__ = [
    "DURABLE", "ENV_VAR", "DeliveryConfig", "DeliveryConfigError", "DeliveryFailed", "DeliveryTables", "PartnershipDelivery",
    "RetrySettings", "SendResult", "SmtpSettings", "Summary", "SummaryMailer", "create_delivery_tables", "delivery_consumer_spec",
    "delivery_tables", "drop_delivery_tables", "make_on_summary_ready", "short_id",
]
