"""Recording on a case with fakes: the Panel notification (check your answers, then once), the
notifications the duties need (Secretary of State, Ofsted, partners), the withdrawal with its
reason, the decision on an agency's referral; each as the person, with its confirmation, its
errors named and nothing sent on a refused form."""

from __future__ import annotations

from typing import Any

import pytest

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import intake_pb2
from rapidreview.workspace import errors
from tests.unit.workspace.conftest import AUDITOR, BU, POLICE, Workspace

LA = Principal("person-la-1", Role.NOTIFYING_LA, "leeds")
CASE = "0b7f6a1e-1111-4222-8333-444455556666"


class Intake:
    """A stateful fake of intake's incident for these pages."""

    def __init__(self) -> None:
        self.incident = intake_pb2.Incident(case_id=CASE, partnership="leeds", status=intake_pb2.INCIDENT_STATUS_NOTIFIED)
        self.incident.notification.child.child_ref = "Child Q"
        self.incident.notification.la_aware_date = "2024-06-04"
        self.incident.clocks.add(id="NOTIFY.DEADLINE", due="2024-06-11", effective_due="2024-06-11", working_days_left=3)
        self.incident.clocks.add(id="NOTIFY.PARTNERS", due="2024-06-11", effective_due="2024-06-11", working_days_left=3)

    def get(self, request: Any) -> intake_pb2.GetIncidentResponse:
        return intake_pb2.GetIncidentResponse(incident=self.incident)

    def panel(self, request: intake_pb2.RecordPanelNotificationRequest) -> Any:
        self.incident.panel_notification.reference = request.reference
        self.incident.panel_notification.sent_date = request.sent_date
        self.incident.status = intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED
        self.incident.clocks[0].completed_on = request.sent_date
        self.incident.clocks.add(id="RR.DEADLINE", due="2024-06-28", effective_due="2024-06-28", working_days_left=6)
        return intake_pb2.RecordPanelNotificationResponse(incident=self.incident)

    def withdraw(self, request: intake_pb2.WithdrawIncidentRequest) -> Any:
        self.incident.status = intake_pb2.INCIDENT_STATUS_WITHDRAWN
        return intake_pb2.WithdrawIncidentResponse(incident=self.incident)

    def sent(self, request: intake_pb2.RecordNotificationSentRequest) -> Any:
        self.incident.notifications_sent.add(duty=request.duty, recipient=request.recipient, sent_date=request.sent_date,
                                             reference=request.reference)
        recipients = {n.recipient for n in self.incident.notifications_sent if n.duty == request.duty}
        needed = {"NOTIFY.LAC_DEATH": 2, "NOTIFY.PARTNERS": 1}[request.duty]
        if len(recipients) == needed:
            next(c for c in self.incident.clocks if c.id == request.duty).completed_on = request.sent_date
        return intake_pb2.RecordNotificationSentResponse(incident=self.incident)

    def referral(self, request: intake_pb2.RecordReferralDecisionRequest) -> Any:
        self.incident.referral_decision.decision = request.decision
        self.incident.referral_decision.rationale = request.rationale
        self.incident.referral_decision.decided_on = request.decided_on
        if request.decision == intake_pb2.REFERRAL_DECISION_KIND_NOT_NOTIFY:
            self.incident.status = intake_pb2.INCIDENT_STATUS_WITHDRAWN
        return intake_pb2.RecordReferralDecisionResponse(incident=self.incident)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    intake = Intake()
    workspace.intake = intake  # type: ignore[attr-defined]
    workspace.services.answers.update({"GetIncident": intake.get, "RecordPanelNotification": intake.panel,
                                       "WithdrawIncident": intake.withdraw, "RecordNotificationSent": intake.sent,
                                       "RecordReferralDecision": intake.referral})
    workspace.sign_in(LA)
    return workspace


