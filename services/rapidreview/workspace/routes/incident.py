"""What the local authority records on a case after notifying (intake, as the signed-in person):
the notification to the Panel (reference and sent date; check your answers, since it is recorded
once and starts RR.DEADLINE) and a withdrawal with its reason (check your answers: it stops every
clock). Each ends on a confirmation. The other notifications the duties need are in
notifications.py, the amendment in amend.py, the referral decision in referral.py;
`incident_actions` lists them all on the case overview.

What a consequential form holds between its page and check your answers is a draft
(`drafts.py`, key "<form>:<case id>"), never the URL.
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
from rapidreview.workspace.pages import render, require_person
from rapidreview.workspace.routes.cases import case_id_of, person_client
from rapidreview.workspace.routes.notify import roles_of

PANEL_RECORDERS = roles_of("/rapidreview.v1.IntakeService/RecordPanelNotification")
WITHDRAWERS = roles_of("/rapidreview.v1.IntakeService/WithdrawIncident")
MAX_REFERENCE, MAX_REASON = 64, 2000
WITHDRAWN = intake_pb2.INCIDENT_STATUS_WITHDRAWN


async def _incident(request: Request, person: Principal, case_id: str) -> intake_pb2.Incident:
    return (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident


def _go(request: Request, name: str, case_id: str) -> RedirectResponse:
    return RedirectResponse(str(request.url_for(name, case_id=case_id).path), status_code=303)


def _errors(problems: list[tuple[str, str]]) -> FormErrors:
    found = FormErrors()
    for field_id, text in problems:
        found.add(field_id, text)
    return found


def _base(request: Request, case_id: str, incident: intake_pb2.Incident, title: str) -> dict[str, Any]:
    return {"title": title, "case_id": case_id, "reference": incident.notification.child.child_ref,
            "back": str(request.url_for("case_overview", case_id=case_id).path)}


def _refuse_when_withdrawn(incident: intake_pb2.Incident) -> None:
    if incident.status == WITHDRAWN:
        raise errors.StepRefused("The notification was withdrawn: nothing more can be recorded on it.")


def _violations(exc: errors.InvalidInput, fields: dict[str, str], labels: dict[str, str]) -> FormErrors:
    return FormErrors.from_violations(exc.violations, fields, labels=labels)


# -- the notification to the Panel -------------------------------------------------------------

def _panel_key(case_id: str) -> str:
    return f"panel:{case_id}"


def _read_panel(form: Any, today: dt.date) -> tuple[dict[str, Any], list[tuple[str, str]], DateValue]:
    reference = str(form.get("reference", "")).strip()[:MAX_REFERENCE + 100]
    sent = DateValue.from_form(form, "sent-date")
    problems: list[tuple[str, str]] = []
    if not reference:
        problems.append(("reference", "Enter the Panel's reference for the notification"))
    elif len(reference) > MAX_REFERENCE or not reference.isprintable():
        problems.append(("reference", f"The Panel's reference must be {MAX_REFERENCE} characters or fewer, on one line"))
    day, error = sent.parse("Date sent", field_id="sent-date", today=today, enter="Enter the date the notification was sent")
    if error:
        problems.append(error)
    return {"reference": reference, "sent_date": sent.as_dict(), "sent_iso": day.isoformat() if day else ""}, problems, sent


def _panel_form(request: Request, incident: intake_pb2.Incident, case_id: str, values: dict[str, Any], sent: DateValue,
                found: FormErrors | None, *, status: int = 200) -> Response:
    notify = next((c for c in incident.clocks if c.id == "NOTIFY.DEADLINE"), None)
    context = _base(request, case_id, incident, "Record the notification to the Panel")
    context.update({"values": values, "sent_items": sent.items("sent-date"), "errors": found,
                    "notify_clock": presenters.incident_clock(notify) if notify else None})
    return render(request, "incident/panel_notification.html", context, status=status)


async def panel_notification(request: Request) -> Response:
    person = require_person(request, PANEL_RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    _refuse_when_withdrawn(incident)
    if incident.panel_notification.sent_date:
        return _go(request, "incident_panel_done", case_id)
    draft = await request.app.state.form_drafts.load(person, _panel_key(case_id)) or {}
    return _panel_form(request, incident, case_id, draft, DateValue.from_dict(draft.get("sent_date")), None)


async def panel_notification_post(request: Request) -> Response:
    person = require_person(request, PANEL_RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the case is the person's to record on, before anything is kept
    _refuse_when_withdrawn(incident)
    values, problems, sent = _read_panel(await request.form(), request.app.state.today())
    if problems:
        return _panel_form(request, incident, case_id, values, sent, _errors(problems), status=400)
    await request.app.state.form_drafts.save(person, _panel_key(case_id), values)
    return _go(request, "incident_panel_check", case_id)


async def panel_check(request: Request) -> Response:
    person = require_person(request, PANEL_RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _panel_key(case_id))
    if not draft:
        return _go(request, "incident_panel_notification", case_id)
    context = _base(request, case_id, incident, "Check the notification to the Panel")
    context.update({"draft": draft, "sent_long": presenters.long_date(draft["sent_iso"]),
                    "change": str(request.url_for("incident_panel_notification", case_id=case_id).path),
                    "back": str(request.url_for("incident_panel_notification", case_id=case_id).path)})
    return render(request, "incident/panel_check.html", context)


async def panel_record(request: Request) -> Response:
    person = require_person(request, PANEL_RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _panel_key(case_id))
    if not draft:
        return _go(request, "incident_panel_notification", case_id)
    try:
        await person_client(request, person).intake.RecordPanelNotification(intake_pb2.RecordPanelNotificationRequest(
            case_id=case_id, reference=draft["reference"], sent_date=draft["sent_iso"]))
    except errors.InvalidInput as exc:
        found = _violations(exc, {"reference": "reference", "sent_date": "sent-date-day"},
                            {"reference": "The Panel's reference", "sent_date": "Date sent"})
        sent = DateValue.from_dict(draft.get("sent_date"))
        sent.error_parts = ["day", "month", "year"] if found.message("sent-date-day") else []
        return _panel_form(request, incident, case_id, draft, sent, found, status=400)
    await request.app.state.form_drafts.discard(person, _panel_key(case_id))
    return _go(request, "incident_panel_done", case_id)


async def panel_done(request: Request) -> Response:
    person = require_person(request, PANEL_RECORDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    if not incident.panel_notification.sent_date:
        return _go(request, "incident_panel_notification", case_id)
    context = _base(request, case_id, incident, "Notification to the Panel recorded")
    clocks = {c.id: c for c in incident.clocks}
    context.update({"panel": incident.panel_notification, "sent_long": presenters.long_date(incident.panel_notification.sent_date),
                    "notify_clock": presenters.incident_clock(clocks["NOTIFY.DEADLINE"]) if "NOTIFY.DEADLINE" in clocks else None,
                    "rr_clock": presenters.incident_clock(clocks["RR.DEADLINE"]) if "RR.DEADLINE" in clocks else None})
    return render(request, "incident/panel_done.html", context)


# -- withdrawal -----------------------------------------------------------------------------------

def _withdraw_key(case_id: str) -> str:
    return f"withdraw:{case_id}"


def _withdraw_form(request: Request, incident: intake_pb2.Incident, case_id: str, reason: str, found: FormErrors | None,
                   *, status: int = 200) -> Response:
    context = _base(request, case_id, incident, "Withdraw the notification")
    context.update({"reason": reason, "errors": found, "max_reason": MAX_REASON})
    return render(request, "incident/withdraw.html", context, status=status)


async def withdraw(request: Request) -> Response:
    person = require_person(request, WITHDRAWERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    if incident.status == WITHDRAWN:
        return _go(request, "incident_withdraw_done", case_id)
    draft = await request.app.state.form_drafts.load(person, _withdraw_key(case_id)) or {}
    return _withdraw_form(request, incident, case_id, draft.get("reason", ""), None)


async def withdraw_post(request: Request) -> Response:
    person = require_person(request, WITHDRAWERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the case is the person's to record on, before anything is kept
    _refuse_when_withdrawn(incident)
    reason = str((await request.form()).get("reason", "")).strip()[: MAX_REASON + 1000]
    problem = ("reason", "Enter why the notification is withdrawn") if not reason else (
        ("reason", f"The reason must be {MAX_REASON:,} characters or fewer") if len(reason) > MAX_REASON else None)
    if problem:
        return _withdraw_form(request, incident, case_id, reason, _errors([problem]), status=400)
    await request.app.state.form_drafts.save(person, _withdraw_key(case_id), {"reason": reason})
    return _go(request, "incident_withdraw_check", case_id)


async def withdraw_check(request: Request) -> Response:
    person = require_person(request, WITHDRAWERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _withdraw_key(case_id))
    if not draft:
        return _go(request, "incident_withdraw", case_id)
    context = _base(request, case_id, incident, "Are you sure you want to withdraw the notification?")
    context.update({"reason": draft["reason"], "change": str(request.url_for("incident_withdraw", case_id=case_id).path),
                    "back": str(request.url_for("incident_withdraw", case_id=case_id).path),
                    "open_clocks": [presenters.incident_clock(c) for c in incident.clocks if not c.completed_on]})
    return render(request, "incident/withdraw_check.html", context)


async def withdraw_record(request: Request) -> Response:
    person = require_person(request, WITHDRAWERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _withdraw_key(case_id))
    if not draft:
        return _go(request, "incident_withdraw", case_id)
    try:
        await person_client(request, person).intake.WithdrawIncident(
            intake_pb2.WithdrawIncidentRequest(case_id=case_id, reason=draft["reason"]))
    except errors.InvalidInput as exc:
        return _withdraw_form(request, incident, case_id, draft["reason"],
                              _violations(exc, {"reason": "reason"}, {"reason": "Reason"}), status=400)
    await request.app.state.form_drafts.discard(person, _withdraw_key(case_id))
    return _go(request, "incident_withdraw_done", case_id)


async def withdraw_done(request: Request) -> Response:
    person = require_person(request, WITHDRAWERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    if incident.status != WITHDRAWN:
        return _go(request, "incident_withdraw", case_id)
    return render(request, "incident/withdraw_done.html", _base(request, case_id, incident, "Notification withdrawn"))


# -- the case overview's list of these actions --------------------------------------------------------

def incident_actions(request: Request, person: Principal, incident: intake_pb2.Incident) -> list[dict[str, str]]:
    """Links to what `person` may record on the case now (for the case overview)."""
    from rapidreview.workspace.routes import amend, notifications, referral  # they build on this module

    case_id = incident.case_id
    withdrawn = incident.status == WITHDRAWN
    out = []

    def link(name: str, text: str) -> None:
        out.append({"href": str(request.url_for(name, case_id=case_id).path), "text": text, "id": name})

    if person.role in referral.DECIDERS and referral.awaits_decision(incident):
        link("referral_decide", "Decide on the agency's referral")
    if person.role in PANEL_RECORDERS and not incident.panel_notification.sent_date and not withdrawn:
        link("incident_panel_notification", "Record the notification to the Panel")
    if notifications.duty_rows(incident):
        if person.role in notifications.RECORDERS and notifications.pending(incident):
            link("duty_notification_record", "Record a notification sent (Secretary of State, Ofsted, partners)")
        link("duty_notifications", "Notifications the duties need")
    if person.role in amend.AMENDERS and not withdrawn:
        link("amend_start", "Amend the notification")
    if person.role in WITHDRAWERS and not withdrawn and incident.status != intake_pb2.INCIDENT_STATUS_DECIDED:
        link("incident_withdraw", "Withdraw the notification")
    return out


ROUTES = [
    Route("/cases/{case_id}/panel-notification", panel_notification, name="incident_panel_notification", methods=["GET"]),
    Route("/cases/{case_id}/panel-notification", panel_notification_post, name="incident_panel_answer", methods=["POST"]),
    Route("/cases/{case_id}/panel-notification/check", panel_check, name="incident_panel_check", methods=["GET"]),
    Route("/cases/{case_id}/panel-notification/check", panel_record, name="incident_panel_record", methods=["POST"]),
    Route("/cases/{case_id}/panel-notification/done", panel_done, name="incident_panel_done"),
    Route("/cases/{case_id}/withdraw", withdraw, name="incident_withdraw", methods=["GET"]),
    Route("/cases/{case_id}/withdraw", withdraw_post, name="incident_withdraw_answer", methods=["POST"]),
    Route("/cases/{case_id}/withdraw/check", withdraw_check, name="incident_withdraw_check", methods=["GET"]),
    Route("/cases/{case_id}/withdraw/check", withdraw_record, name="incident_withdraw_record", methods=["POST"]),
    Route("/cases/{case_id}/withdraw/done", withdraw_done, name="incident_withdraw_done"),
]
