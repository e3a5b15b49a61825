"""One case from start to finish through the browser, by the people who run it, each signed in as
themselves through the local OpenID Connect provider: the local authority officer notifies Child M
records the notification to the Panel and that the safeguarding partners were told; three agencies return (the police types its chronology
with "add another", the nursery imports its chronology from a CSV file, the GP practice submits
and then amends as version 2); the business unit closes the gathering with one return missing; a
Review Advisory Group member reads the collated information and the checklist and records the
recommendation; the Executive records the decision; the business unit records the Panel
submission. Every page on the way is checked for what it says (headings, the case reference, the
values just entered, clock dates, statuses) and with axe-core (WCAG 2.2 A/AA, no violation);
finally the auditor reads the case's audit trail and the access log in the browser, and the
services are read back over gRPC, to show that their records, the audit trail and the access logs
name each person, never the workspace."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
from playwright.sync_api import Locator, Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import access_log_pb2, access_log_pb2_grpc, gathering_pb2_grpc, intake_pb2, intake_pb2_grpc
from rapidreview.v1 import decisions_pb2 as D
from rapidreview.v1 import decisions_pb2_grpc
from rapidreview.v1 import gathering_pb2 as G
from tests.browser.conftest import Web
from tests.browser.support import assert_accessible, run_async, screenshot, sign_in, sign_out

pytestmark = pytest.mark.browser

CHILD = "Child M"
CALENDAR = WorkingDayCalendar()
TODAY = CALENDAR.today()
AWARE = TODAY - dt.timedelta(days=2)
INCIDENT = TODAY - dt.timedelta(days=3)
#: The Panel is notified today: the rapid review is due with it 15 working days later (RR.DEADLINE).
RR_DUE = CALENDAR.add_working_days(TODAY, 15)
#: The agencies the officer names: three of them return, children's social care does not.
AGENCIES = {"west-yorkshire-police": "West Yorkshire Police", "gp-practice": "GP practice",
            "sibling-nursery": "Little Acorns Nursery", "leeds-childrens-social-work": "Leeds Children's Social Work Service"}
CRITERIA = ("local-improvements", "local-recurrent-themes", "local-multi-agency", "local-panel-view",
            "regard-single-agency", "regard-no-agency", "regard-cross-boundary", "regard-institutional")
#: Every page of the journey that was checked, in order (the test's own record of what it covered).
VISITED: list[str] = []


def long(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B %Y')}"


def check_page(page: Page, heading: str, *texts: str, shot: str = "", exact: bool = True) -> None:
    """The page has this main heading and shows these texts; axe-core finds no WCAG 2.2 A/AA violation."""
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_count(1)  # one main heading per page
    (expect(h1).to_have_text if exact else expect(h1).to_contain_text)(heading)
    main = page.locator("main")
    for text in texts:
        expect(main).to_contain_text(text)
    path = page.url.split(web_url(page), 1)[-1]
    if path.startswith("/cases/"):  # a case's page names the case by its reference
        expect(main).to_contain_text(CHILD)
    if path.startswith("/my-requests"):  # an agency is never shown the child's reference
        expect(page.locator("body")).not_to_contain_text(CHILD)
    assert_accessible(page)
    assert page.csp_violations == [], page.csp_violations  # type: ignore[attr-defined]
    VISITED.append(f"{heading} ({page.url.split('?')[0]})")
    if shot:
        screenshot(page, shot)


def web_url(page: Page) -> str:
    """The workspace's origin, from the page's address."""
    scheme, rest = page.url.split("://", 1)
    return f"{scheme}://{rest.split('/', 1)[0]}"


def fill_date(page: Page, legend: str, day: dt.date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def fill_date_by_id(page: Page, prefix: str, day: dt.date) -> None:
    for name, value in (("day", day.day), ("month", day.month), ("year", day.year)):
        page.locator(f"#{prefix}-{name}").fill(str(value))


def reload_until(page: Page, locator: Locator, attempts: int = 60) -> None:
    """Reloads until `locator` is on the page: what the read model shows follows the services' events."""
    for _ in range(attempts):
        try:
            expect(locator).not_to_have_count(0, timeout=500)
            return
        except AssertionError:
            page.reload()
    expect(locator).not_to_have_count(0)


