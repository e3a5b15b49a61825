"""The Review Advisory Group records its recommendation (decisions RecordRecommendation, as the signed-in
member): the group's conclusion on each LOCAL.* criterion and REGARD.* circumstance beside the
checklist's outcome, the recommendation with its rationale, the national importance view and the
meeting date, learning to act on now (add another), check your answers, confirmation.

A step the case does not allow now (no evaluation yet, already decided, a review commissioned,
withdrawn) is refused before the form with the reason in plain words. The answers live in a draft
(`form_drafts.py`, key "recommendation:<case id>") based on the latest evaluation decisions has received.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal
from rapidreview.v1 import criteria_pb2, intake_pb2
from rapidreview.workspace import checklist as checklist_view
from rapidreview.workspace import decision_state, errors, presenters
from rapidreview.workspace import recommendation_form as form_model
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

RECOMMENDERS = roles_of("/rapidreview.v1.DecisionService/RecordRecommendation")
TITLE = "Record the recommendation"
PAGES = {"criteria": "recommendation_criteria", "recommend": "recommendation_recommend", "learning": "recommendation_learning",
         "check": "recommendation_check"}


def _key(case_id: str) -> str:
    return f"recommendation:{case_id}"


async def _draft(request: Request, person: Principal, case_id: str) -> dict[str, Any] | None:
    return await request.app.state.form_drafts.load(person, _key(case_id))


async def _save(request: Request, person: Principal, case_id: str, draft: dict[str, Any]) -> None:
    await request.app.state.form_drafts.save(person, _key(case_id), draft)


def _next(request: Request, case_id: str, draft: dict[str, Any], after: str) -> Response:
    """After a page: check your answers once everything is answered (a change), else the next page."""
    if not form_model.complete(draft):
        return go(request, "recommendation_check", case_id)
    order = list(PAGES)
    return go(request, PAGES[order[order.index(after) + 1]], case_id)


async def recommendation_start(request: Request) -> Response:
    person = require_person(request, RECOMMENDERS)
    case_id = case_id_of(request)
    incident = await incident_of(request, person, case_id)
    state = await decision_case(request, person, case_id)
    refusal = ("The case has not reached the decisions service yet. Try again in a minute." if state is None
               else decision_state.recommendation_refusal(state))
    if refusal:
        return refused(request, person, case_id, incident, TITLE, refusal)
    assert state is not None
    latest = state.evaluations[-1].evaluation_id
    draft = await _draft(request, person, case_id)
    if not draft or draft.get("evaluation_id") != latest:
        # A draft based on an older evaluation is started again: the conclusions sit beside that checklist.
        draft = {"evaluation_id": latest, "idempotency_key": new_idempotency_key()}
        await _save(request, person, case_id, draft)
    return go(request, "recommendation_criteria", case_id)


async def _checklist(request: Request, person: Principal, case_id: str, evaluation_id: str) -> criteria_pb2.Checklist:
    return (await person_client(request, person).criteria.GetChecklist(
        criteria_pb2.GetChecklistRequest(case_id=case_id, evaluation_id=evaluation_id))).checklist


# -- the group's conclusion on each criterion ---------------------------------------------------------------------

async def _criteria_page(request: Request, person: Principal, case_id: str, draft: dict[str, Any], values: dict[str, Any],
                         found: FormErrors | None, *, status: int = 200) -> Response:
    incident = await incident_of(request, person, case_id)
    checklist = await _checklist(request, person, case_id, draft["evaluation_id"])
    outcomes = {o.rule_id: o for o in checklist.criteria}
    rows = []
    for cid in form_model.CRITERIA:
        o = outcomes.get(cid)
        rows.append({"id": cid, "slug": form_model.slug(cid), "tag": presenters.outcome_tag(o.outcome) if o else None,
                     "rationale": o.rationale if o else "The checklist has no outcome for this criterion.",
                     "explain": str(request.url_for("case_checklist_explain", case_id=case_id, rule_id=cid).path),
                     "value": values.get(cid) or {}})
    context = base(request, person, case_id, incident, TITLE)
    context.update({"rows": rows, "errors": found, "back": path(request, "case_checklist", case_id),
                    "edition": checklist_view.edition_text(checklist.edition, checklist.edition_version),
                    "evaluated": checklist_view.evaluated_text(checklist.evaluated_at), "partial": checklist.partial,
                    "max_length": form_model.MAX_CRITERION_RATIONALE,
                    "not_automatic": checklist_view.not_automatic(checklist)})
    return render(request, "decisions/recommend_criteria.html", context, status=status)


async def recommendation_criteria(request: Request) -> Response:
    person = require_person(request, RECOMMENDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "recommendation_start", case_id)
    if request.method == "GET":
        return await _criteria_page(request, person, case_id, draft, draft.get("criteria") or {}, None)
    values, problems = form_model.read_criteria(await request.form())
    if problems:
        return await _criteria_page(request, person, case_id, draft, values, problems_as_errors(problems), status=400)
    draft["criteria"] = values
    await _save(request, person, case_id, draft)
    return _next(request, case_id, draft, "criteria")


# -- the recommendation ------------------------------------------------------------------------------------------------

async def _recommend_page(request: Request, person: Principal, case_id: str, values: dict[str, Any], meeting: DateValue,
                          found: FormErrors | None, *, status: int = 200) -> Response:
    incident = await incident_of(request, person, case_id)
    context = base(request, person, case_id, incident, "What the group recommends")
    context.update({"values": values, "meeting_items": meeting.items("meeting-date"), "errors": found,
                    "choices": [(name, decision_state.DECISIONS[value]) for name, value in form_model.DECISION_VALUES.items()],
                    "max_length": form_model.MAX_RATIONALE, "back": path(request, "recommendation_criteria", case_id)})
    return render(request, "decisions/recommend_decision.html", context, status=status)


async def recommendation_recommend(request: Request) -> Response:
    person = require_person(request, RECOMMENDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "recommendation_start", case_id)
    if request.method == "GET":
        return await _recommend_page(request, person, case_id, draft, DateValue.from_dict(draft.get("meeting_date")), None)
    values, problems, meeting = form_model.read_recommendation(await request.form(), request.app.state.today())
    if problems:
        return await _recommend_page(request, person, case_id, values, meeting, problems_as_errors(problems), status=400)
    draft.update(values)
    await _save(request, person, case_id, draft)
    return _next(request, case_id, draft, "recommend")


# -- learning to act on now --------------------------------------------------------------------------------------------

def _owners(incident: intake_pb2.Incident) -> dict[str, str]:
    owners = {form_model.PARTNERSHIP_OWNER: "The partnership"}
    owners.update({a.agency_id: a.name or a.agency_id for a in incident.notification.agencies})
    return owners


async def _learning_page(request: Request, person: Principal, case_id: str, rows: list[dict[str, str]], found: FormErrors | None,
                         *, status: int = 200) -> Response:
    incident = await incident_of(request, person, case_id)
    owners = _owners(incident)
    context = base(request, person, case_id, incident, "Learning to act on now")
    context.update({"rows": rows or [], "owners": list(owners.items()), "errors": found,
                    "max_length": form_model.MAX_LEARNING, "max_items": form_model.MAX_LEARNING_ITEMS,
                    "back": path(request, "recommendation_recommend", case_id)})
    return render(request, "decisions/recommend_learning.html", context, status=status)


async def recommendation_learning(request: Request) -> Response:
    person = require_person(request, RECOMMENDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "recommendation_start", case_id)
    if request.method == "GET":
        return await _learning_page(request, person, case_id, draft.get("learning", []), None)
    submitted = await request.form()
    incident = await incident_of(request, person, case_id)
    rows, problems = form_model.read_learning(submitted, _owners(incident))
    remove = str(submitted.get("remove", ""))
    if submitted.get("add") is not None or remove.isdigit():
        # "Add another" and "Remove" keep what was typed without judging it yet.
        if remove.isdigit() and int(remove) < len(rows):
            rows.pop(int(remove))
        if submitted.get("add") is not None and len(rows) < form_model.MAX_LEARNING_ITEMS:
            rows.append({"description": "", "owner": form_model.PARTNERSHIP_OWNER})
        draft["learning"] = rows
        await _save(request, person, case_id, draft)
        anchor = f"learning-{len(rows) - 1}-description" if submitted.get("add") is not None and rows else "learning"
        return go(request, "recommendation_learning", case_id, anchor)
    if problems:
        return await _learning_page(request, person, case_id, rows, problems_as_errors(problems), status=400)
    draft["learning"] = rows
    await _save(request, person, case_id, draft)
    return _next(request, case_id, draft, "learning")


# -- check your answers, record, confirmation ----------------------------------------------------------------------------

async def recommendation_check(request: Request) -> Response:
    person = require_person(request, RECOMMENDERS)
    case_id = case_id_of(request)
    await incident_of(request, person, case_id)  # the service checks the person may see the case before the draft is read
    draft = await _draft(request, person, case_id)
    if not draft:
        return go(request, "recommendation_start", case_id)
    missing = form_model.complete(draft)
    if missing:
        return go(request, PAGES[missing], case_id)
    if request.method == "POST":
        return await _record(request, person, case_id, draft)
    return await _check_page(request, person, case_id, draft, None)


async def _check_page(request: Request, person: Principal, case_id: str, draft: dict[str, Any], found: FormErrors | None,
                      *, status: int = 200) -> Response:
    incident = await incident_of(request, person, case_id)
    owners = _owners(incident)
    criteria = draft.get("criteria") or {}
    context = base(request, person, case_id, incident, "Check the recommendation before recording it")
    context.update({
        "errors": found,
        "criteria": [{"id": cid, "slug": form_model.slug(cid), "conclusion": form_model.conclusion_text((criteria.get(cid) or {}).get("conclusion", "")),
                      "rationale": (criteria.get(cid) or {}).get("rationale", "")} for cid in form_model.CRITERIA],
        "recommendation": decision_state.DECISIONS.get(form_model.DECISION_VALUES.get(draft.get("recommendation", ""), 0), ""),
        "rationale": draft.get("rationale", ""),
        "national_importance": "Yes" if draft.get("national_importance") == "yes" else "No",
        "meeting_date": presenters.long_date(draft.get("meeting_iso", "")),
        "learning": [{"text": row["description"], "owner": owners.get(row["owner"], row["owner"])} for row in draft.get("learning", [])],
        "change": {page: path(request, name, case_id) for page, name in PAGES.items()},
        "back": path(request, "recommendation_learning", case_id),
    })
    return render(request, "decisions/recommend_check.html", context, status=status)


async def _record(request: Request, person: Principal, case_id: str, draft: dict[str, Any]) -> Response:
    try:
        await person_client(request, person).decisions.RecordRecommendation(form_model.request_of(case_id, draft))
    except errors.InvalidInput as exc:
        return await _violations_page(request, person, case_id, draft, exc)
    except errors.StepRefused as exc:
        incident = await incident_of(request, person, case_id)
        return refused(request, person, case_id, incident, TITLE, f"Nothing was recorded: {exc.message}")
    await request.app.state.form_drafts.discard(person, _key(case_id))
    return go(request, "recommendation_done", case_id)


async def _violations_page(request: Request, person: Principal, case_id: str, draft: dict[str, Any], exc: errors.InvalidInput) -> Response:
    """The service refused a field: the page that asks for it again, with the service's words."""
    by_page: dict[str, list[tuple[str, str]]] = {}
    for field, description in exc.violations:
        page, field_id = form_model.page_of_violation(field)
        label = next((text for prefix, text in form_model.LABELS.items() if field.startswith(prefix)), "")
        text = description[:1].upper() + description[1:]
        by_page.setdefault(page, []).append((field_id, f"{label}: {description}" if label else text))
    page = next(p for p in ("criteria", "recommend", "learning", "check") if p in by_page)
    found = problems_as_errors(by_page[page])
    if page == "criteria":
        return await _criteria_page(request, person, case_id, draft, draft.get("criteria") or {}, found, status=400)
    if page == "recommend":
        meeting = DateValue.from_dict(draft.get("meeting_date"))
        meeting.error_parts = ["day", "month", "year"] if found.message("meeting-date-day") else []
        return await _recommend_page(request, person, case_id, draft, meeting, found, status=400)
    if page == "learning":
        return await _learning_page(request, person, case_id, draft.get("learning", []), found, status=400)
    return await _check_page(request, person, case_id, draft, found, status=400)


