"""The audit trail: every change is a chained entry written with the change;
editing or deleting a stored entry is named by VerifyAuditTrail, which reads a chain and its
head as one moment; concurrent writers of one case never fork the chain."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from rapidreview.decisions import storage
from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions import childk
from tests.integration.decisions.flow import Flow

pytestmark = pytest.mark.integration


@pytest.fixture
def sql(postgres_server, fresh_database):
    """Runs SQL in the service's database as the superuser (the would-be tamperer)."""
    database = fresh_database.rsplit("/", 1)[-1]
    return lambda statement: postgres_server.psql(statement, database=database)


@pytest.fixture
async def flow(new_case, stub, roles) -> Flow:
    case_id, evaluation_id = await new_case()
    return Flow(stub, roles, case_id, evaluation_id)


async def _verify(flow: Flow, case_id: str = "") -> D.VerifyAuditTrailResponse:
    return await flow.stub.VerifyAuditTrail(D.VerifyAuditTrailRequest(case_id=case_id), metadata=flow.md(Role.AUDITOR))


async def _trail(flow: Flow, **kw) -> D.GetAuditTrailResponse:  # type: ignore[no-untyped-def]
    return await flow.stub.GetAuditTrail(D.GetAuditTrailRequest(case_id=flow.case_id, **kw), metadata=flow.md(Role.AUDITOR))


def _tamper(sql, statement: str) -> None:  # type: ignore[no-untyped-def]
    sql("ALTER TABLE decisions.audit_entries DISABLE TRIGGER USER; " + statement
        + "; ALTER TABLE decisions.audit_entries ENABLE TRIGGER USER")


async def test_every_change_is_an_entry_with_who_what_and_before_after(flow):
    decision = await flow.through_decision()
    entries = list((await _trail(flow)).entries)
    actions = [e.action for e in entries]
    assert actions[0] == "case.opened"  # the other two events arrive through two consumers, in either order
    assert sorted(actions[1:3]) == ["evaluation.received", "rapid_review_clock.known"]
    assert actions[3:] == ["recommendation.recorded", "decision.recorded", "clock.started"]
    recorded = entries[4]
    assert recorded.actor == "dev-executive" and recorded.actor_role == "executive"
    assert recorded.entity == "decision" and recorded.entity_id == decision.decision_id
    assert recorded.before_json == "" and '"decision":"REVIEW_DECISION_CSPR"' in recorded.after_json
    assert entries[0].actor == "event:intake" and entries[0].causation_id
    assert recorded.previous_hash == entries[3].hash


async def test_an_update_records_before_and_after(flow):
    action = (await flow.stub.AddAction(childk.example("action", D.AddActionRequest, case_id=flow.case_id),
                                        metadata=flow.md(Role.BUSINESS_UNIT))).action
    await flow.stub.UpdateAction(D.UpdateActionRequest(case_id=flow.case_id, action_id=action.action_id, status=D.ACTION_STATUS_IN_PROGRESS),
                                 metadata=flow.md(Role.BUSINESS_UNIT))
    updated = (await _trail(flow)).entries[-1]
    assert updated.action == "action.updated"
    assert '"status":"ACTION_STATUS_OPEN"' in updated.before_json and '"status":"ACTION_STATUS_IN_PROGRESS"' in updated.after_json


async def test_a_row_edited_in_postgresql_is_named_by_verify(flow, sql):
    await flow.through_decision()
    assert (await _verify(flow, flow.case_id)).intact
    _tamper(sql, f"UPDATE decisions.audit_entries SET actor = 'someone-else' WHERE case_id = '{flow.case_id}' AND sequence = 5")
    result = await _verify(flow, flow.case_id)
    assert not result.intact
    assert [(f.case_id, f.sequence, f.problem) for f in result.findings] == [(flow.case_id, 5, D.AUDIT_PROBLEM_CONTENT_CHANGED)]
    assert result.findings[0].entry_id


async def test_a_row_deleted_in_postgresql_is_named_by_verify(flow, sql):
    await flow.through_decision()
    _tamper(sql, f"DELETE FROM decisions.audit_entries WHERE case_id = '{flow.case_id}' AND sequence = 3")
    result = await _verify(flow, flow.case_id)
    assert [(f.sequence, f.problem) for f in result.findings] == [(3, D.AUDIT_PROBLEM_MISSING)]


