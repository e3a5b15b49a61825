"""The business unit's other commands through the browser: a statutory clock extended with its
reason (intake ExtendClock) and the review's six-month target (decisions RecordExtension), the
action plan (add, then complete with evidence), milestones and progress checks, and re-evaluating
the criteria — bad input refused with the error summary and nothing stored, checked through the services."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from rapidreview.v1 import decisions_pb2 as D
from tests.browser.conftest import Web
from tests.browser.decision_cases import case_at, case_state, incident
from tests.browser.support import assert_accessible, screenshot, sign_in
from tests.browser.test_decisions_review import error_summary, fill_date


def test_a_clock_is_extended_with_its_reason_and_the_statutory_due_date_stays_visible(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Extend", "notified")  # RR.DEADLINE due 28 June 2024, running
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page.locator("#stage")).to_contain_text("Awaiting the advisory group's recommendation")
    page.get_by_role("link", name="Extend a statutory clock").click()
    page.get_by_role("button", name="Continue").click()
    assert error_summary(page) == ["Select which clock", "Enter the new due date", "Enter why the clock is extended"]
    assert_accessible(page)
    page.get_by_label("Rapid review to the Panel (RR.DEADLINE)").check()
    fill_date(page, "extended-to", "5", "7", "2024")
    page.locator("#reason").fill("x" * 2001)
    page.get_by_role("button", name="Continue").click()
    assert error_summary(page) == ["Why the clock is extended must be 2,000 characters or fewer"]
    page.locator("#reason").fill("Criminal investigation: police asked for the chronology to wait for interviews.")
    fill_date(page, "extended-to", "20", "6", "2024")  # before the due date in force: the service refuses it
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Extend the clock").click()
    summary = error_summary(page)
    assert len(summary) == 1 and summary[0].startswith("New due date:"), summary
    assert not any(c.extensions for c in incident(web, case_id).clocks)  # nothing stored

    fill_date(page, "extended-to", "5", "7", "2024")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#answers [data-field='reason']")).to_contain_text("Criminal investigation")
    page.get_by_role("button", name="Extend the clock").click()
    expect(page.locator("#recorded")).to_contain_text("RR.DEADLINE: now due 5 July 2024 (statutory due date 28 June 2024).")
    clock = next(c for c in incident(web, case_id).clocks if c.id == "RR.DEADLINE")
    assert clock.effective_due == "2024-07-05" and clock.extensions[0].reason.startswith("Criminal investigation")
    page.goto(f"{web.url}/cases/{case_id}")
    expect(page.locator("#clocks tr[data-clock='RR.DEADLINE']")).to_contain_text("extended; was 28 June 2024")


def test_the_action_plan_takes_an_action_and_its_completion_with_evidence(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Actions", "decided")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions/add-action")
    page.locator("#owner").fill("gp-practice")
    fill_date(page, "due-date", "31", "9", "2024")
    fill_date(page, "agreed-on", "30", "2", "2024")
    page.get_by_role("button", name="Add the action").click()
    assert error_summary(page) == ["Enter what is to be done", "Due date must be a real date", "Date agreed must be a real date"]
    assert len(case_state(web, case_id).actions) == 0
    page.locator("#description").fill("Re-issue the bruising protocol to every GP practice and confirm receipt.")
    fill_date(page, "due-date", "30", "9", "2024")
    fill_date(page, "agreed-on", "24", "6", "2024")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#recorded")).to_contain_text("Owned by gp-practice, due 30 September 2024.")
    page.get_by_role("link", name="Back to decisions and review").click()
    row = page.locator("#actions tbody tr").first
    expect(row).to_contain_text("Re-issue the bruising protocol")
    expect(row).to_contain_text("Overdue")  # open and past its due date
    assert_accessible(page)

    row.get_by_role("link", name="Update").click()
    page.get_by_label("Completed", exact=True).check()
    page.get_by_role("button", name="Update the action").click()
    assert error_summary(page) == ["Enter evidence of completion", "Enter the date completed"]
    page.locator("#evidence").fill("Protocol re-issued on 2 September; 87 of 87 practices confirmed.")
    fill_date(page, "completed-on", "2", "9", "2024")
    page.get_by_role("button", name="Update the action").click()
    expect(page.locator("#confirmation")).to_contain_text("Action updated")
    action = case_state(web, case_id).actions[0]
    assert action.status == D.ACTION_STATUS_COMPLETED and action.closed_on == "2024-09-02"
    page.get_by_role("link", name="Back to decisions and review").click()
    expect(page.locator("#actions tbody tr").first).to_contain_text("Completed")
    expect(page.locator("#actions tbody tr").first.get_by_role("link", name="Update")).to_have_count(0)  # closed: no change


def test_milestones_progress_checks_and_an_extension_of_the_six_month_target(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Milestones", "commissioned")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions/milestone")
    page.get_by_label("The final report was sent to the Panel and the Secretary of State").check()
    fill_date(page, "occurred-on", "11", "12", "2024")
    page.get_by_role("button", name="Record the milestone").click()
    expect(page.locator(".govuk-error-summary__title")).to_have_text("This cannot be recorded")
    assert error_summary(page)[0].startswith("The final report is not agreed")
    assert not case_state(web, case_id).review.milestones  # refused: nothing stored
    page.get_by_label("The family was told of the review").check()
    page.get_by_role("button", name="Record the milestone").click()
    expect(page.locator("#recorded")).to_contain_text("The family was told of the review: 11 December 2024.")

    page.goto(f"{web.url}/cases/{case_id}/decisions/progress-check")
    fill_date(page, "checked-on", "19", "8", "2024")
    page.locator("#findings").fill("Chronology complete; the draft is on schedule.")
    page.locator("#written-request-made").check()  # Yes, but no request written
    page.get_by_role("button", name="Continue").click()
    assert error_summary(page) == ["Enter the written request"]
    page.locator("#written-request").fill("Please send the first draft by 16 September.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the progress check").click()
    expect(page.locator("#recorded")).to_contain_text("Next progress check due")

    page.goto(f"{web.url}/cases/{case_id}/decisions/extend-review")
    page.get_by_label("Criminal proceedings").check()
    page.locator("#explanation").fill("The trial is listed for February 2025.")
    fill_date(page, "extended-to", "31", "3", "2025")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the extension").click()
    expect(page.locator("#recorded")).to_contain_text("Complete and publish by 31 March 2025 (POST.SIX_MONTHS; the original target was 26 December 2024).")
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page.locator("#clocks tr[data-clock='POST.SIX_MONTHS']")).to_contain_text("extended; was 26 December 2024")
    expect(page.locator("#people")).to_contain_text("The family was told of the review: 11 December 2024")
    expect(page.locator("#progress-checks")).to_contain_text("Please send the first draft by 16 September.")
    expect(page.locator("#review-extensions")).to_contain_text("Criminal proceedings")
    assert_accessible(page)
    screenshot(page, "decisions-review-in-progress")


def test_the_business_unit_re_evaluates_the_criteria_with_a_reason(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Reevaluate", "notified")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions/reevaluate")
    expect(page.locator("#edition")).to_be_checked()  # keep the pinned edition by default
    page.get_by_role("button", name="Continue").click()
    assert error_summary(page) == ["Enter why the criteria are evaluated again"]
    page.locator("#reason").fill("The police return arrived after the collation.")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#answers [data-field='edition']")).to_contain_text("Keep the edition the case is pinned to")
    page.get_by_role("button", name="Re-evaluate").click()
    expect(page.locator("#confirmation")).to_contain_text("Criteria re-evaluated")
    page.goto(f"{web.url}/cases/{case_id}/documents")
    expect(page.locator("#evaluations tbody tr").first).to_contain_text("Re-evaluated by the business unit")
