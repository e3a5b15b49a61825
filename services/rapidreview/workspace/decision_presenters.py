"""How the workspace words the decisions service's records (pure functions, no I/O).

The decision process of a case in the words a business unit uses: the stage as a tag, each
decision, Panel response, milestone and action status in plain English, the clocks of RULES.md
section 4 by their IDs, times in UK time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf import timestamp_pb2

from rapidreview.v1 import common_pb2, decisions_pb2 as D
from rapidreview.workspace import presenters

UK = ZoneInfo("Europe/London")

STAGES = {
    D.CASE_STAGE_AWAITING_RECOMMENDATION: ("Awaiting the advisory group's recommendation", "govuk-tag--light-blue"),
    D.CASE_STAGE_AWAITING_DECISION: ("Awaiting the Executive's decision", "govuk-tag--light-blue"),
    D.CASE_STAGE_AWAITING_PANEL_SUBMISSION: ("To send to the Panel", "govuk-tag--yellow"),
    D.CASE_STAGE_AWAITING_PANEL_RESPONSE: ("Awaiting the Panel's response", "govuk-tag--blue"),
    D.CASE_STAGE_PANEL_RECONSIDERATION: ("Panel asks to reconsider", "govuk-tag--orange"),
    D.CASE_STAGE_DECISION_SETTLED: ("Decision settled", "govuk-tag--green"),
    D.CASE_STAGE_REVIEW_IN_PROGRESS: ("Local review in progress", "govuk-tag--purple"),
    D.CASE_STAGE_PUBLISHED: ("Published", "govuk-tag--green"),
    D.CASE_STAGE_WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
}
DECISIONS = {
    D.REVIEW_DECISION_CSPR: "Hold a local child safeguarding practice review",
    D.REVIEW_DECISION_NO_CSPR: "No local review",
    D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: "An alternative learning review",
    D.REVIEW_DECISION_REFER_NATIONAL: "Refer to the Panel for a national review",
}
VIEWS = {D.EXECUTIVE_VIEW_AGREES: "Agrees with the recommendation", D.EXECUTIVE_VIEW_DISAGREES: "Disagrees with the recommendation"}
REASONS = {
    D.DECISION_REASON_CRITERIA_NOT_MET: "The criteria for a local review are not met",
    D.DECISION_REASON_LEARNING_ALREADY_IDENTIFIED: "The learning is already known and acted on",
    D.DECISION_REASON_OTHER_REVIEW: "The learning will come from another review or process",
    D.DECISION_REASON_NATIONAL_REVIEW: "The Panel holds or considers a national review",
    D.DECISION_REASON_OTHER: "Another reason",
}
PARTNERS = {
    D.SAFEGUARDING_PARTNER_LOCAL_AUTHORITY: "Local authority",
    D.SAFEGUARDING_PARTNER_POLICE: "Police",
    D.SAFEGUARDING_PARTNER_HEALTH: "Integrated care board",
}
RECIPIENTS = {D.DECISION_RECIPIENT_PANEL: "The Panel", D.DECISION_RECIPIENT_FAMILY: "The family",
              D.DECISION_RECIPIENT_AGENCIES: "The agencies involved", D.DECISION_RECIPIENT_OTHER: "Others"}
COMMUNICATION = {D.COMMUNICATION_STATUS_DONE: "Told", D.COMMUNICATION_STATUS_PLANNED: "Planned",
                 D.COMMUNICATION_STATUS_NOT_APPROPRIATE: "Not appropriate"}
PANEL_RESPONSES = {
    D.PANEL_RESPONSE_KIND_AGREES: ("The Panel agrees with the decision", "govuk-tag--green"),
    D.PANEL_RESPONSE_KIND_CHALLENGES: ("The Panel challenges the decision", "govuk-tag--orange"),
    D.PANEL_RESPONSE_KIND_NATIONAL_REVIEW: ("The Panel commissions a national review", "govuk-tag--purple"),
    D.PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE: ("The Panel considers a local review more appropriate", "govuk-tag--orange"),
}
MILESTONES = {
    D.MILESTONE_KIND_INFORMED_PANEL: ("The Panel was told of the decision to hold a review", "POST.INFORM"),
    D.MILESTONE_KIND_INFORMED_OFSTED: ("Ofsted was told of the decision", "POST.INFORM"),
    D.MILESTONE_KIND_INFORMED_DFE: ("The Department for Education was told of the decision", "POST.INFORM"),
    D.MILESTONE_KIND_PRACTITIONER_EVENT: ("A practitioner learning event was held", "POST.PRACTITIONERS"),
    D.MILESTONE_KIND_FAMILY_INFORMED: ("The family was told of the review", "POST.FAMILY"),
    D.MILESTONE_KIND_FAMILY_INVITED: ("The family was invited to contribute", "POST.FAMILY"),
    D.MILESTONE_KIND_FAMILY_SAW_REPORT: ("The family saw the report before publication", "POST.FAMILY"),
    D.MILESTONE_KIND_FINAL_REPORT_AGREED: ("The partners agreed the final report", "POST.PUBLISH"),
    D.MILESTONE_KIND_SENT_TO_PANEL_AND_SOS: ("The final report was sent to the Panel and the Secretary of State", "POST.PRESEND"),
}
EXTENSION_REASONS = {
    D.EXTENSION_REASON_CRIMINAL_PROCEEDINGS: "Criminal proceedings",
    D.EXTENSION_REASON_INQUEST: "A coroner's inquest",
    D.EXTENSION_REASON_FAMILY_COURT: "Family court proceedings",
    D.EXTENSION_REASON_OTHER: "Another parallel process",
}
PUBLICATION_KINDS = {D.PUBLICATION_KIND_REPORT: "The report",
                     D.PUBLICATION_KIND_IMPROVEMENTS_ONLY: "Information about the improvements (the report is not published)"}
ACTION_STATUSES = {
    D.ACTION_STATUS_OPEN: ("Open", "govuk-tag--blue"),
    D.ACTION_STATUS_IN_PROGRESS: ("In progress", "govuk-tag--light-blue"),
    D.ACTION_STATUS_COMPLETED: ("Completed", "govuk-tag--green"),
    D.ACTION_STATUS_CANCELLED: ("Cancelled", "govuk-tag--grey"),
}
DISSEMINATIONS = {D.DISSEMINATION_KIND_BRIEFING: "Briefing", D.DISSEMINATION_KIND_TRAINING: "Training",
                  D.DISSEMINATION_KIND_LEARNING_SHEET: "Learning sheet", D.DISSEMINATION_KIND_EVENT: "Learning event",
                  D.DISSEMINATION_KIND_OTHER: "Other"}
AUDIT_PROBLEMS = {
    D.AUDIT_PROBLEM_CONTENT_CHANGED: "Changed after it was written",
    D.AUDIT_PROBLEM_MISSING: "Missing (deleted)",
    D.AUDIT_PROBLEM_CHAIN_BROKEN: "Chain broken (changed and re-hashed, or reordered)",
    D.AUDIT_PROBLEM_UNREADABLE: "Change record unreadable",
    D.AUDIT_PROBLEM_HEAD_MISMATCH: "The case's last entry does not match its recorded head",
}
#: The clocks of this stage, by RULES.md ID.
CLOCK_NAMES = {
    "RR.DEADLINE": "Rapid review to the Panel",
    "POST.INFORM": "Tell the Panel, Ofsted and DfE of the review",
    "POST.SIX_MONTHS": "Complete and publish the review",
    "POST.PROGRESS_CHECKS": "Next progress check",
    "POST.PRESEND": "Report to the Panel and Secretary of State before publication",
    "NOTIFY.DEADLINE": "Notify the Panel",
}


def stage_tag(stage: int) -> dict[str, str]:
    text, classes = STAGES.get(stage, ("Not known yet", "govuk-tag--grey"))
    return presenters.tag(text, f"{classes} rr-wide-tag")


def decision_text(value: int) -> str:
    return DECISIONS.get(value, "Not recorded")


def panel_response_tag(kind: int) -> dict[str, str]:
    text, classes = PANEL_RESPONSES.get(kind, ("Not recorded", "govuk-tag--grey"))
    return presenters.tag(text, f"{classes} rr-wide-tag")


def action_tag(action: D.Action) -> dict[str, str]:
    if action.overdue:
        return presenters.tag("Overdue", "govuk-tag--red")
    text, classes = ACTION_STATUSES.get(action.status, ("Not known", "govuk-tag--grey"))
    return presenters.tag(text, classes)


def milestone_text(kind: int) -> str:
    return MILESTONES.get(kind, ("Milestone", ""))[0]


def when(value: timestamp_pb2.Timestamp) -> str:
    """A recorded time in UK time: "4 June 2024 at 2:05pm" ("" when not set)."""
    if not value.seconds and not value.nanos:
        return ""
    local = value.ToDatetime(tzinfo=dt.UTC).astimezone(UK)
    hour = local.hour % 12 or 12
    return f"{presenters.long_date(local.date())} at {hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def iso_when(value: timestamp_pb2.Timestamp) -> str:
    return value.ToDatetime(tzinfo=dt.UTC).isoformat() if value.seconds or value.nanos else ""


def clock_row(clock: common_pb2.Clock) -> dict[str, Any]:
    """A clock of the decisions stage, as the overview shows intake's (presenters.incident_clock)."""
    row = presenters.incident_clock(clock)
    row["name"] = CLOCK_NAMES.get(clock.id, clock.id)
    row["extensions"] = [{"to": presenters.long_date(e.extended_to), "reason": e.reason} for e in clock.extensions]
    return row


def milestone_done(review: D.Review, kind: int) -> D.Milestone | None:
    """The latest milestone of that kind, if recorded."""
    found = [m for m in review.milestones if m.kind == kind]
    return found[-1] if found else None


def current(items: Any) -> Any:
    """The latest of a history (oldest first), or None."""
    return items[-1] if len(items) else None
