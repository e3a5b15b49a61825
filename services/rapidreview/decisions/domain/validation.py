"""Validation of decisions requests. Returns field violations; never stores anything.

Checks that need the stored case (the recommendation an Executive agrees
with, dates before earlier steps) are made by the handlers with the same
`Violations` so that every field problem comes back in one answer.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from rapidreview.decisions.domain.clocks import minimum_availability
from rapidreview.kernel.errors import Violations
from rapidreview.v1 import decisions_pb2 as D

#: The reg 11 criteria and WT2018 circumstances the RAG concludes on (RULES.md section 3).
CRITERIA_IDS = (
    "LOCAL.IMPROVEMENTS", "LOCAL.RECURRENT_THEMES", "LOCAL.MULTI_AGENCY", "LOCAL.PANEL_VIEW",
    "REGARD.SINGLE_AGENCY", "REGARD.NO_AGENCY", "REGARD.CROSS_BOUNDARY", "REGARD.INSTITUTIONAL",
)
PARTNERS = (D.SAFEGUARDING_PARTNER_LOCAL_AUTHORITY, D.SAFEGUARDING_PARTNER_POLICE, D.SAFEGUARDING_PARTNER_HEALTH)
AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
MAX_RATIONALE = 8000
MAX_TEXT = 4000
MAX_SHORT = 2000
MAX_NAME = 200
MAX_PUBLISHED_TEXT = 1_000_000
MAX_TERMS = 20000
MAX_LIST = 50
EARLIEST = dt.date(2018, 6, 29)


def parse_date(value: str, field: str, v: Violations, *, today: dt.date | None = None, required: bool = True,
               max_future_days: int = 0) -> dt.date | None:
    """An ISO date, or a violation on `field`. With `today`, not later than
    today + `max_future_days`; never before 2018-06-29 (no edition earlier)."""
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
    if day < EARLIEST:
        v.add(field, f"must not be before {EARLIEST.isoformat()}")
        return None
    if today is not None and day > today + dt.timedelta(days=max_future_days):
        v.add(field, "must not be in the future" if not max_future_days else f"must be at most {max_future_days} days ahead")
        return None
    return day


def text(value: str, field: str, v: Violations, *, max_len: int, required: bool = True) -> None:
    if required and not value.strip():
        v.add(field, "required")
    elif len(value) > max_len:
        v.add(field, f"at most {max_len} characters")


def enum(value: int, enum_type: object, field: str, v: Violations) -> None:
    if value == 0:
        v.add(field, "required")
    elif value not in enum_type.values():  # type: ignore[attr-defined]
        v.add(field, "unknown value")


def record_id(value: str, field: str, v: Violations) -> None:
    if not value:
        v.add(field, "required")
        return
    try:
        uuid.UUID(value)
    except ValueError:
        v.add(field, "must be an id (UUID)")


def common(request: object, v: Violations) -> None:
    """case_id and the optional idempotency key."""
    record_id(request.case_id, "case_id", v)  # type: ignore[attr-defined]
    key = getattr(request, "idempotency_key", "")
    if key and (not 8 <= len(key) <= 128 or not key.isprintable()):
        v.add("idempotency_key", "8 to 128 printable characters")


def _agency_id(value: str, field: str, v: Violations, *, required: bool) -> None:
    if not value:
        if required:
            v.add(field, "required")
    elif not AGENCY_ID.match(value):
        v.add(field, "2-64 lower-case letters, digits and hyphens")


def validate_recommendation(r: D.RecordRecommendationRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    enum(r.recommendation, D.ReviewDecision, "recommendation", v)
    text(r.rationale, "rationale", v, max_len=MAX_RATIONALE)
    if not r.evaluation_id:
        v.add("evaluation_id", "required: the criteria evaluation the recommendation is based on")
    elif len(r.evaluation_id) > 64:
        v.add("evaluation_id", "at most 64 characters")
    parse_date(r.meeting_date, "meeting_date", v, today=today)
    seen: set[str] = set()
    if len(r.criteria) > MAX_LIST:
        v.add("criteria", f"at most {MAX_LIST} items")
    for i, view in enumerate(r.criteria[:MAX_LIST]):
        p = f"criteria[{i}]."
        if view.criterion_id not in CRITERIA_IDS:
            v.add(p + "criterion_id", "must be one of " + ", ".join(CRITERIA_IDS))
        elif view.criterion_id in seen:
            v.add(p + "criterion_id", "duplicate criterion")
        seen.add(view.criterion_id)
        enum(view.conclusion, D.CriterionConclusion, p + "conclusion", v)
        text(view.rationale, p + "rationale", v, max_len=MAX_TEXT)
    missing = [c for c in CRITERIA_IDS if c not in seen]
    if missing:
        v.add("criteria", "a conclusion is required for each criterion; missing: " + ", ".join(missing))
    if len(r.immediate_learning) > MAX_LIST:
        v.add("immediate_learning", f"at most {MAX_LIST} items")
    for i, item in enumerate(r.immediate_learning[:MAX_LIST]):
        text(item.description, f"immediate_learning[{i}].description", v, max_len=MAX_SHORT)
        _agency_id(item.owner_agency_id, f"immediate_learning[{i}].owner_agency_id", v, required=False)
    return v


def validate_decision(r: D.RecordDecisionRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    record_id(r.recommendation_id, "recommendation_id", v)
    enum(r.view, D.ExecutiveView, "view", v)
    enum(r.decision, D.ReviewDecision, "decision", v)
    text(r.rationale, "rationale", v, max_len=MAX_RATIONALE)
    parse_date(r.decided_on, "decided_on", v, today=today)
    partners: list[int] = []
    for name in ("decided_by", "communications"):
        if len(getattr(r, name)) > MAX_LIST:
            v.add(name, f"at most {MAX_LIST} items")
    for i, rep in enumerate(r.decided_by[:MAX_LIST]):
        p = f"decided_by[{i}]."
        enum(rep.partner, D.SafeguardingPartner, p + "partner", v)
        if rep.partner in partners:
            v.add(p + "partner", "one representative per partner")
        partners.append(rep.partner)
        text(rep.name, p + "name", v, max_len=MAX_NAME)
        text(rep.role_title, p + "role_title", v, max_len=MAX_NAME, required=False)
    missing = [D.SafeguardingPartner.Name(p).removeprefix("SAFEGUARDING_PARTNER_") for p in PARTNERS if p not in partners]
    if missing:
        v.add("decided_by", "the three safeguarding partners decide together; missing: " + ", ".join(missing))
    recipients: list[int] = []
    for i, c in enumerate(r.communications[:MAX_LIST]):
        p = f"communications[{i}]."
        enum(c.recipient, D.DecisionRecipient, p + "recipient", v)
        enum(c.status, D.CommunicationStatus, p + "status", v)
        recipients.append(c.recipient)
        done = c.status == D.COMMUNICATION_STATUS_DONE
        parse_date(c.communicated_on, p + "communicated_on", v, today=today, required=done)
        text(c.note, p + "note", v, max_len=MAX_SHORT, required=c.status == D.COMMUNICATION_STATUS_NOT_APPROPRIATE)
    if D.DECISION_RECIPIENT_FAMILY not in recipients:
        v.add("communications", "say how the decision is communicated to the family (done, planned, or not appropriate and why)")
    return v


def validate_submission(r: D.RecordPanelSubmissionRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    record_id(r.decision_id, "decision_id", v)
    parse_date(r.sent_date, "sent_date", v, today=today)
    if len(r.panel_reference) > 64 or (r.panel_reference and not r.panel_reference.isprintable()):
        v.add("panel_reference", "at most 64 printable characters")
    return v


def validate_response(r: D.RecordPanelResponseRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    record_id(r.submission_id, "submission_id", v)
    enum(r.kind, D.PanelResponseKind, "kind", v)
    parse_date(r.responded_on, "responded_on", v, today=today)
    text(r.summary, "summary", v, max_len=MAX_RATIONALE, required=False)
    return v


def validate_commission(r: D.CommissionReviewRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    if not r.HasField("reviewer"):
        v.add("reviewer", "required")
    else:
        text(r.reviewer.name, "reviewer.name", v, max_len=MAX_NAME)
        text(r.reviewer.organisation, "reviewer.organisation", v, max_len=MAX_NAME, required=False)
        if len(r.reviewer.involvements) > MAX_LIST:
            v.add("reviewer.involvements", f"at most {MAX_LIST}")
        for i, inv in enumerate(r.reviewer.involvements[:MAX_LIST]):
            p = f"reviewer.involvements[{i}]."
            _agency_id(inv.agency_id, p + "agency_id", v, required=not inv.agency_name)
            text(inv.agency_name, p + "agency_name", v, max_len=MAX_NAME, required=False)
            text(inv.description, p + "description", v, max_len=MAX_SHORT, required=False)
    if len(r.panel) > 30:
        v.add("panel", "at most 30 members")
    for i, member in enumerate(r.panel[:30]):
        p = f"panel[{i}]."
        text(member.name, p + "name", v, max_len=MAX_NAME)
        _agency_id(member.agency_id, p + "agency_id", v, required=True)
        text(member.role_title, p + "role_title", v, max_len=MAX_NAME, required=False)
        if member.directly_involved:
            v.add(p + "directly_involved", "review panel members must not have been directly involved in the case")
    text(r.terms_of_reference, "terms_of_reference", v, max_len=MAX_TERMS)
    parse_date(r.commissioned_on, "commissioned_on", v, today=today)
    if not 0 <= r.progress_check_weeks <= 12:
        v.add("progress_check_weeks", "between 1 and 12 (0 means 4)")
    return v


def validate_milestone(r: D.RecordMilestoneRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    enum(r.kind, D.MilestoneKind, "kind", v)
    parse_date(r.occurred_on, "occurred_on", v, today=today)
    # Not showing the family the report is a judgement that must be recorded with its reason.
    text(r.note, "note", v, max_len=MAX_TEXT, required=r.kind == D.MILESTONE_KIND_FAMILY_NOT_SHOWN_REPORT)
    return v


def validate_extension(r: D.RecordExtensionRequest) -> Violations:
    v = Violations()
    common(r, v)
    enum(r.reason, D.ExtensionReason, "reason", v)
    text(r.explanation, "explanation", v, max_len=MAX_SHORT)
    parse_date(r.extended_to, "extended_to", v)
    return v


def validate_progress_check(r: D.RecordProgressCheckRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    parse_date(r.checked_on, "checked_on", v, today=today)
    text(r.findings, "findings", v, max_len=MAX_TEXT)
    text(r.written_request, "written_request", v, max_len=MAX_TEXT, required=r.written_request_made)
    if r.written_request and not r.written_request_made:
        v.add("written_request_made", "must be true when a written request is given")
    return v


def validate_identifying_details(r: D.RecordIdentifyingDetailsRequest) -> Violations:
    v = Violations()
    common(r, v)
    if not 1 <= len(r.details) <= 100:
        v.add("details", "between 1 and 100 details")
    for i, d in enumerate(r.details[:100]):
        p = f"details[{i}]."
        if d.kind == D.IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE:
            v.add(p + "kind", "the child reference is recorded from the notification")
        else:
            enum(d.kind, D.IdentifyingDetailKind, p + "kind", v)
        text(d.value, p + "value", v, max_len=MAX_NAME)
        if d.kind == D.IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH and d.value:
            try:
                dt.date.fromisoformat(d.value)
            except ValueError:
                v.add(p + "value", "a date of birth is YYYY-MM-DD")
        elif d.value.strip() and len(d.value.strip()) < 2:
            v.add(p + "value", "at least 2 characters")
        text(d.label, p + "label", v, max_len=100, required=False)
    return v


def validate_check(r: D.CheckAnonymisationRequest) -> Violations:
    v = Violations()
    record_id(r.case_id, "case_id", v)
    text(r.text, "text", v, max_len=MAX_PUBLISHED_TEXT)
    return v


def validate_publish(r: D.PublishRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    enum(r.kind, D.PublicationKind, "kind", v)
    published = parse_date(r.published_on, "published_on", v, today=today, max_future_days=366)
    text(r.text, "text", v, max_len=MAX_PUBLISHED_TEXT)
    text(r.location, "location", v, max_len=500, required=False)
    until = parse_date(r.available_until, "available_until", v, required=False)
    if published and until and until < minimum_availability(published):
        v.add("available_until", f"publicly available for at least a year: not before {minimum_availability(published).isoformat()}")
    improvements_only = r.kind == D.PUBLICATION_KIND_IMPROVEMENTS_ONLY
    text(r.not_publishing_rationale, "not_publishing_rationale", v, max_len=MAX_TEXT, required=improvements_only)
    if r.not_publishing_rationale and r.kind == D.PUBLICATION_KIND_REPORT:
        v.add("not_publishing_rationale", "only for IMPROVEMENTS_ONLY")
    if not 1 <= len(r.learning_themes) <= 30:
        v.add("learning_themes", "between 1 and 30 themes")
    seen: set[str] = set()
    for i, theme in enumerate(r.learning_themes[:30]):
        text(theme, f"learning_themes[{i}]", v, max_len=200)
        key = " ".join(theme.casefold().split())
        if key and key in seen:
            v.add(f"learning_themes[{i}]", "duplicate theme")
        seen.add(key)
    return v


def validate_add_action(r: D.AddActionRequest) -> Violations:
    v = Violations()
    common(r, v)
    text(r.description, "description", v, max_len=MAX_SHORT)
    _agency_id(r.owner_agency_id, "owner_agency_id", v, required=True)
    parse_date(r.due_date, "due_date", v)
    text(r.theme, "theme", v, max_len=200, required=False)
    return v


CLOSED_STATUSES = (D.ACTION_STATUS_COMPLETED, D.ACTION_STATUS_CANCELLED)


def validate_update_action(r: D.UpdateActionRequest, today: dt.date) -> Violations:
    v = Violations()
    record_id(r.case_id, "case_id", v)
    record_id(r.action_id, "action_id", v)
    if r.status and r.status not in D.ActionStatus.values():
        v.add("status", "unknown value")
    parse_date(r.due_date, "due_date", v, required=False)
    text(r.evidence, "evidence", v, max_len=MAX_TEXT, required=r.status in CLOSED_STATUSES)
    parse_date(r.closed_on, "closed_on", v, today=today, required=r.status in CLOSED_STATUSES)
    if r.closed_on and r.status not in CLOSED_STATUSES:
        v.add("closed_on", "only when the status becomes COMPLETED or CANCELLED")
    if not (r.status or r.due_date or r.evidence):
        v.add("status", "nothing to change: set status, due_date or evidence")
    return v


def validate_dissemination(r: D.RecordDisseminationRequest, today: dt.date) -> Violations:
    v = Violations()
    common(r, v)
    enum(r.kind, D.DisseminationKind, "kind", v)
    parse_date(r.occurred_on, "occurred_on", v, today=today)
    text(r.audience, "audience", v, max_len=500)
    if not 0 <= r.reach <= 1_000_000:
        v.add("reach", "between 0 and 1,000,000")
    text(r.note, "note", v, max_len=MAX_SHORT, required=False)
    return v
