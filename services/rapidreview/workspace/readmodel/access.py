"""Who may see what the read model answers, derived from the services' access
table (`rapidreview.access`), so the workspace filters "exactly as the services
would" and follows any change to that table:

- the dashboard (`ReadModel.cases`, `case`) joins intake's incidents with
  gathering's request counts: the roles that may list incidents AND read
  request status across their partnership;
- "My requests" (`agency_requests`) is what an agency may read of gathering:
  its own agency's requests (scope own agency);
- a case's reminders (`reminders`) name agencies and clocks of the case: the
  dashboard's roles.
"""

from __future__ import annotations

from rapidreview.access import ACCESS_TABLE
from rapidreview.kernel.auth import AccessTable, Principal, Role, Scope
from rapidreview.kernel.errors import PermissionDenied

LIST_INCIDENTS = "/rapidreview.v1.IntakeService/ListIncidents"
REQUEST_STATUS = "/rapidreview.v1.GatheringService/GetRequestStatus"


def dashboard_roles(table: AccessTable = ACCESS_TABLE) -> frozenset[Role]:
    """Roles that see the partnership's dashboard."""
    incidents, requests = table.get(LIST_INCIDENTS, {}), table.get(REQUEST_STATUS, {})
    return frozenset(role for role in incidents if role in requests and requests[role] in (Scope.OWN_PARTNERSHIP, Scope.ANY)
                     and role is not Role.SERVICE)


def agency_request_roles(table: AccessTable = ACCESS_TABLE) -> frozenset[Role]:
    """Roles that see their own agency's requests."""
    return frozenset(role for role, scope in table.get(REQUEST_STATUS, {}).items() if scope is Scope.OWN_AGENCY)


def require_dashboard(principal: Principal) -> str:
    """The partnership whose dashboard `principal` may see; PERMISSION_DENIED otherwise."""
    if principal.role not in dashboard_roles():
        raise PermissionDenied(f"role {principal.role.value} may not see the dashboard")
    return principal.partnership


def require_agency_requests(principal: Principal) -> tuple[str, str]:
    """(partnership, agency) whose requests `principal` may see; PERMISSION_DENIED otherwise."""
    if principal.role not in agency_request_roles() or not principal.agency:
        raise PermissionDenied(f"role {principal.role.value} has no requests of its own")
    return principal.partnership, principal.agency