def signs_in(page: Page, web: Web, user: str, case_id: str = "") -> None:
    """`user` signs in through the provider and lands on their role's page (the dashboard or the case
    list), which shows the case once the read model has it."""
    page.goto(f"{web.url}/sign-in")
    check_page(page, "Sign in to Rapid Review")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=user, exact=True).click()  # the provider's page (not the workspace's)
    page.wait_for_url(lambda url: url.startswith(web.url))
    page.wait_for_function("document.querySelector('.govuk-service-navigation') !== null")
    heading = page.get_by_role("heading", level=1).inner_text().strip()
    assert heading in ("Dashboard", "Cases"), heading
    if case_id:
        row = page.locator(f"tr[data-case='{case_id}']")
        reload_until(page, row)
        expect(row).to_contain_text(CHILD)
    check_page(page, heading)


def signs_out(page: Page) -> None:
    sign_out(page)
    check_page(page, "You have signed out")


def continue_(page: Page) -> None:
    page.get_by_role("button", name="Continue", exact=True).click()


# --- reading the services back ---------------------------------------------------------------

def _md(web: Web, role: Role) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {web.token(role)}"),)


async def _call(web: Web, service: str, stub_class: Any, rpc: str, request: Any, role: Role) -> Any:
    async with grpc.aio.insecure_channel(web.stack.replicas_of(service)[0].address) as channel:
        return await getattr(stub_class(channel), rpc)(request, metadata=_md(web, role), timeout=30)


def call(web: Web, service: str, rpc: str, request: Any, role: Role = Role.BUSINESS_UNIT) -> Any:
    stubs = {"intake": intake_pb2_grpc.IntakeServiceStub, "gathering": gathering_pb2_grpc.GatheringServiceStub,
             "decisions": decisions_pb2_grpc.DecisionServiceStub, "access": access_log_pb2_grpc.AccessLogServiceStub}
    return run_async(_call(web, service if service != "access" else "intake", stubs[service], rpc, request, role))


def access_log(web: Web, service: str, case_id: str) -> list[access_log_pb2.AccessLogEntry]:
    """Every call about the case in one service's access log, read as the auditor."""
    async def read() -> list[access_log_pb2.AccessLogEntry]:
        entries, token = [], ""
        async with grpc.aio.insecure_channel(web.stack.replicas_of(service)[0].address) as channel:
            stub = access_log_pb2_grpc.AccessLogServiceStub(channel)
            while True:
                response = await stub.ListAccessLog(access_log_pb2.ListAccessLogRequest(case_id=case_id, page_size=500, page_token=token),
                                                    metadata=_md(web, Role.AUDITOR), timeout=30)
                entries += list(response.entries)
                token = response.next_page_token
                if not token:
                    return entries
    return run_async(read())


