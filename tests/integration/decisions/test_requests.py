"""Bad input is INVALID_ARGUMENT with field violations and stores nothing;
free text is encrypted at rest; overdue clocks emit their deadline event once."""

from __future__ import annotations

import uuid

import grpc
import pytest

from rapidreview.kernel.auth import Role
from rapidreview.kernel.grpc_errors import field_violations
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import events_pb2
from tests.integration.decisions import childk
from tests.integration.decisions.conftest import outbox_drained, stored_counts
from tests.integration.decisions.flow import Flow
from tests.support.harness import eventually

pytestmark = pytest.mark.integration

BAD = [
    ("RecordRecommendation", Role.RAG_MEMBER, lambda c: childk.recommendation(c, "e-1", rationale=""), "rationale"),
    ("RecordRecommendation", Role.RAG_MEMBER, lambda c: childk.recommendation(c, "e-1", recommendation=9), "recommendation"),
    ("RecordDecision", Role.EXECUTIVE, lambda c: childk.example("decision", D.RecordDecisionRequest, case_id=c,
                                                                 recommendation_id=str(uuid.uuid4()), decided_on="2024-02-30"), "decided_on"),
    ("RecordPanelSubmission", Role.BUSINESS_UNIT, lambda c: D.RecordPanelSubmissionRequest(case_id=c, decision_id="d", sent_date="2024-06-27"),
     "decision_id"),
    ("RecordPanelResponse", Role.BUSINESS_UNIT, lambda c: D.RecordPanelResponseRequest(case_id=c, submission_id=str(uuid.uuid4()),
                                                                                        responded_on="2024-07-15"), "kind"),
    ("CommissionReview", Role.BUSINESS_UNIT, lambda c: childk.example("commission", D.CommissionReviewRequest, case_id=c,
                                                                       progress_check_weeks=13), "progress_check_weeks"),
    ("RecordMilestone", Role.BUSINESS_UNIT, lambda c: D.RecordMilestoneRequest(case_id=c, kind=99, occurred_on="2024-07-01"), "kind"),
    ("RecordExtension", Role.BUSINESS_UNIT, lambda c: D.RecordExtensionRequest(case_id=c, reason=D.EXTENSION_REASON_INQUEST,
                                                                                extended_to="2025-03-01"), "explanation"),
    ("RecordProgressCheck", Role.BUSINESS_UNIT, lambda c: D.RecordProgressCheckRequest(case_id=c, checked_on="2024-08-19", findings="x",
                                                                                        written_request_made=True), "written_request"),
    ("RecordIdentifyingDetails", Role.BUSINESS_UNIT, lambda c: D.RecordIdentifyingDetailsRequest(case_id=c), "details"),
    ("Publish", Role.BUSINESS_UNIT, lambda c: childk.example("publish", D.PublishRequest, case_id=c, text="report",
                                                              learning_themes=[]), "learning_themes"),
    ("AddAction", Role.BUSINESS_UNIT, lambda c: childk.example("action", D.AddActionRequest, case_id=c, owner_agency_id="GP Practice"),
     "owner_agency_id"),
    ("UpdateAction", Role.BUSINESS_UNIT, lambda c: D.UpdateActionRequest(case_id=c, action_id=str(uuid.uuid4())), "status"),
    ("RecordDissemination", Role.BUSINESS_UNIT, lambda c: childk.example("dissemination", D.RecordDisseminationRequest, case_id=c,
                                                                          reach=-1), "reach"),
    ("CheckAnonymisation", Role.BUSINESS_UNIT, lambda c: D.CheckAnonymisationRequest(case_id=c), "text"),
    ("GetAuditTrail", Role.AUDITOR, lambda c: D.GetAuditTrailRequest(case_id=c, page_token="%%%"), "page_token"),
]


@pytest.mark.parametrize(("rpc", "role", "build", "field"), BAD, ids=[f"{b[0]}-{b[3]}" for b in BAD])
async def test_bad_request_is_invalid_argument_naming_the_field_and_stores_nothing(new_case, stub, roles, decisions, rpc, role,
                                                                                    build, field):
    case_id, _ = await new_case()
    before = await stored_counts(decisions, case_id)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await getattr(stub, rpc)(build(case_id), metadata=roles[role].metadata())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [f for f, _ in field_violations(err.value)]
    assert await stored_counts(decisions, case_id) == before


async def test_garbage_request_bytes_are_invalid_argument(decisions, roles):
    async with grpc.aio.insecure_channel(decisions.address) as channel:
        call = channel.unary_unary("/rapidreview.v1.DecisionService/GetCase")
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await call(b"\xff\xff\xff\x07garbage", metadata=roles[Role.BUSINESS_UNIT].metadata())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_free_text_names_and_the_report_are_not_stored_in_clear(new_case, stub, roles, postgres_server, fresh_database):
    case_id, evaluation_id = await new_case()
    flow = Flow(stub, roles, case_id, evaluation_id)
    await flow.through_report_sent()
    await flow.identifying_details()
    await flow.publish()
    database = fresh_database.rsplit("/", 1)[-1]
    tables = postgres_server.psql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'decisions'",
                                  database=database).split()
    assert "recommendations" in tables and "audit_entries" in tables
    everything = "\n".join(postgres_server.psql(f"SELECT row_to_json(t)::text FROM decisions.{name} t", database=database)
                           for name in tables)
    assert case_id in everything  # the dump did read the tables
    for clear in ("bruising protocols", "Child K", "Kayla Wrenfield", "Larkspur Close", "Independent reviewer (example)",
                  "Chief Nurse (example)", "How did agencies respond", "This review concerns a baby", "2023-11-02"):
        assert clear not in everything, clear


async def test_an_overdue_action_emits_deadline_overdue_once(new_case, stub, roles, decisions, events):
    case_id, _ = await new_case()
    action = (await stub.AddAction(childk.example("action", D.AddActionRequest, case_id=case_id, due_date="2025-01-10"),
                                   metadata=roles[Role.BUSINESS_UNIT].metadata())).action
    assert action.overdue  # today is 2025-01-20

    async def emitted() -> list:
        await outbox_drained(decisions)
        return [e for e in await events.published("deadline.overdue", case_id) if _subject(e) == action.action_id]

    found = await eventually(emitted, what="deadline.overdue for the action")
    assert await _watch(decisions, times=3) == 0  # already emitted: the watcher writes nothing more
    assert len(await emitted()) == len(found) == 1
    case = (await stub.GetCase(D.GetCaseRequest(case_id=case_id), metadata=roles[Role.BUSINESS_UNIT].metadata())).case
    assert case.actions[0].overdue


def _subject(envelope) -> str:  # type: ignore[no-untyped-def]
    payload = events_pb2.DeadlineOverdue()
    envelope.payload.Unpack(payload)
    return payload.subject_ref


async def _watch(decisions, times: int) -> int:  # type: ignore[no-untyped-def]
    from rapidreview.decisions.watchers import ClockWatcher

    watcher = ClockWatcher(decisions.infra)
    return sum([await watcher.check_once() for _ in range(times)])
