"""What intake's RPCs of every case cost in SQL, and that folding their statements together
changed nothing they store: each path's statements are counted on the handlers themselves
(in this process, against a migrated database; BEGIN and COMMIT are not statements the
driver is given), and what they stored is read back."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from rapidreview.intake import storage
from rapidreview.intake.handlers import IntakeHandlers
from rapidreview.intake.watchers import ClockWatcher
from rapidreview.kernel.auth import Grant, Principal, Role, Scope
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.kernel.crypto import FieldCipher, KeyRing
from rapidreview.kernel.db import Database
from rapidreview.kernel.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from rapidreview.kernel.migrations import upgrade_async
from rapidreview.kernel.outbox import EventTooLarge, Outbox
from rapidreview.v1 import events_pb2, intake_pb2
from tests.support.examples import example_notification
from tests.support.harness import shared_rulebook
from tests.support.statements import StatementCounter

pytestmark = pytest.mark.integration
S = intake_pb2

TODAY = dt.date(2024, 6, 14)
# Statements of each path (BEGIN and COMMIT aside).
# A notification first waits for any other of the same child and date (an advisory lock), then
# reads, then writes.
NOTIFY_STATEMENTS = 3
NOTIFY_WITH_A_DUPLICATE_STATEMENTS = 3
REPLAY_STATEMENTS = 3
PANEL_STATEMENTS = 3
PANEL_AGAIN_STATEMENTS = 2
WATCH_STATEMENTS = 4  # one case, two clocks overdue


@pytest.fixture
async def stack(fresh_database) -> AsyncIterator[SimpleNamespace]:
    await upgrade_async("intake", fresh_database)
    db = Database(fresh_database)
    cipher = FieldCipher(KeyRing.generate())
    outbox = Outbox(storage.outbox, "intake")
    infra = SimpleNamespace(db=db, outbox=outbox, cipher=cipher, calendar=WorkingDayCalendar(lambda: TODAY),
                            settings=SimpleNamespace(due_soon_working_days=2))
    yield SimpleNamespace(db=db, cipher=cipher, outbox=outbox, infra=infra,
                          handlers=IntakeHandlers(infra, shared_rulebook()))  # type: ignore[arg-type]
    await db.dispose()


LA = Grant(Principal("la-user@leeds", Role.NOTIFYING_LA, "leeds"), Scope.OWN_PARTNERSHIP)
OTHER_LA = Grant(Principal("la-user@york", Role.NOTIFYING_LA, "york"), Scope.OWN_PARTNERSHIP)


def notify_request(key: str = "", **overrides) -> S.NotifyIncidentRequest:  # type: ignore[no-untyped-def]
    return S.NotifyIncidentRequest(idempotency_key=key or str(uuid.uuid4()), notification=example_notification(**overrides))


def panel_request(case_id: str, reference: str = "PANEL-2024-0607-K", sent: str = "2024-06-07") -> S.RecordPanelNotificationRequest:
    return S.RecordPanelNotificationRequest(case_id=case_id, reference=reference, sent_date=sent)


async def counted(stack, call):  # type: ignore[no-untyped-def]
    """Runs `call` (a coroutine function); its result (or the error it raised) and its statements."""
    with StatementCounter(stack.db) as counter:
        try:
            result = await call()
        except Exception as exc:  # noqa: BLE001 - returned for the test to check
            result = exc
    return result, counter.statements


async def stored(stack) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    """Everything intake holds, row by row (the outbox as event types and payloads)."""
    async with stack.db.transaction() as session:
        def rows(table, *order):  # type: ignore[no-untyped-def]
            return session.execute(select(table).order_by(*order))

        incidents = [r._asdict() for r in await rows(storage.incidents, storage.incidents.c.case_id)]
        clocks = [r._asdict() for r in await rows(storage.clocks, storage.clocks.c.case_id, storage.clocks.c.clock_id)]
        sent = [r._asdict() for r in await rows(storage.notifications_sent, storage.notifications_sent.c.case_id,
                                                storage.notifications_sent.c.duty)]
        keys = [r._asdict() for r in await rows(storage.idempotency, storage.idempotency.c.idempotency_key)]
        duplicates = [tuple(r) for r in await rows(storage.possible_duplicates, storage.possible_duplicates.c.case_id,
                                                   storage.possible_duplicates.c.other_case_id)]
        outbox = [events_pb2.EventEnvelope.FromString(r.data)
                  for r in await session.execute(select(storage.outbox.c.data).order_by(storage.outbox.c.id))]
    return SimpleNamespace(incidents=incidents, clocks=clocks, sent=sent, keys=keys, duplicates=duplicates, outbox=outbox)


def unpacked(envelope: events_pb2.EventEnvelope, message_type):  # type: ignore[no-untyped-def]
    payload = message_type()
    envelope.payload.Unpack(payload)
    return payload


def as_event_carries(incident: S.Incident) -> S.Incident:
    """The incident as its events carry it: free text and amendment history left out."""
    out = S.Incident()
    out.CopyFrom(incident)
    out.notification.harm_description = ""
    out.withdrawal_reason = ""
    del out.amendments[:]
    return out


async def notify(stack, request=None):  # type: ignore[no-untyped-def]
    return await stack.handlers.notify(request or notify_request(), LA, "corr-notify")


# -- NotifyIncident -----------------------------------------------------------------------------
async def test_a_notification_stores_the_incident_its_clocks_its_key_and_its_event(stack):
    request = notify_request("notify-key-1")
    response, statements = await counted(stack, lambda: notify(stack, request))
    assert not isinstance(response, Exception), response
    assert len(statements) == NOTIFY_STATEMENTS, statements
    incident = response.incident
    assert not response.replayed and incident.status == S.INCIDENT_STATUS_NOTIFIED and incident.partnership == "leeds"
    assert incident.notification == request.notification
    assert [c.id for c in incident.clocks] == ["NOTIFY.DEADLINE", "NOTIFY.PARTNERS"]
    held = await stored(stack)
    [row] = held.incidents
    assert row["case_id"] == incident.case_id and row["status"] == S.INCIDENT_STATUS_NOTIFIED
    assert row["notification_version"] == 1 and row["panel_sent_date"] is None
    assert [(c["clock_id"], c["due_soon_emitted"], c["overdue_emitted"]) for c in held.clocks] == [
        ("NOTIFY.DEADLINE", False, False), ("NOTIFY.PARTNERS", False, False)]
    assert [(k["partnership"], k["idempotency_key"], k["case_id"]) for k in held.keys] == [("leeds", "notify-key-1", incident.case_id)]
    assert held.sent == [] and held.duplicates == []
    [envelope] = held.outbox
    assert envelope.event_type == "incident.notified" and envelope.case_id == incident.case_id
    assert envelope.partnership == "leeds" and envelope.correlation_id == "corr-notify" and envelope.producer == "intake"
    assert unpacked(envelope, S.IncidentNotified).incident == as_event_carries(incident)
    # The answer is what a read of the case gives.
    assert (await stack.handlers.get(incident.case_id, LA)) == incident


async def test_the_same_notification_again_is_a_replay_that_stores_nothing(stack):
    request = notify_request("notify-key-2")
    first = await notify(stack, request)
    before = await stored(stack)
    again, statements = await counted(stack, lambda: notify(stack, request))
    assert len(statements) == REPLAY_STATEMENTS, statements
    assert again.replayed and again.incident == first.incident
    assert await stored(stack) == before


async def test_the_same_key_with_another_notification_is_refused_and_stores_nothing(stack):
    await notify(stack, notify_request("notify-key-3"))
    before = await stored(stack)
    other = notify_request("notify-key-3", notifying_la="Bradford")
    error, _ = await counted(stack, lambda: notify(stack, other))
    assert isinstance(error, AlreadyExists)
    assert await stored(stack) == before


async def test_an_invalid_notification_runs_no_statement_and_stores_nothing(stack):
    bad = notify_request("notify-key-4", incident_date="not a date")
    error, statements = await counted(stack, lambda: notify(stack, bad))
    assert isinstance(error, InvalidArgument) and statements == []
    assert await stored(stack) == SimpleNamespace(incidents=[], clocks=[], sent=[], keys=[], duplicates=[], outbox=[])


async def test_a_notification_of_the_same_child_and_date_flags_both_as_possible_duplicates(stack):
    first = (await notify(stack, notify_request("notify-key-5"))).incident
    second, statements = await counted(stack, lambda: notify(stack, notify_request("notify-key-6")))
    assert len(statements) == NOTIFY_WITH_A_DUPLICATE_STATEMENTS, statements
    assert list(second.incident.possible_duplicate_of) == [first.case_id]
    held = await stored(stack)
    assert sorted(held.duplicates) == sorted([(first.case_id, second.incident.case_id), (second.incident.case_id, first.case_id)])
    assert list((await stack.handlers.get(first.case_id, LA)).possible_duplicate_of) == [second.incident.case_id]
    assert unpacked(held.outbox[-1], S.IncidentNotified).incident == as_event_carries(second.incident)
    # Another partnership's notification of the same child and date is not a duplicate.
    third = await stack.handlers.notify(notify_request("notify-key-7"), OTHER_LA, "")
    assert list(third.incident.possible_duplicate_of) == []


async def test_notifications_of_the_same_child_and_date_sent_at_the_same_moment_flag_each_other(stack, monkeypatch):
    """Two notifications of one child and date with different keys (two local authorities, or a
    partner system retrying with a new key) at the same moment: the second waits for the first
    to commit, reads it, and both are flagged. Without the wait each read "none" before the other
    wrote: here both are held before writing until the other has read, for up to a second."""
    write = storage.IncidentRepository.write_notified
    both_read = asyncio.Barrier(2)

    async def write_when_both_have_read(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            await asyncio.wait_for(both_read.wait(), 1.0)
        except TimeoutError:
            pass  # the other is waiting for this one to commit
        return await write(self, *args, **kwargs)

    monkeypatch.setattr(storage.IncidentRepository, "write_notified", write_when_both_have_read)
    first, second = await asyncio.gather(notify(stack, notify_request("same-moment-1")), notify(stack, notify_request("same-moment-2")))
    monkeypatch.undo()
    flagged = {first.incident.case_id: list(first.incident.possible_duplicate_of),
               second.incident.case_id: list(second.incident.possible_duplicate_of)}
    assert sorted(len(v) for v in flagged.values()) == [0, 1]  # the later one names the earlier one
    held = await stored(stack)
    assert sorted(held.duplicates) == sorted([(first.incident.case_id, second.incident.case_id),
                                              (second.incident.case_id, first.incident.case_id)])
    for case_id, other in ((first.incident.case_id, second.incident.case_id), (second.incident.case_id, first.incident.case_id)):
        assert list((await stack.handlers.get(case_id, LA)).possible_duplicate_of) == [other]


async def test_concurrent_notifications_with_the_same_key_make_one_case(stack):
    request = notify_request("notify-key-8")
    answers = await asyncio.gather(*(notify(stack, request) for _ in range(4)))
    assert len({a.incident.case_id for a in answers}) == 1
    assert sorted(a.replayed for a in answers) == [False, True, True, True]
    held = await stored(stack)
    assert len(held.incidents) == 1 and len(held.keys) == 1 and len(held.outbox) == 1 and len(held.clocks) == 2


async def test_a_notification_whose_event_cannot_be_stored_stores_nothing(stack):
    original = stack.outbox.add

    async def refuse(session, envelope):  # type: ignore[no-untyped-def]
        raise EventTooLarge("too large")

    stack.outbox.add = refuse
    try:
        error, _ = await counted(stack, lambda: notify(stack, notify_request("notify-key-9")))
    finally:
        stack.outbox.add = original
    assert isinstance(error, EventTooLarge)
    assert await stored(stack) == SimpleNamespace(incidents=[], clocks=[], sent=[], keys=[], duplicates=[], outbox=[])


# -- RecordPanelNotification --------------------------------------------------------------------
async def test_a_panel_notification_closes_its_clock_records_it_sent_starts_the_rapid_review_and_publishes(stack):
    case_id = (await notify(stack)).incident.case_id
    incident, statements = await counted(stack, lambda: stack.handlers.record_panel_notification(
        panel_request(case_id), LA, "corr-panel"))
    assert not isinstance(incident, Exception), incident
    assert len(statements) == PANEL_STATEMENTS, statements
    assert incident.status == S.INCIDENT_STATUS_PANEL_NOTIFIED
    assert incident.panel_notification == S.PanelNotification(reference="PANEL-2024-0607-K", sent_date="2024-06-07", late=False)
    clocks = {c.id: c for c in incident.clocks}
    assert list(clocks) == ["NOTIFY.DEADLINE", "NOTIFY.PARTNERS", "RR.DEADLINE"]
    assert clocks["NOTIFY.DEADLINE"].completed_on == "2024-06-07" and clocks["RR.DEADLINE"].completed_on == ""
    assert [(s.duty, s.recipient, s.sent_date, s.reference, s.late, s.recorded_by) for s in incident.notifications_sent] == [
        ("NOTIFY.DEADLINE", S.NOTIFICATION_RECIPIENT_PANEL, "2024-06-07", "PANEL-2024-0607-K", False, "la-user@leeds")]
    held = await stored(stack)
    [row] = held.incidents
    assert (row["panel_reference"], row["panel_sent_date"], row["panel_late"]) == ("PANEL-2024-0607-K", dt.date(2024, 6, 7), False)
    assert row["updated_at"] > row["created_at"]
    assert [(c["clock_id"], c["completed_on"]) for c in held.clocks] == [
        ("NOTIFY.DEADLINE", dt.date(2024, 6, 7)), ("NOTIFY.PARTNERS", None), ("RR.DEADLINE", None)]
    assert [(s["duty"], s["recipient"], s["sent_date"]) for s in held.sent] == [
        ("NOTIFY.DEADLINE", S.NOTIFICATION_RECIPIENT_PANEL, dt.date(2024, 6, 7))]
    assert [e.event_type for e in held.outbox] == ["incident.notified", "incident.panel_notified"]
    envelope = held.outbox[-1]
    assert envelope.correlation_id == "corr-panel" and envelope.case_id == case_id
    event = unpacked(envelope, S.IncidentPanelNotified)
    assert event.case_id == case_id and event.panel_notification == incident.panel_notification
    assert event.rapid_review_clock == clocks["RR.DEADLINE"]
    assert event.incident == as_event_carries(incident)
    assert (await stack.handlers.get(case_id, LA)) == incident


async def test_the_same_panel_notification_again_changes_nothing(stack):
    case_id = (await notify(stack)).incident.case_id
    first = await stack.handlers.record_panel_notification(panel_request(case_id), LA, "")
    before = await stored(stack)
    again, statements = await counted(stack, lambda: stack.handlers.record_panel_notification(panel_request(case_id), LA, ""))
    assert len(statements) == PANEL_AGAIN_STATEMENTS, statements
    assert again == first
    assert await stored(stack) == before


async def test_refused_panel_notifications_store_nothing(stack):
    case_id = (await notify(stack)).incident.case_id
    before = await stored(stack)
    for request, grant, error in [
        (panel_request(case_id, sent="2024-06-01"), LA, InvalidArgument),  # before the LA became aware
        (panel_request(case_id, reference=""), LA, InvalidArgument),
        (panel_request(case_id, sent="2024-06-30"), LA, InvalidArgument),  # in the future
        (panel_request("not-a-case"), LA, InvalidArgument),
        (panel_request(str(uuid.uuid4())), LA, NotFound),
        (panel_request(case_id), OTHER_LA, PermissionDenied),
    ]:
        result, _ = await counted(stack, lambda r=request, g=grant: stack.handlers.record_panel_notification(r, g, ""))
        assert isinstance(result, error), (request, result)
        assert await stored(stack) == before
    await stack.handlers.record_panel_notification(panel_request(case_id), LA, "")
    before = await stored(stack)
    result, _ = await counted(stack, lambda: stack.handlers.record_panel_notification(
        panel_request(case_id, reference="OTHER"), LA, ""))
    assert isinstance(result, FailedPrecondition)
    assert await stored(stack) == before


async def test_a_late_panel_notification_is_recorded_late(stack):
    case_id = (await notify(stack)).incident.case_id
    incident = await stack.handlers.record_panel_notification(panel_request(case_id, sent="2024-06-12"), LA, "")
    assert incident.panel_notification.late
    held = await stored(stack)
    assert held.incidents[0]["panel_late"] is True and held.sent[0]["late"] is True


async def test_a_panel_notification_of_a_withdrawn_incident_is_refused(stack):
    case_id = (await notify(stack)).incident.case_id
    await stack.handlers.withdraw(S.WithdrawIncidentRequest(case_id=case_id, reason="notified in error"), LA, "")
    before = await stored(stack)
    result, _ = await counted(stack, lambda: stack.handlers.record_panel_notification(panel_request(case_id), LA, ""))
    assert isinstance(result, FailedPrecondition)
    assert await stored(stack) == before


async def test_the_clock_watcher_reports_each_clock_once_with_one_statement_each(stack):
    """A round of the watcher: the claim of open clocks, the case's duties once, then each
    deadline event with its clock's mark in one statement (was: the event, then the mark)."""
    case_id = (await notify(stack)).incident.case_id
    watcher = ClockWatcher(stack.infra)  # type: ignore[arg-type]
    emitted, statements = await counted(stack, watcher.check_once)
    assert emitted == 2 and len(statements) == WATCH_STATEMENTS, statements
    again, _ = await counted(stack, watcher.check_once)
    assert again == 0
    held = await stored(stack)
    assert [(c["clock_id"], c["due_soon_emitted"], c["overdue_emitted"]) for c in held.clocks] == [
        ("NOTIFY.DEADLINE", True, True), ("NOTIFY.PARTNERS", True, True)]
    overdue = [(e.event_type, e.case_id, unpacked(e, events_pb2.DeadlineOverdue).clock_id) for e in held.outbox[1:]]
    assert overdue == [("deadline.overdue", case_id, "NOTIFY.DEADLINE"), ("deadline.overdue", case_id, "NOTIFY.PARTNERS")]


