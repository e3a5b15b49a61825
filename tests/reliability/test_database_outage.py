"""A database outage longer than a consumer's whole redelivery budget loses nothing.

The bug this guards against: a consumer treated "the database does not answer" like a
handler failing on the event itself, so every event in flight during the outage was
redelivered with the backoff and, after the last delivery, dead-lettered: lost to the
service (an operator had to replay it). With the production settings (5 deliveries, backoff
1, 5, 15, 30 s) a PostgreSQL restart or failover of more than about 50 seconds did that.
Now the consumer holds the event (telling NATS it is in progress) until the database
answers, and spends no delivery on the outage.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import nats
import nats.errors
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text

from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.consumer import ConsumerSpec, EventConsumer, Route, inbox_table
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import DLQ_STREAM, new_event
from rapidreview.stack import NatsServer, PostgresServer
from rapidreview.v1 import decisions_pb2

pytestmark = pytest.mark.integration


@pytest.fixture
def own_servers():
    folder = Path(tempfile.mkdtemp(prefix="rr-rel-outage-"))
    pg, ns = PostgresServer(folder / "pg"), NatsServer(folder / "nats")
    pg.start()
    pg.create_database("outage")
    ns.start()
    yield pg, ns
    ns.stop()
    pg.stop()
    shutil.rmtree(folder, ignore_errors=True)


async def _until(check, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)  # polling interval of a bounded wait


@pytest.mark.timeout(300)
async def test_events_in_flight_during_a_long_database_outage_are_processed_once_it_returns(own_servers):
    pg, ns = own_servers
    md = MetaData(schema="outage")
    inbox = inbox_table(md)
    effects = Table("effects", md, Column("id", Integer, primary_key=True, autoincrement=True), Column("case_id", String(36)))
    db = Database(pg.url("outage"))
    async with db.engine.begin() as conn:
        await conn.execute(text('CREATE SCHEMA IF NOT EXISTS "outage"'))
        await conn.run_sync(md.create_all)
    bus = EventBus(BusOptions(servers=ns.url, name="rel-outage"))
    await bus.start()
    await bus.wait_connected(10)

    async def handler(session, ref, payload):
        await session.execute(effects.insert().values(case_id=payload.case_id))

    # A redelivery budget of well under a second, so a 4-second outage outlasts it.
    spec = ConsumerSpec(durable="rel-outage", routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)},
                        ack_wait=3, max_deliver=3, backoff=(0.2, 0.4))
    consumer = EventConsumer(spec, bus=bus, db=db, inbox=inbox, service="testsvc")
    task = asyncio.create_task(consumer.run())

    async def publish(count: int) -> None:
        for _ in range(count):
            case_id = str(uuid.uuid4())
            envelope = new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=case_id, decided_on="2024-06-26"),
                                 producer="decisions", case_id=case_id)
            await bus.js.publish("rr.v1.decision.recorded", envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.event_id})

    async def effect_count() -> int:
        async with db.transaction() as s:
            return (await s.execute(select(func.count()).select_from(effects))).scalar_one()

    try:
        await publish(5)
        await _until(lambda: _at_least(effect_count(), 5), 30, "the first events")
        pg.kill()
        await publish(10)  # in flight while the database is away
        await asyncio.sleep(4)  # the outage itself: longer than the whole redelivery budget
        pg.start()
        await publish(5)
        await _until(lambda: _at_least(effect_count(), 20), 60, "every event's effect after the outage")
        assert await effect_count() == 20
        assert consumer.dead_lettered == 0
        nc = await nats.connect(ns.url)
        try:
            assert (await nc.jetstream().stream_info(DLQ_STREAM)).state.messages == 0
        finally:
            await nc.close()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await bus.close()
        await db.dispose()


async def _at_least(value, bound: int) -> bool:  # type: ignore[no-untyped-def]
    try:
        return (await value) >= bound
    except Exception:  # noqa: BLE001 - the database may still be coming back
        return False
