from rapidreview.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChildFacts(_message.Message):
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

class ConcernFacts(_message.Message):
    __slots__ = ("type", "about_agencies", "evidence_ref")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ABOUT_AGENCIES_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    type: str
    about_agencies: _containers.RepeatedScalarFieldContainer[str]
    evidence_ref: str
    def __init__(self, type: _Optional[str] = ..., about_agencies: _Optional[_Iterable[str]] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class LearningFacts(_message.Message):
    __slots__ = ("themes", "already_identified", "acted_on", "evidence_ref")
    THEMES_FIELD_NUMBER: _ClassVar[int]
    ALREADY_IDENTIFIED_FIELD_NUMBER: _ClassVar[int]
    ACTED_ON_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_REF_FIELD_NUMBER: _ClassVar[int]
    themes: _containers.RepeatedScalarFieldContainer[str]
    already_identified: bool
    acted_on: str
    evidence_ref: str
    def __init__(self, themes: _Optional[_Iterable[str]] = ..., already_identified: _Optional[bool] = ..., acted_on: _Optional[str] = ..., evidence_ref: _Optional[str] = ...) -> None: ...

class AgencyFacts(_message.Message):
    __slots__ = ("agency", "involved", "returned", "concerns", "learning", "good_practice_count", "immediate_action_count", "return_ref")
    AGENCY_FIELD_NUMBER: _ClassVar[int]
    INVOLVED_FIELD_NUMBER: _ClassVar[int]
    RETURNED_FIELD_NUMBER: _ClassVar[int]
    CONCERNS_FIELD_NUMBER: _ClassVar[int]
    LEARNING_FIELD_NUMBER: _ClassVar[int]
    GOOD_PRACTICE_COUNT_FIELD_NUMBER: _ClassVar[int]
    IMMEDIATE_ACTION_COUNT_FIELD_NUMBER: _ClassVar[int]
    RETURN_REF_FIELD_NUMBER: _ClassVar[int]
    agency: _common_pb2.Agency
    involved: bool
    returned: bool
    concerns: _containers.RepeatedCompositeFieldContainer[ConcernFacts]
    learning: _containers.RepeatedCompositeFieldContainer[LearningFacts]
    good_practice_count: int
    immediate_action_count: int
    return_ref: str
    def __init__(self, agency: _Optional[_Union[_common_pb2.Agency, _Mapping]] = ..., involved: _Optional[bool] = ..., returned: _Optional[bool] = ..., concerns: _Optional[_Iterable[_Union[ConcernFacts, _Mapping]]] = ..., learning: _Optional[_Iterable[_Union[LearningFacts, _Mapping]]] = ..., good_practice_count: _Optional[int] = ..., immediate_action_count: _Optional[int] = ..., return_ref: _Optional[str] = ...) -> None: ...

class EarlierReview(_message.Message):
    __slots__ = ("review_id", "year", "themes", "title", "publisher", "national", "list_version")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    THEMES_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PUBLISHER_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    year: int
    themes: _containers.RepeatedScalarFieldContainer[str]
    title: str
    publisher: str
    national: bool
    list_version: str
    def __init__(self, review_id: _Optional[str] = ..., year: _Optional[int] = ..., themes: _Optional[_Iterable[str]] = ..., title: _Optional[str] = ..., publisher: _Optional[str] = ..., national: _Optional[bool] = ..., list_version: _Optional[str] = ...) -> None: ...

class ClockExtensionFacts(_message.Message):
    __slots__ = ("clock_id", "extended_to")
    CLOCK_ID_FIELD_NUMBER: _ClassVar[int]
    EXTENDED_TO_FIELD_NUMBER: _ClassVar[int]
    clock_id: str
    extended_to: str
    def __init__(self, clock_id: _Optional[str] = ..., extended_to: _Optional[str] = ...) -> None: ...

class CaseFacts(_message.Message):
    __slots__ = ("case_id", "partnership", "la_aware_date", "panel_notification_sent_date", "incident_date", "notifying_la", "incident_la", "incident_country", "home_la", "child", "nature", "died", "seriously_harmed", "recovered", "harm_domains", "abuse_or_neglect", "setting", "agencies", "no_agency_involvement_concern", "panel_response", "earlier_reviews", "withdrawn", "returns_missing", "family_moved_between_areas", "rapid_review_sent_date", "referred_by", "clock_extensions")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    LA_AWARE_DATE_FIELD_NUMBER: _ClassVar[int]
    PANEL_NOTIFICATION_SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_DATE_FIELD_NUMBER: _ClassVar[int]
    NOTIFYING_LA_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_LA_FIELD_NUMBER: _ClassVar[int]
    INCIDENT_COUNTRY_FIELD_NUMBER: _ClassVar[int]
    HOME_LA_FIELD_NUMBER: _ClassVar[int]
    CHILD_FIELD_NUMBER: _ClassVar[int]
    NATURE_FIELD_NUMBER: _ClassVar[int]
    DIED_FIELD_NUMBER: _ClassVar[int]
    SERIOUSLY_HARMED_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_FIELD_NUMBER: _ClassVar[int]
    HARM_DOMAINS_FIELD_NUMBER: _ClassVar[int]
    ABUSE_OR_NEGLECT_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    AGENCIES_FIELD_NUMBER: _ClassVar[int]
    NO_AGENCY_INVOLVEMENT_CONCERN_FIELD_NUMBER: _ClassVar[int]
    PANEL_RESPONSE_FIELD_NUMBER: _ClassVar[int]
    EARLIER_REVIEWS_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_FIELD_NUMBER: _ClassVar[int]
    RETURNS_MISSING_FIELD_NUMBER: _ClassVar[int]
    FAMILY_MOVED_BETWEEN_AREAS_FIELD_NUMBER: _ClassVar[int]
    RAPID_REVIEW_SENT_DATE_FIELD_NUMBER: _ClassVar[int]
    REFERRED_BY_FIELD_NUMBER: _ClassVar[int]
    CLOCK_EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    partnership: str
    la_aware_date: str
    panel_notification_sent_date: str
    incident_date: str
    notifying_la: str
    incident_la: str
    incident_country: _common_pb2.Country
    home_la: str
    child: ChildFacts
    nature: _common_pb2.Nature
    died: bool
    seriously_harmed: bool
    recovered: bool
    harm_domains: _containers.RepeatedScalarFieldContainer[_common_pb2.HarmDomain]
    abuse_or_neglect: _common_pb2.AbuseOrNeglect
    setting: _common_pb2.Setting
    agencies: _containers.RepeatedCompositeFieldContainer[AgencyFacts]
    no_agency_involvement_concern: bool
    panel_response: str
    earlier_reviews: _containers.RepeatedCompositeFieldContainer[EarlierReview]
    withdrawn: bool
    returns_missing: int
    family_moved_between_areas: bool
    rapid_review_sent_date: str
    referred_by: str
    clock_extensions: _containers.RepeatedCompositeFieldContainer[ClockExtensionFacts]
    def __init__(self, case_id: _Optional[str] = ..., partnership: _Optional[str] = ..., la_aware_date: _Optional[str] = ..., panel_notification_sent_date: _Optional[str] = ..., incident_date: _Optional[str] = ..., notifying_la: _Optional[str] = ..., incident_la: _Optional[str] = ..., incident_country: _Optional[_Union[_common_pb2.Country, str]] = ..., home_la: _Optional[str] = ..., child: _Optional[_Union[ChildFacts, _Mapping]] = ..., nature: _Optional[_Union[_common_pb2.Nature, str]] = ..., died: _Optional[bool] = ..., seriously_harmed: _Optional[bool] = ..., recovered: _Optional[bool] = ..., harm_domains: _Optional[_Iterable[_Union[_common_pb2.HarmDomain, str]]] = ..., abuse_or_neglect: _Optional[_Union[_common_pb2.AbuseOrNeglect, str]] = ..., setting: _Optional[_Union[_common_pb2.Setting, str]] = ..., agencies: _Optional[_Iterable[_Union[AgencyFacts, _Mapping]]] = ..., no_agency_involvement_concern: _Optional[bool] = ..., panel_response: _Optional[str] = ..., earlier_reviews: _Optional[_Iterable[_Union[EarlierReview, _Mapping]]] = ..., withdrawn: _Optional[bool] = ..., returns_missing: _Optional[int] = ..., family_moved_between_areas: _Optional[bool] = ..., rapid_review_sent_date: _Optional[str] = ..., referred_by: _Optional[str] = ..., clock_extensions: _Optional[_Iterable[_Union[ClockExtensionFacts, _Mapping]]] = ...) -> None: ...
