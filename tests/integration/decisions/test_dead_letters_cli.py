"""`rapidreview dlq` against a running decisions service, real NATS and PostgreSQL: an event
dead-lettered because its case was not known yet is listed and shown, then replayed once the
case exists and processed; replaying it again changes nothing (the inbox); garbage cannot be
replayed and is discarded."""

from __future__ import annotations

import asyncio
import json
import uuid

import nats
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from rapidreview.cli.main import app
from rapidreview.decisions import storage
from rapidreview.kernel.events import DLQ_STREAM, subject_for
from tests.integration.decisions import childk
from tests.integration.decisions.conftest import TODAY, EventStream, known_case, known_evaluation
from tests.support.harness import eventually, service_env

pytestmark = pytest.mark.integration


@pytest.fixture
def decisions_env(fresh_database, own_nats, creds) -> dict[str, str]:
    return service_env(fresh_database, own_nats.url, creds, RR_TODAY=TODAY, RR_CONSUMER_MAX_DELIVER="3")


@pytest.fixture
async def events(own_nats, decisions):
    nc = await nats.connect(own_nats.url)
    yield EventStream(nc)
    await nc.close()


@pytest.fixture
def dlq(own_nats):
    runner = CliRunner()
    env = {"RR_NATS_URL": own_nats.url, "COLUMNS": "240"}

    async def run(*args: str, code: int = 0) -> str:
        result = await asyncio.to_thread(runner.invoke, app, ["dlq", *args], env=env)
        assert result.exit_code == code, result.output
        return result.output

    return run


async def _letters(dlq) -> list[dict]:  # type: ignore[no-untyped-def]
    """The JSON lines of `dlq list --json` (the CLI runs in this process: log lines, also JSON, may be among them)."""
    lines = [json.loads(line) for line in (await dlq("list", "--json")).splitlines() if line.startswith("{")]
    return [line for line in lines if "seq" in line and "consumer" in line]


async def _received(decisions, case_id: str) -> int:
    """Audit entries that record the evaluation arriving: one per processed criteria.evaluated."""
    async with decisions.infra.db.transaction() as s:
        return (await s.execute(select(func.count()).select_from(storage.audit_entries).where(
            storage.audit_entries.c.case_id == case_id, storage.audit_entries.c.action == "evaluation.received"))).scalar_one()


async def test_a_dead_letter_is_listed_shown_replayed_once_its_case_exists_and_replaying_again_is_harmless(decisions, events, dlq):
    case_id = str(uuid.uuid4())
    evaluation = childk.criteria_evaluated(case_id)
    envelope = await events.publish("criteria.evaluated", evaluation, case_id=case_id)  # a case decisions does not know yet

    async def dead_lettered():  # type: ignore[no-untyped-def]
        return await _letters(dlq)

    [letter] = await eventually(dead_lettered, timeout=30, what="the event to be dead-lettered")
    assert letter["consumer"] == "decisions-events" and letter["service"] == "decisions"
    assert letter["event_id"] == envelope.event_id and letter["event_type"] == "criteria.evaluated" and letter["case_id"] == case_id
    assert letter["reason"] == "unknown case" and letter["deliveries"] == 3
    assert letter["subject"] == subject_for("criteria.evaluated", "criteria")
    shown = await dlq("show", str(letter["seq"]))
    assert "unknown case" in shown and "replayable: yes" in shown

    await events.publish("incident.notified", childk.incident_notified(case_id), case_id=case_id)
    await known_case(decisions, case_id)
    out = await dlq("replay", str(letter["seq"]), "--keep")
    assert f"dead letter {letter['seq']}: replayed as event" in out
    await known_evaluation(decisions, evaluation.checklist.evaluation_id)
    assert await _received(decisions, case_id) == 1

    # Again (the letter was kept): a new delivery of the same event id, which the inbox already holds.
    out = await dlq("replay", str(letter["seq"]))
    replayed_as = int(out.split("replayed as event ")[1].split(",")[0])
    js = events.js

    async def consumed() -> bool:
        info = await js.consumer_info("RR_EVENTS", "decisions-events")
        return info.ack_floor.stream_seq >= replayed_as and info.num_ack_pending == 0

    await eventually(consumed, timeout=15, what="the second replay to be delivered and acknowledged")
    assert (await js.stream_info(DLQ_STREAM)).state.messages == 0  # removed after this replay
    assert await _received(decisions, case_id) == 1
    assert await _letters(dlq) == []


async def test_garbage_cannot_be_replayed_and_is_discarded(decisions, events, dlq):
    await events.js.publish(subject_for("criteria.evaluated", "criteria"), b"\xff not an envelope", headers={"Nats-Msg-Id": str(uuid.uuid4())})
    [letter] = await eventually(lambda: _letters(dlq), timeout=15, what="the garbage to be dead-lettered")
    assert letter["event_id"] == "" and "replayable: no" in await dlq("show", str(letter["seq"]))
    assert "not replayed" in await dlq("replay", str(letter["seq"]), code=1)
    assert "add --yes" in await dlq("discard", "--all", code=1)
    assert "1 dead letter(s) discarded" in await dlq("discard", "--all", "--consumer", "decisions-events", "--yes")
    assert await _letters(dlq) == []
    assert "Not found" in await dlq("discard", str(letter["seq"]), "--yes", code=1)
