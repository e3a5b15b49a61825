"""Who can open what, by URL guessing: the workspace's WHOLE route table (read from the running
app's own routes, so that a new page cannot escape) is swept with the ids of a case the person
may not see — a person of each role of another partnership against a Leeds case, an agency lead against
a case its agency was not asked about and against every page of its own case that is not its
request. Every GET and every POST (with a valid form token of the person's own session) answers
403 or 404 at once (no redirect first), shows nothing of the case, and stores nothing: the
services hold the same incident, requests, evaluations, decisions and audit trail afterwards.

The same sweep, run as the people who may open the pages, checks that each page has exactly one
main heading."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from google.protobuf import json_format
from playwright.sync_api import APIResponse, Page
from starlette.routing import Route

from rapidreview.kernel.auth import Role
from rapidreview.v1 import (
    criteria_pb2,
    criteria_pb2_grpc,
    decisions_pb2,
    decisions_pb2_grpc,
    gathering_pb2,
    gathering_pb2_grpc,
    intake_pb2,
    intake_pb2_grpc,
)
from tests.browser.conftest import Web
from tests.browser.rag_cases import _until
from tests.browser.support import REPO, run_async, sign_in

#: The routes that are not about one case (no {case_id} in the path), and why sweeping them with
#: another case's ids means nothing. A new route without a case id must be added here, with its
#: reason, or the sweep fails: nothing escapes by accident.
NOT_ABOUT_ONE_CASE = {
    "/sign-in": "sign-in pages: open to anyone",
    "/sign-in/start": "sign-in pages: open to anyone",
    "/sign-in/callback": "sign-in pages: open to anyone",
    "/sign-out": "signs the person out",
    "/signed-out": "sign-in pages: open to anyone",
    "/livez": "health, no data",
    "/healthz": "health, no data",
    "/": "sends the person to their own home page",
    "/dashboard": "the person's own partnership's cases (read model filtered by partnership)",
    "/cases": "the person's own partnership's cases (intake's ListIncidents as the person)",
    "/my-requests": "the person's own agency's requests",
    "/my-requests/chronology-template.{kind:str}": "a blank template file",
    "/figures": "the person's own partnership's yearly figures",
    "/figures/download.{format}": "the person's own partnership's yearly figures",
    "/access-log": "auditors only, their own partnership's access log",
    "/notify": "a new notification of the person's own (its draft is the person's)",
    "/notify/check": "a new notification of the person's own",
    "/notify/{slug}": "a new notification of the person's own",
}
#: A real value for each path parameter other than the case id.
PARAMETERS = {
    "agency_id": "gp-practice",
    "version": "1",
    "rule_id": "LOCAL.MULTI_AGENCY",
    "slug": "dates",
    "section": "chronology",
    "item": "0a1b2c3d",
    "kind": "csv",
    "format": "pdf",
}
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
HARM_TEXT = "Skull fracture and rib fractures"  # the example notification's description of the harm


@dataclass(frozen=True)
class Target:
    method: str
    path: str  # the route's path as declared
    url: str  # with the parameters filled in


def route_table(web: Web) -> list[Route]:
    """The routes of the workspace app as the running process builds them (same settings)."""
    from rapidreview.workspace.bootstrap import build_app
    from rapidreview.workspace.config import load_workspace_settings

    app = build_app(load_workspace_settings(web.stack.workspace_env()))
    return [r for r in app.routes if isinstance(r, Route)]


def case_targets(web: Web, case_id: str, action_id: str) -> list[Target]:
    """Every method of every route with a case id, filled with `case_id` and real ids of it."""
    routes = route_table(web)
    unswept = {r.path for r in routes if "{case_id}" not in r.path} - set(NOT_ABOUT_ONE_CASE)
    assert not unswept, f"routes neither swept nor listed in NOT_ABOUT_ONE_CASE: {sorted(unswept)}"
    values = {**PARAMETERS, "case_id": case_id, "item_id": action_id}
    targets = []
    for route in routes:
        if "{case_id}" not in route.path:
            continue
        missing = set(PARAMETER.findall(route.path)) - set(values)
        assert not missing, f"{route.path}: no value for {missing} in PARAMETERS"
        url = PARAMETER.sub(lambda m: values[m.group(1)], route.path)
        targets.extend(Target(method, route.path, web.url + url) for method in sorted((route.methods or set()) - {"HEAD"}))
    assert len({t.path for t in targets}) > 60  # the whole table, not a part of it
    return targets


def form_token(page: Page) -> str:
    """The form token of the person's own session (every page's sign-out form carries it)."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    return token