async def test_deleting_the_last_entry_is_caught_by_the_case_head(flow, sql):
    await flow.through_decision()
    _tamper(sql, f"DELETE FROM decisions.audit_entries WHERE case_id = '{flow.case_id}' AND sequence = 6")
    result = await _verify(flow, flow.case_id)
    assert [(f.sequence, f.problem) for f in result.findings] == [(6, D.AUDIT_PROBLEM_MISSING)]


async def test_a_rewritten_change_record_is_unreadable_and_named(flow, sql):
    await flow.through_decision()
    _tamper(sql, f"UPDATE decisions.audit_entries SET change_enc = (SELECT change_enc FROM decisions.audit_entries "
                 f"WHERE case_id = '{flow.case_id}' AND sequence = 4) WHERE case_id = '{flow.case_id}' AND sequence = 5")
    result = await _verify(flow, flow.case_id)
    assert [(f.sequence, f.problem) for f in result.findings] == [(5, D.AUDIT_PROBLEM_UNREADABLE)]


async def test_whole_store_verification_names_the_tampered_case_only(flow, new_case, stub, roles, sql):
    other_id, other_evaluation = await new_case()
    await Flow(stub, roles, other_id, other_evaluation).through_decision()
    await flow.through_decision()
    clean = await _verify(flow)
    assert clean.intact and clean.cases_checked >= 2
    _tamper(sql, f"UPDATE decisions.audit_entries SET action = 'decision.deleted' WHERE case_id = '{other_id}' AND sequence = 5")
    result = await _verify(flow)
    assert not result.intact and {f.case_id for f in result.findings} == {other_id}
    assert result.entries_checked == clean.entries_checked


async def test_the_database_refuses_ordinary_updates_and_deletes_of_entries(flow, sql):
    with pytest.raises(RuntimeError, match="append-only"):
        sql(f"UPDATE decisions.audit_entries SET actor = 'x' WHERE case_id = '{flow.case_id}'")
    with pytest.raises(RuntimeError, match="append-only"):
        sql(f"DELETE FROM decisions.audit_entries WHERE case_id = '{flow.case_id}'")
    assert (await _verify(flow, flow.case_id)).intact


async def test_concurrent_writers_of_one_case_never_fork_the_chain(flow):
    request = childk.example("action", D.AddActionRequest, case_id=flow.case_id)
    before = (await flow.get()).audit_sequence
    await asyncio.gather(*[flow.stub.AddAction(request, metadata=flow.md(Role.BUSINESS_UNIT)) for _ in range(20)])
    entries = list((await _trail(flow, page_size=500)).entries)
    assert [e.sequence for e in entries] == list(range(1, before + 21))
    assert all(b.previous_hash == a.hash for a, b in zip(entries, entries[1:]))
    assert (await _verify(flow, flow.case_id)).intact


async def test_an_entry_appended_while_verify_reads_is_not_reported_as_a_broken_chain(flow, monkeypatch):
    """Verify reads the case's head, then its entries: an entry another call appends in between
    is of a later moment than the head read, and must not be judged against it."""
    read_entries = storage.DecisionRepository.audit_entries
    appended: list[str] = []

    async def entries_after_an_append(self, case_id: str, **kw):  # type: ignore[no-untyped-def]
        if not appended:  # the head is read; another call appends an entry and commits
            request = childk.example("action", D.AddActionRequest, case_id=case_id)
            appended.append((await flow.stub.AddAction(request, metadata=flow.md(Role.BUSINESS_UNIT))).action.action_id)
        return await read_entries(self, case_id, **kw)

    before = (await flow.get()).audit_sequence
    monkeypatch.setattr(storage.DecisionRepository, "audit_entries", entries_after_an_append)
    verified = await _verify(flow, flow.case_id)
    assert appended and verified.intact, verified.findings
    assert verified.entries_checked == before  # the chain as it stood when the head was read
    monkeypatch.undo()
    assert (await flow.get()).audit_sequence == before + 1
    again = await _verify(flow, flow.case_id)
    assert again.intact and again.entries_checked == before + 1


async def test_the_timeline_is_paginated_oldest_first(flow):
    await flow.through_decision()
    first = await _trail(flow, page_size=4)
    second = await _trail(flow, page_size=4, page_token=first.next_page_token)
    assert [e.sequence for e in first.entries] == [1, 2, 3, 4]
    assert [e.sequence for e in second.entries] == [5, 6] and not second.next_page_token


async def test_only_auditors_read_the_trail(flow):
    for role in (Role.BUSINESS_UNIT, Role.EXECUTIVE, Role.RAG_MEMBER):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await flow.stub.GetAuditTrail(D.GetAuditTrailRequest(case_id=flow.case_id), metadata=flow.md(role))
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
