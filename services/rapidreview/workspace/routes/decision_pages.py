"""What the recommendation and the Executive's decision pages share: the case's decision state
(decisions GetCase), the case caption, the sub-navigation, drafts, the "cannot be done now" page,
and the errors of a page. Not a routes module of its own (no ROUTES)."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from rapidreview.kernel.auth import Principal
from rapidreview.v1 import decisions_pb2, intake_pb2
from rapidreview.workspace import errors
from rapidreview.workspace.forms import FormErrors
from rapidreview.workspace.pages import case_navigation, render, route_exists
from rapidreview.workspace.routes.cases import person_client


async def decision_case(request: Request, person: Principal, case_id: str) -> decisions_pb2.CaseState | None:
    """The case as the decisions service knows it; None until intake's notification reached it."""
    try:
        return (await person_client(request, person).decisions.GetCase(decisions_pb2.GetCaseRequest(case_id=case_id))).case
    except errors.NotFoundError:
        return None


async def incident_of(request: Request, person: Principal, case_id: str) -> intake_pb2.Incident:
    """The incident (intake): the page caption's pseudonymous reference and the agencies named."""
    return (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident


def section_nav(request: Request, person: Principal, case_id: str) -> list[dict[str, Any]]:
    """These forms belong to "Decisions and review" once that section's page exists, else to the checklist."""
    return case_navigation(request, person, case_id, "decisions" if route_exists(request, "case_decisions") else "checklist")


def path(request: Request, name: str, case_id: str) -> str:
    return str(request.url_for(name, case_id=case_id).path)


def go(request: Request, name: str, case_id: str, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(path(request, name, case_id) + (f"#{anchor}" if anchor else ""), status_code=303)


def base(request: Request, person: Principal, case_id: str, incident: intake_pb2.Incident, title: str) -> dict[str, Any]:
    return {"title": title, "case_id": case_id, "reference": incident.notification.child.child_ref,
            "case_nav": section_nav(request, person, case_id),
            "checklist_href": path(request, "case_checklist", case_id)}


def refused(request: Request, person: Principal, case_id: str, incident: intake_pb2.Incident, title: str, message: str) -> Response:
    """The step cannot be taken now: says why in plain words (409), nothing stored."""
    context = base(request, person, case_id, incident, title)
    context.update({"message": message, "back": path(request, "case_checklist", case_id)})
    return render(request, "decisions/refused.html", context, status=409)


def problems_as_errors(problems: list[tuple[str, str]]) -> FormErrors:
    found = FormErrors()
    for field_id, text in problems:
        found.add(field_id, text)
    return found


def new_idempotency_key() -> str:
    """One per draft: a form sent twice (a double click, a retry after a timeout) records once."""
    return f"workspace-{uuid.uuid4()}"
