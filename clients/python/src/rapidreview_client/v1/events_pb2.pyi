import datetime

from google.protobuf import any_pb2 as _any_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class EventEnvelope(_message.Message):
    __slots__ = ("event_id", "event_type", "case_id", "occurred_at", "producer", "schema_version", "correlation_id", "causation_id", "payload", "partnership")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    OCCURRED_AT_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_FIELD_NUMBER: _ClassVar[int]
    SCHEMA_VERSION_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    CAUSATION_ID_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    PARTNERSHIP_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    event_type: str
    case_id: str
    occurred_at: _timestamp_pb2.Timestamp
    producer: str
    schema_version: int
    correlation_id: str
    causation_id: str
    payload: _any_pb2.Any
    partnership: str
    def __init__(self, event_id: _Optional[str] = ..., event_type: _Optional[str] = ..., case_id: _Optional[str] = ..., occurred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., producer: _Optional[str] = ..., schema_version: _Optional[int] = ..., correlation_id: _Optional[str] = ..., causation_id: _Optional[str] = ..., payload: _Optional[_Union[_any_pb2.Any, _Mapping]] = ..., partnership: _Optional[str] = ...) -> None: ...

class DeadLetter(_message.Message):
    __slots__ = ("original_subject", "consumer", "reason", "deliveries", "original_data", "dead_lettered_at", "event_id")
    ORIGINAL_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CONSUMER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DELIVERIES_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_DATA_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERED_AT_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    original_subject: str
    consumer: str
    reason: str
    deliveries: int
    original_data: bytes
    dead_lettered_at: _timestamp_pb2.Timestamp
    event_id: str
    def __init__(self, original_subject: _Optional[str] = ..., consumer: _Optional[str] = ..., reason: _Optional[str] = ..., deliveries: _Optional[int] = ..., original_data: _Optional[bytes] = ..., dead_lettered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., event_id: _Optional[str] = ...) -> None: ...

class DeadlineDueSoon(_message.Message):
    __slots__ = ("clock_id", "subject_ref", "due", "working_days_left")
    CLOCK_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_REF_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_LEFT_FIELD_NUMBER: _ClassVar[int]
    clock_id: str
    subject_ref: str
    due: str
    working_days_left: int
    def __init__(self, clock_id: _Optional[str] = ..., subject_ref: _Optional[str] = ..., due: _Optional[str] = ..., working_days_left: _Optional[int] = ...) -> None: ...

class DeadlineOverdue(_message.Message):
    __slots__ = ("clock_id", "subject_ref", "due", "working_days_overdue")
    CLOCK_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_REF_FIELD_NUMBER: _ClassVar[int]
    DUE_FIELD_NUMBER: _ClassVar[int]
    WORKING_DAYS_OVERDUE_FIELD_NUMBER: _ClassVar[int]
    clock_id: str
    subject_ref: str
    due: str
    working_days_overdue: int
    def __init__(self, clock_id: _Optional[str] = ..., subject_ref: _Optional[str] = ..., due: _Optional[str] = ..., working_days_overdue: _Optional[int] = ...) -> None: ...
