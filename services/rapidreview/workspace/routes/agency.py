"""Agency leads' pages: "My requests" (the agency's information requests, from the read model),
one request's page (its clock, the return's task list or the submitted return with "amend",
and every version), a submitted version, and the chronology templates.

Every page about a request first asks gathering for it as the person (GetRequestStatus):
gathering answers only an agency's own request (NOT_FOUND otherwise), so a guessed case id
shows nothing. The return form's pages are in routes/returns.py.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import gathering_pb2
from rapidreview.workspace import errors, presenters
from rapidreview.workspace.pages import render, require_person
from rapidreview.workspace.readmodel.access import agency_request_roles
from rapidreview.workspace.returns import importing
from rapidreview.workspace.returns.draft import from_return, split_themes
from rapidreview.workspace.returns.present import sections_view
from rapidreview.workspace.returns.sections import SECTIONS
from rapidreview.workspace.routes.cases import case_id_of, person_client

G = gathering_pb2
#: Agency leads: the roles gathering confines to their own agency's requests (access table).
AGENCY_LEADS = agency_request_roles() or frozenset({Role.AGENCY})
_STATUS = {"awaiting": "Awaiting your return", "returned": "Returned", "not_returned": "Not returned (gathering closed)",
           "withdrawn": "Withdrawn"}


def require_agency_lead(request: Request) -> Principal:
    person = require_person(request, AGENCY_LEADS)
    if not person.agency:
        raise errors.NotAllowed("no agency")
    return person


def drafts_of(request: Request) -> Any:
    drafts = request.app.state.drafts
    if drafts is None:
        raise errors.ServiceUnavailable("the return drafts are not available")
    return drafts


async def own_request(request: Request, person: Principal) -> tuple[str, G.GetRequestStatusResponse, G.InformationRequest]:
    """(case id, the gathering's status as the person sees it, the person's agency's request); 404 otherwise."""
    case_id = case_id_of(request)
    status = await person_client(request, person).gathering.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id))
    mine = next((r for r in status.requests if r.agency.agency_id == person.agency), None)
    if mine is None:
        raise errors.NotFoundError("no request for this agency")
    return case_id, status, mine


def request_tag(status: str, state: str, latest_version: int, has_draft: bool, late: bool = False) -> dict[str, str]:
    """The status tag of a request: not started / draft / submitted vNN / overdue (and the closed ones)."""
    if status == "withdrawn":
        return presenters.tag("Withdrawn", "govuk-tag--grey")
    if status == "not_returned":
        return presenters.tag("Not returned", "govuk-tag--grey")
    if latest_version:
        text = f"Submitted v{latest_version:02d}" + (" – draft changes" if has_draft else "")
        return presenters.tag(text, "govuk-tag--orange" if late else "govuk-tag--green")
    if state == "overdue":
        return presenters.tag("Overdue" + (" – draft" if has_draft else ""), "govuk-tag--red")
    if has_draft:
        return presenters.tag("Draft", "govuk-tag--yellow")
    return presenters.tag("Not started", "govuk-tag--grey")


async def my_requests(request: Request) -> Response:
    person = require_agency_lead(request)
    read_model = request.app.state.read_model
    context: dict[str, Any] = {"title": "My requests", "agency": person.agency, "available": read_model is not None, "rows": []}
    if read_model is None:
        return render(request, "agency/my_requests.html", context, status=503)
    summaries = await read_model.agency_requests(person.partnership, person.agency, request.app.state.today())
    drafts = request.app.state.drafts
    with_drafts = await drafts.cases_with_drafts(person) if drafts is not None else set()
    for s in summaries:
        context["agency"] = s.agency_name or person.agency
        awaited = s.status == "awaiting"
        context["rows"].append({
            "case_id": s.case_id, "reference": s.case_reference,
            "due": presenters.long_date(s.due) or "Not known yet", "provisional": s.provisional_due,
            "days_left": presenters.days_left_text(s.working_days_left, completed=not awaited) if awaited else "",
            "tag": request_tag(s.status, s.state, s.latest_version, s.case_id in with_drafts, s.late),
            "status": _STATUS.get(s.status, s.status), "action": _action(s.status, s.latest_version, s.case_id in with_drafts),
        })
    return render(request, "agency/my_requests.html", context)


def _action(status: str, latest_version: int, has_draft: bool) -> str:
    if status != "awaiting" and not latest_version:
        return "View request"
    if has_draft:
        return "Continue your return"
    return "View or amend your return" if latest_version else "Start your return"


