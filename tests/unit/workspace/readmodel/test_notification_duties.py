"""The notifications intake's duties need, as the dashboard words and counts them, and which of
intake's clocks an amendment stopped (no database)."""

from __future__ import annotations

import datetime as dt

from rapidreview.v1 import intake_pb2 as I
from rapidreview.workspace.readmodel.domain.clocks import intake_clock_shown
from rapidreview.workspace.readmodel.domain.notifications import NotificationDue, completion, outstanding
from rapidreview.workspace.readmodel.domain.progress import CaseFacts, Stage, is_open, next_step, stage

D = dt.date
SOS, OFSTED = I.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, I.NOTIFICATION_RECIPIENT_OFSTED
LAC = NotificationDue("NOTIFY.LAC_DEATH", (SOS, OFSTED))
PARTNERS = NotificationDue("NOTIFY.PARTNERS", (I.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,))
T = [dt.datetime(2024, 6, 10, 9, minute, tzinfo=dt.UTC) for minute in range(4)]


def test_a_duty_names_who_is_still_to_be_told_in_the_duty_order():
    assert outstanding("NOTIFY.LAC_DEATH", []) == (SOS, OFSTED)
    assert NotificationDue("NOTIFY.LAC_DEATH", outstanding("NOTIFY.LAC_DEATH", [SOS])).step == "Notify Ofsted (NOTIFY.LAC_DEATH)"
    assert outstanding("NOTIFY.CARE_LEAVER_DEATH", [OFSTED, SOS]) == ()
    assert NotificationDue("RR.LEAD_AREA", (I.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS,)).step == (
        "Inform the home area's safeguarding partners (RR.LEAD_AREA)")


def test_a_duty_is_done_on_the_latest_date_once_every_recipient_is_told():
    assert completion("NOTIFY.LAC_DEATH", {SOS: D(2024, 6, 7)}) is None
    assert completion("NOTIFY.LAC_DEATH", {SOS: D(2024, 6, 7), OFSTED: D(2024, 6, 5)}) == D(2024, 6, 7)
    assert completion("NOTIFY.DEADLINE", {I.NOTIFICATION_RECIPIENT_PANEL: D(2024, 6, 7)}) is None  # the Panel has its own step


def test_notifications_owed_come_before_the_stage_step():
    facts = CaseFacts(notifications_due=(LAC, PARTNERS))
    assert next_step(facts) == ("Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH). "
                                "Inform the safeguarding partners (NOTIFY.PARTNERS). Record the Panel notification")


def test_a_closed_stage_with_a_notification_owed_stays_open_and_says_only_the_notification():
    for facts in (CaseFacts(rapid_review_required=False, notifications_due=(LAC,)), CaseFacts(withdrawn=True, notifications_due=(LAC,))):
        assert not stage(facts).is_open and is_open(facts)
        assert next_step(facts) == "Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH)"
    assert not is_open(CaseFacts(rapid_review_required=False))
    assert next_step(CaseFacts(rapid_review_required=False)) == "None: no rapid review is required (RR.REQUIRED not met)"
    assert stage(CaseFacts(rapid_review_required=False, notifications_due=(LAC,))) is Stage.NOT_REQUIRED


def test_a_clock_the_newest_snapshot_leaves_out_is_stopped_unless_an_event_carried_it_since():
    listed = frozenset({"NOTIFY.DEADLINE"})
    assert intake_clock_shown("NOTIFY.DEADLINE", T[0], T[2], listed)
    assert not intake_clock_shown("NOTIFY.LAC_DEATH", T[1], T[2], listed)  # older news of a clock the amendment stopped
    assert intake_clock_shown("NOTIFY.LAC_DEATH", T[3], T[2], listed)  # started again after it
    assert intake_clock_shown("NOTIFY.LAC_DEATH", T[1], None, frozenset())  # no snapshot heard of yet
    assert intake_clock_shown("RR.DEADLINE", None, T[2], listed)  # known from a deadline event only: intake's event is still to come
    assert intake_clock_shown("RR.AGENCIES", None, T[2], listed) and intake_clock_shown("POST.SIX_MONTHS", T[0], T[2], listed)
