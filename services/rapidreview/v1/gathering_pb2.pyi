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

class GatheringStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    GATHERING_STATUS_UNSPECIFIED: _ClassVar[GatheringStatus]
    GATHERING_STATUS_OPEN: _ClassVar[GatheringStatus]
    GATHERING_STATUS_CLOSED: _ClassVar[GatheringStatus]
    GATHERING_STATUS_WITHDRAWN: _ClassVar[GatheringStatus]
    GATHERING_STATUS_NOT_REQUIRED: _ClassVar[GatheringStatus]

class RequestStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REQUEST_STATUS_UNSPECIFIED: _ClassVar[RequestStatus]
    REQUEST_STATUS_AWAITING: _ClassVar[RequestStatus]
    REQUEST_STATUS_RETURNED: _ClassVar[RequestStatus]
    REQUEST_STATUS_NOT_RETURNED: _ClassVar[RequestStatus]

class RequestSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REQUEST_SOURCE_UNSPECIFIED: _ClassVar[RequestSource]
    REQUEST_SOURCE_NOTIFICATION: _ClassVar[RequestSource]
    REQUEST_SOURCE_ADDED: _ClassVar[RequestSource]

class DueBasis(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DUE_BASIS_UNSPECIFIED: _ClassVar[DueBasis]
    DUE_BASIS_AWARENESS: _ClassVar[DueBasis]
    DUE_BASIS_PANEL_NOTIFICATION: _ClassVar[DueBasis]

class Involvement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INVOLVEMENT_UNSPECIFIED: _ClassVar[Involvement]
    INVOLVEMENT_INVOLVED: _ClassVar[Involvement]
    INVOLVEMENT_NOT_INVOLVED: _ClassVar[Involvement]

class ContactType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONTACT_TYPE_UNSPECIFIED: _ClassVar[ContactType]
    CONTACT_TYPE_HOME_VISIT: _ClassVar[ContactType]
    CONTACT_TYPE_APPOINTMENT: _ClassVar[ContactType]
    CONTACT_TYPE_CALL: _ClassVar[ContactType]
    CONTACT_TYPE_CALL_OUT: _ClassVar[ContactType]
    CONTACT_TYPE_EMERGENCY_ATTENDANCE: _ClassVar[ContactType]
    CONTACT_TYPE_ADMISSION: _ClassVar[ContactType]
    CONTACT_TYPE_REFERRAL: _ClassVar[ContactType]
    CONTACT_TYPE_STRATEGY_DISCUSSION: _ClassVar[ContactType]
    CONTACT_TYPE_MEETING: _ClassVar[ContactType]
    CONTACT_TYPE_ASSESSMENT: _ClassVar[ContactType]
    CONTACT_TYPE_MISSED_CONTACT: _ClassVar[ContactType]
    CONTACT_TYPE_CORRESPONDENCE: _ClassVar[ContactType]
    CONTACT_TYPE_SETTING_ATTENDANCE: _ClassVar[ContactType]
    CONTACT_TYPE_OTHER: _ClassVar[ContactType]

class ActedOn(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTED_ON_UNSPECIFIED: _ClassVar[ActedOn]
    ACTED_ON_YES: _ClassVar[ActedOn]
    ACTED_ON_PARTLY: _ClassVar[ActedOn]
    ACTED_ON_NO: _ClassVar[ActedOn]

class ActionSubject(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTION_SUBJECT_UNSPECIFIED: _ClassVar[ActionSubject]
    ACTION_SUBJECT_CHILD: _ClassVar[ActionSubject]
    ACTION_SUBJECT_SIBLING: _ClassVar[ActionSubject]
    ACTION_SUBJECT_OTHER_CHILDREN: _ClassVar[ActionSubject]
    ACTION_SUBJECT_AGENCY_PRACTICE: _ClassVar[ActionSubject]

class ConcernType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CONCERN_TYPE_UNSPECIFIED: _ClassVar[ConcernType]
    CONCERN_TYPE_INFORMATION_SHARING: _ClassVar[ConcernType]
    CONCERN_TYPE_REFERRAL: _ClassVar[ConcernType]
    CONCERN_TYPE_ESCALATION: _ClassVar[ConcernType]
    CONCERN_TYPE_JOINT_ASSESSMENT: _ClassVar[ConcernType]
    CONCERN_TYPE_SINGLE_AGENCY_PRACTICE: _ClassVar[ConcernType]
    CONCERN_TYPE_OTHER: _ClassVar[ConcernType]

class CollationTrigger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLLATION_TRIGGER_UNSPECIFIED: _ClassVar[CollationTrigger]
    COLLATION_TRIGGER_ALL_RETURNED: _ClassVar[CollationTrigger]
    COLLATION_TRIGGER_CLOSED_BY_BUSINESS_UNIT: _ClassVar[CollationTrigger]
    COLLATION_TRIGGER_RETURN_AMENDED: _ClassVar[CollationTrigger]

class HighlightKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HIGHLIGHT_KIND_UNSPECIFIED: _ClassVar[HighlightKind]
    HIGHLIGHT_KIND_MULTI_AGENCY_DAY: _ClassVar[HighlightKind]
    HIGHLIGHT_KIND_KEY_PRACTICE_EPISODE: _ClassVar[HighlightKind]
    HIGHLIGHT_KIND_POSSIBLE_DUPLICATE: _ClassVar[HighlightKind]

class ChaseDeliveryStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHASE_DELIVERY_STATUS_UNSPECIFIED: _ClassVar[ChaseDeliveryStatus]
    CHASE_DELIVERY_STATUS_PENDING: _ClassVar[ChaseDeliveryStatus]
    CHASE_DELIVERY_STATUS_SENT: _ClassVar[ChaseDeliveryStatus]
    CHASE_DELIVERY_STATUS_FAILED: _ClassVar[ChaseDeliveryStatus]
    CHASE_DELIVERY_STATUS_NO_CONTACT: _ClassVar[ChaseDeliveryStatus]
    CHASE_DELIVERY_STATUS_NOT_CONFIGURED: _ClassVar[ChaseDeliveryStatus]
GATHERING_STATUS_UNSPECIFIED: GatheringStatus
GATHERING_STATUS_OPEN: GatheringStatus
GATHERING_STATUS_CLOSED: GatheringStatus
GATHERING_STATUS_WITHDRAWN: GatheringStatus
GATHERING_STATUS_NOT_REQUIRED: GatheringStatus
REQUEST_STATUS_UNSPECIFIED: RequestStatus
REQUEST_STATUS_AWAITING: RequestStatus
REQUEST_STATUS_RETURNED: RequestStatus
REQUEST_STATUS_NOT_RETURNED: RequestStatus
REQUEST_SOURCE_UNSPECIFIED: RequestSource
REQUEST_SOURCE_NOTIFICATION: RequestSource
REQUEST_SOURCE_ADDED: RequestSource
DUE_BASIS_UNSPECIFIED: DueBasis
DUE_BASIS_AWARENESS: DueBasis
DUE_BASIS_PANEL_NOTIFICATION: DueBasis
INVOLVEMENT_UNSPECIFIED: Involvement
INVOLVEMENT_INVOLVED: Involvement
INVOLVEMENT_NOT_INVOLVED: Involvement
CONTACT_TYPE_UNSPECIFIED: ContactType
CONTACT_TYPE_HOME_VISIT: ContactType
CONTACT_TYPE_APPOINTMENT: ContactType
CONTACT_TYPE_CALL: ContactType
CONTACT_TYPE_CALL_OUT: ContactType
CONTACT_TYPE_EMERGENCY_ATTENDANCE: ContactType
CONTACT_TYPE_ADMISSION: ContactType
CONTACT_TYPE_REFERRAL: ContactType
CONTACT_TYPE_STRATEGY_DISCUSSION: ContactType
CONTACT_TYPE_MEETING: ContactType
CONTACT_TYPE_ASSESSMENT: ContactType
CONTACT_TYPE_MISSED_CONTACT: ContactType
CONTACT_TYPE_CORRESPONDENCE: ContactType
CONTACT_TYPE_SETTING_ATTENDANCE: ContactType
CONTACT_TYPE_OTHER: ContactType
ACTED_ON_UNSPECIFIED: ActedOn
ACTED_ON_YES: ActedOn
ACTED_ON_PARTLY: ActedOn
ACTED_ON_NO: ActedOn
ACTION_SUBJECT_UNSPECIFIED: ActionSubject
ACTION_SUBJECT_CHILD: ActionSubject
ACTION_SUBJECT_SIBLING: ActionSubject
ACTION_SUBJECT_OTHER_CHILDREN: ActionSubject
ACTION_SUBJECT_AGENCY_PRACTICE: ActionSubject
CONCERN_TYPE_UNSPECIFIED: ConcernType
CONCERN_TYPE_INFORMATION_SHARING: ConcernType
CONCERN_TYPE_REFERRAL: ConcernType
CONCERN_TYPE_ESCALATION: ConcernType
CONCERN_TYPE_JOINT_ASSESSMENT: ConcernType
CONCERN_TYPE_SINGLE_AGENCY_PRACTICE: ConcernType
CONCERN_TYPE_OTHER: ConcernType
COLLATION_TRIGGER_UNSPECIFIED: CollationTrigger
COLLATION_TRIGGER_ALL_RETURNED: CollationTrigger
COLLATION_TRIGGER_CLOSED_BY_BUSINESS_UNIT: CollationTrigger
COLLATION_TRIGGER_RETURN_AMENDED: CollationTrigger
HIGHLIGHT_KIND_UNSPECIFIED: HighlightKind
HIGHLIGHT_KIND_MULTI_AGENCY_DAY: HighlightKind
HIGHLIGHT_KIND_KEY_PRACTICE_EPISODE: HighlightKind
HIGHLIGHT_KIND_POSSIBLE_DUPLICATE: HighlightKind
CHASE_DELIVERY_STATUS_UNSPECIFIED: ChaseDeliveryStatus
CHASE_DELIVERY_STATUS_PENDING: ChaseDeliveryStatus
CHASE_DELIVERY_STATUS_SENT: ChaseDeliveryStatus
CHASE_DELIVERY_STATUS_FAILED: ChaseDeliveryStatus
CHASE_DELIVERY_STATUS_NO_CONTACT: ChaseDeliveryStatus
CHASE_DELIVERY_STATUS_NOT_CONFIGURED: ChaseDeliveryStatus

class Period(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class ChronologyEntry(_message.Message):
    __slots__ = ("date", "contact_type", "practitioner_role", "summary", "decisions", "entry_ref")
    DATE_FIELD_NUMBER: _ClassVar[int]
    CONTACT_TYPE_FIELD_NUMBER: _ClassVar[int]
    PRACTITIONER_ROLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    ENTRY_REF_FIELD_NUMBER: _ClassVar[int]
    date: str
    contact_type: ContactType
    practitioner_role: str
    summary: str
    decisions: str
    entry_ref: str
    def __init__(self, date: _Optional[str] = ..., contact_type: _Optional[_Union[ContactType, str]] = ..., practitioner_role: _Optional[str] = ..., summary: _Optional[str] = ..., decisions: _Optional[str] = ..., entry_ref: _Optional[str] = ...) -> None: ...

class KeyPracticeEpisode(_message.Message):
    __slots__ = ("title", "period", "description")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    title: str
    period: Period
    description: str
    def __init__(self, title: _Optional[str] = ..., period: _Optional[_Union[Period, _Mapping]] = ..., description: _Optional[str] = ...) -> None: ...

class GoodPractice(_message.Message):
    __slots__ = ("date", "description")
    DATE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    date: str
    description: str
    def __init__(self, date: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class Learning(_message.Message):
    __slots__ = ("description", "themes", "already_identified", "acted_on", "earlier_reviews")
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    THEMES_FIELD_NUMBER: _ClassVar[int]
    ALREADY_IDENTIFIED_FIELD_NUMBER: _ClassVar[int]
    ACTED_ON_FIELD_NUMBER: _ClassVar[int]
    EARLIER_REVIEWS_FIELD_NUMBER: _ClassVar[int]
    description: str
    themes: _containers.RepeatedScalarFieldContainer[str]
    already_identified: bool
    acted_on: ActedOn
    earlier_reviews: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, description: _Optional[str] = ..., themes: _Optional[_Iterable[str]] = ..., already_identified: _Optional[bool] = ..., acted_on: _Optional[_Union[ActedOn, str]] = ..., earlier_reviews: _Optional[_Iterable[str]] = ...) -> None: ...

class ImmediateAction(_message.Message):
    __slots__ = ("date", "subject", "description", "completed")
    DATE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    date: str
    subject: ActionSubject
    description: str
    completed: bool
    def __init__(self, date: _Optional[str] = ..., subject: _Optional[_Union[ActionSubject, str]] = ..., description: _Optional[str] = ..., completed: _Optional[bool] = ...) -> None: ...

class WorkingTogetherConcern(_message.Message):
    __slots__ = ("type", "about_agencies", "description")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ABOUT_AGENCIES_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    type: ConcernType
    about_agencies: _containers.RepeatedScalarFieldContainer[str]
    description: str
    def __init__(self, type: _Optional[_Union[ConcernType, str]] = ..., about_agencies: _Optional[_Iterable[str]] = ..., description: _Optional[str] = ...) -> None: ...

class AgencyReturn(_message.Message):
    __slots__ = ("agency", "involvement", "involvement_period", "involvement_summary", "chronology", "key_practice_episodes", "good_practice", "learning", "immediate_actions", "concerns", "family_context", "completed_by_role")
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENT_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENT_PERIOD_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENT_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_FIELD_NUMBER: _ClassVar[int]
    KEY_PRACTICE_EPISODES_FIELD_NUMBER: _ClassVar[int]
    GOOD_PRACTICE_FIELD_NUMBER: _ClassVar[int]
    LEARNING_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    CONCERNS_FIELD_NUMBER: _ClassVar[int]
    FAMILY_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_BY_ROLE_FIELD_NUMBER: _ClassVar[int]
    agency: _common_pb2.Agency
    involvement: Involvement
    involvement_period: Period
    involvement_summary: str
    chronology: _containers.RepeatedCompositeFieldContainer[ChronologyEntry]
    key_practice_episodes: _containers.RepeatedCompositeFieldContainer[KeyPracticeEpisode]
    good_practice: _containers.RepeatedCompositeFieldContainer[GoodPractice]
    learning: _containers.RepeatedCompositeFieldContainer[Learning]
    immediate_actions: _containers.RepeatedCompositeFieldContainer[ImmediateAction]
    concerns: _containers.RepeatedCompositeFieldContainer[WorkingTogetherConcern]
    family_context: str
    completed_by_role: str
    def __init__(self, agency: _Optional[_Union[_common_pb2.Agency, _Mapping]] = ..., involvement: _Optional[_Union[Involvement, str]] = ..., involvement_period: _Optional[_Union[Period, _Mapping]] = ..., involvement_summary: _Optional[str] = ..., chronology: _Optional[_Iterable[_Union[ChronologyEntry, _Mapping]]] = ..., key_practice_episodes: _Optional[_Iterable[_Union[KeyPracticeEpisode, _Mapping]]] = ..., good_practice: _Optional[_Iterable[_Union[GoodPractice, _Mapping]]] = ..., learning: _Optional[_Iterable[_Union[Learning, _Mapping]]] = ..., immediate_actions: _Optional[_Iterable[_Union[ImmediateAction, _Mapping]]] = ..., concerns: _Optional[_Iterable[_Union[WorkingTogetherConcern, _Mapping]]] = ..., family_context: _Optional[str] = ..., completed_by_role: _Optional[str] = ...) -> None: ...

class AgencyReturnVersion(_message.Message):
    __slots__ = ("version", "submitted_at", "submitted_by", "submitted_on", "late", "return_ref", "agency_return")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_BY_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_ON_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    RETURN_REF_FIELD_NUMBER: _ClassVar[int]
    AGENCY_RETURN_FIELD_NUMBER: _ClassVar[int]
    version: int
    submitted_at: _timestamp_pb2.Timestamp
    submitted_by: str
    submitted_on: str
    late: bool
    return_ref: str
    agency_return: AgencyReturn
    def __init__(self, version: _Optional[int] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submitted_by: _Optional[str] = ..., submitted_on: _Optional[str] = ..., late: _Optional[bool] = ..., return_ref: _Optional[str] = ..., agency_return: _Optional[_Union[AgencyReturn, _Mapping]] = ...) -> None: ...

class InformationRequest(_message.Message):
    __slots__ = ("case_id", "agency", "status", "source", "clock", "due_basis", "opened_on", "latest_version", "return_ref", "last_chased_on", "chase_count")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    CLOCK_FIELD_NUMBER: _ClassVar[int]
    DUE_BASIS_FIELD_NUMBER: _ClassVar[int]
    OPENED_ON_FIELD_NUMBER: _ClassVar[int]
    LATEST_VERSION_FIELD_NUMBER: _ClassVar[int]
    RETURN_REF_FIELD_NUMBER: _ClassVar[int]
    LAST_CHASED_ON_FIELD_NUMBER: _ClassVar[int]
    CHASE_COUNT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agency: _common_pb2.Agency
    status: RequestStatus
    source: RequestSource
    clock: _common_pb2.Clock
    due_basis: DueBasis
    opened_on: str
    latest_version: int
    return_ref: str
    last_chased_on: str
    chase_count: int
    def __init__(self, case_id: _Optional[str] = ..., agency: _Optional[_Union[_common_pb2.Agency, _Mapping]] = ..., status: _Optional[_Union[RequestStatus, str]] = ..., source: _Optional[_Union[RequestSource, str]] = ..., clock: _Optional[_Union[_common_pb2.Clock, _Mapping]] = ..., due_basis: _Optional[_Union[DueBasis, str]] = ..., opened_on: _Optional[str] = ..., latest_version: _Optional[int] = ..., return_ref: _Optional[str] = ..., last_chased_on: _Optional[str] = ..., chase_count: _Optional[int] = ...) -> None: ...

class AgencyContribution(_message.Message):
    __slots__ = ("agency", "request_status", "involvement", "involvement_period", "involvement_summary", "version", "return_ref", "returned_on", "late", "due", "concerns", "learning", "good_practice_count", "immediate_actions", "chronology_entry_count", "key_practice_episode_count", "first_contact", "last_contact", "concern_count", "learning_count", "immediate_action_count")
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_STATUS_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENT_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENT_PERIOD_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENT_SUMMARY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RETURN_REF_FIELD_NUMBER: _ClassVar[int]
    RETURNED_ON_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    CONCERNS_FIELD_NUMBER: _ClassVar[int]
    LEARNING_FIELD_NUMBER: _ClassVar[int]
    GOOD_PRACTICE_COUNT_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_ENTRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    KEY_PRACTICE_EPISODE_COUNT_FIELD_NUMBER: _ClassVar[int]
    FIRST_CONTACT_FIELD_NUMBER: _ClassVar[int]
    LAST_CONTACT_FIELD_NUMBER: _ClassVar[int]
    CONCERN_COUNT_FIELD_NUMBER: _ClassVar[int]
    LEARNING_COUNT_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_ACTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    agency: _common_pb2.Agency
    request_status: RequestStatus
    involvement: Involvement
    involvement_period: Period
    involvement_summary: str
    version: int
    return_ref: str
    returned_on: str
    late: bool
    due: str
    concerns: _containers.RepeatedCompositeFieldContainer[ConcernSummary]
    learning: _containers.RepeatedCompositeFieldContainer[LearningSummary]
    good_practice_count: int
    immediate_actions: _containers.RepeatedCompositeFieldContainer[ImmediateActionSummary]
    chronology_entry_count: int
    key_practice_episode_count: int
    first_contact: str
    last_contact: str
    concern_count: int
    learning_count: int
    immediate_action_count: int
    def __init__(self, agency: _Optional[_Union[_common_pb2.Agency, _Mapping]] = ..., request_status: _Optional[_Union[RequestStatus, str]] = ..., involvement: _Optional[_Union[Involvement, str]] = ..., involvement_period: _Optional[_Union[Period, _Mapping]] = ..., involvement_summary: _Optional[str] = ..., version: _Optional[int] = ..., return_ref: _Optional[str] = ..., returned_on: _Optional[str] = ..., late: _Optional[bool] = ..., due: _Optional[str] = ..., concerns: _Optional[_Iterable[_Union[ConcernSummary, _Mapping]]] = ..., learning: _Optional[_Iterable[_Union[LearningSummary, _Mapping]]] = ..., good_practice_count: _Optional[int] = ..., immediate_actions: _Optional[_Iterable[_Union[ImmediateActionSummary, _Mapping]]] = ..., chronology_entry_count: _Optional[int] = ..., key_practice_episode_count: _Optional[int] = ..., first_contact: _Optional[str] = ..., last_contact: _Optional[str] = ..., concern_count: _Optional[int] = ..., learning_count: _Optional[int] = ..., immediate_action_count: _Optional[int] = ...) -> None: ...

class ConcernSummary(_message.Message):
    __slots__ = ("type", "about_agencies", "evidence_ref")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ABOUT_AGENCIES_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    type: ConcernType
    about_agencies: _containers.RepeatedScalarFieldContainer[str]
    evidence_ref: str
    def __init__(self, type: _Optional[_Union[ConcernType, str]] = ..., about_agencies: _Optional[_Iterable[str]] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class LearningSummary(_message.Message):
    __slots__ = ("themes", "already_identified", "acted_on", "earlier_reviews", "evidence_ref")
    THEMES_FIELD_NUMBER: _ClassVar[int]
    ALREADY_IDENTIFIED_FIELD_NUMBER: _ClassVar[int]
    ACTED_ON_FIELD_NUMBER: _ClassVar[int]
    EARLIER_REVIEWS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    themes: _containers.RepeatedScalarFieldContainer[str]
    already_identified: bool
    acted_on: ActedOn
    earlier_reviews: _containers.RepeatedScalarFieldContainer[str]
    evidence_ref: str
    def __init__(self, themes: _Optional[_Iterable[str]] = ..., already_identified: _Optional[bool] = ..., acted_on: _Optional[_Union[ActedOn, str]] = ..., earlier_reviews: _Optional[_Iterable[str]] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class ImmediateActionSummary(_message.Message):
    __slots__ = ("date", "subject", "completed", "evidence_ref")
    DATE_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    date: str
    subject: ActionSubject
    completed: bool
    evidence_ref: str
    def __init__(self, date: _Optional[str] = ..., subject: _Optional[_Union[ActionSubject, str]] = ..., completed: _Optional[bool] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class CollatedChronologyEntry(_message.Message):
    __slots__ = ("agency_id", "agency_name", "entry", "evidence_ref", "possible_duplicate_of")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_NAME_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    POSSIBLE_DUPLICATE_OF_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    agency_name: str
    entry: ChronologyEntry
    evidence_ref: str
    possible_duplicate_of: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, agency_id: _Optional[str] = ..., agency_name: _Optional[str] = ..., entry: _Optional[_Union[ChronologyEntry, _Mapping]] = ..., evidence_ref: _Optional[str] = ..., possible_duplicate_of: _Optional[_Iterable[str]] = ...) -> None: ...

class ChronologyDay(_message.Message):
    __slots__ = ("date", "entries", "agency_ids")
    DATE_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    AGENCY_IDS_FIELD_NUMBER: _ClassVar[int]
    date: str
    entries: _containers.RepeatedCompositeFieldContainer[CollatedChronologyEntry]
    agency_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[CollatedChronologyEntry, _Mapping]]] = ..., agency_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CollatedKeyPracticeEpisode(_message.Message):
    __slots__ = ("agency_id", "episode", "evidence_ref")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    EPISODE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    episode: KeyPracticeEpisode
    evidence_ref: str
    def __init__(self, agency_id: _Optional[str] = ..., episode: _Optional[_Union[KeyPracticeEpisode, _Mapping]] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class CollatedGoodPractice(_message.Message):
    __slots__ = ("agency_id", "good_practice", "evidence_ref")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    GOOD_PRACTICE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    good_practice: GoodPractice
    evidence_ref: str
    def __init__(self, agency_id: _Optional[str] = ..., good_practice: _Optional[_Union[GoodPractice, _Mapping]] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class CollatedLearning(_message.Message):
    __slots__ = ("agency_id", "learning", "evidence_ref")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    LEARNING_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    learning: Learning
    evidence_ref: str
    def __init__(self, agency_id: _Optional[str] = ..., learning: _Optional[_Union[Learning, _Mapping]] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class LearningThemeGroup(_message.Message):
    __slots__ = ("theme", "agency_ids", "items")
    THEME_FIELD_NUMBER: _ClassVar[int]
    AGENCY_IDS_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    theme: str
    agency_ids: _containers.RepeatedScalarFieldContainer[str]
    items: _containers.RepeatedCompositeFieldContainer[CollatedLearning]
    def __init__(self, theme: _Optional[str] = ..., agency_ids: _Optional[_Iterable[str]] = ..., items: _Optional[_Iterable[_Union[CollatedLearning, _Mapping]]] = ...) -> None: ...

class LearningThemeSummary(_message.Message):
    __slots__ = ("theme", "agency_ids", "evidence_refs")
    THEME_FIELD_NUMBER: _ClassVar[int]
    AGENCY_IDS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REFS_FIELD_NUMBER: _ClassVar[int]
    theme: str
    agency_ids: _containers.RepeatedScalarFieldContainer[str]
    evidence_refs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, theme: _Optional[str] = ..., agency_ids: _Optional[_Iterable[str]] = ..., evidence_refs: _Optional[_Iterable[str]] = ...) -> None: ...

class CollatedConcern(_message.Message):
    __slots__ = ("agency_id", "concern", "evidence_ref", "about_agencies_without_request")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    CONCERN_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    ABOUT_AGENCIES_WITHOUT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    concern: WorkingTogetherConcern
    evidence_ref: str
    about_agencies_without_request: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, agency_id: _Optional[str] = ..., concern: _Optional[_Union[WorkingTogetherConcern, _Mapping]] = ..., evidence_ref: _Optional[str] = ..., about_agencies_without_request: _Optional[_Iterable[str]] = ...) -> None: ...

class CollatedImmediateAction(_message.Message):
    __slots__ = ("agency_id", "action", "evidence_ref")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    action: ImmediateAction
    evidence_ref: str
    def __init__(self, agency_id: _Optional[str] = ..., action: _Optional[_Union[ImmediateAction, _Mapping]] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class ChronologyHighlight(_message.Message):
    __slots__ = ("date", "kind", "agency_ids", "evidence_refs")
    DATE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AGENCY_IDS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REFS_FIELD_NUMBER: _ClassVar[int]
    date: str
    kind: HighlightKind
    agency_ids: _containers.RepeatedScalarFieldContainer[str]
    evidence_refs: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, date: _Optional[str] = ..., kind: _Optional[_Union[HighlightKind, str]] = ..., agency_ids: _Optional[_Iterable[str]] = ..., evidence_refs: _Optional[_Iterable[str]] = ...) -> None: ...

class Completeness(_message.Message):
    __slots__ = ("requested", "returned", "missing", "late", "overdue")
    REQUESTED_FIELD_NUMBER: _ClassVar[int]
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    requested: int
    returned: int
    missing: int
    late: int
    overdue: int
    def __init__(self, requested: _Optional[int] = ..., returned: _Optional[int] = ..., missing: _Optional[int] = ..., late: _Optional[int] = ..., overdue: _Optional[int] = ...) -> None: ...

class CollatedInformation(_message.Message):
    __slots__ = ("case_id", "partnership", "status", "collation_version", "partial", "completeness", "missing_agencies", "agencies", "chronology", "key_practice_episodes", "good_practice", "learning_by_theme", "concerns", "immediate_actions", "agencies_named_without_request", "chronology_highlights", "collated_at")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COLLATION_VERSION_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    COMPLETENESS_FIELD_NUMBER: _ClassVar[int]
    MISSING_AGENCIES_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_FIELD_NUMBER: _ClassVar[int]
    KEY_PRACTICE_EPISODES_FIELD_NUMBER: _ClassVar[int]
    GOOD_PRACTICE_FIELD_NUMBER: _ClassVar[int]
    LEARNING_BY_THEME_FIELD_NUMBER: _ClassVar[int]
    CONCERNS_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_NAMED_WITHOUT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    COLLATED_AT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    partnership: str
    status: GatheringStatus
    collation_version: int
    partial: bool
    completeness: Completeness
    missing_agencies: _containers.RepeatedCompositeFieldContainer[_common_pb2.Agency]
    agencies: _containers.RepeatedCompositeFieldContainer[AgencyContribution]
    chronology: _containers.RepeatedCompositeFieldContainer[ChronologyDay]
    key_practice_episodes: _containers.RepeatedCompositeFieldContainer[CollatedKeyPracticeEpisode]
    good_practice: _containers.RepeatedCompositeFieldContainer[CollatedGoodPractice]
    learning_by_theme: _containers.RepeatedCompositeFieldContainer[LearningThemeGroup]
    concerns: _containers.RepeatedCompositeFieldContainer[CollatedConcern]
    immediate_actions: _containers.RepeatedCompositeFieldContainer[CollatedImmediateAction]
    agencies_named_without_request: _containers.RepeatedScalarFieldContainer[str]
    chronology_highlights: _containers.RepeatedCompositeFieldContainer[ChronologyHighlight]
    collated_at: _timestamp_pb2.Timestamp
    def __init__(self, case_id: _Optional[str] = ..., partnership: _Optional[str] = ..., status: _Optional[_Union[GatheringStatus, str]] = ..., collation_version: _Optional[int] = ..., partial: _Optional[bool] = ..., completeness: _Optional[_Union[Completeness, _Mapping]] = ..., missing_agencies: _Optional[_Iterable[_Union[_common_pb2.Agency, _Mapping]]] = ..., agencies: _Optional[_Iterable[_Union[AgencyContribution, _Mapping]]] = ..., chronology: _Optional[_Iterable[_Union[ChronologyDay, _Mapping]]] = ..., key_practice_episodes: _Optional[_Iterable[_Union[CollatedKeyPracticeEpisode, _Mapping]]] = ..., good_practice: _Optional[_Iterable[_Union[CollatedGoodPractice, _Mapping]]] = ..., learning_by_theme: _Optional[_Iterable[_Union[LearningThemeGroup, _Mapping]]] = ..., concerns: _Optional[_Iterable[_Union[CollatedConcern, _Mapping]]] = ..., immediate_actions: _Optional[_Iterable[_Union[CollatedImmediateAction, _Mapping]]] = ..., agencies_named_without_request: _Optional[_Iterable[str]] = ..., chronology_highlights: _Optional[_Iterable[_Union[ChronologyHighlight, _Mapping]]] = ..., collated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class OpenRequestsRequest(_message.Message):
    __slots__ = ("case_id", "agencies")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agencies: _containers.RepeatedCompositeFieldContainer[_common_pb2.Agency]
    def __init__(self, case_id: _Optional[str] = ..., agencies: _Optional[_Iterable[_Union[_common_pb2.Agency, _Mapping]]] = ...) -> None: ...

class OpenRequestsResponse(_message.Message):
    __slots__ = ("requests", "opened_agency_ids")
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    OPENED_AGENCY_IDS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[InformationRequest]
    opened_agency_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, requests: _Optional[_Iterable[_Union[InformationRequest, _Mapping]]] = ..., opened_agency_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class AddAgencyRequest(_message.Message):
    __slots__ = ("case_id", "agency")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agency: _common_pb2.Agency
    def __init__(self, case_id: _Optional[str] = ..., agency: _Optional[_Union[_common_pb2.Agency, _Mapping]] = ...) -> None: ...

class AddAgencyResponse(_message.Message):
    __slots__ = ("request", "opened")
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    OPENED_FIELD_NUMBER: _ClassVar[int]
    request: InformationRequest
    opened: bool
    def __init__(self, request: _Optional[_Union[InformationRequest, _Mapping]] = ..., opened: _Optional[bool] = ...) -> None: ...

class SubmitAgencyReturnRequest(_message.Message):
    __slots__ = ("case_id", "agency_return")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_RETURN_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agency_return: AgencyReturn
    def __init__(self, case_id: _Optional[str] = ..., agency_return: _Optional[_Union[AgencyReturn, _Mapping]] = ...) -> None: ...

class SubmitAgencyReturnResponse(_message.Message):
    __slots__ = ("version", "request", "replayed", "collated")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    COLLATED_FIELD_NUMBER: _ClassVar[int]
    version: AgencyReturnVersion
    request: InformationRequest
    replayed: bool
    collated: bool
    def __init__(self, version: _Optional[_Union[AgencyReturnVersion, _Mapping]] = ..., request: _Optional[_Union[InformationRequest, _Mapping]] = ..., replayed: _Optional[bool] = ..., collated: _Optional[bool] = ...) -> None: ...

class GetRequestStatusRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class GetRequestStatusResponse(_message.Message):
    __slots__ = ("case_id", "status", "requests", "completeness")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    COMPLETENESS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    status: GatheringStatus
    requests: _containers.RepeatedCompositeFieldContainer[InformationRequest]
    completeness: Completeness
    def __init__(self, case_id: _Optional[str] = ..., status: _Optional[_Union[GatheringStatus, str]] = ..., requests: _Optional[_Iterable[_Union[InformationRequest, _Mapping]]] = ..., completeness: _Optional[_Union[Completeness, _Mapping]] = ...) -> None: ...

class GetAgencyReturnRequest(_message.Message):
    __slots__ = ("case_id", "agency_id", "version")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agency_id: str
    version: int
    def __init__(self, case_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetAgencyReturnResponse(_message.Message):
    __slots__ = ("version", "versions", "request")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    version: AgencyReturnVersion
    versions: _containers.RepeatedCompositeFieldContainer[AgencyReturnVersion]
    request: InformationRequest
    def __init__(self, version: _Optional[_Union[AgencyReturnVersion, _Mapping]] = ..., versions: _Optional[_Iterable[_Union[AgencyReturnVersion, _Mapping]]] = ..., request: _Optional[_Union[InformationRequest, _Mapping]] = ...) -> None: ...

class ListOverdueRequestsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListOverdueRequestsResponse(_message.Message):
    __slots__ = ("requests", "next_page_token")
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[InformationRequest]
    next_page_token: str
    def __init__(self, requests: _Optional[_Iterable[_Union[InformationRequest, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetCollatedInformationRequest(_message.Message):
    __slots__ = ("case_id", "chronology_page_size", "chronology_page_token")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    chronology_page_size: int
    chronology_page_token: str
    def __init__(self, case_id: _Optional[str] = ..., chronology_page_size: _Optional[int] = ..., chronology_page_token: _Optional[str] = ...) -> None: ...

class GetCollatedInformationResponse(_message.Message):
    __slots__ = ("collated", "next_chronology_page_token")
    COLLATED_FIELD_NUMBER: _ClassVar[int]
    NEXT_CHRONOLOGY_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    collated: CollatedInformation
    next_chronology_page_token: str
    def __init__(self, collated: _Optional[_Union[CollatedInformation, _Mapping]] = ..., next_chronology_page_token: _Optional[str] = ...) -> None: ...

class CloseGatheringRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class CloseGatheringResponse(_message.Message):
    __slots__ = ("collated",)
    COLLATED_FIELD_NUMBER: _ClassVar[int]
    collated: CollatedInformation
    def __init__(self, collated: _Optional[_Union[CollatedInformation, _Mapping]] = ...) -> None: ...

class ReopenGatheringRequest(_message.Message):
    __slots__ = ("case_id", "reason")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reason: str
    def __init__(self, case_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ReopenGatheringResponse(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: GetRequestStatusResponse
    def __init__(self, status: _Optional[_Union[GetRequestStatusResponse, _Mapping]] = ...) -> None: ...

class AgencyChase(_message.Message):
    __slots__ = ("chase_id", "agency_id", "chased_on", "chased_at", "chased_by", "delivery_status")
    CHASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    CHASED_ON_FIELD_NUMBER: _ClassVar[int]
    CHASED_AT_FIELD_NUMBER: _ClassVar[int]
    CHASED_BY_FIELD_NUMBER: _ClassVar[int]
    DELIVERY_STATUS_FIELD_NUMBER: _ClassVar[int]
    chase_id: str
    agency_id: str
    chased_on: str
    chased_at: _timestamp_pb2.Timestamp
    chased_by: str
    delivery_status: ChaseDeliveryStatus
    def __init__(self, chase_id: _Optional[str] = ..., agency_id: _Optional[str] = ..., chased_on: _Optional[str] = ..., chased_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., chased_by: _Optional[str] = ..., delivery_status: _Optional[_Union[ChaseDeliveryStatus, str]] = ...) -> None: ...

class ChaseAgencyRequest(_message.Message):
    __slots__ = ("case_id", "agency_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agency_id: str
    def __init__(self, case_id: _Optional[str] = ..., agency_id: _Optional[str] = ...) -> None: ...

class ChaseAgencyResponse(_message.Message):
    __slots__ = ("chase", "request", "replayed")
    CHASE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    chase: AgencyChase
    request: InformationRequest
    replayed: bool
    def __init__(self, chase: _Optional[_Union[AgencyChase, _Mapping]] = ..., request: _Optional[_Union[InformationRequest, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class AgencyRequestOpened(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: InformationRequest
    def __init__(self, request: _Optional[_Union[InformationRequest, _Mapping]] = ...) -> None: ...

class AgencyReturnSubmitted(_message.Message):
    __slots__ = ("case_id", "agency", "version", "return_ref", "late", "involvement", "submitted_on", "outstanding")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RETURN_REF_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    INVOLVEMENT_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_ON_FIELD_NUMBER: _ClassVar[int]
    OUTSTANDING_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agency: _common_pb2.Agency
    version: int
    return_ref: str
    late: bool
    involvement: Involvement
    submitted_on: str
    outstanding: int
    def __init__(self, case_id: _Optional[str] = ..., agency: _Optional[_Union[_common_pb2.Agency, _Mapping]] = ..., version: _Optional[int] = ..., return_ref: _Optional[str] = ..., late: _Optional[bool] = ..., involvement: _Optional[_Union[Involvement, str]] = ..., submitted_on: _Optional[str] = ..., outstanding: _Optional[int] = ...) -> None: ...

class InformationCollated(_message.Message):
    __slots__ = ("case_id", "partnership", "collation_version", "trigger", "partial", "completeness", "missing_agencies", "agencies", "learning_themes", "chronology_highlights", "chronology_highlights_truncated", "agencies_named_without_request", "collated_at", "items_truncated")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    COLLATION_VERSION_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    COMPLETENESS_FIELD_NUMBER: _ClassVar[int]
    MISSING_AGENCIES_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    LEARNING_THEMES_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_HIGHLIGHTS_FIELD_NUMBER: _ClassVar[int]
    CHRONOLOGY_HIGHLIGHTS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_NAMED_WITHOUT_REQUEST_FIELD_NUMBER: _ClassVar[int]
    COLLATED_AT_FIELD_NUMBER: _ClassVar[int]
    ITEMS_TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    partnership: str
    collation_version: int
    trigger: CollationTrigger
    partial: bool
    completeness: Completeness
    missing_agencies: _containers.RepeatedCompositeFieldContainer[_common_pb2.Agency]
    agencies: _containers.RepeatedCompositeFieldContainer[AgencyContribution]
    learning_themes: _containers.RepeatedCompositeFieldContainer[LearningThemeSummary]
    chronology_highlights: _containers.RepeatedCompositeFieldContainer[ChronologyHighlight]
    chronology_highlights_truncated: bool
    agencies_named_without_request: _containers.RepeatedScalarFieldContainer[str]
    collated_at: _timestamp_pb2.Timestamp
    items_truncated: bool
    def __init__(self, case_id: _Optional[str] = ..., partnership: _Optional[str] = ..., collation_version: _Optional[int] = ..., trigger: _Optional[_Union[CollationTrigger, str]] = ..., partial: _Optional[bool] = ..., completeness: _Optional[_Union[Completeness, _Mapping]] = ..., missing_agencies: _Optional[_Iterable[_Union[_common_pb2.Agency, _Mapping]]] = ..., agencies: _Optional[_Iterable[_Union[AgencyContribution, _Mapping]]] = ..., learning_themes: _Optional[_Iterable[_Union[LearningThemeSummary, _Mapping]]] = ..., chronology_highlights: _Optional[_Iterable[_Union[ChronologyHighlight, _Mapping]]] = ..., chronology_highlights_truncated: _Optional[bool] = ..., agencies_named_without_request: _Optional[_Iterable[str]] = ..., collated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., items_truncated: _Optional[bool] = ...) -> None: ...

class AgencyChased(_message.Message):
    __slots__ = ("case_id", "agency", "chase_id", "chased_on", "due", "working_days_left")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    CHASE_ID_FIELD_NUMBER: _ClassVar[int]
    CHASED_ON_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_LEFT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    agency: _common_pb2.Agency
    chase_id: str
    chased_on: str
    due: str
    working_days_left: int
    def __init__(self, case_id: _Optional[str] = ..., agency: _Optional[_Union[_common_pb2.Agency, _Mapping]] = ..., chase_id: _Optional[str] = ..., chased_on: _Optional[str] = ..., due: _Optional[str] = ..., working_days_left: _Optional[int] = ...) -> None: ...

class GatheringReopened(_message.Message):
    __slots__ = ("case_id", "reopened_on")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    REOPENED_ON_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    reopened_on: str
    def __init__(self, case_id: _Optional[str] = ..., reopened_on: _Optional[str] = ...) -> None: ...
