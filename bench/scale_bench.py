"""Scale: one very large case, and a national backfill through the whole pipeline.

    .venv/bin/python bench/scale_bench.py collation [--agencies 20 --entries 1000]
    .venv/bin/python bench/scale_bench.py backfill [--cases 5000 --returns 8 --entries 100 --max-minutes 60]
    .venv/bin/python bench/scale_bench.py backfill --cases 300 --section backfill_300 [--calendar-prototype]
    .venv/bin/python bench/scale_bench.py scaleout [--cases 300 --concurrency 32 --max-minutes 20]

collation: 20 agencies x 1,000 chronology entries each, built as
bench/gathering_collation_bench.py builds them (that benchmark details the
collation itself, in process and on PostgreSQL). Here: `collate` +
`collated_event` in process for reference, then the same case through the
embedded stack: 20 SubmitAgencyReturn calls, the last of which collates; timed
to information.collated and to the full checklist, and the merged chronology
read back page by page.

backfill: a ten-year national backfill (5,000 cases, about ten years of
England's notifications) ingested and evaluated through the embedded stack as a
migration would do it: for each case NotifyIncident + RecordPanelNotification,
8 agency returns of 100 chronology entries each, collation, full checklist.
Awareness dates are spread over the dates the rule editions cover (from
2018-06-29). `--concurrency` cases are in flight; the run stops issuing cases
after `--max-minutes` and reports how far it got and the projected total time.

scaleout: two replicas of every service (each its own process) on a 3-node
JetStream cluster (streams and consumers with 3 replicas). A backlog of
`--cases` cases (the closed loop's case: NotifyIncident +
RecordPanelNotification, the seven example returns; `--concurrency` cases in
flight, gRPC calls spread over the replicas in turn) until every full checklist
has arrived; then, per replica, from the services' own Prometheus counters
(rapidreview_events_consumed_total per durable consumer,
rapidreview_rpc_calls_total) and /proc: events consumed, RPCs served, CPU
seconds, and the split (the busier replica's share); the whole stack's cases/s
and CPU per case; and the reconciliation of every store and stream
(tests/reliability/reconcile.py): nothing lost, nothing doubled.

Results go to bench/results/latest.json (sections "collation", "backfill" and "scaleout").
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import grpc

from harness import (
    BENCH_TODAY,
    EXAMPLE_RETURNS,
    REPO,
    BenchStack,
    CpuMeter,
    cores,
    latency_summary,
    notification_request,
    print_header,
    save_results,
    scrape_counters,
)
from pipeline import FULL as FULL_TRIGGER
from pipeline import EventWatcher, Pipeline, call_with_retry
from rapidreview.kernel.auth import Role
from rapidreview.v1 import common_pb2, gathering_pb2, intake_pb2

G = gathering_pb2
CONTACT_TYPES = [t for t in G.ContactType.values() if t]
WORDS = ("visit mother baby seen father absent concern bruise call referral school nursery plan meeting assessment "
         "housing rent arrears domestic abuse police health visitor clinic missed appointment").split()
KINDS = [common_pb2.AGENCY_KIND_POLICE, common_pb2.AGENCY_KIND_HEALTH_GP, common_pb2.AGENCY_KIND_CHILDRENS_SOCIAL_CARE,
         common_pb2.AGENCY_KIND_HEALTH_VISITING, common_pb2.AGENCY_KIND_HEALTH_ACUTE_TRUST, common_pb2.AGENCY_KIND_EARLY_YEARS,
         common_pb2.AGENCY_KIND_HOUSING, common_pb2.AGENCY_KIND_OTHER]

FULL_BACKFILL_CASES = 5000  #: ten years of serious incident notifications in England


def agency(i: int) -> common_pb2.Agency:
    return common_pb2.Agency(agency_id=f"agency-{i:02d}", name=f"Agency {i}", kind=KINDS[i % len(KINDS)], area="Leeds",
                             area_type=common_pb2.AREA_TYPE_LOCAL_AUTHORITY)


def synthetic_return(i: int, entries: int, rng: random.Random, start: dt.date, days: int) -> G.AgencyReturn:
    """A return of agency `i` with `entries` chronology entries dated in [start, start + days)."""
    r = G.AgencyReturn(agency=agency(i), involvement=G.INVOLVEMENT_INVOLVED,
                       involvement_period=G.Period(start=start.isoformat()), involvement_summary=f"Agency {i} involvement.")
    for n in range(entries):
        day = start + dt.timedelta(days=rng.randrange(days))
        words = " ".join(rng.choice(WORDS) for _ in range(12))
        r.chronology.add(date=day.isoformat(), contact_type=rng.choice(CONTACT_TYPES), practitioner_role="practitioner",
                         summary=f"Entry {n} of agency {i} ref {rng.getrandbits(32):08x}: {words}")
    r.learning.add(description="Learning.", themes=["information sharing", f"theme {i % 3}"])
    r.good_practice.add(description="Good practice.")
    r.concerns.add(type=G.CONCERN_TYPE_INFORMATION_SHARING, about_agencies=[f"agency-{(i + 1) % 8:02d}"], description="Concern.")
    return r


# -- collation ---------------------------------------------------------------------------------


def collation_in_process(agencies: int, entries: int) -> dict[str, Any]:
    """collate + collated_event on the gathering benchmark's synthetic case (its builders, reused)."""
    from gathering_collation_bench import CASE_ID, contributions
    from gathering_collation_bench import synthetic_return as large_return
    from rapidreview.gathering.domain.collation import collate, collated_event

    items = contributions([large_return(i, entries) for i in range(agencies)])
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        collated = collate(CASE_ID, "leeds", G.GATHERING_STATUS_OPEN, 1, items, dt.datetime.now(dt.UTC))
        event = collated_event(collated, G.COLLATION_TRIGGER_ALL_RETURNED)
        runs.append(time.perf_counter() - start)
    return {"seconds": min(runs), "entries": agencies * entries, "event_bytes": event.ByteSize(),
            "collated_bytes": collated.ByteSize(), "highlights": len(event.chronology_highlights)}


