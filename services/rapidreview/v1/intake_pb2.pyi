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

class NotificationRecipient(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NOTIFICATION_RECIPIENT_UNSPECIFIED: _ClassVar[NotificationRecipient]
    NOTIFICATION_RECIPIENT_PANEL: _ClassVar[NotificationRecipient]
    NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE: _ClassVar[NotificationRecipient]
    NOTIFICATION_RECIPIENT_OFSTED: _ClassVar[NotificationRecipient]
    NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS: _ClassVar[NotificationRecipient]
    NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS: _ClassVar[NotificationRecipient]

class ReferralDecisionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REFERRAL_DECISION_KIND_UNSPECIFIED: _ClassVar[ReferralDecisionKind]
    REFERRAL_DECISION_KIND_NOTIFY: _ClassVar[ReferralDecisionKind]
    REFERRAL_DECISION_KIND_NOT_NOTIFY: _ClassVar[ReferralDecisionKind]

class IncidentStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INCIDENT_STATUS_UNSPECIFIED: _ClassVar[IncidentStatus]
    INCIDENT_STATUS_NOTIFIED: _ClassVar[IncidentStatus]
    INCIDENT_STATUS_PANEL_NOTIFIED: _ClassVar[IncidentStatus]
    INCIDENT_STATUS_DECIDED: _ClassVar[IncidentStatus]
    INCIDENT_STATUS_WITHDRAWN: _ClassVar[IncidentStatus]
NOTIFICATION_RECIPIENT_UNSPECIFIED: NotificationRecipient
NOTIFICATION_RECIPIENT_PANEL: NotificationRecipient
NOTIFICATION_RECIPIENT_SECRETARY_OF_STATE: NotificationRecipient
NOTIFICATION_RECIPIENT_OFSTED: NotificationRecipient
NOTIFICATION_RECIPIENT_SAFEGUARDING_PARTNERS: NotificationRecipient
NOTIFICATION_RECIPIENT_HOME_AREA_PARTNERS: NotificationRecipient
REFERRAL_DECISION_KIND_UNSPECIFIED: ReferralDecisionKind
REFERRAL_DECISION_KIND_NOTIFY: ReferralDecisionKind
REFERRAL_DECISION_KIND_NOT_NOTIFY: ReferralDecisionKind
INCIDENT_STATUS_UNSPECIFIED: IncidentStatus
INCIDENT_STATUS_NOTIFIED: IncidentStatus
INCIDENT_STATUS_PANEL_NOTIFIED: IncidentStatus
INCIDENT_STATUS_DECIDED: IncidentStatus
INCIDENT_STATUS_WITHDRAWN: IncidentStatus

class ChildDetails(_message.Message):
    __slots__ = ("child_ref", "age_years", "unborn", "looked_after", "care_leaver", "disability", "child_protection_plan")
    CHILD_REF_FIELD_NUMBER: _ClassVar[int]
    AGE_YEARS_FIELD_NUMBER: _ClassVar[int]
    UNBORN_FIELD_NUMBER: _ClassVar[int]
    LOOKED_AFTER_FIELD_NUMBER: _ClassVar[int]
    CARE_LEAVER_FIELD_NUMBER: _ClassVar[int]
    DISABILITY_FIELD_NUMBER: _ClassVar[int]
    CHILD_PROTECTION_PLAN_FIELD_NUMBER: _ClassVar[int]
    child_ref: str
    age_years: int
    unborn: bool
    looked_after: bool
    care_leaver: bool
    disability: bool
    child_protection_plan: bool
    def __init__(self, child_ref: _Optional[str] = ..., age_years: _Optional[int] = ..., unborn: _Optional[bool] = ..., looked_after: _Optional[bool] = ..., care_leaver: _Optional[bool] = ..., disability: _Optional[bool] = ..., child_protection_plan: _Optional[bool] = ...) -> None: ...

class Notification(_message.Message):
    __slots__ = ("notifying_la", "incident_la", "incident_country", "home_la", "child", "nature", "harm_description", "harm_domains", "recovered", "abuse_or_neglect", "setting", "incident_date", "la_aware_date", "agencies", "referred_by_agency")
    NOTIFYING_LA_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_LA_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    HOME_LA_FIELD_NUMBER: _ClassVar[int]
    CHILD_FIELD_NUMBER: _ClassVar[int]
    NATURE_FIELD_NUMBER: _ClassVar[int]
    HARM_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    HARM_DOMAINS_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_FIELD_NUMBER: _ClassVar[int]
    ABUSE_OR_NEGLECT_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_DATE_FIELD_NUMBER: _ClassVar[int]
    LA_AWARE_DATE_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    REFERRED_BY_AGENCY_FIELD_NUMBER: _ClassVar[int]
    notifying_la: str
    incident_la: str
    incident_country: _common_pb2.Country
    home_la: str
    child: ChildDetails
    nature: _common_pb2.Nature
    harm_description: str
    harm_domains: _containers.RepeatedScalarFieldContainer[_common_pb2.HarmDomain]
    recovered: bool
    abuse_or_neglect: _common_pb2.AbuseOrNeglect
    setting: _common_pb2.Setting
    incident_date: str
    la_aware_date: str
    agencies: _containers.RepeatedCompositeFieldContainer[_common_pb2.Agency]
    referred_by_agency: str
    def __init__(self, notifying_la: _Optional[str] = ..., incident_la: _Optional[str] = ..., incident_country: _Optional[_Union[_common_pb2.Country, str]] = ..., home_la: _Optional[str] = ..., child: _Optional[_Union[ChildDetails, _Mapping]] = ..., nature: _Optional[_Union[_common_pb2.Nature, str]] = ..., harm_description: _Optional[str] = ..., harm_domains: _Optional[_Iterable[_Union[_common_pb2.HarmDomain, str]]] = ..., recovered: _Optional[bool] = ..., abuse_or_neglect: _Optional[_Union[_common_pb2.AbuseOrNeglect, str]] = ..., setting: _Optional[_Union[_common_pb2.Setting, str]] = ..., incident_date: _Optional[str] = ..., la_aware_date: _Optional[str] = ..., agencies: _Optional[_Iterable[_Union[_common_pb2.Agency, _Mapping]]] = ..., referred_by_agency: _Optional[str] = ...) -> None: ...

class PanelNotification(_message.Message):
    __slots__ = ("reference", "sent_date", "late")
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    reference: str
    sent_date: str
    late: bool
    def __init__(self, reference: _Optional[str] = ..., sent_date: _Optional[str] = ..., late: _Optional[bool] = ...) -> None: ...

class NotificationSent(_message.Message):
    __slots__ = ("duty", "recipient", "sent_date", "reference", "late", "recorded_by", "recorded_at")
    DUTY_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    duty: str
    recipient: NotificationRecipient
    sent_date: str
    reference: str
    late: bool
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, duty: _Optional[str] = ..., recipient: _Optional[_Union[NotificationRecipient, str]] = ..., sent_date: _Optional[str] = ..., reference: _Optional[str] = ..., late: _Optional[bool] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NotificationAmendment(_message.Message):
    __slots__ = ("version", "reason", "changed_fields", "duties_changed", "clocks_started", "clocks_stopped", "amended_by", "amended_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    DUTIES_CHANGED_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_STARTED_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_STOPPED_FIELD_NUMBER: _ClassVar[int]
    AMENDED_BY_FIELD_NUMBER: _ClassVar[int]
    AMENDED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    reason: str
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    duties_changed: _containers.RepeatedScalarFieldContainer[str]
    clocks_started: _containers.RepeatedScalarFieldContainer[str]
    clocks_stopped: _containers.RepeatedScalarFieldContainer[str]
    amended_by: str
    amended_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., reason: _Optional[str] = ..., changed_fields: _Optional[_Iterable[str]] = ..., duties_changed: _Optional[_Iterable[str]] = ..., clocks_started: _Optional[_Iterable[str]] = ..., clocks_stopped: _Optional[_Iterable[str]] = ..., amended_by: _Optional[str] = ..., amended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ReferralDecision(_message.Message):
    __slots__ = ("decision", "rationale", "decided_on", "recorded_by", "recorded_at")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    RECORDED_AT_FIELD_NUMBER: _ClassVar[int]
    decision: ReferralDecisionKind
    rationale: str
    decided_on: str
    recorded_by: str
    recorded_at: _timestamp_pb2.Timestamp
    def __init__(self, decision: _Optional[_Union[ReferralDecisionKind, str]] = ..., rationale: _Optional[str] = ..., decided_on: _Optional[str] = ..., recorded_by: _Optional[str] = ..., recorded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Incident(_message.Message):
    __slots__ = ("case_id", "partnership", "status", "edition", "edition_version", "notification", "duties", "clocks", "possible_duplicate_of", "panel_notification", "partners_informed_date", "withdrawal_reason", "created_at", "updated_at", "notifications_sent", "notification_version", "amendments", "referral_decision")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    EDITION_VERSION_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    DUTIES_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_FIELD_NUMBER: _ClassVar[int]
    POSSIBLE_DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    PANEL_NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    PARTNERS_INFORMED_DATE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWAL_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATIONS_SENT_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_VERSION_FIELD_NUMBER: _ClassVar[int]
    AMENDMENTS_FIELD_NUMBER: _ClassVar[int]
    REFERRAL_DECISION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    partnership: str
    status: IncidentStatus
    edition: _common_pb2.Edition
    edition_version: str
    notification: Notification
    duties: _containers.RepeatedCompositeFieldContainer[_common_pb2.RuleOutcome]
    clocks: _containers.RepeatedCompositeFieldContainer[_common_pb2.Clock]
    possible_duplicate_of: _containers.RepeatedScalarFieldContainer[str]
    panel_notification: PanelNotification
    partners_informed_date: str
    withdrawal_reason: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    notifications_sent: _containers.RepeatedCompositeFieldContainer[NotificationSent]
    notification_version: int
    amendments: _containers.RepeatedCompositeFieldContainer[NotificationAmendment]
    referral_decision: ReferralDecision
    def __init__(self, case_id: _Optional[str] = ..., partnership: _Optional[str] = ..., status: _Optional[_Union[IncidentStatus, str]] = ..., edition: _Optional[_Union[_common_pb2.Edition, str]] = ..., edition_version: _Optional[str] = ..., notification: _Optional[_Union[Notification, _Mapping]] = ..., duties: _Optional[_Iterable[_Union[_common_pb2.RuleOutcome, _Mapping]]] = ..., clocks: _Optional[_Iterable[_Union[_common_pb2.Clock, _Mapping]]] = ..., possible_duplicate_of: _Optional[_Iterable[str]] = ..., panel_notification: _Optional[_Union[PanelNotification, _Mapping]] = ..., partners_informed_date: _Optional[str] = ..., withdrawal_reason: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., notifications_sent: _Optional[_Iterable[_Union[NotificationSent, _Mapping]]] = ..., notification_version: _Optional[int] = ..., amendments: _Optional[_Iterable[_Union[NotificationAmendment, _Mapping]]] = ..., referral_decision: _Optional[_Union[ReferralDecision, _Mapping]] = ...) -> None: ...

class NotifyIncidentRequest(_message.Message):
    __slots__ = ("idempotency_key", "notification")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    notification: Notification
    def __init__(self, idempotency_key: _Optional[str] = ..., notification: _Optional[_Union[Notification, _Mapping]] = ...) -> None: ...

class NotifyIncidentResponse(_message.Message):
    __slots__ = ("incident", "replayed")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    replayed: bool
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetIncidentRequest(_message.Message):
    __slots__ = ("case_id", "notification_version")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_VERSION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    notification_version: int
    def __init__(self, case_id: _Optional[str] = ..., notification_version: _Optional[int] = ...) -> None: ...

class GetIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class ListIncidentsRequest(_message.Message):
    __slots__ = ("status", "notifying_la", "overdue_only", "due_within_working_days", "page_size", "page_token")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTIFYING_LA_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_ONLY_FIELD_NUMBER: _ClassVar[int]
    DUE_WITHIN_WORKING_DAYS_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    status: IncidentStatus
    notifying_la: str
    overdue_only: bool
    due_within_working_days: int
    page_size: int
    page_token: str
    def __init__(self, status: _Optional[_Union[IncidentStatus, str]] = ..., notifying_la: _Optional[str] = ..., overdue_only: _Optional[bool] = ..., due_within_working_days: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListIncidentsResponse(_message.Message):
    __slots__ = ("incidents", "next_page_token")
    INCIDENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    incidents: _containers.RepeatedCompositeFieldContainer[Incident]
    next_page_token: str
    def __init__(self, incidents: _Optional[_Iterable[_Union[Incident, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class RecordPanelNotificationRequest(_message.Message):
    __slots__ = ("case_id", "reference", "sent_date")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reference: str
    sent_date: str
    def __init__(self, case_id: _Optional[str] = ..., reference: _Optional[str] = ..., sent_date: _Optional[str] = ...) -> None: ...

class RecordPanelNotificationResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class RecordPartnersInformedRequest(_message.Message):
    __slots__ = ("case_id", "informed_date")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    INFORMED_DATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    informed_date: str
    def __init__(self, case_id: _Optional[str] = ..., informed_date: _Optional[str] = ...) -> None: ...

class RecordPartnersInformedResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class RecordNotificationSentRequest(_message.Message):
    __slots__ = ("case_id", "duty", "recipient", "sent_date", "reference")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DUTY_FIELD_NUMBER: _ClassVar[int]
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    duty: str
    recipient: NotificationRecipient
    sent_date: str
    reference: str
    def __init__(self, case_id: _Optional[str] = ..., duty: _Optional[str] = ..., recipient: _Optional[_Union[NotificationRecipient, str]] = ..., sent_date: _Optional[str] = ..., reference: _Optional[str] = ...) -> None: ...

class RecordNotificationSentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class AmendNotificationRequest(_message.Message):
    __slots__ = ("case_id", "notification", "reason", "expected_version")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_VERSION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    notification: Notification
    reason: str
    expected_version: int
    def __init__(self, case_id: _Optional[str] = ..., notification: _Optional[_Union[Notification, _Mapping]] = ..., reason: _Optional[str] = ..., expected_version: _Optional[int] = ...) -> None: ...

class AmendNotificationResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class RecordReferralDecisionRequest(_message.Message):
    __slots__ = ("case_id", "decision", "rationale", "decided_on")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    decision: ReferralDecisionKind
    rationale: str
    decided_on: str
    def __init__(self, case_id: _Optional[str] = ..., decision: _Optional[_Union[ReferralDecisionKind, str]] = ..., rationale: _Optional[str] = ..., decided_on: _Optional[str] = ...) -> None: ...

class RecordReferralDecisionResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class WithdrawIncidentRequest(_message.Message):
    __slots__ = ("case_id", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class WithdrawIncidentResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class ExtendClockRequest(_message.Message):
    __slots__ = ("case_id", "clock_id", "extended_to", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_ID_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_TO_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    clock_id: str
    extended_to: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., clock_id: _Optional[str] = ..., extended_to: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ExtendClockResponse(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class IncidentNotified(_message.Message):
    __slots__ = ("incident",)
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class IncidentPanelNotified(_message.Message):
    __slots__ = ("case_id", "panel_notification", "rapid_review_clock", "incident")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PANEL_NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    RAPID_REVIEW_CLOCK_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    panel_notification: PanelNotification
    rapid_review_clock: _common_pb2.Clock
    incident: Incident
    def __init__(self, case_id: _Optional[str] = ..., panel_notification: _Optional[_Union[PanelNotification, _Mapping]] = ..., rapid_review_clock: _Optional[_Union[_common_pb2.Clock, _Mapping]] = ..., incident: _Optional[_Union[Incident, _Mapping]] = ...) -> None: ...

class IncidentNotificationSent(_message.Message):
    __slots__ = ("case_id", "notification", "clock")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    NOTIFICATION_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    notification: NotificationSent
    clock: _common_pb2.Clock
    def __init__(self, case_id: _Optional[str] = ..., notification: _Optional[_Union[NotificationSent, _Mapping]] = ..., clock: _Optional[_Union[_common_pb2.Clock, _Mapping]] = ...) -> None: ...

class IncidentAmended(_message.Message):
    __slots__ = ("incident", "version", "changed_fields")
    INCIDENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    incident: Incident
    version: int
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, incident: _Optional[_Union[Incident, _Mapping]] = ..., version: _Optional[int] = ..., changed_fields: _Optional[_Iterable[str]] = ...) -> None: ...

class IncidentWithdrawn(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class IncidentPartnersInformed(_message.Message):
    __slots__ = ("case_id", "informed_date")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    INFORMED_DATE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    informed_date: str
    def __init__(self, case_id: _Optional[str] = ..., informed_date: _Optional[str] = ...) -> None: ...

class IncidentClockExtended(_message.Message):
    __slots__ = ("case_id", "clock")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    clock: _common_pb2.Clock
    def __init__(self, case_id: _Optional[str] = ..., clock: _Optional[_Union[_common_pb2.Clock, _Mapping]] = ...) -> None: ...
