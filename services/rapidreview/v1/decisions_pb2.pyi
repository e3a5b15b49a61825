from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ReviewDecision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REVIEW_DECISION_UNSPECIFIED: _ClassVar[ReviewDecision]
    REVIEW_DECISION_CSPR: _ClassVar[ReviewDecision]
    REVIEW_DECISION_NO_CSPR: _ClassVar[ReviewDecision]
    REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: _ClassVar[ReviewDecision]
    REVIEW_DECISION_REFER_NATIONAL: _ClassVar[ReviewDecision]
REVIEW_DECISION_UNSPECIFIED: ReviewDecision
REVIEW_DECISION_CSPR: ReviewDecision
REVIEW_DECISION_NO_CSPR: ReviewDecision
REVIEW_DECISION_ALTERNATIVE_LEARNING_REVIEW: ReviewDecision
REVIEW_DECISION_REFER_NATIONAL: ReviewDecision

class DecisionRecorded(_message.Message):
    __slots__ = ("case_id", "decision_id", "decision", "decided_on", "national_importance")
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_ID_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    DECIDED_ON_FIELD_NUMBER: _ClassVar[int]
    NATIONAL_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    case_id: str
    decision_id: str
    decision: ReviewDecision
    decided_on: str
    national_importance: bool
    def __init__(self, case_id: _Optional[str] = ..., decision_id: _Optional[str] = ..., decision: _Optional[_Union[ReviewDecision, str]] = ..., decided_on: _Optional[str] = ..., national_importance: _Optional[bool] = ...) -> None: ...
