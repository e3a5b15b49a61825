"""The read model fed by real events through real JetStream consumers into a real
PostgreSQL: events in, dashboard rows out, for every filter, the reference
search, partnership and agency isolation, the inbox, arrival order and dead
letters."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random

import nats
import pytest
from sqlalchemy import func, select

from rapidreview.kernel.events import DLQ_STREAM
from rapidreview.v1 import decisions_pb2, events_pb2
from rapidreview.workspace.readmodel import ClockState, DashboardFilter, Stage
from rapidreview.workspace.readmodel import storage as t
from tests.integration.workspace.readmodel.events import CAL, SENT, TODAY, Case, envelope, publish, times
from tests.support.harness import eventually

pytestmark = pytest.mark.integration

D = dt.date


async def feed(workspace, case: Case, events, *, at=None) -> list:  # noqa: ANN001
    """Publishes `events` of `case` in the order given, with increasing (or given) event times."""
    stamps = at or times(len(events))
    return [await publish(workspace.bus, envelope(case, e, at=stamp)) for e, stamp in zip(events, stamps, strict=True)]


async def settled(workspace, n: int) -> None:  # noqa: ANN001
    """Waits until `n` distinct events have been applied (their inbox rows committed with their
    effects). Not the consumer's acknowledgement count: a slow delivery redelivered counts twice there."""
    async def applied() -> bool:
        async with workspace.db.engine.connect() as conn:
            return (await conn.execute(select(func.count()).select_from(t.inbox))).scalar_one() >= n

    await eventually(applied, timeout=30, what=f"{n} events applied")


def clock(summary, clock_id: str):  # noqa: ANN001
    return next(c for c in summary.clocks if c.clock_id == clock_id)


async def test_a_cases_events_become_its_dashboard_row_with_stage_next_step_clocks_and_counts(workspace):
    case = Case(partnership="leeds-1")
    events = [case.notified(), case.panel_notified(), case.request_opened("west-yorkshire-police"), case.request_opened("gp-practice"),
              case.return_submitted("gp-practice", on=D(2024, 6, 10))]
    await feed(workspace, case, events)
    await settled(workspace, len(events))

    summary = await workspace.rm.case("leeds-1", case.case_id, TODAY)
    assert summary is not None
    assert summary.case_reference == "Child K" and summary.short_id == case.case_id.replace("-", "")[:8]
    assert summary.stage == Stage.GATHERING and summary.stage_label == "Gathering information from agencies"
    assert summary.next_step == "Wait for or chase 1 outstanding return (1 of 2 in)"
    assert (summary.requests_total, summary.returns_in, summary.withdrawn) == (2, 1, False)
    assert [c.clock_id for c in summary.clocks] == ["NOTIFY.DEADLINE", "RR.AGENCIES", "RR.DEADLINE"]
    notify = clock(summary, "NOTIFY.DEADLINE")
    assert notify.state == ClockState.MET and notify.completed_on == SENT and notify.working_days_left is None and not notify.late
    agencies = clock(summary, "RR.AGENCIES")
    assert agencies.due == CAL.add_working_days(SENT, 10) and agencies.state == ClockState.RUNNING
    assert agencies.working_days_left == CAL.working_days_left(agencies.due, TODAY)
    rr = clock(summary, "RR.DEADLINE")
    assert rr.due == CAL.add_working_days(SENT, 15) and rr.state == ClockState.RUNNING
    assert summary.panel_reference == "PANEL-1" and summary.notified_on == D(2024, 6, 4)
    # The child reference is sealed at rest: the table never holds it in clear.
    async with workspace.db.engine.connect() as conn:
        stored = (await conn.execute(select(t.cases.c.case_ref_enc, t.cases.c.case_ref_index))).one()
    assert "Child K" not in stored.case_ref_enc and "Child K" not in stored.case_ref_index


async def test_working_days_left_and_states_are_computed_for_the_day_asked(workspace):
    case = Case(partnership="leeds-2")
    await feed(workspace, case, [case.notified()])
    await settled(workspace, 1)
    due = CAL.add_working_days(case.aware, 5)  # 2024-06-11
    on_the_day = await workspace.rm.case("leeds-2", case.case_id, due)
    later = await workspace.rm.case("leeds-2", case.case_id, D(2024, 6, 13))
    assert clock(on_the_day, "NOTIFY.DEADLINE").state == ClockState.DUE_SOON and clock(on_the_day, "NOTIFY.DEADLINE").working_days_left == 0
    assert clock(later, "NOTIFY.DEADLINE").state == ClockState.OVERDUE and clock(later, "NOTIFY.DEADLINE").working_days_left == -2
    assert later.overdue and not on_the_day.overdue


