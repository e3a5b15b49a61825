"""The return form's pages in-process with fakes (gathering and criteria answers, an in-memory
draft store): My requests, a section page that keeps what was typed on an error, "add another",
check your answers, submit, gathering's violations linked to the answer, amendments, import,
and nothing shown for another agency's case."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from starlette.testclient import TestClient

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import common_pb2, criteria_pb2, gathering_pb2 as G
from rapidreview.workspace import errors
from rapidreview.workspace.bootstrap import Collaborators, build_app
from rapidreview.workspace.config import load_workspace_settings
from rapidreview.workspace.readmodel import RequestSummary
from rapidreview.workspace.returns.draft import ReturnDraft
from rapidreview.workspace.session import SessionCipher, start_session
from tests.unit.workspace.conftest import FakeClock, FakeReadModel, FakeServices, write_settings_files

REPO = Path(__file__).resolve().parents[4]
CASE = "0b7f6a1e-1111-4222-8333-444455556666"
OTHER = "9d2e6a1e-1111-4222-8333-444455556666"
GP = Principal("person-gp-1", Role.AGENCY, "leeds", "gp-practice")
AGENCY = common_pb2.Agency(agency_id="gp-practice", name="GP practice", kind=common_pb2.AGENCY_KIND_HEALTH_GP)


class MemoryDrafts:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], dict[str, Any]] = {}

    async def load(self, person: Principal, case_id: str) -> ReturnDraft | None:
        row = self.rows.get((person.subject, case_id, person.agency))
        return ReturnDraft.from_json(row) if row is not None else None

    async def save(self, person: Principal, case_id: str, draft: ReturnDraft) -> None:
        self.rows[(person.subject, case_id, person.agency)] = draft.to_json()

    async def delete(self, person: Principal, case_id: str) -> None:
        self.rows.pop((person.subject, case_id, person.agency), None)

    async def cases_with_drafts(self, person: Principal) -> set[str]:
        return {case for (subject, case, agency) in self.rows if subject == person.subject and agency == person.agency}


class AgencyReadModel(FakeReadModel):
    requests: list[RequestSummary] = []

    async def agency_requests(self, partnership: str, agency: str, today: dt.date) -> list[RequestSummary]:
        return [r for r in self.requests if r.agency_id == agency]


def request_status(latest_version: int = 0, status: int = G.GATHERING_STATUS_OPEN) -> Any:
    def answer(request: G.GetRequestStatusRequest) -> G.GetRequestStatusResponse:
        if request.case_id != CASE:
            raise errors.NotFoundError("no request")  # what gathering answers an agency about another's case
        mine = G.InformationRequest(case_id=CASE, agency=AGENCY, status=G.REQUEST_STATUS_AWAITING, latest_version=latest_version,
                                    due_basis=G.DUE_BASIS_PANEL_NOTIFICATION,
                                    clock=common_pb2.Clock(id="RR.AGENCIES", due="2024-06-21", effective_due="2024-06-21",
                                                           working_days_left=1),
                                    return_ref=f"return:gp-practice:v{latest_version}" if latest_version else "")
        return G.GetRequestStatusResponse(case_id=CASE, status=status, requests=[mine])
    return answer


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Any]:
    env = write_settings_files(tmp_path)
    settings = load_workspace_settings({**env, "RR_TODAY": "2024-06-20"})
    services, drafts, cipher, read_model = FakeServices(), MemoryDrafts(), SessionCipher.random(), AgencyReadModel()
    read_model.requests = [RequestSummary(f"{CASE}:gp-practice", CASE, "0b7f6a1e", "gp-practice", "awaiting", dt.date(2024, 6, 21), 1,
                                          agency_name="GP practice", state="due_soon")]
    services.answers["GetRequestStatus"] = request_status()
    services.answers["GetLearningThemes"] = criteria_pb2.GetLearningThemesResponse(
        edition="wt2023", themes=[criteria_pb2.LearningTheme(name="information sharing"), criteria_pb2.LearningTheme(name="domestic abuse")])
    app = build_app(settings, Collaborators(clock=FakeClock(), services=services, read_model=read_model, session_cipher=cipher,
                                            drafts=drafts))  # type: ignore[arg-type]
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        session: dict[str, Any] = {}
        start_session(session, GP, app.state.session_policy)
        client.cookies.set("rr_session", cipher.seal(session), domain="testserver.local", path="/")
        client.csrf = session["csrf"]  # type: ignore[attr-defined]
        client.services, client.drafts = services, drafts  # type: ignore[attr-defined]
        yield client


def post(ws: Any, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return ws.post(path, data={**(data or {}), "csrf_token": ws.csrf}, **kwargs)


def summary_links(html: str) -> list[str]:
    box = html.split('govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', box)


def test_my_requests_lists_the_agencys_request_with_due_date_days_left_and_status(ws) -> None:
    page = ws.get("/my-requests")
    assert page.status_code == 200
    assert "21 June 2024" in page.text and "1 working day left" in page.text and "Not started" in page.text
    assert f'href="/my-requests/{CASE}"' in page.text and "Start your return" in page.text


def test_a_section_with_errors_keeps_what_was_typed_and_stores_nothing(ws) -> None:
    page = post(ws, f"/my-requests/{CASE}/involvement", {"involvement": "involved", "start-day": "30", "start-month": "2",
                                                         "start-year": "2024", "summary": "Seen twice"})
    assert page.status_code == 400 and "<title>Error: " in page.text
    assert summary_links(page.text) == ["#start-day"] and "must be a real date" in page.text
    assert 'value="30"' in page.text and "Seen twice" in page.text
    assert ws.drafts.rows == {}


def test_a_whole_return_is_written_page_by_page_checked_and_submitted(ws) -> None:
    assert post(ws, f"/my-requests/{CASE}/involvement", {"involvement": "involved", "start-day": "30", "start-month": "11",
                                                         "start-year": "2023", "summary": "Registration"}).status_code == 303
    added = post(ws, f"/my-requests/{CASE}/chronology/add", {"date-day": "7", "date-month": "3", "date-year": "2024",
                                                           "contact_type": "APPOINTMENT", "role": "GP", "summary": "Bruise seen"})
    assert added.headers["location"] == f"/my-requests/{CASE}/chronology"
    listing = ws.get(f"/my-requests/{CASE}/chronology")
    assert "You have added 1 entry" in listing.text and "7 March 2024" in listing.text and "Bruise seen" in listing.text
    assert post(ws, f"/my-requests/{CASE}/chronology", {"add_another": "no"}).status_code == 303
    learning = ws.get(f"/my-requests/{CASE}/learning/add")
    assert 'value="information sharing"' in learning.text  # the vocabulary from criteria, as checkboxes
    assert post(ws, f"/my-requests/{CASE}/learning/add", {"description": "Share bruising", "themes": ["information sharing"],
                                                        "other_themes": "bruising protocol", "already_identified": "yes",
                                                        "acted_on": "PARTLY", "earlier_reviews": "LSCP-2021-03"}).status_code == 303
    task_list = ws.get(f"/my-requests/{CASE}")
    assert "Completed" in task_list.text and "In progress" in task_list.text
    check = ws.get(f"/my-requests/{CASE}/check")
    assert "Bruise seen" in check.text and "information sharing, bruising protocol" not in check.text
    assert "Partly" in check.text and f'/my-requests/{CASE}/chronology/' in check.text

    ws.services.answers["SubmitAgencyReturn"] = G.SubmitAgencyReturnResponse(version=G.AgencyReturnVersion(version=1))
    done = post(ws, f"/my-requests/{CASE}/check")
    assert done.status_code == 303 and done.headers["location"] == f"/my-requests/{CASE}/submitted"
    sent = next(request for rpc, _, request in ws.services.calls if rpc == "SubmitAgencyReturn")
    r = sent.agency_return
    assert sent.case_id == CASE and r.agency.agency_id == "gp-practice" and r.involvement == G.INVOLVEMENT_INVOLVED
    assert r.involvement_period.start == "2023-11-30" and r.chronology[0].date == "2024-03-07"
    assert r.chronology[0].contact_type == G.CONTACT_TYPE_APPOINTMENT and r.chronology[0].practitioner_role == "GP"
    assert list(r.learning[0].themes) == ["information sharing", "bruising protocol"] and r.learning[0].acted_on == G.ACTED_ON_PARTLY
    assert ws.drafts.rows == {}  # cleared on submit


def test_gathering_violations_come_back_on_check_your_answers_linked_to_the_entry(ws) -> None:
    post(ws, f"/my-requests/{CASE}/involvement", {"involvement": "involved", "start-day": "1", "start-month": "1", "start-year": "2024"})
    post(ws, f"/my-requests/{CASE}/chronology/add", {"date-day": "7", "date-month": "3", "date-year": "2024",
                                                   "contact_type": "CALL", "role": "nurse", "summary": "Call"})
    item_id = ws.drafts.rows[(GP.subject, CASE, "gp-practice")]["answers"]["chronology"][0]["id"]
    ws.services.answers["SubmitAgencyReturn"] = errors.InvalidInput([("agency_return.chronology[0].date", "must not be in the future")])
    page = post(ws, f"/my-requests/{CASE}/check")
    assert page.status_code == 400
    assert summary_links(page.text) == [f"#chronology-{item_id}"]
    assert "Chronology of contacts, entry 1, date: must not be in the future" in page.text
    assert ws.drafts.rows  # the draft is kept


def test_an_amendment_starts_from_the_latest_version_and_shows_the_versions(ws) -> None:
    ws.services.answers["GetRequestStatus"] = request_status(latest_version=1)
    body = json_format.Parse((REPO / "docs/examples/agency-return-gp-late.json").read_text(), G.SubmitAgencyReturnRequest()).agency_return
    ws.services.answers["GetAgencyReturn"] = G.GetAgencyReturnResponse(
        version=G.AgencyReturnVersion(version=1, submitted_on="2024-06-25", late=True, agency_return=body),
        versions=[G.AgencyReturnVersion(version=1, submitted_on="2024-06-25", late=True, return_ref="return:gp-practice:v1")])
    page = ws.get(f"/my-requests/{CASE}")
    assert "Amend your return" in page.text and "Version 1" in page.text and "25 June 2024" in page.text
    assert ws.get(f"/my-requests/{CASE}/involvement").status_code == 303  # no empty draft over a submitted return
    assert post(ws, f"/my-requests/{CASE}/amend").status_code == 303
    draft = ws.drafts.rows[(GP.subject, CASE, "gp-practice")]
    assert draft["based_on"] == 1 and len(draft["answers"]["chronology"]) == 2
    assert draft["answers"]["learning"][0]["other_themes"] == ["bruising in non-mobile babies"]  # not in the fake vocabulary: kept
    check = ws.get(f"/my-requests/{CASE}/check")
    assert "Version 1 stays on record" in check.text and "bruise on the left ear" in check.text


def test_importing_a_file_with_bad_rows_lists_each_line_and_stores_nothing(ws) -> None:
    bad = b"Date,Contact type,Practitioner role,What happened\n30/02/2024,Call,nurse,x\n07/03/2024,Call,nurse,=cmd\n"
    page = post(ws, f"/my-requests/{CASE}/chronology/import", files={"file": ("c.csv", bad, "text/csv")})
    assert page.status_code == 400
    assert "Line 2, column &#39;Date&#39;" in page.text and "Line 3, column &#39;What happened&#39;" in page.text
    assert summary_links(page.text) == ["#file", "#file"] and ws.drafts.rows == {}
    good = b"Date,Contact type,Practitioner role,What happened\n07/03/2024,Call,nurse,Phoned\n"
    done = post(ws, f"/my-requests/{CASE}/chronology/import", files={"file": ("c.csv", good, "text/csv")})
    assert done.status_code == 303 and done.headers["location"].endswith("/chronology?imported=1")
    assert "1 entry imported" in ws.get(done.headers["location"]).text


def test_another_agencys_case_shows_nothing_on_any_page(ws) -> None:
    for path in ("", "/involvement", "/chronology", "/check", "/chronology/import", "/versions/1"):
        page = ws.get(f"/my-requests/{OTHER}{path}")
        assert page.status_code == 404, path
    assert ws.get("/my-requests/not-a-case").status_code == 404


def test_the_chronology_templates_download_as_files(ws) -> None:
    csv = ws.get("/my-requests/chronology-template.csv")
    assert csv.headers["content-disposition"] == 'attachment; filename="chronology-template.csv"' and b"Date,Contact type" in csv.content
    xlsx = ws.get("/my-requests/chronology-template.xlsx")
    assert xlsx.content.startswith(b"PK") and "spreadsheetml" in xlsx.headers["content-type"]
    assert ws.get("/my-requests/chronology-template.exe").status_code == 404
