"""Replicas that start together apply their service's migrations at the same moment
(RR_MIGRATE_ON_START, the compose default): one must wait for the other, and neither may
fail. The bug this guards against: the advisory lock that serialises migrators was taken
after `CREATE SCHEMA IF NOT EXISTS`, which is not safe against a concurrent twin, so the
second replica of a fresh installation died at start-up on a unique violation."""

from __future__ import annotations

import asyncio
import sys
import uuid

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.timeout(600)
async def test_replicas_migrating_a_fresh_database_at_once_all_succeed(postgres_server):
    service = "decisions"  # the kernel's migration runner is the same for every service
    for _round in range(2):
        name = f"rel_migrate_{uuid.uuid4().hex[:12]}"
        postgres_server.create_database(name)
        try:
            url = postgres_server.url(name)
            # Separate processes, as replicas are (Alembic's context is per process).
            results = await asyncio.gather(*(_migrate(service, url) for _ in range(3)))
            failures = [out for code, out in results if code != 0]
            assert not failures, failures[0][-2000:]
        finally:
            postgres_server.drop_database(name)


async def _migrate(service: str, url: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import sys; from rapidreview.kernel.migrations import upgrade; upgrade(sys.argv[1], sys.argv[2])",
        service, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode or 0, out.decode(errors="replace")
