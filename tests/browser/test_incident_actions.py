"""On a case, in the browser: the officer records the notification to the Panel (check your answers,
then the rapid review clock shown), that the partners were informed, and withdraws the notification
with a reason; bad input is named with nothing stored (checked through intake); people who may not
record are refused, by URL too."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc
from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.browser.conftest import Web, _notify
from tests.browser.support import assert_accessible, run_async, screenshot, sign_in


async def _incident(web: Web, case_id: str) -> intake_pb2.Incident:
    token = web.token(Role.BUSINESS_UNIT)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        response = await intake_pb2_grpc.IntakeServiceStub(channel).GetIncident(
            intake_pb2.GetIncidentRequest(case_id=case_id), metadata=(("authorization", f"Bearer {token}"),), timeout=15)
    return response.incident


def incident(web: Web, case_id: str) -> intake_pb2.Incident:
    return run_async(_incident(web, case_id))


def new_case(web: Web, days_ago: int = 2) -> tuple[str, dt.date]:
    aware = WorkingDayCalendar().today() - dt.timedelta(days=days_ago)
    return run_async(_notify(web.stack, f"Child A{uuid.uuid4().hex[:6]}", aware)), aware


def fill_date(page: Page, legend: str, day: dt.date | tuple[str, str, str]) -> None:
    d, m, y = (str(day.day), str(day.month), str(day.year)) if isinstance(day, dt.date) else day
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(d)
    group.get_by_label("Month").fill(m)
    group.get_by_label("Year").fill(y)


def long(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def test_the_officer_records_the_panel_notification_and_sees_the_rapid_review_clock(web: Web, page: Page) -> None:
    case_id, aware = new_case(web)
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}")
    page.locator("#case-actions").get_by_role("link", name="Record the notification to the Panel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the notification to the Panel")
    expect(page.locator("#notify-due")).to_contain_text(long(WorkingDayCalendar().add_working_days(aware, 5)))
    assert_accessible(page)

    # Sent before the local authority was aware: the page accepts the date, intake refuses it.
    page.get_by_label("The Panel's reference").fill("CSPRP-BROWSER-1")
    fill_date(page, "Date sent", aware - dt.timedelta(days=3))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the notification").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Date sent: must not be before the date the local authority became aware")
    expect(page.get_by_label("The Panel's reference")).to_have_value("CSPRP-BROWSER-1")
    assert_accessible(page)
    screenshot(page, "panel-notification-error")
    assert not incident(web, case_id).panel_notification.sent_date

    sent = WorkingDayCalendar().today()
    fill_date(page, "Date sent", sent)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the notification to the Panel")
    expect(page.locator("main")).to_contain_text("CSPRP-BROWSER-1")
    expect(page.locator("main")).to_contain_text(long(sent))
    assert_accessible(page)
    screenshot(page, "panel-notification-check")
    page.get_by_role("button", name="Record the notification").click()

    expect(page.locator("#confirmation")).to_contain_text("Notification to the Panel recorded")
    expect(page.locator("#confirmation")).to_contain_text("CSPRP-BROWSER-1")
    rr_due = WorkingDayCalendar().add_working_days(sent, 15)
    expect(page.locator("#rr-clock")).to_contain_text(long(rr_due))
    expect(page.locator("#rr-clock")).to_contain_text("RR.DEADLINE")
    assert_accessible(page)
    screenshot(page, "panel-notification-done")
    stored = incident(web, case_id)
    assert (stored.panel_notification.reference, stored.panel_notification.sent_date) == ("CSPRP-BROWSER-1", sent.isoformat())

    page.goto(f"{web.url}/cases/{case_id}")
    expect(page.locator("#incident_panel_notification")).to_have_count(0)  # recorded: no longer offered
    expect(page.locator("#clocks tr[data-clock='RR.DEADLINE']")).to_contain_text(long(rr_due))


def test_bad_panel_notification_input_is_named_and_nothing_is_stored(web: Web, page: Page) -> None:
    case_id, _ = new_case(web)
    sign_in(page, web.url, "demo-business-unit")
    page.goto(f"{web.url}/cases/{case_id}/panel-notification")
    page.get_by_label("The Panel's reference").fill("x" * 65)
    fill_date(page, "Date sent", ("30", "2", "2024"))
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The Panel's reference must be 64 characters or fewer")
    expect(summary).to_contain_text("Date sent must be a real date")
    page.get_by_label("The Panel's reference").fill("CSPRP-1")
    fill_date(page, "Date sent", WorkingDayCalendar().today() + dt.timedelta(days=3))
    page.get_by_role("button", name="Continue").click()
    expect(summary).to_contain_text("Date sent must be today or in the past")
    assert_accessible(page)
    assert not incident(web, case_id).panel_notification.sent_date


def test_the_officer_records_the_partners_informed(web: Web, page: Page) -> None:
    case_id, aware = new_case(web)
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}")
    page.locator("#case-actions").get_by_role("link", name="Record a notification sent").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a notification sent")
    expect(page.get_by_label("The safeguarding partners: the safeguarding partners of the area")).to_be_checked()  # the only one
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the notification was sent")
    assert_accessible(page)
    fill_date(page, "Date sent", aware)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the notification sent")
    assert_accessible(page)
    page.get_by_role("button", name="Record the notification").click()
    expect(page.locator("#flash")).to_contain_text("NOTIFY.PARTNERS is done.")
    expect(page.locator("dl[data-duty='NOTIFY.PARTNERS']")).to_contain_text(f"Told on {long(aware)}")
    assert_accessible(page)
    stored = incident(web, case_id)
    assert [(n.duty, n.recipient, n.sent_date) for n in stored.notifications_sent if n.duty == "NOTIFY.PARTNERS"] == [
        ("NOTIFY.PARTNERS", intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS, aware.isoformat())]
    assert next(c for c in stored.clocks if c.id == "NOTIFY.PARTNERS").completed_on == aware.isoformat()


def test_the_officer_withdraws_with_a_reason_after_confirming(web: Web, page: Page) -> None:
    case_id, _ = new_case(web)
    sign_in(page, web.url, "demo-la-officer")
    page.goto(f"{web.url}/cases/{case_id}")
    page.get_by_role("link", name="Withdraw the notification").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the notification is withdrawn")
    assert_accessible(page)
    page.get_by_label("Why is the notification withdrawn?").fill("x" * 2001)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The reason must be 2,000 characters or fewer")
    page.get_by_label("Why is the notification withdrawn?").fill("The hospital found a medical cause; no abuse or neglect is suspected.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to withdraw the notification?")
    expect(page.locator("#stopping")).to_contain_text("NOTIFY.DEADLINE")
    assert_accessible(page)
    screenshot(page, "withdraw-check")
    assert incident(web, case_id).status != intake_pb2.INCIDENT_STATUS_WITHDRAWN  # nothing until confirmed
    page.get_by_role("button", name="Withdraw the notification").click()
    expect(page.locator("#confirmation")).to_contain_text("Notification withdrawn")
    assert_accessible(page)
    stored = incident(web, case_id)
    assert stored.status == intake_pb2.INCIDENT_STATUS_WITHDRAWN
    assert stored.withdrawal_reason == "The hospital found a medical cause; no abuse or neglect is suspected."
    page.goto(f"{web.url}/cases/{case_id}")
    actions = page.locator("#case-actions")  # only the list of the partners' duty (its clock stopped) is left
    expect(actions.get_by_role("link")).to_have_text(["Notifications the duties need"])


def test_people_who_may_not_record_are_refused_by_url(web: Web, page: Page) -> None:
    case_id = web.due_soon_case
    for user, status in (("demo-gp-lead", 403), ("demo-auditor", 403), ("demo-executive", 403), ("demo-bradford-business-unit", 403)):
        sign_in(page, web.url, user)
        for path in ("panel-notification", "notifications-sent/record", "withdraw", "withdraw/check", "amend", "referral-decision"):
            response = page.goto(f"{web.url}/cases/{case_id}/{path}")
            assert response is not None and response.status == status, (user, path)
            expect(page.get_by_text("Child Soon")).to_have_count(0)
        page.context.clear_cookies()
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")
    assert_accessible(page)
    stored = incident(web, case_id)
    assert stored.status == intake_pb2.INCIDENT_STATUS_NOTIFIED and not stored.panel_notification.sent_date


def test_a_form_sent_by_another_partnership_stores_nothing(web: Web, page: Page) -> None:
    case_id, _ = new_case(web)
    sign_in(page, web.url, "demo-bradford-business-unit")
    page.goto(f"{web.url}/cases")  # a page of the workspace, for the session's form token
    token = page.evaluate("document.querySelector('input[name=csrf_token]').value")
    refused = {"withdraw": {"reason": "not ours"}, "panel-notification": {"reference": "X-1", "sent-date-day": "1",
               "sent-date-month": "6", "sent-date-year": "2024"},
               "notifications-sent/record": {"choice": "NOTIFY.PARTNERS:safeguarding-partners", "sent-date-day": "1",
                                             "sent-date-month": "6", "sent-date-year": "2024"},
               "amend": {}}
    for path, form in refused.items():
        answer = page.request.post(f"{web.url}/cases/{case_id}/{path}", form={"csrf_token": token, **form}, max_redirects=0)
        assert answer.status == 403, path  # intake refuses to show the case: nothing is kept, not even a draft
    for path in ("withdraw/check", "panel-notification/check"):
        answer = page.request.post(f"{web.url}/cases/{case_id}/{path}", form={"csrf_token": token}, max_redirects=0)
        assert answer.status == 403, path  # the case is read first: refused before any draft is looked at
    assert incident(web, case_id).status == intake_pb2.INCIDENT_STATUS_NOTIFIED
