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
    # every service: its access log, for auditors
    "/rapidreview.v1.AccessLogService/ListAccessLog": {AUDITOR: OWN},
    # intake
    "/rapidreview.v1.IntakeService/NotifyIncident": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/GetIncident": dict(_CASE_READERS),
    "/rapidreview.v1.IntakeService/ListIncidents": dict(_CASE_READERS),
    "/rapidreview.v1.IntakeService/RecordPanelNotification": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/RecordPartnersInformed": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/RecordNotificationSent": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/AmendNotification": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/RecordReferralDecision": {LA: OWN},
    "/rapidreview.v1.IntakeService/WithdrawIncident": {LA: OWN, BU: OWN},
    "/rapidreview.v1.IntakeService/ExtendClock": {BU: OWN},
    # gathering (rows owned by the gathering service)
    # Agencies submit and read only their own requests and returns; the business unit
    # and advisory group read the whole partnership; nobody else reads anything.
    "/rapidreview.v1.GatheringService/OpenRequests": {BU: OWN},
    "/rapidreview.v1.GatheringService/AddAgency": {BU: OWN},
    "/rapidreview.v1.GatheringService/SubmitAgencyReturn": {AGENCY: OWN_AGENCY, BU: OWN},
    "/rapidreview.v1.GatheringService/GetRequestStatus": {AGENCY: OWN_AGENCY, BU: OWN, RAG: OWN, SERVICE: ANY},
    "/rapidreview.v1.GatheringService/GetAgencyReturn": {AGENCY: OWN_AGENCY, BU: OWN, RAG: OWN, SERVICE: ANY},
    "/rapidreview.v1.GatheringService/ListOverdueRequests": {AGENCY: OWN_AGENCY, BU: OWN, RAG: OWN, SERVICE: ANY},
    "/rapidreview.v1.GatheringService/GetCollatedInformation": {BU: OWN, RAG: OWN, SERVICE: ANY},
    "/rapidreview.v1.GatheringService/CloseGathering": {BU: OWN},
    "/rapidreview.v1.GatheringService/ReopenGathering": {BU: OWN},
    "/rapidreview.v1.GatheringService/ChaseAgency": {BU: OWN},
    # end gathering
    # criteria (rows owned by the criteria service)
    # Checklists and summaries are read by the business unit, the advisory group and the
    # Executive of the case's partnership; what-if evaluations are for the business unit and
    # the advisory group; the business unit re-evaluates and imports earlier reviews;
    # auditors check that stored evaluations replay to the same result.
    "/rapidreview.v1.CriteriaService/EvaluateCase": {BU: OWN, RAG: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/GetChecklist": {BU: OWN, RAG: OWN, EXEC: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/RenderSummary": {BU: OWN, RAG: OWN, EXEC: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/ListRuleEditions": {LA: OWN, BU: OWN, RAG: OWN, EXEC: OWN, AUDITOR: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/ExplainCriterion": {BU: OWN, RAG: OWN, EXEC: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/ReevaluateCase": {BU: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/ImportEarlierReviews": {BU: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/ListEvaluations": {BU: OWN, RAG: OWN, EXEC: OWN, AUDITOR: OWN, SERVICE: ANY},
    "/rapidreview.v1.CriteriaService/ReplayEvaluation": {BU: OWN, AUDITOR: OWN, SERVICE: ANY},
    # Themes of cases (no narrative) for the yearly figures: whoever reads the figures.
    "/rapidreview.v1.CriteriaService/ListCaseThemes": {BU: OWN, RAG: OWN, EXEC: OWN, AUDITOR: OWN, SERVICE: ANY},
    # The national themes list is public information.
    "/rapidreview.v1.CriteriaService/GetNationalThemes": {LA: OWN, BU: OWN, RAG: OWN, EXEC: OWN, AUDITOR: OWN, SERVICE: ANY},
    # The learning-themes vocabulary (no case data): agencies tag their returns' learning with it.
    "/rapidreview.v1.CriteriaService/GetLearningThemes": {LA: OWN, AGENCY: OWN_AGENCY, BU: OWN, RAG: OWN, EXEC: OWN, AUDITOR: OWN,
                                                          SERVICE: ANY},
    # end criteria
    # decisions (rows owned by the decisions service)
    "/rapidreview.v1.DecisionService/RecordRecommendation": {RAG: OWN},
    "/rapidreview.v1.DecisionService/RecordDecision": {EXEC: OWN},
    "/rapidreview.v1.DecisionService/RecordPanelSubmission": {BU: OWN},
    "/rapidreview.v1.DecisionService/RecordPanelResponse": {BU: OWN},
    "/rapidreview.v1.DecisionService/CommissionReview": {BU: OWN, EXEC: OWN},
    "/rapidreview.v1.DecisionService/RecordMilestone": {BU: OWN},
    "/rapidreview.v1.DecisionService/RecordExtension": {BU: OWN, EXEC: OWN},
    "/rapidreview.v1.DecisionService/RecordProgressCheck": {BU: OWN, EXEC: OWN},
    "/rapidreview.v1.DecisionService/RecordIdentifyingDetails": {BU: OWN},
    "/rapidreview.v1.DecisionService/CheckAnonymisation": {BU: OWN},
    "/rapidreview.v1.DecisionService/Publish": {BU: OWN},
    "/rapidreview.v1.DecisionService/AddAction": {BU: OWN},
    "/rapidreview.v1.DecisionService/UpdateAction": {BU: OWN},
    "/rapidreview.v1.DecisionService/RecordDissemination": {BU: OWN},
    "/rapidreview.v1.DecisionService/GetCase": dict(_CASE_READERS),
    "/rapidreview.v1.DecisionService/GetAuditTrail": {AUDITOR: OWN},
    "/rapidreview.v1.DecisionService/VerifyAuditTrail": {AUDITOR: OWN},
    # The rapid review report quotes the agencies' returns, so only the business unit (which
    # sends it to the Panel and may read the collated information) renders and reads it.
    "/rapidreview.v1.DecisionService/RenderRapidReviewReport": {BU: OWN},
    "/rapidreview.v1.DecisionService/GetRapidReviewReport": {BU: OWN},
    # Aggregate figures of the partnership (no personal data), for its yearly report.
    "/rapidreview.v1.DecisionService/GetYearlyFigures": {BU: OWN, EXEC: OWN, AUDITOR: OWN},
    # end decisions
}
