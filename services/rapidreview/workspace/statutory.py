"""Statutory figures the pages quote, read from the rule files (the same files the services
evaluate, `$RR_RULES_DIR` else the repository's rules/), never written into a template: when an
edition changes a deadline, the hints change with it."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from rapidreview.rules.parameters import RuleParameters


@lru_cache(maxsize=1)
def _rule_parameters() -> RuleParameters:
    return RuleParameters.load_default()


def working_days(rule_id: str, day: dt.date) -> int:
    """The `working_days` parameter of `rule_id` in the rule edition in force for a case the local
    authority became aware of on `day` (e.g. 5 for NOTIFY.DEADLINE). EditionNotFound when no
    edition covers the day, RuleNotFound when the edition has no such rule."""
    book = _rule_parameters()
    return int(book.deadline_params(rule_id, book.edition_for(day))["working_days"])  # type: ignore[call-overload]
