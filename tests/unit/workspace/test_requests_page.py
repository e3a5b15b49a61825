"""A case's information requests with fakes: every request with status, due date, working days
left, versions and chases; the reminders from the read model; the business unit's actions (chase,
ask agencies, add one, close, reopen) sent as the person with the outcome shown; the advisory group
reads without acting; bad input named and nothing sent."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.v1 import gathering_pb2 as G
from rapidreview.workspace import errors
from rapidreview.workspace.readmodel import ReminderSent
from tests.unit.workspace.conftest import BU, POLICE, Workspace

CASE = "0b7f6a1e-1111-4222-8333-444455556666"
RAG = Principal("person-rag-1", Role.RAG_MEMBER, "leeds")
LA = Principal("person-la-1", Role.NOTIFYING_LA, "leeds")


def request(agency_id: str, name: str, status: int, *, due: str = "2024-06-21", left: int = 1, overdue: bool = False,
            version: int = 0, returned_on: str = "", late: bool = False, chases: int = 0, chased_on: str = "") -> G.InformationRequest:
    r = G.InformationRequest(case_id=CASE, status=status, due_basis=G.DUE_BASIS_PANEL_NOTIFICATION, opened_on="2024-06-07",
                             source=G.REQUEST_SOURCE_NOTIFICATION, latest_version=version, chase_count=chases, last_chased_on=chased_on)
    r.agency.agency_id, r.agency.name, r.agency.kind = agency_id, name, common_pb2.AGENCY_KIND_POLICE
    r.clock.id, r.clock.due, r.clock.effective_due, r.clock.working_days_left, r.clock.overdue = "RR.AGENCIES", due, due, left, overdue
    r.clock.completed_on, r.clock.late = returned_on, late
    return r


def status(gathering: int = G.GATHERING_STATUS_OPEN) -> G.GetRequestStatusResponse:
    s = G.GetRequestStatusResponse(case_id=CASE, status=gathering)
    s.requests.extend([
        request("west-yorkshire-police", "West Yorkshire Police", G.REQUEST_STATUS_AWAITING, left=-2, overdue=True, chases=1,
                chased_on="2024-06-19"),
        request("gp-practice", "GP practice", G.REQUEST_STATUS_RETURNED, version=2, returned_on="2024-06-24", late=True),
        request("sibling-nursery", "Nursery (sibling)", G.REQUEST_STATUS_AWAITING, left=3),
    ])
    s.completeness.requested, s.completeness.returned, s.completeness.missing, s.completeness.overdue = 3, 1, 2, 1
    return s


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    incident = intake_pb2.Incident(case_id=CASE, partnership="leeds")
    incident.notification.child.child_ref = "Child Q"
    versions = G.GetAgencyReturnResponse()
    versions.versions.add(version=1, submitted_on="2024-06-24", late=True)
    versions.versions.add(version=2, submitted_on="2024-06-26", late=True)
    workspace.services.answers.update({"GetIncident": intake_pb2.GetIncidentResponse(incident=incident), "GetRequestStatus": status(),
                                       "GetAgencyReturn": versions})
    workspace.read_model.reminders_by_case[("leeds", CASE)] = [
        ReminderSent("r1", CASE, "RR.AGENCIES", "west-yorkshire-police", "overdue", dt.date(2024, 6, 17), "agency",
                     "west-yorkshire-police", "sent", 2, dt.datetime(2024, 6, 18, 8, tzinfo=dt.UTC)),
        ReminderSent("r2", CASE, "RR.DEADLINE", "", "due_soon", dt.date(2024, 6, 28), "business_unit", "", "no_contact", 0,
                     dt.datetime(2024, 6, 26, 8, tzinfo=dt.UTC), reason="no business unit address"),
    ]
    workspace.sign_in(BU)
    return workspace


def post(ws: Workspace, path: str, data: dict[str, Any]) -> Any:
    return ws.client.post(path, data={**data, "csrf_token": ws.csrf()})


def sent(ws: Workspace, rpc: str) -> list[Any]:
    return [c[2] for c in ws.services.calls if c[0] == rpc]


def row(page: str, agency_id: str) -> str:
    match = re.search(rf'<tr[^>]*id="request-{agency_id}".*?</tr>', page, re.S)
    assert match, agency_id
    return match.group(0)


def test_the_page_shows_every_request_with_status_due_date_versions_and_chases(ws: Workspace) -> None:
    page = ws.client.get(f"/cases/{CASE}/requests")
    assert page.status_code == 200 and "<title>Information requests – Rapid Review</title>" in page.text
    assert "1 of 3" in page.text and "1 overdue" in page.text
    police = row(page.text, "west-yorkshire-police")
    assert "Overdue" in police and "21 June 2024" in police and "2 working days overdue" in police
    assert "1 time, last on 19 June 2024" in police and "Chase West Yorkshire Police" in police
    gp = row(page.text, "gp-practice")
    assert "Returned" in gp and "Chase" not in gp
    assert "Version 1 received 24 June 2024 (late)" in gp and "Version 2 received 26 June 2024 (late)" in gp
    assert [r.agency_id for r in sent(ws, "GetAgencyReturn")] == ["gp-practice"]  # only the amended return's versions are read
    assert "3 working days left" in row(page.text, "sibling-nursery")
    assert 'aria-current="page">Information requests' in page.text
    for link in ("requests/add", "requests/open", "requests/close"):
        assert f'href="/cases/{CASE}/{link}"' in page.text


def test_the_reminders_sent_are_listed_with_their_status(ws: Workspace) -> None:
    page = ws.client.get(f"/cases/{CASE}/requests")
    reminders = page.text[page.text.index('id="reminders"'):]
    assert re.search(r"18 June 2024.*?RR.AGENCIES.*?West Yorkshire Police.*?Overdue.*?Sent", reminders, re.S)
    assert re.search(r"26 June 2024.*?RR.DEADLINE.*?Business unit.*?Due soon.*?No contact.*?no business unit address", reminders, re.S)


def test_the_advisory_group_reads_the_page_without_actions(ws: Workspace) -> None:
    ws.sign_in(RAG)
    page = ws.client.get(f"/cases/{CASE}/requests")
    assert page.status_code == 200 and "West Yorkshire Police" in page.text
    assert "requests/chase" not in page.text and 'id="gathering-actions"' not in page.text
    assert post(ws, f"/cases/{CASE}/requests/chase", {"agency_id": "gp-practice"}).status_code == 403
    assert sent(ws, "ChaseAgency") == []


@pytest.mark.parametrize("principal", [POLICE, LA, Principal("person-exec-1", Role.EXECUTIVE, "leeds")])
def test_other_roles_cannot_open_the_page_or_act(workspace: Workspace, principal: Principal) -> None:
    workspace.sign_in(principal)
    assert workspace.client.get(f"/cases/{CASE}/requests").status_code == 403
    for path in ("chase", "add", "open", "close", "reopen"):
        assert workspace.client.post(f"/cases/{CASE}/requests/{path}", data={"csrf_token": workspace.csrf()}).status_code == 403
    assert workspace.services.calls == []


def test_chasing_an_agency_says_what_happened_to_the_e_mail(ws: Workspace) -> None:
    def chased(req: G.ChaseAgencyRequest) -> G.ChaseAgencyResponse:
        answer = G.ChaseAgencyResponse(request=request(req.agency_id, "West Yorkshire Police", G.REQUEST_STATUS_AWAITING))
        answer.chase.delivery_status = G.CHASE_DELIVERY_STATUS_PENDING
        return answer
    ws.services.answers["ChaseAgency"] = chased
    response = post(ws, f"/cases/{CASE}/requests/chase", {"agency_id": "west-yorkshire-police"})
    assert response.headers["location"] == f"/cases/{CASE}/requests#request-west-yorkshire-police"
    assert [(r.case_id, r.agency_id) for r in sent(ws, "ChaseAgency")] == [(CASE, "west-yorkshire-police")]
    page = ws.client.get(f"/cases/{CASE}/requests")
    assert "West Yorkshire Police chased: the e-mail to the agency&#39;s contacts is on its way." in page.text
    assert "chased:" not in ws.client.get(f"/cases/{CASE}/requests").text  # shown once


def test_a_second_chase_the_same_day_and_a_refused_chase_are_explained(ws: Workspace) -> None:
    ws.services.answers["ChaseAgency"] = G.ChaseAgencyResponse(
        request=request("gp-practice", "GP practice", G.REQUEST_STATUS_AWAITING), replayed=True)
    post(ws, f"/cases/{CASE}/requests/chase", {"agency_id": "gp-practice"})
    assert "GP practice was already chased today: nothing more was sent." in ws.client.get(f"/cases/{CASE}/requests").text
    ws.services.answers["ChaseAgency"] = errors.StepRefused("the return is already in")
    post(ws, f"/cases/{CASE}/requests/chase", {"agency_id": "gp-practice"})
    assert "Not chased: the return is already in" in ws.client.get(f"/cases/{CASE}/requests").text
    assert post(ws, f"/cases/{CASE}/requests/chase", {"agency_id": "../x"}).status_code == 404


def test_adding_an_agency_opens_its_request(ws: Workspace) -> None:
    def added(req: G.AddAgencyRequest) -> G.AddAgencyResponse:
        return G.AddAgencyResponse(request=request(req.agency.agency_id, req.agency.name, G.REQUEST_STATUS_AWAITING, due="2024-07-05"),
                                   opened=True)
    ws.services.answers["AddAgency"] = added
    assert ws.client.get(f"/cases/{CASE}/requests/add").status_code == 200
    response = post(ws, f"/cases/{CASE}/requests/add", {"agencies-0-name": "Leeds Housing", "agencies-0-kind": "housing",
                                                        "agencies-0-area": "Leeds", "agencies-0-area-type": "local-authority",
                                                        "agencies-0-id": ""})
    assert response.headers["location"] == f"/cases/{CASE}/requests"
    (req,) = sent(ws, "AddAgency")
    assert (req.agency.agency_id, req.agency.kind, req.agency.area_type) == (
        "leeds-housing", common_pb2.AGENCY_KIND_HOUSING, common_pb2.AREA_TYPE_LOCAL_AUTHORITY)
    assert "Leeds Housing was asked for information, due 5 July 2024." in ws.client.get(f"/cases/{CASE}/requests").text


def test_asking_several_agencies_names_those_asked_and_those_already_asked(ws: Workspace) -> None:
    ws.services.answers["OpenRequests"] = G.OpenRequestsResponse(opened_agency_ids=["probation"])
    added = post(ws, f"/cases/{CASE}/requests/open", {"agencies-0-name": "Probation", "agencies-0-kind": "probation",
                                                      "agencies-0-area-type": "", "action": "add"})
    assert added.status_code == 200 and 'id="agencies-1-name"' in added.text and sent(ws, "OpenRequests") == []
    post(ws, f"/cases/{CASE}/requests/open", {
        "agencies-0-name": "Probation", "agencies-0-kind": "probation", "agencies-0-area-type": "",
        "agencies-1-name": "GP practice", "agencies-1-kind": "gp", "agencies-1-area-type": "", "agencies-1-id": "gp-practice",
        "action": "continue"})
    (req,) = sent(ws, "OpenRequests")
    assert [a.agency_id for a in req.agencies] == ["probation", "gp-practice"]
    page = ws.client.get(f"/cases/{CASE}/requests").text
    assert "Asked for information: Probation." in page and "Already asked before, left as they were: GP practice." in page


def test_bad_agencies_are_named_and_nothing_is_sent(ws: Workspace) -> None:
    empty = post(ws, f"/cases/{CASE}/requests/add", {"agencies-0-name": "", "agencies-0-kind": ""})
    assert empty.status_code == 400 and "Enter the name of at least one agency" in empty.text
    bad = post(ws, f"/cases/{CASE}/requests/open", {"agencies-0-name": "x" * 201, "agencies-0-kind": "nonsense",
                                                    "agencies-0-area-type": "", "action": "continue"})
    assert bad.status_code == 400 and "must be 200 characters or fewer" in bad.text and "Select the kind of agency 1" in bad.text
    assert sent(ws, "AddAgency") == sent(ws, "OpenRequests") == []


def test_a_service_violation_on_an_agency_shows_on_its_field(ws: Workspace) -> None:
    ws.services.answers["AddAgency"] = errors.InvalidInput([("agency.name", "must name an organisation")])
    page = post(ws, f"/cases/{CASE}/requests/add", {"agencies-0-name": "Dr Smith", "agencies-0-kind": "gp", "agencies-0-area-type": ""})
    assert page.status_code == 400 and "The agency: must name an organisation" in page.text and 'href="#agencies-0-name"' in page.text


def test_closing_confirms_the_missing_returns_then_closes(ws: Workspace) -> None:
    page = ws.client.get(f"/cases/{CASE}/requests/close")
    assert "West Yorkshire Police" in page.text and "Nursery (sibling)" in page.text and "GP practice" not in page.text
    answer = G.CloseGatheringResponse()
    answer.collated.collation_version, answer.collated.completeness.missing = 1, 2
    ws.services.answers["CloseGathering"] = answer
    assert post(ws, f"/cases/{CASE}/requests/close", {}).headers["location"] == f"/cases/{CASE}/requests"
    assert [r.case_id for r in sent(ws, "CloseGathering")] == [CASE]
    assert "collated (version 1), with 2 returns missing." in ws.client.get(f"/cases/{CASE}/requests").text


def test_reopening_needs_a_reason(ws: Workspace) -> None:
    ws.services.answers["GetRequestStatus"] = status(G.GATHERING_STATUS_CLOSED)
    page = ws.client.get(f"/cases/{CASE}/requests")
    assert f'href="/cases/{CASE}/requests/reopen"' in page.text and "requests/close" not in page.text and "requests/chase" not in page.text
    assert ws.client.get(f"/cases/{CASE}/requests/close").status_code == 409
    empty = post(ws, f"/cases/{CASE}/requests/reopen", {"reason": ""})
    assert empty.status_code == 400 and "Enter why the gathering is reopened" in empty.text
    ws.services.answers["ReopenGathering"] = G.ReopenGatheringResponse()
    assert post(ws, f"/cases/{CASE}/requests/reopen", {"reason": "The police found more records."}).status_code == 303
    assert [r.reason for r in sent(ws, "ReopenGathering")] == ["The police found more records."]
    assert "The gathering is open again" in ws.client.get(f"/cases/{CASE}/requests").text
