"""Field-level validation of CaseFacts, for INVALID_ARGUMENT field violations.

Descriptions name the field and what it must be, never the value found: they
reach callers and logs, and a value in a fact can be personal data."""

from __future__ import annotations

import datetime as dt
import re

from google.protobuf.message import Message

from rapidreview.rules.vocabulary import ACTED_ON, CONCERN_TYPES, PANEL_RESPONSES
from rapidreview.v1 import common_pb2, facts_pb2

Violation = tuple[str, str]

_AGENCY_ID = re.compile(r"^[a-z0-9-]{2,64}$")
_EARLIEST = dt.date(2000, 1, 1)
#: Facts are structured (ids, names, dates, vocabulary tags), never narrative: every text
#: and every list has a bound, so that a what-if evaluation cannot be made arbitrarily large.
MAX_TEXT = 200
MAX_ITEMS = 1000


class InvalidFacts(ValueError):
    """CaseFacts that cannot be evaluated; `violations` lists (field path, description)."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__("; ".join(f"{path}: {text}" for path, text in violations))
        self.violations = violations


def _date(
    out: list[Violation], path: str, text: str, today: dt.date, required: bool = False
) -> dt.date | None:
    if not text:
        if required:
            out.append((path, "required, as YYYY-MM-DD"))
        return None
    try:
        if len(text) != 10:
            raise ValueError
        day = dt.date.fromisoformat(text)
    except ValueError:
        out.append((path, "must be a date YYYY-MM-DD"))
        return None
    if day < _EARLIEST or day > today:
        out.append((path, f"not plausible: must be between {_EARLIEST.isoformat()} and today"))
        return None
    return day


def _enum_set(out: list[Violation], path: str, value: int, enum: type, unspecified: int = 0) -> None:
    if value == unspecified:
        out.append((path, "must be set"))
    elif value not in enum.DESCRIPTOR.values_by_number:  # type: ignore[attr-defined]
        out.append((path, f"unknown value {value}"))


def validate_facts(facts: facts_pb2.CaseFacts, today: dt.date | None = None) -> list[Violation]:
    """Every problem with `facts` as (field path, description); empty when the
    facts can be evaluated. Paths follow google.rpc.BadRequest, e.g.
    "agencies[2].concerns[0].type"."""
    today = today or dt.date.today()
    out: list[Violation] = []

    aware = _date(out, "la_aware_date", facts.la_aware_date, today, required=True)
    incident = _date(out, "incident_date", facts.incident_date, today)
    sent = _date(out, "panel_notification_sent_date", facts.panel_notification_sent_date, today)
    rr_sent = _date(out, "rapid_review_sent_date", facts.rapid_review_sent_date, today)
    if aware and incident and incident > aware:
        out.append(("incident_date", "is after la_aware_date"))
    if aware and sent and sent < aware:
        out.append(("panel_notification_sent_date", "is before la_aware_date"))
    if rr_sent and not facts.panel_notification_sent_date:
        out.append(("rapid_review_sent_date", "set but panel_notification_sent_date is empty"))
    if rr_sent and sent and rr_sent < sent:
        out.append(("rapid_review_sent_date", "is before panel_notification_sent_date"))

    if not facts.notifying_la.strip():
        out.append(("notifying_la", "required"))
    _enum_set(out, "incident_country", facts.incident_country, common_pb2.Country)
    if facts.incident_country == common_pb2.COUNTRY_ENGLAND and not facts.incident_la.strip():
        out.append(("incident_la", "required when the incident happened in England"))
    _enum_set(out, "nature", facts.nature, common_pb2.Nature)
    _enum_set(out, "abuse_or_neglect", facts.abuse_or_neglect, common_pb2.AbuseOrNeglect)
    _enum_set(out, "setting", facts.setting, common_pb2.Setting)
    if facts.nature == common_pb2.NATURE_DEATH and not facts.died:
        out.append(("died", "must be true when nature is NATURE_DEATH"))
    if facts.nature == common_pb2.NATURE_SERIOUS_HARM and not facts.seriously_harmed:
        out.append(("seriously_harmed", "must be true when nature is NATURE_SERIOUS_HARM"))
    for i, domain in enumerate(facts.harm_domains):
        _enum_set(out, f"harm_domains[{i}]", domain, common_pb2.HarmDomain)

    child = facts.child
    if child.unborn and child.HasField("age_years"):
        out.append(("child.age_years", "must be absent for an unborn child"))
    elif not child.unborn and not child.HasField("age_years"):
        out.append(("child.age_years", "required unless the child is unborn"))
    elif child.HasField("age_years") and not 0 <= child.age_years <= 25:
        out.append(("child.age_years", "must be between 0 and 25"))

    ids = [a.agency.agency_id for a in facts.agencies]
    for i, agency in enumerate(facts.agencies):
        path = f"agencies[{i}]"
        if not _AGENCY_ID.match(agency.agency.agency_id):
            out.append((f"{path}.agency.agency_id", "2-64 lower-case letters, digits or hyphens"))
        elif ids.count(agency.agency.agency_id) > 1:
            out.append((f"{path}.agency.agency_id", "duplicated"))
        _enum_set(out, f"{path}.agency.kind", agency.agency.kind, common_pb2.AgencyKind)
        for j, concern in enumerate(agency.concerns):
            if concern.type not in CONCERN_TYPES:
                out.append((f"{path}.concerns[{j}].type", f"must be one of {', '.join(CONCERN_TYPES)}"))
            for k, about in enumerate(concern.about_agencies):
                if about not in ids:
                    out.append((f"{path}.concerns[{j}].about_agencies[{k}]", "not one of the agencies of these facts"))
        for j, learning in enumerate(agency.learning):
            if learning.acted_on not in ACTED_ON:
                out.append((f"{path}.learning[{j}].acted_on", "must be yes, partly, no or empty"))
        for name in ("good_practice_count", "immediate_action_count"):
            if getattr(agency, name) < 0:
                out.append((f"{path}.{name}", "must not be negative"))

    _bounded(facts, "", out)
    if facts.returns_missing < 0:
        out.append(("returns_missing", "must not be negative"))
    if facts.panel_response and facts.panel_response not in PANEL_RESPONSES[1:]:
        out.append(("panel_response", f"must be empty or one of {', '.join(PANEL_RESPONSES[1:])}"))
    for i, extension in enumerate(facts.clock_extensions):
        if not extension.clock_id.strip():
            out.append((f"clock_extensions[{i}].clock_id", "required"))
        try:
            if len(extension.extended_to) != 10:
                raise ValueError
            dt.date.fromisoformat(extension.extended_to)
        except ValueError:
            out.append((f"clock_extensions[{i}].extended_to", "must be a date YYYY-MM-DD"))
    for i, review in enumerate(facts.earlier_reviews):
        if not review.review_id.strip():
            out.append((f"earlier_reviews[{i}].review_id", "required"))
        if review.year and not 1990 <= review.year <= today.year:
            out.append((f"earlier_reviews[{i}].year", f"must be between 1990 and {today.year}"))
    return out


def _bounded(msg: Message, prefix: str, out: list[Violation]) -> None:
    """Violations of MAX_TEXT and MAX_ITEMS anywhere in `msg`."""
    for field, value in msg.ListFields():
        path = prefix + field.name
        values = list(value) if field.is_repeated else [value]
        if field.is_repeated and len(values) > MAX_ITEMS:
            out.append((path, f"at most {MAX_ITEMS} items"))
            values = values[:MAX_ITEMS]
        for i, item in enumerate(values):
            where = f"{path}[{i}]" if field.is_repeated else path
            if field.message_type is not None:
                _bounded(item, where + ".", out)
            elif field.type == field.TYPE_STRING and len(item) > MAX_TEXT:
                out.append((where, f"at most {MAX_TEXT} characters"))
