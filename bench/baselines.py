"""The raw building blocks, measured on the same machine in the same run as the
pipeline, so that every stage can be stated as a ratio of what its parts can do:

- gRPC aio unary echo (a generic handler returning the request bytes);
- JetStream publish (acknowledged, file storage) then pull + ack of the same messages;
- PostgreSQL single-row transactions (BEGIN; INSERT; COMMIT) with asyncpg and with
  SQLAlchemy async, on the stack's own server;
- durable-rules assert_fact + delete_state on the criteria rule set of the current
  edition (the same conditions the Rulebook registers), no recording.

    .venv/bin/python bench/baselines.py [--seconds 3] [--concurrency 32]

Run alone it starts its own NATS and PostgreSQL on loopback; e2e_bench.py calls
`measure_all` with the stack it is benchmarking.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import grpc

from harness import cores, print_header, save_results

ECHO_METHOD = "/bench.Echo/Unary"


async def _closed_loop(call, seconds: float, concurrency: int, max_ops: int = 2_000_000) -> tuple[int, float]:  # type: ignore[no-untyped-def]
    """Runs `call()` from `concurrency` workers for `seconds`; returns (ops, elapsed)."""
    done = 0
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < stop_at and done < max_ops:
            await call()
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.perf_counter() - start


# -- gRPC ----------------------------------------------------------------------------------------


async def grpc_echo(seconds: float, concurrency: int, payload_bytes: int = 1024) -> dict[str, Any]:
    """Unary calls per second against an aio server whose handler returns the request."""

    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return request

    handler = grpc.method_handlers_generic_handler("bench.Echo", {"Unary": grpc.unary_unary_rpc_method_handler(echo)})
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    payload = b"x" * payload_bytes
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(ECHO_METHOD)
            await call(payload)
            ops, elapsed = await _closed_loop(lambda: call(payload, timeout=10), seconds, concurrency)
    finally:
        await server.stop(None)
    return {"ops": ops, "seconds": elapsed, "per_second": ops / elapsed, "concurrency": concurrency, "payload_bytes": payload_bytes}


# -- JetStream -------------------------------------------------------------------------------------


async def jetstream_publish_pull_ack(url: str, auth: dict[str, str], count: int, payload_bytes: int = 1024,
                                     window: int = 256, batch: int = 32) -> dict[str, Any]:
    """Acknowledged publishes (file storage, Nats-Msg-Id set as the relay does) of `count`
    messages, then a durable pull consumer fetching `batch` at a time and acking each."""
    import nats
    from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig

    nc = await nats.connect(url, **auth)
    js = nc.jetstream(timeout=10)
    stream = f"BENCH_{uuid.uuid4().hex[:8].upper()}"
    subject = f"bench.{stream.lower()}"
    await js.add_stream(StreamConfig(name=stream, subjects=[f"{subject}.>"], storage=StorageType.FILE, duplicate_window=900))
    payload = b"x" * payload_bytes
    try:
        start = time.perf_counter()
        pending: list[asyncio.Future[Any]] = []
        for i in range(count):
            pending.append(await js.publish_async(f"{subject}.e", payload, headers={"Nats-Msg-Id": f"{stream}-{i}"}, wait_stall=10))
            if len(pending) >= window:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        publish_seconds = time.perf_counter() - start

        # One at a time, awaiting each ack: what a single request-reply publish costs.
        single = min(count, 2000)
        start = time.perf_counter()
        for i in range(single):
            await js.publish(f"{subject}.s", payload, headers={"Nats-Msg-Id": f"{stream}-s-{i}"})
        single_seconds = time.perf_counter() - start

        await js.add_consumer(stream, ConsumerConfig(durable_name="bench", ack_policy=AckPolicy.EXPLICIT,
                                                     filter_subject=f"{subject}.e", max_ack_pending=10_000))
        sub = await js.pull_subscribe_bind(durable="bench", stream=stream)
        received = 0
        start = time.perf_counter()
        while received < count:
            msgs = await sub.fetch(batch, timeout=5)
            for msg in msgs:
                await msg.ack()
            received += len(msgs)
        pull_seconds = time.perf_counter() - start
        await nc.flush()
    finally:
        try:
            await js.delete_stream(stream)
        finally:
            await nc.close()
    return {
        "count": count,
        "publish_per_second": count / publish_seconds,
        "publish_sync_per_second": single / single_seconds,
        "pull_ack_per_second": count / pull_seconds,
        "publish_then_pull_ack_per_second": count / (publish_seconds + pull_seconds),
        "payload_bytes": payload_bytes,
    }


# -- PostgreSQL --------------------------------------------------------------------------------------


async def postgres_transactions(url: str, seconds: float, concurrency: int) -> dict[str, Any]:
    """Single-row transactions (BEGIN; INSERT one row; COMMIT) per second, with asyncpg
    directly and through SQLAlchemy async (the services' stack), `concurrency` connections."""
    import asyncpg
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    table = f"bench_{uuid.uuid4().hex[:8]}"
    raw_url = url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(raw_url)
    await admin.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, body bytea NOT NULL, at timestamptz DEFAULT now())")
    settings = {name: await admin.fetchval(f"SHOW {name}") for name in ("synchronous_commit", "fsync", "shared_buffers")}
    body = b"x" * 512
    try:
        pool = await asyncpg.create_pool(raw_url, min_size=concurrency, max_size=concurrency)

        async def raw_tx() -> None:
            async with pool.acquire() as conn, conn.transaction():
                await conn.execute(f"INSERT INTO {table} (body) VALUES ($1)", body)

        raw_ops, raw_elapsed = await _closed_loop(raw_tx, seconds, concurrency)
        await pool.close()

        engine = create_async_engine(url, pool_size=concurrency, max_overflow=0)
        insert = text(f"INSERT INTO {table} (body) VALUES (:body)")

        async def sa_tx() -> None:
            async with engine.begin() as conn:
                await conn.execute(insert, {"body": body})

        sa_ops, sa_elapsed = await _closed_loop(sa_tx, seconds, concurrency)
        await engine.dispose()
    finally:
        await admin.execute(f"DROP TABLE {table}")
        await admin.close()
    return {
        "ops": raw_ops + sa_ops,
        "asyncpg_per_second": raw_ops / raw_elapsed,
        "sqlalchemy_per_second": sa_ops / sa_elapsed,
        "concurrency": concurrency,
        "server_settings": settings,
    }


