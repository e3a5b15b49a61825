"""Event envelopes and subjects.

Subjects are `rr.v1.<aggregate>.<event>`; deadline events carry their producer
as a last token (`rr.v1.deadline.overdue.intake`) so that NATS permissions can
restrict each service to its own subjects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from google.protobuf import any_pb2, message, timestamp_pb2

from rapidreview.v1 import events_pb2

SUBJECT_PREFIX = "rr.v1"
DLQ_PREFIX = "rr.dlq"
EVENTS_STREAM = "RR_EVENTS"
DLQ_STREAM = "RR_DEAD_LETTERS"


def subject_for(event_type: str, producer: str) -> str:
    """The NATS subject of an event type, e.g. "incident.notified" -> "rr.v1.incident.notified"."""
    subject = f"{SUBJECT_PREFIX}.{event_type}"
    if event_type.startswith("deadline."):
        subject = f"{subject}.{producer}"
    return subject


def new_event(
    event_type: str,
    payload: message.Message,
    *,
    producer: str,
    case_id: str = "",
    partnership: str = "",
    correlation_id: str = "",
    causation_id: str = "",
    schema_version: int = 1,
    occurred_at: dt.datetime | None = None,
) -> events_pb2.EventEnvelope:
    """Wraps `payload` in a new envelope with a fresh event id."""
    packed = any_pb2.Any()
    packed.Pack(payload)
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(occurred_at or dt.datetime.now(dt.UTC))
    return events_pb2.EventEnvelope(
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        case_id=case_id,
        occurred_at=ts,
        producer=producer,
        schema_version=schema_version,
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=packed,
        partnership=partnership,
    )


class UndecodableEvent(ValueError):
    """The bytes are not an EventEnvelope, or its payload is not what the type says."""


def decode_envelope(data: bytes) -> events_pb2.EventEnvelope:
    """Parses an envelope; raises UndecodableEvent on garbage or missing ids."""
    envelope = events_pb2.EventEnvelope()
    try:
        envelope.ParseFromString(data)
    except message.DecodeError as exc:
        raise UndecodableEvent("undecodable envelope") from exc
    if not envelope.event_id or not envelope.event_type or not envelope.payload.type_url:
        raise UndecodableEvent("envelope without event id, type or payload")
    return envelope


def unpack(envelope: events_pb2.EventEnvelope, payload_type: type[message.Message]) -> message.Message:
    """The payload as `payload_type`; raises UndecodableEvent when it is another type."""
    payload = payload_type()
    if not envelope.payload.Is(payload.DESCRIPTOR) or not envelope.payload.Unpack(payload):
        raise UndecodableEvent(f"payload is not {payload.DESCRIPTOR.full_name}")
    return payload


@dataclass(frozen=True)
class EventRef:
    """What a handler needs to know about the event it is processing."""

    event_id: str
    event_type: str
    case_id: str
    correlation_id: str
    partnership: str
    #: When the change happened (the envelope's occurred_at, UTC); None when the envelope has none.
    occurred_at: dt.datetime | None = None
