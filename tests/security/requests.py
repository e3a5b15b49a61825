"""Every RPC of the four services, generated from the service descriptors, with a
valid request for each one (built from the documented examples) on a given case.
The access table, the authorisation matrix, the scope tests and the fuzzer all
start from here."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf import json_format, message, message_factory
from google.protobuf.descriptor import MethodDescriptor

from rapidreview.v1 import (
    access_log_pb2, common_pb2, criteria_pb2, facts_pb2, gathering_pb2, intake_pb2,
)
from rapidreview.v1 import decisions_pb2 as D
from tests.security.conftest import AGENCY
from tests.security.pipeline import EXAMPLES, agency_return, decisions_example, keep, notification_request

ACCESS_LOG = "rapidreview.v1.AccessLogService"
#: Which service serves each gRPC service; the access log is served by all four.
SERVED_BY = {
    "rapidreview.v1.IntakeService": ("intake",),
    "rapidreview.v1.GatheringService": ("gathering",),
    "rapidreview.v1.CriteriaService": ("criteria",),
    "rapidreview.v1.DecisionService": ("decisions",),
    ACCESS_LOG: ("intake", "gathering", "criteria", "decisions"),
}
_FILES = (intake_pb2, gathering_pb2, criteria_pb2, D, access_log_pb2)


@dataclass(frozen=True)
class Rpc:
    """One RPC of one running service."""

    service: str  # intake, gathering, criteria, decisions
    method: str  # full gRPC method name, "/rapidreview.v1.IntakeService/GetIncident"
    descriptor: MethodDescriptor

    @property
    def name(self) -> str:
        return self.method.rsplit("/", 1)[-1]

    @property
    def request_type(self) -> type[message.Message]:
        return message_factory.GetMessageClass(self.descriptor.input_type)

    @property
    def id(self) -> str:
        return f"{self.service}:{self.name}"


def described_methods() -> set[str]:
    """Every RPC the .proto contracts define, as full gRPC method names."""
    return {f"/{m.containing_service.full_name}/{m.name}" for f in _FILES for s in f.DESCRIPTOR.services_by_name.values()
            for m in s.methods}


def all_rpcs() -> list[Rpc]:
    """Every RPC of every running service (the access log once per service), in a stable order."""
    out = []
    for module in _FILES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for method in service.methods:
                for running in SERVED_BY[service.full_name]:
                    out.append(Rpc(running, f"/{service.full_name}/{method.name}", method))
    return sorted(out, key=lambda r: (r.service, r.method))


def minimal_request(rpc: Rpc, case_id: str) -> message.Message:
    """The smallest request that names something: the case and, where asked for, the agency."""
    request = rpc.request_type()
    fields = request.DESCRIPTOR.fields_by_name
    if "case_id" in fields:
        request.case_id = case_id
    if "agency_id" in fields:
        request.agency_id = AGENCY
    return request


@dataclass(frozen=True)
class CaseIds:
    """What a valid request may need to name on an existing case."""

    case_id: str
    evaluation_id: str = ""
    recommendation_id: str = ""
    decision_id: str = ""
    submission_id: str = ""
    action_id: str = ""


def _facts() -> facts_pb2.CaseFacts:
    return json_format.Parse((EXAMPLES / "case-facts.json").read_text(encoding="utf-8"), facts_pb2.CaseFacts())


def valid_request(rpc: Rpc, ids: CaseIds, text_for=keep) -> message.Message:  # type: ignore[no-untyped-def]
    """A request that passes validation, about `ids.case_id` (it may still meet a
    FAILED_PRECONDITION, depending on where the case stands)."""
    c = ids.case_id
    name = rpc.name
    later_agency = common_pb2.Agency(agency_id="youth-justice-service", name="Youth justice service",
                                     kind=common_pb2.AGENCY_KIND_OTHER, area="Leeds", area_type=common_pb2.AREA_TYPE_LOCAL_AUTHORITY)
    ex = lambda example, cls, **kw: decisions_example(example, cls, text_for, case_id=c, **kw)  # noqa: E731
    builders = {
        # access log
        "ListAccessLog": lambda: access_log_pb2.ListAccessLogRequest(case_id=c, page_size=10),
        # intake
        "NotifyIncident": lambda: notification_request(text_for=text_for),
        "GetIncident": lambda: intake_pb2.GetIncidentRequest(case_id=c),
        "ListIncidents": lambda: intake_pb2.ListIncidentsRequest(page_size=10),
        "RecordPanelNotification": lambda: intake_pb2.RecordPanelNotificationRequest(case_id=c, reference="PANEL-2024-0607-K",
                                                                                     sent_date="2024-06-07"),
        "RecordPartnersInformed": lambda: intake_pb2.RecordPartnersInformedRequest(case_id=c, informed_date="2024-06-05"),
        "RecordNotificationSent": lambda: intake_pb2.RecordNotificationSentRequest(
            case_id=c, duty="NOTIFY.PARTNERS", recipient=intake_pb2.NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS,
            sent_date="2024-06-05", reference="LSCP-2024-17"),
        "AmendNotification": lambda: intake_pb2.AmendNotificationRequest(
            case_id=c, notification=notification_request(text_for=text_for).notification,
            reason=text_for("reason", "The hospital corrected the date of the incident.")),
        "RecordReferralDecision": lambda: intake_pb2.RecordReferralDecisionRequest(
            case_id=c, decision=intake_pb2.REFERRAL_DECISION_KIND_NOTIFY,
            rationale=text_for("rationale", "Serious harm and abuse suspected: notify."), decided_on="2024-06-05"),
        "WithdrawIncident": lambda: intake_pb2.WithdrawIncidentRequest(case_id=c, reason=text_for("reason", "Not a serious incident.")),
        "ExtendClock": lambda: intake_pb2.ExtendClockRequest(case_id=c, clock_id="RR.DEADLINE", extended_to="2025-02-28",
                                                             reason=text_for("reason", "Criminal proceedings.")),
        # gathering
        "OpenRequests": lambda: gathering_pb2.OpenRequestsRequest(case_id=c, agencies=[later_agency]),
        "AddAgency": lambda: gathering_pb2.AddAgencyRequest(case_id=c, agency=later_agency),
        "SubmitAgencyReturn": lambda: agency_return(AGENCY, c, text_for),
        "GetRequestStatus": lambda: gathering_pb2.GetRequestStatusRequest(case_id=c),
        "GetAgencyReturn": lambda: gathering_pb2.GetAgencyReturnRequest(case_id=c, agency_id=AGENCY),
        "ListOverdueRequests": lambda: gathering_pb2.ListOverdueRequestsRequest(page_size=10),
        "GetCollatedInformation": lambda: gathering_pb2.GetCollatedInformationRequest(case_id=c),
        "CloseGathering": lambda: gathering_pb2.CloseGatheringRequest(case_id=c),
        "ReopenGathering": lambda: gathering_pb2.ReopenGatheringRequest(case_id=c, reason=text_for("reason", "A late return.")),
        "ChaseAgency": lambda: gathering_pb2.ChaseAgencyRequest(case_id=c, agency_id=AGENCY),
        # criteria
        "EvaluateCase": lambda: criteria_pb2.EvaluateCaseRequest(facts=_facts()),
        "GetChecklist": lambda: criteria_pb2.GetChecklistRequest(case_id=c),
        "RenderSummary": lambda: criteria_pb2.RenderSummaryRequest(case_id=c, format=criteria_pb2.SUMMARY_FORMAT_MARKDOWN),
        "ListRuleEditions": lambda: criteria_pb2.ListRuleEditionsRequest(),
        "ExplainCriterion": lambda: criteria_pb2.ExplainCriterionRequest(case_id=c, rule_id="LOCAL.IMPROVEMENTS"),
        "ReevaluateCase": lambda: criteria_pb2.ReevaluateCaseRequest(case_id=c, reason=text_for("reason", "New information.")),
        "ImportEarlierReviews": lambda: criteria_pb2.ImportEarlierReviewsRequest(reviews=[
            facts_pb2.EarlierReview(review_id="LSCP-2021-03", year=2021, themes=["bruising in non-mobile babies"])]),
        "ListEvaluations": lambda: criteria_pb2.ListEvaluationsRequest(case_id=c),
        "ReplayEvaluation": lambda: criteria_pb2.ReplayEvaluationRequest(case_id=c, evaluation_id=ids.evaluation_id),
        "ListCaseThemes": lambda: criteria_pb2.ListCaseThemesRequest(case_ids=[c]),
        "GetNationalThemes": lambda: criteria_pb2.GetNationalThemesRequest(),
        "GetLearningThemes": lambda: criteria_pb2.GetLearningThemesRequest(on_date="2024-06-03"),
        # decisions
        "RecordRecommendation": lambda: ex("recommendation", D.RecordRecommendationRequest, evaluation_id=ids.evaluation_id),
        "RecordDecision": lambda: ex("decision", D.RecordDecisionRequest, recommendation_id=ids.recommendation_id),
        "RecordPanelSubmission": lambda: ex("panel-submission", D.RecordPanelSubmissionRequest, decision_id=ids.decision_id),
        "RecordPanelResponse": lambda: ex("panel-response", D.RecordPanelResponseRequest, submission_id=ids.submission_id),
        "CommissionReview": lambda: ex("commission", D.CommissionReviewRequest),
        "RecordMilestone": lambda: ex("milestone-informed-panel", D.RecordMilestoneRequest),
        "RecordExtension": lambda: ex("extension", D.RecordExtensionRequest),
        "RecordProgressCheck": lambda: ex("progress-check", D.RecordProgressCheckRequest),
        "RecordIdentifyingDetails": lambda: ex("identifying-details", D.RecordIdentifyingDetailsRequest),
        "CheckAnonymisation": lambda: D.CheckAnonymisationRequest(case_id=c, text=text_for("text", "The child lived with her mother.")),
        "Publish": lambda: ex("publish", D.PublishRequest, text=text_for("text", "The child lived with her mother.")),
        "AddAction": lambda: ex("action", D.AddActionRequest),
        "UpdateAction": lambda: D.UpdateActionRequest(case_id=c, action_id=ids.action_id or c, status=D.ACTION_STATUS_IN_PROGRESS),
        "RecordDissemination": lambda: ex("dissemination", D.RecordDisseminationRequest),
        "GetCase": lambda: D.GetCaseRequest(case_id=c),
        "GetAuditTrail": lambda: D.GetAuditTrailRequest(case_id=c, page_size=10),
        "VerifyAuditTrail": lambda: D.VerifyAuditTrailRequest(case_id=c),
        "RenderRapidReviewReport": lambda: D.RenderRapidReviewReportRequest(case_id=c, formats=[D.REPORT_FORMAT_DOCX]),
        "GetRapidReviewReport": lambda: D.GetRapidReviewReportRequest(case_id=c),
        "GetYearlyFigures": lambda: D.GetYearlyFiguresRequest(from_date="2024-04-01", to_date="2025-03-31"),
    }
    request = builders[name]()
    assert isinstance(request, rpc.request_type), f"{name}: {type(request).__name__}"
    return request

