"""The Executive's decision as a form of several pages (pure: no I/O).

The draft (form_drafts.py, key "decision:<case id>") holds, page by page:

    {"recommendation_id", "recommended", "idempotency_key",
     "view": "agrees" | "disagrees", "decision", "reason", "rationale", "national_importance",
     "decided_on": {day, month, year}, "decided_iso",
     "partners": {partner key: {"name", "role"}},
     "communications": {recipient key: {"status", "on": {day, month, year}, "on_iso", "note"}}}

A disagreement needs its own decision and a rationale that says why (the service requires a
rationale for every decision; the form asks for the disagreement's reason in those words).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.decision_state import COMMUNICATION, DECISIONS, PARTNERS, RECIPIENTS, REASONS
from rapidreview.workspace.recommendation_form import DECISION_VALUES

VIEW_VALUES = {"agrees": D.EXECUTIVE_VIEW_AGREES, "disagrees": D.EXECUTIVE_VIEW_DISAGREES}
REASON_VALUES = {D.DecisionReason.Name(v).removeprefix("DECISION_REASON_").lower(): v for v in REASONS}
PARTNER_VALUES = {"local-authority": D.SAFEGUARDING_PARTNER_LOCAL_AUTHORITY, "police": D.SAFEGUARDING_PARTNER_POLICE,
                  "health": D.SAFEGUARDING_PARTNER_HEALTH}
#: The family first: how the decision reaches it must always be said (done, planned, or not appropriate and why).
RECIPIENT_VALUES = {"family": D.DECISION_RECIPIENT_FAMILY, "panel": D.DECISION_RECIPIENT_PANEL, "agencies": D.DECISION_RECIPIENT_AGENCIES}
STATUS_VALUES = {"done": D.COMMUNICATION_STATUS_DONE, "planned": D.COMMUNICATION_STATUS_PLANNED,
                 "not-appropriate": D.COMMUNICATION_STATUS_NOT_APPROPRIATE}
NOT_RECORDED = "not-recorded"
TOLD_LABELS = {"family": "Date the family was told", "panel": "Date the Panel was told", "agencies": "Date the agencies were told"}
MAX_RATIONALE, MAX_NAME, MAX_NOTE = 8000, 200, 2000
_INDEX = re.compile(r"\[(\d+)\]")


def decision_value(name: str) -> int:
    return DECISION_VALUES.get(name, 0)


def decision_name(value: int) -> str:
    return next((name for name, v in DECISION_VALUES.items() if v == value), "")


def _text(form: Any, name: str, limit: int) -> str:
    return str(form.get(name, "")).replace("\r\n", "\n").strip()[: limit + 1000]


# -- page 1: the decision ----------------------------------------------------------------------------------------

def read_decision(form: Any, today: dt.date, recommended: str) -> tuple[dict[str, Any], list[tuple[str, str]], DateValue]:
    view = str(form.get("view", ""))
    other = str(form.get("decision", ""))
    reason = str(form.get("reason", ""))
    rationale = _text(form, "rationale", MAX_RATIONALE)
    national = str(form.get("national-importance", ""))
    decided = DateValue.from_form(form, "decided-on")
    problems: list[tuple[str, str]] = []
    if view not in VIEW_VALUES:
        problems.append(("view", "Select whether the Executive agrees with the recommendation"))
        view = ""
    decision = recommended if view == "agrees" else ""
    if view == "disagrees":
        if other not in DECISION_VALUES:
            problems.append(("decision", "Select the Executive's own decision"))
        elif other == recommended:
            problems.append(("decision", "Select a decision other than the recommended one, or say the Executive agrees"))
        else:
            decision = other
    if reason and reason not in REASON_VALUES:
        reason = ""
    if reason and decision == decision_name(D.REVIEW_DECISION_CSPR):
        problems.append(("reason", "Leave the reason empty when the decision is to hold a local review: it is for decisions not to"))
    if not rationale:
        problems.append(("rationale", "Enter why the Executive disagrees with the recommendation" if view == "disagrees"
                         else "Enter the Executive's rationale for the decision"))
    elif len(rationale) > MAX_RATIONALE:
        problems.append(("rationale", f"The rationale must be {MAX_RATIONALE:,} characters or fewer"))
    if national not in ("yes", "no"):
        problems.append(("national-importance", "Select whether the partners think the case may be of national importance"))
        national = ""
    day, error = decided.parse("Date of the decision", field_id="decided-on", today=today, enter="Enter the date of the decision")
    if error:
        problems.append(error)
    values = {"view": view, "decision": decision, "other_decision": other if view == "disagrees" else "", "reason": reason,
              "rationale": rationale, "national_importance": national, "decided_on": decided.as_dict(),
              "decided_iso": day.isoformat() if day else ""}
    return values, problems, decided


# -- page 2: who decided ---------------------------------------------------------------------------------------------

def read_partners(form: Any) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    values: dict[str, dict[str, str]] = {}
    problems: list[tuple[str, str]] = []
    for key, value in PARTNER_VALUES.items():
        name, role = _text(form, f"{key}-name", MAX_NAME), _text(form, f"{key}-role", MAX_NAME)
        values[key] = {"name": name, "role": role}
        label = PARTNERS[value].split(" (")[0].lower()
        if not name:
            problems.append((f"{key}-name", f"Enter the name of the {label} representative"))
        elif len(name) > MAX_NAME:
            problems.append((f"{key}-name", f"The {label} representative's name must be {MAX_NAME} characters or fewer"))
        if len(role) > MAX_NAME:
            problems.append((f"{key}-role", f"The {label} representative's role must be {MAX_NAME} characters or fewer"))
    return values, problems


# -- page 3: telling people about the decision ---------------------------------------------------------------------------

def read_communications(form: Any, today: dt.date) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]], dict[str, DateValue]]:
    values: dict[str, dict[str, Any]] = {}
    problems: list[tuple[str, str]] = []
    dates: dict[str, DateValue] = {}
    for key, recipient in RECIPIENT_VALUES.items():
        status = str(form.get(f"{key}-status", ""))
        note = _text(form, f"{key}-note", MAX_NOTE)
        on = DateValue.from_form(form, f"{key}-on")
        dates[key] = on
        who = RECIPIENTS[recipient][:1].lower() + RECIPIENTS[recipient][1:]
        allowed = set(STATUS_VALUES) | ({NOT_RECORDED} if key != "family" else set())
        if not status and key != "family":
            status = NOT_RECORDED  # only the family must be answered now
        if status not in allowed:
            problems.append((f"{key}-status", f"Select how the decision is communicated to {who}"))
            status = ""
        day = None
        if status == "done":
            day, error = on.parse(TOLD_LABELS[key], field_id=f"{key}-on", today=today, enter=f"Enter the {TOLD_LABELS[key][:1].lower()}{TOLD_LABELS[key][1:]}")
            if error:
                problems.append(error)
        if status == "not-appropriate" and not note:
            problems.append((f"{key}-note", f"Enter why telling {who} is not appropriate"))
        if len(note) > MAX_NOTE:
            problems.append((f"{key}-note", f"The note must be {MAX_NOTE:,} characters or fewer"))
        values[key] = {"status": status, "on": on.as_dict(), "on_iso": day.isoformat() if day else "", "note": note}
    return values, problems, dates


# -- the request --------------------------------------------------------------------------------------------------------

def complete(draft: dict[str, Any]) -> str:
    """The first page still to answer ("" when the draft is complete)."""
    if not draft.get("view") or not draft.get("decision") or not draft.get("decided_iso"):
        return "decide"
    if not all((draft.get("partners") or {}).get(k, {}).get("name") for k in PARTNER_VALUES):
        return "partners"
    if not (draft.get("communications") or {}).get("family", {}).get("status"):
        return "communication"
    return ""


def request_of(case_id: str, draft: dict[str, Any]) -> D.RecordDecisionRequest:
    partners = draft.get("partners") or {}
    communications = draft.get("communications") or {}
    return D.RecordDecisionRequest(
        case_id=case_id,
        idempotency_key=draft["idempotency_key"],
        recommendation_id=draft.get("recommendation_id", ""),
        view=VIEW_VALUES.get(draft.get("view", ""), 0),
        decision=decision_value(draft.get("decision", "")),
        rationale=draft.get("rationale", ""),
        decided_on=draft.get("decided_iso", ""),
        national_importance=draft.get("national_importance") == "yes",
        decided_by=[D.PartnerRepresentative(partner=value, name=(partners.get(key) or {}).get("name", ""),
                                            role_title=(partners.get(key) or {}).get("role", ""))
                    for key, value in PARTNER_VALUES.items()],
        communications=[D.DecisionCommunication(recipient=value, status=STATUS_VALUES[c["status"]], communicated_on=c.get("on_iso", ""),
                                                note=c.get("note", ""))
                        for key, value in RECIPIENT_VALUES.items()
                        if (c := communications.get(key) or {}).get("status") in STATUS_VALUES],
        reason=REASON_VALUES.get(draft.get("reason", ""), 0),
    )


def page_of_violation(path: str, draft: dict[str, Any]) -> tuple[str, str]:
    """(page, field id) of a RecordDecisionRequest field violation."""
    index = _INDEX.search(path)
    i = int(index.group(1)) if index else 0
    if path.startswith("decided_by"):
        key = list(PARTNER_VALUES)[i] if index and i < len(PARTNER_VALUES) else "local-authority"
        return "partners", f"{key}-{'role' if path.endswith('role_title') else 'name'}"
    if path.startswith("communications"):
        sent = [k for k in RECIPIENT_VALUES if ((draft.get("communications") or {}).get(k) or {}).get("status") in STATUS_VALUES]
        key = sent[i] if index and i < len(sent) else "family"
        part = {"communicated_on": "on-day", "note": "note"}.get(path.rpartition(".")[2], "status")
        return "communication", f"{key}-{part}"
    fields = {"view": "view", "decision": "view" if draft.get("view") == "agrees" else "decision", "rationale": "rationale",
              "decided_on": "decided-on-day", "reason": "reason", "national_importance": "national-importance"}
    if path in fields:
        return "decide", fields[path]
    return "check", "check"


LABELS = {"decided_on": "Date of the decision", "decision": "Decision", "rationale": "Rationale", "reason": "Reason",
          "decided_by": "Who decided", "communications": "Telling people about the decision", "recommendation_id": "Recommendation"}


def communication_text(c: dict[str, Any], long_date: Any) -> str:
    status = c.get("status", "")
    if status == NOT_RECORDED or not status:
        return "Not recorded yet"
    text = COMMUNICATION.get(STATUS_VALUES[status], "")
    if status == "done" and c.get("on_iso"):
        text += f" on {long_date(c['on_iso'])}"
    return text + (f": {c['note']}" if c.get("note") else "")


__all__ = ["DECISIONS", "complete", "read_communications", "read_decision", "read_partners", "request_of"]
