"""The idle timeout through the browser: a session last active 31 minutes ago is ended and the
person told why. The session is built with the stack's session key and a clock set back, the
way the workspace builds it at sign-in, so no test hook exists in the workspace itself."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Principal, Role
from rapidreview.workspace.session import SessionCipher, SessionPolicy, start_session
from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, screenshot

PERSON = Principal("demo-business-unit", Role.BUSINESS_UNIT, "leeds")


def _session_cookie(web: Web, minutes_ago: float) -> dict[str, str]:
    cipher = SessionCipher(web.stack.credentials.workspace_session_key.read_bytes().strip())
    session: dict = {}
    start_session(session, PERSON, SessionPolicy(30 * 60, 10 * 3600, clock=lambda: time.time() - minutes_ago * 60))
    return {"name": "rr_session", "value": cipher.seal(session), "url": web.url}


def test_a_session_active_a_minute_ago_is_still_signed_in(web: Web, page: Page) -> None:
    page.context.add_cookies([_session_cookie(web, 1)])  # type: ignore[list-item]
    page.goto(f"{web.url}/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out_with_the_reason(web: Web, page: Page) -> None:
    page.context.add_cookies([_session_cookie(web, 31)])  # type: ignore[list-item]
    page.goto(f"{web.url}/dashboard")
    assert page.url == f"{web.url}/signed-out?reason=idle"
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    expect(page.get_by_text("had not used Rapid Review for 30 minutes")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "signed-out-idle")
    page.goto(f"{web.url}/dashboard")
    assert page.url == f"{web.url}/sign-in"  # the session was ended, not just refused once
