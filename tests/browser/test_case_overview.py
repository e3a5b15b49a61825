"""The case overview as each reader sees it: duties by RULES.md ID with outcome and rationale,
both clocks, the next step, read from intake as the signed-in person; links to the advisory group's
and the Executive's forms for those who record them, at their step; other partnerships and agencies
cannot open it, by URL either."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.v1 import decisions_pb2 as D
from tests.browser.conftest import Web
from tests.browser.decision_cases import Calls, _example, case_at, case_state
from tests.browser.support import assert_accessible, run_async, screenshot, sign_in


def test_overview_shows_duties_clocks_and_next_step_of_the_example_case(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{web.example_case}")
    expect(page).to_have_title("Case overview – Rapid Review")  # no child reference in the title
    expect(page.get_by_text("Case Child K")).to_be_visible()
    duties = page.locator("#duties")
    for rule in ("DEF.SERIOUS_CASE", "NOTIFY.PANEL_IN_AREA", "NOTIFY.PARTNERS", "RR.REQUIRED"):
        expect(duties.locator(f"tr[data-rule='{rule}']")).to_contain_text("Met")
    expect(duties.locator("tr[data-rule='NOTIFY.PANEL_IN_AREA']")).to_contain_text("must notify the Panel")
    clocks = page.locator("#clocks")
    expect(clocks.locator("tr[data-clock='NOTIFY.DEADLINE']")).to_contain_text("11 June 2024")
    expect(clocks.locator("tr[data-clock='NOTIFY.DEADLINE']")).to_contain_text("Done 7 June 2024")
    expect(clocks.locator("tr[data-clock='RR.DEADLINE']")).to_contain_text("28 June 2024")
    expect(page.locator("#next-step")).to_contain_text("decision is recorded")
    expect(page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    assert_accessible(page)
    screenshot(page, "case-overview")
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_overview_of_an_open_case_names_the_overdue_clock_and_the_next_duty(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{web.overdue_case}")
    row = page.locator("#clocks tr[data-clock='NOTIFY.DEADLINE']")
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("working days overdue")
    expect(page.locator("#next-step")).to_contain_text("Record the notification to the Panel")
    expect(page.locator("#next-step")).to_contain_text("(NOTIFY.DEADLINE)")
    assert_accessible(page)


def test_the_case_list_shows_the_partnerships_cases_with_their_clocks(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-executive")
    assert page.url == f"{web.url}/cases"
    row = page.locator(f"#case-list tr[data-case='{web.overdue_case}']")
    expect(row).to_contain_text("Child Overdue")
    expect(row.locator("[data-clock='NOTIFY.DEADLINE']")).to_contain_text("Overdue")
    expect(page.locator(f"#case-list tr[data-case='{web.example_case}']")).to_contain_text("Decided")
    assert_accessible(page)
    screenshot(page, "case-list")
    row.get_by_role("link", name="Child Overdue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case overview")
    expect(page.get_by_role("link", name="Cases")).to_have_attribute("aria-current", "true")


def test_a_person_of_another_partnership_cannot_open_the_case_by_url(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-bradford-business-unit")
    response = page.goto(f"{web.url}/cases/{web.example_case}")
    # intake decides: PERMISSION_DENIED ("another partnership") becomes the 403 page
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")
    expect(page.get_by_text("Child K")).to_have_count(0)
    expect(page.locator("#duties")).to_have_count(0)
    assert_accessible(page)


def test_an_agency_lead_cannot_open_a_case_overview(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-gp-lead")
    response = page.goto(f"{web.url}/cases/{web.example_case}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")


def test_a_case_id_that_is_not_one_is_a_missing_page(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    response = page.goto(f"{web.url}/cases/not-a-case")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)


def test_the_overview_links_the_advisory_groups_and_the_executives_forms_to_those_who_record_them(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Links", "notified")  # evaluated: awaiting the advisory group's recommendation
    recommend, decide = "#recommendation_start", "#decision_start"
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{case_id}")
    expect(page.locator("#case-actions").locator(recommend)).to_have_text("Record the advisory group's recommendation")
    expect(page.locator(decide)).to_have_count(0)
    assert_accessible(page)
    page.locator(recommend).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the recommendation")
    page.context.clear_cookies()
    for user in ("demo-executive", "demo-business-unit"):  # the Executive's step is not there yet; the business unit records neither
        sign_in(page, web.url, user)
        page.goto(f"{web.url}/cases/{case_id}")
        expect(page.locator(recommend)).to_have_count(0)
        expect(page.locator(decide)).to_have_count(0)
        page.context.clear_cookies()
    request = _example("recommendation", D.RecordRecommendationRequest, case_id)
    request.evaluation_id = case_state(web, case_id).evaluations[-1].evaluation_id
    request.idempotency_key = f"browser-{uuid.uuid4()}"
    run_async(Calls(web).decisions("RecordRecommendation", request, Role.RAG_MEMBER))
    sign_in(page, web.url, "demo-executive")
    page.goto(f"{web.url}/cases/{case_id}")
    expect(page.locator("#case-actions").locator(decide)).to_have_text("Record the Executive's decision")
    expect(page.locator(recommend)).to_have_count(0)
    page.locator(decide).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the Executive's decision")