async def test_every_dashboard_filter_selects_in_the_database(workspace):
    p = "leeds-3"
    overdue = Case(partnership=p, child_ref="Child A", aware=D(2024, 5, 20))  # NOTIFY.DEADLINE 2024-05-28: overdue on 10 June
    due_soon = Case(partnership=p, child_ref="Child B", aware=D(2024, 6, 4))  # NOTIFY.DEADLINE 2024-06-11: one working day
    gathering = Case(partnership=p, child_ref="Child C")  # Panel notified: RR.DEADLINE 28 June, returns due 21 June
    withdrawn = Case(partnership=p, child_ref="Child D")
    await feed(workspace, overdue, [overdue.notified()])
    await feed(workspace, due_soon, [due_soon.notified()])
    await feed(workspace, gathering, [gathering.notified(), gathering.panel_notified(), gathering.request_opened("police")])
    await feed(workspace, withdrawn, [withdrawn.notified(), withdrawn.withdrawn()])
    await settled(workspace, 7)

    async def ids(**flt) -> list[str]:  # noqa: ANN003
        return [s.case_id for s in await workspace.rm.cases(p, DashboardFilter(**flt), TODAY)]

    # Open cases, most urgent first; the withdrawn case only when asked for.
    assert await ids() == [overdue.case_id, due_soon.case_id, gathering.case_id]
    assert await ids(overdue_only=True) == [overdue.case_id]
    assert await ids(due_within_working_days=1) == [overdue.case_id, due_soon.case_id]
    assert await ids(due_within_working_days=10) == [overdue.case_id, due_soon.case_id, gathering.case_id]
    assert await ids(stage=Stage.GATHERING) == [gathering.case_id]
    assert await ids(stage=Stage.NOTIFIED) == [overdue.case_id, due_soon.case_id]
    assert await ids(stage=Stage.WITHDRAWN) == [withdrawn.case_id]
    assert set(await ids(include_closed=True)) == {overdue.case_id, due_soon.case_id, gathering.case_id, withdrawn.case_id}
    assert await ids(stage=Stage.NOTIFIED, overdue_only=True) == [overdue.case_id]
    summary = await workspace.rm.case(p, withdrawn.case_id, TODAY)
    assert summary.withdrawn and not summary.is_open and clock(summary, "NOTIFY.DEADLINE").state == ClockState.CLOSED
    with pytest.raises(ValueError, match="stage"):
        await workspace.rm.cases(p, DashboardFilter(stage="nonsense"), TODAY)
    with pytest.raises(ValueError, match="due_within_working_days"):
        await workspace.rm.cases(p, DashboardFilter(due_within_working_days=-1), TODAY)


async def test_reference_search_finds_the_child_reference_panel_reference_or_short_id_and_nothing_partial(workspace):
    k = Case(partnership="leeds-4", child_ref="Child K")
    other = Case(partnership="leeds-4", child_ref="Child KL")
    elsewhere = Case(partnership="bradford-4", child_ref="Child K")
    await feed(workspace, k, [k.notified(), k.panel_notified(reference="PANEL-77")])
    await feed(workspace, other, [other.notified()])
    await feed(workspace, elsewhere, [elsewhere.notified()])
    await settled(workspace, 4)

    async def found(reference: str) -> list[str]:
        return [s.case_id for s in await workspace.rm.cases("leeds-4", DashboardFilter(reference=reference), TODAY)]

    assert await found("Child K") == [k.case_id]
    assert await found("  child   k ") == [k.case_id]  # case and spacing ignored
    assert await found("panel-77") == [k.case_id]
    assert await found(k.case_id[:8]) == [k.case_id]
    assert await found(k.case_id) == [k.case_id]
    assert await found("Child") == []  # a blind index matches whole references only
    assert await found("%") == []


async def test_a_partnership_never_sees_another_partnerships_cases_requests_or_reminders(workspace):
    a = Case(partnership="leeds-5", child_ref="Child K")
    b = Case(partnership="bradford-5", child_ref="Child K")
    for case in (a, b):
        await feed(workspace, case, [case.notified(), case.panel_notified(), case.request_opened("gp-practice"), case.chased("gp-practice")])
    await settled(workspace, 8)
    assert [s.case_id for s in await workspace.rm.cases("leeds-5", DashboardFilter(include_closed=True), TODAY)] == [a.case_id]
    assert await workspace.rm.case("leeds-5", b.case_id, TODAY) is None
    assert [r.case_id for r in await workspace.rm.agency_requests("leeds-5", "gp-practice", TODAY)] == [a.case_id]
    assert await workspace.rm.reminders("leeds-5", b.case_id) == []
    assert [r.case_id for r in await workspace.rm.reminders("bradford-5", b.case_id)] == [b.case_id]