# -- durable-rules -----------------------------------------------------------------------------------


def durable_rules_raw(count: int) -> dict[str, Any]:
    """assert_fact + delete_state per evaluation on the criteria rule set of the edition in
    force today, with the Child K facts exactly as the adapter asserts them; no recording."""
    import datetime as dt

    from durable import engine as durable_engine
    from google.protobuf import json_format

    from harness import EXAMPLES
    from rapidreview.kernel.calendar import WorkingDayCalendar
    from rapidreview.rules import Rulebook, RulesEngine
    from rapidreview.v1 import facts_pb2

    captured: dict[str, Any] = {}

    class Capture(RulesEngine):
        def register(self, ruleset, conditions):  # type: ignore[no-untyped-def]
            captured.setdefault("conditions", {})[ruleset] = dict(conditions)
            return super().register(ruleset, conditions)

        def evaluate(self, ruleset, fact, timeout=None):  # type: ignore[no-untyped-def]
            captured["last"] = (ruleset, dict(fact))
            return super().evaluate(ruleset, fact, timeout=timeout)

    book = Rulebook.load_default(engine=Capture())
    facts = json_format.Parse((EXAMPLES / "case-facts.json").read_text(), facts_pb2.CaseFacts())
    calendar = WorkingDayCalendar(lambda: dt.date(2024, 6, 20))
    book.evaluate(facts, calendar=calendar)
    ruleset, fact = captured["last"]
    conditions = captured["conditions"][ruleset]

    class QuietHost(durable_engine.Host):
        # The stock host's timer threads can pick up an action that assert_fact queued
        # and fail it ("error code: 307"); they serve timers, which these rules do not
        # use, so they stay off here as in the adapter.
        def _run(self) -> None:
            return None

    host = QuietHost()
    name = f"raw_{uuid.uuid4().hex[:8]}"
    definition = {key: {"all": [{"m": dict(cond)}], "run": lambda c: None} for key, cond in conditions.items()}
    definition["catch_all"] = {"all": [{"m": {"fact_type": "case"}}], "run": lambda c: None}
    host.register_rulesets({name: definition})
    start = time.perf_counter()
    for i in range(count):
        sid = str(i)
        try:
            host.assert_fact(name, {**fact, "sid": sid, "fact_type": "case"})
        finally:
            host.delete_state(name, sid)
    raw = count / (time.perf_counter() - start)

    full_n = max(1, count // 10)
    start = time.perf_counter()
    for _ in range(full_n):
        book.evaluate(facts, calendar=calendar)
    full = full_n / (time.perf_counter() - start)
    return {"rules": len(conditions), "raw_per_second": raw, "rulebook_evaluate_per_second": full, "count": count}


# -- all of them -------------------------------------------------------------------------------------


async def measure_all(nats_url: str, nats_auth: dict[str, str], database_url: str, *, seconds: float = 3.0,
                      concurrency: int = 32, messages: int = 20_000, evaluations: int = 20_000,
                      components: dict[str, list[int]] | None = None) -> dict[str, Any]:
    """Every baseline; with `components` (process ids by name) also the CPU milliseconds
    each operation cost across those processes and this one."""
    from harness import CpuMeter

    components = {**(components or {}), "driver": [os.getpid()]}
    out: dict[str, Any] = {}

    async def measured(key: str, coro, ops_of) -> None:  # type: ignore[no-untyped-def]
        meter = CpuMeter(components).start()
        out[key] = await coro
        cpu = meter.stop()
        ops = ops_of(out[key])
        out[key]["cpu_ms_per_op"] = sum(cpu["cpu_seconds"].values()) / ops * 1e3 if ops else None

    await measured("grpc_echo", grpc_echo(seconds, concurrency), lambda r: r["ops"])
    await measured("grpc_echo_c1", grpc_echo(seconds, 1), lambda r: r["ops"])
    await measured("jetstream", jetstream_publish_pull_ack(nats_url, nats_auth, messages), lambda r: r["count"] * 1.1)
    await measured("postgres", postgres_transactions(database_url, seconds, concurrency), lambda r: r["ops"])
    await measured("postgres_c1", postgres_transactions(database_url, seconds, 1), lambda r: r["ops"])
    await measured("durable_rules", asyncio.to_thread(durable_rules_raw, evaluations), lambda r: r["count"] * 1.1)
    return out


def print_baselines(b: dict[str, Any]) -> None:
    print(f"gRPC aio unary echo (1 KiB, {b['grpc_echo']['concurrency']} in flight): {b['grpc_echo']['per_second']:,.0f} calls/s; "
          f"one at a time: {b['grpc_echo_c1']['per_second']:,.0f} calls/s")
    js = b["jetstream"]
    print(f"JetStream (1 KiB, file storage): publish {js['publish_per_second']:,.0f} msg/s (async, acked), "
          f"{js['publish_sync_per_second']:,.0f} msg/s one at a time; pull+ack {js['pull_ack_per_second']:,.0f} msg/s; "
          f"publish then pull+ack {js['publish_then_pull_ack_per_second']:,.0f} msg/s")
    pg = b["postgres"]
    print(f"PostgreSQL single-row transactions ({pg['concurrency']} connections): asyncpg {pg['asyncpg_per_second']:,.0f} tx/s, "
          f"SQLAlchemy {pg['sqlalchemy_per_second']:,.0f} tx/s; one connection: asyncpg "
          f"{b['postgres_c1']['asyncpg_per_second']:,.0f} tx/s, SQLAlchemy {b['postgres_c1']['sqlalchemy_per_second']:,.0f} tx/s "
          f"(server: {pg['server_settings']})")
    dr = b["durable_rules"]
    print(f"durable-rules assert_fact + delete_state ({dr['rules']} criteria rules, Child K facts): {dr['raw_per_second']:,.0f} evaluations/s; "
          f"full Rulebook.evaluate: {dr['rulebook_evaluate_per_second']:,.0f}/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="duration of each closed-loop measurement")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--evaluations", type=int, default=20_000)
    args = parser.parse_args()

    from rapidreview.stack import NatsServer, PostgresServer

    folder = Path(tempfile.mkdtemp(prefix="rr-bench-base-"))
    nats_server, postgres = NatsServer(folder / "nats"), PostgresServer(folder / "postgres")
    try:
        nats_server.start()
        postgres.start()
        postgres.create_database("bench")
        print_header("baselines")
        result = asyncio.run(measure_all(nats_server.url, {}, postgres.url("bench"), seconds=args.seconds,
                                         concurrency=args.concurrency, messages=args.messages, evaluations=args.evaluations))
        print_baselines(result)
        save_results("baselines", result)
    finally:
        nats_server.stop()
        postgres.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"cpu cores: {cores()}")


if __name__ == "__main__":
    main()
