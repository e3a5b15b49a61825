"""What decisions' event handlers and audited RPCs cost in SQL, and that writing a handler's
audit entries with the case's new head in one statement changed nothing they store: each
path's statements are counted on the handlers themselves (in this process, against a migrated
database), and what they stored is read back and its chain verified."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from rapidreview.decisions import storage
from rapidreview.decisions.domain import audit as chain
from rapidreview.decisions.handlers import DecisionHandlers
from rapidreview.decisions.storage import DecisionRepository
from rapidreview.kernel.auth import Grant, Principal, Role, Scope
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.consumer import PermanentEventError, RetryableEventError
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.events import EventRef
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.kernel.errors import InvalidArgument
from rapidreview.kernel.outbox import EventTooLarge, Outbox
from rapidreview.rules.parameters import RuleParameters
from rapidreview.v1 import common_pb2, gathering_pb2, intake_pb2
from rapidreview.v1 import decisions_pb2 as D
from tests.integration.decisions import childk
from tests.support.statements import StatementCounter

pytestmark = pytest.mark.integration

TODAY = dt.date(2025, 1, 20)


@pytest.fixture(scope="module")
def rules() -> RuleParameters:
    return RuleParameters.load_default()


@pytest.fixture
async def stack(fresh_database, rules) -> AsyncIterator[SimpleNamespace]:
    await upgrade_async("decisions", fresh_database)
    db = Database(fresh_database)
    cipher = FieldCipher(KeyRing.generate())
    infra = SimpleNamespace(db=db, cipher=cipher, outbox=Outbox(storage.outbox, "decisions"),
                            calendar=WorkingDayCalendar(lambda: TODAY))
    yield SimpleNamespace(db=db, cipher=cipher, handlers=DecisionHandlers(infra, rules))  # type: ignore[arg-type]
    await db.dispose()


def ref(event_type: str, case_id: str) -> EventRef:
    return EventRef(str(uuid.uuid4()), event_type, case_id, str(uuid.uuid4()), "leeds")


async def handle(stack, handler, event_type: str, case_id: str, payload) -> list[str]:  # type: ignore[no-untyped-def]
    """Runs one handler in its own transaction; the statements it executed."""
    with StatementCounter(stack.db) as counter:
        async with stack.db.transaction() as session:
            await handler(session, ref(event_type, case_id), payload)
    return counter.statements


async def handle_group(stack, events) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Runs several handlers in one transaction (as the consumer runs a group of events);
    the statements each executed."""
    counts = []
    async with stack.db.transaction() as session:
        for handler, event_type, case_id, payload in events:
            with StatementCounter(stack.db) as counter:
                await handler(session, ref(event_type, case_id), payload)
            counts.append(counter.statements)
    return counts


def grant(role: Role) -> Grant:
    return Grant(Principal(f"dev-{role.value}", role, "leeds"), Scope.OWN_PARTNERSHIP)


async def rpc(stack, call, request, role: Role):  # type: ignore[no-untyped-def]
    """Runs one RPC's handler; its response and the statements it executed."""
    with StatementCounter(stack.db) as counter:
        response = await call(request, grant(role), "")
    return response, counter.statements


def request_opened(case_id: str, agency_id: str, name: str = "") -> gathering_pb2.AgencyRequestOpened:
    return gathering_pb2.AgencyRequestOpened(request=gathering_pb2.InformationRequest(
        case_id=case_id, agency=common_pb2.Agency(agency_id=agency_id, name=name or agency_id)))


async def stored(stack, case_id: str) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    """What decisions holds about the case: its row, its audit entries, whether the chain
    verifies against the row's head, its evaluations and its outbox events."""
    async with stack.db.transaction() as session:
        repo = DecisionRepository(session, stack.cipher)
        row = await repo.case_row(case_id)
        entries = await repo.audit_entries(case_id) if row is not None else []
        evaluations = (await session.execute(select(func.count()).select_from(storage.evaluations)
                                             .where(storage.evaluations.c.case_id == case_id))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(storage.outbox))).scalar_one()
    findings = chain.verify_chain(case_id, entries, int(row.audit_sequence), str(row.audit_head))[0] if row is not None else []
    return SimpleNamespace(row=row, entries=entries, actions=[e.change.action for e in entries if e.change], findings=findings,
                           evaluations=evaluations, events=events,
                           agencies=sorted(a["agency_id"] for a in DecisionRepository.agencies_of(row)) if row else [])


