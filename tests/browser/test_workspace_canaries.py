"""Personal data never reaches the workspace's log, page titles or its error pages' details:
canaries in a case's child reference and free text, shown on pages and typed into the
dashboard's filters (the workspace's counterpart of tests/security/test_canaries.py)."""

from __future__ import annotations

import secrets
import uuid

import grpc
from google.protobuf import json_format
from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.browser.conftest import Web
from tests.browser.support import run_async, REPO, sign_in

RUN = secrets.token_hex(3)
CHILD = f"ChildRefCanary{RUN}"
TEXT = f"FreeTextCanary{RUN}"


async def _notify_with_canaries(web: Web) -> str:
    request = json_format.Parse((REPO / "docs" / "examples" / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"canary-{uuid.uuid4()}"
    request.notification.child.child_ref = CHILD
    request.notification.harm_description = f"{TEXT} harm description"
    token = web.token(Role.NOTIFYING_LA)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        incident = (await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=30)).incident
    return incident.case_id


def test_canaries_shown_and_typed_in_the_workspace_never_reach_its_log_or_titles(web: Web, page: Page) -> None:
    case_id = run_async(_notify_with_canaries(web))
    log_path = web.stack.web.log_path  # type: ignore[union-attr]
    before = log_path.stat().st_size
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}")
    expect(page.get_by_text(f"Case {CHILD}")).to_be_visible()  # the pseudonymous reference is on the page
    assert CHILD not in page.title()
    page.goto(f"{web.url}/dashboard?reference={CHILD}&due_within={TEXT}&stage={TEXT}")
    assert CHILD not in page.title() and TEXT not in page.title()
    page.goto(f"{web.url}/cases/{CHILD}")  # a child reference typed where a case id goes
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.goto(f"{web.url}/{TEXT}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    with log_path.open("rb") as log:
        log.seek(before)
        written = log.read()
    assert b'"page served"' in written  # the log did record these requests
    assert CHILD.encode() not in written and TEXT.encode() not in written
