"""A case's information requests in the browser: the business unit sees every agency's request
with its status, due date and working days left, chases one (recorded by gathering and listed with
the reminders), adds agencies, closes and reopens the gathering; every result is checked through
gathering; bad input is named with nothing stored; the advisory group reads without acting; other
roles and partnerships are refused, by URL too."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc
from google.protobuf import json_format
from playwright.sync_api import Locator, Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import gathering_pb2 as G
from rapidreview.v1 import gathering_pb2_grpc
from tests.browser.conftest import Web, _notify
from tests.browser.support import REPO, assert_accessible, run_async, screenshot, sign_in
from tests.support.harness import eventually

EXAMPLE_AGENCIES = 7  # docs/examples/notification.json


async def _status(web: Web, case_id: str) -> G.GetRequestStatusResponse:
    token = web.token(Role.BUSINESS_UNIT)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("gathering")[0].address) as channel:
        return await gathering_pb2_grpc.GatheringServiceStub(channel).GetRequestStatus(
            G.GetRequestStatusRequest(case_id=case_id), metadata=(("authorization", f"Bearer {token}"),), timeout=15)


def status(web: Web, case_id: str) -> G.GetRequestStatusResponse:
    return run_async(_status(web, case_id))


def case_with_requests(web: Web) -> str:
    """A new case of the example's agencies, once gathering has opened their requests (from incident.notified)."""
    aware = WorkingDayCalendar().today() - dt.timedelta(days=1)
    case_id = run_async(_notify(web.stack, f"Child R{uuid.uuid4().hex[:6]}", aware))

    async def opened() -> bool:
        try:
            return len((await _status(web, case_id)).requests) == EXAMPLE_AGENCIES
        except grpc.aio.AioRpcError:
            return False  # NOT_FOUND until gathering has the case

    run_async(eventually(opened, timeout=30, interval=0.2, what="the requests of the new case"))
    return case_id


def reload_until_visible(page: Page, locator: Locator, attempts: int = 20) -> None:
    """Reloads the page until `locator` shows (what the read model shows follows the events)."""
    for _ in range(attempts):
        try:
            expect(locator).not_to_have_count(0, timeout=1000)
            return
        except AssertionError:
            page.reload()
    expect(locator).not_to_have_count(0)


def by_agency(web: Web, case_id: str) -> dict[str, G.InformationRequest]:
    return {r.agency.agency_id: r for r in status(web, case_id).requests}


def test_the_business_unit_sees_every_request_and_chases_an_agency(web: Web, page: Page) -> None:
    case_id = case_with_requests(web)
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}")
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Information requests").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Information requests")
    expect(page).to_have_title("Information requests – Rapid Review")
    expect(page.locator("#gathering")).to_contain_text("0 of 7")
    police = page.locator("#request-west-yorkshire-police")
    expect(police).to_contain_text("West Yorkshire Police")
    expect(police).to_contain_text("Awaited")
    due = by_agency(web, case_id)["west-yorkshire-police"].clock
    expect(police).to_contain_text(f"{dt.date.fromisoformat(due.effective_due).day} {dt.date.fromisoformat(due.effective_due).strftime('%B %Y')}")
    expect(police).to_contain_text("provisional")  # the Panel notification is not recorded yet
    expect(police).to_contain_text("working days left")
    expect(page.locator("#requests tbody tr")).to_have_count(EXAMPLE_AGENCIES)
    assert_accessible(page)

    police.get_by_role("button", name="Chase West Yorkshire Police").click()
    expect(page.locator("#flash")).to_contain_text("West Yorkshire Police chased")
    expect(page.locator("#request-west-yorkshire-police")).to_contain_text("1 time, last on")
    assert by_agency(web, case_id)["west-yorkshire-police"].chase_count == 1
    # The chase reaches the reminders through its event: shown once the read model has it.
    reload_until_visible(page, page.locator("#reminders tr[data-clock='RR.AGENCIES']"))
    expect(page.locator("#reminders tr[data-clock='RR.AGENCIES']")).to_contain_text("Chased by the business unit")
    expect(page.locator("#reminders tr[data-clock='RR.AGENCIES']")).to_contain_text("West Yorkshire Police")
    assert_accessible(page)
    screenshot(page, "case-requests")

    # A second chase the same day sends nothing more.
    page.locator("#request-west-yorkshire-police").get_by_role("button", name="Chase West Yorkshire Police").click()
    expect(page.locator("#flash")).to_contain_text("already chased today")
    assert by_agency(web, case_id)["west-yorkshire-police"].chase_count == 1


async def _submit_gp_return_twice(web: Web, case_id: str) -> None:
    request = json_format.Parse((REPO / "docs" / "examples" / "agency-return-gp-late.json").read_text(), G.SubmitAgencyReturnRequest())
    request.case_id = case_id
    token = web.token(Role.AGENCY, agency="gp-practice")
    async with grpc.aio.insecure_channel(web.stack.replicas_of("gathering")[0].address) as channel:
        stub = gathering_pb2_grpc.GatheringServiceStub(channel)
        await stub.SubmitAgencyReturn(request, metadata=(("authorization", f"Bearer {token}"),), timeout=15)
        request.agency_return.involvement_summary += " Amended after checking the records again."
        await stub.SubmitAgencyReturn(request, metadata=(("authorization", f"Bearer {token}"),), timeout=15)


