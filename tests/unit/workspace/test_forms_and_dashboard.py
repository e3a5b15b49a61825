"""The form-error model, and the dashboard page over a fake read model."""

from __future__ import annotations

import dataclasses
import re

from rapidreview.workspace.forms import FormErrors
from tests.unit.workspace.conftest import BU, POLICE, Workspace, case_summary

A, B, C = ("0b7f6a1e-1111-4222-8333-44445555000a", "0b7f6a1e-1111-4222-8333-44445555000b", "0b7f6a1e-1111-4222-8333-44445555000c")


def test_field_violations_become_an_error_summary_linked_to_the_form_fields() -> None:
    errors = FormErrors.from_violations(
        [("notification.incident_date", "must not be in the future"), ("notification.child.child_ref", "required"),
         ("entries[2].date", "not a real date")],
        {"notification.incident_date": "incident-date-day"}, labels={"notification.child": "Child reference"})
    assert errors.summary == [
        {"text": "Must not be in the future", "href": "#incident-date-day"},
        {"text": "Child reference: required", "href": "#notification-child-child_ref"},
        {"text": "Not a real date", "href": "#entries-2-date"},
    ]
    assert errors.message("incident-date-day") == {"text": "Must not be in the future"}
    assert errors.message("other") is None


def _cases(workspace: Workspace) -> None:
    workspace.read_model.cases_by_partnership = {
        "leeds": [
            case_summary(A, "Child K", "gathering", [("NOTIFY.DEADLINE", "met", None), ("RR.DEADLINE", "running", 3)]),
            case_summary(B, "Child L", "notified", [("NOTIFY.DEADLINE", "overdue", -2)]),
            case_summary(C, "Child M", "notified", [("NOTIFY.DEADLINE", "running", 9)]),
        ],
        "bradford": [case_summary("0b7f6a1e-1111-4222-8333-44445555000d", "Child Z", "notified", [], partnership="bradford")],
    }


def test_dashboard_lists_the_persons_partnership_with_clocks_and_highlights(workspace: Workspace) -> None:
    _cases(workspace)
    workspace.sign_in(BU)
    page = workspace.client.get("/dashboard")
    assert page.status_code == 200
    assert {p for p, _ in workspace.read_model.calls} == {"leeds"}
    assert "Child K" in page.text and "Child L" in page.text and "Child Z" not in page.text
    assert "3 working days left" in page.text and "Due this week" in page.text
    assert "2 working days overdue" in page.text and "Overdue" in page.text
    assert "3 open cases in your partnership, 1 with an overdue clock" in page.text
    assert "3 of 7" in page.text


def test_dashboard_filters_go_to_the_read_model(workspace: Workspace) -> None:
    _cases(workspace)
    workspace.sign_in(BU)
    page = workspace.client.get("/dashboard", params={"overdue": "yes", "due_within": "5", "stage": "notified", "reference": "Child"})
    assert page.status_code == 200
    flt = workspace.read_model.calls[-1][1]
    assert (flt.overdue_only, flt.due_within_working_days, flt.stage, flt.reference) == (True, 5, "notified", "Child")
    only_overdue = workspace.client.get("/dashboard", params={"overdue": "yes"})
    assert "Child L" in only_overdue.text and "Child K" not in only_overdue.text


def test_a_bad_filter_is_shown_in_the_error_summary_with_no_results(workspace: Workspace) -> None:
    _cases(workspace)
    workspace.sign_in(BU)
    page = workspace.client.get("/dashboard", params={"due_within": "lots", "stage": "no such stage"})
    assert page.status_code == 400
    assert "<title>Error: Dashboard – Rapid Review</title>" in page.text
    assert 'href="#due_within"' in page.text and 'href="#stage"' in page.text
    assert 'value="lots"' in page.text  # the person's input is kept
    assert "Child K" not in page.text


def test_dashboard_without_a_read_model_says_so(workspace: Workspace) -> None:
    workspace.app.state.read_model = None
    workspace.sign_in(BU)
    page = workspace.client.get("/dashboard")
    assert page.status_code == 503 and "not available" in page.text


def test_agency_leads_do_not_get_the_dashboard(workspace: Workspace) -> None:
    _cases(workspace)
    workspace.sign_in(POLICE)
    assert workspace.client.get("/dashboard").status_code == 403
    assert workspace.read_model.calls == []


def test_dashboard_names_every_duty_clock_of_a_case_and_tags_an_amended_notification(workspace: Workspace) -> None:
    lac = case_summary(A, "Child L", "not_required", [("NOTIFY.LAC_DEATH", "due_soon", 2), ("NOTIFY.PARTNERS", "met", None)])
    lac = dataclasses.replace(lac, next_step="Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH)", notification_version=2)
    workspace.read_model.cases_by_partnership = {"leeds": [lac, case_summary(B, "Child M", "notified", [("NOTIFY.DEADLINE", "running", 4)])]}
    workspace.sign_in(BU)
    page = workspace.client.get("/dashboard").text
    row = page[page.index(f'data-case="{A}"'):page.index(f'data-case="{B}"')]
    assert re.search(r"NOTIFY.LAC_DEATH</span> \(Tell the Secretary of State and Ofsted\): due .*?2 working days left.*?Due this week",
                     row, re.S)
    assert re.search(r"NOTIFY.PARTNERS</span> \(Inform the safeguarding partners\): due .*?>Done<", row, re.S)
    assert "Notify the Secretary of State and Ofsted (NOTIFY.LAC_DEATH)" in row and ">Amended<" in row
    assert ">Amended<" not in page[page.index(f'data-case="{B}"'):]
