"""The workspace calls the services as the person: the access log and the decisions audit trail
name the person's subject from the identity provider, never the workspace."""

from __future__ import annotations

import datetime as dt

import grpc
from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import access_log_pb2, access_log_pb2_grpc, decisions_pb2
from rapidreview.workspace.client import ServiceClients
from rapidreview.workspace.config import SERVICES
from rapidreview.workspace.tokens import PersonTokens
from tests.browser.conftest import Web
from tests.browser.support import run_async, sign_in


async def _access_log(web: Web, service: str, case_id: str) -> list[access_log_pb2.AccessLogEntry]:
    token = web.token(Role.AUDITOR)
    async with grpc.aio.insecure_channel(web.stack.replicas_of(service)[0].address) as channel:
        response = await access_log_pb2_grpc.AccessLogServiceStub(channel).ListAccessLog(
            access_log_pb2.ListAccessLogRequest(case_id=case_id, page_size=500), metadata=(("authorization", f"Bearer {token}"),), timeout=15)
    return list(response.entries)


def test_the_access_log_names_the_person_who_opened_the_case_page(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-executive")
    opened = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)
    page.goto(f"{web.url}/cases/{web.due_soon_case}")
    expect(page.locator("#clocks")).to_contain_text("NOTIFY.DEADLINE")
    entries = run_async(_access_log(web, "intake", web.due_soon_case))
    # Other tests of the shared stack read this case with their own tokens before: only this page's reads count.
    reads = [e for e in entries if e.method.endswith("/GetIncident") and e.at.ToDatetime(dt.timezone.utc) >= opened]
    assert reads, "the page's read is in intake's access log"
    assert {e.subject for e in reads} == {"demo-executive"}
    assert all(e.role == "executive" and e.partnership == "leeds" for e in reads)
    assert not any("workspace" in e.subject for e in entries)


async def _action_as_person(web: Web, subject: str) -> tuple[str, list[decisions_pb2.AuditEntry]]:
    creds = web.stack.credentials
    tokens = PersonTokens.from_file(creds.workspace_signing_key, issuer="rapidreview", audience="rapidreview")
    services = ServiceClients({s: web.stack.replicas_of(s)[0].address for s in SERVICES}, tokens)
    try:
        person = services.for_person(Principal(subject, Role.BUSINESS_UNIT, "leeds"))
        added = await person.decisions.AddAction(decisions_pb2.AddActionRequest(
            case_id=web.example_case, idempotency_key=f"browser-action-{subject}", description="Review the chronology template",
            owner_agency_id="gp-practice", due_date="2025-06-30"))
        auditor = services.for_person(Principal("demo-auditor", Role.AUDITOR, "leeds"))
        trail = await auditor.decisions.GetAuditTrail(decisions_pb2.GetAuditTrailRequest(case_id=web.example_case, page_size=500))
        return added.action.action_id, list(trail.entries)
    finally:
        await services.close()


def test_a_command_sent_through_the_workspace_client_is_audited_under_the_persons_subject(web: Web) -> None:
    action_id, entries = run_async(_action_as_person(web, "demo-business-unit"))
    added = [e for e in entries if e.action == "action.added" and e.entity_id == action_id]
    assert len(added) == 1, "the action is in the case's audit trail"
    assert added[0].actor == "demo-business-unit"
    assert added[0].actor_role == "business_unit"
    assert not any(e.actor == "workspace" for e in entries)
