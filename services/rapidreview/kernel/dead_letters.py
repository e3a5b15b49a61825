"""Operators' handling of the dead-letter stream (RR_DEAD_LETTERS): list, show, replay, discard.

A dead letter is a `DeadLetter` message on `rr.dlq.<service>.<consumer>` holding the original
bytes, the subject they came from and the reason. Replaying re-publishes the original bytes
to the original subject as a new message (a fresh `Nats-Msg-Id`, so JetStream's duplicate
window does not swallow it): every consumer of that subject gets a new delivery, and each one
that already processed the event finds its id in its inbox and does nothing, so only the
consumer that gave up does the work. Then the dead letter is removed (unless kept). Discarding
removes it without replaying. Both need the operators' NATS user (`admin`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from nats.js.errors import NotFoundError

from rapidreview.kernel.events import DLQ_PREFIX, DLQ_STREAM, UndecodableEvent, decode_envelope
from rapidreview.v1 import events_pb2


@dataclass(frozen=True)
class DeadLetterView:
    """One dead letter as an operator sees it: where it came from and why, never its content."""

    seq: int
    service: str
    consumer: str
    original_subject: str
    reason: str
    deliveries: int
    dead_lettered_at: dt.datetime | None
    event_id: str
    event_type: str
    case_id: str
    size: int
    letter: events_pb2.DeadLetter

    @property
    def replayable(self) -> bool:
        """Only an event whose envelope can be read can be replayed (garbage would only be
        dead-lettered again)."""
        return bool(self.event_id) and self.original_subject.startswith("rr.v1.")


def view(seq: int, subject: str, data: bytes) -> DeadLetterView:
    letter = events_pb2.DeadLetter.FromString(data)
    parts = subject.split(".")
    event_type = case_id = ""
    try:
        envelope = decode_envelope(letter.original_data)
        event_type, case_id = envelope.event_type, envelope.case_id
    except UndecodableEvent:
        pass
    at = letter.dead_lettered_at.ToDatetime(dt.UTC) if letter.HasField("dead_lettered_at") else None
    return DeadLetterView(seq, parts[2] if len(parts) > 2 else "", letter.consumer, letter.original_subject, letter.reason,
                          letter.deliveries, at, letter.event_id, event_type, case_id, len(letter.original_data), letter)


class DeadLetterQueue:
    """RR_DEAD_LETTERS through a JetStream context of the operators' user."""

    def __init__(self, js) -> None:  # type: ignore[no-untyped-def]
        self.js = js

    async def list(self, *, service: str = "", consumer: str = "", limit: int = 100) -> list[DeadLetterView]:
        """Dead letters oldest first, optionally of one service or consumer, at most `limit`."""
        subject = f"{DLQ_PREFIX}.{service or '*'}.{consumer or '*'}"
        found, seq = [], 1
        while len(found) < limit:
            try:
                msg = await self.js.get_msg(DLQ_STREAM, seq=seq, subject=subject, next=True)
            except NotFoundError:
                break
            found.append(view(msg.seq, msg.subject, msg.data))
            seq = msg.seq + 1
        return found

    async def get(self, seq: int) -> DeadLetterView:
        """One dead letter by stream sequence; KeyError when there is none."""
        try:
            msg = await self.js.get_msg(DLQ_STREAM, seq=seq)
        except NotFoundError:
            raise KeyError(seq) from None
        return view(msg.seq, msg.subject, msg.data)

    async def replay(self, seq: int, *, keep: bool = False) -> int:
        """Re-publishes dead letter `seq` to its original subject; returns the new event
        stream sequence. Removes the dead letter afterwards unless `keep`."""
        letter = await self.get(seq)
        if not letter.replayable:
            raise ValueError(f"dead letter {seq} holds no readable event; discard it instead")
        ack = await self.js.publish(letter.original_subject, letter.letter.original_data,
                                    headers={"Nats-Msg-Id": f"replay:{letter.event_id}:{uuid.uuid4()}"})
        if not keep:
            await self.js.delete_msg(DLQ_STREAM, seq)
        return ack.seq

    async def discard(self, seq: int) -> None:
        """Removes dead letter `seq` for good (KeyError when there is none)."""
        await self.get(seq)
        await self.js.delete_msg(DLQ_STREAM, seq)
