"""The decisions, documents and audit pages in-process with fake services: what each command sends
(as the person, with its idempotency key and the record the person saw), how a refusal and field
violations come back, which roles reach which page before any service is called, the downloads'
headers, and the access log's filters."""

from __future__ import annotations

import re

import pytest

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import access_log_pb2, criteria_pb2, decisions_pb2 as D, intake_pb2
from rapidreview.workspace import errors
from tests.unit.workspace.conftest import AUDITOR, BU, Workspace

CASE = "0b7f6a1e-1111-4222-8333-444455556666"
ACTION = "8d2b1a1e-1111-4222-8333-444455556666"
RAG = Principal("person-rag-1", Role.RAG_MEMBER, "leeds")
# The unit fixture's today is 2024-06-20.
SUBMISSION = {"sent-date-day": "19", "sent-date-month": "6", "sent-date-year": "2024", "report": "none",
              "panel-reference": "P-1", "decision-id": "decision-1", "idempotency_key": "ws-key-0001"}


def _incident() -> intake_pb2.GetIncidentResponse:
    out = intake_pb2.GetIncidentResponse()
    out.incident.case_id, out.incident.notification.child.child_ref = CASE, "Child K"
    out.incident.notification.la_aware_date = "2024-06-04"
    out.incident.clocks.add(id="RR.DEADLINE", due="2024-06-28", effective_due="2024-06-28")
    return out


def _case(stage: int = D.CASE_STAGE_AWAITING_PANEL_SUBMISSION, *, submitted: bool = False) -> D.GetCaseResponse:
    out = D.GetCaseResponse()
    c = out.case
    c.case_id, c.stage, c.round = CASE, stage, 1
    c.recommendations.add(round=1, recommendation=D.REVIEW_DECISION_CSPR, rationale="Learning for several agencies")
    c.decisions.add(decision_id="decision-1", round=1, decision=D.REVIEW_DECISION_CSPR, view=D.EXECUTIVE_VIEW_AGREES,
                    decided_on="2024-06-26")
    c.clocks.add(id="RR.DEADLINE", due="2024-06-28", effective_due="2024-06-28")
    c.actions.add(action_id=ACTION, description="Re-issue the protocol", owner_agency_id="gp-practice", due_date="2024-09-30",
                  status=D.ACTION_STATUS_OPEN)
    if submitted:
        c.panel_submissions.add(submission_id="s-1", decision_id="decision-1", sent_date="2024-06-27")
    return out


@pytest.fixture
def signed_in(workspace: Workspace) -> Workspace:
    workspace.services.answers.update({"GetIncident": _incident(), "GetCase": _case()})
    workspace.sign_in(BU)
    return workspace


