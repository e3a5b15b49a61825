"""The Review Advisory Group's and the Executive's reading pages on the shared stack, against the example
case (Child K): the collated information as an MOJ timeline with involvement by agency, the criteria
checklist with its known outcomes, an evidence link landing on the entry it cites, the explain view,
the summary PDF, and who may open these pages (agencies, another partnership, the Executive)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, screenshot, sign_in


def test_collated_information_shows_the_merged_chronology_and_involvement_by_agency(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{web.example_case}/collated")
    expect(page.get_by_role("heading", level=1)).to_have_text("Collated information")
    expect(page).to_have_title("Collated information – Rapid Review")
    expect(page.locator("#completeness")).to_contain_text("7 of 7 returns received")
    police = page.locator('[data-agency="west-yorkshire-police"]')
    expect(police.locator('[data-field="involvement"]')).to_have_text("Involved, 14 January 2024 to 4 June 2024")
    expect(police.locator('[data-field="concerns"]')).to_contain_text("Information sharing about Health visiting (community trust)")
    expect(police.locator('[data-field="themes"]')).to_have_text("domestic abuse, information sharing")
    expect(page.locator('[data-agency="housing-association"] [data-field="involvement"]')).to_have_text("Not involved")
    entry = page.locator("#ev-return-west-yorkshire-police-v1-chronology-2")
    expect(entry.locator(".moj-timeline__title")).to_have_text("Call-out")
    expect(entry.locator(".moj-timeline__byline")).to_have_text("by West Yorkshire Police, response officer")
    expect(entry.locator("time")).to_have_attribute("datetime", "2024-04-20")
    expect(entry).to_contain_text("Mother called police after the father pushed her")
    dates = page.locator(".moj-timeline__item time").evaluate_all("items => items.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates) and len(dates) >= 15  # merged, oldest first
    assert_accessible(page)
    screenshot(page, "collated")


def test_a_return_version_page_shows_that_version_with_its_items_anchored(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{web.example_case}/collated")
    page.locator('[data-agency="gp-practice"]').get_by_role("link", name="version 1").click()
    expect(page).to_have_title("Agency return – Rapid Review")
    expect(page.get_by_role("heading", name="GP practice: version 1")).to_be_visible()
    expect(page.locator("#ev-return-gp-practice-v1-learning-1")).to_contain_text("bruising protocol for non-mobile babies")
    assert_accessible(page)


def test_the_checklist_shows_the_example_cases_outcomes_edition_and_not_automatic(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{web.example_case}")
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Checklist").click()
    expect(page).to_have_title("Criteria checklist – Rapid Review")
    expect(page.locator("#not-automatic")).to_contain_text("Not automatic: the partners decide (NOT.AUTOMATIC).")
    expect(page.locator("#evaluation")).to_contain_text("Working Together to Safeguard Children 2023, chapter 5, rules version 2023.1")
    expected = {"DEF.SERIOUS_CASE": "Met", "NOTIFY.WRONG_LA": "Not met", "NOTIFY.PANEL_OUTSIDE_ENGLAND": "Not applicable",
                "LOCAL.IMPROVEMENTS": "Indicated", "LOCAL.MULTI_AGENCY": "Indicated", "REGARD.SINGLE_AGENCY": "Indicated",
                "REGARD.NO_AGENCY": "Not indicated", "REGARD.INSTITUTIONAL": "Not indicated"}
    for rule_id, outcome in expected.items():
        expect(page.locator(f'[data-rule="{rule_id}"] .govuk-tag').first).to_have_text(outcome)
    expect(page.locator('[data-rule="REGARD.INSTITUTIONAL"]')).to_contain_text("The setting (family home) is not institutional.")
    expect(page.locator("#review-lscp-2021-03")).to_contain_text("LSCP-2021-03")
    expect(page.locator("#decision-panel")).to_contain_text("Published")
    assert_accessible(page)
    screenshot(page, "checklist")


def test_an_evidence_link_lands_on_the_entry_it_cites(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{web.example_case}/checklist")
    page.locator('[data-rule="LOCAL.MULTI_AGENCY"]').get_by_role(
        "link", name="West Yorkshire Police, return version 1: concern about working together 1").click()
    expect(page).to_have_url(f"{web.url}/cases/{web.example_case}/collated#ev-return-west-yorkshire-police-v1-concern-1")
    target = page.locator(":target")
    expect(target).to_contain_text("The April call-out was not shared with health visiting.")
    expect(target).to_contain_text("Raised by West Yorkshire Police")
    expect(target).to_be_in_viewport()
    page.goto(f"{web.url}/cases/{web.example_case}/checklist")
    page.locator('[data-rule="LOCAL.RECURRENT_THEMES"]').get_by_role("link", name="LSCP-2021-03").first.click()
    expect(page.locator(":target")).to_have_id("review-lscp-2021-03")


def test_the_explain_view_shows_the_rule_its_condition_and_the_facts_it_read(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{web.example_case}/checklist")
    page.get_by_role("link", name="Explain LOCAL.MULTI_AGENCY").click()
    expect(page).to_have_title("Criterion LOCAL.MULTI_AGENCY – Rapid Review")
    expect(page.locator("#explanation")).to_contain_text("Indicated")
    expect(page.locator("#citation")).to_have_text("Regs 2018 reg 11; WT2023 ch5")
    expect(page.locator("#condition")).to_contain_text("joint_working_concern_count")
    expect(page.locator("#facts-read")).to_contain_text("involved_agency_count: 6")
    expect(page.locator("#fired")).to_contain_text("The rule fired")
    expect(page.locator("#edition")).to_contain_text("wt2023@2023.1")
    assert_accessible(page)
    screenshot(page, "checklist-explain")


def test_the_summary_pdf_downloads_as_a_pdf_named_without_personal_data(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-executive")
    page.goto(f"{web.url}/cases/{web.example_case}/checklist")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the checklist summary (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith(f"checklist-summary-{web.example_case[:8]}-")
    assert "child" not in download.suggested_filename.lower()
    response = page.request.get(f"{web.url}/cases/{web.example_case}/checklist/summary.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="checklist-summary-')
    assert response.body()[:5] == b"%PDF-"


def test_the_executive_reads_the_checklist_but_not_the_agencies_returns(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-executive")
    page.goto(f"{web.url}/cases/{web.example_case}/checklist")
    evidence = page.locator('[data-rule="LOCAL.MULTI_AGENCY"] .rr-evidence-list')
    expect(evidence).to_contain_text("West Yorkshire Police, return version 1: concern about working together 1")
    expect(evidence.get_by_role("link")).to_have_count(0)
    nav = page.get_by_role("navigation", name="Case sections")
    expect(nav.get_by_role("link", name="Collated information")).to_have_count(0)
    assert_accessible(page)
    response = page.goto(f"{web.url}/cases/{web.example_case}/collated")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")


def test_an_agency_lead_gets_403_on_the_checklist_and_collated_pages_by_url(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-police-lead")
    for path in ("checklist", "collated", "checklist/criteria/LOCAL.MULTI_AGENCY", "checklist/summary.pdf",
                 "collated/returns/west-yorkshire-police/v1"):
        response = page.goto(f"{web.url}/cases/{web.example_case}/{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")
        expect(page.locator("main")).not_to_contain_text("Child K")
    assert_accessible(page)


def test_another_partnership_sees_nothing_of_the_case(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-bradford-business-unit")
    for path in ("checklist", "collated", "checklist/criteria/LOCAL.MULTI_AGENCY"):
        response = page.goto(f"{web.url}/cases/{web.example_case}/{path}")
        assert response is not None and response.status in (403, 404), path
        expect(page.locator("main")).not_to_contain_text("LOCAL.MULTI_AGENCY")
        expect(page.locator("main")).not_to_contain_text("West Yorkshire Police")