async def test_an_event_naming_another_partnership_for_a_known_case_is_dead_lettered_and_changes_nothing(workspace):
    case = Case(partnership="leeds-6")
    await feed(workspace, case, [case.notified()])
    await settled(workspace, 1)
    forged = await publish(workspace.bus, envelope(case, case.withdrawn(), partnership="bradford-6"))
    letter = await dead_letter(workspace, forged.event_id)
    assert letter.reason == "the event's partnership is not the case's"
    summary = await workspace.rm.case("leeds-6", case.case_id, TODAY)
    assert not summary.withdrawn and await workspace.rm.case("bradford-6", case.case_id, TODAY) is None


async def test_my_requests_lists_only_the_agencys_own_requests_with_their_status_and_due_dates(workspace):
    p = "leeds-7"
    one, two, three = Case(partnership=p), Case(partnership=p), Case(partnership=p)
    await feed(workspace, one, [one.notified(), one.panel_notified(), one.request_opened("gp-practice"), one.request_opened("police")])
    await feed(workspace, two, [two.notified(), two.panel_notified(), two.request_opened("gp-practice"),
                                two.return_submitted("gp-practice", on=D(2024, 6, 28))])
    await feed(workspace, three, [three.notified(), three.request_opened("police")])
    await settled(workspace, 10)
    mine = await workspace.rm.agency_requests(p, "gp-practice", TODAY)
    assert [(r.case_id, r.status) for r in mine] == [(one.case_id, "awaiting"), (two.case_id, "returned")]
    awaiting, returned = mine
    assert awaiting.request_id == f"{one.case_id}:gp-practice" and awaiting.case_reference == one.case_id.replace("-", "")[:8]
    assert awaiting.due == CAL.add_working_days(SENT, 10) and awaiting.working_days_left == CAL.working_days_left(awaiting.due, TODAY)
    assert awaiting.state == ClockState.RUNNING and awaiting.agency_name == "Gp Practice"
    assert returned.latest_version == 1 and returned.late and returned.state == ClockState.MET and returned.working_days_left is None
    assert "Child K" not in repr(mine)  # an agency is never given the child reference
    assert {r.case_id for r in await workspace.rm.agency_requests(p, "police", TODAY)} == {one.case_id, three.case_id}
    assert await workspace.rm.agency_requests(p, "school", TODAY) == []


async def test_a_provisional_due_date_moves_to_the_panel_notification_whichever_event_arrives_first(workspace):
    p = "leeds-8"
    in_order, reversed_ = Case(partnership=p), Case(partnership=p)
    await feed(workspace, in_order, [in_order.notified(), in_order.request_opened("police", provisional=True), in_order.panel_notified()])
    await feed(workspace, reversed_, [reversed_.notified(), reversed_.panel_notified(), reversed_.request_opened("police", provisional=True)])
    await settled(workspace, 6)
    for case in (in_order, reversed_):
        mine = next(r for r in await workspace.rm.agency_requests(p, "police", TODAY) if r.case_id == case.case_id)
        assert mine.due == CAL.add_working_days(SENT, 10) and not mine.provisional_due


async def test_the_same_event_delivered_twice_has_one_effect(workspace):
    case = Case(partnership="leeds-9")
    await feed(workspace, case, [case.notified(), case.panel_notified(), case.request_opened("police")])
    chase = envelope(case, case.chased("police"))
    await publish(workspace.bus, chase)
    await publish(workspace.bus, chase, msg_id=chase.event_id + "-again")  # past JetStream's de-duplication: the inbox decides
    await settled(workspace, 4)
    await eventually(lambda: _at_least(workspace.runtime.processed, 5), what="the second copy handled too")
    [request] = await workspace.rm.agency_requests("leeds-9", "police", TODAY)
    assert request.chase_count == 1 and request.last_chased_on == TODAY
    assert [r.kind for r in await workspace.rm.reminders("leeds-9", case.case_id)] == ["chase"]
    async with workspace.db.engine.connect() as conn:
        rows = (await conn.execute(select(func.count()).select_from(t.inbox).where(t.inbox.c.event_id == chase.event_id))).scalar_one()
    assert rows == 1


async def _at_least(value: int, n: int) -> bool:
    return value >= n


def _comparable(summary):  # noqa: ANN001
    return dataclasses.replace(summary, case_id="", short_id="", case_reference="")


