"""Statutory clocks as the dashboard shows them: their state and working days
left on a given day, the case-level RR.AGENCIES clock summed up from the
information requests, and a request's provisional due date moved to the
Panel notification. Pure: the calendar and "today" are passed in."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from rapidreview.kernel.calendar import WorkingDayCalendar

NOTIFY, AGENCIES, RAPID_REVIEW, SIX_MONTHS = "NOTIFY.DEADLINE", "RR.AGENCIES", "RR.DEADLINE", "POST.SIX_MONTHS"
LAC_DEATH, CARE_LEAVER_DEATH, PARTNERS, LEAD_AREA = "NOTIFY.LAC_DEATH", "NOTIFY.CARE_LEAVER_DEATH", "NOTIFY.PARTNERS", "RR.LEAD_AREA"
#: Intake's clocks, one per duty that arises (docs/intake.md): started, moved and stopped by
#: intake's events, each of which carries them.
INTAKE_CLOCKS = (NOTIFY, LAC_DEATH, CARE_LEAVER_DEATH, PARTNERS, LEAD_AREA, RAPID_REVIEW)
#: Clocks that keep running after a withdrawal: the Secretary of State and Ofsted are told of a
#: looked-after child's or care leaver's death whatever happens to the Panel notification.
SURVIVE_WITHDRAWAL = frozenset({LAC_DEATH, CARE_LEAVER_DEATH})
#: The case clocks the dashboard shows, in statutory order.
DASHBOARD_CLOCKS = (NOTIFY, LAC_DEATH, CARE_LEAVER_DEATH, PARTNERS, LEAD_AREA, AGENCIES, RAPID_REVIEW, SIX_MONTHS)
#: The subject_ref of a case-level clock in deadline events (an agency id for RR.AGENCIES).
CASE_SUBJECT = "case"


class ClockState(enum.StrEnum):
    """Where a clock stands on a given day."""

    RUNNING = "running"  #: open, due later than the warning window
    DUE_SOON = "due_soon"  #: open, due within the warning window (RR_DUE_SOON_WORKING_DAYS)
    OVERDUE = "overdue"  #: open, past its effective due date
    MET = "met"  #: the duty was done (possibly late)
    CLOSED = "closed"  #: stopped without being met (withdrawn, or gathering closed with returns missing)


@dataclass(frozen=True)
class ClockFacts:
    """A clock as stored."""

    clock_id: str
    due: dt.date
    effective_due: dt.date
    completed_on: dt.date | None = None
    closed: bool = False


def clock_state(clock: ClockFacts, today: dt.date, calendar: WorkingDayCalendar,
                due_soon_working_days: int) -> tuple[ClockState, int | None]:
    """The clock's state on `today` and its working days left (None unless open)."""
    if clock.completed_on is not None:
        return ClockState.MET, None
    if clock.closed:
        return ClockState.CLOSED, None
    left = calendar.working_days_left(clock.effective_due, today)
    if today > clock.effective_due:
        return ClockState.OVERDUE, left
    if left <= due_soon_working_days:
        return ClockState.DUE_SOON, left
    return ClockState.RUNNING, left


def is_late(clock: ClockFacts) -> bool:
    return clock.completed_on is not None and clock.completed_on > clock.effective_due


@dataclass(frozen=True)
class RequestFacts:
    """What the RR.AGENCIES summary needs of one information request."""

    due: dt.date | None
    returned_on: dt.date | None  #: first return's date; None while awaited


def agencies_clock(requests: Iterable[RequestFacts], *, gathering_open: bool, withdrawn: bool) -> ClockFacts | None:
    """The case-level RR.AGENCIES clock: open while returns are awaited in an open
    gathering, due on the earliest awaited due date; met once every request has a
    return (completed on the last first-return date, due on the latest due date);
    closed when the gathering closed, or the case was withdrawn, with returns
    still missing. None while no request has a due date."""
    known = [r for r in requests if r.due is not None]
    if not known:
        return None
    awaited = [r for r in known if r.returned_on is None]
    if not awaited:
        latest_due = max(r.due for r in known)  # type: ignore[type-var]
        returned = max(r.returned_on for r in known)  # type: ignore[type-var]
        return ClockFacts(AGENCIES, latest_due, latest_due, completed_on=returned)
    earliest = min(r.due for r in awaited)  # type: ignore[type-var]
    return ClockFacts(AGENCIES, earliest, earliest, closed=withdrawn or not gathering_open)


def moved_due(starts_from: dt.date, due: dt.date, panel_sent_on: dt.date, calendar: WorkingDayCalendar) -> dt.date:
    """A provisional due date (counted from awareness) counted again from the Panel
    notification's sent date, as gathering does: the same number of working days."""
    return calendar.add_working_days(panel_sent_on, calendar.working_days_between(starts_from, due))


def intake_clock_shown(clock_id: str, seen_at: dt.datetime | None, snapshot_at: dt.datetime | None,
                       snapshot: frozenset[str]) -> bool:
    """Whether one of intake's clocks still runs on the case (False: its duty no longer arises
    after an amendment, and intake stopped it). Every snapshot of the incident (notified, Panel
    notified, amended) lists the clocks it has at that moment; a clock is shown when the newest
    snapshot lists it, or when one of intake's events carried it after that snapshot (`seen_at`,
    the latest that did). So an older event arriving after the amendment that stopped its clock
    does not bring the clock back, whatever order the events arrive in. A clock known only from
    deadline events so far (`seen_at` None: intake's event that started it has not arrived yet)
    is shown: only intake's word stops a clock."""
    if clock_id not in INTAKE_CLOCKS or snapshot_at is None or clock_id in snapshot:
        return True
    return seen_at is None or seen_at > snapshot_at
