"""CANCELLED under overload, found and fixed.

The cause: a gRPC aio server takes the next call from its core once per turn of its event loop;
while the loop is saturated, calls wait in the core, which cancels any that waited longer than
`grpc.server_max_unrequested_time_in_server` (30 s by default): CANCELLED, details "CANCELLED",
and the service never saw the call, so it logged nothing. Reproduced here with a small load
(100-300 calls on handlers that hold the loop a few ms at a time, that limit lowered to 1 s so
it takes seconds, not minutes). The fix, proved on the same load: calls wait for their caller's
own deadline instead (the services' servers wait 600 s; DEADLINE_EXCEEDED, which callers retry),
and admission control answers calls beyond what the process can take with UNAVAILABLE and a
retry delay (google.rpc.RetryInfo), so a client that retries as advised gets every call through."""

from __future__ import annotations

import asyncio
import collections
import threading
import time
import uuid

import grpc
import pytest

from rapidreview.kernel.admission import Admission
from rapidreview.kernel.auth import Principal, Role, Scope
from rapidreview.kernel.grpc_errors import retry_delay
from rapidreview.kernel.server import MAX_UNREQUESTED_SECONDS, SERVER_OPTIONS, ApiInterceptor
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.support.harness import Caller, RunningService, dev_credentials, service_env

pytestmark = pytest.mark.integration

METHOD = "/rapidreview.test.Load/Work"
CALLS = 100


async def _cpu_bound(request: bytes, context) -> bytes:  # type: ignore[no-untyped-def]
    """20 ms of CPU in five slices: while it runs, the event loop does nothing else."""
    for _ in range(5):
        time.sleep(0.004)
        await asyncio.sleep(0.005)
    return request


async def _io_bound(request: bytes, context) -> bytes:  # type: ignore[no-untyped-def]
    """Little CPU, a long wait (a slow database): calls pile up in progress."""
    time.sleep(0.001)
    await asyncio.sleep(0.2)
    return request


async def _server(handler, interceptors: list, unrequested: int) -> tuple[grpc.aio.Server, int]:  # type: ignore[no-untyped-def,type-arg]
    server = grpc.aio.server(interceptors=interceptors, options=[("grpc.server_max_unrequested_time_in_server", unrequested)])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "rapidreview.test.Load", {"Work": grpc.unary_unary_rpc_method_handler(handler)})])
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, port


def _load(port: int, *, calls: int = 100, deadline: float = 30.0, retry: bool = False) -> collections.Counter:  # type: ignore[type-arg]
    """`calls` concurrent calls from a thread of its own (the server's loop is the one saturated);
    with `retry`, each refused call is sent again after the delay the server advised."""
    results: collections.Counter = collections.Counter()  # type: ignore[type-arg]
    delays = []

    def run() -> None:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(METHOD)
            pending = [call.future(b"x", timeout=deadline) for _ in range(calls)]
            for attempt in range(30):
                again = []
                for future in pending:
                    try:
                        future.result()
                        results["OK"] += 1
                    except grpc.RpcError as error:
                        results[error.code().name] += 1
                        delay = retry_delay(error)
                        if delay is not None:
                            delays.append(delay)
                        if retry and error.code() == grpc.StatusCode.UNAVAILABLE and delay is not None:
                            again.append(delay)
                if not again:
                    return
                time.sleep(min(max(again), 2.0))
                pending = [call.future(b"x", timeout=deadline) for _ in again]

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    results["delays advised"] = len(delays)
    return results


async def _under_load(port: int, **kw) -> collections.Counter:  # type: ignore[type-arg]
    return await asyncio.to_thread(_load, port, **kw)


def _interceptor(admission: Admission) -> ApiInterceptor:
    principal = Principal(subject="load", role=Role.BUSINESS_UNIT, partnership="leeds")
    return ApiInterceptor(lambda metadata, context: principal, {METHOD: {Role.BUSINESS_UNIT: Scope.OWN_PARTNERSHIP}},
                          admission=admission)


async def test_a_saturated_server_cancels_calls_it_never_saw():
    server, port = await _server(_cpu_bound, [], unrequested=1)
    try:
        results = await _under_load(port, calls=300)
    finally:
        await server.stop(None)
    assert results["CANCELLED"] > 0 and results["OK"] + results["CANCELLED"] == 300, results


