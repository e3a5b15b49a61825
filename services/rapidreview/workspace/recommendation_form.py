"""The Review Advisory Group's recommendation as a form of several pages (pure: no I/O).

The draft (form_drafts.py, key "recommendation:<case id>") holds what was typed, page by page:

    {"evaluation_id", "idempotency_key", "criteria": {criterion id: {"conclusion", "rationale"}},
     "recommendation", "rationale", "national_importance", "meeting_date": {day, month, year},
     "learning": [{"description", "owner"}]}

Each page's `read_*` returns the page's values and its problems as (field id, message) in the
GOV.UK wording; `request_of` builds RecordRecommendationRequest from a complete draft, and
`page_of_violation` says which page (and field) a service field violation belongs to.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rapidreview.v1 import decisions_pb2 as D
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.decision_state import CONCLUSIONS, DECISION_CHOICES

#: The LOCAL.* criteria and REGARD.* circumstances the group concludes on, each exactly once (RULES.md section 3).
CRITERIA = ("LOCAL.IMPROVEMENTS", "LOCAL.RECURRENT_THEMES", "LOCAL.MULTI_AGENCY", "LOCAL.PANEL_VIEW",
            "REGARD.SINGLE_AGENCY", "REGARD.NO_AGENCY", "REGARD.CROSS_BOUNDARY", "REGARD.INSTITUTIONAL")
CONCLUSION_VALUES = {"yes": D.CRITERION_CONCLUSION_YES, "no": D.CRITERION_CONCLUSION_NO, "may": D.CRITERION_CONCLUSION_MAY}
DECISION_VALUES = {D.ReviewDecision.Name(value).removeprefix("REVIEW_DECISION_").lower(): value for value in DECISION_CHOICES}
MAX_RATIONALE, MAX_CRITERION_RATIONALE, MAX_LEARNING, MAX_LEARNING_ITEMS = 8000, 4000, 2000, 50
PARTNERSHIP_OWNER = "partnership"
_INDEX = re.compile(r"\[(\d+)\]")


def slug(criterion_id: str) -> str:
    """LOCAL.IMPROVEMENTS → local-improvements (for field ids)."""
    return criterion_id.lower().replace(".", "-").replace("_", "-")


def conclusion_text(value: str) -> str:
    return CONCLUSIONS.get(CONCLUSION_VALUES.get(value, 0), "")


def _text(form: Any, name: str, limit: int) -> str:
    # Kept as typed (to show back) but bounded: a body far over the limit is not kept whole.
    return str(form.get(name, "")).replace("\r\n", "\n").strip()[: limit + 1000]


# -- page 1: the group's conclusion on each criterion ----------------------------------------------------

def read_criteria(form: Any) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    values: dict[str, dict[str, str]] = {}
    problems: list[tuple[str, str]] = []
    for cid in CRITERIA:
        s = slug(cid)
        conclusion = str(form.get(f"conclusion-{s}", ""))
        rationale = _text(form, f"rationale-{s}", MAX_CRITERION_RATIONALE)
        values[cid] = {"conclusion": conclusion if conclusion in CONCLUSION_VALUES else "", "rationale": rationale}
        if conclusion not in CONCLUSION_VALUES:
            problems.append((f"conclusion-{s}", f"Select the group's conclusion on {cid}"))
        if not rationale:
            problems.append((f"rationale-{s}", f"Enter why the group concluded this on {cid}"))
        elif len(rationale) > MAX_CRITERION_RATIONALE:
            problems.append((f"rationale-{s}", f"The reason for {cid} must be {MAX_CRITERION_RATIONALE:,} characters or fewer"))
    return values, problems


# -- page 2: the recommendation ----------------------------------------------------------------------------

def read_recommendation(form: Any, today: dt.date) -> tuple[dict[str, Any], list[tuple[str, str]], DateValue]:
    decision = str(form.get("recommendation", ""))
    rationale = _text(form, "rationale", MAX_RATIONALE)
    national = str(form.get("national-importance", ""))
    meeting = DateValue.from_form(form, "meeting-date")
    problems: list[tuple[str, str]] = []
    if decision not in DECISION_VALUES:
        problems.append(("recommendation", "Select what the group recommends"))
        decision = ""
    if not rationale:
        problems.append(("rationale", "Enter the group's rationale for its recommendation"))
    elif len(rationale) > MAX_RATIONALE:
        problems.append(("rationale", f"The rationale must be {MAX_RATIONALE:,} characters or fewer"))
    if national not in ("yes", "no"):
        problems.append(("national-importance", "Select whether the group thinks the case may be of national importance"))
        national = ""
    day, error = meeting.parse("Date of the meeting", field_id="meeting-date", today=today,
                               enter="Enter the date of the advisory group's meeting")
    if error:
        problems.append(error)
    values = {"recommendation": decision, "rationale": rationale, "national_importance": national,
              "meeting_date": meeting.as_dict(), "meeting_iso": day.isoformat() if day else ""}
    return values, problems, meeting


# -- page 3: learning to act on now (add another) --------------------------------------------------------------

def read_learning(form: Any, owners: dict[str, str]) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """The rows as typed (empty rows dropped) and their problems. `owners` maps owner ids to names."""
    rows: list[dict[str, str]] = []
    for i in range(MAX_LEARNING_ITEMS + 1):
        if f"learning-{i}-description" not in form and f"learning-{i}-owner" not in form:
            break
        description = _text(form, f"learning-{i}-description", MAX_LEARNING)
        owner = str(form.get(f"learning-{i}-owner", PARTNERSHIP_OWNER))
        if description or owner not in ("", PARTNERSHIP_OWNER):
            rows.append({"description": description, "owner": owner if owner in owners else PARTNERSHIP_OWNER})
    problems: list[tuple[str, str]] = []
    for i, row in enumerate(rows):
        if not row["description"]:
            problems.append((f"learning-{i}-description", f"Enter what is to be done for learning item {i + 1}, or remove it"))
        elif len(row["description"]) > MAX_LEARNING:
            problems.append((f"learning-{i}-description", f"Learning item {i + 1} must be {MAX_LEARNING:,} characters or fewer"))
    if len(rows) > MAX_LEARNING_ITEMS:
        problems.append((f"learning-{MAX_LEARNING_ITEMS}-description", f"Record at most {MAX_LEARNING_ITEMS} learning items"))
    return rows, problems


# -- the request -----------------------------------------------------------------------------------------------

def complete(draft: dict[str, Any]) -> str:
    """The first page still to answer ("" when the draft is complete)."""
    criteria = draft.get("criteria") or {}
    if any(not (criteria.get(cid) or {}).get("conclusion") for cid in CRITERIA):
        return "criteria"
    if not draft.get("recommendation") or not draft.get("meeting_iso") or not draft.get("national_importance"):
        return "recommend"
    if "learning" not in draft:
        return "learning"
    return ""


def request_of(case_id: str, draft: dict[str, Any]) -> D.RecordRecommendationRequest:
    criteria = draft.get("criteria") or {}
    return D.RecordRecommendationRequest(
        case_id=case_id,
        idempotency_key=draft["idempotency_key"],
        recommendation=DECISION_VALUES.get(draft.get("recommendation", ""), 0),
        rationale=draft.get("rationale", ""),
        evaluation_id=draft.get("evaluation_id", ""),
        criteria=[D.CriterionView(criterion_id=cid, conclusion=CONCLUSION_VALUES.get((criteria.get(cid) or {}).get("conclusion", ""), 0),
                                  rationale=(criteria.get(cid) or {}).get("rationale", "")) for cid in CRITERIA],
        national_importance=draft.get("national_importance") == "yes",
        immediate_learning=[D.ImmediateLearning(description=row["description"],
                                                owner_agency_id="" if row["owner"] == PARTNERSHIP_OWNER else row["owner"])
                            for row in draft.get("learning", [])],
        meeting_date=draft.get("meeting_iso", ""),
    )


def page_of_violation(path: str) -> tuple[str, str]:
    """(page, field id) of a RecordRecommendationRequest field violation."""
    index = _INDEX.search(path)
    i = int(index.group(1)) if index else 0
    if path.startswith("criteria"):
        cid = CRITERIA[i] if index and i < len(CRITERIA) else CRITERIA[0]
        part = "rationale" if path.endswith("rationale") else "conclusion"
        return "criteria", f"{part}-{slug(cid)}"
    if path.startswith("immediate_learning"):
        return "learning", f"learning-{i}-{'owner' if path.endswith('owner_agency_id') else 'description'}"
    fields = {"recommendation": "recommendation", "rationale": "rationale", "national_importance": "national-importance",
              "meeting_date": "meeting-date-day"}
    if path in fields:
        return "recommend", fields[path]
    return "check", "check"


LABELS = {
    "recommendation": "Recommendation", "rationale": "Rationale", "meeting_date": "Date of the meeting",
    "evaluation_id": "Checklist", "criteria": "Conclusions on the criteria", "immediate_learning": "Learning to act on now",
}
