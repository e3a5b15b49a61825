"""The local authority officer notifies an incident in the browser: question pages, check your
answers, one incident however often "Send" is pressed, the confirmation with the duties and
clocks; bad input named in the error summary with nothing stored (checked through intake); roles
and partnerships that may not notify or read the confirmation are refused."""

from __future__ import annotations

import datetime as dt
import uuid

import grpc
from playwright.sync_api import Browser, Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import intake_pb2, intake_pb2_grpc
from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, run_async, screenshot, sign_in


async def _incidents_with(web: Web, child_ref: str) -> list[intake_pb2.Incident]:
    """Every Leeds incident whose child reference is `child_ref`, read from intake."""
    token = web.token(Role.BUSINESS_UNIT)
    found, page_token = [], ""
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        stub = intake_pb2_grpc.IntakeServiceStub(channel)
        while True:
            response = await stub.ListIncidents(intake_pb2.ListIncidentsRequest(page_size=200, page_token=page_token),
                                                metadata=(("authorization", f"Bearer {token}"),), timeout=15)
            found += [i for i in response.incidents if i.notification.child.child_ref == child_ref]
            page_token = response.next_page_token
            if not page_token:
                return found


def incidents_with(web: Web, child_ref: str) -> list[intake_pb2.Incident]:
    return run_async(_incidents_with(web, child_ref))


def a_child() -> str:
    return f"Child B{uuid.uuid4().hex[:6]}"


def fill_date(page: Page, legend: str, day: dt.date | tuple[str, str, str]) -> None:
    d, m, y = (str(day.day), str(day.month), str(day.year)) if isinstance(day, dt.date) else day
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(d)
    group.get_by_label("Month").fill(m)
    group.get_by_label("Year").fill(y)


def start_afresh(page: Page, web: Web) -> None:
    """The start page; a notification the same person left in progress (drafts are per person) is set aside."""
    page.goto(f"{web.url}/notify")
    start_new = page.get_by_role("button", name="Start a new notification")
    (start_new if start_new.count() else page.get_by_role("button", name="Start now")).click()


