"""Agency leads' pages. "My requests" is the agency's landing page; its list of the agency's
information requests (read model `agency_requests`) and the return form are built on this."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.kernel.auth import Role
from rapidreview.workspace.pages import render, require_person


async def my_requests(request: Request) -> Response:
    person = require_person(request, {Role.AGENCY})
    return render(request, "agency/my_requests.html", {"title": "My requests", "agency": person.agency})


ROUTES = [Route("/my-requests", my_requests, name="my_requests")]
