"""Anchoring the audit trail: decisions signs checkpoints of every case's chain head into
JetStream; `rapidreview audit verify` checks the database against the latest one and names a
case whose whole chain was rewritten consistently, or deleted with its case — the two attacks
the hash chain alone cannot see (VerifyAuditTrail still says intact). Real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import hashlib
import json

import nats
import pytest
from typer.testing import CliRunner

from rapidreview.cli.main import app
from rapidreview.decisions import storage
from rapidreview.decisions.checkpoints import CONTRADICTIONS, CheckpointStore, key_id, load_public_keys, open_checkpoint
from rapidreview.decisions.domain.audit import canonical_bytes
from rapidreview.decisions.storage import DecisionRepository
from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions.conftest import TODAY, EventStream
from tests.integration.decisions.flow import Flow
from tests.support.harness import eventually, service_env

pytestmark = pytest.mark.integration

INTERVAL = 0.3


@pytest.fixture
def decisions_env(fresh_database, own_nats, creds) -> dict[str, str]:
    return service_env(fresh_database, own_nats.url, creds, RR_TODAY=TODAY, **creds.checkpoint_env(),
                       RR_AUDIT_CHECKPOINT_INTERVAL=str(INTERVAL))


@pytest.fixture
async def events(own_nats, decisions):
    nc = await nats.connect(own_nats.url)
    yield EventStream(nc)
    await nc.close()


@pytest.fixture
async def store(own_nats):
    nc = await nats.connect(own_nats.url)
    yield CheckpointStore(nc.jetstream(timeout=5))
    await nc.close()


@pytest.fixture
def sql(postgres_server, fresh_database):
    database = fresh_database.rsplit("/", 1)[-1]
    return lambda statement: postgres_server.psql(statement, database=database)


@pytest.fixture
def cli(decisions, creds, own_nats, fresh_database):
    env = {"RR_DECISIONS_ADDR": decisions.address, "RR_DATA_DIR": str(creds.folder.parent), "RR_NATS_URL": own_nats.url,
           "RR_DATABASE_URL": fresh_database, "RR_TOKEN": "", "COLUMNS": "240"}
    runner = CliRunner()

    async def run(*args: str, code: int = 0) -> str:
        result = await asyncio.to_thread(runner.invoke, app, list(args), env=env)
        assert result.exit_code == code, result.output
        return result.output

    return run


async def _latest(store: CheckpointStore, creds):  # type: ignore[no-untyped-def]
    signed = await store.latest()
    return None if signed is None else open_checkpoint(signed, load_public_keys(creds.audit_public_keys))


async def _anchored(store, creds, case_ids: list[str], decisions) -> object:  # type: ignore[no-untyped-def]
    """Waits for the watcher's checkpoint covering every case at its current head."""
    async with decisions.infra.db.transaction() as session:
        heads = {c: s for c, s, _ in await DecisionRepository(session, decisions.infra.cipher).case_ids(None)}

    async def covered():  # type: ignore[no-untyped-def]
        latest = await _latest(store, creds)
        if latest is None:
            return None
        anchored = {h.case_id: h.sequence for h in latest.heads}
        return latest if all(anchored.get(c) == heads[c] for c in case_ids) else None

    return await eventually(covered, timeout=20, what="a checkpoint covering the cases")


def _rewrite_consistently(sql, decisions, case_id: str, entries) -> None:  # type: ignore[no-untyped-def]
    """What someone with the database (and the encryption key) could do: change entry 2's actor,
    recompute every hash after it, and move the case's recorded head: the chain stays whole."""
    statements, previous = [], None
    for entry in sorted(entries, key=lambda e: e.sequence):
        change = entry.change
        if entry.sequence == 2:
            change = type(change)(**{**change.__dict__, "actor": "someone-else"})
        previous_hash = entry.previous_hash if previous is None else previous
        digest = hashlib.sha256(canonical_bytes(case_id, entry.sequence, entry.entry_id, entry.recorded_at, change,
                                                previous_hash)).hexdigest()
        statements.append(f"UPDATE decisions.audit_entries SET actor = '{change.actor}', previous_hash = '{previous_hash}', "
                          f"hash = '{digest}' WHERE case_id = '{case_id}' AND sequence = {entry.sequence}")
        previous = digest
    statements.append(f"UPDATE decisions.cases SET audit_head = '{previous}' WHERE case_id = '{case_id}'")
    sql("ALTER TABLE decisions.audit_entries DISABLE TRIGGER USER; " + "; ".join(statements)
        + "; ALTER TABLE decisions.audit_entries ENABLE TRIGGER USER")