async def notified_case(stack) -> str:  # type: ignore[no-untyped-def]
    case_id = str(uuid.uuid4())
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, childk.incident_notified(case_id))
    return case_id


def with_rr_clock(case_id: str) -> intake_pb2.IncidentNotified:
    notified = childk.incident_notified(case_id)
    notified.incident.clocks.append(common_pb2.Clock(id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28",
                                                     effective_due="2024-06-28"))
    return notified


# -- the events of a case ---------------------------------------------------------------------

async def test_a_notification_opens_the_case_with_its_entry_and_head(stack):
    case_id = str(uuid.uuid4())
    statements = await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id,
                              childk.incident_notified(case_id))
    assert len(statements) == 1, statements  # was 3: the case, its entry, its head
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened"] and held.findings == []
    assert held.row.audit_sequence == 1 and held.row.audit_head == held.entries[0].hash
    assert held.entries[0].previous_hash == chain.GENESIS_HASH
    assert held.agencies == sorted(a for a, _, _ in childk.AGENCIES)
    assert held.row.rr_due is None and held.row.edition == "wt2023"
    # The same incident again (another event id): nothing.
    statements = await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id,
                              childk.incident_notified(case_id))
    assert len(statements) == 1, statements
    again = await stored(stack, case_id)
    assert again.entries == held.entries and again.row == held.row


async def test_a_notification_with_its_rapid_review_clock_writes_both_entries(stack):
    case_id = str(uuid.uuid4())
    statements = await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, with_rr_clock(case_id))
    assert len(statements) == 1, statements  # was 5
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "rapid_review_clock.known"] and held.findings == []
    assert held.row.audit_sequence == 2 and held.row.rr_due == dt.date(2024, 6, 28)
    assert held.row.rr_starts_from == dt.date(2024, 6, 7)


async def test_a_notification_with_an_invalid_clock_is_refused_unless_the_case_is_known(stack):
    """The entries of a new case are worked out before it is stored: an invalid RR.DEADLINE
    refuses the event and stores nothing, unless the case is known (the same incident again)."""
    case_id = str(uuid.uuid4())
    bad = with_rr_clock(case_id)
    bad.incident.clocks[-1].due = bad.incident.clocks[-1].effective_due = "28 June"
    with pytest.raises(PermanentEventError):
        await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, bad)
    assert (await stored(stack, case_id)).row is None
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, childk.incident_notified(case_id))
    before = await stored(stack, case_id)
    await handle(stack, stack.handlers.on_incident_notified, "incident.notified", case_id, bad)
    after = await stored(stack, case_id)
    assert after.row == before.row and after.entries == before.entries


async def test_a_panel_notification_moves_the_clock_with_its_entry_and_head(stack):
    case_id = await notified_case(stack)
    statements = await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id,
                              childk.panel_notified(case_id))
    assert len(statements) == 3, statements  # was 4: lock, the case's Panel submissions, entry and head
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "rapid_review_clock.known"] and held.findings == []
    assert held.row.rr_due == dt.date(2024, 6, 28) and held.row.audit_sequence == 2
    assert held.entries[1].change.before is None and held.entries[1].change.after == {"due": "2024-06-28"}
    # The same due date again: nothing written.
    statements = await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id,
                              childk.panel_notified(case_id))
    assert len(statements) == 1, statements
    assert (await stored(stack, case_id)).entries == held.entries


async def test_an_event_about_an_unknown_case_is_retried_and_stores_nothing(stack):
    case_id = str(uuid.uuid4())
    with pytest.raises(RetryableEventError):
        await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id, childk.panel_notified(case_id))
    with pytest.raises(RetryableEventError):
        await handle(stack, stack.handlers.on_agency_request_opened, "agency.request_opened", case_id,
                     request_opened(case_id, "gp-practice"))
    with pytest.raises(PermanentEventError):
        await handle(stack, stack.handlers.on_agency_request_opened, "agency.request_opened", case_id,
                     request_opened(case_id, ""))
    assert (await stored(stack, case_id)).row is None


