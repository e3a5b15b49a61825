"""Information requests as stored state: when each return is due and where it stands.

A request is due `working_days` working days after the date RR.AGENCIES
counts from, both parameters of its rule file (10 working days after the
Panel notification's sent date in the editions shipped; a partnership may
override the number of days). When it counts from the Panel notification and
that is not recorded yet, the due date counts from the date the local
authority became aware, the earliest the clock could fairly start, and is
recomputed from the sent date when it arrives: agencies see a provisional
date from day one rather than none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rapidreview.gathering.domain.refs import return_ref
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2, gathering_pb2

CLOCK_ID = "RR.AGENCIES"
FROM_PANEL_NOTIFICATION, FROM_AWARENESS = "panel_notification_sent_date", "la_aware_date"
#: What RR.AGENCIES may count from: the dates gathering knows of a case.
COUNTS_FROM = (FROM_PANEL_NOTIFICATION, FROM_AWARENESS)
MAX_RETURN_WORKING_DAYS = 60
G = gathering_pb2


@dataclass(frozen=True)
class ReturnsDeadline:
    """RR.AGENCIES as its rule file gives it."""

    working_days: int
    counts_from: str


def returns_deadline(params: dict, where: str) -> ReturnsDeadline:
    """RR.AGENCIES' parameters; ValueError naming `where` when gathering cannot use them."""
    days, counts_from = params.get("working_days"), params.get("counts_from", FROM_PANEL_NOTIFICATION)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_RETURN_WORKING_DAYS:
        raise ValueError(f"{where}: RR.AGENCIES working_days must be a whole number 1-{MAX_RETURN_WORKING_DAYS}")
    if counts_from not in COUNTS_FROM:
        raise ValueError(f"{where}: RR.AGENCIES counts_from must be one of {', '.join(COUNTS_FROM)}")
    return ReturnsDeadline(days, counts_from)


@dataclass(frozen=True)
class DueDate:
    """A request's due date and what it counts from."""

    starts_from: dt.date
    due: dt.date
    basis: int  # gathering_pb2.DueBasis


def due_date(la_aware_date: dt.date, panel_sent_date: dt.date | None, working_days: int,
             calendar: WorkingDayCalendar, counts_from: str = FROM_PANEL_NOTIFICATION) -> DueDate:
    """The due date of a request opened now: from the Panel notification when
    it counts from it and it is recorded, otherwise (provisionally, or for good
    when RR.AGENCIES counts from awareness) from awareness."""
    if panel_sent_date is not None and counts_from == FROM_PANEL_NOTIFICATION:
        return DueDate(panel_sent_date, calendar.add_working_days(panel_sent_date, working_days), G.DUE_BASIS_PANEL_NOTIFICATION)
    return DueDate(la_aware_date, calendar.add_working_days(la_aware_date, working_days), G.DUE_BASIS_AWARENESS)


@dataclass
class RequestState:
    """One stored request."""

    case_id: str
    agency: common_pb2.Agency
    source: int
    opened_on: dt.date
    starts_from: dt.date
    due: dt.date
    due_basis: int
    first_returned_on: dt.date | None = None
    latest_version: int = 0
    last_chased_on: dt.date | None = None
    chase_count: int = 0

    @property
    def agency_id(self) -> str:
        return self.agency.agency_id

    @property
    def returned(self) -> bool:
        return self.latest_version > 0

    def status(self, gathering_open: bool) -> int:
        if self.returned:
            return G.REQUEST_STATUS_RETURNED
        return G.REQUEST_STATUS_AWAITING if gathering_open else G.REQUEST_STATUS_NOT_RETURNED

    def is_overdue(self, today: dt.date, gathering_open: bool) -> bool:
        """Awaiting a return in an open gathering after the due date."""
        return gathering_open and not self.returned and today > self.due

    def is_late(self) -> bool:
        return self.first_returned_on is not None and self.first_returned_on > self.due


def render_request(state: RequestState, gathering_open: bool, calendar: WorkingDayCalendar) -> gathering_pb2.InformationRequest:
    """The API form of a request, its clock rendered as of the calendar's today."""
    today = calendar.today()
    awaiting = gathering_open and not state.returned
    clock = common_pb2.Clock(
        id=CLOCK_ID,
        starts_from=state.starts_from.isoformat(),
        due=state.due.isoformat(),
        effective_due=state.due.isoformat(),
        working_days_left=calendar.working_days_left(state.due, today) if awaiting else 0,
        overdue=state.is_overdue(today, gathering_open),
        completed_on=state.first_returned_on.isoformat() if state.first_returned_on else "",
        late=state.is_late(),
    )
    return G.InformationRequest(
        case_id=state.case_id,
        agency=state.agency,
        status=state.status(gathering_open),
        source=state.source,
        clock=clock,
        due_basis=state.due_basis,
        opened_on=state.opened_on.isoformat(),
        latest_version=state.latest_version,
        return_ref=return_ref(state.agency_id, state.latest_version),
        last_chased_on=state.last_chased_on.isoformat() if state.last_chased_on else "",
        chase_count=state.chase_count,
    )


def completeness(requests: list[gathering_pb2.InformationRequest]) -> gathering_pb2.Completeness:
    """Counts over rendered requests."""
    returned = sum(1 for r in requests if r.status == G.REQUEST_STATUS_RETURNED)
    return G.Completeness(
        requested=len(requests),
        returned=returned,
        missing=len(requests) - returned,
        late=sum(1 for r in requests if r.clock.late),
        overdue=sum(1 for r in requests if r.clock.overdue),
    )