async def test_a_whole_case_comes_out_the_same_whatever_order_its_events_arrive_in(workspace):
    p = "leeds-10"
    events_of = lambda c: [  # noqa: E731
        c.notified(), c.panel_notified(), c.request_opened("police"), c.request_opened("gp-practice"),
        c.clock_extended("RR.DEADLINE", SENT, CAL.add_working_days(SENT, 15), D(2024, 7, 12)),
        c.return_submitted("police", on=D(2024, 6, 14)), c.return_submitted("gp-practice", on=D(2024, 6, 17)),
        c.return_submitted("gp-practice", version=2, on=D(2024, 6, 18)), c.collated(1), c.evaluated(0), c.evaluated(1),
        c.recommended(1), c.decided("d1", 1), c.submitted("s1", "d1", on=D(2024, 6, 25)),
        c.responded("s1", decisions_pb2.PANEL_RESPONSE_KIND_CHALLENGES), c.recommended(2), c.decided("d2", 2),
        c.submitted("s2", "d2", on=D(2024, 7, 2)), c.responded("s2"),
    ]
    cases = [Case(partnership=p, child_ref=f"Child {i}") for i in range(3)]
    stamps = times(len(events_of(cases[0])))
    orders = [list(range(len(stamps))), list(reversed(range(len(stamps)))), random.Random(13).sample(range(len(stamps)), len(stamps))]
    for case, order in zip(cases, orders, strict=True):
        events = events_of(case)
        for i in order:
            await publish(workspace.bus, envelope(case, events[i], at=stamps[i]))
    await settled(workspace, 3 * len(stamps))
    summaries = [await workspace.rm.case(p, c.case_id, TODAY) for c in cases]
    assert summaries[0].stage == Stage.COMMISSIONING  # round 2 decided CSPR, the Panel agreed
    rr = clock(summaries[0], "RR.DEADLINE")
    assert rr.effective_due == D(2024, 7, 12) and rr.state == ClockState.MET and rr.completed_on == D(2024, 6, 25)
    assert clock(summaries[0], "RR.AGENCIES").completed_on == D(2024, 6, 17)
    assert _comparable(summaries[1]) == _comparable(summaries[0])
    assert _comparable(summaries[2]) == _comparable(summaries[0])


async def test_events_of_a_case_arriving_before_its_notification_wait_hidden_until_it_arrives(workspace):
    case = Case(partnership="leeds-11")
    first, second, third = times(3)
    await publish(workspace.bus, envelope(case, case.request_opened("police"), at=third))
    await publish(workspace.bus, envelope(case, case.panel_notified(), at=second))
    await settled(workspace, 2)
    assert await workspace.rm.case("leeds-11", case.case_id, TODAY) is None
    assert [r.case_id for r in await workspace.rm.agency_requests("leeds-11", "police", TODAY)] == [case.case_id]
    await publish(workspace.bus, envelope(case, case.notified(), at=first))
    summary = await eventually(lambda: workspace.rm.case("leeds-11", case.case_id, TODAY), what="the case on the dashboard")
    assert summary.stage == Stage.GATHERING and summary.requests_total == 1
    assert clock(summary, "NOTIFY.DEADLINE").state == ClockState.MET


async def test_an_older_extension_never_overrides_a_newer_one_and_deadline_events_catch_unevented_extensions(workspace):
    case = Case(partnership="leeds-12")
    start, first, second, later = times(4)
    rr_due = CAL.add_working_days(SENT, 15)
    await publish(workspace.bus, envelope(case, case.notified(), at=start))
    await publish(workspace.bus, envelope(case, case.panel_notified(), at=start))
    await publish(workspace.bus, envelope(case, case.clock_extended("RR.DEADLINE", SENT, rr_due, D(2024, 7, 19)), at=second))
    await publish(workspace.bus, envelope(case, case.clock_extended("RR.DEADLINE", SENT, rr_due, D(2024, 7, 12)), at=first))
    await publish(workspace.bus, envelope(case, case.commissioned(D(2024, 12, 10)), at=start))
    await publish(workspace.bus, envelope(case, case.due_soon("POST.SIX_MONTHS", "review", D(2025, 1, 10)), at=later))
    await settled(workspace, 6)
    summary = await workspace.rm.case("leeds-12", case.case_id, TODAY)
    rr = clock(summary, "RR.DEADLINE")
    assert (rr.due, rr.effective_due) == (rr_due, D(2024, 7, 19))
    six = clock(summary, "POST.SIX_MONTHS")
    assert (six.due, six.effective_due) == (D(2024, 12, 10), D(2025, 1, 10))


