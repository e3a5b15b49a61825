"""Every statutory clock intake runs (one per duty that arises: NOTIFY.DEADLINE,
NOTIFY.LAC_DEATH, NOTIFY.CARE_LEAVER_DEATH, NOTIFY.PARTNERS, RR.LEAD_AREA,
RR.DEADLINE) on the dashboard, with the notifications recorded as sent
(incident.notification_sent) and the notification's amendments
(incident.amended), through real JetStream consumers into a real PostgreSQL,
whatever order the events arrive in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from sqlalchemy import select

from rapidreview.v1 import intake_pb2 as I
from rapidreview.workspace.readmodel import ClockState, DashboardFilter, Stage
from rapidreview.workspace.readmodel import storage as t
from tests.integration.workspace.readmodel.events import CAL, SENT, TODAY, Case, clock, done, envelope, publish, sent_record, times
from tests.integration.workspace.readmodel.test_projection import dead_letters, feed, settled

pytestmark = pytest.mark.integration

D = dt.date
AWARE = D(2024, 6, 4)
DUE = CAL.add_working_days(AWARE, 5)  # 2024-06-11: every notification duty's 5 working days
SOS, OFSTED = I.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, I.NOTIFICATION_RECIPIENT_OFSTED
PARTNERS, HOME = I.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS, I.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS


def duty_clock(clock_id: str, starts: dt.date = AWARE, due: dt.date = DUE):  # noqa: ANN201
    return clock(clock_id, starts, due)


def ids(summary) -> list[str]:  # noqa: ANN001
    return [c.clock_id for c in summary.clocks]


def of(summary, clock_id: str):  # noqa: ANN001
    return next(c for c in summary.clocks if c.clock_id == clock_id)


async def open_ids(workspace, partnership: str) -> list[str]:  # noqa: ANN001
    return [s.case_id for s in await workspace.rm.cases(partnership, DashboardFilter(), TODAY)]


async def test_a_looked_after_childs_death_without_a_rapid_review_stays_open_until_the_secretary_of_state_and_ofsted_are_told(workspace):
    p = "leeds-lac"
    lac = duty_clock("NOTIFY.LAC_DEATH")
    case = Case(partnership=p, child_ref="Child L")
    await feed(workspace, case, [case.notified_with(duties={"NOTIFY.LAC_DEATH": True, "NOTIFY.PANEL_IN_AREA": False, "RR.REQUIRED": False},
                                                    clocks=[lac])], at=times(1))
    await settled(workspace, 1)
    summary = await workspace.rm.case(p, case.case_id, TODAY)
    assert summary.stage == Stage.NOT_REQUIRED and summary.is_open
    assert summary.next_step == "Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH)"
    assert ids(summary) == ["NOTIFY.LAC_DEATH"] and of(summary, "NOTIFY.LAC_DEATH").state == ClockState.DUE_SOON
    assert await open_ids(workspace, p) == [case.case_id]  # on the open dashboard although no rapid review is required

    stamps = times(3, dt.datetime(2024, 6, 10, 10, 0, tzinfo=dt.UTC))
    await publish(workspace.bus, envelope(case, case.notification_sent("NOTIFY.LAC_DEATH", SOS, D(2024, 6, 6), lac), at=stamps[0]))
    await settled(workspace, 2)
    assert (await workspace.rm.case(p, case.case_id, TODAY)).next_step == "Notify Ofsted (NOTIFY.LAC_DEATH)"

    await publish(workspace.bus, envelope(case, case.notification_sent("NOTIFY.LAC_DEATH", OFSTED, D(2024, 6, 7), done(lac, D(2024, 6, 7))),
                                          at=stamps[1]))
    await settled(workspace, 3)
    summary = await workspace.rm.case(p, case.case_id, TODAY)
    met = of(summary, "NOTIFY.LAC_DEATH")
    assert met.state == ClockState.MET and met.completed_on == D(2024, 6, 7) and not met.late
    assert not summary.is_open and summary.next_step == "None: no rapid review is required (RR.REQUIRED not met)"
    assert await open_ids(workspace, p) == []


async def test_a_duty_clock_closes_once_every_recipient_is_recorded_even_from_events_without_the_clock(workspace):
    p = "leeds-care-leaver"
    case = Case(partnership=p)
    leaver = duty_clock("NOTIFY.CARE_LEAVER_DEATH")
    await feed(workspace, case, [
        case.notified_with(duties={"NOTIFY.CARE_LEAVER_DEATH": True, "RR.REQUIRED": False}, clocks=[leaver]),
        case.notification_sent("NOTIFY.CARE_LEAVER_DEATH", OFSTED, D(2024, 6, 12)),
        case.notification_sent("NOTIFY.CARE_LEAVER_DEATH", SOS, D(2024, 6, 5)),
    ])
    await settled(workspace, 3)
    summary = await workspace.rm.case(p, case.case_id, TODAY)
    met = of(summary, "NOTIFY.CARE_LEAVER_DEATH")
    assert met.state == ClockState.MET and met.completed_on == D(2024, 6, 12) and met.late  # the latest date, after the due date
    assert not summary.is_open


async def test_notification_duties_come_before_the_stage_step_and_close_with_their_records(workspace):
    p = "leeds-duties"
    case = Case(partnership=p)
    notify, partners, lead = duty_clock("NOTIFY.DEADLINE"), duty_clock("NOTIFY.PARTNERS"), duty_clock("RR.LEAD_AREA")
    duties = {"NOTIFY.PANEL_IN_AREA": True, "NOTIFY.PARTNERS": True, "RR.LEAD_AREA": True, "RR.REQUIRED": True}
    stamps = times(4)
    await feed(workspace, case, [case.notified_with(duties=duties, clocks=[notify, partners, lead])], at=stamps[:1])
    await settled(workspace, 1)
    summary = await workspace.rm.case(p, case.case_id, TODAY)
    assert ids(summary) == ["NOTIFY.DEADLINE", "NOTIFY.PARTNERS", "RR.LEAD_AREA"]
    assert summary.stage == Stage.NOTIFIED
    assert summary.next_step == ("Inform the safeguarding partners (NOTIFY.PARTNERS). Inform the home area's safeguarding partners "
                                 "(RR.LEAD_AREA). Record the Panel notification")

    # The deprecated RecordPartnersInformed's event closes NOTIFY.PARTNERS as a notification_sent would.
    rr = clock("RR.DEADLINE", SENT, CAL.add_working_days(SENT, 15))
    sent = [sent_record("NOTIFY.DEADLINE", I.NOTIFICATION_RECIPIENT_PANEL, SENT), sent_record("NOTIFY.PARTNERS", PARTNERS, D(2024, 6, 6)),
            sent_record("RR.LEAD_AREA", HOME, D(2024, 6, 12))]
    panel = case.panel_notified()
    panel[1].incident.CopyFrom(case.incident(duties=duties, sent=sent, clocks=[
        done(notify, SENT), done(partners, D(2024, 6, 6)), done(lead, D(2024, 6, 12)), rr]))
    await feed(workspace, case, [case.partners_informed(D(2024, 6, 6)),
                                 case.notification_sent("RR.LEAD_AREA", HOME, D(2024, 6, 12), done(lead, D(2024, 6, 12))), panel],
               at=stamps[1:])
    await settled(workspace, 4)
    summary = await workspace.rm.case(p, case.case_id, TODAY)
    assert ids(summary) == ["NOTIFY.DEADLINE", "NOTIFY.PARTNERS", "RR.LEAD_AREA", "RR.DEADLINE"]
    assert [(c.state, c.completed_on, c.late) for c in summary.clocks[:3]] == [
        (ClockState.MET, SENT, False), (ClockState.MET, D(2024, 6, 6), False), (ClockState.MET, D(2024, 6, 12), True)]
    assert of(summary, "RR.DEADLINE").state == ClockState.RUNNING
    assert summary.stage == Stage.GATHERING and summary.next_step == "Open information requests to the agencies involved"


async def test_after_a_withdrawal_the_secretary_of_state_and_ofsted_clock_keeps_running_and_the_others_stop(workspace):
    p = "leeds-withdrawn"
    case = Case(partnership=p)
    clocks = [duty_clock("NOTIFY.DEADLINE"), duty_clock("NOTIFY.LAC_DEATH"), duty_clock("NOTIFY.PARTNERS")]
    duties = {"NOTIFY.PANEL_IN_AREA": True, "NOTIFY.LAC_DEATH": True, "NOTIFY.PARTNERS": True, "RR.REQUIRED": True}
    await feed(workspace, case, [case.notified_with(duties=duties, clocks=clocks), case.withdrawn()])
    await settled(workspace, 2)
    summary = await workspace.rm.case(p, case.case_id, TODAY)
    assert summary.stage == Stage.WITHDRAWN and summary.withdrawn and summary.is_open
    assert [(c.clock_id, c.state) for c in summary.clocks] == [
        ("NOTIFY.DEADLINE", ClockState.CLOSED), ("NOTIFY.LAC_DEATH", ClockState.DUE_SOON), ("NOTIFY.PARTNERS", ClockState.CLOSED)]
    assert summary.next_step == "Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH)"
    assert await open_ids(workspace, p) == [case.case_id]
    assert [s.case_id for s in await workspace.rm.cases(p, DashboardFilter(due_within_working_days=1), TODAY)] == [case.case_id]


async def test_an_amendment_that_makes_the_case_serious_starts_its_clocks_and_changes_its_facts(workspace):
    p = "leeds-amend-up"
    case = Case(partnership=p, child_ref="Child Q")
    stamps = times(2)
    await feed(workspace, case, [case.notified_with(duties={"NOTIFY.PANEL_IN_AREA": False, "RR.REQUIRED": False})], at=stamps[:1])
    await settled(workspace, 1)
    before = await workspace.rm.case(p, case.case_id, TODAY)
    assert before.stage == Stage.NOT_REQUIRED and not before.is_open and before.clocks == () and not before.amended
    async with workspace.db.engine.connect() as conn:
        assert (await conn.execute(select(t.cases.c.gathering_open))).scalar_one() is False

    amended = case.amended(2, ("abuse_or_neglect", "child.child_ref"), child_ref="Child Q-R",
                           duties={"NOTIFY.PANEL_IN_AREA": True, "RR.REQUIRED": True}, clocks=[duty_clock("NOTIFY.DEADLINE")])
    await feed(workspace, case, [amended], at=stamps[1:])
    await settled(workspace, 2)
    after = await workspace.rm.case(p, case.case_id, TODAY)
    assert after.stage == Stage.NOTIFIED and after.is_open and after.next_step == "Record the Panel notification"
    assert ids(after) == ["NOTIFY.DEADLINE"] and after.notification_version == 2 and after.amended
    assert after.case_reference == "Child Q-R"
    found = lambda ref: workspace.rm.cases(p, DashboardFilter(reference=ref, include_closed=True), TODAY)  # noqa: E731
    assert [s.case_id for s in await found("Child Q-R")] == [case.case_id] and await found("Child Q") == []
    async with workspace.db.engine.connect() as conn:
        assert (await conn.execute(select(t.cases.c.gathering_open))).scalar_one() is True  # gathering opens such a case


async def test_an_amendment_that_ends_a_duty_stops_its_clock_and_takes_the_case_off_the_overdue_list(workspace):
    p = "leeds-amend-down"
    case = Case(partnership=p, aware=D(2024, 5, 20))
    overdue = clock("NOTIFY.DEADLINE", D(2024, 5, 20), CAL.add_working_days(D(2024, 5, 20), 5))  # due 2024-05-28
    stamps = times(3)
    await feed(workspace, case, [case.notified_with(duties={"NOTIFY.PANEL_IN_AREA": True, "RR.REQUIRED": True}, clocks=[overdue])],
               at=stamps[:1])
    await settled(workspace, 1)
    assert [s.case_id for s in await workspace.rm.cases(p, DashboardFilter(overdue_only=True), TODAY)] == [case.case_id]
    # The watcher's overdue event, published as the amendment was being recorded, arrives after it
    # with a later time: only intake's own events say a clock runs, so it stays stopped.
    await feed(workspace, case, [case.amended(2, ("child.age_years",), duties={"NOTIFY.PANEL_IN_AREA": False, "RR.REQUIRED": False}),
                                 case.overdue("NOTIFY.DEADLINE", "case", D(2024, 5, 28))], at=stamps[1:])
    await settled(workspace, 3)
    assert await workspace.rm.cases(p, DashboardFilter(overdue_only=True), TODAY) == []
    summary = await workspace.rm.case(p, case.case_id, TODAY)
    assert summary.clocks == () and summary.stage == Stage.NOT_REQUIRED and not summary.overdue


def _amended_case_events(case: Case) -> list:
    """A notification with three duties; the looked-after child's notification half sent; then
    amended (the awareness date a day earlier moves the open clocks, and the person turns out not
    to be looked after: NOTIFY.LAC_DEATH stops); partners told; NOTIFY.DEADLINE extended;
    amended again (the child reference corrected)."""
    notify, lac, partners = duty_clock("NOTIFY.DEADLINE"), duty_clock("NOTIFY.LAC_DEATH"), duty_clock("NOTIFY.PARTNERS")
    earlier = D(2024, 6, 3)
    moved_due = CAL.add_working_days(earlier, 5)  # 2024-06-10
    notify2, partners2 = clock("NOTIFY.DEADLINE", earlier, moved_due), clock("NOTIFY.PARTNERS", earlier, moved_due)
    extended = clock("NOTIFY.DEADLINE", earlier, moved_due, D(2024, 6, 14))
    first = {"NOTIFY.PANEL_IN_AREA": True, "NOTIFY.LAC_DEATH": True, "NOTIFY.PARTNERS": True, "RR.REQUIRED": True}
    later = {**first, "NOTIFY.LAC_DEATH": False}
    lac_sent = sent_record("NOTIFY.LAC_DEATH", SOS, D(2024, 6, 5))
    partners_sent = sent_record("NOTIFY.PARTNERS", PARTNERS, D(2024, 6, 7))
    return [
        case.notified_with(duties=first, clocks=[notify, lac, partners], child_ref="Child Z"),
        case.notification_sent("NOTIFY.LAC_DEATH", SOS, D(2024, 6, 5), lac),
        case.due_soon("NOTIFY.LAC_DEATH", "case", DUE),
        case.amended(2, ("la_aware_date", "child.looked_after"), duties=later, clocks=[notify2, partners2], child_ref="Child Z",
                     sent=[lac_sent]),
        case.notification_sent("NOTIFY.PARTNERS", PARTNERS, D(2024, 6, 7), done(partners2, D(2024, 6, 7))),
        case.clock_extended("NOTIFY.DEADLINE", earlier, moved_due, D(2024, 6, 14)),
        case.amended(3, ("child.child_ref",), duties=later, clocks=[extended, done(partners2, D(2024, 6, 7))], child_ref="Child Z-2",
                     sent=[lac_sent, partners_sent]),
    ]


async def test_an_amended_case_comes_out_the_same_whatever_order_its_events_arrive_in(workspace):
    p = "leeds-amend-order"
    cases = [Case(partnership=p) for _ in range(3)]
    n = len(_amended_case_events(cases[0]))
    stamps = times(n)
    orders = [list(range(n)), list(reversed(range(n))), random.Random(7).sample(range(n), n)]
    for case, order in zip(cases, orders, strict=True):
        events = _amended_case_events(case)
        for i in order:
            await publish(workspace.bus, envelope(case, events[i], at=stamps[i]))
    await settled(workspace, 3 * n)
    summaries = [await workspace.rm.case(p, c.case_id, TODAY) for c in cases]
    first = summaries[0]
    assert ids(first) == ["NOTIFY.DEADLINE", "NOTIFY.PARTNERS"]  # the looked-after child's clock was stopped by the amendment
    notify = of(first, "NOTIFY.DEADLINE")
    assert (notify.due, notify.effective_due, notify.state) == (D(2024, 6, 10), D(2024, 6, 14), ClockState.RUNNING)
    assert of(first, "NOTIFY.PARTNERS").completed_on == D(2024, 6, 7)
    assert first.case_reference == "Child Z-2" and first.notification_version == 3
    assert first.stage == Stage.NOTIFIED and first.next_step == "Record the Panel notification"
    comparable = [dataclasses.replace(s, case_id="", short_id="") for s in summaries]
    assert comparable[1] == comparable[0] and comparable[2] == comparable[0]


async def test_malformed_amendments_and_notifications_sent_go_to_the_dead_letters(workspace):
    case = Case(partnership="leeds-bad-intake")
    await feed(workspace, case, [case.notified()])
    no_version = await publish(workspace.bus, envelope(case, case.amended(1)))
    bad_date = case.notification_sent("NOTIFY.PARTNERS", PARTNERS, D(2024, 6, 6))
    bad_date[1].notification.sent_date = "2024-02-30"
    bad = await publish(workspace.bus, envelope(case, bad_date))
    no_recipient = case.notification_sent("NOTIFY.PARTNERS", I.NOTIFICATION_RECIPIENT_UNSPECIFIED, D(2024, 6, 6))
    nobody = await publish(workspace.bus, envelope(case, no_recipient))
    reasons = {letter.event_id: letter.reason for letter in await dead_letters(workspace, 3)}
    assert reasons[no_version.event_id] == "an amendment without a version after the first"
    assert reasons[bad.event_id] == "notification sent_date is not a date"
    assert reasons[nobody.event_id] == "a notification sent without a duty or recipient"
    summary = await workspace.rm.case("leeds-bad-intake", case.case_id, TODAY)
    assert summary.notification_version == 1 and not summary.amended
