"""End to end: cases through the whole pipeline on the embedded stack (real
PostgreSQL and JetStream, each service its own process), against the raw
building blocks measured in the same run.

    .venv/bin/python bench/e2e_bench.py [--loads 1,2,5,10,25,50,100,200] [--duration 6] [--max-cases 300] [--stage-cases 200]

1. Baselines (bench/baselines.py) on the stack's own NATS and PostgreSQL.
2. Offered loads (open loop): a new case every 1/R s for `--duration` s (at most
   `--max-cases` cases), each
   case NotifyIncident + RecordPanelNotification -> 7 requests opened -> 7
   returns -> collated -> full checklist; latency percentiles notify -> full
   checklist, achieved throughput, and CPU seconds per case for each component.
3. Saturation (closed loop): `--concurrency` cases in flight for `--saturation` s.
4. Stages alone: the other services are paused (SIGSTOP) while one stage works
   through a backlog of `--stage-cases` cases, so that each stage's rate and CPU
   cost per operation can be set against its baseline.

Every loop is bounded (cases, seconds, per-case timeout); the stack is stopped at
the end. Results go to bench/results/latest.json (section "e2e").
"""

from __future__ import annotations

import argparse
import asyncio
import math
import re
import time
from typing import Any

import nats

from baselines import measure_all, print_baselines
from harness import BenchStack, CpuMeter, cores, latency_summary, print_header, save_results
from pipeline import CaseTimes, EventWatcher, Pipeline
from rapidreview.kernel.events import EVENTS_STREAM

SERVICES = ("intake", "gathering", "criteria", "decisions")


def per_case(cpu: dict[str, Any], cases: int) -> dict[str, float]:
    """CPU milliseconds per case for each component."""
    return {name: seconds / max(cases, 1) * 1e3 for name, seconds in cpu["cpu_seconds"].items()}


def capacity(cpu_ms: dict[str, float], available_cores: int) -> dict[str, Any]:
    """Cases/s the stack could sustain if it had the machine's cores to itself: the
    CPU cost of a case spread over the cores, and no single-threaded process past one core."""
    stack = {k: v for k, v in cpu_ms.items() if k != "driver"}
    total = sum(stack.values())
    busiest = max(stack, key=stack.get) if stack else ""
    by_cores = available_cores / (total / 1e3) if total else math.inf
    by_process = 1 / (stack[busiest] / 1e3) if busiest and stack[busiest] else math.inf
    return {"stack_cpu_ms_per_case": total, "cases_per_second_by_cpu": min(by_cores, by_process),
            "busiest_component": busiest, "limit": "one process at one core" if by_process < by_cores else "all cores busy"}


async def drained(bench: BenchStack, timeout: float) -> bool:
    """Waits until every durable consumer of the events stream has nothing pending or unacknowledged."""
    nc = await nats.connect(bench.nats_url, **bench.nats_admin())
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            infos = await js.consumers_info(EVENTS_STREAM)
            if all((i.num_pending or 0) == 0 and (i.num_ack_pending or 0) == 0 for i in infos):
                return True
            await asyncio.sleep(0.2)
        return False
    finally:
        await nc.close()


def summarise(times: list[CaseTimes], started: float, offered: float | None) -> dict[str, Any]:
    ok = [t for t in times if not t.error]
    errors: dict[str, int] = {}
    for t in times:
        if t.error:
            errors[t.error] = errors.get(t.error, 0) + 1
    end = max((t.checklist for t in ok), default=started)
    latencies = [t.checklist - t.started for t in ok]
    stages = {
        "notify_ms": latency_summary([t.notified - t.started for t in ok]),
        "requests_opened_ms": latency_summary([t.opened - t.notified for t in ok]),
        "returns_submitted_ms": latency_summary([t.submitted - t.opened for t in ok]),
        "collated_to_checklist_ms": latency_summary([t.checklist - t.collated for t in ok if t.collated]),
    }
    return {
        "offered_per_second": offered,
        "cases": len(times),
        "completed": len(ok),
        "errors": errors,
        "throughput_per_second": len(ok) / (end - started) if end > started else 0.0,
        "latency_ms": latency_summary(latencies),
        "stage_latency_ms": stages,
    }