async def test_a_request_to_a_known_agency_writes_nothing_and_a_new_agency_is_one_entry(stack):
    case_id = await notified_case(stack)
    before = await stored(stack, case_id)
    statements = await handle(stack, stack.handlers.on_agency_request_opened, "agency.request_opened", case_id,
                              request_opened(case_id, "gp-practice"))
    assert len(statements) == 1, statements  # the lock, nothing written
    assert (await stored(stack, case_id)).row == before.row
    statements = await handle(stack, stack.handlers.on_agency_request_opened, "agency.request_opened", case_id,
                              request_opened(case_id, "school", "Primary school"))
    assert len(statements) == 2, statements  # was 3
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "case.agencies_added"] and held.findings == []
    assert held.entries[1].change.after == {"agency_ids": ["school"]}
    assert held.agencies == sorted([*before.agencies, "school"])


async def test_a_cases_seven_requests_in_one_group(stack):
    """The seven agency.request_opened events of a case, as one group (one transaction):
    the first locks the case, the others use it as this transaction holds it."""
    case_id = await notified_case(stack)
    agencies = [a for a, _, _ in childk.AGENCIES] + ["school"]
    counts = await handle_group(stack, [(stack.handlers.on_agency_request_opened, "agency.request_opened", case_id,
                                         request_opened(case_id, a)) for a in agencies[:7]])
    assert [len(c) for c in counts] == [1, 0, 0, 0, 0, 0, 1]  # was 1 each, 3 for the new agency
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "case.agencies_added"] and held.findings == []
    assert held.agencies == sorted(agencies)


async def test_a_case_held_by_a_group_that_failed_is_read_and_locked_again(stack):
    """A group that fails is rolled back with what it wrote: the next transaction locks and
    reads the case as stored, not as the failed group held it."""
    case_id = await notified_case(stack)
    before = await stored(stack, case_id)
    h = stack.handlers
    with pytest.raises(PermanentEventError):
        await handle_group(stack, [
            (h.on_agency_request_opened, "agency.request_opened", case_id, request_opened(case_id, "school")),
            (h.on_agency_request_opened, "agency.request_opened", case_id, request_opened(case_id, "")),
        ])
    assert (await stored(stack, case_id)).row == before.row
    statements = await handle(stack, h.on_agency_request_opened, "agency.request_opened", case_id, request_opened(case_id, "school"))
    assert len(statements) == 2, statements  # lock, then entry + head + agencies
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "case.agencies_added"] and held.findings == [] and "school" in held.agencies


async def test_a_group_of_events_of_one_case_chains_each_entry_to_the_last(stack):
    """Notification, Panel notification, requests and evaluations of one case in one group:
    each entry follows the one before, whichever event wrote it, and the head is the last."""
    case_id = str(uuid.uuid4())
    h = stack.handlers
    counts = await handle_group(stack, [
        (h.on_incident_notified, "incident.notified", case_id, childk.incident_notified(case_id)),
        (h.on_panel_notified, "incident.panel_notified", case_id, childk.panel_notified(case_id)),
        (h.on_agency_request_opened, "agency.request_opened", case_id, request_opened(case_id, "gp-practice")),
        (h.on_agency_request_opened, "agency.request_opened", case_id, request_opened(case_id, "school")),
        (h.on_agency_request_opened, "agency.request_opened", case_id, request_opened(case_id, "dentist")),
        (h.on_criteria_evaluated, "criteria.evaluated", case_id, childk.criteria_evaluated(case_id)),
        (h.on_incident_withdrawn, "incident.withdrawn", case_id, intake_pb2.IncidentWithdrawn(case_id=case_id)),
    ])
    # notified; Panel notified (its Panel submissions, entry + head); a known agency; two new
    # agencies; an evaluation; the withdrawal: was [3, 4, 1, 3, 3, 4, 3]
    assert [len(c) for c in counts] == [1, 2, 0, 1, 1, 1, 1]
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "rapid_review_clock.known", "case.agencies_added", "case.agencies_added",
                            "evaluation.received", "case.withdrawn"]
    assert held.findings == [] and held.row.audit_sequence == 6 and held.row.withdrawn
    assert held.row.rr_due == dt.date(2024, 6, 28) and held.evaluations == 1
    assert {"school", "dentist"} <= set(held.agencies)


