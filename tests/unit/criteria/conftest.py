from __future__ import annotations

import datetime as dt

import pytest

from rapidreview.criteria.domain import facts as F
from rapidreview.kernel.calendar import WorkingDayCalendar
from tests.support.harness import shared_rulebook
from tests.unit.criteria import child_k


@pytest.fixture(scope="session")
def rulebook():
    """The repository's rule book, shared with every in-process service of the test run."""
    return shared_rulebook()


@pytest.fixture
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar(lambda: dt.date(2024, 6, 26))


@pytest.fixture
def child_k_facts():
    """Child K's facts after notification, Panel notification and collation, with the earlier reviews."""
    facts = F.facts_from_incident(child_k.incident(panel_sent="2024-06-07"))
    facts = F.with_collation(facts, child_k.collated())
    return F.with_earlier_reviews(facts, child_k.EARLIER_REVIEWS)