async def recommendation_done(request: Request) -> Response:
    person = require_person(request, RECOMMENDERS)
    case_id = case_id_of(request)
    incident = await incident_of(request, person, case_id)
    state = await decision_case(request, person, case_id)
    rec = decision_state.current_recommendation(state) if state is not None else None
    if rec is None:
        return go(request, "recommendation_start", case_id)
    context = base(request, person, case_id, incident, "Recommendation recorded")
    context.update({"rec": decision_state.recommendation_view(rec, _owners(incident)), "stage": decision_state.stage_tag(state.stage)})
    return render(request, "decisions/recommend_done.html", context)


ROUTES = [
    Route("/cases/{case_id}/decisions/recommendation", recommendation_start, name="recommendation_start"),
    Route("/cases/{case_id}/decisions/recommendation/criteria", recommendation_criteria, methods=["GET", "POST"], name="recommendation_criteria"),
    Route("/cases/{case_id}/decisions/recommendation/recommend", recommendation_recommend, methods=["GET", "POST"],
          name="recommendation_recommend"),
    Route("/cases/{case_id}/decisions/recommendation/learning", recommendation_learning, methods=["GET", "POST"], name="recommendation_learning"),
    Route("/cases/{case_id}/decisions/recommendation/check", recommendation_check, methods=["GET", "POST"], name="recommendation_check"),
    Route("/cases/{case_id}/decisions/recommendation/done", recommendation_done, name="recommendation_done"),
]
