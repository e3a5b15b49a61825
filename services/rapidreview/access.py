"""The access table: which role may call which RPC, and over what scope.

One declarative table for all four services; the gRPC interceptor enforces it
for every call (a role missing from an RPC's row gets PERMISSION_DENIED), and
handlers apply the granted scope to the data (own agency / own partnership /
any). A test calls every RPC as every role and checks this table is obeyed.
"""

from __future__ import annotations

from rapidreview.kernel.auth import AccessTable, Role, Scope

LA, AGENCY, BU, RAG, EXEC, AUDITOR, SERVICE = (
    Role.NOTIFYING_LA, Role.AGENCY, Role.BUSINESS_UNIT, Role.RAG_MEMBER, Role.EXECUTIVE, Role.AUDITOR, Role.SERVICE,
)
OWN_AGENCY, OWN, ANY = Scope.OWN_AGENCY, Scope.OWN_PARTNERSHIP, Scope.ANY

# Everyone in the partnership who works the case may read it; auditors read all of their partnership.
_CASE_READERS = {LA: OWN, BU: OWN, RAG: OWN, EXEC: OWN, AUDITOR: OWN, SERVICE: ANY}

ACCESS_TABLE: AccessTable = {
    # intake
    "/rapidreview.v1.IntakeService/NotifyIncident": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/GetIncident": dict(_CASE_READERS),
    "/rapidreview.v1.IntakeService/ListIncidents": dict(_CASE_READERS),
    "/rapidreview.v1.IntakeService/RecordPanelNotification": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/RecordPartnersInformed": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/WithdrawIncident": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/ExtendClock": {BU: OWN},
    # gathering (rows owned by the gathering service)
    # end gathering
    # criteria (rows owned by the criteria service)
    # end criteria
    # decisions (rows owned by the decisions service)
    # end decisions
}
