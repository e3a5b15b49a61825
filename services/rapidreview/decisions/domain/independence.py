"""POST.REVIEWER_INDEPENDENT: the reviewer (author) has no involvement in the
case or with the agencies involved in it.

The reviewer's declared involvements are compared with the case's agencies by
agency id and by normalised agency name (ids may differ between the
notification and the declaration). Reasons name agencies, which are
organisations, never people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CaseAgency:
    """An agency involved in the case, as notified."""

    agency_id: str
    name: str


@dataclass(frozen=True)
class Involvement:
    """A past involvement the reviewer declared."""

    agency_id: str
    agency_name: str


def normalise_agency_name(name: str) -> str:
    """Lower-case letters and digits only, single-spaced, without a leading "the"."""
    words = re.sub(r"[^a-z0-9]+", " ", name.casefold()).split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def independence_conflicts(involved_in_case: bool, involvements: list[Involvement], agencies: list[CaseAgency]) -> list[str]:
    """Why the reviewer is not independent; empty when they are."""
    reasons = []
    if involved_in_case:
        reasons.append("the reviewer declared involvement in this case")
    by_id = {a.agency_id: a for a in agencies}
    by_name = {normalise_agency_name(a.name): a for a in agencies if normalise_agency_name(a.name)}
    named: set[str] = set()
    for involvement in involvements:
        agency = by_id.get(involvement.agency_id) or by_name.get(normalise_agency_name(involvement.agency_name))
        if agency is not None and agency.agency_id not in named:
            named.add(agency.agency_id)
            reasons.append(f"the reviewer declared past involvement with {agency.name} ({agency.agency_id}), "
                           "an agency involved in this case")
    return reasons
