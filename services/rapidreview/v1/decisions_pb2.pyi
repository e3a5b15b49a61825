import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from rapidreview.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DecisionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_REASON_UNSPECIFIED: _ClassVar[DecisionReason]
    DECISION_REASON_CRITERIA_NOT_MET: _ClassVar[DecisionReason]
    DECISION_REASON_LEARNING_ALREADY_IDENTIFIED: _ClassVar[DecisionReason]
    DECISION_REASON_OTHER_REVIEW: _ClassVar[DecisionReason]
    DECISION_REASON_NATIONAL_REVIEW: _ClassVar[DecisionReason]
    DECISION_REASON_OTHER: _ClassVar[DecisionReason]

class ReportFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPORT_FORMAT_UNSPECIFIED: _ClassVar[ReportFormat]
    REPORT_FORMAT_PDF: _ClassVar[ReportFormat]
    REPORT_FORMAT_DOCX: _ClassVar[ReportFormat]

class FiguresFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FIGURES_FORMAT_UNSPECIFIED: _ClassVar[FiguresFormat]
    FIGURES_FORMAT_CSV: _ClassVar[FiguresFormat]
    FIGURES_FORMAT_JSON: _ClassVar[FiguresFormat]
    FIGURES_FORMAT_HTML: _ClassVar[FiguresFormat]

class ReviewDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_DECISION_UNSPECIFIED: _ClassVar[ReviewDecision]
    REVIEW_DECISION_CSPR: _ClassVar[ReviewDecision]
    REVIEW_DECISION_NO_CSPR: _ClassVar[ReviewDecision]
    REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: _ClassVar[ReviewDecision]
    REVIEW_DECISION_REFER_NATIONAL: _ClassVar[ReviewDecision]

