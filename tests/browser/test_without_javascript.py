"""Every page works without JavaScript: sign in, filter the dashboard, open a case, sign out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Web
from tests.browser.support import sign_in, sign_out


@pytest.fixture
def page_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def test_sign_in_dashboard_filter_case_and_sign_out_work_without_javascript(web: Web, page_without_js: Page) -> None:
    page = page_without_js
    sign_in(page, web.url, "demo-business-unit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    page.get_by_label("Overdue only").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(f"#cases tr[data-case='{web.overdue_case}']")).to_have_count(1, timeout=30_000)
    expect(page.locator(f"#cases tr[data-case='{web.due_soon_case}']")).to_have_count(0)
    page.get_by_role("link", name="Child Overdue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case overview")
    expect(page.locator("#clocks")).to_contain_text("Overdue")
    sign_out(page)
