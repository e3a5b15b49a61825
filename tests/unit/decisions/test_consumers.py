"""Which events decisions' consumers act on: a request for an agency the notification names
tells decisions nothing its incident events do not, so it is acknowledged without a
transaction; a request for an agency added later is handled."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rapidreview.decisions.consumers import agency_not_from_notification, consumer_specs
from rapidreview.v1 import gathering_pb2


def _opened(source: int) -> gathering_pb2.AgencyRequestOpened:
    return gathering_pb2.AgencyRequestOpened(request=gathering_pb2.InformationRequest(case_id="c-1", source=source))


@pytest.mark.parametrize(("source", "wanted"), [
    (gathering_pb2.REQUEST_SOURCE_NOTIFICATION, False),
    (gathering_pb2.REQUEST_SOURCE_ADDED, True),
    (gathering_pb2.REQUEST_SOURCE_UNSPECIFIED, True),  # an event without a source: handled, as before
])
def test_only_requests_for_agencies_added_later_are_wanted(source, wanted):
    assert agency_not_from_notification(_opened(source)) is wanted


def _specs():
    handlers = SimpleNamespace(on_incident_notified=None, on_panel_notified=None, on_incident_withdrawn=None,
                               on_incident_amended=None, on_clock_extended=None, on_agency_request_opened=None,
                               on_criteria_evaluated=None)
    settings = SimpleNamespace(consumer_ack_wait=30.0, consumer_max_deliver=5, consumer_backoff=(1.0, 5.0))
    return consumer_specs(handlers, settings)  # type: ignore[arg-type]


def test_request_opened_goes_through_that_filter_and_no_other_event_is_filtered():
    (spec,) = _specs()
    route = spec.routes["agency.request_opened"]
    assert not route.needs(_opened(gathering_pb2.REQUEST_SOURCE_NOTIFICATION))
    assert route.needs(_opened(gathering_pb2.REQUEST_SOURCE_ADDED))
    assert all(r.wanted is None for event_type, r in spec.routes.items() if event_type != "agency.request_opened")


def test_every_event_decisions_consumes_is_on_one_durable_so_a_cases_events_come_in_stream_order():
    """An evaluation or a request of a case must not be handled before the incident.notified that
    created the case: on separate durables it could be, and was retried, then dead-lettered."""
    specs = _specs()
    assert [spec.durable for spec in specs] == ["decisions-events"]
    assert set(specs[0].routes) == {"incident.notified", "incident.panel_notified", "incident.withdrawn", "incident.amended",
                                    "incident.clock_extended", "agency.request_opened", "criteria.evaluated"}
    assert specs[0].replaces == ("decisions-incidents", "decisions-agencies", "decisions-criteria")
