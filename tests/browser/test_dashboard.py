"""The business unit's dashboard through the browser, on the read model fed by the stack's events."""

from __future__ import annotations

import time

import grpc
from playwright.sync_api import Locator, Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, run_async, screenshot, sign_in
from tests.browser.test_duty_notifications import looked_after_death, notify


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


async def _record_sent(web: Web, case_id: str, duty: str, recipient: int) -> None:
    token = web.token(Role.NOTIFYING_LA)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        await intake_pb2_grpc.IntakeServiceStub(channel).RecordNotificationSent(intake_pb2.RecordNotificationSentRequest(
            case_id=case_id, duty=duty, recipient=recipient, sent_date=WorkingDayCalendar().today().isoformat()),
            metadata=(("authorization", f"Bearer {token}"),), timeout=15)


def _shown_after_reloads(page: Page, url: str, locator: Locator, text: str, within: float = 30.0) -> None:
    """The dashboard has no live updates: reload it until the read model has caught up (bounded)."""
    deadline = time.monotonic() + within
    while True:
        page.goto(url)
        try:
            expect(locator).to_contain_text(text, timeout=1_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def test_a_looked_after_childs_death_shows_its_own_clock_and_who_is_still_to_be_told(web: Web, page: Page) -> None:
    case_id = notify(web, looked_after_death)  # no abuse suspected: no Panel notification, no rapid review
    sign_in(page, web.url, "demo-business-unit")
    row = page.locator(f"#cases tr[data-case='{case_id}']")
    lac = row.locator("[data-clock='NOTIFY.LAC_DEATH']")
    _shown_after_reloads(page, f"{web.url}/dashboard", lac, "Tell the Secretary of State and Ofsted")
    expect(lac).to_contain_text("Due this week")
    expect(row.locator("[data-clock='NOTIFY.DEADLINE']")).to_have_count(0)
    expect(row).to_contain_text("Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH)")
    assert_accessible(page)

    run_async(_record_sent(web, case_id, "NOTIFY.LAC_DEATH", intake_pb2.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE))
    _shown_after_reloads(page, f"{web.url}/dashboard", row, "Notify Ofsted (NOTIFY.LAC_DEATH)")
    run_async(_record_sent(web, case_id, "NOTIFY.LAC_DEATH", intake_pb2.NOTIFICATION_RECIPIENT_OFSTED))
    _shown_after_reloads(page, f"{web.url}/dashboard?closed=yes", lac, "Done")
