"""Fault injection timed by the pipeline's progress (never by a guess of how long
things take): fault k fires once the driver has completed its share of steps, so
every fault hits cases in flight, and the next one waits for the component to be
healthy again."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidreview.kernel.events import EVENTS_STREAM
from rapidreview.stack.ports import ServerStartError
from rapidreview.stack.supervisor import EmbeddedStack
from tests.reliability.pipeline import PipelineDriver


@dataclass
class Fault:
    name: str
    action: Callable[[], Awaitable[None]]
    #: Failed attempts to start a component again (each retried, as a process supervisor would).
    failed_starts: int = 0


@dataclass
class FaultRecord:
    name: str
    at_step: int
    of_steps: int
    recovered_in: float
    failed_starts: int = 0


@dataclass
class FaultInjector:
    stack: EmbeddedStack
    driver: PipelineDriver
    faults: list[Fault]
    records: list[FaultRecord] = field(default_factory=list)

    async def run(self, timeout_per_fault: float = 600.0) -> list[FaultRecord]:
        total = self.driver.total_steps
        for k, fault in enumerate(self.faults):
            threshold = int(total * (k + 1) / (len(self.faults) + 1.5))
            await self.driver.wait_progress(threshold, timeout_per_fault)
            at = self.driver.progress
            started = time.monotonic()
            await fault.action()
            self.records.append(FaultRecord(fault.name, at, total, round(time.monotonic() - started, 2), fault.failed_starts))
            fault.failed_starts = 0
        return self.records

    def summary(self) -> list[dict[str, Any]]:
        return [{"fault": r.name, "at_step": r.at_step, "of_steps": r.of_steps, "recovered_in_s": r.recovered_in,
                 **({"failed_starts": r.failed_starts} if r.failed_starts else {})} for r in self.records]


# -- the faults -----------------------------------------------------------------------------------
def kill_service(stack: EmbeddedStack, name: str) -> Fault:
    """kill -9 one service process, then start it again and wait for its health."""

    async def action() -> None:
        await asyncio.to_thread(stack.kill_service, name)
        await asyncio.to_thread(stack.start_service, name, 120.0)

    return Fault(f"kill -9 {name}", action)


def kill_nats(stack: EmbeddedStack) -> Fault:
    """kill -9 the (single) nats-server, then start it on the same port and store."""

    async def action() -> None:
        await asyncio.to_thread(stack.nats.kill)
        await asyncio.to_thread(stack.nats.start, 60.0)
        await asyncio.to_thread(stack.wait_healthy, 120.0)

    return Fault("kill -9 nats-server", action)


def _group_alive(pgid: int) -> bool:
    """True while a live (not zombie) process of process group `pgid` exists."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def kill_postgres(stack: EmbeddedStack, down_for: float = 0.0) -> Fault:
    """kill -9 PostgreSQL (postmaster and every backend), keep it down `down_for` seconds (the
    outage itself), then start it: crash recovery.

    The backends die a moment after the postmaster, so the restart waits for the old process
    group to be gone. Started from this (threaded, gRPC-busy) test process, a new postmaster
    now and then dies with SIGSEGV before it logs a line; like a process supervisor, the fault
    then starts it again, and counts the failed start in the figures."""

    async def action() -> None:
        pgid = stack.postgres.pid
        await asyncio.to_thread(stack.postgres.kill)
        await asyncio.sleep(down_for)  # the outage's length is the fault, not a wait for an event
        deadline = time.monotonic() + 60
        while pgid is not None and _group_alive(pgid):
            assert time.monotonic() < deadline, "the killed PostgreSQL's backends did not go away"
            await asyncio.sleep(0.05)  # polling interval of a bounded wait
        for attempt in range(5):
            try:
                await asyncio.to_thread(stack.postgres.start, 120.0)
                break
            except ServerStartError:
                fault.failed_starts += 1
                if attempt == 4:
                    raise
        await asyncio.to_thread(stack.wait_healthy, 120.0)

    fault = Fault(f"kill -9 postgresql, down {down_for:g} s", action)
    return fault


async def events_stream_leader(stack: EmbeddedStack) -> int:
    """Index of the cluster node that leads RR_EVENTS."""
    import nats

    assert stack.nats_cluster is not None
    nc = await nats.connect(**stack.nats_connect_options(), connect_timeout=5)
    try:
        info = await nc.jetstream(timeout=10).stream_info(EVENTS_STREAM)
    finally:
        await nc.close()
    names = [node.server_name for node in stack.nats_cluster.nodes]
    assert info.cluster is not None and info.cluster.leader in names, info.cluster
    return names.index(info.cluster.leader)


def stop_stream_leader(stack: EmbeddedStack, stopped: list[int]) -> Fault:
    """Stops the cluster node that leads RR_EVENTS (the others elect a new leader)."""

    async def action() -> None:
        assert stack.nats_cluster is not None
        index = await events_stream_leader(stack)
        await asyncio.to_thread(stack.nats_cluster.stop_node, index)
        stopped.append(index)

    return Fault("stop the NATS node leading RR_EVENTS", action)
