"""The kernel's input-limit check: list caps, distinct enum values, NUL characters,
and a service that would leave a list without a cap refuses to start."""

from __future__ import annotations

import pytest

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.input_limits import InputLimits, UncappedListError
from rapidreview.kernel.server import ApiInterceptor
from rapidreview.limits import LIST_CAPS
from rapidreview.v1 import common_pb2, gathering_pb2, intake_pb2

LIMITS = InputLimits(LIST_CAPS)


def test_a_list_over_its_cap_is_named_once_and_its_items_are_not_looked_at():
    request = intake_pb2.NotifyIncidentRequest()
    request.notification.harm_domains.extend([common_pb2.HARM_DOMAIN_PHYSICAL_HEALTH] * 100_000)
    assert LIMITS.violations(request) == [("notification.harm_domains", "at most 6 items")]


def test_the_same_enum_value_twice_is_refused_naming_the_second():
    request = intake_pb2.NotifyIncidentRequest()
    request.notification.harm_domains.extend([1, 2, 1, 3, 2])
    assert LIMITS.violations(request) == [("notification.harm_domains[2]", "duplicate value: each value at most once"),
                                          ("notification.harm_domains[4]", "duplicate value: each value at most once")]


def test_lists_inside_list_items_are_checked_with_their_path():
    request = gathering_pb2.SubmitAgencyReturnRequest()
    learning = request.agency_return.learning.add()
    learning.themes.extend(["x"] * 11)
    request.agency_return.concerns.add().about_agencies.extend(["a"] * 20)
    assert LIMITS.violations(request) == [("agency_return.learning[0].themes", "at most 10 items")]


def test_nul_characters_are_reported_only_when_asked():
    request = intake_pb2.GetIncidentRequest(case_id="a\x00b")
    assert LIMITS.violations(request) == []
    assert LIMITS.violations(request, nul=True) == [("case_id", "must not contain NUL characters")]


def test_a_service_with_a_list_that_has_no_cap_refuses_to_start():
    caps = dict(LIST_CAPS)
    del caps["rapidreview.v1.Notification.harm_domains"]
    with pytest.raises(UncappedListError, match="Notification.harm_domains"):
        ApiInterceptor(lambda metadata, context: None, ACCESS_TABLE, limits=InputLimits(caps))  # type: ignore[arg-type,return-value]
    ApiInterceptor(lambda metadata, context: None, ACCESS_TABLE)  # type: ignore[arg-type,return-value]
