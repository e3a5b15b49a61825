"""Decisions handles a case's events in stream order, even from a backlog: an evaluation or a
request published after the incident.notified that creates its case is never handled before it.
On separate durables it could be, and was retried, then dead-lettered when the incidents' backlog
took longer than the backoff."""

from __future__ import annotations

import json
import uuid

import nats
import pytest
from sqlalchemy import func, select

from rapidreview.decisions import storage
from rapidreview.kernel.events import DLQ_STREAM
from rapidreview.v1 import common_pb2, gathering_pb2
from tests.integration.decisions import childk
from tests.integration.decisions.conftest import TODAY, EventStream
from tests.support.harness import RunningService, eventually, service_env

pytestmark = pytest.mark.integration

CASES = 30


@pytest.fixture
def decisions_env(fresh_database, own_nats, creds) -> dict[str, str]:
    # One delivery only: an event that could not be handled the first time goes to the dead letters at once.
    return service_env(fresh_database, own_nats.url, creds, RR_TODAY=TODAY, RR_CONSUMER_MAX_DELIVER="1")


def _added(case_id: str) -> gathering_pb2.AgencyRequestOpened:
    return gathering_pb2.AgencyRequestOpened(request=gathering_pb2.InformationRequest(
        case_id=case_id, agency=common_pb2.Agency(agency_id="gp-practice", name="GP practice"),
        source=gathering_pb2.REQUEST_SOURCE_ADDED))


async def test_a_backlog_of_cases_is_handled_in_stream_order_with_no_retry_and_no_dead_letter(decisions_env, own_nats):
    provisioning = await RunningService("decisions", decisions_env).start()  # streams and the durable
    await provisioning.stop()
    nc = await nats.connect(own_nats.url)
    events = EventStream(nc)
    try:
        cases = [str(uuid.uuid4()) for _ in range(CASES)]
        evaluations = {}
        for case_id in cases:  # while decisions is down: each case's creation, then what is about it
            await events.publish("incident.notified", childk.incident_notified(case_id), case_id=case_id)
            evaluation = childk.criteria_evaluated(case_id)
            evaluations[case_id] = evaluation.checklist.evaluation_id
            await events.publish("criteria.evaluated", evaluation, case_id=case_id)
            await events.publish("agency.request_opened", _added(case_id), case_id=case_id)

        decisions = await RunningService("decisions", decisions_env).start()
        try:
            async def all_handled() -> bool:
                async with decisions.infra.db.transaction() as s:
                    known = (await s.execute(select(func.count()).select_from(storage.evaluations))).scalar_one()
                    found = (await s.execute(select(storage.cases.c.agencies_json))).scalars().all()
                added = sum("gp-practice" in found_agencies for found_agencies in found)
                dead = (await events.js.stream_info(DLQ_STREAM)).state.messages
                return known + added + dead >= 2 * CASES

            await eventually(all_handled, timeout=60, what="every evaluation and request handled or dead-lettered")
            assert (await events.js.stream_info(DLQ_STREAM)).state.messages == 0
            async with decisions.infra.db.transaction() as s:
                stored = set((await s.execute(select(storage.evaluations.c.evaluation_id))).scalars())
                rows = (await s.execute(select(storage.cases.c.case_id, storage.cases.c.agencies_json))).all()
            assert stored == set(evaluations.values())
            agencies = {case_id: {a["agency_id"] for a in json.loads(found)} for case_id, found in rows}
            assert set(agencies) == set(cases) and all("gp-practice" in found for found in agencies.values())
        finally:
            await decisions.stop()
    finally:
        await nc.close()
