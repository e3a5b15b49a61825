"""Signing in through the real local provider: each role lands on its page; no mapping, no access;
signing out ends the session here and at the provider."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, screenshot, sign_in, sign_out

LANDING = {
    "demo-business-unit": ("/dashboard", "Dashboard"),
    "demo-rag-member": ("/dashboard", "Dashboard"),
    # Roles the read model does not give the dashboard land on the case list (intake's ListIncidents).
    "demo-la-officer": ("/cases", "Cases"),
    "demo-executive": ("/cases", "Cases"),
    "demo-auditor": ("/cases", "Cases"),
    "demo-police-lead": ("/my-requests", "My requests"),
    "demo-gp-lead": ("/my-requests", "My requests"),
    "demo-nursery-lead": ("/my-requests", "My requests"),
}


@pytest.mark.parametrize("user", sorted(LANDING))
def test_each_role_lands_on_its_own_page_after_signing_in(web: Web, page: Page, user: str) -> None:
    sign_in(page, web.url, user)
    path, heading = LANDING[user]
    assert page.url == f"{web.url}{path}"
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_sign_in_page_and_agency_home_are_accessible(web: Web, page: Page) -> None:
    page.goto(f"{web.url}/")
    assert page.url == f"{web.url}/sign-in"  # nobody signed in: the start page
    expect(page).to_have_title("Sign in – Rapid Review")
    assert_accessible(page)
    screenshot(page, "sign-in")
    sign_in(page, web.url, "demo-police-lead")
    expect(page.get_by_text("west-yorkshire-police").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "my-requests")


def test_a_person_without_a_mapping_gets_no_access_and_no_session(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-no-role")
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to Rapid Review")
    expect(page.get_by_text("not set up for Rapid Review")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "no-access")
    page.goto(f"{web.url}/dashboard")
    assert page.url == f"{web.url}/sign-in"


def test_signing_out_ends_the_session_and_the_provider_session(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    sign_out(page)
    assert page.url.startswith(f"{web.url}/signed-out")
    assert_accessible(page)
    page.goto(f"{web.url}/dashboard")
    assert page.url == f"{web.url}/sign-in"
