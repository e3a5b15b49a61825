"""Collation benchmark: how long a large case takes to collate.

    .venv/bin/python bench/gathering_collation_bench.py [--agencies 20] [--entries 1000] [--runs 5] [--database]

Builds a synthetic case of N agencies with M chronology entries each (random
dates over about three years, distinct summaries, a few same-day contacts)
and prints:
- the pure collation (merge by day, duplicate flags, learning by theme,
  completeness) as min / median over the runs;
- building the information.collated event from it, and its size (it must fit
  one NATS message, 1 MB);
- decrypting and parsing every latest return (what the repository does
  before collating);
- with --database: the whole GetCollatedInformation path against a real
  PostgreSQL started for the run (read requests, read and decrypt the latest
  returns, collate), and the time to store the returns.

Never part of the test suite; numbers depend on the machine (see docs/gathering.md).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from rapidreview.gathering.domain.collation import Contribution, collate, collated_event
from rapidreview.gathering.domain.requests import RequestState, render_request
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.v1 import common_pb2, gathering_pb2

G = gathering_pb2
CASE_ID = "6f1c9b3e-8d2a-4c1e-9f55-2b7d3a1e0c44"
CALENDAR = WorkingDayCalendar(lambda: dt.date(2024, 6, 26))
WORDS = ("visit mother baby seen father absent concern bruise call referral school nursery plan meeting assessment "
         "housing rent arrears domestic abuse police health visitor clinic missed appointment").split()
CONTACT_TYPES = [t for t in G.ContactType.values() if t]


def agency(i: int) -> common_pb2.Agency:
    return common_pb2.Agency(agency_id=f"agency-{i:02d}", name=f"Agency {i}", kind=common_pb2.AGENCY_KIND_OTHER, area="Leeds",
                             area_type=common_pb2.AREA_TYPE_LOCAL_AUTHORITY)


def synthetic_return(i: int, entries: int) -> G.AgencyReturn:
    rng = random.Random(i)
    start = dt.date(2021, 1, 4)
    r = G.AgencyReturn(agency=agency(i), involvement=G.INVOLVEMENT_INVOLVED, involvement_period=G.Period(start=start.isoformat()),
                       involvement_summary="Involvement summary. " * 20)
    for n in range(entries):
        words = " ".join(rng.choice(WORDS) for _ in range(40))  # about 300 characters, a typical entry
        r.chronology.add(date=(start + dt.timedelta(days=rng.randrange(1200))).isoformat(), contact_type=rng.choice(CONTACT_TYPES),
                         practitioner_role="social worker", summary=f"Entry {n} ref {rng.getrandbits(64):016x}: {words}",
                         decisions="Decision recorded. " * 3)
    for k in range(5):
        r.learning.add(description="Learning. " * 20, themes=["information sharing", f"theme {k}"])
        r.good_practice.add(description="Good practice. " * 10)
        r.concerns.add(type=G.CONCERN_TYPE_INFORMATION_SHARING, about_agencies=[f"agency-{(i + 1) % 20:02d}"], description="Concern. " * 10)
        r.key_practice_episodes.add(title="Episode", period=G.Period(start="2023-05-01"), description="Episode. " * 20)
    return r


def contributions(returns: list[G.AgencyReturn]) -> list[Contribution]:
    out = []
    for r in returns:
        state = RequestState(case_id=CASE_ID, agency=r.agency, source=G.REQUEST_SOURCE_NOTIFICATION, opened_on=dt.date(2024, 6, 4),
                             starts_from=dt.date(2024, 6, 7), due=dt.date(2024, 6, 21), due_basis=G.DUE_BASIS_PANEL_NOTIFICATION,
                             first_returned_on=dt.date(2024, 6, 20), latest_version=1)
        out.append(Contribution(render_request(state, True, CALENDAR), r))
    return out


def timed_runs(fn, runs: int) -> tuple[list[float], object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return times, result


def describe(label: str, times: list[float]) -> dict[str, float]:
    summary = {"min_s": min(times), "median_s": statistics.median(times)}
    print(f"{label:<48} min {summary['min_s']:.3f} s   median {summary['median_s']:.3f} s   ({len(times)} runs)", flush=True)
    return summary


async def database_path(returns: list[G.AgencyReturn], runs: int) -> dict[str, object]:
    """Store the returns through the repository, then time the GetCollatedInformation path."""
    from rapidreview.gathering.handlers import GatheringHandlers
    from rapidreview.gathering.partnerships import PartnershipPolicies
    from rapidreview.gathering.storage import GatheringRepository
    from rapidreview.kernel.db import Database
    from rapidreview.kernel.migrations import upgrade_async
    from rapidreview.stack import PostgresServer

    folder = Path(tempfile.mkdtemp(prefix="rr-bench-pg-"))
    server = PostgresServer(folder)
    server.start()
    try:
        server.create_database("bench")
        url = server.url("bench")
        await upgrade_async("gathering", url)
        db = Database(url)
        cipher = FieldCipher(KeyRing.generate())
        started = time.perf_counter()
        async with db.transaction() as session:
            repo = GatheringRepository(session, cipher)
            await repo.open_case(case_id=CASE_ID, partnership="leeds", status=G.GATHERING_STATUS_OPEN, la_aware_date=dt.date(2024, 6, 4),
                                 panel_sent_date=dt.date(2024, 6, 7), return_working_days=10)
            for position, c in enumerate(contributions(returns)):
                state = RequestState(case_id=CASE_ID, agency=c.request.agency, source=G.REQUEST_SOURCE_NOTIFICATION,
                                     opened_on=dt.date(2024, 6, 4), starts_from=dt.date(2024, 6, 7), due=dt.date(2024, 6, 21),
                                     due_basis=G.DUE_BASIS_PANEL_NOTIFICATION)
                await repo.insert_requests([state], first_position=position)
                await repo.insert_return(case_id=CASE_ID, agency_id=state.agency_id, version=1, agency_return=c.agency_return,
                                         submitted_by="bench", submitted_on=dt.date(2024, 6, 20), late=False)
                await repo.update_request(CASE_ID, state.agency_id, latest_version=1, first_returned_on=dt.date(2024, 6, 20))
        store_s = time.perf_counter() - started
        print(f"{'store every return (one transaction)':<48} {store_s:.3f} s", flush=True)

        infra = type("Infra", (), {"calendar": CALENDAR, "cipher": cipher, "db": db})()
        from rapidreview.rules.parameters import RuleParameters

        handlers = GatheringHandlers(infra, PartnershipPolicies(), RuleParameters.load_default())  # type: ignore[arg-type]
        times = []
        collated = None
        for _ in range(runs):
            started = time.perf_counter()
            async with db.transaction() as session:
                repo = GatheringRepository(session, cipher)
                collated = await handlers._collate(repo, await repo.get_case(CASE_ID))
            times.append(time.perf_counter() - started)
        assert collated is not None and collated.completeness.returned == len(returns)
        await db.dispose()
        return {"store_s": store_s, "get_collated": describe("GetCollatedInformation path (read, decrypt, collate)", times)}
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", action="store_true", help="also time the database path on a temporary PostgreSQL")
    args = parser.parse_args()

    print(f"=== Gathering collation: {args.agencies} agencies x {args.entries} chronology entries "
          f"(cpu cores: {os.cpu_count()}, Python {platform.python_version()}) ===", flush=True)
    returns = [synthetic_return(i, args.entries) for i in range(args.agencies)]
    sizes = [r.ByteSize() for r in returns]
    print(f"{'returns built':<48} {sum(sizes) / 1e6:.1f} MB serialized ({sum(sizes) // len(sizes) // 1024} KB per return)")
    items = contributions(returns)

    collate_times, collated = timed_runs(lambda: collate(CASE_ID, "leeds", G.GATHERING_STATUS_OPEN, 1, items,
                                                         dt.datetime.now(dt.UTC)), args.runs)
    results: dict[str, object] = {"agencies": args.agencies, "entries_per_agency": args.entries,
                                  "collate": describe("collate (merge, duplicates, themes, completeness)", collate_times)}
    entries = sum(len(d.entries) for d in collated.chronology)  # type: ignore[attr-defined]
    flagged = sum(1 for d in collated.chronology for e in d.entries if e.possible_duplicate_of)  # type: ignore[attr-defined]
    print(f"{'merged chronology':<48} {entries} entries on {len(collated.chronology)} days, {flagged} flagged as possible duplicates")  # type: ignore[attr-defined]

    event_times, event = timed_runs(lambda: collated_event(collated, G.COLLATION_TRIGGER_ALL_RETURNED), args.runs)  # type: ignore[arg-type]
    results["event"] = describe("build information.collated", event_times)
    results["event_bytes"] = event.ByteSize()  # type: ignore[attr-defined]
    print(f"{'information.collated size':<48} {event.ByteSize() / 1024:.0f} KB "  # type: ignore[attr-defined]
          f"({len(event.chronology_highlights)} highlights, truncated: {event.chronology_highlights_truncated})")  # type: ignore[attr-defined]

    cipher = FieldCipher(KeyRing.generate())
    sealed = [cipher.seal(base64.b64encode(r.SerializeToString()).decode(), f"return:{CASE_ID}:{r.agency.agency_id}:v1:body") for r in returns]

    def open_all() -> list[G.AgencyReturn]:
        out = []
        for r, token in zip(returns, sealed, strict=True):
            body = G.AgencyReturn()
            body.ParseFromString(base64.b64decode(cipher.open(token, f"return:{CASE_ID}:{r.agency.agency_id}:v1:body")))
            out.append(body)
        return out

    open_times, _ = timed_runs(open_all, args.runs)
    results["decrypt_parse"] = describe("decrypt and parse every latest return", open_times)

    if args.database:
        results["database"] = asyncio.run(database_path(returns, args.runs))


if __name__ == "__main__":
    main()