def generic_form(token: str, decision_id: str) -> dict[str, str]:
    """A form with the fields the workspace's forms read, filled as a person would: were a page to
    act before the service checked the person's access, this would be enough to store something."""
    return {
        "csrf_token": token, "step": "confirm", "confirm": "yes", "reason": "Guessed by URL", "reference": "PANEL-GUESS",
        "sent-date-day": "7", "sent-date-month": "6", "sent-date-year": "2024", "decision-id": decision_id,
        "recipient": "NOTIFY.PARTNERS:police", "agency-id": "guessed-agency", "agency-name": "Guessed agency",
        "involved": "yes", "summary": "Guessed by URL", "rationale": "Guessed by URL", "view": "agree", "notify": "yes",
        "report": "none", "milestone": "MILESTONE_FINAL_REPORT_AGREED", "agency_id": PARAMETERS["agency_id"],
    }


def send(page: Page, target: Target, form: dict[str, str]) -> APIResponse:
    if target.method == "GET":
        return page.request.get(target.url, max_redirects=0)
    return page.request.post(target.url, form=form, max_redirects=0)


def assert_refused(page: Page, targets: list[Target], form: dict[str, str], personal: list[str]) -> dict[str, int]:
    """Every target answers 403 or 404 straight away, with one main heading and none of `personal`."""
    answers, problems = {}, []
    for target in targets:
        response = send(page, target, form)
        where = f"{target.method} {target.url}"
        body = response.text()
        if response.status not in (403, 404):
            problems.append(f"{where}: {response.status} {response.headers.get('location', '')}")
        problems.extend(f"{where} shows {text!r}" for text in personal if text in body)
        if len(re.findall(r"<h1\b", body)) != 1:
            problems.append(f"{where}: not one <h1>")
        answers[f"{target.method} {target.path}"] = response.status
    assert problems == [], "\n".join(problems)
    return answers


# -- what the services hold, before and after -----------------------------------------------------

def _md(web: Web, role: Role) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {web.token(role)}"),)


async def _holdings(web: Web, case_id: str) -> dict[str, Any]:
    """Everything the services hold about the case, as the Leeds business unit and auditor read it."""
    def address(service: str) -> str:
        return web.stack.replicas_of(service)[0].address

    bu, auditor = _md(web, Role.BUSINESS_UNIT), _md(web, Role.AUDITOR)
    out: dict[str, Any] = {}
    async with grpc.aio.insecure_channel(address("intake")) as channel:
        out["incident"] = (await intake_pb2_grpc.IntakeServiceStub(channel).GetIncident(
            intake_pb2.GetIncidentRequest(case_id=case_id), metadata=bu, timeout=30)).incident
    async with grpc.aio.insecure_channel(address("gathering")) as channel:
        out["requests"] = await gathering_pb2_grpc.GatheringServiceStub(channel).GetRequestStatus(
            gathering_pb2.GetRequestStatusRequest(case_id=case_id), metadata=bu, timeout=30)
    async with grpc.aio.insecure_channel(address("criteria")) as channel:
        out["evaluations"] = await criteria_pb2_grpc.CriteriaServiceStub(channel).ListEvaluations(
            criteria_pb2.ListEvaluationsRequest(case_id=case_id), metadata=bu, timeout=30)
    async with grpc.aio.insecure_channel(address("decisions")) as channel:
        stub = decisions_pb2_grpc.DecisionServiceStub(channel)
        out["case"] = (await stub.GetCase(decisions_pb2.GetCaseRequest(case_id=case_id), metadata=bu, timeout=30)).case
        out["audit"] = await stub.GetAuditTrail(decisions_pb2.GetAuditTrailRequest(case_id=case_id), metadata=auditor, timeout=30)
    return {name: json_format.MessageToDict(message) for name, message in out.items()}


