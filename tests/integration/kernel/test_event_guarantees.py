"""Outbox, inbox and dead-letter guarantees of the kernel on a real nats-server
and PostgreSQL, with a minimal consumer whose effect is a counted row."""

from __future__ import annotations

import asyncio
import uuid

import nats
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text

from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.consumer import ConsumerSpec, EventConsumer, Route, inbox_table
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import DLQ_STREAM, EVENTS_STREAM, new_event, subject_for
from rapidreview.kernel.outbox import Outbox, OutboxRelay, outbox_table
from rapidreview.v1 import decisions_pb2, events_pb2
from tests.support.harness import eventually


def _counter(name: str, consumer: str) -> float:
    """The value of a consumer's Prometheus counter in this process (0 before its first increment)."""
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(name, {"service": "testsvc", "consumer": consumer}) or 0.0

pytestmark = pytest.mark.integration


def _tables(schema: str):
    md = MetaData(schema=schema)
    effects = Table("effects", md, Column("id", Integer, primary_key=True, autoincrement=True), Column("case_id", String(36)))
    return md, outbox_table(md), inbox_table(md), effects


async def _create(db: Database, md: MetaData) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{md.schema}"'))
        await conn.run_sync(md.create_all)


async def _stream_subjects(url: str, stream: str, subject: str) -> list[bytes]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(subject, durable=None, stream=stream)
        out: list[bytes] = []
        while True:
            try:
                msgs = await sub.fetch(100, timeout=0.5)
            except (nats.errors.TimeoutError, TimeoutError):
                break
            for m in msgs:
                out.append(m.data)
                await m.ack()
        return out
    finally:
        await nc.close()


async def test_outbox_rows_written_while_nats_is_down_are_published_exactly_once_when_it_returns(fresh_database, own_nats):
    md, ob, _, _ = _tables("k_outbox")
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-relay"))
    await bus.start()
    await bus.wait_connected(10)
    outbox = Outbox(ob, "intake")
    relay = OutboxRelay(db, bus, outbox, poll_interval=0.1)
    own_nats.stop()
    envelope = new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id="c1", decided_on="2024-06-20"), producer="decisions", case_id="c1")
    async with db.transaction() as s:
        await outbox.add(s, envelope)
    task = asyncio.create_task(relay.run())
    try:
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(ob).where(ob.c.published_at.is_(None)))).scalar_one() == 1
        own_nats.start()

        async def published() -> bool:
            async with db.transaction() as s:
                return (await s.execute(select(func.count()).select_from(ob).where(ob.c.published_at.is_(None)))).scalar_one() == 0

        await eventually(published, timeout=30, what="outbox drained")
        # Publishing the same row again (a relay crash before marking it) is de-duplicated by JetStream.
        await bus.js.publish(subject_for("decision.recorded", "decisions"), envelope.SerializeToString(),
                             headers={"Nats-Msg-Id": envelope.event_id})
        datas = await _stream_subjects(own_nats.url, EVENTS_STREAM, "rr.v1.decision.recorded")
        ids = [events_pb2.EventEnvelope.FromString(d).event_id for d in datas]
        assert ids == [envelope.event_id]
    finally:
        await _stop(task, bus, db)


async def test_outbox_add_many_writes_one_row_per_envelope_and_the_relay_publishes_them_in_the_order_given(fresh_database, own_nats):
    md, ob, _, _ = _tables("k_outbox_many")
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-relay-many"))
    await bus.start()
    await bus.wait_connected(10)
    outbox = Outbox(ob, "decisions")
    relay = OutboxRelay(db, bus, outbox, poll_interval=0.1)

    def event(case_id: str) -> events_pb2.EventEnvelope:
        return new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-20"),
                         producer="decisions", case_id=case_id)

    first, batch, single, last = event("c0"), [event(f"c{i}") for i in range(1, 8)], event("c8"), event("c9")
    try:
        async with db.transaction() as s:
            await outbox.add(s, first)
            await outbox.add_many(s, batch)
            await outbox.add_many(s, [])
            await outbox.add_many(s, iter([single]))
            await outbox.add(s, last)
        expected = [e.event_id for e in (first, *batch, single, last)]
        async with db.transaction() as s:
            rows = (await s.execute(select(ob.c.event_id, ob.c.event_type, ob.c.subject, ob.c.data).order_by(ob.c.id))).all()
        assert [r.event_id for r in rows] == expected
        assert {(r.event_type, r.subject) for r in rows} == {("decision.recorded", subject_for("decision.recorded", "decisions"))}
        assert [events_pb2.EventEnvelope.FromString(r.data).event_id for r in rows] == expected

        assert await relay.publish_pending() == len(expected)
        datas = await _stream_subjects(own_nats.url, EVENTS_STREAM, "rr.v1.decision.recorded")
        assert [events_pb2.EventEnvelope.FromString(d).event_id for d in datas] == expected
    finally:
        await bus.close()
        await db.dispose()


