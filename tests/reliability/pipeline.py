"""Pushes cases through the whole pipeline over the public gRPC API, the way the
partners would, and watches the event stream to know when the next step is
possible (no sleeping on a guess: every wait is on an event, with a bound).

A case: NotifyIncident -> RecordPanelNotification -> (intake's event opens one
request per agency in gathering) -> SubmitAgencyReturn per agency -> (an
amendment) -> CloseGathering -> (criteria evaluates the final collation) ->
RecordRecommendation -> RecordDecision -> RecordPanelSubmission
(decision.panel_submitted closes RR.DEADLINE in intake and criteria). One case in
ten is withdrawn after the Panel notification instead.

Every call is retried with its idempotency key while a component is down
(UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL...), so a retry after a lost answer
must not double anything: that is part of what the reconciliation checks.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import nats
import nats.errors
from google.protobuf import json_format
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from rapidreview.kernel.auth import Role
from rapidreview.kernel.events import EVENTS_STREAM, decode_envelope, unpack
from rapidreview.stack.supervisor import EmbeddedStack
from rapidreview.v1 import (
    criteria_pb2,
    criteria_pb2_grpc,
    decisions_pb2,
    decisions_pb2_grpc,
    gathering_pb2,
    gathering_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
PARTNERSHIP = "leeds"
PANEL_SENT = "2024-06-07"
AGENCIES = ("west-yorkshire-police", "gp-practice", "leeds-childrens-social-work")
RETURN_EXAMPLES = {"west-yorkshire-police": "police", "gp-practice": "gp-late", "leeds-childrens-social-work": "social-care"}
RETRYABLE = {
    grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN,
    grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.ABORTED, grpc.StatusCode.CANCELLED,
}
CHANNEL_OPTIONS = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
]
STUBS = {
    "intake": intake_pb2_grpc.IntakeServiceStub,
    "gathering": gathering_pb2_grpc.GatheringServiceStub,
    "criteria": criteria_pb2_grpc.CriteriaServiceStub,
    "decisions": decisions_pb2_grpc.DecisionServiceStub,
}


# -- what a case is made of ---------------------------------------------------------------------
VARIANTS = ("complete", "amended", "complete", "partial", "amended", "complete", "partial", "amended", "complete", "withdrawn")


@dataclass
class CasePlan:
    """One case: what the driver will do with it, and what it saw happen."""

    index: int
    run: str
    variant: str
    agencies: tuple[str, ...]
    decide: bool
    case_id: str = ""
    #: The business unit closes the gathering (CloseGathering), as this driver always does; a case
    #: whose returns are all in but never closed keeps its gathering open after the collation.
    gathering_closed: bool = True
    # filled in as the case goes
    steps_done: int = 0
    returns: dict[str, int] = field(default_factory=dict)  # agency -> versions submitted
    final_collation: int = 0
    evaluation_id: str = ""
    recommendation_id: str = ""
    decision_id: str = ""
    decided_on: str = ""
    submitted_on: str = ""
    done: bool = False

    @property
    def key(self) -> str:
        return f"rel-{self.run}-{self.index}"

    @property
    def withdrawn(self) -> bool:
        return self.variant == "withdrawn"

    @property
    def returning(self) -> tuple[str, ...]:
        """The agencies that send a return (a partial gathering misses the last one)."""
        return self.agencies[:-1] if self.variant == "partial" else self.agencies


def plan_cases(count: int, run: str | None = None) -> list[CasePlan]:
    run = run or uuid.uuid4().hex[:8]
    plans = []
    for i in range(count):
        variant = VARIANTS[i % len(VARIANTS)]
        agencies = AGENCIES[: 2 + i % 2]
        plans.append(CasePlan(index=i, run=run, variant=variant, agencies=agencies, decide=variant != "withdrawn" and i % 2 == 0))
    return plans


def notification_request(plan: CasePlan) -> intake_pb2.NotifyIncidentRequest:
    request = json_format.Parse((EXAMPLES / "notification.json").read_text(encoding="utf-8"), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = plan.key
    request.notification.child.child_ref = f"Child R{plan.run}{plan.index}"
    kept = [a for a in request.notification.agencies if a.agency_id in plan.agencies]
    del request.notification.agencies[:]
    request.notification.agencies.extend(kept)
    return request


def return_request(case_id: str, agency_id: str, *, amended: bool = False) -> gathering_pb2.SubmitAgencyReturnRequest:
    data = json.loads((EXAMPLES / f"agency-return-{RETURN_EXAMPLES[agency_id]}.json").read_text(encoding="utf-8"))
    request = json_format.ParseDict(data, gathering_pb2.SubmitAgencyReturnRequest())
    request.case_id = case_id
    if amended:
        request.agency_return.involvement_summary += " Amended after the strategy discussion."
    return request


def decisions_example(name: str, message_type: type, **fields: object) -> Any:
    msg = json_format.Parse((EXAMPLES / "decisions" / f"{name}.json").read_text(encoding="utf-8"), message_type())
    for key, value in fields.items():
        setattr(msg, key, value)
    return msg


# -- watching the event stream ------------------------------------------------------------------
@dataclass
class CaseEvents:
    """What the stream has shown about one case so far."""

    opened: set[str] = field(default_factory=set)
    collations: set[int] = field(default_factory=set)
    evaluations: list[tuple[str, int, int]] = field(default_factory=list)  # (evaluation_id, trigger, collation_version)
    decided: bool = False
    changed: asyncio.Event = field(default_factory=asyncio.Event)


class StreamWatcher:
    """A durable pull consumer of its own on RR_EVENTS (as the operators' admin user) that
    keeps per-case state and wakes whoever waits on that case. Survives NATS restarts."""

    def __init__(self, connect_options: dict[str, Any]) -> None:
        self.connect_options = connect_options
        self.cases: dict[str, CaseEvents] = {}
        self.seen: set[str] = set()
        self.durable = f"rel-watch-{uuid.uuid4().hex[:8]}"
        self.counts: Counter[str] = Counter()
        self._task: asyncio.Task[None] | None = None
        self.nc: Any = None

    def case(self, case_id: str) -> CaseEvents:
        return self.cases.setdefault(case_id, CaseEvents())

    async def start(self) -> None:
        self.nc = await nats.connect(**self.connect_options, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
                                     connect_timeout=2, name=self.durable)
        self._task = asyncio.create_task(self._run(), name="stream-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            # nats-py's fetch can swallow a cancellation; the loop then notices it on its next
            # turn (see _run), and closing the connection below ends a fetch in any case.
            await asyncio.wait({self._task}, timeout=10)
        if self.nc is not None:
            try:
                js = self.nc.jetstream(timeout=5)
                await js.delete_consumer(EVENTS_STREAM, self.durable)
            except Exception:  # noqa: BLE001 - best effort; the stream goes with the stack
                pass
            await self.nc.close()
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=10)
            assert self._task.done(), "the stream watcher did not stop"

    async def _run(self) -> None:
        while True:
            if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise asyncio.CancelledError  # a fetch swallowed our cancellation: stop anyway
            try:
                js = self.nc.jetstream(timeout=5)
                await js.add_consumer(EVENTS_STREAM, ConsumerConfig(
                    durable_name=self.durable, filter_subject="rr.v1.>", ack_policy=AckPolicy.EXPLICIT,
                    deliver_policy=DeliverPolicy.ALL, ack_wait=30, max_ack_pending=20000))
                sub = await js.pull_subscribe_bind(durable=self.durable, stream=EVENTS_STREAM)
                while True:
                    if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                        raise asyncio.CancelledError
                    try:
                        msgs = await sub.fetch(500, timeout=1.0)
                    except (nats.errors.TimeoutError, TimeoutError):
                        continue
                    for msg in msgs:
                        self._see(msg.data)
                        await msg.ack()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - NATS away or a node stopped: bind again
                await asyncio.sleep(0.5)

    def _see(self, data: bytes) -> None:
        try:
            envelope = decode_envelope(data)
        except Exception:  # noqa: BLE001 - the bad-event suite publishes garbage on purpose
            return
        if envelope.event_id in self.seen:
            return
        self.seen.add(envelope.event_id)
        self.counts[envelope.event_type] += 1
        state = self.case(envelope.case_id)
        kind = envelope.event_type
        try:
            if kind == "agency.request_opened":
                state.opened.add(unpack(envelope, gathering_pb2.AgencyRequestOpened).request.agency.agency_id)
            elif kind == "information.collated":
                state.collations.add(unpack(envelope, gathering_pb2.InformationCollated).collation_version)
            elif kind == "criteria.evaluated":
                checklist = unpack(envelope, criteria_pb2.CriteriaEvaluated).checklist
                state.evaluations.append((checklist.evaluation_id, checklist.trigger, checklist.collation_version))
            elif kind == "decision.recorded":
                state.decided = True
        except Exception:  # noqa: BLE001 - not ours to judge here
            return
        state.changed.set()

    async def wait_for(self, case_id: str, check, timeout: float, what: str):  # type: ignore[no-untyped-def]
        """Waits until `check(state)` is truthy for the case; returns its value."""
        state = self.case(case_id)
        deadline = time.monotonic() + timeout
        while True:
            found = check(state)
            if found:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"case {case_id}: timed out after {timeout:.0f}s waiting for {what}")
            state.changed.clear()
            try:
                async with asyncio.timeout(min(remaining, 5.0)):
                    await state.changed.wait()
            except TimeoutError:
                pass


# -- calling the services -----------------------------------------------------------------------
class Callers:
    """Bearer-token metadata per partner role (development tokens of the stack)."""

    def __init__(self, stack: EmbeddedStack) -> None:
        creds = stack.credentials
        self.la = creds.token(Role.NOTIFYING_LA, partnership=PARTNERSHIP)
        self.bu = creds.token(Role.BUSINESS_UNIT, partnership=PARTNERSHIP)
        self.rag = creds.token(Role.RAG_MEMBER, partnership=PARTNERSHIP)
        self.executive = creds.token(Role.EXECUTIVE, partnership=PARTNERSHIP)
        self.auditor = creds.token(Role.AUDITOR, partnership=PARTNERSHIP)
        self.agency = {a: creds.token(Role.AGENCY, partnership=PARTNERSHIP, agency=a) for a in AGENCIES}


def metadata(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"), ("x-request-id", uuid.uuid4().hex))


class Api:
    """gRPC stubs of every service process (replicas in turn) with bounded retries."""

    def __init__(self, stack: EmbeddedStack, *, call_timeout: float = 15.0, retry_for: float = 240.0) -> None:
        self.channels: list[grpc.aio.Channel] = []
        self.stubs: dict[str, list[tuple[str, Any]]] = {}
        for proc in stack.processes:
            channel = grpc.aio.insecure_channel(proc.address, options=CHANNEL_OPTIONS)
            self.channels.append(channel)
            self.stubs.setdefault(proc.service, []).append((proc.name, STUBS[proc.service](channel)))
        self._turn = {name: itertools.cycle(range(len(stubs))) for name, stubs in self.stubs.items()}
        self.call_timeout = call_timeout
        self.retry_for = retry_for
        self.retries: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.latency: dict[str, list[float]] = {}  # seconds per attempt, by method
        self.calls_by_process: Counter[str] = Counter()

    async def close(self) -> None:
        for channel in self.channels:
            await channel.close()

    def stub(self, service: str) -> Any:
        name, stub = self.stubs[service][next(self._turn[service])]
        self.calls_by_process[name] += 1
        return stub

    async def call(self, service: str, method: str, request: Any, token: str, *,
                   also_retry: tuple[grpc.StatusCode, ...] = (), slots: asyncio.Semaphore | None = None) -> Any:
        """Calls until an answer that is not a transient failure, within `retry_for` seconds.
        `slots` bounds the calls in flight (not the back-off between attempts)."""
        deadline = time.monotonic() + self.retry_for
        delay = 0.1
        while True:
            self.calls[method] += 1
            started = time.monotonic()
            try:
                if slots is None:
                    return await self._attempt(service, method, request, token)
                async with slots:
                    started = time.monotonic()
                    return await self._attempt(service, method, request, token)
            except grpc.aio.AioRpcError as exc:
                if (exc.code() not in RETRYABLE and exc.code() not in also_retry) or time.monotonic() > deadline:
                    raise
                self.retries[f"{method}:{exc.code().name}"] += 1
            finally:
                self.latency.setdefault(method, []).append(time.monotonic() - started)
            await asyncio.sleep(delay)  # back-off between attempts, not a wait for an event
            delay = min(delay * 2, 2.0)

    async def _attempt(self, service: str, method: str, request: Any, token: str) -> Any:
        return await getattr(self.stub(service), method)(request, metadata=metadata(token), timeout=self.call_timeout)


# -- the driver ---------------------------------------------------------------------------------
class PipelineDriver:
    """Runs every planned case concurrently (at most `concurrency` calls at once)."""

    def __init__(self, stack: EmbeddedStack, plans: list[CasePlan], *, concurrency: int = 16, step_timeout: float | None = None) -> None:
        self.stack = stack
        self.plans = plans
        # Every case starts at once, so a step may wait behind the whole backlog: bounds grow with it.
        bound = max(300.0, 1.5 * len(plans))
        self.api = Api(stack, retry_for=bound)
        self.callers = Callers(stack)
        self.watcher = StreamWatcher(stack.nats_connect_options())
        self.slots = asyncio.Semaphore(concurrency)
        self.step_timeout = step_timeout or bound
        self.progress = 0
        self.progress_changed = asyncio.Event()
        self.stage_seconds: dict[str, list[float]] = {}

    def _timed(self, stage: str, started: float) -> None:
        self.stage_seconds.setdefault(stage, []).append(time.monotonic() - started)

    @property
    def total_steps(self) -> int:
        return sum(self.steps_of(p) for p in self.plans)

    @staticmethod
    def steps_of(plan: CasePlan) -> int:
        if plan.withdrawn:
            return 3
        return 2 + len(plan.returning) + (1 if plan.variant == "amended" else 0) + 1 + (2 if plan.decide else 0)

    async def __aenter__(self) -> PipelineDriver:
        await self.watcher.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.watcher.stop()
        await self.api.close()

    def _step(self, plan: CasePlan) -> None:
        plan.steps_done += 1
        self.progress += 1
        self.progress_changed.set()

    async def wait_progress(self, steps: int, timeout: float) -> None:
        """Waits until the driver has completed `steps` steps in all (bounded)."""
        deadline = time.monotonic() + timeout
        while self.progress < steps:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"pipeline stalled at {self.progress}/{steps} steps")
            self.progress_changed.clear()
            try:
                async with asyncio.timeout(min(remaining, 5.0)):
                    await self.progress_changed.wait()
            except TimeoutError:
                pass

    async def _call(self, service: str, method: str, request: Any, token: str, **kw: Any) -> Any:
        started = time.monotonic()
        try:
            return await self.api.call(service, method, request, token, slots=self.slots, **kw)
        finally:
            self._timed(method, started)

    async def run(self) -> float:
        """Drives every case to its end; returns the seconds it took."""
        started = time.monotonic()
        await asyncio.gather(*(self.run_case(plan) for plan in self.plans))
        return time.monotonic() - started

    async def run_case(self, plan: CasePlan) -> None:
        c = self.callers
        response = await self._call("intake", "NotifyIncident", notification_request(plan), c.la)
        plan.case_id = response.incident.case_id
        self._step(plan)
        await self._call("intake", "RecordPanelNotification", intake_pb2.RecordPanelNotificationRequest(
            case_id=plan.case_id, reference=f"PANEL-{plan.run}-{plan.index}", sent_date=PANEL_SENT), c.la)
        self._step(plan)
        if plan.withdrawn:
            await self._call("intake", "WithdrawIncident", intake_pb2.WithdrawIncidentRequest(
                case_id=plan.case_id, reason="Notified in error: the injuries were found to be accidental."), c.la)
            self._step(plan)
            plan.done = True
            return
        started = time.monotonic()
        await self.watcher.wait_for(plan.case_id, lambda s: set(plan.agencies) <= s.opened, self.step_timeout,
                                    "every information request to be opened")
        self._timed("wait:requests_opened", started)
        for agency_id in plan.returning:
            await self._submit(plan, agency_id, amended=False)
        if plan.variant == "amended":
            await self._submit(plan, plan.agencies[0], amended=True)
        plan.final_collation = await self._close(plan)
        self._step(plan)
        if plan.decide:
            await self._decide(plan)
        plan.done = True

    async def _submit(self, plan: CasePlan, agency_id: str, *, amended: bool) -> None:
        await self._call("gathering", "SubmitAgencyReturn", return_request(plan.case_id, agency_id, amended=amended),
                         self.callers.agency[agency_id])
        plan.returns[agency_id] = plan.returns.get(agency_id, 0) + 1
        self._step(plan)

    async def _close(self, plan: CasePlan) -> int:
        """CloseGathering; after a lost answer the retry finds it closed: then read the version."""
        request = gathering_pb2.CloseGatheringRequest(case_id=plan.case_id)
        try:
            response = await self._call("gathering", "CloseGathering", request, self.callers.bu)
            return response.collated.collation_version
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.FAILED_PRECONDITION:
                raise
        collated = (await self._call("gathering", "GetCollatedInformation", gathering_pb2.GetCollatedInformationRequest(
            case_id=plan.case_id), self.callers.bu)).collated
        assert collated.status == gathering_pb2.GATHERING_STATUS_CLOSED, f"case {plan.case_id}: close refused but not closed"
        return collated.collation_version

    async def _decide(self, plan: CasePlan) -> None:
        final = plan.final_collation

        def final_evaluation(state: CaseEvents) -> str | None:
            for evaluation_id, trigger, version in state.evaluations:
                if trigger == criteria_pb2.EVALUATION_TRIGGER_INFORMATION_COLLATED and version == final:
                    return evaluation_id
            return None

        started = time.monotonic()
        plan.evaluation_id = await self.watcher.wait_for(plan.case_id, final_evaluation, self.step_timeout,
                                                         f"the evaluation of collation {final}")
        self._timed("wait:final_evaluation", started)
        # decisions may not have consumed the case or the evaluation yet: NOT_FOUND / INVALID_ARGUMENT
        # ("no criteria evaluation with this id has been received") mean "not yet" here.
        recommendation = decisions_example("recommendation", decisions_pb2.RecordRecommendationRequest, case_id=plan.case_id,
                                           evaluation_id=plan.evaluation_id, idempotency_key=f"{plan.key}-rec")
        response = await self._call("decisions", "RecordRecommendation", recommendation, self.callers.rag,
                                    also_retry=(grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT))
        plan.recommendation_id = response.recommendation.recommendation_id
        self._step(plan)
        decision = decisions_example("decision", decisions_pb2.RecordDecisionRequest, case_id=plan.case_id,
                                     recommendation_id=plan.recommendation_id, idempotency_key=f"{plan.key}-dec")
        response = await self._call("decisions", "RecordDecision", decision, self.callers.executive)
        plan.decision_id = response.decision.decision_id
        plan.decided_on = response.decision.decided_on
        self._step(plan)
        submission = decisions_example("panel-submission", decisions_pb2.RecordPanelSubmissionRequest, case_id=plan.case_id,
                                       decision_id=plan.decision_id, idempotency_key=f"{plan.key}-sub")
        response = await self._call("decisions", "RecordPanelSubmission", submission, self.callers.bu)
        plan.submitted_on = response.submission.sent_date
        self._step(plan)
