"""An agency lead's pages in the browser, on the shared stack: "My requests" (only its own
agency's requests, with due date, working days left and status), a return written page by page
and submitted (checked through gathering), an amendment that becomes version 2, chronology
imported from CSV and Excel, a malformed CSV refused line by line with nothing stored, bad dates
and empty answers, one whole return with the keyboard only, and what an agency lead cannot open.
Each test works on cases of its own (notified here), so other tests' cases are left as they are."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable

import grpc
import pytest
from google.protobuf import json_format
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from rapidreview.kernel.auth import Role
from rapidreview.kernel.calendar import WorkingDayCalendar
from rapidreview.v1 import gathering_pb2 as G
from rapidreview.v1 import gathering_pb2_grpc, intake_pb2, intake_pb2_grpc
from tests.browser.conftest import Web
from tests.browser.support import REPO, assert_accessible, run_async, screenshot, sign_in

pytestmark = pytest.mark.browser
TODAY = WorkingDayCalendar().today()


async def _notify(web: Web, *, without: tuple[str, ...] = ()) -> str:
    request = json_format.Parse((REPO / "docs/examples/notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    request.idempotency_key = f"agency-{uuid.uuid4()}"
    request.notification.child.child_ref = f"Child {uuid.uuid4().hex[:6].upper()}"
    request.notification.la_aware_date = (TODAY - dt.timedelta(days=2)).isoformat()
    request.notification.incident_date = (TODAY - dt.timedelta(days=3)).isoformat()
    kept = [a for a in request.notification.agencies if a.agency_id not in without]
    del request.notification.agencies[:]
    request.notification.agencies.extend(kept)
    async with grpc.aio.insecure_channel(web.stack.replicas_of("intake")[0].address) as channel:
        response = await intake_pb2_grpc.IntakeServiceStub(channel).NotifyIncident(
            request, metadata=(("authorization", f"Bearer {web.token(Role.NOTIFYING_LA)}"),), timeout=30)
    case_id = response.incident.case_id
    await _gathering(web, lambda stub, md: _until_requests(stub, md, case_id))
    return case_id


async def _until_requests(stub, md, case_id: str):  # type: ignore[no-untyped-def]
    import asyncio

    for _ in range(300):  # gathering opens the requests from incident.notified: a bounded wait on that condition
        try:
            if (await stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=md, timeout=5)).requests:
                return
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
        await asyncio.sleep(0.1)
    raise AssertionError("the requests were not opened")


async def _gathering(web: Web, call: Callable):  # type: ignore[type-arg]
    async with grpc.aio.insecure_channel(web.stack.replicas_of("gathering")[0].address) as channel:
        md = (("authorization", f"Bearer {web.token(Role.BUSINESS_UNIT)}"),)
        return await call(gathering_pb2_grpc.GatheringServiceStub(channel), md)


def returned(web: Web, case_id: str, agency: str, version: int = 0) -> G.GetAgencyReturnResponse:
    """The agency's return as gathering holds it (read as the business unit)."""
    return run_async(_gathering(web, lambda stub, md: stub.GetAgencyReturn(
        G.GetAgencyReturnRequest(case_id=case_id, agency_id=agency, version=version), metadata=md, timeout=10)))


def latest_version(web: Web, case_id: str, agency: str) -> int:
    status = run_async(_gathering(web, lambda stub, md: stub.GetRequestStatus(G.GetRequestStatusRequest(case_id=case_id), metadata=md)))
    return next(r.latest_version for r in status.requests if r.agency.agency_id == agency)


@pytest.fixture(scope="module")
def cases(web: Web) -> dict[str, str]:
    return {"journey": run_async(_notify(web)), "import": run_async(_notify(web)), "keyboard": run_async(_notify(web)),
            "no_gp": run_async(_notify(web, without=("gp-practice",)))}


def error_summary(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".govuk-error-summary__list a").all_inner_texts()]


