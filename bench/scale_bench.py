"""Scale: one very large case, and a national backfill through the whole pipeline.

    .venv/bin/python bench/scale_bench.py collation [--agencies 20 --entries 1000]
    .venv/bin/python bench/scale_bench.py backfill [--cases 5000 --returns 8 --entries 100 --max-minutes 60]
    .venv/bin/python bench/scale_bench.py backfill --cases 300 --section backfill_300 [--calendar-prototype]

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
Results go to bench/results/latest.json (sections "collation" and "backfill").
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import time
from pathlib import Path
from typing import Any

import grpc

from harness import BENCH_TODAY, BenchStack, CpuMeter, cores, latency_summary, notification_request, print_header, save_results
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
    args = parser.parse_args()
    run_collation(args) if args.what == "collation" else run_backfill(args)


if __name__ == "__main__":
    main()
