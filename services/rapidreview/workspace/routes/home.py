"""The root: each role lands on its own page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rapidreview.workspace.navigation import HOME
from rapidreview.workspace.oidc import redirect
from rapidreview.workspace.pages import require_person


async def home(request: Request) -> Response:
    person = require_person(request)
    return redirect(str(request.url_for(HOME[person.role])))


ROUTES = [Route("/", home, name="home")]
