"""The statutory-fidelity pages in the browser, each on a case of its own: the Secretary of State and
Ofsted told of a looked-after child's death (the duty's clock done once both are recorded), the
notification amended when facts change (duties and clocks worked out again, the new version
checked through intake), and the local authority's decision not to notify on an agency's referral
(the incident withdrawn)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import grpc
from google.protobuf import json_format
from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import common_pb2, intake_pb2, intake_pb2_grpc
from tests.browser.conftest import Web
from tests.browser.support import REPO, assert_accessible, run_async, screenshot, sign_in


async def _notify(web: Web, change: Callable[[intake_pb2.Notification], None]) -> str:
    request = json_format.Parse((REPO / "docs" / "examples" / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"browser-duties-{uuid.uuid4()}"
    aware = WorkingDayCalendar().today() - dt.timedelta(days=1)
    request.notification.child.child_ref = f"Child D{uuid.uuid4().hex[:6]}"
    request.notification.la_aware_date = aware.isoformat()
    request.notification.incident_date = (aware - dt.timedelta(days=1)).isoformat()
    change(request.notification)
    token = web.token(Role.NOTIFYING_LA)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        response = await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
            request, metadata=(("authorization", f"Bearer {token}"),), timeout=30)
    return response.incident.case_id


def notify(web: Web, change: Callable[[intake_pb2.Notification], None] = lambda n: None) -> str:
    return run_async(_notify(web, change))


async def _incident(web: Web, case_id: str) -> intake_pb2.Incident:
    token = web.token(Role.BUSINESS_UNIT)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        return (await intake_pb2_grpc.IntakeServiceStub(channel).GetIncident(
            intake_pb2.GetIncidentRequest(case_id=case_id), metadata=(("authorization", f"Bearer {token}"),), timeout=15)).incident


def incident(web: Web, case_id: str) -> intake_pb2.Incident:
    return run_async(_incident(web, case_id))


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def looked_after_death(n: intake_pb2.Notification) -> None:
    n.child.looked_after = True
    n.nature = common_pb2.NATURE_DEATH
    del n.harm_domains[:]
    n.recovered = False
    n.abuse_or_neglect = common_pb2.ABUSE_OR_NEGLECT_NOT_SUSPECTED


def test_the_secretary_of_state_and_ofsted_are_told_of_a_looked_after_childs_death(web: Web, page: Page) -> None:
    case_id = notify(web, looked_after_death)
    aware = dt.date.fromisoformat(incident(web, case_id).notification.la_aware_date)
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}")
    page.locator("#case-actions").get_by_role("link", name="Notifications the duties need").click()
    duty = page.locator("dl[data-duty='NOTIFY.LAC_DEATH']")
    expect(duty).to_contain_text("The Secretary of State")
    expect(duty).to_contain_text("Ofsted")
    expect(page.locator("#duty-NOTIFY\\.LAC_DEATH")).to_contain_text("Death of a looked-after child")
    assert_accessible(page)

    duty.get_by_role("link", name="Record Ofsted").click()
    expect(page.get_by_label("Ofsted: death of a looked-after child")).to_be_checked()
    fill_date(page, "Date sent", aware - dt.timedelta(days=2))  # before the local authority was aware
    page.get_by_label("Reference (optional)").fill("OFSTED-123")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the notification").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date sent: must not be before the date the local authority became aware")
    assert_accessible(page)
    assert not incident(web, case_id).notifications_sent
    fill_date(page, "Date sent", aware)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("OFSTED-123")
    screenshot(page, "notification-sent-check")
    page.get_by_role("button", name="Record the notification").click()
    expect(page.locator("#flash")).to_contain_text("NOTIFY.LAC_DEATH still needs the others told.")

    page.locator("dl[data-duty='NOTIFY.LAC_DEATH']").get_by_role("link", name="Record The Secretary of State").click()
    fill_date(page, "Date sent", WorkingDayCalendar().today())
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the notification").click()
    expect(page.locator("#flash")).to_contain_text("NOTIFY.LAC_DEATH is done.")
    expect(page.locator("dl[data-duty='NOTIFY.LAC_DEATH']")).to_contain_text("reference OFSTED-123")
    assert_accessible(page)
    screenshot(page, "notifications-sent")
    stored = incident(web, case_id)
    assert {(n.recipient, n.sent_date) for n in stored.notifications_sent if n.duty == "NOTIFY.LAC_DEATH"} == {
        (intake_pb2.NOTIFICATION_RECIPIENT_OFSTED, aware.isoformat()),
        (intake_pb2.NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE, WorkingDayCalendar().today().isoformat())}
    assert next(c for c in stored.clocks if c.id == "NOTIFY.LAC_DEATH").completed_on == WorkingDayCalendar().today().isoformat()


def test_the_officer_amends_the_notification_and_the_duties_follow(web: Web, page: Page) -> None:
    case_id = notify(web)
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}")
    page.locator("#case-actions").get_by_role("link", name="Amend the notification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amend the notification")
    assert_accessible(page)
    page.get_by_role("button", name="Change the answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the amended notification")
    expect(page.locator("main")).to_contain_text("West Yorkshire Police")  # the recorded answers

    page.get_by_role("link", name="Change circumstances").click()
    page.get_by_label("Looked after by a local authority").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Change what happened").first.click()
    page.get_by_label("The child died").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the amended notification")
    expect(page.locator("main")).to_contain_text("The child died")
    page.get_by_role("button", name="Amend the notification").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the notification is amended")
    assert_accessible(page)
    screenshot(page, "amend-check")
    assert incident(web, case_id).notification_version == 1

    page.get_by_label("Why is the notification amended?").fill("The child died in hospital; the child was looked after.")
    page.get_by_role("button", name="Amend the notification").click()
    expect(page.locator("#confirmation")).to_contain_text("Notification amended")
    expect(page.locator("#confirmation")).to_contain_text("version 2")
    expect(page.locator("#amendment")).to_contain_text("What happened")
    expect(page.locator("#amendment")).to_contain_text("NOTIFY.LAC_DEATH")
    expect(page.locator("#clocks tr[data-clock='NOTIFY.LAC_DEATH']")).to_contain_text("working days left")
    assert_accessible(page)
    screenshot(page, "amend-done")
    stored = incident(web, case_id)
    assert stored.notification_version == 2 and stored.notification.nature == common_pb2.NATURE_DEATH
    assert stored.notification.child.looked_after and "NOTIFY.LAC_DEATH" in {c.id for c in stored.clocks}
    assert stored.amendments[-1].reason == "The child died in hospital; the child was looked after."


def test_the_officer_decides_not_to_notify_on_an_agencys_referral(web: Web, page: Page) -> None:
    def referred(n: intake_pb2.Notification) -> None:
        n.referred_by_agency = "gp-practice"

    case_id = notify(web, referred)
    sign_in(page, web.url, "demo-business-unit")  # the decision is the local authority's only
    response = page.goto(f"{web.url}/cases/{case_id}/referral-decision")
    assert response is not None and response.status == 403
    page.context.clear_cookies()

    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}")
    page.locator("#case-actions").get_by_role("link", name="Decide on the agency's referral").click()
    expect(page.locator("#referred-by")).to_contain_text("GP practice referred this incident")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select whether the local authority notifies the Panel")
    expect(summary).to_contain_text("Enter the local authority's rationale")
    expect(summary).to_contain_text("Enter the date of the decision")
    assert_accessible(page)
    page.get_by_label("Do not notify the Panel").check()
    page.get_by_label("Rationale").fill("The injury has a medical explanation; no abuse or neglect is suspected.")
    fill_date(page, "Date of the decision", WorkingDayCalendar().today())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the decision on the referral")
    expect(page.locator("main")).to_contain_text("The incident is withdrawn")
    assert_accessible(page)
    assert not incident(web, case_id).HasField("referral_decision")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#confirmation")).to_contain_text("Do not notify the Panel")
    expect(page.locator("#outcome")).to_contain_text("The incident is withdrawn")
    assert_accessible(page)
    stored = incident(web, case_id)
    assert stored.referral_decision.decision == intake_pb2.REFERRAL_DECISION_KIND_NOT_NOTIFY
    assert stored.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN
