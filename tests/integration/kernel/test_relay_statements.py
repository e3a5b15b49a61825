"""What a relay round costs in SQL: the batch is claimed and marked published in one statement;
only rows that were not acknowledged, or must be parked, take a second. Counted on the relay
itself (in this process, against a real PostgreSQL and nats-server), with what it stored and
what reached the stream read back."""

from __future__ import annotations

import asyncio
import uuid

import nats
import nats.errors
import pytest
from sqlalchemy import MetaData, event, select, text

from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import new_event
from rapidreview.kernel.outbox import Outbox, OutboxRelay, outbox_table
from rapidreview.v1 import decisions_pb2, events_pb2
from tests.support.harness import streamed_event_ids

pytestmark = pytest.mark.integration


class StatementCounter:
    """The statements a piece of work executed, and the transactions it began and committed."""

    def __init__(self, db: Database) -> None:
        self.statements: list[str] = []
        self.begun = self.committed = 0
        self.engine = db.engine.sync_engine

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "commit", self._commit)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._commit)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.statements.append(statement)

    def _begin(self, conn) -> None:  # noqa: ANN001
        self.begun += 1

    def _commit(self, conn) -> None:  # noqa: ANN001
        self.committed += 1


@pytest.fixture
async def relay(fresh_database, own_nats):  # type: ignore[no-untyped-def]
    server = own_nats
    md = MetaData(schema=f"k_relay_{uuid.uuid4().hex[:6]}")
    table = outbox_table(md)
    db = Database(fresh_database)
    async with db.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{md.schema}"'))
        await conn.run_sync(md.create_all)
    bus = EventBus(BusOptions(servers=server.url, name="test-relay-statements"))
    await bus.start()
    await bus.wait_connected(10)
    alerts: list = []
    relay = OutboxRelay(db, bus, Outbox(table, "decisions"), poll_interval=0.1, on_park=alerts.append)
    relay.alerts = alerts  # type: ignore[attr-defined]
    relay.nats_url = server.url  # type: ignore[attr-defined]
    try:
        yield relay
    finally:
        await bus.close()
        await db.dispose()


def envelope(case_id: str) -> events_pb2.EventEnvelope:
    return new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-20"),
                     producer="decisions", case_id=case_id)


async def add(relay: OutboxRelay, envelopes: list[events_pb2.EventEnvelope]) -> None:
    async with relay.db.transaction() as session:
        await relay.outbox.add_many(session, envelopes)


async def rows(relay: OutboxRelay) -> list:
    table = relay.outbox.table
    async with relay.db.transaction() as session:
        return (await session.execute(select(table.c.event_id, table.c.published_at, table.c.parked_at, table.c.park_reason)
                                      .order_by(table.c.id))).all()


async def streamed(relay: OutboxRelay) -> list[str]:
    """The event ids in the events stream, in stream order."""
    return await streamed_event_ids(relay.nats_url)  # type: ignore[attr-defined]


async def publish(relay: OutboxRelay) -> tuple[int | Exception, StatementCounter]:
    """One relay round: what it returned (or raised) and what it ran."""
    with StatementCounter(relay.db) as counter:
        try:
            result: int | Exception = await relay.publish_pending()
        except Exception as exc:  # noqa: BLE001 - the caller looks at it
            result = exc
    return result, counter


async def test_an_idle_poll_is_one_statement(relay):
    result, counter = await publish(relay)
    assert result == 0
    assert len(counter.statements) == 1, counter.statements
    assert (counter.begun, counter.committed) == (1, 1)


async def test_a_batch_is_claimed_and_marked_published_in_one_statement_and_published_in_order(relay):
    """Was: the SELECT … FOR UPDATE SKIP LOCKED, then the UPDATE of the acknowledged rows."""
    events = [envelope(f"c{i}") for i in range(12)]
    await add(relay, events)
    result, counter = await publish(relay)
    assert result == len(events)
    assert len(counter.statements) == 1, counter.statements
    assert (counter.begun, counter.committed) == (1, 1)
    held = await rows(relay)
    assert all(r.published_at is not None and r.parked_at is None for r in held)
    assert await streamed(relay) == [e.event_id for e in events]
    assert relay.published == len(events)
    result, counter = await publish(relay)  # nothing left
    assert result == 0 and len(counter.statements) == 1


async def test_a_batch_takes_at_most_batch_rows_and_the_next_round_the_rest(relay):
    relay.batch = 5
    events = [envelope(f"c{i}") for i in range(8)]
    await add(relay, events)
    assert (await publish(relay))[0] == 5
    assert (await publish(relay))[0] == 3
    assert await streamed(relay) == [e.event_id for e in events]


