"""A service that is down gives a clear page that says nothing was saved, never a trace; the
workspace's readiness says which service is missing."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from playwright.sync_api import Page, expect

from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, screenshot, sign_in


def test_case_page_with_intake_down_says_unavailable_and_nothing_saved(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-business-unit")
    web.stack.stop_service("intake")
    try:
        response = page.goto(f"{web.url}/cases/{web.example_case}")
        assert response is not None and response.status == 503
        expect(page.get_by_role("heading", level=1)).to_have_text("Sorry, the service is unavailable")
        expect(page.get_by_text("Nothing was saved")).to_be_visible()
        assert "Traceback" not in page.content()
        assert_accessible(page)
        screenshot(page, "service-unavailable")
        try:
            urllib.request.urlopen(f"{web.url}/healthz", timeout=5)  # noqa: S310 - loopback
            raise AssertionError("/healthz answered 200 with intake down")
        except urllib.error.HTTPError as exc:
            assert exc.code == 503
            assert json.loads(exc.read())["services"]["intake"] == "UNREACHABLE"
    finally:
        web.stack.start_service("intake")
    # Back as soon as the workspace's channel reconnects (its backoff is capped at 2 s).
    deadline = time.monotonic() + 20
    while page.get_by_role("heading", level=1).inner_text() != "Case overview" and time.monotonic() < deadline:
        page.wait_for_timeout(500)
        page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case overview")
