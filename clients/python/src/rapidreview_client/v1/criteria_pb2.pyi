import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from rapidreview_client.v1 import common_pb2 as _common_pb2
from rapidreview_client.v1 import facts_pb2 as _facts_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EvaluationTrigger(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVALUATION_TRIGGER_UNSPECIFIED: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_INCIDENT_NOTIFIED: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_INFORMATION_COLLATED: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_PANEL_RESPONSE: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_NEW_THEMES: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_MANUAL: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_PANEL_NOTIFIED: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_DECISION_RECORDED: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_INCIDENT_WITHDRAWN: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_PANEL_SUBMITTED: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_NOTIFICATION_AMENDED: _ClassVar[EvaluationTrigger]
    EVALUATION_TRIGGER_CLOCK_EXTENDED: _ClassVar[EvaluationTrigger]

class SummaryFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUMMARY_FORMAT_UNSPECIFIED: _ClassVar[SummaryFormat]
    SUMMARY_FORMAT_MARKDOWN: _ClassVar[SummaryFormat]
    SUMMARY_FORMAT_HTML: _ClassVar[SummaryFormat]
    SUMMARY_FORMAT_PDF: _ClassVar[SummaryFormat]
EVALUATION_TRIGGER_UNSPECIFIED: EvaluationTrigger
EVALUATION_TRIGGER_INCIDENT_NOTIFIED: EvaluationTrigger
EVALUATION_TRIGGER_INFORMATION_COLLATED: EvaluationTrigger
EVALUATION_TRIGGER_PANEL_RESPONSE: EvaluationTrigger
EVALUATION_TRIGGER_NEW_THEMES: EvaluationTrigger
EVALUATION_TRIGGER_MANUAL: EvaluationTrigger
EVALUATION_TRIGGER_PANEL_NOTIFIED: EvaluationTrigger
EVALUATION_TRIGGER_DECISION_RECORDED: EvaluationTrigger
EVALUATION_TRIGGER_INCIDENT_WITHDRAWN: EvaluationTrigger
EVALUATION_TRIGGER_PANEL_SUBMITTED: EvaluationTrigger
EVALUATION_TRIGGER_NOTIFICATION_AMENDED: EvaluationTrigger
EVALUATION_TRIGGER_CLOCK_EXTENDED: EvaluationTrigger
SUMMARY_FORMAT_UNSPECIFIED: SummaryFormat
SUMMARY_FORMAT_MARKDOWN: SummaryFormat
SUMMARY_FORMAT_HTML: SummaryFormat
SUMMARY_FORMAT_PDF: SummaryFormat

class Checklist(_message.Message):
    __slots__ = ("evaluation_id", "case_id", "edition", "edition_version", "criteria", "clocks", "not_automatic_statement", "national_importance_prompt", "fired_rules", "trigger", "evaluated_at", "partial", "child_ref", "partnership", "evaluated_on", "collation_version", "unmatched_themes", "panel_view_prompt", "reason", "theme_sources")
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    EDITION_VERSION_FIELD_NUMBER: _ClassVar[int]
    CRITERIA_FIELD_NUMBER: _ClassVar[int]
    CLOCKS_FIELD_NUMBER: _ClassVar[int]
    NOT_AUTOMATIC_STATEMENT_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    FIRED_RULES_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_AT_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    CHILD_REF_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    COLLATION_VERSION_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_THEMES_FIELD_NUMBER: _ClassVar[int]
    PANEL_VIEW_PROMPT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    THEME_SOURCES_FIELD_NUMBER: _ClassVar[int]
    evaluation_id: str
    case_id: str
    edition: _common_pb2.Edition
    edition_version: str
    criteria: _containers.RepeatedCompositeFieldContainer[_common_pb2.RuleOutcome]
    clocks: _containers.RepeatedCompositeFieldContainer[_common_pb2.Clock]
    not_automatic_statement: str
    national_importance_prompt: str
    fired_rules: _containers.RepeatedScalarFieldContainer[str]
    trigger: EvaluationTrigger
    evaluated_at: _timestamp_pb2.Timestamp
    partial: bool
    child_ref: str
    partnership: str
    evaluated_on: str
    collation_version: int
    unmatched_themes: _containers.RepeatedScalarFieldContainer[str]
    panel_view_prompt: str
    reason: str
    theme_sources: _containers.RepeatedCompositeFieldContainer[ThemeSource]
    def __init__(self, evaluation_id: _Optional[str] = ..., case_id: _Optional[str] = ..., edition: _Optional[_Union[_common_pb2.Edition, str]] = ..., edition_version: _Optional[str] = ..., criteria: _Optional[_Iterable[_Union[_common_pb2.RuleOutcome, _Mapping]]] = ..., clocks: _Optional[_Iterable[_Union[_common_pb2.Clock, _Mapping]]] = ..., not_automatic_statement: _Optional[str] = ..., national_importance_prompt: _Optional[str] = ..., fired_rules: _Optional[_Iterable[str]] = ..., trigger: _Optional[_Union[EvaluationTrigger, str]] = ..., evaluated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., partial: _Optional[bool] = ..., child_ref: _Optional[str] = ..., partnership: _Optional[str] = ..., evaluated_on: _Optional[str] = ..., collation_version: _Optional[int] = ..., unmatched_themes: _Optional[_Iterable[str]] = ..., panel_view_prompt: _Optional[str] = ..., reason: _Optional[str] = ..., theme_sources: _Optional[_Iterable[_Union[ThemeSource, _Mapping]]] = ...) -> None: ...

class ThemeSource(_message.Message):
    __slots__ = ("review_id", "title", "publisher", "year", "national", "list_version", "shared_themes")
    REVIEW_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PUBLISHER_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_FIELD_NUMBER: _ClassVar[int]
    LIST_VERSION_FIELD_NUMBER: _ClassVar[int]
    SHARED_THEMES_FIELD_NUMBER: _ClassVar[int]
    review_id: str
    title: str
    publisher: str
    year: int
    national: bool
    list_version: str
    shared_themes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, review_id: _Optional[str] = ..., title: _Optional[str] = ..., publisher: _Optional[str] = ..., year: _Optional[int] = ..., national: _Optional[bool] = ..., list_version: _Optional[str] = ..., shared_themes: _Optional[_Iterable[str]] = ...) -> None: ...

