"""POST.REVIEWER_INDEPENDENT: declared involvements against the case's agencies."""

from __future__ import annotations

from rapidreview.decisions.domain.independence import CaseAgency, Involvement, independence_conflicts

AGENCIES = [CaseAgency("west-yorkshire-police", "West Yorkshire Police"), CaseAgency("gp-practice", "GP practice")]


def test_involvement_with_an_agency_of_the_case_is_a_conflict_naming_it():
    reasons = independence_conflicts(False, [Involvement("west-yorkshire-police", "")], AGENCIES)
    assert reasons == ["the reviewer declared past involvement with West Yorkshire Police (west-yorkshire-police), "
                       "an agency involved in this case"]


def test_the_same_agency_under_another_id_is_matched_by_name():
    assert independence_conflicts(False, [Involvement("wyp", "The West Yorkshire police")], AGENCIES)


def test_involvement_in_the_case_itself_is_a_conflict():
    assert independence_conflicts(True, [], AGENCIES) == ["the reviewer declared involvement in this case"]


def test_involvement_only_with_other_agencies_is_independent():
    assert independence_conflicts(False, [Involvement("bradford-childrens-services", "Bradford Children's Social Care")], AGENCIES) == []


def test_each_conflicting_agency_is_named_once():
    reasons = independence_conflicts(False, [Involvement("gp-practice", ""), Involvement("", "GP Practice")], AGENCIES)
    assert len(reasons) == 1
