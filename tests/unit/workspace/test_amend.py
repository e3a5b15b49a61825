"""Amending a case's notification with fakes: the recorded answers copied into a draft, changed on
the question pages (each back to check your answers), sent once with the reason and the version
they were read from, intake's violations shown on their pages, and the confirmation of what changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.workspace import errors
from tests.unit.workspace.conftest import POLICE, Workspace

LA = Principal("person-la-1", Role.NOTIFYING_LA, "leeds")
CASE = "0b7f6a1e-1111-4222-8333-444455556666"
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "notification.json"


class Intake:
    def __init__(self) -> None:
        request = json_format.Parse(EXAMPLE.read_text(), intake_pb2.NotifyIncidentRequest())
        self.incident = intake_pb2.Incident(case_id=CASE, partnership="leeds", status=intake_pb2.INCIDENT_STATUS_PANEL_NOTIFIED,
                                            notification=request.notification, notification_version=1)
        self.incident.clocks.add(id="RR.DEADLINE", due="2024-06-28", effective_due="2024-06-28", working_days_left=6)

    def get(self, request: Any) -> intake_pb2.GetIncidentResponse:
        return intake_pb2.GetIncidentResponse(incident=self.incident)

    def amend(self, request: intake_pb2.AmendNotificationRequest) -> intake_pb2.AmendNotificationResponse:
        if request.expected_version != self.incident.notification_version:
            raise errors.StepRefused("the notification changed since version %d" % request.expected_version)
        self.incident.notification.CopyFrom(request.notification)
        self.incident.notification_version += 1
        self.incident.amendments.add(version=self.incident.notification_version, reason=request.reason, changed_fields=["nature"],
                                     duties_changed=["NOTIFY.LAC_DEATH: NOT_MET -> MET"], clocks_started=["NOTIFY.LAC_DEATH"],
                                     amended_by="person-la-1")
        return intake_pb2.AmendNotificationResponse(incident=self.incident)


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    intake = Intake()
    workspace.intake = intake  # type: ignore[attr-defined]
    workspace.services.answers.update({"GetIncident": intake.get, "AmendNotification": intake.amend})
    workspace.sign_in(LA)
    return workspace


def post(ws: Workspace, path: str, data: dict[str, Any]) -> Any:
    return ws.client.post(path, data={**data, "csrf_token": ws.csrf()})


def amended(ws: Workspace) -> list[intake_pb2.AmendNotificationRequest]:
    return [c[2] for c in ws.services.calls if c[0] == "AmendNotification"]


def test_an_amendment_starts_from_the_recorded_answers_and_sends_the_whole_notification_once(ws: Workspace) -> None:
    assert "version 1" in ws.client.get(f"/cases/{CASE}/amend").text
    assert post(ws, f"/cases/{CASE}/amend", {}).headers["location"] == f"/cases/{CASE}/amend/check"
    check = ws.client.get(f"/cases/{CASE}/amend/check")
    assert check.status_code == 200 and "Child K" in check.text and "West Yorkshire Police" in check.text
    assert f'href="/cases/{CASE}/amend/what-happened?change=yes"' in check.text
    page = ws.client.get(f"/cases/{CASE}/amend/what-happened?change=yes")
    assert 'value="serious_harm" checked' in page.text and f'href="/cases/{CASE}/amend/check"' in page.text  # back to the check
    assert post(ws, f"/cases/{CASE}/amend/what-happened", {"nature": "death"}).headers["location"] == f"/cases/{CASE}/amend/check"
    assert "The child died" in ws.client.get(f"/cases/{CASE}/amend/check").text

    no_reason = post(ws, f"/cases/{CASE}/amend/check", {"reason": ""})
    assert no_reason.status_code == 400 and "Enter why the notification is amended" in no_reason.text and amended(ws) == []
    done = post(ws, f"/cases/{CASE}/amend/check", {"reason": "The child died in hospital on 10 June."})
    assert done.headers["location"] == f"/cases/{CASE}/amend/done"
    (request,) = amended(ws)
    assert (request.case_id, request.expected_version, request.reason) == (CASE, 1, "The child died in hospital on 10 June.")
    assert request.notification.nature == common_pb2.NATURE_DEATH and not request.notification.harm_domains
    assert [a.agency_id for a in request.notification.agencies][:2] == ["west-yorkshire-police", "gp-practice"]
    page = ws.client.get(done.headers["location"]).text
    assert "Notification amended" in page and "Now version <strong>2</strong>" in page
    assert "What happened" in page and "NOTIFY.LAC_DEATH: NOT_MET -&gt; MET" in page and "RR.DEADLINE" in page
    assert post(ws, f"/cases/{CASE}/amend/check", {"reason": "again"}).headers["location"] == f"/cases/{CASE}/amend/done"
    assert len(amended(ws)) == 1  # a second click finds the draft gone


def test_two_clicks_at_once_count_as_one_amendment(ws: Workspace) -> None:
    post(ws, f"/cases/{CASE}/amend", {})
    reason = "An age was wrong."
    ws.intake.amend(intake_pb2.AmendNotificationRequest(case_id=CASE, expected_version=1, reason=reason,
                                                        notification=ws.intake.incident.notification))  # the other click
    assert post(ws, f"/cases/{CASE}/amend/check", {"reason": reason}).headers["location"] == f"/cases/{CASE}/amend/done"


def test_an_amendment_read_from_an_older_version_is_refused(ws: Workspace) -> None:
    post(ws, f"/cases/{CASE}/amend", {})
    ws.intake.incident.notification_version = 3  # someone else amended meanwhile
    refused = post(ws, f"/cases/{CASE}/amend/check", {"reason": "Mine"})
    assert refused.status_code == 409 and "changed since version 1" in refused.text


def test_intakes_violations_link_to_their_pages(ws: Workspace) -> None:
    post(ws, f"/cases/{CASE}/amend", {})
    ws.services.answers["AmendNotification"] = errors.InvalidInput(
        [("notification.la_aware_date", "must not be after the Panel notification was sent"), ("reason", "at most 2000 characters")])
    page = post(ws, f"/cases/{CASE}/amend/check", {"reason": "Dates corrected"})
    assert page.status_code == 400
    assert f'href="/cases/{CASE}/amend/dates?change=yes#la-aware-date-day"' in page.text and 'href="#reason"' in page.text
    dates = ws.client.get(f"/cases/{CASE}/amend/dates?change=yes")
    assert dates.status_code == 400 and "must not be after the Panel notification was sent" in dates.text


@pytest.mark.parametrize("principal", [POLICE, Principal("person-rag-1", Role.RAG_MEMBER, "leeds")])
def test_roles_that_may_not_amend_are_refused(workspace: Workspace, principal: Principal) -> None:
    workspace.sign_in(principal)
    for path in ("amend", "amend/check", "amend/child"):
        assert workspace.client.get(f"/cases/{CASE}/{path}").status_code == 403
        assert workspace.client.post(f"/cases/{CASE}/{path}", data={"csrf_token": workspace.csrf()}).status_code == 403
    assert workspace.services.calls == []


def test_a_withdrawn_notification_cannot_be_amended(ws: Workspace) -> None:
    ws.intake.incident.status = intake_pb2.INCIDENT_STATUS_WITHDRAWN
    assert ws.client.get(f"/cases/{CASE}/amend").status_code == 409
    assert post(ws, f"/cases/{CASE}/amend", {}).status_code == 409
