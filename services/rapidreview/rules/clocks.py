"""Statutory clocks of an edition, computed from its rule files' parameters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.rules.model import Rule
from rapidreview.v1 import common_pb2, facts_pb2


def parse_date(text: str) -> dt.date | None:
    """An ISO "YYYY-MM-DD" date, or None when empty or malformed."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def compute_clock(
    rule: Rule, facts: facts_pb2.CaseFacts, calendar: WorkingDayCalendar, today: dt.date
) -> tuple[common_pb2.Clock | None, dict[str, Any], dict[str, str]]:
    """The rule's clock (None until its start date is recorded), the clock
    facts its conditions read and the clock text its rationale quotes."""
    assert rule.clock is not None
    spec = rule.clock
    start = parse_date(getattr(facts, spec.counts_from))
    if start is None:
        text = {
            "clock_due": "not yet known",
            "clock_starts_from": "not yet recorded",
            "clock_completed_on": "not yet",
            "clock_working_days_left": "not yet known",
        }
        return None, {"started": False, "completed": False, "late": False, "overdue": False}, text
    due = calendar.add_working_days(start, spec.working_days)
    # Extensions recorded against the clock (intake's ExtendClock): the latest is the due date in
    # force, so the checklist shows the same effective due date as intake; `due` stays the statutory one.
    extensions = [e for e in facts.clock_extensions if e.clock_id == rule.id and parse_date(e.extended_to)]
    effective = parse_date(extensions[-1].extended_to) if extensions else due
    assert effective is not None
    completed = parse_date(getattr(facts, spec.completed_by)) if spec.completed_by else None
    left = calendar.working_days_left(effective, today)
    late = completed is not None and completed > effective
    overdue = completed is None and today > effective
    clock = common_pb2.Clock(
        id=rule.id,
        starts_from=start.isoformat(),
        due=due.isoformat(),
        working_days_left=left,
        overdue=overdue,
        completed_on=completed.isoformat() if completed else "",
        late=late,
        extensions=[common_pb2.ClockExtension(extended_to=e.extended_to) for e in extensions],
        effective_due=effective.isoformat(),
    )
    fact = {
        "started": True,
        "completed": completed is not None,
        "late": late,
        "overdue": overdue,
        "working_days_left": left,
    }
    text = {
        "clock_due": effective.isoformat(),
        "clock_starts_from": start.isoformat(),
        "clock_completed_on": completed.isoformat() if completed else "not yet",
        "clock_working_days_left": str(left),
    }
    return clock, fact, text