def fill_date(page: Page, prefix: str, day: dt.date | tuple[str, str, str]) -> None:
    parts = (str(day.day), str(day.month), str(day.year)) if isinstance(day, dt.date) else day
    for name, value in zip(("day", "month", "year"), parts, strict=True):
        page.locator(f"#{prefix}-{name}").fill(value)


def test_my_requests_lists_the_agencys_own_requests_with_due_date_days_left_and_status(web: Web, page: Page, cases) -> None:
    sign_in(page, web.url, "demo-gp-lead")
    expect(page.get_by_role("heading", level=1)).to_have_text("My requests")
    row = page.locator(f"#requests tr[data-case='{cases['journey']}']")
    for _ in range(100):  # the read model follows gathering's events: reload until the request is listed (bounded)
        if row.count():
            break
        page.wait_for_timeout(100)
        page.reload()
    expect(row).to_contain_text(cases["journey"].split("-")[0])
    expect(row).to_contain_text("Not started")
    expect(row.get_by_role("link", name="Start your return")).to_be_visible()
    example = page.locator(f"#requests tr[data-case='{web.example_case}']")
    expect(example).to_contain_text("Submitted v01")  # the example case's GP return (late)
    expect(page.locator(f"#requests tr[data-case='{cases['no_gp']}']")).to_have_count(0)  # no request for this agency
    expect(page.get_by_text("Child K")).to_have_count(0)  # an agency is never shown the child reference
    assert_accessible(page)
    screenshot(page, "agency-my-requests")