def _delete_case(sql, case_id: str) -> None:  # type: ignore[no-untyped-def]
    """The whole case gone: every row of it in every table of the schema, then the case."""
    tables = [t for t in reversed(storage.metadata.sorted_tables) if "case_id" in t.c and t.name not in ("cases", "outbox")]
    statements = [f"DELETE FROM decisions.{t.name} WHERE case_id = '{case_id}'" for t in tables]
    statements.append(f"DELETE FROM decisions.cases WHERE case_id = '{case_id}'")
    sql("ALTER TABLE decisions.audit_entries DISABLE TRIGGER USER; " + "; ".join(statements)
        + "; ALTER TABLE decisions.audit_entries ENABLE TRIGGER USER")


async def test_a_rewritten_chain_and_a_deleted_case_are_caught_against_the_checkpoint(
        decisions, new_case, stub, roles, store, creds, sql, cli, tmp_path):
    flows = []
    for _ in range(3):
        case_id, evaluation_id = await new_case()
        flows.append(Flow(stub, roles, case_id, evaluation_id))
    await flows[0].through_decision()
    rewritten, deleted, untouched = (f.case_id for f in flows)
    before = await _anchored(store, creds, [rewritten, deleted, untouched], decisions)
    assert before.key_id == key_id(load_public_keys(creds.audit_public_keys)[before.key_id])

    out = await cli("audit", "verify")
    assert "Audit trail intact" in out and "Anchors intact" in out
    exported = tmp_path / "checkpoint.json"
    await cli("audit", "export", "--out", str(exported))

    async with decisions.infra.db.transaction() as session:
        entries = await DecisionRepository(session, decisions.infra.cipher).audit_entries(rewritten)
    _rewrite_consistently(sql, decisions, rewritten, entries)
    _delete_case(sql, deleted)

    # The hash chain alone sees nothing wrong: that is the gap the checkpoint closes.
    chain_only = await stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(), metadata=roles[Role.AUDITOR].metadata())
    assert chain_only.intact

    out = await cli("audit", "verify", code=1)
    assert "Anchors NOT intact" in out and "2 case(s) deleted or rewritten" in out
    lines = {line.split("│")[1].strip(): line for line in out.splitlines() if line.count("│") >= 4 and "-" in line.split("│")[1]}
    assert "case rewritten" in lines[rewritten] and "case deleted" in lines[deleted] and untouched not in lines
    assert "someone-else" not in out

    # An exported checkpoint shows the same, with no NATS involved.
    out = await cli("audit", "verify", "--checkpoint", str(exported), code=1)
    assert "case rewritten" in out and "case deleted" in out

    # The signer will not anchor the damage: no new checkpoint while the database contradicts the latest.
    await eventually(lambda: _true(CONTRADICTIONS._value.get() == 2), timeout=10, what="the watcher to see the contradictions")
    await asyncio.sleep(INTERVAL * 3)  # a few more rounds, each refusing
    assert (await _latest(store, creds)).checkpoint_id == before.checkpoint_id

    # An operator who knows why (a restored backup) signs past it, and says so in the checkpoint.
    out = await cli("audit", "checkpoint", "--acknowledge", "restored the 2025-01-19 backup")
    assert "acknowledged 2 case(s)" in out
    after = await _latest(store, creds)
    assert after.acknowledged == {"reason": "restored the 2025-01-19 backup", "cases": sorted([rewritten, deleted])}
    assert after.previous == {"checkpoint_id": before.checkpoint_id, "root": before.root}
    assert "Anchors intact" in await cli("audit", "verify")


async def _true(value: bool) -> bool:
    return value


async def test_a_checkpoint_from_a_foreign_key_is_not_trusted(decisions, new_case, store, creds, cli, tmp_path):
    case_id, _ = await new_case()
    await _anchored(store, creds, [case_id], decisions)
    exported = tmp_path / "checkpoint.json"
    await cli("audit", "export", "--out", str(exported))
    data = json.loads(exported.read_text())
    header, payload, signature = data["checkpoint"].split(".")
    data["checkpoint"] = f"{header}.{payload}.{signature[:-4]}AAAA"
    exported.write_text(json.dumps(data))
    out = await cli("audit", "verify", "--checkpoint", str(exported), code=1)
    assert "cannot be trusted" in out