async def _stop(task, bus, db) -> None:
    """Stops a consumer started by `_run_consumer`, then its bus and database."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await bus.close()
    await db.dispose()


async def _run_consumer(db, bus, inbox, spec):
    consumer = EventConsumer(spec, bus=bus, db=db, inbox=inbox, service="testsvc")
    task = asyncio.create_task(consumer.run())
    return consumer, task


async def test_redelivered_event_has_its_effect_once(fresh_database, own_nats):
    nats_server = own_nats  # its own server: no other test's decision.recorded events in the stream
    schema = f"k_inbox_{uuid.uuid4().hex[:6]}"
    md, _, inbox, effects = _tables(schema)
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=nats_server.url, name="test-inbox"))
    await bus.start()
    await bus.wait_connected(10)

    async def handler(session, ref, payload):
        await session.execute(effects.insert().values(case_id=payload.case_id))

    case_id = str(uuid.uuid4())
    spec = ConsumerSpec(durable=f"test-inbox-{uuid.uuid4().hex[:6]}", routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        filter_subjects=["rr.v1.decision.recorded"], ack_wait=2, max_deliver=3, backoff=(0.2, 0.2))
    consumer, task = await _run_consumer(db, bus, inbox, spec)
    try:
        envelope = new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-20"), producer="decisions")
        # Two copies with different message ids: JetStream delivers both, the inbox lets one through.
        for copy in ("a", "b"):
            await bus.js.publish("rr.v1.decision.recorded", envelope.SerializeToString(), headers={"Nats-Msg-Id": f"{envelope.event_id}-{copy}"})

        async def both_seen() -> bool:
            return consumer.processed >= 2

        await eventually(both_seen, what="both copies acknowledged")
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(effects).where(effects.c.case_id == case_id))).scalar_one() == 1
        # The metrics tell the copy apart: two acknowledged, one of them skipped as already handled.
        assert _counter("rapidreview_events_consumed_total", spec.durable) == 2
        assert _counter("rapidreview_events_already_handled_total", spec.durable) == 1
    finally:
        await _stop(task, bus, db)


async def test_poison_garbage_and_unknown_version_events_go_to_the_dead_letter_stream_and_others_still_flow(fresh_database, own_nats):
    schema = "k_dlq"
    md, _, inbox, effects = _tables(schema)
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-dlq"))
    await bus.start()
    await bus.wait_connected(10)
    attempts: dict[str, int] = {}

    async def handler(session, ref, payload):
        attempts[payload.case_id] = attempts.get(payload.case_id, 0) + 1
        if payload.case_id == "poison":
            raise RuntimeError("cannot process")
        await session.execute(effects.insert().values(case_id=payload.case_id))

    spec = ConsumerSpec(durable="test-dlq", routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        filter_subjects=["rr.v1.decision.recorded"], ack_wait=2, max_deliver=3, backoff=(0.1, 0.1))
    consumer, task = await _run_consumer(db, bus, inbox, spec)
    try:
        poison = new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id="poison"), producer="decisions")
        future = new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id="v9"), producer="decisions", schema_version=9)
        good = new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id="good"), producer="decisions")
        for env in (poison, future):
            await bus.js.publish("rr.v1.decision.recorded", env.SerializeToString(), headers={"Nats-Msg-Id": env.event_id})
        await bus.js.publish("rr.v1.decision.recorded", b"\x00\xffnot protobuf at all", headers={"Nats-Msg-Id": "garbage-1"})
        await bus.js.publish("rr.v1.decision.recorded", good.SerializeToString(), headers={"Nats-Msg-Id": good.event_id})

        async def three_dead() -> bool:
            return consumer.dead_lettered >= 3

        await eventually(three_dead, timeout=30, what="three dead letters")
        letters = [events_pb2.DeadLetter.FromString(d) for d in await _stream_subjects(own_nats.url, DLQ_STREAM, "rr.dlq.>")]
        by_reason = {letter.reason: letter for letter in letters}
        assert attempts["poison"] == 3
        assert any(l.event_id == poison.event_id and l.deliveries == 3 and "RuntimeError" in l.reason for l in letters)
        assert "unknown schema version 9" in by_reason
        assert any(l.reason.startswith("undecodable") or "without event id" in l.reason for l in letters)
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(effects).where(effects.c.case_id == "good"))).scalar_one() == 1
    finally:
        await _stop(task, bus, db)


async def _publish(bus, envelope, msg_id: str | None = None) -> None:
    await bus.js.publish("rr.v1.decision.recorded", envelope.SerializeToString(), headers={"Nats-Msg-Id": msg_id or envelope.event_id})


async def _effects_by_case(db, effects) -> dict[str, int]:
    async with db.transaction() as s:
        rows = (await s.execute(select(effects.c.case_id, func.count()).group_by(effects.c.case_id))).all()
    return {case_id: count for case_id, count in rows}


async def test_events_fetched_together_are_handled_in_one_transaction_and_each_has_its_effect_once(fresh_database, own_nats):
    md, _, inbox, effects = _tables("k_group")
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-group"))
    await bus.start()
    await bus.wait_connected(10)
    transactions: list[int] = []

    async def handler(session, ref, payload):
        transactions.append((await session.execute(text("SELECT txid_current()"))).scalar_one())
        await session.execute(effects.insert().values(case_id=payload.case_id))

    envelopes = [new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=f"case-{i}"), producer="decisions") for i in range(10)]
    for envelope in envelopes:
        await _publish(bus, envelope)
    await _publish(bus, envelopes[3], msg_id=f"{envelopes[3].event_id}-again")  # a second copy in the same fetch
    spec = ConsumerSpec(durable="test-group", routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        filter_subjects=["rr.v1.decision.recorded"], ack_wait=5, max_deliver=3, backoff=(5.0, 0.5),
                        transaction_batch=16)
    consumer, task = await _run_consumer(db, bus, inbox, spec)
    try:
        async def all_acked() -> bool:
            return consumer.processed >= 11

        await eventually(all_acked, what="every message acknowledged")
        assert await _effects_by_case(db, effects) == {f"case-{i}": 1 for i in range(10)}
        assert len(transactions) == 10 and len(set(transactions)) == 1  # the copy's handler never ran
        assert _counter("rapidreview_events_already_handled_total", "test-group") == consumer.processed - 10  # the copy (and any redelivery)
        assert _counter("rapidreview_events_already_handled_total", "test-group") >= 1
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(inbox))).scalar_one() == 10
        assert consumer.dead_lettered == 0
    finally:
        await _stop(task, bus, db)


@pytest.mark.parametrize("transaction_batch", [1, 16])
async def test_events_a_route_does_not_want_are_acknowledged_without_a_transaction_and_the_others_have_their_effect_once(
        fresh_database, own_nats, transaction_batch):
    md, _, inbox, effects = _tables(f"k_unwanted_{transaction_batch}")
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-unwanted"))
    await bus.start()
    await bus.wait_connected(10)
    durable = f"test-unwanted-{transaction_batch}"
    handled: list[str] = []

    async def handler(session, ref, payload):
        handled.append(payload.case_id)
        await session.execute(effects.insert().values(case_id=payload.case_id))

    cases = [f"skip-{i}" if i % 3 else f"case-{i}" for i in range(12)]  # 4 wanted, 8 not, interleaved
    envelopes = [new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=c), producer="decisions") for c in cases]
    for envelope in envelopes:
        await _publish(bus, envelope)
    before = _counter("rapidreview_events_not_needed_total", durable)
    spec = ConsumerSpec(durable=durable, routes={"decision.recorded": Route(
        decisions_pb2.DecisionRecorded, handler, wanted=lambda payload: not payload.case_id.startswith("skip-"))},
        filter_subjects=["rr.v1.decision.recorded"], ack_wait=5, max_deliver=3, backoff=(5.0, 0.5),
        transaction_batch=transaction_batch)
    consumer, task = await _run_consumer(db, bus, inbox, spec)
    try:
        async def all_acked() -> bool:
            if consumer.processed < 12:
                return False
            info = await bus.js.consumer_info(EVENTS_STREAM, durable)
            return info.num_pending == 0 and info.num_ack_pending == 0

        await eventually(all_acked, what="every message acknowledged")
        wanted = [c for c in cases if c.startswith("case-")]
        assert await _effects_by_case(db, effects) == {c: 1 for c in wanted}
        assert sorted(handled) == sorted(wanted)  # the handler never saw an unwanted event
        async with db.transaction() as s:  # nor did the inbox: no transaction was opened for them
            recorded = set((await s.execute(select(inbox.c.event_id))).scalars())
        assert recorded == {e.event_id for e, c in zip(envelopes, cases) if c.startswith("case-")}
        assert _counter("rapidreview_events_not_needed_total", durable) - before == 8
        assert consumer.dead_lettered == 0
    finally:
        await _stop(task, bus, db)


async def test_a_failing_event_in_a_group_sends_the_group_one_by_one_and_only_it_is_retried_and_dead_lettered(fresh_database, own_nats):
    md, _, inbox, effects = _tables("k_group_poison")
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-group-poison"))
    await bus.start()
    await bus.wait_connected(10)

    async def handler(session, ref, payload):
        await session.execute(effects.insert().values(case_id=payload.case_id))  # rolled back with its group
        if payload.case_id == "poison":
            raise RuntimeError("cannot process")

    def event(case_id: str, **kwargs) -> events_pb2.EventEnvelope:
        return new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=case_id), producer="decisions", **kwargs)

    poison = event("poison")
    for envelope in (event("good-1"), poison, event("good-2"), event("v9", schema_version=9), event("good-3")):
        await _publish(bus, envelope)
    await bus.js.publish("rr.v1.decision.recorded", b"\x00\xffnot protobuf at all", headers={"Nats-Msg-Id": "garbage-1"})
    await _publish(bus, event("good-4"))
    spec = ConsumerSpec(durable="test-group-poison", routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        filter_subjects=["rr.v1.decision.recorded"], ack_wait=5, max_deliver=3, backoff=(5.0, 0.5),
                        transaction_batch=16)
    consumer, task = await _run_consumer(db, bus, inbox, spec)
    try:
        async def three_dead() -> bool:
            return consumer.dead_lettered >= 3

        await eventually(three_dead, timeout=30, what="three dead letters")
        assert await _effects_by_case(db, effects) == {"good-1": 1, "good-2": 1, "good-3": 1, "good-4": 1}
        letters = [events_pb2.DeadLetter.FromString(d) for d in await _stream_subjects(own_nats.url, DLQ_STREAM, "rr.dlq.>")]
        assert any(l.event_id == poison.event_id and l.deliveries == 3 and "RuntimeError" in l.reason for l in letters)
        assert any(l.reason == "unknown schema version 9" for l in letters)
        assert any(l.reason.startswith("undecodable") or "without event id" in l.reason for l in letters)
        assert consumer.processed >= 4  # (a redelivery of one held too long under load is acked again)
        # The poison event was handed back for redelivery (twice; once if one delivery, held too long
        # under load, expired instead) before its last delivery went to the dead letters.
        assert 1 <= _counter("rapidreview_events_retried_total", "test-group-poison") <= 2
    finally:
        await _stop(task, bus, db)


async def test_an_outbox_row_that_can_never_be_published_is_parked_and_later_events_still_flow(fresh_database, own_nats):
    """Issue 14 §1: an incident.notified row of ~1.8 MB (over NATS's 1 MB max_payload) was
    retried every 5 s forever and every later event of every partnership stayed unpublished."""
    md, ob, _, _ = _tables("k_outbox_parking")
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-relay-parking"))
    await bus.start()
    await bus.wait_connected(10)
    outbox = Outbox(ob, "intake")
    alerts = []
    relay = OutboxRelay(db, bus, outbox, poll_interval=0.1, batch=3, on_park=alerts.append)

    def event(case_id: str) -> events_pb2.EventEnvelope:
        return new_event("incident.withdrawn", decisions_pb2.DecisionRecorded(case_id=case_id), producer="intake", case_id=case_id)

    before, after = event("before"), [event(f"after-{i}") for i in range(5)]
    oversized = event("oversized")
    async with db.transaction() as s:
        await outbox.add(s, before)
        # Written as a row straight into the table: Outbox.add refuses such an event (next test).
        await s.execute(ob.insert().values(event_id=oversized.event_id, event_type="incident.notified",
                                           subject="rr.v1.incident.notified", data=b"\x0a" * (1_800_000)))
        await s.execute(ob.insert().values(event_id=str(uuid.uuid4()), event_type="incident.notified",
                                           subject="rr.v1.incident notified", data=before.SerializeToString()))
        await outbox.add_many(s, after)
    task = asyncio.create_task(relay.run())
    try:
        async def settled() -> bool:
            async with db.transaction() as s:
                return (await s.execute(select(func.count()).select_from(ob).where(
                    ob.c.published_at.is_(None), ob.c.parked_at.is_(None)))).scalar_one() == 0

        await eventually(settled, timeout=30, what="every row published or parked")
        datas = await _stream_subjects(own_nats.url, EVENTS_STREAM, "rr.v1.>")
        ids = [events_pb2.EventEnvelope.FromString(d).event_id for d in datas]
        assert ids == [before.event_id, *(e.event_id for e in after)]  # in order, the parked ones left out
        async with db.transaction() as s:
            parked = (await s.execute(select(ob.c.event_id, ob.c.park_reason, ob.c.data).where(ob.c.parked_at.is_not(None))
                                      .order_by(ob.c.id))).all()
        assert [p.event_id for p in parked][0] == oversized.event_id
        assert "over the" in parked[0].park_reason and len(parked[0].data) == 1_800_000  # kept for an operator
        assert "subject" in parked[1].park_reason
        assert [(a.kind, a.event_type) for a in alerts] == [("too_large", "incident.notified"), ("bad_subject", "incident.notified")]
        assert relay.parked == 2 and relay.published == 6
        # Parked rows are never tried again.
        assert await relay.publish_pending() == 0
    finally:
        await _stop(task, bus, db)


async def test_outbox_add_refuses_an_event_over_the_size_limit_so_nothing_commits(fresh_database):
    from rapidreview.kernel.outbox import EventTooLarge

    md, ob, _, _ = _tables("k_outbox_too_large")
    db = Database(fresh_database)
    await _create(db, md)
    outbox = Outbox(ob, "intake")
    huge = new_event("incident.withdrawn", decisions_pb2.DecisionRecorded(case_id="c", decided_on="x" * 1_100_000), producer="intake")
    try:
        with pytest.raises(EventTooLarge):
            async with db.transaction() as s:
                await outbox.add(s, new_event("incident.withdrawn", decisions_pb2.DecisionRecorded(case_id="ok"), producer="intake"))
                await outbox.add(s, huge)
        async with db.transaction() as s:
            assert (await s.execute(select(func.count()).select_from(ob))).scalar_one() == 0
    finally:
        await db.dispose()


@pytest.mark.parametrize("transaction_batch", [1, 4])
async def test_events_waiting_behind_their_fetch_are_kept_in_progress_and_not_redelivered(fresh_database, own_nats, transaction_batch):
    """A fetch of 12 events whose handling takes about 2.4 s in all, past the 1 s ack wait (the
    backoff's first delay): the ones waiting their turn are told "in progress", so JetStream
    redelivers none of them and no copy reaches the inbox, one by one or in groups."""
    schema = f"k_hold_{transaction_batch}_{uuid.uuid4().hex[:6]}"
    md, _, inbox, effects = _tables(schema)
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-hold"))
    await bus.start()
    await bus.wait_connected(10)
    per_event = 0.2

    async def handler(session, ref, payload):
        await asyncio.sleep(per_event)  # slow work, in the handler's transaction
        await session.execute(effects.insert().values(case_id=payload.case_id))

    subject = "rr.v1.decision.recorded"
    durable = f"test-hold-{transaction_batch}-{uuid.uuid4().hex[:6]}"
    before = [new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=f"case-{i}"), producer="decisions")
              for i in range(12)]
    # Published before the consumer runs (its own server: no other events): the first fetch takes all twelve.
    spec = ConsumerSpec(durable=durable, routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        filter_subjects=[subject], ack_wait=30, max_deliver=4, backoff=(1.0, 1.0, 1.0),
                        batch=32, transaction_batch=transaction_batch)
    consumer = EventConsumer(spec, bus=bus, db=db, inbox=inbox, service="testsvc")
    await consumer.provision()
    for envelope in before:
        await _publish(bus, envelope)
    task = asyncio.create_task(consumer.run())
    try:
        async def all_settled() -> bool:
            info = await bus.js.consumer_info(EVENTS_STREAM, durable)
            return info.num_ack_pending == 0 and info.num_pending == 0 and consumer.processed >= 12

        await eventually(all_settled, what="every event acknowledged", timeout=30)
        info = await bus.js.consumer_info(EVENTS_STREAM, durable)
        assert info.num_redelivered == 0
        assert consumer.processed == 12
        assert _counter("rapidreview_events_already_handled_total", durable) == 0
        assert _counter("rapidreview_events_held_total", durable) > 0
        assert await _effects_by_case(db, effects) == {f"case-{i}": 1 for i in range(12)}
    finally:
        await _stop(task, bus, db)


@pytest.mark.parametrize("transaction_batch", [1, 4])
async def test_a_handler_slower_than_the_ack_wait_is_kept_in_progress_and_its_event_not_redelivered(fresh_database, own_nats,
                                                                                                    transaction_batch):
    """Three events whose handlers take 1.5 s each, past the 1 s ack wait (the backoff's first
    delay), one by one or in one transaction, with two replicas of the consumer: while a handler
    runs, its event and those waiting behind it are told "in progress", so JetStream redelivers
    none of them to the other replica, and each has its effect once."""
    schema = f"k_slow_{transaction_batch}_{uuid.uuid4().hex[:6]}"
    md, _, inbox, effects = _tables(schema)
    db = Database(fresh_database)
    await _create(db, md)
    bus = EventBus(BusOptions(servers=own_nats.url, name="test-slow"))
    await bus.start()
    await bus.wait_connected(10)

    async def handler(session, ref, payload):
        await asyncio.sleep(1.5)  # slow work in the handler's transaction (an e-mail, a large collation)
        await session.execute(effects.insert().values(case_id=payload.case_id))

    subject = "rr.v1.decision.recorded"
    durable = f"test-slow-{transaction_batch}-{uuid.uuid4().hex[:6]}"
    events = [new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=f"case-{i}"), producer="decisions")
              for i in range(3)]
    spec = ConsumerSpec(durable=durable, routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        filter_subjects=[subject], ack_wait=30, max_deliver=4, backoff=(1.0, 1.0, 1.0),
                        batch=32, transaction_batch=transaction_batch)
    replicas = [EventConsumer(spec, bus=bus, db=db, inbox=inbox, service="testsvc") for _ in range(2)]
    await replicas[0].provision()
    for envelope in events:
        await _publish(bus, envelope)
    tasks = [asyncio.create_task(replica.run()) for replica in replicas]
    try:
        async def all_settled() -> bool:
            info = await bus.js.consumer_info(EVENTS_STREAM, durable)
            return info.num_ack_pending == 0 and info.num_pending == 0 and sum(r.processed for r in replicas) >= 3

        await eventually(all_settled, what="every event acknowledged", timeout=30)
        info = await bus.js.consumer_info(EVENTS_STREAM, durable)
        assert info.num_redelivered == 0
        assert sum(r.processed for r in replicas) == 3
        assert _counter("rapidreview_events_already_handled_total", durable) == 0
        assert await _effects_by_case(db, effects) == {f"case-{i}": 1 for i in range(3)}
    finally:
        for task in tasks[1:]:
            task.cancel()
        await asyncio.gather(*tasks[1:], return_exceptions=True)
        await _stop(tasks[0], bus, db)
