"""Transactional outbox and its relay.

A state change and the events it causes are written in one transaction
(`Outbox.add`). The relay publishes unpublished rows in order with
`Nats-Msg-Id` = event id (JetStream de-duplicates a republish) and marks them
published. If NATS is down the rows wait; nothing is lost, nothing doubled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import BigInteger, Column, DateTime, LargeBinary, MetaData, String, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapidreview.kernel import metrics
from rapidreview.kernel.bus import EventBus
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import subject_for
from rapidreview.kernel.logging import get_logger
from rapidreview.v1 import events_pb2

log = get_logger(__name__)


def outbox_table(metadata: MetaData) -> Table:
    """The outbox table in the service's schema."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("data", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
    )


class Outbox:
    """Writes events into the outbox within the caller's transaction."""

    def __init__(self, table: Table, producer: str) -> None:
        self.table = table
        self.producer = producer
        self._wake = asyncio.Event()
        # Built once (every command and consumed event adds rows), executed with `_row`'s parameters.
        self._insert = table.insert().values(
            event_id=bindparam("ob_event_id"), event_type=bindparam("ob_event_type"),
            subject=bindparam("ob_subject"), data=bindparam("ob_data"),
        )
        # Several rows: one multi-row INSERT whose ids follow the order of the parameters,
        # which is the order the relay publishes them in.
        self._insert_many = self._insert.returning(table.c.id, sort_by_parameter_order=True)

    def _row(self, envelope: events_pb2.EventEnvelope) -> dict[str, object]:
        return {
            "ob_event_id": envelope.event_id,
            "ob_event_type": envelope.event_type,
            "ob_subject": subject_for(envelope.event_type, self.producer),
            "ob_data": envelope.SerializeToString(),
        }

    async def add(self, session: AsyncSession, envelope: events_pb2.EventEnvelope) -> None:
        """Adds `envelope` to the outbox in `session`'s transaction."""
        await session.execute(self._insert, self._row(envelope))

    async def add_many(self, session: AsyncSession, envelopes: Iterable[events_pb2.EventEnvelope]) -> None:
        """Adds `envelopes` to the outbox in `session`'s transaction with one INSERT; the
        relay publishes them in the order given (as after one `add` each, in that order)."""
        rows = [self._row(envelope) for envelope in envelopes]
        if len(rows) > 1:
            await session.execute(self._insert_many, rows)
        elif rows:
            await session.execute(self._insert, rows[0])

    def wake(self) -> None:
        """Tells the relay there is something new (call after commit)."""
        self._wake.set()

    async def wait_for_work(self, timeout: float) -> None:
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
        # cancellation that coincides with the timeout, and the relay never stops.
        try:
            async with asyncio.timeout(timeout):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()


class OutboxRelay:
    """Publishes outbox rows to JetStream; safe to run in several replicas
    (rows are claimed with FOR UPDATE SKIP LOCKED)."""

    def __init__(self, db: Database, bus: EventBus, outbox: Outbox, *, batch: int = 200, poll_interval: float = 0.5) -> None:
        self.db = db
        self.bus = bus
        self.outbox = outbox
        self.batch = batch
        self.poll_interval = poll_interval
        self.published = 0

    async def run(self) -> None:
        """Runs until cancelled."""
        backoff = 0.2
        while True:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise asyncio.CancelledError  # a library call swallowed our cancellation: stop anyway
            try:
                count = await self.publish_pending()
                backoff = 0.2
                if count < self.batch:
                    await self.outbox.wait_for_work(self.poll_interval)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - NATS or DB away: wait and retry
                log.warning("outbox relay paused", exc_type=type(exc).__name__, retry_in=backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def publish_pending(self) -> int:
        """Publishes one batch of unpublished rows; returns how many."""
        if not self.bus.is_connected or self.bus.js is None:
            raise ConnectionError("nats not connected")
        table = self.outbox.table
        async with self.db.transaction() as session:
            rows = (
                await session.execute(
                    select(table.c.id, table.c.event_id, table.c.subject, table.c.data)
                    .where(table.c.published_at.is_(None))
                    .order_by(table.c.id)
                    .limit(self.batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            futures = [
                await self.bus.js.publish_async(row.subject, row.data, headers={"Nats-Msg-Id": row.event_id}, wait_stall=5)
                for row in rows
            ]
            async with asyncio.timeout(10):
                acks = await asyncio.gather(*futures)
            for ack in acks:
                if ack is None:
                    raise ConnectionError("publish not acknowledged")
            await session.execute(
                update(table).where(table.c.id.in_([row.id for row in rows])).values(published_at=dt.datetime.now(dt.UTC))
            )
        self.published += len(rows)
        metrics.EVENTS_PUBLISHED.labels(self.outbox.producer).inc(len(rows))
        return len(rows)
