"""The summary.ready event handler and its consumer spec.

Registered by the service that owns the delivery table (criteria):

    from rapidreview.delivery import DeliveryConfig, delivery_consumer_spec, delivery_tables, make_on_summary_ready

    tables = delivery_tables(metadata)                      # in storage.py, next to the other tables
    config = DeliveryConfig.from_env()                      # None when RR_DELIVERY_CONFIG_FILE is unset
    if config is not None:
        handler = make_on_summary_ready(config, tables, fetch_summary)
        consumers.append(delivery_consumer_spec(handler, config, settings))

The handler runs inside the consumer's transaction (inbox + delivery record
commit together). A transient SMTP failure after the configured attempts
raises RetryableEventError: JetStream redelivers with the consumer's backoff
and dead-letters after the last delivery. A permanent failure (credentials or
recipients refused, no STARTTLS) is recorded as `failed` and not retried.
At least once: if the commit fails after the mail went out, the redelivery
sends it again with the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from rapidreview.kernel.db import Transaction

from rapidreview.delivery.config import DeliveryConfig
from rapidreview.delivery.mailer import DeliveryFailed, Summary, SummaryMailer
from rapidreview.delivery.storage import DeliveryTables
from rapidreview.kernel.config import Settings
from rapidreview.kernel.consumer import ConsumerSpec, RetryableEventError, Route
from rapidreview.kernel.events import EventRef
from rapidreview.kernel.logging import get_logger
from rapidreview.v1 import criteria_pb2

log = get_logger(__name__)

FetchSummary = Callable[[str, str], Awaitable[bytes]]
Handler = Callable[[Transaction, EventRef, criteria_pb2.SummaryReady], Awaitable[None]]
DURABLE = "criteria-summary-delivery"


def make_on_summary_ready(config: DeliveryConfig, tables: DeliveryTables, fetch_summary: FetchSummary, *,
                          mailer: SummaryMailer | None = None) -> Handler:
    """The summary.ready handler. `fetch_summary(case_id, evaluation_id)` returns
    the rendered document (called only for partnerships that get it attached)."""
    mailer = mailer or SummaryMailer(config)
    deliveries = tables.deliveries

    async def record(session: Transaction, ref: EventRef, payload: criteria_pb2.SummaryReady, *, mode: str, status: str,
                     reason: str = "", recipients: tuple[str, ...] = (), refused: list[str] | None = None, attempts: int = 0,
                     message_id: str = "", document_sha256: str = "") -> None:
        await session.execute(deliveries.insert().values(
            delivery_id=str(uuid.uuid4()), event_id=ref.event_id, case_id=payload.case_id, evaluation_id=payload.evaluation_id,
            partnership=ref.partnership, format=payload.format, mode=mode, status=status, reason=reason[:200],
            recipients=json.dumps(list(recipients)), refused=json.dumps(refused or []), attempts=attempts, message_id=message_id,
            document_sha256=document_sha256, event_sha256=payload.sha256,
            sent_at=dt.datetime.now(dt.UTC) if status == "sent" else None,
        ))

    async def on_summary_ready(session: Transaction, ref: EventRef, payload: criteria_pb2.SummaryReady) -> None:
        if payload.format not in config.formats:
            return
        target = config.partnerships.get(ref.partnership)
        if target is None:
            log.warning("no summary recipients configured for the partnership", partnership=ref.partnership)
            await record(session, ref, payload, mode="-", status="skipped", reason="no recipients configured for the partnership")
            return
        already = (await session.execute(
            select(deliveries.c.delivery_id).where(
                deliveries.c.case_id == payload.case_id, deliveries.c.evaluation_id == payload.evaluation_id,
                deliveries.c.format == payload.format, deliveries.c.partnership == ref.partnership, deliveries.c.status == "sent")
            .limit(1)
        )).first()
        if already is not None:
            await record(session, ref, payload, mode=target.mode, status="skipped", reason="already delivered for this evaluation")
            return
        document = None
        if target.mode == "attach":
            try:
                document = await fetch_summary(payload.case_id, payload.evaluation_id)
            except Exception as exc:  # noqa: BLE001 - retried with the consumer's backoff
                raise RetryableEventError(f"summary document not available: {type(exc).__name__}") from None
        summary = Summary(ref.partnership, payload.case_id, payload.evaluation_id, payload.format, document)
        message = mailer.compose(summary, target)
        try:
            result = await mailer.send(message)
        except DeliveryFailed as failure:
            if not failure.permanent:
                raise RetryableEventError(f"summary e-mail failed after {failure.attempts} attempts: {failure.reason}") from None
            log.error("summary e-mail refused; fix the delivery configuration", cause=failure.reason, attempts=failure.attempts)
            await record(session, ref, payload, mode=target.mode, status="failed", reason=failure.reason, recipients=target.recipients,
                         attempts=failure.attempts, message_id=str(message["Message-ID"]))
            return
        await record(session, ref, payload, mode=target.mode, status="sent", recipients=target.recipients, refused=result.refused,
                     attempts=result.attempts, message_id=result.message_id,
                     document_sha256=hashlib.sha256(document).hexdigest() if document is not None else "")
        log.info("summary e-mailed", recipients=len(target.recipients), refused=len(result.refused), attempts=result.attempts)

    return on_summary_ready


def delivery_consumer_spec(handler: Handler, config: DeliveryConfig, settings: Settings | None = None) -> ConsumerSpec:
    """A durable consumer of summary.ready for `handler`, whose ack wait outlasts
    the slowest possible delivery (every SMTP attempt timing out)."""
    ack_wait = max(settings.consumer_ack_wait if settings else 30.0, config.worst_case_seconds() + 10.0)
    return ConsumerSpec(
        durable=DURABLE,
        routes={"summary.ready": Route(criteria_pb2.SummaryReady, handler)},
        ack_wait=ack_wait,
        max_deliver=settings.consumer_max_deliver if settings else 5,
        backoff=settings.consumer_backoff if settings else (1.0, 5.0, 15.0, 30.0),
    )
