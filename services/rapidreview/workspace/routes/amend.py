"""Amend a case's notification when facts change (intake's AmendNotification, as the person): the
recorded answers are copied into a form draft (`amend:<case id>`), changed on the same question
pages as a new notification (each page returns to check your answers), sent with a reason and the
version they were read from, so that two people amending at once never overwrite each other; the
confirmation says what changed: fields, duties, clocks started and stopped.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal
from rapidreview.v1 import intake_pb2
from rapidreview.workspace import errors, notification, presenters
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import render, require_person
from rapidreview.workspace.routes.cases import case_id_of, person_client
from rapidreview.workspace.routes.notify import (
    Flow, change_links, linked_errors, question, question_post, roles_of,
)

AMENDERS = roles_of("/rapidreview.v1.IntakeService/AmendNotification") & roles_of("/rapidreview.v1.IntakeService/GetIncident")
AMEND = Flow("amend", AMENDERS, "Amend the notification", per_case=True)
MAX_REASON = 2000


async def _incident(request: Request, person: Principal, case_id: str) -> intake_pb2.Incident:
    return (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident


def _go(request: Request, route: str) -> RedirectResponse:
    return RedirectResponse(AMEND.url(request, route), status_code=303)


async def start(request: Request) -> Response:
    person = require_person(request, AMENDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    if incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN:
        raise errors.StepRefused("The notification was withdrawn: it cannot be amended.")
    draft = await request.app.state.form_drafts.load(person, AMEND.key(request))
    context = {"title": "Amend the notification", "case_id": case_id, "reference": incident.notification.child.child_ref,
               "version": incident.notification_version or 1, "in_progress": bool(draft),
               "back": str(request.url_for("case_overview", case_id=case_id).path)}
    return render(request, "amend/start.html", context)


async def begin(request: Request) -> Response:
    person = require_person(request, AMENDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    form = await request.form()
    if form.get("continue") == "yes" and await request.app.state.form_drafts.load(person, AMEND.key(request)):
        return _go(request, "check")
    if incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN:
        raise errors.StepRefused("The notification was withdrawn: it cannot be amended.")
    draft = {**notification.new_draft(), "answers": notification.answers_from(incident.notification),
             "done": [p.slug for p in notification.PAGES], "expected_version": incident.notification_version or 1,
             "reason": ""}
    await request.app.state.form_drafts.save(person, AMEND.key(request), draft)
    return _go(request, "check")


def _check_page(request: Request, draft: dict[str, Any], reference: str, found: FormErrors | None, *, status: int = 200) -> Response:
    context = {"title": "Check the amended notification", "caption": AMEND.caption, "reference": reference,
               "sections": notification.check_sections(draft, change_links(request, AMEND)),
               "version": draft.get("expected_version", 1), "reason": draft.get("reason", ""), "max_reason": MAX_REASON,
               "errors": found, "action": AMEND.url(request, "send"),
               "back": str(request.url_for("case_overview", case_id=case_id_of(request)).path)}
    return render(request, "amend/check.html", context, status=status)


async def check(request: Request) -> Response:
    person = require_person(request, AMENDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, AMEND.key(request))
    if draft is None:
        return _go(request, "start")
    missing = notification.first_unanswered(draft)
    if missing:
        return RedirectResponse(AMEND.url(request, "question", slug=missing), status_code=303)
    found = linked_errors(request, draft, AMEND)
    return _check_page(request, draft, incident.notification.child.child_ref, found or None, status=400 if found else 200)


async def send(request: Request) -> Response:
    person = require_person(request, AMENDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, AMEND.key(request))
    if draft is None:  # sent already (a second click): the result
        return _go(request, "done")
    reason = str((await request.form()).get("reason", "")).strip()[: MAX_REASON + 1000]
    draft["reason"] = reason
    problem = "Enter why the notification is amended" if not reason else (
        f"The reason must be {MAX_REASON:,} characters or fewer" if len(reason) > MAX_REASON else "")
    if problem:
        draft["service_errors"] = {**draft.get("service_errors", {}), "check": [["reason", problem]]}
        return _check_page(request, draft, incident.notification.child.child_ref, linked_errors(request, draft, AMEND), status=400)
    amend = intake_pb2.AmendNotificationRequest(case_id=case_id, notification=notification.to_request(draft).notification,
                                                reason=reason, expected_version=int(draft.get("expected_version", 0)))
    try:
        await person_client(request, person).intake.AmendNotification(amend)
    except errors.InvalidInput as exc:
        draft["service_errors"] = notification.place_violations(exc.violations)
        await request.app.state.form_drafts.save(person, AMEND.key(request), draft)
        return _check_page(request, draft, incident.notification.child.child_ref, linked_errors(request, draft, AMEND), status=400)
    except errors.StepRefused:
        # Two clicks at once: the other one recorded this very amendment, so this one is done too.
        incident = await _incident(request, person, case_id)
        last = incident.amendments[-1] if incident.amendments else None
        if not (last and last.version == amend.expected_version + 1 and last.amended_by == person.subject and last.reason == reason):
            raise
    await request.app.state.form_drafts.discard(person, AMEND.key(request))
    return _go(request, "done")


async def done(request: Request) -> Response:
    person = require_person(request, AMENDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    if not incident.amendments:
        return _go(request, "start")
    last = incident.amendments[-1]
    context = {
        "title": "Notification amended", "case_id": case_id, "reference": incident.notification.child.child_ref,
        "version": last.version, "changed": [notification.field_label(f) for f in last.changed_fields],
        "duties_changed": list(last.duties_changed), "clocks_started": list(last.clocks_started),
        "clocks_stopped": list(last.clocks_stopped),
        "duties": [{"rule_id": d.rule_id, "tag": presenters.outcome_tag(d.outcome), "rationale": d.rationale,
                    "citation": d.citation} for d in incident.duties],
        "clocks": [presenters.incident_clock(c) for c in incident.clocks],
        "back": str(request.url_for("case_overview", case_id=case_id).path),
    }
    return render(request, "amend/done.html", context)


async def amend_question(request: Request) -> Response:
    await _incident(request, require_person(request, AMENDERS), case_id_of(request))  # the service checks the person may see the case before the draft is read
    return await question(request, AMEND)


async def amend_answer(request: Request) -> Response:
    await _incident(request, require_person(request, AMENDERS), case_id_of(request))  # the service checks the person may see the case before the draft is read
    return await question_post(request, AMEND)


ROUTES = [
    Route("/cases/{case_id}/amend", start, name="amend_start", methods=["GET"]),
    Route("/cases/{case_id}/amend", begin, name="amend_begin", methods=["POST"]),
    Route("/cases/{case_id}/amend/check", check, name="amend_check", methods=["GET"]),
    Route("/cases/{case_id}/amend/check", send, name="amend_send", methods=["POST"]),
    Route("/cases/{case_id}/amend/done", done, name="amend_done"),
    Route("/cases/{case_id}/amend/{slug}", amend_question, name="amend_question", methods=["GET"]),
    Route("/cases/{case_id}/amend/{slug}", amend_answer, name="amend_answer", methods=["POST"]),
]