def eventually(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    """`check()` until it returns something true (bounded; the access log is written in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


# --- the journey, step by step ---------------------------------------------------------------

def officer_notifies(page: Page, web: Web) -> str:
    signs_in(page, web, "demo-la-officer")
    page.get_by_role("link", name="Notify an incident").click()
    check_page(page, "Notify a serious incident")
    start_new = page.get_by_role("button", name="Start a new notification")
    (start_new if start_new.count() else page.get_by_role("button", name="Start now")).click()

    check_page(page, "About the child")
    page.get_by_label("Child's reference").fill(CHILD)
    page.get_by_label("Age", exact=True).fill("1")
    continue_(page)
    check_page(page, "Which of these apply to the child?", exact=False)
    page.get_by_label("Subject of a child protection plan").check()
    continue_(page)
    check_page(page, "What happened to the child?", exact=False)
    page.get_by_label("The child was seriously harmed").check()
    continue_(page)
    check_page(page, "About the harm")
    page.get_by_label("Physical health").check()
    page.get_by_role("group", name="Has the child recovered?").get_by_label("No").check()
    page.get_by_label("Description of the harm (optional)").fill("Fractured arm found at hospital; no account explains it.")
    continue_(page)
    check_page(page, "abuse or neglect", exact=False)
    page.get_by_label("Suspected", exact=True).check()
    continue_(page)
    check_page(page, "When did it happen?")
    fill_date(page, "Date of the incident", INCIDENT)
    fill_date(page, "Date the local authority became aware", AWARE)
    continue_(page)
    check_page(page, "Where did it happen?")
    expect(page.get_by_label("Local authority notifying")).to_have_value("Leeds")
    page.get_by_label("England").check()
    page.get_by_label("Local authority in whose area it happened").fill("Leeds")
    page.get_by_label("The child's home local authority").fill("Leeds")
    continue_(page)
    check_page(page, "Where was the child", exact=False)
    page.get_by_label("The family home").check()
    continue_(page)

    check_page(page, "Which agencies were involved with the child or family?")
    kinds = {"west-yorkshire-police": "Police", "gp-practice": "GP practice", "sibling-nursery": "Nursery or early years provider",
             "leeds-childrens-social-work": "Children's social care"}
    for index, (agency_id, name) in enumerate(AGENCIES.items()):
        if index:
            page.get_by_role("button", name="Add another agency").click()
        block = page.locator(f"#agency-{index}")
        block.get_by_label("Name").fill(name)
        block.get_by_label("Kind of agency").select_option(label=kinds[agency_id])
        block.get_by_label("Agency id (optional)").fill(agency_id)
    for index, name in enumerate(AGENCIES.values()):
        expect(page.locator(f"#agency-{index}").get_by_label("Name")).to_have_value(name)
    check_page(page, "Which agencies were involved with the child or family?", "Agency 4")
    continue_(page)
    check_page(page, "Did an agency refer the incident", exact=False)
    page.get_by_label("No, the local authority notifies on its own").check()
    continue_(page)

    check_page(page, "Check your answers before sending the notification", CHILD, "1 year", "Physical health",
               "Fractured arm found at hospital", "The family home", long(AWARE), *AGENCIES.values(), shot="journey-notify-check")
    page.get_by_role("button", name="Send notification").click()

    expect(page.locator("#confirmation")).to_contain_text("Notification recorded")
    expect(page.locator("#confirmation")).to_contain_text(CHILD)
    for rule in ("DEF.SERIOUS_CASE", "NOTIFY.PANEL_IN_AREA", "NOTIFY.PARTNERS", "RR.REQUIRED"):
        expect(page.locator(f"#duties tr[data-rule='{rule}']")).to_contain_text("Met")
    notify_clock = page.locator("#clocks tr[data-clock='NOTIFY.DEADLINE']")
    expect(notify_clock).to_contain_text(long(CALENDAR.add_working_days(AWARE, 5)))
    expect(notify_clock).to_contain_text("working days left")
    expect(page.locator("#next-step")).to_contain_text("Record the notification to the Panel")
    check_page(page, "Notification recorded", CHILD, exact=False, shot="journey-notified")
    case_id = page.url.split("/cases/")[1].split("/")[0]

    # The Panel notification, from the case's overview.
    page.get_by_role("link", name="Go to the case").click()
    check_page(page, "Case overview", f"Case {CHILD}", "Record the notification to the Panel")
    page.locator("#case-actions").get_by_role("link", name="Record the notification to the Panel").click()
    check_page(page, "Record the notification to the Panel", long(CALENDAR.add_working_days(AWARE, 5)))
    page.get_by_label("The Panel's reference").fill("CSPRP-CHILD-M")
    fill_date(page, "Date sent", TODAY)
    continue_(page)
    check_page(page, "Check the notification to the Panel", "CSPRP-CHILD-M", long(TODAY))
    page.get_by_role("button", name="Record the notification").click()
    expect(page.locator("#confirmation")).to_contain_text("Notification to the Panel recorded")
    expect(page.locator("#rr-clock")).to_contain_text(long(RR_DUE))
    check_page(page, "Notification to the Panel recorded", "CSPRP-CHILD-M", "RR.DEADLINE", exact=False, shot="journey-panel-notified")
    # The safeguarding partners were told the day the local authority became aware (NOTIFY.PARTNERS).
    page.goto(f"{web.url}/cases/{case_id}")
    check_page(page, "Case overview", f"Case {CHILD}", "Record a notification sent")
    page.locator("#case-actions").get_by_role("link", name="Record a notification sent").click()
    expect(page.get_by_label("The safeguarding partners: the safeguarding partners of the area")).to_be_checked()
    check_page(page, "Record a notification sent", "NOTIFY.PARTNERS")
    fill_date(page, "Date sent", AWARE)
    continue_(page)
    check_page(page, "Check the notification sent", long(AWARE))
    page.get_by_role("button", name="Record the notification").click()
    expect(page.locator("#flash")).to_contain_text("NOTIFY.PARTNERS is done.")
    expect(page.locator("dl[data-duty='NOTIFY.PARTNERS']")).to_contain_text(f"Told on {long(AWARE)}")
    check_page(page, "Notifications the duties need", exact=False)
    page.goto(f"{web.url}/cases/{case_id}")
    expect(page.locator("#clocks tr[data-clock='RR.DEADLINE']")).to_contain_text(long(RR_DUE))
    expect(page.locator("#clocks tr[data-clock='NOTIFY.PARTNERS']")).to_contain_text(f"Done {long(AWARE)}")
    expect(page.locator("#clocks tr[data-clock='NOTIFY.DEADLINE']")).to_contain_text(f"Done {long(TODAY)}")
    check_page(page, "Case overview", f"Case {CHILD}")
    signs_out(page)
    return case_id


def open_request(page: Page, web: Web, user: str, case_id: str, agency: str) -> None:
    """The agency lead signs in, finds the case in "My requests" and opens its task list."""
    page.goto(f"{web.url}/sign-in")
    check_page(page, "Sign in to Rapid Review")
    sign_in(page, web.url, user)
    row = page.locator(f"#requests tr[data-case='{case_id}']")
    reload_until(page, row)
    expect(row).to_contain_text("Not started")
    expect(page.get_by_text(CHILD)).to_have_count(0)  # an agency is never shown the child's reference
    check_page(page, "My requests", case_id.split("-")[0])
    row.get_by_role("link", name="Start your return").click()
    check_page(page, "Your agency's return", "Not yet started", f"Case {case_id.split('-')[0]}")
    VISITED.append(f"{agency}: request")


def involvement(page: Page, start: dt.date, summary: str) -> None:
    page.get_by_role("link", name="Involvement with the child or family").click()
    check_page(page, "Involvement with the child or family")
    page.get_by_label("Yes, we had contact").check()
    page.locator("#start-day").fill(str(start.day))
    page.locator("#start-month").fill(str(start.month))
    page.locator("#start-year").fill(str(start.year))
    page.get_by_label("Summary of your involvement").fill(summary)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#return-tasks")).to_contain_text("Completed")
    check_page(page, "Your agency's return", "Draft", "Completed")


def submit(page: Page, *texts: str, version: int) -> None:
    page.get_by_role("button", name="Check your answers and submit").click()
    check_page(page, "Check your answers before submitting your return", *texts)
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator("#confirmation")).to_contain_text("Return submitted")
    check_page(page, "Return submitted", f"Version {version}", exact=False)


POLICE_ENTRIES = ((TODAY - dt.timedelta(days=60), "Police call-out or attendance", "response officer",
                   "Called after an argument at the family home; baby asleep upstairs."),
                  (TODAY - dt.timedelta(days=25), "Referral made or received", "public protection officer",
                   "Domestic abuse notification sent to children's social care."))


def police_types_its_chronology(page: Page, web: Web, case_id: str) -> None:
    open_request(page, web, "demo-police-lead", case_id, "police")
    involvement(page, TODAY - dt.timedelta(days=90), "Two contacts with the family in three months.")
    page.get_by_role("link", name="Chronology of contacts").click()
    check_page(page, "Chronology of contacts", "You have not added any")
    page.get_by_label("Yes").check()
    continue_(page)
    for number, (day, kind, role, what) in enumerate(POLICE_ENTRIES, start=1):
        check_page(page, "entry", exact=False)
        fill_date_by_id(page, "date", day)
        page.get_by_label("Type of contact").select_option(label=kind)
        page.get_by_label("Practitioner's role").fill(role)
        page.get_by_label("What happened").fill(what)
        page.get_by_role("button", name="Save entry").click()
        expect(page.locator("#items tbody tr")).to_have_count(number)
        check_page(page, "Chronology of contacts", what, f"You have added {number}")
        if number < len(POLICE_ENTRIES):  # "add another"
            page.get_by_label("Yes").check()
            continue_(page)
    screenshot(page, "journey-police-chronology")
    page.get_by_label("No, this part is finished").check()
    continue_(page)
    check_page(page, "Your agency's return", "Completed")
    submit(page, POLICE_ENTRIES[0][3], POLICE_ENTRIES[1][3], version=1)
    signs_out(page)


def nursery_imports_its_chronology(page: Page, web: Web, case_id: str, tmp_path: Path) -> None:
    open_request(page, web, "demo-nursery-lead", case_id, "nursery")
    involvement(page, TODAY - dt.timedelta(days=300), "The child's sibling attends the nursery.")
    page.get_by_role("link", name="Chronology of contacts").click()
    check_page(page, "Chronology of contacts")
    page.get_by_role("link", name="Import entries from a CSV or Excel file").click()
    check_page(page, "Import", exact=False)
    first, second = TODAY - dt.timedelta(days=45), TODAY - dt.timedelta(days=10)
    csv = tmp_path / "nursery-chronology.csv"
    csv.write_text("Date,Contact type,Practitioner role,What happened\n"
                   f"{first.strftime('%d/%m/%Y')},Setting attendance,nursery manager,Sibling's attendance fell to half\n"
                   f"{second.isoformat()},Call,key worker,Mother said the baby had fallen from the sofa\n", encoding="utf-8")
    page.locator("#file").set_input_files(str(csv))
    page.get_by_role("button", name="Import entries").click()
    expect(page.locator("#imported")).to_contain_text("2 entries imported")
    check_page(page, "Chronology of contacts", "Sibling's attendance fell to half", "Mother said the baby had fallen from the sofa",
               shot="journey-nursery-imported")
    page.get_by_label("No, this part is finished").check()
    continue_(page)
    check_page(page, "Your agency's return", "Completed")
    submit(page, "Sibling's attendance fell to half", long(first), version=1)
    signs_out(page)


def gp_submits_then_amends(page: Page, web: Web, case_id: str) -> None:
    open_request(page, web, "demo-gp-lead", case_id, "gp")
    involvement(page, TODAY - dt.timedelta(days=200), "Registration, immunisations and one consultation.")
    page.get_by_role("link", name="Chronology of contacts").click()
    check_page(page, "Chronology of contacts", "You have not added any")
    page.get_by_label("Yes").check()
    continue_(page)
    check_page(page, "entry", exact=False)
    seen = TODAY - dt.timedelta(days=30)
    fill_date_by_id(page, "date", seen)
    page.get_by_label("Type of contact").select_option("APPOINTMENT")
    page.get_by_label("Practitioner's role").fill("GP")
    page.get_by_label("What happened").fill("Baby seen with a cold; a bruise on the left ear was noted.")
    page.get_by_role("button", name="Save entry").click()
    check_page(page, "Chronology of contacts", "Baby seen with a cold", "You have added 1")
    page.get_by_label("No, this part is finished").check()
    continue_(page)
    check_page(page, "Your agency's return", "Completed")
    submit(page, "Baby seen with a cold", long(seen), version=1)

    page.get_by_role("link", name="Go to your return and its versions").click()
    check_page(page, "Your agency's return", "Version 1")
    page.get_by_role("button", name="Amend your return").click()
    check_page(page, "Your agency's return", "Amend your return (from version 1)", "Submitted v01 – draft changes")
    page.get_by_role("link", name="Learning").click()
    check_page(page, "Learning", "You have not added any")
    page.get_by_label("Yes").check()
    continue_(page)
    check_page(page, "learning", exact=False)
    page.get_by_label("What is the learning?").fill("The bruising protocol for non-mobile babies was not followed.")
    page.get_by_label("bruising in non-mobile babies").check()
    page.locator("#already_identified-2").check()
    page.get_by_role("button", name="Save learning point").click()
    check_page(page, "Learning", "The bruising protocol for non-mobile babies was not followed.")
    page.get_by_label("No, this part is finished").check()
    continue_(page)
    check_page(page, "Your agency's return", "Completed")
    page.get_by_role("button", name="Check your answers and submit").click()
    check_page(page, "Check your answers before submitting your return", "Version 1 stays on record",
               "The bruising protocol for non-mobile babies was not followed.")
    page.get_by_role("button", name="Submit return").click()
    check_page(page, "Return submitted", "Version 2", exact=False, shot="journey-gp-amended")
    page.get_by_role("link", name="Go to your return and its versions").click()
    expect(page.locator("#versions tr[data-version]")).to_have_count(2)
    expect(page.locator("#versions tr[data-version='2']")).to_contain_text("(counts)")
    check_page(page, "Your agency's return")
    signs_out(page)


def business_unit_closes_the_gathering(page: Page, web: Web, case_id: str) -> None:
    signs_in(page, web, "demo-business-unit", case_id)
    row = page.locator(f"#cases tr[data-case='{case_id}']")
    expect(row).to_contain_text(CHILD)
    expect(row.locator("[data-clock='RR.DEADLINE']")).to_contain_text(long(RR_DUE))
    expect(row).to_contain_text("Wait for or chase 1 outstanding return (3 of 4 in)")
    check_page(page, "Dashboard", CHILD, shot="journey-dashboard")
    row.get_by_role("link", name=CHILD).click()
    check_page(page, "Case overview", f"Case {CHILD}", long(RR_DUE))
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Information requests").click()
    gathering = page.locator("#gathering")
    for _ in range(60):  # the returns reach the page through gathering: reload until all three count (bounded)
        if "3 of 4" in gathering.inner_text():
            break
        page.reload()
    expect(gathering).to_contain_text("3 of 4")
    for agency in ("west-yorkshire-police", "sibling-nursery", "gp-practice"):
        expect(page.locator(f"#request-{agency}")).to_contain_text("Returned")
    expect(page.locator("#request-gp-practice")).to_contain_text("Version 2 received")
    expect(page.locator("#request-leeds-childrens-social-work")).to_contain_text("Awaited")
    check_page(page, "Information requests", *AGENCIES.values(), shot="journey-requests")
    page.get_by_role("link", name="Close the gathering").click()
    expect(page.locator("#missing li")).to_have_count(1)
    check_page(page, "Close the information gathering?", "Leeds Children's Social Work Service")
    page.get_by_role("button", name="Close the gathering").click()
    expect(page.locator("#flash")).to_contain_text("with 1 return missing")
    expect(page.locator("#gathering")).to_contain_text("Closed")
    expect(page.locator("#request-leeds-childrens-social-work")).to_contain_text("Not returned")
    check_page(page, "Information requests", "Closed")
    signs_out(page)


def advisory_group_recommends(page: Page, web: Web, case_id: str) -> None:
    signs_in(page, web, "demo-rag-member", case_id)
    page.locator(f"tr[data-case='{case_id}']").get_by_role("link", name=CHILD).click()
    check_page(page, "Case overview", f"Case {CHILD}")
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Collated information").click()
    expect(page.locator("#completeness")).to_contain_text("3 of 4 returns received")
    expect(page.locator('[data-agency="gp-practice"]')).to_contain_text("version 2")
    for _, _, _, what in POLICE_ENTRIES:
        expect(page.locator(".moj-timeline")).to_contain_text(what)
    expect(page.locator(".moj-timeline")).to_contain_text("Sibling's attendance fell to half")
    expect(page.locator(".moj-timeline")).to_contain_text("Baby seen with a cold")
    check_page(page, "Collated information", "3 of 4 returns received", *list(AGENCIES.values())[:3], shot="journey-collated")

    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Checklist").click()
    button = page.get_by_role("button", name="Record the advisory group's recommendation")
    reload_until(page, button)  # once criteria has evaluated the collated information
    expect(page.locator('[data-rule="DEF.SERIOUS_CASE"] .govuk-tag').first).to_have_text("Met")
    check_page(page, "Criteria checklist", "NOT.AUTOMATIC")
    button.click()
    check_page(page, "Record the recommendation", "LOCAL.IMPROVEMENTS", "REGARD.INSTITUTIONAL")
    for slug in CRITERIA:
        page.locator(f"input[name=conclusion-{slug}][value={'yes' if slug in ('local-improvements', 'local-multi-agency') else 'no'}]").check()
        page.locator(f"#rationale-{slug}").fill(f"The group's reason on {slug} for Child M.")
    continue_(page)
    check_page(page, "What the group recommends")
    page.get_by_label("Hold a local child safeguarding practice review").check()
    page.locator("#rationale").fill("Police, nursery and GP each held part of the picture; a local review will find improvements.")
    page.locator("input[name=national-importance][value=no]").check()
    fill_date_by_id(page, "meeting-date", TODAY)
    continue_(page)
    check_page(page, "Learning to act on now")
    page.get_by_role("button", name="Add a learning item").click()
    page.locator("#learning-0-description").fill("Share police call-outs with the GP practice within a day.")
    page.locator("#learning-0-owner").select_option("west-yorkshire-police")
    continue_(page)
    check_page(page, "Check the recommendation before recording it", long(TODAY),
               "Share police call-outs with the GP practice within a day. (West Yorkshire Police)")
    page.get_by_role("button", name="Record the recommendation").click()
    expect(page.locator("#confirmation")).to_contain_text("Recommendation recorded")
    check_page(page, "Recommendation recorded", "Hold a local child safeguarding practice review", exact=False)
    signs_out(page)


def executive_decides(page: Page, web: Web, case_id: str) -> None:
    signs_in(page, web, "demo-executive", case_id)
    page.goto(f"{web.url}/cases/{case_id}/checklist")
    check_page(page, "Criteria checklist", "NOT.AUTOMATIC", "Hold a local child safeguarding practice review")
    page.get_by_role("button", name="Record the Executive's decision").click()
    expect(page.locator("#recommended")).to_have_text("Hold a local child safeguarding practice review")
    expect(page.locator('#checklist-column [data-rule="LOCAL.MULTI_AGENCY"]')).to_contain_text("Advisory group: Yes")
    check_page(page, "Record the Executive's decision", "Hold a local child safeguarding practice review", exact=False)
    page.get_by_label("Agree: Hold a local child safeguarding practice review").check()
    page.locator("#rationale").fill("The partners agree: the three agencies' information was never put together.")
    page.locator("input[name=national-importance][value=no]").check()
    fill_date_by_id(page, "decided-on", TODAY)
    continue_(page)
    check_page(page, "Who decided")
    for key, name in (("local-authority", "Director of Children's Services (example)"), ("police", "Chief Superintendent (example)"),
                      ("health", "Chief Nurse (example)")):
        page.locator(f"#{key}-name").fill(name)
    continue_(page)
    check_page(page, "Telling people about the decision")
    page.locator("input[name=family-status][value=done]").check()
    fill_date_by_id(page, "family-on", TODAY)
    page.locator("input[name=panel-status][value=planned]").check()
    continue_(page)
    check_page(page, "Check the decision before recording it", "Agrees", long(TODAY), "Chief Nurse (example)")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator("#confirmation")).to_contain_text("Decision recorded")
    check_page(page, "Decision recorded", "Hold a local child safeguarding practice review", exact=False, shot="journey-decided")
    signs_out(page)


def business_unit_records_the_panel_submission(page: Page, web: Web, case_id: str) -> None:
    signs_in(page, web, "demo-business-unit", case_id)
    page.goto(f"{web.url}/cases/{case_id}/decisions")
    expect(page.locator("#stage")).to_contain_text("To send to the Panel")
    expect(page.locator("#next-step")).to_contain_text(f"Send the rapid review and the decision to the Panel by {long(RR_DUE)}")
    expect(page.locator("#decision")).to_contain_text("Agrees with the recommendation")
    check_page(page, "Decisions and review", "To send to the Panel", long(RR_DUE), shot="journey-to-send")
    page.get_by_role("link", name="Record the Panel submission").click()
    check_page(page, "Record the Panel submission")
    page.locator("#panel-reference").fill("CSPRP-CHILD-M")
    fill_date_by_id(page, "sent-date", TODAY)
    continue_(page)
    expect(page.locator("#answers [data-field='sent-date']")).to_contain_text(long(TODAY))
    check_page(page, "Record the Panel submission", "CSPRP-CHILD-M", f"due with the Panel by {long(RR_DUE)}", exact=False)
    page.get_by_role("button", name="Record the Panel submission").click()
    expect(page.locator("#confirmation")).to_contain_text("Panel submission recorded")
    expect(page.locator("#recorded")).to_contain_text(f"Sent to the Panel on {long(TODAY)}, in time for RR.DEADLINE ({long(RR_DUE)})")
    check_page(page, "Panel submission recorded", long(TODAY), exact=False, shot="journey-submitted")
    page.get_by_role("link", name="Back to decisions and review").click()
    expect(page.locator("#stage")).to_contain_text("Awaiting the Panel's response")
    expect(page.locator("#submissions")).to_contain_text("CSPRP-CHILD-M")
    check_page(page, "Decisions and review", "In time")
    signs_out(page)


#: Each person and one change they made, as the services' access logs name it.
WROTE = (("demo-la-officer", "IntakeService: RecordPanelNotification"), ("demo-police-lead", "GatheringService: SubmitAgencyReturn"),
         ("demo-nursery-lead", "GatheringService: SubmitAgencyReturn"), ("demo-gp-lead", "GatheringService: SubmitAgencyReturn"),
         ("demo-business-unit", "GatheringService: CloseGathering"), ("demo-rag-member", "DecisionService: RecordRecommendation"),
         ("demo-executive", "DecisionService: RecordDecision"), ("demo-business-unit", "DecisionService: RecordPanelSubmission"))


def auditor_reads_the_trail(page: Page, web: Web, case_id: str) -> None:
    signs_in(page, web, "demo-auditor", case_id)
    page.goto(f"{web.url}/cases/{case_id}/audit")
    expect(page.locator("#verification")).to_contain_text("Intact")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("by demo-rag-member (rag member)")
    expect(timeline).to_contain_text("by demo-executive (executive)")
    expect(timeline).to_contain_text("by demo-business-unit (business unit)")
    check_page(page, "Audit", "Intact", "Recommendation recorded", "Decision recorded", "Panel submission recorded", shot="journey-audit")

    # The access log of the four services, filtered by the case and each person: what they did.
    page.get_by_role("link", name="Access log").click()
    check_page(page, "Access log")
    for subject, method in WROTE:
        for _ in range(60):  # the services write their access log in the background: filter again until it shows (bounded)
            page.locator("#case").fill(case_id)
            page.locator("#subject").fill(subject)
            page.get_by_role("button", name="Filter").click()
            methods = set(page.locator("#access-log tbody tr").evaluate_all("rows => rows.map(r => r.dataset.method)"))
            if method in methods:
                break
        assert method in methods, (subject, methods)
        subjects = set(page.locator("#access-log tbody tr").evaluate_all("rows => rows.map(r => r.dataset.subject)"))
        assert subjects == {subject}
        check_page(page, "Access log", subject)
    assert CHILD not in page.url


def test_one_case_from_notification_to_the_panel_submission_by_six_people(web: Web, page: Page, tmp_path: Path) -> None:
    case_id = officer_notifies(page, web)
    police_types_its_chronology(page, web, case_id)
    nursery_imports_its_chronology(page, web, case_id, tmp_path)
    gp_submits_then_amends(page, web, case_id)
    business_unit_closes_the_gathering(page, web, case_id)
    advisory_group_recommends(page, web, case_id)
    executive_decides(page, web, case_id)
    business_unit_records_the_panel_submission(page, web, case_id)
    auditor_reads_the_trail(page, web, case_id)

    # What the services hold names each person, never the workspace.
    incident = call(web, "intake", "GetIncident", intake_pb2.GetIncidentRequest(case_id=case_id)).incident
    assert incident.notification.child.child_ref == CHILD and incident.panel_notification.reference == "CSPRP-CHILD-M"
    assert [(n.duty, n.sent_date, n.recorded_by) for n in incident.notifications_sent] == [
        ("NOTIFY.DEADLINE", TODAY.isoformat(), "demo-la-officer"), ("NOTIFY.PARTNERS", AWARE.isoformat(), "demo-la-officer")]
    status = call(web, "gathering", "GetRequestStatus", G.GetRequestStatusRequest(case_id=case_id))
    assert status.status == G.GATHERING_STATUS_CLOSED
    versions = {a: [(v.version, v.submitted_by) for v in call(web, "gathering", "GetAgencyReturn", G.GetAgencyReturnRequest(
        case_id=case_id, agency_id=a)).versions] for a in ("west-yorkshire-police", "sibling-nursery", "gp-practice")}
    assert versions == {"west-yorkshire-police": [(1, "demo-police-lead")], "sibling-nursery": [(1, "demo-nursery-lead")],
                        "gp-practice": [(1, "demo-gp-lead"), (2, "demo-gp-lead")]}
    state = call(web, "decisions", "GetCase", D.GetCaseRequest(case_id=case_id)).case
    assert state.stage == D.CASE_STAGE_AWAITING_PANEL_RESPONSE
    assert [r.recorded_by for r in state.recommendations] == ["demo-rag-member"]
    assert [d.recorded_by for d in state.decisions] == ["demo-executive"]
    assert [s.recorded_by for s in state.panel_submissions] == ["demo-business-unit"]
    trail = call(web, "decisions", "GetAuditTrail", D.GetAuditTrailRequest(case_id=case_id), Role.AUDITOR).entries
    by_action = {e.action: e.actor for e in trail}
    assert by_action["recommendation.recorded"] == "demo-rag-member"
    assert by_action["decision.recorded"] == "demo-executive"
    assert by_action["panel_submission.recorded"] == "demo-business-unit"

    def callers(service: str, method: str) -> set[str]:
        return {e.subject for e in access_log(web, service, case_id) if e.method.endswith(f"/{method}") and e.code == "OK"}

    eventually(lambda: callers("intake", "RecordPanelNotification") == {"demo-la-officer"}, "intake's access log")
    assert callers("intake", "NotifyIncident") <= {"demo-la-officer"}  # NotifyIncident names no case before it runs
    eventually(lambda: callers("gathering", "CloseGathering") == {"demo-business-unit"}, "gathering's access log")
    assert callers("gathering", "SubmitAgencyReturn") == {"demo-police-lead", "demo-nursery-lead", "demo-gp-lead"}
    assert not any("workspace" in e.subject for s in ("intake", "gathering", "decisions") for e in access_log(web, s, case_id))
    assert len(VISITED) >= 40, VISITED