class EvaluateCaseRequest(_message.Message):
    __slots__ = ("facts", "edition")
    FACTS_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    facts: _facts_pb2.CaseFacts
    edition: str
    def __init__(self, facts: _Optional[_Union[_facts_pb2.CaseFacts, _Mapping]] = ..., edition: _Optional[str] = ...) -> None: ...

class EvaluateCaseResponse(_message.Message):
    __slots__ = ("checklist",)
    CHECKLIST_FIELD_NUMBER: _ClassVar[int]
    checklist: Checklist
    def __init__(self, checklist: _Optional[_Union[Checklist, _Mapping]] = ...) -> None: ...

class GetChecklistRequest(_message.Message):
    __slots__ = ("case_id", "evaluation_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    evaluation_id: str
    def __init__(self, case_id: _Optional[str] = ..., evaluation_id: _Optional[str] = ...) -> None: ...

class GetChecklistResponse(_message.Message):
    __slots__ = ("checklist",)
    CHECKLIST_FIELD_NUMBER: _ClassVar[int]
    checklist: Checklist
    def __init__(self, checklist: _Optional[_Union[Checklist, _Mapping]] = ...) -> None: ...

class RenderSummaryRequest(_message.Message):
    __slots__ = ("case_id", "evaluation_id", "format")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    evaluation_id: str
    format: SummaryFormat
    def __init__(self, case_id: _Optional[str] = ..., evaluation_id: _Optional[str] = ..., format: _Optional[_Union[SummaryFormat, str]] = ...) -> None: ...

class RenderSummaryResponse(_message.Message):
    __slots__ = ("content", "media_type", "evaluation_id")
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    MEDIA_TYPE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    content: bytes
    media_type: str
    evaluation_id: str
    def __init__(self, content: _Optional[bytes] = ..., media_type: _Optional[str] = ..., evaluation_id: _Optional[str] = ...) -> None: ...

class ListRuleEditionsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RuleEdition(_message.Message):
    __slots__ = ("name", "version", "effective_from", "effective_to", "rule_ids")
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_TO_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: str
    effective_from: str
    effective_to: str
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., version: _Optional[str] = ..., effective_from: _Optional[str] = ..., effective_to: _Optional[str] = ..., rule_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListRuleEditionsResponse(_message.Message):
    __slots__ = ("editions",)
    EDITIONS_FIELD_NUMBER: _ClassVar[int]
    editions: _containers.RepeatedCompositeFieldContainer[RuleEdition]
    def __init__(self, editions: _Optional[_Iterable[_Union[RuleEdition, _Mapping]]] = ...) -> None: ...

class ExplainCriterionRequest(_message.Message):
    __slots__ = ("case_id", "rule_id", "evaluation_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    rule_id: str
    evaluation_id: str
    def __init__(self, case_id: _Optional[str] = ..., rule_id: _Optional[str] = ..., evaluation_id: _Optional[str] = ...) -> None: ...

class ExplainCriterionResponse(_message.Message):
    __slots__ = ("outcome", "title", "condition", "facts_read", "edition_version")
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CONDITION_FIELD_NUMBER: _ClassVar[int]
    FACTS_READ_FIELD_NUMBER: _ClassVar[int]
    EDITION_VERSION_FIELD_NUMBER: _ClassVar[int]
    outcome: _common_pb2.RuleOutcome
    title: str
    condition: str
    facts_read: _containers.RepeatedScalarFieldContainer[str]
    edition_version: str
    def __init__(self, outcome: _Optional[_Union[_common_pb2.RuleOutcome, _Mapping]] = ..., title: _Optional[str] = ..., condition: _Optional[str] = ..., facts_read: _Optional[_Iterable[str]] = ..., edition_version: _Optional[str] = ...) -> None: ...

class ReevaluateCaseRequest(_message.Message):
    __slots__ = ("case_id", "edition_version", "reason", "no_agency_involvement_concern", "family_moved_between_areas")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EDITION_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    NO_AGENCY_INVOLVEMENT_CONCERN_FIELD_NUMBER: _ClassVar[int]
    FAMILY_MOVED_BETWEEN_AREAS_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    edition_version: str
    reason: str
    no_agency_involvement_concern: bool
    family_moved_between_areas: bool
    def __init__(self, case_id: _Optional[str] = ..., edition_version: _Optional[str] = ..., reason: _Optional[str] = ..., no_agency_involvement_concern: _Optional[bool] = ..., family_moved_between_areas: _Optional[bool] = ...) -> None: ...

class ReevaluateCaseResponse(_message.Message):
    __slots__ = ("checklist",)
    CHECKLIST_FIELD_NUMBER: _ClassVar[int]
    checklist: Checklist
    def __init__(self, checklist: _Optional[_Union[Checklist, _Mapping]] = ...) -> None: ...

class ImportEarlierReviewsRequest(_message.Message):
    __slots__ = ("reviews", "partnership")
    REVIEWS_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    reviews: _containers.RepeatedCompositeFieldContainer[_facts_pb2.EarlierReview]
    partnership: str
    def __init__(self, reviews: _Optional[_Iterable[_Union[_facts_pb2.EarlierReview, _Mapping]]] = ..., partnership: _Optional[str] = ...) -> None: ...

class ImportEarlierReviewsResponse(_message.Message):
    __slots__ = ("imported", "reevaluated_case_ids")
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    REEVALUATED_CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    imported: int
    reevaluated_case_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, imported: _Optional[int] = ..., reevaluated_case_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class ListEvaluationsRequest(_message.Message):
    __slots__ = ("case_id",)
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    def __init__(self, case_id: _Optional[str] = ...) -> None: ...

class EvaluationSummary(_message.Message):
    __slots__ = ("evaluation_id", "trigger", "edition", "edition_version", "evaluated_at", "evaluated_on", "fired_rules", "collation_version")
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    TRIGGER_FIELD_NUMBER: _ClassVar[int]
    EDITION_FIELD_NUMBER: _ClassVar[int]
    EDITION_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_AT_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_ON_FIELD_NUMBER: _ClassVar[int]
    FIRED_RULES_FIELD_NUMBER: _ClassVar[int]
    COLLATION_VERSION_FIELD_NUMBER: _ClassVar[int]
    evaluation_id: str
    trigger: EvaluationTrigger
    edition: _common_pb2.Edition
    edition_version: str
    evaluated_at: _timestamp_pb2.Timestamp
    evaluated_on: str
    fired_rules: _containers.RepeatedScalarFieldContainer[str]
    collation_version: int
    def __init__(self, evaluation_id: _Optional[str] = ..., trigger: _Optional[_Union[EvaluationTrigger, str]] = ..., edition: _Optional[_Union[_common_pb2.Edition, str]] = ..., edition_version: _Optional[str] = ..., evaluated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., evaluated_on: _Optional[str] = ..., fired_rules: _Optional[_Iterable[str]] = ..., collation_version: _Optional[int] = ...) -> None: ...

class ListEvaluationsResponse(_message.Message):
    __slots__ = ("evaluations",)
    EVALUATIONS_FIELD_NUMBER: _ClassVar[int]
    evaluations: _containers.RepeatedCompositeFieldContainer[EvaluationSummary]
    def __init__(self, evaluations: _Optional[_Iterable[_Union[EvaluationSummary, _Mapping]]] = ...) -> None: ...

class ReplayEvaluationRequest(_message.Message):
    __slots__ = ("case_id", "evaluation_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    evaluation_id: str
    def __init__(self, case_id: _Optional[str] = ..., evaluation_id: _Optional[str] = ...) -> None: ...

class ReplayEvaluationResponse(_message.Message):
    __slots__ = ("replayed", "identical", "differences")
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    IDENTICAL_FIELD_NUMBER: _ClassVar[int]
    DIFFERENCES_FIELD_NUMBER: _ClassVar[int]
    replayed: Checklist
    identical: bool
    differences: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, replayed: _Optional[_Union[Checklist, _Mapping]] = ..., identical: _Optional[bool] = ..., differences: _Optional[_Iterable[str]] = ...) -> None: ...

class CriteriaEvaluated(_message.Message):
    __slots__ = ("checklist",)
    CHECKLIST_FIELD_NUMBER: _ClassVar[int]
    checklist: Checklist
    def __init__(self, checklist: _Optional[_Union[Checklist, _Mapping]] = ...) -> None: ...

class SummaryReady(_message.Message):
    __slots__ = ("case_id", "evaluation_id", "format", "sha256")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    evaluation_id: str
    format: SummaryFormat
    sha256: str
    def __init__(self, case_id: _Optional[str] = ..., evaluation_id: _Optional[str] = ..., format: _Optional[_Union[SummaryFormat, str]] = ..., sha256: _Optional[str] = ...) -> None: ...

class ListCaseThemesRequest(_message.Message):
    __slots__ = ("case_ids",)
    CASE_IDS_FIELD_NUMBER: _ClassVar[int]
    case_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, case_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class CaseThemes(_message.Message):
    __slots__ = ("case_id", "themes", "unmatched_tags", "evaluation_id")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    THEMES_FIELD_NUMBER: _ClassVar[int]
    UNMATCHED_TAGS_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ID_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    themes: _containers.RepeatedScalarFieldContainer[str]
    unmatched_tags: _containers.RepeatedScalarFieldContainer[str]
    evaluation_id: str
    def __init__(self, case_id: _Optional[str] = ..., themes: _Optional[_Iterable[str]] = ..., unmatched_tags: _Optional[_Iterable[str]] = ..., evaluation_id: _Optional[str] = ...) -> None: ...

class ListCaseThemesResponse(_message.Message):
    __slots__ = ("cases", "not_found")
    CASES_FIELD_NUMBER: _ClassVar[int]
    NOT_FOUND_FIELD_NUMBER: _ClassVar[int]
    cases: _containers.RepeatedCompositeFieldContainer[CaseThemes]
    not_found: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cases: _Optional[_Iterable[_Union[CaseThemes, _Mapping]]] = ..., not_found: _Optional[_Iterable[str]] = ...) -> None: ...

class GetNationalThemesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NationalThemeSource(_message.Message):
    __slots__ = ("source_id", "kind", "title", "publisher", "year", "published", "themes", "checked")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    PUBLISHER_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_FIELD_NUMBER: _ClassVar[int]
    THEMES_FIELD_NUMBER: _ClassVar[int]
    CHECKED_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    kind: str
    title: str
    publisher: str
    year: int
    published: str
    themes: _containers.RepeatedScalarFieldContainer[str]
    checked: str
    def __init__(self, source_id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., publisher: _Optional[str] = ..., year: _Optional[int] = ..., published: _Optional[str] = ..., themes: _Optional[_Iterable[str]] = ..., checked: _Optional[str] = ...) -> None: ...

class GetNationalThemesResponse(_message.Message):
    __slots__ = ("version", "as_of", "sources", "sha256")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    AS_OF_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    version: str
    as_of: str
    sources: _containers.RepeatedCompositeFieldContainer[NationalThemeSource]
    sha256: str
    def __init__(self, version: _Optional[str] = ..., as_of: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[NationalThemeSource, _Mapping]]] = ..., sha256: _Optional[str] = ...) -> None: ...

class GetLearningThemesRequest(_message.Message):
    __slots__ = ("on_date",)
    ON_DATE_FIELD_NUMBER: _ClassVar[int]
    on_date: str
    def __init__(self, on_date: _Optional[str] = ...) -> None: ...

class LearningTheme(_message.Message):
    __slots__ = ("name", "synonyms")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SYNONYMS_FIELD_NUMBER: _ClassVar[int]
    name: str
    synonyms: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., synonyms: _Optional[_Iterable[str]] = ...) -> None: ...

class GetLearningThemesResponse(_message.Message):
    __slots__ = ("edition", "edition_version", "themes")
    EDITION_FIELD_NUMBER: _ClassVar[int]
    EDITION_VERSION_FIELD_NUMBER: _ClassVar[int]
    THEMES_FIELD_NUMBER: _ClassVar[int]
    edition: str
    edition_version: str
    themes: _containers.RepeatedCompositeFieldContainer[LearningTheme]
    def __init__(self, edition: _Optional[str] = ..., edition_version: _Optional[str] = ..., themes: _Optional[_Iterable[_Union[LearningTheme, _Mapping]]] = ...) -> None: ...
