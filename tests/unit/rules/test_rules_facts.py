"""Derived facts computed in Python before the fact is asserted."""

from __future__ import annotations

from rapidreview.rules.facts import case_view
from rapidreview.rules.themes import ThemeVocabulary
from rapidreview.v1 import common_pb2, facts_pb2


def _view(facts: facts_pb2.CaseFacts, book):
    return case_view(facts, "wt2023", book.themes("wt2023"))


def test_child_k_derived_counts(child_k: facts_pb2.CaseFacts, book) -> None:
    fact = _view(child_k, book).fact
    assert fact["involved_agency_count"] == 6 and fact["agency_count"] == 7
    assert fact["joint_working_concern_count"] == 2 and fact["single_agency_concern_count"] == 1
    assert fact["learning_count"] == 3 and fact["already_identified_learning_count"] == 1
    assert fact["recurrent_theme_count"] == 1 and fact["matched_earlier_review_count"] == 2
    assert (fact["distinct_local_authorities"], fact["distinct_police_areas"], fact["distinct_health_areas"]) == (1, 1, 1)
    assert fact["panel_response"] == "none" and fact["abuse_or_neglect"] == "suspected"
    assert fact["age_years"] == 0 and fact["incident_in_notifying_la"] is True


def test_an_unknown_age_is_left_out_of_the_fact(child_k: facts_pb2.CaseFacts, book) -> None:
    child_k.child.ClearField("age_years")
    child_k.child.unborn = True
    fact = _view(child_k, book).fact
    assert "age_years" not in fact and fact["age_known"] is False


def test_areas_fall_back_to_the_agency_kind(book) -> None:
    facts = facts_pb2.CaseFacts(
        notifying_la="Leeds",
        agencies=[
            facts_pb2.AgencyFacts(agency=common_pb2.Agency(agency_id="p1", kind=common_pb2.AGENCY_KIND_POLICE, area="North Yorkshire"), involved=True),
            facts_pb2.AgencyFacts(agency=common_pb2.Agency(agency_id="p2", kind=common_pb2.AGENCY_KIND_POLICE, area="West Yorkshire"), involved=True),
            facts_pb2.AgencyFacts(agency=common_pb2.Agency(agency_id="h1", kind=common_pb2.AGENCY_KIND_HEALTH_GP, area="Leeds"), involved=True),
            facts_pb2.AgencyFacts(agency=common_pb2.Agency(agency_id="s1", kind=common_pb2.AGENCY_KIND_EDUCATION, area="leeds"), involved=True),
            facts_pb2.AgencyFacts(agency=common_pb2.Agency(agency_id="x1", kind=common_pb2.AGENCY_KIND_EDUCATION, area="York"), involved=False),
        ],
    )
    fact = _view(facts, book).fact
    assert fact["distinct_police_areas"] == 2
    assert fact["distinct_health_areas"] == 1
    assert fact["distinct_local_authorities"] == 1, "Leeds and leeds are one area; uninvolved York does not count"


def test_returns_missing_is_the_larger_of_the_count_and_agencies_not_returned(child_k, book) -> None:
    child_k.agencies[3].returned = False
    assert _view(child_k, book).fact["returns_missing"] == 1
    child_k.returns_missing = 3
    assert _view(child_k, book).fact["returns_missing"] == 3


def test_evidence_falls_back_to_the_return_reference() -> None:
    facts = facts_pb2.CaseFacts(agencies=[facts_pb2.AgencyFacts(
        agency=common_pb2.Agency(agency_id="gp", name="GP"), involved=True, return_ref="return:gp:v2",
        learning=[facts_pb2.LearningFacts(themes=["x"])])])
    view = case_view(facts, "wt2023", ThemeVocabulary(()))
    assert view.evidence["learning"] == ["return:gp:v2"]
    assert view.unmatched_tags == ("x",)