def test_a_return_is_written_checked_submitted_and_amended_as_version_2(web: Web, page: Page, cases) -> None:
    case = cases["journey"]
    sign_in(page, web.url, "demo-gp-lead")
    page.goto(f"{web.url}/my-requests/{case}")
    expect(page.locator("#return-tasks")).to_contain_text("Not yet started")
    assert_accessible(page)
    page.get_by_role("link", name="Involvement with the child or family").click()
    # Empty required answers and an impossible date: each named, linked, and what was typed kept.
    page.get_by_role("button", name="Save and continue").click()
    assert error_summary(page) == ["Select whether your agency had involvement"]
    page.get_by_label("Yes, we had contact").check()
    fill_date(page, "start", ("30", "2", "2024"))
    page.get_by_label("Summary of your involvement").fill("Registration and one consultation.")
    page.get_by_role("button", name="Save and continue").click()
    assert error_summary(page) == ["The date your involvement started must be a real date"]
    expect(page).to_have_title("Error: Involvement with the child or family – Rapid Review")
    expect(page.locator("#start-day")).to_have_value("30")
    expect(page.get_by_label("Summary of your involvement")).to_have_value("Registration and one consultation.")
    assert_accessible(page)
    screenshot(page, "agency-involvement-error")
    fill_date(page, "start", TODAY - dt.timedelta(days=200))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#return-tasks")).to_contain_text("Completed")

    page.get_by_role("link", name="Chronology of contacts").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    fill_date(page, "date", TODAY + dt.timedelta(days=3))  # in the future
    page.get_by_role("button", name="Save entry").click()
    assert error_summary(page) == ["The date of the contact must be today or in the past", "Select the type of contact",
                                   "Enter the practitioner's role", "Enter what happened"]
    assert_accessible(page)
    fill_date(page, "date", TODAY - dt.timedelta(days=30))
    page.get_by_label("Type of contact").select_option("APPOINTMENT")
    page.get_by_label("Practitioner's role").fill("GP")
    page.get_by_label("What happened").fill("Baby seen with a cold; a bruise on the left ear was noted.")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator("#items")).to_contain_text("Baby seen with a cold")
    assert_accessible(page)
    screenshot(page, "agency-chronology")
    page.get_by_label("No, this part is finished").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Concerns about working together").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Information was not shared, or shared late").check()
    page.locator("#own_agency-2").check()  # No: about another agency
    page.get_by_label("Which other agencies is it about?").fill("Health visiting")
    page.get_by_label("Describe the concern").fill("The bruise was not shared with health visiting.")
    page.get_by_role("button", name="Save concern").click()
    page.get_by_label("No, this part is finished").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("link", name="Learning").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    screenshot(page, "agency-learning")
    page.get_by_label("What is the learning?").fill("The bruising protocol was not followed.")
    page.get_by_label("bruising in non-mobile babies").check()
    page.get_by_label("information sharing").check()
    page.locator("#already_identified-2").check()
    page.get_by_role("button", name="Save learning point").click()
    page.get_by_label("No, this part is finished").check()
    page.get_by_role("button", name="Continue").click()

    page.get_by_role("button", name="Check your answers and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before submitting your return")
    expect(page.locator("[data-section='chronology']")).to_contain_text("Appointment (clinic, surgery or office)")
    expect(page.locator("[data-section='learning']")).to_contain_text("information sharing, bruising in non-mobile babies")
    assert_accessible(page)
    screenshot(page, "agency-check-answers")
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator("#confirmation")).to_contain_text("Return submitted")
    expect(page.locator("#confirmation")).to_contain_text("Version 1")
    assert_accessible(page)
    screenshot(page, "agency-submitted")

    stored = returned(web, case, "gp-practice").version
    r = stored.agency_return
    assert stored.version == 1 and r.involvement == G.INVOLVEMENT_INVOLVED
    assert r.involvement_period.start == (TODAY - dt.timedelta(days=200)).isoformat()
    assert [(e.date, e.practitioner_role) for e in r.chronology] == [((TODAY - dt.timedelta(days=30)).isoformat(), "GP")]
    assert list(r.concerns[0].about_agencies) == ["health-visiting"] and r.concerns[0].type == G.CONCERN_TYPE_INFORMATION_SHARING
    assert list(r.learning[0].themes) == ["information sharing", "bruising in non-mobile babies"]

    # Amend later: prefilled from version 1, a change, submitted as version 2; both versions listed.
    page.get_by_role("link", name="Go to your return and its versions").click()
    page.get_by_role("button", name="Amend your return").click()
    expect(page.get_by_role("heading", name="Amend your return (from version 1)")).to_be_visible()
    page.get_by_role("link", name="Good practice").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("What was done well?").fill("The practice nurse chased the missed immunisation.")
    page.get_by_role("button", name="Save example of good practice").click()
    page.get_by_label("No, this part is finished").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Check your answers and submit").click()
    expect(page.get_by_text("Version 1 stays on record")).to_be_visible()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator("#confirmation")).to_contain_text("Version 2")
    page.get_by_role("link", name="Go to your return and its versions").click()
    expect(page.locator("#versions tr[data-version]")).to_have_count(2)
    expect(page.locator("#versions tr[data-version='2']")).to_contain_text("(counts)")
    assert_accessible(page)
    screenshot(page, "agency-request-versions")
    page.locator("#versions tr[data-version='1']").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1 of your return")
    expect(page.locator("#version-facts")).to_contain_text("A later version replaced it")
    assert_accessible(page)
    two = returned(web, case, "gp-practice")
    assert two.version.version == 2 and len(two.versions) == 2
    assert two.version.agency_return.good_practice[0].description.startswith("The practice nurse")
    assert list(two.version.agency_return.chronology) == list(r.chronology)  # carried over unchanged