def test_every_version_of_an_amended_return_is_listed(web: Web, page: Page) -> None:
    case_id = case_with_requests(web)
    run_async(_submit_gp_return_twice(web, case_id))
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/requests")
    gp = page.locator("#request-gp-practice")
    expect(gp).to_contain_text("Returned")
    today = WorkingDayCalendar().today()
    expect(gp).to_contain_text(f"Version 1 received {today.day} {today.strftime('%B %Y')}")
    expect(gp).to_contain_text("Version 2 received")
    expect(page.locator("#gathering")).to_contain_text("1 of 7")
    expect(gp.get_by_role("button")).to_have_count(0)  # returned: nothing to chase
    assert_accessible(page)


def test_the_business_unit_adds_agencies_and_bad_input_stores_nothing(web: Web, page: Page) -> None:
    case_id = case_with_requests(web)
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/requests")
    page.get_by_role("link", name="Add an agency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agency")
    page.get_by_role("button", name="Ask for information").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the name of at least one agency")
    page.get_by_label("Name").fill("Leeds Probation")
    page.get_by_label("Agency id (optional)").fill("Not An Id")
    page.get_by_role("button", name="Ask for information").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the kind of agency 1")
    expect(summary).to_contain_text("The agency id of agency 1 must be 2 to 64 lower-case letters")
    expect(page.get_by_label("Name")).to_have_value("Leeds Probation")
    assert_accessible(page)
    assert len(status(web, case_id).requests) == EXAMPLE_AGENCIES

    page.get_by_label("Kind of agency").select_option(label="Probation service")
    page.get_by_label("Agency id (optional)").fill("")
    page.get_by_role("button", name="Ask for information").click()
    expect(page.locator("#flash")).to_contain_text("Leeds Probation was asked for information, due")
    expect(page.locator("#request-leeds-probation")).to_contain_text("added on")
    assert by_agency(web, case_id)["leeds-probation"].source == G.REQUEST_SOURCE_ADDED

    page.get_by_role("link", name="Ask several agencies").click()
    page.get_by_label("Name").fill("Youth Justice Service")
    page.get_by_label("Kind of agency").select_option(label="Youth justice service")
    page.get_by_role("button", name="Add another agency").click()
    second = page.locator("#agency-1")
    second.get_by_label("Name").fill("GP practice")
    second.get_by_label("Kind of agency").select_option(label="GP practice")
    second.get_by_label("Agency id (optional)").fill("gp-practice")
    assert_accessible(page)
    page.get_by_role("button", name="Ask for information").click()
    expect(page.locator("#flash")).to_contain_text("Asked for information: Youth Justice Service.")
    expect(page.locator("#flash")).to_contain_text("Already asked before, left as they were: GP practice.")
    assert len(status(web, case_id).requests) == EXAMPLE_AGENCIES + 2


def test_the_business_unit_closes_and_reopens_the_gathering(web: Web, page: Page) -> None:
    case_id = case_with_requests(web)
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/requests")
    page.get_by_role("link", name="Close the gathering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close the information gathering?")
    expect(page.locator("#missing li")).to_have_count(EXAMPLE_AGENCIES)
    assert_accessible(page)
    screenshot(page, "case-requests-close")
    assert status(web, case_id).status == G.GATHERING_STATUS_OPEN  # nothing until confirmed
    page.get_by_role("button", name="Close the gathering").click()
    expect(page.locator("#flash")).to_contain_text("with 7 returns missing")
    expect(page.locator("#gathering")).to_contain_text("Closed")
    expect(page.locator("#request-gp-practice")).to_contain_text("Not returned")
    expect(page.get_by_role("button", name="Chase West Yorkshire Police")).to_have_count(0)
    assert status(web, case_id).status == G.GATHERING_STATUS_CLOSED

    page.get_by_role("link", name="Reopen the gathering").click()
    page.get_by_role("button", name="Reopen the gathering").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the gathering is reopened")
    assert_accessible(page)
    assert status(web, case_id).status == G.GATHERING_STATUS_CLOSED
    page.get_by_label("Why is the gathering reopened?").fill("The police found further records of contact.")
    page.get_by_role("button", name="Reopen the gathering").click()
    expect(page.locator("#flash")).to_contain_text("The gathering is open again")
    expect(page.locator("#gathering")).to_contain_text("Open")
    assert status(web, case_id).status == G.GATHERING_STATUS_OPEN


def test_the_advisory_group_reads_the_requests_but_cannot_act(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{web.overdue_case}/requests")
    expect(page.locator("#requests")).to_contain_text("West Yorkshire Police")
    expect(page.get_by_role("button", name="Chase West Yorkshire Police")).to_have_count(0)
    expect(page.locator("#gathering-actions")).to_have_count(0)
    assert_accessible(page)
    before = by_agency(web, web.overdue_case)["west-yorkshire-police"].chase_count
    token = page.evaluate("document.querySelector('input[name=csrf_token]').value")
    answer = page.request.post(f"{web.url}/cases/{web.overdue_case}/requests/chase",
                               form={"csrf_token": token, "agency_id": "west-yorkshire-police"}, max_redirects=0)
    assert answer.status == 403
    assert by_agency(web, web.overdue_case)["west-yorkshire-police"].chase_count == before


def test_other_roles_and_partnerships_cannot_open_the_requests_by_url(web: Web, page: Page) -> None:
    for user in ("demo-gp-lead", "demo-la-officer", "demo-executive", "demo-auditor", "demo-bradford-business-unit"):
        sign_in(page, web.url, user)
        for path in ("requests", "requests/add", "requests/close"):
            response = page.goto(f"{web.url}/cases/{web.overdue_case}/{path}")
            assert response is not None and response.status == 403, (user, path)
            expect(page.get_by_text("Child Overdue")).to_have_count(0)
            expect(page.locator("#requests")).to_have_count(0)
        page.context.clear_cookies()
    assert_accessible(page)