async def request_page(request: Request) -> Response:
    person = require_agency_lead(request)
    case_id, status, mine = await own_request(request, person)
    draft = await drafts_of(request).load(person, case_id)
    versions: list[dict[str, Any]] = []
    if mine.latest_version:
        got = await person_client(request, person).gathering.GetAgencyReturn(
            G.GetAgencyReturnRequest(case_id=case_id, agency_id=person.agency))
        versions = [{"version": v.version, "received": presenters.long_date(v.submitted_on), "late": v.late,
                     "ref": v.return_ref} for v in reversed(got.versions)]
    is_open = status.status == G.GATHERING_STATUS_OPEN
    state = "overdue" if mine.clock.overdue and not mine.latest_version else ""
    context = {
        "title": "Your agency's return", "case_id": case_id, **request_facts(case_id, mine),
        "tag": request_tag("awaiting" if is_open or mine.latest_version else "not_returned", state, mine.latest_version, draft is not None, mine.clock.late),
        "open": is_open, "gathering": _GATHERING.get(status.status, ""), "versions": versions,
        "draft": draft, "tasks": [{"section": s, "status": draft.status(s) if draft else "Not yet started"} for s in SECTIONS],
        "can_start": is_open and (draft is not None or not mine.latest_version),
        "can_amend": is_open and draft is None and mine.latest_version > 0,
    }
    return render(request, "agency/request.html", context)


_GATHERING = {
    G.GATHERING_STATUS_CLOSED: "The business unit has closed the gathering of information for this case. Returns cannot be "
                               "submitted or amended unless it reopens it.",
    G.GATHERING_STATUS_WITHDRAWN: "The notification was withdrawn: no return is needed.",
    G.GATHERING_STATUS_NOT_REQUIRED: "No rapid review is needed for this case: no return is needed.",
}


def request_facts(case_id: str, mine: G.InformationRequest) -> dict[str, Any]:
    """What every page of a request shows about it (no personal data: the case's short id)."""
    clock = mine.clock
    return {
        "reference": case_id.split("-")[0],
        "agency_name": mine.agency.name or mine.agency.agency_id,
        "due": presenters.long_date(clock.effective_due or clock.due),
        "provisional": mine.due_basis == G.DUE_BASIS_AWARENESS,
        "days_left": "" if mine.latest_version else presenters.days_left_text(clock.working_days_left),
        "latest_version": mine.latest_version,
    }


async def amend(request: Request) -> Response:
    """Starts an amendment: a draft prefilled from the latest version (the person then changes it)."""
    person = require_agency_lead(request)
    case_id, status, mine = await own_request(request, person)
    drafts = drafts_of(request)
    if await drafts.load(person, case_id) is None and mine.latest_version:
        if status.status != G.GATHERING_STATUS_OPEN:
            raise errors.StepRefused("The gathering is closed: returns cannot be amended unless the business unit reopens it.")
        got = await person_client(request, person).gathering.GetAgencyReturn(
            G.GetAgencyReturnRequest(case_id=case_id, agency_id=person.agency))
        draft = from_return(got.version.agency_return, got.version.version)
        themes = await learning_themes(request, person)
        split_themes(draft, themes)
        await drafts.save(person, case_id, draft)
    return RedirectResponse(str(request.url_for("agency_request", case_id=case_id).path), status_code=303)


async def learning_themes(request: Request, person: Principal) -> list[str]:
    from rapidreview.v1 import criteria_pb2

    got = await person_client(request, person).criteria.GetLearningThemes(criteria_pb2.GetLearningThemesRequest())
    return [t.name for t in got.themes]


async def version_page(request: Request) -> Response:
    person = require_agency_lead(request)
    case_id, _, mine = await own_request(request, person)
    number = request.path_params["version"]
    if not 1 <= number <= max(mine.latest_version, 1):
        raise errors.NotFoundError("no such version")
    got = await person_client(request, person).gathering.GetAgencyReturn(
        G.GetAgencyReturnRequest(case_id=case_id, agency_id=person.agency, version=number))
    v = got.version
    draft = from_return(v.agency_return, v.version)
    return render(request, "agency/version.html", {
        "title": "A version of your return", "case_id": case_id, **request_facts(case_id, mine), "version": v.version,
        "received": presenters.long_date(v.submitted_on), "late": v.late, "ref": v.return_ref,
        "sections": sections_view(draft), "is_latest": v.version == mine.latest_version})


async def template_file(request: Request) -> Response:
    require_agency_lead(request)
    if request.path_params["kind"] not in ("csv", "xlsx"):
        raise errors.NotFoundError("no such template")
    if request.path_params["kind"] == "csv":
        return Response(importing.template_csv(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="chronology-template.csv"'})
    return Response(importing.template_xlsx(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="chronology-template.xlsx"'})


ROUTES = [
    Route("/my-requests", my_requests, name="my_requests"),
    Route("/my-requests/chronology-template.{kind:str}", template_file, name="chronology_template"),
    Route("/my-requests/{case_id}", request_page, name="agency_request"),
    Route("/my-requests/{case_id}/amend", amend, methods=["POST"], name="agency_amend"),
    Route("/my-requests/{case_id}/versions/{version:int}", version_page, name="agency_version"),
]
