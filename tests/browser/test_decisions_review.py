"""Decisions and review, through the browser as the business unit: the case's decision process as
the services hold it, and the commands on it — the Panel submission (with the rapid review report)
and response, commissioning (a reviewer who is not independent refused), milestones and
publication (refused before POST.PRESEND and while identifying details remain) — each checked
through the services: recorded when confirmed, nothing stored when refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from rapidreview.v1 import decisions_pb2 as D
from tests.browser.conftest import Web
from tests.browser.decision_cases import case_at, case_state
from tests.browser.support import assert_accessible, screenshot, sign_in


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def fill_date(page: Page, field: str, day: str, month: str, year: str) -> None:
    page.locator(f"#{field}-day").fill(day)
    page.locator(f"#{field}-month").fill(month)
    page.locator(f"#{field}-year").fill(year)


def error_summary(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".govuk-error-summary__list li").all_inner_texts()]


def test_the_business_unit_records_the_panel_submission_with_the_report_after_a_refused_date(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Submit", "decided")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page).to_have_title("Decisions and review – Rapid Review")
    expect(page.locator("#stage")).to_contain_text("To send to the Panel")
    expect(page.locator("#next-step")).to_contain_text("Send the rapid review and the decision to the Panel by 28 June 2024")
    expect(page.locator("#recommendation")).to_contain_text("Hold a local child safeguarding practice review")
    expect(page.locator("#recommendation")).to_contain_text("24 June 2024")
    expect(page.locator("#decision")).to_contain_text("Agrees with the recommendation")
    expect(page.locator("#decision")).to_contain_text("26 June 2024")
    expect(page.locator("#clocks tr[data-clock='POST.INFORM']")).to_contain_text("3 July 2024")
    expect(page.locator("#commands")).to_contain_text("Record the Panel submission")
    expect(page.locator("#commands")).not_to_contain_text("Record the Panel's response")
    assert_accessible(page)
    screenshot(page, "decisions-to-send")

    page.get_by_role("link", name="Record the Panel submission").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the Panel submission")
    page.locator("#panel-reference").fill("CSPRP-2024-0999")
    fill_date(page, "sent-date", "30", "2", "2024")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Record the Panel submission – Rapid Review")
    assert error_summary(page) == ["Date sent to the Panel must be a real date"]
    expect(page.locator("#panel-reference")).to_have_value("CSPRP-2024-0999")  # the input is kept
    assert_accessible(page)
    fill_date(page, "sent-date", "27", "6", "2099")
    page.get_by_role("button", name="Continue").click()
    assert error_summary(page) == ["Date sent to the Panel must be today or in the past"]
    assert len(case_state(web, case_id).panel_submissions) == 0  # nothing stored

    fill_date(page, "sent-date", "27", "6", "2024")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#check-heading")).to_have_text("Check your answers")
    answers = page.locator("#answers")
    expect(answers.locator("[data-field='sent-date']")).to_contain_text("27 June 2024")
    expect(answers.locator("[data-field='report']")).to_contain_text("Render the report for this date")
    expect(page.locator("#check-note")).to_contain_text("due with the Panel by 28 June 2024")
    assert_accessible(page)
    screenshot(page, "decisions-submission-check")
    answers.locator("[data-field='panel-reference'] button").click()  # Change: back to the form, answers kept
    expect(page.locator("#panel-reference")).to_have_value("CSPRP-2024-0999")
    expect(page.locator("#sent-date-day")).to_have_value("27")
    page.get_by_role("button", name="Continue").click()
    assert len(case_state(web, case_id).panel_submissions) == 0  # nothing until confirmed
    page.get_by_role("button", name="Record the Panel submission").click()

    expect(page.locator("#confirmation")).to_contain_text("Panel submission recorded")
    expect(page.locator("#recorded")).to_contain_text("Sent to the Panel on 27 June 2024, in time for RR.DEADLINE (28 June 2024)")
    assert_accessible(page)
    screenshot(page, "decisions-submission-done")
    assert page.csp_violations == []  # type: ignore[attr-defined]
    state = case_state(web, case_id)
    assert len(state.panel_submissions) == 1
    sent = state.panel_submissions[0]
    assert sent.sent_date == "2024-06-27" and sent.panel_reference == "CSPRP-2024-0999" and not sent.late
    assert sent.report.report_id and {d.format for d in sent.report.digests} == {D.REPORT_FORMAT_PDF, D.REPORT_FORMAT_DOCX}
    page.get_by_role("link", name="Back to decisions and review").click()
    expect(page.locator("#stage")).to_contain_text("Awaiting the Panel's response")
    expect(page.locator("#submissions")).to_contain_text("CSPRP-2024-0999")
    expect(page.locator("#submissions")).to_contain_text("In time")
    expect(page.locator("#submissions")).to_contain_text("PDF SHA-256 " + sent.report.digests[0].sha256[:12])


def test_commissioning_refuses_a_reviewer_involved_with_an_agency_of_the_case_and_stores_nothing(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Commission", "submitted")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions/panel-response")
    page.get_by_label("The Panel agrees with the decision").check()
    fill_date(page, "responded-on", "15", "7", "2024")
    page.locator("#summary").fill("The Panel agrees that a local review is appropriate.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the Panel's response").click()
    expect(page.locator("#confirmation")).to_contain_text("Panel's response recorded")
    expect(page.locator("#recorded")).to_contain_text("Next: commission the local child safeguarding practice review.")

    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page.locator("#response-1")).to_contain_text("The Panel agrees with the decision")
    page.get_by_role("link", name="Commission the local review").click()
    page.locator("#reviewer-name").fill("A. Reviewer (example)")
    page.locator("#reviewer-organisation").fill("Independent practice")
    page.locator("#involved-in-case-2").check()  # No
    page.locator("#involvements-0-agency_id").fill("bradford-childrens-services")
    page.locator("#involvements-0-agency_name").fill("Bradford children's services")
    page.locator("#involvements-0-description").fill("Employed 2015 to 2019")
    page.get_by_role("button", name="Add another involvement").click()  # the "add another" pattern, without JavaScript
    expect(page.locator("#involvements-0-agency_id")).to_have_value("bradford-childrens-services")
    page.locator("#involvements-1-agency_id").fill("gp-practice")
    page.locator("#involvements-1-agency_name").fill("GP practice")
    page.locator("#involvements-1-description").fill("Clinical audit 2020")
    page.locator("#terms-of-reference").fill("Bruising protocols and domestic abuse information sharing.")
    fill_date(page, "commissioned-on", "22", "7", "2024")
    page.get_by_role("button", name="Continue").click()
    assert error_summary(page) == ["Confirm the reviewer has declared every past involvement"]
    page.locator("#declaration").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#answers [data-field='involvements']")).to_contain_text("gp-practice")
    page.get_by_role("button", name="Commission the review").click()

    expect(page).to_have_title("Error: Commission the local review – Rapid Review")
    expect(page.locator(".govuk-error-summary__title")).to_have_text("This cannot be recorded")
    summary = error_summary(page)
    assert len(summary) == 1 and summary[0].startswith("POST.REVIEWER_INDEPENDENT: the reviewer is not independent")
    assert "gp-practice" in summary[0]
    expect(page.locator("#involvements-1-agency_id")).to_have_value("gp-practice")  # the answers are kept
    assert_accessible(page)
    screenshot(page, "decisions-commission-refused")
    assert not case_state(web, case_id).review.review_id  # nothing stored

    page.get_by_role("button", name="Remove involvement 2").click()
    expect(page.locator("#involvements-1-agency_id")).to_have_count(0)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Commission the review").click()
    expect(page.locator("#confirmation")).to_contain_text("Local review commissioned")
    expect(page.locator("#recorded")).to_contain_text("Complete and publish by 26 December 2024 (POST.SIX_MONTHS)")
    review = case_state(web, case_id).review
    assert review.reviewer.name == "A. Reviewer (example)" and [i.agency_id for i in review.reviewer.involvements] == ["bradford-childrens-services"]


def test_publication_is_refused_while_details_remain_and_before_the_presend_date_then_recorded(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Publish", "report_sent")  # agreed 4 Dec, family saw 10 Dec, sent 11 Dec 2024
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    readiness = page.locator("#readiness")
    expect(readiness.locator("[data-rule='POST.PRESEND']")).to_contain_text("publish from 20 December 2024")
    expect(readiness.locator("[data-rule='POST.FAMILY']")).to_contain_text("Done")
    page.get_by_role("link", name="Add an identifying detail").click()
    page.get_by_label("A person's name").check()
    page.locator("#name").fill("Wrenfield")
    page.locator("#label").fill("mother's surname")
    page.get_by_role("button", name="Add the detail").click()
    expect(page.locator("#recorded")).to_contain_text("The case now has 2 identifying details")

    page.goto(f"{web.url}/cases/{case_id}/decisions/publish")
    page.get_by_label("The report", exact=True).check()
    fill_date(page, "published-on", "19", "12", "2024")
    page.locator("#location").fill("https://example.org/leeds/cspr-child-p")
    page.locator("#themes").fill("Bruising in non-mobile babies\nDomestic abuse information sharing")
    page.locator("#text").fill("Child P: a review.\nChild P's mother, Ms Wrenfield, was not asked.")
    page.get_by_role("button", name="Continue").click()
    summary = error_summary(page)
    assert len(summary) == 1 and summary[0].startswith("The text still contains 1 identifying detail (POST.ANONYMISED): mother's surname at line 2, column ")
    assert_accessible(page)

    page.locator("#text").fill("Child P: a review.\nChild P's mother was not asked.")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#check-note")).to_contain_text("No identifying detail of the case was found in the text.")
    page.get_by_role("button", name="Record the publication").click()
    expect(page.locator(".govuk-error-summary__title")).to_have_text("This cannot be recorded")
    assert "earliest allowed publication date is 2024-12-20" in error_summary(page)[0]
    expect(page.locator("#published-on-day")).to_have_value("19")
    assert not case_state(web, case_id).publication.review_id  # nothing stored

    fill_date(page, "published-on", "20", "12", "2024")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the publication").click()
    expect(page.locator("#recorded")).to_contain_text("The report, published 20 December 2024.")
    expect(page.locator("#recorded")).to_contain_text("Publicly available at least until 20 December 2025.")
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page.locator("#stage")).to_contain_text("Published")
    expect(page.locator("#publication")).to_contain_text("Bruising in non-mobile babies")
    assert_accessible(page)
    assert case_state(web, case_id).publication.learning_themes == ["Bruising in non-mobile babies", "Domestic abuse information sharing"]


def test_check_your_answers_and_add_another_work_without_javascript(web: Web, page_without_js: Page) -> None:
    page = page_without_js
    case_id = case_at(web, "Child No Script", "responded")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    page.get_by_role("link", name="Commission the local review").click()
    page.locator("#involvements-0-agency_id").fill("bradford-childrens-services")
    page.get_by_role("button", name="Add another involvement").click()
    page.get_by_role("button", name="Add another member").click()
    expect(page.locator("#involvements-1-agency_id")).to_be_visible()
    expect(page.locator("#panel-1-name")).to_be_visible()
    expect(page.locator("#involvements-0-agency_id")).to_have_value("bradford-childrens-services")
    page.get_by_role("button", name="Remove involvement 1").click()
    expect(page.locator("#involvements-1-agency_id")).to_have_count(0)
    expect(page.locator("#involvements-0-agency_id")).to_have_value("")  # the second (empty) one moved up
    page.locator("#reviewer-name").fill("A. Reviewer (example)")
    page.locator("#involved-in-case-2").check()
    page.locator("#terms-of-reference").fill("Bruising protocols.")
    fill_date(page, "commissioned-on", "22", "7", "2024")
    page.locator("#declaration").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#answers [data-field='involvements']")).to_contain_text("Not given")
    page.locator("#answers [data-field='reviewer-name'] button").click()
    expect(page.locator("#reviewer-name")).to_have_value("A. Reviewer (example)")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Commission the review").click()
    expect(page.locator("#confirmation")).to_contain_text("Local review commissioned")
    assert case_state(web, case_id).review.reviewer.name == "A. Reviewer (example)"