async def test_every_statement_of_a_cases_events_is_compiled_once_and_cached(stack):
    """Each statement the event handlers run has a SQLAlchemy cache key, so it is compiled once
    per shape, not again for every event (the audit entries of a known case were a multi-row
    `insert().values([...])`, which has none)."""
    case_id = str(uuid.uuid4())
    h = stack.handlers
    with StatementCounter(stack.db) as counter:
        for handler, event_type, payload in [
            (h.on_incident_notified, "incident.notified", childk.incident_notified(case_id)),
            (h.on_panel_notified, "incident.panel_notified", childk.panel_notified(case_id)),
            (h.on_agency_request_opened, "agency.request_opened", request_opened(case_id, "school")),
            (h.on_criteria_evaluated, "criteria.evaluated", childk.criteria_evaluated(case_id)),
            (h.on_incident_withdrawn, "incident.withdrawn", intake_pb2.IncidentWithdrawn(case_id=case_id)),
        ]:
            async with stack.db.transaction() as session:
                await handler(session, ref(event_type, case_id), payload)
    assert len(counter.statements) >= 5 and counter.uncacheable == [], counter.uncacheable
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "rapid_review_clock.known", "case.agencies_added", "evaluation.received",
                            "case.withdrawn"] and held.findings == []


async def test_an_evaluation_is_stored_with_its_entry_and_head_and_a_doubled_one_changes_nothing(stack):
    case_id = await notified_case(stack)
    evaluated = childk.criteria_evaluated(case_id)
    statements = await handle(stack, stack.handlers.on_criteria_evaluated, "criteria.evaluated", case_id, evaluated)
    assert len(statements) == 2, statements  # was 4: lock, evaluation + entry + head
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "evaluation.received"] and held.findings == [] and held.evaluations == 1
    assert held.entries[1].change.entity_id == evaluated.checklist.evaluation_id
    assert held.entries[1].change.after["outcomes"]["LOCAL.PANEL_VIEW"] == "OUTCOME_NOT_MET"
    statements = await handle(stack, stack.handlers.on_criteria_evaluated, "criteria.evaluated", case_id, evaluated)
    assert len(statements) == 2, statements  # the lock, and the statement that finds it known and writes nothing
    again = await stored(stack, case_id)
    assert again.entries == held.entries and again.row == held.row and again.evaluations == 1


async def test_withdrawal_amendment_and_clock_extension(stack):
    case_id = await notified_case(stack)
    amended = intake_pb2.IncidentAmended(incident=childk.incident_notified(case_id).incident, version=2)
    amended.incident.notification.child.child_ref = "Child K (amended)"
    amended.incident.notification.agencies.append(common_pb2.Agency(agency_id="school", name="Primary school"))
    statements = await handle(stack, stack.handlers.on_incident_amended, "incident.amended", case_id, amended)
    assert len(statements) == 2, statements  # was 4
    extended = intake_pb2.IncidentClockExtended(case_id=case_id, clock=common_pb2.Clock(
        id="RR.DEADLINE", starts_from="2024-06-07", due="2024-06-28", effective_due="2024-07-05"))
    statements = await handle(stack, stack.handlers.on_clock_extended, "incident.clock_extended", case_id, extended)
    assert len(statements) == 3, statements  # was 4
    statements = await handle(stack, stack.handlers.on_incident_withdrawn, "incident.withdrawn", case_id,
                              intake_pb2.IncidentWithdrawn(case_id=case_id))
    assert len(statements) == 2, statements  # was 3
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "case.agencies_added", "case.child_reference_amended", "rapid_review_clock.known",
                            "case.withdrawn"]
    assert held.findings == [] and held.row.withdrawn and held.row.rr_due == dt.date(2024, 7, 5)
    assert "school" in held.agencies
    async with stack.db.transaction() as session:
        assert DecisionRepository(session, stack.cipher).child_ref_of(held.row) == "Child K (amended)"


