"""Intake validation names every bad field."""

import datetime as dt

from rapidreview.intake.domain.validation import validate_notification
from rapidreview.v1 import common_pb2, intake_pb2
from tests.support.examples import example_notification

TODAY = dt.date(2024, 6, 10)


def _fields(request):
    return [f for f, _ in validate_notification(request, TODAY).items]


def test_the_worked_example_is_valid():
    assert _fields(intake_pb2.NotifyIncidentRequest(idempotency_key="key-00001", notification=example_notification())) == []


def test_missing_notification_and_short_key_are_reported():
    assert _fields(intake_pb2.NotifyIncidentRequest(idempotency_key="k")) == ["idempotency_key", "notification"]


def test_unborn_child_must_not_have_an_age_and_born_child_must():
    n = example_notification()
    n.child.unborn = True
    assert "notification.child.age_years" in _fields(intake_pb2.NotifyIncidentRequest(idempotency_key="key-00001", notification=n))
    n = example_notification()
    n.child.ClearField("age_years")
    assert "notification.child.age_years" in _fields(intake_pb2.NotifyIncidentRequest(idempotency_key="key-00001", notification=n))


def test_incident_la_is_required_in_england_only():
    n = example_notification(incident_la="")
    assert "notification.incident_la" in _fields(intake_pb2.NotifyIncidentRequest(idempotency_key="key-00001", notification=n))
    n = example_notification(incident_la="", incident_country=common_pb2.COUNTRY_WALES)
    assert "notification.incident_la" not in _fields(intake_pb2.NotifyIncidentRequest(idempotency_key="key-00001", notification=n))


def test_awareness_before_2018_edition_and_duplicate_agencies_are_reported():
    n = example_notification(incident_date="2018-01-01", la_aware_date="2018-01-02")
    n.agencies.append(n.agencies[0])
    fields = _fields(intake_pb2.NotifyIncidentRequest(idempotency_key="key-00001", notification=n))
    assert "notification.la_aware_date" in fields and "notification.agencies[2].agency_id" in fields
