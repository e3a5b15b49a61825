"""Audit through the browser, as the auditor: a case's audit trail as a timeline naming the person
(their subject) who made each change, with the chain's verification shown as a tag and in words —
including a trail altered in the database, named by entry —; and the access log of the four
services, filtered by case, subject and period, paginated."""

from __future__ import annotations

import datetime as dt

import asyncpg
from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.decision_cases import case_at
from tests.browser.support import assert_accessible, run_async, screenshot, sign_in
from tests.browser.test_decisions_review import error_summary, fill_date


def test_the_auditor_sees_the_timeline_with_who_did_what_and_an_intact_chain(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Audit", "decided")
    sign_in(page, web.url, "demo-business-unit")  # a change made in the workspace names the person
    page.goto(f"{web.url}/cases/{case_id}/decisions/add-action")
    page.locator("#description").fill("Share domestic abuse call-outs with health visiting within a day.")
    page.locator("#owner").fill("west-yorkshire-police")
    fill_date(page, "due-date", "30", "9", "2024")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("#confirmation")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, web.url, "demo-auditor")
    page.goto(f"{web.url}/cases/{case_id}")
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Audit").click()
    expect(page).to_have_title("Audit – Rapid Review")
    expect(page.locator("#verification")).to_contain_text("Intact")
    expect(page.locator("#verification-text")).to_contain_text("none was changed or deleted")
    timeline = page.locator("#timeline")
    expect(timeline.locator(".moj-timeline__item").first).to_contain_text("Case opened")
    expect(timeline.locator(".moj-timeline__item").first).to_contain_text("by the intake service (an event)")
    expect(timeline).to_contain_text("Recommendation recorded")
    expect(timeline).to_contain_text("by dev-rag_member (rag member)")
    last = timeline.locator(".moj-timeline__item").last
    expect(last).to_contain_text("Action added")
    expect(last).to_contain_text("by demo-business-unit (business unit)")
    last.locator("summary").click()
    expect(last.locator("pre")).to_contain_text("Share domestic abuse call-outs")
    assert_accessible(page)
    screenshot(page, "audit-timeline")
    assert page.csp_violations == []  # type: ignore[attr-defined]


async def _tamper(dsn: str, case_id: str) -> None:
    """Edits an audit entry as only the table's owner can: with the append-only trigger disabled."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("ALTER TABLE decisions.audit_entries DISABLE TRIGGER USER")
        await connection.execute("UPDATE decisions.audit_entries SET actor = 'someone-else' WHERE case_id = $1 AND sequence = 2",
                                 case_id)
    finally:
        await connection.execute("ALTER TABLE decisions.audit_entries ENABLE TRIGGER USER")
        await connection.close()


def test_an_audit_trail_altered_in_the_database_is_shown_not_intact_naming_the_entry(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Tamper", "notified")
    run_async(_tamper(web.stack.postgres.url("rapidreview", driver="postgresql"), case_id))
    sign_in(page, web.url, "demo-auditor")
    page.goto(f"{web.url}/cases/{case_id}/audit")
    expect(page.locator("#verification")).to_contain_text("Not intact")
    expect(page.locator("#verification-text")).to_contain_text("was altered after it was written")
    expect(page.locator("#findings tr[data-sequence='2']")).to_contain_text("Changed after it was written")
    expect(page.locator("#timeline .moj-timeline__item[data-sequence='2']")).to_contain_text("Changed after it was written")
    assert_accessible(page)
    screenshot(page, "audit-not-intact")


def test_the_access_log_merges_the_services_and_filters_by_case_subject_and_period(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{web.example_case}/decisions")  # intake GetIncident and decisions GetCase as this person
    page.context.clear_cookies()

    sign_in(page, web.url, "demo-auditor")
    page.get_by_role("link", name="Access log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Access log")
    rows = page.locator("#access-log tbody tr")
    expect(rows).to_have_count(50)
    page.locator("#case").fill(web.example_case)
    page.locator("#subject").fill("demo-business-unit")
    page.get_by_role("button", name="Filter").click()
    methods = set(page.locator("#access-log tbody tr").evaluate_all("rows => rows.map(r => r.dataset.method)"))
    assert {"IntakeService: GetIncident", "DecisionService: GetCase"} <= methods  # two services, one list
    assert set(page.locator("#access-log tbody tr").evaluate_all("rows => rows.map(r => r.dataset.subject)")) == {"demo-business-unit"}
    assert "Child K" not in page.url  # filters carry ids, never the child's reference
    assert_accessible(page)
    screenshot(page, "access-log")

    fill_date(page, "from", "1", "1", "2099")
    page.get_by_role("button", name="Filter").click()
    assert error_summary(page) == ["Start date must be today or in the past"]
    fill_date(page, "from", "", "", "")
    fill_date(page, "to", "31", "12", "2019")  # before the service existed
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#access-log")).to_contain_text("No entries match these filters")
    fill_date(page, "to", "", "", "")
    page.locator("#case").fill("Child K")
    page.get_by_role("button", name="Filter").click()
    assert error_summary(page) == ["Case must be a case id, like 72b65735-b8eb-4f67-8b0c-16cf0d09256b"]
    assert_accessible(page)


def test_the_access_log_pages_through_older_entries_without_repeating_any(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-auditor")
    page.goto(f"{web.url}/access-log")
    read = "rows => rows.map(r => [r.querySelector('time').getAttribute('datetime'), r.innerText])"
    first = page.locator("#access-log tbody tr").evaluate_all(read)
    page.locator("#next-page").click()
    second = page.locator("#access-log tbody tr").evaluate_all(read)
    assert first and second and not {tuple(r) for r in first} & {tuple(r) for r in second}
    times = [dt.datetime.fromisoformat(when) for when, _ in first + second]
    assert times == sorted(times, reverse=True)  # newest first across the two pages
    response = page.goto(f"{web.url}/access-log?page=not-a-cursor")
    assert response is not None and response.status == 404