# -- the RPCs that write audit entries ----------------------------------------------------------

async def test_the_decision_rpcs_write_their_entries_with_the_head(stack):
    case_id = await notified_case(stack)
    await handle(stack, stack.handlers.on_panel_notified, "incident.panel_notified", case_id, childk.panel_notified(case_id))
    evaluated = childk.criteria_evaluated(case_id)
    await handle(stack, stack.handlers.on_criteria_evaluated, "criteria.evaluated", case_id, evaluated)
    h = stack.handlers
    ev = evaluated.checklist.evaluation_id
    first, statements = await rpc(stack, h.record_recommendation, childk.recommendation(case_id, ev), Role.RAG_MEMBER)
    assert len(statements) == 27, statements  # was 28
    second, statements = await rpc(stack, h.record_recommendation, childk.recommendation(case_id, ev), Role.RAG_MEMBER)
    assert len(statements) == 28, statements  # was 30
    decision, statements = await rpc(stack, h.record_decision, childk.example(
        "decision", D.RecordDecisionRequest, case_id=case_id, recommendation_id=second.recommendation.recommendation_id),
        Role.EXECUTIVE)
    assert len(statements) == 32, statements  # was 34
    submission, statements = await rpc(stack, h.record_panel_submission, childk.example(
        "panel-submission", D.RecordPanelSubmissionRequest, case_id=case_id, decision_id=decision.decision.decision_id),
        Role.BUSINESS_UNIT)
    assert len(statements) == 31, statements  # was 32
    response, statements = await rpc(stack, h.record_panel_response, childk.example(
        "panel-response", D.RecordPanelResponseRequest, case_id=case_id, submission_id=submission.submission.submission_id),
        Role.BUSINESS_UNIT)
    assert len(statements) == 32, statements  # was 33
    held = await stored(stack, case_id)
    assert held.actions == ["case.opened", "rapid_review_clock.known", "evaluation.received", "recommendation.recorded",
                            "recommendation.superseded", "recommendation.recorded", "decision.recorded", "clock.started",
                            "panel_submission.recorded", "panel_response.recorded"]
    assert held.findings == [] and held.row.audit_sequence == 10 and held.events == 5
    superseded = held.entries[4].change
    assert superseded.entity_id == first.recommendation.recommendation_id
    assert superseded.after == {"superseded": True, "superseded_by": second.recommendation.recommendation_id}
    assert held.entries[8].change.after["rapid_review_due"] == "2024-06-28"
    assert held.entries[9].change.entity_id == response.response.response_id


async def test_a_failed_rpc_leaves_no_entry_and_the_head_where_it_was(stack):
    """A recommendation whose event cannot be stored (here over the size limit) after its
    entry was chained: the transaction stores neither the record nor the entry nor the head."""
    case_id = await notified_case(stack)
    evaluated = childk.criteria_evaluated(case_id)
    await handle(stack, stack.handlers.on_criteria_evaluated, "criteria.evaluated", case_id, evaluated)
    before = await stored(stack, case_id)
    with pytest.raises(InvalidArgument):
        await rpc(stack, stack.handlers.record_recommendation, childk.recommendation(case_id, str(uuid.uuid4())), Role.RAG_MEMBER)
    outbox = stack.handlers.infra.outbox
    original = outbox.add

    async def refuse(session, envelope):  # type: ignore[no-untyped-def]
        raise EventTooLarge("too large")

    outbox.add = refuse
    try:
        with pytest.raises(EventTooLarge):
            await rpc(stack, stack.handlers.record_recommendation, childk.recommendation(case_id, evaluated.checklist.evaluation_id),
                      Role.RAG_MEMBER)
    finally:
        outbox.add = original
    after = await stored(stack, case_id)
    assert after.row == before.row and after.entries == before.entries and after.findings == []
    async with stack.db.transaction() as session:
        assert (await session.execute(select(func.count()).select_from(storage.recommendations))).scalar_one() == 0
