"""Load: 32 concurrent partner clients against the embedded stack (loopback only), each
with its own identity and the production rate limit (20 calls/s, bursts of 40), for a
bounded period and a bounded number of calls. Half are notifying local authorities
(NotifyIncident, RecordPanelNotification, GetIncident, ListIncidents), half agencies
(GetRequestStatus, SubmitAgencyReturn, GetAgencyReturn on the cases the authorities
opened). Every call must succeed, and afterwards nothing may be lost: every case in every
service, every return stored, every event consumed. Throughput and latency percentiles
are recorded (docs/reliability.md)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.v1 import gathering_pb2, intake_pb2
from tests.reliability import profile
from tests.reliability.pipeline import (
    AGENCIES, PANEL_SENT, PARTNERSHIP, Api, CasePlan, StreamWatcher, metadata, notification_request, return_request,
)
from tests.reliability.reconcile import Findings, check_streams, read_snapshot, wait_quiescent
from tests.reliability.stack import embedded_stack

pytestmark = pytest.mark.integration


@dataclass
class Shared:
    """What the authorities' clients opened, for the agencies' clients to answer."""

    cases: list[str] = field(default_factory=list)
    answered: set[tuple[str, str]] = field(default_factory=set)
    submitted: set[tuple[str, str]] = field(default_factory=set)
    new_case: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Stats:
    latency: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    calls: int = 0

    def timed(self, method: str, seconds: float) -> None:
        self.latency.setdefault(method, []).append(seconds)
        self.calls += 1


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99), "max_ms": round(1000 * ordered[-1], 1)}


class Client:
    """One partner system: its own token, one call at a time, stops at the deadline or its call budget."""

    def __init__(self, index: int, api: Api, token: str, stats: Stats, deadline: float, max_calls: int) -> None:
        self.index, self.api, self.token, self.stats = index, api, token, stats
        self.deadline, self.max_calls, self.calls = deadline, max_calls, 0

    @property
    def going(self) -> bool:
        return time.monotonic() < self.deadline and self.calls < self.max_calls

    async def call(self, service: str, method: str, request):  # type: ignore[no-untyped-def]
        self.calls += 1
        started = time.monotonic()
        try:
            return await getattr(self.api.stub(service), method)(request, metadata=metadata(self.token), timeout=30)
        except grpc.aio.AioRpcError as exc:
            self.stats.errors[f"{method}:{exc.code().name}"] += 1
            return None
        finally:
            self.stats.timed(method, time.monotonic() - started)


async def authority(client: Client, shared: Shared, run: str) -> None:
    n = 0
    while client.going:
        plan = CasePlan(index=client.index * 100000 + n, run=run, variant="complete", agencies=AGENCIES, decide=False)
        n += 1
        created = await client.call("intake", "NotifyIncident", notification_request(plan))
        if created is None:
            continue
        case_id = created.incident.case_id
        shared.cases.append(case_id)
        shared.new_case.set()
        if not client.going:
            break
        await client.call("intake", "RecordPanelNotification", intake_pb2.RecordPanelNotificationRequest(
            case_id=case_id, reference=f"PANEL-{plan.key}", sent_date=PANEL_SENT))
        if not client.going:
            break
        await client.call("intake", "GetIncident", intake_pb2.GetIncidentRequest(case_id=case_id))
        if n % 5 == 0 and client.going:
            await client.call("intake", "ListIncidents", intake_pb2.ListIncidentsRequest(page_size=20))


async def agency(client: Client, agency_id: str, shared: Shared, watcher: StreamWatcher) -> None:
    while client.going:
        ready = [c for c in shared.cases if (c, agency_id) not in shared.answered and agency_id in watcher.case(c).opened]
        if not ready:
            shared.new_case.clear()
            try:
                async with asyncio.timeout(min(1.0, max(client.deadline - time.monotonic(), 0.01))):
                    await shared.new_case.wait()  # or a request opened meanwhile: look again
            except TimeoutError:
                pass
            continue
        case_id = ready[0]
        shared.answered.add((case_id, agency_id))
        status = await client.call("gathering", "GetRequestStatus", gathering_pb2.GetRequestStatusRequest(case_id=case_id))
        if status is None or not client.going:
            continue
        stored = await client.call("gathering", "SubmitAgencyReturn", return_request(case_id, agency_id))
        if stored is None:
            continue
        shared.submitted.add((case_id, agency_id))
        if client.going:
            await client.call("gathering", "GetAgencyReturn", gathering_pb2.GetAgencyReturnRequest(case_id=case_id, agency_id=agency_id))


@pytest.mark.timeout(profile.current().timeout)
async def test_32_partner_clients_for_a_bounded_period_get_no_errors_and_lose_nothing():
    settings = profile.current()
    # The production rate limit per caller, not the suites' raised one.
    async with embedded_stack(env={"RR_RATE_LIMIT_RPS": "20", "RR_RATE_LIMIT_BURST": "40"}) as stack:
        api = Api(stack)
        watcher = StreamWatcher(stack.nats_connect_options())
        await watcher.start()
        stats, shared = Stats(), Shared()
        creds = stack.credentials
        run = f"load{int(time.time())}"
        clients = settings.load_clients
        started = time.monotonic()
        deadline = started + settings.load_seconds
        tasks = []
        for i in range(clients):
            if i % 2 == 0:
                token = creds.token(Role.NOTIFYING_LA, partnership=PARTNERSHIP, subject=f"la-system-{i}")
                tasks.append(authority(Client(i, api, token, stats, deadline, settings.load_max_calls), shared, run))
            else:
                agency_id = AGENCIES[(i // 2) % len(AGENCIES)]
                token = creds.token(Role.AGENCY, partnership=PARTNERSHIP, agency=agency_id, subject=f"{agency_id}-system-{i}")
                tasks.append(agency(Client(i, api, token, stats, deadline, settings.load_max_calls), agency_id, shared, watcher))
        await asyncio.wait_for(asyncio.gather(*tasks), settings.load_seconds + 120)
        elapsed = time.monotonic() - started
        await watcher.stop()
        await api.close()

        settle = await wait_quiescent(stack)
        snap = await read_snapshot(stack)
        f = Findings()
        check_streams(f, snap.stores, snap.events, snap.dead_letters, snap.consumers)
        cases = set(shared.cases)
        for schema, table in (("intake", "incidents"), ("gathering", "cases"), ("criteria", "cases"), ("decisions", "cases")):
            stored = {r["case_id"] for r in snap.stores[schema][table]}
            for missing in sorted(cases - stored)[:10]:
                f.lost.append(f"case {missing} missing in {schema}.{table}")
            if stored - cases:
                f.wrong.append(f"{len(stored - cases)} cases in {schema}.{table} no client created")
        requests = Counter(r["case_id"] for r in snap.stores["gathering"]["requests"])
        for case_id in cases:
            if requests[case_id] != len(AGENCIES):
                (f.lost if requests[case_id] < len(AGENCIES) else f.doubled).append(f"case {case_id}: {requests[case_id]} requests")
        returns = Counter((r["case_id"], r["agency_id"]) for r in snap.stores["gathering"]["returns"])
        for key in shared.submitted:
            if returns[key] != 1:
                (f.lost if returns[key] < 1 else f.doubled).append(f"return {key}: {returns[key]} stored")
        if set(returns) - shared.submitted:
            f.wrong.append(f"{len(set(returns) - shared.submitted)} returns stored that no client submitted successfully")

        overall = [v for values in stats.latency.values() for v in values]
        figures = {
            **f.summary(),
            "clients": clients,
            "seconds": round(elapsed, 1),
            "calls": stats.calls,
            "errors": dict(stats.errors),
            "calls_per_s": round(stats.calls / elapsed, 1),
            "cases_opened": len(cases),
            "returns_submitted": len(shared.submitted),
            "latency_all": percentiles(overall),
            "latency": {method: percentiles(values) for method, values in sorted(stats.latency.items())},
            "settle_s": round(settle, 1),
        }
        figures.pop("snapshot", None)
        profile.record("load", figures)
        assert not stats.errors, dict(stats.errors)
        assert stats.calls >= clients, "the clients hardly called anything"
        f.assert_clean()