async def test_waiting_calls_reach_their_own_deadline_instead_of_being_cancelled():
    """The same load on a server that lets calls wait longer than their callers' deadlines (10 s
    against 3 s here; 600 s against partner deadlines of seconds in the services)."""
    admission = Admission(max_in_flight=8, max_loop_lag=0.3, retry_after=0.5)
    watcher = asyncio.create_task(admission.watch(0.05))
    server, port = await _server(_cpu_bound, [_interceptor(admission)], unrequested=10)
    try:
        results = await _under_load(port, calls=300, deadline=3.0)
    finally:
        await server.stop(None)
        watcher.cancel()
    assert results["CANCELLED"] == 0 and results["OK"] > 0, results
    assert results["OK"] + results["DEADLINE_EXCEEDED"] + results["UNAVAILABLE"] == 300, results
    assert results["delays advised"] == results["UNAVAILABLE"]
    assert MAX_UNREQUESTED_SECONDS >= 10 * 60 and ("grpc.server_max_unrequested_time_in_server", MAX_UNREQUESTED_SECONDS) in SERVER_OPTIONS


async def test_calls_beyond_what_the_process_can_take_get_unavailable_with_a_retry_delay():
    admission = Admission(max_in_flight=8, max_loop_lag=0.3, retry_after=0.3)
    watcher = asyncio.create_task(admission.watch(0.05))
    server, port = await _server(_io_bound, [_interceptor(admission)], unrequested=1)
    try:
        refused = await _under_load(port, calls=CALLS)
        retried = await _under_load(port, calls=CALLS, retry=True)
    finally:
        await server.stop(None)
        watcher.cancel()
    assert refused["UNAVAILABLE"] > 0 and refused["OK"] + refused["UNAVAILABLE"] == CALLS, refused
    assert refused["delays advised"] == refused["UNAVAILABLE"] and admission.refused >= refused["UNAVAILABLE"]
    assert retried["OK"] == CALLS and retried["CANCELLED"] == 0, retried


async def test_a_service_over_its_cap_refuses_with_retry_advice_and_logs_nothing_as_an_error(fresh_database, nats_server, tmp_path):
    creds = dev_credentials(tmp_path / "creds")
    env = service_env(fresh_database, nats_server.url, creds, RR_MAX_CONCURRENT_RPCS="2", RR_RATE_LIMIT_RPS="100000",
                      RR_RATE_LIMIT_BURST="100000")
    service = await RunningService("intake", env).start()
    try:
        md = Caller(creds, Role.BUSINESS_UNIT).metadata()
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = intake_pb2_grpc.IntakeServiceStub(channel)
            outcomes = await asyncio.gather(*[stub.ListIncidents(intake_pb2.ListIncidentsRequest(), metadata=md, timeout=30)
                                              for _ in range(60)], return_exceptions=True)
            refused = [o for o in outcomes if isinstance(o, grpc.aio.AioRpcError)]
            assert refused and all(e.code() == grpc.StatusCode.UNAVAILABLE and retry_delay(e) == 1.0 for e in refused)
            assert len(refused) + sum(isinstance(o, intake_pb2.ListIncidentsResponse) for o in outcomes) == 60
            assert service.infra.admission.in_flight == 0 and service.infra.admission.refused == len(refused)
            # nothing was stored by a refused command: a notification refused and retried makes one case
            key = f"overload-{uuid.uuid4().hex[:12]}"
            from tests.support.examples import example_notification

            request = intake_pb2.NotifyIncidentRequest(idempotency_key=key, notification=example_notification())
            results = await asyncio.gather(*[stub.NotifyIncident(request, metadata=Caller(creds, Role.NOTIFYING_LA).metadata(),
                                                                 timeout=30) for _ in range(20)], return_exceptions=True)
            case_ids = {r.incident.case_id for r in results if not isinstance(r, Exception)}
            assert len(case_ids) == 1
            assert all(r.code() == grpc.StatusCode.UNAVAILABLE for r in results if isinstance(r, Exception))
    finally:
        await service.stop()
