"""The read model's settings and who may see what it answers (derived from the
services' access table)."""

from __future__ import annotations

import pytest

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import Principal, Role, Scope
from rapidreview.kernel.config import ConfigError
from rapidreview.kernel.errors import PermissionDenied
from rapidreview.workspace.readmodel.access import (
    agency_request_roles, dashboard_roles, require_agency_requests, require_dashboard,
)
from rapidreview.workspace.readmodel.config import ReadModelConfig


def test_settings_come_from_the_services_variables():
    config = ReadModelConfig.from_env({"RR_DUE_SOON_WORKING_DAYS": "5", "RR_CONSUMER_BACKOFF": "1,2", "RR_REMINDERS": "false",
                                       "RR_REMINDER_LINK_TEMPLATE": "https://rr.example/cases/{case_id}"})
    assert (config.due_soon_working_days, config.consumer_backoff, config.reminders) == (5, (1.0, 2.0), False)
    assert config.reminder_link_template == "https://rr.example/cases/{case_id}"
    assert ReadModelConfig.from_env({}) == ReadModelConfig()


@pytest.mark.parametrize("var, value", [("RR_DUE_SOON_WORKING_DAYS", "0"), ("RR_REMINDERS", "perhaps"),
                                        ("RR_REMINDER_LINK_TEMPLATE", "http://rr.example/{case_id}"),
                                        ("RR_REMINDER_LINK_TEMPLATE", "https://rr.example/{child_ref}")])
def test_a_wrong_setting_names_its_variable(var, value):
    with pytest.raises(ConfigError, match=var):
        ReadModelConfig.from_env({var: value})


def test_the_dashboard_is_for_the_roles_that_list_incidents_and_read_request_status_across_the_partnership():
    assert dashboard_roles() == {Role.BUSINESS_UNIT, Role.RAG_MEMBER}
    assert agency_request_roles() == {Role.AGENCY}


def test_the_roles_follow_the_access_table():
    table = {k: dict(v) for k, v in ACCESS_TABLE.items()}
    table["/rapidreview.v1.GatheringService/GetRequestStatus"][Role.EXECUTIVE] = Scope.OWN_PARTNERSHIP
    assert Role.EXECUTIVE in dashboard_roles(table)
    del table["/rapidreview.v1.IntakeService/ListIncidents"][Role.RAG_MEMBER]
    assert Role.RAG_MEMBER not in dashboard_roles(table)


def test_require_helpers_give_the_scope_or_refuse():
    assert require_dashboard(Principal("s", Role.BUSINESS_UNIT, "leeds")) == "leeds"
    assert require_agency_requests(Principal("s", Role.AGENCY, "leeds", "gp-practice")) == ("leeds", "gp-practice")
    for principal in (Principal("s", Role.AGENCY, "leeds", "gp-practice"), Principal("s", Role.NOTIFYING_LA, "leeds"),
                      Principal("s", Role.EXECUTIVE, "leeds")):
        with pytest.raises(PermissionDenied):
            require_dashboard(principal)
    with pytest.raises(PermissionDenied):
        require_agency_requests(Principal("s", Role.BUSINESS_UNIT, "leeds"))
