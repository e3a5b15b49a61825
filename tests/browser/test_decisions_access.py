"""Who may open the decisions, documents and audit pages, through the browser and by URL guessing:
roles the access table does not allow, an agency lead, another partnership's business unit and
made-up ids get the 403 or 404 page, see nothing of the case, and a command they post stores nothing."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.decision_cases import case_at, case_state
from tests.browser.support import assert_accessible, sign_in


def _post_submission(page: Page, web: Web, case_id: str) -> int:
    """Posts a complete, confirmed Panel submission with the page's own form token."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(f"{web.url}/cases/{case_id}/decisions/panel-submission", form={
        "csrf_token": token or "", "step": "confirm", "sent-date-day": "27", "sent-date-month": "6", "sent-date-year": "2024",
        "report": "none", "decision-id": case_state(web, case_id).decisions[0].decision_id})
    return response.status


def test_the_advisory_group_reads_the_decisions_but_cannot_record_the_business_units_steps(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Roles", "decided")
    sign_in(page, web.url, "demo-rag-member")
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page.locator("#decision")).to_contain_text("Agrees with the recommendation")
    expect(page.locator("#commands")).to_have_count(0)
    response = page.goto(f"{web.url}/cases/{case_id}/decisions/panel-submission")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")
    assert _post_submission(page, web, case_id) == 403
    assert not case_state(web, case_id).panel_submissions  # nothing stored
    for path in ("audit", "decisions/add-action"):
        assert page.goto(f"{web.url}/cases/{case_id}/{path}").status == 403  # type: ignore[union-attr]
    assert page.goto(f"{web.url}/access-log").status == 403  # type: ignore[union-attr]
    assert_accessible(page)


def test_another_partnership_cannot_open_or_change_a_case_by_url(web: Web, page: Page) -> None:
    case_id = case_at(web, "Child Elsewhere", "decided")
    sign_in(page, web.url, "demo-bradford-business-unit")
    for path in ("decisions", "decisions/panel-submission", "documents", "documents/report.pdf", "documents/summary.pdf"):
        response = page.goto(f"{web.url}/cases/{case_id}/{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_text("Child Elsewhere")).to_have_count(0)
    assert _post_submission(page, web, case_id) == 403
    assert not case_state(web, case_id).panel_submissions  # nothing stored


def test_an_agency_lead_sees_none_of_the_decisions_documents_or_audit(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-police-lead")
    for path in ("decisions", "documents", "audit", "decisions/publish"):
        response = page.goto(f"{web.url}/cases/{web.example_case}/{path}")
        assert response is not None and response.status == 403, path
        expect(page.get_by_text("Child K")).to_have_count(0)
    assert page.goto(f"{web.url}/figures").status == 403  # type: ignore[union-attr]


def test_made_up_ids_are_missing_pages(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    unknown = str(uuid.uuid4())
    for path in (f"/cases/{unknown}/decisions", f"/cases/{web.example_case}/decisions/update-action/{unknown}",
                 f"/cases/{web.example_case}/decisions/update-action/not-an-id", f"/cases/{web.example_case}/documents/summary.pdf?evaluation=x"):
        response = page.goto(web.url + path)
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)
    assert page.goto(f"{web.url}/cases/{web.example_case}/audit").status == 403  # type: ignore[union-attr]  # auditors only


def test_what_is_typed_into_the_decisions_pages_never_reaches_the_workspace_log_or_titles(web: Web, page: Page) -> None:
    canary = f"DecisionCanary{uuid.uuid4().hex[:6]}"
    case_id = case_at(web, f"Child {canary}", "submitted")
    log_path = web.stack.web.log_path  # type: ignore[union-attr]
    before = log_path.stat().st_size
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/decisions/panel-response")
    page.get_by_label("The Panel challenges the decision").check()
    page.locator("#responded-on-day").fill("31")
    page.locator("#responded-on-month").fill("6")
    page.locator("#responded-on-year").fill("2024")
    page.locator("#summary").fill(f"{canary} letter summary")
    page.get_by_role("button", name="Continue").click()  # 31 June: refused, the summary shown back
    expect(page.locator("#summary")).to_have_value(f"{canary} letter summary")
    assert canary not in page.title()
    page.locator("#responded-on-day").fill("15")
    page.locator("#responded-on-month").fill("7")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the Panel's response").click()
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page.locator("#response-1")).to_contain_text(f"{canary} letter summary")
    assert canary not in page.title()
    page.context.clear_cookies()
    sign_in(page, web.url, "demo-auditor")
    page.goto(f"{web.url}/cases/{case_id}/audit")
    expect(page.locator("#timeline")).to_contain_text("Panel response recorded")
    page.goto(f"{web.url}/access-log?subject={canary}")
    assert canary not in page.title()
    with log_path.open("rb") as log:
        log.seek(before)
        written = log.read()
    assert b'"page served"' in written
    assert canary.encode() not in written
