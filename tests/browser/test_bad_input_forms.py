"""Bad input through the forms not covered elsewhere: the notifications the duties need, the
decision on an agency's referral, the amendment of a notification, and the review's commands
(commissioning, milestones, progress checks, the six-month extension, publication, a clock's
extension) and the Executive's decision. Impossible dates (30 February),
future dates, empty required answers and over-long text: the GOV.UK error summary names each field
and links to it, what the person typed is kept, and nothing is stored (checked through the services).
Each test works on a case of its own."""

from __future__ import annotations

import datetime as dt
import uuid

from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import decisions_pb2 as D
from tests.browser.conftest import Web
from tests.browser.decision_cases import Calls, _example, case_at, case_state
from tests.browser.support import assert_accessible, run_async, sign_in
from tests.browser.test_duty_notifications import incident, looked_after_death, notify
from tests.browser.test_decisions_review import fill_date

FUTURE = WorkingDayCalendar().today() + dt.timedelta(days=400)


def error_links(page: Page) -> dict[str, str]:
    """The error summary as {the field it links to: the message}; every link lands on a field of the page."""
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.title().startswith("Error: ")
    links = {}
    for link in page.locator(".govuk-error-summary__list a").all():
        target = (link.get_attribute("href") or "").removeprefix("#")
        links[target] = link.inner_text().strip()
        expect(page.locator(f"[id='{target}']")).to_have_count(1)  # the field the message names is on the page
    return links


def future(page: Page, field: str) -> None:
    fill_date(page, field, str(FUTURE.day), str(FUTURE.month), str(FUTURE.year))


def submit(page: Page) -> None:
    """The command form's own button (Continue, or the command's name on a one-page form)."""
    page.locator(".govuk-button-group button[type=submit]").first.click()


def test_a_notification_sent_with_bad_answers_is_refused_field_by_field_and_nothing_is_stored(web: Web, page: Page) -> None:
    case_id = notify(web, looked_after_death)  # the Secretary of State, Ofsted and the partners to tell
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}/notifications-sent/record")
    page.get_by_role("button", name="Continue").click()
    assert error_links(page) == {"choice": "Select who the notification was sent to",
                                 "sent-date-day": "Enter the date the notification was sent"}
    assert_accessible(page)
    page.get_by_label("Ofsted: death of a looked-after child").check()
    fill_date(page, "sent-date", "30", "2", "2024")
    page.locator("#reference").fill("R" * 65)
    page.get_by_role("button", name="Continue").click()
    assert error_links(page) == {"sent-date-day": "Date sent must be a real date",
                                 "reference": "The reference must be 64 characters or fewer, on one line"}
    expect(page.locator("#sent-date-day")).to_have_value("30")  # kept as typed
    expect(page.locator("#reference")).to_have_value("R" * 65)
    expect(page.get_by_label("Ofsted: death of a looked-after child")).to_be_checked()
    future(page, "sent-date")
    page.locator("#reference").fill("OFSTED-1")
    page.get_by_role("button", name="Continue").click()
    assert error_links(page) == {"sent-date-day": "Date sent must be today or in the past"}
    expect(page.locator("#sent-date-year")).to_have_value(str(FUTURE.year))
    assert not incident(web, case_id).notifications_sent  # nothing stored


def test_a_referral_decision_with_bad_answers_is_refused_field_by_field_and_nothing_is_stored(web: Web, page: Page) -> None:
    def referred(n):  # type: ignore[no-untyped-def]
        n.referred_by_agency = "gp-practice"

    case_id = notify(web, referred)
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}/referral-decision")
    page.get_by_role("button", name="Continue").click()
    assert error_links(page) == {"decision": "Select whether the local authority notifies the Panel",
                                 "rationale": "Enter the local authority's rationale",
                                 "decided-on-day": "Enter the date of the decision"}
    page.get_by_label("Notify the Panel", exact=True).check()
    page.locator("#rationale").fill("x" * 4001)
    fill_date(page, "decided-on", "30", "2", "2024")
    page.get_by_role("button", name="Continue").click()
    links = error_links(page)
    assert set(links) == {"rationale", "decided-on-day"}
    assert links["rationale"].startswith("The rationale must be") and links["decided-on-day"] == "Date of the decision must be a real date"
    expect(page.locator("#decided-on-day")).to_have_value("30")
    expect(page.get_by_label("Notify the Panel", exact=True)).to_be_checked()
    page.locator("#rationale").fill("Abuse is suspected: the Panel must be told.")
    future(page, "decided-on")
    page.get_by_role("button", name="Continue").click()
    assert error_links(page) == {"decided-on-day": "Date of the decision must be today or in the past"}
    expect(page.locator("#rationale")).to_have_value("Abuse is suspected: the Panel must be told.")
    assert_accessible(page)
    assert not incident(web, case_id).HasField("referral_decision")  # nothing stored