async def offered_load(bench: BenchStack, pipeline: Pipeline, rate: float, duration: float, drain_timeout: float,
                       max_cases: int) -> dict[str, Any]:
    """Open loop: case i starts at i/rate, whatever the earlier cases are doing, for
    `duration` seconds or `max_cases` cases, whichever comes first. Counts the PostgreSQL
    sessions opened meanwhile, as `saturation` does."""
    count = max(1, min(round(rate * duration), max_cases))
    sessions_before = await _sessions_opened(bench)
    meter = CpuMeter(bench.components()).start()
    retried = pipeline.retried[0]
    started = time.perf_counter()
    tasks = []
    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(pipeline.run_case()))
    issued = time.perf_counter() - started
    done, pending = await asyncio.wait(tasks, timeout=drain_timeout + duration)
    for task in pending:
        task.cancel()
    times = [t.result() for t in done if not t.cancelled()] + [CaseTimes(started, error="unfinished") for _ in pending]
    cpu = meter.stop()
    result = summarise(times, started, rate)
    result["issue_seconds"] = issued
    result["calls_retried_after_overload"] = pipeline.retried[0] - retried
    result["cpu"] = cpu
    result["cpu_ms_per_case"] = per_case(cpu, result["completed"])
    result["capacity"] = capacity(result["cpu_ms_per_case"], cores())
    # Less the one connection that counts them (opened for each count; exact to one session).
    result["sessions_opened_per_second"] = max(await _sessions_opened(bench) - sessions_before - 1, 0) / cpu["wall_seconds"]
    await drained(bench, drain_timeout)
    return result


