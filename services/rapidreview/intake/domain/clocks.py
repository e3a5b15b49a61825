"""Statutory clocks as stored state, rendered with the working-day calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2


@dataclass
class Extension:
    extended_to: dt.date
    reason: str
    recorded_by: str


@dataclass
class ClockState:
    """A clock as stored: when it started, when it is due, when it was done."""

    clock_id: str
    starts_from: dt.date
    due: dt.date
    completed_on: dt.date | None = None
    extensions: list[Extension] = field(default_factory=list)

    @property
    def effective_due(self) -> dt.date:
        return self.extensions[-1].extended_to if self.extensions else self.due

    def is_open(self) -> bool:
        return self.completed_on is None

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open() and today > self.effective_due

    def is_late(self) -> bool:
        return self.completed_on is not None and self.completed_on > self.effective_due


def start_clock(clock_id: str, starts_from: dt.date, working_days: int, calendar: WorkingDayCalendar) -> ClockState:
    """A new clock due `working_days` working days after `starts_from`."""
    return ClockState(clock_id, starts_from, calendar.add_working_days(starts_from, working_days))


def render_clock(state: ClockState, calendar: WorkingDayCalendar) -> common_pb2.Clock:
    """The API form of a clock, with working days left as of the calendar's today."""
    today = calendar.today()
    left = calendar.working_days_left(state.effective_due, today) if state.is_open() else 0
    return common_pb2.Clock(
        id=state.clock_id,
        starts_from=state.starts_from.isoformat(),
        due=state.due.isoformat(),
        working_days_left=left,
        overdue=state.is_overdue(today),
        completed_on=state.completed_on.isoformat() if state.completed_on else "",
        late=state.is_late(),
        extensions=[
            common_pb2.ClockExtension(extended_to=e.extended_to.isoformat(), reason=e.reason, recorded_by=e.recorded_by)
            for e in state.extensions
        ],
        effective_due=state.effective_due.isoformat(),
    )
