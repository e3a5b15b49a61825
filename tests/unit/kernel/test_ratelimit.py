"""Per-caller token bucket."""

import pytest

from rapidreview.kernel.errors import ResourceExhausted
from rapidreview.kernel.ratelimit import RateLimiter


def test_burst_then_refused_then_refilled_over_time():
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    for _ in range(3):
        limiter.check("caller-a")
    with pytest.raises(ResourceExhausted):
        limiter.check("caller-a")
    limiter.check("caller-b")  # buckets are per caller
    now[0] += 0.5  # one token back at 2/s
    limiter.check("caller-a")
    with pytest.raises(ResourceExhausted):
        limiter.check("caller-a")


def test_caller_table_stays_bounded():
    now = [0.0]
    limiter = RateLimiter(rate=1.0, burst=1, clock=lambda: now[0], max_callers=10)
    for i in range(100):
        now[0] += 1
        limiter.check(f"caller-{i}")
    assert len(limiter._buckets) <= 10
