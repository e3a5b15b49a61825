"""Graceful shutdown is bounded: a service told to stop (SIGTERM, as Kubernetes does on
every rolling update) exits in a few seconds, well inside a 30-second grace period, instead
of hanging until it is killed.

The bug this guards against: the event bus closed its NATS connection with `drain()`, which
waits until every message a subscription queued has been marked done. An idle pull consumer
leaves such messages behind: a pull that expires just after the client stopped waiting for it
sends its expiry notice (a 408 status) into the subscription's queue, the next pull takes it
out without marking it done (nats-py), and `drain()` then waited for it, up to its 30-second
default. A consumer cancelled in the middle of a pull leaves one too.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
import uuid

import pytest
from sqlalchemy import MetaData, text

from rapidreview.kernel.bus import BusOptions, EventBus
from rapidreview.kernel.consumer import ConsumerSpec, EventConsumer, Route, inbox_table
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import new_event
from rapidreview.v1 import decisions_pb2
from tests.reliability.stack import embedded_stack

pytestmark = pytest.mark.integration


async def test_the_bus_closes_at_once_even_with_messages_queued_that_nobody_will_read(fresh_database, own_nats):
    md = MetaData(schema="rel_shutdown")
    inbox = inbox_table(md)
    db = Database(fresh_database)
    async with db.engine.begin() as conn:
        await conn.execute(text('CREATE SCHEMA IF NOT EXISTS "rel_shutdown"'))
        await conn.run_sync(md.create_all)
    bus = EventBus(BusOptions(servers=own_nats.url, name="rel-shutdown"))
    await bus.start()
    await bus.wait_connected(10)

    async def handler(session, ref, payload):
        pass

    spec = ConsumerSpec(durable="rel-shutdown", routes={"decision.recorded": Route(decisions_pb2.DecisionRecorded, handler)})
    consumer = EventConsumer(spec, bus=bus, db=db, inbox=inbox, service="testsvc")
    task = asyncio.create_task(consumer.run())
    try:
        for i in range(5):
            envelope = new_event("decision.recorded", decisions_pb2.DecisionRecorded(case_id=f"c{i}", decided_on="2024-06-26"),
                                 producer="decisions", case_id=f"c{i}")
            await bus.js.publish("rr.v1.decision.recorded", envelope.SerializeToString(), headers={"Nats-Msg-Id": envelope.event_id})
        deadline = time.monotonic() + 15
        while consumer.processed < 5:
            assert time.monotonic() < deadline, "the consumer did not handle the events"
            await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        # What a stopped pull consumer leaves behind: a message in its subscription's queue that
        # nobody will take out any more (nats-py also leaves a pull's late expiry notice queued
        # as "not done" when the next pull picks it up).
        leftover = await bus.nc.subscribe(f"_INBOX.rel-shutdown.{uuid.uuid4().hex}")
        await bus.nc.publish(leftover.subject, b"never read")
        await bus.nc.flush()
        started = time.monotonic()
        await asyncio.wait_for(bus.close(), 40)
        assert time.monotonic() - started < 1.0, "closing the bus waited for a subscription nobody reads"
    finally:
        task.cancel()
        await db.dispose()


@pytest.mark.timeout(300)
async def test_every_service_stops_gracefully_within_seconds_of_sigterm():
    async with embedded_stack() as stack:
        timings = {}
        for proc in list(stack.processes):
            await asyncio.to_thread(stack.wait_healthy, 60, [proc.name])
            started = time.monotonic()
            assert proc.process is not None
            proc.process.send_signal(signal.SIGTERM)
            try:
                code = await asyncio.to_thread(proc.process.wait, 15)
            except subprocess.TimeoutExpired:
                code = None
            timings[proc.name] = round(time.monotonic() - started, 2)
            assert code == 0, f"{proc.name} did not exit cleanly within 15 s of SIGTERM ({timings})"
        assert max(timings.values()) < 10, timings
