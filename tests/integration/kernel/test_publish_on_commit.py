"""Outbox rows published on commit (`Outbox(publish_on_commit=True)`, as the services run it),
on a real nats-server and PostgreSQL: handed to the relay in memory once their transaction has
committed, published without a claiming transaction, marked by the next sweep; what a stopped
process never published or never marked is swept after `sweep_after`, and JetStream keeps one copy."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import MetaData, func, literal, select, text

from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.db import Database, on_commit
from rapidreview.kernel.events import new_event
from rapidreview.kernel.outbox import Deferred, Outbox, OutboxRelay, first_row_as_cte, outbox_table
from rapidreview.v1 import decisions_pb2, events_pb2
from tests.support.harness import eventually, streamed_event_ids

pytestmark = pytest.mark.integration


@pytest.fixture
async def parts(fresh_database, own_nats, request):
    schema = "k_poc_" + request.node.name[5:30].lower()
    md = MetaData(schema=schema)
    table = outbox_table(md)
    db = Database(fresh_database)
    async with db.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await conn.run_sync(md.create_all)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-publish-on-commit"))
    await bus.start()
    await bus.wait_connected(10)
    yield db, bus, table, own_nats
    await bus.close()
    await db.dispose()


def _event(case_id: str) -> events_pb2.EventEnvelope:
    return new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-20"),
                     producer="decisions", case_id=case_id)


async def _commit(db: Database, outbox: Outbox, *events: events_pb2.EventEnvelope) -> None:
    """Each event added to the outbox in a transaction of its own, committed."""
    for event in events:
        async with db.transaction() as s:
            await outbox.add(s, event)


async def _unpublished(db: Database, table) -> int:  # type: ignore[no-untyped-def]
    async with db.transaction() as s:
        return (await s.execute(select(func.count()).select_from(table).where(table.c.published_at.is_(None)))).scalar_one()


async def _all_marked(db: Database, table, what: str, timeout: float = 10) -> None:  # type: ignore[no-untyped-def]
    """Waits until every row of the outbox is marked published."""
    async def marked() -> bool:
        return await _unpublished(db, table) == 0

    await eventually(marked, timeout=timeout, what=what)


async def _stopped(task: asyncio.Task) -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


class _CountingDatabase:
    """The relay's database, counting the transactions it opens."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.transactions = 0

    def transaction(self):  # type: ignore[no-untyped-def]
        self.transactions += 1
        return self.db.transaction()


async def test_on_commit_runs_after_its_own_transaction_commits_and_never_after_a_rollback(parts):
    db, _, _, _ = parts
    ran: list[str] = []
    assert on_commit(lambda: ran.append("outside")) is False  # no transaction: nothing registered
    async with db.transaction() as s:
        on_commit(lambda: ran.append("outer"))
        async with db.transaction() as inner:
            on_commit(lambda: ran.append("inner"))
            await inner.execute(text("SELECT 1"))
        assert ran == ["inner"]  # the inner transaction committed on its own
        await s.execute(text("SELECT 1"))
        assert ran == ["inner"]  # not before the outer one commits
    assert ran == ["inner", "outer"]
    with pytest.raises(RuntimeError):
        async with db.transaction():
            on_commit(lambda: ran.append("rolled back"))
            raise RuntimeError("the block fails")
    assert ran == ["inner", "outer"]


async def test_committed_rows_are_published_in_their_order_without_a_claiming_transaction_and_marked_by_one_sweep(parts):
    db, bus, table, server = parts
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    counting = _CountingDatabase(db)
    # The sweep claims nothing younger than an hour and runs once at the start, then every 60 s.
    relay = OutboxRelay(counting, bus, outbox, poll_interval=60, sweep_after=3600)  # type: ignore[arg-type]
    events = [_event(f"c{i}") for i in range(12)]
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: asyncio.sleep(0, counting.transactions == 1), timeout=10, what="the first sweep")
        for i in range(0, 12, 3):
            async with db.transaction() as s:
                await outbox.add(s, events[i])
                await outbox.add_many(s, events[i + 1:i + 3])
        await eventually(lambda: asyncio.sleep(0, relay.published == 12), timeout=10, what="12 events published")
        assert await streamed_event_ids(server.url) == [e.event_id for e in events]
        assert counting.transactions == 1  # the first sweep's: none to claim or publish them
        assert await _unpublished(db, table) == 12  # acknowledged, marked with the next sweep
        assert await relay.publish_pending() == 0  # that sweep: one transaction marks all 12, claims nothing
        assert counting.transactions == 2
        assert await _unpublished(db, table) == 0
    finally:
        await _stopped(task)


async def test_rows_of_a_rolled_back_transaction_are_neither_stored_nor_published(parts):
    db, bus, table, server = parts
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    with pytest.raises(RuntimeError):
        async with db.transaction() as s:
            await outbox.add(s, _event("c1"))
            raise RuntimeError("the command fails after adding its event")
    assert not outbox.has_ready()
    relay = OutboxRelay(db, bus, outbox, sweep_after=0)
    assert await relay.publish_ready() == 0
    assert await relay.publish_pending() == 0
    async with db.transaction() as s:
        assert (await s.execute(select(func.count()).select_from(table))).scalar_one() == 0
    assert await streamed_event_ids(server.url) == []


