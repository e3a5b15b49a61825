"""The workspace app with fakes: session time limits, form tokens, headers, rate-limited
sign-in, readiness, role checks and the pages a failed service call gives."""

from __future__ import annotations

import grpc
import pytest
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.workspace import errors
from rapidreview.workspace.client import translate
from tests.unit.workspace.conftest import AUDITOR, BU, POLICE, Workspace

CASE = "0b7f6a1e-1111-4222-8333-444455556666"


def incident() -> intake_pb2.GetIncidentResponse:
    response = intake_pb2.GetIncidentResponse()
    i = response.incident
    i.case_id, i.partnership, i.status = CASE, "leeds", intake_pb2.INCIDENT_STATUS_NOTIFIED
    i.notification.child.child_ref = "Child K"
    i.notification.la_aware_date = "2024-06-04"
    i.duties.add(rule_id="NOTIFY.PANEL_IN_AREA", outcome=common_pb2.OUTCOME_MET, rationale="Leeds must notify the Panel")
    i.clocks.add(id="NOTIFY.DEADLINE", due="2024-06-11", effective_due="2024-06-11", working_days_left=-3, overdue=True)
    return response


def test_a_signed_out_person_is_sent_to_the_sign_in_page(workspace: Workspace) -> None:
    response = workspace.client.get("/dashboard")
    assert response.status_code == 303 and response.headers["location"].endswith("/sign-in")


def test_idle_for_longer_than_the_timeout_signs_the_person_out(workspace: Workspace) -> None:
    workspace.sign_in(BU)
    workspace.clock.advance(29 * 60)
    assert workspace.client.get("/dashboard").status_code == 200  # activity resets the idle clock
    workspace.clock.advance(29 * 60)
    assert workspace.client.get("/dashboard").status_code == 200
    workspace.clock.advance(30 * 60 + 1)
    response = workspace.client.get("/dashboard")
    assert response.status_code == 303 and response.headers["location"].endswith("/signed-out?reason=idle")
    assert "30 minutes" in workspace.client.get("/signed-out?reason=idle").text
    assert workspace.client.get("/dashboard").headers["location"].endswith("/sign-in")  # the session is gone


def test_a_session_ends_at_its_maximum_age_even_when_active(workspace: Workspace) -> None:
    workspace.sign_in(BU)
    for _ in range(21):  # 10 hours 30 minutes of requests every 30 minutes
        workspace.clock.advance(30 * 60 - 1)
        response = workspace.client.get("/dashboard")
    assert response.status_code == 303 and response.headers["location"].endswith("reason=expired")


def test_a_tampered_session_cookie_is_no_session(workspace: Workspace) -> None:
    workspace.sign_in(BU)
    value = workspace.client.cookies["rr_session"]
    workspace.client.cookies.set("rr_session", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"),
                                 domain="testserver.local", path="/")
    assert workspace.client.get("/dashboard").status_code == 303


def test_a_post_without_the_form_token_is_refused_before_the_route_runs(workspace: Workspace) -> None:
    ran = []

    async def probe(request):  # type: ignore[no-untyped-def]
        ran.append(await request.form())
        return PlainTextResponse("stored")

    workspace.app.router.routes.append(Route("/probe", probe, methods=["POST"]))
    workspace.sign_in(BU)
    refused = workspace.client.post("/probe", data={"reason": "x"})
    assert refused.status_code == 403 and "Nothing was saved" in refused.text
    wrong = workspace.client.post("/probe", data={"reason": "x", "csrf_token": "not-the-token" * 4})
    assert wrong.status_code == 403
    assert ran == []
    accepted = workspace.client.post("/probe", data={"reason": "x", "csrf_token": workspace.csrf()})
    assert accepted.status_code == 200 and ran[0]["reason"] == "x"  # the route still reads the whole form


def test_pages_carry_the_security_headers_and_the_cookie_flags(workspace: Workspace) -> None:
    workspace.sign_in(BU)
    response = workspace.client.post("/sign-out", data={"csrf_token": workspace.csrf()})
    page = workspace.client.get("/sign-in")
    for r in (response, page):
        assert "script-src 'self'" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and "style=" not in page.text  # nothing inline for the CSP to block
    workspace.sign_in(BU)
    workspace.clock.advance(1)  # "last seen" changes, so the cookie is written again
    cookie = workspace.client.get("/dashboard").headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http in tests


def test_sign_in_is_rate_limited_per_client_address(workspace: Workspace) -> None:
    class FakeSignIn:
        async def redirect(self, request, callback_url):  # type: ignore[no-untyped-def]
            return RedirectResponse("http://provider.invalid/authorize", status_code=302)

    workspace.app.state.sign_in = FakeSignIn()
    codes = [workspace.client.get("/sign-in/start").status_code for _ in range(31)]
    assert codes[:30] == [302] * 30
    assert codes[30] == 429


