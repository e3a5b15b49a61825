"""Prototypes of the changes docs/performance.md recommends, measured against what
the services do today, on the same machine in the same run.

    .venv/bin/python bench/prototypes.py

1. Statements per event: gathering opens a case's requests with one INSERT per
   request and one outbox INSERT per event (7 + 7 round trips through SQLAlchemy
   for the Child K case). Prototype: the same rows as two multi-row INSERTs.
2. Statement construction: every repository call builds its SQLAlchemy statement
   anew (select(...).where(...)), and SQLAlchemy then derives its cache key.
   Prototype: the statement built once with bind parameters, executed many times.
3. Working days: WorkingDayCalendar.working_days_between walks day by day, so a
   clock rendered for an old case costs one set lookup per day since it started.
   Prototype: a count from a per-year prefix of working days (constant time).

4. Consumer fetch (a suspicion checked): EventConsumer pulls with
   `fetch(32, timeout=1.0)`; does an event wait for the batch to fill at light
   load? Measured publish -> handled at one event every 100 ms, against a
   take-what-is-there-then-wait-for-one pattern. (It does not: the hop is a
   millisecond or two either way, so the pipeline's latency is queueing for CPU.)

Each prints today's cost, the prototype's and the gain. Results go to
bench/results/latest.json (section "prototypes").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from harness import cores, print_header, process_cpu, save_results


async def statements(url: str, seconds: float = 3.0, concurrency: int = 8) -> dict[str, Any]:
    from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, String, Table, bindparam, select
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    metadata = MetaData()
    name = f"proto_{uuid.uuid4().hex[:8]}"
    rows_table = Table(f"{name}_requests", metadata, Column("case_id", String(36), primary_key=True),
                       Column("agency_id", String(64), primary_key=True), Column("position", Integer), Column("body", LargeBinary))
    outbox = Table(f"{name}_outbox", metadata, Column("id", BigInteger, primary_key=True, autoincrement=True),
                   Column("event_id", String(36)), Column("data", LargeBinary))
    engine = create_async_engine(url, pool_size=concurrency, max_overflow=0)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    body = b"x" * 300

    async def loop(work) -> dict[str, float]:  # type: ignore[no-untyped-def]
        """Transactions per second, and this process's CPU per transaction: what a
        service process pays, whatever the disk and the other processes are doing."""
        done = 0
        stop_at = time.perf_counter() + seconds
        cpu_before = process_cpu(os.getpid())

        async def worker() -> None:
            nonlocal done
            while time.perf_counter() < stop_at:
                await work()
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        return {"tx_per_second": done / elapsed, "cpu_ms_per_tx": (process_cpu(os.getpid()) - cpu_before) / done * 1e3}

    async def one_by_one() -> None:
        case_id = str(uuid.uuid4())
        async with sessions() as s, s.begin():
            for i in range(7):
                await s.execute(rows_table.insert().values(case_id=case_id, agency_id=f"a{i}", position=i, body=body))
                await s.execute(outbox.insert().values(event_id=str(uuid.uuid4()), data=body))

    async def batched() -> None:
        case_id = str(uuid.uuid4())
        async with sessions() as s, s.begin():
            await s.execute(rows_table.insert().values([dict(case_id=case_id, agency_id=f"a{i}", position=i, body=body) for i in range(7)]))
            await s.execute(outbox.insert().values([dict(event_id=str(uuid.uuid4()), data=body) for _ in range(7)]))

    async def built_each_time() -> None:
        async with sessions() as s, s.begin():
            for i in range(10):
                await s.execute(select(rows_table.c.position, rows_table.c.body)
                                .where(rows_table.c.case_id == "none", rows_table.c.agency_id == f"a{i}"))

    prebuilt = select(rows_table.c.position, rows_table.c.body).where(
        rows_table.c.case_id == bindparam("case_id"), rows_table.c.agency_id == bindparam("agency_id"))

    async def built_once() -> None:
        async with sessions() as s, s.begin():
            for i in range(10):
                await s.execute(prebuilt, {"case_id": "none", "agency_id": f"a{i}"})

    try:
        result = {
            "open_7_requests_one_by_one": await loop(one_by_one),
            "open_7_requests_batched": await loop(batched),
            "ten_selects_built_each_time": await loop(built_each_time),
            "ten_selects_built_once": await loop(built_once),
        }
    finally:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
        await engine.dispose()
    return result


def working_days(n: int = 2_000) -> dict[str, Any]:
    from rapidreview.kernel.calendar import WorkingDayCalendar, _bank_holidays

    calendar = WorkingDayCalendar(lambda: dt.date(2024, 6, 26))
    origin = dt.date(2000, 1, 1)
    days = [origin + dt.timedelta(days=i) for i in range((dt.date(2040, 1, 1) - origin).days)]
    prefix, count = [], 0
    for day in days:  # working days in (origin, day]
        if day != origin and day.weekday() < 5 and day not in _bank_holidays(day.year):
            count += 1
        prefix.append(count)

    def prefix_between(start: dt.date, end: dt.date) -> int:
        return prefix[(end - origin).days] - prefix[(start - origin).days]

    out: dict[str, Any] = {}
    end = dt.date(2024, 6, 26)
    for label, span in (("15 days", 15), ("2 years", 730), ("6 years", 2190)):
        start = end - dt.timedelta(days=span)
        assert calendar.working_days_between(start, end) == prefix_between(start, end)
        t = time.process_time()  # CPU time: the machine may be shared
        for _ in range(n):
            calendar.working_days_between(start, end)
        walk = (time.process_time() - t) / n
        t = time.process_time()
        for _ in range(n * 50):
            prefix_between(start, end)
        indexed = (time.process_time() - t) / (n * 50)
        out[label] = {"walk_us": walk * 1e6, "prefix_us": indexed * 1e6, "speedup": walk / indexed}
    return out


async def consumer_hop(url: str, events: int = 40, interval: float = 0.1) -> dict[str, Any]:
    """Publish -> handled latency of one event at a time (light load), for the kernel's
    fetch pattern and the prototype's."""
    import nats
    from nats.errors import TimeoutError as NatsTimeout
    from nats.js.api import AckPolicy, ConsumerConfig

    from harness import latency_summary

    nc = await nats.connect(url)
    js = nc.jetstream()
    stream = f"PROTO_{uuid.uuid4().hex[:6].upper()}"
    await js.add_stream(name=stream, subjects=[f"{stream.lower()}.>"])
    out: dict[str, Any] = {}

    async def kernel_fetch(sub):  # type: ignore[no-untyped-def]
        return await sub.fetch(32, timeout=1.0)

    async def prototype_fetch(sub):  # type: ignore[no-untyped-def]
        try:
            return await sub.fetch(32, timeout=0.05)  # what is waiting now (a no-wait pull first)
        except (NatsTimeout, TimeoutError):
            return await sub.fetch(1, timeout=1.0)  # idle: wake for the next event alone

    try:
        for name, fetch in (("kernel_fetch_32_timeout_1s", kernel_fetch), ("prototype", prototype_fetch)):
            subject = f"{stream.lower()}.{name}"
            await js.add_consumer(stream, ConsumerConfig(durable_name=name, filter_subject=subject, ack_policy=AckPolicy.EXPLICIT))
            sub = await js.pull_subscribe_bind(durable=name, stream=stream)
            sent: dict[bytes, float] = {}
            latencies: list[float] = []

            async def consume() -> None:
                while len(latencies) < events:
                    try:
                        msgs = await fetch(sub)
                    except (NatsTimeout, TimeoutError):
                        continue
                    for msg in msgs:
                        latencies.append(time.perf_counter() - sent[msg.data])
                        await msg.ack()

            task = asyncio.create_task(consume())
            for i in range(events):
                payload = f"{name}-{i}".encode()
                sent[payload] = time.perf_counter()
                await js.publish(subject, payload)
                await asyncio.sleep(interval)
            await asyncio.wait_for(task, 30)
            out[name] = latency_summary(latencies)
    finally:
        await js.delete_stream(stream)
        await nc.close()
    return out


