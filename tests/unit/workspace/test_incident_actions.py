"""Recording on a case with fakes: the Panel notification (check your answers, then once), the
partners informed, the withdrawal with its reason; each as the person, with its confirmation,
its errors named and nothing sent on a refused form."""

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

    def partners(self, request: intake_pb2.RecordPartnersInformedRequest) -> Any:
        self.incident.partners_informed_date = request.informed_date
        return intake_pb2.RecordPartnersInformedResponse(incident=self.incident)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    intake = Intake()
    workspace.services.answers.update({"GetIncident": intake.get, "RecordPanelNotification": intake.panel,
                                       "WithdrawIncident": intake.withdraw, "RecordPartnersInformed": intake.partners})
    workspace.sign_in(LA)
    return workspace


def post(ws: Workspace, path: str, data: dict[str, Any]) -> Any:
    return ws.client.post(path, data={**data, "csrf_token": ws.csrf()})


def calls(ws: Workspace, rpc: str) -> list[Any]:
    return [c[2] for c in ws.services.calls if c[0] == rpc]


PANEL = {"reference": "CSPRP-2024-0457", "sent-date-day": "7", "sent-date-month": "6", "sent-date-year": "2024"}


def test_the_overview_lists_what_the_person_may_record(ws: Workspace) -> None:
    page = ws.client.get(f"/cases/{CASE}")
    for link in ("panel-notification", "partners-informed", "withdraw"):
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
    assert 'id="case-actions"' not in ws.client.get(f"/cases/{CASE}").text  # nothing more to record


def test_partners_informed_is_recorded_with_its_date(ws: Workspace) -> None:
    bad = post(ws, f"/cases/{CASE}/partners-informed", {"informed-date-day": "30", "informed-date-month": "2", "informed-date-year": "2024"})
    assert bad.status_code == 400 and "must be a real date" in bad.text and calls(ws, "RecordPartnersInformed") == []
    done = post(ws, f"/cases/{CASE}/partners-informed", {"informed-date-day": "5", "informed-date-month": "6", "informed-date-year": "2024"})
    assert done.headers["location"] == f"/cases/{CASE}/partners-informed/done"
    assert [r.informed_date for r in calls(ws, "RecordPartnersInformed")] == ["2024-06-05"]
    assert "5 June 2024" in ws.client.get(done.headers["location"]).text


@pytest.mark.parametrize("principal", [POLICE, AUDITOR, Principal("person-rag-1", Role.RAG_MEMBER, "leeds")])
@pytest.mark.parametrize("path", ["panel-notification", "withdraw", "partners-informed", "withdraw/check"])
def test_roles_that_may_not_record_are_refused(workspace: Workspace, principal: Principal, path: str) -> None:
    workspace.sign_in(principal)
    assert workspace.client.get(f"/cases/{CASE}/{path}").status_code == 403
    assert workspace.client.post(f"/cases/{CASE}/{path}", data={"csrf_token": workspace.csrf(), "reason": "x"}).status_code == 403
    assert workspace.services.calls == []


def test_the_business_unit_sees_the_same_actions(ws: Workspace) -> None:
    ws.sign_in(BU)
    assert 'href="/cases/%s/withdraw"' % CASE in ws.client.get(f"/cases/{CASE}").text
