"""Where people go: each role's home, the service navigation, and the case sub-navigation.

Adding a case page: its section is declared here (`CASE_SECTIONS`, with the route
name and the roles that may see it, from the services' access table); the page
appears in every case's sub-navigation as soon as a route of that name exists
(see routes/__init__.py and docs/workspace.md, "Adding a page").
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidreview.kernel.auth import Role
from rapidreview.workspace.readmodel.access import dashboard_roles

LA, AGENCY, BU, RAG, EXEC, AUDITOR = (Role.NOTIFYING_LA, Role.AGENCY, Role.BUSINESS_UNIT, Role.RAG_MEMBER,
                                      Role.EXECUTIVE, Role.AUDITOR)
#: Everyone of the partnership who may read a case (intake GetIncident, ListIncidents).
CASE_READERS = frozenset({LA, BU, RAG, EXEC, AUDITOR})
#: Who may see the dashboard: the read model derives it from the access table exactly as the services
#: would (list incidents and read request status across the partnership: business unit, advisory group).
DASHBOARD_READERS = dashboard_roles()

ROLE_NAMES = {
    LA: "Local authority officer",
    AGENCY: "Agency safeguarding lead",
    BU: "Business unit",
    RAG: "Review Advisory Group member",
    EXEC: "Executive",
    AUDITOR: "Auditor",
}

#: The page each role lands on after signing in (route names): the dashboard where the role may see
#: it, else the case list (intake's ListIncidents), agencies their requests.
HOME = {role: "dashboard" if role in DASHBOARD_READERS else "case_list" for role in CASE_READERS} | {AGENCY: "my_requests"}


@dataclass(frozen=True)
class NavItem:
    label: str
    route: str
    roles: frozenset[Role]


SERVICE_NAV = (
    NavItem("Dashboard", "dashboard", DASHBOARD_READERS),
    NavItem("Cases", "case_list", CASE_READERS),
    NavItem("My requests", "my_requests", frozenset({AGENCY})),
    NavItem("Yearly figures", "figures", frozenset({BU, EXEC, AUDITOR})),   # decisions GetYearlyFigures
    NavItem("Access log", "access_log", frozenset({AUDITOR})),             # AccessLogService/ListAccessLog
)


@dataclass(frozen=True)
class CaseSection:
    key: str
    label: str
    route: str
    roles: frozenset[Role]


#: The case sub-navigation, in the order shown. Roles follow the access table of the RPC each page reads.
CASE_SECTIONS = (
    CaseSection("overview", "Overview", "case_overview", CASE_READERS),                          # intake GetIncident
    CaseSection("requests", "Information requests", "case_requests", frozenset({BU, RAG})),       # gathering GetRequestStatus
    CaseSection("collated", "Collated information", "case_collated", frozenset({BU, RAG})),       # gathering GetCollatedInformation
    CaseSection("checklist", "Checklist", "case_checklist", frozenset({BU, RAG, EXEC})),          # criteria GetChecklist
    CaseSection("decisions", "Decisions and review", "case_decisions", CASE_READERS),             # decisions GetCase
    CaseSection("documents", "Documents", "case_documents", frozenset({BU, RAG, EXEC})),          # criteria RenderSummary
    CaseSection("audit", "Audit", "case_audit", frozenset({AUDITOR})),                            # decisions GetAuditTrail
)