async def collation_through_stack(agencies: int, entries: int) -> dict[str, Any]:
    bench = BenchStack()
    bench.start()
    watcher = await EventWatcher(bench.nats_url, bench.nats_admin()).start()
    watcher._agencies = agencies
    pipeline = Pipeline(bench, watcher, panel_notification=True, timeout=300)
    try:
        request = notification_request(1)
        del request.notification.agencies[:]
        request.notification.agencies.extend(agency(i) for i in range(agencies))
        incident = (await pipeline.intake.NotifyIncident(request, metadata=pipeline.la, timeout=60)).incident
        await watcher.wait(incident.case_id, "opened", 120)
        metadata = {i: bench.metadata(Role.AGENCY, agency=agency(i).agency_id) for i in range(agencies)}
        from gathering_collation_bench import synthetic_return as large_return

        bodies = [large_return(i, entries) for i in range(agencies)]
        meter = CpuMeter(bench.components()).start()
        submit_seconds = []
        for i, body in enumerate(bodies[:-1]):
            start = time.perf_counter()
            await pipeline.gathering.SubmitAgencyReturn(G.SubmitAgencyReturnRequest(case_id=incident.case_id, agency_return=body),
                                                        metadata=metadata[i], timeout=120)
            submit_seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        last = await pipeline.gathering.SubmitAgencyReturn(
            G.SubmitAgencyReturnRequest(case_id=incident.case_id, agency_return=bodies[-1]), metadata=metadata[agencies - 1], timeout=300)
        last_rpc = time.perf_counter() - start
        collated_at = await watcher.wait(incident.case_id, "collated", 300)
        checklist_at = await watcher.wait(incident.case_id, "checklist", 300)
        cpu = meter.stop()
        collated_entries, token, pages = 0, "", 0
        while True:  # the merged chronology comes in pages of whole days
            page = await pipeline.gathering.GetCollatedInformation(G.GetCollatedInformationRequest(
                case_id=incident.case_id, chronology_page_size=5000, chronology_page_token=token),
                metadata=bench.metadata(Role.BUSINESS_UNIT), timeout=120)
            collated_entries += sum(len(d.entries) for d in page.collated.chronology)
            pages += 1
            token = page.next_chronology_page_token
            if not token or pages > 1000:
                break
        assert last.collated
        return {
            "submit_ms": latency_summary(submit_seconds),
            "last_submit_with_collation_seconds": last_rpc,
            "last_submit_to_collated_event_seconds": collated_at - start,
            "last_submit_to_full_checklist_seconds": checklist_at - start,
            "return_bytes": bodies[0].ByteSize(),
            "cpu": cpu,
            "collated_entries": collated_entries,
            "collated_pages": pages,
        }
    finally:
        await pipeline.close()
        await watcher.stop()
        bench.stop()


