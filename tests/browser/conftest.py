"""Browser tests: ONE embedded stack for all of them (NATS, PostgreSQL, the four services,
the local OpenID Connect provider with the demo users, the workspace), the README's example
case pushed through it as `make run` does, plus open cases whose clocks are overdue or due
soon; Playwright drives Debian's Chromium (no browser download).

Fixtures: `web` (the running stack and its cases) and `browser`, package-scoped so that they end
with the last browser test (Playwright's sync API keeps an event loop running while it is open,
which the asyncio tests after this package must not meet), and `page` (a fresh browser context per
test: no cookies carried over; CSP violations collected in `page.csp_violations`). Helpers are in tests/browser/support.py.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import grpc
import pytest
from google.protobuf import json_format
from playwright.sync_api import Browser, Page, sync_playwright

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.stack.supervisor import EmbeddedStack
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, REPO, in_thread, run_async

pytestmark = pytest.mark.browser


@dataclass
class Web:
    """The running stack with the workspace, and the cases the tests look at."""

    stack: EmbeddedStack
    url: str
    example_case: str
    #: Open cases of the Leeds partnership: an overdue NOTIFY.DEADLINE, and one due within days.
    overdue_case: str = ""
    due_soon_case: str = ""
    references: dict[str, str] = field(default_factory=dict)

    def token(self, role: Role, partnership: str = "leeds", agency: str = "") -> str:
        return self.stack.credentials.token(role, partnership=partnership, agency=agency)


async def _notify(stack: EmbeddedStack, child_ref: str, aware: dt.date) -> str:
    request = json_format.Parse((REPO / "docs" / "examples" / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"browser-{uuid.uuid4()}"
    request.notification.child.child_ref = child_ref
    request.notification.la_aware_date = aware.isoformat()
    request.notification.incident_date = (aware - dt.timedelta(days=1)).isoformat()
    token = stack.credentials.token(Role.NOTIFYING_LA)
    async with grpc.aio.insecure_channel(stack.replicas_of("intake")[0].address) as channel:
        response = await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=30)
    return response.incident.case_id


@pytest.fixture(scope="package")
def web() -> Iterator[Web]:
    # Not under pytest's basetemp: as root PostgreSQL runs as another user and must traverse the parents.
    data_dir = Path(tempfile.mkdtemp(prefix="rr-browser-"))
    # Every test signs in from 127.0.0.1: the sign-in rate limit must not count them as an attack; and the
    # URL sweep (test_access_by_url.py) calls the services faster than a person could: no per-person limit either.
    stack = EmbeddedStack(data_dir, workspace=True, extra_env={"RR_WORKSPACE_SIGN_IN_RATE": "6000", "RR_WORKSPACE_SIGN_IN_BURST": "1000",
                                                               "RR_RATE_LIMIT_RPS": "1000", "RR_RATE_LIMIT_BURST": "2000"})
    try:
        stack.start()
        from rich.console import Console

        from rapidreview.cli.example import run_example

        with mock.patch.dict(os.environ, {"RR_DATA_DIR": str(data_dir)}):
            example = in_thread(lambda: run_example(Console(file=io.StringIO(), width=120)))
        today = WorkingDayCalendar().today()
        overdue = run_async(_notify(stack, "Child Overdue", today - dt.timedelta(days=12)))
        due_soon = run_async(_notify(stack, "Child Soon", today - dt.timedelta(days=1)))
        yield Web(stack, stack.workspace_url, example, overdue, due_soon,
                  {example: "Child K", overdue: "Child Overdue", due_soon: "Child Soon"})
    finally:
        stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's chromium "
                    "(scripts/test installs it: apt-get install -y chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    page.csp_violations = violations  # type: ignore[attr-defined]
    yield page
    context.close()
