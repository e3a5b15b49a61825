"""The business unit's dashboard through the browser, on the read model fed by the stack's events."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, screenshot, sign_in


def test_dashboard_lists_the_partnerships_open_cases_with_their_clocks(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    table = page.locator("#cases")
    overdue_row = table.locator(f"tr[data-case='{web.overdue_case}']")
    expect(overdue_row).to_contain_text("Child Overdue", timeout=30_000)  # the read model follows the events
    expect(overdue_row.locator("[data-clock='NOTIFY.DEADLINE']")).to_contain_text("Overdue")
    soon_row = table.locator(f"tr[data-case='{web.due_soon_case}']")
    expect(soon_row.locator("[data-clock='NOTIFY.DEADLINE']")).to_contain_text("Due this week")
    assert_accessible(page)
    screenshot(page, "dashboard")


def test_dashboard_filters_overdue_due_within_and_reference(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    expect(page.locator(f"#cases tr[data-case='{web.due_soon_case}']")).to_have_count(1, timeout=30_000)
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    assert "overdue=yes" in page.url
    expect(page.locator(f"#cases tr[data-case='{web.overdue_case}']")).to_have_count(1)
    expect(page.locator(f"#cases tr[data-case='{web.due_soon_case}']")).to_have_count(0)
    page.goto(f"{web.url}/dashboard?reference=Child+Soon")
    expect(page.locator("#cases tbody tr")).to_have_count(1)
    expect(page.locator(f"#cases tr[data-case='{web.due_soon_case}']")).to_have_count(1)
    page.goto(f"{web.url}/dashboard?due_within=60")
    expect(page.locator(f"#cases tr[data-case='{web.due_soon_case}']")).to_have_count(1)
    expect(page.locator(f"#cases tr[data-case='{web.example_case}']")).to_have_count(0)  # its clocks are met
    page.get_by_label("Stage").select_option(label="Notified: Panel notification to record")
    page.get_by_role("button", name="Apply filters").click()
    assert "stage=notified" in page.url
    expect(page.locator(f"#cases tr[data-case='{web.overdue_case}']")).to_have_count(1)
    assert_accessible(page)


def test_the_example_case_is_shown_with_closed_cases_and_its_clocks_met(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    expect(page.locator(f"#cases tr[data-case='{web.due_soon_case}']")).to_have_count(1, timeout=30_000)
    expect(page.locator(f"#cases tr[data-case='{web.example_case}']")).to_have_count(0)  # published: nothing more to do
    page.get_by_label("Include closed cases").check()
    page.get_by_role("button", name="Apply filters").click()
    row = page.locator(f"#cases tr[data-case='{web.example_case}']")
    expect(row).to_contain_text("Child K")
    expect(row.locator("[data-clock='NOTIFY.DEADLINE']")).to_contain_text("due 11 June 2024")
    expect(row.locator("[data-clock='NOTIFY.DEADLINE']")).to_contain_text("Done")
    expect(row.locator("[data-clock='RR.DEADLINE']")).to_contain_text("due 28 June 2024")
    row.get_by_role("link", name="Child K").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case overview")
    assert_accessible(page)


def test_dashboard_refuses_a_bad_filter_with_the_error_summary(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/dashboard?due_within=lots")
    expect(page.get_by_role("alert")).to_contain_text("Enter a whole number of working days")
    expect(page).to_have_title("Error: Dashboard – Rapid Review")
    expect(page.locator("#due_within")).to_have_value("lots")
    page.get_by_role("link", name="Enter a whole number of working days from 1 to 60").click()
    expect(page.locator("#due_within")).to_be_focused()
    assert_accessible(page)
    screenshot(page, "dashboard-error")


def test_another_partnerships_business_unit_sees_none_of_these_cases(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-bradford-business-unit")
    assert page.url == f"{web.url}/dashboard"
    page.goto(f"{web.url}/dashboard?closed=yes")
    expect(page.locator("#dashboard-counts")).to_be_visible()
    expect(page.get_by_text("Child K")).to_have_count(0)
    expect(page.get_by_text("Child Overdue")).to_have_count(0)
