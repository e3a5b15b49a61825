"""Documents and the yearly figures through the browser: the checklist summary PDF for the roles
that read checklists, the rapid review report (PDF and Word) for the business unit only, with the
right Content-Type and Content-Disposition and file names without personal data; the figures
page from the service navigation with its downloads, and a bad period refused."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, screenshot, sign_in
from tests.browser.test_decisions_review import error_summary, fill_date

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SAFE_NAME = re.compile(r'^attachment; filename="[a-z0-9.-]+"$')


def test_the_business_unit_downloads_the_summary_and_the_report_sent_to_the_panel(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{web.example_case}/documents")
    expect(page).to_have_title("Documents – Rapid Review")
    expect(page.locator("#evaluations tbody tr").first).to_contain_text("wt2023")
    expect(page.locator("#report")).to_contain_text("Sent to the Panel")
    expect(page.locator("#report")).to_contain_text("27 June 2024")
    expect(page.locator("#report")).to_contain_text("SHA-256")
    assert_accessible(page)
    screenshot(page, "documents")

    with page.expect_download() as download:
        page.locator("#summary-latest").click()
    name = download.value.suggested_filename
    assert re.fullmatch(r"criteria-summary-[0-9a-f]{8}-[0-9a-f]{8}\.pdf", name) and "child" not in name.lower()
    assert download.value.path().read_bytes()[:5] == b"%PDF-"

    for link, suffix, media, magic in (("#report-pdf", "pdf", "application/pdf", b"%PDF-"), ("#report-docx", "docx", DOCX, b"PK")):
        response = page.request.get(web.url + page.locator(link).get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == media
        assert SAFE_NAME.match(response.headers["content-disposition"])
        assert response.headers["content-disposition"].endswith(f'-2024-06-27.{suffix}"')
        assert response.headers["cache-control"] == "no-store"
        assert response.body()[: len(magic)] == magic


def test_readers_of_the_checklist_get_the_summary_but_not_the_report(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{web.example_case}/documents")
    expect(page.locator("#summary-latest")).to_be_visible()
    expect(page.locator("#report")).to_have_count(0)  # the report quotes the agencies' returns: business unit only
    response = page.request.get(f"{web.url}/cases/{web.example_case}/documents/summary.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    refused = page.request.get(f"{web.url}/cases/{web.example_case}/documents/report.pdf")
    assert refused.status == 403 and "%PDF" not in refused.text()
    assert page.request.get(f"{web.url}/cases/{web.example_case}/documents/report.exe").status in (403, 404)


def test_the_yearly_figures_from_the_navigation_with_their_downloads(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    page.get_by_role("link", name="Yearly figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yearly figures")
    fill_date(page, "from", "1", "4", "2024")
    fill_date(page, "to", "31", "3", "2025")
    page.get_by_role("button", name="Show the figures").click()
    expect(page.locator("#period")).to_have_text("1 April 2024 to 31 March 2025")
    total = int(page.locator("#notifications-total strong").inner_text())
    assert total >= 1  # Child K's notification of 7 June 2024, with the decision cases of these tests
    expect(page.locator("#timeliness tr[data-clock='RR.DEADLINE']")).to_be_visible()
    expect(page.locator("#themes")).to_contain_text("bruising in non-mobile babies")
    assert_accessible(page)
    screenshot(page, "figures")
    assert page.csp_violations == []  # type: ignore[attr-defined]
    href = page.get_by_role("link", name="Download: CSV").get_attribute("href")
    response = page.request.get(web.url + href)
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == 'attachment; filename="yearly-figures-leeds-2024-04-01-to-2025-03-31.csv"'
    assert "leeds" in response.text()

    fill_date(page, "from", "1", "4", "2025")
    fill_date(page, "to", "31", "3", "2024")
    page.get_by_role("button", name="Show the figures").click()
    assert error_summary(page) == ["End of the period must be the same as or after the start"]
    expect(page.locator("#period")).to_have_count(0)
    assert_accessible(page)


def test_the_figures_are_not_offered_to_roles_that_may_not_read_them(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    expect(page.get_by_role("link", name="Yearly figures")).to_have_count(0)
    response = page.goto(f"{web.url}/figures")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")
