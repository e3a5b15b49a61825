from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Edition(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EDITION_UNSPECIFIED: _ClassVar[Edition]
    EDITION_WT2018: _ClassVar[Edition]
    EDITION_WT2023: _ClassVar[Edition]

class Outcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTCOME_UNSPECIFIED: _ClassVar[Outcome]
    OUTCOME_MET: _ClassVar[Outcome]
    OUTCOME_NOT_MET: _ClassVar[Outcome]
    OUTCOME_INDICATED: _ClassVar[Outcome]
    OUTCOME_NOT_INDICATED: _ClassVar[Outcome]
    OUTCOME_NEEDS_JUDGEMENT: _ClassVar[Outcome]
    OUTCOME_NOT_APPLICABLE: _ClassVar[Outcome]

class RuleStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_STATUS_UNSPECIFIED: _ClassVar[RuleStatus]
    RULE_STATUS_STATUTORY: _ClassVar[RuleStatus]
    RULE_STATUS_GUIDANCE: _ClassVar[RuleStatus]
    RULE_STATUS_VERIFY: _ClassVar[RuleStatus]
    RULE_STATUS_LOCAL: _ClassVar[RuleStatus]

class Nature(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NATURE_UNSPECIFIED: _ClassVar[Nature]
    NATURE_DEATH: _ClassVar[Nature]
    NATURE_SERIOUS_HARM: _ClassVar[Nature]
    NATURE_OTHER: _ClassVar[Nature]

class AbuseOrNeglect(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ABUSE_OR_NEGLECT_UNSPECIFIED: _ClassVar[AbuseOrNeglect]
    ABUSE_OR_NEGLECT_KNOWN: _ClassVar[AbuseOrNeglect]
    ABUSE_OR_NEGLECT_SUSPECTED: _ClassVar[AbuseOrNeglect]
    ABUSE_OR_NEGLECT_NOT_SUSPECTED: _ClassVar[AbuseOrNeglect]

class Setting(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SETTING_UNSPECIFIED: _ClassVar[Setting]
    SETTING_FAMILY_HOME: _ClassVar[Setting]
    SETTING_FOSTER_HOME: _ClassVar[Setting]
    SETTING_RESIDENTIAL_CHILDRENS_HOME: _ClassVar[Setting]
    SETTING_SCHOOL: _ClassVar[Setting]
    SETTING_HOSPITAL: _ClassVar[Setting]
    SETTING_NURSERY: _ClassVar[Setting]
    SETTING_CUSTODY: _ClassVar[Setting]
    SETTING_SECURE_ESTATE: _ClassVar[Setting]
    SETTING_OTHER_INSTITUTION: _ClassVar[Setting]
    SETTING_OTHER: _ClassVar[Setting]

class Country(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COUNTRY_UNSPECIFIED: _ClassVar[Country]
    COUNTRY_ENGLAND: _ClassVar[Country]
    COUNTRY_WALES: _ClassVar[Country]
    COUNTRY_SCOTLAND: _ClassVar[Country]
    COUNTRY_NORTHERN_IRELAND: _ClassVar[Country]
    COUNTRY_OUTSIDE_UK: _ClassVar[Country]

class HarmDomain(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HARM_DOMAIN_UNSPECIFIED: _ClassVar[HarmDomain]
    HARM_DOMAIN_PHYSICAL_HEALTH: _ClassVar[HarmDomain]
    HARM_DOMAIN_MENTAL_HEALTH: _ClassVar[HarmDomain]
    HARM_DOMAIN_INTELLECTUAL_DEVELOPMENT: _ClassVar[HarmDomain]
    HARM_DOMAIN_EMOTIONAL_DEVELOPMENT: _ClassVar[HarmDomain]
    HARM_DOMAIN_SOCIAL_DEVELOPMENT: _ClassVar[HarmDomain]
    HARM_DOMAIN_BEHAVIOURAL_DEVELOPMENT: _ClassVar[HarmDomain]

class AgencyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AGENCY_KIND_UNSPECIFIED: _ClassVar[AgencyKind]
    AGENCY_KIND_POLICE: _ClassVar[AgencyKind]
    AGENCY_KIND_CHILDRENS_SOCIAL_CARE: _ClassVar[AgencyKind]
    AGENCY_KIND_HEALTH_GP: _ClassVar[AgencyKind]
    AGENCY_KIND_HEALTH_VISITING: _ClassVar[AgencyKind]
    AGENCY_KIND_HEALTH_MIDWIFERY: _ClassVar[AgencyKind]
    AGENCY_KIND_HEALTH_ACUTE_TRUST: _ClassVar[AgencyKind]
    AGENCY_KIND_HEALTH_MENTAL_HEALTH: _ClassVar[AgencyKind]
    AGENCY_KIND_HEALTH_OTHER: _ClassVar[AgencyKind]
    AGENCY_KIND_EDUCATION: _ClassVar[AgencyKind]
    AGENCY_KIND_EARLY_YEARS: _ClassVar[AgencyKind]
    AGENCY_KIND_PROBATION: _ClassVar[AgencyKind]
    AGENCY_KIND_HOUSING: _ClassVar[AgencyKind]
    AGENCY_KIND_YOUTH_JUSTICE: _ClassVar[AgencyKind]
    AGENCY_KIND_VOLUNTARY_SECTOR: _ClassVar[AgencyKind]
    AGENCY_KIND_OTHER: _ClassVar[AgencyKind]

class AreaType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AREA_TYPE_UNSPECIFIED: _ClassVar[AreaType]
    AREA_TYPE_LOCAL_AUTHORITY: _ClassVar[AreaType]
    AREA_TYPE_POLICE_AREA: _ClassVar[AreaType]
    AREA_TYPE_HEALTH_BOARD: _ClassVar[AreaType]
EDITION_UNSPECIFIED: Edition
EDITION_WT2018: Edition
EDITION_WT2023: Edition
OUTCOME_UNSPECIFIED: Outcome
OUTCOME_MET: Outcome
OUTCOME_NOT_MET: Outcome
OUTCOME_INDICATED: Outcome
OUTCOME_NOT_INDICATED: Outcome
OUTCOME_NEEDS_JUDGEMENT: Outcome
OUTCOME_NOT_APPLICABLE: Outcome
RULE_STATUS_UNSPECIFIED: RuleStatus
RULE_STATUS_STATUTORY: RuleStatus
RULE_STATUS_GUIDANCE: RuleStatus
RULE_STATUS_VERIFY: RuleStatus
RULE_STATUS_LOCAL: RuleStatus
NATURE_UNSPECIFIED: Nature
NATURE_DEATH: Nature
NATURE_SERIOUS_HARM: Nature
NATURE_OTHER: Nature
ABUSE_OR_NEGLECT_UNSPECIFIED: AbuseOrNeglect
ABUSE_OR_NEGLECT_KNOWN: AbuseOrNeglect
ABUSE_OR_NEGLECT_SUSPECTED: AbuseOrNeglect
ABUSE_OR_NEGLECT_NOT_SUSPECTED: AbuseOrNeglect
SETTING_UNSPECIFIED: Setting
SETTING_FAMILY_HOME: Setting
SETTING_FOSTER_HOME: Setting
SETTING_RESIDENTIAL_CHILDRENS_HOME: Setting
SETTING_SCHOOL: Setting
SETTING_HOSPITAL: Setting
SETTING_NURSERY: Setting
SETTING_CUSTODY: Setting
SETTING_SECURE_ESTATE: Setting
SETTING_OTHER_INSTITUTION: Setting
SETTING_OTHER: Setting
COUNTRY_UNSPECIFIED: Country
COUNTRY_ENGLAND: Country
COUNTRY_WALES: Country
COUNTRY_SCOTLAND: Country
COUNTRY_NORTHERN_IRELAND: Country
COUNTRY_OUTSIDE_UK: Country
HARM_DOMAIN_UNSPECIFIED: HarmDomain
HARM_DOMAIN_PHYSICAL_HEALTH: HarmDomain
HARM_DOMAIN_MENTAL_HEALTH: HarmDomain
HARM_DOMAIN_INTELLECTUAL_DEVELOPMENT: HarmDomain
HARM_DOMAIN_EMOTIONAL_DEVELOPMENT: HarmDomain
HARM_DOMAIN_SOCIAL_DEVELOPMENT: HarmDomain
HARM_DOMAIN_BEHAVIOURAL_DEVELOPMENT: HarmDomain
AGENCY_KIND_UNSPECIFIED: AgencyKind
AGENCY_KIND_POLICE: AgencyKind
AGENCY_KIND_CHILDRENS_SOCIAL_CARE: AgencyKind
AGENCY_KIND_HEALTH_GP: AgencyKind
AGENCY_KIND_HEALTH_VISITING: AgencyKind
AGENCY_KIND_HEALTH_MIDWIFERY: AgencyKind
AGENCY_KIND_HEALTH_ACUTE_TRUST: AgencyKind
AGENCY_KIND_HEALTH_MENTAL_HEALTH: AgencyKind
AGENCY_KIND_HEALTH_OTHER: AgencyKind
AGENCY_KIND_EDUCATION: AgencyKind
AGENCY_KIND_EARLY_YEARS: AgencyKind
AGENCY_KIND_PROBATION: AgencyKind
AGENCY_KIND_HOUSING: AgencyKind
AGENCY_KIND_YOUTH_JUSTICE: AgencyKind
AGENCY_KIND_VOLUNTARY_SECTOR: AgencyKind
AGENCY_KIND_OTHER: AgencyKind
AREA_TYPE_UNSPECIFIED: AreaType
AREA_TYPE_LOCAL_AUTHORITY: AreaType
AREA_TYPE_POLICE_AREA: AreaType
AREA_TYPE_HEALTH_BOARD: AreaType

class Agency(_message.Message):
    __slots__ = ("agency_id", "name", "kind", "area", "area_type")
    AGENCY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    AREA_FIELD_NUMBER: _ClassVar[int]
    AREA_TYPE_FIELD_NUMBER: _ClassVar[int]
    agency_id: str
    name: str
    kind: AgencyKind
    area: str
    area_type: AreaType
    def __init__(self, agency_id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[AgencyKind, str]] = ..., area: _Optional[str] = ..., area_type: _Optional[_Union[AreaType, str]] = ...) -> None: ...

class ClockExtension(_message.Message):
    __slots__ = ("extended_to", "reason", "recorded_by")
    EXTENDED_TO_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECORDED_BY_FIELD_NUMBER: _ClassVar[int]
    extended_to: str
    reason: str
    recorded_by: str
    def __init__(self, extended_to: _Optional[str] = ..., reason: _Optional[str] = ..., recorded_by: _Optional[str] = ...) -> None: ...

class Clock(_message.Message):
    __slots__ = ("id", "starts_from", "due", "working_days_left", "overdue", "completed_on", "late", "extensions", "effective_due")
    ID_FIELD_NUMBER: _ClassVar[int]
    STARTS_FROM_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_LEFT_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_ON_FIELD_NUMBER: _ClassVar[int]
    LATE_FIELD_NUMBER: _ClassVar[int]
    EXTENSIONS_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DUE_FIELD_NUMBER: _ClassVar[int]
    id: str
    starts_from: str
    due: str
    working_days_left: int
    overdue: bool
    completed_on: str
    late: bool
    extensions: _containers.RepeatedCompositeFieldContainer[ClockExtension]
    effective_due: str
    def __init__(self, id: _Optional[str] = ..., starts_from: _Optional[str] = ..., due: _Optional[str] = ..., working_days_left: _Optional[int] = ..., overdue: _Optional[bool] = ..., completed_on: _Optional[str] = ..., late: _Optional[bool] = ..., extensions: _Optional[_Iterable[_Union[ClockExtension, _Mapping]]] = ..., effective_due: _Optional[str] = ...) -> None: ...

class RuleOutcome(_message.Message):
    __slots__ = ("rule_id", "outcome", "rationale", "citation", "status", "evidence", "evidence_not_listed")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_NOT_LISTED_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    outcome: Outcome
    rationale: str
    citation: str
    status: RuleStatus
    evidence: _containers.RepeatedScalarFieldContainer[str]
    evidence_not_listed: int
    def __init__(self, rule_id: _Optional[str] = ..., outcome: _Optional[_Union[Outcome, str]] = ..., rationale: _Optional[str] = ..., citation: _Optional[str] = ..., status: _Optional[_Union[RuleStatus, str]] = ..., evidence: _Optional[_Iterable[str]] = ..., evidence_not_listed: _Optional[int] = ...) -> None: ...