def post(ws: Workspace, path: str, data: dict[str, Any]) -> Any:
    return ws.client.post(path, data={**data, "csrf_token": ws.csrf()})


def calls(ws: Workspace, rpc: str) -> list[Any]:
    return [c[2] for c in ws.services.calls if c[0] == rpc]


PANEL = {"reference": "CSPRP-2024-0457", "sent-date-day": "7", "sent-date-month": "6", "sent-date-year": "2024"}


def test_the_overview_lists_what_the_person_may_record(ws: Workspace) -> None:
    page = ws.client.get(f"/cases/{CASE}")
    for link in ("panel-notification", "notifications-sent/record", "notifications-sent", "amend", "withdraw"):
        assert f'href="/cases/{CASE}/{link}"' in page.text


def test_the_panel_notification_is_checked_then_recorded_once_with_its_confirmation(ws: Workspace) -> None:
    form = ws.client.get(f"/cases/{CASE}/panel-notification")
    assert form.status_code == 200 and "11 June 2024" in form.text  # when it is due
    assert post(ws, f"/cases/{CASE}/panel-notification", PANEL).headers["location"] == f"/cases/{CASE}/panel-notification/check"
    check = ws.client.get(f"/cases/{CASE}/panel-notification/check")
    assert "CSPRP-2024-0457" in check.text and "7 June 2024" in check.text and calls(ws, "RecordPanelNotification") == []
    done = post(ws, f"/cases/{CASE}/panel-notification/check", {})
    assert done.headers["location"] == f"/cases/{CASE}/panel-notification/done"
    assert [(r.case_id, r.reference, r.sent_date) for r in calls(ws, "RecordPanelNotification")] == [
        (CASE, "CSPRP-2024-0457", "2024-06-07")]
    page = ws.client.get(done.headers["location"])
    assert "Notification to the Panel recorded" in page.text and "28 June 2024" in page.text and "RR.DEADLINE" in page.text
    # a second click finds no draft any more and sends nothing
    assert post(ws, f"/cases/{CASE}/panel-notification/check", {}).status_code == 303
    assert len(calls(ws, "RecordPanelNotification")) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({**PANEL, "sent-date-day": "31", "sent-date-month": "6"}, "Date sent must be a real date"),
    ({**PANEL, "sent-date-year": "2099"}, "Date sent must be today or in the past"),
    ({**PANEL, "reference": ""}, "Enter the Panel&#39;s reference"),
    ({**PANEL, "reference": "x" * 65}, "must be 64 characters or fewer"),
])
def test_a_bad_panel_notification_is_named_and_nothing_is_kept(ws: Workspace, data: dict[str, str], message: str) -> None:
    page = post(ws, f"/cases/{CASE}/panel-notification", data)
    assert page.status_code == 400 and message in page.text and "<title>Error: " in page.text
    assert ws.client.get(f"/cases/{CASE}/panel-notification/check").headers["location"].endswith("/panel-notification")


def test_intakes_violation_of_the_sent_date_shows_on_the_form(ws: Workspace) -> None:
    post(ws, f"/cases/{CASE}/panel-notification", PANEL)
    ws.services.answers["RecordPanelNotification"] = errors.InvalidInput(
        [("sent_date", "must not be before the date the local authority became aware")])
    page = post(ws, f"/cases/{CASE}/panel-notification/check", {})
    assert page.status_code == 400
    assert "Date sent: must not be before the date the local authority became aware" in page.text
    assert 'href="#sent-date-day"' in page.text and 'value="CSPRP-2024-0457"' in page.text


