"""Helpers of the browser tests: sign in through the real provider, check a page with axe-core,
take a screenshot. Every wait is Playwright's (bounded, on a condition), never a sleep."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
AXE_SOURCE = REPO / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM = "/usr/bin/chromium"
T = TypeVar("T")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def sign_in(page: Page, workspace_url: str, user: str) -> None:
    """Signs `user` (a demo subject, e.g. "demo-business-unit") in through the local provider's form;
    returns on the page the workspace sent them to."""
    page.goto(f"{workspace_url}/sign-in")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=user, exact=True).click()
    page.wait_for_url(lambda url: url.startswith(workspace_url))
    # Then a workspace page (not the provider's, still shown while the redirects run) has loaded.
    page.wait_for_function("document.querySelector('.govuk-service-navigation') !== null")


def in_thread(work: Callable[[], T]) -> T:
    """Runs `work` in a thread of its own: Playwright's sync API keeps an event loop running in
    the test's thread, so asyncio.run (gRPC calls, the example case) cannot run there."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    return in_thread(lambda: asyncio.run(coroutine))


def sign_out(page: Page) -> None:
    """Signs out with the navigation's button and confirms on the provider's end-session page."""
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")


def assert_accessible(page: Page) -> None:
    """axe-core in the page with the WCAG 2.2 A/AA rules: no violation (run after the page settled)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))  # evaluate is not subject to the page's CSP
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
             const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
             return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
           }""",
        WCAG_TAGS,
    )
    assert violations == [], f"accessibility violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations)


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in RR_SCREENSHOTS_DIR (default: the test run's temporary folder)."""
    folder = Path(os.environ.get("RR_SCREENSHOTS_DIR") or Path(os.environ.get("TMPDIR", "/tmp")) / "rr-browser-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