class CaseStage(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CASE_STAGE_UNSPECIFIED: _ClassVar[CaseStage]
    CASE_STAGE_AWAITING_RECOMMENDATION: _ClassVar[CaseStage]
    CASE_STAGE_AWAITING_DECISION: _ClassVar[CaseStage]
    CASE_STAGE_AWAITING_PANEL_SUBMISSION: _ClassVar[CaseStage]
    CASE_STAGE_AWAITING_PANEL_RESPONSE: _ClassVar[CaseStage]
    CASE_STAGE_PANEL_RECONSIDERATION: _ClassVar[CaseStage]
    CASE_STAGE_DECISION_SETTLED: _ClassVar[CaseStage]
    CASE_STAGE_REVIEW_IN_PROGRESS: _ClassVar[CaseStage]
    CASE_STAGE_PUBLISHED: _ClassVar[CaseStage]
    CASE_STAGE_WITHDRAWN: _ClassVar[CaseStage]

class CriterionConclusion(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CRITERION_CONCLUSION_UNSPECIFIED: _ClassVar[CriterionConclusion]
    CRITERION_CONCLUSION_YES: _ClassVar[CriterionConclusion]
    CRITERION_CONCLUSION_NO: _ClassVar[CriterionConclusion]
    CRITERION_CONCLUSION_MAY: _ClassVar[CriterionConclusion]

class ExecutiveView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXECUTIVE_VIEW_UNSPECIFIED: _ClassVar[ExecutiveView]
    EXECUTIVE_VIEW_AGREES: _ClassVar[ExecutiveView]
    EXECUTIVE_VIEW_DISAGREES: _ClassVar[ExecutiveView]

class SafeguardingPartner(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SAFEGUARDING_PARTNER_UNSPECIFIED: _ClassVar[SafeguardingPartner]
    SAFEGUARDING_PARTNER_LOCAL_AUTHORITY: _ClassVar[SafeguardingPartner]
    SAFEGUARDING_PARTNER_POLICE: _ClassVar[SafeguardingPartner]
    SAFEGUARDING_PARTNER_HEALTH: _ClassVar[SafeguardingPartner]

class DecisionRecipient(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DECISION_RECIPIENT_UNSPECIFIED: _ClassVar[DecisionRecipient]
    DECISION_RECIPIENT_PANEL: _ClassVar[DecisionRecipient]
    DECISION_RECIPIENT_FAMILY: _ClassVar[DecisionRecipient]
    DECISION_RECIPIENT_AGENCIES: _ClassVar[DecisionRecipient]
    DECISION_RECIPIENT_OTHER: _ClassVar[DecisionRecipient]

class CommunicationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COMMUNICATION_STATUS_UNSPECIFIED: _ClassVar[CommunicationStatus]
    COMMUNICATION_STATUS_DONE: _ClassVar[CommunicationStatus]
    COMMUNICATION_STATUS_PLANNED: _ClassVar[CommunicationStatus]
    COMMUNICATION_STATUS_NOT_APPROPRIATE: _ClassVar[CommunicationStatus]

class PanelResponseKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PANEL_RESPONSE_KIND_UNSPECIFIED: _ClassVar[PanelResponseKind]
    PANEL_RESPONSE_KIND_AGREES: _ClassVar[PanelResponseKind]
    PANEL_RESPONSE_KIND_CHALLENGES: _ClassVar[PanelResponseKind]
    PANEL_RESPONSE_KIND_NATIONAL_REVIEW: _ClassVar[PanelResponseKind]
    PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE: _ClassVar[PanelResponseKind]

class MilestoneKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MILESTONE_KIND_UNSPECIFIED: _ClassVar[MilestoneKind]
    MILESTONE_KIND_INFORMED_PANEL: _ClassVar[MilestoneKind]
    MILESTONE_KIND_INFORMED_OFSTED: _ClassVar[MilestoneKind]
    MILESTONE_KIND_INFORMED_DFE: _ClassVar[MilestoneKind]
    MILESTONE_KIND_PRACTITIONER_EVENT: _ClassVar[MilestoneKind]
    MILESTONE_KIND_FAMILY_INFORMED: _ClassVar[MilestoneKind]
    MILESTONE_KIND_FAMILY_INVITED: _ClassVar[MilestoneKind]
    MILESTONE_KIND_FAMILY_SAW_REPORT: _ClassVar[MilestoneKind]
    MILESTONE_KIND_FINAL_REPORT_AGREED: _ClassVar[MilestoneKind]
    MILESTONE_KIND_SENT_TO_PANEL_AND_SOS: _ClassVar[MilestoneKind]
    MILESTONE_KIND_FAMILY_NOT_SHOWN_REPORT: _ClassVar[MilestoneKind]

class ExtensionReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXTENSION_REASON_UNSPECIFIED: _ClassVar[ExtensionReason]
    EXTENSION_REASON_CRIMINAL_PROCEEDINGS: _ClassVar[ExtensionReason]
    EXTENSION_REASON_INQUEST: _ClassVar[ExtensionReason]
    EXTENSION_REASON_FAMILY_COURT: _ClassVar[ExtensionReason]
    EXTENSION_REASON_OTHER: _ClassVar[ExtensionReason]

class IdentifyingDetailKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IDENTIFYING_DETAIL_KIND_UNSPECIFIED: _ClassVar[IdentifyingDetailKind]
    IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE: _ClassVar[IdentifyingDetailKind]
    IDENTIFYING_DETAIL_KIND_NAME: _ClassVar[IdentifyingDetailKind]
    IDENTIFYING_DETAIL_KIND_PLACE: _ClassVar[IdentifyingDetailKind]
    IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH: _ClassVar[IdentifyingDetailKind]
    IDENTIFYING_DETAIL_KIND_OTHER: _ClassVar[IdentifyingDetailKind]

class PublicationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PUBLICATION_KIND_UNSPECIFIED: _ClassVar[PublicationKind]
    PUBLICATION_KIND_REPORT: _ClassVar[PublicationKind]
    PUBLICATION_KIND_IMPROVEMENTS_ONLY: _ClassVar[PublicationKind]

class ActionStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTION_STATUS_UNSPECIFIED: _ClassVar[ActionStatus]
    ACTION_STATUS_OPEN: _ClassVar[ActionStatus]
    ACTION_STATUS_IN_PROGRESS: _ClassVar[ActionStatus]
    ACTION_STATUS_COMPLETED: _ClassVar[ActionStatus]
    ACTION_STATUS_CANCELLED: _ClassVar[ActionStatus]

class DisseminationKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DISSEMINATION_KIND_UNSPECIFIED: _ClassVar[DisseminationKind]
    DISSEMINATION_KIND_BRIEFING: _ClassVar[DisseminationKind]
    DISSEMINATION_KIND_TRAINING: _ClassVar[DisseminationKind]
    DISSEMINATION_KIND_LEARNING_SHEET: _ClassVar[DisseminationKind]
    DISSEMINATION_KIND_EVENT: _ClassVar[DisseminationKind]
    DISSEMINATION_KIND_OTHER: _ClassVar[DisseminationKind]

class AuditProblem(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIT_PROBLEM_UNSPECIFIED: _ClassVar[AuditProblem]
    AUDIT_PROBLEM_CONTENT_CHANGED: _ClassVar[AuditProblem]
    AUDIT_PROBLEM_MISSING: _ClassVar[AuditProblem]
    AUDIT_PROBLEM_CHAIN_BROKEN: _ClassVar[AuditProblem]
    AUDIT_PROBLEM_UNREADABLE: _ClassVar[AuditProblem]
    AUDIT_PROBLEM_HEAD_MISMATCH: _ClassVar[AuditProblem]
DECISION_REASON_UNSPECIFIED: DecisionReason
DECISION_REASON_CRITERIA_NOT_MET: DecisionReason
DECISION_REASON_LEARNING_ALREADY_IDENTIFIED: DecisionReason
DECISION_REASON_OTHER_REVIEW: DecisionReason
DECISION_REASON_NATIONAL_REVIEW: DecisionReason
DECISION_REASON_OTHER: DecisionReason
REPORT_FORMAT_UNSPECIFIED: ReportFormat
REPORT_FORMAT_PDF: ReportFormat
REPORT_FORMAT_DOCX: ReportFormat
FIGURES_FORMAT_UNSPECIFIED: FiguresFormat
FIGURES_FORMAT_CSV: FiguresFormat
FIGURES_FORMAT_JSON: FiguresFormat
FIGURES_FORMAT_HTML: FiguresFormat
REVIEW_DECISION_UNSPECIFIED: ReviewDecision
REVIEW_DECISION_CSPR: ReviewDecision
REVIEW_DECISION_NO_CSPR: ReviewDecision
REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: ReviewDecision
REVIEW_DECISION_REFER_NATIONAL: ReviewDecision
CASE_STAGE_UNSPECIFIED: CaseStage
CASE_STAGE_AWAITING_RECOMMENDATION: CaseStage
CASE_STAGE_AWAITING_DECISION: CaseStage
CASE_STAGE_AWAITING_PANEL_SUBMISSION: CaseStage
CASE_STAGE_AWAITING_PANEL_RESPONSE: CaseStage
CASE_STAGE_PANEL_RECONSIDERATION: CaseStage
CASE_STAGE_DECISION_SETTLED: CaseStage
CASE_STAGE_REVIEW_IN_PROGRESS: CaseStage
CASE_STAGE_PUBLISHED: CaseStage
CASE_STAGE_WITHDRAWN: CaseStage
CRITERION_CONCLUSION_UNSPECIFIED: CriterionConclusion
CRITERION_CONCLUSION_YES: CriterionConclusion
CRITERION_CONCLUSION_NO: CriterionConclusion
CRITERION_CONCLUSION_MAY: CriterionConclusion
EXECUTIVE_VIEW_UNSPECIFIED: ExecutiveView
EXECUTIVE_VIEW_AGREES: ExecutiveView
EXECUTIVE_VIEW_DISAGREES: ExecutiveView
SAFEGUARDING_PARTNER_UNSPECIFIED: SafeguardingPartner
SAFEGUARDING_PARTNER_LOCAL_AUTHORITY: SafeguardingPartner
SAFEGUARDING_PARTNER_POLICE: SafeguardingPartner
SAFEGUARDING_PARTNER_HEALTH: SafeguardingPartner
DECISION_RECIPIENT_UNSPECIFIED: DecisionRecipient
DECISION_RECIPIENT_PANEL: DecisionRecipient
DECISION_RECIPIENT_FAMILY: DecisionRecipient
DECISION_RECIPIENT_AGENCIES: DecisionRecipient
DECISION_RECIPIENT_OTHER: DecisionRecipient
COMMUNICATION_STATUS_UNSPECIFIED: CommunicationStatus
COMMUNICATION_STATUS_DONE: CommunicationStatus
COMMUNICATION_STATUS_PLANNED: CommunicationStatus
COMMUNICATION_STATUS_NOT_APPROPRIATE: CommunicationStatus
PANEL_RESPONSE_KIND_UNSPECIFIED: PanelResponseKind
PANEL_RESPONSE_KIND_AGREES: PanelResponseKind
PANEL_RESPONSE_KIND_CHALLENGES: PanelResponseKind
PANEL_RESPONSE_KIND_NATIONAL_REVIEW: PanelResponseKind
PANEL_RESPONSE_KIND_LOCAL_REVIEW_MORE_APPROPRIATE: PanelResponseKind
MILESTONE_KIND_UNSPECIFIED: MilestoneKind
MILESTONE_KIND_INFORMED_PANEL: MilestoneKind
MILESTONE_KIND_INFORMED_OFSTED: MilestoneKind
MILESTONE_KIND_INFORMED_DFE: MilestoneKind
MILESTONE_KIND_PRACTITIONER_EVENT: MilestoneKind
MILESTONE_KIND_FAMILY_INFORMED: MilestoneKind
MILESTONE_KIND_FAMILY_INVITED: MilestoneKind
MILESTONE_KIND_FAMILY_SAW_REPORT: MilestoneKind
MILESTONE_KIND_FINAL_REPORT_AGREED: MilestoneKind
MILESTONE_KIND_SENT_TO_PANEL_AND_SOS: MilestoneKind
MILESTONE_KIND_FAMILY_NOT_SHOWN_REPORT: MilestoneKind
EXTENSION_REASON_UNSPECIFIED: ExtensionReason
EXTENSION_REASON_CRIMINAL_PROCEEDINGS: ExtensionReason
EXTENSION_REASON_INQUEST: ExtensionReason
EXTENSION_REASON_FAMILY_COURT: ExtensionReason
EXTENSION_REASON_OTHER: ExtensionReason
IDENTIFYING_DETAIL_KIND_UNSPECIFIED: IdentifyingDetailKind
IDENTIFYING_DETAIL_KIND_CHILD_REFERENCE: IdentifyingDetailKind
IDENTIFYING_DETAIL_KIND_NAME: IdentifyingDetailKind
IDENTIFYING_DETAIL_KIND_PLACE: IdentifyingDetailKind
IDENTIFYING_DETAIL_KIND_DATE_OF_BIRTH: IdentifyingDetailKind
IDENTIFYING_DETAIL_KIND_OTHER: IdentifyingDetailKind
PUBLICATION_KIND_UNSPECIFIED: PublicationKind
PUBLICATION_KIND_REPORT: PublicationKind
PUBLICATION_KIND_IMPROVEMENTS_ONLY: PublicationKind
ACTION_STATUS_UNSPECIFIED: ActionStatus
ACTION_STATUS_OPEN: ActionStatus
ACTION_STATUS_IN_PROGRESS: ActionStatus
ACTION_STATUS_COMPLETED: ActionStatus
ACTION_STATUS_CANCELLED: ActionStatus
DISSEMINATION_KIND_UNSPECIFIED: DisseminationKind
DISSEMINATION_KIND_BRIEFING: DisseminationKind
DISSEMINATION_KIND_TRAINING: DisseminationKind
DISSEMINATION_KIND_LEARNING_SHEET: DisseminationKind
DISSEMINATION_KIND_EVENT: DisseminationKind
DISSEMINATION_KIND_OTHER: DisseminationKind
AUDIT_PROBLEM_UNSPECIFIED: AuditProblem
AUDIT_PROBLEM_CONTENT_CHANGED: AuditProblem
AUDIT_PROBLEM_MISSING: AuditProblem
AUDIT_PROBLEM_CHAIN_BROKEN: AuditProblem
AUDIT_PROBLEM_UNREADABLE: AuditProblem
AUDIT_PROBLEM_HEAD_MISMATCH: AuditProblem

class CriterionView(_message.Message):
    __slots__ = ("criterion_id", "conclusion", "rationale")
    CRITERION_ID_FIELD_NUMBER: _ClassVar[int]
    CONCLUSION_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    criterion_id: str
    conclusion: CriterionConclusion
    rationale: str
    def __init__(self, criterion_id: _Optional[str] = ..., conclusion: _Optional[_Union[CriterionConclusion, str]] = ..., rationale: _Optional[str] = ...) -> None: ...

class ImmediateLearning(_message.Message):
    __slots__ = ("description", "owner_agency_id")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    description: str
    owner_agency_id: str
    def __init__(self, description: _Optional[str] = ..., owner_agency_id: _Optional[str] = ...) -> None: ...

class Recommendation(_message.Message):
    __slots__ = ("recommendation_id", "case_id", "round", "recommendation", "rationale", "evaluation_id", "criteria", "national_importance", "immediate_learning", "meeting_date", "recorded_by", "recorded_at", "superseded")
    RECOMMENDATION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_LEARNING_FIELD_NUMBER: _ClassVar[int]
    MEETING_DATE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDED_FIELD_NUMBER: _ClassVar[int]
    recommendation_id: str
    case_id: str
    round: int
    recommendation: ReviewDecision
    rationale: str
    evaluation_id: str
    criteria: _containers.RepeatedCompositeFieldContainer[CriterionView]
    national_importance: bool
    immediate_learning: _containers.RepeatedCompositeFieldContainer[ImmediateLearning]
    meeting_date: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    superseded: bool
    def __init__(self, recommendation_id: _Optional[str] = ..., case_id: _Optional[str] = ..., round: _Optional[int] = ..., recommendation: _Optional[_Union[ReviewDecision, str]] = ..., rationale: _Optional[str] = ..., evaluation_id: _Optional[str] = ..., criteria: _Optional[_Iterable[_Union[CriterionView, _Mapping]]] = ..., national_importance: _Optional[bool] = ..., immediate_learning: _Optional[_Iterable[_Union[ImmediateLearning, _Mapping]]] = ..., meeting_date: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., superseded: _Optional[bool] = ...) -> None: ...

class PartnerRepresentative(_message.Message):
    __slots__ = ("partner", "name", "role_title")
    PARTNER_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_TITLE_FIELD_NUMBER: _ClassVar[int]
    partner: SafeguardingPartner
    name: str
    role_title: str
    def __init__(self, partner: _Optional[_Union[SafeguardingPartner, str]] = ..., name: _Optional[str] = ..., role_title: _Optional[str] = ...) -> None: ...

class DecisionCommunication(_message.Message):
    __slots__ = ("recipient", "status", "communicated_on", "note")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATED_ON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    recipient: DecisionRecipient
    status: CommunicationStatus
    communicated_on: str
    note: str
    def __init__(self, recipient: _Optional[_Union[DecisionRecipient, str]] = ..., status: _Optional[_Union[CommunicationStatus, str]] = ..., communicated_on: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ("decision_id", "case_id", "recommendation_id", "round", "view", "decision", "rationale", "decided_on", "national_importance", "decided_by", "communications", "recorded_by", "recorded_at", "reason")
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_ID_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATIONS_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    decision_id: str
    case_id: str
    recommendation_id: str
    round: int
    view: ExecutiveView
    decision: ReviewDecision
    rationale: str
    decided_on: str
    national_importance: bool
    decided_by: _containers.RepeatedCompositeFieldContainer[PartnerRepresentative]
    communications: _containers.RepeatedCompositeFieldContainer[DecisionCommunication]
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    reason: DecisionReason
    def __init__(self, decision_id: _Optional[str] = ..., case_id: _Optional[str] = ..., recommendation_id: _Optional[str] = ..., round: _Optional[int] = ..., view: _Optional[_Union[ExecutiveView, str]] = ..., decision: _Optional[_Union[ReviewDecision, str]] = ..., rationale: _Optional[str] = ..., decided_on: _Optional[str] = ..., national_importance: _Optional[bool] = ..., decided_by: _Optional[_Iterable[_Union[PartnerRepresentative, _Mapping]]] = ..., communications: _Optional[_Iterable[_Union[DecisionCommunication, _Mapping]]] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., reason: _Optional[_Union[DecisionReason, str]] = ...) -> None: ...

class PanelSubmission(_message.Message):
    __slots__ = ("submission_id", "case_id", "decision_id", "sent_date", "panel_reference", "late", "rapid_review_due", "recorded_by", "recorded_at", "report")
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    PANEL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    RAPID_REVIEW_DUE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    REPORT_FIELD_NUMBER: _ClassVar[int]
    submission_id: str
    case_id: str
    decision_id: str
    sent_date: str
    panel_reference: str
    late: bool
    rapid_review_due: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    report: RapidReviewReport
    def __init__(self, submission_id: _Optional[str] = ..., case_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., sent_date: _Optional[str] = ..., panel_reference: _Optional[str] = ..., late: _Optional[bool] = ..., rapid_review_due: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., report: _Optional[_Union[RapidReviewReport, _Mapping]] = ...) -> None: ...

class PanelResponse(_message.Message):
    __slots__ = ("response_id", "case_id", "submission_id", "kind", "responded_on", "summary", "recorded_by", "recorded_at")
    RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESPONDED_ON_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    response_id: str
    case_id: str
    submission_id: str
    kind: PanelResponseKind
    responded_on: str
    summary: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, response_id: _Optional[str] = ..., case_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., kind: _Optional[_Union[PanelResponseKind, str]] = ..., responded_on: _Optional[str] = ..., summary: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReviewerInvolvement(_message.Message):
    __slots__ = ("agency_id", "agency_name", "description")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    agency_name: str
    description: str
    def __init__(self, agency_id: _Optional[str] = ..., agency_name: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class Reviewer(_message.Message):
    __slots__ = ("name", "organisation", "involved_in_case", "involvements")
    NAME_FIELD_NUMBER: _ClassVar[int]
    ORGANISATION_FIELD_NUMBER: _ClassVar[int]
    INVOLVED_IN_CASE_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENTS_FIELD_NUMBER: _ClassVar[int]
    name: str
    organisation: str
    involved_in_case: bool
    involvements: _containers.RepeatedCompositeFieldContainer[ReviewerInvolvement]
    def __init__(self, name: _Optional[str] = ..., organisation: _Optional[str] = ..., involved_in_case: _Optional[bool] = ..., involvements: _Optional[_Iterable[_Union[ReviewerInvolvement, _Mapping]]] = ...) -> None: ...

class ReviewPanelMember(_message.Message):
    __slots__ = ("name", "agency_id", "role_title", "directly_involved")
    NAME_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_TITLE_FIELD_NUMBER: _ClassVar[int]
    DIRECTLY_INVOLVED_FIELD_NUMBER: _ClassVar[int]
    name: str
    agency_id: str
    role_title: str
    directly_involved: bool
    def __init__(self, name: _Optional[str] = ..., agency_id: _Optional[str] = ..., role_title: _Optional[str] = ..., directly_involved: _Optional[bool] = ...) -> None: ...

class Milestone(_message.Message):
    __slots__ = ("milestone_id", "kind", "occurred_on", "note", "recorded_by", "recorded_at")
    MILESTONE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_ON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    milestone_id: str
    kind: MilestoneKind
    occurred_on: str
    note: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, milestone_id: _Optional[str] = ..., kind: _Optional[_Union[MilestoneKind, str]] = ..., occurred_on: _Optional[str] = ..., note: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReviewExtension(_message.Message):
    __slots__ = ("extension_id", "reason", "explanation", "extended_to", "recorded_by", "recorded_at")
    EXTENSION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_TO_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    extension_id: str
    reason: ExtensionReason
    explanation: str
    extended_to: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, extension_id: _Optional[str] = ..., reason: _Optional[_Union[ExtensionReason, str]] = ..., explanation: _Optional[str] = ..., extended_to: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProgressCheck(_message.Message):
    __slots__ = ("check_id", "checked_on", "findings", "written_request_made", "written_request", "recorded_by", "recorded_at")
    CHECK_ID_FIELD_NUMBER: _ClassVar[int]
    CHECKED_ON_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_REQUEST_MADE_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    check_id: str
    checked_on: str
    findings: str
    written_request_made: bool
    written_request: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, check_id: _Optional[str] = ..., checked_on: _Optional[str] = ..., findings: _Optional[str] = ..., written_request_made: _Optional[bool] = ..., written_request: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Review(_message.Message):
    __slots__ = ("review_id", "case_id", "decision_id", "commissioned_on", "reviewer", "panel", "terms_of_reference", "progress_check_weeks", "milestones", "extensions", "progress_checks", "earliest_publication_date", "recorded_by", "recorded_at")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMISSIONED_ON_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_FIELD_NUMBER: _ClassVar[int]
    PANEL_FIELD_NUMBER: _ClassVar[int]
    TERMS_OF_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_CHECK_WEEKS_FIELD_NUMBER: _ClassVar[int]
    MILESTONES_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_CHECKS_FIELD_NUMBER: _ClassVar[int]
    EARLIEST_PUBLICATION_DATE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    case_id: str
    decision_id: str
    commissioned_on: str
    reviewer: Reviewer
    panel: _containers.RepeatedCompositeFieldContainer[ReviewPanelMember]
    terms_of_reference: str
    progress_check_weeks: int
    milestones: _containers.RepeatedCompositeFieldContainer[Milestone]
    extensions: _containers.RepeatedCompositeFieldContainer[ReviewExtension]
    progress_checks: _containers.RepeatedCompositeFieldContainer[ProgressCheck]
    earliest_publication_date: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, review_id: _Optional[str] = ..., case_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., commissioned_on: _Optional[str] = ..., reviewer: _Optional[_Union[Reviewer, _Mapping]] = ..., panel: _Optional[_Iterable[_Union[ReviewPanelMember, _Mapping]]] = ..., terms_of_reference: _Optional[str] = ..., progress_check_weeks: _Optional[int] = ..., milestones: _Optional[_Iterable[_Union[Milestone, _Mapping]]] = ..., extensions: _Optional[_Iterable[_Union[ReviewExtension, _Mapping]]] = ..., progress_checks: _Optional[_Iterable[_Union[ProgressCheck, _Mapping]]] = ..., earliest_publication_date: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AnonymisationFinding(_message.Message):
    __slots__ = ("kind", "label", "line", "column", "offset", "length", "matched_text")
    KIND_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    LINE_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    MATCHED_TEXT_FIELD_NUMBER: _ClassVar[int]
    kind: IdentifyingDetailKind
    label: str
    line: int
    column: int
    offset: int
    length: int
    matched_text: str
    def __init__(self, kind: _Optional[_Union[IdentifyingDetailKind, str]] = ..., label: _Optional[str] = ..., line: _Optional[int] = ..., column: _Optional[int] = ..., offset: _Optional[int] = ..., length: _Optional[int] = ..., matched_text: _Optional[str] = ...) -> None: ...

class IdentifyingDetail(_message.Message):
    __slots__ = ("detail_id", "kind", "value", "label")
    DETAIL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    detail_id: str
    kind: IdentifyingDetailKind
    value: str
    label: str
    def __init__(self, detail_id: _Optional[str] = ..., kind: _Optional[_Union[IdentifyingDetailKind, str]] = ..., value: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class Publication(_message.Message):
    __slots__ = ("review_id", "kind", "published_on", "location", "available_until", "not_publishing_rationale", "learning_themes", "text_sha256", "text_length", "late", "recorded_by", "recorded_at")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_ON_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    NOT_PUBLISHING_RATIONALE_FIELD_NUMBER: _ClassVar[int]
    LEARNING_THEMES_FIELD_NUMBER: _ClassVar[int]
    TEXT_SHA256_FIELD_NUMBER: _ClassVar[int]
    TEXT_LENGTH_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    kind: PublicationKind
    published_on: str
    location: str
    available_until: str
    not_publishing_rationale: str
    learning_themes: _containers.RepeatedScalarFieldContainer[str]
    text_sha256: str
    text_length: int
    late: bool
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, review_id: _Optional[str] = ..., kind: _Optional[_Union[PublicationKind, str]] = ..., published_on: _Optional[str] = ..., location: _Optional[str] = ..., available_until: _Optional[str] = ..., not_publishing_rationale: _Optional[str] = ..., learning_themes: _Optional[_Iterable[str]] = ..., text_sha256: _Optional[str] = ..., text_length: _Optional[int] = ..., late: _Optional[bool] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Action(_message.Message):
    __slots__ = ("action_id", "case_id", "description", "owner_agency_id", "due_date", "status", "evidence", "closed_on", "theme", "overdue", "updated_by", "updated_at", "created_on")
    ACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    CLOSED_ON_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_BY_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    CREATED_ON_FIELD_NUMBER: _ClassVar[int]
    action_id: str
    case_id: str
    description: str
    owner_agency_id: str
    due_date: str
    status: ActionStatus
    evidence: str
    closed_on: str
    theme: str
    overdue: bool
    updated_by: str
    updated_at: _timestamp_pb2.Timestamp
    created_on: str
    def __init__(self, action_id: _Optional[str] = ..., case_id: _Optional[str] = ..., description: _Optional[str] = ..., owner_agency_id: _Optional[str] = ..., due_date: _Optional[str] = ..., status: _Optional[_Union[ActionStatus, str]] = ..., evidence: _Optional[str] = ..., closed_on: _Optional[str] = ..., theme: _Optional[str] = ..., overdue: _Optional[bool] = ..., updated_by: _Optional[str] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., created_on: _Optional[str] = ...) -> None: ...

class Dissemination(_message.Message):
    __slots__ = ("dissemination_id", "kind", "occurred_on", "audience", "reach", "note", "recorded_by", "recorded_at")
    DISSEMINATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_ON_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    REACH_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    dissemination_id: str
    kind: DisseminationKind
    occurred_on: str
    audience: str
    reach: int
    note: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, dissemination_id: _Optional[str] = ..., kind: _Optional[_Union[DisseminationKind, str]] = ..., occurred_on: _Optional[str] = ..., audience: _Optional[str] = ..., reach: _Optional[int] = ..., note: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EvaluationRef(_message.Message):
    __slots__ = ("evaluation_id", "evaluated_at", "edition_version")
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_AT_FIELD_NUMBER: _ClassVar[int]
    EDITION_VERSION_FIELD_NUMBER: _ClassVar[int]
    evaluation_id: str
    evaluated_at: _timestamp_pb2.Timestamp
    edition_version: str
    def __init__(self, evaluation_id: _Optional[str] = ..., evaluated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., edition_version: _Optional[str] = ...) -> None: ...

class CaseState(_message.Message):
    __slots__ = ("case_id", "partnership", "stage", "next_step", "round", "agency_ids", "evaluations", "recommendations", "decisions", "panel_submissions", "panel_responses", "review", "publication", "actions", "disseminations", "clocks", "identifying_details", "withdrawn", "audit_sequence")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    NEXT_STEP_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    AGENCY_IDS_FIELD_NUMBER: _ClassVar[int]
    EVALUATIONS_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    PANEL_SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    PANEL_RESPONSES_FIELD_NUMBER: _ClassVar[int]
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    PUBLICATION_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    DISSEMINATIONS_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_FIELD_NUMBER: _ClassVar[int]
    IDENTIFYING_DETAILS_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    AUDIT_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    partnership: str
    stage: CaseStage
    next_step: str
    round: int
    agency_ids: _containers.RepeatedScalarFieldContainer[str]
    evaluations: _containers.RepeatedCompositeFieldContainer[EvaluationRef]
    recommendations: _containers.RepeatedCompositeFieldContainer[Recommendation]
    decisions: _containers.RepeatedCompositeFieldContainer[Decision]
    panel_submissions: _containers.RepeatedCompositeFieldContainer[PanelSubmission]
    panel_responses: _containers.RepeatedCompositeFieldContainer[PanelResponse]
    review: Review
    publication: Publication
    actions: _containers.RepeatedCompositeFieldContainer[Action]
    disseminations: _containers.RepeatedCompositeFieldContainer[Dissemination]
    clocks: _containers.RepeatedCompositeFieldContainer[_common_pb2.Clock]
    identifying_details: int
    withdrawn: bool
    audit_sequence: int
    def __init__(self, case_id: _Optional[str] = ..., partnership: _Optional[str] = ..., stage: _Optional[_Union[CaseStage, str]] = ..., next_step: _Optional[str] = ..., round: _Optional[int] = ..., agency_ids: _Optional[_Iterable[str]] = ..., evaluations: _Optional[_Iterable[_Union[EvaluationRef, _Mapping]]] = ..., recommendations: _Optional[_Iterable[_Union[Recommendation, _Mapping]]] = ..., decisions: _Optional[_Iterable[_Union[Decision, _Mapping]]] = ..., panel_submissions: _Optional[_Iterable[_Union[PanelSubmission, _Mapping]]] = ..., panel_responses: _Optional[_Iterable[_Union[PanelResponse, _Mapping]]] = ..., review: _Optional[_Union[Review, _Mapping]] = ..., publication: _Optional[_Union[Publication, _Mapping]] = ..., actions: _Optional[_Iterable[_Union[Action, _Mapping]]] = ..., disseminations: _Optional[_Iterable[_Union[Dissemination, _Mapping]]] = ..., clocks: _Optional[_Iterable[_Union[_common_pb2.Clock, _Mapping]]] = ..., identifying_details: _Optional[int] = ..., withdrawn: _Optional[bool] = ..., audit_sequence: _Optional[int] = ...) -> None: ...

class AuditEntry(_message.Message):
    __slots__ = ("sequence", "entry_id", "case_id", "recorded_at", "actor", "actor_role", "action", "entity", "entity_id", "before_json", "after_json", "causation_id", "previous_hash", "hash")
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    ENTITY_ID_FIELD_NUMBER: _ClassVar[int]
    BEFORE_JSON_FIELD_NUMBER: _ClassVar[int]
    AFTER_JSON_FIELD_NUMBER: _ClassVar[int]
    CAUSATION_ID_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_HASH_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    sequence: int
    entry_id: str
    case_id: str
    recorded_at: _timestamp_pb2.Timestamp
    actor: str
    actor_role: str
    action: str
    entity: str
    entity_id: str
    before_json: str
    after_json: str
    causation_id: str
    previous_hash: str
    hash: str
    def __init__(self, sequence: _Optional[int] = ..., entry_id: _Optional[str] = ..., case_id: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actor: _Optional[str] = ..., actor_role: _Optional[str] = ..., action: _Optional[str] = ..., entity: _Optional[str] = ..., entity_id: _Optional[str] = ..., before_json: _Optional[str] = ..., after_json: _Optional[str] = ..., causation_id: _Optional[str] = ..., previous_hash: _Optional[str] = ..., hash: _Optional[str] = ...) -> None: ...

class AuditFinding(_message.Message):
    __slots__ = ("case_id", "sequence", "entry_id", "problem", "description")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    sequence: int
    entry_id: str
    problem: AuditProblem
    description: str
    def __init__(self, case_id: _Optional[str] = ..., sequence: _Optional[int] = ..., entry_id: _Optional[str] = ..., problem: _Optional[_Union[AuditProblem, str]] = ..., description: _Optional[str] = ...) -> None: ...

class RecordRecommendationRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "recommendation", "rationale", "evaluation_id", "criteria", "national_importance", "immediate_learning", "meeting_date")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_LEARNING_FIELD_NUMBER: _ClassVar[int]
    MEETING_DATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    recommendation: ReviewDecision
    rationale: str
    evaluation_id: str
    criteria: _containers.RepeatedCompositeFieldContainer[CriterionView]
    national_importance: bool
    immediate_learning: _containers.RepeatedCompositeFieldContainer[ImmediateLearning]
    meeting_date: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., recommendation: _Optional[_Union[ReviewDecision, str]] = ..., rationale: _Optional[str] = ..., evaluation_id: _Optional[str] = ..., criteria: _Optional[_Iterable[_Union[CriterionView, _Mapping]]] = ..., national_importance: _Optional[bool] = ..., immediate_learning: _Optional[_Iterable[_Union[ImmediateLearning, _Mapping]]] = ..., meeting_date: _Optional[str] = ...) -> None: ...

class RecordRecommendationResponse(_message.Message):
    __slots__ = ("recommendation", "case", "replayed")
    RECOMMENDATION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    recommendation: Recommendation
    case: CaseState
    replayed: bool
    def __init__(self, recommendation: _Optional[_Union[Recommendation, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordDecisionRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "recommendation_id", "view", "decision", "rationale", "decided_on", "national_importance", "decided_by", "communications", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    COMMUNICATIONS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    recommendation_id: str
    view: ExecutiveView
    decision: ReviewDecision
    rationale: str
    decided_on: str
    national_importance: bool
    decided_by: _containers.RepeatedCompositeFieldContainer[PartnerRepresentative]
    communications: _containers.RepeatedCompositeFieldContainer[DecisionCommunication]
    reason: DecisionReason
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., recommendation_id: _Optional[str] = ..., view: _Optional[_Union[ExecutiveView, str]] = ..., decision: _Optional[_Union[ReviewDecision, str]] = ..., rationale: _Optional[str] = ..., decided_on: _Optional[str] = ..., national_importance: _Optional[bool] = ..., decided_by: _Optional[_Iterable[_Union[PartnerRepresentative, _Mapping]]] = ..., communications: _Optional[_Iterable[_Union[DecisionCommunication, _Mapping]]] = ..., reason: _Optional[_Union[DecisionReason, str]] = ...) -> None: ...

class RecordDecisionResponse(_message.Message):
    __slots__ = ("decision", "case", "replayed")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    case: CaseState
    replayed: bool
    def __init__(self, decision: _Optional[_Union[Decision, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordPanelSubmissionRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "decision_id", "sent_date", "panel_reference", "report_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    PANEL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    decision_id: str
    sent_date: str
    panel_reference: str
    report_id: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., decision_id: _Optional[str] = ..., sent_date: _Optional[str] = ..., panel_reference: _Optional[str] = ..., report_id: _Optional[str] = ...) -> None: ...

class RecordPanelSubmissionResponse(_message.Message):
    __slots__ = ("submission", "case", "replayed")
    SUBMISSION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    submission: PanelSubmission
    case: CaseState
    replayed: bool
    def __init__(self, submission: _Optional[_Union[PanelSubmission, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordPanelResponseRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "submission_id", "kind", "responded_on", "summary")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESPONDED_ON_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    submission_id: str
    kind: PanelResponseKind
    responded_on: str
    summary: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., submission_id: _Optional[str] = ..., kind: _Optional[_Union[PanelResponseKind, str]] = ..., responded_on: _Optional[str] = ..., summary: _Optional[str] = ...) -> None: ...

class RecordPanelResponseResponse(_message.Message):
    __slots__ = ("response", "case", "replayed")
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    response: PanelResponse
    case: CaseState
    replayed: bool
    def __init__(self, response: _Optional[_Union[PanelResponse, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CommissionReviewRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "reviewer", "panel", "terms_of_reference", "commissioned_on", "progress_check_weeks")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_FIELD_NUMBER: _ClassVar[int]
    PANEL_FIELD_NUMBER: _ClassVar[int]
    TERMS_OF_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    COMMISSIONED_ON_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_CHECK_WEEKS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    reviewer: Reviewer
    panel: _containers.RepeatedCompositeFieldContainer[ReviewPanelMember]
    terms_of_reference: str
    commissioned_on: str
    progress_check_weeks: int
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., reviewer: _Optional[_Union[Reviewer, _Mapping]] = ..., panel: _Optional[_Iterable[_Union[ReviewPanelMember, _Mapping]]] = ..., terms_of_reference: _Optional[str] = ..., commissioned_on: _Optional[str] = ..., progress_check_weeks: _Optional[int] = ...) -> None: ...

class CommissionReviewResponse(_message.Message):
    __slots__ = ("review", "case", "replayed")
    REVIEW_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    review: Review
    case: CaseState
    replayed: bool
    def __init__(self, review: _Optional[_Union[Review, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordMilestoneRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "kind", "occurred_on", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_ON_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    kind: MilestoneKind
    occurred_on: str
    note: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., kind: _Optional[_Union[MilestoneKind, str]] = ..., occurred_on: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RecordMilestoneResponse(_message.Message):
    __slots__ = ("milestone", "case", "replayed")
    MILESTONE_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    milestone: Milestone
    case: CaseState
    replayed: bool
    def __init__(self, milestone: _Optional[_Union[Milestone, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordExtensionRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "reason", "explanation", "extended_to")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_TO_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    reason: ExtensionReason
    explanation: str
    extended_to: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., reason: _Optional[_Union[ExtensionReason, str]] = ..., explanation: _Optional[str] = ..., extended_to: _Optional[str] = ...) -> None: ...

class RecordExtensionResponse(_message.Message):
    __slots__ = ("extension", "case", "replayed")
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    extension: ReviewExtension
    case: CaseState
    replayed: bool
    def __init__(self, extension: _Optional[_Union[ReviewExtension, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordProgressCheckRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "checked_on", "findings", "written_request_made", "written_request")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    CHECKED_ON_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_REQUEST_MADE_FIELD_NUMBER: _ClassVar[int]
    WRITTEN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    checked_on: str
    findings: str
    written_request_made: bool
    written_request: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., checked_on: _Optional[str] = ..., findings: _Optional[str] = ..., written_request_made: _Optional[bool] = ..., written_request: _Optional[str] = ...) -> None: ...

class RecordProgressCheckResponse(_message.Message):
    __slots__ = ("check", "case", "replayed")
    CHECK_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    check: ProgressCheck
    case: CaseState
    replayed: bool
    def __init__(self, check: _Optional[_Union[ProgressCheck, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class RecordIdentifyingDetailsRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "details")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    details: _containers.RepeatedCompositeFieldContainer[IdentifyingDetail]
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., details: _Optional[_Iterable[_Union[IdentifyingDetail, _Mapping]]] = ...) -> None: ...

class RecordIdentifyingDetailsResponse(_message.Message):
    __slots__ = ("total", "detail_ids", "replayed")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    DETAIL_IDS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    total: int
    detail_ids: _containers.RepeatedScalarFieldContainer[str]
    replayed: bool
    def __init__(self, total: _Optional[int] = ..., detail_ids: _Optional[_Iterable[str]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class CheckAnonymisationRequest(_message.Message):
    __slots__ = ("case_id", "text")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    text: str
    def __init__(self, case_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class CheckAnonymisationResponse(_message.Message):
    __slots__ = ("anonymised", "findings", "details_checked")
    ANONYMISED_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    anonymised: bool
    findings: _containers.RepeatedCompositeFieldContainer[AnonymisationFinding]
    details_checked: int
    def __init__(self, anonymised: _Optional[bool] = ..., findings: _Optional[_Iterable[_Union[AnonymisationFinding, _Mapping]]] = ..., details_checked: _Optional[int] = ...) -> None: ...

class PublishRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "kind", "published_on", "text", "location", "available_until", "not_publishing_rationale", "learning_themes")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_ON_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    NOT_PUBLISHING_RATIONALE_FIELD_NUMBER: _ClassVar[int]
    LEARNING_THEMES_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    kind: PublicationKind
    published_on: str
    text: str
    location: str
    available_until: str
    not_publishing_rationale: str
    learning_themes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., kind: _Optional[_Union[PublicationKind, str]] = ..., published_on: _Optional[str] = ..., text: _Optional[str] = ..., location: _Optional[str] = ..., available_until: _Optional[str] = ..., not_publishing_rationale: _Optional[str] = ..., learning_themes: _Optional[_Iterable[str]] = ...) -> None: ...

class PublishResponse(_message.Message):
    __slots__ = ("publication", "case", "replayed")
    PUBLICATION_FIELD_NUMBER: _ClassVar[int]
    CASE_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    publication: Publication
    case: CaseState
    replayed: bool
    def __init__(self, publication: _Optional[_Union[Publication, _Mapping]] = ..., case: _Optional[_Union[CaseState, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class AddActionRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "description", "owner_agency_id", "due_date", "theme", "agreed_on")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    OWNER_AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    THEME_FIELD_NUMBER: _ClassVar[int]
    AGREED_ON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    description: str
    owner_agency_id: str
    due_date: str
    theme: str
    agreed_on: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., description: _Optional[str] = ..., owner_agency_id: _Optional[str] = ..., due_date: _Optional[str] = ..., theme: _Optional[str] = ..., agreed_on: _Optional[str] = ...) -> None: ...

class AddActionResponse(_message.Message):
    __slots__ = ("action", "replayed")
    ACTION_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    action: Action
    replayed: bool
    def __init__(self, action: _Optional[_Union[Action, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class UpdateActionRequest(_message.Message):
    __slots__ = ("case_id", "action_id", "status", "due_date", "evidence", "closed_on")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DUE_DATE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    CLOSED_ON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    action_id: str
    status: ActionStatus
    due_date: str
    evidence: str
    closed_on: str
    def __init__(self, case_id: _Optional[str] = ..., action_id: _Optional[str] = ..., status: _Optional[_Union[ActionStatus, str]] = ..., due_date: _Optional[str] = ..., evidence: _Optional[str] = ..., closed_on: _Optional[str] = ...) -> None: ...

class UpdateActionResponse(_message.Message):
    __slots__ = ("action",)
    ACTION_FIELD_NUMBER: _ClassVar[int]
    action: Action
    def __init__(self, action: _Optional[_Union[Action, _Mapping]] = ...) -> None: ...

class RecordDisseminationRequest(_message.Message):
    __slots__ = ("case_id", "idempotency_key", "kind", "occurred_on", "audience", "reach", "note")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_ON_FIELD_NUMBER: _ClassVar[int]
    AUDIENCE_FIELD_NUMBER: _ClassVar[int]
    REACH_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    idempotency_key: str
    kind: DisseminationKind
    occurred_on: str
    audience: str
    reach: int
    note: str
    def __init__(self, case_id: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., kind: _Optional[_Union[DisseminationKind, str]] = ..., occurred_on: _Optional[str] = ..., audience: _Optional[str] = ..., reach: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class RecordDisseminationResponse(_message.Message):
    __slots__ = ("dissemination", "replayed")
    DISSEMINATION_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    dissemination: Dissemination
    replayed: bool
    def __init__(self, dissemination: _Optional[_Union[Dissemination, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetCaseRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class GetCaseResponse(_message.Message):
    __slots__ = ("case",)
    CASE_FIELD_NUMBER: _ClassVar[int]
    case: CaseState
    def __init__(self, case: _Optional[_Union[CaseState, _Mapping]] = ...) -> None: ...

class GetAuditTrailRequest(_message.Message):
    __slots__ = ("case_id", "page_size", "page_token")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    page_size: int
    page_token: str
    def __init__(self, case_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class GetAuditTrailResponse(_message.Message):
    __slots__ = ("entries", "next_page_token")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[AuditEntry]
    next_page_token: str
    def __init__(self, entries: _Optional[_Iterable[_Union[AuditEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class VerifyAuditTrailRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class VerifyAuditTrailResponse(_message.Message):
    __slots__ = ("intact", "cases_checked", "entries_checked", "findings")
    INTACT_FIELD_NUMBER: _ClassVar[int]
    CASES_CHECKED_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_CHECKED_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    intact: bool
    cases_checked: int
    entries_checked: int
    findings: _containers.RepeatedCompositeFieldContainer[AuditFinding]
    def __init__(self, intact: _Optional[bool] = ..., cases_checked: _Optional[int] = ..., entries_checked: _Optional[int] = ..., findings: _Optional[_Iterable[_Union[AuditFinding, _Mapping]]] = ...) -> None: ...

class RecommendationRecorded(_message.Message):
    __slots__ = ("case_id", "recommendation_id", "recommendation", "evaluation_id", "round", "national_importance", "meeting_date")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_ID_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    MEETING_DATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    recommendation_id: str
    recommendation: ReviewDecision
    evaluation_id: str
    round: int
    national_importance: bool
    meeting_date: str
    def __init__(self, case_id: _Optional[str] = ..., recommendation_id: _Optional[str] = ..., recommendation: _Optional[_Union[ReviewDecision, str]] = ..., evaluation_id: _Optional[str] = ..., round: _Optional[int] = ..., national_importance: _Optional[bool] = ..., meeting_date: _Optional[str] = ...) -> None: ...

class DecisionRecorded(_message.Message):
    __slots__ = ("case_id", "decision_id", "decision", "decided_on", "national_importance", "recommendation_id", "view", "round", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    decision_id: str
    decision: ReviewDecision
    decided_on: str
    national_importance: bool
    recommendation_id: str
    view: ExecutiveView
    round: int
    reason: DecisionReason
    def __init__(self, case_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., decision: _Optional[_Union[ReviewDecision, str]] = ..., decided_on: _Optional[str] = ..., national_importance: _Optional[bool] = ..., recommendation_id: _Optional[str] = ..., view: _Optional[_Union[ExecutiveView, str]] = ..., round: _Optional[int] = ..., reason: _Optional[_Union[DecisionReason, str]] = ...) -> None: ...

class PanelSubmissionRecorded(_message.Message):
    __slots__ = ("case_id", "submission_id", "decision_id", "sent_date", "late", "rapid_review_due", "report_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    RAPID_REVIEW_DUE_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    submission_id: str
    decision_id: str
    sent_date: str
    late: bool
    rapid_review_due: str
    report_id: str
    def __init__(self, case_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., sent_date: _Optional[str] = ..., late: _Optional[bool] = ..., rapid_review_due: _Optional[str] = ..., report_id: _Optional[str] = ...) -> None: ...

class PanelResponseRecorded(_message.Message):
    __slots__ = ("case_id", "response_id", "submission_id", "kind", "responded_on")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMISSION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESPONDED_ON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    response_id: str
    submission_id: str
    kind: PanelResponseKind
    responded_on: str
    def __init__(self, case_id: _Optional[str] = ..., response_id: _Optional[str] = ..., submission_id: _Optional[str] = ..., kind: _Optional[_Union[PanelResponseKind, str]] = ..., responded_on: _Optional[str] = ...) -> None: ...

class ReviewCommissioned(_message.Message):
    __slots__ = ("case_id", "review_id", "decision_id", "commissioned_on", "six_month_target")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMISSIONED_ON_FIELD_NUMBER: _ClassVar[int]
    SIX_MONTH_TARGET_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    review_id: str
    decision_id: str
    commissioned_on: str
    six_month_target: str
    def __init__(self, case_id: _Optional[str] = ..., review_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., commissioned_on: _Optional[str] = ..., six_month_target: _Optional[str] = ...) -> None: ...

class ReviewPublished(_message.Message):
    __slots__ = ("case_id", "review_id", "partnership", "kind", "published_on", "available_until", "location", "late")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_ON_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    review_id: str
    partnership: str
    kind: PublicationKind
    published_on: str
    available_until: str
    location: str
    late: bool
    def __init__(self, case_id: _Optional[str] = ..., review_id: _Optional[str] = ..., partnership: _Optional[str] = ..., kind: _Optional[_Union[PublicationKind, str]] = ..., published_on: _Optional[str] = ..., available_until: _Optional[str] = ..., location: _Optional[str] = ..., late: _Optional[bool] = ...) -> None: ...

class ReviewThemesPublished(_message.Message):
    __slots__ = ("partnership", "review_id", "year", "themes", "case_id")
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    THEMES_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    partnership: str
    review_id: str
    year: int
    themes: _containers.RepeatedScalarFieldContainer[str]
    case_id: str
    def __init__(self, partnership: _Optional[str] = ..., review_id: _Optional[str] = ..., year: _Optional[int] = ..., themes: _Optional[_Iterable[str]] = ..., case_id: _Optional[str] = ...) -> None: ...

class ReportDigest(_message.Message):
    __slots__ = ("format", "sha256", "size_bytes")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    format: ReportFormat
    sha256: str
    size_bytes: int
    def __init__(self, format: _Optional[_Union[ReportFormat, str]] = ..., sha256: _Optional[str] = ..., size_bytes: _Optional[int] = ...) -> None: ...

class RapidReviewReport(_message.Message):
    __slots__ = ("report_id", "case_id", "decision_id", "round", "sent_date", "digests", "model_sha256", "evaluation_id", "collation_version", "caveats", "rendered_by", "rendered_at")
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    DIGESTS_FIELD_NUMBER: _ClassVar[int]
    MODEL_SHA256_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    COLLATION_VERSION_FIELD_NUMBER: _ClassVar[int]
    CAVEATS_FIELD_NUMBER: _ClassVar[int]
    RENDERED_BY_FIELD_NUMBER: _ClassVar[int]
    RENDERED_AT_FIELD_NUMBER: _ClassVar[int]
    report_id: str
    case_id: str
    decision_id: str
    round: int
    sent_date: str
    digests: _containers.RepeatedCompositeFieldContainer[ReportDigest]
    model_sha256: str
    evaluation_id: str
    collation_version: int
    caveats: _containers.RepeatedScalarFieldContainer[str]
    rendered_by: str
    rendered_at: _timestamp_pb2.Timestamp
    def __init__(self, report_id: _Optional[str] = ..., case_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., round: _Optional[int] = ..., sent_date: _Optional[str] = ..., digests: _Optional[_Iterable[_Union[ReportDigest, _Mapping]]] = ..., model_sha256: _Optional[str] = ..., evaluation_id: _Optional[str] = ..., collation_version: _Optional[int] = ..., caveats: _Optional[_Iterable[str]] = ..., rendered_by: _Optional[str] = ..., rendered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReportDocument(_message.Message):
    __slots__ = ("format", "media_type", "content", "sha256")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    format: ReportFormat
    media_type: str
    content: bytes
    sha256: str
    def __init__(self, format: _Optional[_Union[ReportFormat, str]] = ..., media_type: _Optional[str] = ..., content: _Optional[bytes] = ..., sha256: _Optional[str] = ...) -> None: ...

class RenderRapidReviewReportRequest(_message.Message):
    __slots__ = ("case_id", "formats", "sent_date")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    FORMATS_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    formats: _containers.RepeatedScalarFieldContainer[ReportFormat]
    sent_date: str
    def __init__(self, case_id: _Optional[str] = ..., formats: _Optional[_Iterable[_Union[ReportFormat, str]]] = ..., sent_date: _Optional[str] = ...) -> None: ...

class RenderRapidReviewReportResponse(_message.Message):
    __slots__ = ("report", "documents")
    REPORT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    report: RapidReviewReport
    documents: _containers.RepeatedCompositeFieldContainer[ReportDocument]
    def __init__(self, report: _Optional[_Union[RapidReviewReport, _Mapping]] = ..., documents: _Optional[_Iterable[_Union[ReportDocument, _Mapping]]] = ...) -> None: ...

class GetRapidReviewReportRequest(_message.Message):
    __slots__ = ("case_id", "report_id", "formats")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REPORT_ID_FIELD_NUMBER: _ClassVar[int]
    FORMATS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    report_id: str
    formats: _containers.RepeatedScalarFieldContainer[ReportFormat]
    def __init__(self, case_id: _Optional[str] = ..., report_id: _Optional[str] = ..., formats: _Optional[_Iterable[_Union[ReportFormat, str]]] = ...) -> None: ...

class GetRapidReviewReportResponse(_message.Message):
    __slots__ = ("report", "documents")
    REPORT_FIELD_NUMBER: _ClassVar[int]
    DOCUMENTS_FIELD_NUMBER: _ClassVar[int]
    report: RapidReviewReport
    documents: _containers.RepeatedCompositeFieldContainer[ReportDocument]
    def __init__(self, report: _Optional[_Union[RapidReviewReport, _Mapping]] = ..., documents: _Optional[_Iterable[_Union[ReportDocument, _Mapping]]] = ...) -> None: ...

class GetYearlyFiguresRequest(_message.Message):
    __slots__ = ("from_date", "to_date", "format")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    format: FiguresFormat
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., format: _Optional[_Union[FiguresFormat, str]] = ...) -> None: ...

class GetYearlyFiguresResponse(_message.Message):
    __slots__ = ("figures", "content", "media_type")
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    figures: YearlyFigures
    content: bytes
    media_type: str
    def __init__(self, figures: _Optional[_Union[YearlyFigures, _Mapping]] = ..., content: _Optional[bytes] = ..., media_type: _Optional[str] = ...) -> None: ...

class FigureCount(_message.Message):
    __slots__ = ("key", "label", "count")
    KEY_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    key: str
    label: str
    count: int
    def __init__(self, key: _Optional[str] = ..., label: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class NotificationFigures(_message.Message):
    __slots__ = ("total", "by_nature", "by_age_band", "by_setting")
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    BY_NATURE_FIELD_NUMBER: _ClassVar[int]
    BY_AGE_BAND_FIELD_NUMBER: _ClassVar[int]
    BY_SETTING_FIELD_NUMBER: _ClassVar[int]
    total: int
    by_nature: _containers.RepeatedCompositeFieldContainer[FigureCount]
    by_age_band: _containers.RepeatedCompositeFieldContainer[FigureCount]
    by_setting: _containers.RepeatedCompositeFieldContainer[FigureCount]
    def __init__(self, total: _Optional[int] = ..., by_nature: _Optional[_Iterable[_Union[FigureCount, _Mapping]]] = ..., by_age_band: _Optional[_Iterable[_Union[FigureCount, _Mapping]]] = ..., by_setting: _Optional[_Iterable[_Union[FigureCount, _Mapping]]] = ...) -> None: ...

class ClockFigures(_message.Message):
    __slots__ = ("clock_id", "completed", "on_time", "late", "median_working_days", "open_overdue")
    CLOCK_ID_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    ON_TIME_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    OPEN_OVERDUE_FIELD_NUMBER: _ClassVar[int]
    clock_id: str
    completed: int
    on_time: int
    late: int
    median_working_days: float
    open_overdue: int
    def __init__(self, clock_id: _Optional[str] = ..., completed: _Optional[int] = ..., on_time: _Optional[int] = ..., late: _Optional[int] = ..., median_working_days: _Optional[float] = ..., open_overdue: _Optional[int] = ...) -> None: ...

class DecisionFigures(_message.Message):
    __slots__ = ("decided", "by_decision", "cspr_decided", "cspr_commissioned", "not_cspr", "not_cspr_reasons")
    DECIDED_FIELD_NUMBER: _ClassVar[int]
    BY_DECISION_FIELD_NUMBER: _ClassVar[int]
    CSPR_DECIDED_FIELD_NUMBER: _ClassVar[int]
    CSPR_COMMISSIONED_FIELD_NUMBER: _ClassVar[int]
    NOT_CSPR_FIELD_NUMBER: _ClassVar[int]
    NOT_CSPR_REASONS_FIELD_NUMBER: _ClassVar[int]
    decided: int
    by_decision: _containers.RepeatedCompositeFieldContainer[FigureCount]
    cspr_decided: int
    cspr_commissioned: int
    not_cspr: int
    not_cspr_reasons: _containers.RepeatedCompositeFieldContainer[FigureCount]
    def __init__(self, decided: _Optional[int] = ..., by_decision: _Optional[_Iterable[_Union[FigureCount, _Mapping]]] = ..., cspr_decided: _Optional[int] = ..., cspr_commissioned: _Optional[int] = ..., not_cspr: _Optional[int] = ..., not_cspr_reasons: _Optional[_Iterable[_Union[FigureCount, _Mapping]]] = ...) -> None: ...

class PublicationFigures(_message.Message):
    __slots__ = ("published", "within_six_months", "within_target", "late", "improvements_only")
    PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    WITHIN_SIX_MONTHS_FIELD_NUMBER: _ClassVar[int]
    WITHIN_TARGET_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    IMPROVEMENTS_ONLY_FIELD_NUMBER: _ClassVar[int]
    published: int
    within_six_months: int
    within_target: int
    late: int
    improvements_only: int
    def __init__(self, published: _Optional[int] = ..., within_six_months: _Optional[int] = ..., within_target: _Optional[int] = ..., late: _Optional[int] = ..., improvements_only: _Optional[int] = ...) -> None: ...

class AgencyActionFigures(_message.Message):
    __slots__ = ("agency_id", "open", "overdue", "completed")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    OPEN_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    open: int
    overdue: int
    completed: int
    def __init__(self, agency_id: _Optional[str] = ..., open: _Optional[int] = ..., overdue: _Optional[int] = ..., completed: _Optional[int] = ...) -> None: ...

class YearlyFigures(_message.Message):
    __slots__ = ("partnership", "from_date", "to_date", "computed_on", "notifications", "notify_deadline", "rapid_review_deadline", "rapid_reviews_completed", "decisions", "publications", "learning_themes", "actions", "notes")
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    COMPUTED_ON_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATIONS_FIELD_NUMBER: _ClassVar[int]
    NOTIFY_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    RAPID_REVIEW_DEADLINE_FIELD_NUMBER: _ClassVar[int]
    RAPID_REVIEWS_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    PUBLICATIONS_FIELD_NUMBER: _ClassVar[int]
    LEARNING_THEMES_FIELD_NUMBER: _ClassVar[int]
    ACTIONS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    partnership: str
    from_date: str
    to_date: str
    computed_on: str
    notifications: NotificationFigures
    notify_deadline: ClockFigures
    rapid_review_deadline: ClockFigures
    rapid_reviews_completed: int
    decisions: DecisionFigures
    publications: PublicationFigures
    learning_themes: _containers.RepeatedCompositeFieldContainer[FigureCount]
    actions: _containers.RepeatedCompositeFieldContainer[AgencyActionFigures]
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, partnership: _Optional[str] = ..., from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., computed_on: _Optional[str] = ..., notifications: _Optional[_Union[NotificationFigures, _Mapping]] = ..., notify_deadline: _Optional[_Union[ClockFigures, _Mapping]] = ..., rapid_review_deadline: _Optional[_Union[ClockFigures, _Mapping]] = ..., rapid_reviews_completed: _Optional[int] = ..., decisions: _Optional[_Union[DecisionFigures, _Mapping]] = ..., publications: _Optional[_Union[PublicationFigures, _Mapping]] = ..., learning_themes: _Optional[_Iterable[_Union[FigureCount, _Mapping]]] = ..., actions: _Optional[_Iterable[_Union[AgencyActionFigures, _Mapping]]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...
