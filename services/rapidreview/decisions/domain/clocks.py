"""The clocks of RULES.md section 4 and their API form.

Every number comes from the rule files of the case's edition (`Deadlines`),
never from code; the editions shipped say: POST.INFORM: 5 working days from a
CSPR decision for telling the Panel, Ofsted and DfE. POST.SIX_MONTHS: review
published within 6 calendar months of the decision, extendable with a
recorded reason. POST.PROGRESS_CHECKS: a check every 4 weeks, counted from the
decision to hold the review. POST.PRESEND: the report reaches the Panel and
the Secretary of State at least 7 working days before publication.
POST.ACTION_PLAN: each action's due date.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass, field

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2

INFORM, SIX_MONTHS, PROGRESS_CHECKS, PRESEND, ACTION_PLAN, RR_DEADLINE = (
    "POST.INFORM", "POST.SIX_MONTHS", "POST.PROGRESS_CHECKS", "POST.PRESEND", "POST.ACTION_PLAN", "RR.DEADLINE",
)
PUBLIC_FOR_AT_LEAST_YEARS = 1
DECISION_DATE, PUBLICATION_DATE = "decision_date", "publication_date"


@dataclass(frozen=True)
class Deadlines:
    """The section 4 deadlines of one edition, from its rule files' parameters."""

    inform_working_days: int
    six_months: int
    progress_check_weeks: int
    presend_working_days: int

    @classmethod
    def from_rules(cls, params, where: str) -> Deadlines:  # type: ignore[no-untyped-def]
        """`params(rule_id)` gives a rule's parameters. ValueError naming `where`,
        the rule and the parameter when one is missing or one this service cannot
        count from (each counts from the date its rule file names)."""

        def number(rule_id: str, name: str, counts_from: str, low: int, high: int) -> int:
            found = params(rule_id)
            value = found.get(name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"{where}: {rule_id} {name} must be a whole number {low}-{high}")
            if found.get("counts_from", counts_from) != counts_from:
                raise ValueError(f"{where}: {rule_id} counts_from must be {counts_from}")
            return value

        return cls(
            inform_working_days=number(INFORM, "working_days", DECISION_DATE, 1, 60),
            six_months=number(SIX_MONTHS, "months", DECISION_DATE, 1, 36),
            progress_check_weeks=number(PROGRESS_CHECKS, "interval_weeks", DECISION_DATE, 1, 12),
            presend_working_days=number(PRESEND, "working_days_before", PUBLICATION_DATE, 0, 60),
        )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later, clamped to the month's end
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def six_month_target(decided_on: dt.date, months: int) -> dt.date:
    """POST.SIX_MONTHS: the decision date plus `months` calendar months (6)."""
    return add_months(decided_on, months)


def inform_due(decided_on: dt.date, calendar: WorkingDayCalendar, working_days: int) -> dt.date:
    """POST.INFORM: `working_days` (5) working days after the CSPR decision."""
    return calendar.add_working_days(decided_on, working_days)


def progress_check_due(decided_on: dt.date, weeks: int, after: dt.date) -> dt.date:
    """POST.PROGRESS_CHECKS counts from the decision: checks fall due every
    `weeks` weeks after it; this is the first of those dates strictly after
    `after` (the commissioning date for the first check; for the next one, the
    later of the check just done and the date it was due)."""
    if after < decided_on:
        after = decided_on
    periods = (after - decided_on).days // (7 * weeks) + 1
    return decided_on + dt.timedelta(weeks=weeks * periods)


def earliest_publication(sent_to_panel_and_sos: dt.date, calendar: WorkingDayCalendar, working_days: int) -> dt.date:
    """POST.PRESEND: the first date publication is allowed: `working_days` (7)
    working days after the report was sent (so that `sent <= publication - 7 working days`)."""
    return calendar.add_working_days(sent_to_panel_and_sos, working_days)


def minimum_availability(published_on: dt.date) -> dt.date:
    """POST.PUBLISH: publicly available for at least a year."""
    return add_years(published_on, PUBLIC_FOR_AT_LEAST_YEARS)


@dataclass
class Extension:
    extended_to: dt.date
    reason: str
    recorded_by: str


@dataclass
class ClockState:
    """A clock as stored: what it is about, when it started, when it is due, when done."""

    clock_id: str
    subject_ref: str
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


def render_clock(state: ClockState, calendar: WorkingDayCalendar) -> common_pb2.Clock:
    """The API form of a clock, with working days left as of the calendar's today."""
    today = calendar.today()
    return common_pb2.Clock(
        id=state.clock_id,
        starts_from=state.starts_from.isoformat(),
        due=state.due.isoformat(),
        working_days_left=calendar.working_days_left(state.effective_due, today) if state.is_open() else 0,
        overdue=state.is_overdue(today),
        completed_on=state.completed_on.isoformat() if state.completed_on else "",
        late=state.is_late(),
        extensions=[
            common_pb2.ClockExtension(extended_to=e.extended_to.isoformat(), reason=e.reason, recorded_by=e.recorded_by)
            for e in state.extensions
        ],
        effective_due=state.effective_due.isoformat(),
    )