def test_an_amendment_with_bad_dates_or_an_over_long_reason_is_refused_and_nothing_is_stored(web: Web, page: Page) -> None:
    case_id = notify(web)
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}/amend")
    page.get_by_role("button", name="Change the answers").click()
    page.goto(f"{web.url}/cases/{case_id}/amend/dates")
    fill_date(page, "incident-date", "30", "2", "2024")
    future(page, "la-aware-date")
    page.get_by_role("button", name="Continue").click()
    assert error_links(page) == {"incident-date-day": "Date of the incident must be a real date",
                                 "la-aware-date-day": "Date the local authority became aware must be today or in the past"}
    expect(page.locator("#incident-date-day")).to_have_value("30")
    expect(page.locator("#la-aware-date-year")).to_have_value(str(FUTURE.year))
    assert_accessible(page)
    page.goto(f"{web.url}/cases/{case_id}/amend/check")
    page.get_by_label("Why is the notification amended?").fill("y" * 2001)
    page.get_by_role("button", name="Amend the notification").click()
    assert error_links(page) == {"reason": "The reason must be 2,000 characters or fewer"}
    expect(page.get_by_label("Why is the notification amended?")).to_have_value("y" * 2001)
    stored = incident(web, case_id)
    assert stored.notification_version == 1 and not stored.amendments  # nothing stored


