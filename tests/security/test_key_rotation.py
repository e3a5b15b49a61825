"""`rapidreview keys rotate` moves every encrypted value of every service to a new
key, in place, idempotently; the data still reads the same through the API (and
the audit trail still verifies); the old key can then be retired. Without
downtime: `keys add`, restart, `keys rotate --no-new-key`."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import sys

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from rapidreview.cli.keys import census, keys_in_use
from rapidreview.kernel.auth import Role
from rapidreview.kernel.crypto import KeyRing
from rapidreview.v1 import criteria_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D
from tests.security.conftest import SERVICES, Stack, settle
from tests.security.pipeline import CaseRun, notification_request

pytestmark = pytest.mark.integration


def test_every_encrypted_column_of_every_service_is_declared_for_rotation():
    for service in SERVICES:
        storage = importlib.import_module(f"rapidreview.{service}.storage")
        declared = {c.name for c in storage.SEALED_COLUMNS}
        encrypted = {f"{t.schema}.{t.name}.{c.name}" for t in storage.metadata.sorted_tables for c in t.columns if c.name.endswith("_enc")}
        assert encrypted <= declared, f"{service}: {sorted(encrypted - declared)} would keep the old key forever"


async def keys_cli(stack: Stack, *args: str) -> tuple[int, str]:
    """Runs `rapidreview keys ...` as a separate process against the stack's database and key ring."""
    env = dict(os.environ, RR_ENCRYPTION_KEYS_FILE=str(stack.creds.encryption_keys), RR_DATABASE_URL=stack.database_url,
               RR_DATA_DIR=str(stack.creds.folder / "no-embedded-stack"), COLUMNS="200")
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "rapidreview.cli.main", "keys", *args, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode or 0, out.decode()


def reencrypted(out: str) -> dict[str, int]:
    """The per-service counts of the table `keys rotate` prints."""
    return {name: int(n) for name, n in re.findall(r"│ (\w+)\s+│\s+(\d+) │", out)}


async def key_ids(stack: Stack) -> set[str]:
    return keys_in_use(await census(stack.database_url, list(SERVICES)))