async def test_rows_kept_by_a_deferred_are_handed_over_only_when_the_statement_that_runs_them_is_made(parts):
    db, _, table, _ = parts
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    never_run, run = _event("c1"), _event("c2")
    async with db.transaction():
        kept = Deferred()
        await outbox.add(kept, never_run)  # type: ignore[arg-type]
    assert not outbox.has_ready()  # its statement was never made: nothing was stored, nothing goes out
    async with db.transaction() as s:
        kept = Deferred()
        await outbox.add(kept, run)  # type: ignore[arg-type]
        cte, parameters, later = first_row_as_cte(kept)
        assert cte is not None and later == []
        await s.execute(select(literal(1)).add_cte(cte), parameters)  # the repository's statement, the row as its CTE
        assert not outbox.has_ready()  # not before the commit
    assert [r.event_id for r in outbox.take_ready(10)] == [run.event_id]
    async with db.transaction() as s:
        assert (await s.execute(select(table.c.event_id))).scalars().all() == [run.event_id]


async def test_a_row_committed_but_never_handed_to_a_relay_is_swept_once_it_is_old_enough(parts):
    db, bus, table, server = parts
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    event = _event("c1")
    await _commit(db, outbox, event)
    outbox.take_ready(10)  # the process stopped between the commit and the publish
    relay = OutboxRelay(db, bus, outbox, poll_interval=0.05, sweep_after=0.5)
    assert await relay.publish_pending() == 0  # younger than sweep_after: still its own process's
    task = asyncio.create_task(relay.run())
    try:
        await _all_marked(db, table, "the row swept")
        assert await streamed_event_ids(server.url) == [event.event_id]
    finally:
        await _stopped(task)


async def test_a_row_published_but_never_marked_is_published_again_by_the_sweep_and_the_stream_keeps_one_copy(parts):
    db, bus, table, server = parts
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    event = _event("c1")
    await _commit(db, outbox, event)
    stopped = OutboxRelay(db, bus, outbox, sweep_after=0.3)
    assert await stopped.publish_ready() == 1  # acknowledged; the process stops before its sweep marks it
    assert await _unpublished(db, table) == 1
    relay = OutboxRelay(db, bus, outbox, poll_interval=0.05, sweep_after=0.3)  # the next process's relay
    task = asyncio.create_task(relay.run())
    try:
        await _all_marked(db, table, "the row swept")
        assert relay.published == 1  # published again ...
        assert await streamed_event_ids(server.url) == [event.event_id]  # ... and JetStream kept one copy
    finally:
        await _stopped(task)


async def test_rows_committed_while_nats_is_down_are_published_by_the_sweep_when_it_returns(parts):
    db, bus, table, server = parts
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    relay = OutboxRelay(db, bus, outbox, poll_interval=0.05, sweep_after=0.2)
    server.stop()
    events = [_event(f"c{i}") for i in range(3)]
    task = asyncio.create_task(relay.run())
    try:
        await _commit(db, outbox, *events)
        await eventually(lambda: asyncio.sleep(0, not outbox.has_ready()), timeout=10, what="the relay took the rows")
        assert await _unpublished(db, table) == 3
        server.start()
        await _all_marked(db, table, "the outbox drained", timeout=30)
        assert sorted(await streamed_event_ids(server.url)) == sorted(e.event_id for e in events)
    finally:
        await _stopped(task)


async def test_a_relay_asked_to_stop_publishes_what_it_was_handed_and_marks_it_before_it_returns(parts):
    db, bus, table, server = parts
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    relay = OutboxRelay(db, bus, outbox, poll_interval=60, sweep_after=3600)  # no sweep but the first
    task = asyncio.create_task(relay.run())
    try:
        first, last = _event("c1"), _event("c2")
        await _commit(db, outbox, first)
        await eventually(lambda: asyncio.sleep(0, relay.published == 1), timeout=10, what="the first event published")
        assert await _unpublished(db, table) == 1  # its mark waits for the next sweep, a minute away
        await _commit(db, outbox, last)  # handed over just as the service stops
        relay.stop()
        async with asyncio.timeout(10):
            await task
        assert relay.published == 2
        assert await _unpublished(db, table) == 0
        assert await streamed_event_ids(server.url) == [first.event_id, last.event_id]
    finally:
        await _stopped(task)


async def test_rows_past_what_an_outbox_holds_in_memory_wait_for_the_sweep_and_are_published_once(parts, monkeypatch):
    db, bus, table, server = parts
    monkeypatch.setattr("rapidreview.kernel.outbox.MAX_READY", 2)
    outbox = Outbox(table, "decisions", publish_on_commit=True)
    events = [_event(f"c{i}") for i in range(4)]
    await _commit(db, outbox, *events)  # the relay is behind: nothing takes them yet
    assert [r.event_id for r in outbox.take_ready(10)] == [e.event_id for e in events[:2]]
    relay = OutboxRelay(db, bus, outbox, poll_interval=0.05, sweep_after=0.3)
    task = asyncio.create_task(relay.run())
    try:
        await _all_marked(db, table, "every row swept")
        assert await streamed_event_ids(server.url) == [e.event_id for e in events]
    finally:
        await _stopped(task)