def run_collation(args: argparse.Namespace) -> None:
    print_header(f"collation: {args.agencies} agencies x {args.entries:,} chronology entries")
    alone = collation_in_process(args.agencies, args.entries)
    print(f"collate + event in process: {alone['seconds'] * 1e3:.0f} ms for {alone['entries']:,} entries "
          f"(event {alone['event_bytes'] / 1e3:.0f} kB, {alone['highlights']} highlights; full collation {alone['collated_bytes'] / 1e6:.1f} MB)")
    stacked = asyncio.run(collation_through_stack(args.agencies, args.entries))
    print(f"through the stack: each SubmitAgencyReturn ({stacked['return_bytes'] / 1e3:.0f} kB) p50 {stacked['submit_ms']['p50_ms']:.0f} ms; "
          f"the last (collating) {stacked['last_submit_with_collation_seconds'] * 1e3:.0f} ms; to information.collated "
          f"{stacked['last_submit_to_collated_event_seconds'] * 1e3:.0f} ms; to the full checklist "
          f"{stacked['last_submit_to_full_checklist_seconds'] * 1e3:.0f} ms")
    save_results("collation", {"agencies": args.agencies, "entries": args.entries, "in_process": alone, "stack": stacked})
    print(f"cpu cores: {cores()}")


# -- backfill ----------------------------------------------------------------------------------


