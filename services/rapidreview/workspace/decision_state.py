"""The rapid review decision as the pages word it (pure functions, no I/O): the decisions service's
enums in words, the current recommendation and decision of a case, and whether the Review Advisory
Group may recommend or the Executive decide now (and, when not, why, in plain words).

The service enforces the order of the steps (DECIDE.RAG_RECOMMENDS); the workspace only reads the
stage from GetCase so that a person is told before filling a form in, not after.
"""

from __future__ import annotations

from typing import Any

from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace import presenters

DECISIONS = {
    D.REVIEW_DECISION_CSPR: "Hold a local child safeguarding practice review",
    D.REVIEW_DECISION_NO_CSPR: "No local child safeguarding practice review",
    D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: "An alternative learning review instead",
    D.REVIEW_DECISION_REFER_NATIONAL: "Refer to the Panel for a national review",
}
#: The order the options are offered in.
DECISION_CHOICES = (D.REVIEW_DECISION_CSPR, D.REVIEW_DECISION_NO_CSPR, D.REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW,
                    D.REVIEW_DECISION_REFER_NATIONAL)
CONCLUSIONS = {
    D.CRITERION_CONCLUSION_YES: "Yes",
    D.CRITERION_CONCLUSION_NO: "No",
    D.CRITERION_CONCLUSION_MAY: "May be",
}
VIEWS = {D.EXECUTIVE_VIEW_AGREES: "Agrees with the recommendation", D.EXECUTIVE_VIEW_DISAGREES: "Disagrees with the recommendation"}
REASONS = {
    D.DECISION_REASON_CRITERIA_NOT_MET: "The criteria for a local review are not met",
    D.DECISION_REASON_LEARNING_ALREADY_IDENTIFIED: "The learning is already known and being acted on",
    D.DECISION_REASON_OTHER_REVIEW: "The learning will come from another review or process",
    D.DECISION_REASON_NATIONAL_REVIEW: "The Panel holds or considers a national review",
    D.DECISION_REASON_OTHER: "Another reason (the rationale says which)",
}
PARTNERS = {
    D.SAFEGUARDING_PARTNER_LOCAL_AUTHORITY: "Local authority",
    D.SAFEGUARDING_PARTNER_POLICE: "Police",
    D.SAFEGUARDING_PARTNER_HEALTH: "Health (integrated care board)",
}
RECIPIENTS = {
    D.DECISION_RECIPIENT_FAMILY: "The family",
    D.DECISION_RECIPIENT_PANEL: "The Child Safeguarding Practice Review Panel",
    D.DECISION_RECIPIENT_AGENCIES: "The agencies involved",
}
COMMUNICATION = {
    D.COMMUNICATION_STATUS_DONE: "Told",
    D.COMMUNICATION_STATUS_PLANNED: "Planned",
    D.COMMUNICATION_STATUS_NOT_APPROPRIATE: "Not appropriate",
}
STAGES = {
    D.CASE_STAGE_AWAITING_RECOMMENDATION: ("Awaiting the advisory group's recommendation", "govuk-tag--yellow"),
    D.CASE_STAGE_AWAITING_DECISION: ("Awaiting the Executive's decision", "govuk-tag--yellow"),
    D.CASE_STAGE_AWAITING_PANEL_SUBMISSION: ("Decided: to be sent to the Panel", "govuk-tag--blue"),
    D.CASE_STAGE_AWAITING_PANEL_RESPONSE: ("With the Panel", "govuk-tag--blue"),
    D.CASE_STAGE_PANEL_RECONSIDERATION: ("Panel asked for reconsideration", "govuk-tag--orange"),
    D.CASE_STAGE_DECISION_SETTLED: ("Decision settled", "govuk-tag--green"),
    D.CASE_STAGE_REVIEW_IN_PROGRESS: ("Local review in progress", "govuk-tag--blue"),
    D.CASE_STAGE_PUBLISHED: ("Published", "govuk-tag--green"),
    D.CASE_STAGE_WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
}
RECOMMENDATION_STAGES = (D.CASE_STAGE_AWAITING_RECOMMENDATION, D.CASE_STAGE_AWAITING_DECISION, D.CASE_STAGE_PANEL_RECONSIDERATION)


