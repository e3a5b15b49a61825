"""Section 4 clocks with England's working-day calendar."""

from __future__ import annotations

import datetime as dt

from rapidreview.decisions.domain import clocks as C
from rapidreview.kernel.calendar import WorkingDayCalendar

D = dt.date


def test_six_months_from_the_child_k_decision():
    assert C.six_month_target(D(2024, 6, 26), 6) == D(2024, 12, 26)


def test_adding_months_clamps_to_the_end_of_a_shorter_month():
    assert C.add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert C.add_months(D(2023, 8, 31), 6) == D(2024, 2, 29)
    assert C.add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)


def test_presend_earliest_publication_skips_christmas_bank_holidays():
    # Sent Wednesday 18 Dec 2024: 19, 20, 23, 24, (25, 26 bank holidays), 27, 30, 31.
    assert C.earliest_publication(D(2024, 12, 18), WorkingDayCalendar(), 7) == D(2024, 12, 31)


def test_presend_child_k_report_sent_11_december_may_be_published_20_december():
    assert C.earliest_publication(D(2024, 12, 11), WorkingDayCalendar(), 7) == D(2024, 12, 20)


def test_inform_is_due_five_working_days_after_the_decision():
    assert C.inform_due(D(2024, 6, 26), WorkingDayCalendar(), 5) == D(2024, 7, 3)


def test_progress_checks_count_from_the_decision_not_from_commissioning():
    # Child K: decided 2024-06-26, commissioned 2024-07-22: the first check is 4 weeks after the
    # decision (2024-07-24), not 4 weeks after commissioning (2024-08-19).
    assert C.progress_check_due(D(2024, 6, 26), 4, after=D(2024, 7, 22)) == D(2024, 7, 24)
    # Commissioned after the first date of the schedule: the next date after commissioning.
    assert C.progress_check_due(D(2024, 6, 26), 4, after=D(2024, 7, 30)) == D(2024, 8, 21)
    # A check on its due date, or late, leads to the next date of the same schedule.
    assert C.progress_check_due(D(2024, 6, 26), 4, after=D(2024, 7, 24)) == D(2024, 8, 21)
    assert C.progress_check_due(D(2024, 6, 26), 4, after=D(2024, 8, 30)) == D(2024, 9, 18)


def test_section_four_deadlines_come_from_the_rule_files_and_refuse_what_cannot_be_counted():
    import pytest

    files = {"POST.INFORM": {"working_days": 3, "counts_from": "decision_date"}, "POST.SIX_MONTHS": {"months": 9},
             "POST.PROGRESS_CHECKS": {"interval_weeks": 6, "counts_from": "decision_date"},
             "POST.PRESEND": {"working_days_before": 10, "counts_from": "publication_date"}}
    assert C.Deadlines.from_rules(files.__getitem__, "test") == C.Deadlines(3, 9, 6, 10)
    bad = dict(files, **{"POST.PROGRESS_CHECKS": {"interval_weeks": 6, "counts_from": "commissioning_date"}})
    with pytest.raises(ValueError, match="POST.PROGRESS_CHECKS counts_from"):
        C.Deadlines.from_rules(bad.__getitem__, "test")


def test_publication_stays_available_at_least_a_year():
    assert C.minimum_availability(D(2024, 2, 29)) == D(2025, 2, 28)


def test_rendered_clock_shows_extension_and_overdue_against_the_extended_date():
    calendar = WorkingDayCalendar(lambda: D(2025, 1, 10))
    clock = C.ClockState(C.SIX_MONTHS, "review", D(2024, 6, 26), D(2024, 12, 26),
                         extensions=[C.Extension(D(2025, 1, 31), "criminal trial", "dev-business_unit")])
    rendered = C.render_clock(clock, calendar)
    assert rendered.due == "2024-12-26" and rendered.effective_due == "2025-01-31"
    assert not rendered.overdue and rendered.working_days_left == 15
    assert rendered.extensions[0].reason == "criminal trial"


def test_completed_clock_is_late_only_after_its_effective_due_date():
    clock = C.ClockState(C.SIX_MONTHS, "review", D(2024, 6, 26), D(2024, 12, 26), completed_on=D(2024, 12, 27))
    assert clock.is_late()
    clock.extensions.append(C.Extension(D(2025, 1, 31), "inquest", "x"))
    assert not clock.is_late()
