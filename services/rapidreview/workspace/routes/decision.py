"""The Executive records its decision on the advisory group's recommendation (decisions RecordDecision,
as the signed-in person): the checklist and the recommendation side by side, agree or disagree (a
disagreement names the Executive's own decision and says why), the national importance view and
the date; who decided (one representative of each safeguarding partner); how the decision is
communicated (the family always); check your answers; confirmation.

Refused before the form when there is no current recommendation to decide on, or it is decided.
The answers live in a draft (key "decision:<case id>") tied to the recommendation it decides on.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal
from rapidreview.v1 import criteria_pb2, decisions_pb2, intake_pb2
from rapidreview.workspace import checklist as checklist_view
from rapidreview.workspace import decision_form as form_model
from rapidreview.workspace import decision_state, errors, presenters
from rapidreview.workspace.date_input import DateValue
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import render, require_person
from rapidreview.workspace.routes.cases import case_id_of, person_client
from rapidreview.workspace.routes.collated import roles_of
from rapidreview.workspace.routes.decision_pages import (
    base,
    decision_case,
    go,
    incident_of,
    new_idempotency_key,
    path,
    problems_as_errors,
    refused,
)

DECIDERS = roles_of("/rapidreview.v1.DecisionService/RecordDecision")
TITLE = "Record the Executive's decision"
PAGES = {"decide": "decision_decide", "partners": "decision_partners", "communication": "decision_communication",
         "check": "decision_check"}


def _key(case_id: str) -> str:
    return f"decision:{case_id}"


async def _draft(request: Request, person: Principal, case_id: str) -> dict[str, Any] | None:
    return await request.app.state.form_drafts.load(person, _key(case_id))


async def _save(request: Request, person: Principal, case_id: str, draft: dict[str, Any]) -> None:
    await request.app.state.form_drafts.save(person, _key(case_id), draft)


def _next(request: Request, case_id: str, draft: dict[str, Any], after: str) -> Response:
    if not form_model.complete(draft):
        return go(request, "decision_check", case_id)
    order = list(PAGES)
    return go(request, PAGES[order[order.index(after) + 1]], case_id)


async def _open(request: Request, person: Principal, case_id: str) -> tuple[intake_pb2.Incident, decisions_pb2.CaseState | None, str]:
    """The incident, the decision state and why the Executive cannot decide now ("" when it can)."""
    incident = await incident_of(request, person, case_id)
    state = await decision_case(request, person, case_id)
    refusal = ("The case has not reached the decisions service yet. Try again in a minute." if state is None
               else decision_state.decision_refusal(state))
    return incident, state, refusal


async def decision_start(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    incident, state, refusal = await _open(request, person, case_id)
    if refusal:
        return refused(request, person, case_id, incident, TITLE, refusal)
    assert state is not None
    rec = decision_state.current_recommendation(state)
    assert rec is not None
    draft = await _draft(request, person, case_id)
    if not draft or draft.get("recommendation_id") != rec.recommendation_id:
        # A draft about a superseded recommendation is started again: the Executive decides on the current one.
        draft = {"recommendation_id": rec.recommendation_id, "recommended": form_model.decision_name(rec.recommendation),
                 "idempotency_key": new_idempotency_key(), "national_importance": "yes" if rec.national_importance else "no"}
        await _save(request, person, case_id, draft)
    return go(request, "decision_decide", case_id)


# -- the decision, beside the checklist and the recommendation -----------------------------------------------------------

async def _side_by_side(request: Request, person: Principal, case_id: str, state: decisions_pb2.CaseState,
                        incident: intake_pb2.Incident) -> dict[str, Any]:
    rec = decision_state.current_recommendation(state)
    assert rec is not None
    checklist = (await person_client(request, person).criteria.GetChecklist(
        criteria_pb2.GetChecklistRequest(case_id=case_id, evaluation_id=rec.evaluation_id))).checklist
    names = {a.agency_id: a.name for a in incident.notification.agencies}
    conclusions = {c.criterion_id: decision_state.CONCLUSIONS.get(c.conclusion, "") for c in rec.criteria}
    return {
        "rec": decision_state.recommendation_view(rec, names),
        "criteria": [{"id": o.rule_id, "tag": presenters.outcome_tag(o.outcome), "rationale": o.rationale,
                      "group": conclusions.get(o.rule_id, ""),
                      "explain": str(request.url_for("case_checklist_explain", case_id=case_id, rule_id=o.rule_id).path)
                      + f"?evaluation={checklist.evaluation_id}"}
                     for o in checklist_view.judgement_criteria(checklist)],
        "edition": checklist_view.edition_text(checklist.edition, checklist.edition_version),
        "evaluated": checklist_view.evaluated_text(checklist.evaluated_at),
        "not_automatic": checklist_view.not_automatic(checklist),
        "full_checklist": str(request.url_for("case_checklist", case_id=case_id).path) + f"?evaluation={checklist.evaluation_id}",
    }


async def _decide_page(request: Request, person: Principal, case_id: str, draft: dict[str, Any], values: dict[str, Any],
                       decided: DateValue, found: FormErrors | None, *, status: int = 200) -> Response:
    incident, state, refusal = await _open(request, person, case_id)
    if refusal or state is None:
        return refused(request, person, case_id, incident, TITLE, refusal)
    context = base(request, person, case_id, incident, TITLE)
    context.update(await _side_by_side(request, person, case_id, state, incident))
    recommended = draft.get("recommended", "")
    context.update({
        "values": values, "decided_items": decided.items("decided-on"), "errors": found,
        "recommended_text": decision_state.DECISIONS.get(form_model.decision_value(recommended), ""),
        "others": [(name, decision_state.DECISIONS[value]) for name, value in form_model.DECISION_VALUES.items() if name != recommended],
        "reasons": [(name, decision_state.REASONS[value]) for name, value in form_model.REASON_VALUES.items()],
        "max_length": form_model.MAX_RATIONALE, "back": path(request, "case_checklist", case_id),
    })
    return render(request, "decisions/decide.html", context, status=status)


async def decision_decide(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "decision_start", case_id)
    if request.method == "GET":
        values = dict(draft)
        values.setdefault("other_decision", draft.get("decision", "") if draft.get("view") == "disagrees" else "")
        return await _decide_page(request, person, case_id, draft, values, DateValue.from_dict(draft.get("decided_on")), None)
    values, problems, decided = form_model.read_decision(await request.form(), request.app.state.today(), draft.get("recommended", ""))
    if problems:
        return await _decide_page(request, person, case_id, draft, values, decided, problems_as_errors(problems), status=400)
    draft.update(values)
    await _save(request, person, case_id, draft)
    return _next(request, case_id, draft, "decide")


# -- who decided ---------------------------------------------------------------------------------------------------------

async def _partners_page(request: Request, person: Principal, case_id: str, values: dict[str, Any], found: FormErrors | None,
                         *, status: int = 200) -> Response:
    incident = await incident_of(request, person, case_id)
    context = base(request, person, case_id, incident, "Who decided")
    context.update({"partners": [(key, decision_state.PARTNERS[value], values.get(key) or {}) for key, value in form_model.PARTNER_VALUES.items()],
                    "errors": found, "back": path(request, "decision_decide", case_id)})
    return render(request, "decisions/decide_partners.html", context, status=status)


async def decision_partners(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "decision_start", case_id)
    if request.method == "GET":
        return await _partners_page(request, person, case_id, draft.get("partners") or {}, None)
    values, problems = form_model.read_partners(await request.form())
    if problems:
        return await _partners_page(request, person, case_id, values, problems_as_errors(problems), status=400)
    draft["partners"] = values
    await _save(request, person, case_id, draft)
    return _next(request, case_id, draft, "partners")


# -- telling people about the decision -----------------------------------------------------------------------------------------

async def _communication_page(request: Request, person: Principal, case_id: str, values: dict[str, Any], dates: dict[str, DateValue],
                              found: FormErrors | None, *, status: int = 200) -> Response:
    incident = await incident_of(request, person, case_id)
    context = base(request, person, case_id, incident, "Telling people about the decision")
    recipients = []
    for key, value in form_model.RECIPIENT_VALUES.items():
        on = dates.get(key) or DateValue.from_dict((values.get(key) or {}).get("on"))
        recipients.append({"key": key, "name": decision_state.RECIPIENTS[value], "value": values.get(key) or {},
                           "on_items": on.items(f"{key}-on"), "required": key == "family"})
    context.update({"recipients": recipients, "errors": found, "max_length": form_model.MAX_NOTE,
                    "back": path(request, "decision_partners", case_id)})
    return render(request, "decisions/decide_communication.html", context, status=status)


async def decision_communication(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "decision_start", case_id)
    if request.method == "GET":
        return await _communication_page(request, person, case_id, draft.get("communications") or {}, {}, None)
    values, problems, dates = form_model.read_communications(await request.form(), request.app.state.today())
    if problems:
        return await _communication_page(request, person, case_id, values, dates, problems_as_errors(problems), status=400)
    draft["communications"] = values
    await _save(request, person, case_id, draft)
    return _next(request, case_id, draft, "communication")


# -- check your answers, record, confirmation --------------------------------------------------------------------------------------

async def decision_check(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "decision_start", case_id)
    missing = form_model.complete(draft)
    if missing:
        return go(request, PAGES[missing], case_id)
    if request.method == "POST":
        return await _record(request, person, case_id, draft)
    return await _check_page(request, person, case_id, draft, None)


async def _check_page(request: Request, person: Principal, case_id: str, draft: dict[str, Any], found: FormErrors | None,
                      *, status: int = 200) -> Response:
    incident = await incident_of(request, person, case_id)
    context = base(request, person, case_id, incident, "Check the decision before recording it")
    partners = draft.get("partners") or {}
    communications = draft.get("communications") or {}
    context.update({
        "errors": found,
        "view": "Agrees" if draft.get("view") == "agrees" else "Disagrees",
        "recommended": decision_state.DECISIONS.get(form_model.decision_value(draft.get("recommended", "")), ""),
        "decision": decision_state.DECISIONS.get(form_model.decision_value(draft.get("decision", "")), ""),
        "reason": decision_state.REASONS.get(form_model.REASON_VALUES.get(draft.get("reason", ""), 0), "Not recorded"),
        "rationale": draft.get("rationale", ""),
        "national_importance": "Yes" if draft.get("national_importance") == "yes" else "No",
        "decided_on": presenters.long_date(draft.get("decided_iso", "")),
        "partners": [(decision_state.PARTNERS[value], (partners.get(key) or {}).get("name", ""), (partners.get(key) or {}).get("role", ""), key)
                     for key, value in form_model.PARTNER_VALUES.items()],
        "communications": [(decision_state.RECIPIENTS[value], form_model.communication_text(communications.get(key) or {}, presenters.long_date), key)
                           for key, value in form_model.RECIPIENT_VALUES.items()],
        "change": {page: path(request, name, case_id) for page, name in PAGES.items()},
        "back": path(request, "decision_communication", case_id),
    })
    return render(request, "decisions/decide_check.html", context, status=status)


async def _record(request: Request, person: Principal, case_id: str, draft: dict[str, Any]) -> Response:
    try:
        await person_client(request, person).decisions.RecordDecision(form_model.request_of(case_id, draft))
    except errors.InvalidInput as exc:
        return await _violations_page(request, person, case_id, draft, exc)
    except errors.StepRefused as exc:
        incident = await incident_of(request, person, case_id)
        return refused(request, person, case_id, incident, TITLE, f"Nothing was recorded: {exc.message}")
    await request.app.state.form_drafts.discard(person, _key(case_id))
    return go(request, "decision_done", case_id)


async def _violations_page(request: Request, person: Principal, case_id: str, draft: dict[str, Any], exc: errors.InvalidInput) -> Response:
    by_page: dict[str, list[tuple[str, str]]] = {}
    for field, description in exc.violations:
        page, field_id = form_model.page_of_violation(field, draft)
        label = next((text for prefix, text in form_model.LABELS.items() if field.startswith(prefix)), "")
        by_page.setdefault(page, []).append((field_id, f"{label}: {description}" if label else description[:1].upper() + description[1:]))
    page = next(p for p in ("decide", "partners", "communication", "check") if p in by_page)
    found = problems_as_errors(by_page[page])
    if page == "decide":
        decided = DateValue.from_dict(draft.get("decided_on"))
        decided.error_parts = ["day", "month", "year"] if found.message("decided-on-day") else []
        values = dict(draft)
        values.setdefault("other_decision", draft.get("decision", "") if draft.get("view") == "disagrees" else "")
        return await _decide_page(request, person, case_id, draft, values, decided, found, status=400)
    if page == "partners":
        return await _partners_page(request, person, case_id, draft.get("partners") or {}, found, status=400)
    if page == "communication":
        return await _communication_page(request, person, case_id, draft.get("communications") or {}, {}, found, status=400)
    return await _check_page(request, person, case_id, draft, found, status=400)


async def decision_done(request: Request) -> Response:
    person = require_person(request, DECIDERS)
    case_id = case_id_of(request)
    incident = await incident_of(request, person, case_id)
    state = await decision_case(request, person, case_id)
    decided = decision_state.current_decision(state) if state is not None else None
    if decided is None:
        return go(request, "decision_start", case_id)
    context = base(request, person, case_id, incident, "Decision recorded")
    context.update({"d": decision_state.decision_view(decided), "stage": decision_state.stage_tag(state.stage)})
    return render(request, "decisions/decide_done.html", context)


ROUTES = [
    Route("/cases/{case_id}/decisions/decision", decision_start, name="decision_start"),
    Route("/cases/{case_id}/decisions/decision/decide", decision_decide, methods=["GET", "POST"], name="decision_decide"),
    Route("/cases/{case_id}/decisions/decision/partners", decision_partners, methods=["GET", "POST"], name="decision_partners"),
    Route("/cases/{case_id}/decisions/decision/communication", decision_communication, methods=["GET", "POST"], name="decision_communication"),
    Route("/cases/{case_id}/decisions/decision/check", decision_check, methods=["GET", "POST"], name="decision_check"),
    Route("/cases/{case_id}/decisions/decision/done", decision_done, name="decision_done"),
]