async def every_stored_text(database_url: str) -> str:
    """Every row of every table of the four schemas, as text."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            tables = (await conn.execute(text(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                "WHERE table_schema = ANY(:schemas) AND table_type = 'BASE TABLE'"), {"schemas": list(SERVICES)})).scalars().all()
            rows = []
            for table in tables:
                rows += [str(row) for row in (await conn.execute(text(f"SELECT * FROM {table}"))).all()]
            return "\n".join(rows)
    finally:
        await engine.dispose()


async def execute(database_url: str, sql: str, **params: object) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql), params)
    finally:
        await engine.dispose()


async def populate(stack: Stack) -> CaseRun:
    """A case through every service and every other command that stores encrypted text."""
    run = CaseRun(stack)
    await run.through_evaluation()
    intake, gathering = stack.stub("intake"), stack.stub("gathering")
    bu, la = stack.md(Role.BUSINESS_UNIT), stack.md(Role.NOTIFYING_LA)
    # Before the decision: recording it closes RR.DEADLINE.
    await intake.ExtendClock(intake_pb2.ExtendClockRequest(case_id=run.case_id, clock_id="RR.DEADLINE", extended_to="2025-02-28",
                                                           reason="Criminal proceedings."), metadata=bu)
    await run.decide()
    await run.review()
    other = (await intake.NotifyIncident(notification_request("Child L"), metadata=la)).incident
    await intake.WithdrawIncident(intake_pb2.WithdrawIncidentRequest(case_id=other.case_id, reason="Not a serious incident."), metadata=la)
    await gathering.CloseGathering(gathering_pb2.CloseGatheringRequest(case_id=run.case_id), metadata=bu)
    await gathering.ReopenGathering(gathering_pb2.ReopenGatheringRequest(case_id=run.case_id, reason="A late amendment."), metadata=bu)
    await stack.stub("criteria").ReevaluateCase(criteria_pb2.ReevaluateCaseRequest(case_id=run.case_id, reason="New information."),
                                                metadata=bu)
    # The reopening and the re-evaluation set off events; what they change must be stored before
    # the reads that rotation is judged against.
    await settle(stack)
    return run


async def reads(stack: Stack, run: CaseRun) -> dict[str, bytes]:
    """What the API shows of the case, decrypted by the services."""
    c = run.case_id
    auditor, bu = stack.md(Role.AUDITOR), stack.md(Role.BUSINESS_UNIT)
    out = {
        "incident": await stack.stub("intake").GetIncident(intake_pb2.GetIncidentRequest(case_id=c), metadata=bu),
        "list": await stack.stub("intake").ListIncidents(intake_pb2.ListIncidentsRequest(), metadata=bu),
        "collated": await stack.stub("gathering").GetCollatedInformation(gathering_pb2.GetCollatedInformationRequest(case_id=c), metadata=bu),
        "status": await stack.stub("gathering").GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=c), metadata=bu),
        "checklist": await stack.stub("criteria").GetChecklist(criteria_pb2.GetChecklistRequest(case_id=c), metadata=bu),
        "case": await stack.stub("decisions").GetCase(D.GetCaseRequest(case_id=c), metadata=bu),
        "trail": await stack.stub("decisions").GetAuditTrail(D.GetAuditTrailRequest(case_id=c, page_size=500), metadata=auditor),
    }
    for agency_id in run.agencies:
        out[f"return {agency_id}"] = await stack.stub("gathering").GetAgencyReturn(
            gathering_pb2.GetAgencyReturnRequest(case_id=c, agency_id=agency_id), metadata=bu)
    out["collated"].collated.ClearField("collated_at")  # computed on each call
    verified = await stack.stub("decisions").VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=c), metadata=auditor)
    assert verified.intact and verified.entries_checked > 0, verified.findings
    out["verify"] = verified
    return {k: v.SerializeToString(deterministic=True) for k, v in out.items()}


async def test_rotation_reencrypts_everything_reads_the_same_and_the_old_key_retires(stack):
    ring = KeyRing.from_file(stack.creds.encryption_keys)
    old = ring.current
    run = await populate(stack)
    # An intake row from before duties were sealed: rotation seals it too.
    incident = await stack.stub("intake").GetIncident(intake_pb2.GetIncidentRequest(case_id=run.case_id),
                                                      metadata=stack.md(Role.BUSINESS_UNIT))
    from google.protobuf import json_format

    await execute(stack.database_url, "UPDATE intake.incidents SET duties_json = :plain WHERE case_id = :case_id",
                  plain=json.dumps([json_format.MessageToDict(d) for d in incident.incident.duties]), case_id=run.case_id)
    before = await reads(stack, run)
    assert await key_ids(stack) == {old, "plaintext"}

    await stack.stop()
    code, out = await keys_cli(stack, "rotate", "--key-id", "k2")
    assert code == 0, out
    assert "Every stored value is under k2" in out
    assert all(reencrypted(out)[s] > 0 for s in SERVICES), out
    assert await key_ids(stack) == {"k2"}
    code, out = await keys_cli(stack, "status", "--json")
    status = json.loads(out)
    assert code == 0 and status["current"] == "k2" and status["in_use"] == ["k2"] and set(status["keys"]) == {old, "k2"}
    assert f"v1:{old}:" not in await every_stored_text(stack.database_url)
    assert KeyRing.from_file(stack.creds.encryption_keys).keys.keys() == {old, "k2"}

    code, out = await keys_cli(stack, "rotate", "--no-new-key")
    assert code == 0, out
    assert reencrypted(out) == {s: 0 for s in SERVICES}, out

    code, out = await keys_cli(stack, "retire", "k2")
    assert code == 1 and "current key" in out
    code, out = await keys_cli(stack, "retire", old)
    assert code == 0, out
    assert KeyRing.from_file(stack.creds.encryption_keys).keys.keys() == {"k2"}

    await stack.start()
    assert await reads(stack, run) == before
    # The audit trail is still append-only after the rotation lifted its guard batch by batch.
    with pytest.raises(DBAPIError, match="append-only"):
        await execute(stack.database_url, "UPDATE decisions.audit_entries SET actor = 'someone else'")


async def test_rotation_without_downtime_add_restart_then_reencrypt(stack):
    run = CaseRun(stack)
    await run.through_evaluation()
    code, out = await keys_cli(stack, "add", "--key-id", "k3")
    assert code == 0, out
    before_restart = await key_ids(stack)
    assert "k3" not in before_restart
    await stack.restart()
    # New writes use the new key; old values still read.
    second = CaseRun(stack)
    await second.through_evaluation()
    assert await key_ids(stack) == before_restart | {"k3"}
    await settle(stack)
    before = await reads(stack, run)
    code, out = await keys_cli(stack, "rotate", "--no-new-key")
    assert code == 0, out
    assert await key_ids(stack) == {"k3"}
    assert await reads(stack, run) == before  # the running services read the re-encrypted rows


async def test_a_value_under_a_key_missing_from_the_ring_stops_the_rotation_without_quoting_it(stack):
    run = CaseRun(stack)
    await run.notify()
    lost = KeyRing.generate("lost-key")
    sealed = lost.encrypt("A withdrawal reason sealed with a key since lost.", f"incident:{run.case_id}:withdrawal_reason")
    await execute(stack.database_url, "UPDATE intake.incidents SET withdrawal_reason_enc = :v WHERE case_id = :c", v=sealed, c=run.case_id)
    try:
        code, out = await keys_cli(stack, "status")
        assert code == 1 and "lost-key" in out
        code, out = await keys_cli(stack, "rotate", "--no-new-key", "--service", "intake")
        assert code == 1
        assert "intake.incidents.withdrawal_reason_enc" in out and run.case_id in out
        assert "since lost" not in out
    finally:
        await execute(stack.database_url, "UPDATE intake.incidents SET withdrawal_reason_enc = '' WHERE case_id = :c", c=run.case_id)
