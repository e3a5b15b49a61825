"""The local authority's decision on an agency's referral (NOTIFY.AGENCY_REFERRAL; intake's
RecordReferralDecision, as the person): notify the Panel or not, with the rationale and the date.
It is recorded once and "not notify" withdraws the incident, so the form goes through check your
answers (draft `referral:<case id>`) to a confirmation.
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

DECIDERS = roles_of("/rapidreview.v1.IntakeService/RecordReferralDecision") & roles_of("/rapidreview.v1.IntakeService/GetIncident")
MAX_RATIONALE = 2000
DECISIONS = {
    "notify": (intake_pb2.REFERRAL_DECISION_KIND_NOTIFY, "Notify the Panel",
               "The local authority notifies the Panel; record the notification on the case once it is sent."),
    "not-notify": (intake_pb2.REFERRAL_DECISION_KIND_NOT_NOTIFY, "Do not notify the Panel",
                   "The incident is withdrawn: no rapid review is held and nothing more is asked of the agencies."),
}
WORDS = {kind: label for kind, label, _ in DECISIONS.values()}


def awaits_decision(incident: intake_pb2.Incident) -> bool:
    """An agency referred the incident and the local authority has not decided yet."""
    return bool(incident.notification.referred_by_agency) and not incident.HasField("referral_decision") \
        and incident.status == intake_pb2.INCIDENT_STATUS_NOTIFIED


def _key(case_id: str) -> str:
    return f"referral:{case_id}"


async def _incident(request: Request, person: Principal, case_id: str) -> intake_pb2.Incident:
    return (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident


def _go(request: Request, name: str, case_id: str) -> RedirectResponse:
    return RedirectResponse(str(request.url_for(name, case_id=case_id).path), status_code=303)


def _agency_name(incident: intake_pb2.Incident) -> str:
    referred = incident.notification.referred_by_agency
    return next((a.name for a in incident.notification.agencies if a.agency_id == referred), referred)


def _form(request: Request, incident: intake_pb2.Incident, case_id: str, values: dict[str, Any], decided: DateValue,
          found: FormErrors | None, *, status: int = 200) -> Response:
    context = {"title": "Decide on the agency's referral", "case_id": case_id, "reference": incident.notification.child.child_ref,
               "agency": _agency_name(incident), "values": values, "decided_items": decided.items("decided-on"), "errors": found,
               "decisions": [(form, label, hint) for form, (_, label, hint) in DECISIONS.items()], "max_rationale": MAX_RATIONALE,
               "back": str(request.url_for("case_overview", case_id=case_id).path)}
    return render(request, "referral/decide.html", context, status=status)


async def _decidable(request: Request, person: Principal, case_id: str) -> intake_pb2.Incident:
    incident = await _incident(request, person, case_id)
    if not awaits_decision(incident):
        raise errors.StepRefused("No agency referral on this case awaits the local authority's decision.")
    return incident


async def decide_form(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    if incident.HasField("referral_decision"):
        return _go(request, "referral_done", case_id)
    if not awaits_decision(incident):
        raise errors.StepRefused("No agency referral on this case awaits the local authority's decision.")
    draft = await request.app.state.form_drafts.load(person, _key(case_id)) or {}
    return _form(request, incident, case_id, draft, DateValue.from_dict(draft.get("decided_on")), None)


def _read(form: Any, today: dt.date) -> tuple[dict[str, Any], list[tuple[str, str]], DateValue]:
    decision = str(form.get("decision", ""))
    rationale = str(form.get("rationale", "")).strip()[: MAX_RATIONALE + 1000]
    decided = DateValue.from_form(form, "decided-on")
    problems: list[tuple[str, str]] = []
    if decision not in DECISIONS:
        decision = ""
        problems.append(("decision", "Select whether the local authority notifies the Panel"))
    if not rationale:
        problems.append(("rationale", "Enter the local authority's rationale"))
    elif len(rationale) > MAX_RATIONALE:
        problems.append(("rationale", f"The rationale must be {MAX_RATIONALE:,} characters or fewer"))
    day, error = decided.parse("Date of the decision", field_id="decided-on", today=today)
    if error:
        problems.append(error)
    return {"decision": decision, "rationale": rationale, "decided_on": decided.as_dict(),
            "decided_iso": day.isoformat() if day else ""}, problems, decided


async def decide_post(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    incident = await _decidable(request, person, case_id)  # before anything is kept
    values, problems, decided = _read(await request.form(), request.app.state.today())
    if problems:
        found = FormErrors()
        for field_id, text in problems:
            found.add(field_id, text)
        return _form(request, incident, case_id, values, decided, found, status=400)
    await request.app.state.form_drafts.save(person, _key(case_id), values)
    return _go(request, "referral_check", case_id)


async def check(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _key(case_id))
    if not draft:
        return _go(request, "referral_decide", case_id)
    _, label, consequence = DECISIONS[draft["decision"]]
    context = {"title": "Check the decision on the referral", "case_id": case_id, "reference": incident.notification.child.child_ref,
               "agency": _agency_name(incident), "draft": draft, "label": label, "consequence": consequence,
               "not_notify": draft["decision"] == "not-notify", "decided_long": presenters.long_date(draft["decided_iso"]),
               "change": str(request.url_for("referral_decide", case_id=case_id).path),
               "back": str(request.url_for("referral_decide", case_id=case_id).path)}
    return render(request, "referral/check.html", context)


async def record(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await request.app.state.form_drafts.load(person, _key(case_id))
    if not draft:  # recorded already (a second click)
        return _go(request, "referral_done", case_id)
    try:
        await person_client(request, person).intake.RecordReferralDecision(intake_pb2.RecordReferralDecisionRequest(
            case_id=case_id, decision=DECISIONS[draft["decision"]][0], rationale=draft["rationale"], decided_on=draft["decided_iso"]))
    except errors.InvalidInput as exc:
        found = FormErrors.from_violations(exc.violations, {"decided_on": "decided-on-day", "rationale": "rationale", "decision": "decision"},
                                           labels={"decided_on": "Date of the decision", "rationale": "Rationale", "decision": "Decision"})
        decided = DateValue.from_dict(draft.get("decided_on"))
        decided.error_parts = ["day", "month", "year"] if found.message("decided-on-day") else []
        return _form(request, incident, case_id, draft, decided, found, status=400)
    await request.app.state.form_drafts.discard(person, _key(case_id))
    return _go(request, "referral_done", case_id)


async def done(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    incident = await _incident(request, person, case_id)
    if not incident.HasField("referral_decision"):
        return _go(request, "referral_decide", case_id)
    decision = incident.referral_decision
    context = {"title": "Decision on the referral recorded", "case_id": case_id, "reference": incident.notification.child.child_ref,
               "agency": _agency_name(incident), "label": WORDS.get(decision.decision, ""),
               "decided_long": presenters.long_date(decision.decided_on),
               "withdrawn": incident.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN,
               "back": str(request.url_for("case_overview", case_id=case_id).path)}
    return render(request, "referral/done.html", context)


ROUTES = [
    Route("/cases/{case_id}/referral-decision", decide_form, name="referral_decide", methods=["GET"]),
    Route("/cases/{case_id}/referral-decision", decide_post, name="referral_answer", methods=["POST"]),
    Route("/cases/{case_id}/referral-decision/check", check, name="referral_check", methods=["GET"]),
    Route("/cases/{case_id}/referral-decision/check", record, name="referral_record", methods=["POST"]),
    Route("/cases/{case_id}/referral-decision/done", done, name="referral_done"),
]