async def test_a_due_soon_clock_is_reported_due_soon_then_overdue(stack):
    case_id = (await notify(stack)).incident.case_id
    await stack.handlers.record_panel_notification(panel_request(case_id), LA, "")
    watcher = ClockWatcher(stack.infra)  # type: ignore[arg-type]
    await watcher.check_once()
    rr = lambda held: next((c["due_soon_emitted"], c["overdue_emitted"]) for c in held.clocks  # noqa: E731
                           if c["clock_id"] == "RR.DEADLINE")
    assert rr(await stored(stack)) == (False, False)  # due in 15 working days
    stack.infra.calendar = WorkingDayCalendar(lambda: dt.date(2024, 6, 27))
    assert await watcher.check_once() == 1
    held = await stored(stack)
    assert rr(held) == (True, False)
    event = held.outbox[-1]
    assert event.event_type == "deadline.due_soon" and unpacked(event, events_pb2.DeadlineDueSoon).clock_id == "RR.DEADLINE"
    stack.infra.calendar = WorkingDayCalendar(lambda: dt.date(2024, 7, 5))
    assert await watcher.check_once() == 1
    held = await stored(stack)
    assert rr(held) == (True, True) and held.outbox[-1].event_type == "deadline.overdue"


async def test_a_panel_notification_of_an_amended_case_answers_with_its_amendments_and_keeps_reported_clocks_reported(stack):
    case_id = (await notify(stack)).incident.case_id
    amended = example_notification(harm_description="Skull fracture found at hospital; rib fractures found later.")
    await stack.handlers.amend(S.AmendNotificationRequest(case_id=case_id, notification=amended, expected_version=1,
                                                          reason="The rib fractures were found after the first report."),
                               LA, "")
    assert await ClockWatcher(stack.infra).check_once() == 2  # type: ignore[arg-type]
    incident, statements = await counted(stack, lambda: stack.handlers.record_panel_notification(panel_request(case_id), LA, ""))
    assert not isinstance(incident, Exception), incident
    assert len(statements) == PANEL_STATEMENTS + 1, statements  # and the amendments
    assert incident.notification_version == 2 and len(incident.amendments) == 1
    assert incident.notification.harm_description == amended.harm_description
    assert (await stack.handlers.get(case_id, LA)) == incident
    held = await stored(stack)
    # The deadline events already reported stay reported; the new clock's are still to come.
    assert [(c["clock_id"], c["due_soon_emitted"], c["overdue_emitted"]) for c in held.clocks] == [
        ("NOTIFY.DEADLINE", True, True), ("NOTIFY.PARTNERS", True, True), ("RR.DEADLINE", False, False)]
    event = unpacked(held.outbox[-1], S.IncidentPanelNotified)
    assert event.incident == as_event_carries(incident) and event.incident.notification.harm_description == ""


async def test_a_notification_lists_its_first_possible_duplicates_and_flags_them_all(stack):
    others = [(await notify(stack)).incident.case_id for _ in range(22)]
    incident = (await notify(stack)).incident
    assert list(incident.possible_duplicate_of) == sorted(others)[:20]
    assert len((await stored(stack)).duplicates) == 2 * sum(range(23))
    assert (await stack.handlers.get(incident.case_id, LA)) == incident


async def test_reading_an_incident_is_the_row_and_one_statement_for_its_clocks_duplicates_and_notifications_sent(stack):
    case_id = (await notify(stack)).incident.case_id
    panel = await stack.handlers.record_panel_notification(panel_request(case_id), LA, "")
    incident, statements = await counted(stack, lambda: stack.handlers.get(case_id, LA))
    # was 4: the row, then clocks, duplicates and notifications sent each; the two reads see one
    # moment (a read-only REPEATABLE READ transaction, set by its first statement)
    assert len(statements) == 3 and statements[0].startswith("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"), statements
    assert incident == panel
