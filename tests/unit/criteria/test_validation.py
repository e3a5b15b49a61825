"""Validation of criteria requests: field violations, nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest

from rapidreview.criteria.domain.validation import parse_edition_ref, validate_earlier_reviews, validate_reevaluation
from rapidreview.v1 import criteria_pb2 as S
from rapidreview.v1 import facts_pb2

TODAY = dt.date(2024, 6, 26)
CASE = "6f1d3c2a-7b44-4c1e-9a55-0c4b2f8e9d10"


@pytest.mark.parametrize(("text", "expected"), [
    ("wt2023", ("wt2023", None)),
    ("wt2023@2023.1", ("wt2023", "2023.1")),
    ("WT2023", None),
    ("wt2023@", None),
    ("wt 2023", None),
])
def test_edition_references_are_a_name_and_an_optional_version(text, expected):
    assert parse_edition_ref(text) == expected


def test_reevaluation_needs_a_case_id_and_a_reason():
    fields = [f for f, _ in validate_reevaluation(S.ReevaluateCaseRequest(case_id="child-k")).items]
    assert fields == ["case_id", "reason"]
    assert not validate_reevaluation(S.ReevaluateCaseRequest(case_id=CASE, reason="new information", edition_version="wt2023"))


def test_reevaluation_reason_is_bounded():
    fields = [f for f, _ in validate_reevaluation(S.ReevaluateCaseRequest(case_id=CASE, reason="x" * 2001)).items]
    assert fields == ["reason"]


def test_earlier_reviews_name_every_bad_field():
    request = S.ImportEarlierReviewsRequest(reviews=[
        facts_pb2.EarlierReview(review_id="LSCP-2021-03", year=2021, themes=["neglect"]),
        facts_pb2.EarlierReview(review_id="LSCP-2021-03", year=2021, themes=["neglect"]),
        facts_pb2.EarlierReview(review_id=" spaced", year=2030, themes=["", "x" * 101]),
        facts_pb2.EarlierReview(review_id="LSCP-2019-01", year=2019),
    ])
    fields = [f for f, _ in validate_earlier_reviews(request, TODAY).items]
    assert fields == ["reviews[1].review_id", "reviews[2].review_id", "reviews[2].year", "reviews[2].themes[0]",
                      "reviews[2].themes[1]", "reviews[3].themes"]


def test_no_reviews_is_a_violation_and_good_ones_are_not():
    assert [f for f, _ in validate_earlier_reviews(S.ImportEarlierReviewsRequest(), TODAY).items] == ["reviews"]
    good = S.ImportEarlierReviewsRequest(reviews=[facts_pb2.EarlierReview(review_id="LSCP-2021-03", year=2021, themes=["neglect"])])
    assert not validate_earlier_reviews(good, TODAY)