def _xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_chronology_imports_from_csv_and_excel_and_a_bad_csv_stores_nothing(web: Web, page: Page, cases, tmp_path) -> None:
    case = cases["import"]
    sign_in(page, web.url, "demo-nursery-lead")
    page.goto(f"{web.url}/my-requests/{case}/chronology")
    page.get_by_role("link", name="Import entries from a CSV or Excel file").click()
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("#template-xlsx").click()
    assert download.value.suggested_filename == "chronology-template.xlsx"
    future = (TODAY + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    bad = tmp_path / "bad.csv"
    bad.write_text("Date,Contact type,Practitioner role,What happened\n"
                   "01/03/2024,Setting attendance,nursery manager,Attendance dropped\n"
                   "30/02/2024,Setting attendance,nursery manager,Impossible date\n"
                   f"{future},Call,Mrs Smith,Future date and a name\n"
                   "02/03/2024,Call,key worker,=cmd|' /C calc'!A0\n", encoding="utf-8")
    page.locator("#file").set_input_files(str(bad))
    page.get_by_role("button", name="Import entries").click()
    assert error_summary(page) == [
        "Line 3, column 'Date': 30/02/2024 is not a real date",
        "Line 4, column 'Date': must be today or in the past",
        "Line 4, column 'Practitioner role': Practitioner's role must be a role, for example 'health visitor', never a person's name or title",
        "Line 5, column 'What happened': starts with a formula character (= + - @): enter plain text",
    ]
    expect(page.locator("#file-error")).to_contain_text("The file has 4 problems")
    assert_accessible(page)
    screenshot(page, "agency-import-errors")
    page.goto(f"{web.url}/my-requests/{case}/chronology")
    expect(page.locator("#no-items")).to_be_visible()  # nothing stored, not even the good row

    good = tmp_path / "good.csv"
    good.write_bytes("Date,Contact type,Practitioner role,What happened,Decisions\r\n"
                     "01/03/2024,Setting attendance,nursery manager,\"Attendance down to half, since February\",Spoke to mother\r\n"
                     "2024-03-15,Call,key worker,Mother phoned about absences,\r\n".encode("utf-8-sig"))
    page.get_by_role("link", name="Import entries from a CSV or Excel file").click()
    page.locator("#file").set_input_files(str(good))
    page.get_by_role("button", name="Import entries").click()
    expect(page.locator("#imported")).to_contain_text("2 entries imported")
    workbook = tmp_path / "more.xlsx"
    workbook.write_bytes(_xlsx_bytes([["Date", "Contact type", "Practitioner role", "What happened"],
                                      [dt.datetime(2024, 4, 2), "Meeting", "nursery manager", "Child in need review"],
                                      ["03/04/2024", "Correspondence", "nursery manager", "Letter to mother"]]))
    page.get_by_role("link", name="Import entries from a CSV or Excel file").click()
    page.locator("#file").set_input_files(str(workbook))
    page.get_by_role("button", name="Import entries").click()
    expect(page.locator("#imported")).to_contain_text("2 entries imported")
    expect(page.locator("#items tbody tr")).to_have_count(4)
    assert_accessible(page)
    page.get_by_label("No, this part is finished").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Involvement with the child or family").click()
    page.get_by_label("Yes, we had contact").check()
    fill_date(page, "start", dt.date(2023, 9, 4))
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Check your answers and submit").click()
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator("#confirmation")).to_contain_text("Version 1")
    chronology = returned(web, case, "sibling-nursery").version.agency_return.chronology
    assert [(e.date, e.contact_type) for e in chronology] == [
        ("2024-03-01", G.CONTACT_TYPE_SETTING_ATTENDANCE), ("2024-03-15", G.CONTACT_TYPE_CALL),
        ("2024-04-02", G.CONTACT_TYPE_MEETING), ("2024-04-03", G.CONTACT_TYPE_CORRESPONDENCE)]
    assert chronology[0].summary == "Attendance down to half, since February" and chronology[0].decisions == "Spoke to mother"


