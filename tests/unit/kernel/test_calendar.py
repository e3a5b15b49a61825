"""England working-day arithmetic (RULES.md definition and examples)."""

import datetime as dt

import pytest

from rapidreview.kernel.calendar import WorkingDayCalendar

D = dt.date
cal = WorkingDayCalendar(today=lambda: D(2024, 6, 10))


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (D(2024, 3, 22), 5, D(2024, 4, 2)),  # Good Friday and Easter Monday skipped
        (D(2022, 9, 12), 5, D(2022, 9, 20)),  # the Queen's state funeral, 2022-09-19
        (D(2023, 12, 20), 15, D(2024, 1, 15)),  # Christmas, Boxing Day, New Year's Day
        (D(2024, 6, 7), 15, D(2024, 6, 28)),  # the worked example's rapid review
        (D(2024, 6, 4), 5, D(2024, 6, 11)),  # the worked example's notification
    ],
)
def test_rules_md_examples(start, n, due):
    assert cal.add_working_days(start, n) == due


def test_start_day_never_counts_even_on_a_working_day():
    assert cal.add_working_days(D(2024, 6, 3), 1) == D(2024, 6, 4)


def test_notification_due_skips_easter_monday():
    assert cal.add_working_days(D(2024, 3, 28), 1) == D(2024, 4, 2)


def test_2022_platinum_jubilee_days_are_not_working_days():
    assert not cal.is_working_day(D(2022, 6, 2)) and not cal.is_working_day(D(2022, 6, 3))
    assert cal.add_working_days(D(2022, 6, 1), 1) == D(2022, 6, 6)


def test_2023_coronation_bank_holiday_is_skipped():
    assert not cal.is_working_day(D(2023, 5, 8))
    assert cal.add_working_days(D(2023, 5, 5), 1) == D(2023, 5, 9)


def test_christmas_substitute_days_2021_are_skipped():
    # Christmas Day and Boxing Day 2021 fell on a weekend: substitutes on 27 and 28 December.
    assert not cal.is_working_day(D(2021, 12, 27)) and not cal.is_working_day(D(2021, 12, 28))
    assert cal.add_working_days(D(2021, 12, 24), 1) == D(2021, 12, 29)


def test_new_year_substitute_day_2022_is_skipped():
    assert not cal.is_working_day(D(2022, 1, 3))
    assert cal.add_working_days(D(2021, 12, 31), 1) == D(2022, 1, 4)


def test_working_days_between_is_signed_and_zero_on_the_same_day():
    assert cal.working_days_between(D(2024, 6, 7), D(2024, 6, 28)) == 15
    assert cal.working_days_between(D(2024, 6, 28), D(2024, 6, 7)) == -15
    assert cal.working_days_between(D(2024, 6, 7), D(2024, 6, 7)) == 0


def test_days_left_uses_the_injected_today():
    assert cal.working_days_left(D(2024, 6, 11)) == 1
    assert WorkingDayCalendar(today=lambda: D(2024, 6, 12)).working_days_left(D(2024, 6, 11)) == -1


def test_negative_n_is_refused():
    with pytest.raises(ValueError):
        cal.add_working_days(D(2024, 6, 7), -1)