async def _sessions_opened(bench: BenchStack) -> int:
    """Sessions PostgreSQL has started for the stack's database since its statistics were reset."""
    import asyncpg

    conn = await asyncpg.connect(bench.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(await conn.fetchval("SELECT sessions FROM pg_stat_database WHERE datname = current_database()"))
    finally:
        await conn.close()


async def saturation(bench: BenchStack, pipeline: Pipeline, concurrency: int, seconds: float, drain_timeout: float) -> dict[str, Any]:
    """Closed loop: `concurrency` cases in flight, a new one as soon as one finishes. Also
    counts the PostgreSQL sessions opened meanwhile (`pg_stat_database.sessions`): a pool that
    reopens connections under load shows here (docs/performance.md, sixth round)."""
    sessions_before = await _sessions_opened(bench)
    meter = CpuMeter(bench.components()).start()
    retried = pipeline.retried[0]
    started = time.perf_counter()
    stop_at = started + seconds
    times: list[CaseTimes] = []

    async def worker() -> None:
        while time.perf_counter() < stop_at:
            times.append(await pipeline.run_case())

    await asyncio.wait_for(asyncio.gather(*(worker() for _ in range(concurrency))), seconds + drain_timeout)
    cpu = meter.stop()
    result = summarise(times, started, None)
    result["concurrency"] = concurrency
    result["calls_retried_after_overload"] = pipeline.retried[0] - retried
    result["cpu"] = cpu
    result["cpu_ms_per_case"] = per_case(cpu, result["completed"])
    result["capacity"] = capacity(result["cpu_ms_per_case"], cores())
    result["sessions_opened_per_second"] = max(await _sessions_opened(bench) - sessions_before - 1, 0) / cpu["wall_seconds"]
    await drained(bench, drain_timeout)
    return result


async def _bounded_gather(calls, concurrency: int) -> None:  # type: ignore[no-untyped-def]
    semaphore = asyncio.Semaphore(concurrency)

    async def one(call) -> None:  # type: ignore[no-untyped-def]
        async with semaphore:
            await call()

    await asyncio.gather(*(one(c) for c in calls))


async def _until(predicate, timeout: float) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `predicate()` holds (polled), bounded by `timeout`."""
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout:
            raise TimeoutError("stage did not finish in time")
        await asyncio.sleep(0.02)
    return time.perf_counter() - start


async def stages(bench: BenchStack, pipeline: Pipeline, watcher: EventWatcher, n: int, concurrency: int, timeout: float) -> dict[str, Any]:
    """Each stage alone on a backlog of `n` cases, the other services paused."""
    out: dict[str, Any] = {}
    components = bench.components()
    base_counts = dict(watcher.counts)

    def seen(subject: str) -> int:
        return watcher.counts.get(subject, 0) - base_counts.get(subject, 0)

    def record(name: str, meter: CpuMeter, ops: int, unit: str, component: str, seconds: float | None = None) -> None:
        cpu = meter.stop()
        wall = seconds if seconds is not None else cpu["wall_seconds"]
        out[name] = {"ops": ops, "unit": unit, "seconds": wall, "per_second": ops / wall, "cpu": cpu,
                     "component_cpu_ms_per_op": cpu["cpu_seconds"][component] / ops * 1e3,
                     "stack_cpu_ms_per_op": cpu["stack_cpu_seconds"] / ops * 1e3}

    bench.pause("gathering", "criteria", "decisions")
    try:
        # A. intake alone: NotifyIncident + RecordPanelNotification, then its relay publishes both events.
        case_ids: list[str] = []

        async def notify() -> None:
            case_id, _ = await pipeline.notify()
            case_ids.append(case_id)

        meter = CpuMeter(components).start()
        start = time.perf_counter()
        await _bounded_gather([notify for _ in range(n)], concurrency)
        rpc_seconds = time.perf_counter() - start
        await _until(lambda: seen("rr.v1.incident.panel_notified") >= n, timeout)
        record("intake_notify", meter, 2 * n, "RPCs (NotifyIncident + RecordPanelNotification)", "intake", rpc_seconds)

        # B. gathering's consumer alone: 2n incident events -> 7n requests opened (and published).
        meter = CpuMeter(components).start()
        bench.resume("gathering")
        seconds = await _until(lambda: seen("rr.v1.agency.request_opened") >= 7 * n, timeout)
        record("gathering_consume", meter, 2 * n, "events consumed (incident.notified + panel_notified)", "gathering", seconds)

        # C. criteria's consumer alone: 2n incident events -> 2n evaluations (first checklists).
        meter = CpuMeter(components).start()
        bench.resume("criteria")
        seconds = await _until(lambda: seen("rr.v1.criteria.evaluated") >= 2 * n, timeout)
        record("criteria_initial", meter, 2 * n, "events consumed and evaluated", "criteria", seconds)
        bench.pause("criteria")

        # D. gathering's API alone: 7n returns, the last of each case collating.
        returns = pipeline.returns

        def submit_call(case_id: str, agency_id: str):  # type: ignore[no-untyped-def]
            async def call() -> None:
                request = type(returns[agency_id])()
                request.CopyFrom(returns[agency_id])
                request.case_id = case_id
                await pipeline.gathering.SubmitAgencyReturn(request, metadata=pipeline.agency_md[agency_id], timeout=pipeline.timeout)
            return call

        meter = CpuMeter(components).start()
        start = time.perf_counter()
        await _bounded_gather([submit_call(c, a) for c in case_ids for a in returns], concurrency)
        rpc_seconds = time.perf_counter() - start
        await _until(lambda: seen("rr.v1.information.collated") >= n, timeout)
        record("gathering_submit", meter, 7 * n, "RPCs (SubmitAgencyReturn)", "gathering", rpc_seconds)

        # E. criteria alone on the collations: n full checklists.
        meter = CpuMeter(components).start()
        bench.resume("criteria")
        seconds = await _until(lambda: seen("rr.v1.criteria.evaluated") >= 3 * n, timeout)
        record("criteria_full", meter, n, "collations consumed and evaluated (full checklists)", "criteria", seconds)

        # F. decisions' consumer alone on everything it follows.
        meter = CpuMeter(components).start()
        bench.resume("decisions")
        await drained(bench, timeout)
        record("decisions_consume", meter, n, "cases caught up (incident and criteria events)", "decisions")
    finally:
        bench.resume(*SERVICES)
    await drained(bench, timeout)
    return out


async def statements_per_case(bench: BenchStack, pipeline: Pipeline, cases: int = 5,
                              keep_log: str | None = None) -> dict[str, Any]:
    """SQL statements and transactions one case costs, from PostgreSQL's own statement log:
    `cases` cases one after the other, less an idle window of the same length (relay polls,
    health pings). Transactions are the distinct virtual transaction ids (`%v`) of the logged
    statements: every transaction that ran a statement, explicit or implicit, read-only or not.
    `pg_stat_database.xact_commit` is also recorded, but it is not exact over a short window:
    backends flush their counters at most once a second and later when idle, so part of one
    window's commits can land in the next. `keep_log`: a file to write the busy window's
    statement log to (`bench/statement_counts.py` groups it by statement)."""
    import asyncpg

    url = bench.database_url.replace("postgresql+asyncpg://", "postgresql://")
    log_path = bench.stack.postgres.log_path
    conn = await asyncpg.connect(url)

    async def window(work, keep: str | None = None) -> tuple[int, int, int, float]:  # type: ignore[no-untyped-def]
        offset = log_path.stat().st_size
        commits = await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        start = time.perf_counter()
        await work()
        elapsed = time.perf_counter() - start
        await asyncio.sleep(1.0)  # the statistics collector and the log catch up
        commits = await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()") - commits
        with open(log_path, "rb") as f:
            f.seek(offset)
            text = f.read().decode("utf-8", "replace")
        if keep:
            with open(keep, "w", encoding="utf-8") as out:
                out.write(text)
        statements, transactions = _statements_and_transactions(text)
        return statements, transactions, commits, elapsed

    try:
        await conn.execute("ALTER SYSTEM SET log_min_duration_statement = 0")
        await conn.execute(f"ALTER SYSTEM SET log_line_prefix = '{_LOG_LINE_PREFIX}'")
        await conn.execute("SELECT pg_reload_conf()")
        await asyncio.sleep(0.5)

        async def run_cases() -> None:
            for _ in range(cases):
                await pipeline.run_case()
            await drained(bench, 60)

        busy = await window(run_cases, keep_log)
        idle = await window(lambda: asyncio.sleep(busy[3]))
    finally:
        await conn.execute("ALTER SYSTEM RESET log_min_duration_statement")
        await conn.execute("ALTER SYSTEM RESET log_line_prefix")
        await conn.execute("SELECT pg_reload_conf()")
        await conn.close()
    return {"cases": cases, "statements_per_case": (busy[0] - idle[0]) / cases,
            "transactions_per_case": (busy[1] - idle[1]) / cases,
            "xact_commit_per_case": (busy[2] - idle[2]) / cases, "idle_statements_per_second": idle[0] / busy[3]}


# The statement log's line prefix while statements are counted: time, pid, then the virtual
# transaction id ("backend/local"), unique to each transaction while the server runs. A
# statement's line is written when it has finished, so a COMMIT's shows the backend with no
# transaction ("backend/0"): it counts as a statement, not as a transaction of its own.
_LOG_LINE_PREFIX = "%m [%p] vxid=%v "
_VXID = re.compile(r"\bvxid=(\d+/[1-9]\d*) ")


def _statements_and_transactions(log_text: str) -> tuple[int, int]:
    """Executed statements and the distinct transactions they ran in, from a statement log
    written with `_LOG_LINE_PREFIX` and `log_min_duration_statement = 0`."""
    statements = 0
    transactions: set[str] = set()
    for line in log_text.splitlines():
        if "duration:" in line and (" execute " in line or " statement: " in line):
            statements += 1
            match = _VXID.search(line)
            if match:
                transactions.add(match.group(1))
    return statements, len(transactions)


def ratios(stage: dict[str, Any], base: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Each stage's rate over the rate of the building block it stands on."""
    echo = base["grpc_echo"]["per_second"]
    js = base["jetstream"]["pull_ack_per_second"]
    js_pub = base["jetstream"]["publish_per_second"]
    pg = base["postgres"]["asyncpg_per_second"]
    rules = base["durable_rules"]["raw_per_second"]
    rows = {
        "intake NotifyIncident/RecordPanelNotification vs gRPC echo": (stage["intake_notify"]["per_second"], echo),
        "intake RPC vs PostgreSQL single-row tx": (stage["intake_notify"]["per_second"], pg),
        "gathering SubmitAgencyReturn vs gRPC echo": (stage["gathering_submit"]["per_second"], echo),
        "gathering SubmitAgencyReturn vs PostgreSQL single-row tx": (stage["gathering_submit"]["per_second"], pg),
        "gathering incident consumer vs JetStream pull+ack": (stage["gathering_consume"]["per_second"], js),
        "gathering requests published vs JetStream publish": (stage["gathering_consume"]["per_second"] * 3.5, js_pub),
        "criteria consumer (evaluate + store) vs JetStream pull+ack": (stage["criteria_initial"]["per_second"], js),
        "criteria evaluations vs raw durable-rules": (stage["criteria_full"]["per_second"], rules),
        "criteria evaluations vs PostgreSQL single-row tx": (stage["criteria_full"]["per_second"], pg),
    }
    return {name: {"stage_per_second": a, "baseline_per_second": b, "ratio": a / b} for name, (a, b) in rows.items()}


def floor_of(base: dict[str, Any], rpcs: float, events: float, transactions: float, evaluations: float) -> dict[str, float]:
    """The CPU milliseconds the raw building blocks of one case cost, from the baselines of the same
    run (CPU per operation across every process involved): its RPCs as gRPC echo calls, its events
    as JetStream publish + pull + ack, its committed transactions as single-row PostgreSQL
    transactions, its rule evaluations as raw durable-rules evaluations."""
    parts = {
        "rpcs": rpcs * base["grpc_echo"]["cpu_ms_per_op"],
        "events": events * base["jetstream"]["cpu_ms_per_op"],
        "transactions": transactions * base["postgres"]["cpu_ms_per_op"],
        "evaluations": evaluations * base["durable_rules"]["cpu_ms_per_op"],
    }
    return {**{f"{name}_ms": ms for name, ms in parts.items()}, "rpcs": rpcs, "events": events, "transactions": transactions,
            "evaluations": evaluations, "floor_ms": sum(parts.values())}


def print_load(r: dict[str, Any]) -> None:
    lat = r["latency_ms"]
    label = f"offered {r['offered_per_second']:>5.0f}/s" if r.get("offered_per_second") else f"closed loop x{r['concurrency']}"
    cap = r["capacity"]
    print(f"{label}: {r['completed']}/{r['cases']} cases, {r['throughput_per_second']:6.1f} cases/s, "
          f"p50 {lat['p50_ms']:7.0f} ms p95 {lat['p95_ms']:7.0f} ms p99 {lat['p99_ms']:7.0f} ms; "
          f"stack CPU {cap['stack_cpu_ms_per_case']:.0f} ms/case (busiest {cap['busiest_component']}); "
          f"other processes used {r['cpu']['other_processes_cores']:.2f} cores"
          + (f"; errors {r['errors']}" if r["errors"] else "")
          + (f"; calls retried after an overload answer {r['calls_retried_after_overload']}"
             if r.get("calls_retried_after_overload") else "")
          + (f"; PostgreSQL sessions opened {r['sessions_opened_per_second']:.1f}/s"
             if "sessions_opened_per_second" in r else ""), flush=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"settings": vars(args)}
    bench = BenchStack()
    bench.start()
    print(f"embedded stack up in {bench.start_seconds:.1f} s")
    watcher = await EventWatcher(bench.nats_url, bench.nats_admin()).start()
    pipeline = Pipeline(bench, watcher, panel_notification=not args.no_panel_notification, timeout=args.case_timeout)
    try:
        warm = await saturation(bench, pipeline, 4, 3, args.drain_timeout)
        print(f"warm-up: {warm['completed']} cases")
        base = await measure_all(bench.nats_url, bench.nats_admin(), bench.database_url, seconds=args.baseline_seconds,
                                 concurrency=args.concurrency, components=bench.components())
        result["baselines"] = base
        print_baselines(base)

        events_before = sum(watcher.counts.values())
        result["sql"] = await statements_per_case(bench, pipeline, keep_log=args.statement_log)
        events_per_case = (sum(watcher.counts.values()) - events_before) / result["sql"]["cases"]
        print(f"SQL per case: {result['sql']['statements_per_case']:.0f} statements in "
              f"{result['sql']['transactions_per_case']:.1f} transactions (pg_stat_database.xact_commit: "
              f"{result['sql']['xact_commit_per_case']:.1f}; idle background: "
              f"{result['sql']['idle_statements_per_second']:.0f} statements/s)", flush=True)

        result["loads"] = []
        for rate in args.loads:
            r = await offered_load(bench, pipeline, rate, args.duration, args.drain_timeout, args.max_cases)
            result["loads"].append(r)
            print_load(r)
        if args.saturation > 0:
            result["saturation"] = await saturation(bench, pipeline, args.concurrency, args.saturation, args.drain_timeout)
            print_load(result["saturation"])
            # NotifyIncident (+ RecordPanelNotification) and the 7 returns. Rule evaluations: intake
            # decides the statutory duties on NotifyIncident (and again on RecordPanelNotification);
            # criteria evaluates the first and the full checklist (and again on the Panel notification).
            rpcs = 1 + (0 if args.no_panel_notification else 1) + 7
            floor = floor_of(base, rpcs, events_per_case, result["sql"]["transactions_per_case"],
                             3 if args.no_panel_notification else 5)
            closed_ms = result["saturation"]["capacity"]["stack_cpu_ms_per_case"]
            floor["closed_loop_stack_cpu_ms"] = closed_ms
            floor["ratio"] = closed_ms / floor["floor_ms"]
            result["floor"] = floor
            print(f"building-block floor: {floor['rpcs']:.0f} RPCs {floor['rpcs_ms']:.1f} ms + {floor['events']:.1f} events "
                  f"{floor['events_ms']:.1f} ms + {floor['transactions']:.1f} transactions {floor['transactions_ms']:.1f} ms + "
                  f"{floor['evaluations']:.0f} evaluations {floor['evaluations_ms']:.1f} ms = {floor['floor_ms']:.1f} ms a case; "
                  f"closed loop {closed_ms:.1f} ms a case = {floor['ratio']:.2f}x the floor", flush=True)
        if args.stage_cases > 0:
            result["stages"] = await stages(bench, pipeline, watcher, args.stage_cases, args.concurrency, args.drain_timeout)
            for name, s in result["stages"].items():
                print(f"stage {name:18s}: {s['per_second']:8.1f} {s['unit']}/s; {name.split('_')[0]} CPU "
                      f"{s['component_cpu_ms_per_op']:.1f} ms/op, whole stack {s['stack_cpu_ms_per_op']:.1f} ms/op")
            result["ratios"] = ratios(result["stages"], base)
            for name, r in result["ratios"].items():
                print(f"  {name:62s} {r['stage_per_second']:9.1f} / {r['baseline_per_second']:9.1f} = {r['ratio']:.3f}")
    finally:
        await pipeline.close()
        await watcher.stop()
        bench.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=lambda s: [float(x) for x in s.split(",")], default=[1, 2, 5, 10, 25, 50, 100, 200],
                        help="offered loads in cases/s, comma-separated")
    parser.add_argument("--duration", type=float, default=6.0, help="seconds each offered load issues cases")
    parser.add_argument("--max-cases", type=int, default=300, help="bound on the cases one offered load issues")
    parser.add_argument("--drain-timeout", type=float, default=180.0, help="bound on waiting for issued cases")
    parser.add_argument("--case-timeout", type=float, default=120.0, help="bound on each step of a case")
    parser.add_argument("--saturation", type=float, default=20.0, help="seconds of the closed-loop run (0 skips it)")
    parser.add_argument("--concurrency", type=int, default=32, help="in-flight cases / calls of closed loops and baselines")
    parser.add_argument("--stage-cases", type=int, default=200, help="backlog of each stage measured alone (0 skips)")
    parser.add_argument("--baseline-seconds", type=float, default=3.0)
    parser.add_argument("--section", default="e2e", help="section of the results file to write")
    parser.add_argument("--statement-log", default=None,
                        help="write the statement log of the 5 counted cases to this file (see bench/statement_counts.py)")
    parser.add_argument("--no-panel-notification", action="store_true", help="leave RecordPanelNotification out of each case")
    args = parser.parse_args()
    print_header("end to end on the embedded stack")
    result = asyncio.run(run(args))
    save_results(args.section, result)
    print(f"cpu cores: {cores()}")


if __name__ == "__main__":
    main()