def answer_up_to_dates(page: Page, web: Web, child_ref: str, *, check_each: bool = False) -> None:
    start_afresh(page, web)
    expect(page.get_by_role("heading", level=1)).to_have_text("About the child")
    if check_each:
        assert_accessible(page)
        screenshot(page, "notify-question")
    page.get_by_label("Child's reference").fill(child_ref)
    page.get_by_label("Age", exact=True).fill("2")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Which of these apply to the child?")
    if check_each:
        assert_accessible(page)
    page.get_by_label("Subject of a child protection plan").check()
    page.get_by_role("button", name="Continue").click()
    if check_each:
        assert_accessible(page)
    page.get_by_label("The child was seriously harmed").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About the harm")
    if check_each:
        assert_accessible(page)
    page.get_by_label("Physical health").check()
    page.get_by_role("group", name="Has the child recovered?").get_by_label("No").check()
    page.get_by_label("Description of the harm (optional)").fill("Head injury found at hospital; the account given does not explain it.")
    page.get_by_role("button", name="Continue").click()
    if check_each:
        assert_accessible(page)
    page.get_by_label("Suspected", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When did it happen?")


def answer_from_place(page: Page, *, check_each: bool = False) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Where did it happen?")
    if check_each:
        assert_accessible(page)
    expect(page.get_by_label("Local authority notifying")).to_have_value("Leeds")  # from the partnership
    page.get_by_label("England").check()
    page.get_by_label("Local authority in whose area it happened").fill("Leeds")
    page.get_by_label("The child's home local authority").fill("Leeds")
    page.get_by_role("button", name="Continue").click()
    if check_each:
        assert_accessible(page)
    page.get_by_label("The family home").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which agencies were involved with the child or family?")
    page.get_by_label("Name").fill("West Yorkshire Police")
    page.get_by_label("Kind of agency").select_option(label="Police")
    page.get_by_label("Area it serves (optional)").fill("West Yorkshire")
    page.get_by_label("Kind of area").select_option(label="Police force area")
    page.get_by_role("button", name="Add another agency").click()
    second = page.locator("#agency-1")
    second.get_by_label("Name").fill("GP practice")
    second.get_by_label("Kind of agency").select_option(label="GP practice")
    second.get_by_label("Agency id (optional)").fill("gp-practice")
    if check_each:
        assert_accessible(page)
        screenshot(page, "notify-agencies")
    page.get_by_role("button", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Did an agency refer the incident")
    if check_each:
        assert_accessible(page)
    page.get_by_label("No, the local authority notifies on its own").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the notification")


def answer_everything(page: Page, web: Web, child_ref: str, aware: dt.date, *, check_each: bool = False) -> None:
    answer_up_to_dates(page, web, child_ref, check_each=check_each)
    if check_each:
        assert_accessible(page)
    fill_date(page, "Date of the incident", aware - dt.timedelta(days=1))
    fill_date(page, "Date the local authority became aware", aware)
    page.get_by_role("button", name="Continue").click()
    answer_from_place(page, check_each=check_each)


def test_the_officer_notifies_through_the_question_pages_and_sees_the_duties_and_clocks(web: Web, page: Page) -> None:
    child = a_child()
    aware = WorkingDayCalendar().today() - dt.timedelta(days=1)
    sign_in(page, web.url, "demo-la-officer")
    page.get_by_role("link", name="Notify an incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notify a serious incident")
    assert_accessible(page)
    screenshot(page, "notify-start")
    answer_everything(page, web, child, aware, check_each=True)

    summary = page.locator("main")
    for text in (child, "2 years", "Subject of a child protection plan", "The child was seriously harmed", "Physical health",
                 "Head injury found at hospital", "Suspected", "The family home", "West Yorkshire Police",
                 "Police, West Yorkshire (police force area)", "No agency referred it"):
        expect(summary).to_contain_text(text)
    expect(page).to_have_title("Check your answers before sending the notification – Rapid Review")
    assert child not in page.url
    assert_accessible(page)
    screenshot(page, "notify-check")

    # Change an answer from check your answers: back to the same page, then straight back here.
    page.get_by_role("link", name="Change where the child was").click()
    page.get_by_label("A foster home").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the notification")
    expect(summary).to_contain_text("A foster home")

    page.get_by_role("button", name="Send notification").click()
    expect(page.locator("#confirmation")).to_contain_text("Notification recorded")
    expect(page.locator("#confirmation")).to_contain_text(child)
    expect(page).to_have_title("Notification recorded – Rapid Review")
    duties = page.locator("#duties")
    for rule in ("DEF.SERIOUS_CASE", "NOTIFY.PANEL_IN_AREA", "NOTIFY.PARTNERS", "RR.REQUIRED"):
        expect(duties.locator(f"tr[data-rule='{rule}']")).to_contain_text("Met")
    expect(duties.locator("tr[data-rule='NOTIFY.LAC_DEATH']")).to_contain_text("Not met")
    expect(duties.locator("tr[data-rule='NOTIFY.PANEL_IN_AREA']")).to_contain_text("must notify the Panel")
    due = WorkingDayCalendar().add_working_days(aware, 5)
    notify_clock = page.locator("#clocks tr[data-clock='NOTIFY.DEADLINE']")
    expect(notify_clock).to_contain_text(f"{due.day} {due.strftime('%B %Y')}")
    expect(notify_clock).to_contain_text("working days left")
    expect(page.locator("#next-step")).to_contain_text("Record the notification to the Panel")
    assert_accessible(page)
    screenshot(page, "notify-confirmation")

    stored = incidents_with(web, child)
    assert len(stored) == 1
    n = stored[0].notification
    assert (n.child.age_years, n.child.child_protection_plan, n.la_aware_date) == (2, True, aware.isoformat())
    assert [a.agency_id for a in n.agencies] == ["west-yorkshire-police", "gp-practice"]
    assert stored[0].case_id in page.url


def test_a_double_submit_records_one_incident(web: Web, page: Page) -> None:
    child = a_child()
    sign_in(page, web.url, "demo-la-officer")
    answer_everything(page, web, child, WorkingDayCalendar().today() - dt.timedelta(days=2))
    # Two sends at once from the browser (what a double click without JavaScript does), then the
    # back button and a third send: the draft's idempotency key makes them one notification.
    token = page.locator("form[action$='/notify/check'] input[name='csrf_token']").input_value()
    urls = page.evaluate(
        """async (token) => {
             const send = () => fetch('/notify/check', {method: 'POST', body: new URLSearchParams({csrf_token: token}),
                                                        headers: {'Content-Type': 'application/x-www-form-urlencoded'}});
             const answers = await Promise.all([send(), send()]);
             return answers.map(a => a.url);
           }""", token)
    assert len(set(urls)) == 1 and urls[0].endswith("/notified"), urls
    page.get_by_role("button", name="Send notification").click()
    expect(page.locator("#confirmation")).to_contain_text("Notification recorded")
    assert page.url == urls[0]
    assert len(incidents_with(web, child)) == 1


def test_impossible_future_and_missing_answers_are_named_and_nothing_is_stored(web: Web, page: Page) -> None:
    child = a_child()
    sign_in(page, web.url, "demo-la-officer")
    start_afresh(page, web)
    page.get_by_role("button", name="Continue").click()  # nothing answered
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the child's reference")
    expect(summary).to_contain_text("Enter the child's age in completed years")
    expect(page).to_have_title("Error: About the child – Rapid Review")
    assert_accessible(page)
    summary.get_by_role("link", name="Enter the child's reference").click()
    expect(page.get_by_label("Child's reference")).to_be_focused()

    answer_up_to_dates(page, web, child)
    fill_date(page, "Date of the incident", ("30", "2", "2024"))
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    fill_date(page, "Date the local authority became aware", tomorrow)
    page.get_by_role("button", name="Continue").click()
    expect(summary).to_contain_text("Date of the incident must be a real date")
    expect(summary).to_contain_text("Date the local authority became aware must be today or in the past")
    expect(page.get_by_role("group", name="Date of the incident").get_by_label("Day")).to_have_value("30")  # kept
    assert_accessible(page)
    screenshot(page, "notify-error")

    fill_date(page, "Date of the incident", ("1", "5", "2024"))
    fill_date(page, "Date the local authority became aware", ("2", "5", "2024"))
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About the harm")
    page.get_by_label("Description of the harm (optional)").fill("x" * 4001)
    page.get_by_role("button", name="Continue").click()
    expect(summary).to_contain_text("The description of the harm must be 4,000 characters or fewer")
    assert_accessible(page)
    assert incidents_with(web, child) == []


def test_intakes_refusal_at_sending_links_to_the_field_and_stores_nothing(web: Web, page: Page) -> None:
    child = a_child()
    sign_in(page, web.url, "demo-la-officer")
    answer_up_to_dates(page, web, child)
    # No edition covers an awareness before 29 June 2018: the page accepts the dates, intake refuses them.
    fill_date(page, "Date of the incident", ("1", "1", "2018"))
    fill_date(page, "Date the local authority became aware", ("10", "1", "2018"))
    page.get_by_role("button", name="Continue").click()
    answer_from_place(page)
    page.get_by_role("button", name="Send notification").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Date the local authority became aware: must not be before 2018-06-29")
    expect(page).to_have_title("Error: Check your answers before sending the notification – Rapid Review")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("When did it happen?")
    expect(page.locator("#la-aware-date-error")).to_contain_text("must not be before 2018-06-29")
    assert_accessible(page)
    assert incidents_with(web, child) == []
    fill_date(page, "Date of the incident", ("1", "7", "2018"))
    fill_date(page, "Date the local authority became aware", ("2", "7", "2018"))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending the notification")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


def test_roles_that_may_not_notify_are_refused_and_not_offered_the_page(web: Web, page: Page) -> None:
    for user in ("demo-gp-lead", "demo-executive", "demo-rag-member"):
        sign_in(page, web.url, user)
        expect(page.get_by_role("link", name="Notify an incident")).to_have_count(0)
        response = page.goto(f"{web.url}/notify")
        assert response is not None and response.status == 403, user
        expect(page.get_by_role("heading", level=1)).to_have_text("You cannot view this page")
        page.context.clear_cookies()
    assert_accessible(page)


def test_another_partnership_cannot_read_a_notifications_confirmation(web: Web, page: Page) -> None:
    sign_in(page, web.url, "demo-bradford-business-unit")
    response = page.goto(f"{web.url}/cases/{web.due_soon_case}/notified")
    assert response is not None and response.status == 403
    expect(page.get_by_text("Child Soon")).to_have_count(0)
    expect(page.locator("#duties")).to_have_count(0)


async def _workspace_rows(web: Web) -> str:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(web.stack.database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT * FROM workspace.form_drafts"))).all()
        return "\n".join(str(r) for r in rows)
    finally:
        await engine.dispose()


def test_what_is_typed_into_the_forms_never_reaches_the_log_titles_urls_or_the_drafts_in_clear(web: Web, page: Page) -> None:
    run = uuid.uuid4().hex[:6]
    child, text = f"ChildCanary{run}", f"TypedCanary{run}"
    log_path = web.stack.web.log_path  # type: ignore[union-attr]
    before = log_path.stat().st_size
    sign_in(page, web.url, "demo-la-officer")
    answer_up_to_dates(page, web, child)
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Back").click()
    page.get_by_label("Description of the harm (optional)").fill(f"{text} in the description")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Continue").click()
    # Kept between pages, sealed: nothing typed is in the drafts' table in clear.
    stored = run_async(_workspace_rows(web))
    assert stored and child not in stored and text not in stored
    fill_date(page, "Date of the incident", WorkingDayCalendar().today() - dt.timedelta(days=2))
    fill_date(page, "Date the local authority became aware", WorkingDayCalendar().today() - dt.timedelta(days=1))
    page.get_by_role("button", name="Continue").click()
    answer_from_place(page)
    page.get_by_role("button", name="Send notification").click()
    expect(page.locator("#confirmation")).to_contain_text(child)
    titles, urls = [page.title()], [page.url]
    page.get_by_role("link", name="Go to the case").click()
    page.get_by_role("link", name="Withdraw the notification").click()
    page.get_by_label("Why is the notification withdrawn?").fill(f"{text} in the reason")
    page.get_by_role("button", name="Continue").click()
    titles.append(page.title())
    urls.append(page.url)
    assert text not in run_async(_workspace_rows(web))
    page.get_by_role("button", name="Withdraw the notification").click()
    expect(page.locator("#confirmation")).to_contain_text("Notification withdrawn")
    titles.append(page.title())
    urls.append(page.url)
    for seen in titles + urls:
        assert child not in seen and text not in seen, seen
    with log_path.open("rb") as log:
        log.seek(before)
        written = log.read()
    assert b'"page served"' in written
    assert child.encode() not in written and text.encode() not in written


def test_a_whole_notification_works_without_javascript(web: Web, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        child = a_child()
        sign_in(page, web.url, "demo-la-officer")
        answer_everything(page, web, child, WorkingDayCalendar().today() - dt.timedelta(days=1))  # "Add another agency" too
        page.get_by_role("button", name="Send notification").click()
        expect(page.locator("#confirmation")).to_contain_text(child)
        expect(page.locator("#clocks tr[data-clock='NOTIFY.DEADLINE']")).to_contain_text("working days left")
        assert len(incidents_with(web, child)) == 1
    finally:
        context.close()
