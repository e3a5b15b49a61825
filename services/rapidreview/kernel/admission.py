"""Admission control: under overload, refuse new calls at once with UNAVAILABLE and a retry
delay, instead of letting them wait until gRPC cancels them.

Why: a gRPC aio server asks its core for the next call only when its event loop gets to it.
When the loop is saturated (more work arriving than the process can do), calls wait in the
core's pending queue, and the core cancels any that waited longer than
`grpc.server_max_unrequested_time_in_server` (30 s by default): the client sees CANCELLED
with details "CANCELLED", and the service never saw the call, so it logs nothing. That was the
CANCELLED seen under overload (docs/performance.md). Two signals stop it before it happens:

- calls in progress: at most `max_in_flight` API calls run at once in a process;
- event-loop lag: when the loop answers a timer more than `max_loop_lag` seconds late, it is
  saturated, and a new call would only add to the queue.

Either way the call is refused before authentication, decoding or any database work — the
cheapest answer there is, so a refused call frees the loop instead of loading it — with
UNAVAILABLE, a message saying when to retry, and a google.rpc.RetryInfo detail. Nothing is
stored, so a retry with the same idempotency key is safe.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rapidreview.kernel.errors import Unavailable
from rapidreview.kernel.logging import get_logger

log = get_logger(__name__)


class Overloaded(Unavailable):
    """The process is overloaded: retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Admission:
    """Counts the API calls in progress and watches the event loop's lag (`watch()`)."""

    def __init__(self, max_in_flight: int = 64, max_loop_lag: float = 5.0, retry_after: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_in_flight = max_in_flight
        self.max_loop_lag = max_loop_lag
        self.retry_after = retry_after
        self.clock = clock
        self.in_flight = 0
        self.loop_lag = 0.0
        self.refused = 0

    @property
    def saturated(self) -> bool:
        return 0 < self.max_loop_lag <= self.loop_lag

    def enter(self) -> None:
        """Takes a place for one call (give it back with `leave()`); raises Overloaded when
        there is none."""
        if self.in_flight >= self.max_in_flight or self.saturated:
            self.refused += 1
            why = (f"{self.in_flight} calls in progress" if self.in_flight >= self.max_in_flight
                   else f"answering {self.loop_lag:.1f} s late")
            raise Overloaded(f"the service is overloaded ({why}); retry in {self.retry_after:g} s with the same request",
                             self.retry_after)
        self.in_flight += 1

    def leave(self) -> None:
        self.in_flight -= 1

    @contextmanager
    def admit(self) -> Iterator[None]:
        """`enter()` ... `leave()` around a block."""
        self.enter()
        try:
            yield
        finally:
            self.leave()

    def observe_lag(self, lag: float) -> None:
        """Records one lag sample: a rising lag counts at once, a falling one is smoothed, so
        one quick tick in a saturated stretch does not reopen the doors."""
        was = self.saturated
        self.loop_lag = lag if lag >= self.loop_lag else self.loop_lag * 0.5 + lag * 0.5
        if self.saturated != was:
            log.warning("event loop saturated; refusing new calls" if self.saturated else "event loop keeping up again",
                        lag_s=round(self.loop_lag, 3), in_flight=self.in_flight)

    async def watch(self, interval: float = 0.1) -> None:
        """Measures how late the loop wakes a timer, until cancelled."""
        while True:
            expected = self.clock() + interval
            await asyncio.sleep(interval)
            self.observe_lag(max(self.clock() - expected, 0.0))