def test_the_reviews_commands_refuse_bad_answers_field_by_field_and_store_nothing(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Bad Review", "commissioned")
    before = case_state(web, case_id).review
    sign_in(page, web.url, "demo-business-unit")
    base = f"{web.url}/cases/{case_id}/decisions"

    page.goto(f"{base}/milestone")
    submit(page)
    assert error_links(page) == {"kind": "Select what happened", "occurred-on-day": "Enter the date it happened"}
    page.locator("input[name=kind]").first.check()
    fill_date(page, "occurred-on", "30", "2", "2024")
    page.locator("#note").fill("n" * 4001)
    submit(page)
    assert error_links(page) == {"occurred-on-day": "Date it happened must be a real date",
                                 "note": "Note must be 4,000 characters or fewer"}
    expect(page.locator("#note")).to_have_value("n" * 4001)
    future(page, "occurred-on")
    page.locator("#note").fill("")
    submit(page)
    assert error_links(page) == {"occurred-on-day": "Date it happened must be today or in the past"}
    assert_accessible(page)

    page.goto(f"{base}/progress-check")
    submit(page)
    links = error_links(page)
    assert {"checked-on-day", "findings", "written-request-made"} <= set(links), links
    future(page, "checked-on")
    page.locator("#findings").fill("f" * 4001)
    submit(page)
    links = error_links(page)
    assert links["checked-on-day"] == "Date of the check must be today or in the past"
    assert links["findings"] == "What the partners found about progress and quality must be 4,000 characters or fewer"
    expect(page.locator("#findings")).to_have_value("f" * 4001)

    page.goto(f"{base}/extend-review")
    submit(page)
    assert set(error_links(page)) == {"reason", "explanation", "extended-to-day"}
    fill_date(page, "extended-to", "31", "4", "2025")
    submit(page)
    assert error_links(page)["extended-to-day"] == "New target date must be a real date"
    assert_accessible(page)

    state = case_state(web, case_id)
    assert state.review == before  # nothing stored: no milestone, progress check or extension
    assert not state.publication.published_on


def test_publication_refuses_bad_answers_field_by_field_and_stores_nothing(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Bad Publish", "report_sent")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions/publish")
    submit(page)
    links = error_links(page)
    assert {"kind", "published-on-day", "location"} <= set(links), links
    page.locator("input[name=kind]").first.check()
    fill_date(page, "published-on", "30", "2", "2025")
    page.locator("#location").fill("l" * 501)
    submit(page)
    links = error_links(page)
    assert links["published-on-day"] == "Date published must be a real date"
    assert links["location"] == "Where it is published must be 500 characters or fewer"
    expect(page.locator("#location")).to_have_value("l" * 501)
    expect(page.locator("#published-on-day")).to_have_value("30")
    assert_accessible(page)
    assert not case_state(web, case_id).publication.published_on  # nothing stored


def test_the_executives_decision_refuses_impossible_and_future_dates_and_stores_nothing(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Bad Decision", "notified")
    recommendation = _example("recommendation", D.RecordRecommendationRequest, case_id)
    recommendation.evaluation_id = case_state(web, case_id).evaluations[-1].evaluation_id
    recommendation.idempotency_key = f"browser-{uuid.uuid4()}"
    run_async(Calls(web).decisions("RecordRecommendation", recommendation, Role.RAG_MEMBER))
    sign_in(page, web.url, "demo-executive")
    page.goto(f"{web.url}/cases/{case_id}/decisions/decision")
    page.get_by_role("button", name="Continue").click()
    links = error_links(page)
    assert {"view", "decided-on-day"} <= set(links), links
    page.locator("#view").check()  # agree
    page.locator("input[name=national-importance][value=no]").check()
    page.locator("#rationale").fill("r" * 8001)
    fill_date(page, "decided-on", "30", "2", "2024")
    page.get_by_role("button", name="Continue").click()
    links = error_links(page)
    assert set(links) == {"rationale", "decided-on-day"} and links["decided-on-day"] == "Date of the decision must be a real date", links
    assert "characters or fewer" in links["rationale"]
    expect(page.locator("#rationale")).to_have_value("r" * 8001)
    page.locator("#rationale").fill("The criteria are met and the learning is not yet known.")
    expect(page.locator("#decided-on-day")).to_have_value("30")
    expect(page.locator("#view")).to_be_checked()
    future(page, "decided-on")
    page.get_by_role("button", name="Continue").click()
    assert error_links(page) == {"decided-on-day": "Date of the decision must be today or in the past"}
    assert_accessible(page)
    assert not case_state(web, case_id).decisions  # nothing stored


def test_commissioning_and_extending_a_clock_refuse_bad_answers_field_by_field_and_store_nothing(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Bad Commission", "responded")
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions/commission")
    submit(page)
    links = error_links(page)
    assert {"reviewer-name", "terms-of-reference", "commissioned-on-day"} <= set(links), links
    page.locator("#reviewer-name").fill("r" * 201)
    page.locator("#terms-of-reference").fill("Bruising protocols.")
    fill_date(page, "commissioned-on", "31", "6", "2024")
    submit(page)
    links = error_links(page)
    assert links["reviewer-name"] == "Reviewer's name must be 200 characters or fewer"
    assert links["commissioned-on-day"] == "Date commissioned must be a real date"
    expect(page.locator("#reviewer-name")).to_have_value("r" * 201)
    expect(page.locator("#terms-of-reference")).to_have_value("Bruising protocols.")
    future(page, "commissioned-on")
    page.locator("#reviewer-name").fill("A. Reviewer (example)")
    submit(page)
    assert error_links(page)["commissioned-on-day"] == "Date commissioned must be today or in the past"
    assert_accessible(page)
    assert not case_state(web, case_id).review.reviewer.name  # nothing stored

    page.goto(f"{web.url}/cases/{case_id}/decisions/extend-clock")
    page.locator("input[name=clock]").first.check()
    fill_date(page, "extended-to", "30", "2", "2025")
    page.locator("#reason").fill("Criminal investigation.")
    submit(page)
    assert error_links(page) == {"extended-to-day": "New due date must be a real date"}
    expect(page.locator("#reason")).to_have_value("Criminal investigation.")
    assert not any(c.extensions for c in incident(web, case_id).clocks)  # nothing stored
