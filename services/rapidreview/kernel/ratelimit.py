"""Per-caller rate limiting (token bucket) for partner-facing RPCs."""

from __future__ import annotations

import time
from collections.abc import Callable

from rapidreview.kernel.errors import ResourceExhausted


class RateLimiter:
    """`rate` calls per second per caller with bursts up to `burst`; `check(key)`
    raises RESOURCE_EXHAUSTED when the caller's bucket is empty."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic, max_callers: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self.max_callers = max_callers
        self._buckets: dict[str, tuple[float, float]] = {}

    def check(self, key: str) -> None:
        now = self.clock()
        tokens, last = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / self.rate
            error = ResourceExhausted(f"rate limit exceeded; retry in {wait:.1f} s")
            error.retry_after = wait  # type: ignore[attr-defined] - becomes google.rpc.RetryInfo
            raise error
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > self.max_callers:
            # Forget the idlest callers; a forgotten caller starts with a full bucket.
            for stale in sorted(self._buckets, key=lambda k: self._buckets[k][1])[: len(self._buckets) // 2]:
                del self._buckets[stale]
