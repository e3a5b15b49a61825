"""Scale-out without containers: two replicas of every service (each its own process)
against a 3-node JetStream cluster (three nats-server processes clustered on loopback,
streams and consumers with 3 replicas) and PostgreSQL. Cases are pushed through the whole
pipeline while the node leading RR_EVENTS is stopped (it stays down) and one replica of
every service is killed -9 and restarted; the reconciliation then shows every case was
processed exactly once: replicas share each durable consumer (work-queue semantics), the
outbox relays claim rows with SKIP LOCKED, and the clock watchers never warn twice.
"""

from __future__ import annotations

import asyncio
import time

import nats
import pytest

from rapidreview.kernel.events import DLQ_STREAM, EVENTS_STREAM
from tests.reliability import profile
from tests.reliability.faults import FaultInjector, kill_service, stop_stream_leader
from tests.reliability.pipeline import PipelineDriver, plan_cases
from tests.reliability.reconcile import consumer_states, reconcile_stack, wait_quiescent
from tests.reliability.stack import embedded_stack

pytestmark = pytest.mark.integration

DECIDED_ON = "2024-06-26"
SERVICES = ("intake", "gathering", "criteria", "decisions")


async def _stream_replicas(stack) -> dict[str, tuple[int, str, int]]:  # type: ignore[no-untyped-def]
    """(configured replicas, leader, current replicas) of each stream."""
    nc = await nats.connect(**stack.nats_connect_options(), connect_timeout=5)
    try:
        js = nc.jetstream(timeout=10)
        out = {}
        for name in (EVENTS_STREAM, DLQ_STREAM):
            info = await js.stream_info(name)
            cluster = info.cluster
            out[name] = (info.config.num_replicas, cluster.leader if cluster else "", 1 + len(cluster.replicas or []) if cluster else 1)
        return out
    finally:
        await nc.close()


async def _every_replica_pulls(stack, timeout: float = 30.0) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Waits until each service durable has a pull request waiting from both replicas."""
    deadline = time.monotonic() + timeout
    while True:
        waiting = {name: info.num_waiting for name, info in (await consumer_states(stack.nats_connect_options())).items()}
        if waiting and all(n >= 2 for n in waiting.values()):
            return waiting
        if time.monotonic() > deadline:
            raise AssertionError(f"not every durable has two replicas pulling: {waiting}")
        await asyncio.sleep(0.2)  # polling interval of a bounded wait


@pytest.mark.timeout(profile.current().timeout)
async def test_two_replicas_of_every_service_on_a_three_node_cluster_process_each_case_exactly_once():
    settings = profile.current()
    started = time.monotonic()
    async with embedded_stack(replicas={name: 2 for name in SERVICES}, nats_cluster_size=3) as stack:
        stack_up = time.monotonic() - started
        streams = await _stream_replicas(stack)
        assert all(configured == 3 and current == 3 for configured, _leader, current in streams.values()), streams
        pulling = await _every_replica_pulls(stack)
        plans = plan_cases(settings.scale_cases)
        stopped: list[int] = []
        faults = [stop_stream_leader(stack, stopped), *(kill_service(stack, f"{name}-2") for name in SERVICES)]
        async with PipelineDriver(stack, plans) as driver:
            injector = FaultInjector(stack, driver, faults)
            drive = asyncio.create_task(driver.run())
            try:
                await injector.run()
                drive_seconds = await drive
            finally:
                drive.cancel()
                await asyncio.gather(drive, return_exceptions=True)
        settle_seconds = await wait_quiescent(stack, timeout=max(300.0, len(plans)))
        findings, _ = await reconcile_stack(stack, plans, decided_on=DECIDED_ON)
        after = await _stream_replicas(stack)
        assert len(stopped) == 1 and not stack.nats_cluster.nodes[stopped[0]].is_running
        profile.record("scale_out", {
            **findings.summary(),
            "replicas_per_service": 2,
            "nats_nodes": 3,
            "stream_replicas": {name: configured for name, (configured, _l, _c) in streams.items()},
            "leader_before": streams[EVENTS_STREAM][1],
            "leader_after": after[EVENTS_STREAM][1],
            "pull_requests_waiting_per_durable": pulling,
            "faults": injector.summary(),
            "calls_by_process": dict(sorted(driver.api.calls_by_process.items())),
            "client_retries": dict(driver.api.retries),
            "stack_start_s": round(stack_up, 1),
            "drive_s": round(drive_seconds, 1),
            "settle_s": round(settle_seconds, 1),
            "total_s": round(time.monotonic() - started, 1),
        })
        assert after[EVENTS_STREAM][1] != streams[EVENTS_STREAM][1], "RR_EVENTS kept the stopped node as leader"
        findings.assert_clean()
