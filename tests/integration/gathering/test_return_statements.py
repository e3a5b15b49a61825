"""What gathering's SubmitAgencyReturn and its Panel notification handler cost in SQL, and that
folding their statements together changed nothing they store or publish: each path's statements
are counted on the handlers themselves (in this process, against a migrated database), and what
they stored is read back."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from rapidreview.gathering import storage
from rapidreview.gathering.domain.collation import collated_event
from rapidreview.gathering.handlers import GatheringHandlers
from rapidreview.gathering.partnerships import PartnershipPolicies
from rapidreview.gathering.storage import GatheringRepository
from rapidreview.kernel.auth import Grant, Principal, Role, Scope
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.errors import FailedPrecondition, NotFound
from rapidreview.kernel.events import EventRef
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.kernel.outbox import EventTooLarge, Outbox
from rapidreview.rules.parameters import RuleParameters
from rapidreview.v1 import events_pb2, gathering_pb2, intake_pb2
from tests.integration.gathering.conftest import AGENCY_IDS, EXAMPLE_BY_AGENCY, example_incident, example_return
from tests.support.statements import StatementCounter

pytestmark = pytest.mark.integration
G = gathering_pb2
TODAY = dt.date(2024, 6, 20)


@pytest.fixture
async def stack(fresh_database) -> AsyncIterator[SimpleNamespace]:
    await upgrade_async("gathering", fresh_database)
    db = Database(fresh_database)
    cipher = FieldCipher(KeyRing.generate())
    outbox = Outbox(storage.metadata.tables["gathering.outbox"], "gathering")
    infra = SimpleNamespace(db=db, outbox=outbox, cipher=cipher, calendar=WorkingDayCalendar(lambda: TODAY))
    handlers = GatheringHandlers(infra, PartnershipPolicies(), RuleParameters.load_default())  # type: ignore[arg-type]
    yield SimpleNamespace(db=db, cipher=cipher, outbox=outbox, handlers=handlers)
    await db.dispose()


def ref(event_type: str, case_id: str) -> EventRef:
    return EventRef(str(uuid.uuid4()), event_type, case_id, str(uuid.uuid4()), "leeds")


def grant(agency_id: str) -> Grant:
    return Grant(Principal(f"user@{agency_id}", Role.AGENCY, "leeds", agency_id), Scope.OWN_AGENCY)


async def open_case(stack, *, sent: str = "2024-06-07") -> str:  # type: ignore[no-untyped-def]
    """incident.notified (and incident.panel_notified when `sent`), each in its own transaction."""
    case_id = str(uuid.uuid4())
    async with stack.db.transaction() as session:
        await stack.handlers.on_incident_notified(session, ref("incident.notified", case_id),
                                                  intake_pb2.IncidentNotified(incident=example_incident(case_id)))
    if sent:
        await panel(stack, case_id, sent)
    return case_id


async def panel(stack, case_id: str, sent: str) -> list[str]:  # type: ignore[no-untyped-def]
    payload = intake_pb2.IncidentPanelNotified(case_id=case_id, panel_notification=intake_pb2.PanelNotification(
        reference="PANEL-K", sent_date=sent))
    with StatementCounter(stack.db) as counter:
        async with stack.db.transaction() as session:
            await stack.handlers.on_panel_notified(session, ref("incident.panel_notified", case_id), payload)
    return counter.statements


def the_return(case_id: str, agency_id: str) -> G.SubmitAgencyReturnRequest:
    return example_return(EXAMPLE_BY_AGENCY[agency_id], case_id)


async def submit(stack, request: G.SubmitAgencyReturnRequest) -> tuple[G.SubmitAgencyReturnResponse, list[str]]:  # type: ignore[no-untyped-def]
    with StatementCounter(stack.db) as counter:
        response = await stack.handlers.submit(request, grant(request.agency_return.agency.agency_id), "corr-1")
    return response, counter.statements


async def stored(stack, case_id: str) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    """What gathering holds about the case: the case, its requests, returns and collations, and
    the events in its outbox (in the order the relay publishes them)."""
    async with stack.db.transaction() as session:
        case = (await session.execute(select(storage.cases).where(storage.cases.c.case_id == case_id))).one()
        requests = (await session.execute(select(storage.requests).where(storage.requests.c.case_id == case_id)
                                          .order_by(storage.requests.c.position))).all()
        returns = (await session.execute(select(storage.returns).where(storage.returns.c.case_id == case_id)
                                         .order_by(storage.returns.c.agency_id, storage.returns.c.version))).all()
        collations = (await session.execute(select(storage.collations).where(storage.collations.c.case_id == case_id)
                                            .order_by(storage.collations.c.version))).all()
        rows = (await session.execute(select(storage.outbox.c.data).order_by(storage.outbox.c.id))).scalars().all()
        repo = GatheringRepository(session, stack.cipher)
        bodies = await repo.latest_bodies(case_id)
        # The collation as GetCollatedInformation computes it from what is stored now.
        collated_now = await stack.handlers._collate(repo, case)
    events = [e for e in (events_pb2.EventEnvelope.FromString(r) for r in rows) if e.case_id == case_id]
    return SimpleNamespace(case=case, requests=requests, returns=returns, collations=collations, bodies=bodies,
                           events=[e for e in events if not e.event_type.startswith("agency.request_opened")],
                           collated_now=collated_now)


def payload(envelope: events_pb2.EventEnvelope):  # type: ignore[no-untyped-def]
    message = {"agency.return_submitted": G.AgencyReturnSubmitted, "information.collated": G.InformationCollated}[envelope.event_type]()
    envelope.payload.Unpack(message)
    return message


def without_time(collated: G.InformationCollated) -> G.InformationCollated:
    copy = G.InformationCollated()
    copy.CopyFrom(collated)
    copy.ClearField("collated_at")
    return copy


async def test_every_statement_of_a_case_is_compiled_once_and_cached(stack):
    """Each statement gathering runs for a case (its notification opening seven requests, the
    Panel notification, the returns and the collation) has a SQLAlchemy cache key, so it is
    compiled once per shape (the requests were a multi-row `insert().values([...])`, which has
    none: compiled again for every case)."""
    with StatementCounter(stack.db) as counter:
        case_id = await open_case(stack)
        for agency_id in AGENCY_IDS:
            await submit(stack, the_return(case_id, agency_id))
    assert len(counter.statements) > 10 and counter.uncacheable == [], counter.uncacheable
    held = await stored(stack, case_id)
    assert sorted(r.agency_id for r in held.requests) == sorted(AGENCY_IDS)
    assert [r.position for r in held.requests] == list(range(len(AGENCY_IDS)))
    assert len(held.collations) == 1


async def test_a_return_is_three_statements_the_last_one_collating_too(stack):
    """Was 5 (lock, requests, return, request, outbox row) and 9 for the last return (and the
    case's collation version, the returns' bodies, the collation, its outbox row): now the lock,
    one read and one write each."""
    case_id = await open_case(stack)
    counts = []
    for agency_id in AGENCY_IDS:
        response, statements = await submit(stack, the_return(case_id, agency_id))
        counts.append(len(statements))
        assert response.version.version == 1 and not response.replayed
        assert response.collated == (agency_id == AGENCY_IDS[-1])
        assert response.request.status == G.REQUEST_STATUS_RETURNED
    assert counts == [3] * len(AGENCY_IDS), counts
    held = await stored(stack, case_id)
    assert held.case.collation_version == 1 and held.case.status == G.GATHERING_STATUS_OPEN
    assert [(r.agency_id, r.latest_version, r.first_returned_on) for r in held.requests] == [(a, 1, TODAY) for a in AGENCY_IDS]
    assert sorted((r.agency_id, r.version, r.submitted_by, r.submitted_on) for r in held.returns) == sorted(
        (a, 1, f"user@{a}", TODAY) for a in AGENCY_IDS)
    for agency_id in AGENCY_IDS:  # stored as received
        assert held.bodies[agency_id] == the_return(case_id, agency_id).agency_return
    [collation] = held.collations
    assert (collation.version, collation.trigger, collation.partial, collation.missing, collation.closed_by) == (
        1, G.COLLATION_TRIGGER_ALL_RETURNED, False, 0, f"user@{AGENCY_IDS[-1]}")
    # The events in order: every return's, then the collation.
    assert [e.event_type for e in held.events] == ["agency.return_submitted"] * len(AGENCY_IDS) + ["information.collated"]
    assert [payload(e).outstanding for e in held.events[:-1]] == list(range(len(AGENCY_IDS) - 1, -1, -1))
    assert all(e.correlation_id == "corr-1" and e.partnership == "leeds" for e in held.events)
    collated = payload(held.events[-1])
    assert collated.trigger == G.COLLATION_TRIGGER_ALL_RETURNED and collated.collation_version == 1
    # The collation published is the one the stored returns give.
    assert without_time(collated) == without_time(collated_event(held.collated_now, G.COLLATION_TRIGGER_ALL_RETURNED))


async def test_the_same_return_again_is_two_statements_and_changes_nothing(stack):
    """Was 4 (lock, requests, the latest digest, the versions)."""
    case_id = await open_case(stack)
    first, _ = await submit(stack, the_return(case_id, AGENCY_IDS[0]))
    before = await stored(stack, case_id)
    again, statements = await submit(stack, the_return(case_id, AGENCY_IDS[0]))
    assert len(statements) == 2, statements
    assert again.replayed and not again.collated and again.version == first.version
    after = await stored(stack, case_id)
    assert (after.case, after.requests, after.returns, after.events) == (before.case, before.requests, before.returns, before.events)


async def test_an_amendment_after_every_return_collates_again(stack):
    case_id = await open_case(stack)
    for agency_id in AGENCY_IDS:
        await submit(stack, the_return(case_id, agency_id))
    amended = the_return(case_id, AGENCY_IDS[2])
    amended.agency_return.involvement_summary += " Amended."
    response, statements = await submit(stack, amended)
    assert len(statements) == 3, statements  # was 10
    assert response.version.version == 2 and response.collated
    held = await stored(stack, case_id)
    assert held.case.collation_version == 2
    assert [(c.version, c.trigger) for c in held.collations] == [(1, G.COLLATION_TRIGGER_ALL_RETURNED),
                                                                  (2, G.COLLATION_TRIGGER_RETURN_AMENDED)]
    assert held.bodies[AGENCY_IDS[2]] == amended.agency_return
    assert [e.event_type for e in held.events[-2:]] == ["agency.return_submitted", "information.collated"]
    assert payload(held.events[-2]).version == 2 and payload(held.events[-2]).outstanding == 0
    collated = payload(held.events[-1])
    assert collated.collation_version == 2 and collated.trigger == G.COLLATION_TRIGGER_RETURN_AMENDED
    assert without_time(collated) == without_time(collated_event(held.collated_now, G.COLLATION_TRIGGER_RETURN_AMENDED))
    # The amended version (not the first) is in the collation, the first stays stored.
    assert [(r.version, r.body_digest != "") for r in held.returns if r.agency_id == AGENCY_IDS[2]] == [(1, True), (2, True)]


async def test_returns_arriving_together_collate_exactly_once(stack):
    """The case is locked before the read: of returns submitted at once, exactly one sees every
    other one stored and collates."""
    for _ in range(2):
        case_id = await open_case(stack)
        responses = await asyncio.gather(*(stack.handlers.submit(the_return(case_id, a), grant(a), "corr")
                                           for a in AGENCY_IDS))
        assert sum(r.collated for r in responses) == 1
        held = await stored(stack, case_id)
        assert len(held.collations) == 1 and held.case.collation_version == 1
        assert [e.event_type for e in held.events].count("information.collated") == 1
        assert held.events[-1].event_type == "information.collated"
        assert sorted(payload(e).outstanding for e in held.events[:-1]) == list(range(len(AGENCY_IDS)))
        assert without_time(payload(held.events[-1])) == without_time(
            collated_event(held.collated_now, G.COLLATION_TRIGGER_ALL_RETURNED))


async def test_refused_returns_store_nothing(stack):
    case_id = await open_case(stack)
    before = await stored(stack, case_id)
    unknown = the_return(case_id, AGENCY_IDS[0])
    unknown.agency_return.agency.agency_id = "not-asked"
    with pytest.raises(NotFound):
        await stack.handlers.submit(unknown, grant("not-asked"), "corr")
    with pytest.raises(NotFound):
        await stack.handlers.submit(the_return(str(uuid.uuid4()), AGENCY_IDS[0]), grant(AGENCY_IDS[0]), "corr")
    await stack.handlers.close(G.CloseGatheringRequest(case_id=case_id),
                               Grant(Principal("bu", Role.BUSINESS_UNIT, "leeds"), Scope.OWN_PARTNERSHIP), "corr")
    closed = await stored(stack, case_id)
    with pytest.raises(FailedPrecondition):
        await stack.handlers.submit(the_return(case_id, AGENCY_IDS[0]), grant(AGENCY_IDS[0]), "corr")
    after = await stored(stack, case_id)
    assert after.returns == before.returns == [] and after.requests == before.requests
    assert after.events == closed.events


async def test_a_collation_whose_event_cannot_be_stored_leaves_the_return_unstored(stack):
    """The collation's outbox row is refused (an event over the size limit): the return, its
    request and its collation all roll back with it."""
    case_id = await open_case(stack)
    for agency_id in AGENCY_IDS[:-1]:
        await submit(stack, the_return(case_id, agency_id))
    before = await stored(stack, case_id)
    original = stack.outbox.add

    async def refuse_collation(session, envelope):  # type: ignore[no-untyped-def]
        if envelope.event_type == "information.collated":
            raise EventTooLarge("too large")
        await original(session, envelope)

    stack.outbox.add = refuse_collation
    try:
        with pytest.raises(EventTooLarge):
            await submit(stack, the_return(case_id, AGENCY_IDS[-1]))
    finally:
        stack.outbox.add = original
    after = await stored(stack, case_id)
    assert (after.case, after.requests, after.returns, after.collations, after.events) == (
        before.case, before.requests, before.returns, before.collations, before.events)


async def test_an_outbox_write_that_cannot_join_the_returns_statement_still_runs_after_it(stack):
    """The outbox's single-row INSERT runs inside the return's statement; anything else the
    outbox executes (here its multi-row INSERT … RETURNING) runs after it, as before."""
    case_id = await open_case(stack)
    original = stack.outbox.add

    async def add_as_many(session, envelope):  # type: ignore[no-untyped-def]
        await session.execute(stack.outbox._insert_many, [stack.outbox._row(envelope)])

    stack.outbox.add = add_as_many
    try:
        counts = [len((await submit(stack, the_return(case_id, agency_id)))[1]) for agency_id in AGENCY_IDS]
    finally:
        stack.outbox.add = original
    assert counts == [4] * (len(AGENCY_IDS) - 1) + [5], counts
    held = await stored(stack, case_id)
    assert [e.event_type for e in held.events] == ["agency.return_submitted"] * len(AGENCY_IDS) + ["information.collated"]
    assert [payload(e).outstanding for e in held.events[:-1]] == list(range(len(AGENCY_IDS) - 1, -1, -1))
    assert [r.latest_version for r in held.requests] == [1] * len(AGENCY_IDS) and len(held.collations) == 1
    assert without_time(payload(held.events[-1])) == without_time(
        collated_event(held.collated_now, G.COLLATION_TRIGGER_ALL_RETURNED))


async def test_the_collations_event_follows_the_returns_in_the_outbox_of_one_statement(stack):
    """The last return writes two outbox rows in one statement: the collation's is written from
    the return's (an INSERT … SELECT from its RETURNING), so its id is the greater and the relay
    publishes it second."""
    case_id = await open_case(stack)
    for agency_id in AGENCY_IDS:
        await submit(stack, the_return(case_id, agency_id))
    async with stack.db.transaction() as session:
        rows = (await session.execute(select(storage.outbox.c.id, storage.outbox.c.event_type).order_by(storage.outbox.c.id))).all()
    assert [r.event_type for r in rows[-2:]] == ["agency.return_submitted", "information.collated"]
    assert rows[-1].id == rows[-2].id + 1


async def test_a_panel_notification_is_the_lock_and_one_statement_that_moves_the_provisional_due_dates(stack):
    """Was 3 (lock, the case, the requests' due dates)."""
    case_id = await open_case(stack, sent="")
    provisional = (await stored(stack, case_id)).requests
    assert {r.due_basis for r in provisional} == {G.DUE_BASIS_AWARENESS}
    statements = await panel(stack, case_id, "2024-06-07")
    assert len(statements) == 2, statements
    held = await stored(stack, case_id)
    sent = dt.date(2024, 6, 7)
    due = stack.handlers.calendar.add_working_days(sent, held.case.return_working_days)
    assert held.case.panel_sent_date == sent and held.case.updated_at > held.case.created_at
    assert {(r.due_basis, r.starts_from, r.due) for r in held.requests} == {(G.DUE_BASIS_PANEL_NOTIFICATION, sent, due)}
    assert all(not r.due_soon_emitted and not r.overdue_emitted for r in held.requests)
    # The same notification again: the lock only, nothing changes.
    assert len(await panel(stack, case_id, "2024-06-07")) == 1
    again = await stored(stack, case_id)
    assert (again.case, again.requests) == (held.case, held.requests)
    # A later date moves nothing that already counts from the Panel notification.
    assert len(await panel(stack, case_id, "2024-06-10")) == 2
    later = await stored(stack, case_id)
    assert later.case.panel_sent_date == dt.date(2024, 6, 10) and later.requests == held.requests


async def test_a_panel_notification_of_an_unknown_case_is_retried(stack):
    from rapidreview.kernel.consumer import RetryableEventError

    with pytest.raises(RetryableEventError):
        await panel(stack, str(uuid.uuid4()), "2024-06-07")
