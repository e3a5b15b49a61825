"""Protections seen from the browser: security headers on every page, the session cookie's
flags, and a cross-site form refused without effect."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, sign_in


def test_every_page_carries_the_security_headers(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    for path in ("/sign-in", "/dashboard", f"/cases/{web.example_case}", "/no-such-page"):
        response = page.goto(f"{web.url}{path}")
        assert response is not None
        headers = response.headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp, path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        assert headers["cache-control"] == "no-store", path
    assert page.csp_violations == []  # type: ignore[attr-defined]


def test_the_session_cookie_is_http_only_and_same_site_lax(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    cookies = {c["name"]: c for c in page.context.cookies(web.url)}
    session = cookies["rr_session"]  # plain http here; behind TLS it is __Host-rr_session and Secure
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Lax"
    assert "demo-business-unit" not in session["value"]  # encrypted: nothing of the person readable


def test_a_form_posted_without_the_form_token_is_refused_and_changes_nothing(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    # A page of another site would post this form; here it is built in the page itself, without the token.
    page.set_content(f"""<html lang="en"><body><form method="post" action="{web.url}/sign-out">
        <button type="submit">Go</button></form></body></html>""")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your form could not be sent")
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    assert_accessible(page)
    response = page.goto(f"{web.url}/dashboard")
    assert response is not None and page.url == f"{web.url}/dashboard"  # still signed in: the sign-out did not happen
