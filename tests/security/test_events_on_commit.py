"""Every event of every path through the four services is published on the commit that made it
(`Outbox(publish_on_commit=True)`), none left for the relay's sweep: an event written some other
way (a `Deferred` whose calls a repository read without `Deferred.take`, a transaction not opened by
`Database.transaction()`) would reach its consumers `sweep_after` late."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from rapidreview.kernel.db import Database
from tests.security.conftest import SERVICES
from tests.security.test_canaries import Errors, exercise_every_path, outboxes_drained

pytestmark = pytest.mark.integration


def _swept() -> dict[str, float]:
    return {s: REGISTRY.get_sample_value("rapidreview_outbox_events_swept_total", {"service": s}) or 0.0 for s in SERVICES}


def _published() -> dict[str, float]:
    return {s: REGISTRY.get_sample_value("rapidreview_events_published_total", {"service": s}) or 0.0 for s in SERVICES}


async def test_every_path_publishes_its_events_on_commit_and_leaves_none_to_the_sweep(stack, own_database):
    # The four services run in this process: their counters are this registry's.
    swept, published = _swept(), _published()
    await exercise_every_path(stack, Errors())
    await outboxes_drained(own_database)
    after = _published()
    assert all(after[s] > published[s] for s in SERVICES), (published, after)  # every service published events
    assert _swept() == swept
    db = Database(own_database)
    try:
        for service in SERVICES:
            async with db.transaction() as s:
                unpublished = (await s.execute(text(f"SELECT count(*) FROM {service}.outbox WHERE published_at IS NULL"))).scalar_one()
            assert unpublished == 0
    finally:
        await db.dispose()
