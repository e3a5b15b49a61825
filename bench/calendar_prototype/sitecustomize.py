"""Benchmark-only prototype, loaded into the service processes of a benchmark stack
through PYTHONPATH (`scale_bench.py backfill --calendar-prototype`): counts working
days from a per-year cumulative index instead of walking day by day. It measures,
end to end, the change docs/performance.md recommends for
`WorkingDayCalendar.working_days_between`; the product never loads it."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from rapidreview.kernel import calendar as _calendar

_ORIGIN = 1990
_walk = _calendar.WorkingDayCalendar.working_days_between


@lru_cache(maxsize=256)
def _within_year(year: int) -> tuple[int, ...]:
    """Working days from 1 January up to and including each day of `year`."""
    out, count, day = [], 0, dt.date(year, 1, 1)
    holidays = _calendar._bank_holidays(year)
    while day.year == year:
        if day.weekday() < 5 and day not in holidays:
            count += 1
        out.append(count)
        day += dt.timedelta(days=1)
    return tuple(out)


@lru_cache(maxsize=256)
def _before_year(year: int) -> int:
    return sum(_within_year(y)[-1] for y in range(_ORIGIN, year))


def _cumulative(day: dt.date) -> int:
    return _before_year(day.year) + _within_year(day.year)[day.timetuple().tm_yday - 1]


def working_days_between(self, start: dt.date, end: dt.date) -> int:  # type: ignore[no-untyped-def]
    if start.year < _ORIGIN or end.year < _ORIGIN:
        return _walk(self, start, end)
    return _cumulative(end) - _cumulative(start)


_calendar.WorkingDayCalendar.working_days_between = working_days_between  # type: ignore[method-assign]