def holdings(web: Web, case_id: str) -> dict[str, Any]:
    return run_async(_holdings(web, case_id))


def decision_and_action(web: Web, case_id: str) -> tuple[str, str]:
    case = holdings(web, case_id)["case"]
    decision_id = case["decisions"][0]["decisionId"] if case.get("decisions") else ""
    actions = case.get("actions", [])
    return decision_id, actions[0]["actionId"] if actions else str(uuid.uuid4())


async def _case_asked_only_of(web: Web, child_ref: str, agency_id: str) -> str:
    """A new Leeds case whose information requests go to `agency_id` alone, once gathering opened them."""
    request = json_format.Parse((REPO / "docs" / "examples" / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"browser-{uuid.uuid4()}"
    request.notification.child.child_ref = child_ref
    kept = [a for a in request.notification.agencies if a.agency_id == agency_id]
    del request.notification.agencies[:]
    request.notification.agencies.extend(kept)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        case_id = (await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
            request, metadata=_md(web, Role.NOTIFYING_LA), timeout=30)).incident.case_id
    async with grpc.aio.insecure_channel(web.stack.replicas_of("gathering")[0].address) as channel:
        stub = gathering_pb2_grpc.GatheringServiceStub(channel)

        async def opened() -> bool:
            status = await stub.GetRequestStatus(gathering_pb2.GetRequestStatusRequest(case_id=case_id),
                                                 metadata=_md(web, Role.BUSINESS_UNIT), timeout=15)
            return [r.agency.agency_id for r in status.requests] == [agency_id]

        await _until("the information request opened", opened)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("decisions")[0].address) as channel:
        decisions = decisions_pb2_grpc.DecisionServiceStub(channel)

        async def evaluated() -> bool:
            case = (await decisions.GetCase(decisions_pb2.GetCaseRequest(case_id=case_id),
                                            metadata=_md(web, Role.BUSINESS_UNIT), timeout=15)).case
            return bool(case.evaluations)

        await _until("the case's first evaluation in decisions", evaluated)
    return case_id


@pytest.fixture(scope="module")
def gp_only_case(web: Web) -> Iterator[str]:
    yield run_async(_case_asked_only_of(web, f"Child Access {uuid.uuid4().hex[:6]}", "gp-practice"))


# -- the sweeps -------------------------------------------------------------------------------------

#: A person of each role of another partnership; the police lead has the same agency id as Leeds' police lead.
OTHER_PARTNERSHIP = ("demo-bradford-business-unit", "demo-bradford-la-officer", "demo-bradford-police-lead",
                     "demo-bradford-rag-member", "demo-bradford-executive")


@pytest.mark.parametrize("user", OTHER_PARTNERSHIP)
def test_a_person_of_another_partnership_can_neither_open_nor_change_a_case_by_url(web: Web, page: Page, user: str) -> None:
    case_id = web.example_case
    decision_id, action_id = decision_and_action(web, case_id)
    before = holdings(web, case_id)
    sign_in(page, web.url, user)
    form = generic_form(form_token(page), decision_id)
    answers = assert_refused(page, case_targets(web, case_id, action_id), form, ["Child K", HARM_TEXT])
    # The services refuse another partnership's case (PERMISSION_DENIED), or the role may not use the page: 403 on every page.
    assert {where for where, status in answers.items() if status != 403} == set()
    assert holdings(web, case_id) == before  # nothing stored: no new version, decision or audit entry