def test_withdrawal_needs_a_reason_then_asks_for_confirmation(ws: Workspace) -> None:
    empty = post(ws, f"/cases/{CASE}/withdraw", {"reason": "  "})
    assert empty.status_code == 400 and "Enter why the notification is withdrawn" in empty.text
    long = post(ws, f"/cases/{CASE}/withdraw", {"reason": "x" * 2001})
    assert long.status_code == 400 and "2,000 characters or fewer" in long.text
    assert post(ws, f"/cases/{CASE}/withdraw", {"reason": "Not a serious case after all."}).status_code == 303
    check = ws.client.get(f"/cases/{CASE}/withdraw/check")
    assert "Not a serious case after all." in check.text and "NOTIFY.DEADLINE" in check.text
    assert calls(ws, "WithdrawIncident") == []
    assert post(ws, f"/cases/{CASE}/withdraw/check", {}).headers["location"] == f"/cases/{CASE}/withdraw/done"
    assert [r.reason for r in calls(ws, "WithdrawIncident")] == ["Not a serious case after all."]
    assert "Notification withdrawn" in ws.client.get(f"/cases/{CASE}/withdraw/done").text
    overview = ws.client.get(f"/cases/{CASE}").text  # nothing more to record but the partners' duty list (its clock stopped)
    assert "/withdraw" not in overview and "/panel-notification" not in overview and "/amend" not in overview
    assert "notifications-sent/record" not in overview


def test_a_notification_a_duty_needs_is_checked_then_recorded_and_closes_the_duty(ws: Workspace) -> None:
    ws.intake.incident.clocks.add(id="NOTIFY.LAC_DEATH", due="2024-06-11", effective_due="2024-06-11", working_days_left=3)
    page = ws.client.get(f"/cases/{CASE}/notifications-sent")
    assert "Death of a looked-after child" in page.text and "The Secretary of State" in page.text and "Ofsted" in page.text
    form = ws.client.get(f"/cases/{CASE}/notifications-sent/record?to=NOTIFY.LAC_DEATH:ofsted")
    assert 'value="NOTIFY.LAC_DEATH:ofsted" checked' in form.text
    assert 'value="NOTIFY.PARTNERS:safeguarding-partners"' in form.text
    bad = post(ws, f"/cases/{CASE}/notifications-sent/record", {"choice": "NOTIFY.LAC_DEATH:the-press", "sent-date-day": "30",
                                                               "sent-date-month": "2", "sent-date-year": "2024"})
    assert bad.status_code == 400 and "Select who the notification was sent to" in bad.text and "must be a real date" in bad.text
    for recipient, day in (("ofsted", "6"), ("secretary-of-state", "7")):
        assert post(ws, f"/cases/{CASE}/notifications-sent/record", {
            "choice": f"NOTIFY.LAC_DEATH:{recipient}", "sent-date-day": day, "sent-date-month": "6", "sent-date-year": "2024",
            "reference": "OF-1"}).headers["location"] == f"/cases/{CASE}/notifications-sent/check"
        assert "NOTIFY.LAC_DEATH" in ws.client.get(f"/cases/{CASE}/notifications-sent/check").text
        assert post(ws, f"/cases/{CASE}/notifications-sent/check", {}).headers["location"] == f"/cases/{CASE}/notifications-sent"
    sent = calls(ws, "RecordNotificationSent")
    assert [(r.duty, r.recipient, r.sent_date, r.reference) for r in sent] == [
        ("NOTIFY.LAC_DEATH", intake_pb2.NOTIFICATION_RECIPIENT_OFSTED, "2024-06-06", "OF-1"),
        ("NOTIFY.LAC_DEATH", intake_pb2.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, "2024-06-07", "OF-1")]
    page = ws.client.get(f"/cases/{CASE}/notifications-sent")
    assert "The Secretary of State recorded as told on 7 June 2024. NOTIFY.LAC_DEATH is done." in page.text
    assert "Told on 6 June 2024, reference OF-1" in page.text
    assert post(ws, f"/cases/{CASE}/notifications-sent/check", {}).status_code == 303 and len(calls(ws, "RecordNotificationSent")) == 2


