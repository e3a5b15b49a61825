"""Clock state rendered with an injected calendar."""

import datetime as dt

from rapidreview.intake.domain.clocks import ClockState, Extension, render_clock, start_clock
from rapidreview.kernel.calendar import WorkingDayCalendar

D = dt.date


def test_open_clock_counts_working_days_left_and_turns_overdue():
    clock = start_clock("NOTIFY.DEADLINE", D(2024, 6, 4), 5, WorkingDayCalendar(lambda: D(2024, 6, 10)))
    assert render_clock(clock, WorkingDayCalendar(lambda: D(2024, 6, 10))).working_days_left == 1
    late_view = render_clock(clock, WorkingDayCalendar(lambda: D(2024, 6, 12)))
    assert late_view.overdue and late_view.working_days_left == -1


def test_completed_after_due_is_late_and_not_overdue():
    clock = ClockState("NOTIFY.DEADLINE", D(2024, 6, 4), D(2024, 6, 11), completed_on=D(2024, 6, 12))
    view = render_clock(clock, WorkingDayCalendar(lambda: D(2024, 7, 1)))
    assert view.late and not view.overdue


def test_extension_moves_the_effective_due_date_but_keeps_the_statutory_one():
    clock = ClockState("RR.DEADLINE", D(2024, 6, 7), D(2024, 6, 28), extensions=[Extension(D(2024, 7, 5), "inquest", "bu")])
    view = render_clock(clock, WorkingDayCalendar(lambda: D(2024, 7, 1)))
    assert view.due == "2024-06-28" and view.effective_due == "2024-07-05" and not view.overdue