def stage_tag(stage: int) -> dict[str, str]:
    text, classes = STAGES.get(stage, ("Not known", "govuk-tag--grey"))
    return presenters.tag(text, classes)


def current_recommendation(state: D.CaseState) -> D.Recommendation | None:
    """The recommendation of the current round that was not superseded."""
    live = [r for r in state.recommendations if not r.superseded and r.round == state.round]
    return live[-1] if live else None


def current_decision(state: D.CaseState) -> D.Decision | None:
    decided = [d for d in state.decisions if d.round == state.round]
    return decided[-1] if decided else None


def recommendation_refusal(state: D.CaseState) -> str:
    """Why the advisory group cannot recommend now ("" when it can)."""
    if state.withdrawn or state.stage == D.CASE_STAGE_WITHDRAWN:
        return "The notification was withdrawn: there is nothing to recommend."
    if not state.evaluations:
        return ("The criteria have not been evaluated for this case yet. The checklist appears once the criteria service has "
                "evaluated the notification; come back then.")
    if state.stage in RECOMMENDATION_STAGES:
        return ""
    if state.stage == D.CASE_STAGE_AWAITING_PANEL_SUBMISSION:
        return ("The Executive has decided on this round. A new recommendation is only possible after the Panel challenges the "
                "decision or says a local review may be more appropriate.")
    if state.stage == D.CASE_STAGE_AWAITING_PANEL_RESPONSE:
        return "The decision is with the Panel. A new recommendation is only possible if the Panel asks for reconsideration."
    if state.stage in (D.CASE_STAGE_REVIEW_IN_PROGRESS, D.CASE_STAGE_PUBLISHED):
        return "A local review has been commissioned: the decision can no longer be reconsidered."
    return "The decision stands. A new recommendation needs a Panel challenge or a Panel view that a local review is more appropriate."


def decision_refusal(state: D.CaseState) -> str:
    """Why the Executive cannot decide now ("" when it can)."""
    if state.withdrawn or state.stage == D.CASE_STAGE_WITHDRAWN:
        return "The notification was withdrawn: there is nothing to decide."
    if state.stage == D.CASE_STAGE_AWAITING_DECISION and current_recommendation(state) is not None:
        return ""
    if state.stage in (D.CASE_STAGE_AWAITING_RECOMMENDATION, D.CASE_STAGE_PANEL_RECONSIDERATION):
        return "The Review Advisory Group has not made its recommendation yet. The Executive decides on the recommendation."
    if state.stage in (D.CASE_STAGE_REVIEW_IN_PROGRESS, D.CASE_STAGE_PUBLISHED):
        return "A local review has been commissioned: the decision can no longer change."
    return "The current recommendation has already been decided. A new decision needs a new recommendation after a Panel challenge."


def recommendation_view(rec: D.Recommendation, agency_names: dict[str, str] | None = None) -> dict[str, Any]:
    names = agency_names or {}
    return {
        "id": rec.recommendation_id,
        "round": rec.round,
        "decision": DECISIONS.get(rec.recommendation, ""),
        "rationale": rec.rationale,
        "national_importance": "Yes" if rec.national_importance else "No",
        "meeting_date": presenters.long_date(rec.meeting_date),
        "criteria": [{"id": c.criterion_id, "conclusion": CONCLUSIONS.get(c.conclusion, ""), "rationale": c.rationale} for c in rec.criteria],
        "learning": [{"text": item.description, "owner": names.get(item.owner_agency_id, item.owner_agency_id) or "The partnership"}
                     for item in rec.immediate_learning],
    }


def decision_view(decision: D.Decision) -> dict[str, Any]:
    return {
        "id": decision.decision_id,
        "view": VIEWS.get(decision.view, ""),
        "decision": DECISIONS.get(decision.decision, ""),
        "rationale": decision.rationale,
        "decided_on": presenters.long_date(decision.decided_on),
        "national_importance": "Yes" if decision.national_importance else "No",
        "reason": REASONS.get(decision.reason, ""),
        "decided_by": [{"partner": PARTNERS.get(p.partner, ""), "name": p.name, "role": p.role_title} for p in decision.decided_by],
        "communications": [{"recipient": RECIPIENTS.get(c.recipient, ""), "status": COMMUNICATION.get(c.status, ""),
                            "on": presenters.long_date(c.communicated_on), "note": c.note} for c in decision.communications],
    }