async def test_rows_another_relay_holds_are_skipped_and_published_once_it_lets_go(relay):
    """Claimed rows stay locked until the claim commits: another replica's relay skips them
    instead of publishing them too."""
    events = [envelope(f"c{i}") for i in range(4)]
    await add(relay, events)
    table = relay.outbox.table
    async with relay.db.engine.connect() as other:
        transaction = await other.begin()
        await other.execute(select(table.c.id).where(table.c.event_id.in_([events[0].event_id, events[2].event_id]))
                            .with_for_update())
        assert (await publish(relay))[0] == 2
        assert {r.event_id for r in await rows(relay) if r.published_at is None} == {events[0].event_id, events[2].event_id}
        await transaction.rollback()
    assert (await publish(relay))[0] == 2
    assert sorted(await streamed(relay)) == sorted(e.event_id for e in events)


async def test_rows_not_acknowledged_are_unmarked_in_one_more_statement_and_published_in_a_later_round(relay):
    """NATS slow or away in the middle of a batch: the rows without an acknowledgement are put
    back (published_at NULL) in one statement; the round raises so the relay backs off; the next
    round publishes them (a republish of one that did reach the stream is de-duplicated)."""
    events = [envelope(f"c{i}") for i in range(5)]
    await add(relay, events)
    js = relay.bus.js
    original = js.publish_async
    failing = {events[1].event_id, events[3].event_id}

    async def flaky(subject, payload, *, headers, **kwargs):  # type: ignore[no-untyped-def]
        future = await original(subject, payload, headers=headers, **kwargs)
        if headers["Nats-Msg-Id"] not in failing:
            return future
        await future  # it did reach the stream: the republish below must be de-duplicated
        lost = asyncio.get_running_loop().create_future()
        lost.set_exception(nats.errors.TimeoutError())
        return lost

    js.publish_async = flaky
    try:
        result, counter = await publish(relay)
    finally:
        js.publish_async = original
    assert isinstance(result, nats.errors.TimeoutError)
    assert len(counter.statements) == 2, counter.statements
    assert (counter.begun, counter.committed) == (1, 1)
    held = await rows(relay)
    assert [r.event_id for r in held if r.published_at is None] == [events[1].event_id, events[3].event_id]
    assert all(r.parked_at is None and r.park_reason is None for r in held)
    assert relay.published == 3
    result, counter = await publish(relay)
    assert result == 2 and len(counter.statements) == 1
    assert all(r.published_at is not None for r in await rows(relay))
    assert await streamed(relay) == [e.event_id for e in events]  # each once, in order


async def test_rows_that_can_never_be_published_are_parked_in_one_more_statement_and_alerted(relay):
    events = [envelope(f"c{i}") for i in range(3)]
    too_large, bad_subject = str(uuid.uuid4()), str(uuid.uuid4())
    table = relay.outbox.table
    async with relay.db.transaction() as session:
        await relay.outbox.add(session, events[0])
        await session.execute(table.insert().values(event_id=too_large, event_type="decision.recorded",
                                                    subject="rr.v1.decision.recorded", data=b"\x0a" * 1_800_000))
        await relay.outbox.add(session, events[1])
        await session.execute(table.insert().values(event_id=bad_subject, event_type="decision.recorded",
                                                    subject="rr.v1.decision recorded", data=b"\x0a"))
        await relay.outbox.add(session, events[2])
    result, counter = await publish(relay)
    assert result == 5
    assert len(counter.statements) == 2, counter.statements
    held = {r.event_id: r for r in await rows(relay)}
    for parked in (too_large, bad_subject):
        assert held[parked].published_at is None and held[parked].parked_at is not None
    assert "over the" in held[too_large].park_reason and "subject" in held[bad_subject].park_reason
    assert all(held[e.event_id].published_at is not None and held[e.event_id].parked_at is None for e in events)
    assert [(a.event_id, a.kind) for a in relay.alerts] == [(too_large, "too_large"), (bad_subject, "bad_subject")]
    assert relay.parked == 2 and relay.published == 3
    assert await streamed(relay) == [e.event_id for e in events]
    result, counter = await publish(relay)  # parked rows are never tried again
    assert result == 0 and len(counter.statements) == 1


async def test_a_nats_connection_that_is_down_costs_no_statement(relay):
    await add(relay, [envelope("c0")])
    await relay.bus.close()
    result, counter = await publish(relay)
    assert isinstance(result, ConnectionError) and counter.statements == [] and counter.begun == 0
    assert [r.published_at for r in await rows(relay)] == [None]
