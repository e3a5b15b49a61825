"""England's working-day calendar.

A working day is Monday to Friday, excluding bank holidays in England (the
`holidays` package, country UK, subdivision ENG). "N working days from D" is the
Nth working day after D; D itself never counts, even when it is a working day.

Counting is constant time per year spanned: each year has a cumulative index of
its working days (built once from its bank holidays and cached), so counting
from a date years away costs a few lookups rather than one per day.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable
from functools import lru_cache

import holidays

Today = Callable[[], dt.date]


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


@lru_cache(maxsize=128)
def _year_index(year: int) -> tuple[int, tuple[int, ...], int]:
    """(ordinal of 1 January, cum, total) for `year`: cum[i] is the number of working
    days from 1 January through day-of-year i + 1 inclusive; total is the year's count."""
    first = dt.date(year, 1, 1)
    origin = first.toordinal()
    days = dt.date(year, 12, 31).toordinal() - origin + 1
    closed = {day.toordinal() - origin for day in _bank_holidays(year)}
    weekday = first.weekday()
    cum: list[int] = []
    count = 0
    for i in range(days):
        if (weekday + i) % 7 < 5 and i not in closed:
            count += 1
        cum.append(count)
    return origin, tuple(cum), count


class WorkingDayCalendar:
    """Working-day arithmetic for England with an injectable "today".

    `today` is a zero-argument callable so tests can pin or advance time.
    """

    def __init__(self, today: Today | None = None) -> None:
        self._today = today or dt.date.today

    def today(self) -> dt.date:
        """The calendar's notion of today (injected in tests)."""
        return self._today()

    def is_working_day(self, day: dt.date) -> bool:
        """True for Monday to Friday when the day is not an England bank holiday."""
        return day.weekday() < 5 and day not in _bank_holidays(day.year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The nth working day after `start` (start itself never counts). n >= 0;
        n == 0 returns `start` unchanged."""
        if n < 0:
            raise ValueError("n must be >= 0")
        if n == 0:
            return start
        year = start.year
        origin, cum, total = _year_index(year)
        target = cum[start.toordinal() - origin] + n  # the wanted day's count within `year`
        while target > total:  # not in this year: go on with what remains of it
            target -= total
            year += 1
            if year > dt.MAXYEAR:
                raise OverflowError("date value out of range")
            origin, cum, total = _year_index(year)
        return dt.date.fromordinal(origin + bisect_left(cum, target))

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end] when end >= start; the negative count of
        working days in (end, start] when end < start."""
        if end == start:
            return 0
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        origin, cum, total = _year_index(start.year)
        at_start = cum[start.toordinal() - origin]
        if end.year == start.year:
            return sign * (cum[end.toordinal() - origin] - at_start)
        count = total - at_start
        for year in range(start.year + 1, end.year):
            count += _year_index(year)[2]
        origin, cum, _ = _year_index(end.year)
        return sign * (count + cum[end.toordinal() - origin])

    def working_days_left(self, due: dt.date, today: dt.date | None = None) -> int:
        """Working days from today until `due`: 0 on the due date, negative once past."""
        return self.working_days_between(today or self.today(), due)
