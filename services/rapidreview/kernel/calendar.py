"""England's working-day calendar.

A working day is Monday to Friday, excluding bank holidays in England (the
`holidays` package, country UK, subdivision ENG). "N working days from D" is the
Nth working day after D; D itself never counts, even when it is a working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

import holidays

Today = Callable[[], dt.date]


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


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
        day = start
        remaining = n
        while remaining:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end] when end >= start; the negative count of
        working days in (end, start] when end < start."""
        if end == start:
            return 0
        sign = 1
        if end < start:
            start, end, sign = end, start, -1
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return sign * count

    def working_days_left(self, due: dt.date, today: dt.date | None = None) -> int:
        """Working days from today until `due`: 0 on the due date, negative once past."""
        return self.working_days_between(today or self.today(), due)
