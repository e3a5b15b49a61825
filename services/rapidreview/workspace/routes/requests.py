"""A case's information requests (the case section "Information requests"): every agency's request
with its status, due date and working days left, the return versions received, how often it was
chased, and the reminders e-mailed about the case (the read model's `reminders`). The business
unit acts from here (gathering, as the person): ask more agencies (OpenRequests), add an agency
(AddAgency), chase an agency (ChaseAgency: recorded and e-mailed by gathering), close the gathering
(CloseGathering, after confirming) and reopen it with a reason (ReopenGathering).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.v1 import gathering_pb2 as G
from rapidreview.v1 import intake_pb2
from rapidreview.workspace import agency_form, errors, presenters
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.navigation import CASE_SECTIONS
from rapidreview.workspace.pages import case_navigation, render, require_person
from rapidreview.workspace.routes.cases import case_id_of, person_client
from rapidreview.workspace.routes.notify import roles_of

READERS = next(s.roles for s in CASE_SECTIONS if s.route == "case_requests")
OPENERS = roles_of("/rapidreview.v1.GatheringService/OpenRequests")
ADDERS = roles_of("/rapidreview.v1.GatheringService/AddAgency")
CHASERS = roles_of("/rapidreview.v1.GatheringService/ChaseAgency")
CLOSERS = roles_of("/rapidreview.v1.GatheringService/CloseGathering")
REOPENERS = roles_of("/rapidreview.v1.GatheringService/ReopenGathering")
MAX_REASON = 2000
FLASH = "rr_requests_flash"

_GATHERING = {
    G.GATHERING_STATUS_OPEN: ("Open", "govuk-tag--blue"),
    G.GATHERING_STATUS_CLOSED: ("Closed", "govuk-tag--grey"),
    G.GATHERING_STATUS_WITHDRAWN: ("Withdrawn", "govuk-tag--grey"),
    G.GATHERING_STATUS_NOT_REQUIRED: ("Not required", "govuk-tag--grey"),
}
_REQUEST = {
    G.REQUEST_STATUS_AWAITING: ("Awaited", "govuk-tag--blue"),
    G.REQUEST_STATUS_RETURNED: ("Returned", "govuk-tag--green"),
    G.REQUEST_STATUS_NOT_RETURNED: ("Not returned", "govuk-tag--grey"),
}
_CHASE_DELIVERY = {
    G.CHASE_DELIVERY_STATUS_PENDING: "the e-mail to the agency's contacts is on its way",
    G.CHASE_DELIVERY_STATUS_SENT: "the agency's contacts were e-mailed",
    G.CHASE_DELIVERY_STATUS_FAILED: "the e-mail could not be delivered: contact the agency another way",
    G.CHASE_DELIVERY_STATUS_NO_CONTACT: "no contact is configured for the agency: contact it another way",
    G.CHASE_DELIVERY_STATUS_NOT_CONFIGURED: "e-mail is not set up, so only the chase is recorded: contact the agency another way",
}
_REMINDER_KIND = {"due_soon": "Due soon", "overdue": "Overdue", "chase": "Chased by the business unit"}
_REMINDER_STATUS = {
    "sent": ("Sent", "govuk-tag--green"), "chased": ("Recorded", "govuk-tag--blue"), "failed": ("Failed", "govuk-tag--red"),
    "no_contact": ("No contact", "govuk-tag--orange"), "not_configured": ("Not sent: e-mail not set up", "govuk-tag--grey"),
    "suppressed": ("Not needed", "govuk-tag--grey"),
}


def _flash(request: Request, text: str) -> None:
    request.session[FLASH] = text[:300]


def _to_requests(request: Request, case_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(str(request.url_for("case_requests", case_id=case_id).path) + anchor, status_code=303)


async def _reference(request: Request, person: Any, case_id: str) -> str:
    incident = (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident
    return incident.notification.child.child_ref


async def _status(request: Request, person: Any, case_id: str) -> G.GetRequestStatusResponse:
    return await person_client(request, person).gathering.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id))


async def _versions(request: Request, person: Any, case_id: str, requests: Any) -> dict[str, list[str]]:
    """Each amended return's versions ("Version 1 received 10 June 2024, late"), read from gathering:
    one call per agency that sent more than one version (the first return's date is on the request)."""
    amended = [r.agency.agency_id for r in requests if r.latest_version > 1]
    gathering = person_client(request, person).gathering
    answers = await asyncio.gather(*(gathering.GetAgencyReturn(G.GetAgencyReturnRequest(case_id=case_id, agency_id=agency_id))
                                     for agency_id in amended))
    return {agency_id: [f"Version {v.version} received {presenters.long_date(v.submitted_on)}{' (late)' if v.late else ''}"
                        for v in answer.versions]
            for agency_id, answer in zip(amended, answers, strict=True)}


def _request_row(r: G.InformationRequest, *, gathering_open: bool, may_chase: bool) -> dict[str, Any]:
    clock = r.clock
    text, classes = _REQUEST.get(r.status, ("Unknown", "govuk-tag--grey"))
    awaited = r.status == G.REQUEST_STATUS_AWAITING
    if awaited and clock.overdue:
        text, classes = "Overdue", "govuk-tag--red"
    returned = ""
    if r.latest_version:
        first = presenters.long_date(clock.completed_on)
        returned = (f"Version {r.latest_version}" + (f" ({r.latest_version} versions)" if r.latest_version > 1 else "")
                    + (f", first received {first}" if first else "") + (" (late)" if clock.late else ""))
    return {
        "agency_id": r.agency.agency_id,
        "name": r.agency.name or r.agency.agency_id,
        "kind": agency_form.KIND_LABEL.get(agency_form.KIND_OF_PROTO.get(r.agency.kind, ""), ""),
        "tag": presenters.tag(text, classes),
        "due": presenters.long_date(clock.effective_due or clock.due),
        "provisional": r.due_basis == G.DUE_BASIS_AWARENESS,
        "days_left": presenters.days_left_text(clock.working_days_left, completed=not awaited) if awaited and gathering_open else "",
        "returned": returned,
        "latest_version": r.latest_version,
        "added": r.source == G.REQUEST_SOURCE_ADDED,
        "opened_on": presenters.long_date(r.opened_on),
        "chased": (f"{r.chase_count} time{'s' if r.chase_count != 1 else ''}, last on {presenters.long_date(r.last_chased_on)}"
                   if r.chase_count else "Not chased"),
        "may_chase": may_chase and awaited and gathering_open,
    }


def _reminder_row(reminder: Any, names: dict[str, str]) -> dict[str, Any]:
    text, classes = _REMINDER_STATUS.get(reminder.status, (reminder.status.replace("_", " ").capitalize(), "govuk-tag--grey"))
    to = (names.get(reminder.agency_id, reminder.agency_id) if reminder.recipient_role == "agency" else "Business unit")
    return {
        "on": presenters.long_date(reminder.recorded_at.date()),
        "clock": reminder.clock_id,
        # A reminder of RR.AGENCIES is about one agency's request, not the case's returns as a whole.
        "clock_name": "Information request" if reminder.clock_id == "RR.AGENCIES" else presenters.CLOCK_NAMES.get(reminder.clock_id, ""),
        "to": to,
        "kind": _REMINDER_KIND.get(reminder.kind, reminder.kind),
        "due": presenters.long_date(reminder.due),
        "tag": presenters.tag(text, classes),
        "reason": reminder.reason,
        "recipients": reminder.recipients,
    }


async def case_requests(request: Request) -> Response:
    person = require_person(request, READERS)
    case_id = case_id_of(request)
    reference = await _reference(request, person, case_id)
    status = await _status(request, person, case_id)
    gathering_open = status.status == G.GATHERING_STATUS_OPEN
    rows = [_request_row(r, gathering_open=gathering_open, may_chase=person.role in CHASERS) for r in status.requests]
    versions = await _versions(request, person, case_id, status.requests)
    for row in rows:
        row["versions"] = versions.get(row["agency_id"], [])
    names = {r.agency.agency_id: r.agency.name for r in status.requests}
    read_model = request.app.state.read_model
    reminders = None
    if read_model is not None:
        reminders = [_reminder_row(r, names) for r in await read_model.reminders(person.partnership, case_id)]
    c = status.completeness
    text, classes = _GATHERING.get(status.status, ("Unknown", "govuk-tag--grey"))
    context = {
        "title": "Information requests",
        "case_id": case_id,
        "reference": reference,
        "case_nav": case_navigation(request, person, case_id, "requests"),
        "gathering_tag": presenters.tag(text, classes),
        "gathering_status": status.status,
        "S": G,
        "completeness": c,
        "rows": rows,
        "reminders": reminders,
        "flash": request.session.pop(FLASH, ""),
        "may_open": person.role in OPENERS and gathering_open,
        "may_add": person.role in ADDERS and gathering_open,
        "may_close": person.role in CLOSERS and gathering_open,
        "may_reopen": person.role in REOPENERS and status.status == G.GATHERING_STATUS_CLOSED,
    }
    return render(request, "requests/index.html", context)


# -- chase --------------------------------------------------------------------------------------------

async def chase(request: Request) -> Response:
    person = require_person(request, CHASERS)
    case_id = case_id_of(request)
    agency_id = str((await request.form()).get("agency_id", ""))[:64]
    if not agency_form.AGENCY_ID.match(agency_id):
        raise errors.NotFoundError("no such request")
    try:
        answer = await person_client(request, person).gathering.ChaseAgency(G.ChaseAgencyRequest(case_id=case_id, agency_id=agency_id))
    except errors.StepRefused as exc:
        _flash(request, f"Not chased: {exc.message}")
        return _to_requests(request, case_id)
    name = answer.request.agency.name or agency_id
    if answer.replayed:
        _flash(request, f"{name} was already chased today: nothing more was sent.")
    else:
        _flash(request, f"{name} chased: {_CHASE_DELIVERY.get(answer.chase.delivery_status, 'the chase is recorded')}.")
    return _to_requests(request, case_id, f"#request-{agency_id}")


# -- ask agencies: several (OpenRequests) or one (AddAgency) --------------------------------------------

def _agency_page(request: Request, case_id: str, reference: str, rows: list[agency_form.AgencyRow], found: FormErrors | None,
                 *, single: bool, status: int = 200) -> Response:
    rows = rows or [agency_form.AgencyRow()]
    context = {
        "title": "Add an agency" if single else "Ask more agencies for information",
        "case_id": case_id, "reference": reference, "errors": found, "single": single,
        "back": str(request.url_for("case_requests", case_id=case_id).path),
        "action": str(request.url_for("requests_add" if single else "requests_open", case_id=case_id).path),
        "agency_rows": [{"n": n, "row": row, "kinds": agency_form.kind_items(row.kind),
                         "area_types": agency_form.area_type_items(row.area_type)} for n, row in enumerate(rows)],
        "max_agencies": 1 if single else agency_form.MAX_AGENCIES,
    }
    return render(request, "requests/agencies.html", context, status=status)


def _agency_violations(exc: errors.InvalidInput, *, single: bool) -> FormErrors:
    parts = {"agency_id": "id", "name": "name", "kind": "kind", "area": "area", "area_type": "area-type"}
    fields: dict[str, str] = {}
    labels: dict[str, str] = {}
    for path, _ in exc.violations:
        tail = path.rpartition(".")[2]
        if single and path.startswith("agency."):
            fields[path] = f"agencies-0-{parts.get(tail, 'name')}"
            labels[path] = "The agency"
        elif path.startswith("agencies["):
            n = path[len("agencies["):].split("]")[0]
            fields[path] = f"agencies-{n}-{parts.get(tail, 'name')}" if n.isdigit() else "agencies-0-name"
            labels[path] = f"Agency {int(n) + 1}" if n.isdigit() else "Agencies"
        else:
            fields[path], labels[path] = "agencies-0-name", "Agencies"
    return FormErrors.from_violations(exc.violations, fields, labels=labels)


async def _agency_form(request: Request, *, single: bool) -> Response:
    person = require_person(request, ADDERS if single else OPENERS)
    case_id = case_id_of(request)
    status = await _status(request, person, case_id)
    if status.status != G.GATHERING_STATUS_OPEN:
        raise errors.StepRefused("The gathering is not open: agencies can be asked only while it is open.")
    return _agency_page(request, case_id, await _reference(request, person, case_id), [], None, single=single)


async def add_form(request: Request) -> Response:
    return await _agency_form(request, single=True)


async def open_form(request: Request) -> Response:
    return await _agency_form(request, single=False)


async def _agency_post(request: Request, *, single: bool) -> Response:
    person = require_person(request, ADDERS if single else OPENERS)
    case_id = case_id_of(request)
    form = await request.form()
    rows = agency_form.rows_from_form(form, limit=1 if single else agency_form.MAX_AGENCIES)
    if single:
        rows = rows[:1]
    elif form.get("action") == "add" or form.get("remove"):
        removed = str(form.get("remove", ""))
        if removed.isdigit() and int(removed) < len(rows):
            rows.pop(int(removed))
        elif len(rows) < agency_form.MAX_AGENCIES:
            rows.append(agency_form.AgencyRow())
        return _agency_page(request, case_id, await _reference(request, person, case_id), rows, None, single=False)
    problems = agency_form.validate_rows(rows, at_least_one=True)
    if problems:
        found = FormErrors()
        for field_id, text in problems:
            found.add(field_id, text)
        return _agency_page(request, case_id, await _reference(request, person, case_id), rows, found, single=single, status=400)
    filled = [r for r in rows if not r.blank]
    gathering = person_client(request, person).gathering
    try:
        if single:
            answer = await gathering.AddAgency(G.AddAgencyRequest(case_id=case_id, agency=filled[0].to_proto()))
            due = presenters.long_date(answer.request.clock.effective_due or answer.request.clock.due)
            _flash(request, f"{filled[0].name} was asked for information, due {due}." if answer.opened
                   else f"{filled[0].name} already had an information request: nothing changed.")
        else:
            answer = await gathering.OpenRequests(G.OpenRequestsRequest(case_id=case_id, agencies=[r.to_proto() for r in filled]))
            opened = set(answer.opened_agency_ids)
            asked = [r.name for r in filled if r.effective_id in opened]
            kept = [r.name for r in filled if r.effective_id not in opened]
            _flash(request, (f"Asked for information: {', '.join(asked)}." if asked else "No agency was asked: ")
                   + (f" Already asked before, left as they were: {', '.join(kept)}." if kept else ""))
    except errors.InvalidInput as exc:
        return _agency_page(request, case_id, await _reference(request, person, case_id), rows,
                            _agency_violations(exc, single=single), single=single, status=400)
    return _to_requests(request, case_id)


async def add_post(request: Request) -> Response:
    return await _agency_post(request, single=True)


async def open_post(request: Request) -> Response:
    return await _agency_post(request, single=False)


# -- close and reopen the gathering ---------------------------------------------------------------------

async def close_form(request: Request) -> Response:
    person = require_person(request, CLOSERS)
    case_id = case_id_of(request)
    status = await _status(request, person, case_id)
    if status.status != G.GATHERING_STATUS_OPEN:
        raise errors.StepRefused("The gathering is not open.")
    missing = [r.agency.name or r.agency.agency_id for r in status.requests if r.status == G.REQUEST_STATUS_AWAITING]
    context = {"title": "Close the information gathering?", "case_id": case_id,
               "reference": await _reference(request, person, case_id), "missing": missing, "completeness": status.completeness,
               "back": str(request.url_for("case_requests", case_id=case_id).path)}
    return render(request, "requests/close.html", context)


async def close_post(request: Request) -> Response:
    person = require_person(request, CLOSERS)
    case_id = case_id_of(request)
    answer = await person_client(request, person).gathering.CloseGathering(G.CloseGatheringRequest(case_id=case_id))
    collated = answer.collated
    missing = collated.completeness.missing
    _flash(request, f"The gathering is closed and the information collated (version {collated.collation_version})"
                    + (f", with {missing} return{'s' if missing != 1 else ''} missing." if missing else ", with every return in."))
    return _to_requests(request, case_id)


def _reopen_page(request: Request, case_id: str, reference: str, reason: str, found: FormErrors | None, *, status: int = 200) -> Response:
    context = {"title": "Reopen the information gathering", "case_id": case_id, "reference": reference, "reason": reason,
               "errors": found, "max_reason": MAX_REASON, "back": str(request.url_for("case_requests", case_id=case_id).path)}
    return render(request, "requests/reopen.html", context, status=status)


async def reopen_form(request: Request) -> Response:
    person = require_person(request, REOPENERS)
    case_id = case_id_of(request)
    status = await _status(request, person, case_id)
    if status.status != G.GATHERING_STATUS_CLOSED:
        raise errors.StepRefused("The gathering is not closed, so it cannot be reopened.")
    return _reopen_page(request, case_id, await _reference(request, person, case_id), "", None)


async def reopen_post(request: Request) -> Response:
    person = require_person(request, REOPENERS)
    case_id = case_id_of(request)
    reason = str((await request.form()).get("reason", "")).strip()[: MAX_REASON + 1000]
    problem = ("reason", "Enter why the gathering is reopened") if not reason else (
        ("reason", f"The reason must be {MAX_REASON:,} characters or fewer") if len(reason) > MAX_REASON else None)
    found = None
    if problem:
        found = FormErrors()
        found.add(*problem)
    else:
        try:
            await person_client(request, person).gathering.ReopenGathering(G.ReopenGatheringRequest(case_id=case_id, reason=reason))
        except errors.InvalidInput as exc:
            found = FormErrors.from_violations(exc.violations, {"reason": "reason"}, labels={"reason": "Reason"})
    if found:
        return _reopen_page(request, case_id, await _reference(request, person, case_id), reason, found, status=400)
    _flash(request, "The gathering is open again: agencies can amend their returns and more agencies can be asked. "
                    "Closing it again publishes a new collation.")
    return _to_requests(request, case_id)


ROUTES = [
    Route("/cases/{case_id}/requests", case_requests, name="case_requests"),
    Route("/cases/{case_id}/requests/chase", chase, name="requests_chase", methods=["POST"]),
    Route("/cases/{case_id}/requests/add", add_form, name="requests_add", methods=["GET"]),
    Route("/cases/{case_id}/requests/add", add_post, name="requests_add_post", methods=["POST"]),
    Route("/cases/{case_id}/requests/open", open_form, name="requests_open", methods=["GET"]),
    Route("/cases/{case_id}/requests/open", open_post, name="requests_open_post", methods=["POST"]),
    Route("/cases/{case_id}/requests/close", close_form, name="requests_close", methods=["GET"]),
    Route("/cases/{case_id}/requests/close", close_post, name="requests_close_post", methods=["POST"]),
    Route("/cases/{case_id}/requests/reopen", reopen_form, name="requests_reopen", methods=["GET"]),
    Route("/cases/{case_id}/requests/reopen", reopen_post, name="requests_reopen_post", methods=["POST"]),
]
