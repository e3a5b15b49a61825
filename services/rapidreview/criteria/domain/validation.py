"""Validation of criteria requests. Returns field violations; never stores anything."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from rapidreview.kernel.errors import Violations
from rapidreview.v1 import criteria_pb2

MAX_REVIEWS = 500
MAX_THEMES = 50
MAX_THEME = 100
MAX_REASON = 2000
_REVIEW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_EDITION_REF = re.compile(r"^(?P<name>[a-z][a-z0-9]*)(?:@(?P<version>[0-9A-Za-z.\-]+))?$")


def require_case_id(case_id: str, violations: Violations, field: str = "case_id") -> None:
    """A case id must be a UUID."""
    try:
        uuid.UUID(case_id)
    except ValueError:
        violations.add(field, "must be a case id (UUID)")


def optional_evaluation_id(evaluation_id: str, violations: Violations, field: str = "evaluation_id") -> None:
    """An evaluation id, when given, must be a UUID."""
    if evaluation_id:
        try:
            uuid.UUID(evaluation_id)
        except ValueError:
            violations.add(field, "must be an evaluation id (UUID) or empty")


def parse_edition_ref(text: str) -> tuple[str, str | None] | None:
    """("wt2023", "2023.1") from "wt2023@2023.1", ("wt2023", None) from "wt2023";
    None when malformed."""
    match = _EDITION_REF.match(text)
    if match is None:
        return None
    return match.group("name"), match.group("version")


def validate_reevaluation(request: criteria_pb2.ReevaluateCaseRequest) -> Violations:
    v = Violations()
    require_case_id(request.case_id, v)
    if request.edition_version and parse_edition_ref(request.edition_version) is None:
        v.add("edition_version", 'an edition name, optionally with a version: "wt2023" or "wt2023@2023.1"')
    if not request.reason.strip():
        v.add("reason", "required: why the case is re-evaluated")
    elif len(request.reason) > MAX_REASON:
        v.add("reason", f"at most {MAX_REASON} characters")
    return v


def validate_earlier_reviews(request: criteria_pb2.ImportEarlierReviewsRequest, today: dt.date) -> Violations:
    v = Violations()
    if not request.reviews:
        v.add("reviews", "at least one review")
    if len(request.reviews) > MAX_REVIEWS:
        v.add("reviews", f"at most {MAX_REVIEWS} reviews")
    seen: set[str] = set()
    for i, review in enumerate(request.reviews[:MAX_REVIEWS]):
        p = f"reviews[{i}]."
        if not _REVIEW_ID.match(review.review_id):
            v.add(p + "review_id", "1-64 letters, digits, '.', '_', '/' or '-', starting with a letter or digit")
        elif review.review_id in seen:
            v.add(p + "review_id", "duplicated in this request")
        seen.add(review.review_id)
        if not 1990 <= review.year <= today.year:
            v.add(p + "year", f"must be between 1990 and {today.year}")
        if not 1 <= len(review.themes) <= MAX_THEMES:
            v.add(p + "themes", f"1 to {MAX_THEMES} themes")
        for j, theme in enumerate(review.themes[:MAX_THEMES]):
            if not theme.strip() or len(theme) > MAX_THEME or not theme.isprintable():
                v.add(f"{p}themes[{j}]", f"1 to {MAX_THEME} printable characters")
        if len(review.title) > 300 or not review.title.isprintable():
            v.add(p + "title", "at most 300 printable characters")
        if review.publisher:
            v.add(p + "publisher", "not stored for a partnership's own reviews: leave it empty")
        if review.national or review.list_version:
            # National reviews come from the national themes list, versioned with the product.
            v.add(p + ("national" if review.national else "list_version"),
                  "national reviews come from the national themes list (RR_NATIONAL_THEMES_FILE), not from an import")
    return v
