"""Validation of gathering requests. Returns field violations; never stores anything."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence

from rapidreview.kernel.errors import Violations
from rapidreview.v1 import common_pb2, gathering_pb2

G = gathering_pb2
AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
REVIEW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
# A role is never a person: honorifics mean someone typed a name.
HONORIFIC = re.compile(r"\b(mr|mrs|ms|miss|mx|dr|prof)\b\.?", re.IGNORECASE)
PLAUSIBLE_YEARS = 30

MAX_AGENCIES = 50
MAX_CHRONOLOGY = 5000
MAX_ITEMS = 200
MAX_TEXT = 4000
MAX_SHORT_TEXT = 2000
MAX_TITLE = 200
MAX_ROLE = 100
MAX_THEMES = 10
MAX_THEME = 100
MAX_ABOUT = 20
MAX_REASON = 2000


def earliest_plausible(today: dt.date) -> dt.date:
    """The earliest chronology date accepted: 30 years before today (older records
    than the oldest child's parents' own childhood are a typing error)."""
    try:
        return today.replace(year=today.year - PLAUSIBLE_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year - PLAUSIBLE_YEARS, day=28)


def validate_case_id(case_id: str, v: Violations, field: str = "case_id") -> None:
    try:
        uuid.UUID(case_id)
    except ValueError:
        v.add(field, "must be a case id (UUID)")


def validate_agency_id(agency_id: str, v: Violations, field: str) -> bool:
    if not AGENCY_ID.match(agency_id):
        v.add(field, "2-64 lower-case letters, digits and hyphens")
        return False
    return True


def _text(value: str, field: str, v: Violations, *, max_len: int, required: bool = True) -> None:
    if required and not value.strip():
        v.add(field, "required")
    elif len(value) > max_len:
        v.add(field, f"at most {max_len} characters")


def _enum(value: int, enum: object, field: str, v: Violations, *, required: bool = True) -> None:
    if value == 0:
        if required:
            v.add(field, "required")
    elif value not in enum.values():  # type: ignore[attr-defined]
        v.add(field, "unknown value")


def _date(value: str, field: str, v: Violations, today: dt.date, *, required: bool = True) -> dt.date | None:
    if not value:
        if required:
            v.add(field, "required (YYYY-MM-DD)")
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        day = None
    if day is None or len(value) != 10:
        v.add(field, "must be a date YYYY-MM-DD")
        return None
    if day > today:
        v.add(field, "must not be in the future")
        return None
    if day < earliest_plausible(today):
        v.add(field, f"must not be more than {PLAUSIBLE_YEARS} years ago")
        return None
    return day


def _role(value: str, field: str, v: Violations, *, required: bool) -> None:
    _text(value, field, v, max_len=MAX_ROLE, required=required)
    if value and HONORIFIC.search(value):
        v.add(field, "a role (e.g. 'health visitor'), never a person's name or title")


def _count(items: Sequence[object], field: str, v: Violations, maximum: int) -> bool:
    if len(items) > maximum:
        v.add(field, f"at most {maximum} items")
        return False
    return True


def validate_agency(agency: common_pb2.Agency, prefix: str, v: Violations) -> None:
    """Violations of an Agency (id, name, kind, area, area type)."""
    validate_agency_id(agency.agency_id, v, prefix + "agency_id")
    _text(agency.name, prefix + "name", v, max_len=200)
    _enum(agency.kind, common_pb2.AgencyKind, prefix + "kind", v)
    _text(agency.area, prefix + "area", v, max_len=100, required=False)
    _enum(agency.area_type, common_pb2.AreaType, prefix + "area_type", v, required=False)


def validate_agencies(agencies: Sequence[common_pb2.Agency], prefix: str, v: Violations) -> None:
    """Violations of a list of agencies to open requests for (1-50, distinct ids)."""
    if not agencies:
        v.add(prefix.rstrip("."), "at least one agency")
        return
    if not _count(agencies, prefix.rstrip("."), v, MAX_AGENCIES):
        return
    seen: set[str] = set()
    for i, agency in enumerate(agencies):
        p = f"{prefix.rstrip('.')}[{i}]."
        validate_agency(agency, p, v)
        if agency.agency_id in seen:
            v.add(p + "agency_id", "duplicate agency id")
        seen.add(agency.agency_id)


def _period(period: gathering_pb2.Period, prefix: str, v: Violations, today: dt.date, *, start_required: bool) -> None:
    start = _date(period.start, prefix + "start", v, today, required=start_required)
    end = _date(period.end, prefix + "end", v, today, required=False)
    if start and end and end < start:
        v.add(prefix + "end", "must not be before start")


def validate_return(request: gathering_pb2.SubmitAgencyReturnRequest, today: dt.date) -> Violations:
    """Field violations of a SubmitAgencyReturn request (empty when valid)."""
    v = Violations()
    validate_case_id(request.case_id, v)
    if not request.HasField("agency_return"):
        v.add("agency_return", "required")
        return v
    r = request.agency_return
    p = "agency_return."
    if not r.HasField("agency"):
        v.add(p + "agency", "required")
    else:
        validate_agency(r.agency, p + "agency.", v)
    _enum(r.involvement, G.Involvement, p + "involvement", v)
    involved = r.involvement == G.INVOLVEMENT_INVOLVED
    _period(r.involvement_period, p + "involvement_period.", v, today, start_required=involved)
    _text(r.involvement_summary, p + "involvement_summary", v, max_len=MAX_TEXT, required=False)
    _text(r.family_context, p + "family_context", v, max_len=MAX_TEXT, required=False)
    _role(r.completed_by_role, p + "completed_by_role", v, required=False)

    if r.involvement == G.INVOLVEMENT_NOT_INVOLVED and len(r.chronology):
        v.add(p + "chronology", "must be empty when the agency had no involvement")
    if _count(r.chronology, p + "chronology", v, MAX_CHRONOLOGY):
        for i, e in enumerate(r.chronology):
            ep = f"{p}chronology[{i}]."
            _date(e.date, ep + "date", v, today)
            _enum(e.contact_type, G.ContactType, ep + "contact_type", v)
            _role(e.practitioner_role, ep + "practitioner_role", v, required=True)
            _text(e.summary, ep + "summary", v, max_len=MAX_TEXT)
            _text(e.decisions, ep + "decisions", v, max_len=MAX_SHORT_TEXT, required=False)
            _text(e.entry_ref, ep + "entry_ref", v, max_len=64, required=False)
    if _count(r.key_practice_episodes, p + "key_practice_episodes", v, MAX_ITEMS):
        for i, k in enumerate(r.key_practice_episodes):
            kp = f"{p}key_practice_episodes[{i}]."
            _text(k.title, kp + "title", v, max_len=MAX_TITLE)
            _period(k.period, kp + "period.", v, today, start_required=True)
            _text(k.description, kp + "description", v, max_len=MAX_TEXT)
    if _count(r.good_practice, p + "good_practice", v, MAX_ITEMS):
        for i, g in enumerate(r.good_practice):
            gp = f"{p}good_practice[{i}]."
            _date(g.date, gp + "date", v, today, required=False)
            _text(g.description, gp + "description", v, max_len=MAX_TEXT)
    if _count(r.learning, p + "learning", v, MAX_ITEMS):
        for i, learning in enumerate(r.learning):
            _learning(learning, f"{p}learning[{i}].", v)
    if _count(r.immediate_actions, p + "immediate_actions", v, MAX_ITEMS):
        for i, a in enumerate(r.immediate_actions):
            ap = f"{p}immediate_actions[{i}]."
            _date(a.date, ap + "date", v, today)
            _enum(a.subject, G.ActionSubject, ap + "subject", v)
            _text(a.description, ap + "description", v, max_len=MAX_SHORT_TEXT)
    if _count(r.concerns, p + "concerns", v, MAX_ITEMS):
        for i, c in enumerate(r.concerns):
            cp = f"{p}concerns[{i}]."
            _enum(c.type, G.ConcernType, cp + "type", v)
            _text(c.description, cp + "description", v, max_len=MAX_TEXT)
            if not c.about_agencies:
                v.add(cp + "about_agencies", "at least one agency id")
            elif _count(c.about_agencies, cp + "about_agencies", v, MAX_ABOUT):
                for j, agency_id in enumerate(c.about_agencies):
                    validate_agency_id(agency_id, v, f"{cp}about_agencies[{j}]")
    return v


def _learning(learning: gathering_pb2.Learning, prefix: str, v: Violations) -> None:
    _text(learning.description, prefix + "description", v, max_len=MAX_TEXT)
    if not learning.themes:
        v.add(prefix + "themes", "at least one theme tag")
    elif _count(learning.themes, prefix + "themes", v, MAX_THEMES):
        for j, theme in enumerate(learning.themes):
            _text(theme, f"{prefix}themes[{j}]", v, max_len=MAX_THEME)
    _enum(learning.acted_on, G.ActedOn, prefix + "acted_on", v, required=False)
    if learning.acted_on and not learning.already_identified:
        v.add(prefix + "acted_on", "only for learning already identified")
    if _count(learning.earlier_reviews, prefix + "earlier_reviews", v, 20):
        for j, review in enumerate(learning.earlier_reviews):
            if not REVIEW_ID.match(review):
                v.add(f"{prefix}earlier_reviews[{j}]", "1-64 letters, digits and . _ / -")


def validate_reason(reason: str, field: str = "reason") -> Violations:
    v = Violations()
    _text(reason, field, v, max_len=MAX_REASON)
    return v
