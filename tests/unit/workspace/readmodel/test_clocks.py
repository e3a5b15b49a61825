"""Clock states, the case-level RR.AGENCIES clock and moved due dates, with an
injected calendar (England's bank holidays) and fixed days."""

from __future__ import annotations

import datetime as dt

from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.workspace.readmodel.domain.clocks import (
    AGENCIES, ClockFacts, ClockState, RequestFacts, agencies_clock, clock_state, is_late, moved_due,
)

D = dt.date
CAL = WorkingDayCalendar(lambda: D(2000, 1, 1))  # "today" is always passed in explicitly


def state(clock: ClockFacts, today: dt.date, soon: int = 2) -> tuple[ClockState, int | None]:
    return clock_state(clock, today, CAL, soon)


def test_a_clock_due_after_the_warning_window_is_running_with_its_working_days_left():
    clock = ClockFacts("RR.DEADLINE", D(2024, 6, 28), D(2024, 6, 28))
    assert state(clock, D(2024, 6, 20)) == (ClockState.RUNNING, 6)


def test_working_days_left_skip_the_easter_bank_holidays():
    # Thursday 28 March 2024 to Tuesday 2 April: Good Friday and Easter Monday do not count.
    clock = ClockFacts("NOTIFY.DEADLINE", D(2024, 4, 2), D(2024, 4, 2))
    assert state(clock, D(2024, 3, 28), soon=1) == (ClockState.DUE_SOON, 1)
    assert state(clock, D(2024, 3, 27), soon=1) == (ClockState.RUNNING, 2)


def test_a_clock_due_today_is_due_soon_with_zero_days_left_and_overdue_the_next_working_day():
    clock = ClockFacts("NOTIFY.DEADLINE", D(2024, 6, 11), D(2024, 6, 11))
    assert state(clock, D(2024, 6, 11)) == (ClockState.DUE_SOON, 0)
    assert state(clock, D(2024, 6, 12)) == (ClockState.OVERDUE, -1)


def test_the_effective_due_date_counts_not_the_statutory_one_after_an_extension():
    clock = ClockFacts("RR.DEADLINE", D(2024, 6, 10), D(2024, 6, 24))
    assert state(clock, D(2024, 6, 12)) == (ClockState.RUNNING, 8)


def test_a_completed_clock_is_met_and_late_when_completed_after_its_effective_due_date():
    on_time = ClockFacts("NOTIFY.DEADLINE", D(2024, 6, 11), D(2024, 6, 11), completed_on=D(2024, 6, 10))
    late = ClockFacts("NOTIFY.DEADLINE", D(2024, 6, 11), D(2024, 6, 11), completed_on=D(2024, 6, 14))
    assert state(on_time, D(2024, 7, 1)) == (ClockState.MET, None) and not is_late(on_time)
    assert state(late, D(2024, 7, 1)) == (ClockState.MET, None) and is_late(late)


def test_a_closed_clock_is_closed_however_far_past_its_due_date():
    clock = ClockFacts("RR.DEADLINE", D(2024, 6, 11), D(2024, 6, 11), closed=True)
    assert state(clock, D(2025, 1, 1)) == (ClockState.CLOSED, None)


def test_agencies_clock_runs_to_the_earliest_awaited_return():
    clock = agencies_clock([RequestFacts(D(2024, 6, 21), None), RequestFacts(D(2024, 6, 18), D(2024, 6, 17)),
                            RequestFacts(D(2024, 6, 20), None)], gathering_open=True, withdrawn=False)
    assert clock == ClockFacts(AGENCIES, D(2024, 6, 20), D(2024, 6, 20))


def test_agencies_clock_is_met_on_the_last_first_return_once_every_return_is_in():
    clock = agencies_clock([RequestFacts(D(2024, 6, 18), D(2024, 6, 19)), RequestFacts(D(2024, 6, 20), D(2024, 6, 17))],
                           gathering_open=True, withdrawn=False)
    assert clock == ClockFacts(AGENCIES, D(2024, 6, 20), D(2024, 6, 20), completed_on=D(2024, 6, 19))


def test_agencies_clock_is_closed_when_the_gathering_closed_or_the_case_was_withdrawn_with_returns_missing():
    requests = [RequestFacts(D(2024, 6, 18), None)]
    assert agencies_clock(requests, gathering_open=False, withdrawn=False).closed
    assert agencies_clock(requests, gathering_open=True, withdrawn=True).closed


def test_no_agencies_clock_without_a_request_with_a_due_date():
    assert agencies_clock([], gathering_open=True, withdrawn=False) is None
    assert agencies_clock([RequestFacts(None, D(2024, 6, 1))], gathering_open=True, withdrawn=False) is None


def test_a_provisional_due_date_moves_to_count_the_same_working_days_from_the_panel_notification():
    # 10 working days from awareness (Fri 22 March 2024) skip Easter: due Tue 9 April.
    aware, provisional = D(2024, 3, 22), CAL.add_working_days(D(2024, 3, 22), 10)
    assert provisional == D(2024, 4, 9)
    assert moved_due(aware, provisional, D(2024, 3, 27), CAL) == CAL.add_working_days(D(2024, 3, 27), 10) == D(2024, 4, 12)
