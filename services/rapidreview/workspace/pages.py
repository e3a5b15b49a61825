"""Rendering: the Jinja environment (workspace templates + GOV.UK Frontend macros),
the context every page gets, the signed-in person, and the error pages.

Routes call `person = require_person(request, roles)` first (it signs the person
out after the idle timeout and refuses other roles), then `render(request,
template, context)`. Exceptions from `errors.py` and `SignedOut` become pages
through `exception_handlers()`; nothing reaches the person as a stack trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from rapidreview.kernel.auth import Principal, Role
from rapidreview.workspace import errors
from rapidreview.workspace.navigation import CASE_SECTIONS, ROLE_NAMES, SERVICE_NAV
from rapidreview.workspace.session import SignedOut, csrf_token, person_of

TEMPLATES = Path(__file__).parent / "templates"
SERVICE_NAME = "Rapid Review"


def template_environment() -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(TEMPLATES),
        jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
    ])
    # auto_reload=False: templates are part of the release. With reloading on, Jinja stats the file of
    # every template it fetches, and a GOV.UK macro imports its helpers on each call: thousands of
    # stat() calls for a long table (docs/performance.md, "Workspace").
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.ChainableUndefined,
                             trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    return env


templates = Jinja2Templates(env=template_environment())


def require_person(request: HTTPConnection, roles: Iterable[Role] | None = None) -> Principal:
    """The signed-in person (SignedOut when nobody is); NotAllowed unless their role is in `roles`."""
    person = person_of(request, request.app.state.session_policy)
    request.scope["rr_person"] = person
    if roles is not None and person.role not in set(roles):
        raise errors.NotAllowed("your role cannot use this page")
    return person


def route_exists(request: HTTPConnection, name: str) -> bool:
    return name in request.app.state.route_names


def _service_nav(request: HTTPConnection, person: Principal | None) -> list[dict[str, Any]]:
    if person is None:
        return []
    path = request.url.path
    items = []
    for item in SERVICE_NAV:
        if person.role not in item.roles or not route_exists(request, item.route):
            continue
        href = str(request.url_for(item.route).path)
        current = path == href or path.startswith(f"{href}/")  # /cases/{case_id} is under "Cases"
        items.append({"text": item.label, "href": href, "active": current})
    return items


def case_navigation(request: HTTPConnection, person: Principal, case_id: str, current: str) -> list[dict[str, Any]]:
    """The sub-navigation of one case: the sections whose page exists and the person's role may see."""
    out = []
    for section in CASE_SECTIONS:
        if person.role in section.roles and route_exists(request, section.route):
            out.append({"text": section.label, "href": str(request.url_for(section.route, case_id=case_id).path),
                        "current": section.key == current})
    return out


def base_context(request: HTTPConnection) -> dict[str, Any]:
    person: Principal | None = request.scope.get("rr_person")
    return {
        "request": request,
        "service_name": SERVICE_NAME,
        "person": person,
        "role_name": ROLE_NAMES.get(person.role, "") if person else "",
        "service_nav": _service_nav(request, person),
        "csrf_token": csrf_token(request.session),
        "phase": request.app.state.settings.phase,
    }


def render(request: HTTPConnection, template: str, context: dict[str, Any] | None = None, *, status: int = 200) -> Response:
    return templates.TemplateResponse(request, template, {**base_context(request), **(context or {})}, status_code=status)  # type: ignore[arg-type]


# -- error pages ------------------------------------------------------------------------------

_PAGES: dict[type[errors.WorkspaceError], tuple[str, str]] = {
    errors.NotAllowed: ("You cannot view this page", "Your role does not give you access to this page or this case."),
    errors.NotFoundError: ("Page not found", "The case or page does not exist, or it belongs to another partnership."),
    errors.ServiceUnavailable: ("Sorry, the service is unavailable",
                                "Part of Rapid Review is not responding at the moment. Nothing was saved. Try again in a few minutes."),
    errors.TooManyRequests: ("Too many requests", "Rapid Review received too many requests from you. Nothing was saved. Wait a minute and try again."),
    errors.NotTrusted: ("Sorry, there is a problem with the service",
                        "The workspace could not confirm who you are to Rapid Review's services. Nothing was saved. Tell your administrator."),
    errors.StepRefused: ("This cannot be done now", ""),
    errors.InvalidInput: ("There is a problem with what was sent", ""),
    errors.ServiceFault: ("Sorry, there is a problem with the service", "Nothing was saved. Try again later."),
}


def error_page(request: HTTPConnection, status: int, title: str, body: str, *, reference: str = "", details: list[str] | None = None) -> Response:
    return render(request, "error.html", {"title": title, "body": body, "reference": reference, "details": details or []}, status=status)


async def _workspace_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.WorkspaceError)
    title, body = _PAGES.get(type(exc), _PAGES[errors.ServiceFault])
    details: list[str] = []
    if isinstance(exc, errors.StepRefused):
        body = exc.message  # the service names the missing step, never the person's data
    if isinstance(exc, errors.InvalidInput):
        details = [f"{field}: {description}" for field, description in exc.violations]
    reference = ""
    if isinstance(exc, errors.ServiceFault):
        reference = request.scope.get("rr_request_id", "")
    return error_page(request, exc.status, title, body, reference=reference, details=details)


async def _signed_out(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignedOut)
    if exc.reason:
        return RedirectResponse(str(request.url_for("signed_out").include_query_params(reason=exc.reason)), status_code=303)
    return RedirectResponse(str(request.url_for("sign_in_start")), status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "Page not found", "If you typed the web address, check it is correct.")
    if exc.status_code == 405:
        return error_page(request, 405, "Page not found", "This page cannot be used that way.")
    return error_page(request, exc.status_code, "Sorry, there is a problem", "")


def exception_handlers() -> dict[Any, Any]:
    """Handlers of the expected exceptions; anything else is caught by bootstrap's request middleware
    (inside the security headers) and becomes the 500 page with a reference."""
    return {errors.WorkspaceError: _workspace_error, SignedOut: _signed_out, HTTPException: _http_error}