def _post(ws: Workspace, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return ws.client.post(path, data={**data, "csrf_token": ws.csrf()})


def _sent(ws: Workspace, rpc: str) -> list:  # type: ignore[type-arg]
    return [request for name, _, request in ws.services.calls if name == rpc]


def test_a_confirmed_submission_sends_the_decision_seen_and_the_idempotency_key_as_the_person(signed_in: Workspace) -> None:
    signed_in.services.answers["RecordPanelSubmission"] = D.RecordPanelSubmissionResponse()
    response = _post(signed_in, f"/cases/{CASE}/decisions/panel-submission", {**SUBMISSION, "step": "confirm"})
    assert response.status_code == 303 and response.headers["location"] == f"/cases/{CASE}/decisions/panel-submission/done"
    [sent] = _sent(signed_in, "RecordPanelSubmission")
    assert (sent.decision_id, sent.sent_date, sent.panel_reference, sent.idempotency_key) == ("decision-1", "2024-06-19", "P-1", "ws-key-0001")
    assert not sent.report_id and not _sent(signed_in, "RenderRapidReviewReport")
    assert {p for name, p, _ in signed_in.services.calls} == {BU}


def test_continue_shows_the_answers_to_check_and_records_nothing(signed_in: Workspace) -> None:
    response = _post(signed_in, f"/cases/{CASE}/decisions/panel-submission", {**SUBMISSION, "step": "continue"})
    assert response.status_code == 200 and "Check your answers" in response.text and "19 June 2024" in response.text
    assert 'name="decision-id" value="decision-1"' in response.text  # carried to the confirmation, not in the URL
    assert not _sent(signed_in, "RecordPanelSubmission")


def test_a_refused_step_is_shown_with_the_rule_and_the_answers_kept(signed_in: Workspace) -> None:
    signed_in.services.answers["RecordPanelSubmission"] = errors.StepRefused("decision_id must be the current decision (decision-2)")
    response = _post(signed_in, f"/cases/{CASE}/decisions/panel-submission", {**SUBMISSION, "step": "confirm"})
    assert response.status_code == 409
    assert "This cannot be recorded" in response.text and "Decision_id must be the current decision" in response.text
    assert 'value="P-1"' in response.text and response.text.count("<title>Error: ") == 1


def test_field_violations_come_back_on_their_fields_with_the_pages_words(signed_in: Workspace) -> None:
    signed_in.services.answers["RecordPanelSubmission"] = errors.InvalidInput([("sent_date", "must not be before the decision")])
    response = _post(signed_in, f"/cases/{CASE}/decisions/panel-submission", {**SUBMISSION, "step": "confirm"})
    assert response.status_code == 400
    assert '<a href="#sent-date-day">Date sent to the Panel: must not be before the decision</a>' in response.text


def test_a_second_press_after_the_step_was_recorded_sends_nothing_again(signed_in: Workspace) -> None:
    signed_in.services.answers["GetCase"] = _case(D.CASE_STAGE_AWAITING_PANEL_RESPONSE, submitted=True)
    response = _post(signed_in, f"/cases/{CASE}/decisions/panel-submission", {**SUBMISSION, "step": "confirm"})
    assert response.status_code == 303 and not _sent(signed_in, "RecordPanelSubmission")


def test_roles_the_access_table_does_not_allow_are_refused_before_any_service_call(workspace: Workspace) -> None:
    workspace.sign_in(RAG)
    assert workspace.client.get(f"/cases/{CASE}/decisions/panel-submission").status_code == 403
    assert workspace.client.get(f"/cases/{CASE}/documents/report.pdf").status_code == 403
    assert workspace.client.get(f"/cases/{CASE}/audit").status_code == 403
    assert workspace.client.get("/access-log").status_code == 403
    assert workspace.services.calls == []


def test_the_index_offers_only_the_steps_the_stage_allows_to_the_roles_allowed(signed_in: Workspace) -> None:
    page = signed_in.client.get(f"/cases/{CASE}/decisions").text
    offered = set(re.findall(r'id="command-([a-z-]+)"', page))
    assert {"panel-submission", "milestone", "add-action", "reevaluate", "extend-clock"} <= offered
    assert not offered & {"panel-response", "commission", "publish", "progress-check", "extend-review"}
    assert f"/cases/{CASE}/decisions/update-action/{ACTION}" in page
    signed_in.sign_in(AUDITOR)
    page = signed_in.client.get(f"/cases/{CASE}/decisions").text
    assert 'id="commands"' not in page and "update-action" not in page


def test_the_summary_pdf_is_an_attachment_named_without_personal_data(signed_in: Workspace) -> None:
    signed_in.services.answers["RenderSummary"] = criteria_pb2.RenderSummaryResponse(
        content=b"%PDF-1.7", media_type="application/pdf", evaluation_id="ca9de658-02de-4da6-b3c2-04337cc99f1c")
    response = signed_in.client.get(f"/cases/{CASE}/documents/summary.pdf")
    assert response.status_code == 200 and response.content == b"%PDF-1.7"
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="criteria-summary-0b7f6a1e-ca9de658.pdf"'
    assert response.headers["cache-control"] == "no-store"


def test_the_access_log_asks_every_service_for_the_period_and_filters_given(workspace: Workspace) -> None:
    entry = access_log_pb2.AccessLogEntry(subject="demo-business-unit", role="business_unit", method="/rapidreview.v1.IntakeService/GetIncident",
                                          case_id=CASE, code="OK", request_id="r-1")
    entry.at.FromJsonString("2024-06-27T10:00:00Z")
    workspace.services.answers["ListAccessLog"] = access_log_pb2.ListAccessLogResponse(entries=[entry])
    workspace.sign_in(AUDITOR)
    page = workspace.client.get(f"/access-log?subject=demo-business-unit&case={CASE}&from-day=1&from-month=6&from-year=2024"
                                "&to-day=30&to-month=6&to-year=2024")
    assert page.status_code == 200 and page.text.count('data-subject="demo-business-unit"') == 4  # one per service
    sent = _sent(workspace, "ListAccessLog")
    assert len(sent) == 4 and all(r.subject == "demo-business-unit" and r.case_id == CASE for r in sent)
    assert sent[0].since.ToJsonString() == "2024-05-31T23:00:00Z"  # midnight in UK summer time
    assert sent[0].until.ToJsonString() == "2024-06-30T23:00:00Z"  # the end day included


def test_bad_access_log_filters_are_named_and_no_service_is_asked(workspace: Workspace) -> None:
    workspace.sign_in(AUDITOR)
    page = workspace.client.get("/access-log?case=Child+K&from-day=30&from-month=2&from-year=2024")
    assert page.status_code == 400
    assert "Case must be a case id" in page.text and "Start date must be a real date" in page.text
    assert workspace.services.calls == []


def test_an_altered_trail_is_shown_not_intact_with_the_entry_named(workspace: Workspace) -> None:
    verified = D.VerifyAuditTrailResponse(intact=False, cases_checked=1, entries_checked=9)
    verified.findings.add(case_id=CASE, sequence=2, problem=D.AUDIT_PROBLEM_CONTENT_CHANGED, description="entry 2 was changed")
    trail = D.GetAuditTrailResponse()
    trail.entries.add(sequence=2, action="evaluation.received", actor="event:criteria", actor_role="service", after_json="{}")
    workspace.services.answers.update({"GetIncident": _incident(), "VerifyAuditTrail": verified, "GetAuditTrail": trail})
    workspace.sign_in(AUDITOR)
    page = workspace.client.get(f"/cases/{CASE}/audit").text
    assert "Not intact" in page and "entry 2 was changed" in page and "Changed after it was written" in page
    assert "by the criteria service (an event)" in page


def test_the_advisory_group_and_the_executive_are_sent_to_their_forms_at_their_step(workspace: Workspace) -> None:
    awaiting = _case(D.CASE_STAGE_AWAITING_RECOMMENDATION)
    del awaiting.case.decisions[:]
    workspace.services.answers.update({"GetIncident": _incident(), "GetCase": awaiting})
    workspace.sign_in(RAG)
    page = workspace.client.get(f"/cases/{CASE}/decisions").text
    assert f'href="/cases/{CASE}/decisions/recommendation">Record the advisory group&#39;s recommendation</a>' in page
    assert "/decisions/decision" not in page  # the Executive's, and not yet
    workspace.sign_in(Principal("person-exec-1", Role.EXECUTIVE, "leeds"))
    assert "/decisions/recommendation" not in workspace.client.get(f"/cases/{CASE}/decisions").text
    workspace.services.answers["GetCase"] = _case(D.CASE_STAGE_AWAITING_DECISION)
    page = workspace.client.get(f"/cases/{CASE}/decisions").text
    assert f'href="/cases/{CASE}/decisions/decision">Record the Executive&#39;s decision</a>' in page
