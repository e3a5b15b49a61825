"""Return validation names every bad field and accepts the documented examples."""

from __future__ import annotations

import datetime as dt

import pytest

from rapidreview.gathering.domain.validation import validate_agencies, validate_return
from rapidreview.kernel.errors import Violations
from rapidreview.v1 import common_pb2, gathering_pb2
from tests.unit.gathering.returns import EXAMPLE_NAMES, example_request

TODAY = dt.date(2024, 6, 25)
CASE = "6f1c9b3e-8d2a-4c1e-9f55-2b7d3a1e0c44"


def _fields(request: gathering_pb2.SubmitAgencyReturnRequest, today: dt.date = TODAY) -> list[str]:
    return [f for f, _ in validate_return(request, today).items]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_documented_example_return_is_valid(name):
    assert _fields(example_request(name, CASE)) == []


def _police():
    return example_request("police", CASE)


def _with(mutate):
    request = _police()
    mutate(request.agency_return)
    return request


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.ClearField("agency"), "agency_return.agency"),
        (lambda r: setattr(r.agency, "agency_id", "West Yorkshire Police"), "agency_return.agency.agency_id"),
        (lambda r: setattr(r.agency, "kind", 0), "agency_return.agency.kind"),
        (lambda r: setattr(r, "involvement", 0), "agency_return.involvement"),
        (lambda r: r.involvement_period.ClearField("start"), "agency_return.involvement_period.start"),
        (lambda r: setattr(r.involvement_period, "end", "2024-01-01"), "agency_return.involvement_period.end"),
        (lambda r: setattr(r.chronology[1], "date", "2024-02-30"), "agency_return.chronology[1].date"),
        (lambda r: setattr(r.chronology[1], "date", "2024-07-01"), "agency_return.chronology[1].date"),  # future
        (lambda r: setattr(r.chronology[1], "date", "1980-01-01"), "agency_return.chronology[1].date"),  # implausibly old
        (lambda r: setattr(r.chronology[0], "summary", "x" * 4001), "agency_return.chronology[0].summary"),
        (lambda r: setattr(r.chronology[0], "summary", "  "), "agency_return.chronology[0].summary"),
        (lambda r: setattr(r.chronology[0], "contact_type", 0), "agency_return.chronology[0].contact_type"),
        (lambda r: setattr(r.chronology[0], "practitioner_role", "Mrs Jones"), "agency_return.chronology[0].practitioner_role"),
        (lambda r: setattr(r.chronology[0], "practitioner_role", "Dr. Patel"), "agency_return.chronology[0].practitioner_role"),
        (lambda r: r.learning[0].ClearField("themes"), "agency_return.learning[0].themes"),
        (lambda r: setattr(r.learning[0], "acted_on", gathering_pb2.ACTED_ON_YES), "agency_return.learning[0].acted_on"),
        (lambda r: r.concerns[0].ClearField("about_agencies"), "agency_return.concerns[0].about_agencies"),
        (lambda r: r.concerns[0].about_agencies.append("Not An Id"), "agency_return.concerns[0].about_agencies[1]"),
        (lambda r: setattr(r.concerns[0], "type", 42), "agency_return.concerns[0].type"),
        (lambda r: setattr(r.immediate_actions[0], "subject", 0), "agency_return.immediate_actions[0].subject"),
        (lambda r: setattr(r, "involvement", gathering_pb2.INVOLVEMENT_NOT_INVOLVED), "agency_return.chronology"),
        (lambda r: setattr(r, "family_context", "y" * 4001), "agency_return.family_context"),
    ],
)
def test_bad_return_field_is_named(mutate, field):
    assert field in _fields(_with(mutate))


def test_too_many_chronology_entries_is_one_violation_not_thousands():
    request = _police()
    entry = request.agency_return.chronology[0]
    for _ in range(5001):
        request.agency_return.chronology.add().CopyFrom(entry)
    assert _fields(request) == ["agency_return.chronology"]


def test_missing_return_and_bad_case_id_are_reported():
    assert _fields(gathering_pb2.SubmitAgencyReturnRequest(case_id="case-1")) == ["case_id", "agency_return"]


def test_agency_lists_must_be_non_empty_and_distinct():
    v = Violations()
    validate_agencies([], "agencies.", v)
    assert [f for f, _ in v.items] == ["agencies"]
    agency = common_pb2.Agency(agency_id="school", name="School", kind=common_pb2.AGENCY_KIND_EDUCATION)
    v = Violations()
    validate_agencies([agency, agency], "agencies.", v)
    assert [f for f, _ in v.items] == ["agencies[1].agency_id"]
