"""Admission control refuses calls beyond the in-flight cap or while the event loop lags,
with UNAVAILABLE and a retry delay, and lets them in again once the loop keeps up."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from rapidreview.kernel.admission import Admission, Overloaded
from rapidreview.kernel.grpc_errors import to_status
from rapidreview.kernel.ratelimit import RateLimiter
from rapidreview.kernel.errors import ResourceExhausted


def test_calls_beyond_the_cap_are_refused_and_a_place_freed_lets_the_next_in():
    admission = Admission(max_in_flight=2, max_loop_lag=0)
    admission.enter()
    with admission.admit():
        with pytest.raises(Overloaded) as refused:
            admission.enter()
    assert "2 calls in progress" in refused.value.message and refused.value.retry_after == 1.0
    assert refused.value.code == grpc.StatusCode.UNAVAILABLE
    admission.enter()  # the admitted block gave its place back
    assert admission.in_flight == 2 and admission.refused == 1


def test_a_lagging_loop_refuses_new_calls_until_it_keeps_up_again():
    admission = Admission(max_in_flight=100, max_loop_lag=2.0)
    admission.observe_lag(0.1)
    admission.enter()
    admission.observe_lag(3.5)
    with pytest.raises(Overloaded, match="3.5 s late"):
        admission.enter()
    admission.observe_lag(0.0)  # one quick tick: still 1.75 s smoothed, under the limit
    admission.enter()
    admission.observe_lag(2.5)
    admission.observe_lag(1.9)  # smoothed to 2.2: still saturated
    assert admission.saturated
    admission.observe_lag(0.0)
    assert not admission.saturated


def test_a_zero_lag_limit_never_refuses_for_lag():
    admission = Admission(max_in_flight=1, max_loop_lag=0)
    admission.observe_lag(60.0)
    admission.enter()


def _retry_info(status: grpc.Status) -> error_details_pb2.RetryInfo | None:
    details = dict(status.trailing_metadata)["grpc-status-details-bin"]
    for detail in status_pb2.Status.FromString(details).details:
        if detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            return info
    return None


def test_overloaded_and_rate_limited_statuses_carry_retry_info():
    overloaded = to_status(Overloaded("the service is overloaded; retry in 1.5 s", 1.5))
    assert overloaded.code == grpc.StatusCode.UNAVAILABLE
    assert _retry_info(overloaded).retry_delay.ToNanoseconds() == 1_500_000_000
    limiter = RateLimiter(rate=2.0, burst=1, clock=lambda: 100.0)
    limiter.check("caller")
    with pytest.raises(ResourceExhausted) as limited:
        limiter.check("caller")
    assert "retry in 0.5 s" in limited.value.message
    assert _retry_info(to_status(limited.value)).retry_delay.ToNanoseconds() == 500_000_000