def test_an_agency_lead_cannot_open_or_change_another_agencys_request_by_url(web: Web, page: Page, gp_only_case: str) -> None:
    before = holdings(web, gp_only_case)
    reference = before["incident"]["notification"]["child"]["childRef"]
    sign_in(page, web.url, "demo-police-lead")
    form = generic_form(form_token(page), "")
    answers = assert_refused(page, case_targets(web, gp_only_case, str(uuid.uuid4())), form, [reference, HARM_TEXT])
    # Gathering shows an agency only its own requests: another agency's is missing (404); every other page is
    # refused for the role (403).
    assert {where: status for where, status in answers.items()
            if status != (404 if where.split()[1].startswith("/my-requests/") else 403)} == {}
    assert holdings(web, gp_only_case) == before
    # ...while the agency that was asked opens the same request.
    page.context.clear_cookies()
    sign_in(page, web.url, "demo-gp-lead")
    assert page.request.get(f"{web.url}/my-requests/{gp_only_case}", max_redirects=0).status == 200


def test_an_agency_lead_opens_no_checklist_decision_or_audit_page_of_a_case_it_was_asked_about(web: Web, page: Page) -> None:
    case_id = web.example_case
    decision_id, action_id = decision_and_action(web, case_id)
    before = holdings(web, case_id)
    sign_in(page, web.url, "demo-police-lead")
    form = generic_form(form_token(page), decision_id)
    targets = [t for t in case_targets(web, case_id, action_id) if not t.path.startswith("/my-requests/")]
    answers = assert_refused(page, targets, form, ["Child K", HARM_TEXT])
    assert {where for where, status in answers.items() if status != 403} == set()  # the role may not: every page 403
    for section in ("checklist", "checklist/summary.pdf", "checklist/criteria/{rule_id}", "decisions", "audit", "collated"):
        assert f"GET /cases/{{case_id}}/{section}" in answers, section
    assert holdings(web, case_id) == before


# -- one main heading on every page ---------------------------------------------------------------------

#: Sign-in pages are left out: opening them would start a new sign-in in the middle of the sweep.
NOT_OPENED = {"/sign-in/start", "/sign-in/callback", "/sign-out"}
PEOPLE = ("demo-la-officer", "demo-business-unit", "demo-police-lead", "demo-rag-member", "demo-executive", "demo-auditor")


def every_page(web: Web, case_id: str, action_id: str) -> list[str]:
    """Every GET route: the case's pages filled with `case_id`, the others with PARAMETERS."""
    urls = [t.url for t in case_targets(web, case_id, action_id) if t.method == "GET"]
    for route in route_table(web):
        if "{case_id}" not in route.path and route.path not in NOT_OPENED and "GET" in (route.methods or set()):
            urls.append(web.url + PARAMETER.sub(lambda m: PARAMETERS[m.group(1)], route.path))
    return urls


@pytest.mark.parametrize("user", PEOPLE)
def test_every_page_a_person_opens_has_exactly_one_main_heading(web: Web, page: Page, user: str) -> None:
    _, action_id = decision_and_action(web, web.example_case)
    sign_in(page, web.url, user)
    problems, shown = [], 0
    for url in every_page(web, web.example_case, action_id):
        response = page.request.get(url, max_redirects=0)
        if "text/html" not in response.headers.get("content-type", ""):
            continue  # a redirect, a file (PDF, CSV), a health answer
        headings = len(re.findall(r"<h1\b", response.text()))
        shown += response.status == 200
        if headings != 1:
            problems.append(f"{url} ({response.status}): {headings} <h1>")
    assert problems == [], "\n".join(problems)
    assert shown >= 5, f"{user} opened only {shown} pages: the sweep did not reach the person's own pages"
