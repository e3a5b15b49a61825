"""validate_facts lists field violations for INVALID_ARGUMENT."""

from __future__ import annotations

import datetime as dt

from rapidreview.rules import validate_facts
from rapidreview.v1 import common_pb2, facts_pb2

TODAY = dt.date(2024, 6, 20)


def test_child_k_is_valid(child_k: facts_pb2.CaseFacts) -> None:
    assert validate_facts(child_k, today=TODAY) == []


def test_an_empty_message_names_every_required_field() -> None:
    paths = [p for p, _ in validate_facts(facts_pb2.CaseFacts(), today=TODAY)]
    assert paths == ["la_aware_date", "notifying_la", "incident_country", "nature", "abuse_or_neglect", "setting",
                     "child.age_years"]


def test_dates_must_be_iso_and_plausible(child_k: facts_pb2.CaseFacts) -> None:
    child_k.la_aware_date = "2024-6-4"
    child_k.incident_date = "2031-01-01"
    child_k.panel_notification_sent_date = "1999-12-31"
    assert validate_facts(child_k, today=TODAY) == [
        ("la_aware_date", "must be a date YYYY-MM-DD"),
        ("incident_date", "not plausible: must be between 2000-01-01 and today"),
        ("panel_notification_sent_date", "not plausible: must be between 2000-01-01 and today"),
    ]


def test_dates_must_be_in_order(child_k: facts_pb2.CaseFacts) -> None:
    child_k.incident_date = "2024-06-05"
    child_k.panel_notification_sent_date = "2024-06-03"
    child_k.rapid_review_sent_date = "2024-06-01"
    assert [p for p, _ in validate_facts(child_k, today=TODAY)] == [
        "incident_date", "panel_notification_sent_date", "rapid_review_sent_date"]


def test_agency_details_are_checked_with_their_paths(child_k: facts_pb2.CaseFacts) -> None:
    child_k.agencies[0].concerns[0].type = "gossip"
    child_k.agencies[0].concerns[0].about_agencies.append("nobody")
    child_k.agencies[1].agency.agency_id = "Leeds CSC"
    child_k.agencies[2].agency.kind = common_pb2.AGENCY_KIND_UNSPECIFIED
    child_k.agencies[3].learning[0].acted_on = "maybe"
    violations = dict(validate_facts(child_k, today=TODAY))
    assert set(violations) == {
        "agencies[0].concerns[0].type",
        "agencies[0].concerns[0].about_agencies[1]",
        "agencies[1].agency.agency_id",
        "agencies[2].agency.kind",
        "agencies[3].learning[0].acted_on",
    }


def test_nature_and_harm_must_agree(child_k: facts_pb2.CaseFacts) -> None:
    child_k.seriously_harmed = False
    assert validate_facts(child_k, today=TODAY) == [("seriously_harmed", "must be true when nature is NATURE_SERIOUS_HARM")]


def test_unborn_child_has_no_age(child_k: facts_pb2.CaseFacts) -> None:
    child_k.child.unborn = True
    assert validate_facts(child_k, today=TODAY) == [("child.age_years", "must be absent for an unborn child")]


def test_panel_response_vocabulary(child_k: facts_pb2.CaseFacts) -> None:
    child_k.panel_response = "local review please"
    assert [p for p, _ in validate_facts(child_k, today=TODAY)] == ["panel_response"]
    child_k.panel_response = "local_review_more_appropriate"
    assert validate_facts(child_k, today=TODAY) == []
