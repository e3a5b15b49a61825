"""Notify an incident with fakes: question pages keep the answers server-side, check their own
input, check your answers shows them, one NotifyIncident per notification whatever the clicks,
intake's field violations shown on the page of each field, and the confirmation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rapidreview.kernel.auth import Principal, Role
from rapidreview.v1 import common_pb2, intake_pb2
from rapidreview.workspace import errors
from tests.unit.workspace.conftest import BU, POLICE, Workspace

LA = Principal("person-la-1", Role.NOTIFYING_LA, "leeds")
CASE = "0b7f6a1e-1111-4222-8333-444455556666"

ANSWERS: dict[str, dict[str, Any]] = {
    "child": {"child-ref": "Child Q", "age-years": "3"},
    "circumstances": {"circumstances": ["looked_after"]},
    "what-happened": {"nature": "serious_harm"},
    "harm": {"harm-domains": ["physical_health", "emotional"], "recovered": "no", "harm-description": "Fractures found at hospital."},
    "abuse-or-neglect": {"abuse-or-neglect": "suspected"},
    "dates": {"incident-date-day": "3", "incident-date-month": "6", "incident-date-year": "2024",
              "la-aware-date-day": "4", "la-aware-date-month": "6", "la-aware-date-year": "2024"},
    "place": {"notifying-la": "Leeds", "incident-country": "england", "incident-la": "Leeds", "home-la": "Leeds"},
    "setting": {"setting": "family_home"},
    "agencies": {"agencies-0-name": "West Yorkshire Police", "agencies-0-kind": "police", "agencies-0-area": "West Yorkshire",
                 "agencies-0-area-type": "police-area", "agencies-0-id": "",
                 "agencies-1-name": "GP practice", "agencies-1-kind": "gp", "agencies-1-area": "", "agencies-1-area-type": "",
                 "agencies-1-id": "gp-practice", "action": "continue"},
    "referral": {"referred-by": "gp-practice"},
}


def incident(request: intake_pb2.NotifyIncidentRequest | None = None) -> intake_pb2.Incident:
    i = intake_pb2.Incident(case_id=CASE, partnership="leeds", status=intake_pb2.INCIDENT_STATUS_NOTIFIED)
    i.notification.child.child_ref = "Child Q"
    i.duties.add(rule_id="NOTIFY.PANEL_IN_AREA", outcome=common_pb2.OUTCOME_MET, rationale="Leeds must notify the Panel.")
    i.duties.add(rule_id="NOTIFY.LAC_DEATH", outcome=common_pb2.OUTCOME_NOT_MET, rationale="The child did not die.")
    i.clocks.add(id="NOTIFY.DEADLINE", due="2024-06-11", effective_due="2024-06-11", working_days_left=3)
    return i


def post(ws: Workspace, path: str, data: dict[str, Any]) -> Any:
    return ws.client.post(path, data={**data, "csrf_token": ws.csrf()})


def answer_all(ws: Workspace) -> None:
    assert post(ws, "/notify", {}).headers["location"] == "/notify/child"
    for slug, data in ANSWERS.items():
        response = post(ws, f"/notify/{slug}", data)
        assert response.status_code == 303, (slug, response.text[:2000])


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    workspace.services.answers["NotifyIncident"] = lambda request: intake_pb2.NotifyIncidentResponse(incident=incident(request))
    workspace.services.answers["GetIncident"] = intake_pb2.GetIncidentResponse(incident=incident())
    workspace.sign_in(LA)
    return workspace


def test_each_page_leads_to_the_next_and_check_your_answers_shows_every_answer(ws: Workspace) -> None:
    assert post(ws, "/notify", {}).headers["location"] == "/notify/child"
    expected_next = ["circumstances", "what-happened", "harm", "abuse-or-neglect", "dates", "place", "setting", "agencies",
                     "referral", "check"]
    for (slug, data), following in zip(ANSWERS.items(), expected_next, strict=True):
        assert post(ws, f"/notify/{slug}", data).headers["location"] == f"/notify/{following}"
    page = ws.client.get("/notify/check")
    assert page.status_code == 200
    for text in ("Child Q", "3 years", "Looked after by a local authority", "The child was seriously harmed", "Emotional development",
                 "Fractures found at hospital.", "Suspected", "3 June 2024", "4 June 2024", "The family home",
                 "West Yorkshire Police", "Police, West Yorkshire (police force area)", "GP practice"):
        assert text in page.text, text
    assert 'href="/notify/dates?change=yes"' in page.text
    assert "Child Q" not in page.headers.get("location", "") and "<title>Check your answers" in page.text


def test_sending_calls_intake_once_as_the_person_and_a_second_click_finds_the_same_incident(ws: Workspace) -> None:
    answer_all(ws)
    first = post(ws, "/notify/check", {})
    assert first.status_code == 303 and first.headers["location"] == f"/cases/{CASE}/notified"
    again = post(ws, "/notify/check", {})
    assert again.headers["location"] == f"/cases/{CASE}/notified"
    sent = [c for c in ws.services.calls if c[0] == "NotifyIncident"]
    assert len(sent) == 1
    _, principal, request = sent[0]
    assert principal == LA
    n = request.notification
    assert request.idempotency_key.startswith("workspace-notify-")
    assert (n.child.child_ref, n.child.age_years, n.child.looked_after, n.child.care_leaver) == ("Child Q", 3, True, False)
    assert n.nature == common_pb2.NATURE_SERIOUS_HARM and list(n.harm_domains) == [
        common_pb2.HARM_DOMAIN_PHYSICAL_HEALTH, common_pb2.HARM_DOMAIN_EMOTIONAL_DEVELOPMENT]
    assert (n.incident_date, n.la_aware_date, n.incident_country, n.setting) == (
        "2024-06-03", "2024-06-04", common_pb2.COUNTRY_ENGLAND, common_pb2.SETTING_FAMILY_HOME)
    assert [(a.agency_id, a.kind) for a in n.agencies] == [("west-yorkshire-police", common_pb2.AGENCY_KIND_POLICE),
                                                          ("gp-practice", common_pb2.AGENCY_KIND_HEALTH_GP)]
    assert n.referred_by_agency == "gp-practice"


def test_a_retry_after_an_error_sends_the_same_idempotency_key(ws: Workspace) -> None:
    answer_all(ws)
    ws.services.answers["NotifyIncident"] = errors.ServiceUnavailable("down")
    assert post(ws, "/notify/check", {}).status_code == 503
    ws.services.answers["NotifyIncident"] = lambda request: intake_pb2.NotifyIncidentResponse(incident=incident(request))
    assert post(ws, "/notify/check", {}).status_code == 303
    keys = {c[2].idempotency_key for c in ws.services.calls if c[0] == "NotifyIncident"}
    assert len(keys) == 1


def test_the_confirmation_shows_duties_by_rule_with_outcome_and_rationale_and_the_clocks(ws: Workspace) -> None:
    page = ws.client.get(f"/cases/{CASE}/notified")
    assert page.status_code == 200
    assert "Notification recorded" in page.text and "Child Q" in page.text
    assert re.search(r'data-rule="NOTIFY.PANEL_IN_AREA".*?Met.*?Leeds must notify the Panel', page.text, re.S)
    assert re.search(r'data-rule="NOTIFY.LAC_DEATH".*?Not met', page.text, re.S)
    assert re.search(r'data-clock="NOTIFY.DEADLINE".*?11 June 2024.*?3 working days left', page.text, re.S)
    assert "<title>Notification recorded – Rapid Review</title>" in page.text


@pytest.mark.parametrize(("day", "month", "year", "message"), [
    ("30", "2", "2024", "Date of the incident must be a real date"),
    ("", "", "", "Enter the date of the incident"),
    ("3", "", "2024", "Date of the incident must include a month"),
    ("1", "1", "2099", "Date of the incident must be today or in the past"),
])
def test_a_date_that_is_not_right_is_named_in_the_error_summary_and_nothing_is_kept(ws: Workspace, day, month, year, message) -> None:  # noqa: ANN001
    answer_all(ws)
    bad = {**ANSWERS["dates"], "incident-date-day": day, "incident-date-month": month, "incident-date-year": year}
    page = post(ws, "/notify/dates?x", bad)
    assert page.status_code == 400
    assert "<title>Error: When did it happen?" in page.text
    assert message in page.text and 'href="#incident-date-' in page.text
    assert f'value="{year}"' in page.text if year else True  # the input is kept
    assert "3 June 2024" in ws.client.get("/notify/check").text  # the earlier answer still stands


def test_awareness_before_the_incident_is_refused_on_the_dates_page(ws: Workspace) -> None:
    post(ws, "/notify", {})
    bad = {**ANSWERS["dates"], "la-aware-date-day": "1"}
    page = post(ws, "/notify/dates", bad)
    assert page.status_code == 400 and "must be the same as or after the date of the incident" in page.text


def test_empty_required_answers_and_oversized_text_are_named(ws: Workspace) -> None:
    post(ws, "/notify", {})
    page = post(ws, "/notify/child", {"child-ref": "", "age-years": ""})
    assert page.status_code == 400
    assert "Enter the child&#39;s reference" in page.text and 'href="#child-ref"' in page.text and 'href="#age-years"' in page.text
    post(ws, "/notify/what-happened", {"nature": "serious_harm"})
    page = post(ws, "/notify/harm", {"harm-description": "x" * 4001})
    assert page.status_code == 400
    assert "The description of the harm must be 4,000 characters or fewer" in page.text
    assert "Select the areas in which the child was seriously harmed" in page.text
    assert "Select whether the child has recovered" in page.text


def test_intake_violations_at_sending_link_to_the_page_of_each_field_and_show_there(ws: Workspace) -> None:
    answer_all(ws)
    ws.services.answers["NotifyIncident"] = errors.InvalidInput([
        ("notification.la_aware_date", "must not be before 2018-06-29 (no edition covers earlier dates)"),
        ("notification.agencies[1].agency_id", "duplicate agency id")])
    page = post(ws, "/notify/check", {})
    assert page.status_code == 400
    assert 'href="/notify/dates?change=yes#la-aware-date-day"' in page.text
    assert 'href="/notify/agencies?change=yes#agencies-1-id"' in page.text
    dates = ws.client.get("/notify/dates?change=yes")
    assert dates.status_code == 400 and "must not be before 2018-06-29" in dates.text and "govuk-input--error" in dates.text
    assert post(ws, "/notify/dates", {**ANSWERS["dates"], "change": "yes"}).headers["location"] == "/notify/check"
    assert "must not be before 2018-06-29" not in ws.client.get("/notify/dates").text


def test_add_another_agency_and_remove_one_without_javascript(ws: Workspace) -> None:
    post(ws, "/notify", {})
    first = {k: v for k, v in ANSWERS["agencies"].items() if k.startswith("agencies-0")}
    added = post(ws, "/notify/agencies", {**first, "action": "add"})
    assert added.status_code == 303 and added.headers["location"] == "/notify/agencies#agencies-1-name"
    page = ws.client.get("/notify/agencies")
    assert 'id="agencies-1-name"' in page.text and 'value="West Yorkshire Police"' in page.text
    removed = post(ws, "/notify/agencies", {**first, "agencies-1-name": "", "agencies-1-kind": "", "agencies-1-area": "",
                                            "agencies-1-area-type": "", "agencies-1-id": "", "remove": "0"})
    assert removed.status_code == 303
    assert 'value="West Yorkshire Police"' not in ws.client.get("/notify/agencies").text


def test_an_agency_without_a_kind_and_a_bad_id_are_named(ws: Workspace) -> None:
    post(ws, "/notify", {})
    page = post(ws, "/notify/agencies", {"agencies-0-name": "Police", "agencies-0-kind": "", "agencies-0-area": "",
                                          "agencies-0-area-type": "", "agencies-0-id": "Not An Id", "action": "continue"})
    assert page.status_code == 400
    assert "Select the kind of agency 1" in page.text and "The agency id of agency 1 must be" in page.text


def test_check_your_answers_sends_back_to_the_first_unanswered_page(ws: Workspace) -> None:
    post(ws, "/notify", {})
    post(ws, "/notify/child", ANSWERS["child"])
    assert ws.client.get("/notify/check").headers["location"] == "/notify/circumstances"


@pytest.mark.parametrize("principal", [POLICE, Principal("person-rag-1", Role.RAG_MEMBER, "leeds")])
def test_roles_that_may_not_notify_get_the_refusal_page(workspace: Workspace, principal: Principal) -> None:
    workspace.sign_in(principal)
    assert workspace.client.get("/notify").status_code == 403
    assert workspace.client.post("/notify/check", data={"csrf_token": workspace.csrf()}).status_code == 403
    assert workspace.services.calls == []


def test_the_business_unit_may_notify_too(workspace: Workspace) -> None:
    workspace.sign_in(BU)
    assert workspace.client.get("/notify").status_code == 200


def test_an_unknown_question_is_a_missing_page(ws: Workspace) -> None:
    post(ws, "/notify", {})
    assert ws.client.get("/notify/not-a-question").status_code == 404


def test_a_recorded_notification_read_back_into_answers_gives_the_same_notification() -> None:
    from pathlib import Path

    from google.protobuf import json_format

    from rapidreview.workspace import notification

    recorded = json_format.Parse((Path(__file__).resolve().parents[3] / "docs" / "examples" / "notification.json").read_text(), intake_pb2.NotifyIncidentRequest())
    recorded.notification.child.child_protection_plan = True
    recorded.notification.referred_by_agency = "gp-practice"
    draft = {**notification.new_draft(), "answers": notification.answers_from(recorded.notification)}
    assert notification.to_request(draft).notification == recorded.notification
    assert notification.first_unanswered({**draft, "done": [p.slug for p in notification.PAGES]}) == ""


def test_the_awareness_dates_hint_states_notify_deadline_as_the_rule_file_of_the_edition_in_force(ws: Workspace) -> None:
    answer_all(ws)
    page = ws.client.get("/notify/dates?change=yes")
    assert page.status_code == 200
    assert "The notification to the Panel is due 5 working days after this date (NOTIFY.DEADLINE)." in page.text


def test_the_awareness_dates_hint_follows_a_changed_rule_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt
    import shutil

    from rapidreview.rules.rulebook import default_rules_dir
    from rapidreview.workspace.routes import notify

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    rule = rules / "wt2023" / "rules" / "NOTIFY.DEADLINE.yaml"
    rule.write_text(rule.read_text().replace("  working_days: 5\n", "  working_days: 4\n"))
    monkeypatch.setenv("RR_RULES_DIR", str(rules))
    notify._rule_parameters.cache_clear()
    try:
        assert notify.notify_deadline_hint(dt.date(2024, 6, 20)) == (
            "The notification to the Panel is due 4 working days after this date (NOTIFY.DEADLINE).")
    finally:
        notify._rule_parameters.cache_clear()