def test_readiness_fails_when_a_service_is_unreachable(workspace: Workspace) -> None:
    assert workspace.client.get("/healthz").status_code == 200
    workspace.services.status["gathering"] = "UNREACHABLE"
    response = workspace.client.get("/healthz")
    assert response.status_code == 503 and response.json()["services"]["gathering"] == "UNREACHABLE"


def test_each_role_is_sent_home_to_its_own_page(workspace: Workspace) -> None:
    workspace.sign_in(POLICE)
    assert workspace.client.get("/").headers["location"].endswith("/my-requests")
    workspace.sign_in(BU)
    assert workspace.client.get("/").headers["location"].endswith("/dashboard")
    workspace.sign_in(AUDITOR)  # not a dashboard role in the read model: the case list
    assert workspace.client.get("/").headers["location"].endswith("/cases")
    assert workspace.client.get("/dashboard").status_code == 403


def test_case_list_pages_through_list_incidents_as_the_person(workspace: Workspace) -> None:
    first = intake_pb2.ListIncidentsResponse(incidents=[incident().incident], next_page_token="tok-2")
    workspace.services.answers["ListIncidents"] = lambda request: first if not request.page_token else intake_pb2.ListIncidentsResponse()
    workspace.sign_in(AUDITOR)
    page = workspace.client.get("/cases")
    assert page.status_code == 200 and "Child K" in page.text and "?page=tok-2" in page.text
    assert workspace.services.calls[-1][1] == AUDITOR
    older = workspace.client.get("/cases", params={"page": "tok-2"})
    assert older.status_code == 200 and "No case has been notified" in older.text
    assert workspace.services.calls[-1][2].page_token == "tok-2"


def test_a_role_outside_the_pages_roles_gets_the_403_page(workspace: Workspace) -> None:
    workspace.sign_in(POLICE)
    response = workspace.client.get(f"/cases/{CASE}")
    assert response.status_code == 403 and "You cannot view this page" in response.text
    assert workspace.services.calls == []  # refused before any service call


def test_overview_reads_the_incident_as_the_person_and_shows_duties_clocks_and_next_step(workspace: Workspace) -> None:
    workspace.services.answers["GetIncident"] = incident()
    workspace.sign_in(AUDITOR)
    page = workspace.client.get(f"/cases/{CASE}")
    assert page.status_code == 200
    rpc, person, request = workspace.services.calls[0]
    assert (rpc, person, request.case_id) == ("GetIncident", AUDITOR, CASE)
    assert "NOTIFY.PANEL_IN_AREA" in page.text and "Leeds must notify the Panel" in page.text
    assert "Overdue" in page.text and "3 working days overdue" in page.text
    assert "Record the notification to the Panel by 11 June 2024 (NOTIFY.DEADLINE)" in page.text
    assert "<title>Case overview – Rapid Review</title>" in page.text


@pytest.mark.parametrize(("code", "status", "words"), [
    (grpc.StatusCode.UNAVAILABLE, 503, "Nothing was saved"),
    (grpc.StatusCode.DEADLINE_EXCEEDED, 503, "Nothing was saved"),
    (grpc.StatusCode.NOT_FOUND, 404, "Page not found"),
    (grpc.StatusCode.PERMISSION_DENIED, 403, "You cannot view this page"),
    (grpc.StatusCode.INTERNAL, 500, "quote reference"),
])
def test_a_failed_service_call_gives_a_clear_page_and_no_trace(workspace: Workspace, code: grpc.StatusCode, status: int, words: str) -> None:
    error = grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), details="from the service")
    workspace.services.answers["GetIncident"] = translate(error, "intake")
    workspace.sign_in(BU)
    page = workspace.client.get(f"/cases/{CASE}")
    assert page.status_code == status and words in page.text
    assert "Traceback" not in page.text


def test_an_unexpected_error_gives_the_500_page_with_a_reference(workspace: Workspace) -> None:
    workspace.services.answers["GetIncident"] = RuntimeError("boom with data Child K")
    workspace.sign_in(BU)
    page = workspace.client.get(f"/cases/{CASE}")
    assert page.status_code == 500 and "quote reference" in page.text
    assert "boom" not in page.text and "Traceback" not in page.text
    assert "content-security-policy" in page.headers


def test_translate_keeps_field_violations_for_the_form() -> None:
    from google.protobuf import any_pb2
    from google.rpc import code_pb2, error_details_pb2, status_pb2
    from grpc_status import rpc_status

    bad = error_details_pb2.BadRequest(field_violations=[error_details_pb2.BadRequest.FieldViolation(
        field="notification.incident_date", description="must be a date YYYY-MM-DD")])
    detail = any_pb2.Any()
    detail.Pack(bad)
    status = rpc_status.to_status(status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="invalid", details=[detail]))
    error = grpc.aio.AioRpcError(grpc.StatusCode.INVALID_ARGUMENT, grpc.aio.Metadata(), grpc.aio.Metadata(*status.trailing_metadata),
                                 details="invalid")
    translated = translate(error, "intake")
    assert isinstance(translated, errors.InvalidInput)
    assert translated.violations == [("notification.incident_date", "must be a date YYYY-MM-DD")]
