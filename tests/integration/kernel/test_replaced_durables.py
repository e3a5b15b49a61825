"""A durable that takes the place of others (`ConsumerSpec.replaces`), on a real nats-server and
PostgreSQL: what the replaced durables handled is not handled again, and provisioning starts the
new durable where the least advanced of them stopped, then deletes them."""

from __future__ import annotations

import asyncio

import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text

from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.consumer import ConsumerSpec, EventConsumer, Route, inbox_table, provision_durable
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import EVENTS_STREAM, new_event
from rapidreview.v1 import decisions_pb2
from tests.support.harness import eventually

pytestmark = pytest.mark.integration

RECORDED = "rr.v1.decision.recorded"
SUBMITTED = "rr.v1.decision.panel_submitted"


async def _bus(url: str) -> EventBus:
    bus = EventBus(BusOptions(servers=url, name="test-replaced"))
    await bus.start()
    await bus.wait_connected(10)
    return bus


def test_a_durable_name_that_could_not_be_quoted_safely_is_refused():
    with pytest.raises(ValueError, match="durable name"):
        ConsumerSpec(durable="new", routes={}, replaces=("old', 'x",))


@pytest.mark.parametrize("transaction_batch", [1, 16])
async def test_events_a_replaced_durable_recorded_in_the_inbox_are_not_handled_again(fresh_database, own_nats, transaction_batch):
    md = MetaData(schema=f"k_replaced_{transaction_batch}")
    inbox = inbox_table(md)
    effects = Table("effects", md, Column("id", Integer, primary_key=True, autoincrement=True), Column("case_id", String(36)))
    db = Database(fresh_database)
    async with db.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{md.schema}"'))
        await conn.run_sync(md.create_all)
    bus = await _bus(own_nats.url)
    envelopes = [new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=f"case-{i}"), producer="decisions")
                 for i in range(10)]
    for envelope in envelopes:
        await bus.js.publish(RECORDED, envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.event_id})
    # Events 0-3 were handled by one replaced durable, 4-5 by the other, 6 by an unrelated one.
    async with db.transaction() as s:
        await s.execute(inbox.insert(), [{"consumer": "old-a", "event_id": e.event_id} for e in envelopes[:4]]
                        + [{"consumer": "old-b", "event_id": e.event_id} for e in envelopes[4:6]]
                        + [{"consumer": "someone-else", "event_id": envelopes[6].event_id}])

    async def handler(session, ref, payload):
        await session.execute(effects.insert().values(case_id=payload.case_id))

    durable = f"new-{transaction_batch}"
    spec = ConsumerSpec(durable=durable, routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        filter_subjects=[RECORDED], ack_wait=5, max_deliver=3, backoff=(5.0, 0.5),
                        transaction_batch=transaction_batch, replaces=("old-a", "old-b"))
    consumer = EventConsumer(spec, bus=bus, db=db, inbox=inbox, service="testsvc")
    task = asyncio.create_task(consumer.run())
    try:
        async def all_acked() -> bool:
            if consumer.processed < 10:
                return False
            info = await bus.js.consumer_info(EVENTS_STREAM, durable)
            return info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(all_acked, what="every event acknowledged")
        async with db.transaction() as s:
            counts = dict((await s.execute(select(effects.c.case_id, func.count()).group_by(effects.c.case_id))).all())
            mine = set((await s.execute(select(inbox.c.event_id).where(inbox.c.consumer == durable))).scalars())
        assert counts == {f"case-{i}": 1 for i in range(6, 10)}  # 0-5 not again; another durable's 6 is no reason to skip
        assert mine == {e.event_id for e in envelopes[6:]}
        assert consumer.dead_lettered == 0
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bus.close()
        await db.dispose()


def _old(name: str, subject: str) -> ConsumerConfig:
    return ConsumerConfig(durable_name=name, filter_subjects=[subject], ack_policy=AckPolicy.EXPLICIT,
                          deliver_policy=DeliverPolicy.ALL, ack_wait=30)


def _new_spec(replaces: tuple[str, ...] = ("old-recorded", "old-submitted")) -> ConsumerSpec:
    async def never(*args):  # pragma: no cover - only provisioned here
        raise AssertionError

    return ConsumerSpec(durable="all-in-one", routes={
        "decision.recorded": Route(decisions_pb2.DecisionRecorded, never),
        "decision.panel_submitted": Route(decisions_pb2.PanelSubmissionRecorded, never)}, replaces=replaces)


async def test_provisioning_starts_the_new_durable_after_what_every_replaced_one_finished_and_deletes_them(own_nats):
    bus = await _bus(own_nats.url)
    js = bus.js
    try:
        for i in range(6):  # stream sequences 1..6: recorded, submitted, recorded, ...
            await js.publish(RECORDED if i % 2 == 0 else SUBMITTED, b"x")
        await js.add_consumer(EVENTS_STREAM, _old("old-recorded", RECORDED))
        await js.add_consumer(EVENTS_STREAM, _old("old-submitted", SUBMITTED))
        recorded = await js.pull_subscribe_bind(durable="old-recorded", stream=EVENTS_STREAM)
        msgs = await recorded.fetch(3, timeout=5)
        assert [m.metadata.sequence.stream for m in msgs] == [1, 3, 5]
        await msgs[0].ack_sync()
        await msgs[1].ack_sync()  # 5 still being handled: finished with its subject's events up to 4
        submitted = await js.pull_subscribe_bind(durable="old-submitted", stream=EVENTS_STREAM)
        for m in await submitted.fetch(3, timeout=5):
            await m.ack_sync()  # nothing left: finished up to the stream's end

        result = await provision_durable(js, _new_spec())

        assert result == "created, took over from old-recorded, old-submitted"
        info = await js.consumer_info(EVENTS_STREAM, "all-in-one")
        assert info.config.deliver_policy == DeliverPolicy.BY_START_SEQUENCE and info.config.opt_start_seq == 5
        for name in ("old-recorded", "old-submitted"):
            with pytest.raises(NotFoundError):
                await js.consumer_info(EVENTS_STREAM, name)
        new = await js.pull_subscribe_bind(durable="all-in-one", stream=EVENTS_STREAM)
        delivered = await new.fetch(10, timeout=2)
        # 5 was not finished: nothing is lost. 6 was (by old-submitted): the inbox skips it.
        assert [m.metadata.sequence.stream for m in delivered] == [5, 6]
        assert await provision_durable(js, _new_spec()) == "ok"  # again: nothing to take over
    finally:
        await bus.close()


async def test_provisioning_with_nothing_to_take_over_creates_the_durable_from_the_start_of_the_stream(own_nats):
    bus = await _bus(own_nats.url)
    try:
        assert await provision_durable(bus.js, _new_spec()) == "created"
        info = await bus.js.consumer_info(EVENTS_STREAM, "all-in-one")
        assert info.config.deliver_policy == DeliverPolicy.ALL
    finally:
        await bus.close()


async def test_a_replaced_durable_that_had_handled_nothing_makes_the_new_one_start_at_the_beginning(own_nats):
    bus = await _bus(own_nats.url)
    js = bus.js
    try:
        for _ in range(3):
            await js.publish(RECORDED, b"x")
        await js.add_consumer(EVENTS_STREAM, _old("old-recorded", RECORDED))
        assert await provision_durable(js, _new_spec(("old-recorded",))) == "created, took over from old-recorded"
        info = await js.consumer_info(EVENTS_STREAM, "all-in-one")
        assert info.config.opt_start_seq == 1 and info.num_pending == 3
    finally:
        await bus.close()
