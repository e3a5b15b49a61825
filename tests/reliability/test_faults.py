"""Faults with cases in flight through the whole pipeline: kill -9 each service in
turn (restarted at once), kill -9 nats-server, kill -9 PostgreSQL and keep it down longer than
the consumers' redelivery budget; then reconcile every
service's store and the streams: 0 lost, 0 doubled, every clock right.

CI profile: 200 cases, one round of faults. Long profile (scripts/reliability): more
cases and rounds. The 3-node cluster case (a node stopped mid-way, two replicas of every
service) is tests/reliability/test_scale_out.py.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.reliability import profile
from tests.reliability.faults import FaultInjector, kill_nats, kill_postgres, kill_service
from tests.reliability.pipeline import PipelineDriver, plan_cases
from tests.reliability.reconcile import reconcile_stack, self_check, wait_quiescent
from tests.reliability.stack import embedded_stack

pytestmark = pytest.mark.integration

DECIDED_ON = "2024-06-26"  # docs/examples/decisions/decision.json
# Longer than a consumer's whole redelivery budget with the suites' settings (0.5 + 1 + 2 + 4 s):
# events in flight must wait for the database, not be dead-lettered.
POSTGRES_DOWN_FOR = 12.0


@pytest.mark.timeout(profile.current().timeout)
async def test_kill_each_service_nats_and_postgres_with_cases_in_flight_loses_and_doubles_nothing():
    settings = profile.current()
    started = time.monotonic()
    async with embedded_stack() as stack:
        stack_up = time.monotonic() - started
        plans = plan_cases(settings.fault_cases)
        one_round = [*(kill_service(stack, name) for name in ("intake", "gathering", "criteria", "decisions")),
                     kill_nats(stack), kill_postgres(stack, down_for=POSTGRES_DOWN_FOR)]
        async with PipelineDriver(stack, plans) as driver:
            injector = FaultInjector(stack, driver, one_round * settings.fault_rounds)
            drive = asyncio.create_task(driver.run())
            try:
                await injector.run()
                drive_seconds = await drive
            finally:
                drive.cancel()
                await asyncio.gather(drive, return_exceptions=True)
        settle_seconds = await wait_quiescent(stack, timeout=max(300.0, len(plans)))
        findings, _ = await reconcile_stack(stack, plans, decided_on=DECIDED_ON)
        assert all(p.done for p in plans)
        profile.record("faults", {
            **findings.summary(),
            "faults_injected": len(injector.records),
            "faults": injector.summary(),
            "client_retries": dict(driver.api.retries),
            "calls": sum(driver.api.calls.values()),
            "stack_start_s": round(stack_up, 1),
            "drive_s": round(drive_seconds, 1),
            "settle_s": round(settle_seconds, 1),
            "total_s": round(time.monotonic() - started, 1),
        })
        findings.assert_clean()
        # The proof can fail: the same reconciliation notices each kind of damage to this snapshot.
        noticed = self_check(plans, findings.snapshot, decided_on=DECIDED_ON)
        assert all(noticed.values()), noticed