def tab_to(page: Page, selector: str, *, back: bool = False, limit: int = 80) -> None:
    """Presses Tab (or Shift+Tab) until the element matching `selector` has the focus (bounded)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{selector} never got the focus with the keyboard")


def activate(page: Page) -> None:
    """Enter on the focused link or button, and the page it leads to has loaded."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_one_whole_return_is_done_with_the_keyboard_only(web: Web, page: Page, cases) -> None:
    case = cases["keyboard"]
    sign_in(page, web.url, "demo-police-lead")  # sign-in is the provider's page; from here on, only the keyboard
    page.goto(f"{web.url}/my-requests/{case}")
    tab_to(page, "a[href$='/involvement']")
    activate(page)
    tab_to(page, "#involvement")
    page.keyboard.press("Space")  # "Yes, we had contact"
    tab_to(page, "#start-day")
    start = TODAY - dt.timedelta(days=100)
    page.keyboard.type(str(start.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(start.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(start.year))
    tab_to(page, "#summary")
    page.keyboard.type("Two call-outs to the family home.")
    tab_to(page, "button.govuk-button")
    activate(page)
    expect(page.locator("#return-tasks")).to_contain_text("Completed")
    tab_to(page, "a[href$='/chronology']")
    activate(page)
    tab_to(page, "#add_another")
    page.keyboard.press("Space")
    tab_to(page, "button.govuk-button")
    activate(page)
    tab_to(page, "#date-day")
    day = TODAY - dt.timedelta(days=20)
    page.keyboard.type(f"{day.day}")
    page.keyboard.press("Tab")
    page.keyboard.type(f"{day.month}")
    page.keyboard.press("Tab")
    page.keyboard.type(f"{day.year}")
    tab_to(page, "#contact_type")
    page.keyboard.type("Police")  # a native select: typing picks "Police call-out or attendance"
    tab_to(page, "#role")
    page.keyboard.type("response officer")
    tab_to(page, "#summary")
    page.keyboard.type("Called after an argument; both parents present; baby asleep.")
    tab_to(page, "#date-day", back=True)  # Shift+Tab goes back: the date is still there
    expect(page.locator("#date-day")).to_have_value(str(day.day))
    tab_to(page, "button.govuk-button")
    activate(page)
    expect(page.locator("#items")).to_contain_text("Police call-out or attendance")
    tab_to(page, "#add_another")  # Tab reaches a radio group at its first radio; an arrow moves to (and selects) "No"
    page.keyboard.press("ArrowDown")
    expect(page.locator("#add_another-2")).to_be_checked()
    tab_to(page, "button.govuk-button")
    activate(page)
    tab_to(page, "#check-answers")
    activate(page)
    tab_to(page, "#submit-return")
    activate(page)
    expect(page.locator("#confirmation")).to_contain_text("Version 1")
    r = returned(web, case, "west-yorkshire-police").version.agency_return
    assert r.chronology[0].contact_type == G.CONTACT_TYPE_CALL_OUT and r.chronology[0].practitioner_role == "response officer"
    assert r.involvement_summary == "Two call-outs to the family home."


def test_an_agency_lead_cannot_open_another_agencys_request_or_any_case_page(web: Web, page: Page, cases) -> None:
    sign_in(page, web.url, "demo-gp-lead")
    for path in (f"/my-requests/{cases['no_gp']}", f"/my-requests/{cases['no_gp']}/check",
                 f"/my-requests/{cases['no_gp']}/chronology/import", f"/my-requests/{cases['no_gp']}/versions/1"):
        response = page.goto(f"{web.url}{path}")
        assert response is not None and response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(page.locator("#return-tasks")).to_have_count(0)
    assert_accessible(page)
    # The police's request on a case the GP has too: the GP sees its own, never the police's return.
    response = page.goto(f"{web.url}/my-requests/{web.example_case}/versions/1")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1 of your return")
    expect(page.get_by_text("response officer")).to_have_count(0)
    for path in (f"/cases/{web.example_case}", f"/cases/{web.example_case}/checklist", "/dashboard", "/cases"):
        response = page.goto(f"{web.url}{path}")
        assert response is not None and response.status in (403, 404), path
        expect(page.get_by_text("Child K")).to_have_count(0)
    page.goto(f"{web.url}/my-requests/{cases['no_gp']}/involvement")
    assert latest_version(web, cases["no_gp"], "west-yorkshire-police") == 0
