"""Every route of the workspace, registered in one place.

Each module in `ROUTE_MODULES` is one area of the workspace and exposes `ROUTES`, a
list of Starlette routes with names. To add a page: write `routes/<area>.py` with
its `ROUTES` and its templates in `templates/<area>/`, and add the module here. A
case page is a route named as its section in `navigation.CASE_SECTIONS`
(e.g. "case_checklist" at /cases/{case_id}/checklist) rendered with the case
layout (templates/layouts/case.html); see docs/workspace.md, "Adding a page".
"""

from __future__ import annotations

import importlib

from starlette.routing import BaseRoute

ROUTE_MODULES = (
    "auth",        # sign-in, sign-out, no access
    "health",      # /healthz, /livez
    "home",        # / → each role's home
    "dashboard",   # the business unit's dashboard (every open case of the partnership)
    "cases",       # the case layout and the case overview
    "agency",      # "My requests", a request's page, its versions (agency leads)
    "return_import",  # importing chronology rows from a CSV or Excel file (before returns: a more specific path)
    "returns",     # the agency return form: sections, add another, check your answers, submit
    "collated",    # a case's collated information and its agency returns (advisory group, business unit)
    "checklist",   # a case's criteria checklist, the explain view of a criterion, the summary PDF
    "recommendation",  # the Review Advisory Group records its recommendation
    "decision",    # the Executive records its decision on the recommendation
    "decisions",   # a case's decisions and review, and the business unit's commands on it
    "documents",   # a case's documents (checklist summary, rapid review report)
    "figures",     # the partnership's yearly figures
    "audit",       # a case's audit trail (auditors) and the access log
    "notify",      # notify an incident: question pages, check your answers, confirmation
    "incident",    # on a case: the Panel notification, withdrawal
    "notifications",  # on a case: the notifications the duties need (Secretary of State, Ofsted, partners)
    "referral",    # on a case: the local authority's decision on an agency's referral
    "amend",       # on a case: amend the notification (the notify question pages, from the recorded answers)
    "requests",    # a case's information requests: chase, ask agencies, close and reopen the gathering
)


def all_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for name in ROUTE_MODULES:
        routes.extend(importlib.import_module(f"{__name__}.{name}").ROUTES)
    return routes
