"""The notifications a case's duties need, and recording each one sent (intake's
RecordNotificationSent, as the person): the Secretary of State and Ofsted for the death of a
looked-after child or a care leaver (NOTIFY.LAC_DEATH, NOTIFY.CARE_LEAVER_DEATH), the safeguarding
partners (NOTIFY.PARTNERS) and the home area's partners (RR.LEAD_AREA). Each duty's clock closes
once every recipient it needs is recorded. A recipient is recorded once, so the form goes through
check your answers (its draft: `sent:<case id>`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal
from rapidreview.v1 import intake_pb2
from rapidreview.workspace import errors, presenters
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.navigation import CASE_READERS
from rapidreview.workspace.pages import render, require_person
from rapidreview.workspace.routes.cases import case_id_of, person_client
from rapidreview.workspace.routes.notify import roles_of

R = intake_pb2
RECORDERS = roles_of("/rapidreview.v1.IntakeService/RecordNotificationSent")
READERS = CASE_READERS & roles_of("/rapidreview.v1.IntakeService/GetIncident")
#: Each duty recorded by notifications, in statutory order, with its recipients (intake's docs/intake.md).
DUTIES = (
    ("NOTIFY.LAC_DEATH", "Death of a looked-after child", (R.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, R.NOTIFICATION_RECIPIENT_OFSTED)),
    ("NOTIFY.CARE_LEAVER_DEATH", "Death of a care leaver", (R.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, R.NOTIFICATION_RECIPIENT_OFSTED)),
    ("NOTIFY.PARTNERS", "The safeguarding partners of the area", (R.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,)),
    ("RR.LEAD_AREA", "The partners of the child's home area", (R.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS,)),
)
#: Duties whose clocks keep running after a withdrawal (the Secretary of State and Ofsted are told whatever happens).
KEEP_AFTER_WITHDRAWAL = {"NOTIFY.LAC_DEATH", "NOTIFY.CARE_LEAVER_DEATH"}
RECIPIENTS = {
    R.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE: ("secretary-of-state", "The Secretary of State"),
    R.NOTIFICATION_RECIPIENT_OFSTED: ("ofsted", "Ofsted"),
    R.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS: ("safeguarding-partners", "The safeguarding partners"),
    R.NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS: ("home-area-partners", "The home area's safeguarding partners"),
}
MAX_REFERENCE = 64


def _key(case_id: str) -> str:
    return f"sent:{case_id}"


def _choice(duty: str, recipient: int) -> str:
    return f"{duty}:{RECIPIENTS[recipient][0]}"


def duty_rows(incident: intake_pb2.Incident) -> list[dict[str, Any]]:
    """Each duty of the case recorded by notifications (those whose clock runs or ran), with its clock
    and every recipient it needs: recorded (date, reference, late) or not."""
    clocks = {c.id: c for c in incident.clocks}
    sent = {(n.duty, n.recipient): n for n in incident.notifications_sent}
    withdrawn = incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN
    out = []
    for duty, label, recipients in DUTIES:
        if duty not in clocks:
            continue
        open_to_record = not withdrawn or duty in KEEP_AFTER_WITHDRAWAL
        out.append({"duty": duty, "label": label, "clock": presenters.incident_clock(clocks[duty]), "recipients": [{
            "choice": _choice(duty, r), "name": RECIPIENTS[r][1], "sent": sent.get((duty, r)),
            "sent_on": presenters.long_date(sent[(duty, r)].sent_date) if (duty, r) in sent else "",
            "pending": (duty, r) not in sent and open_to_record} for r in recipients]})
    return out


def pending(incident: intake_pb2.Incident) -> list[dict[str, str]]:
    """The notifications still to record: [{"value": "<duty>:<recipient>", "text": ..., "hint": ...}]."""
    return [{"value": r["choice"], "text": f"{r['name']}: {row['label'].lower()}",
             "hint": f"{row['duty']}, due {row['clock']['effective_due']}"}
            for row in duty_rows(incident) for r in row["recipients"] if r["pending"]]


async def _incident(request: Request, person: Principal, case_id: str) -> intake_pb2.Incident:
    return (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident


def _go(request: Request, name: str, case_id: str) -> RedirectResponse:
    return RedirectResponse(str(request.url_for(name, case_id=case_id).path), status_code=303)


# -- the list ------------------------------------------------------------------------------------

async def notifications(request: Request) -> Response:
    person = require_person(request, READERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    context = {"title": "Notifications the duties need", "case_id": case_id, "reference": incident.notification.child.child_ref,
               "rows": duty_rows(incident), "may_record": person.role in RECORDERS and bool(pending(incident)),
               "flash": request.session.pop("rr_sent_flash", ""),
               "back": str(request.url_for("case_overview", case_id=case_id).path)}
    return render(request, "notifications/index.html", context)


# -- recording one ---------------------------------------------------------------------------------

def _form(request: Request, incident: intake_pb2.Incident, case_id: str, values: dict[str, Any], sent: DateValue,
          found: FormErrors | None, *, status: int = 200) -> Response:
    choices = pending(incident)
    if not choices:
        raise errors.StepRefused("Every notification the duties of this case need is recorded.")
    chosen = values.get("choice") or (choices[0]["value"] if len(choices) == 1 else "")
    context = {"title": "Record a notification sent", "case_id": case_id, "reference": incident.notification.child.child_ref,
               "choices": [{**c, "checked": c["value"] == chosen} for c in choices], "values": values,
               "sent_items": sent.items("sent-date"), "errors": found,
               "back": str(request.url_for("duty_notifications", case_id=case_id).path)}
    return render(request, "notifications/record.html", context, status=status)


async def record_form(request: Request) -> Response:
    person = require_person(request, RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    draft = await request.app.state.form_drafts.load(person, _key(case_id)) or {}
    wanted = request.query_params.get("to", "")
    if wanted and any(c["value"] == wanted for c in pending(incident)):
        draft = {**draft, "choice": wanted}
    return _form(request, incident, case_id, draft, DateValue.from_dict(draft.get("sent_date")), None)


def _read(form: Any, today: dt.date, choices: list[dict[str, str]]) -> tuple[dict[str, Any], list[tuple[str, str]], DateValue]:
    choice = str(form.get("choice", ""))
    reference = str(form.get("reference", "")).strip()[: MAX_REFERENCE + 100]
    sent = DateValue.from_form(form, "sent-date")
    problems: list[tuple[str, str]] = []
    if choice not in {c["value"] for c in choices}:
        choice = ""
        problems.append(("choice", "Select who the notification was sent to"))
    day, error = sent.parse("Date sent", field_id="sent-date", today=today, enter="Enter the date the notification was sent")
    if error:
        problems.append(error)
    if len(reference) > MAX_REFERENCE or not reference.isprintable():
        problems.append(("reference", f"The reference must be {MAX_REFERENCE} characters or fewer, on one line"))
    return {"choice": choice, "reference": reference, "sent_date": sent.as_dict(), "sent_iso": day.isoformat() if day else ""}, problems, sent


async def record_post(request: Request) -> Response:
    person = require_person(request, RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the case is the person's to record on, before anything is kept
    values, problems, sent = _read(await request.form(), request.app.state.today(), pending(incident))
    if problems:
        found = FormErrors()
        for field_id, text in problems:
            found.add(field_id, text)
        return _form(request, incident, case_id, values, sent, found, status=400)
    await request.app.state.form_drafts.save(person, _key(case_id), values)
    return _go(request, "duty_notification_check", case_id)


def _describe(choice: str) -> tuple[str, int, str, str]:
    """(duty, recipient, recipient's name, duty's words) of a choice "<duty>:<recipient>"."""
    duty, _, recipient_form = choice.partition(":")
    recipient = next(r for r, (form, _) in RECIPIENTS.items() if form == recipient_form)
    label = next(label for d, label, _ in DUTIES if d == duty)
    return duty, recipient, RECIPIENTS[recipient][1], label


async def check(request: Request) -> Response:
    person = require_person(request, RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _key(case_id))
    if not draft:
        return _go(request, "duty_notification_record", case_id)
    duty, _, name, label = _describe(draft["choice"])
    context = {"title": "Check the notification sent", "case_id": case_id, "reference": incident.notification.child.child_ref,
               "draft": draft, "duty": duty, "recipient": name, "label": label, "sent_long": presenters.long_date(draft["sent_iso"]),
               "change": str(request.url_for("duty_notification_record", case_id=case_id).path),
               "back": str(request.url_for("duty_notification_record", case_id=case_id).path)}
    return render(request, "notifications/check.html", context)


async def record(request: Request) -> Response:
    person = require_person(request, RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _key(case_id))
    if not draft:  # recorded already (a second click)
        return _go(request, "duty_notifications", case_id)
    duty, recipient, name, _ = _describe(draft["choice"])
    try:
        answer = await person_client(request, person).intake.RecordNotificationSent(intake_pb2.RecordNotificationSentRequest(
            case_id=case_id, duty=duty, recipient=recipient, sent_date=draft["sent_iso"], reference=draft["reference"]))
    except errors.InvalidInput as exc:
        found = FormErrors.from_violations(exc.violations, {"sent_date": "sent-date-day", "reference": "reference", "duty": "choice",
                                                            "recipient": "choice"},
                                           labels={"sent_date": "Date sent", "reference": "Reference", "duty": "Duty",
                                                   "recipient": "Sent to"})
        sent = DateValue.from_dict(draft.get("sent_date"))
        sent.error_parts = ["day", "month", "year"] if found.message("sent-date-day") else []
        return _form(request, incident, case_id, draft, sent, found, status=400)
    await request.app.state.form_drafts.discard(person, _key(case_id))
    clock = next((c for c in answer.incident.clocks if c.id == duty), None)
    done = bool(clock and clock.completed_on)
    request.session["rr_sent_flash"] = (f"{name} recorded as told on {presenters.long_date(draft['sent_iso'])}. "
                                        + (f"{duty} is done." if done else f"{duty} still needs the others told."))
    return _go(request, "duty_notifications", case_id)


ROUTES = [
    Route("/cases/{case_id}/notifications-sent", notifications, name="duty_notifications"),
    Route("/cases/{case_id}/notifications-sent/record", record_form, name="duty_notification_record", methods=["GET"]),
    Route("/cases/{case_id}/notifications-sent/record", record_post, name="duty_notification_answer", methods=["POST"]),
    Route("/cases/{case_id}/notifications-sent/check", check, name="duty_notification_check", methods=["GET"]),
    Route("/cases/{case_id}/notifications-sent/check", record, name="duty_notification_send", methods=["POST"]),
]
