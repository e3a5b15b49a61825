"""Collated information (the Review Advisory Group's and the business unit's reading of a case):
gathering's GetCollatedInformation as the signed-in person — the merged chronology as an MOJ
timeline, involvement by agency, learning by theme, concerns, key practice episodes, good practice,
immediate actions — and one stored version of an agency return (GetAgencyReturn), where a checklist
line citing an earlier version lands. Every cited item carries the anchor of its evidence reference.
"""

from __future__ import annotations

import asyncio
import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import gathering_pb2, intake_pb2
from rapidreview.workspace import collated as view
from rapidreview.workspace import errors, presenters
from rapidreview.workspace.pages import case_navigation, render, require_person
from rapidreview.workspace.routes.cases import case_id_of, person_client


def roles_of(rpc: str) -> frozenset[Role]:
    """The people's roles the access table allows on `rpc` (never the service identity)."""
    return frozenset(role for role in ACCESS_TABLE.get(rpc, {}) if role is not Role.SERVICE)


COLLATED_READERS = roles_of("/rapidreview.v1.GatheringService/GetCollatedInformation")
#: Agencies may read their own returns, but the page of a return is part of the collated section.
RETURN_READERS = roles_of("/rapidreview.v1.GatheringService/GetAgencyReturn") & COLLATED_READERS
MAX_PAGE_TOKEN = 200
_AGENCY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")


def version_href(request: Request, case_id: str) -> str:
    """A format string ({agency}, {version}) for the page of one return version."""
    path = str(request.url_for("case_collated_return", case_id=case_id, agency_id="AGENCY", version="0").path)
    return path.replace("AGENCY", "{agency}").replace("/v0", "/v{version}")


async def case_collated(request: Request) -> Response:
    person = require_person(request, COLLATED_READERS)
    case_id = case_id_of(request)
    token = request.query_params.get("page", "")
    if len(token) > MAX_PAGE_TOKEN or not token.isprintable():
        raise errors.NotFoundError("no such page")
    services = person_client(request, person)
    try:
        reference, response = await asyncio.gather(reference_of(request, person, case_id), services.gathering.GetCollatedInformation(
            gathering_pb2.GetCollatedInformationRequest(case_id=case_id, chronology_page_token=token)))
    except errors.InvalidInput:
        raise errors.NotFoundError("no such page") from None  # a page token from nowhere: not a page
    collated = response.collated
    context = {
        "title": "Collated information",
        "case_id": case_id,
        "reference": reference,
        "case_nav": case_navigation(request, person, case_id, "collated"),
        "summary": view.summary(collated),
        "agencies": view.involvement(collated, version_href=version_href(request, case_id)),
        "timeline": view.timeline(collated),
        "episodes": view.episodes(collated),
        "learning": view.learning(collated),
        "concerns": view.concerns(collated),
        "good_practice": view.good_practice(collated),
        "actions": view.actions(collated),
        "highlights": view.highlights(collated),
        "next_page": response.next_chronology_page_token,
        "first_page": not token,
    }
    return render(request, "collated/collated.html", context)


async def case_collated_return(request: Request) -> Response:
    person = require_person(request, RETURN_READERS)
    case_id = case_id_of(request)
    agency_id = request.path_params["agency_id"]
    version = request.path_params["version"]
    if not _AGENCY_ID.match(agency_id) or not version.isdigit() or not 1 <= int(version) <= 999_999:
        raise errors.NotFoundError("no such return")
    try:
        reference, found = await asyncio.gather(reference_of(request, person, case_id), person_client(request, person).gathering.GetAgencyReturn(
            gathering_pb2.GetAgencyReturnRequest(case_id=case_id, agency_id=agency_id, version=int(version))))
    except errors.InvalidInput:
        raise errors.NotFoundError("no such return") from None
    latest = max((v.version for v in found.versions), default=0)
    versions_href = version_href(request, case_id)
    context = {
        "title": "Agency return",
        "case_id": case_id,
        "reference": reference,
        "case_nav": case_navigation(request, person, case_id, "collated"),
        "ret": view.return_version(found.version),
        "latest": latest,
        "versions": [{"number": v.version, "submitted_on": presenters.long_date(v.submitted_on), "late": v.late,
                      "href": versions_href.format(agency=agency_id, version=v.version), "current": v.version == found.version.version}
                     for v in reversed(found.versions)],
        "collated_href": str(request.url_for("case_collated", case_id=case_id).path),
    }
    return render(request, "collated/return.html", context)


async def reference_of(request: Request, person: Principal, case_id: str) -> str:
    """The pseudonymous child reference for the page's caption, from intake (every case reader may read it)."""
    incident = (await person_client(request, person).intake.GetIncident(intake_pb2.GetIncidentRequest(case_id=case_id))).incident
    return incident.notification.child.child_ref


ROUTES = [
    Route("/cases/{case_id}/collated", case_collated, name="case_collated"),
    Route("/cases/{case_id}/collated/returns/{agency_id}/v{version}", case_collated_return, name="case_collated_return"),
]
