"""Validation of intake requests. Returns field violations; never stores anything."""

from __future__ import annotations

import datetime as dt
import re

from rapidreview.kernel.errors import Violations
from rapidreview.v1 import common_pb2, intake_pb2

EARLIEST_AWARENESS = dt.date(2018, 6, 29)
EARLIEST_INCIDENT = dt.date(2000, 1, 1)
AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
MAX_AGENCIES = 50
MAX_HARM_DESCRIPTION = 4000
MAX_REASON = 2000


def parse_date(value: str, field: str, violations: Violations, *, today: dt.date, required: bool = True) -> dt.date | None:
    """An ISO date that is not in the future, or a violation on `field`."""
    if not value:
        if required:
            violations.add(field, "required (YYYY-MM-DD)")
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        violations.add(field, "must be a date YYYY-MM-DD")
        return None
    if len(value) != 10:
        violations.add(field, "must be a date YYYY-MM-DD")
        return None
    if day > today:
        violations.add(field, "must not be in the future")
        return None
    return day


def _text(value: str, field: str, violations: Violations, *, max_len: int, required: bool = True) -> None:
    if required and not value.strip():
        violations.add(field, "required")
    elif len(value) > max_len:
        violations.add(field, f"at most {max_len} characters")


def _enum(value: int, enum: object, field: str, violations: Violations) -> None:
    values = enum.values()  # type: ignore[attr-defined]
    if value == 0:
        violations.add(field, "required")
    elif value not in values:
        violations.add(field, "unknown value")


def validate_notification(request: intake_pb2.NotifyIncidentRequest, today: dt.date) -> Violations:
    """Field violations of a NotifyIncident request (empty when valid)."""
    v = Violations()
    key = request.idempotency_key
    if not 8 <= len(key) <= 128 or not key.isprintable():
        v.add("idempotency_key", "8 to 128 printable characters")
    if not request.HasField("notification"):
        v.add("notification", "required")
        return v
    validate_notification_body(request.notification, v, today)
    return v


def validate_notification_body(n: intake_pb2.Notification, v: Violations, today: dt.date, p: str = "notification.") -> None:
    """Adds the field violations of a notification (NotifyIncident, AmendNotification) to `v`."""
    _text(n.notifying_la, p + "notifying_la", v, max_len=100)
    _text(n.home_la, p + "home_la", v, max_len=100)
    _enum(n.incident_country, common_pb2.Country, p + "incident_country", v)
    if n.incident_country == common_pb2.COUNTRY_ENGLAND:
        _text(n.incident_la, p + "incident_la", v, max_len=100)
    else:
        _text(n.incident_la, p + "incident_la", v, max_len=100, required=False)
    if not n.HasField("child"):
        v.add(p + "child", "required")
    else:
        c = n.child
        _text(c.child_ref, p + "child.child_ref", v, max_len=64)
        if c.unborn and c.HasField("age_years"):
            v.add(p + "child.age_years", "must be absent for an unborn child")
        if not c.unborn and not c.HasField("age_years"):
            v.add(p + "child.age_years", "required unless the child is unborn")
        if c.HasField("age_years") and not 0 <= c.age_years <= 25:
            v.add(p + "child.age_years", "must be between 0 and 25")
    _enum(n.nature, common_pb2.Nature, p + "nature", v)
    _text(n.harm_description, p + "harm_description", v, max_len=MAX_HARM_DESCRIPTION, required=False)
    for i, domain in enumerate(n.harm_domains):
        _enum(domain, common_pb2.HarmDomain, f"{p}harm_domains[{i}]", v)
    _enum(n.abuse_or_neglect, common_pb2.AbuseOrNeglect, p + "abuse_or_neglect", v)
    _enum(n.setting, common_pb2.Setting, p + "setting", v)
    incident = parse_date(n.incident_date, p + "incident_date", v, today=today)
    aware = parse_date(n.la_aware_date, p + "la_aware_date", v, today=today)
    if incident and incident < EARLIEST_INCIDENT:
        v.add(p + "incident_date", f"must not be before {EARLIEST_INCIDENT.isoformat()}")
    if aware and aware < EARLIEST_AWARENESS:
        v.add(p + "la_aware_date", f"must not be before {EARLIEST_AWARENESS.isoformat()} (no edition covers earlier dates)")
    if incident and aware and aware < incident:
        v.add(p + "la_aware_date", "must not be before the incident date")
    if len(n.agencies) > MAX_AGENCIES:
        v.add(p + "agencies", f"at most {MAX_AGENCIES} agencies")
    seen: set[str] = set()
    for i, agency in enumerate(n.agencies[:MAX_AGENCIES]):
        ap = f"{p}agencies[{i}]."
        if not AGENCY_ID.match(agency.agency_id):
            v.add(ap + "agency_id", "2-64 lower-case letters, digits and hyphens")
        elif agency.agency_id in seen:
            v.add(ap + "agency_id", "duplicate agency id")
        seen.add(agency.agency_id)
        _text(agency.name, ap + "name", v, max_len=200)
        _enum(agency.kind, common_pb2.AgencyKind, ap + "kind", v)
        _text(agency.area, ap + "area", v, max_len=100, required=False)
        if agency.area_type not in common_pb2.AreaType.values():
            v.add(ap + "area_type", "unknown value")
    if n.referred_by_agency and not AGENCY_ID.match(n.referred_by_agency):
        v.add(p + "referred_by_agency", "2-64 lower-case letters, digits and hyphens")


def validate_reason(reason: str, field: str = "reason") -> Violations:
    v = Violations()
    _text(reason, field, v, max_len=MAX_REASON)
    return v


def validate_reference(reference: str, field: str, v: Violations, *, required: bool) -> None:
    if (required or reference) and (not 1 <= len(reference) <= 64 or not reference.isprintable()):
        v.add(field, "1 to 64 printable characters")