async def backfill(args: argparse.Namespace) -> dict[str, Any]:
    extra_env = {}
    if args.calendar_prototype:
        # The services import bench/calendar_prototype/sitecustomize.py at start-up.
        prototype = str(Path(__file__).resolve().parent / "calendar_prototype")
        extra_env["PYTHONPATH"] = os.pathsep.join(p for p in (prototype, os.environ.get("PYTHONPATH", "")) if p)
    bench = BenchStack(extra_env=extra_env)
    bench.start()
    watcher = await EventWatcher(bench.nats_url, bench.nats_admin()).start()
    watcher._agencies = args.returns
    pipeline = Pipeline(bench, watcher, timeout=args.case_timeout)
    agency_md = {i: bench.metadata(Role.AGENCY, agency=agency(i).agency_id) for i in range(args.returns)}
    first, last = dt.date(2018, 7, 2), dt.date.fromisoformat(BENCH_TODAY) - dt.timedelta(days=30)
    span = (last - first).days
    done: list[float] = []
    errors: dict[str, int] = {}
    entries = 0

    async def one_case(n: int) -> None:
        nonlocal entries
        rng = random.Random(n)
        aware = first + dt.timedelta(days=span * n // max(args.cases - 1, 1))
        request = notification_request(n)
        request.notification.incident_date = (aware - dt.timedelta(days=1)).isoformat()
        request.notification.la_aware_date = aware.isoformat()
        del request.notification.agencies[:]
        request.notification.agencies.extend(agency(i) for i in range(args.returns))
        started = time.perf_counter()
        try:
            incident = (await call_with_retry(pipeline.intake.NotifyIncident, request, metadata=pipeline.la,
                                              timeout=args.case_timeout, retried=pipeline.retried)).incident
            await call_with_retry(pipeline.intake.RecordPanelNotification, intake_pb2.RecordPanelNotificationRequest(
                case_id=incident.case_id, reference=f"PANEL-B{n}", sent_date=(aware + dt.timedelta(days=3)).isoformat()),
                metadata=pipeline.la, timeout=args.case_timeout, retried=pipeline.retried)
            await watcher.wait(incident.case_id, "opened", args.case_timeout)
            bodies = [synthetic_return(i, args.entries, rng, aware - dt.timedelta(days=730), 730) for i in range(args.returns)]
            await asyncio.gather(*(call_with_retry(pipeline.gathering.SubmitAgencyReturn,
                G.SubmitAgencyReturnRequest(case_id=incident.case_id, agency_return=body), metadata=agency_md[i],
                timeout=args.case_timeout, retried=pipeline.retried) for i, body in enumerate(bodies)))
            await watcher.wait(incident.case_id, "checklist", args.case_timeout)
            done.append(time.perf_counter() - started)
            entries += args.returns * args.entries
        except (grpc.aio.AioRpcError, TimeoutError, asyncio.TimeoutError) as exc:
            key = exc.code().name if isinstance(exc, grpc.aio.AioRpcError) else "timeout"
            errors[key] = errors.get(key, 0) + 1

    try:
        meter = CpuMeter(bench.components()).start()
        started = time.perf_counter()
        stop_issuing = started + args.max_minutes * 60
        next_case = 0
        issued = 0

        async def worker() -> None:
            nonlocal next_case, issued
            while next_case < args.cases and time.perf_counter() < stop_issuing:
                n = next_case
                next_case += 1
                issued += 1
                await one_case(n)

        async def progress() -> None:
            while True:
                await asyncio.sleep(30)
                elapsed = time.perf_counter() - started
                print(f"  {elapsed / 60:5.1f} min: {len(done):,} cases done ({len(done) / elapsed:.2f}/s), errors {errors}, "
                      f"calls retried after an overload answer {pipeline.retried[0]}", flush=True)

        reporter = asyncio.create_task(progress())
        try:
            await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        finally:
            reporter.cancel()
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
    finally:
        await pipeline.close()
        await watcher.stop()
        bench.stop()
    rate = len(done) / elapsed if elapsed else 0.0
    retried = pipeline.retried[0]
    return {
        "calls_retried_after_overload": retried,
        "calendar_prototype": args.calendar_prototype,
        "cases_target": args.cases, "returns_per_case": args.returns, "entries_per_return": args.entries,
        "cases_issued": issued, "cases_done": len(done), "errors": errors, "chronology_entries": entries,
        "seconds": elapsed, "cases_per_second": rate,
        # The whole national backfill (5,000 cases) at this run's rate: a slice (--cases 250) projects it.
        "projected_full_minutes": (FULL_BACKFILL_CASES / rate / 60) if rate else None,
        "complete": len(done) == args.cases,
        "latency_ms": latency_summary(done), "concurrency": args.concurrency, "cpu": cpu,
        "stack_cpu_ms_per_case": cpu["stack_cpu_seconds"] / max(len(done), 1) * 1e3,
        "cpu_ms_per_case": {k: v / max(len(done), 1) * 1e3 for k, v in cpu["cpu_seconds"].items()},
    }


def run_backfill(args: argparse.Namespace) -> None:
    print_header(f"backfill: {args.cases:,} cases x {args.returns} returns x {args.entries} chronology entries")
    r = asyncio.run(backfill(args))
    state = "complete" if r["complete"] else f"stopped after {args.max_minutes:g} min"
    print(f"{r['cases_done']:,}/{r['cases_target']:,} cases ({state}) in {r['seconds'] / 60:.1f} min: {r['cases_per_second']:.2f} cases/s, "
          f"{r['chronology_entries']:,} chronology entries; at this rate {FULL_BACKFILL_CASES:,} cases take {r['projected_full_minutes']:.1f} min "
          f"(target 10 min); stack CPU {r['stack_cpu_ms_per_case']:.0f} ms/case; other processes used "
          f"{r['cpu']['other_processes_cores']:.2f} cores; errors {r['errors']}; calls retried after an overload answer "
          f"{r['calls_retried_after_overload']}")
    save_results(args.section, r)
    print(f"cpu cores: {cores()}")


# -- scale-out ---------------------------------------------------------------------------------

SERVICES = ("intake", "gathering", "criteria", "decisions")


def split(values: list[float]) -> str:
    """The busier replica's share and the other's, in percent ("52/48"); "-" when nothing."""
    total = sum(values)
    if not total:
        return "-"
    shares = [round(v / total * 100) for v in sorted(values, reverse=True)]
    shares[-1] = 100 - sum(shares[:-1])  # the shares add up to 100
    return "/".join(str(x) for x in shares)


def busier_share(values: list[float]) -> float | None:
    total = sum(values)
    return max(values) / total if total else None


def counter_delta(before: dict, after: dict, name: str, label: str) -> dict[str, float]:
    """Increase of counter `name` between two scrapes, summed per value of `label`."""
    out: dict[str, float] = {}
    for key, value in after.items():
        sample, labels = key
        if sample != name:
            continue
        delta = value - before.get(key, 0.0)
        if delta:
            group = dict(labels).get(label, "")
            out[group] = out.get(group, 0.0) + delta
    return out


async def every_replica_pulling(stack, replicas: int, timeout: float = 60.0) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Waits (bounded) until every service durable has a pull request waiting from each of its replicas."""
    from tests.reliability.reconcile import consumer_states

    deadline = time.monotonic() + timeout
    while True:
        waiting = {name: info.num_waiting for name, info in (await consumer_states(stack.nats_connect_options())).items()}
        if waiting and all(n >= replicas for n in waiting.values()):
            return waiting
        if time.monotonic() > deadline:
            raise TimeoutError(f"not every durable has {replicas} replicas pulling: {waiting}")
        await asyncio.sleep(0.2)  # polling interval of a bounded wait


async def every_replica_answering(bench: BenchStack, pipeline: Pipeline, timeout: float = 30.0) -> int:
    """Reads that change nothing (an unknown case) through the driver's round-robin channels until
    each replica of intake and gathering has answered one (the channels connect to each replica in
    their own time); bounded. Returns the calls made. The counters are read again afterwards."""
    from rapidreview.v1 import intake_pb2 as I

    bu = bench.metadata(Role.BUSINESS_UNIT)
    probes = {"intake": ("GetIncident", lambda: pipeline.intake.GetIncident(I.GetIncidentRequest(case_id=str(uuid.uuid4())),
                                                                          metadata=bu, timeout=10)),
              "gathering": ("GetCollatedInformation", lambda: pipeline.gathering.GetCollatedInformation(
                  G.GetCollatedInformationRequest(case_id=str(uuid.uuid4())), metadata=bu, timeout=10))}
    deadline = time.monotonic() + timeout
    calls = 0
    while True:
        for _method, probe in probes.values():
            try:
                await probe()
            except grpc.aio.AioRpcError:
                pass  # NOT_FOUND: the answer is all a probe needs
            calls += 1
        answered = all(
            counter_delta({}, scrape_counters(bench.metrics_url(p.name)), "rapidreview_rpc_calls_total", "method").get(method, 0) > 0
            for service, (method, _probe) in probes.items() for p in bench.stack.replicas_of(service))
        if answered:
            return calls
        if time.monotonic() > deadline:
            raise TimeoutError("a replica of intake or gathering never answered the driver's channel")


def per_case_counts(stores: dict, case_ids: set[str]) -> dict[str, dict[int, int]]:
    """How many rows each case has in the tables that make a case: {what: {rows per case: cases}}."""
    tables = {"incidents (intake)": ("intake", "incidents"), "information requests": ("gathering", "requests"),
              "returns": ("gathering", "returns"), "collations": ("gathering", "collations"),
              "evaluations (criteria)": ("criteria", "evaluations"), "evaluations known to decisions": ("decisions", "evaluations"),
              "audit entries (decisions)": ("decisions", "audit_entries")}
    out = {}
    for what, (schema, table) in tables.items():
        per_case = Counter(row["case_id"] for row in stores[schema][table] if row["case_id"] in case_ids)
        out[what] = dict(sorted(Counter(per_case.get(c, 0) for c in case_ids).items()))
    full = Counter(row["case_id"] for row in stores["criteria"]["evaluations"]
                   if row["case_id"] in case_ids and row["trigger"] == FULL_TRIGGER)
    out["full checklists"] = dict(sorted(Counter(full.get(c, 0) for c in case_ids).items()))
    return out


async def scaleout(args: argparse.Namespace) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))  # tests.reliability: the reconciliation every reliability suite uses
    from tests.reliability.pipeline import PANEL_SENT, CasePlan
    from tests.reliability.reconcile import reconcile_stack, wait_quiescent

    bench = BenchStack(replicas={name: args.replicas for name in SERVICES}, nats_cluster_size=3, metrics=True, keep=args.keep)
    bench.start()
    print(f"stack up in {bench.start_seconds:.0f} s: {len(bench.stack.processes)} service processes, "
          f"{len(bench.stack.nats_cluster.nodes)} NATS nodes" + (f"; folder kept: {bench.folder}" if args.keep else ""), flush=True)
    watcher = await EventWatcher(bench.nats_url, bench.nats_admin()).start()
    pipeline = Pipeline(bench, watcher, timeout=args.case_timeout)
    agencies = tuple(EXAMPLE_RETURNS)
    run = f"scale{os.getpid()}"
    plans = [CasePlan(index=n, run=run, variant="complete", agencies=agencies, decide=False, gathering_closed=False)
             for n in range(args.cases)]
    done: list[float] = []
    errors: dict[str, int] = {}
    refused: Counter[str] = Counter()
    try:
        pulling = await every_replica_pulling(bench.stack, args.replicas)
        probes = await every_replica_answering(bench, pipeline)
        processes = [p.name for p in bench.stack.processes]
        before = {name: scrape_counters(bench.metrics_url(name)) for name in processes}
        meter = CpuMeter(bench.components()).start()
        started = time.perf_counter()
        stop_issuing = started + args.max_minutes * 60
        next_case = 0
        issued: list[CasePlan] = []

        async def patiently(method: str, stub, request, metadata):  # type: ignore[no-untyped-def]
            """One call, repeated when refused for overload (nothing stored), as partner systems are asked to."""
            repeated = [0]
            try:
                return await call_with_retry(getattr(stub, method), request, metadata=metadata, timeout=args.case_timeout,
                                             retried=repeated)
            finally:
                refused[method] += repeated[0]

        async def submit(plan: CasePlan, agency_id: str) -> None:
            request = G.SubmitAgencyReturnRequest()
            request.CopyFrom(pipeline.returns[agency_id])
            request.case_id = plan.case_id
            await patiently("SubmitAgencyReturn", pipeline.gathering, request, pipeline.agency_md[agency_id])
            plan.returns[agency_id] = 1  # what the reconciliation expects: only the returns accepted

        async def one_case(plan: CasePlan) -> None:
            request = notification_request(plan.index)
            request.idempotency_key = plan.key
            try:
                case_started = time.perf_counter()
                plan.case_id = (await patiently("NotifyIncident", pipeline.intake, request, pipeline.la)).incident.case_id
                await patiently("RecordPanelNotification", pipeline.intake, intake_pb2.RecordPanelNotificationRequest(
                    case_id=plan.case_id, reference=f"PANEL-S{plan.index}", sent_date=PANEL_SENT), pipeline.la)
                await watcher.wait(plan.case_id, "opened", args.case_timeout)
                await asyncio.gather(*(submit(plan, agency_id) for agency_id in agencies))
                plan.final_collation = 1  # the seventh return collates
                await watcher.wait(plan.case_id, "checklist", args.case_timeout)
                done.append(time.perf_counter() - case_started)
                plan.done = True
            except (grpc.aio.AioRpcError, TimeoutError, asyncio.TimeoutError) as exc:
                key = exc.code().name if isinstance(exc, grpc.aio.AioRpcError) else "timeout"
                errors[key] = errors.get(key, 0) + 1

        async def worker() -> None:
            nonlocal next_case
            while next_case < len(plans) and time.perf_counter() < stop_issuing:
                plan = plans[next_case]
                next_case += 1
                issued.append(plan)
                await one_case(plan)

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started
        cpu = meter.stop()
        settle = await wait_quiescent(bench.stack, timeout=max(120.0, len(issued)))
        after = {name: scrape_counters(bench.metrics_url(name)) for name in processes}
        # A notification refused to the end stored nothing: no case to reconcile (counted in errors).
        findings, _ = await reconcile_stack(bench.stack, [p for p in issued if p.case_id], decided_on=BENCH_TODAY)
        stores = findings.snapshot.stores
        counts = per_case_counts(stores, {p.case_id for p in issued if p.case_id})
        inbox = Counter(row["consumer"] for schema in SERVICES for row in stores[schema]["inbox"])  # distinct events per durable
    finally:
        await pipeline.close()
        await watcher.stop()
        bench.stop()

    cases = max(len(done), 1)
    services: dict[str, Any] = {}
    for service in SERVICES:
        replicas = {}
        for name in (p.name for p in bench.stack.replicas_of(service)):
            def delta(metric: str, label: str) -> dict[str, int]:
                return {k: int(v) for k, v in sorted(counter_delta(before[name], after[name], metric, label).items())}  # noqa: B023

            acked = delta("rapidreview_events_consumed_total", "consumer")
            again = delta("rapidreview_events_already_handled_total", "consumer")
            handled = {d: n - again.get(d, 0) for d, n in acked.items()}  # events whose effect this replica made
            rpcs = delta("rapidreview_rpc_calls_total", "method")
            replicas[name] = {"events_handled": handled, "events_handled_total": sum(handled.values()),
                              "events_acknowledged": acked, "events_already_handled": again,
                              "events_retried": delta("rapidreview_events_retried_total", "consumer"),
                              "dead_lettered": sum(delta("rapidreview_events_dead_lettered_total", "consumer").values()),
                              "rpcs": rpcs, "rpcs_total": sum(rpcs.values()),
                              "cpu_seconds": cpu["cpu_seconds"].get(name, 0.0)}
        names = list(replicas)
        durables = sorted({d for r in replicas.values() for d in r["events_acknowledged"]})
        methods = sorted({m for r in replicas.values() for m in r["rpcs"]})
        ev = [replicas[n]["events_handled_total"] for n in names]
        rp = [replicas[n]["rpcs_total"] for n in names]
        cp = [replicas[n]["cpu_seconds"] for n in names]

        def total(key: str, durable: str) -> int:
            return sum(replicas[n][key].get(durable, 0) for n in names)  # noqa: B023

        services[service] = {
            "replicas": replicas,
            "split": {
                "events": split(ev), "rpcs": split(rp), "cpu": split(cp),
                "per_durable": {d: split([replicas[n]["events_handled"].get(d, 0) for n in names]) for d in durables},
                "per_method": {m: split([replicas[n]["rpcs"].get(m, 0) for n in names]) for m in methods},
            },
            "busier_share": {"events": busier_share(ev), "rpcs": busier_share(rp), "cpu": busier_share(cp)},
            "cpu_ms_per_case": sum(cp) / cases * 1e3,
            # Per durable, both replicas: what the counters say against the distinct events in its
            # inbox (handled must equal them: each event's effect made once, by one replica).
            "durables": {d: {"acknowledged": total("events_acknowledged", d), "already_handled": total("events_already_handled", d),
                             "handled": total("events_handled", d), "retried": total("events_retried", d),
                             "distinct_events_in_inbox": inbox.get(d, 0)} for d in durables},
        }
    stack_ms = cpu["stack_cpu_seconds"] / cases * 1e3
    return {
        "replicas_per_service": args.replicas, "nats_nodes": 3, "stream_replicas": 3,
        "cases_target": args.cases, "cases_issued": len(issued), "cases_done": len(done), "errors": errors,
        "complete": len(done) == args.cases, "concurrency": args.concurrency,
        "calls_refused_and_repeated": dict(sorted(refused.items())),
        "seconds": elapsed, "cases_per_second": len(done) / elapsed if elapsed else 0.0,
        "settle_seconds": settle, "latency_ms": latency_summary(done),
        "pull_requests_waiting_per_durable": pulling, "channel_probe_calls": probes,
        "cpu": cpu, "stack_cpu_ms_per_case": stack_ms,
        "cases_per_second_by_cpu": cores() / (stack_ms / 1e3) if stack_ms else None,
        "cpu_ms_per_case": {k: v / cases * 1e3 for k, v in cpu["cpu_seconds"].items()},
        "services": services,
        "reconciliation": {**findings.summary(), "first_problems": (findings.lost + findings.doubled + findings.wrong)[:20]},
        "rows_per_case": counts,
    }


def run_scaleout(args: argparse.Namespace) -> None:
    print_header(f"scale-out: {args.cases} cases, {args.replicas} replica(s) of every service on a 3-node NATS cluster")
    r = asyncio.run(scaleout(args))
    state = "complete" if r["complete"] else f"{r['cases_issued']} issued, stopped after {args.max_minutes:g} min"
    print(f"{r['cases_done']}/{r['cases_target']} full checklists ({state}) in {r['seconds']:.1f} s: {r['cases_per_second']:.2f} cases/s "
          f"measured, {args.concurrency} in flight; latency p50 {r['latency_ms']['p50_ms']:.0f} ms, p99 {r['latency_ms']['p99_ms']:.0f} ms; "
          f"errors {r['errors']}; calls refused (UNAVAILABLE) and repeated {r['calls_refused_and_repeated'] or 'none'}")
    print(f"stack CPU {r['stack_cpu_ms_per_case']:.0f} ms/case -> {r['cases_per_second_by_cpu']:.1f} cases/s by CPU on {cores()} cores; "
          f"other processes used {r['cpu']['other_processes_cores']:.2f} cores; settled {r['settle_seconds']:.1f} s after the last checklist")
    print("  CPU ms/case: " + ", ".join(f"{k} {v:.1f}" for k, v in r["cpu_ms_per_case"].items()))
    print(f"\n{'process':<12} {'events handled (per durable consumer)':<70} {'RPCs served':<52} {'CPU s':>7}")
    for service, data in r["services"].items():
        for name, rep in data["replicas"].items():
            events = ", ".join(f"{d} {n}" for d, n in rep["events_handled"].items()) or "-"
            rpcs = ", ".join(f"{m} {n}" for m, n in rep["rpcs"].items()) or "-"
            print(f"{name:<12} {events:<70} {rpcs:<52} {rep['cpu_seconds']:>7.2f}")
        sp = data["split"]
        durables = "; ".join(f"{d} {v}" for d, v in sp["per_durable"].items())
        print(f"{'  split':<12} events {sp['events']} ({durables}); RPCs {sp['rpcs']}; CPU {sp['cpu']}")
        extra = [f"{d}: {v['acknowledged']} acknowledged, {v['already_handled']} of them already handled, {v['retried']} retried"
                 + ("" if v["handled"] == v["distinct_events_in_inbox"] else f" (INBOX HOLDS {v['distinct_events_in_inbox']})")
                 for d, v in data["durables"].items() if v["already_handled"] or v["retried"] or v["handled"] != v["distinct_events_in_inbox"]]
        if extra:
            print(f"{'':<12} delivered again or retried: " + "; ".join(extra))
    rec = r["reconciliation"]
    print(f"\nreconciliation of every store and stream: {rec['cases']} cases, {rec['events']} events, {rec['dead_letters']} dead letters: "
          f"lost {rec['lost']}, doubled {rec['doubled']}, wrong {rec['wrong']}")
    for what, dist in r["rows_per_case"].items():
        print(f"  {what} per case: " + ", ".join(f"{rows} for {n} cases" for rows, n in dist.items()))
    for problem in rec["first_problems"]:
        print(f"  PROBLEM {problem}")
    save_results(args.section, r)
    print(f"cpu cores: {cores()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    c = sub.add_parser("collation")
    c.add_argument("--agencies", type=int, default=20)
    c.add_argument("--entries", type=int, default=1000)
    b = sub.add_parser("backfill")
    b.add_argument("--cases", type=int, default=FULL_BACKFILL_CASES)
    b.add_argument("--returns", type=int, default=8)
    b.add_argument("--entries", type=int, default=100)
    b.add_argument("--concurrency", type=int, default=16)
    b.add_argument("--max-minutes", type=float, default=60.0, help="stop issuing new cases after this long")
    b.add_argument("--case-timeout", type=float, default=300.0)
    b.add_argument("--calendar-prototype", action="store_true",
                   help="services count working days as bench/calendar_prototype does (recommended change, measured end to end)")
    b.add_argument("--section", default="backfill", help="section of the results file to write")
    o = sub.add_parser("scaleout")
    o.add_argument("--cases", type=int, default=300, help="cases in the backlog")
    o.add_argument("--concurrency", type=int, default=32, help="cases in flight")
    o.add_argument("--replicas", type=int, default=2, help="processes per service (1: the same cluster without scale-out, to compare)")
    o.add_argument("--max-minutes", type=float, default=20.0, help="stop issuing new cases after this long")
    o.add_argument("--case-timeout", type=float, default=300.0)
    o.add_argument("--section", default="scaleout", help="section of the results file to write")
    o.add_argument("--keep", action="store_true", help="keep the stack's folder (service logs in logs/) and print where")
    args = parser.parse_args()
    {"collation": run_collation, "backfill": run_backfill, "scaleout": run_scaleout}[args.what](args)


if __name__ == "__main__":
    main()
