"""Cases: the list of the partnership's cases (intake's ListIncidents, for every case reader:
the landing page of those who may not see the dashboard) and the case layout's first page, the
overview (duties by RULES.md ID, both clocks, next step), read from intake's GetIncident as the
signed-in person."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Principal
from rapidreview.v1 import intake_pb2
from rapidreview.workspace import errors, presenters
from rapidreview.workspace.client import PersonClient
from rapidreview.workspace.navigation import CASE_READERS
from rapidreview.workspace.pages import case_navigation, render, require_person, route_exists


def case_id_of(request: Request) -> str:
    """The case id of the URL (a UUID; anything else is a page that does not exist)."""
    raw = request.path_params["case_id"]
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise errors.NotFoundError("no such case") from None


def person_client(request: Request, person) -> PersonClient:  # type: ignore[no-untyped-def]
    return request.app.state.services.for_person(person)


async def _decision_steps(request: Request, person: Principal, case_id: str) -> list[dict[str, str]]:
    """Links to the advisory group's and the Executive's forms for the people who may record them
    (the access table), at the stage of the case where they are used (decisions' GetCase)."""
    from rapidreview.workspace.routes.decision_pages import decision_case
    from rapidreview.workspace.routes.decisions import PEOPLES_STEPS  # they build on this module

    mine = [step for step in PEOPLES_STEPS if route_exists(request, step[0]) and person.role in ACCESS_TABLE[step[2]]]
    state = await decision_case(request, person, case_id) if mine else None
    if state is None or state.withdrawn:
        return []
    return [{"href": str(request.url_for(route, case_id=case_id).path), "text": text, "id": route}
            for route, text, _, stages in mine if state.stage in stages]


async def case_overview(request: Request) -> Response:
    from rapidreview.workspace.routes.incident import incident_actions  # it builds on this module

    person = require_person(request, CASE_READERS)
    case_id = case_id_of(request)
    incident = (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident
    n = incident.notification
    context = {
        "title": "Case overview",
        "case_id": case_id,
        "case_nav": case_navigation(request, person, case_id, "overview"),
        "reference": n.child.child_ref,
        "status": presenters.status_text(incident.status),
        "edition": incident.edition,
        "incident": incident,
        "facts": [
            ("Notifying local authority", n.notifying_la),
            ("Date of the incident", presenters.long_date(n.incident_date)),
            ("Date the local authority became aware", presenters.long_date(n.la_aware_date)),
            ("Panel notification", f"Sent {presenters.long_date(incident.panel_notification.sent_date)}"
             f"{' (late)' if incident.panel_notification.late else ''}" if incident.panel_notification.sent_date else "Not recorded"),
            ("Safeguarding partners informed", presenters.long_date(incident.partners_informed_date) or "Not recorded"),
        ],
        "duties": [{"rule_id": d.rule_id, "tag": presenters.outcome_tag(d.outcome), "rationale": d.rationale,
                    "citation": d.citation} for d in incident.duties],
        "clocks": [presenters.incident_clock(c) for c in incident.clocks],
        "next_step": presenters.incident_next_step(incident),
        "outstanding": presenters.outstanding_duties(incident),
        "duplicates": list(incident.possible_duplicate_of),
        "actions": incident_actions(request, person, incident) + await _decision_steps(request, person, case_id),
    }
    return render(request, "cases/overview.html", context)


PAGE_SIZE = 50
MAX_PAGE_TOKEN = 200


async def case_list(request: Request) -> Response:
    person = require_person(request, CASE_READERS)
    token = request.query_params.get("page", "")
    if len(token) > MAX_PAGE_TOKEN or not token.isprintable():
        raise errors.NotFoundError("no such page")
    try:
        found = await person_client(request, person).intake.ListIncidents(
            intake_pb2.ListIncidentsRequest(page_size=PAGE_SIZE, page_token=token))
    except errors.InvalidInput:
        raise errors.NotFoundError("no such page") from None  # a page token from nowhere: not a page
    rows = [{
        "case_id": i.case_id,
        "reference": i.notification.child.child_ref,
        "status": presenters.status_text(i.status),
        "notified": presenters.long_date(i.notification.la_aware_date),
        "clocks": [presenters.incident_clock(c) for c in i.clocks],
    } for i in found.incidents]
    return render(request, "cases/list.html", {"title": "Cases", "rows": rows, "next_page": found.next_page_token,
                                                "first_page": not token})


ROUTES = [
    Route("/cases", case_list, name="case_list"),
    Route("/cases/{case_id}", case_overview, name="case_overview"),
]
