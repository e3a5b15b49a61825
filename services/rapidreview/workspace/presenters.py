"""How the workspace words and colours what the services return (pure functions, no I/O).

GOV.UK style: dates as "4 June 2024", tags for states, plain words for steps.
A clock is "due this week" when it falls due within `DUE_SOON_WORKING_DAYS` working days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rapidreview.v1 import common_pb2, intake_pb2

DUE_SOON_WORKING_DAYS = 5

_OUTCOMES = {
    common_pb2.OUTCOME_MET: ("Met", "govuk-tag--green"),
    common_pb2.OUTCOME_NOT_MET: ("Not met", "govuk-tag--grey"),
    common_pb2.OUTCOME_INDICATED: ("Indicated", "govuk-tag--orange"),
    common_pb2.OUTCOME_NOT_INDICATED: ("Not indicated", "govuk-tag--grey"),
    common_pb2.OUTCOME_NEEDS_JUDGEMENT: ("Needs judgement", "govuk-tag--yellow"),
    common_pb2.OUTCOME_NOT_APPLICABLE: ("Not applicable", "govuk-tag--grey"),
}
_STATUSES = {
    intake_pb2.INCIDENT_STATUS_NOTIFIED: "Notified",
    intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED: "Panel notified",
    intake_pb2.INCIDENT_STATUS_DECIDED: "Decided",
    intake_pb2.INCIDENT_STATUS_WITHDRAWN: "Withdrawn",
}
CLOCK_NAMES = {
    "NOTIFY.DEADLINE": "Notify the Panel",
    "NOTIFY.LAC_DEATH": "Tell the Secretary of State and Ofsted",
    "NOTIFY.CARE_LEAVER_DEATH": "Tell the Secretary of State and Ofsted",
    "NOTIFY.PARTNERS": "Inform the safeguarding partners",
    "RR.LEAD_AREA": "Tell the home area's partners",
    "RR.AGENCIES": "Agency returns",
    "RR.DEADLINE": "Rapid review",
    "POST.SIX_MONTHS": "Complete and publish the review",
}


def long_date(value: str | dt.date | None) -> str:
    """"2024-06-04" → "4 June 2024" ("" for nothing, the text itself when it is not a date)."""
    if not value:
        return ""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day.strftime('%B %Y')}"


def tag(text: str, classes: str = "") -> dict[str, str]:
    return {"text": text, "classes": classes}


def clock_tag(*, overdue: bool, completed: bool, working_days_left: int | None, late: bool = False) -> dict[str, str]:
    """The tag of a statutory clock."""
    if completed:
        return tag("Done late", "govuk-tag--orange") if late else tag("Done", "govuk-tag--green")
    if overdue or (working_days_left is not None and working_days_left < 0):
        return tag("Overdue", "govuk-tag--red")
    if working_days_left is not None and working_days_left <= DUE_SOON_WORKING_DAYS:
        return tag("Due this week", "govuk-tag--yellow")
    return tag("On track", "govuk-tag--blue")


def days_left_text(working_days_left: int | None, *, completed: bool = False) -> str:
    if completed or working_days_left is None:
        return ""
    if working_days_left < 0:
        n = -working_days_left
        return f"{n} working day{'s' if n != 1 else ''} overdue"
    if working_days_left == 0:
        return "due today"
    return f"{working_days_left} working day{'s' if working_days_left != 1 else ''} left"


def outcome_tag(outcome: int) -> dict[str, str]:
    text, classes = _OUTCOMES.get(outcome, ("Not evaluated", "govuk-tag--grey"))
    return tag(text, classes)


def status_text(status: int) -> str:
    return _STATUSES.get(status, "Unknown")


def stage_text(stage: str) -> str:
    """A read-model stage id ("panel_notified") in words ("Panel notified")."""
    words = stage.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def incident_clock(clock: common_pb2.Clock) -> dict[str, Any]:
    completed = bool(clock.completed_on)
    return {
        "id": clock.id,
        "name": CLOCK_NAMES.get(clock.id, clock.id),
        "due": long_date(clock.due),
        "effective_due": long_date(clock.effective_due or clock.due),
        "extended": bool(clock.effective_due and clock.effective_due != clock.due),
        "completed_on": long_date(clock.completed_on),
        "days_left": days_left_text(clock.working_days_left, completed=completed),
        "tag": clock_tag(overdue=clock.overdue, completed=completed, working_days_left=clock.working_days_left, late=clock.late),
    }


def incident_next_step(incident: intake_pb2.Incident) -> str:
    """What has to happen next on a case, by the RULES.md ID of the duty or clock."""
    clocks = {c.id: c for c in incident.clocks}
    if incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN:
        return "None: the notification was withdrawn."
    if incident.status == intake_pb2.INCIDENT_STATUS_DECIDED:
        return "The rapid review decision is recorded; follow it in Decisions and review."
    if incident.status == intake_pb2.INCIDENT_STATUS_NOTIFIED:
        notify = clocks.get("NOTIFY.DEADLINE")
        due = f" by {long_date(notify.effective_due or notify.due)}" if notify else ""
        return f"Record the notification to the Panel{due} (NOTIFY.DEADLINE)."
    rapid = clocks.get("RR.DEADLINE")
    due = f" by {long_date(rapid.effective_due or rapid.due)}" if rapid else ""
    return f"Complete the rapid review and send it to the Panel{due} (RR.DEADLINE)."


def outstanding_duties(incident: intake_pb2.Incident) -> list[str]:
    """Recorded duties the case still owes besides the next step (partners not yet informed)."""
    met = {d.rule_id for d in incident.duties if d.outcome == common_pb2.OUTCOME_MET}
    out = []
    if "NOTIFY.PARTNERS" in met and not incident.partners_informed_date and incident.status != intake_pb2.INCIDENT_STATUS_WITHDRAWN:
        out.append("Inform the safeguarding partners (NOTIFY.PARTNERS).")
    return out