def main() -> None:
    from rapidreview.stack import NatsServer, PostgresServer

    print_header("prototypes of the recommended changes")
    folder = Path(tempfile.mkdtemp(prefix="rr-bench-proto-"))
    postgres = PostgresServer(folder / "postgres")
    try:
        postgres.start()
        postgres.create_database("bench")
        sql = asyncio.run(statements(postgres.url("bench")))
    finally:
        postgres.stop()
    for label, before, after in (
        ("open 7 requests + 7 outbox rows: one INSERT each -> two multi-row INSERTs", "open_7_requests_one_by_one", "open_7_requests_batched"),
        ("10 SELECTs per transaction: statement built each time -> built once with bind parameters", "ten_selects_built_each_time",
         "ten_selects_built_once"),
    ):
        b, a = sql[before], sql[after]
        print(f"{label}: {b['cpu_ms_per_tx']:.2f} -> {a['cpu_ms_per_tx']:.2f} ms of CPU per transaction "
              f"({b['cpu_ms_per_tx'] / a['cpu_ms_per_tx']:.1f}x less); {b['tx_per_second']:,.0f} -> {a['tx_per_second']:,.0f} tx/s")
    nats_server = NatsServer(folder / "nats")
    try:
        nats_server.start()
        hop = asyncio.run(consumer_hop(nats_server.url))
    finally:
        nats_server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    for name, r in hop.items():
        print(f"one event every 100 ms through a pull consumer, {name}: publish -> handled p50 {r['p50_ms']:.0f} ms, "
              f"p99 {r['p99_ms']:.0f} ms")
    cal = working_days()
    for label, r in cal.items():
        print(f"working days over {label} (CPU per call): day-by-day walk {r['walk_us']:.1f} us; prefix count {r['prefix_us']:.2f} us "
              f"({r['speedup']:.0f}x)")
    save_results("prototypes", {"sql": sql, "working_days": cal, "consumer_hop": hop})
    print(f"cpu cores: {cores()}")


if __name__ == "__main__":
    main()