async def test_a_malformed_event_goes_to_the_dead_letters_and_the_consumer_goes_on(workspace):
    case = Case(partnership="leeds-13")
    assert workspace.bus.js is not None
    await workspace.bus.js.publish("rr.v1.incident.notified", b"\x00not an envelope", headers={"Nats-Msg-Id": "garbage-1"})
    bad_date = case.panel_notified()
    bad_date[1].panel_notification.sent_date = "2024-02-30"
    bad = await publish(workspace.bus, envelope(case, bad_date))
    wrong_payload = envelope(case, ("incident.withdrawn", events_pb2.DeadlineDueSoon(clock_id="x")))
    await publish(workspace.bus, wrong_payload)
    await feed(workspace, case, [case.notified()])
    letters = await dead_letters(workspace, 3)
    reasons = {letter.event_id: letter.reason for letter in letters}
    assert reasons[""] == "undecodable envelope"
    assert reasons[bad.event_id] == "panel notification sent_date is not a date"
    assert reasons[wrong_payload.event_id] == "payload is not rapidreview.v1.IncidentWithdrawn"
    assert all(letter.consumer.startswith("workspace-projection") for letter in letters)
    summary = await eventually(lambda: workspace.rm.case("leeds-13", case.case_id, TODAY), what="the good event applied")
    assert summary.stage == Stage.NOTIFIED and not summary.withdrawn


async def dead_letters(workspace, n: int) -> list[events_pb2.DeadLetter]:  # noqa: ANN001
    nc = await nats.connect(workspace.nats.url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe("rr.dlq.workspace.>", durable=None, stream=DLQ_STREAM)
        letters: list[events_pb2.DeadLetter] = []

        async def more() -> bool:
            try:
                for msg in await sub.fetch(10, timeout=0.5):
                    letters.append(events_pb2.DeadLetter.FromString(msg.data))
                    await msg.ack()
            except (nats.errors.TimeoutError, TimeoutError):
                pass
            return len(letters) >= n

        await eventually(more, timeout=30, what=f"{n} dead letters")
        return letters
    finally:
        await nc.close()


async def dead_letter(workspace, event_id: str) -> events_pb2.DeadLetter:  # noqa: ANN001
    letters = await dead_letters(workspace, 1)
    return next(letter for letter in letters if letter.event_id == event_id)


async def test_the_runtime_reports_each_committed_change(workspace):
    case = Case(partnership="leeds-14")
    before = workspace.runtime.version
    waiter = asyncio.create_task(workspace.runtime.wait_for_change(before, timeout=20))
    await feed(workspace, case, [case.notified()])
    assert await waiter > before


async def test_a_change_committed_between_the_dashboards_two_reads_is_not_half_on_it(workspace, postgres_server, fresh_database):
    """The dashboard reads the cases, then their clocks: a change to both committed in between
    (here a withdrawal that also closes the clocks) must not show the case as it was with its
    clocks as they became."""
    from sqlalchemy import event

    case = Case(partnership="leeds-snap")
    await feed(workspace, case, [case.notified(), case.panel_notified()])
    await settled(workspace, 2)
    before = await workspace.rm.cases("leeds-snap", DashboardFilter(), TODAY)
    assert [s.withdrawn for s in before] == [False] and all(c.state != ClockState.CLOSED for c in before[0].clocks)
    database = fresh_database.rsplit("/", 1)[-1]
    changed: list[bool] = []

    def withdraw_before_the_clocks_are_read(conn, cursor, statement, *args) -> None:  # noqa: ANN001, ANN002
        if not changed and "workspace.clocks" in statement and statement.lstrip().upper().startswith("SELECT"):
            changed.append(True)  # another transaction commits both changes at once
            postgres_server.psql(f"UPDATE workspace.cases SET withdrawn = true WHERE case_id = '{case.case_id}'; "
                                 f"UPDATE workspace.clocks SET closed = true WHERE case_id = '{case.case_id}'", database=database)

    engine = workspace.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", withdraw_before_the_clocks_are_read)
    try:
        during = await workspace.rm.cases("leeds-snap", DashboardFilter(), TODAY)
    finally:
        event.remove(engine, "before_cursor_execute", withdraw_before_the_clocks_are_read)
    assert changed
    assert during == before  # the moment of the first read, whole
    after = await workspace.rm.cases("leeds-snap", DashboardFilter(include_closed=True), TODAY)
    assert [s.withdrawn for s in after] == [True] and clock(after[0], "RR.DEADLINE").state == ClockState.CLOSED
