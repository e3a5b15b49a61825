"""England working-day arithmetic (RULES.md definition and examples)."""

import datetime as dt
import random

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


# -- the per-year index against the plain day-by-day definition ------------------------------
def _walk_between(start: dt.date, end: dt.date) -> int:
    """Reference: working days in (start, end], counted one day at a time (negative when reversed)."""
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += cal.is_working_day(day)
    return sign * count


def _walk_add(start: dt.date, n: int) -> dt.date:
    """Reference: the nth working day after start, found one day at a time."""
    day = start
    while n:
        day += dt.timedelta(days=1)
        if cal.is_working_day(day):
            n -= 1
    return day


_FIRST, _LAST = D(2015, 1, 1), D(2030, 12, 31)
_BANK_HOLIDAYS = [d for d in (_FIRST + dt.timedelta(days=i) for i in range((_LAST - _FIRST).days + 1))
                  if d.weekday() < 5 and not cal.is_working_day(d)]


def _random_day(rng: random.Random) -> dt.date:
    return _FIRST + dt.timedelta(days=rng.randrange((_LAST - _FIRST).days + 1))


def _pairs() -> list[tuple[dt.date, dt.date]]:
    rng = random.Random(20240607)
    pairs = []
    for _ in range(1000):  # anywhere in 2015-2030, either order
        pairs.append((_random_day(rng), _random_day(rng)))
    for _ in range(800):  # within a few weeks of each other
        start = _random_day(rng)
        pairs.append((start, start + dt.timedelta(days=rng.randint(-40, 40))))
    for _ in range(300):  # the same day
        day = _random_day(rng)
        pairs.append((day, day))
    for year in range(2015, 2030):  # around each new year
        for a in range(-3, 4):
            for b in range(-3, 4):
                pairs.append((D(year, 12, 31) + dt.timedelta(days=a), D(year + 1, 1, 1) + dt.timedelta(days=b)))
    for _ in range(500):  # starting or ending on a bank holiday
        holiday = rng.choice(_BANK_HOLIDAYS)
        other = holiday + dt.timedelta(days=rng.randint(-400, 400))
        pairs.append((holiday, other) if rng.random() < 0.5 else (other, holiday))
    return pairs


def test_working_days_between_matches_counting_day_by_day():
    pairs = _pairs()
    assert len(pairs) > 3000
    mismatches = [(s, e, cal.working_days_between(s, e), _walk_between(s, e))
                  for s, e in pairs if cal.working_days_between(s, e) != _walk_between(s, e)]
    assert mismatches == []


def test_add_working_days_matches_walking_day_by_day():
    rng = random.Random(1120)
    starts = [D(2015, 1, 1), D(2021, 12, 24), D(2022, 12, 31), D(2024, 3, 28), D(2024, 6, 8), D(2029, 12, 20)]
    starts += rng.sample(_BANK_HOLIDAYS, 3) + [_random_day(rng) for _ in range(3)]
    for start in starts:
        expected = [_walk_add(start, n) for n in range(401)]
        assert [cal.add_working_days(start, n) for n in range(401)] == expected, start


def test_add_and_between_agree():
    rng = random.Random(7)
    for _ in range(500):
        start, n = _random_day(rng), rng.randint(1, 600)
        due = cal.add_working_days(start, n)
        assert cal.working_days_between(start, due) == n
        assert cal.working_days_between(due, start) == -n
        assert cal.is_working_day(due)