def test_the_death_of_a_looked_after_child_is_still_told_after_a_withdrawal(ws: Workspace) -> None:
    ws.intake.incident.clocks.add(id="NOTIFY.LAC_DEATH", due="2024-06-11", effective_due="2024-06-11", working_days_left=3)
    ws.intake.incident.status = intake_pb2.INCIDENT_STATUS_WITHDRAWN
    form = ws.client.get(f"/cases/{CASE}/notifications-sent/record")
    assert "NOTIFY.LAC_DEATH:ofsted" in form.text and "NOTIFY.PARTNERS:safeguarding-partners" not in form.text
    overview = ws.client.get(f"/cases/{CASE}").text
    assert "notifications-sent/record" in overview and "/withdraw" not in overview and "/amend" not in overview


def test_the_referral_decision_is_checked_and_not_notifying_withdraws(ws: Workspace) -> None:
    assert ws.client.get(f"/cases/{CASE}/referral-decision").status_code == 409  # no referral on this case
    ws.intake.incident.notification.referred_by_agency = "gp-practice"
    ws.intake.incident.notification.agencies.add(agency_id="gp-practice", name="GP practice")
    assert 'href="/cases/%s/referral-decision"' % CASE in ws.client.get(f"/cases/{CASE}").text
    empty = post(ws, f"/cases/{CASE}/referral-decision", {})
    assert empty.status_code == 400
    for message in ("Select whether the local authority notifies the Panel", "Enter the local authority&#39;s rationale",
                    "Enter the date of the decision"):
        assert message in empty.text
    data = {"decision": "not-notify", "rationale": "The injury has a medical explanation.", "decided-on-day": "6",
            "decided-on-month": "6", "decided-on-year": "2024"}
    assert post(ws, f"/cases/{CASE}/referral-decision", data).headers["location"] == f"/cases/{CASE}/referral-decision/check"
    check = ws.client.get(f"/cases/{CASE}/referral-decision/check").text
    assert "Do not notify the Panel" in check and "The incident is withdrawn" in check and calls(ws, "RecordReferralDecision") == []
    assert post(ws, f"/cases/{CASE}/referral-decision/check", {}).headers["location"] == f"/cases/{CASE}/referral-decision/done"
    (req,) = calls(ws, "RecordReferralDecision")
    assert (req.decision, req.rationale, req.decided_on) == (
        intake_pb2.REFERRAL_DECISION_KIND_NOT_NOTIFY, "The injury has a medical explanation.", "2024-06-06")
    done = ws.client.get(f"/cases/{CASE}/referral-decision/done").text
    assert "Decision on the referral recorded" in done and "GP practice" in done and "is withdrawn" in done


def test_only_the_local_authority_decides_on_a_referral(ws: Workspace) -> None:
    ws.intake.incident.notification.referred_by_agency = "gp-practice"
    ws.sign_in(BU)
    assert ws.client.get(f"/cases/{CASE}/referral-decision").status_code == 403
    assert "referral-decision" not in ws.client.get(f"/cases/{CASE}").text


@pytest.mark.parametrize("principal", [POLICE, AUDITOR, Principal("person-rag-1", Role.RAG_MEMBER, "leeds")])
@pytest.mark.parametrize("path", ["panel-notification", "withdraw", "notifications-sent/record", "withdraw/check", "amend",
                                  "referral-decision"])
def test_roles_that_may_not_record_are_refused(workspace: Workspace, principal: Principal, path: str) -> None:
    workspace.sign_in(principal)
    assert workspace.client.get(f"/cases/{CASE}/{path}").status_code == 403
    assert workspace.client.post(f"/cases/{CASE}/{path}", data={"csrf_token": workspace.csrf(), "reason": "x"}).status_code == 403
    assert workspace.services.calls == []


def test_the_business_unit_sees_the_same_actions(ws: Workspace) -> None:
    ws.sign_in(BU)
    assert 'href="/cases/%s/withdraw"' % CASE in ws.client.get(f"/cases/{CASE}").text
