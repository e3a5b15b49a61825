"""Drives cases through the running pipeline as partner systems do, and watches
the events that say how far each case got.

One case: NotifyIncident (the notifying LA) and RecordPanelNotification ->
gathering opens one request per agency (agency.request_opened) -> each agency
submits its return (SubmitAgencyReturn) -> the last return collates
(information.collated) -> criteria stores the full checklist
(criteria.evaluated with trigger INFORMATION_COLLATED). Latency is measured
from just before NotifyIncident to the arrival of that criteria.evaluated.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field

import grpc
import nats

from harness import BenchStack, example_returns, notification_request
from rapidreview.kernel.auth import Role
from rapidreview.kernel.events import decode_envelope
from rapidreview.v1 import criteria_pb2, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc

FULL = criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED
#: Overload answers are given before a service does any work for the call (admission control,
#: the per-caller rate limit), so the driver retries them as a partner client does, after the
#: advised delay (google.rpc.RetryInfo; 1 s here), a bounded number of times.
REFUSED_BEFORE_WORK = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED)
RETRIES = 5
RETRY_DELAY = 1.0


async def call_with_retry(method, request, *, metadata, timeout: float, retried: list[int] | None = None):  # type: ignore[no-untyped-def]
    """`method(request)`, retried when the service refused it for overload before doing any work."""
    for attempt in range(RETRIES + 1):
        try:
            return await method(request, metadata=metadata, timeout=timeout)
        except grpc.aio.AioRpcError as exc:
            refused = exc.code() in REFUSED_BEFORE_WORK and ("overloaded" in (exc.details() or "") or
                                                            exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED)
            if not refused or attempt == RETRIES:
                raise
            if retried is not None:
                retried[0] += 1
            await asyncio.sleep(RETRY_DELAY)
    raise AssertionError("unreachable")


@dataclass
class CaseTimes:
    started: float
    notified: float = 0.0
    opened: float = 0.0
    submitted: float = 0.0
    collated: float = 0.0
    checklist: float = 0.0
    error: str = ""


@dataclass
class EventWatcher:
    """Core NATS subscriptions (as the admin user) on the subjects that mark a
    case's progress. Counts and arrival times per case id."""

    url: str
    auth: dict[str, str]
    opened: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    first_checklist: dict[str, float] = field(default_factory=dict)
    full_checklist: dict[str, float] = field(default_factory=dict)
    collated: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reached: dict[tuple[str, str], float] = field(default_factory=dict)
    _waiters: dict[tuple[str, str], asyncio.Future[float]] = field(default_factory=dict)
    _agencies: int = 7

    async def start(self) -> EventWatcher:
        servers = [u.strip() for u in self.url.split(",") if u.strip()]  # every node of a cluster
        self.nc = await nats.connect(servers, **self.auth, pending_size=256 * 1024 * 1024)
        await self.nc.subscribe("rr.v1.>", cb=self._on_message, pending_msgs_limit=1_000_000, pending_bytes_limit=1 << 30)
        await self.nc.flush()
        return self

    async def stop(self) -> None:
        await self.nc.close()

    async def _on_message(self, msg) -> None:  # type: ignore[no-untyped-def]
        now = time.perf_counter()
        subject = msg.subject
        self.counts[subject] += 1
        if subject == "rr.v1.agency.request_opened":
            case_id = decode_envelope(msg.data).case_id
            self.opened[case_id] += 1
            if self.opened[case_id] == self._agencies:
                self._resolve(case_id, "opened", now)
        elif subject == "rr.v1.information.collated":
            case_id = decode_envelope(msg.data).case_id
            self.collated.setdefault(case_id, now)
            self._resolve(case_id, "collated", now)
        elif subject == "rr.v1.criteria.evaluated":
            envelope = decode_envelope(msg.data)
            payload = criteria_pb2.CriteriaEvaluated()
            envelope.payload.Unpack(payload)
            if payload.checklist.trigger == FULL:
                self.full_checklist.setdefault(envelope.case_id, now)
                self._resolve(envelope.case_id, "checklist", now)
            else:
                self.first_checklist.setdefault(envelope.case_id, now)

    def _resolve(self, case_id: str, what: str, now: float) -> None:
        self.reached.setdefault((case_id, what), now)
        waiter = self._waiters.pop((case_id, what), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(now)

    async def wait(self, case_id: str, what: str, timeout: float) -> float:
        """The arrival time of `what` ("opened", "collated" or "checklist") for the case."""
        seen = self.reached.get((case_id, what))
        if seen is not None:
            return seen
        waiter = self._waiters.setdefault((case_id, what), asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(asyncio.shield(waiter), timeout)


class Pipeline:
    """Authenticated stubs for every caller of a case, over one channel per service; with
    replicas of a service the channel spreads its calls over them in turn (round robin)."""

    def __init__(self, bench: BenchStack, watcher: EventWatcher, *, panel_notification: bool = True, timeout: float = 60.0) -> None:
        self.bench = bench
        self.watcher = watcher
        self.panel_notification = panel_notification
        self.timeout = timeout
        options = [("grpc.max_receive_message_length", 64 * 1024 * 1024), ("grpc.max_send_message_length", 64 * 1024 * 1024),
                   ("grpc.lb_policy_name", "round_robin")]
        self.intake_channel = grpc.aio.insecure_channel(bench.target("intake"), options=options)
        self.gathering_channel = grpc.aio.insecure_channel(bench.target("gathering"), options=options)
        self.intake = intake_pb2_grpc.IntakeServiceStub(self.intake_channel)
        self.gathering = gathering_pb2_grpc.GatheringServiceStub(self.gathering_channel)
        self.la = bench.metadata(Role.NOTIFYING_LA)
        self.returns = example_returns()
        self.agency_md = {agency: bench.metadata(Role.AGENCY, agency=agency) for agency in self.returns}
        self.counter = 0
        self.retried = [0]  #: calls retried after an overload answer (none stored anything)

    async def close(self) -> None:
        await self.intake_channel.close()
        await self.gathering_channel.close()

    async def notify(self, request: intake_pb2.NotifyIncidentRequest | None = None) -> tuple[str, float]:
        """NotifyIncident (+ RecordPanelNotification); returns the case id and the start time.
        `request`: the notification to send (by default the example with a fresh idempotency key)."""
        self.counter += 1
        request = request or notification_request(self.counter)
        started = time.perf_counter()
        incident = (await call_with_retry(self.intake.NotifyIncident, request, metadata=self.la, timeout=self.timeout,
                                          retried=self.retried)).incident
        if self.panel_notification:
            await call_with_retry(self.intake.RecordPanelNotification, intake_pb2.RecordPanelNotificationRequest(
                case_id=incident.case_id, reference=f"PANEL-{self.counter}", sent_date="2024-06-07"),
                metadata=self.la, timeout=self.timeout, retried=self.retried)
        return incident.case_id, started

    async def submit_all(self, case_id: str, returns: dict | None = None) -> None:
        """Every agency's return, concurrently, as each agency."""
        returns = returns or self.returns

        async def one(agency_id: str) -> None:
            request = type(returns[agency_id])()
            request.CopyFrom(returns[agency_id])
            request.case_id = case_id
            await call_with_retry(self.gathering.SubmitAgencyReturn, request, metadata=self.agency_md[agency_id],
                                  timeout=self.timeout, retried=self.retried)

        await asyncio.gather(*(one(a) for a in returns))

    async def run_case(self) -> CaseTimes:
        """One case from notification to its full checklist."""
        started = time.perf_counter()
        times = CaseTimes(started)
        try:
            case_id, times.started = await self.notify()
            times.notified = time.perf_counter()
            times.opened = await self.watcher.wait(case_id, "opened", self.timeout)
            await self.submit_all(case_id)
            times.submitted = time.perf_counter()
            times.checklist = await self.watcher.wait(case_id, "checklist", self.timeout)
            times.collated = self.watcher.collated.get(case_id, 0.0)
        except (grpc.aio.AioRpcError, TimeoutError, asyncio.TimeoutError) as exc:
            times.error = f"{exc.code().name} ({exc.details()[:60]})" if isinstance(exc, grpc.aio.AioRpcError) else "timeout"
        return times
